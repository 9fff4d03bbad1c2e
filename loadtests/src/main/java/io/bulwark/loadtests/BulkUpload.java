package io.bulwark.loadtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.FramingTruncation;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Issue 3's bulk benchmark: uploads N transfers as one NDJSON stream (generated as it is sent, so
 * the client holds none of it), checks every result line as it streams back (in order, one per
 * input line), then uploads the same lines again and checks line by line that nothing ran twice:
 * what the first upload settled is a replay, and the balances are exactly what the completed lines
 * moved. The script samples the node's heap meanwhile.
 *
 * <p>Arguments: base URL, platform key file, result JSON path; {@code -Dlines=1000000}.
 */
public final class BulkUpload {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ACCOUNTS = 1_000;

  private BulkUpload() {}

  public static void main(String[] args) throws Exception {
    var bench = Bench.fromArgs(args);
    String url = bench.url();
    String platformKey = bench.platformKey();
    Path out = bench.out();
    long lines = Long.getLong("lines", 1_000_000);
    var system = ActorSystem.create("loadtests");
    try {
      var api = new Api(system, url);
      var ledger = Ledger.create(api, platformKey, 1, ACCOUNTS);
      var tenant = ledger.tenants.get(0);
      String prefix = "bulk-" + Long.toString(System.currentTimeMillis(), 36);

      long[] before = balances(api, tenant);
      var first = new Pass(lines);
      var second = new Pass(lines);
      var firstFigures = upload(system, url, tenant, prefix, first);
      var secondFigures = upload(system, url, tenant, prefix, second);
      var check = check(api, tenant, prefix, first, second, before);

      Map<String, Object> result = new LinkedHashMap<>();
      result.put("lines", lines);
      result.put("first", firstFigures);
      result.put("second", secondFigures);
      result.putAll(check);
      Files.createDirectories(out.getParent());
      Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
      System.out.printf("%nBulk upload of %d lines%n", lines);
      System.out.printf("  first:  %s%n", firstFigures);
      System.out.printf("  second: %s%n", secondFigures);
      System.out.printf("  line by line: %s%n", check);
      System.out.println("  written to " + out);
    } finally {
      system.terminate();
    }
  }

  /** Line i moves 1 from account from(i) to account to(i), never the same one. */
  private static int from(long i) {
    return (int) (i % ACCOUNTS);
  }

  private static int to(long i) {
    return (int) ((from(i) + 1 + (i / ACCOUNTS) % (ACCOUNTS - 1)) % ACCOUNTS);
  }

  /** What one upload answered, line by line: the status, and whether it was a replay. */
  private static final class Pass {
    final long lines;
    final short[] status;
    final BitSet replayed = new BitSet();

    Pass(long lines) {
      this.lines = lines;
      this.status = new short[(int) lines + 1];
    }
  }

  /**
   * Line by line across both uploads: a line the first upload settled (201 or 422) must be a replay
   * the second time (executed once); a line refused the first time (503) may run the second time.
   * The balances at the end must be those before plus exactly the lines that completed, once each.
   */
  private static Map<String, Object> check(
      Api api, Ledger.Tenant tenant, String prefix, Pass first, Pass second, long[] before)
      throws Exception {
    long[] expected = before.clone();
    long settledNotReplayed = 0;
    long executedBySecond = 0;
    long completed = 0;
    long stillPending = 0;
    for (long i = 1; i <= first.lines; i++) {
      int s1 = first.status[(int) i];
      int s2 = second.status[(int) i];
      boolean replay = second.replayed.get((int) i);
      if ((s1 == 201 || s1 == 422) && !replay) {
        settledNotReplayed++;
      }
      if (s1 != 201 && s2 == 201 && !replay) {
        executedBySecond++;
      }
      String status =
          s1 == 201 || s2 == 201
              ? "completed"
              : s1 == 422 || s2 == 422 ? "rejected" : finalStatus(api, tenant, prefix + "-" + i);
      if (status.equals("completed")) {
        completed++;
        expected[from(i)] -= 1;
        expected[to(i)] += 1;
      } else if (status.equals("pending")) {
        stillPending++;
      }
    }
    long[] after = balances(api, tenant);
    long accountsOff = 0;
    for (int a = 0; a < ACCOUNTS; a++) {
      if (after[a] != expected[a]) {
        accountsOff++;
      }
    }
    Map<String, Object> check = new LinkedHashMap<>();
    check.put("completed", completed);
    check.put("settledFirstButNotReplayedSecond", settledNotReplayed);
    check.put("refusedFirstExecutedSecond", executedBySecond);
    check.put("stillPending", stillPending);
    check.put("accountsWhoseBalanceDiffersFromTheLines", accountsOff);
    check.put("eachLineExecutedAtMostOnce", settledNotReplayed == 0 && accountsOff == 0);
    return check;
  }

