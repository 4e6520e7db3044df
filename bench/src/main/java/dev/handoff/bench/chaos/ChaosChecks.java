package dev.handoff.bench.chaos;

import dev.handoff.bench.chaos.ChaosModel.Committed;
import dev.handoff.bench.chaos.ChaosModel.DeadLetter;
import dev.handoff.bench.chaos.ChaosModel.Delivery;
import dev.handoff.bench.chaos.ChaosModel.Fault;
import dev.handoff.bench.chaos.ChaosModel.FaultKind;
import dev.handoff.bench.chaos.ChaosModel.LedgerDeployment;
import dev.handoff.bench.chaos.ChaosModel.Observation;
import dev.handoff.bench.chaos.ChaosModel.TableComparison;
import dev.handoff.bench.chaos.ChaosModel.TopicRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The invariants of issue 18, checked on what a chaos run observed ({@link Observation}). Pure: the unit test feeds it
 * crafted observations, one per way each invariant can break.
 */
final class ChaosChecks {
    /** The invariants, in the order the table lists them. */
    enum Invariant {
        ACKED_ONCE_FINAL("every 202 delivery's deployments in the ledger exactly once, each final"),
        EVENT_IDS_ONCE("no event id twice in the ledger; every record's event stored"),
        STAGE_COMPLETES_ONCE("no stage completed twice for one deployment"),
        OFFSETS_HANDLED("no offset committed past an unhandled record"),
        PARTITIONED_HOST_SAFE("partitioned host: previous generation or confirmed, reachable again"),
        HOST_LOCK("host lock: never two converge runs of one host at once"),
        DLQ_ONLY_INVALID("the dead-letter topics hold only invalid records"),
        REBUILD_EQUAL("ledger rebuilt from the topics equals the live one row for row");

        final String label;

        Invariant(String label) {
            this.label = label;
        }

        /** Whether the invariant says something about faults of {@code kind}. */
        boolean appliesTo(FaultKind kind) {
            return this != PARTITIONED_HOST_SAFE || kind == FaultKind.PARTITION;
        }
    }

    /**
     * One broken invariant.
     *
     * @param deploymentId the deployment it concerns, if one
     * @param host the host it concerns, if one
     */
    record Violation(Invariant invariant, Optional<String> deploymentId, Optional<String> host, String text) {}

    /** The final statuses of a deployment. */
    static final Set<String> FINAL = Set.of("succeeded", "failed", "stale", "superseded");

    /** Each stage's output topic's subject ({@code handoff.<subject>.<verb>}), by stage. */
    static final Map<String, String> STAGE_SUBJECT = Map.of(
            "infra", "cloud-facts",
            "secrets", "secret-facts",
            "converge", "convergence",
            "workload", "workload",
            "backup", "backup");

    /** The chain topics each stage reads its triggers from (StageInputs.of). */
    static final Map<String, List<String>> STAGE_INPUTS = Map.of(
            "infra", List.of("handoff.commits"),
            "secrets", List.of("handoff.cloud-facts", "handoff.commits"),
            "converge", List.of("handoff.secret-facts", "handoff.commits"),
            "workload", List.of("handoff.convergence"),
            "backup", List.of("handoff.workload"));

    /** Consumer group name prefixes (KafkaAccess.groups) → what reads with them. */
    static final Map<String, String> GROUP_PREFIXES = new LinkedHashMap<>();

    static {
        GROUP_PREFIXES.put("handoff-ledger", "ledger");
        GROUP_PREFIXES.put("infra-service", "infra");
        GROUP_PREFIXES.put("handoff-secrets", "secrets");
        GROUP_PREFIXES.put("handoff-converge", "converge");
        GROUP_PREFIXES.put("handoff-workload", "workload");
        GROUP_PREFIXES.put("handoff-backup", "backup");
    }

    private ChaosChecks() {}

