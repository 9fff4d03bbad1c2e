package io.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.audit.AuditEvent.Outcome;
import io.bulwark.testing.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The audit chain against a real PostgreSQL: appends, tampering, and expiry. */
class AuditLogTest {
  private static final AuditKeys KEYS = AuditKeys.of("test-audit-key-" + "x".repeat(40));

  private TestDatabase db;
  private AuditLog log;
  private AuditReader reader;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create();
    log = AuditLog.start(db.dataSource(), KEYS);
    reader = new AuditReader(db.dataSource(), KEYS, Runnable::run);
  }

  @AfterEach
  void tearDown() {
    log.close();
    db.close();
  }

  @Test
  void twoWritersBuildOneUnbrokenChainPerTenant() throws Exception {
    try (var other = AuditLog.start(db.dataSource(), KEYS)) {
      List<CompletableFuture<Void>> writes = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        var writer = i % 2 == 0 ? log : other;
        writes.add(
            writer.record(event(i % 3 == 0 ? "beta" : "acme", "k" + i)).toCompletableFuture());
      }
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }
    var acme = reader.verifyNow("acme");
    var beta = reader.verifyNow("beta");
    assertTrue(acme.valid(), acme.problem());
    assertTrue(beta.valid(), beta.problem());
    assertEquals(200, acme.events());
    assertEquals(100, beta.events());
    assertEquals(200, acme.lastSeq());
  }

  @Test
  void anAlteredEventIsNamed() throws Exception {
    append("acme", 5);
    sql("UPDATE audit_events SET target = 'api-keys/kforged' WHERE tenant_id = 'acme' AND seq = 3");
    var result = reader.verifyNow("acme");
    assertFalse(result.valid());
    assertEquals(3L, result.brokenAtSeq());
    assertTrue(result.problem().contains("event 3 was altered"), result.problem());
  }

  @Test
  void aRelinkedEventIsNamedToo() throws Exception {
    append("acme", 5);
    // Someone without the key recomputes nothing useful: copying a hash from elsewhere fails.
    sql(
        "UPDATE audit_events SET prev_hash = (SELECT hash FROM audit_events WHERE tenant_id = 'acme'"
            + " AND seq = 1) WHERE tenant_id = 'acme' AND seq = 4");
    var result = reader.verifyNow("acme");
    assertFalse(result.valid());
    assertEquals(4L, result.brokenAtSeq());
  }

  @Test
  void aRemovedEventIsNamed() throws Exception {
    append("acme", 5);
    sql("DELETE FROM audit_events WHERE tenant_id = 'acme' AND seq = 2");
    var middle = reader.verifyNow("acme");
    assertFalse(middle.valid());
    assertEquals(2L, middle.brokenAtSeq());
    assertEquals("event 2 is missing", middle.problem());
  }

  @Test
  void aCutEndIsNamed() throws Exception {
    append("acme", 5);
    sql("DELETE FROM audit_events WHERE tenant_id = 'acme' AND seq >= 4");
    var result = reader.verifyNow("acme");
    assertFalse(result.valid());
    assertEquals(4L, result.brokenAtSeq());
    assertTrue(
        result.problem().contains("events 4 to 5 are missing from the end"), result.problem());
  }

  @Test
  void anEventSignedWithAnotherKeyIsRefused() throws Exception {
    append("acme", 2);
    var stranger = AuditKeys.of("another-audit-key-" + "y".repeat(40));
    var otherReader = new AuditReader(db.dataSource(), stranger, Runnable::run);
    var result = otherReader.verifyNow("acme");
    assertFalse(result.valid());
    assertEquals(1L, result.brokenAtSeq());
    assertTrue(result.problem().contains("unknown audit key"), result.problem());
  }

  @Test
  void aRotatedKeyStillVerifiesWhatTheOldKeySigned() throws Exception {
    append("acme", 2);
    var rotated = new AuditKeys("rotated-audit-key-" + "z".repeat(40), List.of(keySecret()));
    try (var next = AuditLog.start(db.dataSource(), rotated)) {
      next.record(event("acme", "k9")).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    var result = new AuditReader(db.dataSource(), rotated, Runnable::run).verifyNow("acme");
    assertTrue(result.valid(), result.problem());
    assertEquals(3, result.events());
  }

  @Test
  void theTableRefusesUpdatesAndDeletes() throws Exception {
    append("acme", 1);
    var update =
        assertThrows(
            SQLException.class,
            () -> plainSql("UPDATE audit_events SET actor = 'x' WHERE tenant_id = 'acme'"));
    assertTrue(update.getMessage().contains("append-only"), update.getMessage());
    var delete =
        assertThrows(
            SQLException.class,
            () -> plainSql("DELETE FROM audit_events WHERE tenant_id = 'acme'"));
    assertTrue(delete.getMessage().contains("append-only"), delete.getMessage());
  }

  @Test
  void expiryRemovesOnlyOldEventsAndTheChainStillVerifies() throws Exception {
    Instant old = Instant.now().minus(Duration.ofDays(400));
    for (int i = 0; i < 3; i++) {
      log.record(eventAt("acme", "old" + i, old)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    append("acme", 2);
    assertThrows(IllegalArgumentException.class, () -> AuditExpiry.expire(db.dataSource(), 30));
    assertEquals(3, AuditExpiry.expire(db.dataSource(), 365));
    var result = reader.verifyNow("acme");
    assertTrue(result.valid(), result.problem());
    assertEquals(4, result.firstSeq());
    assertEquals(2, result.events());
    // A second run finds nothing more to remove, and the chain keeps growing from its head.
    assertEquals(0, AuditExpiry.expire(db.dataSource(), 365));
    append("acme", 1);
    assertTrue(reader.verifyNow("acme").valid());
  }

  @Test
  void pagesAreNewestFirstAndFilterByAction() throws Exception {
    append("acme", 5);
    log.record(
            new AuditEvent(
                "acme",
                Instant.now(),
                null,
                AuditAction.AUTHENTICATION_FAILED,
                null,
                Outcome.FAILURE,
                "r",
                null,
                "127.0.0.1",
                "curl",
                Map.of("reason", "unknown_key")))
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    var first =
        reader.page("acme", 4, Optional.empty(), Optional.empty()).toCompletableFuture().get();
    assertEquals(List.of(6L, 5L, 4L, 3L), seqs(first.items()));
    var second =
        reader
            .page("acme", 4, Optional.of(first.nextCursor()), Optional.empty())
            .toCompletableFuture()
            .get();
    assertEquals(List.of(2L, 1L), seqs(second.items()));
    assertNull(second.nextCursor());
    var failures =
        reader
            .page("acme", 10, Optional.empty(), Optional.of(AuditAction.AUTHENTICATION_FAILED))
            .toCompletableFuture()
            .get();
    assertEquals(1, failures.items().size());
    assertEquals("{\"reason\":\"unknown_key\"}", failures.items().get(0).details());
    assertEquals("failure", failures.items().get(0).outcome());
    assertThrows(
        io.bulwark.readmodel.InvalidCursorException.class,
        () -> reader.page("acme", 4, Optional.of("bm9wZQ"), Optional.empty()));
  }

  private static List<Long> seqs(List<StoredAuditEvent> items) {
    return items.stream().map(StoredAuditEvent::seq).toList();
  }

  private static String keySecret() {
    return "test-audit-key-" + "x".repeat(40);
  }

  private void append(String tenant, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      log.record(event(tenant, "k" + i)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static AuditEvent event(String tenant, String keyId) {
    return eventAt(tenant, keyId, Instant.now());
  }

  private static AuditEvent eventAt(String tenant, String keyId, Instant at) {
    return new AuditEvent(
        tenant,
        at,
        AuditEvent.PLATFORM_ACTOR,
        AuditAction.API_KEY_ISSUED,
        "api-keys/" + keyId,
        Outcome.SUCCESS,
        "req-" + keyId,
        "0af7651916cd43dd8448eb211c80319c",
        "127.0.0.1",
        "test",
        Map.of("roles", List.of("admin")));
  }

  /** SQL as someone with direct database access, bypassing the append-only trigger. */
  private void sql(String statement) throws SQLException {
    try (var c = db.dataSource().getConnection();
        var s = c.createStatement()) {
      s.execute("SET session_replication_role = replica");
      s.execute(statement);
      s.execute("SET session_replication_role = DEFAULT");
    }
  }

  private void plainSql(String statement) throws SQLException {
    try (var c = db.dataSource().getConnection();
        var s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
