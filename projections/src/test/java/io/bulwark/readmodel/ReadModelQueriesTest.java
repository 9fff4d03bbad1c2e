package io.bulwark.readmodel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.domain.account.AccountView;
import io.bulwark.domain.transfer.TransferView;
import io.bulwark.testing.Sql;
import io.bulwark.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postgresql.ds.PGSimpleDataSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadModelQueriesTest {
  private static final Instant BASE = Instant.parse("2026-02-01T10:00:00.000001Z");

  private TestDatabase db;
  private Sql sql;
  private ExecutorService blocking;
  private ReadModelQueries queries;

  @BeforeAll
  void setUp() {
    db = TestDatabase.create();
    sql = new Sql(db.dataSource());
    blocking = Executors.newFixedThreadPool(2);
    queries = new ReadModelQueries(db.dataSource(), blocking);
  }

  @AfterAll
  void tearDown() {
    blocking.shutdownNow();
    db.close();
  }

  @Test
  void accountPagesWalkEveryAccountOnceInIdOrderWhileAccountsAreAdded() throws Exception {
    var original = List.of("a-1", "a-2", "a-3", "b-1", "b-2", "c-1", "c-2");
    for (String id : original) {
      insertAccount("q-acc", id);
    }
    insertAccount("q-other", "a-0");

    var seen = new ArrayList<String>();
    String cursor = null;
    int pages = 0;
    do {
      Page<AccountView> page =
          queries.listAccounts("q-acc", 2, cursor).toCompletableFuture().join();
      assertTrue(page.items().size() <= 2);
      page.items().forEach(a -> seen.add(a.id()));
      cursor = page.nextCursor();
      if (++pages == 1) {
        insertAccount("q-acc", "a-0"); // behind the cursor: not part of this walk
        insertAccount("q-acc", "z-9"); // ahead of it: seen once
      }
    } while (cursor != null);

    var expected = new ArrayList<>(original);
    expected.add("z-9");
    assertEquals(expected, seen);
    assertEquals(4, pages);
  }

  @Test
  void lastPageHasNoCursorEvenWhenItIsFull() throws Exception {
    for (String id : List.of("a", "b", "c", "d")) {
      insertAccount("q-four", id);
    }
    var first = queries.listAccounts("q-four", 2, null).toCompletableFuture().join();
    assertNotNull(first.nextCursor());
    var second = queries.listAccounts("q-four", 2, first.nextCursor()).toCompletableFuture().join();
    assertEquals(List.of("c", "d"), second.items().stream().map(AccountView::id).toList());
    assertNull(second.nextCursor());
    assertEquals(
        new Page<>(List.of(), null),
        queries.listAccounts("q-nobody", 50, null).toCompletableFuture().join());
  }

  @Test
  void transferPagesAreNewestFirstAndStableUnderConcurrentInserts() throws Exception {
    // Several transfers share a creation time: the id breaks the tie.
    int[] seconds = {0, 0, 1, 1, 1, 2, 3};
    for (int i = 0; i < seconds.length; i++) {
      insertTransfer(
          "q-tr", "tr-" + i, BASE.plusSeconds(seconds[i]), i % 2 == 0 ? "completed" : "pending");
    }
    var expected = List.of("tr-6", "tr-5", "tr-4", "tr-3", "tr-2", "tr-1", "tr-0");

    var seen =
        walk(
            c -> queries.listTransfers("q-tr", null, 2, c),
            TransferView::id,
            () -> insertTransfer("q-tr", "tr-new", BASE.plusSeconds(3600), "pending"));

    assertEquals(expected, seen);
  }

  @Test
  void transferPagesCanBeFilteredByStatus() throws Exception {
    for (int i = 0; i < 7; i++) {
      insertTransfer(
          "q-st", "tr-" + i, BASE.plusSeconds(i / 2), i % 2 == 0 ? "completed" : "rejected");
    }
    var seen =
        walk(c -> queries.listTransfers("q-st", "completed", 2, c), TransferView::id, () -> {});
    assertEquals(List.of("tr-6", "tr-4", "tr-2", "tr-0"), seen);

    var page = queries.listTransfers("q-st", "rejected", 1, null).toCompletableFuture().join();
    var transfer = page.items().get(0);
    assertEquals("rejected", transfer.status());
    assertEquals("insufficient_funds", transfer.reason());
    assertEquals(BASE.plusSeconds(2), transfer.createdAt());
  }

  @Test
  void entryPagesAreNewestFirstAndStableUnderConcurrentInserts() throws Exception {
    for (long seq = 2; seq <= 6; seq++) {
      insertEntry("q-en", "acc", seq);
    }
    insertEntry("q-en", "other", 7);

    var seen =
        walk(
            c -> queries.listEntries("q-en", "acc", 2, c),
            EntryView::transferId,
            () -> insertEntry("q-en", "acc", 8));

    assertEquals(List.of("tr-6", "tr-5", "tr-4", "tr-3", "tr-2"), seen);
    var entry =
        queries.listEntries("q-en", "acc", 1, null).toCompletableFuture().join().items().get(0);
    assertEquals(new EntryView("tr-8", -8, 100 - 8, "bank", "ref 8", BASE.plusSeconds(8)), entry);
  }

  @Test
  void malformedCursorIsRefusedBeforeAnyDatabaseWork() throws Exception {
    Executor untouchable =
        task -> {
          throw new AssertionError("the database was queried");
        };
    var guarded = new ReadModelQueries(db.dataSource(), untouchable);
    insertAccount("q-cur", "a");
    insertAccount("q-cur", "b");
    String accountsCursor =
        queries.listAccounts("q-cur", 1, null).toCompletableFuture().join().nextCursor();
    var bytes = Base64.getUrlDecoder().decode(accountsCursor);
    var newerVersion = bytes.clone();
    newerVersion[0] = 9;
    var trailing = Arrays.copyOf(bytes, bytes.length + 1);

    for (String bad :
        List.of(
            "not a cursor!",
            "AAAA",
            "x".repeat(2000),
            Base64.getUrlEncoder().encodeToString(newerVersion),
            Base64.getUrlEncoder().encodeToString(trailing))) {
      assertThrows(InvalidCursorException.class, () -> guarded.listAccounts("q-cur", 2, bad), bad);
    }
    assertThrows(
        InvalidCursorException.class,
        () -> guarded.listTransfers("q-cur", null, 2, accountsCursor));
    assertThrows(
        InvalidCursorException.class, () -> guarded.listEntries("q-cur", "a", 2, accountsCursor));
    assertThrows(IllegalArgumentException.class, () -> guarded.listAccounts("q-cur", 0, null));
    assertThrows(IllegalArgumentException.class, () -> guarded.listAccounts("q-cur", 201, null));
    assertThrows(
        IllegalArgumentException.class, () -> guarded.listTransfers("q-cur", "done", 2, null));
  }

  @Test
  void pingAnswersWhetherTheDatabaseIsReachable() {
    assertTrue(queries.ping(Duration.ofSeconds(5)).toCompletableFuture().join());

    var nowhere = new PGSimpleDataSource();
    nowhere.setUrl("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1");
    var unreachable = new ReadModelQueries(nowhere, blocking);
    assertFalse(unreachable.ping(Duration.ofSeconds(2)).toCompletableFuture().join());
  }

  // ---- fixtures ----

  @FunctionalInterface
  private interface Fixture {
    void run() throws Exception;
  }

  /** Walks all pages of a list; {@code meanwhile} runs after the first page. */
  private <T> List<String> walk(
      Function<String, CompletionStage<Page<T>>> list, Function<T, String> id, Fixture meanwhile)
      throws Exception {
    var seen = new ArrayList<String>();
    String cursor = null;
    boolean first = true;
    do {
      Page<T> page = list.apply(cursor).toCompletableFuture().join();
      page.items().forEach(item -> seen.add(id.apply(item)));
      cursor = page.nextCursor();
      if (first) {
        meanwhile.run();
        first = false;
      }
    } while (cursor != null);
    assertEquals(seen.size(), new HashSet<>(seen).size(), "no row twice: " + seen);
    return seen;
  }

  private void insertAccount(String tenant, String id) throws Exception {
    sql.update(
        "INSERT INTO accounts (tenant_id, account_id, currency, balance, reserved, overdraft_limit,"
            + " created_at, updated_at, last_seq_nr) VALUES (?, ?, 'EUR', 0, 0, NULL, ?, ?, 1)",
        tenant,
        id,
        time(BASE),
        time(BASE));
  }

  private void insertTransfer(String tenant, String id, Instant createdAt, String status)
      throws Exception {
    sql.update(
        "INSERT INTO transfers (tenant_id, transfer_id, from_account, to_account, amount, currency,"
            + " status, reason, reference, created_at, completed_at)"
            + " VALUES (?, ?, 'a', 'b', 10, 'EUR', ?, ?, NULL, ?, NULL)",
        tenant,
        id,
        status,
        "rejected".equals(status) ? "insufficient_funds" : null,
        time(createdAt));
  }

  private void insertEntry(String tenant, String account, long seq) throws Exception {
    sql.update(
        "INSERT INTO ledger_entries (tenant_id, account_id, entry_seq, transfer_id, amount,"
            + " balance_after, counterparty, reference, occurred_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, 'bank', ?, ?)",
        tenant,
        account,
        seq,
        "tr-" + seq,
        -seq,
        100 - seq,
        "ref " + seq,
        time(BASE.plusSeconds(seq)));
  }

  private static OffsetDateTime time(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