    /** Every violation of every invariant. */
    static List<Violation> check(Observation o) {
        List<Violation> all = new ArrayList<>();
        all.addAll(ackedOnceFinal(o));
        all.addAll(eventIdsOnce(o));
        all.addAll(stageCompletesOnce(o));
        all.addAll(offsetsHandled(o));
        all.addAll(partitionedHostSafe(o));
        all.addAll(hostLock(o));
        all.addAll(dlqOnlyInvalid(o));
        all.addAll(rebuildEqual(o));
        return all;
    }

    /**
     * Each deployment a {@code 202} named: one {@code deployment} row, one {@code commit.pushed} event, a final status
     * (a failed one with its reason), and named by one delivery only.
     */
    static List<Violation> ackedOnceFinal(Observation o) {
        List<Violation> v = new ArrayList<>();
        Map<String, Integer> acknowledged = new HashMap<>();
        for (Delivery d : o.deliveries()) {
            if (!d.accepted()) {
                continue;
            }
            for (String id : d.deploymentIds()) {
                acknowledged.merge(id, 1, Integer::sum);
            }
        }
        acknowledged.forEach((id, times) -> {
            Optional<String> dep = Optional.of(id);
            LedgerDeployment row = o.deployments().get(id);
            Optional<String> host = Optional.ofNullable(row).map(LedgerDeployment::host);
            if (times > 1) {
                v.add(new Violation(
                        Invariant.ACKED_ONCE_FINAL, dep, host, id + " acknowledged by " + times + " deliveries"));
            }
            if (row == null) {
                v.add(new Violation(
                        Invariant.ACKED_ONCE_FINAL, dep, host, id + " acknowledged (202) but not in the ledger"));
                return;
            }
            int pushed = o.ledgerCommitPushed().getOrDefault(id, 0);
            if (pushed != 1) {
                v.add(new Violation(
                        Invariant.ACKED_ONCE_FINAL,
                        dep,
                        host,
                        id + " has " + pushed + " commit.pushed events in the ledger"));
            }
            if (!FINAL.contains(row.status())) {
                v.add(new Violation(
                        Invariant.ACKED_ONCE_FINAL,
                        dep,
                        host,
                        id + " (" + row.host() + ") is " + row.status() + ", not final; stages " + stagesOf(row)));
            } else if (row.status().equals("failed")
                    && (row.result() == null || row.result().isBlank())) {
                v.add(new Violation(Invariant.ACKED_ONCE_FINAL, dep, host, id + " failed without a reason"));
            }
        });
        return v;
    }

    /** Ledger event ids are unique, and every valid record's event is in the ledger. */
    static List<Violation> eventIdsOnce(Observation o) {
        List<Violation> v = new ArrayList<>();
        o.ledgerEventIds().forEach((id, n) -> {
            if (n > 1) {
                v.add(new Violation(
                        Invariant.EVENT_IDS_ONCE,
                        Optional.empty(),
                        Optional.empty(),
                        "event " + id + " stored " + n + " times"));
            }
        });
        for (TopicRecord r : o.records()) {
            if (r.valid() && r.id() != null && !o.ledgerEventIds().containsKey(r.id())) {
                v.add(new Violation(
                        Invariant.EVENT_IDS_ONCE,
                        Optional.ofNullable(r.deploymentId()),
                        Optional.ofNullable(r.subject()),
                        r.type() + " " + r.id() + " (" + where(r) + ") is not in the ledger"));
            }
        }
        return v;
    }

