package io.bulwark.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.Uri;

/**
 * The one character policy of the edge (ADR 0024), applied to every string a client sends before
 * anything is done with it: JSON strings and member names at any depth, path segments, query names
 * and values, and the headers the node acts on. Text the node stores ends up in the journal, the
 * read models, audit events, log lines and webhooks, where a NUL, a control or a lone surrogate
 * breaks a consumer far from here (PostgreSQL refuses U+0000 in text; a projection then stalls), so
 * such text is refused at the door rather than cleaned: a cleaned value is not what the client
 * signed, fingerprinted or will look for.
 *
 * <p>Refused everywhere: C0 controls U+0000-U+001F (TAB, CR and LF included), DEL U+007F, C1
 * controls U+0080-U+009F, unpaired surrogates, the 66 Unicode noncharacters, and the bidirectional
 * embedding, override and isolate controls U+202A-U+202E and U+2066-U+2069. Letters of any script,
 * marks, emoji (surrogate pairs, joiners) and other symbols pass. Stricter formats (ids, keys) and
 * each field's own maximum length apply on top.
 */
final class TextPolicy {
  /** No JSON string is longer, whatever its member; 2048 is the longest field (a webhook URL). */
  static final int MAX_STRING = 2048;

  static final int MAX_NAME = 128;
  static final int MAX_DEPTH = 32;
  static final int MAX_MEMBERS = 64;
  static final int MAX_ITEMS = 256;

  private TextPolicy() {}

