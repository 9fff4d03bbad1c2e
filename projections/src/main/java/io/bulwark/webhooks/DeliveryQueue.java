package io.bulwark.webhooks;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The deliveries' queues in webhook_deliveries (ADR 0023). Only the head of an (endpoint, account)
 * queue is ever due: a row waits while an earlier row of its queue is undelivered, in flight or
 * dead (then it is parked). A claim is a lease: another node may take the row only after it lapses,
 * and an outcome is written only by the lease's owner, so a node that lost its lease cannot
 * overwrite.
 */
public final class DeliveryQueue {
  /** A due head, before it is claimed. */
  public record Head(String tenantId, String endpointId, long seq) {
    public String endpointKey() {
      return tenantId + "/" + endpointId;
    }
  }

  /** A claimed delivery, with what sending it needs. */
  public record Claimed(
      String tenantId,
      String endpointId,
      long seq,
      String messageId,
      String eventType,
      int attempts,
      String payload,
      String requestId,
      String traceId,
      Instant occurredAt,
      URI url,
      List<byte[]> sealedSecrets) {
    public String endpointKey() {
      return tenantId + "/" + endpointId;
    }
  }

  private static final String DUE =
      "SELECT d.tenant_id, d.endpoint_id, d.seq FROM webhook_deliveries d"
          + " JOIN webhook_endpoints e ON e.tenant_id = d.tenant_id AND e.endpoint_id = d.endpoint_id"
          + " WHERE d.state = 'pending' AND d.next_attempt_at <= now()"
          + " AND (d.lease_until IS NULL OR d.lease_until < now()) AND e.enabled"
          + " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.tenant_id = d.tenant_id"
          + " AND p.endpoint_id = d.endpoint_id AND p.account_id = d.account_id"
          + " AND p.state <> 'delivered' AND p.seq < d.seq)"
          + " ORDER BY d.next_attempt_at LIMIT ?";

  private static final String CLAIM =
      "UPDATE webhook_deliveries d SET lease_owner = ?, lease_until = now() + ? * interval '1"
          + " millisecond', attempts = d.attempts + 1, last_attempt_at = now()"
          + " FROM webhook_messages m, webhook_endpoints e,"
          + " unnest(?::text[], ?::text[], ?::bigint[]) AS k(tenant_id, endpoint_id, seq)"
          + " WHERE d.tenant_id = k.tenant_id AND d.endpoint_id = k.endpoint_id AND d.seq = k.seq"
          + " AND d.state = 'pending' AND (d.lease_until IS NULL OR d.lease_until < now())"
          + " AND m.tenant_id = d.tenant_id AND m.message_id = d.message_id"
          + " AND e.tenant_id = d.tenant_id AND e.endpoint_id = d.endpoint_id AND e.enabled"
          + " RETURNING d.tenant_id, d.endpoint_id, d.seq, d.message_id, d.event_type, d.attempts,"
          + " m.payload, m.request_id, m.trace_id, m.occurred_at, e.url, e.secret,"
          + " CASE WHEN e.previous_secret_until > now() THEN e.previous_secret END";

  private static final String KEY_AND_LEASE =
      " WHERE tenant_id = ? AND endpoint_id = ? AND seq = ? AND lease_owner = ?";

  private static final String DELIVERED =
      "UPDATE webhook_deliveries SET state = 'delivered', delivered_at = now(), last_status = ?,"
          + " last_error = NULL, lease_owner = NULL, lease_until = NULL"
          + KEY_AND_LEASE;

  private static final String RETRY =
      "UPDATE webhook_deliveries SET next_attempt_at = now() + ? * interval '1 millisecond',"
          + " last_status = ?, last_error = ?, lease_owner = NULL, lease_until = NULL"
          + KEY_AND_LEASE;

  private static final String DEAD =
      "UPDATE webhook_deliveries SET state = 'dead', dead_at = now(), last_status = ?,"
          + " last_error = ?, lease_owner = NULL, lease_until = NULL"
          + KEY_AND_LEASE;

