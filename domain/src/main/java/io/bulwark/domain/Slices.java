package io.bulwark.domain;

import java.util.Set;

/**
 * Events that read models need carry one tag, {@code slice-N}, chosen from the persistence id, so
 * an entity's events stay in order within one slice. Changing {@link #COUNT} needs a projection
 * rebuild (ADR 0004).
 */
public final class Slices {
  public static final int COUNT = 8;
  public static final String TAG_PREFIX = "slice-";

  private Slices() {}

  public static int of(String persistenceId) {
    return Math.floorMod(persistenceId.hashCode(), COUNT);
  }

  public static String tag(int slice) {
    return TAG_PREFIX + slice;
  }

  public static Set<String> tagsFor(String persistenceId) {
    return Set.of(tag(of(persistenceId)));
  }
}