  /** The transfer's status once it is no longer pending (a 202 or 503 line), or "pending". */
  private static String finalStatus(Api api, Ledger.Tenant tenant, String key) throws Exception {
    String path = "/v1/tenants/" + tenant.id() + "/transfers/" + key;
    for (int attempt = 0; attempt < 60; attempt++) {
      var answer = api.send("GET", path, tenant.key(), Map.of(), null).toCompletableFuture().join();
      if (answer.status() == 404) {
        return "absent";
      }
      String status = JSON.readTree(answer.body()).path("status").asText("pending");
      if (!status.equals("pending")) {
        return status;
      }
      Thread.sleep(1_000);
    }
    return "pending";
  }

  /** Streams the upload and checks each result line as it arrives. */
  private static Map<String, Object> upload(
      ActorSystem system, String url, Ledger.Tenant tenant, String prefix, Pass pass) {
    long lines = pass.lines;
    Source<ByteString, ?> body =
        Source.range(1, (int) lines)
            .map(
                i -> {
                  int from = from(i);
                  int to = to(i);
                  return ByteString.fromString(
                      "{\"idempotencyKey\":\""
                          + prefix
                          + "-"
                          + i
                          + "\",\"from\":\"acc-"
                          + from
                          + "\",\"to\":\"acc-"
                          + to
                          + "\",\"amount\":1,\"currency\":\"EUR\"}\n");
                })
            .grouped(64)
            .map(group -> group.stream().reduce(ByteString.emptyByteString(), ByteString::concat));
    var request =
        HttpRequest.create(url + "/v1/tenants/" + tenant.id() + "/transfers:batch")
            .withMethod(HttpMethods.POST)
            .addHeader(RawHeader.create("Authorization", "Bearer " + tenant.key()))
            .withEntity(
                HttpEntities.createChunked(
                    MediaTypes.applicationWithOpenCharset("x-ndjson")
                        .toContentType(org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8),
                    body));
    var expected = new AtomicLong(1);
    var outOfOrder = new AtomicLong();
    var replayed = new AtomicLong();
    Map<String, Long> statuses = new TreeMap<>();
    long start = System.nanoTime();
    var response = Http.get(system).singleRequest(request).toCompletableFuture().join();
    if (response.status().intValue() != 200) {
      throw new IllegalStateException("batch answered " + response.status());
    }
    response
        .entity()
        .getDataBytes()
        .via(Framing.delimiter(ByteString.fromString("\n"), 1 << 20, FramingTruncation.DISALLOW))
        .runWith(
            Sink.foreach(
                bytes -> {
                  JsonNode line = JSON.readTree(bytes.toArray());
                  long index = expected.getAndIncrement();
                  if (line.get("line").asLong() != index) {
                    outOfOrder.incrementAndGet();
                  }
                  int status = line.get("status").asInt();
                  String code = line.path("body").path("code").asText("");
                  statuses.merge(code.isEmpty() ? "" + status : status + " " + code, 1L, Long::sum);
                  if (index <= lines) {
                    pass.status[(int) index] = (short) status;
                  }
                  if (line.get("replayed").asBoolean()) {
                    replayed.incrementAndGet();
                    pass.replayed.set((int) index);
                  }
                  long n = expected.get() - 1;
                  if (n % 100_000 == 0) {
                    System.out.printf(
                        "  %d lines, %.0f/s%n", n, n / ((System.nanoTime() - start) / 1e9));
                  }
                }),
            system)
        .toCompletableFuture()
        .join();
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("results", expected.get() - 1);
    figures.put("statuses", statuses);
    figures.put("outOfOrder", outOfOrder.get());
    figures.put("replayed", replayed.get());
    figures.put("seconds", Math.round(seconds));
    figures.put("linesPerSecond", Math.round((expected.get() - 1) / seconds));
    return figures;
  }

  private static long[] balances(Api api, Ledger.Tenant tenant) throws Exception {
    long[] balances = new long[ACCOUNTS];
    for (int a = 0; a < ACCOUNTS; a++) {
      var answer =
          api.call(
              "GET", "/v1/tenants/" + tenant.id() + "/accounts/acc-" + a, tenant.key(), null, 200);
      balances[a] = JSON.readTree(answer.body()).get("balance").asLong();
    }
    return balances;
  }
}
