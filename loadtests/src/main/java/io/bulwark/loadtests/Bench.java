package io.bulwark.loadtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What every benchmark's main takes: the node's URL, its platform key file, where to write. */
record Bench(String url, String platformKey, Path out) {

  static {
    // With two cores the common pool has parallelism 1, and the JDK then runs every async
    // callback of a CompletableFuture (Pekko's futures seen as Java ones) on a new thread. This
    // runs before the benchmark creates its actor system.
    System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism", "4");
  }

  static Bench fromArgs(String[] args) throws IOException {
    if (args.length != 3) {
      throw new IllegalArgumentException("arguments: base-url platform-key-file result-json");
    }
    return new Bench(args[0], Files.readString(Path.of(args[1])).strip(), Path.of(args[2]));
  }
}
