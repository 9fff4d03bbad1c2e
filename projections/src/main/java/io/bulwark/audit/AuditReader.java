package io.bulwark.audit;

import io.bulwark.readmodel.InvalidCursorException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.sql.DataSource;

/**
 * Reads audit chains: newest-first pages for the API, and verification, which walks a chain from
 * its start and names the first event that was changed, removed or added out of turn.
 */
public final class AuditReader {
  public static final int MAX_LIMIT = 200;

  private static final String COLUMNS =
      "SELECT tenant_id, seq, occurred_at, actor, action, target, outcome, request_id, trace_id,"
          + " client_ip, user_agent, details, key_id, prev_hash, hash FROM audit_events"
          + " WHERE tenant_id = ?";
  private static final String HEAD =
      "SELECT last_seq, last_hash, first_seq, anchor_hash FROM audit_chain_heads"
          + " WHERE tenant_id = ?";
  private static final Pattern CURSOR = Pattern.compile("^as([1-9][0-9]{0,18})$");
  private static final int VERIFY_FETCH = 1_000;

  public record Page(List<StoredAuditEvent> items, String nextCursor) {}

  /**
   * The outcome of a walk over one chain. When {@code valid} is false, {@code brokenAtSeq} is the
   * first position that does not hold and {@code problem} says why.
   */
  public record Verification(
      String tenantId,
      boolean valid,
      long events,
      long firstSeq,
      long lastSeq,
      String lastHash,
      Long brokenAtSeq,
      String problem) {}

  private final DataSource dataSource;
  private final AuditKeys keys;
  private final Executor blocking;

  public AuditReader(DataSource dataSource, AuditKeys keys, Executor blocking) {
    this.dataSource = dataSource;
    this.keys = keys;
    this.blocking = blocking;
  }

  /** A page, newest first; {@code cursor} is the {@code nextCursor} of the page before. */
  public CompletionStage<Page> page(
      String chain, int limit, Optional<String> cursor, Optional<AuditAction> action) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
    }
    Long before = cursor.map(AuditReader::decode).orElse(null);
    return async(() -> readPage(chain, limit, before, action));
  }

  public CompletionStage<Verification> verify(String chain) {
    return async(() -> verifyNow(chain));
  }

  private Page readPage(String chain, int limit, Long before, Optional<AuditAction> action)
      throws SQLException {
    String sql =
        COLUMNS
            + (before != null ? " AND seq < ?" : "")
            + (action.isPresent() ? " AND action = ?" : "")
            + " ORDER BY seq DESC LIMIT ?";
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      int i = 1;
      s.setString(i++, chain);
      if (before != null) {
        s.setLong(i++, before);
      }
      if (action.isPresent()) {
        s.setString(i++, action.get().wireName());
      }
      s.setInt(i, limit + 1);
      List<StoredAuditEvent> items = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          items.add(row(rs));
        }
      }
      String next = null;
      if (items.size() > limit) {
        items = items.subList(0, limit);
        next = encode(items.get(limit - 1).seq());
      }
      return new Page(List.copyOf(items), next);
    }
  }

  /** Walks {@code chain} from its start to its head. */
  public Verification verifyNow(String chain) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false); // lets the driver fetch the chain in slices, not all at once
      c.setReadOnly(true);
      try {
        return walk(c, chain);
      } finally {
        c.rollback();
      }
    }
  }

  private Verification walk(Connection c, String chain) throws SQLException {
    long headSeq;
    String headHash;
    long expected;
    String prev;
    try (PreparedStatement s = c.prepareStatement(HEAD)) {
      s.setString(1, chain);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return new Verification(chain, true, 0, 1, 0, AuditChain.GENESIS, null, null);
        }
        headSeq = rs.getLong(1);
        headHash = rs.getString(2);
        expected = rs.getLong(3);
        prev = rs.getString(4);
      }
    }
    long first = expected;
    long events = 0;
    try (PreparedStatement s = c.prepareStatement(COLUMNS + " ORDER BY seq")) {
      s.setFetchSize(VERIFY_FETCH);
      s.setString(1, chain);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          StoredAuditEvent e = row(rs);
          String problem = check(e, expected, prev);
          if (problem != null) {
            return broken(chain, events, first, headSeq, expected, problem);
          }
          events++;
          expected++;
          prev = e.hash();
        }
      }
    }
    long last = expected - 1;
    if (last < headSeq) {
      return broken(
          chain,
          events,
          first,
          headSeq,
          expected,
          "events " + expected + " to " + headSeq + " are missing from the end of the chain");
    }
    if (last > headSeq || !prev.equals(headHash)) {
      return broken(
          chain, events, first, headSeq, headSeq, "the chain does not end where its head says");
    }
    return new Verification(chain, true, events, first, last, prev, null, null);
  }

  private String check(StoredAuditEvent e, long expected, String prev) {
    if (e.seq() < expected) {
      return "event " + e.seq() + " lies before the start of the chain";
    }
    if (e.seq() > expected) {
      return e.seq() == expected + 1
          ? "event " + expected + " is missing"
          : "events " + expected + " to " + (e.seq() - 1) + " are missing";
    }
    if (!e.prevHash().equals(prev)) {
      return "event " + e.seq() + " does not follow the event before it (prev_hash differs)";
    }
    Optional<Mac> mac = keys.forId(e.keyId());
    if (mac.isEmpty()) {
      return "event " + e.seq() + " was signed with an unknown audit key (" + e.keyId() + ")";
    }
    if (!AuditChain.hash(mac.get(), e).equals(e.hash())) {
      return "event " + e.seq() + " was altered (its hash does not match its fields)";
    }
    return null;
  }

  private static Verification broken(
      String chain, long events, long first, long headSeq, long at, String problem) {
    return new Verification(chain, false, events, first, headSeq, null, at, problem);
  }

  private static StoredAuditEvent row(ResultSet rs) throws SQLException {
    return new StoredAuditEvent(
        rs.getString(1),
        rs.getLong(2),
        rs.getObject(3, OffsetDateTime.class).toInstant(),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        rs.getString(7),
        rs.getString(8),
        rs.getString(9),
        rs.getString(10),
        rs.getString(11),
        rs.getString(12),
        rs.getString(13),
        rs.getString(14),
        rs.getString(15));
  }

  private static String encode(long seq) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(("as" + seq).getBytes(StandardCharsets.US_ASCII));
  }

  private static long decode(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
      var m = CURSOR.matcher(raw);
      if (cursor.length() <= 40 && m.matches()) {
        return Long.parseLong(m.group(1));
      }
    } catch (IllegalArgumentException e) {
      // falls through to the refusal
    }
    throw new InvalidCursorException("The cursor is not one this list returned.");
  }

  private interface Sql<T> {
    T run() throws SQLException;
  }

  private <T> CompletionStage<T> async(Sql<T> work) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return work.run();
          } catch (SQLException e) {
            throw new CompletionException(
                new AuditUnavailableException("the audit log could not be read", e));
          }
        },
        blocking);
  }
}
