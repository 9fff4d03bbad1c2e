package io.bulwark.node;

import static io.bulwark.node.ApiClient.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.projections.SharedPool;
import io.bulwark.readmodel.Reconciliation;
import io.bulwark.testing.Eventually;
import io.bulwark.testing.Sql;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The ledger's invariant (API.md), checked on one tenant and currency: in the entities over HTTP,
 * in the read-model tables over plain JDBC, and with the node's own {@link Reconciliation}.
 */
final class InvariantChecks {
  /** A transfer as its entity finally reports it (strongly consistent GET). */
  record Final(
      String id,
      String from,
      String to,
      long amount,
      String currency,
      String status,
      String reason) {
    boolean completed() {
      return "completed".equals(status);
    }

    static Final of(JsonNode t) {
      return new Final(
          t.get("id").asText(),
          t.get("from").asText(),
          t.get("to").asText(),
          t.get("amount").asLong(),
          t.get("currency").asText(),
          t.get("status").asText(),
          t.path("reason").isTextual() ? t.get("reason").asText() : null);
    }
  }

  private final ApiClient api;
  private final String tenantId;
  private final String key;
  private final String currency;
  private final Sql sql;

  InvariantChecks(ApiClient api, String tenantId, String key, String currency, DataSource db) {
    this.api = api;
    this.tenantId = tenantId;
    this.key = key;
    this.currency = currency;
    this.sql = new Sql(db);
  }

  /** GET /transfers/{id}: the transfer, or null for 404. */
  JsonNode transfer(String id) {
    var response = api.send(get("/v1/tenants/" + tenantId + "/transfers/" + id).key(key));
    if (response.status() == 404) {
      return null;
    }
    assertEquals(200, response.status(), response.body());
    return response.json();
  }

  JsonNode account(String id) {
    var response = api.send(get("/v1/tenants/" + tenantId + "/accounts/" + id).key(key));
    assertEquals(200, response.status(), response.body());
    return response.json();
  }

