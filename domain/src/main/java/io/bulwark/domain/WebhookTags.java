package io.bulwark.domain;

import java.util.HashSet;
import java.util.Set;

/**
 * Events a webhook can carry get a second tag, {@code webhook-N}, chosen from the tenant, so that
 * all of one tenant's such events are read in journal order by one instance of the webhook
 * projection (ADR 0023). Changing {@link #COUNT} needs the webhook projection to start over.
 */
public final class WebhookTags {
  public static final int COUNT = 4;
  public static final String TAG_PREFIX = "webhook-";

  private WebhookTags() {}

  public static int of(String tenantId) {
    return Math.floorMod(tenantId.hashCode(), COUNT);
  }

  public static String tag(int partition) {
    return TAG_PREFIX + partition;
  }

  /** {@code sliceTags} and the tenant's webhook tag. */
  public static Set<String> with(Set<String> sliceTags, String tenantId) {
    var tags = new HashSet<>(sliceTags);
    tags.add(tag(of(tenantId)));
    return Set.copyOf(tags);
  }
}
