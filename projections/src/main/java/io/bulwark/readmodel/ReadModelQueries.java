package io.bulwark.readmodel;

import io.bulwark.domain.account.AccountView;
import io.bulwark.domain.transfer.TransferView;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.postgresql.jdbc.PgStatement;

/**
 * The list reads of the API, served from the read-model tables. Pages are keyset-paginated on the
 * tables' indexes (never OFFSET), so a walk over a list neither repeats nor skips a row when rows
 * are inserted meanwhile. Arguments are checked, and cursors decoded, before any database work: a
 * bad one throws at once ({@link InvalidCursorException}, {@link IllegalArgumentException}).
 */
public final class ReadModelQueries {
  public static final int MAX_LIMIT = 200;

  /** Where {@link #create} finds the blocking executor: a dispatcher in this module's config. */
  public static final String DISPATCHER = "bulwark.read-model.blocking-dispatcher";

  private static final Set<String> STATUSES =
      Set.of(TransferView.PENDING, TransferView.COMPLETED, TransferView.REJECTED);

  private static final String ACCOUNT_COLUMNS =
      "SELECT account_id, currency, balance, reserved, overdraft_limit, created_at FROM accounts";
  private static final String ACCOUNTS_FIRST =
      ACCOUNT_COLUMNS + " WHERE tenant_id = ? ORDER BY account_id LIMIT ?";
  private static final String ACCOUNTS_AFTER =
      ACCOUNT_COLUMNS + " WHERE tenant_id = ? AND account_id > ? ORDER BY account_id LIMIT ?";

  private static final String TRANSFER_COLUMNS =
      "SELECT transfer_id, from_account, to_account, amount, currency, reference, status, reason,"
          + " created_at, completed_at FROM transfers WHERE tenant_id = ?";
  private static final String NEWEST_FIRST = " ORDER BY created_at DESC, transfer_id DESC LIMIT ?";
  private static final String BEFORE = " AND (created_at, transfer_id) < (?, ?)";
  private static final String WITH_STATUS = " AND status = ?";
  private static final String TRANSFERS_FIRST = TRANSFER_COLUMNS + NEWEST_FIRST;
  private static final String TRANSFERS_AFTER = TRANSFER_COLUMNS + BEFORE + NEWEST_FIRST;
  private static final String TRANSFERS_BY_STATUS_FIRST =
      TRANSFER_COLUMNS + WITH_STATUS + NEWEST_FIRST;
  private static final String TRANSFERS_BY_STATUS_AFTER =
      TRANSFER_COLUMNS + WITH_STATUS + BEFORE + NEWEST_FIRST;

  private static final String ENTRY_COLUMNS =
      "SELECT entry_seq, transfer_id, amount, balance_after, counterparty, reference, occurred_at"
          + " FROM ledger_entries WHERE tenant_id = ? AND account_id = ?";
  private static final String ENTRIES_FIRST = ENTRY_COLUMNS + " ORDER BY entry_seq DESC LIMIT ?";
  private static final String ENTRIES_AFTER =
      ENTRY_COLUMNS + " AND entry_seq < ? ORDER BY entry_seq DESC LIMIT ?";

  /** The time a query gets when its caller names none. */
  public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(5);

  /** Queries slower than this are logged with their SQL (placeholders only, never values). */
  private static final long SLOW_QUERY_NANOS = Duration.ofMillis(250).toNanos();

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(ReadModelQueries.class);

  private final DataSource dataSource;
  private final Executor blocking;
  private final QueryBreaker breaker;

  /** {@link System#nanoTime()} past which no query of this instance starts; null: per query. */
  private final Long deadlineNanos;

  public ReadModelQueries(DataSource dataSource, Executor blocking) {
    this(dataSource, blocking, QueryBreaker.none());
  }

  public ReadModelQueries(DataSource dataSource, Executor blocking, QueryBreaker breaker) {
    this(dataSource, blocking, breaker, null);
  }

  private ReadModelQueries(
      DataSource dataSource, Executor blocking, QueryBreaker breaker, Long deadlineNanos) {
    this.dataSource = Objects.requireNonNull(dataSource);
    this.blocking = Objects.requireNonNull(blocking);
    this.breaker = Objects.requireNonNull(breaker);
    this.deadlineNanos = deadlineNanos;
  }

  /** Queries that block on the dispatcher {@value #DISPATCHER}, without a breaker. */
  public static ReadModelQueries create(ActorSystem<?> system, DataSource dataSource) {
    return create(system, dataSource, QueryBreaker.none());
  }

