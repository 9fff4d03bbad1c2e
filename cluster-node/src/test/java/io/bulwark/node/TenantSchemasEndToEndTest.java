package io.bulwark.node;

import static io.bulwark.node.ApiClient.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.projections.TenantSchemas;
import io.bulwark.testing.Eventually;
import io.bulwark.testing.Sql;
import io.bulwark.testing.TestDatabase;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Schema-per-tenant read models on a real node over HTTP (ADR 0022): one tenant configured into a
 * schema of its own (BULWARK_TENANT_SCHEMAS), one shared; then the shared one is configured in and
 * moved by a restart, and moved back while the node runs. Every list answer and the reconciliation
 * against the entities stay the same throughout.
 */
class TenantSchemasEndToEndTest {
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final List<String> READ_MODELS =
      List.of("accounts", "transfers", "ledger_entries", "tenant_daily_volume");
  private static final String OWN = "acme.eu"; // a '.' in the id: the schema name maps it
  private static final String SHARED = "globex";

  @Test
  void aSchemaTenantAndASharedTenantServeTheSameListsAndMoveWithoutChangingThem() throws Exception {
    try (var db = TestDatabase.create()) {
      var sql = new Sql(db.dataSource());
      String platformKey = TestNode.newPlatformKey();
      var first =
          TestNode.seed(db, platformKey)
              .withTenancy(NodeSettings.Tenancy.NONE.withSchemaTenants(Set.of(OWN)));
      Map<String, String> admins = new java.util.HashMap<>();
      Map<String, List<String>> answers;
      try (var node = first.start()) {
        // Moved at startup, before the tenant has a single row.
        assertEquals(Map.of(OWN, schemaName(db, OWN)), layout(db));
        var ledger = ledger(node, platformKey);
        for (String tenant : List.of(OWN, SHARED)) {
          admins.put(tenant, ledger.funded(tenant, 3, 500, "EUR").admin());
          assertEquals(
              201,
              ledger
                  .transfer(tenant, admins.get(tenant), "t-1", "acc-0", "acc-1", 120, "EUR")
                  .status());
        }
        awaitSettled(node, ledger, admins);
        String schema = schemaName(db, OWN);
        for (String table : READ_MODELS) {
          long own = sql.count("SELECT count(*) FROM " + table + " WHERE tenant_id = ?", OWN);
          assertTrue(own > 0, table);
          assertEquals(own, sql.count("SELECT count(*) FROM \"" + schema + "\"." + table), table);
          assertEquals(0, shared(sql, table, OWN), table);
          assertEquals(
              sql.count("SELECT count(*) FROM " + table + " WHERE tenant_id = ?", SHARED),
              shared(sql, table, SHARED),
              table);
        }
        answers = lists(ledger, admins);
        // The two tenants were given the same ledger: their lists answer alike, bar the id.
        assertEquals(answers.get(OWN), answers.get(SHARED));
        reconciled(ledger);
      }

      // The shared tenant is configured in too: the restarted node moves its rows at startup.
      var second =
          first
              .again()
              .withTenancy(NodeSettings.Tenancy.NONE.withSchemaTenants(Set.of(OWN, SHARED)));
      try (var node = second.start()) {
        assertEquals(Set.of(OWN, SHARED), layout(db).keySet());
        for (String table : READ_MODELS) {
          assertEquals(0, shared(sql, table, SHARED), table);
        }
        var ledger = ledger(node, platformKey);
        assertEquals(answers, lists(ledger, admins));
        reconciled(ledger);

        // And back while the node runs: one transaction, the projection's writes wait for it.
        try (var c = DriverManager.getConnection(db.url(), db.user(), db.password())) {
          assertTrue(TenantSchemas.moveToShared(c, SHARED) > 0);
        }
        assertEquals(Set.of(OWN), layout(db).keySet());
        for (String tenant : List.of(OWN, SHARED)) {
          assertEquals(
              201,
              ledger
                  .transfer(tenant, admins.get(tenant), "t-2", "acc-1", "acc-2", 7, "EUR")
                  .status());
        }
        awaitTransfers(ledger, admins, 5);
        var after = lists(ledger, admins);
        assertEquals(after.get(OWN), after.get(SHARED));
        for (String table : READ_MODELS) {
          assertEquals(0, shared(sql, table, OWN), table);
          assertEquals(
              sql.count("SELECT count(*) FROM " + table + " WHERE tenant_id = ?", SHARED),
              shared(sql, table, SHARED),
              table);
        }
        reconciled(ledger);
      }
    }
  }

