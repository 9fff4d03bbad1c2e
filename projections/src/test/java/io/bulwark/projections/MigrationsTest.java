package io.bulwark.projections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.testing.TestDatabase;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MigrationsTest {
  private static final List<String> READ_MODELS =
      List.of("accounts", "transfers", "ledger_entries", "tenant_daily_volume");

  private TestDatabase db;

  @BeforeAll
  void migrateOnce() {
    db = TestDatabase.createEmpty();
    var first = Migrations.migrate(db.url(), db.user(), db.password());
    assertTrue(first.success);
    assertEquals(4, first.migrationsExecuted);
  }

  @AfterAll
  void close() {
    db.close();
  }

  @Test
  void migratingAgainChangesNothing() {
    var second = Migrations.migrate(db.dataSource());
    assertTrue(second.success);
    assertEquals(0, second.migrationsExecuted);
  }

  @Test
  void createsTheTablesThePekkoPluginsExpect() throws SQLException {
    for (String table :
        List.of(
            "event_journal",
            "event_tag",
            "snapshot",
            "durable_state",
            "pekko_projection_offset_store",
            "pekko_projection_management")) {
      assertEquals(
          List.of(table), strings("SELECT tablename FROM pg_tables WHERE tablename = ?", table));
    }
  }

  @Test
  void pendingTransfersHaveAPartialIndexForTheSweeper() throws SQLException {
    var definition =
        strings("SELECT indexdef FROM pg_indexes WHERE indexname = ?", "transfers_pending");
    assertEquals(1, definition.size());
    assertTrue(
        definition.get(0).contains("(created_at, tenant_id, transfer_id)")
            && definition.get(0).contains("WHERE ((status)::text = 'pending'::text)"),
        definition.get(0));
  }

  @Test
  void everyReadModelTableAndColumnIsDocumented() throws SQLException {
    for (String table : READ_MODELS) {
      assertEquals(
          List.of(),
          strings(
              "SELECT c.relname FROM pg_class c"
                  + " WHERE c.relname = ? AND obj_description(c.oid, 'pg_class') IS NULL",
              table),
          "table comment of " + table);
      assertEquals(
          List.of(),
          strings(
              "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                  + " LEFT JOIN pg_description d ON d.objoid = c.oid AND d.objsubid = a.attnum"
                  + " WHERE c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped"
                  + " AND (d.description IS NULL OR d.description = '')",
              table),
          "undocumented columns of " + table);
    }
  }

  @Test
  void everyReadModelPrimaryKeyLeadsWithTenantId() throws SQLException {
    for (String table : READ_MODELS) {
      assertEquals(
          List.of("tenant_id"),
          strings(
              "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
                  + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]"
                  + " WHERE c.relname = ? AND i.indisprimary",
              table),
          "first primary key column of " + table);
    }
  }

  @Test
  void readModelsHaveTheColumnsTheApiNames() throws SQLException {
    assertHasColumns(
        "accounts", "tenant_id account_id currency balance overdraft_limit created_at updated_at");
    assertHasColumns(
        "transfers",
        "tenant_id transfer_id from_account to_account amount currency status reason reference"
            + " created_at completed_at");
    assertHasColumns(
        "ledger_entries",
        "tenant_id account_id transfer_id amount balance_after counterparty reference occurred_at");
    assertHasColumns("tenant_daily_volume", "tenant_id day currency transfer_count volume");
  }

  private void assertHasColumns(String table, String names) throws SQLException {
    var columns =
        strings("SELECT column_name FROM information_schema.columns WHERE table_name = ?", table);
    for (String name : names.split(" ")) {
      assertTrue(columns.contains(name), table + " lacks " + name);
    }
  }

  private List<String> strings(String sql, String param) throws SQLException {
    try (var c = db.dataSource().getConnection();
        var statement = c.prepareStatement(sql)) {
      statement.setString(1, param);
      try (var rs = statement.executeQuery()) {
        var result = new ArrayList<String>();
        while (rs.next()) {
          result.add(rs.getString(1));
        }
        return result;
      }
    }
  }
}