  /** Queries that block on the dispatcher {@value #DISPATCHER}, behind {@code breaker}. */
  public static ReadModelQueries create(
      ActorSystem<?> system, DataSource dataSource, QueryBreaker breaker) {
    return new ReadModelQueries(
        dataSource,
        system.dispatchers().lookup(DispatcherSelector.fromConfig(DISPATCHER)),
        breaker);
  }

  /**
   * These queries for one request: none starts once {@code budget} (counted from now) has passed,
   * and each is cancelled by the database when it runs past it.
   */
  public ReadModelQueries within(Duration budget) {
    return new ReadModelQueries(
        dataSource, blocking, breaker, System.nanoTime() + budget.toNanos());
  }

  /** Whether the breaker would refuse a query now. */
  public boolean breakerOpen() {
    return breaker.isOpen();
  }

  private long deadline() {
    return deadlineNanos != null ? deadlineNanos : System.nanoTime() + DEFAULT_BUDGET.toNanos();
  }

  /**
   * Runs {@code work} on the blocking executor behind the breaker, unless the deadline has passed
   * by the time a thread is free; the statement it prepares is given the time left.
   */
  private <T> CompletionStage<T> guarded(SqlWork<T> work) {
    long deadline = deadline();
    return breaker.call(
        () ->
            CompletableFuture.supplyAsync(
                () -> {
                  long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
                  if (leftMillis <= 0) {
                    throw new CompletionException(new QueryDeadlineException());
                  }
                  try (Connection c = dataSource.getConnection()) {
                    return work.run(c, leftMillis);
                  } catch (SQLException e) {
                    throw new CompletionException(e);
                  }
                },
                blocking));
  }

  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection connection, long timeoutMillis) throws SQLException;
  }

  private static PreparedStatement prepare(Connection c, String sql, long timeoutMillis)
      throws SQLException {
    PreparedStatement statement = c.prepareStatement(sql);
    statement.unwrap(PgStatement.class).setQueryTimeoutMs(timeoutMillis);
    return statement;
  }

  /** Accounts of a tenant by id, ascending. */
  public CompletionStage<Page<AccountView>> listAccounts(
      String tenantId, int limit, String cursor) {
    Objects.requireNonNull(tenantId);
    checkLimit(limit);
    if (isFirstPage(cursor)) {
      return page(ACCOUNTS_FIRST, limit, ReadModelQueries::account, tenantId);
    }
    String after = Cursor.decodeAccounts(cursor);
    return page(ACCOUNTS_AFTER, limit, ReadModelQueries::account, tenantId, after);
  }

  /** Transfers of a tenant, newest first, optionally only those with {@code status}. */
  public CompletionStage<Page<TransferView>> listTransfers(
      String tenantId, String status, int limit, String cursor) {
    Objects.requireNonNull(tenantId);
    checkLimit(limit);
    if (status != null && !STATUSES.contains(status)) {
      throw new IllegalArgumentException("Unknown transfer status: " + status);
    }
    if (isFirstPage(cursor)) {
      return status == null
          ? page(TRANSFERS_FIRST, limit, ReadModelQueries::transfer, tenantId)
          : page(TRANSFERS_BY_STATUS_FIRST, limit, ReadModelQueries::transfer, tenantId, status);
    }
    var key = Cursor.decodeTransfers(cursor);
    var createdAt = time(key.createdAt());
    return status == null
        ? page(
            TRANSFERS_AFTER,
            limit,
            ReadModelQueries::transfer,
            tenantId,
            createdAt,
            key.transferId())
        : page(
            TRANSFERS_BY_STATUS_AFTER,
            limit,
            ReadModelQueries::transfer,
            tenantId,
            status,
            createdAt,
            key.transferId());
  }

  /** Posted entries of one account, newest first; empty when the account has none (or none yet). */
  public CompletionStage<Page<EntryView>> listEntries(
      String tenantId, String accountId, int limit, String cursor) {
    Objects.requireNonNull(tenantId);
    Objects.requireNonNull(accountId);
    checkLimit(limit);
    if (isFirstPage(cursor)) {
      return page(ENTRIES_FIRST, limit, ReadModelQueries::entry, tenantId, accountId);
    }
    long before = Cursor.decodeEntries(cursor);
    return page(ENTRIES_AFTER, limit, ReadModelQueries::entry, tenantId, accountId, before);
  }

  /**
   * Whether the journal holds any event of {@code persistenceId}: lets a read of an id that was
   * never written be answered without waking (and so remembering) an entity.
   */
  public CompletionStage<Boolean> hasEvents(String persistenceId) {
    return guarded(
        (c, timeout) -> {
          try (PreparedStatement statement =
              prepare(c, "SELECT 1 FROM event_journal WHERE persistence_id = ? LIMIT 1", timeout)) {
            statement.setString(1, persistenceId);
            try (ResultSet rs = statement.executeQuery()) {
              return rs.next();
            }
          }
        });
  }

  /**
   * Completes with true when the database answers {@code SELECT 1} within {@code timeout}, with
   * false otherwise; never fails.
   */
  public CompletionStage<Boolean> ping(Duration timeout) {
    return CompletableFuture.supplyAsync(() -> selectOne(timeout), blocking)
        .completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(failure -> false);
  }

  private boolean selectOne(Duration timeout) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement = c.prepareStatement("SELECT 1")) {
      statement.setQueryTimeout((int) Math.max(1, (timeout.toMillis() + 999) / 1000));
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() && rs.getInt(1) == 1;
      }
    } catch (SQLException e) {
      return false;
    }
  }

  // ---- paging ----

  private record Row<T>(T item, String cursor) {}

  @FunctionalInterface
  private interface RowMapper<T> {
    Row<T> map(ResultSet rs) throws SQLException;
  }

  private <T> CompletionStage<Page<T>> page(
      String sql, int limit, RowMapper<T> mapper, Object... keyParams) {
    return guarded(
        (c, timeout) -> {
          try (PreparedStatement statement = prepare(c, sql, timeout)) {
            int index = 1;
            for (Object param : keyParams) {
              statement.setObject(index++, param);
            }
            statement.setInt(index, limit + 1);
            var rows = new ArrayList<Row<T>>(limit + 1);
            long start = System.nanoTime();
            try (ResultSet rs = statement.executeQuery()) {
              while (rs.next()) {
                rows.add(mapper.map(rs));
              }
            }
            logIfSlow(sql, System.nanoTime() - start, rows.size());
            boolean more = rows.size() > limit;
            List<Row<T>> served = more ? rows.subList(0, limit) : rows;
            String next = more ? served.get(limit - 1).cursor() : null;
            return new Page<>(served.stream().map(Row::item).toList(), next);
          }
        });
  }

  /** The statement's shape only: its parameters may be tenants' data. */
  private static void logIfSlow(String sql, long nanos, int rows) {
    if (nanos > SLOW_QUERY_NANOS) {
      log.warn("Slow read-model query: {} ms, {} rows: {}", nanos / 1_000_000, rows, sql);
    }
  }

  private static Row<AccountView> account(ResultSet rs) throws SQLException {
    String id = rs.getString("account_id");
    long overdraft = rs.getLong("overdraft_limit");
    Long overdraftLimit = rs.wasNull() ? null : overdraft;
    var view =
        new AccountView(
            id,
            rs.getString("currency"),
            rs.getLong("balance"),
            rs.getLong("reserved"),
            overdraftLimit,
            instant(rs, "created_at"));
    return new Row<>(view, Cursor.accounts(id));
  }

  private static Row<TransferView> transfer(ResultSet rs) throws SQLException {
    var view =
        new TransferView(
            rs.getString("transfer_id"),
            rs.getString("from_account"),
            rs.getString("to_account"),
            rs.getLong("amount"),
            rs.getString("currency"),
            rs.getString("reference"),
            rs.getString("status"),
            rs.getString("reason"),
            instant(rs, "created_at"),
            instant(rs, "completed_at"));
    return new Row<>(view, Cursor.transfers(view.createdAt(), view.id()));
  }

  private static Row<EntryView> entry(ResultSet rs) throws SQLException {
    var view =
        new EntryView(
            rs.getString("transfer_id"),
            rs.getLong("amount"),
            rs.getLong("balance_after"),
            rs.getString("counterparty"),
            rs.getString("reference"),
            instant(rs, "occurred_at"));
    return new Row<>(view, Cursor.entries(rs.getLong("entry_seq")));
  }

  private static boolean isFirstPage(String cursor) {
    return cursor == null || cursor.isEmpty();
  }

  private static void checkLimit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be within 1.." + MAX_LIMIT + ": " + limit);
    }
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    var value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static OffsetDateTime time(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
