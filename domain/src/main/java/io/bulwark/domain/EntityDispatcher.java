package io.bulwark.domain;

import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;

/**
 * Entities run on a dispatcher of their own ({@value #PATH}), so that under load the HTTP routes on
 * the default dispatcher, and with them fast refusals, do not queue behind entity messages.
 */
public final class EntityDispatcher {
  public static final String PATH = "bulwark.entity-dispatcher";

  private EntityDispatcher() {}

  public static Props props() {
    return DispatcherSelector.fromConfig(PATH);
  }
}
