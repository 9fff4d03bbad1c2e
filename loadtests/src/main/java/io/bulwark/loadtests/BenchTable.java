package io.bulwark.loadtests;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.ActorSystem;

/**
 * Issue 5's bench, the node's part: transfers/s at saturation (closed loops of 16 to 128 in flight,
 * and how much of the best the 64 and 128 keep) and latency at half of it, strong reads/s, list
 * reads/s, a bare HTTP server's requests/s, journal events/s, read-model lag at 70 % of saturation,
 * and (issue 20) transfers/s with every debit from one hot account; then the table beside
 * PostgreSQL's own ceiling and a plain PostgreSQL ledger (pgbench figures passed in by {@code
 * loadtests/bench}), with the ratios, written as JSON.
 *
 * <p>Arguments: base URL, platform key file, result JSON path. Properties: {@code bare.url}, {@code
 * journal.command} (prints the journal's highest ordering), {@code pgbench.single} and {@code
 * pgbench.batched} (events/s), {@code plain.uniform} and {@code plain.hot} (transfers/s).
 */
public final class BenchTable {
  private static final Duration PHASE = Duration.ofSeconds(Long.getLong("phase.seconds", 15));
  private static final ObjectMapper JSON = new ObjectMapper();

  private BenchTable() {}

  public static void main(String[] args) throws Exception {
    var bench = Bench.fromArgs(args);
    var system = ActorSystem.create("loadtests");
    try {
      var table = measure(system, bench);
      Files.createDirectories(bench.out().toAbsolutePath().getParent());
      Files.writeString(
          bench.out(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(table));
      System.out.println("  written to " + bench.out());
    } finally {
      system.terminate();
    }
  }

  static Map<String, Object> measure(ActorSystem system, Bench bench) throws Exception {
    var api = new Api(system, bench.url());
    var ledger = Ledger.create(api, bench.platformKey(), 4, 50);
    Load.closed(system, 32, Duration.ofSeconds(20), i -> ledger.transfer("warm", i));

    double transfers = 0;
    double eventsPerSecond = Double.NaN;
    Map<Integer, Double> closed = new LinkedHashMap<>();
    Map<Integer, Long> closedRefused = new LinkedHashMap<>();
    for (int inFlight : new int[] {16, 32, 64, 128}) {
      long before = journalOrdering();
      var r = Load.closed(system, inFlight, PHASE, i -> ledger.transfer("sat" + inFlight, i));
      long after = journalOrdering();
      double rate = r.count("2") / seconds(PHASE);
      System.out.printf("  transfers, %d in flight: %.0f/s %s%n", inFlight, rate, r.outcomes());
      closed.put(inFlight, rate);
      closedRefused.put(inFlight, r.total() - r.count("2"));
      if (rate > transfers) {
        transfers = rate;
        eventsPerSecond = before < 0 ? Double.NaN : (after - before) / seconds(PHASE);
      }
    }
    double saturation = transfers;
    double uniformAt32 = closed.get(32);
    var half = Load.open(system, saturation / 2, PHASE, 4096, i -> ledger.transfer("half", i));
    var hotRun = Load.closed(system, 32, PHASE, ledger::hotTransfer);
    double hot = hotRun.count("2") / seconds(PHASE);
    System.out.printf(
        "  hot account, 32 in flight: %.0f/s p50 %.0f ms p99 %.0f ms %s%n",
        hot,
        Recorder.millis(hotRun.accepted, 50),
        Recorder.millis(hotRun.accepted, 99),
        hotRun.outcomes());
    if (Boolean.getBoolean("transfers.only")) {
      System.out.printf(
          "  TUNE-CLOSED c64=%.0f/s c128=%.0f/s refused64=%d refused128=%d%n",
          closed.get(64), closed.get(128), closedRefused.get(64), closedRefused.get(128));
      return transfersOnly(saturation, half, eventsPerSecond, hot, hotRun);
    }
    double reads = closedRate(system, i -> ledger.read(i), "reads");
    double lists = closedRate(system, i -> ledger.list(i), "lists");
    String bareUrl = System.getProperty("bare.url");
    double bare = Double.NaN;
    if (bareUrl != null) {
      var bareApi = new Api(system, bareUrl);
      bare = closedRate(system, i -> bareApi.send("GET", "/", "none", Map.of(), null), "bare HTTP");
    }
    Histogram lag = projectionLag(system, api, ledger, saturation * 0.7);

    double single = Double.parseDouble(System.getProperty("pgbench.single", "NaN"));
    double batched = Double.parseDouble(System.getProperty("pgbench.batched", "NaN"));
    Map<String, Object> t = transferFigures(saturation, half, eventsPerSecond);
    t.put("pgbenchSingleEventsPerSecond", single);
    t.put("pgbenchBatchedEventsPerSecond", batched);
    double plainUniform = Double.parseDouble(System.getProperty("plain.uniform", "NaN"));
    double plainHot = Double.parseDouble(System.getProperty("plain.hot", "NaN"));
    for (int inFlight : new int[] {64, 128}) {
      t.put("closedTransfersPerSecondAt" + inFlight, closed.get(inFlight));
      t.put("closedNot201At" + inFlight, closedRefused.get(inFlight));
      t.put("closedGoodputOverBestAt" + inFlight, closed.get(inFlight) / saturation);
    }
    t.put("uniformTransfersPerSecondAt32", uniformAt32);
    t.put("plainLedgerUniformTransfersPerSecond", plainUniform);
    t.put("uniformOverPlainLedger", uniformAt32 / plainUniform);
    t.put("hotAccountTransfersPerSecondAt32", hot);
    t.put("hotAccountP99MsAt32", Recorder.millis(hotRun.accepted, 99));
    t.put("plainLedgerHotTransfersPerSecond", plainHot);
    t.put("hotOverPlainLedger", hot / plainHot);
    t.put("eventsOverPgbenchBatched", eventsPerSecond / batched);
    t.put("strongReadsPerSecond", reads);
    t.put("listReadsPerSecond", lists);
    t.put("bareHttpRequestsPerSecond", bare);
    t.put("strongReadsOverBareHttp", reads / bare);
    t.put("projectionLagP50MsAt70", Recorder.millis(lag, 50));
    t.put("projectionLagP99MsAt70", Recorder.millis(lag, 99));
    t.put("projectionLagSamples", lag.getTotalCount());
    print(t);
    return t;
  }

  /** The write path's figures alone, for comparing settings (loadtests/tune). */
  private static Map<String, Object> transfersOnly(
      double saturation, Recorder half, double eventsPerSecond, double hot, Recorder hotRun) {
    System.out.printf(
        "  TUNE saturation=%.0f/s p50=%.1fms p99=%.1fms events=%.0f/s hot=%.0f/s hotP99=%.0fms"
            + " hotRefused=%d%n",
        saturation,
        Recorder.millis(half.accepted, 50),
        Recorder.millis(half.accepted, 99),
        eventsPerSecond,
        hot,
        Recorder.millis(hotRun.accepted, 99),
        hotRun.total() - hotRun.count("2"));
    var t = transferFigures(saturation, half, eventsPerSecond);
    t.put("hotAccountTransfersPerSecondAt32", hot);
    return t;
  }

  private static Map<String, Object> transferFigures(
      double saturation, Recorder half, double eventsPerSecond) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("transfersPerSecondAtSaturation", saturation);
    t.put("transferP50MsAtHalf", Recorder.millis(half.accepted, 50));
    t.put("transferP99MsAtHalf", Recorder.millis(half.accepted, 99));
    t.put("transferOutcomesAtHalf", half.outcomes());
    t.put("journalEventsPerSecondAtSaturation", eventsPerSecond);
    return t;
  }

