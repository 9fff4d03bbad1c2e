package io.bulwark.node;

import io.bulwark.deadletters.ProjectionDeadLetters;
import io.bulwark.projections.LedgerProjection;
import io.bulwark.projections.LedgerProjectionHandler;
import io.bulwark.webhooks.WebhookProjection;
import io.bulwark.webhooks.WebhookProjectionHandler;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The node's share of the projections' dead letters (ADR 0025): one view of them with the writer of
 * each projection, for the platform API's list and replay, and on projections nodes the gauge of
 * events parked now, sampled from the table.
 */
final class NodeDeadLetters {
  private NodeDeadLetters() {}

  static ProjectionDeadLetters of(ActorSystem<?> system, DataSource dataSource) {
    return new ProjectionDeadLetters(
        system,
        dataSource,
        Map.of(
            LedgerProjection.NAME, LedgerProjectionHandler.WRITER,
            WebhookProjection.NAME, WebhookProjectionHandler.WRITER));
  }

  static void sampleGauge(ActorSystem<?> system, ProjectionDeadLetters deadLetters) {
    Duration every =
        system.settings().config().getDuration("bulwark.projection-dead-letters.gauge-interval");
    system
        .scheduler()
        .scheduleAtFixedRate(
            Duration.ofSeconds(1),
            every,
            () ->
                deadLetters
                    .sampleGauge()
                    .exceptionally(
                        e -> {
                          system
                              .log()
                              .warn("Counting parked projection events failed: {}", e.toString());
                          return null;
                        }),
            system.executionContext());
  }
}