  private static final String UNCLAIM =
      "UPDATE webhook_deliveries SET attempts = attempts - 1, lease_owner = NULL,"
          + " lease_until = NULL"
          + KEY_AND_LEASE;

  private static final String GONE =
      "UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = 'gone', updated_at = now()"
          + " WHERE tenant_id = ? AND endpoint_id = ? AND enabled";

  private final DataSource dataSource;
  private final String owner;

  public DeliveryQueue(DataSource dataSource, String owner) {
    this.dataSource = dataSource;
    this.owner = owner;
  }

  /** Up to {@code limit} due heads, the longest-waiting first. */
  public List<Head> due(int limit) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(DUE)) {
      s.setInt(1, limit);
      var heads = new ArrayList<Head>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          heads.add(new Head(r.getString(1), r.getString(2), r.getLong(3)));
        }
      }
      return heads;
    }
  }

  /** Leases {@code heads}; those another node took meanwhile are not returned. */
  public List<Claimed> claim(List<Head> heads, Duration lease) throws SQLException {
    if (heads.isEmpty()) {
      return List.of();
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(CLAIM)) {
      s.setString(1, owner);
      s.setLong(2, lease.toMillis());
      s.setArray(3, c.createArrayOf("text", heads.stream().map(Head::tenantId).toArray()));
      s.setArray(4, c.createArrayOf("text", heads.stream().map(Head::endpointId).toArray()));
      s.setArray(5, c.createArrayOf("bigint", heads.stream().map(Head::seq).toArray()));
      var claimed = new ArrayList<Claimed>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          var secrets = new ArrayList<byte[]>();
          secrets.add(r.getBytes(12));
          byte[] previous = r.getBytes(13);
          if (previous != null) {
            secrets.add(previous);
          }
          claimed.add(
              new Claimed(
                  r.getString(1),
                  r.getString(2),
                  r.getLong(3),
                  r.getString(4),
                  r.getString(5),
                  r.getInt(6),
                  r.getString(7),
                  r.getString(8),
                  r.getString(9),
                  r.getTimestamp(10).toInstant(),
                  URI.create(r.getString(11)),
                  secrets));
        }
      }
      return claimed;
    }
  }

  public void delivered(Claimed d, int status) throws SQLException {
    update(DELIVERED, d, s -> s.setInt(1, status));
  }

  public void retry(Claimed d, Duration wait, Attempt attempt) throws SQLException {
    update(
        RETRY,
        d,
        s -> {
          s.setLong(1, wait.toMillis());
          setStatus(s, 2, attempt.status());
          s.setString(3, attempt.error());
        });
  }

  public void dead(Claimed d, Attempt attempt) throws SQLException {
    update(
        DEAD,
        d,
        s -> {
          setStatus(s, 1, attempt.status());
          s.setString(2, attempt.error());
        });
  }

  /** Gives back a claim that was never attempted (its breaker opened meanwhile). */
  public void unclaim(Claimed d) throws SQLException {
    update(UNCLAIM, d, s -> {});
  }

  /** A receiver answered 410: its endpoint stops until someone enables it again. */
  public boolean disableGone(String tenantId, String endpointId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(GONE)) {
      s.setString(1, tenantId);
      s.setString(2, endpointId);
      return s.executeUpdate() == 1;
    }
  }

  private interface Binder {
    /** Binds the statement's leading parameters; the key and lease follow them. */
    void bind(PreparedStatement s) throws SQLException;
  }

  private void update(String sql, Claimed d, Binder binder) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      binder.bind(s);
      int first = (int) sql.chars().filter(ch -> ch == '?').count() - 3;
      s.setString(first, d.tenantId());
      s.setString(first + 1, d.endpointId());
      s.setLong(first + 2, d.seq());
      s.setString(first + 3, owner);
      s.executeUpdate();
    }
  }

  private static void setStatus(PreparedStatement s, int index, Integer status)
      throws SQLException {
    if (status == null) {
      s.setNull(index, java.sql.Types.INTEGER);
    } else {
      s.setInt(index, status);
    }
  }
}
