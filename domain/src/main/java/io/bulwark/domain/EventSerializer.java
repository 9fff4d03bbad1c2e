package io.bulwark.domain;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.jackson.JacksonJsonSerializer;

/**
 * The serializer of the entities' events: Pekko's Jackson JSON serializer for the binding, except
 * that a payload it cannot read becomes an {@link UnreadableEvent} instead of an exception. The
 * journal's event streams deserialize before any handler runs, so an exception there would stop a
 * projection's whole slice on one stored row; this way the projection sees the row and parks it.
 */
public final class EventSerializer extends SerializerWithStringManifest {
  private static final int MAX_ERROR = 500;

  private final JacksonJsonSerializer jackson;

  public EventSerializer(ExtendedActorSystem system, String bindingName) {
    this.jackson = new JacksonJsonSerializer(system, bindingName);
  }

  @Override
  public int identifier() {
    return jackson.identifier();
  }

  @Override
  public String manifest(Object event) {
    return jackson.manifest(event);
  }

  @Override
  public byte[] toBinary(Object event) {
    if (event instanceof UnreadableEvent) {
      throw new IllegalArgumentException("An unreadable event is never written");
    }
    return jackson.toBinary(event);
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) {
    try {
      return jackson.fromBinary(bytes, manifest);
    } catch (Exception e) { // Scala code: Jackson's checked exceptions arrive undeclared
      String error = e.getClass().getSimpleName() + ": " + e.getMessage();
      return new UnreadableEvent(
          identifier(),
          manifest,
          error.length() <= MAX_ERROR ? error : error.substring(0, MAX_ERROR));
    }
  }
}
