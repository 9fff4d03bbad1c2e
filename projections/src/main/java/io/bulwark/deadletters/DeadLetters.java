package io.bulwark.deadletters;

import io.bulwark.domain.UnreadableEvent;
import java.sql.Connection;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one event from stopping a projection (ADR 0025). A group is first written in one go; if
 * that fails for a reason another try cannot cure ({@link ProjectionFailures}), the group is
 * written again one event at a time, each under a savepoint, and an event that still fails after
 * {@code attempts} tries is parked in projection_dead_letters, in the same transaction as the
 * offset. Every later event of the same entity is parked behind it, so an entity's rows are never
 * built out of order; all other entities and tenants go on. Transient failures are thrown: the
 * projection restarts with backoff and tries again, forever.
 *
 * <p>One instance serves one projection instance (a slice), which is the only writer of its
 * entities' dead letters; a replay takes the same per-entity lock, so the two never interleave.
 */
public final class DeadLetters {
  private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

  private final String projection;
  private final String key;
  private final ProjectionWriter writer;
  private final int attempts;
  private final Duration pause;
  private final DeadLetterTelemetry telemetry;
  private Set<String> parked;

  public DeadLetters(
      String projection, String key, ProjectionWriter writer, int attempts, Duration pause) {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1");
    }
    this.projection = projection;
    this.key = key;
    this.writer = writer;
    this.attempts = attempts;
    this.pause = pause;
    this.telemetry = new DeadLetterTelemetry(projection);
  }

  /** Three tries, 100 ms apart: enough for a misjudged transient failure, short for the slice. */
  public static DeadLetters standard(String projection, String key, ProjectionWriter writer) {
    return new DeadLetters(projection, key, writer, 3, Duration.ofMillis(100));
  }

  /** Applies {@code envelopes} in order on {@code c}, parking what cannot be applied. */
  public void process(Connection c, List<EventEnvelope<Object>> envelopes) throws Exception {
    if (parked == null) {
      parked = new HashSet<>(DeadLetterRows.parkedEntities(c, projection, key));
    }
    var ready = new ArrayList<EventEnvelope<Object>>(envelopes.size());
    for (var envelope : envelopes) {
      if (isParked(c, envelope.persistenceId())) {
        parkBehind(c, envelope);
      } else {
        ready.add(envelope);
      }
    }
    if (ready.isEmpty()) {
      return;
    }
    Savepoint group = c.setSavepoint();
    try {
      write(c, ready); // the savepoint ends with the transaction: no round trip to release it
    } catch (Exception e) {
      if (!ProjectionFailures.isDeterministic(e)) {
        throw e;
      }
      c.rollback(group);
      log.warn(
          "Projection {} ({}) could not apply a group of {} events ({}); applying them one by one",
          projection,
          key,
          ready.size(),
          ProjectionFailures.describe(e));
      oneByOne(c, ready);
    }
  }

  /** Whether {@code persistenceId} still has parked events; cached, confirmed under its lock. */
  private boolean isParked(Connection c, String persistenceId) throws Exception {
    if (!parked.contains(persistenceId)) {
      return false;
    }
    DeadLetterRows.lockEntity(c, projection, persistenceId);
    if (DeadLetterRows.hasParked(c, projection, persistenceId)) {
      return true;
    }
    parked.remove(persistenceId); // replayed since
    return false;
  }

  private void oneByOne(Connection c, List<EventEnvelope<Object>> envelopes) throws Exception {
    for (var envelope : envelopes) {
      if (parked.contains(envelope.persistenceId())) {
        parkBehind(c, envelope);
        continue;
      }
      Instant first = Instant.now();
      Exception last = null;
      for (int attempt = 1; attempt <= attempts; attempt++) {
        if (attempt > 1) {
          Thread.sleep(pause.toMillis());
        }
        Savepoint one = c.setSavepoint();
        try {
          write(c, List.of(envelope));
          c.releaseSavepoint(one);
          last = null;
          break;
        } catch (Exception e) {
          c.rollback(one);
          if (!ProjectionFailures.isDeterministic(e)) {
            throw e;
          }
          last = e;
        }
      }
      if (last != null) {
        parkFailed(c, envelope, last, first);
      }
    }
  }

  private void write(Connection c, List<EventEnvelope<Object>> envelopes) throws Exception {
    var batch = writer.begin(c);
    for (var envelope : envelopes) {
      if (envelope.event() instanceof UnreadableEvent unreadable) {
        // Writers skip events they do not know; this one must be parked, not skipped.
        throw new IllegalStateException("The event cannot be read: " + unreadable.error());
      }
      batch.apply(envelope);
    }
    batch.finish();
  }

  private void parkFailed(
      Connection c, EventEnvelope<Object> envelope, Exception failure, Instant first)
      throws Exception {
    DeadLetterRows.lockEntity(c, projection, envelope.persistenceId());
    var row = DeadLetter.failed(projection, key, envelope, failure, attempts, first);
    DeadLetterRows.park(c, row);
    parked.add(envelope.persistenceId());
    telemetry.parked(row.tenantId(), true);
    log.error(
        "Projection {} ({}) parked event {} of {} (tenant {}) after {} attempts: {}; later events"
            + " of this entity wait behind it until a replay",
        projection,
        key,
        envelope.sequenceNr(),
        envelope.persistenceId(),
        row.tenantId(),
        attempts,
        row.error());
  }

  private void parkBehind(Connection c, EventEnvelope<Object> envelope) throws Exception {
    var row = DeadLetter.behind(projection, key, envelope);
    DeadLetterRows.park(c, row);
    telemetry.parked(row.tenantId(), false);
  }
}
