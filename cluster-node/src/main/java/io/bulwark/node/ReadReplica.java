package io.bulwark.node;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The pool for list endpoints when they read from a replica (BULWARK_DB_READ_URL, ADR 0017). Read
 * only, so a misconfigured URL that points at the primary cannot be written through; closed when
 * the node stops. Journal writes, projections and strongly consistent reads stay on the primary.
 */
final class ReadReplica {
  private ReadReplica() {}

  static DataSource open(ActorSystem<?> system, NodeSettings.ReadDatabase replica) {
    var config = new HikariConfig();
    config.setPoolName("bulwark-read-replica");
    config.setJdbcUrl(replica.url());
    config.setUsername(replica.user());
    config.setPassword(replica.password());
    config.setMaximumPoolSize(replica.maxConnections());
    config.setMinimumIdle(1);
    config.setReadOnly(true);
    config.setConnectionTimeout(5_000);
    // Start even while the replica is away: list requests then fail fast through the query
    // breaker instead of the node refusing to start.
    config.setInitializationFailTimeout(-1);
    config.addDataSourceProperty("options", "-c plan_cache_mode=force_custom_plan");
    var pool = new HikariDataSource(config);
    system.getWhenTerminated().thenRun(pool::close);
    return pool;
  }
}
