package io.bulwark.readmodel;

/** The database is down or its breaker open: the work was refused without touching it. */
public final class DependencyUnavailableException extends RuntimeException {
  public DependencyUnavailableException(String message) {
    super(message, null, false, false);
  }
}
