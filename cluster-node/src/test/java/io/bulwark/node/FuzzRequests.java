package io.bulwark.node;

import static io.bulwark.node.HostileValues.ascii;
import static io.bulwark.node.HostileValues.pick;

import io.bulwark.node.OpenApiOperations.Operation;
import io.bulwark.node.OpenApiOperations.Param;
import io.swagger.v3.oas.models.media.Schema;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds the fuzz's requests from the operations of docs/openapi.yaml: each field gets a valid
 * value (the test tenants' real ids) or a hostile one, and a few requests break HTTP itself.
 * Everything comes from one seeded source, so a seed gives the same requests again.
 */
final class FuzzRequests {
  /** The test tenants' objects: valid values for each named field, {@code other} for BOLA. */
  record World(
      String tenantA,
      String tenantB,
      Map<String, String> keys,
      Map<String, List<String>> ids,
      List<String> otherTenantIds) {}

  /**
   * One request as sent: the caller and source address it is sent as, and the non-routing answers
   * (501, 505) its framing earns.
   */
  record Request(
      int index,
      String operation,
      String caller,
      int source,
      byte[] bytes,
      boolean closes,
      boolean mayBe5xx) {
    boolean head() {
      return bytes.length > 4 && bytes[0] == 'H' && bytes[1] == 'E' && bytes[4] == ' ';
    }

    String shown() {
      return "#"
          + index
          + " "
          + operation
          + " as "
          + caller
          + " from 127.0.0."
          + source
          + ":\n"
          + HostileValues.shown(bytes, 1500);
    }
  }

  /** Callers and their weights; the two without a valid key use source addresses of their own. */
  private static final List<String> CALLERS =
      List.of(
          "admin",
          "admin",
          "admin",
          "admin",
          "operator",
          "operator",
          "viewer",
          "platform",
          "platform",
          "platform",
          "other-admin",
          "other-admin",
          "no-key",
          "garbage-key");

  private static final java.util.Set<String> STANDARD =
      java.util.Set.of("GET", "PUT", "PATCH", "DELETE", "POST", "OPTIONS", "HEAD");

  private final List<Operation> operations;
  private final FuzzBodies bodies;
  private final World world;
  private final int port;

  FuzzRequests(List<Operation> operations, World world, int port) {
    this.operations = operations;
    this.world = world;
    this.port = port;
    Schema<?> transfer =
        operations.stream()
            .filter(o -> o.id().equals("createTransfer"))
            .findFirst()
            .orElseThrow()
            .body();
    this.bodies = new FuzzBodies(world, transfer, this::valid);
  }

  List<Request> generate(long seed, int count) {
    var r = new SplittableRandom(seed);
    List<Request> requests = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      requests.add(one(r.split(), i));
    }
    return requests;
  }

  private Request one(SplittableRandom r, int index) {
    Operation op = pick(r, operations);
    String caller = pick(r, CALLERS);
    int source = caller.endsWith("-key") ? 8 + r.nextInt(2) : 2 + r.nextInt(6);
    // a third of the requests are valid in every field, so that the state they change is real
    double hostile = r.nextInt(3) == 0 ? 0 : 0.1 + r.nextDouble() * 0.4;
    List<String> other = world.otherTenantIds();

    var target = new StringBuilder();
    for (String piece : op.template().split("/")) {
      if (piece.isEmpty()) {
        continue;
      }
      target.append('/');
      if (piece.startsWith("{")) {
        String name = piece.substring(1, piece.indexOf('}'));
        String rest = piece.substring(piece.indexOf('}') + 1);
        target.append(
            r.nextDouble() < hostile
                ? HostileValues.uriPiece(r, other)
                : HostileValues.percentEncode(valid(r, name, index)));
        target.append(rest);
      } else {
        target.append(piece);
      }
    }
    List<String> query = new ArrayList<>();
    for (Param p : op.query()) {
      if (r.nextInt(3) == 0) {
        query.add(
            p.name()
                + "="
                + (r.nextDouble() < hostile ? HostileValues.uriPiece(r, other) : validParam(r, p)));
      }
    }
    if (r.nextDouble() < hostile / 3) {
      query.add(HostileValues.uriPiece(r, other) + "=" + HostileValues.uriPiece(r, other));
    }
    if (!query.isEmpty()) {
      target.append('?').append(String.join("&", query));
    }

    String method = op.method();
    String version = "HTTP/1.1";
    boolean closes = false;
    var head = new StringBuilder();
    String key = world.keys().get(caller);
    if (caller.equals("garbage-key")) {
      head.append("Authorization: ").append(garbageAuthorization(r, other)).append("\r\n");
    } else if (key != null) {
      head.append("Authorization: Bearer ").append(key).append("\r\n");
    }
    for (Param p : op.headers()) {
      boolean send = p.required() || r.nextBoolean();
      if (send && r.nextDouble() < hostile) {
        if (r.nextInt(4) > 0) {
          head.append(p.name())
              .append(": ")
              .append(HostileValues.headerValue(r, other))
              .append("\r\n");
        }
      } else if (send) {
        head.append(p.name()).append(": ").append(validHeader(r, p.name(), index)).append("\r\n");
      }
    }
    if (r.nextDouble() < hostile / 2) {
      String name =
          pick(
              r,
              List.of(
                  "traceparent",
                  "User-Agent",
                  "X-Request-Id",
                  "X-Forwarded-For",
                  "Accept",
                  "X-Fuzz"));
      head.append(name).append(": ").append(HostileValues.headerValue(r, other)).append("\r\n");
    }

    byte[] body = null;
    String contentType = op.bodyType();
    if (op.body() != null) {
      body =
          op.bodyType().equals("application/x-ndjson")
              ? bodies.batch(r, hostile, index)
              : bodies.body(r, op.body(), hostile, index);
      if (r.nextDouble() < hostile / 2) {
        contentType =
            pick(
                r,
                List.of(
                    "",
                    "text/plain",
                    "application/json; charset=utf-16",
                    "application/x-www-form-urlencoded",
                    "application/x-ndjson",
                    "application/json",
                    "application/problem+json",
                    "*/*",
                    "application/json; boundary=\u00ff"));
      }
    } else if (r.nextDouble() < hostile / 4) {
      body = HostileValues.json(r, other);
      contentType = "application/json";
    }

    String framing = null; // header fields and body that replace the usual ones
    if (r.nextDouble() < hostile / 6) {
      switch (r.nextInt(6)) {
        case 0 -> method = pick(r, List.of("FOO", "BREW", "PROPFIND", "TRACE", "CONNECT"));
        case 1 ->
            method = pick(r, List.of("GET", "PUT", "PATCH", "DELETE", "POST", "OPTIONS", "HEAD"));
        case 2 -> version = pick(r, List.of("HTTP/2.0", "HTTP/9.9", "HTTP/1.2"));
        case 3 -> closes = true; // and no Host field below
        case 4 -> framing = "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"; // not hex
        default -> framing = "Content-Length: 2000000\r\n\r\n"; // over 1 MiB, and not sent
      }
    }
    if (framing != null) {
      head.append("Host: 127.0.0.1:").append(port).append("\r\n");
      head.append("Content-Type: application/json\r\nConnection: close\r\n").append(framing);
      String line = method + " " + target + " " + version + "\r\n";
      return finish(index, op, caller, source, line + head, null, true);
    }
    var wire =
        new StringBuilder(method)
            .append(' ')
            .append(target)
            .append(' ')
            .append(version)
            .append("\r\n");
    if (!closes) {
      wire.append("Host: 127.0.0.1:").append(port).append("\r\n");
    }
    wire.append(head);
    if (body != null) {
      if (contentType != null && !contentType.isEmpty()) {
        wire.append("Content-Type: ").append(contentType).append("\r\n");
      }
      wire.append("Content-Length: ").append(body.length).append("\r\n");
    }
    if (closes) {
      wire.append("Connection: close\r\n");
    }
    wire.append("\r\n");
    return finish(index, op, caller, source, wire.toString(), body, closes);
  }

  private static Request finish(
      int index,
      Operation op,
      String caller,
      int source,
      String head,
      byte[] body,
      boolean closes) {
    // A raw space or control in the target moves the version, which the parser then refuses
    String[] line = head.split("\r\n", 2)[0].split(" ", -1);
    // (501 method_not_implemented, 505 http_version_not_supported: documented refusals)
    boolean mayBe5xx =
        line.length != 3 || !line[2].equals("HTTP/1.1") || !STANDARD.contains(line[0]);
    var out = new ByteArrayOutputStream();
    out.writeBytes(ascii(head));
    if (body != null) {
      out.writeBytes(body);
    }
    return new Request(index, op.id(), caller, source, out.toByteArray(), closes, mayBe5xx);
  }

  private String garbageAuthorization(SplittableRandom r, List<String> other) {
    return switch (r.nextInt(6)) {
      case 0 ->
          "Bearer bwk_" + world.tenantA() + ".k" + "0".repeat(20) + ".AAAAAAAAAAAAAAAAAAAAAAAA";
      case 1 -> "Basic YWRtaW46YWRtaW4=";
      case 2 -> "Bearer " + HostileValues.headerValue(r, other);
      case 3 -> "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
      case 4 -> "Bearer " + world.keys().get("admin") + "x";
      default -> "bearer";
    };
  }

  /** A valid value for a field named {@code name}: mostly tenant A's, sometimes tenant B's. */
  String valid(SplittableRandom r, String name, int index) {
    List<String> pool = world.ids().get(name);
    if (pool != null && !pool.isEmpty() && r.nextInt(10) > 0) {
      return pick(r, pool);
    }
    return switch (name) {
      case "transferId", "idempotencyKey", "Idempotency-Key" -> "fz-" + index;
      case "id", "accountId", "tenantId" -> "fz-new-" + index;
      default -> "fz-" + index;
    };
  }

  private String validParam(SplittableRandom r, Param p) {
    Schema<?> s = p.schema();
    if (s != null && s.getEnum() != null && !s.getEnum().isEmpty()) {
      return HostileValues.percentEncode(String.valueOf(pick(r, s.getEnum())));
    }
    return switch (p.name()) {
      case "limit" -> String.valueOf(1 + r.nextInt(200));
      case "cursor" -> pick(r, List.of("eyJ4IjoxfQ", "AAAA", "bm90LWEtY3Vyc29y"));
      case "tenantId" -> pick(r, List.of(world.tenantA(), world.tenantB()));
      default -> "x";
    };
  }

  private String validHeader(SplittableRandom r, String name, int index) {
    return switch (name) {
      case "Idempotency-Key" -> valid(r, "transferId", index);
      case "X-Request-Id" -> "fz-req-" + index;
      default -> "x";
    };
  }
}
