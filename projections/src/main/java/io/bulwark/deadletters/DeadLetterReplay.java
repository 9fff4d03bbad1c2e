package io.bulwark.deadletters;

import io.bulwark.domain.UnreadableEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Applies parked events again, after a fix (ADR 0025). Entity by entity, oldest parked event first,
 * each read from the journal and written by its projection's writer under the same per-entity lock
 * the projection takes, so the two never interleave. An entity stops at its first event that still
 * fails: that event stays parked with the new error, and everything behind it stays parked too.
 */
public final class DeadLetterReplay {
  /** At most this many entities in one replay; call again for the rest. */
  static final int MAX_ENTITIES = 1000;

  /** An event that failed again. */
  public record Failure(String projection, String persistenceId, long seqNr, String error) {}

  /** What a replay did: entities touched, events applied, events still parked, and why. */
  public record Result(int entities, int replayed, int stillParked, List<Failure> failures) {
    public Result {
      failures = List.copyOf(failures);
    }

    Result plus(Result other) {
      var all = new ArrayList<>(failures);
      all.addAll(other.failures);
      return new Result(
          entities + other.entities,
          replayed + other.replayed,
          stillParked + other.stillParked,
          all);
    }
  }

  private record Entity(String projection, String persistenceId, long fromSeqNr) {}

  private record Parked(long seqNr, long offset) {}

  private static final String ENTITIES =
      "SELECT projection, persistence_id, min(seq_nr) FROM projection_dead_letters"
          + " WHERE tenant_id = ? AND (?::text IS NULL OR projection = ?)"
          + " AND (?::text IS NULL OR persistence_id = ?)"
          + " GROUP BY projection, persistence_id ORDER BY projection, persistence_id LIMIT ?";

  private static final String PARKED =
      "SELECT seq_nr, journal_offset FROM projection_dead_letters"
          + " WHERE projection = ? AND persistence_id = ? ORDER BY seq_nr";

  private static final String DELETE =
      "DELETE FROM projection_dead_letters"
          + " WHERE projection = ? AND persistence_id = ? AND seq_nr = ?";

  private static final String FAILED_AGAIN =
      "UPDATE projection_dead_letters SET state = 'failed', error = ?, sql_state = ?,"
          + " attempts = attempts + 1, last_attempt_at = now()"
          + " WHERE projection = ? AND persistence_id = ? AND seq_nr = ?";

  private final ActorSystem<?> system;
  private final DataSource dataSource;
  private final Executor blocking;
  private final Map<String, ProjectionWriter> writers;
  private final TextRepair textRepair;

  DeadLetterReplay(
      ActorSystem<?> system,
      DataSource dataSource,
      Executor blocking,
      Map<String, ProjectionWriter> writers) {
    this.system = system;
    this.dataSource = dataSource;
    this.blocking = blocking;
    this.writers = Map.copyOf(writers);
    this.textRepair = TextRepair.of(system);
  }

  CompletionStage<Result> run(
      String tenantId, String projection, String persistenceId, boolean repairText) {
    return CompletableFuture.supplyAsync(
            () -> entities(tenantId, projection, persistenceId), blocking)
        .thenCompose(
            entities ->
                Source.from(entities)
                    .mapAsync(1, entity -> replay(entity, repairText))
                    .runFold(new Result(0, 0, 0, List.of()), Result::plus, system));
  }

  private CompletionStage<Result> replay(Entity entity, boolean repairText) {
    var journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    return journal
        .currentEventsByPersistenceId(entity.persistenceId(), entity.fromSeqNr(), Long.MAX_VALUE)
        .runWith(Sink.seq(), system)
        .thenApplyAsync(
            events -> {
              var bySeqNr = new HashMap<Long, org.apache.pekko.persistence.query.EventEnvelope>();
              events.forEach(e -> bySeqNr.put(e.sequenceNr(), e));
              return inTransaction(entity, bySeqNr, repairText);
            },
            blocking);
  }

