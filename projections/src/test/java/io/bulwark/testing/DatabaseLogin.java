package io.bulwark.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A login role on the test server, made for one test: a generated name and password, member of the
 * given group roles (bulwark_app, bulwark_analyst of V5). Roles belong to the whole server, so the
 * names are random; the password is never printed. Exported in the test-jar.
 *
 * <p>The embedded server trusts loopback connections (zonky's pg_hba.conf), so the password is not
 * checked there: what these logins prove is what the role may do, not how it authenticates.
 */
public record DatabaseLogin(String user, String password) {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A new login {@code <prefix>_<random>}, member of {@code groups}. */
  public static DatabaseLogin create(TestDatabase db, String prefix, String... groups) {
    byte[] suffix = new byte[6];
    byte[] secret = new byte[24];
    RANDOM.nextBytes(suffix);
    RANDOM.nextBytes(secret);
    var login =
        new DatabaseLogin(
            prefix + "_" + HexFormat.of().formatHex(suffix),
            TestSecrets.remember(Base64.getUrlEncoder().withoutPadding().encodeToString(secret)));
    // Both are generated from [a-z0-9_] and the base64url alphabet: nothing to escape.
    var create = new StringBuilder("CREATE ROLE " + login.user + " LOGIN PASSWORD '");
    create.append(login.password).append('\'');
    if (groups.length > 0) {
      create.append(" IN ROLE ").append(String.join(", ", groups));
    }
    try (var c = db.dataSource().getConnection();
        var statement = c.createStatement()) {
      statement.execute(create.toString());
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create the login " + login.user, e);
    }
    return login;
  }

  /** Maps this (analyst) login to {@code tenant} in analyst_tenants, as docs/analysts.md says. */
  public DatabaseLogin seesTenant(TestDatabase db, String tenant) throws SQLException {
    new Sql(db.dataSource())
        .update(
            "INSERT INTO analyst_tenants (analyst, tenant_id) VALUES (?::regrole, ?)",
            user,
            tenant);
    return this;
  }

  /** A new connection on {@code db} as this login (autocommit on); the caller closes it. */
  public Connection connect(TestDatabase db) throws SQLException {
    return DriverManager.getConnection(db.url(), user, password);
  }

  /** A small pool on {@code db} as this login; the caller closes it. */
  public HikariDataSource pool(TestDatabase db) {
    var config = new HikariConfig();
    config.setJdbcUrl(db.url());
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(4);
    config.setPoolName(user);
    return new HikariDataSource(config);
  }

  @Override
  public String toString() {
    return "DatabaseLogin[user=" + user + ", password=***]";
  }
}
