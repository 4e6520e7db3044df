package dev.handoff.bench.hostile;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

/**
 * Runs every probe over its generator's inputs and prints the counts (docs/security.md, "Hostile-input suite"). The
 * runner ({@code HostileInputRun}) and the test ({@code HostileInputSuiteTest}) both go through here.
 */
public final class HostileSuite {
    /** How long one input may take before it counts as a hang. */
    static final Duration PER_INPUT = Duration.ofSeconds(20);

    private HostileSuite() {}

    /** Every entry point that needs no running service, {@code count} inputs each (at least the classic cases). */
    public static List<EntryPoint> parsers(long seed, int count) throws IOException {
        List<EntryPoint> out = new ArrayList<>();
        out.add(EntryPoint.run("handoff.yaml", InventoryInputs.generate(seed, count), new InventoryProbe(), PER_INPUT));
        out.add(EntryPoint.run(
                "records (EventCodec.decode)", RecordInputs.generate(seed + 1, count), new RecordProbe(), PER_INPUT));
        out.add(EntryPoint.run("SOPS files", SopsInputs.generate(seed + 2, count), new SopsProbe(), PER_INPUT));
        out.add(EntryPoint.run("tofu plan JSON", PlanInputs.generate(seed + 3, count), new PlanProbe(), PER_INPUT));
        out.add(EntryPoint.run(
                "kubeconfigs", KubeconfigInputs.generate(seed + 4, count), new KubeconfigProbe(), PER_INPUT));
        out.add(EntryPoint.run("restic JSON", ResticInputs.generate(seed + 5, count), new ResticProbe(), PER_INPUT));
        out.add(EntryPoint.run(
                "host files (manifests folder)",
                ManifestInputs.generate(seed + 6, count),
                new ManifestProbe(),
                PER_INPUT));
        try (PathProbe paths = new PathProbe()) {
            EntryPoint tally = EntryPoint.run(
                    "paths from data (ContainedPath)", PathInputs.generate(seed + 7, count), paths, PER_INPUT);
            if (!paths.outsideUntouched()) {
                tally.problem("a file was written outside the base folder");
            } else {
                tally.note("nothing written outside the base folder (a planted link leads there); " + paths.unwritable()
                        + " accepted names the file system would not write");
            }
            out.add(tally);
        }
        return out;
    }

    /**
     * Sends {@code count} hostile deliveries to a running control-service, then checks that {@code handoff.commits}
     * (and every other topic but the DLQs) grew by no more than the deployments of properly signed, accepted pushes,
     * and that neither the answers nor the service's log show its webhook secret.
     *
     * @param admin an admin client of the service's broker
     * @param log the service's log file
     */
    public static EntryPoint webhook(URI base, String secret, Admin admin, Path log, long seed, int count)
            throws Exception {
        Map<TopicPartition, Long> before = BrokerPass.endOffsets(admin);
        WebhookProbe probe = new WebhookProbe(base, secret);
        EntryPoint tally = EntryPoint.run(
                "webhooks (POST /hooks/forgejo)",
                WebhookInputs.generate(seed + 8, count, secret),
                probe,
                Duration.ofSeconds(30));
        // control-service answers a delivery only once Kafka has acknowledged what it published for it, so with every
        // answer in, the end offsets are final
        Map<TopicPartition, Long> after = BrokerPass.endOffsets(admin);
        long published = 0;
        for (Map.Entry<TopicPartition, Long> e : after.entrySet()) {
            if (!e.getKey().topic().endsWith(dev.handoff.common.event.Topics.DLQ_SUFFIX)) {
                published += e.getValue() - before.getOrDefault(e.getKey(), 0L);
            }
        }
        tally.note(probe.signedAccepted() + " properly signed deliveries answered 2xx, naming "
                + probe.deploymentsAnswered() + " deployments; records published: " + published);
        if (published > probe.deploymentsAnswered()) {
            tally.problem(published + " records were published but only " + probe.deploymentsAnswered()
                    + " deployments were answered to properly signed pushes");
        }
        if (Files.isRegularFile(log)) {
            String text = Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (text.contains(secret) || PlantedSecret.leaksIn(text)) {
                tally.problem("control-service's log shows the webhook secret or the planted secret");
            }
        }
        return tally;
    }

    /** The report: each entry point's block, the log check, and a final line. */
    public static String report(List<EntryPoint> entryPoints, LogCapture logs) {
        StringBuilder out = new StringBuilder();
        int tried = 0;
        int refused = 0;
        int accepted = 0;
        int escaped = 0;
        int problems = 0;
        for (EntryPoint e : entryPoints) {
            out.append(e.report());
            tried += e.tried();
            refused += e.refusedTotal();
            accepted += e.accepted();
            escaped += e.escaped();
            problems += e.problems().size();
        }
        out.append(String.format(
                "log lines captured: %d, holding the planted secret: %d%n",
                logs.lines(), logs.leaks().size()));
        for (String leak : logs.leaks()) {
            out.append("    PROBLEM log line holds the planted secret: ")
                    .append(leak)
                    .append('\n');
        }
        problems += logs.leaks().size();
        out.append(String.format(
                "%s: %d inputs at %d entry points: %d refused with a named reason, %d accepted, %d escaped,"
                        + " %d other problems%n",
                escaped == 0 && problems == 0 ? "PASS" : "FAIL",
                tried,
                entryPoints.size(),
                refused,
                accepted,
                escaped,
                problems));
        return out.toString();
    }

    /** Whether nothing escaped and no invariant broke anywhere. */
    public static boolean clean(List<EntryPoint> entryPoints, LogCapture logs) {
        return entryPoints.stream().allMatch(EntryPoint::clean) && logs.leaks().isEmpty();
    }
}
