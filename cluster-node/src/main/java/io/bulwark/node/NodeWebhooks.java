package io.bulwark.node;

import io.bulwark.domain.placement.TenantPlacement;
import io.bulwark.webhooks.AllowedTargets;
import io.bulwark.webhooks.SecretBox;
import io.bulwark.webhooks.TargetPolicy;
import io.bulwark.webhooks.WebhookDispatcher;
import io.bulwark.webhooks.WebhookEndpoints;
import io.bulwark.webhooks.WebhookMaintenance;
import io.bulwark.webhooks.WebhookSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's part of webhooks (ADR 0023): the SSRF guard and the secret box every node needs, and
 * on projections nodes the dispatcher with its housekeeping (recover jobs, the gap check, the
 * dead-letter gauge, retention).
 */
final class NodeWebhooks {
  private static final Logger log = LoggerFactory.getLogger(NodeWebhooks.class);

  private NodeWebhooks() {}

  static TargetPolicy targets(NodeSettings.Webhooks webhooks) {
    return new TargetPolicy(AllowedTargets.parse(webhooks.allowedTargets()), webhooks.resolver());
  }

  static SecretBox box(NodeSettings.Webhooks webhooks) {
    return new SecretBox(webhooks.key());
  }

  /** The endpoints and queues the API manages (and whose recover jobs projections nodes run). */
  static WebhookEndpoints endpoints(
      ActorSystem<?> system, DataSource dataSource, NodeSettings.Webhooks webhooks) {
    return new WebhookEndpoints(
        dataSource,
        box(webhooks),
        targets(webhooks),
        NodeAudit.blocking(system),
        java.time.Clock.systemUTC());
  }

  /** Starts sending on this node; {@code recoveries} runs the recover jobs that are due. */
  static WebhookDispatcher startDelivery(
      ActorSystem<?> system,
      DataSource dataSource,
      NodeSettings settings,
      java.util.function.IntSupplier recoveries) {
    var config = system.settings().config();
    var webhookSettings = WebhookSettings.fromConfig(config);
    var maintenance = new WebhookMaintenance(system, dataSource, webhookSettings.retentionDays());
    var telemetryPlacement = TenantPlacement.fromConfig(config);
    var tasks = new ArrayList<WebhookDispatcher.Task>();
    tasks.add(
        new WebhookDispatcher.Task(
            "recoveries",
            Duration.ofSeconds(2),
            () -> recoveries.getAsInt())); // runs every due job to its end
    tasks.add(
        new WebhookDispatcher.Task("gap check", Duration.ofSeconds(30), maintenance::checkGaps));
    tasks.add(
        new WebhookDispatcher.Task(
            "retention",
            Duration.ofHours(1),
            () -> {
              int removed = maintenance.expire();
              if (removed > 0) {
                log.info("Removed {} delivered webhook rows past retention", removed);
              }
            }));
    var dispatcher =
        WebhookDispatcher.start(
            system,
            dataSource,
            targets(settings.webhooks()),
            box(settings.webhooks()),
            webhookSettings,
            telemetryPlacement,
            List.copyOf(tasks));
    dispatcher.watchDeadLetters(Duration.ofSeconds(10), maintenance::deadLettersByTenant);
    CoordinatedShutdown.get(system)
        .addTask(
            // beside the API's in-flight requests: the phase allows 12 s, attempts get 10 of them
            CoordinatedShutdown.PhaseServiceRequestsDone(),
            "stop-webhook-dispatcher",
            () ->
                CompletableFuture.supplyAsync(
                    () -> {
                      try {
                        dispatcher.closeGracefully(Duration.ofSeconds(9));
                        // before the actor system stops them mid-flight (an ERROR per pool)
                        org.apache.pekko.http.javadsl.Http.get(system.classicSystem())
                            .shutdownAllConnectionPools()
                            .toCompletableFuture()
                            .get(2, java.util.concurrent.TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        dispatcher.close();
                      } catch (java.util.concurrent.ExecutionException
                          | java.util.concurrent.TimeoutException e) {
                        log.info(
                            "Webhook connection pools did not close in time: {}", e.toString());
                      }
                      return Done.getInstance();
                    }));
    log.info(
        "Sending webhooks: {}, allowed targets {}",
        webhookSettings.schedule(),
        AllowedTargets.parse(settings.webhooks().allowedTargets()));
    return dispatcher;
  }
}
