package io.bulwark.node;

import static io.bulwark.node.HostileValues.ascii;
import static io.bulwark.node.HostileValues.pick;

import io.bulwark.node.FuzzRequests.World;
import io.swagger.v3.oas.models.media.Schema;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Request bodies from an operation's schema: each member valid (the world's ids, else a value its
 * schema allows) or hostile, members named twice or by hostile names, and bodies wrong as a whole.
 */
final class FuzzBodies {
  /** A valid value for a field of this name. */
  interface Valid {
    String valid(SplittableRandom r, String name, int index);
  }

  private final World world;
  private final Schema<?> transferSchema;
  private final Valid valid;

  FuzzBodies(World world, Schema<?> transferSchema, Valid valid) {
    this.world = world;
    this.transferSchema = transferSchema;
    this.valid = valid;
  }

  byte[] body(SplittableRandom r, Schema<?> schema, double hostile, int index) {
    if (r.nextDouble() < hostile / 4) {
      return structural(r);
    }
    var members = new ArrayList<byte[]>();
    Map<String, Schema> properties =
        schema.getProperties() == null ? Map.of() : schema.getProperties();
    for (var property : properties.entrySet()) {
      String name = property.getKey();
      boolean required = schema.getRequired() != null && schema.getRequired().contains(name);
      if (!required && r.nextBoolean()) {
        continue;
      }
      byte[] value;
      if (r.nextDouble() < hostile) {
        if (r.nextInt(8) == 0) {
          continue; // a required member missing
        }
        value = HostileValues.json(r, world.otherTenantIds());
      } else {
        value = validJson(r, name, property.getValue(), index);
      }
      members.add(member(ascii(name), value));
    }
    if (r.nextDouble() < hostile / 2) {
      byte[] name =
          HostileValues.jsonString(HostileValues.text(r, world.otherTenantIds()), r.nextBoolean());
      members.add(member(name, HostileValues.json(r, world.otherTenantIds())));
    }
    if (r.nextDouble() < hostile / 4 && !members.isEmpty()) {
      members.add(members.get(r.nextInt(members.size()))); // a member named twice
    }
    var out = new ByteArrayOutputStream();
    out.write('{');
    for (int i = 0; i < members.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(members.get(i));
    }
    out.write('}');
    return out.toByteArray();
  }

  private static byte[] member(byte[] name, byte[] value) {
    var out = new ByteArrayOutputStream();
    if (name[0] != '"') {
      out.write('"');
      out.writeBytes(name);
      out.write('"');
    } else {
      out.writeBytes(name);
    }
    out.write(':');
    out.writeBytes(value);
    return out.toByteArray();
  }

  /** A body that is wrong as a whole: not JSON, not an object, too deep, too big, not UTF-8. */
  private static byte[] structural(SplittableRandom r) {
    return switch (r.nextInt(10)) {
      case 0 -> new byte[0];
      case 1 ->
          ascii(
              pick(
                  r,
                  List.of(
                      "{", "[1,2]", "null", "\"x\"", "{}x", "{'a':1}", "{\"a\":1,}", "{/*c*/}")));
      case 2 -> HostileValues.nested(r, pick(r, List.of(33, 1000, 20_000)));
      case 3 -> ascii("{" + "\"m\":1,".repeat(0) + memberList(65) + "}");
      case 4 -> ascii("{\"pad\":\"" + "x".repeat(70 * 1024) + "\"}");
      case 5 -> "{\"id\":\"a\"}".getBytes(StandardCharsets.UTF_16);
      case 6 -> concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, ascii("{}"));
      case 7 -> concat(ascii("{\"name\":"), HostileValues.rawString(r), ascii("}"));
      case 8 -> ascii("{\"" + "k".repeat(129) + "\":1}");
      default -> concat(ascii("{\"x\":1}"), pick(r, HostileValues.BAD_UTF8));
    };
  }

  private static String memberList(int n) {
    var out = new StringBuilder();
    for (int i = 0; i < n; i++) {
      out.append(i > 0 ? "," : "").append("\"m").append(i).append("\":1");
    }
    return out.toString();
  }

  private static byte[] concat(byte[]... parts) {
    var out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** NDJSON lines, each a transfer with its own key: valid or hostile, as for one transfer. */
  byte[] batch(SplittableRandom r, double hostile, int index) {
    var out = new ByteArrayOutputStream();
    int lines = 1 + r.nextInt(4);
    for (int i = 0; i < lines; i++) {
      byte[] line = body(r, transferSchema, hostile, index);
      if (line.length > 1 && line[0] == '{' && r.nextInt(4) > 0) {
        out.writeBytes(ascii("{\"idempotencyKey\":"));
        out.writeBytes(validJson(r, "idempotencyKey", null, index * 10 + i));
        out.writeBytes(line.length > 2 ? ascii(",") : new byte[0]);
        out.write(line, 1, line.length - 1);
      } else {
        out.writeBytes(line);
      }
      out.write('\n');
    }
    return out.toByteArray();
  }

  /** A valid JSON value for member {@code name}: the world's ids, else from its schema. */
  private byte[] validJson(SplittableRandom r, String name, Schema<?> schema, int index) {
    String value =
        switch (name) {
          case "from", "to" -> pick(r, world.ids().get("accountId"));
          case "amount" -> String.valueOf(1 + r.nextInt(1000));
          case "currency" -> pick(r, List.of("EUR", "EUR", "EUR", "USD"));
          case "url" -> "http://127.0.0.1:9/hooks";
          case "since" -> Instant.now().minusSeconds(60 + r.nextInt(3600)).toString();
          case "expiresAt" -> Instant.now().plusSeconds(3600 + r.nextInt(3600)).toString();
          case "reference", "name" ->
              pick(r, List.of("fuzz", "Zürich 東京 😀", "' OR 1=1 --", "rent 11/2026"));
          case "persistenceId" -> "Account|" + world.tenantA() + "/bank";
          case "overdraftLimit" -> r.nextInt(4) == 0 ? null : String.valueOf(r.nextInt(1000));
          case "writesPerSecond", "writeBurst", "readsPerSecond", "readBurst" -> "1000000";
          case "id", "idempotencyKey" ->
              valid.valid(r, name.equals("id") ? "newId" : "idempotencyKey", index);
          default -> null;
        };
    if (name.equals("overdraftLimit") && value == null) {
      return ascii("null");
    }
    if (value != null) {
      return value.matches("-?\\d+") ? ascii(value) : HostileValues.jsonString(value, false);
    }
    return fromSchema(r, schema);
  }

  private static byte[] fromSchema(SplittableRandom r, Schema<?> s) {
    if (s == null) {
      return ascii("\"x\"");
    }
    if (s.getEnum() != null && !s.getEnum().isEmpty()) {
      return HostileValues.jsonString(String.valueOf(pick(r, s.getEnum())), false);
    }
    String type = s.getType() == null ? "string" : s.getType();
    return switch (type) {
      case "integer" -> ascii(String.valueOf(r.nextInt(100)));
      case "boolean" -> ascii(String.valueOf(r.nextBoolean()));
      case "array" -> {
        byte[] item = fromSchema(r, s.getItems());
        yield concat(ascii("["), item, ascii("]"));
      }
      case "object" -> ascii("{}");
      default -> HostileValues.jsonString("fuzz", false);
    };
  }
}
