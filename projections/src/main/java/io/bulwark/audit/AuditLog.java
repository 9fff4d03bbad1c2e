package io.bulwark.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.sql.DataSource;

/**
 * Appends audit events to their chains in PostgreSQL. One writer thread per node takes what has
 * queued up and appends it in one transaction, so a burst costs one commit, not one per event.
 * Chains are shared by every node: an append locks its chain's head row, and a batch locks heads in
 * tenant order, so two nodes never interleave within a chain nor deadlock across chains.
 */
public final class AuditLog implements AuditTrail, AutoCloseable {
  static final int CAPACITY = 10_000;
  private static final int MAX_BATCH = 500;

  private static final String ENSURE_HEAD =
      "INSERT INTO audit_chain_heads (tenant_id, last_seq, last_hash, anchor_hash)"
          + " VALUES (?, 0, ?, ?) ON CONFLICT (tenant_id) DO NOTHING";
  private static final String LOCK_HEAD =
      "SELECT last_seq, last_hash FROM audit_chain_heads WHERE tenant_id = ? FOR UPDATE";
  private static final String INSERT =
      "INSERT INTO audit_events (tenant_id, seq, occurred_at, actor, action, target, outcome,"
          + " request_id, trace_id, client_ip, user_agent, details, key_id, prev_hash, hash)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String MOVE_HEAD =
      "UPDATE audit_chain_heads SET last_seq = ?, last_hash = ? WHERE tenant_id = ?";

  private record Pending(AuditEvent event, CompletableFuture<Void> done) {}

  private final DataSource dataSource;
  private final AuditKeys keys;
  private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final Thread writer;
  private volatile boolean closed;

  private AuditLog(DataSource dataSource, AuditKeys keys) {
    this.dataSource = dataSource;
    this.keys = keys;
    this.writer = new Thread(this::run, "bulwark-audit-writer");
    writer.setDaemon(true);
  }

  public static AuditLog start(DataSource dataSource, AuditKeys keys) {
    var log = new AuditLog(dataSource, keys);
    log.writer.start();
    return log;
  }

  @Override
  public CompletionStage<Void> record(AuditEvent event) {
    var pending = new Pending(event, new CompletableFuture<>());
    if (closed || !queue.offer(pending)) {
      AuditTelemetry.notStored(closed ? "closed" : "queue_full", 1);
      pending.done.completeExceptionally(
          new AuditUnavailableException(
              closed ? "the audit log is closed" : "the audit log's queue is full"));
    }
    return pending.done;
  }

  /** Stops taking events, appends what is queued, and waits for the writer (at most 10 s). */
  @Override
  public void close() {
    closed = true;
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    while (!closed || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        append(batch);
        batch.forEach(p -> p.done.complete(null));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (SQLException | RuntimeException e) {
        AuditTelemetry.notStored("database", batch.size());
        var failure = new AuditUnavailableException("the audit events were not stored", e);
        batch.forEach(p -> p.done.completeExceptionally(failure));
      }
      batch.clear();
    }
  }

  private void append(List<Pending> batch) throws SQLException {
    Map<String, List<AuditEvent>> byChain = new TreeMap<>();
    for (Pending p : batch) {
      byChain.computeIfAbsent(p.event.tenantId(), t -> new ArrayList<>()).add(p.event);
    }
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        for (var chain : byChain.entrySet()) {
          appendToChain(connection, chain.getKey(), chain.getValue());
        }
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
    batch.forEach(p -> AuditTelemetry.appended(p.event));
  }

  private void appendToChain(Connection connection, String chain, List<AuditEvent> events)
      throws SQLException {
    long seq;
    String prev;
    try (PreparedStatement ensure = connection.prepareStatement(ENSURE_HEAD);
        PreparedStatement lock = connection.prepareStatement(LOCK_HEAD)) {
      ensure.setString(1, chain);
      ensure.setString(2, AuditChain.GENESIS);
      ensure.setString(3, AuditChain.GENESIS);
      ensure.executeUpdate();
      lock.setString(1, chain);
      try (var rs = lock.executeQuery()) {
        rs.next();
        seq = rs.getLong(1);
        prev = rs.getString(2);
      }
    }
    Mac mac = keys.current();
    try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
      for (AuditEvent event : events) {
        seq++;
        var stored = StoredAuditEvent.link(event, seq, keys.currentId(), prev, mac);
        bind(insert, stored);
        insert.addBatch();
        prev = stored.hash();
      }
      insert.executeBatch();
    }
    try (PreparedStatement move = connection.prepareStatement(MOVE_HEAD)) {
      move.setLong(1, seq);
      move.setString(2, prev);
      move.setString(3, chain);
      move.executeUpdate();
    }
  }

  private static void bind(PreparedStatement insert, StoredAuditEvent e) throws SQLException {
    insert.setString(1, e.tenantId());
    insert.setLong(2, e.seq());
    insert.setObject(3, OffsetDateTime.ofInstant(e.occurredAt(), ZoneOffset.UTC));
    insert.setString(4, e.actor());
    insert.setString(5, e.action());
    insert.setString(6, e.target());
    insert.setString(7, e.outcome());
    insert.setString(8, e.requestId());
    insert.setString(9, e.traceId());
    insert.setString(10, e.clientIp());
    insert.setString(11, e.userAgent());
    insert.setString(12, e.details());
    insert.setString(13, e.keyId());
    insert.setString(14, e.prevHash());
    insert.setString(15, e.hash());
  }
}
