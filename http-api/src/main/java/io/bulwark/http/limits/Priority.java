package io.bulwark.http.limits;

/**
 * The admission class of a request. When the node is saturated sheddable work is refused first,
 * then standard; critical work keeps the rest of the node's capacity.
 */
public enum Priority {
  /** Money movement and authorization: transfers, accounts, tenants, keys, limits. */
  CRITICAL("critical"),
  /** Strong reads from entities: one account, one transfer, one tenant, its keys. */
  STANDARD("standard"),
  /** Lists and analytics from the read models. */
  SHEDDABLE("sheddable");

  private final String label;

  Priority(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** Writes are critical; list endpoints (read models) sheddable; other reads standard. */
  public static Priority of(String method, String path) {
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return CRITICAL;
    }
    if (path.endsWith("/accounts")
        || path.endsWith("/transfers")
        || path.endsWith("/entries")
        || path.endsWith("/audit-events")
        || path.endsWith("/deliveries")
        || path.endsWith("dead-letters")
        || path.endsWith("/reconciliation")) {
      return SHEDDABLE;
    }
    return STANDARD;
  }
}
