package io.bulwark.webhooks;

import static io.bulwark.webhooks.WebhookJdbc.at;
import static io.bulwark.webhooks.WebhookJdbc.instant;

import io.bulwark.webhooks.WebhookEndpoints.Endpoint;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of webhook_endpoints. No statement here ever returns a secret column: what leaves this
 * class is the endpoint's settings; secrets only go in, sealed.
 */
final class EndpointRows {
  private static final String COLUMNS =
      "tenant_id, endpoint_id, url, events, enabled, disabled_reason, created_at, updated_at,"
          + " previous_secret_until";
  private static final String BY_ID = " WHERE tenant_id = ? AND endpoint_id = ?";

  private EndpointRows() {}

  /**
   * Serializes the creations of one tenant, so that two at once cannot both see room for one more
   * endpoint; the lock goes with the transaction.
   */
  static void lockTenant(Connection c, String tenantId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT pg_advisory_xact_lock(hashtext('webhook_endpoints'), hashtext(?))")) {
      s.setString(1, tenantId);
      s.executeQuery().close();
    }
  }

  static int count(Connection c, String tenantId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT count(*) FROM webhook_endpoints WHERE tenant_id = ?")) {
      s.setString(1, tenantId);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  static Endpoint insert(
      Connection c,
      String tenantId,
      String id,
      String url,
      List<EventType> events,
      byte[] sealedSecret,
      Instant now)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO webhook_endpoints (tenant_id, endpoint_id, url, events, enabled, secret,"
                + " created_at, updated_at) VALUES (?, ?, ?, ?, TRUE, ?, ?, ?) RETURNING "
                + COLUMNS)) {
      s.setString(1, tenantId);
      s.setString(2, id);
      s.setString(3, url);
      s.setArray(4, names(c, events));
      s.setBytes(5, sealedSecret);
      s.setObject(6, at(now));
      s.setObject(7, at(now));
      return one(s).orElseThrow();
    }
  }

  static List<Endpoint> list(Connection c, String tenantId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM webhook_endpoints WHERE tenant_id = ? ORDER BY created_at, endpoint_id")) {
      s.setString(1, tenantId);
      List<Endpoint> endpoints = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          endpoints.add(row(rs));
        }
      }
      return List.copyOf(endpoints);
    }
  }

  static Optional<Endpoint> get(Connection c, String tenantId, String id) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT " + COLUMNS + " FROM webhook_endpoints" + BY_ID)) {
      s.setString(1, tenantId);
      s.setString(2, id);
      return one(s);
    }
  }

  static boolean exists(Connection c, String tenantId, String id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM webhook_endpoints" + BY_ID)) {
      s.setString(1, tenantId);
      s.setString(2, id);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Changes what is given; {@code enabled} also sets or clears why the endpoint is disabled. */
  static Optional<Endpoint> update(
      Connection c,
      String tenantId,
      String id,
      Optional<String> url,
      Optional<List<EventType>> events,
      Optional<Boolean> enabled,
      Instant now)
      throws SQLException {
    var set = new StringBuilder("updated_at = ?");
    url.ifPresent(u -> set.append(", url = ?"));
    events.ifPresent(e -> set.append(", events = ?"));
    enabled.ifPresent(
        on ->
            set.append(
                on
                    ? ", enabled = TRUE, disabled_reason = NULL"
                    : ", enabled = FALSE, disabled_reason = 'disabled'"));
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE webhook_endpoints SET " + set + BY_ID + " RETURNING " + COLUMNS)) {
      int i = 1;
      s.setObject(i++, at(now));
      if (url.isPresent()) {
        s.setString(i++, url.get());
      }
      if (events.isPresent()) {
        s.setArray(i++, names(c, events.get()));
      }
      s.setString(i++, tenantId);
      s.setString(i, id);
      return one(s);
    }
  }

  /**
   * The current secret becomes the previous one, which signs too until {@code previousUntil}, so
   * receivers can switch without rejecting a delivery.
   */
  static Optional<Endpoint> rotate(
      Connection c,
      String tenantId,
      String id,
      byte[] sealedSecret,
      Instant previousUntil,
      Instant now)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = ?,"
                + " secret = ?, updated_at = ?"
                + BY_ID
                + " RETURNING "
                + COLUMNS)) {
      s.setObject(1, at(previousUntil));
      s.setBytes(2, sealedSecret);
      s.setObject(3, at(now));
      s.setString(4, tenantId);
      s.setString(5, id);
      return one(s);
    }
  }

  /**
   * Removes the endpoint and its queue. Recovery rows are kept as a record (the node's role may not
   * delete them); a running one is finished, so no runner refills a queue that is gone.
   */
  static boolean delete(Connection c, String tenantId, String id, Instant now) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("DELETE FROM webhook_endpoints" + BY_ID)) {
      s.setString(1, tenantId);
      s.setString(2, id);
      if (s.executeUpdate() == 0) {
        return false;
      }
    }
    try (PreparedStatement s = c.prepareStatement("DELETE FROM webhook_deliveries" + BY_ID)) {
      s.setString(1, tenantId);
      s.setString(2, id);
      s.executeUpdate();
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE webhook_recoveries SET state = 'completed', finished_at = ?"
                + BY_ID
                + " AND state = 'running'")) {
      s.setObject(1, at(now));
      s.setString(2, tenantId);
      s.setString(3, id);
      s.executeUpdate();
    }
    return true;
  }

  static Array names(Connection c, List<EventType> events) throws SQLException {
    return c.createArrayOf("text", events.stream().map(EventType::wireName).toArray());
  }

  private static Optional<Endpoint> one(PreparedStatement s) throws SQLException {
    try (ResultSet rs = s.executeQuery()) {
      return rs.next() ? Optional.of(row(rs)) : Optional.empty();
    }
  }

  private static Endpoint row(ResultSet rs) throws SQLException {
    List<EventType> events = new ArrayList<>();
    for (Object name : (Object[]) rs.getArray("events").getArray()) {
      events.add(
          EventType.parse((String) name)
              .orElseThrow(() -> new IllegalStateException("unknown event type " + name)));
    }
    return new Endpoint(
        rs.getString("tenant_id"),
        rs.getString("endpoint_id"),
        rs.getString("url"),
        List.copyOf(events),
        rs.getBoolean("enabled"),
        rs.getString("disabled_reason"),
        instant(rs, "created_at"),
        instant(rs, "updated_at"),
        instant(rs, "previous_secret_until"));
  }
}
