package io.bulwark.webhooks;

import static io.bulwark.webhooks.WebhookTestKit.await;
import static io.bulwark.webhooks.WebhookTestKit.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.testing.Sql;
import io.bulwark.testing.TestSecrets;
import io.bulwark.testing.WebhookTables;
import io.bulwark.webhooks.WebhookEndpoints.Recovery;
import io.bulwark.webhooks.WebhookRefusedException.Reason;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Recover jobs: what they count, what they queue (dead letters and messages an endpoint never got,
 * since a time, in journal order), their progress, and which runs take a job.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookRecoveriesTest {
  private WebhookTestKit kit;
  private WebhookEndpoints webhooks;
  private WebhookTables tables;
  private Sql sql;

  @BeforeAll
  void start() {
    kit = new WebhookTestKit();
    webhooks = kit.webhooks;
    tables = kit.tables;
    sql = kit.sql;
  }

  @AfterAll
  void stop() {
    kit.close();
  }

  private String endpoint(String tenant, EventType... events) throws Exception {
    var created = await(webhooks.create(tenant, "http://127.0.0.1/r", List.of(events)));
    TestSecrets.remember(created.secret());
    return created.endpoint().id();
  }

  private Recovery recovery(String tenant, String endpoint, Recovery job) throws Exception {
    return await(webhooks.recovery(tenant, endpoint, job.id())).orElseThrow();
  }

  private List<String> states(String endpoint) throws Exception {
    return sql
        .rows(
            "SELECT seq, state FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY seq",
            endpoint)
        .stream()
        .map(r -> r.get("seq") + ":" + r.get("state"))
        .toList();
  }

  @Test
  void aRecoveryQueuesWhatTheEndpointMissedAndItsDeadLettersSinceATime() throws Exception {
    String endpoint = endpoint("t-recover", EventType.TRANSFER_COMPLETED);
    Instant since = kit.clock.instant().minus(Duration.ofHours(2));
    Instant before = since.minus(Duration.ofMinutes(1));
    Instant after = since.plus(Duration.ofMinutes(1));
    tables.message("t-recover", 10, "transfer.completed", "a", before); // too old
    tables.message("t-recover", 11, "transfer.completed", "a", after); // missed
    tables.message("t-recover", 12, "account.created", "a", after); // not subscribed
    tables.delivery("t-recover", endpoint, 13, "transfer.completed", "a", "dead", after);
    tables.delivery("t-recover", endpoint, 14, "transfer.completed", "a", "delivered", after);
    tables.delivery("t-recover", endpoint, 15, "transfer.completed", "b", "dead", before);
    tables.message("other", 16, "transfer.completed", "a", after); // another tenant's

    var job = await(webhooks.startRecovery("t-recover", endpoint, since)).orElseThrow();
    assertTrue(job.id().matches("wr_[0-9a-f]{24}"), job.id());
    assertEquals("running", job.state());
    assertNull(job.total(), "not counted until a runner takes it");
    assertEquals(0, job.done());
    assertEquals(since, job.since());
    assertEquals(endpoint, job.endpointId());
    assertNull(job.finishedAt());

    assertEquals(1, webhooks.runRecoveries());
    var done = recovery("t-recover", endpoint, job);
    assertEquals("completed", done.state());
    assertEquals(2L, done.total());
    assertEquals(2, done.done());
    assertNotNull(done.finishedAt());
    assertEquals(List.of("11:pending", "13:pending", "14:delivered", "15:dead"), states(endpoint));
    var inserted =
        sql.rows(
                "SELECT message_id, account_id, event_type, attempts, next_attempt_at"
                    + " FROM webhook_deliveries WHERE endpoint_id = ? AND seq = 11",
                endpoint)
            .get(0);
    assertEquals("msg_11", inserted.get("message_id"));
    assertEquals("a", inserted.get("account_id"));
    assertEquals(0, inserted.get("attempts"));
    assertEquals(
        kit.clock.instant(), ((java.sql.Timestamp) inserted.get("next_attempt_at")).toInstant());

    assertEquals(0, webhooks.runRecoveries(), "a completed job is not run again");
  }

  @Test
  void bigRecoveriesGoInBatchesInJournalOrder() throws Exception {
    String endpoint = endpoint("t-batches", EventType.ACCOUNT_CREATED);
    Instant at = kit.clock.instant().minus(Duration.ofMinutes(30));
    sql.update(
        "INSERT INTO webhook_messages (tenant_id, message_id, seq, partition_no, persistence_id,"
            + " seq_nr, event_type, account_id, payload, occurred_at)"
            + " SELECT 't-batches', 'msg_' || g, g, 0, 'Batch|' || g, g, 'account.created',"
            + " 'acc-' || (g % 7), '{}', ? FROM generate_series(1000, 2199) g",
        OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC));
    var job = await(webhooks.startRecovery("t-batches", endpoint, at)).orElseThrow();
    assertEquals(1, webhooks.runRecoveries());
    var done = recovery("t-batches", endpoint, job);
    assertEquals(1200L, done.total());
    assertEquals(1200, done.done());
    assertEquals("completed", done.state());
    // Each batch is one transaction, and now() is its start: three batches, in seq order.
    var batches =
        sql.rows(
            "SELECT created_at, min(seq) AS first, max(seq) AS last, count(*) AS n"
                + " FROM webhook_deliveries WHERE endpoint_id = ? GROUP BY created_at"
                + " ORDER BY created_at",
            endpoint);
    assertEquals(3, batches.size(), batches.toString());
    assertEquals(List.of(1000L, 1500L, 2000L), batches.stream().map(b -> b.get("first")).toList());
    assertEquals(List.of(1499L, 1999L, 2199L), batches.stream().map(b -> b.get("last")).toList());
  }

  @Test
  void aJobIsTakenWhenNewOrWhenItsRunnerStopped() throws Exception {
    String endpoint = endpoint("t-claim", EventType.ACCOUNT_CREATED);
    tables.delivery("t-claim", endpoint, 1, "account.created", "a", "dead", kit.clock.instant());
    var job =
        await(webhooks.startRecovery("t-claim", endpoint, kit.clock.instant().minusSeconds(60)))
            .orElseThrow();
    // As if another node had counted it and were working on it right now.
    sql.update(
        "UPDATE webhook_recoveries SET total = 1, heartbeat_at = ? WHERE recovery_id = ?",
        OffsetDateTime.ofInstant(kit.clock.instant(), java.time.ZoneOffset.UTC),
        job.id());
    kit.clock.advance(Duration.ofSeconds(29));
    assertEquals(0, webhooks.runRecoveries(), "its runner beat less than 30 s ago");
    assertEquals("running", recovery("t-claim", endpoint, job).state());
    kit.clock.advance(Duration.ofSeconds(2));
    assertEquals(1, webhooks.runRecoveries(), "its runner is silent: taken over");
    var done = recovery("t-claim", endpoint, job);
    assertEquals("completed", done.state());
    assertEquals(1L, done.total(), "counted once, by the first runner");
    assertEquals(1, done.done());
  }

  @Test
  void sinceMustLieWithinTheMessagesKept() throws Exception {
    String endpoint = endpoint("t-since", EventType.ACCOUNT_CREATED);
    Instant now = kit.clock.instant();
    refused(
        Reason.SINCE_OUT_OF_RANGE, webhooks.startRecovery("t-since", endpoint, now.plusSeconds(1)));
    refused(
        Reason.SINCE_OUT_OF_RANGE,
        webhooks.startRecovery(
            "t-since", endpoint, now.minus(Duration.ofDays(30)).minusSeconds(1)));
    var oldest = await(webhooks.startRecovery("t-since", endpoint, now.minus(Duration.ofDays(30))));
    assertTrue(oldest.isPresent());
    assertEquals(Optional.empty(), await(webhooks.startRecovery("t-other", endpoint, now)));
    assertEquals(
        Optional.empty(),
        await(webhooks.recovery("t-since", endpoint, "wr_000000000000000000000000")));
    assertEquals(
        Optional.empty(), await(webhooks.recovery("t-other", endpoint, oldest.get().id())));
    webhooks.runRecoveries();
    assertEquals("completed", recovery("t-since", endpoint, oldest.get()).state());
  }
}