  private static double closedRate(
      ActorSystem system,
      java.util.function.LongFunction<java.util.concurrent.CompletionStage<Api.Answer>> request,
      String what) {
    var r = Load.closed(system, 32, PHASE, request);
    double rate = r.count("2") / seconds(PHASE);
    System.out.printf("  %s, 32 in flight: %.0f/s %s%n", what, rate, r.outcomes());
    return rate;
  }

  /**
   * Transfers at {@code rate} (open model) for one phase; every 50th, once acknowledged, is looked
   * for in its destination's newest entries every 50 ms: the time until it is there is the lag.
   */
  private static Histogram projectionLag(ActorSystem system, Api api, Ledger ledger, double rate) {
    var lag = new ConcurrentHistogram(60_000_000_000L, 3);
    List<CompletableFuture<Void>> probes = new ArrayList<>();
    // Probes poll and sleep: threads of their own, so none waits for another to start.
    var pollers = Executors.newCachedThreadPool();
    Load.open(
        system,
        rate,
        PHASE,
        4096,
        i ->
            ledger
                .transfer("lag", i)
                .thenApply(
                    a -> {
                      if (i % 50 == 0 && a.status() == 201) {
                        long acked = System.nanoTime();
                        synchronized (probes) {
                          probes.add(
                              CompletableFuture.runAsync(
                                  () -> awaitEntry(api, ledger, i, a, acked, lag), pollers));
                        }
                      }
                      return a;
                    }));
    CompletableFuture.allOf(probes.toArray(new CompletableFuture[0])).join();
    pollers.shutdown();
    return lag;
  }

