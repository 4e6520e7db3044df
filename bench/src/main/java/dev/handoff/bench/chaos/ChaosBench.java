package dev.handoff.bench.chaos;

import dev.handoff.bench.BenchException;
import dev.handoff.bench.BenchMain;
import dev.handoff.bench.chaos.ChaosChecks.Violation;
import dev.handoff.bench.chaos.ChaosModel.Fault;
import dev.handoff.bench.chaos.ChaosModel.FaultKind;
import dev.handoff.bench.chaos.ChaosModel.Observation;
import dev.handoff.bench.chaos.ChaosModel.TableComparison;
import dev.handoff.bench.chaos.Moments.Moment;
import dev.handoff.common.event.Topics;
import dev.handoff.lab.LabDatabase;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.LabKafkaUsers;
import dev.handoff.lab.LabPostgres;
import dev.handoff.lab.launcher.LabEnvFile;
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
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code bench/run-chaos}: starts its own lab, warms it up, pushes a steady stream of commits to the four repositories
 * while it injects faults one after another (each at a moment chosen from what the chain is doing, undone, and
 * followed until the chain moves again), waits for quiet, reads the ledger, the topics and the groups' offsets,
 * rebuilds the ledger from the topics, checks the invariants ({@link ChaosChecks}) and prints {@link ChaosReport}'s
 * table (also to {@code bench/target/chaos-results.txt}).
 */
public final class ChaosBench {
    static final String EDGE = "cloud-edge-1";
    private static final Duration START_DEADLINE = Duration.ofMinutes(15);
    private static final Duration MOMENT_BOUND =
            Duration.ofSeconds(Long.getLong("handoff.bench.chaos.moment-bound-s", 180));
    private static final Duration RECOVERY_BOUND =
            Duration.ofSeconds(Long.getLong("handoff.bench.chaos.recovery-bound-s", 240));

    /**
     * The run's size and pace.
     *
     * @param kills SIGKILLs in all, spread over the six services and the moments of their work
     * @param activation how long each activation of the edge host takes (the lab's NixOS faults file)
     * @param quiet no new ledger row and no running deployment for this long is quiet
     * @param quietBound the most the run waits for quiet
     */
    record Settings(
            int kills,
            int broker,
            int postgres,
            int partitions,
            int pushesPerMinute,
            Duration activation,
            Duration quiet,
            Duration quietBound,
            long seed) {}

    /** One fault of the plan: what, to what, when. */
    private record Planned(FaultKind kind, String target, Supplier<Moment> moment, Duration hold) {}

    private final Path root;
    private final Path target;
    private final Settings settings;
    private final ChaosLab lab;
    private final String databasePrefix;
    private final Random random;
    private final List<String> notes = new ArrayList<>();

