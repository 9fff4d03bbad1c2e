package io.bulwark.projections;

import static io.bulwark.projections.SampleLedger.ledgerOf;
import static io.bulwark.projections.SampleLedger.project;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.testing.DatabaseLogin;
import io.bulwark.testing.Sql;
import io.bulwark.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Database isolation (V5, ADR 0019) through real logins: the read models filled by the projection
 * handler as the node's role, then read, written and probed as analysts of two tenants.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RowLevelSecurityTest {
  /**
   * What analysts read (the read models, and webhook delivery state: ADR 0023); every other table,
   * endpoints with their sealed secrets and messages included, is refused to them.
   */
  private static final List<String> READ_MODELS =
      List.of(
          "accounts", "transfers", "ledger_entries", "tenant_daily_volume", "webhook_deliveries");

  /** Owned by the migration user alone: neither the node nor analysts touch them. */
  private static final Set<String> MIGRATION_ONLY =
      Set.of("flyway_schema_history", "analyst_tenants", "tenant_schemas");

  private static final String A = "acme";
  private static final String B = "globex";
  private static final String DENIED = "42501"; // insufficient_privilege
  private static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");

  private TestDatabase db;
  private Sql owner;
  private DatabaseLogin app;
  private DatabaseLogin analystA;
  private DatabaseLogin analystB;
  private DatabaseLogin unmapped;
  private com.zaxxer.hikari.HikariDataSource appPool;

  @BeforeAll
  void fill() throws Exception {
    db = TestDatabase.create();
    owner = new Sql(db.dataSource());
    app = DatabaseLogin.create(db, "node", "bulwark_app");
    analystA = DatabaseLogin.create(db, "analyst", "bulwark_analyst").seesTenant(db, A);
    analystB = DatabaseLogin.create(db, "analyst", "bulwark_analyst").seesTenant(db, B);
    unmapped = DatabaseLogin.create(db, "analyst", "bulwark_analyst");
    appPool = app.pool(db);
    // As the node writes them: the projection handler on the application role's pool.
    project(appPool, ledgerOf(A));
    project(appPool, ledgerOf(B));
    // And the journal, snapshot and offset tables, as the Pekko plugins write them.
    var node = new Sql(appPool);
    for (String tenant : List.of(A, B)) {
      node.update(
          "INSERT INTO event_journal (persistence_id, sequence_number, writer, event_ser_id,"
              + " event_ser_manifest, event_payload) VALUES (?, 1, 'w', 1, 'm', ?)",
          "Account|" + tenant + "|cash",
          new byte[] {1});
      node.update(
          "INSERT INTO event_tag (event_id, tag) SELECT ordering, 'slice-0' FROM event_journal"
              + " WHERE persistence_id = ?",
          "Account|" + tenant + "|cash");
      node.update(
          "INSERT INTO snapshot (persistence_id, sequence_number, created, snapshot_ser_id,"
              + " snapshot_ser_manifest, snapshot_payload) VALUES (?, 1, 0, 1, 'm', ?)",
          "Account|" + tenant + "|cash",
          new byte[] {1});
    }
    node.update(
        "INSERT INTO pekko_projection_offset_store (projection_name, projection_key,"
            + " current_offset, manifest, mergeable, last_updated) VALUES ('ledger', '0', '2',"
            + " 'SEQ', false, 0)");
    node.update(
        "UPDATE pekko_projection_offset_store SET current_offset = '3' WHERE projection_key = '0'");
    node.update("DELETE FROM snapshot WHERE persistence_id = ?", "Account|" + B + "|cash");
    for (String tenant : List.of(A, B)) {
      node.update(
          "INSERT INTO webhook_deliveries (tenant_id, endpoint_id, seq, message_id, account_id,"
              + " event_type, next_attempt_at) VALUES (?, 'we_1', 1, 'msg_1', 'cash',"
              + " 'transfer.completed', now())",
          tenant);
    }
  }

  @AfterAll
  void close() {
    if (appPool != null) {
      appPool.close();
    }
    db.close();
  }

  // ---- analysts ----

  @Test
  void eachAnalystSeesAllOfTheirTenantAndNothingOfTheOtherInEveryReadModel() throws Exception {
    for (String table : READ_MODELS) {
      long ofA = owner.count("SELECT count(*) FROM " + table + " WHERE tenant_id = ?", A);
      long ofB = owner.count("SELECT count(*) FROM " + table + " WHERE tenant_id = ?", B);
      assertTrue(ofA > 0 && ofB > 0, table + " must hold rows of both tenants for this test");
      for (var analyst : List.of(analystA, analystB)) {
        String mine = analyst == analystA ? A : B;
        String theirs = analyst == analystA ? B : A;
        try (var c = analyst.connect(db)) {
          assertEquals(
              analyst == analystA ? ofA : ofB, count(c, "SELECT count(*) FROM " + table), table);
          assertEquals(
              0, count(c, "SELECT count(*) FROM " + table + " WHERE tenant_id <> '" + mine + "'"));
          assertEquals(
              0,
              count(c, "SELECT count(*) FROM " + table + " WHERE tenant_id = '" + theirs + "'"),
              table + " leaks " + theirs + " to the analyst of " + mine);
        }
      }
    }
  }

  @Test
  void anAnalystWithoutATenantSeesNoRows() throws Exception {
    try (var c = unmapped.connect(db)) {
      for (String table : READ_MODELS) {
        assertEquals(0, count(c, "SELECT count(*) FROM " + table), table);
      }
      assertEquals(null, single(c, "SELECT analyst_tenant()"));
    }
  }

  @Test
  void analystsCannotReadTheJournalOrAnyTableButTheReadModels() throws Exception {
    var others = new ArrayList<>(tables());
    others.removeAll(READ_MODELS);
    assertTrue(
        others.containsAll(
            List.of("event_journal", "snapshot", "analyst_tenants", "webhook_endpoints")));
    try (var c = analystA.connect(db)) {
      for (String table : others) {
        assertDenied(c, "SELECT count(*) FROM " + table);
      }
      assertDenied(c, "SELECT nextval('event_journal_ordering_seq')");
      // Planner statistics would show other tenants' most common values: hidden under RLS.
      assertEquals(
          0,
          count(
              c,
              "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema()"
                  + " AND tablename IN ('accounts', 'transfers', 'ledger_entries',"
                  + " 'tenant_daily_volume', 'event_journal')"));
    }
  }

  @Test
  void analystsCannotWriteAnything() throws Exception {
    try (var c = analystA.connect(db)) {
      for (String table : tables()) {
        String column = firstColumn(table);
        assertDenied(c, "INSERT INTO " + table + " DEFAULT VALUES");
        assertDenied(c, "UPDATE " + table + " SET " + column + " = " + column);
        assertDenied(c, "DELETE FROM " + table);
        assertDenied(c, "TRUNCATE " + table);
      }
      assertDenied(c, "CREATE TABLE mine (a int)");
      assertDenied(c, "CALL bulwark_secure_table('accounts', 'SELECT', true)");
      assertDenied(c, "ALTER TABLE accounts DISABLE ROW LEVEL SECURITY");
    }
    // The analyst's rows are unchanged by all of the above.
    assertTrue(owner.count("SELECT count(*) FROM accounts WHERE tenant_id = ?", A) > 0);
  }

  @Test
  void rolesSettingsAndTemporaryTablesDoNotWidenAnAnalystsView() throws Exception {
    try (var c = analystA.connect(db)) {
      execute(c, "SET bulwark.tenant = '" + B + "'");
      execute(c, "SET app.tenant_id = '" + B + "'");
      assertOnlyTenant(c, A);
      // Their own temporary table cannot stand in for the mapping: analyst_tenant() names its
      // table with the schema and searches pg_temp last.
      execute(c, "CREATE TEMPORARY TABLE analyst_tenants (analyst regrole, tenant_id varchar)");
      execute(c, "INSERT INTO pg_temp.analyst_tenants VALUES (session_user::regrole, '" + B + "')");
      assertOnlyTenant(c, A);
      // The group role: current_user changes, session_user (the login) does not.
      execute(c, "SET ROLE bulwark_analyst");
      assertOnlyTenant(c, A);
      execute(c, "RESET ROLE");
      assertDenied(c, "SET ROLE " + analystB.user());
      assertDenied(c, "SET ROLE bulwark_app");
      assertDenied(c, "SET SESSION AUTHORIZATION " + analystB.user());
      // Switching row security off makes a query that RLS would filter fail, never unfiltered.
      execute(c, "SET row_security = off");
      assertDenied(c, "SELECT count(*) FROM accounts");
      execute(c, "RESET row_security");
      assertOnlyTenant(c, A);
    }
  }

  @Test
  void aLoginOutsideTheAnalystRoleReadsNothing() throws Exception {
    var stranger = DatabaseLogin.create(db, "stranger");
    try (var c = stranger.connect(db)) {
      for (String table : tables()) {
        assertDenied(c, "SELECT count(*) FROM " + table);
      }
    }
  }

  // ---- the node's role ----

  @Test
  void theApplicationRoleServesEveryTenant() throws Exception {
    var pending = PendingTransfers.find(appPool, AT.plusSeconds(60), null, 100);
    assertEquals(
        Set.of(A, B),
        pending.stream()
            .map(PendingTransfers.Pending::tenantId)
            .collect(java.util.stream.Collectors.toSet()));
    var node = new Sql(appPool);
    for (String table : READ_MODELS) {
      assertEquals(
          owner.count("SELECT count(*) FROM " + table),
          node.count("SELECT count(*) FROM " + table),
          table);
    }
    assertEquals(2, node.count("SELECT count(*) FROM event_journal"));
    assertEquals(1, node.count("SELECT count(*) FROM snapshot"));
    assertEquals("3", node.value("SELECT current_offset FROM pekko_projection_offset_store"));
  }

  @Test
  void theApplicationRoleCannotChangeTheSchemaOrTheAnalystMapping() throws Exception {
    try (var c = app.connect(db)) {
      assertDenied(c, "CREATE TABLE mine (a int)");
      assertDenied(c, "DROP TABLE accounts");
      assertDenied(c, "ALTER TABLE accounts ADD COLUMN x int");
      assertDenied(c, "ALTER TABLE accounts DISABLE ROW LEVEL SECURITY");
      assertDenied(c, "CREATE POLICY everything ON accounts TO bulwark_analyst USING (true)");
      assertDenied(c, "CREATE INDEX mine ON accounts (currency)");
      assertDenied(c, "TRUNCATE accounts");
      assertDenied(c, "SELECT count(*) FROM analyst_tenants");
      assertDenied(
          c,
          "INSERT INTO analyst_tenants VALUES ('" + analystA.user() + "'::regrole, '" + B + "')");
      assertDenied(c, "SELECT count(*) FROM flyway_schema_history");
      assertDenied(c, "DELETE FROM flyway_schema_history");
      assertDenied(c, "CALL bulwark_secure_table('accounts', 'SELECT', true)");
      assertDenied(c, "GRANT bulwark_app TO " + analystA.user());
    }
  }

  // ---- the schema: a table added later cannot forget any of this ----

  @Test
  void everyTableWithATenantIdColumnHasRowLevelSecurity() throws Exception {
    var tenantKeyed =
        strings(
            "SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
                + " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')"
                + " AND a.attname = 'tenant_id' AND NOT a.attisdropped");
    assertTrue(tenantKeyed.containsAll(READ_MODELS), tenantKeyed.toString());
    var withoutRls =
        strings(
            "SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
                + " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')"
                + " AND a.attname = 'tenant_id' AND NOT a.attisdropped AND NOT c.relrowsecurity");
    assertEquals(
        List.of(),
        withoutRls,
        "tables keyed by tenant_id without row-level security: add CALL bulwark_secure_table(...)"
            + " to the migration that creates them (ADR 0019)");
    for (String table : tenantKeyed) {
      if (MIGRATION_ONLY.contains(table)) {
        continue;
      }
      assertEquals(
          List.of("application_all_tenants"),
          strings(
              "SELECT polname FROM pg_policy WHERE polrelid = '"
                  + table
                  + "'::regclass"
                  + " AND 'bulwark_app'::regrole = ANY (polroles)"),
          table + " needs the node's policy over all tenants");
    }
  }

  @Test
  void theNodesRoleMayUseEveryTableButTheMigrationBookkeeping() throws Exception {
    var missing = new ArrayList<String>();
    for (String table : tables()) {
      if (MIGRATION_ONLY.contains(table)) {
        continue;
      }
      if (!(Boolean)
          owner.value(
              "SELECT has_table_privilege('bulwark_app', ?, 'SELECT')"
                  + " AND has_table_privilege('bulwark_app', ?, 'INSERT')",
              table,
              table)) {
        missing.add(table);
      }
    }
    assertEquals(
        List.of(),
        missing,
        "tables the node cannot read and write: add CALL bulwark_secure_table(...) to the"
            + " migration that creates them (ADR 0019)");
  }

  @Test
  void analystsMayReadExactlyTheReadModels() throws Exception {
    assertEquals(
        new TreeSet<>(READ_MODELS),
        new TreeSet<>(
            strings(
                "SELECT c.relname FROM pg_class c WHERE c.relkind IN ('r', 'p', 'v', 'm')"
                    + " AND c.relnamespace = current_schema()::regnamespace"
                    + " AND has_table_privilege('bulwark_analyst', c.oid, 'SELECT')")));
    for (String table : READ_MODELS) {
      assertEquals(
          List.of("analyst_own_tenant"),
          strings(
              "SELECT polname FROM pg_policy WHERE polrelid = '"
                  + table
                  + "'::regclass"
                  + " AND 'bulwark_analyst'::regrole = ANY (polroles)"),
          table);
    }
  }

  // ---- migrating ----

  @Test
  void anOwnerWithoutCreateroleMigratesWhenADbaMadeTheRoles() throws Exception {
    // The roles exist on this server (made by the first migration): the DBA path of ADR 0019.
    var migrator = DatabaseLogin.create(db, "migrator");
    try (var fresh = TestDatabase.createEmpty()) {
      new Sql(fresh.dataSource())
          .update("ALTER DATABASE " + fresh.name() + " OWNER TO " + migrator.user());
      var result = Migrations.migrate(fresh.url(), migrator.user(), migrator.password());
      assertTrue(result.success);
      var fresher = new Sql(fresh.dataSource());
      assertEquals(
          List.of(),
          fresher.rows(
              "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                  + " AND tableowner <> ?",
              migrator.user()),
          "the migration user owns every table");
      var node = DatabaseLogin.create(fresh, "node", "bulwark_app");
      try (var pool = node.pool(fresh)) {
        project(pool, ledgerOf(A));
        assertTrue(new Sql(pool).count("SELECT count(*) FROM accounts") > 0);
      }
    }
  }

  @Test
  void twoDatabasesOnOneServerMigrateAtOnce() {
    var first = CompletableFuture.supplyAsync(TestDatabase::create);
    var second = CompletableFuture.supplyAsync(TestDatabase::create);
    first.join().close();
    second.join().close();
  }

  // ---- helpers ----

  private void assertOnlyTenant(Connection c, String tenant) throws SQLException {
    for (String table : READ_MODELS) {
      assertTrue(count(c, "SELECT count(*) FROM " + table) > 0, table);
      assertEquals(
          0, count(c, "SELECT count(*) FROM " + table + " WHERE tenant_id <> '" + tenant + "'"));
    }
  }

  private static void assertDenied(Connection c, String sql) {
    var error = assertThrows(SQLException.class, () -> execute(c, sql), sql);
    assertEquals(DENIED, error.getSQLState(), sql + ": " + error.getMessage());
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (var statement = c.createStatement()) {
      statement.execute(sql);
    }
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

  private List<String> tables() throws SQLException {
    return strings(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename");
  }

  private String firstColumn(String table) throws SQLException {
    return (String)
        owner.value(
            "SELECT attname FROM pg_attribute WHERE attrelid = ?::regclass AND attnum = 1", table);
  }

  private List<String> strings(String sql) throws SQLException {
    return owner.rows(sql).stream().map(r -> (String) r.values().iterator().next()).toList();
  }
}
