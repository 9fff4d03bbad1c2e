package io.bulwark.testing;

import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/**
 * Rows of the webhook tables written as the delivery side would, for tests of what operators see
 * and do: a message, and a delivery of it to an endpoint in a given state. Exported in the
 * test-jar.
 */
public final class WebhookTables {
  private final Sql sql;

  public WebhookTables(DataSource dataSource) {
    this.sql = new Sql(dataSource);
  }

  /** A message of {@code tenantId}; its webhook id is {@code "msg_" + seq}. */
  public String message(String tenantId, long seq, String eventType, String accountId, Instant at)
      throws SQLException {
    String id = "msg_" + seq;
    sql.update(
        "INSERT INTO webhook_messages (tenant_id, message_id, seq, partition_no, persistence_id,"
            + " seq_nr, event_type, account_id, payload, occurred_at)"
            + " VALUES (?, ?, ?, 0, ?, ?, ?, ?, '{}', ?)",
        tenantId,
        id,
        seq,
        "Webhook|" + tenantId + "|" + seq,
        seq,
        eventType,
        accountId,
        OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
    return id;
  }

  /**
   * The message {@code seq} (written first) and its delivery to {@code endpointId} in {@code
   * state}, made at {@code at}, with the columns the dispatcher would have set for that state.
   */
  public String delivery(
      String tenantId,
      String endpointId,
      long seq,
      String eventType,
      String accountId,
      String state,
      Instant at)
      throws SQLException {
    String id = message(tenantId, seq, eventType, accountId, at);
    var time = OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    boolean tried = !state.equals("pending");
    sql.update(
        "INSERT INTO webhook_deliveries (tenant_id, endpoint_id, seq, message_id, account_id,"
            + " event_type, state, attempts, next_attempt_at, lease_owner, lease_until,"
            + " last_attempt_at, last_status, last_error, delivered_at, dead_at, created_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        tenantId,
        endpointId,
        seq,
        id,
        accountId,
        eventType,
        state,
        tried ? 8 : 0,
        time,
        state.equals("dead") ? "node-1" : null,
        state.equals("dead") ? time : null,
        tried ? time : null,
        tried ? (state.equals("dead") ? 500 : 200) : null,
        state.equals("dead") ? "HTTP 500" : null,
        state.equals("delivered") ? time : null,
        state.equals("dead") ? time : null,
        time);
    return id;
  }
}
