package io.bulwark.audit;

import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Retention: the database function {@code expire_audit_events} removes events older than the
 * retention (never younger than 365 days), per chain from its start, and re-anchors each chain.
 */
public final class AuditExpiry {
  public static final int MIN_RETENTION_DAYS = 365;

  private AuditExpiry() {}

  /** Returns the number of events removed. */
  public static long expire(DataSource dataSource, int retentionDays) throws SQLException {
    if (retentionDays < MIN_RETENTION_DAYS) {
      throw new IllegalArgumentException(
          "audit events are kept at least " + MIN_RETENTION_DAYS + " days");
    }
    try (var c = dataSource.getConnection();
        var s = c.prepareStatement("SELECT expire_audit_events(?)")) {
      s.setInt(1, retentionDays);
      try (var rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
