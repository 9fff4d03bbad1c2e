package io.bulwark.readmodel;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database breaker of a node, driven by a probe: one connection of its own (outside the pool,
 * so it never waits behind the pool's connection timeout) runs {@code SELECT 1} every {@code
 * every}. The first failure opens the breaker: writes, lists and journal reads are then refused at
 * once (503 {@code dependency_unavailable}) instead of each waiting for its deadline. While open,
 * the probe keeps reconnecting; the first success closes it again, and the listeners let the pool
 * drop connections the outage broke. A failed query of the read models can also open it at once.
 */
public final class DatabaseHealth implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DatabaseHealth.class);

  private final String url;
  private final Properties properties;
  private final Duration timeout;
  private final AtomicBoolean up = new AtomicBoolean(true);
  private final List<Runnable> onRecovery = new ArrayList<>();
  private final ScheduledExecutorService probe;
  private Connection connection;
  private volatile boolean probing;

  private DatabaseHealth(String url, String user, String password, Duration timeout) {
    this.url = url;
    this.timeout = timeout;
    this.properties = new Properties();
    properties.setProperty("user", user);
    if (password != null) {
      properties.setProperty("password", password);
    }
    long seconds = Math.max(1, timeout.toSeconds());
    properties.setProperty("connectTimeout", Long.toString(seconds));
    properties.setProperty("socketTimeout", Long.toString(seconds));
    properties.setProperty("ApplicationName", "bulwark-health-probe");
    this.probe =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bulwark-database-probe");
              t.setDaemon(true);
              return t;
            });
  }

  /** Probes {@code url} every {@code every}, each probe bounded by {@code timeout}. */
  public static DatabaseHealth start(
      String url, String user, String password, Duration every, Duration timeout) {
    var health = new DatabaseHealth(url, user, password, timeout);
    health.probing = true;
    health.probe.scheduleWithFixedDelay(
        health::probeOnce, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    return health;
  }

  /** A health that is always up, for code that runs without a probe (tests of other parts). */
  public static DatabaseHealth alwaysUp() {
    return new DatabaseHealth("jdbc:none", "none", null, Duration.ofSeconds(1));
  }

  public boolean isUp() {
    return up.get();
  }

  /** Runs {@code action} each time the database comes back (on the probe's thread). */
  public synchronized void onRecovery(Runnable action) {
    onRecovery.add(action);
  }

  /** A query failed for want of the database: open now rather than at the next probe. */
  public void reportFailure(Throwable failure) {
    if (probing && isConnectionFailure(failure) && up.compareAndSet(true, false)) {
      log.warn("Database breaker open: a query lost the database ({})", failure.toString());
      probe.execute(this::probeOnce);
    }
  }

  /** SQLState class 08 (connection), 57P (shutdown) or a pool that could not hand out one. */
  static boolean isConnectionFailure(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause()) {
      if (e instanceof java.sql.SQLTransientConnectionException
          || e instanceof java.sql.SQLNonTransientConnectionException) {
        return true;
      }
      if (e instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P")) {
          return true;
        }
      }
    }
    return false;
  }

  private void probeOnce() {
    boolean ok = selectOne();
    if (ok && up.compareAndSet(false, true)) {
      log.warn("Database breaker closed: the database answers again");
      List<Runnable> actions;
      synchronized (this) {
        actions = List.copyOf(onRecovery);
      }
      actions.forEach(Runnable::run);
    } else if (!ok && up.compareAndSet(true, false)) {
      log.warn("Database breaker open: the database does not answer the probe");
    }
  }

  private boolean selectOne() {
    try {
      if (connection == null || connection.isClosed()) {
        connection = DriverManager.getConnection(url, properties);
      }
      try (Statement statement = connection.createStatement()) {
        statement.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
        statement.execute("SELECT 1");
      }
      return true;
    } catch (SQLException e) {
      closeQuietly();
      return false;
    }
  }

  private void closeQuietly() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // the connection is already gone
      }
      connection = null;
    }
  }

  @Override
  public void close() {
    probe.shutdownNow();
    closeQuietly();
  }
}
