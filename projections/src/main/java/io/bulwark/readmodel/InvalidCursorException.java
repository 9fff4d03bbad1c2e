package io.bulwark.readmodel;

/** A list cursor that this server did not issue, or issued for another list. */
public final class InvalidCursorException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidCursorException(String message) {
    super(message);
  }

  public InvalidCursorException(String message, Throwable cause) {
    super(message, cause);
  }
}