  /**
   * Polls each transfer by GET until it is final; absent ones (404) are left out of the result
   * unless {@code mustExist}. Fails if any is still pending after {@code deadline}.
   */
  Map<String, Final> finalTransfers(Collection<String> ids, boolean mustExist, Duration deadline)
      throws Exception {
    Map<String, Final> done = new ConcurrentHashMap<>();
    Set<String> absent = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      Eventually.await(
          deadline,
          () -> {
            List<Future<?>> polls = new ArrayList<>();
            for (String id : ids) {
              if (done.containsKey(id) || absent.contains(id)) {
                continue;
              }
              polls.add(
                  pool.submit(
                      () -> {
                        JsonNode t = transfer(id);
                        if (t == null) {
                          assertTrue(!mustExist, "transfer " + id + " is not found");
                          absent.add(id);
                        } else if (!"pending".equals(t.get("status").asText())) {
                          done.put(id, Final.of(t));
                        }
                      }));
            }
            for (Future<?> poll : polls) {
              poll.get();
            }
            Set<String> pending = new HashSet<>(ids);
            pending.removeAll(done.keySet());
            pending.removeAll(absent);
            assertTrue(pending.isEmpty(), "still pending: " + pending);
          });
    } finally {
      pool.shutdownNow();
    }
    return new HashMap<>(done);
  }

  /** What the completed transfers imply for every account, starting from zero. */
  static Map<String, Long> impliedBalances(
      Collection<String> accountIds, Collection<Final> transfers) {
    Map<String, Long> balances = new LinkedHashMap<>();
    accountIds.forEach(id -> balances.put(id, 0L));
    for (Final t : transfers) {
      if (t.completed()) {
        balances.merge(t.from(), -t.amount(), Math::addExact);
        balances.merge(t.to(), t.amount(), Math::addExact);
      }
    }
    return balances;
  }

  /**
   * The entities (GET, strongly consistent): each balance is what the completed transfers imply,
   * nothing is reserved, no limited account is past its overdraft limit, and the balances sum to
   * zero. {@code limits} maps every account of the tenant to its limit (null: unlimited).
   */
  Map<String, Long> assertEntities(Map<String, Long> limits, Collection<Final> transfers) {
    Map<String, Long> expected = impliedBalances(limits.keySet(), transfers);
    assertEquals(limits.keySet(), expected.keySet(), "transfers touch only the known accounts");
    Map<String, Long> actual = new LinkedHashMap<>();
    long sum = 0;
    for (var account : limits.entrySet()) {
      JsonNode a = account(account.getKey());
      long balance = a.get("balance").asLong();
      actual.put(account.getKey(), balance);
      sum = Math.addExact(sum, balance);
      assertEquals(currency, a.get("currency").asText());
      assertEquals(0, a.get("reserved").asLong(), account.getKey() + " holds no reservation");
      Long limit = account.getValue();
      if (limit != null) {
        assertTrue(
            balance >= -limit,
            account.getKey() + " at " + balance + " is past its overdraft limit " + limit);
      }
    }
    assertSame(expected, actual, "entity balances are what the completed transfers imply");
    assertEquals(0, sum, "entity balances sum to zero");
    return actual;
  }

  /**
   * Waits, without touching any transfer entity, until every transfer in the journal shows as final
   * in the read model and no account holds a reservation: proof that every saga finished on its own
   * (a GET of a transfer would wake its entity and so could hide a saga that never resumed).
   */
  void awaitNoTransferInFlight(Collection<String> accountIds, Duration deadline) throws Exception {
    Eventually.await(
        deadline,
        () -> {
          long inJournal =
              sql.count(
                  "SELECT count(DISTINCT persistence_id) FROM event_journal"
                      + " WHERE starts_with(persistence_id, ?)",
                  "Transfer|" + tenantId + "/");
          long projected =
              sql.count("SELECT count(*) FROM transfers WHERE tenant_id = ?", tenantId);
          long pending =
              sql.count(
                  "SELECT count(*) FROM transfers WHERE tenant_id = ? AND status = 'pending'",
                  tenantId);
          assertEquals(inJournal, projected, "every transfer in the journal is projected");
          assertEquals(0, pending, "no transfer is pending");
          for (String id : accountIds) {
            assertEquals(0, account(id).get("reserved").asLong(), id + " holds no reservation");
          }
        });
  }

  /**
   * The read model, once the projection caught up: balances equal the entities' and sum to zero,
   * every transfer with its final status, two entries per completed transfer and none for a refused
   * one, balance_after chained per account, and the daily volume.
   */
  void assertReadModel(Map<String, Long> entityBalances, Map<String, Final> transfers)
      throws Exception {
    Eventually.await(Duration.ofSeconds(60), () -> checkReadModel(entityBalances, transfers));
  }

  private void checkReadModel(Map<String, Long> entityBalances, Map<String, Final> transfers)
      throws Exception {
    Map<String, Long> balances = new HashMap<>();
    long sum = 0;
    for (var row :
        sql.rows(
            "SELECT account_id, currency, balance, reserved FROM accounts WHERE tenant_id = ?",
            tenantId)) {
      long balance = (Long) row.get("balance");
      balances.put((String) row.get("account_id"), balance);
      sum += balance;
      assertEquals(0L, row.get("reserved"), "read-model reserved of " + row.get("account_id"));
      assertEquals(currency, row.get("currency"));
    }
    assertSame(entityBalances, balances, "read-model balances equal the entities'");
    assertEquals(0, sum, "read-model balances sum to zero");

    Map<String, Final> projected = new HashMap<>();
    for (var row :
        sql.rows(
            "SELECT transfer_id, from_account, to_account, amount, currency, status, reason"
                + " FROM transfers WHERE tenant_id = ?",
            tenantId)) {
      var t =
          new Final(
              (String) row.get("transfer_id"),
              (String) row.get("from_account"),
              (String) row.get("to_account"),
              (Long) row.get("amount"),
              (String) row.get("currency"),
              (String) row.get("status"),
              (String) row.get("reason"));
      projected.put(t.id(), t);
    }
    assertSame(transfers, projected, "the transfers table holds each transfer, final");

    Map<String, List<Map<String, Object>>> entriesByTransfer = new HashMap<>();
    Map<String, Long> lastBalance = new HashMap<>();
    for (var row :
        sql.rows(
            "SELECT account_id, entry_seq, transfer_id, amount, balance_after, counterparty"
                + " FROM ledger_entries WHERE tenant_id = ? ORDER BY account_id, entry_seq",
            tenantId)) {
      String account = (String) row.get("account_id");
      long amount = (Long) row.get("amount");
      long after = (Long) row.get("balance_after");
      long before = lastBalance.getOrDefault(account, 0L);
      assertEquals(
          before + amount,
          after,
          "balance_after chains on " + account + " at entry_seq " + row.get("entry_seq"));
      lastBalance.put(account, after);
      entriesByTransfer
          .computeIfAbsent((String) row.get("transfer_id"), k -> new ArrayList<>())
          .add(row);
    }
    lastBalance.forEach(
        (account, last) ->
            assertEquals(entityBalances.get(account), last, "last balance_after of " + account));

    long completed = 0;
    BigDecimal volume = BigDecimal.ZERO;
    for (Final t : transfers.values()) {
      var entries = entriesByTransfer.getOrDefault(t.id(), List.of());
      if (!t.completed()) {
        assertEquals(List.of(), entries, "no entries for the refused transfer " + t.id());
        continue;
      }
      completed++;
      volume = volume.add(BigDecimal.valueOf(t.amount()));
      assertEquals(2, entries.size(), "two entries for " + t.id() + ": " + entries);
      Map<String, Long> byAccount = new HashMap<>();
      Map<String, Object> counterparty = new HashMap<>();
      for (var e : entries) {
        byAccount.put((String) e.get("account_id"), (Long) e.get("amount"));
        counterparty.put((String) e.get("account_id"), e.get("counterparty"));
      }
      assertEquals(Map.of(t.from(), -t.amount(), t.to(), t.amount()), byAccount, t.id());
      assertEquals(Map.of(t.from(), t.to(), t.to(), t.from()), counterparty, t.id());
    }
    assertEquals(
        2 * completed,
        entriesByTransfer.values().stream().mapToLong(List::size).sum(),
        "no entry without a completed transfer");

    var daily =
        sql.rows(
            "SELECT COALESCE(SUM(transfer_count), 0) AS n, COALESCE(SUM(volume), 0) AS v"
                + " FROM tenant_daily_volume WHERE tenant_id = ? AND currency = ?",
            tenantId,
            currency);
    assertEquals(completed, ((Number) daily.get(0).get("n")).longValue(), "daily count");
    assertEquals(0, volume.compareTo((BigDecimal) daily.get(0).get("v")), "daily volume");
  }

  /** The node's own reconciliation finds no account whose read model differs from its entity. */
  void assertReconciled(ActorSystem<?> system, int accounts) throws Exception {
    var report =
        Reconciliation.create(system, SharedPool.dataSource(system))
            .forTenant(tenantId)
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    assertTrue(report.consistent(), "reconciliation differences: " + report.differences());
    assertEquals(accounts, report.checked());
  }

  /** Map equality that names only the keys that differ (the maps may hold thousands). */
  static <V> void assertSame(Map<String, V> expected, Map<String, V> actual, String what) {
    Set<String> keys = new TreeSet<>(expected.keySet());
    keys.addAll(actual.keySet());
    List<String> differences = new ArrayList<>();
    for (String k : keys) {
      if (!Objects.equals(expected.get(k), actual.get(k))) {
        differences.add(k + ": expected " + expected.get(k) + " but was " + actual.get(k));
      }
    }
    assertTrue(
        differences.isEmpty(),
        what
            + ": "
            + differences.size()
            + " differ, e.g. "
            + differences.subList(0, Math.min(10, differences.size())));
  }

  /**
   * The reconciliation of the node {@code api} talks to ({@code GET .../reconciliation} with the
   * platform key): no account differs from its entity over every account of the tenant, and the
   * transfers by status in the read model are those of the journal.
   */
  void assertReconciled(String platformKey, int accounts) {
    var report = api.send(get("/v1/tenants/" + tenantId + "/reconciliation").key(platformKey));
    assertEquals(200, report.status(), report.body());
    assertTrue(report.json().get("consistent").asBoolean(), report.body());
    assertEquals(accounts, report.json().get("accounts").get("checked").asInt(), report.body());
  }

  /** Every check above, once all transfers are final; returns the entity balances. */
  Map<String, Long> assertAll(
      ActorSystem<?> system, Map<String, Long> limits, Map<String, Final> transfers)
      throws Exception {
    var balances = assertEntitiesAndReadModel(limits, transfers);
    assertReconciled(system, limits.size());
    return balances;
  }

  /**
   * {@link #assertAll(ActorSystem, Map, Map)} for nodes in processes of their own: the
   * reconciliation over the API, with the platform key.
   */
  Map<String, Long> assertAll(
      String platformKey, Map<String, Long> limits, Map<String, Final> transfers) throws Exception {
    var balances = assertEntitiesAndReadModel(limits, transfers);
    assertReconciled(platformKey, limits.size());
    return balances;
  }

  private Map<String, Long> assertEntitiesAndReadModel(
      Map<String, Long> limits, Map<String, Final> transfers) throws Exception {
    for (Final t : transfers.values()) {
      if (!t.completed()) {
        assertEquals("rejected", t.status(), t.id());
      } else {
        assertNull(t.reason(), t.id());
      }
    }
    var balances = assertEntities(limits, transfers.values());
    assertReadModel(balances, transfers);
    return balances;
  }
}
