package io.bulwark.webhooks;

import io.bulwark.deadletters.DeadLetters;
import io.bulwark.domain.WebhookTags;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox's housekeeping, run by the dispatcher's schedule on projections nodes.
 *
 * <p>The gap check: live eventsByTag gives up waiting for a gap in the journal's ordering after
 * about ten seconds, so an event whose transaction committed later than that is never read by the
 * projection. This reads the journal itself behind the projection's offset and writes the outbox
 * rows of every webhook event that has none (ADR 0023). Such an event is delivered late, possibly
 * after later events of its account: the one case where order is not kept, and it is logged.
 *
 * <p>Retention: delivered deliveries and messages older than the retention go; undelivered ones
 * stay whatever their age, unless their endpoint is gone.
 */
public final class WebhookMaintenance {
  private static final Logger log = LoggerFactory.getLogger(WebhookMaintenance.class);

  /** How far behind the offset a first check looks; later checks start where the last ended. */
  static final long FIRST_WINDOW = 100_000;

  /** How far before the last checked offset a check looks again, for commits later still. */
  static final long OVERLAP = 10_000;

  private static final String OFFSET =
      "SELECT current_offset FROM pekko_projection_offset_store"
          + " WHERE projection_name = ? AND projection_key = ?";
  private static final String MISSING =
      "SELECT j.ordering, j.persistence_id, j.sequence_number, j.event_ser_id,"
          + " j.event_ser_manifest, j.event_payload FROM event_tag t"
          + " JOIN event_journal j ON j.ordering = t.event_id"
          + " WHERE t.tag = ? AND t.event_id > ? AND t.event_id <= ? AND NOT j.deleted"
          + " AND NOT EXISTS (SELECT 1 FROM webhook_messages m"
          + " WHERE m.persistence_id = j.persistence_id AND m.seq_nr = j.sequence_number)"
          + " AND NOT EXISTS (SELECT 1 FROM projection_dead_letters p"
          + " WHERE p.projection = 'webhooks' AND p.persistence_id = j.persistence_id"
          + " AND p.seq_nr = j.sequence_number)"
          + " ORDER BY j.ordering";
  private static final String DEAD_BY_TENANT =
      "SELECT tenant_id, count(*) FROM webhook_deliveries WHERE state = 'dead' GROUP BY tenant_id";
  private static final String EXPIRE_DELIVERIES =
      "DELETE FROM webhook_deliveries WHERE ctid = ANY (ARRAY(SELECT ctid FROM webhook_deliveries"
          + " WHERE state = 'delivered' AND delivered_at < now() - ? * interval '1 day'"
          + " LIMIT 10000))";
  private static final String EXPIRE_MESSAGES =
      "DELETE FROM webhook_messages m WHERE ctid = ANY (ARRAY(SELECT ctid FROM webhook_messages x"
          + " WHERE x.occurred_at < now() - ? * interval '1 day' AND NOT EXISTS (SELECT 1 FROM"
          + " webhook_deliveries d WHERE d.tenant_id = x.tenant_id AND d.message_id = x.message_id)"
          + " LIMIT 10000))";

  // A delivery the projection queued for an endpoint deleted in the same instant: never sendable.
  private static final String EXPIRE_ORPHANS =
      "DELETE FROM webhook_deliveries d WHERE ctid = ANY (ARRAY(SELECT ctid FROM"
          + " webhook_deliveries x WHERE NOT EXISTS (SELECT 1 FROM webhook_endpoints e"
          + " WHERE e.tenant_id = x.tenant_id AND e.endpoint_id = x.endpoint_id) LIMIT 10000))";

  private final DataSource dataSource;
  private final Serialization serialization;
  private final int retentionDays;
  private final Map<Integer, Long> checkedUpTo = new HashMap<>();

  public WebhookMaintenance(ActorSystem<?> system, DataSource dataSource, int retentionDays) {
    this.dataSource = dataSource;
    // null: only retention and counts, no gap check (tests of those)
    this.serialization = system == null ? null : SerializationExtension.get(system);
    this.retentionDays = retentionDays;
  }

