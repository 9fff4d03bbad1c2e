package io.bulwark.projections;

import io.bulwark.deadletters.DeadLetters;
import io.bulwark.deadletters.ProjectionWriter;
import io.bulwark.domain.account.Account;
import io.bulwark.domain.transfer.Transfer;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;

/**
 * Applies account and transfer events to the read-model tables (V2__read_models.sql), inside the
 * projection's transaction. Idempotent, because delivery is at least once after a restart: inserts
 * ignore rows that exist, an account row only moves forward in its entity's sequence numbers, and a
 * transfer counts towards the daily volume only if its statement moved it to completed. A group of
 * envelopes is applied in order, in one transaction with its offset (ADR 0012); an event that
 * cannot be applied is parked rather than stopping the slice ({@link DeadLetters}).
 */
public final class LedgerProjectionHandler
    extends JdbcHandler<List<EventEnvelope<Object>>, DataSourceJdbcSession> {

  private static final String INSERT_ACCOUNT =
      "INSERT INTO accounts (tenant_id, account_id, currency, balance, reserved, overdraft_limit,"
          + " created_at, updated_at, last_seq_nr) VALUES (?, ?, ?, 0, 0, ?, ?, ?, ?)"
          + " ON CONFLICT DO NOTHING";

  private static final String UPDATE_RESERVED =
      "UPDATE accounts SET reserved = ?, updated_at = ?, last_seq_nr = ?"
          + " WHERE tenant_id = ? AND account_id = ? AND last_seq_nr < ?";

  private static final String UPDATE_BALANCE_AND_RESERVED =
      "UPDATE accounts SET balance = ?, reserved = ?, updated_at = ?, last_seq_nr = ?"
          + " WHERE tenant_id = ? AND account_id = ? AND last_seq_nr < ?";

  private static final String UPDATE_BALANCE =
      "UPDATE accounts SET balance = ?, updated_at = ?, last_seq_nr = ?"
          + " WHERE tenant_id = ? AND account_id = ? AND last_seq_nr < ?";

  private static final String INSERT_ENTRY =
      "INSERT INTO ledger_entries (tenant_id, account_id, entry_seq, transfer_id, amount,"
          + " balance_after, counterparty, reference, occurred_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

  private static final String INSERT_TRANSFER =
      "INSERT INTO transfers (tenant_id, transfer_id, from_account, to_account, amount, currency,"
          + " status, reason, reference, created_at, completed_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, 'pending', NULL, ?, ?, NULL) ON CONFLICT DO NOTHING";

  // Completes a pending row, or inserts a completed one if the request was never projected; a row
  // already completed is left alone (update count 0), so a redelivery cannot count it twice.
  private static final String COMPLETE_TRANSFER =
      "INSERT INTO transfers AS t (tenant_id, transfer_id, from_account, to_account, amount,"
          + " currency, status, reason, reference, created_at, completed_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, 'completed', NULL, NULL, ?, ?)"
          + " ON CONFLICT (tenant_id, transfer_id) DO UPDATE"
          + " SET status = 'completed', completed_at = EXCLUDED.completed_at"
          + " WHERE t.status = 'pending'";

  private static final String ADD_DAILY_VOLUME =
      "INSERT INTO tenant_daily_volume AS v (tenant_id, day, currency, transfer_count, volume)"
          + " VALUES (?, ?, ?, ?, ?)"
          + " ON CONFLICT (tenant_id, day, currency) DO UPDATE"
          + " SET transfer_count = v.transfer_count + EXCLUDED.transfer_count,"
          + " volume = v.volume + EXCLUDED.volume";

  private static final String REJECT_TRANSFER =
      "UPDATE transfers SET status = 'rejected', reason = ?, completed_at = ?"
          + " WHERE tenant_id = ? AND transfer_id = ? AND status = 'pending'";

  /** The read-model writes, also used to replay parked events (ADR 0025). */
  public static final ProjectionWriter WRITER =
      connection ->
          new ProjectionWriter.Batch() {
            private final DailyVolumes volumes = new DailyVolumes();

            @Override
            public void apply(EventEnvelope<Object> envelope) throws SQLException {
              LedgerProjectionHandler.apply(
                  connection, envelope.event(), envelope.sequenceNr(), volumes);
            }

            @Override
            public void finish() throws SQLException {
              volumes.add(connection);
            }
          };

  private final DeadLetters deadLetters;

  public LedgerProjectionHandler(String key) {
    this.deadLetters = DeadLetters.standard(LedgerProjection.NAME, key, WRITER);
  }

  @Override
  public void process(DataSourceJdbcSession session, List<EventEnvelope<Object>> envelopes)
      throws Exception {
    session.<Void>withConnection(
        connection -> {
          deadLetters.process(connection, envelopes);
          return null;
        });
  }

  private static void apply(Connection c, Object event, long seqNr, DailyVolumes volumes)
      throws SQLException {
    if (event instanceof Account.AccountOpened e) {
      execute(
          c,
          INSERT_ACCOUNT,
          e.tenantId(),
          e.accountId(),
          e.currency(),
          e.overdraftLimit(),
          time(e.at()),
          time(e.at()),
          seqNr);
    } else if (event instanceof Account.FundsReserved e) {
      updateReserved(c, e.tenantId(), e.accountId(), e.reservedAfter(), e.at(), seqNr);
    } else if (event instanceof Account.ReservationReleased e) {
      updateReserved(c, e.tenantId(), e.accountId(), e.reservedAfter(), e.at(), seqNr);
    } else if (event instanceof Account.FundsDebited e) {
      execute(
          c,
          UPDATE_BALANCE_AND_RESERVED,
          e.balanceAfter(),
          e.reservedAfter(),
          time(e.at()),
          seqNr,
          e.tenantId(),
          e.accountId(),
          seqNr);
      insertEntry(
          c,
          new Entry(
              e.tenantId(),
              e.accountId(),
              e.transferId(),
              -e.amount(),
              e.balanceAfter(),
              e.counterparty(),
              e.reference(),
              e.at()),
          seqNr);
    } else if (event instanceof Account.FundsCredited e) {
      execute(
          c,
          UPDATE_BALANCE,
          e.balanceAfter(),
          time(e.at()),
          seqNr,
          e.tenantId(),
          e.accountId(),
          seqNr);
      insertEntry(
          c,
          new Entry(
              e.tenantId(),
              e.accountId(),
              e.transferId(),
              e.amount(),
              e.balanceAfter(),
              e.counterparty(),
              e.reference(),
              e.at()),
          seqNr);
    } else if (event instanceof Transfer.TransferRequested e) {
      execute(
          c,
          INSERT_TRANSFER,
          e.tenantId(),
          e.transferId(),
          e.from(),
          e.to(),
          e.amount(),
          e.currency(),
          e.reference(),
          time(e.at()));
    } else if (event instanceof Transfer.TransferCompleted e) {
      int completed =
          execute(
              c,
              COMPLETE_TRANSFER,
              e.tenantId(),
              e.transferId(),
              e.from(),
              e.to(),
              e.amount(),
              e.currency(),
              time(e.at()),
              time(e.at()));
      if (completed == 1) {
        volumes.count(e.tenantId(), e.at(), e.currency(), e.amount());
      }
    } else if (event instanceof Transfer.TransferRejected e) {
      execute(c, REJECT_TRANSFER, e.reason(), time(e.at()), e.tenantId(), e.transferId());
    }
    // Other events (tenants, untagged bookkeeping) have no read model here.
  }

  /** One ledger line: {@code amount} is negative for a debit. */
  private record Entry(
      String tenantId,
      String accountId,
      String transferId,
      long amount,
      long balanceAfter,
      String counterparty,
      String reference,
      Instant at) {}

  private static void updateReserved(
      Connection c, String tenantId, String accountId, long reservedAfter, Instant at, long seqNr)
      throws SQLException {
    execute(c, UPDATE_RESERVED, reservedAfter, time(at), seqNr, tenantId, accountId, seqNr);
  }

  private static void insertEntry(Connection c, Entry e, long seqNr) throws SQLException {
    execute(
        c,
        INSERT_ENTRY,
        e.tenantId(),
        e.accountId(),
        seqNr,
        e.transferId(),
        e.amount(),
        e.balanceAfter(),
        e.counterparty(),
        e.reference(),
        time(e.at()));
  }

  private static OffsetDateTime time(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static int execute(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        bind(statement, i + 1, params[i]);
      }
      return statement.executeUpdate();
    }
  }

  /**
   * The transfers a group completed, summed per tenant, UTC day and currency, and added to
   * tenant_daily_volume as the group's last statements. All slices update the same row of a busy
   * tenant, so each holds its lock only from there to its commit; rows are taken in key order, so
   * two groups cannot deadlock.
   */
  private static final class DailyVolumes {
    private record Key(String tenantId, LocalDate day, String currency) {}

    private record Total(long count, BigDecimal volume) {
      Total plus(Total other) {
        return new Total(count + other.count, volume.add(other.volume));
      }
    }

    private final Map<Key, Total> totals =
        new TreeMap<>(
            Comparator.comparing(Key::tenantId)
                .thenComparing(Key::day)
                .thenComparing(Key::currency));

    void count(String tenantId, Instant at, String currency, long amount) {
      var key = new Key(tenantId, LocalDate.ofInstant(at, ZoneOffset.UTC), currency);
      totals.merge(key, new Total(1, BigDecimal.valueOf(amount)), Total::plus);
    }

    void add(Connection c) throws SQLException {
      for (var entry : totals.entrySet()) {
        Key key = entry.getKey();
        Total total = entry.getValue();
        execute(
            c,
            ADD_DAILY_VOLUME,
            key.tenantId(),
            key.day(),
            key.currency(),
            total.count(),
            total.volume());
      }
    }
  }

  private static void bind(PreparedStatement statement, int index, Object value)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.NULL);
    } else if (value instanceof Long l) {
      statement.setLong(index, l);
    } else if (value instanceof String s) {
      statement.setString(index, s);
    } else if (value instanceof OffsetDateTime || value instanceof LocalDate) {
      statement.setObject(index, value);
    } else if (value instanceof BigDecimal d) {
      statement.setBigDecimal(index, d);
    } else {
      throw new IllegalArgumentException("Unsupported parameter type " + value.getClass());
    }
  }
}
