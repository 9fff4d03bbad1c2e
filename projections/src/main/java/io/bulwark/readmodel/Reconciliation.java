package io.bulwark.readmodel;

import io.bulwark.domain.Ids;
import io.bulwark.domain.Stages;
import io.bulwark.domain.account.Account;
import io.bulwark.domain.transfer.Transfer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Compares the {@code accounts} read model with the Account entities, the source of truth: for each
 * read-model row it asks the entity for its state and reports every account whose balance or
 * reservations differ; and a tenant's {@code transfers} read model with its journal: how many
 * transfers are pending, completed and rejected in each. It only reports; it repairs nothing.
 *
 * <p>Run it when the projection has caught up and no transfer of the checked accounts is in flight
 * (for example from an operator endpoint after a quiet period): before that, a difference may only
 * mean that the read model lags. A difference that persists means an event the projection skipped
 * (eventsByTag can miss a very late commit); rebuilding the projection repairs it. Accounts that
 * exist only as entities, never projected, are not found by this check.
 */
public final class Reconciliation {
  private static final int BATCH = 500;

  /**
   * An account whose read-model row disagrees with its entity. The entity's values are null when
   * the entity does not know the account.
   */
  public record Difference(
      String tenantId,
      String accountId,
      long readModelBalance,
      Long entityBalance,
      long readModelReserved,
      Long entityReserved) {}

  /** How many accounts were compared, and which differ. */
  public record Report(long checked, List<Difference> differences) {
    public Report {
      differences = List.copyOf(differences);
    }

    public boolean consistent() {
      return differences.isEmpty();
    }
  }

  /** Transfers by status, in the read model and as the journal's events say. */
  public record TransferCounts(long pending, long completed, long rejected) {}

  /** A tenant's transfers in the read model against its journal; equal when nothing was missed. */
  public record TransferReport(TransferCounts readModel, TransferCounts journal) {
    public boolean consistent() {
      return readModel.equals(journal);
    }
  }

  private record Row(String tenantId, String accountId, long balance, long reserved) {}

  private static final String READ_MODEL_TRANSFERS =
      "SELECT count(*) FILTER (WHERE status = 'pending'),"
          + " count(*) FILTER (WHERE status = 'completed'),"
          + " count(*) FILTER (WHERE status = 'rejected') FROM transfers WHERE tenant_id = ?";

  // Events are JSON whose first member names the type; a reference holding the same words is
  // escaped inside its string, so this cannot miscount. Bytes, so no payload can fail the query.
  private static final String JOURNAL_TRANSFERS =
      "SELECT count(*) FILTER (WHERE position(? IN event_payload) > 0),"
          + " count(*) FILTER (WHERE position(? IN event_payload) > 0),"
          + " count(*) FILTER (WHERE position(? IN event_payload) > 0)"
          + " FROM event_journal WHERE starts_with(persistence_id, ?) AND NOT deleted";

  private static final String ALL_FIRST =
      "SELECT tenant_id, account_id, balance, reserved FROM accounts"
          + " ORDER BY tenant_id, account_id LIMIT ?";
  private static final String ALL_AFTER =
      "SELECT tenant_id, account_id, balance, reserved FROM accounts"
          + " WHERE (tenant_id, account_id) > (?, ?) ORDER BY tenant_id, account_id LIMIT ?";
  private static final String TENANT_FIRST =
      "SELECT tenant_id, account_id, balance, reserved FROM accounts"
          + " WHERE tenant_id = ? ORDER BY account_id LIMIT ?";
  private static final String TENANT_AFTER =
      "SELECT tenant_id, account_id, balance, reserved FROM accounts"
          + " WHERE tenant_id = ? AND account_id > ? ORDER BY account_id LIMIT ?";

  private final ActorSystem<?> system;
  private final DataSource dataSource;
  private final Executor blocking;
  private final Duration askTimeout;
  private final int parallelism;

  public Reconciliation(
      ActorSystem<?> system,
      DataSource dataSource,
      Executor blocking,
      Duration askTimeout,
      int parallelism) {
    this.system = Objects.requireNonNull(system);
    this.dataSource = Objects.requireNonNull(dataSource);
    this.blocking = Objects.requireNonNull(blocking);
    this.askTimeout = Objects.requireNonNull(askTimeout);
    this.parallelism = parallelism;
  }

  /**
   * Settings from {@code bulwark.reconciliation}; blocks on the read-model dispatcher ({@value
   * ReadModelQueries#DISPATCHER}).
   */
  public static Reconciliation create(ActorSystem<?> system, DataSource dataSource) {
    var config = system.settings().config().getConfig("bulwark.reconciliation");
    return new Reconciliation(
        system,
        dataSource,
        system.dispatchers().lookup(DispatcherSelector.fromConfig(ReadModelQueries.DISPATCHER)),
        config.getDuration("ask-timeout"),
        config.getInt("parallelism"));
  }

