package io.bulwark.node;

import static io.bulwark.node.ApiClient.get;
import static io.bulwark.node.ApiClient.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Client mistakes get the documented 4xx problem, never a 5xx, and lose nothing. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
  private static final String T = "/v1/tenants/bad/transfers";
  private static final String VALID =
      "{\"from\":\"bank\",\"to\":\"alice\",\"amount\":100,\"currency\":\"EUR\"}";

  private SingleNodeFixture f;
  private String admin;

  @BeforeAll
  void start() {
    f = new SingleNodeFixture();
    admin = f.ledger.tenantWithAdmin("bad");
    f.ledger.account("bad", admin, "bank", "EUR", null);
    f.ledger.account("bad", admin, "alice", "EUR", 0L);
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  Stream<Arguments> badTransferBodies() {
    return Stream.of(
        Arguments.of("malformed JSON", "{\"from\":", 400, "invalid_request"),
        Arguments.of("not an object", "[1,2]", 400, "invalid_request"),
        Arguments.of("trailing garbage", VALID + "x", 400, "invalid_request"),
        Arguments.of("amount as string", body("\"100\"", "\"EUR\""), 400, "invalid_amount"),
        Arguments.of("fractional amount", body("1.5", "\"EUR\""), 400, "invalid_amount"),
        Arguments.of("exponent amount", body("1e2", "\"EUR\""), 400, "invalid_amount"),
        Arguments.of("zero amount", body("0", "\"EUR\""), 400, "invalid_amount"),
        Arguments.of("negative amount", body("-5", "\"EUR\""), 400, "invalid_amount"),
        Arguments.of(
            "amount over 2^53-1", body("9007199254740992", "\"EUR\""), 400, "invalid_amount"),
        Arguments.of(
            "huge amount",
            body("123456789012345678901234567890", "\"EUR\""),
            400,
            "invalid_amount"),
        Arguments.of("unknown currency", body("100", "\"XYZ\""), 400, "invalid_currency"),
        Arguments.of("lower-case currency", body("100", "\"eur\""), 400, "invalid_currency"),
        Arguments.of("currency as number", body("100", "978"), 400, "invalid_request"),
        Arguments.of(
            "missing member",
            "{\"from\":\"bank\",\"amount\":100,\"currency\":\"EUR\"}",
            400,
            "invalid_request"),
        Arguments.of(
            "invalid id",
            "{\"from\":\"Bank Account\",\"to\":\"alice\",\"amount\":100,\"currency\":\"EUR\"}",
            400,
            "invalid_id"),
        Arguments.of(
            "over-long reference",
            "{\"from\":\"bank\",\"to\":\"alice\",\"amount\":100,\"currency\":\"EUR\",\"reference\":\""
                + "r".repeat(141)
                + "\"}",
            400,
            "invalid_request"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badTransferBodies")
  void badTransferBodiesAreRefusedWithTheirCode(String why, String body, int status, String code) {
    var response =
        f.api.send(
            post(T).key(admin).header("Idempotency-Key", "bad-" + why.hashCode()).body(body));
    assertProblem(response, status, code);
  }

  @Test
  void aBodyOverSixtyFourKibIsRefusedWith413() {
    String big =
        "{\"from\":\"bank\",\"to\":\"alice\",\"amount\":1,\"currency\":\"EUR\",\"pad\":\""
            + "x".repeat(70 * 1024)
            + "\"}";
    var response =
        sendLosingNoAnswer(post(T).key(admin).header("Idempotency-Key", "big").body(big));
    assertProblem(response, 413, "payload_too_large");
    assertStillServing();
  }

  /**
   * The node answers 413 as soon as it has read too much and closes the connection; a client still
   * sending the rest can see the close before the answer (a race of HTTP/1.1, seen once in CI as
   * "header parser received no bytes"). Such a lost answer is sent again, at most twice: the answer
   * is what is under test, and the request does nothing.
   */
  private ApiClient.Response sendLosingNoAnswer(ApiClient.Call call) {
    for (int attempt = 1; ; attempt++) {
      try {
        return f.api.send(call);
      } catch (AssertionError e) {
        if (!(e.getCause() instanceof java.io.IOException) || attempt == 3) {
          throw e;
        }
      }
    }
  }

  @Test
  void aWrongContentTypeIsRefusedWith415() {
    var response =
        f.api.send(
            post(T)
                .key(admin)
                .header("Idempotency-Key", "ct")
                .body(VALID)
                .contentType("text/plain"));
    assertProblem(response, 415, "unsupported_media_type");
  }

  @Test
  void idempotencyKeysMustBePresentAndWellFormed() {
    assertProblem(f.api.send(post(T).key(admin).body(VALID)), 400, "idempotency_key_missing");
    assertProblem(
        f.api.send(post(T).key(admin).header("Idempotency-Key", "k".repeat(256)).body(VALID)),
        400,
        "idempotency_key_invalid");
  }

  @Test
  void aValidationFailureDoesNotBindTheIdempotencyKey() {
    var bad =
        f.api.send(
            post(T).key(admin).header("Idempotency-Key", "retry-me").body(body("0", "\"EUR\"")));
    assertProblem(bad, 400, "invalid_amount");
    var good = f.api.send(post(T).key(admin).header("Idempotency-Key", "retry-me").body(VALID));
    assertEquals(201, good.status(), good.body());
  }

  @Test
  void badAccountBodiesAndPathsAreRefused() {
    String accounts = "/v1/tenants/bad/accounts";
    assertProblem(
        f.api.send(
            post(accounts)
                .key(admin)
                .json(Map.of("id", "x1", "currency", "EUR", "overdraftLimit", -1))),
        400,
        "invalid_request");
    assertProblem(
        f.api.send(
            post(accounts)
                .key(admin)
                .body("{\"id\":\"x2\",\"currency\":\"EUR\",\"overdraftLimit\":\"a\"}")),
        400,
        "invalid_request");
    assertProblem(
        f.api.send(post(accounts).key(admin).json(Map.of("id", "x3"))), 400, "invalid_request");
    assertProblem(
        f.api.send(post(accounts).key(admin).json(Map.of("id", "-x", "currency", "EUR"))),
        400,
        "invalid_id");
    assertProblem(
        f.api.send(post(accounts).key(admin).json(Map.of("id", "x4", "currency", "ZZZ"))),
        400,
        "invalid_currency");
    assertProblem(f.api.send(get(accounts + "/UPPER").key(admin)), 400, "invalid_id");
    assertProblem(f.api.send(get(accounts + "?limit=0").key(admin)), 400, "invalid_request");
    assertProblem(f.api.send(get(accounts + "?limit=ten").key(admin)), 400, "invalid_request");
  }

  @Test
  void badTenantBodiesAreRefused() {
    assertProblem(
        f.api.send(
            post("/v1/tenants").key(f.platformKey).json(Map.of("id", "Bad Id", "name", "x"))),
        400,
        "invalid_id");
    assertProblem(
        f.api.send(
            post("/v1/tenants")
                .key(f.platformKey)
                .json(Map.of("id", "okid", "name", "n".repeat(201)))),
        400,
        "invalid_request");
    assertProblem(
        f.api.send(
            post("/v1/tenants/bad/api-keys")
                .key(admin)
                .json(Map.of("name", "x", "roles", "admin"))),
        400,
        "invalid_request");
    assertProblem(
        f.api.send(
            post("/v1/tenants/bad/api-keys")
                .key(admin)
                .json(Map.of("name", "x", "roles", new String[0]))),
        400,
        "invalid_role");
  }

  private void assertProblem(ApiClient.Response response, int status, String code) {
    assertEquals(status, response.status(), response.body());
    assertEquals("application/problem+json", response.contentType());
    assertEquals(code, response.code(), response.body());
    assertEquals(status, response.json().get("status").asInt());
    assertEquals("/problems/" + code, response.json().get("type").asText());
    assertEquals(
        response.header("X-Request-Id").orElseThrow(), response.json().get("requestId").asText());
    assertFalse(response.json().get("detail").asText().isBlank());
  }

  private void assertStillServing() {
    var ok =
        f.api.send(
            post(T).key(admin).header("Idempotency-Key", "after-" + System.nanoTime()).body(VALID));
    assertEquals(201, ok.status(), ok.body());
  }

  private static String body(String amount, String currency) {
    return "{\"from\":\"bank\",\"to\":\"alice\",\"amount\":"
        + amount
        + ",\"currency\":"
        + currency
        + "}";
  }
}
