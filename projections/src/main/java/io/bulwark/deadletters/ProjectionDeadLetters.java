package io.bulwark.deadletters;

import io.bulwark.readmodel.InvalidCursorException;
import io.bulwark.readmodel.ReadModelQueries;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * What the platform sees of parked events (ADR 0025): the list, the counts the gauge and the health
 * detail show, and the replay of a tenant's parked events through {@link DeadLetterReplay}.
 */
public final class ProjectionDeadLetters {
  /** Where a page of the list stops: the last row's key; the next page starts after it. */
  private record Position(String tenantId, String projection, String persistenceId, long seqNr) {}

  /** A page of the list in key order; {@code nextCursor} is null on the last page. */
  public record Page(List<DeadLetter> items, String nextCursor) {
    public Page {
      items = List.copyOf(items);
    }
  }

  private static final String COLUMNS =
      "SELECT projection, persistence_id, seq_nr, tenant_id, projection_key, journal_offset,"
          + " event_type, state, error, sql_state, attempts, first_attempt_at, last_attempt_at"
          + " FROM projection_dead_letters";

  private static final String COUNTS =
      "SELECT projection, tenant_id, count(*) FROM projection_dead_letters GROUP BY 1, 2";

  private final DataSource dataSource;
  private final Executor blocking;
  private final DeadLetterReplay replay;

  public ProjectionDeadLetters(
      ActorSystem<?> system, DataSource dataSource, Map<String, ProjectionWriter> writers) {
    this.dataSource = Objects.requireNonNull(dataSource);
    this.blocking =
        system.dispatchers().lookup(DispatcherSelector.fromConfig(ReadModelQueries.DISPATCHER));
    this.replay = new DeadLetterReplay(system, dataSource, blocking, writers);
  }

  /**
   * Parked events, filtered by tenant and projection when given, in key order after {@code after}.
   */
  public CompletionStage<Page> list(String tenantId, String projection, int limit, String cursor) {
    Position after = cursor == null ? null : decode(cursor);
    return CompletableFuture.supplyAsync(() -> page(tenantId, projection, limit, after), blocking);
  }

  private static String encode(Position p) {
    String key =
        String.join(
            "\n", p.tenantId(), p.projection(), p.persistenceId(), Long.toString(p.seqNr()));
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  /** A cursor this list issued, or InvalidCursorException (a 400), never a database error. */
  private static Position decode(String cursor) {
    try {
      if (cursor.length() > 2048) {
        throw new IllegalArgumentException("too long");
      }
      String key = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      String[] parts = key.split("\n", -1);
      if (parts.length != 4
          || key.chars().anyMatch(c -> c != '\n' && (Character.isISOControl(c) || c == 0xFFFD))) {
        throw new IllegalArgumentException("not a dead-letter cursor");
      }
      return new Position(parts[0], parts[1], parts[2], Long.parseLong(parts[3]));
    } catch (IllegalArgumentException e) {
      throw new InvalidCursorException("The cursor is not one this list issued.", e);
    }
  }

  /** Parked events now, per projection and tenant. */
  public CompletionStage<Map<String, Map<String, Long>>> counts() {
    return CompletableFuture.supplyAsync(this::countNow, blocking);
  }

  /**
   * Replays a tenant's parked events, of one projection and one entity when given, each entity in
   * order; {@code repairText} replaces what the read models cannot hold ({@link TextRepair}).
   */
  public CompletionStage<DeadLetterReplay.Result> replay(
      String tenantId, String projection, String persistenceId, boolean repairText) {
    return replay.run(tenantId, projection, persistenceId, repairText);
  }

  private Page page(String tenantId, String projection, int limit, Position after) {
    var sql = new StringBuilder(COLUMNS).append(" WHERE true");
    var params = new ArrayList<Object>();
    if (tenantId != null) {
      sql.append(" AND tenant_id = ?");
      params.add(tenantId);
    }
    if (projection != null) {
      sql.append(" AND projection = ?");
      params.add(projection);
    }
    if (after != null) {
      sql.append(" AND (tenant_id, projection, persistence_id, seq_nr) > (?, ?, ?, ?)");
      params.addAll(
          List.of(after.tenantId(), after.projection(), after.persistenceId(), after.seqNr()));
    }
    sql.append(" ORDER BY tenant_id, projection, persistence_id, seq_nr LIMIT ?");
    params.add(limit + 1);
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < params.size(); i++) {
        s.setObject(i + 1, params.get(i));
      }
      var rows = new ArrayList<DeadLetter>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(row(rs));
        }
      }
      if (rows.size() <= limit) {
        return new Page(rows, null);
      }
      var last = rows.get(limit - 1);
      return new Page(
          rows.subList(0, limit),
          encode(
              new Position(
                  last.tenantId(), last.projection(), last.persistenceId(), last.seqNr())));
    } catch (SQLException e) {
      throw new CompletionException(e);
    }
  }

  static DeadLetter row(ResultSet rs) throws SQLException {
    return new DeadLetter(
        rs.getString("projection"),
        rs.getString("persistence_id"),
        rs.getLong("seq_nr"),
        rs.getString("tenant_id"),
        rs.getString("projection_key"),
        rs.getLong("journal_offset"),
        rs.getString("event_type"),
        rs.getString("state"),
        rs.getString("error"),
        rs.getString("sql_state"),
        rs.getInt("attempts"),
        rs.getTimestamp("first_attempt_at").toInstant(),
        rs.getTimestamp("last_attempt_at").toInstant());
  }

  private Map<String, Map<String, Long>> countNow() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(COUNTS);
        ResultSet rs = s.executeQuery()) {
      var counts = new TreeMap<String, Map<String, Long>>();
      while (rs.next()) {
        counts
            .computeIfAbsent(rs.getString(1), p -> new TreeMap<>())
            .put(rs.getString(2), rs.getLong(3));
      }
      return counts;
    } catch (SQLException e) {
      throw new CompletionException(e);
    }
  }

  /** Samples {@link #counts} into the dead-letter gauge; for the node's scheduler. */
  public CompletionStage<Map<String, Map<String, Long>>> sampleGauge() {
    return counts()
        .thenApply(
            counts -> {
              DeadLetterTelemetry.sample(counts);
              return counts;
            });
  }
}
