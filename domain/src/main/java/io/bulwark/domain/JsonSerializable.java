package io.bulwark.domain;

/**
 * Marker for commands, replies and snapshots sent between nodes or stored as snapshots. Bound once
 * to Jackson JSON in this module's reference.conf. Events are bound per entity to serializers that
 * write stable type names instead of class names (see reference.conf).
 */
public interface JsonSerializable {}
