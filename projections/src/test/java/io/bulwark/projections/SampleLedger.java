package io.bulwark.projections;

import io.bulwark.domain.account.Account;
import io.bulwark.domain.transfer.Transfer;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.eventsourced.EventEnvelope;

/** A small ledger of one tenant, projected for real: what the read-model security tests read. */
final class SampleLedger {
  static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");

  private SampleLedger() {}

  /** Two accounts, one completed transfer and one left pending: rows in every read model. */
  static List<EventEnvelope<Object>> ledgerOf(String tenant) {
    String cash = Account.ENTITY_KEY.name() + "|" + Account.entityId(tenant, "cash");
    String alice = Account.ENTITY_KEY.name() + "|" + Account.entityId(tenant, "alice");
    String done = Transfer.ENTITY_KEY.name() + "|" + Transfer.entityId(tenant, "tr-1");
    String open = Transfer.ENTITY_KEY.name() + "|" + Transfer.entityId(tenant, "tr-2");
    return List.of(
        envelope(cash, 1, new Account.AccountOpened(tenant, "cash", "EUR", null, AT, null, null)),
        envelope(alice, 1, new Account.AccountOpened(tenant, "alice", "EUR", 0L, AT, null, null)),
        envelope(
            done,
            1,
            new Transfer.TransferRequested(
                tenant, "tr-1", "cash", "alice", 100, "EUR", "r", "f", AT, null, null)),
        envelope(cash, 2, new Account.FundsReserved(tenant, "cash", "tr-1", 100, 100, AT)),
        envelope(
            alice,
            2,
            new Account.FundsCredited(tenant, "alice", "tr-1", 100, 100, "EUR", "cash", "r", AT)),
        envelope(
            cash,
            3,
            new Account.FundsDebited(
                tenant, "cash", "tr-1", 100, -100, 0, "EUR", "alice", "r", AT)),
        envelope(
            done,
            2,
            new Transfer.TransferCompleted(
                tenant, "tr-1", "cash", "alice", 100, "EUR", AT, null, null)),
        envelope(
            open,
            1,
            new Transfer.TransferRequested(
                tenant, "tr-2", "alice", "cash", 5, "EUR", null, "f", AT, null, null)));
  }

  static EventEnvelope<Object> envelope(String persistenceId, long seqNr, Object event) {
    return EventEnvelope.create(
        Offset.sequence(seqNr), persistenceId, seqNr, event, AT.toEpochMilli());
  }

  /** Runs the ledger projection's handler over {@code envelopes} in one transaction. */
  static void project(DataSource pool, List<EventEnvelope<Object>> envelopes) throws Exception {
    try (var session = new DataSourceJdbcSession(pool)) {
      try {
        new LedgerProjectionHandler("test").process(session, envelopes);
        session.commit();
      } catch (Exception e) {
        session.rollback();
        throw e;
      }
    }
  }
}
