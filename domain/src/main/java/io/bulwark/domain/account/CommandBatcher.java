package io.bulwark.domain.account;

import com.typesafe.config.Config;
import io.bulwark.domain.EntityDispatcher;
import io.bulwark.domain.telemetry.Trace;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * The sharded account entity: the single writer's front door. While the account's last write is in
 * flight, the commands that arrive wait here; when it is committed, all of them (up to {@code
 * maxCommands}) go to the account as one {@link Account.Batch}, which it decides in order and
 * writes at once. So an account takes one journal write per round trip however many transfers touch
 * it, rather than one per command (ADR 0026). Bounded both ways: a command that waited longer than
 * {@code maxWait} is dropped unanswered (whoever asked has given up and asks again: every command
 * is idempotent or a read), and past {@code maxQueued} new commands are dropped the same way rather
 * than growing the heap.
 */
final class CommandBatcher extends AbstractBehavior<Account.Command> {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(CommandBatcher.class);

  /** From {@code bulwark.accounts.batch}. */
  record Settings(int maxCommands, Duration maxWait, int maxQueued) {
    static Settings fromConfig(Config config) {
      Config c = config.getConfig("bulwark.accounts.batch");
      return new Settings(
          c.getInt("max-commands"), c.getDuration("max-wait"), c.getInt("max-queued"));
    }
  }

  private record Waiting(Account.Queued queued, long arrivedNanos) {}

  static Behavior<Account.Command> create(
      String entityId, PersistenceId persistenceId, Settings settings) {
    return Behaviors.setup(
        context -> {
          var writer =
              context.spawn(
                  Account.behind(context.getSelf(), entityId, persistenceId),
                  "writer",
                  EntityDispatcher.props());
          context.watch(writer);
          return new CommandBatcher(context, writer, settings);
        });
  }

  private final ActorRef<Account.Command> writer;
  private final Settings settings;
  private final ArrayDeque<Waiting> queue = new ArrayDeque<>();

  /** True while the writer recovers or a batch is being written: commands wait meanwhile. */
  private boolean busy = true;

  private CommandBatcher(
      ActorContext<Account.Command> context, ActorRef<Account.Command> writer, Settings settings) {
    super(context);
    this.writer = writer;
    this.settings = settings;
  }

  @Override
  public Receive<Account.Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Account.WriterReady.INSTANCE, this::ready)
        .onMessageEquals(Account.BatchWritten.INSTANCE, this::ready)
        .onMessage(Account.Command.class, this::arrived)
        .onSignal(Terminated.class, stopped -> Behaviors.stopped())
        .build();
  }

  private Behavior<Account.Command> arrived(Account.Command command) {
    if (queue.size() >= settings.maxQueued()) {
      drop("queue_full", 1);
      return this;
    }
    queue.add(new Waiting(new Account.Queued(command, Trace.current()), System.nanoTime()));
    if (!busy) {
      flush();
    }
    return this;
  }

  private Behavior<Account.Command> ready() {
    busy = false;
    flush();
    return this;
  }

  private void flush() {
    long oldestAllowed = System.nanoTime() - settings.maxWait().toNanos();
    int stale = 0;
    while (!queue.isEmpty() && queue.peek().arrivedNanos() - oldestAllowed < 0) {
      queue.poll();
      stale++;
    }
    if (stale > 0) {
      drop("waited_too_long", stale);
    }
    if (queue.isEmpty()) {
      return;
    }
    List<Account.Queued> batch = new ArrayList<>(Math.min(queue.size(), settings.maxCommands()));
    while (!queue.isEmpty() && batch.size() < settings.maxCommands()) {
      batch.add(queue.poll().queued());
    }
    AccountTelemetry.batch(batch.size());
    writer.tell(new Account.Batch(List.copyOf(batch)));
    busy = true;
  }

  private void drop(String reason, int count) {
    AccountTelemetry.dropped(reason, count);
    log.warn(
        "Account {} dropped {} command(s) unanswered ({}); their callers ask again",
        getContext().getSelf().path().name(),
        count,
        reason);
  }
}
