package io.bulwark.audit;

/** An audit event could not be stored: the database failed, or the writer is full or closed. */
public final class AuditUnavailableException extends RuntimeException {
  public AuditUnavailableException(String message) {
    super(message);
  }

  public AuditUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
