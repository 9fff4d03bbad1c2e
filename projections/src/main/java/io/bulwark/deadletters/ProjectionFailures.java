package io.bulwark.deadletters;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Tells a failure that another try may cure (the database went away, a deadlock, a timeout: the
 * projection restarts with backoff, forever) from one that the same event will meet every time (a
 * value the database refuses, a broken constraint, an event the handler cannot read: the event is
 * parked). When in doubt a failure is transient: a projection that waits is visible and loses
 * nothing, while parking every event because of, say, a missing grant would empty the read model.
 */
final class ProjectionFailures {
  /**
   * SQLSTATE classes caused by the values written: data exceptions (22: a NUL, a number out of
   * range, text too long), integrity constraints (23), and errors raised by PL/pgSQL (P0).
   */
  private static final Set<String> DETERMINISTIC_CLASSES = Set.of("22", "23", "P0");

  private ProjectionFailures() {}

  static boolean isDeterministic(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof Error) {
        return false;
      }
      if (t instanceof SQLException sql) {
        if (sql instanceof SQLTransientException || sql instanceof SQLRecoverableException) {
          return false;
        }
        String state = sql.getSQLState();
        return state != null
            && state.length() == 5
            && DETERMINISTIC_CLASSES.contains(state.substring(0, 2));
      }
      if (t instanceof IOException || t instanceof TimeoutException) {
        return false;
      }
      if (t.getCause() == null || t.getCause() == t) {
        // The handler's own code failed on the event (a null where a value must be, a value it
        // cannot convert, an event it cannot read): the same event fails the same way again.
        return t instanceof RuntimeException;
      }
    }
    return false;
  }

  /** The SQLSTATE behind {@code failure}, if the database refused something. */
  static String sqlState(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        return sql.getSQLState();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /** The failure as a dead letter shows it: the exception's class and message, bounded. */
  static String describe(Throwable failure) {
    String text = failure.getClass().getSimpleName() + ": " + failure.getMessage();
    text = TextRepair.repair(text); // errors may quote the value: keep them storable and JSON-safe
    return text.length() <= 1000 ? text : text.substring(0, 1000);
  }
}