    /**
     * At most one distinct {@code …completed} event per (stage, deployment) on the stage's topic; backup's per
     * (deployment, contract), as it publishes one completion per recovery contract. A re-delivered trigger of a finished
     * run must republish the same event (same id), not run again to a new completion.
     */
    static List<Violation> stageCompletesOnce(Observation o) {
        Map<String, Set<String>> completions = new TreeMap<>();
        Map<String, TopicRecord> example = new HashMap<>();
        for (TopicRecord r : o.records()) {
            Optional<String> stage = stageOfEvent(r.type());
            if (r.valid() && stage.isPresent() && r.type().endsWith(".completed") && r.deploymentId() != null) {
                String contract = r.field("contract");
                String key = stage.get() + " " + r.deploymentId() + (contract == null ? "" : " " + contract);
                completions.computeIfAbsent(key, k -> new HashSet<>()).add(r.id());
                example.put(key, r);
            }
        }
        List<Violation> v = new ArrayList<>();
        completions.forEach((key, ids) -> {
            if (ids.size() > 1) {
                TopicRecord r = example.get(key);
                v.add(new Violation(
                        Invariant.STAGE_COMPLETES_ONCE,
                        Optional.of(r.deploymentId()),
                        Optional.ofNullable(r.subject()),
                        "stage " + key.split(" ")[0] + " completed " + ids.size()
                                + " times (distinct event ids) for deployment " + r.deploymentId()
                                + (r.field("contract") == null ? "" : ", contract " + r.field("contract"))));
            }
        });
        return v;
    }

    /**
     * For every consumer group of the chain and every partition of a topic it reads: each record before the group's
     * committed offset was handled. The ledger's group ({@code handoff-ledger}) handled a record when its event id is
     * in the ledger or the group dead-lettered it. A stage's group handled a trigger of the stage (a
     * {@code commit.pushed} whose {@code stage} is the stage, or an earlier stage's {@code …completed} on an input
     * topic) when the stage published an event caused by it ({@code ce_causationid} = the trigger's id: started,
     * completed, failed, superseded or waiting) or dead-lettered it; records that trigger nothing are not checked.
     * Groups of a rebuild ({@code …rebuild…}) and topics a group reads besides its stage's inputs are not checked.
     */
    static List<Violation> offsetsHandled(Observation o) {
        Map<String, List<TopicRecord>> byPartition = new HashMap<>();
        for (TopicRecord r : o.records()) {
            byPartition
                    .computeIfAbsent(r.topic() + "/" + r.partition(), k -> new ArrayList<>())
                    .add(r);
        }
        Set<String> causes = new HashSet<>();
        for (TopicRecord r : o.records()) {
            Optional<String> stage = stageOfEvent(r.type());
            if (r.valid() && stage.isPresent() && r.causationId() != null) {
                causes.add(stage.get() + " " + r.causationId());
            }
        }
        Set<String> deadLettered = new HashSet<>();
        for (DeadLetter d : o.deadLetters()) {
            deadLettered.add(
                    d.group() + " " + d.originalTopic() + "/" + d.originalPartition() + "@" + d.originalOffset());
        }
        List<Violation> v = new ArrayList<>();
        for (Committed c : o.committed()) {
            Optional<String> role = roleOf(c.group());
            if (role.isEmpty() || c.group().contains("rebuild")) {
                continue;
            }
            boolean ledger = role.get().equals("ledger");
            if (!ledger && !STAGE_INPUTS.get(role.get()).contains(c.topic())) {
                continue;
            }
            for (TopicRecord r : byPartition.getOrDefault(c.topic() + "/" + c.partition(), List.of())) {
                if (r.offset() >= c.offset()) {
                    continue;
                }
                boolean dlq = deadLettered.contains(c.group() + " " + where(r));
                boolean handled;
                if (ledger) {
                    handled = dlq
                            || (r.valid()
                                    && r.id() != null
                                    && o.ledgerEventIds().containsKey(r.id()));
                } else {
                    if (!r.valid() || !triggers(role.get(), r)) {
                        continue;
                    }
                    handled = dlq || causes.contains(role.get() + " " + r.id());
                }
                if (!handled) {
                    v.add(new Violation(
                            Invariant.OFFSETS_HANDLED,
                            Optional.ofNullable(r.deploymentId()),
                            Optional.ofNullable(r.subject()),
                            "group " + c.group() + " committed " + c.topic() + "/" + c.partition() + " at " + c.offset()
                                    + " past " + r.type() + " " + r.id() + " @" + r.offset() + " (deployment "
                                    + r.deploymentId() + ", " + r.subject() + "), which "
                                    + (ledger ? "the ledger does not hold" : "no " + role.get() + " event answers")));
                }
            }
        }
        return v;
    }

