package io.bulwark.node;

import io.bulwark.audit.AuditExpiry;
import io.bulwark.audit.AuditKeys;
import io.bulwark.audit.AuditLog;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The node's part of the audit log (ADR 0020): its writer, and retention on projections nodes. */
final class NodeAudit {
  private static final Logger log = LoggerFactory.getLogger(NodeAudit.class);
  private static final Duration FIRST_EXPIRY = Duration.ofMinutes(1);
  private static final Duration EXPIRY_INTERVAL = Duration.ofHours(6);

  private NodeAudit() {}

  static AuditKeys keys(NodeSettings.Audit audit) {
    return new AuditKeys(audit.key(), audit.previousKeys());
  }

  /** The writer; at shutdown it stores what is queued before the pool closes. */
  static AuditLog log(ActorSystem<?> system, DataSource dataSource, AuditKeys keys) {
    var auditLog = AuditLog.start(dataSource, keys);
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "close-audit-log",
            () ->
                CompletableFuture.supplyAsync(
                    () -> {
                      auditLog.close();
                      return Done.getInstance();
                    }));
    return auditLog;
  }

  /** The dispatcher for blocking JDBC work of the node's housekeeping and admin calls. */
  static scala.concurrent.ExecutionContextExecutor blocking(ActorSystem<?> system) {
    return system
        .dispatchers()
        .lookup(
            org.apache.pekko.actor.typed.DispatcherSelector.fromConfig(
                io.bulwark.readmodel.ReadModelQueries.DISPATCHER));
  }

  /**
   * Removes events past retention every 6 hours. Every projections node runs it: the database
   * function locks each chain's head, so two runs at once remove each event once.
   */
  static void scheduleExpiry(ActorSystem<?> system, DataSource dataSource, int retentionDays) {
    var blocking = blocking(system);
    system
        .scheduler()
        .scheduleWithFixedDelay(
            FIRST_EXPIRY,
            EXPIRY_INTERVAL,
            () -> {
              try {
                long removed = AuditExpiry.expire(dataSource, retentionDays);
                if (removed > 0) {
                  log.info("Removed {} audit events older than {} days", removed, retentionDays);
                }
              } catch (java.sql.SQLException | RuntimeException e) {
                log.warn("Audit expiry did not run: {}", e.getMessage());
              }
            },
            blocking);
  }
}