  private static Ledger ledger(TestNode node, String platformKey) {
    return new Ledger(new ApiClient(node.baseUrl(), new OpenApiContract()), platformKey);
  }

  private static Map<String, String> layout(TestDatabase db) throws Exception {
    try (var c = DriverManager.getConnection(db.url(), db.user(), db.password())) {
      return TenantSchemas.inSchemas(c);
    }
  }

  private static String schemaName(TestDatabase db, String tenant) throws Exception {
    try (var c = DriverManager.getConnection(db.url(), db.user(), db.password())) {
      return TenantSchemas.schemaName(c, tenant);
    }
  }

  private static long shared(Sql sql, String table, String tenant) throws Exception {
    return sql.count("SELECT count(*) FROM " + table + "_shared WHERE tenant_id = ?", tenant);
  }

  /** Four funding transfers and one more per tenant, all completed in the read model. */
  private static void awaitSettled(TestNode node, Ledger ledger, Map<String, String> admins)
      throws Exception {
    awaitTransfers(ledger, admins, 4);
  }

  private static void awaitTransfers(Ledger ledger, Map<String, String> admins, int expected)
      throws Exception {
    Eventually.await(
        SETTLE,
        () -> {
          for (var admin : admins.entrySet()) {
            var page =
                ledger.api.send(
                    get("/v1/tenants/" + admin.getKey() + "/transfers?status=completed&limit=50")
                        .key(admin.getValue()));
            assertEquals(200, page.status(), page.body());
            assertEquals(expected, page.json().get("items").size(), page.body());
          }
        });
  }

  /** Every list answer of the tenant, as JSON text with the tenant's id blanked out. */
  private static Map<String, List<String>> lists(Ledger ledger, Map<String, String> admins) {
    var result = new java.util.HashMap<String, List<String>>();
    for (var admin : admins.entrySet()) {
      String tenant = admin.getKey();
      var bodies = new ArrayList<String>();
      var paths = new ArrayList<>(List.of("/accounts?limit=2", "/transfers?limit=50"));
      for (String account : List.of("bank", "acc-0", "acc-1", "acc-2")) {
        paths.add("/accounts/" + account + "/entries?limit=50");
      }
      for (String path : paths) {
        String next = "/v1/tenants/" + tenant + path;
        while (next != null) {
          var page = ledger.api.send(get(next).key(admin.getValue()));
          assertEquals(200, page.status(), page.body());
          bodies.add(withoutTimes(page.json().get("items").toString()));
          var cursor = page.json().get("nextCursor");
          next =
              cursor == null || cursor.isNull()
                  ? null
                  : "/v1/tenants/" + tenant + path + "&cursor=" + cursor.asText();
        }
      }
      result.put(tenant, bodies);
    }
    return result;
  }

  /** Times differ between the two tenants' ledgers; ids, amounts, balances and order must not. */
  private static String withoutTimes(String json) {
    return json.replaceAll("\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[^\"]*\"", "\"<time>\"");
  }

  private static void reconciled(Ledger ledger) throws Exception {
    Eventually.await(
        SETTLE,
        () -> {
          for (String tenant : List.of(OWN, SHARED)) {
            var report =
                ledger.api.send(
                    get("/v1/tenants/" + tenant + "/reconciliation").key(ledger.platformKey));
            assertEquals(200, report.status(), report.body());
            assertEquals(4, report.json().get("accounts").get("checked").asLong(), report.body());
            assertTrue(report.json().get("consistent").asBoolean(), report.body());
          }
        });
  }
}
