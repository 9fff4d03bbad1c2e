package io.bulwark.projections;

import com.typesafe.config.Config;
import io.bulwark.domain.transfer.Transfer;
import io.bulwark.readmodel.ReadModelQueries;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The sweeper that resumes transfer sagas nothing runs (ADR 0014). A saga whose node crashed or
 * left, or that was passivated while pending, stays asleep until a message reaches it; the read
 * model knows it as pending. One sweeper in the cluster (a singleton) looks there every {@code
 * sweep-interval} for transfers pending longer than a running saga takes, oldest first, and sends
 * each {@link Transfer.Wake}: a sleeping saga starts and resumes from its journal, a running one
 * ignores it. This replaces remember-entities, which wrote two journal rows per transfer.
 */
public final class PendingTransfers {
  public static final String SINGLETON_NAME = "pending-transfers";

  /** From {@code bulwark.pending-transfers}. */
  public record Settings(
      Duration sweepInterval, Duration olderThan, int maxPerSweep, Duration maxWakeBackoff) {
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("bulwark.pending-transfers");
      return new Settings(
          c.getDuration("sweep-interval"),
          c.getDuration("older-than"),
          c.getInt("max-per-sweep"),
          c.getDuration("max-wake-backoff"));
    }
  }

  /** How many woken rows the sweeper remembers for their backoff. */
  private static final int REMEMBERED = 100_000;

  /** A transfer the read model shows pending; also the position a sweep goes on from. */
  public record Pending(String tenantId, String transferId, Instant createdAt) {}

  private PendingTransfers() {}

  /** Starts the cluster's one sweeper; each node calls it, the singleton runs on the oldest. */
  public static void init(ActorSystem<?> system, DataSource dataSource) {
    var settings = Settings.fromConfig(system.settings().config());
    var sharding = ClusterSharding.get(system);
    Executor blocking =
        system.dispatchers().lookup(DispatcherSelector.fromConfig(ReadModelQueries.DISPATCHER));
    Consumer<Pending> wake =
        p ->
            sharding
                .entityRefFor(Transfer.ENTITY_KEY, Transfer.entityId(p.tenantId(), p.transferId()))
                .tell(new Transfer.Wake());
    ClusterSingleton.get(system)
        .init(
            SingletonActor.of(
                Behaviors.supervise(
                        sweeper(settings, dataSource, blocking, Clock.systemUTC(), wake))
                    .onFailure(SupervisorStrategy.restart()),
                SINGLETON_NAME));
  }

  // ---- the sweeper ----

  sealed interface Command {}

  private enum Sweep implements Command {
    INSTANCE
  }

  private record Found(List<Pending> pending, Throwable failure) implements Command {}

  static Behavior<Command> sweeper(
      Settings settings,
      DataSource dataSource,
      Executor blocking,
      Clock clock,
      Consumer<Pending> wake) {
    return Behaviors.setup(
        ctx -> {
          ctx.setLoggerName(PendingTransfers.class);
          return Behaviors.withTimers(
              timers -> {
                timers.startTimerWithFixedDelay(Sweep.INSTANCE, settings.sweepInterval());
                return new Sweeper(settings, dataSource, blocking, clock, wake).idle(null);
              });
        });
  }

  /** Waits for the next sweep; {@code after} is where the last sweep stopped, null: the start. */
  private record Sweeper(
      Settings settings,
      DataSource dataSource,
      Executor blocking,
      Clock clock,
      Consumer<Pending> wake,
      WakeBackoff backoff) {

    Sweeper(
        Settings settings,
        DataSource dataSource,
        Executor blocking,
        Clock clock,
        Consumer<Pending> wake) {
      this(
          settings,
          dataSource,
          blocking,
          clock,
          wake,
          new WakeBackoff(settings.olderThan(), settings.maxWakeBackoff(), REMEMBERED));
    }

    Behavior<Command> idle(Pending after) {
      return Behaviors.receive(Command.class)
          .onMessage(Sweep.class, sweep -> sweeping(after))
          .onMessage(Found.class, found -> Behaviors.same())
          .build();
    }

    private Behavior<Command> sweeping(Pending after) {
      return Behaviors.setup(
          ctx -> {
            Instant cutoff = clock.instant().minus(settings.olderThan());
            ctx.pipeToSelf(
                CompletableFuture.supplyAsync(
                    () -> find(dataSource, cutoff, after, settings.maxPerSweep()), blocking),
                Found::new);
            return Behaviors.receive(Command.class)
                .onMessage(Sweep.class, sweep -> Behaviors.same()) // the last one is still running
                .onMessage(
                    Found.class,
                    found -> {
                      if (found.failure() != null) {
                        ctx.getLog()
                            .warn(
                                "Looking for pending transfers failed, trying again in {}: {}",
                                settings.sweepInterval(),
                                found.failure().toString());
                        return idle(after);
                      }
                      var pending = found.pending();
                      var due = backoff.due(pending, clock.instant());
                      due.wake().forEach(wake);
                      int firstTime = due.wake().size() - due.again();
                      if (firstTime > 0) {
                        ctx.getLog()
                            .info(
                                "Woke {} transfers pending since before {} ({} of them again)",
                                due.wake().size(),
                                cutoff,
                                due.again());
                      }
                      // A full page goes on after its last row next time, so sagas that stay
                      // pending (their accounts unreachable) cannot hide the ones behind them.
                      return idle(
                          pending.size() < settings.maxPerSweep()
                              ? null
                              : pending.get(pending.size() - 1));
                    })
                .build();
          });
    }
  }

  // ---- the query ----

  private static final String FIRST =
      "SELECT tenant_id, transfer_id, created_at FROM transfers"
          + " WHERE status = 'pending' AND created_at < ?"
          + " ORDER BY created_at, tenant_id, transfer_id LIMIT ?";
  private static final String AFTER =
      "SELECT tenant_id, transfer_id, created_at FROM transfers"
          + " WHERE status = 'pending' AND created_at < ?"
          + " AND (created_at, tenant_id, transfer_id) > (?, ?, ?)"
          + " ORDER BY created_at, tenant_id, transfer_id LIMIT ?";

  /** Transfers pending since before {@code cutoff}, oldest first, after {@code after} if given. */
  static List<Pending> find(DataSource dataSource, Instant cutoff, Pending after, int limit) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement = c.prepareStatement(after == null ? FIRST : AFTER)) {
      int index = 1;
      statement.setObject(index++, utc(cutoff));
      if (after != null) {
        statement.setObject(index++, utc(after.createdAt()));
        statement.setString(index++, after.tenantId());
        statement.setString(index++, after.transferId());
      }
      statement.setInt(index, limit);
      var rows = new ArrayList<Pending>();
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new Pending(
                  rs.getString("tenant_id"),
                  rs.getString("transfer_id"),
                  rs.getObject("created_at", OffsetDateTime.class).toInstant()));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new CompletionException(e);
    }
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
