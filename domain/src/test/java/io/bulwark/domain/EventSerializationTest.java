package io.bulwark.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.domain.account.Account;
import io.bulwark.domain.tenant.Tenant;
import io.bulwark.domain.tenant.TenantLimits;
import io.bulwark.domain.transfer.Transfer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stored events carry a stable type name and an empty manifest, so the journal holds no class names
 * and classes can move without breaking recovery.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventSerializationTest {

  @JUnit5TestKit
  ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(DomainTestConfig.config()).build();

  private static final Instant AT = Instant.parse("2025-01-01T00:00:00Z");

  static Stream<Arguments> events() {
    return Stream.of(
        Arguments.of(new Tenant.TenantCreated("acme", "Acme", AT), 7101, "tenant-created"),
        Arguments.of(
            new Tenant.ApiKeyIssued("acme", "k1", "ci", List.of("admin"), "hash", AT, AT),
            7101,
            "api-key-issued"),
        Arguments.of(new Tenant.ApiKeyRevoked("acme", "k1", AT), 7101, "api-key-revoked"),
        Arguments.of(new Tenant.ApiKeyExpirySet("acme", "k1", AT, AT), 7101, "api-key-expiry-set"),
        Arguments.of(
            new Tenant.ApiKeyRolesChanged("acme", "k1", List.of("viewer"), AT),
            7101,
            "api-key-roles-changed"),
        Arguments.of(
            new Tenant.TenantLimitsSet("acme", new TenantLimits(10, 20, 30, 60), AT),
            7101,
            "tenant-limits-set"),
        Arguments.of(new Tenant.TenantLimitsCleared("acme", AT), 7101, "tenant-limits-cleared"),
        Arguments.of(
            new Account.AccountOpened("acme", "a1", "EUR", null, AT, "req-1", "trace-1"),
            7102,
            "account-opened"),
        Arguments.of(
            new Account.FundsReserved("acme", "a1", "t1", 5, 5, AT), 7102, "funds-reserved"),
        Arguments.of(
            new Account.ReservationReleased("acme", "a1", "t1", 5, 0, AT),
            7102,
            "reservation-released"),
        Arguments.of(
            new Account.FundsDebited("acme", "a1", "t1", 5, -5, 0, "EUR", "a2", "ref", AT),
            7102,
            "funds-debited"),
        Arguments.of(
            new Account.FundsCredited("acme", "a2", "t1", 5, 5, "EUR", "a1", null, AT),
            7102,
            "funds-credited"),
        Arguments.of(new Account.CreditForgotten("t1"), 7102, "credit-forgotten"),
        Arguments.of(
            new Transfer.TransferRequested(
                "acme", "t1", "a1", "a2", 5, "EUR", "ref", "fp", AT, "req-1", "trace-1"),
            7103,
            "transfer-requested"),
        Arguments.of(new Transfer.DestinationCredited("t1", AT), 7103, "destination-credited"),
        Arguments.of(
            new Transfer.TransferCompleted("acme", "t1", "a1", "a2", 5, "EUR", AT, "req-1", null),
            7103,
            "transfer-completed"),
        Arguments.of(
            new Transfer.TransferRejected(
                "acme",
                "t1",
                Refusal.INSUFFICIENT_FUNDS,
                AT,
                "a1",
                "a2",
                5L,
                "EUR",
                "req-1",
                "trace-1"),
            7103,
            "transfer-rejected"));
  }

  @ParameterizedTest
  @MethodSource("events")
  void eventIsStoredUnderItsStableTypeNameWithoutClassName(
      Object event, int serializerId, String typeName) {
    Serialization serialization = SerializationExtension.get(testKit.system());
    var serializer = serialization.findSerializerFor(event);
    var manifest = Serializers.manifestFor(serializer, event);
    byte[] bytes = serialization.serialize(event).get();
    var json = new String(bytes, StandardCharsets.UTF_8);

    assertEquals(serializerId, serializer.identifier());
    assertEquals("", manifest);
    assertTrue(json.contains("\"type\":\"" + typeName + "\""), json);
    assertFalse(json.contains(event.getClass().getSimpleName()), json);
    assertEquals(event, serialization.deserialize(bytes, serializerId, manifest).get());
  }

  /** Events stored before webhooks needed more of them read back with the new fields null. */
  @org.junit.jupiter.api.Test
  void eventsWrittenBeforeTheyCarriedTheirOriginStillRead() {
    Serialization serialization = SerializationExtension.get(testKit.system());
    String rejected =
        "{\"type\":\"transfer-rejected\",\"tenantId\":\"acme\",\"transferId\":\"t1\","
            + "\"reason\":\"insufficient_funds\",\"at\":\"2025-01-01T00:00:00Z\"}";
    String opened =
        "{\"type\":\"account-opened\",\"tenantId\":\"acme\",\"accountId\":\"a1\","
            + "\"currency\":\"EUR\",\"overdraftLimit\":null,\"at\":\"2025-01-01T00:00:00Z\"}";

    var r = serialization.deserialize(rejected.getBytes(StandardCharsets.UTF_8), 7103, "").get();
    var o = serialization.deserialize(opened.getBytes(StandardCharsets.UTF_8), 7102, "").get();

    assertEquals(
        new Transfer.TransferRejected(
            "acme",
            "t1",
            "insufficient_funds",
            Instant.parse("2025-01-01T00:00:00Z"),
            null,
            null,
            null,
            null,
            null,
            null),
        r);
    assertEquals(
        new Account.AccountOpened(
            "acme", "a1", "EUR", null, Instant.parse("2025-01-01T00:00:00Z"), null, null),
        o);
  }

  /**
   * A payload this version cannot read (not JSON, a type of a newer version, a field it cannot
   * convert) reads as an UnreadableEvent naming the problem, so a projection parks it (ADR 0025);
   * and such an event can never be written.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "not json at all",
        "{\"type\":\"funds-teleported\",\"tenantId\":\"acme\"}",
        "{\"type\":\"funds-credited\",\"amount\":\"lots\"}"
      })
  void anUnreadablePayloadReadsAsAnUnreadableEvent(String payload) {
    Serialization serialization = SerializationExtension.get(testKit.system());
    var event = serialization.deserialize(payload.getBytes(StandardCharsets.UTF_8), 7102, "").get();

    var unreadable =
        org.junit.jupiter.api.Assertions.assertInstanceOf(UnreadableEvent.class, event);
    assertEquals(7102, unreadable.serializerId());
    assertFalse(unreadable.error().isBlank());
    assertTrue(serialization.serialize(unreadable).isFailure(), "never written");
  }
}
