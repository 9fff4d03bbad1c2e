package io.bulwark.deadletters;

import java.sql.Connection;
import org.apache.pekko.projection.eventsourced.EventEnvelope;

/**
 * What a projection writes for its events, inside the transaction that also stores its offset.
 * Split from the Pekko handler so that {@link DeadLetters} can apply a whole group at once (the
 * fast path), one event at a time when the group failed (to find the event at fault), and parked
 * events again when they are replayed.
 */
public interface ProjectionWriter {
  /** Starts writing a run of events on {@code connection}; the run's state lives in the batch. */
  Batch begin(Connection connection);

  /** A run of events, applied in order; {@link #finish} writes what {@link #apply} deferred. */
  interface Batch {
    void apply(EventEnvelope<Object> envelope) throws Exception;

    void finish() throws Exception;
  }
}