    ChaosBench(Path root, Settings settings, Path home, String databasePrefix) {
        this.root = root.toAbsolutePath().normalize();
        this.target = this.root.resolve("bench").resolve("target");
        this.settings = settings;
        this.databasePrefix = databasePrefix;
        this.lab = new ChaosLab(this.root, home, databasePrefix, target.resolve("chaos-up.log"));
        this.random = new Random(settings.seed());
    }

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("handoff.root", "."));
        Settings settings = new Settings(
                Integer.getInteger("handoff.bench.chaos.kills", 20),
                Integer.getInteger("handoff.bench.chaos.broker", 5),
                Integer.getInteger("handoff.bench.chaos.postgres", 3),
                Integer.getInteger("handoff.bench.chaos.partitions", 3),
                Integer.getInteger("handoff.bench.chaos.pushes-per-minute", 3),
                Duration.ofMillis(Long.getLong("handoff.bench.chaos.activation-ms", 15_000)),
                Duration.ofSeconds(Long.getLong("handoff.bench.chaos.quiet-s", 30)),
                Duration.ofMinutes(Long.getLong("handoff.bench.chaos.quiet-bound-min", 15)),
                Long.getLong("handoff.bench.chaos.seed", System.currentTimeMillis()));
        Path home = Path.of(System.getProperty(
                "handoff.bench.chaos.home",
                root.resolve("bench/target/chaos-lab").toString()));
        ChaosBench bench = new ChaosBench(
                root, settings, home, System.getProperty("handoff.bench.chaos.database-prefix", "handoff_bench_chaos"));
        BenchMain.run(bench::run, bench.lab::close);
    }

    void run() throws Exception {
        String loadBefore = loadAverage();
        int port = freeBlock(38080, 6);
        int kafkaPort = freeBlock(39092, 1);
        say("seed " + settings.seed() + "; load average before: " + loadBefore);
        say("starting the lab: control-service on port " + port + ", Kafka on " + kafkaPort + ", lab folder "
                + lab.home().root() + ", databases " + databasePrefix + "* (output in " + target.resolve("chaos-up.log")
                + ")");
        long began = System.nanoTime();
        lab.start(port, kafkaPort, START_DEADLINE);
        say(String.format(Locale.ROOT, "lab up after %.1f s", (System.nanoTime() - began) / 1e9));
        lab.nixosFaults("activation-time." + EDGE + "=" + settings.activation().toMillis() + "ms\n");

        String bootstrap = lab.require(LabEnvFile.KAFKA);
        LabKafkaUsers users = LabKafkaUsers.load(lab.home().kafkaSecret());
        Map<String, Object> admin = users.clientSecurity(LabKafka.ADMIN);
        Observed observed = new Observed(bootstrap, admin);
        try (LabPostgres postgres =
                LabPostgres.open(lab.clientEnvironment(), lab.home().postgresData())) {
            LabDatabase ledger = lab.database(postgres, "control-service");
            Moments moments = new Moments(lab, ledger);
            Pusher pusher = new Pusher(lab, settings.pushesPerMinute());

            // Warm-up: the edge host gets its cloud and secret facts, both hosts a full chain
            for (String repository : List.of("ops/edge-cluster-infra", "ops/infrastructure-secrets")) {
                say("warm-up: " + pusher.push(repository, "chaos warm-up").detail() + " for " + repository);
            }
            produceInvalidRecord(bootstrap, admin);
            awaitQuiet(ledger, "warm-up");

            say("pushing " + settings.pushesPerMinute() + " commits a minute, the four repositories in turn");
            pusher.start();
            List<Fault> faults = new ArrayList<>();
            List<Planned> plan = plan(moments, pusher);
            say("faults planned: " + plan.size() + " (" + settings.kills() + " kills, " + settings.broker()
                    + " broker, " + settings.postgres() + " PostgreSQL, " + settings.partitions() + " partitions)");
            int n = 0;
            for (Planned p : plan) {
                n++;
                Fault f = inject(p, ledger);
                faults.add(f);
                say(String.format(
                        Locale.ROOT,
                        "fault %d/%d: %s %s at %s; undone after %.1f s; chain moving again %s",
                        n,
                        plan.size(),
                        p.kind().name().toLowerCase(Locale.ROOT),
                        p.target(),
                        f.moment(),
                        Duration.between(f.injected(), f.undone()).toMillis() / 1000.0,
                        f.recovery()
                                .map(d -> String.format(Locale.ROOT, "after %.1f s", d.toMillis() / 1000.0))
                                .orElse("NOT within " + RECOVERY_BOUND.toSeconds() + " s")));
            }
            say("stopping the pushes");
            pusher.stop();
            lab.nixosFaults("");
            awaitQuiet(ledger, "after the faults");

            say("reading the ledger, the topics, the dead-letter topics and the groups' offsets");
            Observation partial = new Observation(
                    pusher.deliveries(),
                    Observed.deployments(ledger),
                    Observed.eventIds(ledger),
                    Observed.commitPushed(ledger),
                    observed.records(),
                    observed.deadLetters(),
                    observed.committed(),
                    faults,
                    Optional.empty());

            say("rebuilding the ledger from the topics into a fresh database (a second control-service, new group)");
            Optional<List<TableComparison>> rebuild = Optional.empty();
            LabDatabase fresh = postgres.createDatabase(databasePrefix + "_rebuild");
            try {
                Map<String, String> serviceEnv = new HashMap<>(users.environment("control-service"));
                serviceEnv.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
                rebuild = Optional.of(LedgerRebuild.run(
                        root.resolve("control-service/target/quarkus-app/quarkus-run.jar"),
                        serviceEnv,
                        lab.home().inventory(),
                        ledger,
                        fresh,
                        observed,
                        target.resolve("chaos-rebuild.log"),
                        Duration.ofMinutes(10)));
            } catch (BenchException e) {
                notes.add("rebuild failed: " + e.getMessage());
            } finally {
                postgres.dropDatabase(fresh);
            }
            Observation o = new Observation(
                    partial.deliveries(),
                    partial.deployments(),
                    partial.ledgerEventIds(),
                    partial.ledgerCommitPushed(),
                    partial.records(),
                    partial.deadLetters(),
                    partial.committed(),
                    faults,
                    rebuild);
            List<Violation> violations = ChaosChecks.check(o);
            notes.add("settings: " + settings.kills() + " kills, " + settings.broker() + " broker, "
                    + settings.postgres() + " PostgreSQL, " + settings.partitions() + " partitions, "
                    + settings.pushesPerMinute() + " pushes a minute, activation of " + EDGE + " "
                    + settings.activation().toSeconds() + " s, quiet = "
                    + settings.quiet().toSeconds()
                    + " s without a new ledger row or a running deployment; seed " + settings.seed());
            notes.add("load average before: " + loadBefore + "; after: " + loadAverage() + "; "
                    + Runtime.getRuntime().availableProcessors() + " cores");
            notes.add("lab: " + lab.home().root() + " (logs in run/logs), pushes in " + target.resolve("chaos-push.log")
                    + ", rebuild's log " + target.resolve("chaos-rebuild.log"));
            String table = ChaosReport.render(
                    "Handoff chaos run, "
                            + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                                    .format(Instant.now().atZone(ZoneOffset.UTC)),
                    o,
                    violations,
                    notes);
            System.out.println();
            System.out.print(table);
            Files.createDirectories(target);
            Files.writeString(target.resolve("chaos-results.txt"), table, StandardCharsets.UTF_8);
            say("written to " + target.resolve("chaos-results.txt"));
        }
    }

    /** The faults, shuffled: the kills go round the services and the moments of their work. */
    private List<Planned> plan(Moments m, Pusher pusher) {
        List<Supplier<Planned>> killKinds = List.of(
                () -> kill(
                        "infra-service",
                        () -> m.childProcess("infra-service", List.of("StandInTofu", "apply"), "during tofu apply")),
                () -> kill(
                        "converge-service",
                        () -> m.logLine(
                                "converge-service",
                                Pattern.compile("sops-nix key for \\S+ (staged|unchanged)"),
                                "during key staging")),
                () -> kill(
                        "backup-service",
                        () -> m.childProcess(
                                "backup-service", List.of("restic", "restore"), "during a restic rehearsal")),
                () -> kill(
                        "converge-service",
                        () -> m.logLine(
                                "converge-service",
                                Pattern.compile(Pattern.quote(EDGE) + ": switch on "),
                                "between activation and confirmation")),
                () -> kill(
                        "secrets-service",
                        () -> m.stagePending("secrets", "cloud-facts", "with a secrets trigger pending or running")),
                () -> kill(
                        "workload-service",
                        () -> m.stagePending("workload", "convergence", "with a workload trigger pending or running")),
                () -> kill(
                        "control-service",
                        () -> Moments.of(
                                "while a push is delivered", () -> pusher.pushingFor(Duration.ofMillis(1500)))));
        List<Planned> plan = new ArrayList<>();
        for (int i = 0; i < settings.kills(); i++) {
            plan.add(killKinds.get(i % killKinds.size()).get());
        }
        Supplier<Moment> stageRunning = () -> m.ledger(
                "select 1 from deployment_stage where status = 'started' limit 1", "with a stage run under way");
        for (int i = 0; i < settings.broker(); i++) {
            plan.add(new Planned(FaultKind.BROKER, "kafka", stageRunning, Duration.ofSeconds(10)));
        }
        for (int i = 0; i < settings.postgres(); i++) {
            plan.add(new Planned(FaultKind.POSTGRES, "postgres", stageRunning, Duration.ofSeconds(10)));
        }
        for (int i = 0; i < settings.partitions(); i++) {
            plan.add(new Planned(
                    FaultKind.PARTITION,
                    EDGE,
                    () -> m.logLine(
                            "converge-service",
                            Pattern.compile(Pattern.quote(EDGE) + ": switch on "),
                            "during activation"),
                    Duration.ofSeconds(20)));
        }
        Collections.shuffle(plan, random);
        return plan;
    }

    private Planned kill(String service, Supplier<Moment> moment) {
        return new Planned(FaultKind.KILL, service, moment, Duration.ofMillis(2000 + random.nextInt(4000)));
    }

    /** Waits for the fault's moment, injects it, holds it, undoes it and waits until the chain moves again. */
    private Fault inject(Planned p, LabDatabase ledger) throws InterruptedException {
        String moment = Moments.await(p.moment().get(), MOMENT_BOUND);
        Instant injected = Instant.now();
        String action = switch (p.kind()) {
            case KILL -> "kill";
            case BROKER, POSTGRES -> "stop";
            case PARTITION -> "partition";
        };
        String undo = switch (p.kind()) {
            case KILL -> "restart";
            case BROKER, POSTGRES -> "start";
            case PARTITION -> "heal";
        };
        try {
            lab.drill(action, p.target());
        } catch (BenchException refused) {
            say("  " + refused.getMessage());
            notes.add("fault " + p.kind() + " " + p.target() + " at " + injected + ": " + refused.getMessage());
        }
        Thread.sleep(p.hold().toMillis());
        for (int attempt = 1; ; attempt++) {
            try {
                lab.drill(undo, p.target());
                break;
            } catch (BenchException failed) {
                say("  " + failed.getMessage());
                if (attempt == 3) {
                    notes.add("undoing " + p.kind() + " " + p.target() + " failed 3 times: " + failed.getMessage());
                    break;
                }
                Thread.sleep(5000);
            }
        }
        Instant undone = Instant.now();
        long end = System.nanoTime() + RECOVERY_BOUND.toNanos();
        Optional<Instant> recovered = Optional.empty();
        while (recovered.isEmpty() && System.nanoTime() < end) {
            recovered = switch (p.kind()) {
                case KILL ->
                    p.target().equals("control-service")
                            ? Observed.firstStored(ledger, undone)
                            : Observed.firstEvent(ledger, "source = ?", undone, "/handoff/" + p.target());
                case BROKER -> Observed.firstEvent(ledger, "true", undone);
                case POSTGRES -> Observed.firstStored(ledger, undone);
                case PARTITION -> Observed.firstEvent(ledger, "subject = ?", undone, p.target());
            };
            if (recovered.isEmpty()) {
                Thread.sleep(500);
            }
        }
        return new Fault(p.kind(), p.target(), moment, injected, undone, recovered);
    }

    /** Waits until no new ledger row and no running deployment for {@code settings.quiet}, at most the bound. */
    private void awaitQuiet(LabDatabase ledger, String what) throws InterruptedException {
        long began = System.nanoTime();
        long end = began + settings.quietBound().toNanos();
        long lastCount = -1;
        long since = System.nanoTime();
        long[] last = null;
        while (System.nanoTime() < end) {
            Optional<long[]> a = Observed.activity(ledger);
            if (a.isPresent()) {
                last = a.get();
                if (last[0] != lastCount || last[1] > 0) {
                    lastCount = last[0];
                    since = System.nanoTime();
                } else if (System.nanoTime() - since >= settings.quiet().toNanos()) {
                    say(String.format(
                            Locale.ROOT,
                            "%s: quiet after %.0f s (%d events in the ledger)",
                            what,
                            (System.nanoTime() - began) / 1e9,
                            last[0]));
                    return;
                }
            }
            Thread.sleep(2000);
        }
        String state = last == null ? "the ledger did not answer" : last[0] + " events, " + last[1] + " running";
        say(what + ": not quiet within " + settings.quietBound().toMinutes() + " min (" + state + "); checking anyway");
        notes.add(what + ": not quiet within " + settings.quietBound().toMinutes() + " min (" + state + ")");
    }

    /** One record that is not an event on {@code handoff.commits}: every reader of the topic must dead-letter it. */
    private void produceInvalidRecord(String bootstrap, Map<String, Object> admin) throws Exception {
        Map<String, Object> s = new HashMap<>(admin);
        s.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        s.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        s.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(s)) {
            producer.send(new ProducerRecord<>(
                            Topics.COMMITS, EDGE, "{\"not\": \"an event\"}".getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS);
        }
        say("warm-up: one invalid record (no CloudEvents headers) on " + Topics.COMMITS);
    }

    /** The first port from {@code from} (in steps of 10) whose {@code count} ports are all free. */
    static int freeBlock(int from, int count) {
        for (int base = from; base < from + 2000; base += 10) {
            boolean free = true;
            for (int p = base; p < base + count && free; p++) {
                try (ServerSocket socket = new ServerSocket()) {
                    socket.setReuseAddress(true);
                    socket.bind(new InetSocketAddress(p));
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new BenchException("no " + count + " free ports from " + from + " to " + (from + 2000));
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static void say(String line) {
        System.out.println("chaos: "
                + DateTimeFormatter.ofPattern("HH:mm:ss").format(Instant.now().atZone(ZoneOffset.UTC)) + " " + line);
    }
}
