package io.bulwark.domain;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Stages that run their callbacks where the result arrives. Pekko's asks return Scala futures seen
 * through {@code FutureConverters}, whose {@code thenApply}, {@code whenComplete} and the like run
 * asynchronously on the default executor; with two cores the common pool has parallelism 1, and
 * then the JDK starts a new thread for every such callback. Wrapping an ask's stage here once keeps
 * all later callbacks on the completing thread (an actor dispatcher), as the code expects.
 */
public final class Stages {
  /** Runs a callback on the thread that completed the stage. */
  public static final Executor DIRECT = Runnable::run;

  private Stages() {}

  public static <T> CompletableFuture<T> direct(CompletionStage<T> stage) {
    CompletableFuture<T> plain = new CompletableFuture<>();
    stage.whenCompleteAsync(
        (value, error) -> {
          if (error != null) {
            plain.completeExceptionally(error);
          } else {
            plain.complete(value);
          }
        },
        DIRECT);
    return plain;
  }
}