  private Result inTransaction(
      Entity entity,
      Map<Long, org.apache.pekko.persistence.query.EventEnvelope> events,
      boolean repairText) {
    ProjectionWriter writer = writers.get(entity.projection());
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        DeadLetterRows.lockEntity(c, entity.projection(), entity.persistenceId());
        List<Parked> parked = parked(c, entity);
        int replayed = 0;
        Failure failure = null;
        long newestRead = events.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
        for (Parked p : parked) {
          if (p.seqNr() > newestRead) {
            break; // parked after the journal was read: the next replay takes it
          }
          failure = apply(c, writer, entity, p, events.get(p.seqNr()), repairText);
          if (failure != null) {
            break;
          }
          update(c, DELETE, entity.projection(), entity.persistenceId(), p.seqNr());
          replayed++;
        }
        c.commit();
        return new Result(
            1, replayed, parked.size() - replayed, failure == null ? List.of() : List.of(failure));
      } catch (Exception e) {
        c.rollback();
        throw e;
      }
    } catch (Exception e) {
      throw new CompletionException(e);
    }
  }

  /** Writes one parked event; null when it applied, else why not (recorded on its row). */
  private Failure apply(
      Connection c,
      ProjectionWriter writer,
      Entity entity,
      Parked parked,
      org.apache.pekko.persistence.query.EventEnvelope event,
      boolean repairText)
      throws Exception {
    Savepoint savepoint = c.setSavepoint();
    try {
      if (writer == null) {
        throw new IllegalStateException("No projection named " + entity.projection());
      }
      if (event == null) {
        throw new IllegalStateException("The event is not in the journal");
      }
      if (event.event() instanceof UnreadableEvent unreadable) {
        throw new IllegalStateException("The event cannot be read: " + unreadable.error());
      }
      Object payload = repairText ? textRepair.repair(event.event()) : event.event();
      var batch = writer.begin(c);
      batch.apply(
          EventEnvelope.create(
              event.offset(),
              event.persistenceId(),
              event.sequenceNr(),
              payload,
              event.timestamp()));
      batch.finish();
      c.releaseSavepoint(savepoint);
      return null;
    } catch (Exception e) {
      c.rollback(savepoint);
      if (!ProjectionFailures.isDeterministic(e)) {
        throw e;
      }
      String error = ProjectionFailures.describe(e);
      try (PreparedStatement s = c.prepareStatement(FAILED_AGAIN)) {
        s.setString(1, error);
        s.setString(2, ProjectionFailures.sqlState(e));
        s.setString(3, entity.projection());
        s.setString(4, entity.persistenceId());
        s.setLong(5, parked.seqNr());
        s.executeUpdate();
      }
      return new Failure(entity.projection(), entity.persistenceId(), parked.seqNr(), error);
    }
  }

  private List<Entity> entities(String tenantId, String projection, String persistenceId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(ENTITIES)) {
      s.setString(1, tenantId);
      s.setString(2, projection);
      s.setString(3, projection);
      s.setString(4, persistenceId);
      s.setString(5, persistenceId);
      s.setInt(6, MAX_ENTITIES);
      var entities = new ArrayList<Entity>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          entities.add(new Entity(rs.getString(1), rs.getString(2), rs.getLong(3)));
        }
      }
      return entities;
    } catch (SQLException e) {
      throw new CompletionException(e);
    }
  }

  private static List<Parked> parked(Connection c, Entity entity) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(PARKED)) {
      s.setString(1, entity.projection());
      s.setString(2, entity.persistenceId());
      var rows = new ArrayList<Parked>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(new Parked(rs.getLong(1), rs.getLong(2)));
        }
      }
      return rows;
    }
  }

  private static void update(Connection c, String sql, String projection, String pid, long seqNr)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, projection);
      s.setString(2, pid);
      s.setLong(3, seqNr);
      s.executeUpdate();
    }
  }
}
