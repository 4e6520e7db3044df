package dev.handoff.lab.launcher;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Whether the running lab takes a drill, decided from what runs now, without I/O: a drill on a service or host the
 * lab does not have, or on a thing already in that state, is refused with a sentence naming it and what to run
 * instead.
 */
final class DrillRules {
    private DrillRules() {}

    /** What a service process is doing now. */
    enum ServiceCondition {
        RUNNING,
        /** Killed by {@code ./handoff kill}, not started again. */
        KILLED,
        /** Ended by itself (a crash, an exit). */
        EXITED
    }

    /**
     * The parts of the running lab that drills act on.
     *
     * @param services each service of the lab, in start order
     * @param kafkaStopped whether {@code ./handoff stop kafka} stopped the broker
     * @param postgresOut whether {@code ./handoff stop postgres} took the lab's databases away
     * @param hosts each simulated host that can be partitioned, and whether it is
     */
    record Condition(
            Map<String, ServiceCondition> services,
            boolean kafkaStopped,
            boolean postgresOut,
            Map<String, Boolean> hosts) {
        Condition {
            services = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(services));
            hosts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(hosts));
        }

        /** What the drills changed and is not undone, for {@code lab.state} and {@code ./handoff status}. */
        Map<String, String> drilled() {
            Map<String, String> drilled = new LinkedHashMap<>();
            services.forEach((name, condition) -> {
                if (condition == ServiceCondition.KILLED) {
                    drilled.put(name, "killed");
                }
            });
            if (kafkaStopped) {
                drilled.put("kafka", "stopped");
            }
            if (postgresOut) {
                drilled.put("postgres", "stopped");
            }
            hosts.forEach((host, cut) -> {
                if (cut) {
                    drilled.put(host, "partitioned");
                }
            });
            return drilled;
        }
    }

    /** Why the lab refuses {@code drill} now, or empty if it takes it. */
    static Optional<String> refusal(Drill drill, Condition now) {
        String target = drill.target();
        return switch (drill.action()) {
            case KILL -> {
                ServiceCondition service = now.services().get(target);
                if (service == null) {
                    yield Optional.of(unknownService(drill, now));
                }
                yield switch (service) {
                    case KILLED ->
                        Optional.of(target + " is already killed (./handoff kill); start it again with ./handoff"
                                + " restart " + target + ".");
                    case EXITED ->
                        Optional.of(target + " is not running: it exited by itself (its log is in run/logs/" + target
                                + ".log); start it again with ./handoff restart " + target + ".");
                    case RUNNING -> Optional.empty();
                };
            }
            case RESTART ->
                now.services().containsKey(target) ? Optional.empty() : Optional.of(unknownService(drill, now));
            case STOP -> {
                boolean out = target.equals("kafka") ? now.kafkaStopped() : now.postgresOut();
                yield out
                        ? Optional.of(name(target) + " is already stopped (./handoff stop " + target + "); start it"
                                + " again with ./handoff start " + target + ".")
                        : Optional.empty();
            }
            case START -> {
                boolean out = target.equals("kafka") ? now.kafkaStopped() : now.postgresOut();
                yield out
                        ? Optional.empty()
                        : Optional.of(name(target) + " is already running: nothing to start (./handoff stop " + target
                                + " stops it).");
            }
            case PARTITION, HEAL -> {
                Boolean cut = now.hosts().get(target);
                if (cut == null && now.hosts().isEmpty()) {
                    yield Optional.of("The lab runs no simulated host to partition: they start with converge-service,"
                            + " workload-service or backup-service, and none of them is built.");
                }
                if (cut == null) {
                    yield Optional.of("The lab has no simulated host named " + target + " to partition; its hosts are "
                            + String.join(", ", now.hosts().keySet()) + ": ./handoff partition <host> [--heal].");
                }
                if (drill.action() == Drill.Action.PARTITION && cut) {
                    yield Optional.of(target + " is already partitioned; heal it with ./handoff partition " + target
                            + " --heal.");
                }
                if (drill.action() == Drill.Action.HEAL && !cut) {
                    yield Optional.of(target + " is not partitioned: nothing to heal (./handoff partition " + target
                            + " cuts it off).");
                }
                yield Optional.empty();
            }
        };
    }

    private static String unknownService(Drill drill, Condition now) {
        return "The lab runs no service named " + drill.target() + "; its services are "
                + String.join(", ", now.services().keySet()) + ": ./handoff "
                + drill.action().pathName()
                + " <service>.";
    }

    private static String name(String target) {
        return target.equals("kafka") ? "Kafka" : "PostgreSQL";
    }
}
