package io.bulwark.projections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.bulwark.domain.Refusal;
import io.bulwark.domain.account.Account;
import io.bulwark.domain.transfer.Transfer;
import io.bulwark.testing.Sql;
import io.bulwark.testing.TestDatabase;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The handler against the real schema, fed envelopes directly: one transaction per envelope, or a
 * whole group in one, as the projection does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LedgerProjectionHandlerTest {
  // Just before midnight UTC: the volume must land on the UTC day.
  private static final Instant AT = Instant.parse("2026-03-01T23:59:59.123456Z");
  private static final LocalDate DAY = LocalDate.parse("2026-03-01");

  private TestDatabase db;
  private Sql sql;

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
  void completedTransferPostsTwoEntriesWithChainingBalances() throws Exception {
    var ledger = new Ledger("t-chain").open("cash", null).open("alice", 0L);
    ledger.complete("tr-1", "cash", "alice", 100).complete("tr-2", "cash", "alice", 50);
    apply(ledger.envelopes);

    var entries =
        sql.rows(
            "SELECT account_id, transfer_id, amount, balance_after, counterparty"
                + " FROM ledger_entries WHERE tenant_id = ? ORDER BY account_id, entry_seq",
            "t-chain");
    assertEquals(4, entries.size());
    assertEntry(entries.get(0), "alice", "tr-1", 100, 100, "cash");
    assertEntry(entries.get(1), "alice", "tr-2", 50, 150, "cash");
    assertEntry(entries.get(2), "cash", "tr-1", -100, -100, "alice");
    assertEntry(entries.get(3), "cash", "tr-2", -50, -150, "alice");
    assertEquals(2, sql.count("SELECT count(*) FROM ledger_entries WHERE transfer_id = ?", "tr-1"));
    assertBalance("t-chain", "cash", -150, 0);
    assertBalance("t-chain", "alice", 150, 0);
    assertEquals(
        "completed",
        sql.value(
            "SELECT status FROM transfers WHERE tenant_id = ? AND transfer_id = ?",
            "t-chain",
            "tr-1"));
  }

  @Test
  void redeliveredEnvelopesChangeNothing() throws Exception {
    var ledger = new Ledger("t-again").open("cash", null).open("bob", 0L);
    ledger.complete("tr-1", "cash", "bob", 70).complete("tr-2", "cash", "bob", 30);
    apply(ledger.envelopes);
    apply(ledger.envelopes); // a restart replays from an older offset
    apply(List.of(ledger.envelopes.get(ledger.envelopes.size() - 1))); // the completion alone

    var volume =
        sql.rows(
            "SELECT day, currency, transfer_count, volume FROM tenant_daily_volume"
                + " WHERE tenant_id = ?",
            "t-again");
    assertEquals(1, volume.size());
    assertEquals(java.sql.Date.valueOf(DAY), volume.get(0).get("day"));
    assertEquals(2L, volume.get(0).get("transfer_count"));
    assertEquals(new BigDecimal(100), volume.get(0).get("volume"));
    assertEquals(
        4, sql.count("SELECT count(*) FROM ledger_entries WHERE tenant_id = ?", "t-again"));
    assertBalance("t-again", "cash", -100, 0);
    assertBalance("t-again", "bob", 100, 0);
  }

  @Test
  void oneGroupGivesWhatSingleEnvelopesGiveAndItsRedeliveryChangesNothing() throws Exception {
    var single = new Ledger("t-single").open("cash", null).open("fay", 0L);
    var grouped = new Ledger("t-group").open("cash", null).open("fay", 0L);
    for (var ledger : List.of(single, grouped)) {
      ledger.complete("g-1", "cash", "fay", 10).complete("g-2", "fay", "cash", 4);
      ledger.complete("g-3", "cash", "fay", 25);
    }
    apply(single.envelopes);
    applyGroup(grouped.envelopes);
    applyGroup(grouped.envelopes); // the group redelivered after a crash before its commit

    for (String query :
        List.of(
            "SELECT account_id, entry_seq, transfer_id, amount, balance_after FROM ledger_entries"
                + " WHERE tenant_id = ? ORDER BY account_id, entry_seq",
            "SELECT account_id, balance, reserved, last_seq_nr FROM accounts WHERE tenant_id = ?"
                + " ORDER BY account_id",
            "SELECT transfer_id, status, amount FROM transfers WHERE tenant_id = ?"
                + " ORDER BY transfer_id",
            "SELECT day, transfer_count, volume FROM tenant_daily_volume WHERE tenant_id = ?")) {
      var expected = sql.rows(query, "t-single");
      assertEquals(expected, sql.rows(query, "t-group"), query);
      assertEquals(false, expected.isEmpty(), query);
    }
    assertBalance("t-group", "fay", 31, 0);
    assertEquals(
        3L,
        sql.value("SELECT transfer_count FROM tenant_daily_volume WHERE tenant_id = ?", "t-group"));
  }

  @Test
  void olderAccountEventDoesNotOverwriteNewerState() throws Exception {
    var ledger = new Ledger("t-order").open("cash", null).open("carol", 0L);
    ledger.complete("tr-1", "cash", "carol", 40);
    apply(ledger.envelopes);
    var reserved = ledger.envelopes.get(3); // cash: FundsReserved with reservedAfter = 40
    assertEquals(Account.FundsReserved.class, reserved.event().getClass());

    apply(List.of(reserved));

    assertBalance("t-order", "cash", -40, 0);
  }

  @Test
  void rejectedTransferPostsNoEntries() throws Exception {
    var ledger = new Ledger("t-reject").open("dave", 0L).open("erin", 0L);
    // The credit was refused after the reservation: the saga released it, then rejected.
    ledger.request("tr-no", "dave", "erin", 500);
    ledger.emit(
        Ledger.account("t-reject", "dave"),
        new Account.FundsReserved("t-reject", "dave", "tr-no", 500, 500, AT));
    apply(ledger.envelopes);
    assertBalance("t-reject", "dave", 0, 500);
    ledger.emit(
        Ledger.account("t-reject", "dave"),
        new Account.ReservationReleased("t-reject", "dave", "tr-no", 500, 0, AT));
    ledger.emit(
        Ledger.transfer("t-reject", "tr-no"),
        new Transfer.TransferRejected(
            "t-reject",
            "tr-no",
            Refusal.CURRENCY_MISMATCH,
            AT,
            null,
            null,
            null,
            null,
            null,
            null));
    apply(ledger.envelopes);
    apply(ledger.envelopes);

    var transfer =
        sql.rows(
            "SELECT status, reason, completed_at FROM transfers WHERE transfer_id = ?", "tr-no");
    assertEquals("rejected", transfer.get(0).get("status"));
    assertEquals(Refusal.CURRENCY_MISMATCH, transfer.get(0).get("reason"));
    assertNotNull(transfer.get(0).get("completed_at"));
    assertEquals(
        0, sql.count("SELECT count(*) FROM ledger_entries WHERE tenant_id = ?", "t-reject"));
    assertEquals(
        0, sql.count("SELECT count(*) FROM tenant_daily_volume WHERE tenant_id = ?", "t-reject"));
    assertBalance("t-reject", "dave", 0, 0);
  }

  @Test
  void completionWithoutProjectedRequestStillRecordsTheTransferOnce() throws Exception {
    var completion =
        List.of(
            envelope(
                Ledger.transfer("t-late", "tr-late"),
                3,
                1,
                new Transfer.TransferCompleted(
                    "t-late", "tr-late", "a", "b", 25, "EUR", AT, null, null)));
    apply(completion);
    apply(completion);

    var transfer =
        sql.rows("SELECT status, reference FROM transfers WHERE tenant_id = ?", "t-late");
    assertEquals("completed", transfer.get(0).get("status"));
    assertNull(transfer.get(0).get("reference"));
    assertEquals(
        1L,
        sql.value("SELECT transfer_count FROM tenant_daily_volume WHERE tenant_id = ?", "t-late"));
  }

  // ---- fixtures ----

  /** The events the entities of one tenant would emit, with their sequence numbers. */
  private static final class Ledger {
    final String tenant;
    final List<EventEnvelope<Object>> envelopes = new ArrayList<>();
    private final Map<String, Long> seqNrs = new HashMap<>();
    private final Map<String, Long> balances = new HashMap<>();

    Ledger(String tenant) {
      this.tenant = tenant;
    }

    static String account(String tenant, String account) {
      return Account.ENTITY_KEY.name() + "|" + Account.entityId(tenant, account);
    }

    static String transfer(String tenant, String transfer) {
      return Transfer.ENTITY_KEY.name() + "|" + Transfer.entityId(tenant, transfer);
    }

    Ledger open(String account, Long overdraftLimit) {
      balances.put(account, 0L);
      return emit(
          account(tenant, account),
          new Account.AccountOpened(tenant, account, "EUR", overdraftLimit, AT, null, null));
    }

    Ledger request(String id, String from, String to, long amount) {
      return emit(
          transfer(tenant, id),
          new Transfer.TransferRequested(
              tenant, id, from, to, amount, "EUR", "ref " + id, "fp", AT, null, null));
    }

    /**
     * The saga's happy path: reserve, credit, (untagged) destination credited, settle, complete.
     */
    Ledger complete(String id, String from, String to, long amount) {
      long fromAfter = balances.merge(from, -amount, Long::sum);
      long toAfter = balances.merge(to, amount, Long::sum);
      String ref = "ref " + id;
      request(id, from, to, amount);
      emit(account(tenant, from), new Account.FundsReserved(tenant, from, id, amount, amount, AT));
      emit(
          account(tenant, to),
          new Account.FundsCredited(tenant, to, id, amount, toAfter, "EUR", from, ref, AT));
      seqNrs.merge(transfer(tenant, id), 1L, Long::sum);
      emit(
          account(tenant, from),
          new Account.FundsDebited(tenant, from, id, amount, fromAfter, 0, "EUR", to, ref, AT));
      return emit(
          transfer(tenant, id),
          new Transfer.TransferCompleted(tenant, id, from, to, amount, "EUR", AT, null, null));
    }

    Ledger emit(String persistenceId, Object event) {
      long seqNr = seqNrs.merge(persistenceId, 1L, Long::sum);
      envelopes.add(envelope(persistenceId, seqNr, envelopes.size() + 1, event));
      return this;
    }
  }

  private static EventEnvelope<Object> envelope(
      String persistenceId, long seqNr, long offset, Object event) {
    return EventEnvelope.create(
        Offset.sequence(offset), persistenceId, seqNr, event, AT.toEpochMilli());
  }

  private void apply(List<EventEnvelope<Object>> envelopes) throws Exception {
    for (var envelope : envelopes) {
      applyGroup(List.of(envelope));
    }
  }

  private void applyGroup(List<EventEnvelope<Object>> group) throws Exception {
    try (var session = new DataSourceJdbcSession(db.dataSource())) {
      new LedgerProjectionHandler("test").process(session, group);
      session.commit();
    }
  }

  private void assertBalance(String tenant, String account, long balance, long reserved)
      throws Exception {
    var row =
        sql.rows(
            "SELECT balance, reserved FROM accounts WHERE tenant_id = ? AND account_id = ?",
            tenant,
            account);
    assertEquals(balance, row.get(0).get("balance"), "balance of " + account);
    assertEquals(reserved, row.get(0).get("reserved"), "reserved of " + account);
  }

  private static void assertEntry(
      Map<String, Object> row,
      String account,
      String transfer,
      long amount,
      long balanceAfter,
      String counterparty) {
    assertEquals(account, row.get("account_id"));
    assertEquals(transfer, row.get("transfer_id"));
    assertEquals(amount, row.get("amount"));
    assertEquals(balanceAfter, row.get("balance_after"));
    assertEquals(counterparty, row.get("counterparty"));
  }
}
