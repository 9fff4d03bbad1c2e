package io.bulwark.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.bulwark.domain.Ids;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;

/**
 * A parsed JSON object body with the validations the API promises: a missing or wrongly typed
 * member is {@code invalid_request} naming it; amounts, currencies and ids have their own codes.
 */
public final class JsonBody {
  /** 2^53-1: the largest integer every JSON client reads exactly. */
  public static final long MAX_AMOUNT = 9007199254740991L;

  private static final ObjectReader READER =
      Json.MAPPER.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final JsonNode root;

  private JsonBody(JsonNode root) {
    this.root = root;
  }

  /**
   * A JSON object held to {@link TextPolicy} as a whole, members the endpoint ignores included:
   * whatever a body carries may end up in an audit event or a log line. A member named twice is
   * refused, since two readers of the same bytes could otherwise see different values.
   */
  public static JsonBody parse(String text) {
    JsonNode node;
    try {
      node = READER.readTree(text);
    } catch (JsonProcessingException e) {
      throw ApiException.invalid(
          null,
          String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")
              ? "The body names a member twice."
              : "The body is not valid JSON.");
    }
    if (node == null || !node.isObject()) {
      throw ApiException.invalid(null, "The body must be a JSON object.");
    }
    TextPolicy.checkJson(node);
    return new JsonBody(node);
  }

  public String requiredString(String member, int maxLength) {
    JsonNode node = root.get(member);
    if (node == null || node.isNull()) {
      throw ApiException.invalid(member, "'" + member + "' is required.");
    }
    return string(member, node, maxLength);
  }

  /** Absent or null give null. */
  public String optionalString(String member, int maxLength) {
    JsonNode node = root.get(member);
    if (node == null || node.isNull()) {
      return null;
    }
    return string(member, node, maxLength);
  }

  private static String string(String member, JsonNode node, int maxLength) {
    if (!node.isTextual()) {
      throw ApiException.invalid(member, "'" + member + "' must be a string.");
    }
    String value = node.textValue();
    if (value.isEmpty() || value.length() > maxLength) {
      throw ApiException.invalid(
          member, "'" + member + "' must hold 1 to " + maxLength + " characters.");
    }
    return value;
  }

  public String requiredId(String member) {
    JsonNode node = root.get(member);
    if (node == null || node.isNull()) {
      throw ApiException.invalid(member, "'" + member + "' is required.");
    }
    if (!node.isTextual()) {
      throw ApiException.invalid(member, "'" + member + "' must be a string.");
    }
    return checkedId(member, node.textValue());
  }

  public static String checkedId(String member, String id) {
    if (!Ids.isValidResourceId(id)) {
      throw new ApiException(
          400, "invalid_id", "'" + member + "' must match ^[a-z0-9][a-z0-9_.-]{0,63}$.", member);
    }
    return id;
  }

  public long requiredAmount(String member) {
    JsonNode node = root.get(member);
    if (node == null || node.isNull()) {
      throw ApiException.invalid(member, "'" + member + "' is required.");
    }
    if (!node.isIntegralNumber()
        || !node.canConvertToLong()
        || node.longValue() < 1
        || node.longValue() > MAX_AMOUNT) {
      throw new ApiException(
          400,
          "invalid_amount",
          "'" + member + "' must be an integer number of minor units from 1 to " + MAX_AMOUNT + ".",
          member);
    }
    return node.longValue();
  }

  public String requiredCurrency(String member) {
    JsonNode node = root.get(member);
    if (node == null || node.isNull()) {
      throw ApiException.invalid(member, "'" + member + "' is required.");
    }
    if (!node.isTextual()) {
      throw ApiException.invalid(member, "'" + member + "' must be a string.");
    }
    return checkedCurrency(member, node.textValue());
  }

  static String checkedCurrency(String member, String code) {
    if (code.length() == 3 && code.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
      try {
        return Currency.getInstance(code).getCurrencyCode();
      } catch (IllegalArgumentException unknown) {
        // falls through to the refusal below
      }
    }
    throw new ApiException(
        400, "invalid_currency", "'" + member + "' must be a known ISO 4217 code.", member);
  }

  /**
   * The overdraft limit: absent gives 0, null gives null (unlimited), otherwise a non-negative
   * 64-bit integer.
   */
  public Long overdraftLimit(String member) {
    if (!root.has(member)) {
      return 0L;
    }
    JsonNode node = root.get(member);
    if (node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
      throw ApiException.invalid(
          member, "'" + member + "' must be a non-negative integer or null (unlimited).");
    }
    return node.longValue();
  }

  /** A whole number from {@code min} to {@code max}, required. */
  public int requiredInt(String member, int min, int max) {
    JsonNode node = root.get(member);
    if (node == null || node.isNull()) {
      throw ApiException.invalid(member, "'" + member + "' is required.");
    }
    if (!node.isIntegralNumber()
        || !node.canConvertToInt()
        || node.intValue() < min
        || node.intValue() > max) {
      throw ApiException.invalid(
          member, "'" + member + "' must be a whole number from " + min + " to " + max + ".");
    }
    return node.intValue();
  }

  /** A whole number from {@code min} to {@code max}, or {@code fallback} when absent or null. */
  public int optionalInt(String member, int min, int max, int fallback) {
    JsonNode node = root.get(member);
    return node == null || node.isNull() ? fallback : requiredInt(member, min, max);
  }

  /** An RFC 3339 date-time, required. */
  public java.time.Instant requiredTime(String member) {
    String text = requiredString(member, 64);
    try {
      return java.time.OffsetDateTime.parse(text).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw ApiException.invalid(
          member, "'" + member + "' must be an RFC 3339 date-time, e.g. 2027-01-31T09:30:00Z.");
    }
  }

  /** An RFC 3339 date-time strictly after {@code after}, or null when absent or null. */
  public java.time.Instant optionalFutureTime(String member, java.time.Instant after) {
    JsonNode node = root.get(member);
    if (node == null || node.isNull()) {
      return null;
    }
    java.time.Instant value;
    try {
      value = java.time.OffsetDateTime.parse(node.asText()).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw ApiException.invalid(
          member, "'" + member + "' must be an RFC 3339 date-time, e.g. 2027-01-31T09:30:00Z.");
    }
    if (!node.isTextual() || !value.isAfter(after)) {
      throw ApiException.invalid(member, "'" + member + "' must be a date-time in the future.");
    }
    return value;
  }

  /** Absent or null give null. */
  public Boolean optionalBoolean(String member) {
    JsonNode node = root.get(member);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isBoolean()) {
      throw ApiException.invalid(member, "'" + member + "' must be true or false.");
    }
    return node.booleanValue();
  }

  /** Whether {@code member} is present and not null. */
  public boolean has(String member) {
    JsonNode node = root.get(member);
    return node != null && !node.isNull();
  }

  public List<String> requiredStringArray(String member) {
    JsonNode node = root.get(member);
    if (node == null || node.isNull()) {
      throw ApiException.invalid(member, "'" + member + "' is required.");
    }
    if (!node.isArray()) {
      throw ApiException.invalid(member, "'" + member + "' must be an array of strings.");
    }
    List<String> values = new ArrayList<>();
    for (JsonNode item : node) {
      if (!item.isTextual()) {
        throw ApiException.invalid(member, "'" + member + "' must be an array of strings.");
      }
      values.add(item.textValue());
    }
    return values;
  }
}
