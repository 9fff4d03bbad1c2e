package io.bulwark.domain;

/**
 * An event the journal holds that this version cannot read: a payload that is not valid JSON, a
 * type name it does not know (written by a newer version that was rolled back), a field it cannot
 * convert. {@link EventSerializer} returns it instead of failing, so a projection can park that one
 * event and go on (ADR 0025); an entity that meets it in recovery fails, since no handler takes it.
 * It is never written.
 */
public record UnreadableEvent(int serializerId, String manifest, String error) {}
