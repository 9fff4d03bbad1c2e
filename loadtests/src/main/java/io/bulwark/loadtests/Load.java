package io.bulwark.loadtests;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.LongFunction;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/** Open and closed load models over a request function. */
final class Load {
  private Load() {}

  /**
   * Open model: request {@code i} is due at {@code start + i / rate}, whether or not earlier ones
   * have answered; latency counts from that due time. At most {@code maxInFlight} are in flight
   * (beyond it the generator itself is the bottleneck, which shows up as latency, not as a lower
   * offered rate hidden from the figures).
   */
  static Recorder open(
      ActorSystem system,
      double rate,
      Duration duration,
      int maxInFlight,
      LongFunction<CompletionStage<Api.Answer>> request) {
    long start = System.nanoTime() + 50_000_000L;
    var recorder = new Recorder(start);
    long total = (long) (rate * duration.toMillis() / 1000.0);
    var queue = Source.<Long>queue(maxInFlight).preMaterialize(system);
    var done =
        queue
            .second()
            .mapAsyncUnordered(
                maxInFlight,
                i -> {
                  long due = start + (long) (i * 1e9 / rate);
                  return request
                      .apply(i)
                      .handle(
                          (a, e) -> {
                            if (e != null) {
                              recorder.record(due, -1, "client_" + e.getClass().getSimpleName());
                            } else {
                              recorder.record(due, a);
                            }
                            return 0;
                          });
                })
            .runWith(Sink.ignore(), system);
    // A thread of its own starts each request at its due time; when the client cannot keep up,
    // the request is counted as dropped by the client rather than sent late unseen.
    for (long i = 0; i < total; i++) {
      long due = start + (long) (i * 1e9 / rate);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(wait);
      }
      if (queue.first().offer(i) != org.apache.pekko.stream.QueueOfferResult.enqueued()) {
        recorder.record(due, -1, "client_overloaded");
      }
    }
    queue.first().complete();
    done.toCompletableFuture().join();
    return recorder;
  }

  /** Closed model: {@code concurrency} workers, each sending its next request on an answer. */
  static Recorder closed(
      ActorSystem system,
      int concurrency,
      Duration duration,
      LongFunction<CompletionStage<Api.Answer>> request) {
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    var recorder = new Recorder(start);
    Source.range(0, Integer.MAX_VALUE)
        .takeWhile(i -> System.nanoTime() < end)
        .mapAsyncUnordered(
            concurrency,
            i -> {
              long sent = System.nanoTime();
              return request
                  .apply(i)
                  .handle(
                      (a, e) -> {
                        if (e != null) {
                          recorder.record(sent, -1, "client");
                        } else {
                          recorder.record(sent, a);
                        }
                        return 0;
                      });
            })
        .runWith(Sink.ignore(), system)
        .toCompletableFuture()
        .join();
    return recorder;
  }
}
