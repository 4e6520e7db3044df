package dev.handoff.common.serde;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventType;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The upcasters a consumer knows and the version it reads each type in. By default every type is read in its
 * {@link EventType#currentVersion()} and no upcaster is needed.
 */
public final class Upcasters {
    private final Map<String, Upcaster> byStep = new HashMap<>();
    private final Map<EventType, Integer> targets = new EnumMap<>(EventType.class);

    /** No upcasters; every type read in its current version. */
    public static Upcasters none() {
        return new Upcasters(List.of(), Map.of());
    }

    public Upcasters(List<Upcaster> upcasters, Map<EventType, Integer> targetVersions) {
        for (Upcaster u : upcasters) {
            Upcaster previous = byStep.put(key(u.type(), u.fromVersion()), u);
            if (previous != null) {
                throw new IllegalArgumentException(
                        "two upcasters for " + u.type().type() + " v" + u.fromVersion() + ": keep one");
            }
        }
        targets.putAll(targetVersions);
    }

    /** The version consumers read {@code type} in. */
    public int target(EventType type) {
        return targets.getOrDefault(type, type.currentVersion());
    }

    /**
     * The payload in the target version.
     *
     * @throws InvalidEventException when the version is newer than the target, or a step has no upcaster
     */
    public JsonNode toTarget(EventType type, int version, JsonNode data) throws InvalidEventException {
        int target = target(type);
        if (version > target) {
            throw new InvalidEventException(
                    InvalidEventException.Reason.UNKNOWN_VERSION,
                    type.type() + " v" + version + " is newer than v" + target
                            + ", the newest this consumer reads: upgrade the consumer");
        }
        JsonNode current = data;
        for (int v = version; v < target; v++) {
            Upcaster step = byStep.get(key(type, v));
            if (step == null) {
                throw new InvalidEventException(
                        InvalidEventException.Reason.UPCAST_FAILED,
                        "no upcaster from " + type.type() + " v" + v + " to v" + (v + 1));
            }
            try {
                current = step.upcast(current);
            } catch (RuntimeException e) {
                throw new InvalidEventException(
                        InvalidEventException.Reason.UPCAST_FAILED,
                        "upcasting " + type.type() + " v" + v + " to v" + (v + 1) + " failed: " + e.getMessage(),
                        e);
            }
            if (current == null || current.isMissingNode() || current.isNull()) {
                throw new InvalidEventException(
                        InvalidEventException.Reason.UPCAST_FAILED,
                        "upcasting " + type.type() + " v" + v + " to v" + (v + 1) + " returned no payload");
            }
        }
        return current;
    }

    private static String key(EventType type, int fromVersion) {
        return type.name() + "@" + fromVersion;
    }
}
