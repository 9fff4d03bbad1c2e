package io.bulwark.projections;

import static io.bulwark.projections.SampleLedger.envelope;
import static io.bulwark.projections.SampleLedger.ledgerOf;
import static io.bulwark.projections.SampleLedger.project;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.domain.account.Account;
import io.bulwark.domain.transfer.Transfer;
import io.bulwark.readmodel.ReadModelQueries;
import io.bulwark.testing.DatabaseLogin;
import io.bulwark.testing.Sql;
import io.bulwark.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Schema-per-tenant read models (V6, ADR 0022) on a real PostgreSQL: the projection handler writes
 * as the node's role, the migration login moves tenants, analysts read through their own logins.
 * Each test uses tenants of its own, so they share one database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantSchemaTest {
  private static final List<String> READ_MODELS =
      List.of("accounts", "transfers", "ledger_entries", "tenant_daily_volume");

  /** Every column of each read model, in a stable order: rows compared whole. */
  private static final Map<String, String> ORDER =
      Map.of(
          "accounts", "account_id",
          "transfers", "transfer_id",
          "ledger_entries", "account_id, entry_seq",
          "tenant_daily_volume", "day, currency");

  private static final String DENIED = "42501"; // insufficient_privilege
  private static final String INVALID = "22023"; // invalid_parameter_value
  private static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");

  private TestDatabase db;
  private Sql owner;
  private DatabaseLogin app;
  private com.zaxxer.hikari.HikariDataSource appPool;
  private ExecutorService blocking;
  private ReadModelQueries queries;

  @BeforeAll
  void setUp() {
    db = TestDatabase.create();
    owner = new Sql(db.dataSource());
    app = DatabaseLogin.create(db, "node", "bulwark_app");
    appPool = app.pool(db);
    blocking = Executors.newFixedThreadPool(2);
    queries = new ReadModelQueries(appPool, blocking);
  }

  @AfterAll
  void tearDown() {
    blocking.shutdownNow();
    if (appPool != null) {
      appPool.close();
    }
    db.close();
  }

  // ---- where rows land ----

  @Test
  void aSchemaTenantsRowsLandOnlyInItsSchemaAndASharedTenantsOnlyInTheSharedTables()
      throws Exception {
    var outcome = TenantSchemas.apply(db.url(), db.user(), db.password(), Set.of("land-s"));
    assertEquals(Map.of("land-s", 0L), outcome.moved());
    String schema = schemaOf("land-s");
    project(appPool, ledgerOf("land-s"));
    project(appPool, ledgerOf("land-h"));
    for (String table : READ_MODELS) {
      long ofSchemaTenant = countOf(table, "land-s");
      assertTrue(ofSchemaTenant > 0, table);
      assertEquals(ofSchemaTenant, owner.count("SELECT count(*) FROM " + schema + "." + table));
      assertEquals(0, sharedCount(table, "land-s"), table);
      assertEquals(countOf(table, "land-h"), sharedCount(table, "land-h"), table);
      assertTrue(countOf(table, "land-h") > 0, table);
      assertEquals(
          0,
          owner.count(
              "SELECT count(*) FROM " + schema + "." + table + " WHERE tenant_id <> ?", "land-s"));
    }
    // Applying the same setting again changes nothing.
    var again = TenantSchemas.apply(db.url(), db.user(), db.password(), Set.of("land-s"));
    assertEquals(Map.of(), again.moved());
    assertEquals(Set.of("land-s"), again.alreadyInSchema());
  }

  @Test
  void listQueriesAnswerTheSameForASchemaTenantAndASharedOne() throws Exception {
    TenantSchemas.apply(db.url(), db.user(), db.password(), Set.of("same-s"));
    project(appPool, ledgerOf("same-s"));
    project(appPool, ledgerOf("same-h"));
    assertEquals(answers("same-h"), answers("same-s"));
    // And one tenant's answers do not change when it moves, either way.
    var before = answers("same-h");
    try (var c = migrationLogin()) {
      assertTrue(TenantSchemas.moveToSchema(c, "same-h") > 0);
      assertEquals(before, answers("same-h"));
      TenantSchemas.moveToShared(c, "same-h");
      assertEquals(before, answers("same-h"));
    }
    // The sweeper and the reconciliation read across all partitions.
    var pending =
        PendingTransfers.find(appPool, AT.plusSeconds(60), null, 1000).stream()
            .map(PendingTransfers.Pending::tenantId)
            .toList();
    assertTrue(pending.containsAll(List.of("same-s", "same-h")), pending.toString());
  }

  // ---- analysts ----

  @Test
  void theTenantsAnalystSeesItsSchemaAndAnotherTenantsAnalystNothingOfIt() throws Exception {
    var mine = DatabaseLogin.create(db, "analyst", "bulwark_analyst").seesTenant(db, "an-s");
    var theirs = DatabaseLogin.create(db, "analyst", "bulwark_analyst").seesTenant(db, "an-h");
    var unmapped = DatabaseLogin.create(db, "analyst", "bulwark_analyst");
    project(appPool, ledgerOf("an-s"));
    project(appPool, ledgerOf("an-h"));
    try (var c = migrationLogin()) {
      TenantSchemas.moveToSchema(c, "an-s");
    }
    String schema = schemaOf("an-s");
    try (var c = mine.connect(db)) {
      for (String table : READ_MODELS) {
        long all = countOf(table, "an-s");
        assertEquals(all, count(c, "SELECT count(*) FROM " + schema + "." + table), table);
        // The shared name still works: row-level security picks the tenant's rows.
        assertEquals(all, count(c, "SELECT count(*) FROM " + table), table);
      }
      assertEquals(schema, single(c, "SELECT bulwark_tenant_schema_name(analyst_tenant())"));
      assertDenied(c, "INSERT INTO " + schema + ".accounts DEFAULT VALUES");
      assertDenied(c, "CREATE TABLE " + schema + ".mine (a int)");
      assertDenied(c, "SELECT count(*) FROM tenant_schemas");
    }
    for (var stranger : List.of(theirs, unmapped)) {
      try (var c = stranger.connect(db)) {
        for (String table : READ_MODELS) {
          assertDenied(c, "SELECT count(*) FROM " + schema + "." + table);
          assertEquals(
              0, count(c, "SELECT count(*) FROM " + table + " WHERE tenant_id = 'an-s'"), table);
        }
      }
    }
    // The mapping decides, after the move too: a new analyst of the tenant gets in, one moved
    // away loses it, and dropping a login still only needs docs/analysts.md's DELETE first.
    var later = DatabaseLogin.create(db, "analyst", "bulwark_analyst").seesTenant(db, "an-s");
    try (var c = later.connect(db)) {
      assertTrue(count(c, "SELECT count(*) FROM " + schema + ".accounts") > 0);
    }
    owner.update(
        "UPDATE analyst_tenants SET tenant_id = 'an-h' WHERE analyst = ?::regrole", later.user());
    try (var c = later.connect(db)) {
      assertDenied(c, "SELECT count(*) FROM " + schema + ".accounts");
    }
    owner.update("DELETE FROM analyst_tenants WHERE analyst = ?::regrole", mine.user());
    try (var c = mine.connect(db)) {
      assertDenied(c, "SELECT count(*) FROM " + schema + ".accounts");
    }
    owner.update("DROP ROLE " + mine.user());
  }

  @Test
  void theNodesRoleNeitherMovesTenantsNorSeesTheLayout() throws Exception {
    try (var c = app.connect(db)) {
      assertDenied(c, "SELECT bulwark_move_tenant_to_schema('acme')");
      assertDenied(c, "SELECT bulwark_move_tenant_to_shared('acme')");
      assertDenied(c, "SELECT count(*) FROM tenant_schemas");
      assertDenied(c, "CREATE SCHEMA tenant_mine");
    }
  }

  // ---- names and ids ----

  @Test
  void idsWithDotsAndDashesGetSafeDistinctNamesWithinTheIdentifierLimit() throws Exception {
    String longest = "x".repeat(64);
    var names = new TreeSet<String>();
    try (var c = migrationLogin()) {
      for (String id : List.of("a-b", "a.b", "a_b", "select", "0", "acme.eu-1", longest)) {
        String name = TenantSchemas.schemaName(c, id);
        assertTrue(name.matches("^tenant_[a-z0-9_]+$"), name);
        assertTrue(name.getBytes(StandardCharsets.UTF_8).length <= 63, name);
        names.add(name);
      }
      assertEquals(7, names.size(), "distinct: " + names);
      assertEquals("tenant_a_b", TenantSchemas.schemaName(c, "a_b"));
      // A long id with '.' and '-' works end to end.
      String dotted = "acme.eu-1";
      TenantSchemas.moveToSchema(c, dotted);
      project(appPool, ledgerOf(dotted));
      assertEquals(
          2,
          owner.count("SELECT count(*) FROM " + TenantSchemas.schemaName(c, dotted) + ".accounts"));
      assertEquals(
          2, queries.listAccounts(dotted, 10, null).toCompletableFuture().join().items().size());
      TenantSchemas.moveToSchema(c, longest);
      project(appPool, ledgerOf(longest));
      assertEquals(0, sharedCount("accounts", longest));
      assertEquals(2, countOf("accounts", longest));
    }
  }

  @Test
  void aHostileTenantIdIsRefusedAndChangesNothing() throws Exception {
    long schemasBefore = owner.count("SELECT count(*) FROM pg_namespace");
    var hostile =
        List.of(
            "x'; DROP TABLE accounts; --",
            "x\"; DROP TABLE accounts; --",
            "acme); DROP TABLE accounts; --",
            "Acme",
            "",
            "a b",
            "-a",
            "a".repeat(65),
            "tenant_acme.accounts; DROP SCHEMA public CASCADE");
    try (var c = migrationLogin()) {
      for (String id : hostile) {
        // Refused in Java before any SQL...
        assertThrows(IllegalArgumentException.class, () -> TenantSchemas.moveToSchema(c, id), id);
        // ...and by the database functions themselves, for callers that bypass it.
        for (String function :
            List.of(
                "bulwark_move_tenant_to_schema",
                "bulwark_move_tenant_to_shared",
                "bulwark_tenant_schema_name")) {
          var error =
              assertThrows(
                  SQLException.class,
                  () -> {
                    try (var statement = c.prepareStatement("SELECT " + function + "(?)")) {
                      statement.setString(1, id);
                      statement.executeQuery().close();
                    }
                  },
                  function + "(" + id + ")");
          assertEquals(INVALID, error.getSQLState(), error.getMessage());
        }
      }
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> TenantSchemas.apply(db.url(), db.user(), db.password(), Set.of("x'; --")));
    assertEquals(schemasBefore, owner.count("SELECT count(*) FROM pg_namespace"));
    for (String table : READ_MODELS) {
      assertEquals(
          "p", owner.value("SELECT relkind::text FROM pg_class WHERE oid = ?::regclass", table));
    }
  }

  @Test
  void aSchemaThatExistsAlreadyIsNeverAdopted() throws Exception {
    owner.update("CREATE SCHEMA tenant_squatter");
    try (var c = migrationLogin()) {
      var error = assertThrows(SQLException.class, () -> TenantSchemas.moveToSchema(c, "squatter"));
      assertEquals("42P06", error.getSQLState(), error.getMessage()); // duplicate_schema
      assertEquals(Map.of(), filter(TenantSchemas.inSchemas(c), "squatter"));
    }
    project(appPool, ledgerOf("squatter"));
    assertEquals(2, sharedCount("accounts", "squatter"));
  }

  // ---- moving ----

  @Test
  void movingATenantToItsSchemaAndBackMovesEveryRowUnchanged() throws Exception {
    project(appPool, ledgerOf("mv"));
    project(appPool, moreOf("mv", 40));
    project(appPool, ledgerOf("mv-stay"));
    var rows = snapshot("mv");
    var others = snapshot("mv-stay");
    long total = rows.values().stream().mapToLong(List::size).sum();
    try (var c = migrationLogin()) {
      assertEquals(total, TenantSchemas.moveToSchema(c, "mv"));
      assertEquals(0, TenantSchemas.moveToSchema(c, "mv"), "idempotent");
      String schema = schemaOf("mv");
      assertEquals(rows, snapshot("mv"));
      assertEquals(others, snapshot("mv-stay"));
      for (String table : READ_MODELS) {
        assertEquals(0, sharedCount(table, "mv"), table);
        assertEquals(
            rows.get(table).size(),
            owner.count("SELECT count(*) FROM " + schema + "." + table),
            table);
      }
      assertEquals(total, TenantSchemas.moveToShared(c, "mv"));
      assertEquals(0, TenantSchemas.moveToShared(c, "mv"), "idempotent");
      assertEquals(rows, snapshot("mv"));
      assertEquals(others, snapshot("mv-stay"));
      for (String table : READ_MODELS) {
        assertEquals(rows.get(table).size(), sharedCount(table, "mv"), table);
      }
      assertEquals(0, owner.count("SELECT count(*) FROM pg_namespace WHERE nspname = ?", schema));
      assertEquals(Map.of(), filter(TenantSchemas.inSchemas(c), "mv"));
    }
  }

  @Test
  void rowsProjectedWhileATenantMovesLandInItsNewPlace() throws Exception {
    var stop = new AtomicBoolean();
    var written = new java.util.concurrent.atomic.AtomicInteger();
    var writer = Executors.newSingleThreadExecutor();
    try {
      // Groups of ten new accounts, written until the moves below are done.
      Future<?> writing =
          writer.submit(
              () -> {
                for (int g = 0; !stop.get(); g++) {
                  var group = new ArrayList<EventEnvelope<Object>>();
                  for (int i = 0; i < 10; i++) {
                    String id = "acc-" + g + "-" + i;
                    group.add(
                        envelope(
                            "Account|race/" + id,
                            1,
                            new Account.AccountOpened("race", id, "EUR", null, AT, null, null)));
                  }
                  // As the projection does: a group that fails (say, a deadlock with the move)
                  // is rolled back and applied again.
                  while (true) {
                    try {
                      project(appPool, group);
                      break;
                    } catch (Exception e) {
                      Thread.sleep(10);
                    }
                  }
                  written.addAndGet(10);
                  Thread.sleep(2);
                }
                return null;
              });
      try (var c = migrationLogin()) {
        for (int round = 0; round < 3; round++) {
          Thread.sleep(50);
          TenantSchemas.moveToSchema(c, "race");
          Thread.sleep(50);
          TenantSchemas.moveToShared(c, "race");
        }
        Thread.sleep(50);
        TenantSchemas.moveToSchema(c, "race");
        Thread.sleep(50);
      }
      assertFalse(writing.isDone(), "the writer ran throughout the moves");
      stop.set(true);
      writing.get();
    } finally {
      stop.set(true);
      writer.shutdownNow();
    }
    String schema = schemaOf("race");
    assertTrue(written.get() >= 10, "groups written: " + written.get() / 10);
    assertEquals(written.get(), owner.count("SELECT count(*) FROM " + schema + ".accounts"));
    assertEquals(
        written.get(),
        owner.count("SELECT count(DISTINCT account_id) FROM accounts WHERE tenant_id = 'race'"));
    assertEquals(0, sharedCount("accounts", "race"));
  }

  @Test
  void aMigrationLoginThatOwnsTheDatabaseButIsNoSuperuserMovesTenants() throws Exception {
    var migrator = DatabaseLogin.create(db, "migrator");
    try (var fresh = TestDatabase.createEmpty()) {
      new Sql(fresh.dataSource())
          .update("ALTER DATABASE " + fresh.name() + " OWNER TO " + migrator.user());
      Migrations.migrate(fresh.url(), migrator.user(), migrator.password());
      var node = DatabaseLogin.create(fresh, "node", "bulwark_app");
      try (var pool = node.pool(fresh)) {
        project(pool, ledgerOf("own"));
        var outcome =
            TenantSchemas.apply(fresh.url(), migrator.user(), migrator.password(), Set.of("own"));
        assertTrue(outcome.moved().get("own") > 0);
        project(pool, moreOf("own", 3));
        var sql = new Sql(fresh.dataSource());
        assertEquals(
            migrator.user(),
            sql.value(
                "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'tenant_own'"));
        assertEquals(5, sql.count("SELECT count(*) FROM tenant_own.accounts"));
        assertEquals(0, sql.count("SELECT count(*) FROM accounts_shared"));
      }
    }
  }

  // ---- the schema guards of RowLevelSecurityTest, for every tenant schema ----

  @Test
  void everyTenantSchemaTableIsSecuredIndexedAndDocumentedLikeTheSharedOne() throws Exception {
    try (var c = migrationLogin()) {
      TenantSchemas.moveToSchema(c, "guard");
      var layout = TenantSchemas.inSchemas(c);
      assertFalse(layout.isEmpty());
      for (var entry : layout.entrySet()) {
        String schema = entry.getValue();
        assertEquals(
            new TreeSet<>(READ_MODELS),
            new TreeSet<>(strings("SELECT tablename FROM pg_tables WHERE schemaname = ?", schema)),
            "tables of " + schema);
        for (String table : READ_MODELS) {
          String qualified = schema + "." + table;
          assertTrue(
              (Boolean)
                  owner.value(
                      "SELECT relrowsecurity FROM pg_class WHERE oid = ?::regclass", qualified),
              qualified);
          assertEquals(
              List.of("analyst_own_tenant", "application_all_tenants"),
              strings(
                  "SELECT polname FROM pg_policy WHERE polrelid = ?::regclass ORDER BY 1",
                  qualified),
              qualified);
          for (String privilege : List.of("SELECT", "INSERT", "UPDATE", "DELETE")) {
            assertTrue(
                (Boolean)
                    owner.value(
                        "SELECT has_table_privilege('bulwark_app', ?, ?)", qualified, privilege),
                qualified + " " + privilege);
          }
          assertTrue(
              (Boolean)
                  owner.value(
                      "SELECT has_table_privilege('bulwark_analyst', ?, 'SELECT')", qualified));
          assertFalse(
              (Boolean)
                  owner.value(
                      "SELECT has_table_privilege('bulwark_analyst', ?, 'INSERT')", qualified));
          assertEquals(
              "FOR VALUES IN ('" + entry.getKey() + "')",
              owner.value(
                  "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = ?::regclass",
                  qualified));
          assertEquals(indexes("public", table), indexes(schema, table), "indexes of " + qualified);
          assertEquals(
              owner.value("SELECT obj_description(?::regclass, 'pg_class')", table),
              owner.value("SELECT obj_description(?::regclass, 'pg_class')", qualified));
          assertEquals(
              List.of(),
              strings(
                  "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = ?::regclass AND a.attnum > 0"
                      + " AND NOT a.attisdropped AND col_description(a.attrelid, a.attnum) IS NULL",
                  qualified),
              "undocumented columns of " + qualified);
        }
        assertFalse(
            (Boolean)
                owner.value("SELECT has_schema_privilege('bulwark_analyst', ?, 'USAGE')", schema));
        assertTrue(
            (Boolean)
                owner.value("SELECT has_schema_privilege('bulwark_app', ?, 'USAGE')", schema));
        assertFalse(
            (Boolean)
                owner.value("SELECT has_schema_privilege('bulwark_app', ?, 'CREATE')", schema));
      }
    }
  }

  // ---- helpers ----

  private Connection migrationLogin() throws SQLException {
    return java.sql.DriverManager.getConnection(db.url(), db.user(), db.password());
  }

  private String schemaOf(String tenant) throws SQLException {
    return (String)
        owner.value("SELECT schema_name::text FROM tenant_schemas WHERE tenant_id = ?", tenant);
  }

  private long countOf(String table, String tenant) throws SQLException {
    return owner.count("SELECT count(*) FROM " + table + " WHERE tenant_id = ?", tenant);
  }

  private long sharedCount(String table, String tenant) throws SQLException {
    return owner.count("SELECT count(*) FROM " + table + "_shared WHERE tenant_id = ?", tenant);
  }

  /** Every row of the tenant in each read model, whole, in key order. */
  private Map<String, List<Map<String, Object>>> snapshot(String tenant) throws SQLException {
    var result = new java.util.HashMap<String, List<Map<String, Object>>>();
    for (String table : READ_MODELS) {
      result.put(
          table,
          owner.rows(
              "SELECT * FROM " + table + " WHERE tenant_id = ? ORDER BY " + ORDER.get(table),
              tenant));
    }
    return result;
  }

  private List<String> indexes(String schema, String table) throws SQLException {
    return strings(
        "SELECT indexname || ': ' || regexp_replace(indexdef, ' ON (ONLY )?[^ ]+ ', ' ON t ')"
            + " FROM pg_indexes WHERE schemaname = ? AND tablename = ? ORDER BY indexname",
        schema,
        table);
  }

  /** What the list endpoints would answer for the tenant, walked in pages of one. */
  private List<Object> answers(String tenant) {
    var all = new ArrayList<Object>();
    String cursor = null;
    do {
      var page = queries.listAccounts(tenant, 1, cursor).toCompletableFuture().join();
      all.addAll(page.items());
      cursor = page.nextCursor();
    } while (cursor != null);
    for (String status : new String[] {null, "pending", "completed"}) {
      cursor = null;
      do {
        var page = queries.listTransfers(tenant, status, 1, cursor).toCompletableFuture().join();
        all.addAll(page.items());
        cursor = page.nextCursor();
      } while (cursor != null);
    }
    for (String account : List.of("cash", "alice")) {
      all.addAll(
          queries.listEntries(tenant, account, 10, null).toCompletableFuture().join().items());
    }
    assertFalse(all.isEmpty());
    return all;
  }

  private static Map<String, String> filter(Map<String, String> layout, String tenant) {
    var result = new java.util.TreeMap<>(layout);
    result.keySet().retainAll(Set.of(tenant));
    return result;
  }

  private List<String> strings(String sql, Object... params) throws SQLException {
    return owner.rows(sql, params).stream()
        .map(r -> String.valueOf(r.values().iterator().next()))
        .toList();
  }

  private static void assertDenied(Connection c, String sql) {
    var error =
        assertThrows(
            SQLException.class,
            () -> {
              try (var statement = c.createStatement()) {
                statement.execute(sql);
              }
            },
            sql);
    assertEquals(DENIED, error.getSQLState(), sql + ": " + error.getMessage());
  }

  private static long count(Connection c, String sql) throws SQLException {
    return ((Number) single(c, sql)).longValue();
  }

  private static Object single(Connection c, String sql) throws SQLException {
    try (var statement = c.createStatement();
        var rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getObject(1);
    }
  }

  /** {@code n} more accounts, each with one completed deposit from cash (on later days). */
  private static List<EventEnvelope<Object>> moreOf(String tenant, int n) {
    var events = new ArrayList<EventEnvelope<Object>>();
    String cash = Account.ENTITY_KEY.name() + "|" + Account.entityId(tenant, "cash");
    for (int i = 0; i < n; i++) {
      String id = "more-" + i;
      String tr = "dep-" + i;
      Instant at = AT.plusSeconds(3_600L * i);
      String pid = Account.ENTITY_KEY.name() + "|" + Account.entityId(tenant, id);
      String tid = Transfer.ENTITY_KEY.name() + "|" + Transfer.entityId(tenant, tr);
      long cashSeq = 4 + 2L * i;
      events.add(
          envelope(pid, 1, new Account.AccountOpened(tenant, id, "EUR", 0L, at, null, null)));
      events.add(
          envelope(
              tid,
              1,
              new Transfer.TransferRequested(
                  tenant, tr, "cash", id, 10 + i, "EUR", "d" + i, "f", at, null, null)));
      events.add(
          envelope(
              cash, cashSeq, new Account.FundsReserved(tenant, "cash", tr, 10 + i, 10 + i, at)));
      events.add(
          envelope(
              pid,
              2,
              new Account.FundsCredited(
                  tenant, id, tr, 10 + i, 10 + i, "EUR", "cash", "d" + i, at)));
      events.add(
          envelope(
              cash,
              cashSeq + 1,
              new Account.FundsDebited(
                  tenant, "cash", tr, 10 + i, -100 - (10L + i), 0, "EUR", id, "d" + i, at)));
      events.add(
          envelope(
              tid,
              2,
              new Transfer.TransferCompleted(
                  tenant, tr, "cash", id, 10 + i, "EUR", at, null, null)));
    }
    return events;
  }
}
