package io.bulwark.webhooks;

/** A webhook URL or address that Bulwark will not send to; the message says why, for the caller. */
public final class TargetRefusedException extends Exception {
  public TargetRefusedException(String message) {
    super(message);
  }
}
