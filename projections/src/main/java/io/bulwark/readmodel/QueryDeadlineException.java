package io.bulwark.readmodel;

/** A query's deadline passed before it could start: it was dropped, never sent. */
public final class QueryDeadlineException extends RuntimeException {
  public QueryDeadlineException() {
    super("The query's deadline passed before it started.", null, false, false);
  }
}
