package io.bulwark.webhooks;

import static io.bulwark.webhooks.WebhookJdbc.at;
import static io.bulwark.webhooks.WebhookJdbc.instant;
import static io.bulwark.webhooks.WebhookJdbc.longOrNull;

import io.bulwark.webhooks.WebhookEndpoints.Recovery;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recover jobs: the dead letters of an endpoint since a time back to pending, and the messages it
 * never got a delivery for (it was disabled, or subscribed later) queued, in batches with progress.
 * Any node may run a job; one whose runner stopped is taken over once its heartbeat is stale.
 */
final class Recoveries {
  private static final Logger log = LoggerFactory.getLogger(Recoveries.class);

  static final Duration STALE = Duration.ofSeconds(30);
  static final int BATCH = 500;

  private static final String COLUMNS =
      "recovery_id, endpoint_id, since, state, total, done, created_at, finished_at";

  /** The dead letters the job sends again. Parameters: tenant, endpoint, since, after seq. */
  private static final String DEAD =
      "SELECT seq, message_id, TRUE AS dead FROM webhook_deliveries WHERE tenant_id = ?"
          + " AND endpoint_id = ? AND state = 'dead' AND created_at >= ? AND seq > ?";

  /** Messages without a delivery. Parameters: tenant, since, after seq, events, endpoint. */
  private static final String MISSING =
      "SELECT m.seq, m.message_id, FALSE AS dead FROM webhook_messages m WHERE m.tenant_id = ?"
          + " AND m.occurred_at >= ? AND m.seq > ? AND m.event_type = ANY (?) AND NOT EXISTS"
          + " (SELECT 1 FROM webhook_deliveries d WHERE d.tenant_id = m.tenant_id"
          + " AND d.endpoint_id = ? AND d.message_id = m.message_id)";

  private final DataSource dataSource;
  private final Clock clock;

