package io.bulwark.deadletters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.domain.UnreadableEvent;
import io.bulwark.domain.account.Account;
import io.bulwark.projections.DataSourceJdbcSession;
import io.bulwark.projections.LedgerProjectionHandler;
import io.bulwark.testing.Sql;
import io.bulwark.testing.TestDatabase;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The projection's poison guard against the real schema: an event PostgreSQL refuses is parked with
 * its error, later events of its entity park behind it, and every other entity and tenant of the
 * group is applied; failures another try may cure are thrown, never parked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeadLettersTest {
  private static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");
  private static final String NUL_REFERENCE = "rent\u0000";

  private TestDatabase db;
  private Sql sql;
  private long offset;

  @BeforeAll
  void createDatabase() {
    db = TestDatabase.create();
    sql = new Sql(db.dataSource());
  }

  @AfterAll
  void close() {
    db.close();
  }

  @Test
  void aNulIsParkedWithItsErrorAndTheRestOfTheGroupIsApplied() throws Exception {
    String evil = account("evil", "alice");
    String good = account("good", "bob");
    var group =
        List.of(
            envelope(evil, 1, opened("evil", "alice")),
            envelope(good, 1, opened("good", "bob")),
            envelope(evil, 2, credited("evil", "alice", "tr-1", 100, 100, NUL_REFERENCE)),
            envelope(good, 2, credited("good", "bob", "tr-2", 70, 70, "fine")),
            envelope(evil, 3, credited("evil", "alice", "tr-3", 5, 105, "after")));
    process("slice-1", group);

    assertEquals(70L, balance("good", "bob"));
    assertEquals(1L, sql.count("SELECT count(*) FROM ledger_entries WHERE tenant_id = 'good'"));
    assertEquals(0L, balance("evil", "alice"), "opened, but no entry past the poison");
    assertEquals(0L, sql.count("SELECT count(*) FROM ledger_entries WHERE tenant_id = 'evil'"));

    var parked = parked("evil");
    assertEquals(2, parked.size());
    assertEquals(2L, parked.get(0).get("seq_nr"));
    assertEquals("failed", parked.get(0).get("state"));
    assertEquals("22021", parked.get(0).get("sql_state"), "character not in repertoire");
    assertEquals("FundsCredited", parked.get(0).get("event_type"));
    assertEquals(3, parked.get(0).get("attempts"));
    assertTrue(((String) parked.get(0).get("error")).contains("0x00"));
    assertEquals("slice-1", parked.get(0).get("projection_key"));
    assertEquals(3L, parked.get(1).get("seq_nr"));
    assertEquals("behind", parked.get(1).get("state"));
  }

  @Test
  void aNewHandlerKeepsParkingBehindAnEntityParkedBefore() throws Exception {
    String evil = account("evil2", "alice");
    process("slice-2", List.of(envelope(evil, 1, opened("evil2", "alice"))));
    process("slice-2", List.of(envelope(evil, 2, credited("evil2", "alice", "x", 1, 1, "\u0000"))));

    // A restarted projection: a new handler, which learns what is parked from the table.
    process("slice-2", List.of(envelope(evil, 3, credited("evil2", "alice", "y", 1, 2, "ok"))));
    assertEquals(List.of("failed", "behind"), states("evil2"));
    assertEquals(0L, balance("evil2", "alice"));
  }

  @Test
  void anEntityRunsAgainOnceItsDeadLettersAreGone() throws Exception {
    String evil = account("evil3", "alice");
    var deadLetters = DeadLetters.standard("ledger", "slice-3", LedgerProjectionHandler.WRITER);
    inTransaction(deadLetters, List.of(envelope(evil, 1, opened("evil3", "alice"))));
    inTransaction(
        deadLetters, List.of(envelope(evil, 2, credited("evil3", "alice", "x", 1, 1, "\u0000"))));
    assertEquals(List.of("failed"), states("evil3"));

    // What a replay leaves: nothing parked. The same handler (its cache still names the entity)
    // must see that under the entity's lock and apply the next event.
    sql.update("DELETE FROM projection_dead_letters WHERE tenant_id = 'evil3'");
    inTransaction(
        deadLetters, List.of(envelope(evil, 3, credited("evil3", "alice", "y", 4, 4, "ok"))));
    assertEquals(List.of(), states("evil3"));
    assertEquals(4L, balance("evil3", "alice"));
  }

  @Test
  void aFailureOfTheHandlersOwnCodeIsParked() throws Exception {
    ProjectionWriter npe =
        c ->
            new ProjectionWriter.Batch() {
              @Override
              public void apply(EventEnvelope<Object> envelope) {
                if (envelope.sequenceNr() == 2) {
                  throw new NullPointerException("no account id");
                }
              }

              @Override
              public void finish() {}
            };
    String pid = account("npe", "a");
    var deadLetters = new DeadLetters("ledger", "slice-4", npe, 2, Duration.ZERO);
    inTransaction(
        deadLetters,
        List.of(envelope(pid, 1, "one"), envelope(pid, 2, "two"), envelope(pid, 3, "three")));
    var parked = parked("npe");
    assertEquals(List.of("failed", "behind"), states("npe"));
    assertEquals("NullPointerException: no account id", parked.get(0).get("error"));
    assertEquals(2, parked.get(0).get("attempts"));
    assertEquals("String", parked.get(0).get("event_type"));
  }

  @Test
  void anEventThisVersionCannotReadIsParkedNotSkipped() throws Exception {
    String pid = account("future", "a");
    process(
        "slice-6",
        List.of(
            envelope(pid, 1, opened("future", "a")),
            envelope(
                pid, 2, new UnreadableEvent(7102, "", "InvalidTypeIdException: from-the-future")),
            envelope(pid, 3, credited("future", "a", "t", 1, 1, "ok"))));
    var parked = parked("future");
    assertEquals(List.of("failed", "behind"), states("future"));
    assertEquals("UnreadableEvent", parked.get(0).get("event_type"));
    assertTrue(((String) parked.get(0).get("error")).contains("from-the-future"));
    assertEquals(0L, balance("future", "a"));
  }

  @Test
  void transientFailuresAreThrownAndParkNothing() throws Exception {
    for (SQLException transientFailure :
        List.of(
            new SQLException("deadlock detected", "40P01"),
            new SQLException("terminating connection", "08006"),
            new SQLException("canceling statement due to statement timeout", "57014"),
            new SQLException("permission denied for table accounts", "42501"),
            new SQLTransientConnectionException("pool exhausted"))) {
      ProjectionWriter failing =
          c ->
              new ProjectionWriter.Batch() {
                @Override
                public void apply(EventEnvelope<Object> envelope) throws SQLException {
                  throw transientFailure;
                }

                @Override
                public void finish() {}
              };
      var deadLetters = new DeadLetters("ledger", "slice-5", failing, 3, Duration.ZERO);
      String pid = account("transient", "a");
      var thrown =
          assertThrows(
              SQLException.class,
              () -> inTransaction(deadLetters, List.of(envelope(pid, 1, "event"))));
      assertEquals(transientFailure, thrown);
    }
    assertEquals(List.of(), states("transient"));
  }

  @Test
  void failuresAreToldApartBySqlStateAndType() {
    assertTrue(ProjectionFailures.isDeterministic(new SQLException("bad", "22021")));
    assertTrue(ProjectionFailures.isDeterministic(new SQLException("dup", "23505")));
    assertTrue(ProjectionFailures.isDeterministic(new IllegalArgumentException("x")));
    assertTrue(
        ProjectionFailures.isDeterministic(
            new RuntimeException(new SQLException("range", "22003"))));
    assertFalse(ProjectionFailures.isDeterministic(new SQLException("gone", "08003")));
    assertFalse(ProjectionFailures.isDeterministic(new SQLException("serial", "40001")));
    assertFalse(ProjectionFailures.isDeterministic(new SQLException("no state")));
    assertFalse(
        ProjectionFailures.isDeterministic(new RuntimeException(new java.io.IOException())));
    assertFalse(ProjectionFailures.isDeterministic(new OutOfMemoryError()));
  }

  @Test
  void textRepairReplacesWhatTheReadModelsCannotHold() {
    assertEquals("a\uFFFDb", TextRepair.repair("a\u0000b"));
    assertEquals("\uFFFD\uFFFD", TextRepair.repair("\u0085\u001b"));
    assertEquals("x\uFFFDy\uFFFD", TextRepair.repair("x\ud800y\udc00"));
    String fine = "Zürich 😀 東京";
    assertTrue(fine == TextRepair.repair(fine), "unchanged text is the same instance");
  }

  private void process(String key, List<EventEnvelope<Object>> group) throws Exception {
    try (var session = new DataSourceJdbcSession(db.dataSource())) {
      new LedgerProjectionHandler(key).process(session, group);
      session.commit();
    }
  }

  private void inTransaction(DeadLetters deadLetters, List<EventEnvelope<Object>> group)
      throws Exception {
    try (var session = new DataSourceJdbcSession(db.dataSource())) {
      try {
        session.<Void>withConnection(
            c -> {
              deadLetters.process(c, group);
              return null;
            });
        session.commit();
      } catch (Exception e) {
        session.rollback();
        throw e;
      }
    }
  }

  private List<Map<String, Object>> parked(String tenant) throws SQLException {
    return sql.rows(
        "SELECT * FROM projection_dead_letters WHERE tenant_id = ? ORDER BY seq_nr", tenant);
  }

  private List<Object> states(String tenant) throws SQLException {
    return parked(tenant).stream().map(r -> r.get("state")).toList();
  }

  private long balance(String tenant, String accountId) throws SQLException {
    return ((Number)
            sql.value(
                "SELECT balance FROM accounts WHERE tenant_id = ? AND account_id = ?",
                tenant,
                accountId))
        .longValue();
  }

  private static String account(String tenant, String accountId) {
    return Account.ENTITY_KEY.name() + "|" + Account.entityId(tenant, accountId);
  }

  private static Account.AccountOpened opened(String tenant, String accountId) {
    return new Account.AccountOpened(tenant, accountId, "EUR", null, AT, null, null);
  }

  private static Account.FundsCredited credited(
      String tenant, String accountId, String transferId, long amount, long after, String ref) {
    return new Account.FundsCredited(
        tenant, accountId, transferId, amount, after, "EUR", "cash", ref, AT);
  }

  private EventEnvelope<Object> envelope(String persistenceId, long seqNr, Object event) {
    return EventEnvelope.create(
        Offset.sequence(++offset), persistenceId, seqNr, event, AT.toEpochMilli());
  }
}
