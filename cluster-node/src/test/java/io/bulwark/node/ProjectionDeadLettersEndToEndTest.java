package io.bulwark.node;

import static io.bulwark.node.ApiClient.get;
import static io.bulwark.node.ApiClient.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.domain.Slices;
import io.bulwark.testing.Eventually;
import io.bulwark.testing.Sql;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Over HTTP against a real node: an account whose journal holds a NUL in a reference (as versions
 * before the edge's character policy stored one) is parked, the platform key lists it and replays
 * it with the text repair, tenant keys cannot, and each replay is in the tenant's audit chain.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProjectionDeadLettersEndToEndTest {
  private static final String GHOST = "Account|evil/ghost";

  private SingleNodeFixture f;
  private String evilAdmin;
  private String otherAdmin;

  @BeforeAll
  void start() {
    f = new SingleNodeFixture();
    evilAdmin = f.ledger.tenantWithAdmin("evil");
    otherAdmin = f.ledger.tenantWithAdmin("other");
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  @Test
  void aParkedAccountIsListedReplayedWithRepairAndAudited() throws Exception {
    f.ledger.account("evil", evilAdmin, "world", "EUR", null);
    f.ledger.account("evil", evilAdmin, "victim", "EUR", 0L);
    var deposit =
        f.api.send(
            post("/v1/tenants/evil/transfers")
                .key(evilAdmin)
                .header("Idempotency-Key", "template")
                .json(
                    Map.of(
                        "from",
                        "world",
                        "to",
                        "victim",
                        "amount",
                        100,
                        "currency",
                        "EUR",
                        "reference",
                        "PLACEHOLDER")));
    assertEquals(201, deposit.status(), deposit.body());
    copyVictimAsGhostWithNul();

    JsonNode parked = awaitParked(1);
    JsonNode item = parked.get("items").get(0);
    assertEquals(GHOST, item.get("persistenceId").asText());
    assertEquals("failed", item.get("state").asText());
    assertEquals("22021", item.get("sqlState").asText());
    assertEquals("FundsCredited", item.get("eventType").asText());
    assertEquals(2, item.get("seqNr").asLong());

    // The node stays ready; the management port's detail names the degraded tenant.
    assertEquals(200, f.management.send(get("/ready")).status());
    var health = f.management.send(get("/health/read-models"));
    assertEquals(200, health.status(), health.body());
    assertTrue(health.json().get("degraded").asBoolean(), health.body());
    assertEquals(1, health.json().get("parkedEvents").get("ledger").get("evil").asInt());

    // Tenant keys see none of it: their own admin 403, another tenant's admin 404.
    assertEquals(403, f.api.send(get("/v1/projection-dead-letters").key(evilAdmin)).status());
    assertEquals(403, replay("evil", evilAdmin, "{}").status());
    assertEquals(404, replay("evil", otherAdmin, "{}").status());
    var badRepair = replay("evil", f.platformKey, "{\"repair\":\"drop\"}");
    assertEquals(400, badRepair.status());
    assertEquals("repair", badRepair.json().get("member").asText());

    var again = replay("evil", f.platformKey, "{}");
    assertEquals(200, again.status(), again.body());
    assertEquals(0, again.json().get("replayed").asInt());
    assertEquals(1, again.json().get("stillParked").asInt());
    assertTrue(again.json().get("failures").get(0).get("error").asText().contains("0x00"));

    var repaired =
        replay(
            "evil",
            f.platformKey,
            "{\"projection\":\"ledger\",\"persistenceId\":\""
                + GHOST
                + "\","
                + "\"repair\":\"replace-invalid-text\"}");
    assertEquals(200, repaired.status(), repaired.body());
    assertEquals(1, repaired.json().get("replayed").asInt());
    assertEquals(0, repaired.json().get("stillParked").asInt());
    assertEquals(0, list("?tenantId=evil").get("items").size());
    var healed = f.management.send(get("/health/read-models"));
    assertFalse(healed.json().get("degraded").asBoolean(), healed.body());

    var entries = f.api.send(get("/v1/tenants/evil/accounts/ghost/entries").key(evilAdmin));
    assertEquals(200, entries.status(), entries.body());
    assertEquals("a\uFFFDb", entries.json().get("items").get(0).get("reference").asText());

    var audit =
        f.api.send(
            get("/v1/tenants/evil/audit-events?action=projection.replayed").key(f.platformKey));
    assertEquals(200, audit.status(), audit.body());
    var events = audit.json().get("items");
    assertEquals(2, events.size(), audit.body());
    assertEquals("platform", events.get(0).get("actor").asText());
    assertEquals(1, events.get(0).get("details").get("replayed").asInt());
    assertEquals("replace-invalid-text", events.get(0).get("details").get("repair").asText());
  }

  /**
   * The victim's two events again under another entity, with the reference's placeholder turned
   * into a JSON-escaped NUL: the journal format of a real node, and a NUL the edge no longer lets
   * in.
   */
  private void copyVictimAsGhostWithNul() throws Exception {
    var sql = new Sql(f.db.dataSource());
    int copied =
        sql.update(
            "INSERT INTO event_journal (persistence_id, sequence_number, writer, write_timestamp,"
                + " adapter_manifest, event_ser_id, event_ser_manifest, event_payload)"
                + " SELECT ?, sequence_number, writer, write_timestamp, adapter_manifest, event_ser_id,"
                + " event_ser_manifest, convert_to(replace(replace(convert_from(event_payload, 'UTF8'),"
                + " '\"victim\"', '\"ghost\"'), 'PLACEHOLDER', 'a\\u0000b'), 'UTF8')"
                + " FROM event_journal WHERE persistence_id = 'Account|evil/victim'"
                + " AND sequence_number <= 2 ORDER BY sequence_number",
            GHOST);
    assertEquals(2, copied);
    sql.update(
        "INSERT INTO event_tag (event_id, tag) SELECT ordering, ? FROM event_journal"
            + " WHERE persistence_id = ?",
        Slices.tag(Slices.of(GHOST)),
        GHOST);
  }

  private JsonNode awaitParked(int n) throws Exception {
    JsonNode[] page = new JsonNode[1];
    Eventually.await(
        Duration.ofSeconds(20),
        () -> {
          page[0] = list("?tenantId=evil&projection=ledger");
          assertEquals(n, page[0].get("items").size(), page[0].toString());
        });
    return page[0];
  }

  private JsonNode list(String query) {
    var response = f.api.send(get("/v1/projection-dead-letters" + query).key(f.platformKey));
    assertEquals(200, response.status(), response.body());
    return response.json();
  }

  private ApiClient.Response replay(String tenantId, String key, String body) {
    return f.api.send(
        post("/v1/tenants/" + tenantId + "/projection-dead-letters/replay").key(key).body(body));
  }
}
