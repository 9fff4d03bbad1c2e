package io.bulwark.projections;

import com.typesafe.config.ConfigFactory;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
import slick.jdbc.hikaricp.HikariCPJdbcDataSource;

/**
 * The one connection pool of a node: the HikariCP pool inside pekko-persistence-jdbc's shared
 * database {@value #SHARED_DB}. Journal, snapshots and read journal use it through {@code
 * use-shared-db}; projections and read-model queries borrow from it here, so a node never opens
 * more connections than {@code pekko-persistence-jdbc.shared-databases.slick.db.maxConnections}.
 */
public final class SharedPool {
  public static final String SHARED_DB = "slick";

  private SharedPool() {}

  /**
   * The pool of the shared database; created on first use and closed by the plugin when the actor
   * system terminates (the returned object is its {@code com.zaxxer.hikari.HikariDataSource}).
   * Requires {@code pekko-persistence-jdbc.shared-databases.slick.profile} (and its {@code db}
   * block) to be configured.
   *
   * @throws IllegalStateException if the shared database is not backed by HikariCP
   */
  public static DataSource dataSource(ActorSystem<?> system) {
    var extension = (SlickExtensionImpl) SlickExtension.get(system.classicSystem());
    var selector = ConfigFactory.parseString("use-shared-db = \"" + SHARED_DB + "\"");
    var source = extension.database(selector).database().source();
    if (source instanceof HikariCPJdbcDataSource hikari) {
      return hikari.ds();
    }
    throw new IllegalStateException(
        "pekko-persistence-jdbc.shared-databases."
            + SHARED_DB
            + " must use connectionPool = HikariCP, but its source is "
            + source.getClass().getName());
  }
}
