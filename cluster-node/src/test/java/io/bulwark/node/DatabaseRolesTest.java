package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.testing.DatabaseLogin;
import io.bulwark.testing.Eventually;
import io.bulwark.testing.Sql;
import io.bulwark.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADR 0019 end to end: a node migrates as one login and then works as another that holds only the
 * rights of bulwark_app; an analyst of one tenant reads what the node projected for that tenant
 * alone. The local mode (embedded database) works the same way.
 */
class DatabaseRolesTest {
  @TempDir Path dir;

  @Test
  void aNodeMigratesAsOneLoginAndServesEveryTenantAsAnother() throws Exception {
    TestDatabase.create().close(); // from here on the roles of V5 exist on the test server
    try (var db = TestDatabase.createEmpty()) {
      var app = DatabaseLogin.create(db, "node", "bulwark_app");
      String platformKey = TestNode.newPlatformKey();
      var settings =
          TestNode.seed(db.url(), app.user(), app.password(), platformKey)
              .settings
              .withMigration(new NodeSettings.Migration(db.user(), db.password()));
      var node = BulwarkNode.start(settings);
      try {
        var ledger =
            new Ledger(
                new ApiClient("http://127.0.0.1:" + settings.httpPort(), new OpenApiContract()),
                platformKey);
        for (String tenant : List.of("acme", "globex")) {
          var funded = ledger.funded(tenant, 1, 100, "EUR");
          assertEquals(100, ledger.balance(tenant, funded.admin(), "acc-0"));
        }
        var owner = new Sql(db.dataSource());
        Eventually.await(
            Duration.ofSeconds(30),
            () ->
                assertEquals(
                    4, owner.count("SELECT count(*) FROM ledger_entries"), "projected entries"));
        assertEquals(
            List.of(),
            owner.rows(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                    + " AND tableowner <> ?",
                db.user()),
            "the migration login owns every table");
        assertTrue(
            owner.count(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = ? AND usename = ?",
                    db.name(),
                    app.user())
                > 0,
            "the node's pool logs in as the application login");

        var analyst = DatabaseLogin.create(db, "analyst", "bulwark_analyst").seesTenant(db, "acme");
        try (var c = analyst.connect(db);
            var statement = c.createStatement();
            var rs =
                statement.executeQuery(
                    "SELECT tenant_id, count(*) FROM ledger_entries GROUP BY tenant_id")) {
          assertTrue(rs.next());
          assertEquals("acme", rs.getString(1));
          assertEquals(2, rs.getLong(2));
          assertFalse(rs.next(), "the analyst of acme sees no row of globex");
        }
      } finally {
        node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        node.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void theLocalModeMigratesAsTheSuperuserAndWorksAsAMemberOfBulwarkApp() throws Exception {
    var embedded = EmbeddedDatabase.start(dir.resolve("data"), 0);
    try {
      var settings =
          new Environment(
                  Map.of(
                      "BULWARK_DATA_DIR", dir.resolve("data").toString(),
                      "BULWARK_TELEMETRY", "off",
                      "BULWARK_CLUSTER_PORT", Integer.toString(TestNode.freePort()),
                      "BULWARK_HTTP_PORT", Integer.toString(TestNode.freePort()),
                      "BULWARK_MANAGEMENT_PORT", Integer.toString(TestNode.freePort())))
              .settings(embedded.jdbcUrl());
      settings = settings.withExtraConfig(settings.extraConfig() + "\n" + TestNode.TEST_CONFIG);
      assertEquals(EmbeddedDatabase.APP_USER, settings.dbUser());
      assertEquals(EmbeddedDatabase.SUPERUSER, settings.migrationLogin().user());
      var node = BulwarkNode.start(settings);
      try {
        String platformKey = settings.platformKey();
        var ledger =
            new Ledger(
                new ApiClient("http://127.0.0.1:" + settings.httpPort(), new OpenApiContract()),
                platformKey);
        var funded = ledger.funded("local", 1, 50, "EUR");
        assertEquals(50, ledger.balance("local", funded.admin(), "acc-0"));
        try (var c =
                DriverManager.getConnection(embedded.jdbcUrl(), EmbeddedDatabase.SUPERUSER, "");
            var statement = c.createStatement()) {
          Eventually.await(
              Duration.ofSeconds(30),
              () -> {
                try (var rs =
                    statement.executeQuery(
                        "SELECT count(*) FROM ledger_entries WHERE tenant_id = 'local'")) {
                  rs.next();
                  assertEquals(2, rs.getLong(1));
                }
              });
          try (var rs =
              statement.executeQuery(
                  "SELECT r.rolsuper, pg_has_role(r.oid, 'bulwark_app', 'MEMBER'),"
                      + " (SELECT count(*) FROM pg_stat_activity a WHERE a.usename = r.rolname)"
                      + " FROM pg_roles r WHERE r.rolname = '"
                      + EmbeddedDatabase.APP_USER
                      + "'")) {
            assertTrue(rs.next());
            assertFalse(rs.getBoolean(1), "the node's local login is no superuser");
            assertTrue(rs.getBoolean(2), "and is a member of bulwark_app");
            assertTrue(rs.getLong(3) > 0, "and the node's pool uses it");
          }
        }
      } finally {
        node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        node.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    } finally {
      embedded.close();
    }
  }
}