  private static void awaitEntry(
      Api api, Ledger ledger, long i, Api.Answer created, long acked, Histogram lag) {
    try {
      var transfer = JSON.readTree(created.body());
      String id = transfer.get("id").asText();
      String path =
          "/v1/tenants/"
              + ledger.tenantOf(i).id()
              + "/accounts/"
              + transfer.get("to").asText()
              + "/entries?limit=20";
      long deadline = acked + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        var page = api.send("GET", path, ledger.tenantOf(i).key(), Map.of(), null);
        String body = page.toCompletableFuture().join().body();
        if (body.contains("\"transferId\":\"" + id + "\"")) {
          lag.recordValue(System.nanoTime() - acked);
          return;
        }
        Thread.sleep(50);
      }
    } catch (Exception e) {
      throw new IllegalStateException("lag probe failed", e);
    }
  }

  /** The journal's highest ordering, from {@code journal.command} (a psql call), or -1. */
  private static long journalOrdering() throws Exception {
    String command = System.getProperty("journal.command");
    if (command == null) {
      return -1;
    }
    var process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes()).strip();
    process.waitFor();
    return Long.parseLong(out);
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  private static void print(Map<String, Object> t) {
    System.out.println();
    System.out.println("Bench (one run; ratios are against baselines measured in the same run)");
    String[][] rows = {
      {"transfers/s at saturation", "transfersPerSecondAtSaturation"},
      {"transfer p50 at 50 % (ms)", "transferP50MsAtHalf"},
      {"transfer p99 at 50 % (ms)", "transferP99MsAtHalf"},
      {"journal events/s at saturation", "journalEventsPerSecondAtSaturation"},
      {"closed loop, 64 in flight: transfers/s", "closedTransfersPerSecondAt64"},
      {"  answers other than 2xx", "closedNot201At64"},
      {"  ratio: goodput over the best", "closedGoodputOverBestAt64"},
      {"closed loop, 128 in flight: transfers/s", "closedTransfersPerSecondAt128"},
      {"  answers other than 2xx", "closedNot201At128"},
      {"  ratio: goodput over the best", "closedGoodputOverBestAt128"},
      {"uniform transfers/s, 32 in flight", "uniformTransfersPerSecondAt32"},
      {"plain PostgreSQL ledger, uniform, 32 clients", "plainLedgerUniformTransfersPerSecond"},
      {"  ratio: uniform over plain ledger", "uniformOverPlainLedger"},
      {"hot-account transfers/s, 32 in flight", "hotAccountTransfersPerSecondAt32"},
      {"hot-account transfer p99 (ms)", "hotAccountP99MsAt32"},
      {"plain PostgreSQL ledger, hot account", "plainLedgerHotTransfersPerSecond"},
      {"  ratio: hot account over plain ledger", "hotOverPlainLedger"},
      {"pgbench events/s, one per commit", "pgbenchSingleEventsPerSecond"},
      {"pgbench events/s, ten per commit", "pgbenchBatchedEventsPerSecond"},
      {"  ratio: events/s over pgbench batched", "eventsOverPgbenchBatched"},
      {"strong reads/s", "strongReadsPerSecond"},
      {"list reads/s", "listReadsPerSecond"},
      {"bare Pekko HTTP requests/s", "bareHttpRequestsPerSecond"},
      {"  ratio: strong reads over bare HTTP", "strongReadsOverBareHttp"},
      {"projection lag p50 at 70 % (ms)", "projectionLagP50MsAt70"},
      {"projection lag p99 at 70 % (ms)", "projectionLagP99MsAt70"},
    };
    for (String[] row : rows) {
      Object v = t.get(row[1]);
      System.out.printf(
          "  %-42s %12s%n",
          row[0],
          v instanceof Double d ? String.format(d < 10 ? "%.2f" : "%.0f", d) : String.valueOf(v));
    }
  }
}
