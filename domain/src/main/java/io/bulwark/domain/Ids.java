package io.bulwark.domain;

import java.util.regex.Pattern;

/** Identifier rules of the API and how entity ids are built from them. */
public final class Ids {
  private static final Pattern RESOURCE_ID = Pattern.compile("^[a-z0-9][a-z0-9_.-]{0,63}$");
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("^[\\x20-\\x7E]{1,255}$");

  /** Separates a tenant id from the id of something inside the tenant; ids never contain it. */
  public static final char SEPARATOR = '/';

  private Ids() {}

  public static boolean isValidResourceId(String id) {
    return id != null && RESOURCE_ID.matcher(id).matches();
  }

  public static boolean isValidIdempotencyKey(String key) {
    return key != null && IDEMPOTENCY_KEY.matcher(key).matches();
  }

  /** Entity id of something owned by a tenant: {@code tenant/local}. */
  public static String scoped(String tenantId, String localId) {
    return tenantId + SEPARATOR + escape(localId);
  }

  public static String tenantOf(String scopedId) {
    return scopedId.substring(0, scopedId.indexOf(SEPARATOR));
  }

  public static String localOf(String scopedId) {
    return unescape(scopedId.substring(scopedId.indexOf(SEPARATOR) + 1));
  }

  // Idempotency keys may hold '|', the persistence id separator, and '%'; both are escaped.
  private static String escape(String id) {
    return id.replace("%", "%25").replace("|", "%7C");
  }

  private static String unescape(String id) {
    return id.replace("%7C", "|").replace("%25", "%");
  }
}
