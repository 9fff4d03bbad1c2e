package io.bulwark.domain.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.domain.DomainTestConfig;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantTest {

  @JUnit5TestKit
  ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(DomainTestConfig.config()).build();

  private static final Instant CREATED = Instant.parse("2025-01-01T00:00:00Z");
  private static final Instant ISSUED = Instant.parse("2025-01-02T00:00:00Z");
  private static final Instant REVOKED = Instant.parse("2025-01-03T00:00:00Z");
  private static final String HASH =
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  private final class Fixture {
    final String tenantId = "t-" + UUID.randomUUID();
    final PersistenceId persistenceId = PersistenceId.of(Tenant.ENTITY_KEY.name(), tenantId);
    final EventSourcedBehaviorTestKit<Tenant.Command, Tenant.Event, Tenant.State> kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Tenant.create(tenantId, persistenceId),
            DomainTestConfig.verifiedSerialization());

    EventSourcedBehaviorTestKit.CommandResultWithReply<
            Tenant.Command, Tenant.Event, Tenant.State, Tenant.CreateReply>
        create() {
      return kit.runCommand(r -> new Tenant.Create("Acme Ltd", CREATED, r));
    }

    EventSourcedBehaviorTestKit.CommandResultWithReply<
            Tenant.Command, Tenant.Event, Tenant.State, Tenant.IssueReply>
        issue(String keyId, String... roles) {
      return kit.runCommand(
          r -> new Tenant.IssueKey(keyId, "ci key", Arrays.asList(roles), HASH, null, ISSUED, r));
    }

    Tenant.RevokeOutcome revoke(String keyId) {
      return kit.<Tenant.RevokeReply>runCommand(r -> new Tenant.RevokeKey(keyId, REVOKED, r))
          .reply()
          .outcome();
    }

    List<ApiKeyView> listKeys() {
      return kit.<Tenant.KeysReply>runCommand(Tenant.ListKeys::new).reply().keys();
    }

    Tenant.LookupReply lookup(String keyId) {
      return kit.<Tenant.LookupReply>runCommand(r -> new Tenant.LookupKey(keyId, r)).reply();
    }

    void assertRecoveryRebuildsSameState() {
      var before = kit.getState();
      assertEquals(before, kit.restart().state());
    }
  }

  @Test
  void creatingATenantMakesItActive() {
    var f = new Fixture();
    var result = f.create();

    assertEquals(new Tenant.TenantCreated(f.tenantId, "Acme Ltd", CREATED), result.event());
    var view = new TenantView(f.tenantId, "Acme Ltd", Tenant.STATUS_ACTIVE, CREATED);
    assertEquals(new Tenant.Created(view), result.reply());
    assertEquals(
        new Tenant.GetReply(view), f.kit.<Tenant.GetReply>runCommand(Tenant.Get::new).reply());
  }

  @Test
  void aLookupWithoutAKeyIdTellsWhetherTheTenantExists() {
    var f = new Fixture();
    var before = f.lookup(null);
    assertEquals(new Tenant.LookupReply(f.tenantId, null, null, false), before);
    f.create();
    var after = f.lookup(null);
    assertEquals(new Tenant.LookupReply(f.tenantId, null, null, true), after);
    f.issue("k1", "viewer");
    assertNull(f.lookup(null).key());
    assertTrue(f.lookup("k1").tenantExists());
  }

  @Test
  void duplicateCreateAnswersAlreadyExistsAndChangesNothing() {
    var f = new Fixture();
    f.create();

    var again =
        f.kit.<Tenant.CreateReply>runCommand(r -> new Tenant.Create("Other", Instant.now(), r));

    assertTrue(again.hasNoEvents());
    assertEquals(
        new Tenant.AlreadyExists(
            new TenantView(f.tenantId, "Acme Ltd", Tenant.STATUS_ACTIVE, CREATED)),
        again.reply());
  }

  @Test
  void issuingAKeyStoresItsHashAndAnswersWithoutIt() {
    var f = new Fixture();
    f.create();

    var result = f.issue("k1", "admin", "viewer");

    assertEquals(
        new Tenant.ApiKeyIssued(
            f.tenantId, "k1", "ci key", List.of("admin", "viewer"), HASH, ISSUED, null),
        result.event());
    assertEquals(
        new Tenant.IssueReply(
            new ApiKeyView("k1", "ci key", List.of("admin", "viewer"), ISSUED, null, null)),
        result.reply());
    f.assertRecoveryRebuildsSameState();
  }

  @Test
  void issuingTheSameKeyIdAgainAnswersTheExistingKey() {
    var f = new Fixture();
    f.create();
    f.issue("k1", "admin");

    var again = f.issue("k1", "viewer");

    assertTrue(again.hasNoEvents());
    assertEquals(List.of("admin"), again.reply().key().roles());
  }

  @Test
  void listingKeysShowsNoHashes() {
    var f = new Fixture();
    f.create();
    f.issue("k1", "admin");
    f.issue("k2", "operator");

    var keys = f.listKeys();

    assertEquals(
        List.of(
            new ApiKeyView("k1", "ci key", List.of("admin"), ISSUED, null, null),
            new ApiKeyView("k2", "ci key", List.of("operator"), ISSUED, null, null)),
        keys);
    assertTrue(
        Arrays.stream(ApiKeyView.class.getRecordComponents())
            .noneMatch(c -> c.getName().toLowerCase().contains("hash")),
        "the listing type has no field for a hash");
  }

  @Test
  void lookupAnswersTheRecordWithItsHash() {
    var f = new Fixture();
    f.create();
    f.issue("k1", "admin");

    var reply = f.lookup("k1");

    assertEquals(f.tenantId, reply.tenantId());
    assertEquals(
        new KeyRecord("k1", "ci key", List.of("admin"), HASH, ISSUED, null, null), reply.key());
    assertTrue(reply.key().isActive());
    assertNull(f.lookup("unknown").key());
  }

  @Test
  void revokingAKeySetsRevokedAtAndKeepsTheRecord() {
    var f = new Fixture();
    f.create();
    f.issue("k1", "admin");

    var result = f.kit.<Tenant.RevokeReply>runCommand(r -> new Tenant.RevokeKey("k1", REVOKED, r));

    assertEquals(new Tenant.ApiKeyRevoked(f.tenantId, "k1", REVOKED), result.event());
    assertEquals(Tenant.RevokeOutcome.REVOKED, result.reply().outcome());
    var record = f.lookup("k1").key();
    assertEquals(REVOKED, record.revokedAt());
    assertEquals(HASH, record.secretHash());
    assertTrue(!record.isActive());
    assertEquals(REVOKED, f.listKeys().get(0).revokedAt());
    f.assertRecoveryRebuildsSameState();
  }

  @Test
  void revokingARevokedKeyAgainAnswersRevokedAndChangesNothing() {
    var f = new Fixture();
    f.create();
    f.issue("k1", "admin");
    f.revoke("k1");

    var again =
        f.kit.<Tenant.RevokeReply>runCommand(r -> new Tenant.RevokeKey("k1", Instant.now(), r));

    assertTrue(again.hasNoEvents());
    assertEquals(Tenant.RevokeOutcome.REVOKED, again.reply().outcome());
    assertEquals(REVOKED, f.lookup("k1").key().revokedAt());
  }

  @Test
  void rotatingAKeyIssuesItsSuccessorAndEndsTheOldOneAfterTheOverlap() {
    var f = new Fixture();
    f.create();
    f.issue("k1", "operator");
    Instant overlapEnd = REVOKED.plusSeconds(3600);

    var result =
        f.kit.<Tenant.RotateReply>runCommand(
            r -> new Tenant.RotateKey("k1", "k2", "newhash", null, overlapEnd, REVOKED, r));

    assertEquals(
        List.of(
            new Tenant.ApiKeyIssued(
                f.tenantId, "k2", "ci key", List.of("operator"), "newhash", REVOKED, null),
            new Tenant.ApiKeyExpirySet(f.tenantId, "k1", overlapEnd, REVOKED)),
        result.events());
    assertEquals(Tenant.RotateOutcome.ROTATED, result.reply().outcome());
    assertEquals(overlapEnd, result.reply().oldKey().expiresAt());
    var old = f.lookup("k1").key();
    assertTrue(old.isActive());
    assertTrue(!old.isExpiredAt(overlapEnd.minusSeconds(1)), "both keys work during the overlap");
    assertTrue(old.isExpiredAt(overlapEnd), "after it only the new one");
    assertEquals("newhash", f.lookup("k2").key().secretHash());
    f.assertRecoveryRebuildsSameState();

    // The same rotation again (a retried request) answers the same and writes nothing.
    var again =
        f.kit.<Tenant.RotateReply>runCommand(
            r -> new Tenant.RotateKey("k1", "k2", "newhash", null, overlapEnd, REVOKED, r));
    assertTrue(again.hasNoEvents());
    assertEquals("k2", again.reply().newKey().id());
  }

  @Test
  void changingAKeysRolesRecordsTheChangeAndAnswersTheRolesBefore() {
    var f = new Fixture();
    f.create();
    f.issue("k1", "viewer");

    var result =
        f.kit.<Tenant.RolesReply>runCommand(
            r -> new Tenant.ChangeKeyRoles("k1", List.of("operator"), REVOKED, r));

    assertEquals(
        new Tenant.ApiKeyRolesChanged(f.tenantId, "k1", List.of("operator"), REVOKED),
        result.event());
    assertEquals(List.of("viewer"), result.reply().previousRoles());
    assertEquals(List.of("operator"), f.lookup("k1").key().roles());
    f.assertRecoveryRebuildsSameState();
    var same =
        f.kit.<Tenant.RolesReply>runCommand(
            r -> new Tenant.ChangeKeyRoles("k1", List.of("operator"), REVOKED, r));
    assertTrue(same.hasNoEvents());
    f.revoke("k1");
    var revoked =
        f.kit.<Tenant.RolesReply>runCommand(
            r -> new Tenant.ChangeKeyRoles("k1", List.of("admin"), REVOKED, r));
    assertTrue(revoked.hasNoEvents());
    assertNull(revoked.reply().previousRoles());
  }

  @Test
  void aRevokedOrExpiredKeyCannotBeRotated() {
    var f = new Fixture();
    f.create();
    f.issue("k1", "admin");
    f.revoke("k1");
    var revoked =
        f.kit.<Tenant.RotateReply>runCommand(
            r -> new Tenant.RotateKey("k1", "k2", "h", null, REVOKED, REVOKED, r));
    assertEquals(Tenant.RotateOutcome.NOT_ACTIVE, revoked.reply().outcome());
    assertTrue(revoked.hasNoEvents());
    var unknown =
        f.kit.<Tenant.RotateReply>runCommand(
            r -> new Tenant.RotateKey("k9", "k2", "h", null, REVOKED, REVOKED, r));
    assertEquals(Tenant.RotateOutcome.NOT_FOUND, unknown.reply().outcome());
  }

  @Test
  void revokingAnUnknownKeyAnswersNotFound() {
    var f = new Fixture();
    f.create();
    assertEquals(Tenant.RevokeOutcome.NOT_FOUND, f.revoke("nope"));
  }

  @Test
  void commandsOnANonExistentTenantAnswerEmptyAndPersistNothing() {
    var f = new Fixture();

    var get = f.kit.<Tenant.GetReply>runCommand(Tenant.Get::new);
    assertNull(get.reply().tenant());
    var issue = f.issue("k1", "admin");
    assertTrue(issue.hasNoEvents());
    assertNull(issue.reply().key());
    assertEquals(Tenant.RevokeOutcome.NOT_FOUND, f.revoke("k1"));
    assertNull(f.listKeys());
    var lookup = f.lookup("k1");
    assertEquals(f.tenantId, lookup.tenantId());
    assertNull(lookup.key());
    assertTrue(f.kit.persistenceTestKit().persistedInStorage(f.persistenceId.id()).isEmpty());
  }

  @Test
  void recoveryRebuildsKeysInIssueOrderWithTheirRevocations() {
    var f = new Fixture();
    f.create();
    f.issue("k2", "admin");
    f.issue("k1", "viewer");
    f.issue("k3", "operator");
    f.revoke("k1");

    var restarted = f.kit.restart().state();

    assertEquals(List.of("k2", "k1", "k3"), List.copyOf(restarted.keys().keySet()));
    assertNotNull(restarted.keys().get("k1").revokedAt());
    assertEquals(List.of("k2", "k1", "k3"), f.listKeys().stream().map(ApiKeyView::id).toList());
    assertEquals(HASH, f.lookup("k3").key().secretHash());
  }

  @Test
  void limitsAreSetClearedAndSurviveARestart() {
    var f = new Fixture();
    f.create();
    f.issue("k1", "admin");
    var limits = new TenantLimits(5, 10, 50, 100);
    Instant at = Instant.parse("2025-01-04T00:00:00Z");

    var set = f.kit.<Tenant.LimitsReply>runCommand(r -> new Tenant.SetLimits(limits, at, r));

    assertEquals(new Tenant.TenantLimitsSet(f.tenantId, limits, at), set.event());
    assertEquals(new Tenant.LimitsReply(true, limits), set.reply());
    assertEquals(limits, f.lookup("k1").limits());
    f.assertRecoveryRebuildsSameState();
    assertEquals(
        new Tenant.LimitsReply(true, limits),
        f.kit.<Tenant.LimitsReply>runCommand(Tenant.GetLimits::new).reply());

    var again = f.kit.<Tenant.LimitsReply>runCommand(r -> new Tenant.SetLimits(limits, at, r));
    assertTrue(again.hasNoEvents());

    var cleared = f.kit.<Tenant.LimitsReply>runCommand(r -> new Tenant.SetLimits(null, at, r));
    assertEquals(new Tenant.TenantLimitsCleared(f.tenantId, at), cleared.event());
    assertEquals(new Tenant.LimitsReply(true, null), cleared.reply());
    f.assertRecoveryRebuildsSameState();
    assertNull(f.lookup("k1").limits());
  }

  @Test
  void limitsOfAnUnknownTenantAreRefusedWithoutEvents() {
    var f = new Fixture();
    var limits = new TenantLimits(5, 10, 50, 100);

    var set = f.kit.<Tenant.LimitsReply>runCommand(r -> new Tenant.SetLimits(limits, CREATED, r));

    assertTrue(set.hasNoEvents());
    assertEquals(new Tenant.LimitsReply(false, null), set.reply());
  }

  @Test
  void limitsOutsideTheirRangeCannotBeMade() {
    var error =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> new TenantLimits(0, 10, 50, 100));
    assertTrue(error.getMessage().contains("writesPerSecond"), error.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> new TenantLimits(1, 10, 50, TenantLimits.MAX + 1));
  }
}