  /** Checks every projected account of one tenant. Fails if an entity does not answer in time. */
  public CompletionStage<Report> forTenant(String tenantId) {
    Objects.requireNonNull(tenantId);
    return run(
        last ->
            last == null
                ? fetch(TENANT_FIRST, tenantId)
                : fetch(TENANT_AFTER, tenantId, last.accountId()));
  }

  /** Checks every projected account of every tenant. */
  public CompletionStage<Report> forAllAccounts() {
    return run(
        last ->
            last == null ? fetch(ALL_FIRST) : fetch(ALL_AFTER, last.tenantId(), last.accountId()));
  }

  /**
   * Counts a tenant's transfers by status in the read model, and in the journal (requested minus
   * those completed or rejected are pending). A transfer whose events a projection skipped or
   * parked shows as a difference.
   */
  public CompletionStage<TransferReport> transfers(String tenantId) {
    Objects.requireNonNull(tenantId);
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection c = dataSource.getConnection()) {
            long[] model = counts(c, READ_MODEL_TRANSFERS, tenantId);
            long[] journal =
                counts(
                    c,
                    JOURNAL_TRANSFERS,
                    marker("transfer-requested"),
                    marker("transfer-completed"),
                    marker("transfer-rejected"),
                    Transfer.ENTITY_KEY.name() + "|" + tenantId + Ids.SEPARATOR);
            return new TransferReport(
                new TransferCounts(model[0], model[1], model[2]),
                new TransferCounts(journal[0] - journal[1] - journal[2], journal[1], journal[2]));
          } catch (SQLException e) {
            throw new CompletionException(e);
          }
        },
        blocking);
  }

  private static byte[] marker(String type) {
    return ("{\"type\":\"" + type + "\"").getBytes(StandardCharsets.UTF_8);
  }

  private static long[] counts(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
      }
    }
  }

  @FunctionalInterface
  private interface BatchAfter {
    CompletionStage<List<Row>> fetch(Row last);
  }

  /** Position of the walk over the read model: after {@code last}; finished after a short batch. */
  private record Position(Row last, boolean finished) {}

  private CompletionStage<Report> run(BatchAfter batches) {
    var sharding = ClusterSharding.get(system);
    Source<List<Row>, ?> pages =
        Source.unfoldAsync(
            new Position(null, false),
            position ->
                position.finished()
                    ? CompletableFuture.completedFuture(Optional.empty())
                    : batches
                        .fetch(position.last())
                        .thenApply(
                            rows ->
                                rows.isEmpty()
                                    ? Optional.empty()
                                    : Optional.of(
                                        Pair.create(
                                            new Position(
                                                rows.get(rows.size() - 1), rows.size() < BATCH),
                                            rows))));
    return pages
        .mapConcat(rows -> rows)
        .mapAsync(
            parallelism,
            row ->
                Stages.direct(
                        sharding
                            .entityRefFor(
                                Account.ENTITY_KEY,
                                Account.entityId(row.tenantId(), row.accountId()))
                            .ask(Account.Get::new, askTimeout))
                    .thenApply(reply -> compare(row, reply)))
        .runFold(new Report(0, List.of()), (report, difference) -> add(report, difference), system);
  }

  private static Report add(Report report, Optional<Difference> difference) {
    if (difference.isEmpty()) {
      return new Report(report.checked() + 1, report.differences());
    }
    var differences = new ArrayList<>(report.differences());
    differences.add(difference.get());
    return new Report(report.checked() + 1, differences);
  }

  private static Optional<Difference> compare(Row row, Account.GetReply reply) {
    var entity = reply.account();
    if (entity != null
        && entity.balance() == row.balance()
        && entity.reserved() == row.reserved()) {
      return Optional.empty();
    }
    return Optional.of(
        new Difference(
            row.tenantId(),
            row.accountId(),
            row.balance(),
            entity == null ? null : entity.balance(),
            row.reserved(),
            entity == null ? null : entity.reserved()));
  }

  private CompletionStage<List<Row>> fetch(String sql, String... keys) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement statement = c.prepareStatement(sql)) {
            int index = 1;
            for (String key : keys) {
              statement.setString(index++, key);
            }
            statement.setInt(index, BATCH);
            var rows = new ArrayList<Row>(BATCH);
            try (ResultSet rs = statement.executeQuery()) {
              while (rs.next()) {
                rows.add(
                    new Row(
                        rs.getString("tenant_id"),
                        rs.getString("account_id"),
                        rs.getLong("balance"),
                        rs.getLong("reserved")));
              }
            }
            return rows;
          } catch (SQLException e) {
            throw new CompletionException(e);
          }
        },
        blocking);
  }
}
