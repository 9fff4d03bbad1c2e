package io.bulwark.domain;

import io.bulwark.domain.placement.TenantPlacement;
import java.util.function.BiFunction;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;

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

  /**
   * Starts sharding for an entity type whose persistence id is its type name and entity id, on this
   * dispatcher, placed by tenant ({@link TenantPlacement}).
   */
  public static <M> void initSharded(
      ActorSystem<?> system,
      EntityTypeKey<M> key,
      BiFunction<String, PersistenceId, Behavior<M>> create) {
    ClusterSharding.get(system)
        .init(
            TenantPlacement.place(
                system,
                Entity.of(
                        key,
                        ctx ->
                            create.apply(
                                ctx.getEntityId(), PersistenceId.of(key.name(), ctx.getEntityId())))
                    .withEntityProps(props())));
  }
}
