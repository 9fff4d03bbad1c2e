package io.bulwark.domain;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.apache.pekko.stream.javadsl.Sink;

/** What a projection reading one tag would see of one entity, from the in-memory journal. */
public final class TaggedEvents {
  private TaggedEvents() {}

  public static List<Object> of(ActorSystem<?> system, String tag, String persistenceId)
      throws Exception {
    var journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(
                PersistenceTestKitReadJournal.class, PersistenceTestKitReadJournal.Identifier());
    return journal
        .currentEventsByTag(tag, Offset.noOffset())
        .filter(envelope -> envelope.persistenceId().equals(persistenceId))
        .map(EventEnvelope::event)
        .runWith(Sink.seq(), system)
        .toCompletableFuture()
        .get(3, TimeUnit.SECONDS);
  }

  /** The event classes of one entity under its own slice tag, in journal order. */
  public static List<Class<?>> classesInSlice(ActorSystem<?> system, String persistenceId)
      throws Exception {
    return of(system, Slices.tag(Slices.of(persistenceId)), persistenceId).stream()
        .<Class<?>>map(Object::getClass)
        .toList();
  }
}
