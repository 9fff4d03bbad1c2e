package io.bulwark.loadtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * input line, 201), then uploads the same lines again and checks that every one is a replay and no
 * balance moved. The script samples the node's heap meanwhile.
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
      var first = upload(system, url, tenant, prefix, lines);
      long[] afterFirst = balances(api, tenant);
      var second = upload(system, url, tenant, prefix, lines);
      long[] afterSecond = balances(api, tenant);

      long moved = 0;
      boolean unchanged = true;
      for (int a = 0; a < ACCOUNTS; a++) {
        moved += Math.abs(afterFirst[a] - before[a]);
        unchanged &= afterFirst[a] == afterSecond[a];
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("lines", lines);
      result.put("first", first);
      result.put("second", second);
      result.put("balancesUnchangedByReupload", unchanged);
      result.put("absoluteBalanceChangeOfFirstUpload", moved);
      Files.createDirectories(out.getParent());
      Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
      System.out.printf("%nBulk upload of %d lines%n", lines);
      System.out.printf("  first:  %s%n", first);
      System.out.printf("  second: %s%n", second);
      System.out.printf("  balances unchanged by the re-upload: %s%n", unchanged);
      System.out.println("  written to " + out);
    } finally {
      system.terminate();
    }
  }

  /** Streams the upload and checks each result line as it arrives. */
  private static Map<String, Object> upload(
      ActorSystem system, String url, Ledger.Tenant tenant, String prefix, long lines) {
    Source<ByteString, ?> body =
        Source.range(1, (int) lines)
            .map(
                i -> {
                  int from = i % ACCOUNTS;
                  int to = (from + 1 + (i / ACCOUNTS) % (ACCOUNTS - 1)) % ACCOUNTS;
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
    Map<Integer, Long> statuses = new TreeMap<>();
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
                  if (line.get("line").asLong() != expected.getAndIncrement()) {
                    outOfOrder.incrementAndGet();
                  }
                  statuses.merge(line.get("status").asInt(), 1L, Long::sum);
                  if (line.get("replayed").asBoolean()) {
                    replayed.incrementAndGet();
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
