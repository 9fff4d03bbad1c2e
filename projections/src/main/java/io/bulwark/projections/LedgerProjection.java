package io.bulwark.projections;

import com.typesafe.config.Config;
import io.bulwark.domain.Slices;
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
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Runs the ledger projection: one instance per slice tag, spread over the cluster as a sharded
 * daemon process. Each instance reads its slice's events by tag and applies them with {@link
 * LedgerProjectionHandler}, committing a group of events' read-model rows and their offset in one
 * transaction: exactly once, with one commit per group instead of one per event (ADR 0012).
 */
public final class LedgerProjection {
  public static final String NAME = "ledger";
  public static final String DAEMON_NAME = "ledger-projection";

  private LedgerProjection() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            DAEMON_NAME,
            Slices.COUNT,
            slice -> ProjectionBehavior.create(projection(system, dataSource, slice)),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }

  public static ProjectionId projectionId(int slice) {
    return ProjectionId.of(NAME, Slices.tag(slice));
  }

  static GroupedProjection<Offset, EventEnvelope<Object>> projection(
      ActorSystem<?> system, DataSource dataSource, int slice) {
    String tag = Slices.tag(slice);
    SourceProvider<Offset, EventEnvelope<Object>> source =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag);
    Config grouping = system.settings().config().getConfig("bulwark.ledger-projection");
    return JdbcProjection.groupedWithin(
            projectionId(slice),
            source,
            () -> new DataSourceJdbcSession(dataSource),
            () -> new LedgerProjectionHandler(tag),
            system)
        .withGroup(
            grouping.getInt("group-after-envelopes"), grouping.getDuration("group-after-duration"))
        .withStatusObserver(new ProjectionTelemetry(NAME));
  }
}