    /**
     * Each host partitioned during an activation: the converge run under way at the partition (the host's last
     * {@code convergence.started} before it) ended confirmed ({@code convergence.completed}: the new generation
     * confirmed) or failed with {@code rolledBack} (the previous generation), and the host converged again after the
     * heal (it is reachable, not left cut off or broken).
     */
    static List<Violation> partitionedHostSafe(Observation o) {
        List<Violation> v = new ArrayList<>();
        for (Fault f : o.faults()) {
            if (f.kind() != FaultKind.PARTITION) {
                continue;
            }
            String host = f.target();
            Optional<String> hostOpt = Optional.of(host);
            Optional<TopicRecord> run = o.records().stream()
                    .filter(r -> r.valid() && host.equals(r.subject()))
                    .filter(r -> "handoff.convergence.started".equals(r.type()))
                    .filter(r -> !r.time().isAfter(f.injected()))
                    .max(Comparator.comparing(TopicRecord::time));
            if (run.isEmpty()) {
                v.add(new Violation(
                        Invariant.PARTITIONED_HOST_SAFE,
                        Optional.empty(),
                        hostOpt,
                        host + " partitioned at " + f.injected() + " with no converge run under way"));
                continue;
            }
            String deployment = run.get().deploymentId();
            Optional<TopicRecord> end = o.records().stream()
                    .filter(r -> r.valid() && deployment.equals(r.deploymentId()) && host.equals(r.subject()))
                    .filter(r -> "handoff.convergence.completed".equals(r.type())
                            || "handoff.convergence.failed".equals(r.type()))
                    .max(Comparator.comparing(TopicRecord::time));
            Optional<String> dep = Optional.of(deployment);
            if (end.isEmpty()) {
                v.add(new Violation(
                        Invariant.PARTITIONED_HOST_SAFE,
                        dep,
                        hostOpt,
                        host + ": the converge run " + deployment + " partitioned at " + f.injected()
                                + " never ended"));
                continue;
            }
            TopicRecord e = end.get();
            if (e.type().endsWith(".failed") && !"true".equals(e.field("rolledBack"))) {
                v.add(new Violation(
                        Invariant.PARTITIONED_HOST_SAFE,
                        dep,
                        hostOpt,
                        host + ": the converge run " + deployment + " partitioned at " + f.injected()
                                + " failed (" + e.field("reason") + ") without rolling back: neither the previous"
                                + " generation kept nor the new one confirmed"));
            }
            boolean convergedAgain = o.records().stream()
                    .anyMatch(r -> r.valid()
                            && host.equals(r.subject())
                            && "handoff.convergence.completed".equals(r.type())
                            && r.time().isAfter(f.undone()));
            if (!convergedAgain) {
                v.add(new Violation(
                        Invariant.PARTITIONED_HOST_SAFE,
                        dep,
                        hostOpt,
                        host + " did not converge again after the heal at " + f.undone() + ": unreachable?"));
            }
        }
        return v;
    }

