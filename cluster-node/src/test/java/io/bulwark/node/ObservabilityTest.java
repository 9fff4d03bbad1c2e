package io.bulwark.node;

import static io.bulwark.node.ApiClient.get;
import static io.bulwark.node.ApiClient.post;
import static io.bulwark.node.ApiClient.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.testing.Eventually;
import io.bulwark.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two nodes in processes of their own, as production runs them (Kamon attached, JSON logs): all
 * traffic goes to node A, and what operators see must match it. The metrics count exactly what was
 * done, a request's trace id reaches node B's log lines, every log line is JSON with the request's
 * ids, and no API key secret appears in any of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityTest {
  private static final String TENANT = "obs";
  private static final int ACCOUNTS = 6;
  private static final int TRANSFERS = 24;
  private static final long AMOUNT = 250;

  private final TestDatabase db = TestDatabase.create();
  private final String platformKey = TestNode.newPlatformKey();
  private final List<String> secrets = new ArrayList<>();
  private final Map<String, String> requestTraces = new HashMap<>();
  private OtlpCollector collector;
  private NodeProcess a;
  private NodeProcess b;
  private ApiClient api;
  private int completed;
  private int rejected;
  private int rateLimited;
  private JsonNode rejection;

  @BeforeAll
  void startNodesAndDriveTraffic() throws Exception {
    collector = OtlpCollector.start();
    Map<String, String> env = Map.of("BULWARK_LOG_FORMAT", "json", "BULWARK_LOG_LEVEL", "DEBUG");
    Map<String, String> tracing = new HashMap<>(env);
    tracing.putAll(
        Map.of(
            "BULWARK_TRACING", "otlp",
            "BULWARK_TRACE_SAMPLE_RATE", "1.0",
            "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
            "OTEL_EXPORTER_OTLP_ENDPOINT", collector.url()));
    List<String> properties =
        List.of(
            "-Dkamon.metric.tick-interval=1s",
            "-Dkamon.trace.tick-interval=1s",
            "-Djdbc-read-journal.refresh-interval=100ms",
            "-Dpekko.cluster.jmx.enabled=off");
    a = NodeProcess.seed("a", db, platformKey, tracing, properties);
    b = NodeProcess.joining("b", db, platformKey, a, env, properties);
    a.awaitReady();
    b.awaitReady();
    awaitTwoMembers();
    api = new ApiClient(a.baseUrl(), new OpenApiContract());
    var ledger = new Ledger(api, platformKey);
    String key = ledger.tenantWithAdmin(TENANT);
    secrets.add(key);
    ledger.account(TENANT, key, "world", "EUR", null);
    for (int i = 0; i < ACCOUNTS; i++) {
      ledger.account(TENANT, key, "acc-" + i, "EUR", 0L);
    }
    for (int i = 0; i < TRANSFERS; i++) {
      var response = transfer(key, "t-" + i, "world", "acc-" + (i % ACCOUNTS), AMOUNT, trace(i));
      assertEquals(201, response.status(), response.body());
      completed++;
    }
    for (int i = 0; i < 3; i++) {
      var response = transfer(key, "r-" + i, "acc-0", "acc-1", 1_000_000, trace(100 + i));
      assertEquals(422, response.status(), response.body());
      rejected++;
      rejection = response.json();
    }
    rateLimited = floodOfSecondTenant();
  }

  private ApiClient.Response transfer(
      String key, String idempotencyKey, String from, String to, long amount, String traceId) {
    var response =
        api.send(
            post("/v1/tenants/" + TENANT + "/transfers")
                .key(key)
                .header("Idempotency-Key", idempotencyKey)
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .json(Map.of("from", from, "to", to, "amount", amount, "currency", "EUR")));
    requestTraces.put(response.header("X-Request-Id").orElseThrow(), traceId);
    return response;
  }

  /** A tenant with a write limit of one a second, sent ten writes at once: the rest are 429. */
  private int floodOfSecondTenant() {
    var ledger = new Ledger(api, platformKey);
    var created =
        api.send(post("/v1/tenants").key(platformKey).json(Map.of("id", "flood", "name", "f")));
    assertEquals(201, created.status(), created.body());
    var limited =
        api.send(
            put("/v1/tenants/flood/limits")
                .key(platformKey)
                .json(
                    Map.of(
                        "writesPerSecond",
                        1,
                        "writeBurst",
                        1,
                        "readsPerSecond",
                        100,
                        "readBurst",
                        100)));
    assertEquals(200, limited.status(), limited.body());
    String key = ledger.key("flood", platformKey, "admin");
    secrets.add(key);
    int refused = 0;
    for (int i = 0; i < 10; i++) {
      var response =
          api.send(
              post("/v1/tenants/flood/accounts")
                  .key(key)
                  .json(Map.of("id", "f-" + i, "currency", "EUR")));
      if (response.status() == 429) {
        refused++;
      }
    }
    assertTrue(refused > 0, "the flood met its limit");
    return refused;
  }

  private static String trace(int i) {
    return String.format("4bf92f3577b34da6%016x", 0x1000 + i);
  }

  private void awaitTwoMembers() throws Exception {
    var management = new ApiClient("http://127.0.0.1:" + a.managementPort, null);
    Eventually.await(
        Duration.ofSeconds(60),
        () -> {
          var members = management.send(get("/cluster/members")).json().get("members");
          assertEquals(2, members.size());
          members.forEach(m -> assertEquals("Up", m.get("status").asText()));
        });
  }

  @AfterAll
  void stop() throws Exception {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
    db.close();
    if (collector != null) {
      collector.close();
    }
  }

  /** Node A reports spans (BULWARK_TRACING=otlp); B, with the default, reports none. */
  @Test
  void spansOfATracedRequestReachTheCollector() throws Exception {
    Eventually.await(
        Duration.ofSeconds(30),
        () -> assertTrue(collector.sawTrace(trace(0)), "spans of trace " + trace(0) + " exported"));
  }

  @Test
  void theMetricsCountWhatWasDone() throws Exception {
    Eventually.await(
        Duration.ofSeconds(30),
        () -> {
          var both = List.of(PrometheusText.parse(a.scrape()), PrometheusText.parse(b.scrape()));
          assertEquals(
              completed,
              total(both, "bulwark_transfers_total", Map.of("outcome", "completed")),
              "completed transfers");
          assertEquals(
              rejected,
              total(
                  both,
                  "bulwark_transfers_total",
                  Map.of("outcome", "rejected", "code", "insufficient_funds")),
              "rejected transfers");
          assertEquals(
              completed * AMOUNT,
              total(both, "bulwark_transfer_volume_minor_units_total", Map.of("currency", "EUR")),
              "volume");
          assertEquals(
              completed + rejected,
              total(both, "bulwark_saga_duration_seconds_count", Map.of()),
              "saga durations");
          var nodeA = both.get(0);
          assertEquals(
              completed,
              nodeA.sum(
                  "bulwark_http_server_requests_seconds_count",
                  Map.of(
                      "route", "/v1/tenants/{tenantId}/transfers",
                      "method", "POST",
                      "status_class", "2xx",
                      "priority", "critical")),
              "transfer requests answered 2xx by node A");
          assertEquals(
              rejected,
              nodeA.sum(
                  "bulwark_http_server_requests_seconds_count",
                  Map.of("route", "/v1/tenants/{tenantId}/transfers", "status_class", "4xx")),
              "transfer requests answered 4xx");
          assertEquals(
              completed + rejected,
              nodeA.sum(
                      "bulwark_http_tenant_requests_seconds_count",
                      Map.of("tenant", TENANT, "priority", "critical"))
                  - (ACCOUNTS + 1 + 1),
              "the tenant's requests (its transfers, accounts and key)");
          for (String le : List.of("0.12", "0.2")) {
            assertTrue(
                nodeA.sum(
                        "bulwark_http_server_requests_seconds_bucket",
                        Map.of("le", le, "route", "/v1/tenants/{tenantId}/transfers"))
                    > 0,
                "the SLO rules' bucket le=" + le);
          }
          assertEquals(
              rateLimited,
              nodeA.sum("bulwark_http_refusals_total", Map.of("reason", "rate_limited")),
              "refusals");
          assertTrue(total(both, "bulwark_projection_events_total", Map.of()) > 0, "projected");
          assertTrue(total(both, "bulwark_projection_lag_seconds_count", Map.of()) > 0, "lag");
          assertEquals(
              8,
              total(both, "bulwark_projection_running", Map.of("projection", "ledger")),
              "8 ledger slices run");
          assertEquals(
              4,
              total(both, "bulwark_projection_running", Map.of("projection", "webhooks")),
              "4 webhook partitions run");
          assertTrue(
              total(both, "bulwark_journal_persist_duration_seconds_count", Map.of()) > 0,
              "journal writes timed");
          assertTrue(
              total(both, "bulwark_account_batch_commands_count", Map.of()) > 0,
              "account batches measured");
          for (var node : both) {
            assertTrue(node.has("bulwark_db_pool_connections"), "pool in use and idle");
            assertTrue(node.has("bulwark_db_pool_waiting_threads"), "pool waiters");
            assertTrue(node.has("bulwark_admission_in_flight"), "admission in flight");
            assertTrue(node.has("bulwark_admission_limit"), "admission limit");
            assertTrue(node.has("bulwark_admission_waiting"), "admission waiting room");
            assertEquals(0, node.sum("bulwark_breaker_open"), "breakers closed");
            // Kamon samples entity and shard counts into histograms, once per tick.
            assertTrue(
                node.has("pekko_cluster_sharding_region_hosted_entities_count"),
                () -> "hosted entities, in " + names(node));
            assertTrue(node.has("executor_queue_size_bucket"), "dispatcher queues");
            assertTrue(node.has("jvm_memory_used_bytes_count"), "JVM memory");
          }
          assertTrue(
              total(
                      both,
                      "pekko_cluster_sharding_shard_hosted_entities_sum",
                      Map.of("type", "Account"))
                  > 0,
              "hosted accounts");
        });
  }

  private static java.util.Set<String> names(PrometheusText node) {
    return node.samples().stream()
        .map(PrometheusText.Sample::name)
        .filter(n -> n.startsWith("pekko"))
        .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
  }

  private static double total(List<PrometheusText> nodes, String name, Map<String, String> labels) {
    return nodes.stream().mapToDouble(n -> n.sum(name, labels)).sum();
  }

  @Test
  void aRequestsTraceIdReachesTheOtherNodesLogLines() throws Exception {
    Eventually.await(
        Duration.ofSeconds(10),
        () -> {
          var onA = traceIds(a);
          var onB = traceIds(b);
          var crossed =
              requestTraces.values().stream()
                  .filter(t -> onA.contains(t) && onB.contains(t))
                  .toList();
          assertFalse(
              crossed.isEmpty(),
              "some request sent to node A left log lines on node B with its trace id");
        });
  }

  @Test
  void errorBodiesCarryTheTraceId() {
    assertEquals(trace(102), rejection.get("traceId").asText(), rejection.toString());
  }

  @Test
  void everyLogLineIsJsonAndRequestLinesCarryTheirIds() throws Exception {
    int requestLines = 0;
    for (var node : List.of(a, b)) {
      for (String line : node.logLines()) {
        JsonNode json = parse(line);
        if (json.path("logger_name").asText().equals("io.bulwark.http.access")
            && json.path("message").asText().contains("/v1/tenants/" + TENANT + "/transfers")) {
          requestLines++;
          String requestId = json.path("requestId").asText();
          assertEquals(requestTraces.get(requestId), json.path("traceId").asText(), line);
          assertEquals(TENANT, json.path("tenantId").asText(), line);
          assertFalse(json.path("keyId").asText().isEmpty(), line);
        }
      }
    }
    assertEquals(completed + rejected, requestLines, "one access line per transfer request");
  }

  @Test
  void noLogLineHoldsAnApiKeySecret() throws Exception {
    List<String> all = new ArrayList<>(secrets);
    all.add(platformKey);
    int lines = 0;
    for (var node : List.of(a, b)) {
      for (String line : node.logLines()) {
        lines++;
        for (String secret : all) {
          assertFalse(line.contains(secret), "a log line holds a secret: " + line);
        }
      }
    }
    assertTrue(lines > 100, "the nodes logged (DEBUG): " + lines + " lines");
  }

  private static java.util.Set<String> traceIds(NodeProcess node) throws Exception {
    var ids = new java.util.HashSet<String>();
    for (String line : node.logLines()) {
      String id = parse(line).path("traceId").asText();
      if (!id.isEmpty()) {
        ids.add(id);
      }
    }
    return ids;
  }

  private static JsonNode parse(String line) {
    try {
      JsonNode json = ApiClient.JSON.readTree(line);
      assertTrue(json.isObject(), line);
      return json;
    } catch (java.io.IOException e) {
      throw new AssertionError("Not a JSON log line: " + line, e);
    }
  }
}
