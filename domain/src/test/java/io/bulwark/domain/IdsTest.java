package io.bulwark.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdsTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "plain",
        "a|b",
        "a%b",
        "%7C",
        "%25",
        "|%",
        "%%7C|",
        "||%%",
        "100%|done",
        "with/slash",
        "%2",
        "x%7"
      })
  void scopedIdRoundTripsTenantAndLocalId(String local) {
    var scoped = Ids.scoped("acme", local);

    assertEquals("acme", Ids.tenantOf(scoped));
    assertEquals(local, Ids.localOf(scoped));
  }

  @Test
  void scopedIdHoldsNoPersistenceIdSeparator() {
    var scoped = Ids.scoped("acme", "a|b%c");

    assertEquals("acme/a%7Cb%25c", scoped);
    assertFalse(scoped.contains("|"));
    var persistenceId = PersistenceId.of("Transfer", scoped);
    assertEquals("Transfer|acme/a%7Cb%25c", persistenceId.id());
    assertEquals(scoped, PersistenceId.extractEntityId(persistenceId.id()));
  }

  @Test
  void differentLocalIdsNeverShareAScopedId() {
    assertFalse(Ids.scoped("acme", "a|b").equals(Ids.scoped("acme", "a%7Cb")));
    assertFalse(Ids.scoped("acme", "%").equals(Ids.scoped("acme", "%25")));
  }

  @Test
  void resourceIdOfSixtyFourCharactersIsValidAndSixtyFiveIsNot() {
    assertTrue(Ids.isValidResourceId("a".repeat(64)));
    assertFalse(Ids.isValidResourceId("a".repeat(65)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "0", "acc-1", "acc_1", "acc.1", "9.a-b_c"})
  void resourceIdsOfLowercaseLettersDigitsAndSeparatorsAreValid(String id) {
    assertTrue(Ids.isValidResourceId(id));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "Acc", "-acc", ".acc", "_acc", "acc/1", "acc|1", "acc 1", "acc\n", "é"})
  void resourceIdsOutsideTheAlphabetAreInvalid(String id) {
    assertFalse(Ids.isValidResourceId(id));
  }

  @Test
  void nullIdsAreInvalid() {
    assertFalse(Ids.isValidResourceId(null));
    assertFalse(Ids.isValidIdempotencyKey(null));
  }

  @Test
  void idempotencyKeyOf255CharactersIsValidAnd256IsNot() {
    assertTrue(Ids.isValidIdempotencyKey("k".repeat(255)));
    assertFalse(Ids.isValidIdempotencyKey("k".repeat(256)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"k", " ", "~", "a|b%c/d", "Order #42: {\"x\"}"})
  void idempotencyKeysOfPrintableAsciiAreValid(String key) {
    assertTrue(Ids.isValidIdempotencyKey(key));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a\nb", "key\n", "\tkey", "a\u007fb", "a\u0000b", "clé", "a\u2028b"})
  void idempotencyKeysWithNonPrintableCharactersAreInvalid(String key) {
    assertFalse(Ids.isValidIdempotencyKey(key));
  }
}
