package dev.handoff.common.serde;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventType;

/**
 * Turns a payload of version N of one event type into version N+1. Consumers keep reading N for a release after
 * N+1 ships; chains of upcasters take any old version to the current one.
 */
public interface Upcaster {
    EventType type();

    /** The version this upcaster reads; it writes {@code fromVersion() + 1}. */
    int fromVersion();

    /** The payload in the next version. Must not modify {@code data}. */
    JsonNode upcast(JsonNode data);
}
