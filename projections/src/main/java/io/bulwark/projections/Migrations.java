package io.bulwark.projections;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies the schema in {@code classpath:db/migration}: the journal and offset-store tables of the
 * Pekko plugins and the read models. Run once at start-up, before the actor system writes.
 */
public final class Migrations {
  public static final String LOCATION = "classpath:db/migration";

  private Migrations() {}

  public static MigrateResult migrate(String url, String user, String password) {
    return flyway(Flyway.configure().dataSource(url, user, password)).migrate();
  }

  public static MigrateResult migrate(DataSource dataSource) {
    return flyway(Flyway.configure().dataSource(dataSource)).migrate();
  }

  private static Flyway flyway(org.flywaydb.core.api.configuration.FluentConfiguration config) {
    return config.locations(LOCATION).failOnMissingLocations(true).load();
  }
}
