package dev.handoff.bench.fleet;

import dev.handoff.bench.BenchException;
import dev.handoff.bench.BenchMain;
import dev.handoff.bench.Latencies;
import dev.handoff.bench.RawKafkaLatency;
import dev.handoff.common.event.Topics;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.LabKafkaUsers;
import dev.handoff.lab.world.fleet.FleetWorld;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * {@code bench/run-fleet}: starts the lab with a simulated fleet, warms it up with a push of the secrets repository
 * (every host gets secret facts and one full chain), then times ONE push of the runtime repository to every host
 * and prints {@link FleetReport}'s table (also to {@code bench/target/fleet-results.txt}). The lab is stopped and its
 * databases dropped at the end, on failure and on Ctrl-C too.
 */
public final class FleetBench {
    static final String SECRETS_REPOSITORY = "ops/infrastructure-secrets";
    static final String RUNTIME_REPOSITORY = FleetWorld.RUNTIME_REPOSITORY;
    private static final String LATENCY_TOPIC = "bench.fleet-latency";
    private static final Duration START_DEADLINE = Duration.ofMinutes(20);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(20);

    private final Path root;
    private final Path target;
    private final FleetSettings settings;
    private final FleetLab lab;
    private final Duration pushDeadline;

    FleetBench(Path root, FleetSettings settings, Path home, String databasePrefix) {
        this.root = root.toAbsolutePath().normalize();
        this.target = this.root.resolve("bench").resolve("target");
        this.settings = settings;
        this.lab =
                new FleetLab(this.root, home, databasePrefix, settings.concurrency(), target.resolve("fleet-up.log"));
        // generous: four times the ideal, plus ten minutes for a slow machine
        this.pushDeadline = settings.ideal().multipliedBy(4).plusMinutes(10);
    }

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("handoff.root", "."));
        FleetSettings settings = new FleetSettings(
                Integer.getInteger("handoff.bench.fleet.hosts", 1000),
                Duration.ofMillis(Long.getLong("handoff.bench.fleet.activation-ms", 5000)),
                Integer.getInteger("handoff.bench.fleet.concurrency", 16));
        Path home = Path.of(System.getProperty(
                "handoff.bench.fleet.home",
                root.resolve("bench/target/fleet-lab").toString()));
        FleetBench bench = new FleetBench(
                root, settings, home, System.getProperty("handoff.bench.fleet.database-prefix", "handoff_bench_fleet"));
        BenchMain.run(bench::run, bench.lab::close);
    }

    void run() throws Exception {
        String loadBefore = loadAverage();
        int port = freeBlock(28080, 6);
        int kafkaPort = freeBlock(29092, 1);
        say("load average before: " + loadBefore);
        say("starting the lab: " + settings.hosts() + " hosts, activation " + settings.activationArgument()
                + ", concurrency " + settings.concurrency() + ", control-service on port " + port + ", Kafka on "
                + kafkaPort + ", lab folder " + lab.home().root() + " (output in " + target.resolve("fleet-up.log")
                + ")");
        long began = System.nanoTime();
        lab.start(settings, port, kafkaPort, START_DEADLINE);
        say(String.format(Locale.ROOT, "lab up after %.1f s", (System.nanoTime() - began) / 1e9));
        FleetLedger ledger = new FleetLedger(lab.controlUrl(), lab.operatorToken());
        Set<String> hosts = new TreeSet<>();
        for (int i = 1; i <= settings.hosts(); i++) {
            hosts.add(FleetWorld.name(i));
        }

        String warmup = lab.push(SECRETS_REPOSITORY, "fleet bench warm-up");
        say("warm-up: pushed " + SECRETS_REPOSITORY + " " + warmup.substring(0, 10) + "; waiting until every host's"
                + " deployment of it is final");
        List<FleetLedger.Summary> warm = awaitFinal(ledger, SECRETS_REPOSITORY, warmup, hosts, "warm-up");
        long warmFinal = warm.stream().filter(FleetLedger.Summary::isFinal).count();
        if (warmFinal < hosts.size()) {
            throw new BenchException("the warm-up push did not settle within " + pushDeadline.toSeconds() + " s: "
                    + warmFinal + " of " + hosts.size() + " hosts final");
        }
        String warmSummary = "warm-up push " + SECRETS_REPOSITORY + " " + warmup.substring(0, 10) + ": "
                + count(warm, "succeeded") + " hosts succeeded, " + count(warm, "failed") + " failed"
                + firstFailure(ledger, warm);
        say(warmSummary);

        Map<String, Long> pids = lab.processes();
        Optional<ProcessFootprint.CpuSample> cpuFrom = ProcessFootprint.sample(pids);
        Instant pushStarted = Instant.now();
        String commit = lab.push(RUNTIME_REPOSITORY, "fleet bench: measured push");
        say("measured push: " + RUNTIME_REPOSITORY + " " + commit.substring(0, 10) + "; waiting until every host's"
                + " deployment of it is final (deadline " + pushDeadline.toMinutes() + " min)");
        List<FleetLedger.Summary> measured = awaitFinal(ledger, RUNTIME_REPOSITORY, commit, hosts, "measured push");
        Optional<ProcessFootprint.CpuSample> cpuTo = ProcessFootprint.sample(pids);
        List<PeakRss> memory = new ArrayList<>();
        pids.forEach((name, pid) -> memory.add(new PeakRss(name, pid, ProcessFootprint.peakRssKib(pid))));
        String loadAfter = loadAverage();

        say("reading " + measured.size() + " deployments and the topics' record timestamps");
        List<HostDeployment> deployments = new ArrayList<>();
        for (FleetLedger.Summary s : measured) {
            deployments.add(ledger.deployment(s.id()));
        }
        Map<String, Object> admin = LabKafkaUsers.load(lab.home().kafkaSecret()).clientSecurity(LabKafka.ADMIN);
        Map<String, Instant> timestamps = RecordTimestamps.read(
                lab.bootstrapServers(),
                admin,
                List.of(Topics.COMMITS, Topics.SECRET_FACTS, Topics.CONVERGENCE, Topics.WORKLOAD, Topics.BACKUP),
                Duration.ofMinutes(2));
        Optional<Latencies> rawHop = Optional.empty();
        if (settings.instant()) {
            say("raw Kafka produce → consume on the lab's broker (1,100 records of 1 KiB, 50 a second)");
            createTopic(lab.bootstrapServers(), admin);
            rawHop = Optional.of(
                    new RawKafkaLatency(lab.bootstrapServers(), LATENCY_TOPIC, admin).run(100, 1000, 1024, 50));
        }

        FleetFigures figures = FleetFigures.of(deployments, timestamps);
        List<String> notes = new ArrayList<>();
        notes.add("measured push: " + RUNTIME_REPOSITORY + " " + commit.substring(0, 10) + ", ./handoff push began at "
                + pushStarted
                + figures.pushedAt()
                        .map(p -> ", webhook accepted (first commit.pushed record) at " + p)
                        .orElse(""));
        notes.add(warmSummary);
        notes.add("load average before: " + loadBefore + "; after the measured push: " + loadAfter + "; "
                + Runtime.getRuntime().availableProcessors() + " cores");
        notes.add("lab: " + lab.home().root() + " (logs in run/logs), ./handoff up output in "
                + target.resolve("fleet-up.log"));
        FleetReport report = new FleetReport(
                "Handoff fleet benchmark, "
                        + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                                .format(Instant.now().atZone(ZoneOffset.UTC)),
                settings,
                figures,
                rawHop,
                memory,
                ProcessFootprint.describe(cpuFrom, cpuTo),
                notes);
        String table = report.render();
        System.out.println();
        System.out.print(table);
        Files.createDirectories(target);
        Files.writeString(target.resolve("fleet-results.txt"), table, StandardCharsets.UTF_8);
        say("written to " + target.resolve("fleet-results.txt"));
    }

    /**
     * Polls the ledger until every one of {@code hosts} has a final deployment of {@code commit}, or the deadline
     * passes; returns the deployments of those hosts as last seen.
     */
    private List<FleetLedger.Summary> awaitFinal(
            FleetLedger ledger, String repository, String commit, Set<String> hosts, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + pushDeadline.toNanos();
        long nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
        Duration poll = hosts.size() > 100 ? Duration.ofSeconds(3) : Duration.ofSeconds(1);
        while (true) {
            Map<String, FleetLedger.Summary> byHost = new LinkedHashMap<>();
            for (FleetLedger.Summary s : ledger.deployments(repository, commit)) {
                if (hosts.contains(s.host())) {
                    byHost.putIfAbsent(s.host(), s);
                }
            }
            long done = byHost.values().stream()
                    .filter(FleetLedger.Summary::isFinal)
                    .count();
            if (done == hosts.size() || System.nanoTime() > deadline) {
                if (done < hosts.size()) {
                    say(what + ": deadline passed with " + done + " of " + hosts.size() + " hosts final");
                }
                return List.copyOf(byHost.values());
            }
            if (System.nanoTime() > nextProgress) {
                Map<String, Integer> statuses = new HashMap<>();
                byHost.values().forEach(s -> statuses.merge(s.status(), 1, Integer::sum));
                say(what + ": " + byHost.size() + " of " + hosts.size() + " hosts have a deployment, " + done
                        + " final " + statuses);
                nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
            }
            Thread.sleep(poll.toMillis());
        }
    }

    /** {@code ; first failure: <host>: <reason>}, or nothing when none failed. */
    private static String firstFailure(FleetLedger ledger, List<FleetLedger.Summary> deployments)
            throws InterruptedException {
        Optional<FleetLedger.Summary> failed =
                deployments.stream().filter(s -> "failed".equals(s.status())).findFirst();
        if (failed.isEmpty()) {
            return "";
        }
        HostDeployment d = ledger.deployment(failed.get().id());
        return "; first failure: " + d.host() + ": " + d.failure();
    }

    private static long count(List<FleetLedger.Summary> deployments, String status) {
        return deployments.stream().filter(s -> status.equals(s.status())).count();
    }

    private static void createTopic(String bootstrapServers, Map<String, Object> admin) {
        Map<String, Object> settings = new HashMap<>(admin);
        settings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin client = Admin.create(settings)) {
            client.createTopics(List.of(new NewTopic(LATENCY_TOPIC, 1, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new BenchException("cannot create " + LATENCY_TOPIC + ": " + e.getCause(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted while creating " + LATENCY_TOPIC, e);
        } catch (TimeoutException e) {
            throw new BenchException("the broker did not create " + LATENCY_TOPIC + " within 30 s", e);
        }
    }

    /** The first port from {@code from} (in steps of 10) whose {@code count} ports are all free. */
    static int freeBlock(int from, int count) {
        for (int base = from; base < from + 2000; base += 10) {
            boolean free = true;
            for (int p = base; p < base + count && free; p++) {
                free = portFree(p);
            }
            if (free) {
                return base;
            }
        }
        throw new BenchException("no " + count + " free ports from " + from + " to " + (from + 2000));
    }

    private static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static void say(String line) {
        System.out.println("bench: "
                + DateTimeFormatter.ofPattern("HH:mm:ss").format(Instant.now().atZone(ZoneOffset.UTC)) + " " + line);
    }
}
