package io.bulwark.webhooks;

import static io.bulwark.webhooks.WebhookJdbc.at;
import static io.bulwark.webhooks.WebhookJdbc.instant;
import static io.bulwark.webhooks.WebhookJdbc.integerOrNull;

import io.bulwark.readmodel.InvalidCursorException;
import io.bulwark.webhooks.WebhookEndpoints.Delivery;
import io.bulwark.webhooks.WebhookEndpoints.DeliveryPage;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The SQL of one endpoint's queues as an operator sees them. "parked" is not stored: it is a
 * pending row with a dead letter ahead of it in its (endpoint, account) queue, which the dispatcher
 * never claims until that dead letter is sent again.
 */
final class DeliveryRows {
  private static final String DEAD_AHEAD =
      "EXISTS (SELECT 1 FROM webhook_deliveries h WHERE h.tenant_id = d.tenant_id"
          + " AND h.endpoint_id = d.endpoint_id AND h.account_id = d.account_id"
          + " AND h.state = 'dead' AND h.seq < d.seq)";
  private static final String SELECT =
      "SELECT d.message_id, d.seq, d.event_type, d.account_id, CASE WHEN d.state = 'pending' AND "
          + DEAD_AHEAD
          + " THEN 'parked' ELSE d.state END AS shown, d.attempts, d.next_attempt_at,"
          + " d.last_attempt_at, d.last_status, d.last_error, d.delivered_at, d.dead_at,"
          + " d.created_at FROM webhook_deliveries d WHERE d.tenant_id = ? AND d.endpoint_id = ?";

  /** Back into its queue as if new; the queue's order does the rest. */
  static final String RESET =
      "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?,"
          + " lease_owner = NULL, lease_until = NULL, dead_at = NULL, delivered_at = NULL";

  /** Newest first, and the dead letters oldest first: each list has cursors of its own. */
  private static final String NEWEST = "wd";

  private static final String QUEUE = "wq";
  private static final Pattern CURSOR = Pattern.compile("^(w[dq])(0|[1-9][0-9]{0,18})$");

  private DeliveryRows() {}

  static DeliveryPage newestFirst(
      Connection c,
      String tenantId,
      String endpointId,
      Optional<String> state,
      int limit,
      Optional<String> cursor)
      throws SQLException {
    Long before = cursor.map(raw -> decode(raw, NEWEST)).orElse(null);
    String filter =
        state
            .map(
                s ->
                    switch (s) {
                      case "pending" -> " AND d.state = 'pending' AND NOT " + DEAD_AHEAD;
                      case "parked" -> " AND d.state = 'pending' AND " + DEAD_AHEAD;
                      case "delivered" -> " AND d.state = 'delivered'";
                      case "dead" -> " AND d.state = 'dead'";
                      default -> throw new IllegalArgumentException("no delivery state " + s);
                    })
            .orElse("");
    String sql =
        SELECT + filter + (before != null ? " AND d.seq < ?" : "") + " ORDER BY d.seq DESC LIMIT ?";
    return page(c, sql, tenantId, endpointId, before, limit, NEWEST);
  }

  static DeliveryPage deadInQueueOrder(
      Connection c, String tenantId, String endpointId, int limit, Optional<String> cursor)
      throws SQLException {
    Long after = cursor.map(raw -> decode(raw, QUEUE)).orElse(null);
    String sql =
        SELECT
            + " AND d.state = 'dead'"
            + (after != null ? " AND d.seq > ?" : "")
            + " ORDER BY d.seq LIMIT ?";
    return page(c, sql, tenantId, endpointId, after, limit, QUEUE);
  }

  static Optional<Delivery> get(Connection c, String tenantId, String endpointId, String webhookId)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(SELECT + " AND d.message_id = ?")) {
      s.setString(1, tenantId);
      s.setString(2, endpointId);
      s.setString(3, webhookId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  /** One delivery, whatever its state, back to pending; false when there is none. */
  static boolean resend(
      Connection c, String tenantId, String endpointId, String webhookId, Instant now)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(RESET + " WHERE tenant_id = ? AND endpoint_id = ? AND message_id = ?")) {
      s.setObject(1, at(now));
      s.setString(2, tenantId);
      s.setString(3, endpointId);
      s.setString(4, webhookId);
      return s.executeUpdate() > 0;
    }
  }

  /** Every dead letter of the endpoint back to pending; how many. */
  static long replay(Connection c, String tenantId, String endpointId, Instant now)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(RESET + " WHERE tenant_id = ? AND endpoint_id = ? AND state = 'dead'")) {
      s.setObject(1, at(now));
      s.setString(2, tenantId);
      s.setString(3, endpointId);
      return s.executeLargeUpdate();
    }
  }

  private static DeliveryPage page(
      Connection c,
      String sql,
      String tenantId,
      String endpointId,
      Long from,
      int limit,
      String list)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      int i = 1;
      s.setString(i++, tenantId);
      s.setString(i++, endpointId);
      if (from != null) {
        s.setLong(i++, from);
      }
      s.setInt(i, limit + 1);
      List<Delivery> items = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          items.add(row(rs));
        }
      }
      String next = null;
      if (items.size() > limit) {
        items = items.subList(0, limit);
        next = encode(list, items.get(limit - 1).seq());
      }
      return new DeliveryPage(List.copyOf(items), next);
    }
  }

  private static Delivery row(ResultSet rs) throws SQLException {
    String state = rs.getString("shown");
    return new Delivery(
        rs.getString("message_id"),
        rs.getLong("seq"),
        rs.getString("event_type"),
        rs.getString("account_id"),
        state,
        rs.getInt("attempts"),
        // a parked row has a time in the table, but it will not be tried then
        state.equals("pending") ? instant(rs, "next_attempt_at") : null,
        instant(rs, "last_attempt_at"),
        integerOrNull(rs, "last_status"),
        rs.getString("last_error"),
        instant(rs, "delivered_at"),
        instant(rs, "dead_at"),
        instant(rs, "created_at"));
  }

  private static String encode(String list, long seq) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((list + seq).getBytes(StandardCharsets.US_ASCII));
  }

  private static long decode(String cursor, String list) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
      var m = CURSOR.matcher(raw);
      if (cursor.length() <= 40 && m.matches() && m.group(1).equals(list)) {
        return Long.parseLong(m.group(2));
      }
    } catch (IllegalArgumentException e) {
      // falls through to the refusal
    }
    throw new InvalidCursorException("The cursor is not one this list returned.");
  }
}
