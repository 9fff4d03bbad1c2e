package io.bulwark.node;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What a hostile client puts in a field, drawn from a seeded random source (ADR 0024's list and
 * then some). Request pieces that go on the wire as they are (targets, header values) are strings
 * of ISO-8859-1 characters, one character a byte, so that any byte can be sent.
 */
final class HostileValues {
  /** One of each class the character policy refuses, and a few neighbours it must let through. */
  static final List<String> CHARACTERS =
      List.of(
          "\u0000",
          "\u0001",
          "\t",
          "\n",
          "\r",
          "\u001b",
          "\u007f",
          "\u0080",
          "\u0085",
          "\u009f",
          "\ud800",
          "\udbff",
          "\udc00",
          "\udfff",
          "\u202a",
          "\u202e",
          "\u2066",
          "\u2069",
          "\ufdd0",
          "\ufdef",
          "\ufffe",
          "\uffff",
          "\ud83f\udffe",
          "\u200e",
          "\u200f",
          "\ufeff",
          "\u00a0");

  static final List<String> INJECTIONS =
      List.of(
          "' OR '1'='1' --",
          "1; DROP TABLE accounts; --",
          "\" OR \"\"=\"",
          "'; SELECT pg_sleep(10); --",
          "${jndi:ldap://127.0.0.1:1/a}",
          "<script>alert(1)</script>",
          "{{7*7}}${7*7}",
          "=HYPERLINK(\"http://127.0.0.1:1\",\"x\")",
          "$(id)`id`",
          "%s%s%s%n%x",
          "{\"$ne\":null}",
          "\\u0000",
          "2026-12-07 INFO forged log line requestId=req_x",
          "../../../../etc/passwd",
          "..\\..\\..\\windows\\win.ini",
          "Zürich 東京 мир 😀 مرحبا",
          "e\u0301\u200d👩‍👩‍👧",
          "   ",
          "null",
          "http://169.254.169.254/latest/meta-data/",
          "http://[::1]:9/",
          "file:///etc/passwd",
          "https://user:pass@127.0.0.1:9/#frag");

  static final List<String> NUMBERS =
      List.of(
          "0",
          "-1",
          "-0",
          "1.5",
          "1.0",
          "1e2",
          "1E+400",
          "-1e400",
          "1e-400",
          "9007199254740992",
          "9223372036854775807",
          "9223372036854775808",
          "-9223372036854775809",
          "123456789012345678901234567890123456789",
          "0.0000001",
          "NaN",
          "Infinity",
          "-Infinity",
          "0x10",
          "01",
          "+1",
          ".5",
          "1_000",
          "2147483648",
          "1000001");

  static final List<String> WRONG_TYPES =
      List.of("true", "false", "null", "[]", "{}", "[1,\"a\"]", "{\"a\":null}", "\"\"", "\"1\"");

  /** Bytes that are not UTF-8: a lone continuation, overlong, an encoded surrogate, truncated. */
  static final List<byte[]> BAD_UTF8 =
      List.of(
          new byte[] {(byte) 0xff},
          new byte[] {(byte) 0x80},
          new byte[] {(byte) 0xc0, (byte) 0xaf},
          new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
          new byte[] {(byte) 0xe2, (byte) 0x82},
          new byte[] {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
          new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80});

  /** Path and query pieces sent as they are: traversal, reserved and raw bytes. */
  static final List<String> RAW_PIECES =
      List.of(
          "..",
          ".",
          "../..",
          "..%2f..%2fetc%2fpasswd",
          "%2e%2e",
          "%2e%2e%2f",
          "%252e%252e",
          "..;",
          "%00",
          "%c0%ae%c0%ae",
          "%ff",
          "%e2%80%ae",
          "%ed%a0%80",
          "%",
          "%zz",
          "%4",
          "[",
          "]",
          "\\",
          "{x}",
          "|",
          "^",
          "`",
          "\u00ff",
          "\u00c3\u00a9",
          "\u007f",
          " ",
          "\u0000",
          "a%0d%0aSet-Cookie:%20x=1",
          "%2f",
          "*",
          "~",
          "a;b=c",
          "a?b",
          "a#b",
          "%u0041");

  private HostileValues() {}

  static <T> T pick(SplittableRandom r, List<T> list) {
    return list.get(r.nextInt(list.size()));
  }

  /** A string a field should refuse, or one that probes it (injections, other tenants' ids). */
  static String text(SplittableRandom r, List<String> otherIds) {
    return switch (r.nextInt(9)) {
      case 0, 1 -> "ab" + pick(r, CHARACTERS) + "cd";
      case 2 -> pick(r, CHARACTERS);
      case 3, 4 -> pick(r, INJECTIONS);
      case 5 ->
          switch (r.nextInt(4)) {
            case 0 -> "a".repeat(10_000);
            case 1 -> "é".repeat(2049);
            case 2 -> "😀".repeat(1025);
            default -> "x".repeat(65 + r.nextInt(200));
          };
      case 6 -> otherIds.isEmpty() ? "" : pick(r, otherIds);
      case 7 -> "";
      default -> pick(r, List.of("ALICE", "-x", "_x", ".", "..", "a b", "a/b", "a%2Fb", "bank "));
    };
  }

