package io.bulwark.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bulwark.testing.Eventually;
import io.bulwark.testing.Sql;
import io.bulwark.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * BULWARK_DB_READ_URL: list endpoints read from the replica, everything else from the primary. The
 * "replica" here is a second database that the test fills by hand, standing in for replication, so
 * which database answered shows in the result: a list sees what the replica holds, not what the
 * projection wrote to the primary, while a single account (the entity) is always current.
 */
class ReadReplicaTest {
  private TestDatabase primary;
  private TestDatabase replica;
  private TestNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.stop();
    }
    replica.close();
    primary.close();
  }

  @Test
  void listsComeFromTheReplicaAndSingleReadsFromTheEntities() throws Exception {
    primary = TestDatabase.create();
    replica = TestDatabase.create();
    String platformKey = TestNode.newPlatformKey();
    node = TestNode.seed(primary, platformKey).withReplica(replica).start();
    var api = new ApiClient(node.baseUrl(), new OpenApiContract());
    var ledger = new Ledger(api, platformKey);
    String admin = ledger.tenantWithAdmin("replica");
    ledger.account("replica", admin, "a", "EUR", null);
    ledger.account("replica", admin, "b", "EUR", 0L);
    var onPrimary = new Sql(primary.dataSource());
    Eventually.await(
        Duration.ofSeconds(30),
        () ->
            assertEquals(
                2, onPrimary.count("SELECT count(*) FROM accounts WHERE tenant_id = 'replica'")));

    assertEquals(List.of(), accountIds(api, admin), "the replica has not caught up yet");
    assertEquals(0, ledger.balance("replica", admin, "b"), "a single account is read live");

    // Replication catches up: the replica's table receives the primary's rows.
    var onReplica = new Sql(replica.dataSource());
    for (var row : onPrimary.rows("SELECT * FROM accounts WHERE tenant_id = 'replica'")) {
      onReplica.update(
          "INSERT INTO accounts (tenant_id, account_id, currency, balance, reserved,"
              + " overdraft_limit, created_at, updated_at, last_seq_nr)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          row.get("tenant_id"),
          row.get("account_id"),
          row.get("currency"),
          row.get("balance"),
          row.get("reserved"),
          row.get("overdraft_limit"),
          row.get("created_at"),
          row.get("updated_at"),
          row.get("last_seq_nr"));
    }
    assertEquals(List.of("a", "b"), accountIds(api, admin));
  }

  private static List<String> accountIds(ApiClient api, String key) {
    var list = api.send(ApiClient.get("/v1/tenants/replica/accounts").key(key));
    assertEquals(200, list.status(), list.body());
    List<String> ids = new java.util.ArrayList<>();
    list.json().get("items").forEach(a -> ids.add(a.get("id").asText()));
    return ids;
  }
}
