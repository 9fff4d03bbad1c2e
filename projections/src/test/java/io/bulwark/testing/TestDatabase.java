package io.bulwark.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.bulwark.projections.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A fresh PostgreSQL 15 database for one test (class): one embedded server per JVM, started on
 * first use, and a new database per {@link #create()}, so tests never see each other's rows.
 * Exported in the test-jar for other modules' tests.
 */
public final class TestDatabase implements AutoCloseable {
  public static final String USER = "postgres";
  public static final String PASSWORD = "postgres";

  private static EmbeddedPostgres server;

  private final String name;
  private final String url;
  private HikariDataSource pool;

  private TestDatabase(String name, String url) {
    this.name = name;
    this.url = url;
  }

  /** A new database with all migrations of {@code classpath:db/migration} applied. */
  public static TestDatabase create() {
    var db = createEmpty();
    Migrations.migrate(db.url(), db.user(), db.password());
    return db;
  }

  /** A new database without any table. */
  public static TestDatabase createEmpty() {
    var postgres = server();
    String name = "test_" + UUID.randomUUID().toString().replace("-", "").toLowerCase(Locale.ROOT);
    try (var connection = postgres.getPostgresDatabase().getConnection();
        var statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create test database " + name, e);
    }
    return new TestDatabase(name, "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + name);
  }

  public String name() {
    return name;
  }

  public String url() {
    return url;
  }

  public String user() {
    return USER;
  }

  public String password() {
    return PASSWORD;
  }

  /** A small pool on this database, made on first use and closed by {@link #close()}. */
  public synchronized DataSource dataSource() {
    if (pool == null) {
      var config = new HikariConfig();
      config.setJdbcUrl(url);
      config.setUsername(USER);
      config.setPassword(PASSWORD);
      config.setMaximumPoolSize(8);
      config.setPoolName(name);
      pool = new HikariDataSource(config);
    }
    return pool;
  }

  /** Closes the pool of {@link #dataSource()}; the database stays until the server stops. */
  @Override
  public synchronized void close() {
    if (pool != null) {
      pool.close();
      pool = null;
    }
  }

  private static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        server =
            EmbeddedPostgres.builder()
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off")
                .setServerConfig("max_connections", "300")
                .start();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot start the embedded PostgreSQL", e);
      }
    }
    return server;
  }
}
