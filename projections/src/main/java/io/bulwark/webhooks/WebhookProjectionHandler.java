package io.bulwark.webhooks;

import io.bulwark.deadletters.DeadLetters;
import io.bulwark.deadletters.ProjectionWriter;
import io.bulwark.projections.DataSourceJdbcSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;

/**
 * Writes the outbox rows of a group of committed events, in the projection's transaction with its
 * offset (ADR 0023): one webhook_messages row per event a webhook can carry, and one pending
 * webhook_deliveries row per enabled endpoint of the tenant subscribed to its type. Idempotent: a
 * redelivered event meets its own rows and inserts nothing. An event that cannot be written is
 * parked rather than stopping the partition ({@link DeadLetters}).
 */
public final class WebhookProjectionHandler
    extends JdbcHandler<List<EventEnvelope<Object>>, DataSourceJdbcSession> {

  /** The outbox writes, also used to replay parked events (ADR 0025). */
  public static final ProjectionWriter WRITER =
      connection ->
          new ProjectionWriter.Batch() {
            private final List<WebhookMessage> messages = new ArrayList<>();

            @Override
            public void apply(EventEnvelope<Object> envelope) {
              long ordering = ((Sequence) envelope.offset()).value();
              WebhookMessage.of(
                      envelope.event(), envelope.persistenceId(), envelope.sequenceNr(), ordering)
                  .ifPresent(messages::add);
            }

            @Override
            public void finish() throws SQLException {
              if (!messages.isEmpty()) {
                OutboxWriter.write(connection, messages);
              }
            }
          };

  private final DeadLetters deadLetters;

  public WebhookProjectionHandler(String key) {
    this.deadLetters = DeadLetters.standard(WebhookProjection.NAME, key, WRITER);
  }

  @Override
  public void process(DataSourceJdbcSession session, List<EventEnvelope<Object>> envelopes)
      throws Exception {
    session.<Void>withConnection(
        connection -> {
          deadLetters.process(connection, envelopes);
          return null;
        });
  }

  /** The two inserts, batched; shared with the gap check, which writes what the stream skipped. */
  static final class OutboxWriter {
    private static final String INSERT_MESSAGE =
        "INSERT INTO webhook_messages (tenant_id, message_id, seq, partition_no, persistence_id,"
            + " seq_nr, event_type, account_id, payload, request_id, trace_id, occurred_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

    private static final String INSERT_DELIVERIES =
        "INSERT INTO webhook_deliveries (tenant_id, endpoint_id, seq, message_id, account_id,"
            + " event_type, state, attempts, next_attempt_at)"
            + " SELECT e.tenant_id, e.endpoint_id, ?, ?, ?, ?, 'pending', 0, now()"
            + " FROM webhook_endpoints e"
            + " WHERE e.tenant_id = ? AND e.enabled AND ? = ANY (e.events)"
            + " ON CONFLICT DO NOTHING";

    private OutboxWriter() {}

    static void write(Connection connection, List<WebhookMessage> messages) throws SQLException {
      try (PreparedStatement insert = connection.prepareStatement(INSERT_MESSAGE);
          PreparedStatement fanOut = connection.prepareStatement(INSERT_DELIVERIES)) {
        for (var m : messages) {
          insert.setString(1, m.tenantId());
          insert.setString(2, m.messageId());
          insert.setLong(3, m.seq());
          insert.setInt(4, m.partition());
          insert.setString(5, m.persistenceId());
          insert.setLong(6, m.seqNr());
          insert.setString(7, m.type().wireName());
          insert.setString(8, m.accountId());
          insert.setString(9, m.payload());
          insert.setString(10, m.requestId());
          insert.setString(11, m.traceId());
          insert.setTimestamp(12, Timestamp.from(m.occurredAt()));
          insert.addBatch();
          fanOut.setLong(1, m.seq());
          fanOut.setString(2, m.messageId());
          fanOut.setString(3, m.accountId());
          fanOut.setString(4, m.type().wireName());
          fanOut.setString(5, m.tenantId());
          fanOut.setString(6, m.type().wireName());
          fanOut.addBatch();
        }
        insert.executeBatch();
        fanOut.executeBatch();
      }
    }
  }
}
