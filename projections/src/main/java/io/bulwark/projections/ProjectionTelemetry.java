package io.bulwark.projections;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import kamon.Kamon;
import kamon.metric.Metric;
import org.apache.pekko.projection.HandlerRecoveryStrategy;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.StatusObserver;
import org.apache.pekko.projection.eventsourced.EventEnvelope;

/**
 * A projection as operators see it: events applied, the lag from an event's journal write to the
 * commit of its read-model rows, failures, and which instances run on this node (for readiness).
 */
public final class ProjectionTelemetry extends StatusObserver<EventEnvelope<Object>> {
  private static final Metric.Counter EVENTS =
      Kamon.counter("bulwark.projection.events", "Events applied to the read models");
  private static final Metric.Timer LAG =
      Kamon.timer(
          "bulwark.projection.lag", "From an event's journal write to its read-model commit");
  private static final Metric.Counter FAILURES =
      Kamon.counter("bulwark.projection.failures", "Projection instances that failed and restart");
  private static final Metric.Gauge RUNNING =
      Kamon.gauge("bulwark.projection.running", "Projection instances running on this node");

  private static final Set<String> running = ConcurrentHashMap.newKeySet();
  private static final Object LOCK = new Object();

  private final String name;

  public ProjectionTelemetry(String name) {
    this.name = name;
  }

  /** How many projection instances run on this node now. */
  public static int runningHere() {
    return running.size();
  }

  @Override
  public void started(ProjectionId id) {
    changed(id, true);
  }

  @Override
  public void failed(ProjectionId id, Throwable cause) {
    FAILURES.withTag("projection", name).increment();
    changed(id, false);
  }

  @Override
  public void stopped(ProjectionId id) {
    changed(id, false);
  }

  /** Instances start and stop on several threads: the gauge is set in the order they change. */
  private void changed(ProjectionId id, boolean runs) {
    synchronized (LOCK) {
      if (runs) {
        running.add(id.id());
      } else {
        running.remove(id.id());
      }
      RUNNING.withTag("projection", name).update(count());
    }
  }

  @Override
  public void beforeProcess(ProjectionId id, EventEnvelope<Object> envelope) {}

  @Override
  public void afterProcess(ProjectionId id, EventEnvelope<Object> envelope) {
    EVENTS.withTag("projection", name).increment();
  }

  /** Called once the offset (and, exactly once, the group's rows) is committed. */
  @Override
  public void offsetProgress(ProjectionId id, EventEnvelope<Object> envelope) {
    long lagMillis = System.currentTimeMillis() - envelope.timestamp();
    LAG.withTag("projection", name).record(Math.max(0, lagMillis) * 1_000_000L);
  }

  @Override
  public void error(
      ProjectionId id,
      EventEnvelope<Object> envelope,
      Throwable cause,
      HandlerRecoveryStrategy recoveryStrategy) {}

  private long count() {
    return running.stream().filter(p -> p.startsWith(name + "-") || p.equals(name)).count();
  }
}
