package io.bulwark.webhooks;

/** BULWARK_WEBHOOK_ALLOWED_TARGETS. SKELETON: the full rules are being written. */
public final class AllowedTargets {
  public static AllowedTargets none() {
    return new AllowedTargets();
  }

  public static AllowedTargets parse(String commaSeparated) {
    return new AllowedTargets();
  }
}