  /** A JSON value a member should refuse: bad text, bad bytes, numbers, types, depth, size. */
  static byte[] json(SplittableRandom r, List<String> otherIds) {
    return switch (r.nextInt(12)) {
      case 0, 1, 2 -> jsonString(text(r, otherIds), r.nextBoolean());
      case 3 -> rawString(r);
      case 4, 5 -> ascii(pick(r, NUMBERS));
      case 6, 7 -> ascii(pick(r, WRONG_TYPES));
      case 8 -> nested(r, pick(r, List.of(33, 100, 1000, 5000)));
      case 9 -> ascii("[" + "1,".repeat(256 + r.nextInt(100)) + "1]");
      case 10 -> jsonString("x".repeat(pick(r, List.of(2049, 10_000, 30_000))), false);
      default ->
          ascii(
              "{\"a\":{\"b\":"
                  + new String(jsonString(text(r, otherIds), true), StandardCharsets.UTF_8)
                  + "}}");
    };
  }

  /** A string with bytes that are not UTF-8, or a raw control byte, between its quotes. */
  static byte[] rawString(SplittableRandom r) {
    var out = new ByteArrayOutputStream();
    out.writeBytes(ascii("\"ab"));
    if (r.nextBoolean()) {
      out.writeBytes(pick(r, BAD_UTF8));
    } else {
      out.write(pick(r, List.of(0x00, 0x01, 0x09, 0x0a, 0x1b, 0x7f)));
    }
    out.writeBytes(ascii("cd\""));
    return out.toByteArray();
  }

  static byte[] nested(SplittableRandom r, int depth) {
    return r.nextBoolean()
        ? ascii("[".repeat(depth) + "]".repeat(depth))
        : ascii("{\"a\":".repeat(depth) + "1" + "}".repeat(depth));
  }

  /**
   * {@code s} as a JSON string: controls and unpaired surrogates as escapes (Java cannot encode
   * them in UTF-8), and, when {@code escapeAll}, every other non-ASCII character too.
   */
  static byte[] jsonString(String s, boolean escapeAll) {
    var out = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c)
                  && i + 1 < s.length()
                  && Character.isLowSurrogate(s.charAt(i + 1))
              || Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || (Character.isSurrogate(c) && !paired) || (escapeAll && c > 0x7e)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A path segment or query value: percent-encoded hostile text, or hostile bytes as they are. */
  static String uriPiece(SplittableRandom r, List<String> otherIds) {
    return switch (r.nextInt(6)) {
      case 0, 1, 2 -> percentEncode(text(r, otherIds));
      case 3, 4 -> pick(r, RAW_PIECES);
      default -> "a".repeat(pick(r, List.of(65, 300, 3000)));
    };
  }

  /**
   * Percent-encoding of the UTF-8 bytes; an unpaired surrogate becomes its 3-byte encoded form (ED
   * A0 80), which is not UTF-8 either, as a hostile client would send it.
   */
  static String percentEncode(String s) {
    var out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      byte[] bytes;
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
        i++;
      } else if (Character.isSurrogate(c)) {
        bytes =
            new byte[] {(byte) 0xed, (byte) (0x80 | ((c >> 6) & 0x3f)), (byte) (0x80 | (c & 0x3f))};
      } else {
        bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
      }
      for (byte b : bytes) {
        int v = b & 0xff;
        if (v < 0x80 && (Character.isLetterOrDigit(v) || "-._~".indexOf(v) >= 0)) {
          out.append((char) v);
        } else {
          out.append('%').append(String.format("%02X", v));
        }
      }
    }
    return out.toString();
  }

  /** A header field value, as bytes on the wire (ISO-8859-1 characters). */
  static String headerValue(SplittableRandom r, List<String> otherIds) {
    return switch (r.nextInt(7)) {
      case 0 ->
          "ab" + pick(r, List.of("\u0000", "\u0001", "\u007f", "\u001b", "\r", "\u0085")) + "cd";
      case 1 -> latin1(text(r, otherIds).getBytes(StandardCharsets.UTF_8));
      case 2 -> "ab" + latin1(pick(r, BAD_UTF8)) + "cd";
      case 3 -> "x".repeat(pick(r, List.of(256, 2000, 9000, 20_000)));
      case 4 -> "";
      default -> pick(r, INJECTIONS).replaceAll("[^\\x20-\\x7e]", "?");
    };
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static String latin1(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /** {@code bytes} for a failure message: printable ASCII as is, anything else as \xNN. */
  static String shown(byte[] bytes, int max) {
    var out = new StringBuilder();
    for (int i = 0; i < bytes.length && out.length() < max; i++) {
      int b = bytes[i] & 0xff;
      if (b == '\r' && i + 1 < bytes.length && bytes[i + 1] == '\n') {
        out.append("\\r\\n\n");
        i++;
      } else if (b >= 0x20 && b < 0x7f) {
        out.append((char) b);
      } else {
        out.append(String.format("\\x%02x", b));
      }
    }
    return bytes.length > max ? out + "... (" + bytes.length + " bytes)" : out.toString();
  }
}