  Recoveries(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  static Recovery insert(
      Connection c, String tenantId, String endpointId, Instant since, Instant now)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO webhook_recoveries (tenant_id, recovery_id, endpoint_id, since,"
                + " created_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING "
                + COLUMNS)) {
      s.setString(1, tenantId);
      s.setString(2, WebhookJdbc.randomId("wr_"));
      s.setString(3, endpointId);
      s.setObject(4, at(since));
      s.setObject(5, at(now));
      s.setObject(6, at(now));
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return row(rs);
      }
    }
  }

  /** A job of an endpoint that still exists. */
  static Optional<Recovery> get(Connection c, String tenantId, String endpointId, String id)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM webhook_recoveries r WHERE tenant_id = ? AND endpoint_id = ?"
                + " AND recovery_id = ? AND EXISTS (SELECT 1 FROM webhook_endpoints e"
                + " WHERE e.tenant_id = r.tenant_id AND e.endpoint_id = r.endpoint_id)")) {
      s.setString(1, tenantId);
      s.setString(2, endpointId);
      s.setString(3, id);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  private record Job(String tenantId, String id, String endpointId, Instant since) {}

  /** Works every job that is new or whose runner stopped, one at a time; how many it worked on. */
  int run() {
    Set<String> tried = new HashSet<>();
    int worked = 0;
    while (true) {
      Optional<Job> job;
      try {
        job = WebhookJdbc.transaction(dataSource, c -> claim(c, tried));
      } catch (SQLException e) {
        log.warn("Webhook recoveries could not be claimed: {}", e.getMessage());
        return worked;
      }
      if (job.isEmpty()) {
        return worked;
      }
      tried.add(job.get().id());
      worked++;
      try {
        work(job.get());
      } catch (SQLException e) {
        // Its heartbeat goes stale, and then this node or another takes the job over.
        log.warn("Webhook recovery {} stopped: {}", job.get().id(), e.getMessage());
      }
    }
  }

  /**
   * Takes one job by moving its heartbeat, and counts its work the first time. The row lock held
   * meanwhile, and the re-check of the condition when it is released, keep a second node off it.
   */
  private Optional<Job> claim(Connection c, Set<String> tried) throws SQLException {
    Instant now = clock.instant();
    Job job;
    Long total;
    Object[] events;
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT r.tenant_id, r.recovery_id, r.endpoint_id, r.since, r.total, e.events"
                + " FROM webhook_recoveries r LEFT JOIN webhook_endpoints e"
                + " ON e.tenant_id = r.tenant_id AND e.endpoint_id = r.endpoint_id"
                + " WHERE r.state = 'running' AND (r.total IS NULL OR r.heartbeat_at < ?)"
                + " AND NOT (r.recovery_id = ANY (?))"
                + " ORDER BY r.created_at LIMIT 1 FOR UPDATE OF r SKIP LOCKED")) {
      s.setObject(1, at(now.minus(STALE)));
      s.setArray(2, c.createArrayOf("text", tried.toArray()));
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        job =
            new Job(
                rs.getString("tenant_id"),
                rs.getString("recovery_id"),
                rs.getString("endpoint_id"),
                instant(rs, "since"));
        total = longOrNull(rs, "total");
        Array array = rs.getArray("events");
        events = array == null ? null : (Object[]) array.getArray();
      }
    }
    if (events == null) { // deleted meanwhile: nothing is left to queue
      finish(c, job, total == null ? 0L : total);
      return Optional.of(job);
    }
    if (total == null) {
      total = total(c, job, events);
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE webhook_recoveries SET total = ?, heartbeat_at = ?"
                + " WHERE tenant_id = ? AND recovery_id = ?")) {
      s.setLong(1, total);
      s.setObject(2, at(now));
      s.setString(3, job.tenantId());
      s.setString(4, job.id());
      s.executeUpdate();
    }
    return Optional.of(job);
  }

  private static long total(Connection c, Job job, Object[] events) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT (SELECT count(*) FROM ("
                + DEAD
                + ") a) + (SELECT count(*) FROM ("
                + MISSING
                + ") b)")) {
      bind(c, s, job, events, Long.MIN_VALUE);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Batches in journal order until nothing is left, then marks the job completed. */
  private void work(Job job) throws SQLException {
    long after = Long.MIN_VALUE;
    while (true) {
      long from = after;
      Long last = WebhookJdbc.transaction(dataSource, c -> batch(c, job, from));
      if (last == null) {
        return;
      }
      after = last;
    }
  }

  /** One batch: the highest seq it handled, or null when the job is over. */
  private Long batch(Connection c, Job job, long after) throws SQLException {
    Instant now = clock.instant();
    Object[] events = lockEndpoint(c, job);
    if (events == null) {
      finish(c, job, null);
      return null;
    }
    List<String> dead = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    long last = after;
    try (PreparedStatement s =
        c.prepareStatement(DEAD + " UNION ALL " + MISSING + " ORDER BY seq LIMIT " + BATCH)) {
      bind(c, s, job, events, after);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          last = rs.getLong("seq");
          (rs.getBoolean("dead") ? dead : missing).add(rs.getString("message_id"));
        }
      }
    }
    if (dead.isEmpty() && missing.isEmpty()) {
      finish(c, job, null);
      return null;
    }
    long n = 0;
    try (PreparedStatement s =
        c.prepareStatement(
            DeliveryRows.RESET
                + " WHERE tenant_id = ? AND endpoint_id = ? AND state = 'dead'"
                + " AND message_id = ANY (?)")) {
      s.setObject(1, at(now));
      s.setString(2, job.tenantId());
      s.setString(3, job.endpointId());
      s.setArray(4, c.createArrayOf("text", dead.toArray()));
      n += s.executeUpdate();
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO webhook_deliveries (tenant_id, endpoint_id, seq, message_id, account_id,"
                + " event_type, state, attempts, next_attempt_at) SELECT m.tenant_id, ?, m.seq,"
                + " m.message_id, m.account_id, m.event_type, 'pending', 0, ?"
                + " FROM webhook_messages m WHERE m.tenant_id = ? AND m.message_id = ANY (?)"
                + " ORDER BY m.seq ON CONFLICT DO NOTHING")) {
      s.setString(1, job.endpointId());
      s.setObject(2, at(now));
      s.setString(3, job.tenantId());
      s.setArray(4, c.createArrayOf("text", missing.toArray()));
      n += s.executeUpdate();
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE webhook_recoveries SET done = done + ?, heartbeat_at = ?"
                + " WHERE tenant_id = ? AND recovery_id = ? AND state = 'running'")) {
      s.setLong(1, n);
      s.setObject(2, at(now));
      s.setString(3, job.tenantId());
      s.setString(4, job.id());
      return s.executeUpdate() == 0 ? null : last;
    }
  }

  /**
   * The endpoint's events, with its row share-locked so that it cannot be deleted under a batch
   * (which would leave deliveries of no endpoint); null when it is gone.
   */
  private static Object[] lockEndpoint(Connection c, Job job) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT events FROM webhook_endpoints WHERE tenant_id = ? AND endpoint_id = ?"
                + " FOR SHARE")) {
      s.setString(1, job.tenantId());
      s.setString(2, job.endpointId());
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? (Object[]) rs.getArray(1).getArray() : null;
      }
    }
  }

  private void finish(Connection c, Job job, Long total) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE webhook_recoveries SET state = 'completed', finished_at = ?,"
                + " total = COALESCE(?, total, done) WHERE tenant_id = ? AND recovery_id = ?")) {
      s.setObject(1, at(clock.instant()));
      if (total == null) {
        s.setNull(2, Types.BIGINT);
      } else {
        s.setLong(2, total);
      }
      s.setString(3, job.tenantId());
      s.setString(4, job.id());
      s.executeUpdate();
    }
  }

  private static void bind(Connection c, PreparedStatement s, Job job, Object[] events, long after)
      throws SQLException {
    s.setString(1, job.tenantId());
    s.setString(2, job.endpointId());
    s.setObject(3, at(job.since()));
    s.setLong(4, after);
    s.setString(5, job.tenantId());
    s.setObject(6, at(job.since()));
    s.setLong(7, after);
    s.setArray(8, c.createArrayOf("text", events));
    s.setString(9, job.endpointId());
  }

  private static Recovery row(ResultSet rs) throws SQLException {
    return new Recovery(
        rs.getString("recovery_id"),
        rs.getString("endpoint_id"),
        rs.getString("state"),
        longOrNull(rs, "total"),
        rs.getLong("done"),
        instant(rs, "since"),
        instant(rs, "created_at"),
        instant(rs, "finished_at"));
  }
}
