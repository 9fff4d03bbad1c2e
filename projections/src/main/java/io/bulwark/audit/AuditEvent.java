package io.bulwark.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;

/**
 * One security-relevant action, as a caller hands it to the {@link AuditTrail}: its chain ({@code
 * tenantId}, or {@link #PLATFORM_CHAIN}), who acted, what on, the outcome, and where the request
 * came from. {@code details} holds small facts (roles, limits, a reason), never a secret.
 */
public record AuditEvent(
    String tenantId,
    Instant occurredAt,
    String actor,
    AuditAction action,
    String target,
    Outcome outcome,
    String requestId,
    String traceId,
    String clientIp,
    String userAgent,
    Map<String, Object> details) {

  /** The chain of events that belong to no tenant; no tenant id can look like it. */
  public static final String PLATFORM_CHAIN = "~platform";

  public static final String PLATFORM_ACTOR = "platform";
  private static final int MAX_USER_AGENT = 256;
  private static final int MAX_TARGET = 300;

  public enum Outcome {
    SUCCESS,
    FAILURE,
    DENIED;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Outcome parse(String wireName) {
      return valueOf(wireName.toUpperCase(java.util.Locale.ROOT));
    }
  }

  public AuditEvent {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(outcome, "outcome");
    // PostgreSQL keeps microseconds: the chain hashes what the table will give back.
    occurredAt = occurredAt.truncatedTo(ChronoUnit.MICROS);
    userAgent = cut(userAgent, MAX_USER_AGENT);
    target = cut(target, MAX_TARGET);
    details =
        details == null
            ? Map.of()
            : details.entrySet().stream()
                .filter(e -> e.getValue() != null)
                .collect(
                    java.util.stream.Collectors.toUnmodifiableMap(
                        Map.Entry::getKey, Map.Entry::getValue));
  }

  private static String cut(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