  /** Why {@code text} breaks the policy, for a problem's detail; null when it does not. */
  static String violation(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
        return String.format("a control character (U+%04X)", (int) c);
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, text.charAt(++i));
          if (isNoncharacter(cp)) {
            return String.format("a noncharacter (U+%X)", cp);
          }
          continue;
        }
        return "an unpaired surrogate";
      }
      if (Character.isLowSurrogate(c)) {
        return "an unpaired surrogate";
      }
      if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
        return String.format("a bidirectional control (U+%04X)", (int) c);
      }
      if (isNoncharacter(c)) {
        return String.format("a noncharacter (U+%04X)", (int) c);
      }
    }
    return null;
  }

  static boolean allows(String text) {
    return violation(text) == null;
  }

  private static boolean isNoncharacter(int cp) {
    return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
  }

  /** {@code text} if it passes; otherwise 400 with {@code code}, naming {@code member}. */
  static String checked(String member, String text, String code) {
    String violation = violation(text);
    if (violation != null) {
      throw new ApiException(400, code, "'" + member + "' holds " + violation + ".", member);
    }
    return text;
  }

  /**
   * UTF-8 decoded strictly: a malformed or truncated sequence, an encoded surrogate or an overlong
   * form is refused, never turned into U+FFFD (which would store something the client never sent).
   */
  static String utf8(byte[] bytes) {
    return utf8(ByteBuffer.wrap(bytes));
  }

  static String utf8(ByteBuffer bytes) {
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw ApiException.invalid(null, "The body is not valid UTF-8.");
    }
  }

  /**
   * Every string, member name and shape bound of a parsed JSON document; the first offence is
   * refused naming its path, as {@code reference}, {@code extra.note} or {@code roles[1]}.
   */
  static void checkJson(JsonNode root) {
    check(root, null, 1);
  }

  private static void check(JsonNode node, String path, int depth) {
    if (depth > MAX_DEPTH) {
      throw ApiException.invalid(path, "The body nests deeper than " + MAX_DEPTH + " levels.");
    }
    if (node.isTextual()) {
      String text = node.textValue();
      if (text.length() > MAX_STRING) {
        throw ApiException.invalid(
            path, "'" + path + "' is longer than " + MAX_STRING + " characters.");
      }
      checked(path, text, "invalid_request");
    } else if (node.isObject()) {
      if (node.size() > MAX_MEMBERS) {
        throw ApiException.invalid(
            path, "An object of the body has more than " + MAX_MEMBERS + " members.");
      }
      for (Map.Entry<String, JsonNode> member : node.properties()) {
        String name = member.getKey();
        String child = path == null ? shown(name) : path + "." + shown(name);
        if (name.length() > MAX_NAME) {
          throw ApiException.invalid(
              child, "A member name is longer than " + MAX_NAME + " characters.");
        }
        String violation = violation(name);
        if (violation != null) {
          throw ApiException.invalid(child, "A member name holds " + violation + ".");
        }
        check(member.getValue(), child, depth + 1);
      }
    } else if (node.isArray()) {
      if (node.size() > MAX_ITEMS) {
        throw ApiException.invalid(path, "'" + path + "' has more than " + MAX_ITEMS + " items.");
      }
      for (int i = 0; i < node.size(); i++) {
        check(node.get(i), (path == null ? "" : path) + "[" + i + "]", depth + 1);
      }
    }
  }

  /**
   * URI text as a problem or a log line may show it: what the policy refuses is written as a {@code
   * \\uXXXX} escape and long text is cut, so that neither ever carries the offending characters
   * themselves.
   */
  static String shown(String text, int max) {
    var out = new StringBuilder();
    int limit = Math.min(text.length(), max);
    for (int i = 0; i < limit; ) {
      int cp = text.codePointAt(i);
      String one = new String(Character.toChars(cp));
      if (allows(one)) {
        out.append(one);
      } else {
        for (char c : one.toCharArray()) {
          out.append(String.format("\\u%04x", (int) c));
        }
      }
      i += one.length();
    }
    return text.length() > limit ? out + "..." : out.toString();
  }

  static String shown(String name) {
    return shown(name, 64);
  }

  /**
   * The path's segments and the query's names and values, percent-decoded and then decoded as
   * strict UTF-8, held to the policy. A segment the route template names is refused as {@code
   * invalid_id} naming it (e.g. {@code accountId}); a query value names its parameter, and a cursor
   * is {@code invalid_cursor} as any other cursor the API did not issue.
   */
  static void checkUri(Uri uri, String template) {
    String[] names = template.split("/", -1);
    String[] segments = uri.asScala().path().toString().split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String name = i < names.length && names[i].startsWith("{") ? names[i] : null;
      String member = name == null ? "path" : name.substring(1, name.length() - 1);
      String code = name == null ? "invalid_request" : "invalid_id";
      String segment = decoded(segments[i].replace("+", "%2B"), member, code);
      // Pekko has already decoded the path, bad UTF-8 into U+FFFD: no id holds it, so it is taken
      // for what it most likely was
      if (segment.indexOf('\uFFFD') >= 0) {
        throw new ApiException(
            400, code, "'" + member + "' is not valid UTF-8 once decoded.", member);
      }
      checked(member, segment, code);
    }
    var raw = uri.rawQueryString();
    if (raw.isEmpty() || raw.get().isEmpty()) {
      return;
    }
    for (String pair : raw.get().split("&", -1)) {
      int eq = pair.indexOf('=');
      String name = decoded(eq < 0 ? pair : pair.substring(0, eq), "query", "invalid_request");
      checked("query", name, "invalid_request");
      String member = shown(name);
      String code = name.equals("cursor") ? "invalid_cursor" : "invalid_request";
      String value = eq < 0 ? "" : decoded(pair.substring(eq + 1), member, code);
      checked(member, value, code);
      if (value.length() > MAX_STRING) {
        throw new ApiException(
            400, code, "'" + member + "' is longer than " + MAX_STRING + " characters.", member);
      }
    }
  }

  /** Percent-decoded, a {@code +} as a space, then strict UTF-8: else {@code code}. */
  private static String decoded(String raw, String member, String code) {
    var bytes = new java.io.ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int value = i + 2 < raw.length() ? hex(raw.charAt(i + 1), raw.charAt(i + 2)) : -1;
        if (value < 0) {
          throw new ApiException(400, code, "'" + member + "' holds a malformed % escape.", member);
        }
        bytes.write(value);
        i += 2;
      } else {
        bytes.write(c == '+' ? ' ' : c); // the parser let only ASCII through
      }
    }
    try {
      return utf8(bytes.toByteArray());
    } catch (ApiException notUtf8) {
      throw new ApiException(
          400, code, "'" + member + "' is not valid UTF-8 once decoded.", member);
    }
  }

  private static int hex(char high, char low) {
    int h = Character.digit(high, 16);
    int l = Character.digit(low, 16);
    return h < 0 || l < 0 ? -1 : h * 16 + l;
  }
}
