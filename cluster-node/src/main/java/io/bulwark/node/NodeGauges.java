package io.bulwark.node;

import com.zaxxer.hikari.HikariDataSource;
import io.bulwark.http.limits.Admission;
import io.bulwark.readmodel.DatabaseHealth;
import io.bulwark.readmodel.QueryBreaker;
import java.time.Duration;
import javax.sql.DataSource;
import kamon.Kamon;
import kamon.metric.Gauge;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The node's bounded resources, sampled once a second into gauges: the shared connection pool (in
 * use, idle, its size and the threads waiting for a connection), admission control (requests in
 * flight against the limit) and the breakers (1 while open). Admission and the query breaker exist
 * only on nodes that serve the API; other nodes pass null for them.
 */
final class NodeGauges {
  private static final Duration EVERY = Duration.ofSeconds(1);

  private final Gauge poolActive = pool("active");
  private final Gauge poolIdle = pool("idle");
  private final Gauge poolMax =
      Kamon.gauge("bulwark.db.pool.max.connections", "Size limit of the shared pool").withoutTags();
  private final Gauge poolWaiting =
      Kamon.gauge("bulwark.db.pool.waiting.threads", "Threads waiting for a pooled connection")
          .withoutTags();
  private final Gauge inFlight =
      Kamon.gauge("bulwark.admission.in.flight", "Requests being worked on").withoutTags();
  private final Gauge limit =
      Kamon.gauge("bulwark.admission.limit", "Requests the node works on at once").withoutTags();
  private final Gauge waiting =
      Kamon.gauge("bulwark.admission.waiting", "Requests waiting for a permit (ADR 0027)")
          .withoutTags();
  private final Gauge databaseBreaker = breaker("database");
  private final Gauge queryBreaker = breaker("read-model-queries");

  private final DataSource pool;
  private final Admission admission;
  private final DatabaseHealth database;
  private final QueryBreaker queries;

  private NodeGauges(
      DataSource pool, Admission admission, DatabaseHealth database, QueryBreaker queries) {
    this.pool = pool;
    this.admission = admission;
    this.database = database;
    this.queries = queries;
  }

  static void start(
      ActorSystem<?> system,
      DataSource pool,
      Admission admission,
      DatabaseHealth database,
      QueryBreaker queries) {
    var gauges = new NodeGauges(pool, admission, database, queries);
    system.scheduler().scheduleAtFixedRate(EVERY, EVERY, gauges::sample, system.executionContext());
  }

  private static Gauge pool(String state) {
    return Kamon.gauge("bulwark.db.pool.connections", "Pooled connections by state")
        .withTag("state", state);
  }

  private static Gauge breaker(String name) {
    return Kamon.gauge("bulwark.breaker.open", "1 while a breaker refuses work")
        .withTag("breaker", name);
  }

  private void sample() {
    if (pool instanceof HikariDataSource hikari && hikari.getHikariPoolMXBean() != null) {
      var bean = hikari.getHikariPoolMXBean();
      poolActive.update(bean.getActiveConnections());
      poolIdle.update(bean.getIdleConnections());
      poolWaiting.update(bean.getThreadsAwaitingConnection());
      poolMax.update(hikari.getMaximumPoolSize());
    }
    if (admission != null) {
      inFlight.update(admission.inFlight());
      limit.update(admission.limit());
      waiting.update(admission.waiting());
    }
    databaseBreaker.update(database.isUp() ? 0 : 1);
    if (queries != null) {
      queryBreaker.update(queries.isOpen() ? 1 : 0);
    }
  }
}
