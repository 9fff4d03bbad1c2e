package io.bulwark.node;

/** A configuration problem that stops the node with a message naming what is wrong. */
public final class StartupException extends RuntimeException {
  public StartupException(String message) {
    super(message);
  }
}
