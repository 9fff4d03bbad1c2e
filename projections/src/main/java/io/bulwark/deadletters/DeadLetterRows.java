package io.bulwark.deadletters;

import io.bulwark.domain.Ids;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.eventsourced.EventEnvelope;

/** The SQL of projection_dead_letters (V8): parking, the per-entity lock, and what is parked. */
final class DeadLetterRows {
  private static final String PARK =
      "INSERT INTO projection_dead_letters (projection, persistence_id, seq_nr, tenant_id,"
          + " projection_key, journal_offset, event_type, state, error, sql_state, attempts,"
          + " first_attempt_at, last_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (projection, persistence_id, seq_nr) DO UPDATE SET"
          + " state = EXCLUDED.state, error = EXCLUDED.error, sql_state = EXCLUDED.sql_state,"
          + " attempts = projection_dead_letters.attempts + EXCLUDED.attempts,"
          + " last_attempt_at = EXCLUDED.last_attempt_at";

  private static final String PARKED_ENTITIES =
      "SELECT DISTINCT persistence_id FROM projection_dead_letters"
          + " WHERE projection = ? AND projection_key = ?";

  private static final String HAS_PARKED =
      "SELECT 1 FROM projection_dead_letters WHERE projection = ? AND persistence_id = ? LIMIT 1";

  // Transaction-scoped, so a crash or rollback can never leave it held.
  private static final String LOCK_ENTITY =
      "SELECT pg_advisory_xact_lock(hashtextextended(? || '|' || ?, 0))";

  private DeadLetterRows() {}

  /**
   * The tenant of an entity from its persistence id: {@code Account|acme/alice} or {@code
   * Tenant|acme}. Ids never hold the separators, so this needs no event.
   */
  static String tenantOf(String persistenceId) {
    String entityId = persistenceId.substring(persistenceId.indexOf('|') + 1);
    return entityId.indexOf(Ids.SEPARATOR) >= 0 ? Ids.tenantOf(entityId) : entityId;
  }

  static long offsetOf(EventEnvelope<Object> envelope) {
    return envelope.offset() instanceof Sequence s ? s.value() : 0L;
  }

  static String eventType(Object event) {
    return event == null ? "null" : event.getClass().getSimpleName();
  }

  static void park(Connection c, DeadLetter row) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(PARK)) {
      s.setString(1, row.projection());
      s.setString(2, row.persistenceId());
      s.setLong(3, row.seqNr());
      s.setString(4, row.tenantId());
      s.setString(5, row.projectionKey());
      s.setLong(6, row.offset());
      s.setString(7, row.eventType());
      s.setString(8, row.state());
      s.setString(9, row.error());
      s.setString(10, row.sqlState());
      s.setInt(11, row.attempts());
      s.setTimestamp(12, Timestamp.from(row.firstAttemptAt()));
      s.setTimestamp(13, Timestamp.from(row.lastAttemptAt()));
      s.executeUpdate();
    }
  }

  static List<String> parkedEntities(Connection c, String projection, String key)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(PARKED_ENTITIES)) {
      s.setString(1, projection);
      s.setString(2, key);
      var ids = new ArrayList<String>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
      return ids;
    }
  }

  static boolean hasParked(Connection c, String projection, String persistenceId)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(HAS_PARKED)) {
      s.setString(1, projection);
      s.setString(2, persistenceId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    }
  }

  static void lockEntity(Connection c, String projection, String persistenceId)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(LOCK_ENTITY)) {
      s.setString(1, projection);
      s.setString(2, persistenceId);
      s.executeQuery().close();
    }
  }
}
