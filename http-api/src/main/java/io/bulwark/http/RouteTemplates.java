package io.bulwark.http;

import io.bulwark.domain.Ids;
import java.util.List;

/**
 * A request's path as the route template it matched, for metric labels: ids become {@code
 * {tenantId}}, {@code {accountId}} and so on, and any path the API does not serve is {@value
 * #UNMATCHED}, so a label never takes a value a client chose.
 */
final class RouteTemplates {
  static final String UNMATCHED = "unmatched";

  /** Collections whose next segment is an id, and the id's name. */
  private static final List<String[]> COLLECTIONS =
      List.of(
          new String[] {"tenants", "{tenantId}"},
          new String[] {"api-keys", "{keyId}"},
          new String[] {"accounts", "{accountId}"},
          new String[] {"transfers", "{transferId}"},
          new String[] {"webhooks", "{endpointId}"},
          new String[] {"deliveries", "{webhookId}"},
          new String[] {"recoveries", "{recoveryId}"});

  private static final List<String> LEAVES =
      List.of(
          "limits",
          "entries",
          "transfers:batch",
          "audit-events",
          "verification",
          "rotate",
          "rotate-secret",
          "resend",
          "dead-letters",
          "projection-dead-letters",
          "reconciliation",
          "replay",
          "recover");

  private RouteTemplates() {}

  /** The template and the tenant named in the path (null when there is none). */
  record Match(String template, String tenantId) {}

  static Match of(String path) {
    String[] segments = path.split("/", -1);
    if (segments.length < 3 || !segments[0].isEmpty() || !segments[1].equals("v1")) {
      return new Match(UNMATCHED, null);
    }
    StringBuilder template = new StringBuilder("/v1");
    String tenantId = null;
    String idName = null;
    for (int i = 2; i < segments.length; i++) {
      String segment = segments[i];
      if (idName != null) {
        if (segment.isEmpty()) {
          return new Match(UNMATCHED, null);
        }
        if (idName.equals("{tenantId}")) {
          // a label and audit detail: never text a client chose beyond what an id may be
          tenantId = Ids.isValidResourceId(segment) ? segment : null;
        }
        template.append('/').append(idName);
        idName = null;
        continue;
      }
      String next = idFor(segment);
      if (next == null && !LEAVES.contains(segment)) {
        return new Match(UNMATCHED, null);
      }
      template.append('/').append(segment);
      idName = next;
    }
    return new Match(template.toString(), tenantId);
  }

  private static String idFor(String segment) {
    for (String[] collection : COLLECTIONS) {
      if (collection[0].equals(segment)) {
        return collection[1];
      }
    }
    return null;
  }
}