    /**
     * No two converge runs of one host at once. A run is an attempt of one deployment: from a
     * {@code convergence.started} to that deployment's next {@code completed} or {@code failed}, or to the next SIGKILL
     * of converge-service (the worker died); an attempt that never ends is open for good. Any other deployment's
     * {@code convergence.started} of the same host inside an attempt is two workers holding the host.
     */
    static List<Violation> hostLock(Observation o) {
        List<Instant> convergeKills = o.faults().stream()
                .filter(f -> f.kind() == FaultKind.KILL && f.target().equals("converge-service"))
                .map(Fault::injected)
                .sorted()
                .toList();
        Map<String, List<TopicRecord>> byHost = new TreeMap<>();
        for (TopicRecord r : o.records()) {
            if (r.valid()
                    && r.type() != null
                    && r.type().startsWith("handoff.convergence.")
                    && r.subject() != null
                    && r.deploymentId() != null) {
                byHost.computeIfAbsent(r.subject(), k -> new ArrayList<>()).add(r);
            }
        }
        List<Violation> v = new ArrayList<>();
        byHost.forEach((host, events) -> {
            events.sort(Comparator.comparing(TopicRecord::time));
            record Attempt(String deployment, Instant from, Instant to) {}
            List<Attempt> attempts = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                TopicRecord s = events.get(i);
                if (!s.type().equals("handoff.convergence.started")) {
                    continue;
                }
                Instant to = Instant.MAX;
                for (int j = i + 1; j < events.size(); j++) {
                    TopicRecord e = events.get(j);
                    if (e.deploymentId().equals(s.deploymentId())
                            && (e.type().endsWith(".completed") || e.type().endsWith(".failed"))) {
                        to = e.time();
                        break;
                    }
                }
                for (Instant kill : convergeKills) {
                    if (kill.isAfter(s.time()) && kill.isBefore(to)) {
                        to = kill;
                        break;
                    }
                }
                attempts.add(new Attempt(s.deploymentId(), s.time(), to));
            }
            for (int i = 0; i < attempts.size(); i++) {
                for (int j = i + 1; j < attempts.size(); j++) {
                    Attempt a = attempts.get(i);
                    Attempt b = attempts.get(j);
                    if (!a.deployment().equals(b.deployment()) && b.from().isBefore(a.to())) {
                        v.add(new Violation(
                                Invariant.HOST_LOCK,
                                Optional.of(b.deployment()),
                                Optional.of(host),
                                host + ": converge run of " + b.deployment() + " started at " + b.from()
                                        + " while the run of " + a.deployment() + " (from " + a.from() + ") "
                                        + (a.to().equals(Instant.MAX) ? "never ended" : "ran until " + a.to())));
                    }
                }
            }
        });
        return v;
    }

    /** Every dead-lettered record is still refused by the codec. */
    static List<Violation> dlqOnlyInvalid(Observation o) {
        List<Violation> v = new ArrayList<>();
        for (DeadLetter d : o.deadLetters()) {
            if (d.validNow()) {
                v.add(new Violation(
                        Invariant.DLQ_ONLY_INVALID,
                        Optional.empty(),
                        Optional.empty(),
                        d.topic() + "@" + d.offset() + " (from " + d.originalTopic() + "/" + d.originalPartition() + "@"
                                + d.originalOffset() + ", group " + d.group() + ", reason " + d.reason()
                                + ") is a valid event"));
            }
        }
        return v;
    }

    /** The rebuilt ledger has exactly the live ledger's rows. */
    static List<Violation> rebuildEqual(Observation o) {
        if (o.rebuild().isEmpty()) {
            return List.of(new Violation(
                    Invariant.REBUILD_EQUAL, Optional.empty(), Optional.empty(), "the ledger was not rebuilt"));
        }
        List<Violation> v = new ArrayList<>();
        for (TableComparison t : o.rebuild().get()) {
            if (t.differing() > 0 || t.liveRows() != t.rebuiltRows()) {
                v.add(new Violation(
                        Invariant.REBUILD_EQUAL,
                        Optional.empty(),
                        Optional.empty(),
                        t.table() + ": live " + t.liveRows() + " rows, rebuilt " + t.rebuiltRows() + ", "
                                + t.differing() + " differ; only live: " + t.onlyLive() + "; only rebuilt: "
                                + t.onlyRebuilt()));
            }
        }
        return v;
    }

    /**
     * Per fault kind, the invariants that held: a violation about a deployment counts against the kinds whose faults
     * touched it (the deployment ran between the fault's injection and the chain's recovery), and a deployment left
     * unfinished also against the kind of the last fault before its last event; a partition violation against
     * partitions; any other against every kind that was injected.
     */
    static Map<FaultKind, Map<Invariant, Boolean>> byKind(Observation o, List<Violation> violations) {
        Map<String, Instant[]> lifetimes = new HashMap<>();
        for (TopicRecord r : o.records()) {
            if (r.deploymentId() != null && r.time() != null) {
                Instant[] span = lifetimes.computeIfAbsent(r.deploymentId(), k -> new Instant[] {r.time(), r.time()});
                if (r.time().isBefore(span[0])) {
                    span[0] = r.time();
                }
                if (r.time().isAfter(span[1])) {
                    span[1] = r.time();
                }
            }
        }
        Map<FaultKind, Map<Invariant, Boolean>> result = new EnumMap<>(FaultKind.class);
        for (FaultKind kind : FaultKind.values()) {
            Map<Invariant, Boolean> held = new EnumMap<>(Invariant.class);
            for (Invariant inv : Invariant.values()) {
                if (inv.appliesTo(kind)) {
                    held.put(inv, true);
                }
            }
            List<Fault> faults =
                    o.faults().stream().filter(f -> f.kind() == kind).toList();
            for (Violation v : violations) {
                if (!held.containsKey(v.invariant())) {
                    continue;
                }
                boolean counts;
                if (v.deploymentId().isPresent()
                        && lifetimes.containsKey(v.deploymentId().get())) {
                    Instant[] span = lifetimes.get(v.deploymentId().get());
                    counts = faults.stream()
                            .anyMatch(f -> !span[0].isAfter(f.recovered().orElse(f.undone()))
                                    && !span[1].isBefore(f.injected()));
                    // a deployment left unfinished is also blamed on the last fault before its last event (a
                    // push after a fault's undo that never moves on)
                    if (v.invariant() == Invariant.ACKED_ONCE_FINAL) {
                        counts |= o.faults().stream()
                                .filter(f -> !f.injected().isAfter(span[1]))
                                .max(Comparator.comparing(Fault::injected))
                                .map(f -> f.kind() == kind)
                                .orElse(false);
                    }
                } else if (v.invariant() == Invariant.PARTITIONED_HOST_SAFE) {
                    counts = kind == FaultKind.PARTITION;
                } else {
                    counts = !faults.isEmpty();
                }
                if (counts) {
                    held.put(v.invariant(), false);
                }
            }
            result.put(kind, held);
        }
        return result;
    }

    /** The stage whose topic an event type belongs to ({@code handoff.convergence.completed} → converge). */
    static Optional<String> stageOfEvent(String type) {
        if (type == null || !type.startsWith("handoff.")) {
            return Optional.empty();
        }
        int dot = type.lastIndexOf('.');
        String subject = type.substring("handoff.".length(), Math.max(dot, "handoff.".length()));
        return STAGE_SUBJECT.entrySet().stream()
                .filter(e -> e.getValue().equals(subject))
                .map(Map.Entry::getKey)
                .findFirst();
    }

    /** What reads with a consumer group: {@code ledger} or a stage. */
    static Optional<String> roleOf(String group) {
        return GROUP_PREFIXES.entrySet().stream()
                .filter(e -> group.startsWith(e.getKey()))
                .map(Map.Entry::getValue)
                .findFirst();
    }

    /** Whether a record makes {@code stage} run (StageInputs.triggers, narrowed to the stage's own pushes). */
    static boolean triggers(String stage, TopicRecord r) {
        if ("handoff.commit.pushed".equals(r.type())) {
            return stage.equals(r.field("stage"));
        }
        return r.type() != null
                && r.type().endsWith(".completed")
                && STAGE_INPUTS.get(stage).contains(r.topic());
    }

    private static String where(TopicRecord r) {
        return r.topic() + "/" + r.partition() + "@" + r.offset();
    }

    private static String stagesOf(LedgerDeployment d) {
        StringBuilder s = new StringBuilder();
        d.stages()
                .values()
                .forEach(st -> s.append(s.length() == 0 ? "" : ", ")
                        .append(st.stage())
                        .append(' ')
                        .append(st.status()));
        return s.toString();
    }
}
