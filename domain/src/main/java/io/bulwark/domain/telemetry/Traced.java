package io.bulwark.domain.telemetry;

import java.util.function.Supplier;
import kamon.Kamon;
import kamon.context.Context;

/**
 * Runs work inside a captured trace context. Kamon's instrumentation carries the context with every
 * message an actor sends while the context is current, to this node or another; this is for the
 * places where it cannot know it, such as a saga step sent after a journal write or from a reply.
 */
public final class Traced {
  private Traced() {}

  /** The context of the message being handled now (empty when nothing traces it). */
  public static Context current() {
    return Kamon.currentContext();
  }

  public static void run(Context context, Runnable work) {
    if (context == null || context.isEmpty()) {
      work.run();
      return;
    }
    try (var scope = Kamon.storeContext(context)) {
      work.run();
    }
  }

  public static <T> T get(Context context, Supplier<T> work) {
    if (context == null || context.isEmpty()) {
      return work.get();
    }
    try (var scope = Kamon.storeContext(context)) {
      return work.get();
    }
  }
}
