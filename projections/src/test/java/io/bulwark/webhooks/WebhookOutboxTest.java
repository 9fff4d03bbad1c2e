package io.bulwark.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.bulwark.domain.WebhookTags;
import io.bulwark.domain.account.Account;
import io.bulwark.domain.transfer.Transfer;
import io.bulwark.projections.DataSourceJdbcSession;
import io.bulwark.testing.Sql;
import io.bulwark.testing.TestDatabase;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox side against a real database: the projection handler's rows (thin payloads, one
 * delivery per subscribed enabled endpoint, idempotent on redelivery) and the gap check, which
 * finds a webhook event committed behind the projection's offset and queues it.
 */
class WebhookOutboxTest {
  private static final Instant AT = Instant.parse("2026-11-27T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestDatabase db;
  private Sql sql;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create();
    sql = new Sql(db.dataSource());
    endpoint("acme", "we_all", true, "transfer.completed", "transfer.rejected", "account.created");
    endpoint("acme", "we_accounts", true, "account.created");
    endpoint("acme", "we_off", false, "transfer.completed");
    endpoint("globex", "we_globex", true, "transfer.completed");
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void eachEventBecomesOneMessageAndOneDeliveryPerSubscribedEnabledEndpoint() throws Exception {
    var events =
        List.of(
            envelope(
                "Account|acme/a1",
                1,
                10,
                new Account.AccountOpened("acme", "a1", "EUR", 500L, AT, "req-1", "trace-1")),
            envelope(
                "Transfer|acme/k1",
                3,
                11,
                new Transfer.TransferCompleted(
                    "acme", "t1", "a1", "a2", 1250, "EUR", AT, "req-2", null)),
            envelope(
                "Transfer|acme/k2",
                2,
                12,
                new Transfer.TransferRejected(
                    "acme", "t2", "insufficient_funds", AT, "a1", "a2", 99L, "EUR", null, null)),
            envelope(
                "Account|acme/a1", 2, 13, new Account.FundsReserved("acme", "a1", "t3", 5, 5, AT)));
    process(events);
    process(events); // redelivered after a restart: nothing new

    assertEquals(3, sql.count("SELECT count(*) FROM webhook_messages"));
    assertEquals(
        List.of("we_accounts:10", "we_all:10", "we_all:11", "we_all:12"),
        sql
            .rows(
                "SELECT endpoint_id || ':' || seq AS k FROM webhook_deliveries"
                    + " ORDER BY endpoint_id, seq")
            .stream()
            .map(r -> (String) r.get("k"))
            .toList());
    var payload =
        JSON.readTree(
            (String)
                sql.value(
                    "SELECT payload FROM webhook_messages WHERE event_type = 'transfer.rejected'"));
    assertEquals("transfer.rejected", payload.get("type").asText());
    assertEquals("t2", payload.get("data").get("transferId").asText());
    assertEquals(99, payload.get("data").get("amount").asLong());
    assertEquals("insufficient_funds", payload.get("data").get("reason").asText());
    assertEquals("a1", sql.value("SELECT account_id FROM webhook_deliveries WHERE seq = 12"));
    assertEquals("req-2", sql.value("SELECT request_id FROM webhook_messages WHERE seq = 11"));
    assertEquals(
        WebhookMessage.idOf("Transfer|acme/k1", 3),
        sql.value("SELECT message_id FROM webhook_deliveries WHERE seq = 11"));
    assertFalse(
        ((String) sql.value("SELECT string_agg(payload, '') FROM webhook_messages"))
            .contains("fingerprint"));
  }

  @Test
  void theGapCheckQueuesAnEventCommittedBehindTheProjectionsOffset() throws Exception {
    var system =
        ActorSystem.create(
            Behaviors.empty(),
            "gaps",
            ConfigFactory.parseString("pekko.loglevel = WARNING")
                .withFallback(ConfigFactory.load()));
    try {
      int partition = WebhookTags.of("acme");
      var seen = new Transfer.TransferCompleted("acme", "t1", "a1", "a2", 5, "EUR", AT, null, null);
      var late = new Transfer.TransferCompleted("acme", "t2", "a1", "a2", 7, "EUR", AT, null, null);
      journal(system, 100, "Transfer|acme/k1", 3, seen, partition);
      journal(system, 101, "Transfer|acme/k2", 3, late, partition); // the projection never saw it
      journal(system, 102, "Transfer|acme/k3", 3, seen, partition + 1); // another partition's
      process(List.of(envelope("Transfer|acme/k1", 3, 100, seen)));
      sql.update(
          "INSERT INTO pekko_projection_offset_store VALUES (?, ?, '150', 'SEQ', false, 0)",
          WebhookProjection.NAME,
          WebhookTags.tag(partition));

      var check = new WebhookMaintenance(system, db.dataSource(), 30);
      assertEquals(1, check.checkGaps());
      assertEquals(0, check.checkGaps(), "found once");

      assertEquals(
          List.of(100L, 101L),
          sql
              .rows("SELECT seq FROM webhook_deliveries WHERE endpoint_id = 'we_all' ORDER BY seq")
              .stream()
              .map(r -> ((Number) r.get("seq")).longValue())
              .toList());
      assertTrue(
          ((String) sql.value("SELECT payload FROM webhook_messages WHERE seq = 101"))
              .contains("\"transferId\":\"t2\""));
    } finally {
      system.terminate();
    }
  }

  /**
   * The gap check keeps a parked entity's order: an event the projection parked is not written
   * behind its back, and a skipped event of a parked entity parks behind it.
   */
  @Test
  void theGapCheckNeitherRewritesNorOvertakesParkedEvents() throws Exception {
    var system =
        ActorSystem.create(
            Behaviors.empty(),
            "parked-gaps",
            ConfigFactory.parseString("pekko.loglevel = WARNING")
                .withFallback(ConfigFactory.load()));
    try {
      int partition = WebhookTags.of("acme");
      var parked =
          new Transfer.TransferCompleted("acme", "t5", "a1", "a2", 5, "EUR", AT, null, null);
      var later =
          new Transfer.TransferRejected("acme", "t5", "x", AT, "a1", "a2", 5L, "EUR", null, null);
      journal(system, 200, "Transfer|acme/k5", 3, parked, partition);
      journal(system, 201, "Transfer|acme/k5", 4, later, partition);
      sql.update(
          "INSERT INTO projection_dead_letters (projection, persistence_id, seq_nr, tenant_id,"
              + " projection_key, journal_offset, event_type, state, error, attempts,"
              + " first_attempt_at, last_attempt_at) VALUES ('webhooks', 'Transfer|acme/k5', 3,"
              + " 'acme', ?, 200, 'TransferCompleted', 'failed', 'boom', 3, now(), now())",
          WebhookTags.tag(partition));
      sql.update(
          "INSERT INTO pekko_projection_offset_store VALUES (?, ?, '250', 'SEQ', false, 0)",
          WebhookProjection.NAME,
          WebhookTags.tag(partition));

      new WebhookMaintenance(system, db.dataSource(), 30).checkGaps();

      assertEquals(0, sql.count("SELECT count(*) FROM webhook_messages WHERE seq IN (200, 201)"));
      assertEquals(
          List.of("failed", "behind"),
          sql
              .rows(
                  "SELECT state FROM projection_dead_letters WHERE persistence_id ="
                      + " 'Transfer|acme/k5' ORDER BY seq_nr")
              .stream()
              .map(r -> r.get("state"))
              .toList());
    } finally {
      system.terminate();
    }
  }

  @Test
  void retentionRemovesOnlyOldDeliveredRowsAndTheirMessages() throws Exception {
    process(
        List.of(
            envelope(
                "Transfer|acme/k1",
                3,
                20,
                new Transfer.TransferCompleted("acme", "t1", "a", "b", 1, "EUR", AT, null, null)),
            envelope(
                "Transfer|acme/k2",
                3,
                21,
                new Transfer.TransferCompleted("acme", "t2", "a", "b", 1, "EUR", AT, null, null))));
    sql.update(
        "UPDATE webhook_deliveries SET state = 'delivered', delivered_at = now() - interval '40"
            + " days' WHERE seq = 20");
    sql.update("UPDATE webhook_messages SET occurred_at = now() - interval '40 days'");

    sql.update(
        "INSERT INTO webhook_deliveries (tenant_id, endpoint_id, seq, message_id, account_id,"
            + " event_type, next_attempt_at) VALUES ('acme', 'we_deleted', 21, 'm', 'a',"
            + " 'transfer.completed', now())");

    assertEquals(3, new WebhookMaintenance(null, db.dataSource(), 30).expire());
    assertEquals(List.of(21L), seqs("webhook_messages"));
    assertEquals(List.of(21L), seqs("webhook_deliveries"));
  }

  private List<Long> seqs(String table) throws Exception {
    return sql.rows("SELECT seq FROM " + table + " ORDER BY seq").stream()
        .map(r -> ((Number) r.get("seq")).longValue())
        .toList();
  }

  private void endpoint(String tenant, String id, boolean enabled, String... events)
      throws Exception {
    sql.update(
        "INSERT INTO webhook_endpoints (tenant_id, endpoint_id, url, events, enabled, secret,"
            + " created_at, updated_at) VALUES (?, ?, 'https://hooks.example/x', ?, ?,"
            + " '\\x00'::bytea, now(), now())",
        tenant,
        id,
        events,
        enabled);
  }

  private void journal(
      ActorSystem<?> system, long ordering, String pid, long seqNr, Object event, int partition)
      throws Exception {
    var serialization = SerializationExtension.get(system);
    var serializer = serialization.findSerializerFor(event);
    sql.update(
        "INSERT INTO event_journal (ordering, persistence_id, sequence_number, writer,"
            + " write_timestamp, event_ser_id, event_ser_manifest, event_payload)"
            + " VALUES (?, ?, ?, 'w', 0, ?, ?, ?)",
        ordering,
        pid,
        seqNr,
        serializer.identifier(),
        Serializers.manifestFor(serializer, event),
        serialization.serialize(event).get());
    sql.update(
        "INSERT INTO event_tag (event_id, tag) VALUES (?, ?)",
        ordering,
        WebhookTags.tag(partition % WebhookTags.COUNT));
  }

  private void process(List<EventEnvelope<Object>> group) throws Exception {
    try (var session = new DataSourceJdbcSession(db.dataSource())) {
      new WebhookProjectionHandler("test").process(session, group);
      session.commit();
    }
  }

  private static EventEnvelope<Object> envelope(
      String persistenceId, long seqNr, long offset, Object event) {
    return EventEnvelope.create(
        Offset.sequence(offset), persistenceId, seqNr, event, AT.toEpochMilli());
  }
}
