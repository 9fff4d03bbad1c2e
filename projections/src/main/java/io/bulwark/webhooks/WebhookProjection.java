package io.bulwark.webhooks;

import io.bulwark.domain.WebhookTags;
import io.bulwark.projections.DataSourceJdbcSession;
import io.bulwark.projections.ProjectionTelemetry;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * The outbox relay (ADR 0023): one instance per webhook tag, so one tenant's webhook events are
 * read by one instance in journal order, spread over the projections nodes as a sharded daemon
 * process. Each group's outbox rows commit with its offset: nothing uncommitted is published (the
 * journal only shows committed events) and nothing is written twice.
 */
public final class WebhookProjection {
  public static final String NAME = "webhooks";
  public static final String DAEMON_NAME = "webhook-projection";
  private static final int GROUP = 200;
  private static final Duration GROUP_WITHIN = Duration.ofMillis(20);

  private WebhookProjection() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            DAEMON_NAME,
            WebhookTags.COUNT,
            partition -> ProjectionBehavior.create(projection(system, dataSource, partition)),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }

  public static ProjectionId projectionId(int partition) {
    return ProjectionId.of(NAME, WebhookTags.tag(partition));
  }

  static GroupedProjection<Offset, EventEnvelope<Object>> projection(
      ActorSystem<?> system, DataSource dataSource, int partition) {
    var source =
        EventSourcedProvider.<Object>eventsByTag(
            system, JdbcReadJournal.Identifier(), WebhookTags.tag(partition));
    return JdbcProjection.groupedWithin(
            projectionId(partition),
            source,
            () -> new DataSourceJdbcSession(dataSource),
            () -> new WebhookProjectionHandler(WebhookTags.tag(partition)),
            system)
        .withGroup(GROUP, GROUP_WITHIN)
        .withStatusObserver(new ProjectionTelemetry(NAME));
  }
}
