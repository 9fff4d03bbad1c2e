package io.bulwark.domain;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Event times at microsecond precision, PostgreSQL's, so a strong read from an entity and a list
 * from the read model show the same instant.
 */
public final class Times {
  private Times() {}

  public static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }
}
