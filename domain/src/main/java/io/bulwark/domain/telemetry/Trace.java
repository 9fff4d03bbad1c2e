package io.bulwark.domain.telemetry;

import java.util.function.Supplier;
import kamon.Kamon;
import kamon.context.Context;

/**
 * The trace context of a message, captured to run work in it later (for example a command that
 * waited in a queue before it was decided). Opaque outside this package, so only telemetry knows
 * Kamon.
 */
public final class Trace {
  public static final Trace NONE = new Trace(Context.Empty());

  private final Context context;

  private Trace(Context context) {
    this.context = context;
  }

  /** The context of the message being handled now. */
  public static Trace current() {
    Context context = Kamon.currentContext();
    return context == null || context.isEmpty() ? NONE : new Trace(context);
  }

  public <T> T get(Supplier<T> work) {
    return Traced.get(context, work);
  }

  /** {@code work}, to run later inside this context. */
  public Runnable wrap(Runnable work) {
    return context.isEmpty() ? work : () -> Traced.run(context, work);
  }
}
