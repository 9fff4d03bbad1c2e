package io.bulwark.deadletters;

import java.time.Instant;
import org.apache.pekko.projection.eventsourced.EventEnvelope;

/**
 * One parked event, as projection_dead_letters holds it (V8): {@code failed} when it failed to
 * apply, {@code behind} when it waits for an earlier failed event of its entity.
 */
public record DeadLetter(
    String projection,
    String persistenceId,
    long seqNr,
    String tenantId,
    String projectionKey,
    long offset,
    String eventType,
    String state,
    String error,
    String sqlState,
    int attempts,
    Instant firstAttemptAt,
    Instant lastAttemptAt) {

  static DeadLetter failed(
      String projection,
      String key,
      EventEnvelope<Object> envelope,
      Throwable failure,
      int attempts,
      Instant first) {
    return of(projection, key, envelope, "failed", failure, attempts, first);
  }

  static DeadLetter behind(String projection, String key, EventEnvelope<Object> envelope) {
    return of(projection, key, envelope, "behind", null, 0, Instant.now());
  }

  private static DeadLetter of(
      String projection,
      String key,
      EventEnvelope<Object> envelope,
      String state,
      Throwable failure,
      int attempts,
      Instant first) {
    return new DeadLetter(
        projection,
        envelope.persistenceId(),
        envelope.sequenceNr(),
        DeadLetterRows.tenantOf(envelope.persistenceId()),
        key,
        DeadLetterRows.offsetOf(envelope),
        DeadLetterRows.eventType(envelope.event()),
        state,
        failure == null ? null : ProjectionFailures.describe(failure),
        failure == null ? null : ProjectionFailures.sqlState(failure),
        attempts,
        first,
        Instant.now());
  }
}
