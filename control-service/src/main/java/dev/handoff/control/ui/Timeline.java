package dev.handoff.control.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.handoff.common.serde.Json;
import dev.handoff.control.api.Views.DeploymentView;
import dev.handoff.control.api.Views.EventView;
import dev.handoff.control.api.Views.StageView;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the web page shows of a deployment, with no I/O: every stage of the chain in order with its status colour,
 * times, duration, failure reason and facts (the payload of its newest completed event). Plain values only, so the
 * templates stay free of logic.
 */
public final class Timeline {
    private static final List<String> CHAIN = List.of("commit", "infra", "secrets", "converge", "workload", "backup");
    private static final Map<String, String> LABELS = Map.of(
            "commit", "Commit pushed",
            "infra", "Infra (cloud facts)",
            "secrets", "Secrets (secret facts)",
            "converge", "Converge (host)",
            "workload", "Workload",
            "backup", "Backup");
    private static final Map<String, String> EVENT_SUBJECTS = Map.of(
            "commit", "handoff.commit.",
            "infra", "handoff.cloud-facts.",
            "secrets", "handoff.secret-facts.",
            "converge", "handoff.convergence.",
            "workload", "handoff.workload.",
            "backup", "handoff.backup.");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");

    private Timeline() {}

    /**
     * One stage on the page.
     *
     * @param stage the stage id ({@code commit} for the push)
     * @param label its name for people
     * @param status {@code completed}, {@code failed}, {@code running}, {@code pushed} or {@code not-run}
     * @param startedAt when it started, formatted, or empty
     * @param finishedAt when it finished, formatted, or empty
     * @param duration how long it took (or has been running), or empty
     * @param reason why it failed, or empty
     * @param facts its facts as indented JSON, or empty
     */
    public record Step(
            String stage,
            String label,
            String status,
            String startedAt,
            String finishedAt,
            String duration,
            String reason,
            String facts) {}

    /** The steps of a deployment, in chain order. */
    public static List<Step> of(DeploymentView d, OffsetDateTime now) {
        List<Step> steps = new ArrayList<>();
        for (String stage : CHAIN) {
            StageView s = d.stages() == null
                    ? null
                    : d.stages().stream()
                            .filter(v -> v.stage().equals(stage))
                            .findFirst()
                            .orElse(null);
            if (s == null) {
                steps.add(new Step(stage, LABELS.get(stage), "not-run", "", "", "", "", ""));
                continue;
            }
            String status = shown(s.status());
            String duration = s.durationMillis() != null
                    ? duration(s.durationMillis())
                    : status.equals("running") && s.startedAt() != null
                            ? duration(Duration.between(s.startedAt(), now).toMillis()) + " so far"
                            : "";
            steps.add(new Step(
                    stage,
                    LABELS.get(stage),
                    status,
                    time(s.startedAt() != null ? s.startedAt() : s.finishedAt()),
                    time(s.finishedAt()),
                    duration,
                    s.reason() == null ? "" : s.reason(),
                    facts(d.events(), stage)));
        }
        return steps;
    }

    /**
     * The status a page colours a stage by: the ledger's own, or {@code running} for the states of a stage at work
     * (started, waiting for approval, approved, …).
     */
    public static String shown(String status) {
        return switch (status) {
            case "completed", "failed", "pushed", "stale", "superseded", "waiting", "not-run" -> status;
            default -> "running";
        };
    }

    /** A time for people, in UTC. */
    public static String time(OffsetDateTime t) {
        return t == null ? "" : TIME.format(t.withOffsetSameInstant(ZoneOffset.UTC));
    }

    /** A duration for people: {@code 850 ms}, {@code 4.2 s}, {@code 3 min 5 s}, {@code 2 h 10 min}. */
    public static String duration(long millis) {
        if (millis < 1_000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        long seconds = millis / 1000;
        if (seconds < 3600) {
            return seconds / 60 + " min " + seconds % 60 + " s";
        }
        return seconds / 3600 + " h " + (seconds % 3600) / 60 + " min";
    }

    private static String facts(List<EventView> events, String stage) {
        if (events == null) {
            return "";
        }
        String prefix = EVENT_SUBJECTS.get(stage);
        EventView newest = null;
        for (EventView e : events) {
            boolean facts = e.type().startsWith(prefix)
                    && (e.type().endsWith(".completed") || e.type().endsWith(".pushed"));
            if (facts && (newest == null || !e.time().isBefore(newest.time()))) {
                newest = e;
            }
        }
        if (newest == null) {
            return "";
        }
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(newest.data());
        } catch (JsonProcessingException e) {
            return newest.data().toString();
        }
    }
}