  /** Writes the outbox rows of skipped events; returns how many were found. */
  public int checkGaps() {
    int found = 0;
    for (int partition = 0; partition < WebhookTags.COUNT; partition++) {
      try {
        found += checkGaps(partition);
      } catch (Exception e) {
        throw new IllegalStateException("the webhook gap check failed: " + e.getMessage(), e);
      }
    }
    return found;
  }

  private int checkGaps(int partition) throws Exception {
    try (Connection c = dataSource.getConnection()) {
      Long offset = offset(c, partition);
      if (offset == null) {
        return 0; // the projection has not stored an offset yet: nothing lies behind it
      }
      long from = Math.max(0, checkedUpTo.getOrDefault(partition, offset - FIRST_WINDOW) - OVERLAP);
      var skipped = new ArrayList<WebhookMessage>();
      var envelopes = new ArrayList<EventEnvelope<Object>>();
      try (PreparedStatement s = c.prepareStatement(MISSING)) {
        s.setString(1, WebhookTags.tag(partition));
        s.setLong(2, from);
        s.setLong(3, offset);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            Object event =
                serialization.deserialize(r.getBytes(6), r.getInt(4), r.getString(5)).get();
            envelopes.add(
                EventEnvelope.create(
                    Offset.sequence(r.getLong(1)), r.getString(2), r.getLong(3), event, 0L));
            WebhookMessage.of(event, r.getString(2), r.getLong(3), r.getLong(1))
                .ifPresent(skipped::add);
          }
        }
      }
      if (!skipped.isEmpty()) {
        // As the projection writes them: an event that fails is parked, and one of an entity
        // with parked events waits behind them, rather than failing or overtaking them (ADR 0025).
        c.setAutoCommit(false);
        DeadLetters.standard(
                WebhookProjection.NAME, WebhookTags.tag(partition), WebhookProjectionHandler.WRITER)
            .process(c, envelopes);
        c.commit();
        WebhookTelemetry.gapEventsFound(skipped.size());
        log.warn(
            "Found {} webhook event(s) of {} that the projection skipped (committed late in the"
                + " journal); their deliveries are queued now, possibly after later ones: {}",
            skipped.size(),
            WebhookTags.tag(partition),
            skipped.stream().map(WebhookMessage::messageId).limit(10).toList());
      }
      checkedUpTo.put(partition, offset);
      return skipped.size();
    }
  }

  /** Dead letters per tenant, for the gauge. */
  public Map<String, Long> deadLettersByTenant() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(DEAD_BY_TENANT);
        ResultSet r = s.executeQuery()) {
      var counts = new HashMap<String, Long>();
      while (r.next()) {
        counts.put(r.getString(1), r.getLong(2));
      }
      return counts;
    } catch (SQLException e) {
      throw new IllegalStateException("dead letters cannot be counted: " + e.getMessage(), e);
    }
  }

  /** Removes what the retention lets go, in bounded batches; returns the rows removed. */
  public int expire() {
    int removed = 0;
    try (Connection c = dataSource.getConnection()) {
      for (String sql : List.of(EXPIRE_DELIVERIES, EXPIRE_MESSAGES)) {
        try (PreparedStatement s = c.prepareStatement(sql)) {
          s.setInt(1, retentionDays);
          removed += s.executeUpdate();
        }
      }
      try (PreparedStatement s = c.prepareStatement(EXPIRE_ORPHANS)) {
        removed += s.executeUpdate();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("webhook retention failed: " + e.getMessage(), e);
    }
    return removed;
  }

  private static Long offset(Connection c, int partition) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(OFFSET)) {
      s.setString(1, WebhookProjection.NAME);
      s.setString(2, WebhookTags.tag(partition));
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? Long.parseLong(r.getString(1)) : null;
      }
    }
  }
}
