package dev.handoff.bench.chaos;

import dev.handoff.bench.chaos.ChaosChecks.Invariant;
import dev.handoff.bench.chaos.ChaosChecks.Violation;
import dev.handoff.bench.chaos.ChaosModel.Delivery;
import dev.handoff.bench.chaos.ChaosModel.Fault;
import dev.handoff.bench.chaos.ChaosModel.FaultKind;
import dev.handoff.bench.chaos.ChaosModel.LedgerDeployment;
import dev.handoff.bench.chaos.ChaosModel.Observation;
import dev.handoff.bench.chaos.ChaosModel.TableComparison;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The chaos run's table: per fault kind, per invariant, the deliveries and the faults one by one. Pure. */
final class ChaosReport {
    private static final int EXAMPLES = 5;

    private ChaosReport() {}

    static String render(String title, Observation o, List<Violation> violations, List<String> notes) {
        Map<FaultKind, Map<Invariant, Boolean>> byKind = ChaosChecks.byKind(o, violations);
        StringBuilder out = new StringBuilder();
        out.append(title).append("\n\n");
        out.append(String.format(
                Locale.ROOT,
                "%-34s %8s  %-16s %-13s %-13s %s%n",
                "fault kind",
                "injected",
                "invariants held",
                "recovery p50",
                "recovery max",
                "not recovered"));
        for (FaultKind kind : FaultKind.values()) {
            List<Fault> faults =
                    o.faults().stream().filter(f -> f.kind() == kind).toList();
            Map<Invariant, Boolean> held = byKind.get(kind);
            long ok = held.values().stream().filter(b -> b).count();
            List<Duration> recoveries =
                    faults.stream().flatMap(f -> f.recovery().stream()).sorted().toList();
            out.append(String.format(
                    Locale.ROOT,
                    "%-34s %8d  %-16s %-13s %-13s %d%n",
                    kind.label,
                    faults.size(),
                    faults.isEmpty() ? "—" : ok + "/" + held.size(),
                    recoveries.isEmpty() ? "—" : seconds(percentile(recoveries, 50)),
                    recoveries.isEmpty() ? "—" : seconds(recoveries.get(recoveries.size() - 1)),
                    faults.size() - recoveries.size()));
        }
        out.append('\n');

        List<Delivery> ds = o.deliveries();
        long accepted = ds.stream().filter(Delivery::accepted).count();
        long acknowledgedDeployments = ds.stream()
                .filter(Delivery::accepted)
                .mapToLong(d -> d.deploymentIds().size())
                .sum();
        Map<String, Integer> others = new TreeMap<>();
        ds.stream().filter(d -> !d.accepted()).forEach(d -> others.merge(d.detail(), 1, Integer::sum));
        out.append(String.format(
                Locale.ROOT,
                "deliveries: %d pushes, %d answered 202 (%d deployments), %d other%s%n",
                ds.size(),
                accepted,
                acknowledgedDeployments,
                ds.size() - accepted,
                others.isEmpty() ? "" : " " + others));
        Map<String, Integer> statuses = new TreeMap<>();
        o.deployments().values().forEach(d -> statuses.merge(d.status(), 1, Integer::sum));
        out.append("deployments in the ledger: ")
                .append(o.deployments().size())
                .append(' ')
                .append(statuses)
                .append('\n');
        Map<String, Integer> failures = new TreeMap<>();
        for (LedgerDeployment d : o.deployments().values()) {
            if ("failed".equals(d.status()) && d.result() != null) {
                String r = d.result();
                int dash = r.indexOf(" — ");
                failures.merge(dash > 0 ? r.substring(0, dash) : r, 1, Integer::sum);
            }
        }
        if (!failures.isEmpty()) {
            out.append("failed deployments by reason: ").append(failures).append('\n');
        }
        long dlq = o.deadLetters().size();
        out.append("records read: ")
                .append(o.records().size())
                .append(" on the topics, ")
                .append(dlq)
                .append(" dead-lettered\n");
        o.rebuild().ifPresent(tables -> {
            List<String> t = new ArrayList<>();
            for (TableComparison c : tables) {
                t.add(c.table() + " " + c.liveRows() + "/" + c.rebuiltRows()
                        + (c.differing() > 0 ? " (" + c.differing() + " differ)" : ""));
            }
            out.append("rebuilt ledger (live/rebuilt rows): ")
                    .append(String.join(", ", t))
                    .append('\n');
        });
        out.append('\n');

        out.append(String.format(Locale.ROOT, "%-72s %s%n", "invariant (whole run)", "held"));
        for (Invariant inv : Invariant.values()) {
            List<Violation> vs =
                    violations.stream().filter(v -> v.invariant() == inv).toList();
            out.append(String.format(
                    Locale.ROOT, "%-72s %s%n", inv.label, vs.isEmpty() ? "yes" : "NO (" + vs.size() + " violations)"));
            for (int i = 0; i < Math.min(EXAMPLES, vs.size()); i++) {
                out.append("    ").append(vs.get(i).text()).append('\n');
            }
        }
        out.append('\n');
        out.append("faults, one by one (recovery = injection → first event of the affected part after the undo):\n");
        int i = 0;
        for (Fault f : o.faults()) {
            out.append(String.format(
                    Locale.ROOT,
                    "  %2d %-9s %-18s %-58s undone +%-8s recovered %s%n",
                    ++i,
                    f.kind().name().toLowerCase(Locale.ROOT),
                    f.target(),
                    f.moment(),
                    seconds(Duration.between(f.injected(), f.undone())),
                    f.recovery().map(ChaosReport::seconds).orElse("NOT within the bound")));
        }
        if (!notes.isEmpty()) {
            out.append('\n');
            notes.forEach(n -> out.append(n).append('\n'));
        }
        return out.toString();
    }

    static Duration percentile(List<Duration> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
