package io.bulwark.testing;

import java.time.Duration;

/** Polls an assertion until it holds or a deadline passes; for state that settles eventually. */
public final class Eventually {
  private static final long POLL_MILLIS = 100;

  @FunctionalInterface
  public interface Check {
    void run() throws Exception;
  }

  private Eventually() {}

  public static void await(Duration deadline, Check check) throws Exception {
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError | Exception failure) {
        if (System.nanoTime() - end > 0) {
          throw failure;
        }
      }
      Thread.sleep(POLL_MILLIS);
    }
  }
}
