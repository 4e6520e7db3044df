package dev.handoff.lab.launcher;

import dev.handoff.common.event.Topics;
import dev.handoff.lab.LabDatabase;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.LabKafkaUsers;
import dev.handoff.lab.LabPostgres;
import dev.handoff.lab.PostgresOutage;
import dev.handoff.lab.PostgresServerChoice;
import dev.handoff.lab.forge.ForgejoStatusApi;
import dev.handoff.lab.forge.LabForge;
import dev.handoff.lab.forge.LabRepository;
import dev.handoff.lab.world.HostNetwork;
import dev.handoff.lab.world.InfraWorld;
import dev.handoff.lab.world.fleet.FleetRepositories;
import dev.handoff.lab.world.fleet.FleetWorld;
import dev.handoff.lab.world.kube.KubeWorld;
import dev.handoff.lab.world.nixos.NixosWorld;
import dev.handoff.lab.world.oci.LabCloud;
import dev.handoff.lab.world.restic.ResticNotInstalledException;
import dev.handoff.lab.world.restic.ResticWorld;
import dev.handoff.lab.world.secrets.LabSecrets;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.jboss.logging.Logger;

/**
 * {@code ./handoff up}: starts the lab's world (Kafka broker in this process, PostgreSQL, the forge's repositories,
 * the inventory) and every built service in its own JVM, prints where everything is, and stops it all cleanly on
 * Ctrl-C or SIGTERM.
 */
final class UpCommand {
    static final int DEFAULT_PORT = 8080;
    /** Where the services point their events' {@code dataschema} (docs/events.md). */
    static final String SCHEMA_BASE_URL = "HANDOFF_SCHEMA_BASE_URL";

    static final int DEFAULT_KAFKA_PORT = 9092;
    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private static final Logger LOG = Logger.getLogger(UpCommand.class);

    /** The JVM options of every service the lab starts, before HANDOFF_SERVICE_JAVA_OPTS. */
    static final List<String> SERVICE_JAVA_OPTIONS = List.of(
            "-Xms24m",
            "-Xmx144m",
            "-XX:+UseSerialGC",
            "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=30",
            "-XX:TieredStopAtLevel=1",
            "-XX:ReservedCodeCacheSize=48m",
            "-XX:MaxMetaspaceSize=160m",
            "-XX:MaxDirectMemorySize=64m",
            "-Xss512k");

    private final Path projectDir;
    private final Map<String, String> env;
    private final PrintStream out;
    private final LabHome home;
    private final List<ServiceProcess> services = new ArrayList<>();
    private LabKafka kafka;
    private ForgejoStatusApi forgejoApi;
    private String forgejoToken;
    private LabKafkaUsers kafkaUsers;
    private LabPostgres postgres;
    private InfraWorld infraWorld;
    private NixosWorld nixosWorld;
    private KubeWorld kubeWorld;
    private ResticWorld resticWorld;
    private FleetWorld fleetWorld;
    private Fleet fleet = Fleet.NONE;
    private LabDatabases databases;
    private final HostNetwork network = new HostNetwork();
    private LabDrills drills;
    private DrillEndpoint drillEndpoint;
    private LabState state;
    private final Map<String, String> versions = new LinkedHashMap<>();
    private boolean stopped;
    private boolean up;

    UpCommand(Path projectDir, Map<String, String> env, PrintStream out) {
        this.projectDir = projectDir;
        this.env = env;
        this.out = out;
        this.home = LabHome.resolve(env, projectDir);
    }

    /**
     * Starts the lab and blocks until the JVM is asked to stop.
     *
     * @param port control-service's HTTP port; the other services use the following ones
     * @param kafkaPort the broker's port, or empty for 9092 (or a free port if 9092 is taken)
     * @param fresh start from empty Kafka storage and empty service databases (the repositories are kept)
     * @return the exit code if the lab could not start (it does not return otherwise)
     */
    int run(int port, Optional<Integer> kafkaPort, boolean fresh) throws InterruptedException {
        return run(port, kafkaPort, fresh, Fleet.NONE);
    }

    /**
     * The simulated fleet to start next to the lab's own hosts.
     *
     * @param hosts how many hosts (0: none)
     * @param activation how long each of their activations takes
     */
    record Fleet(int hosts, Duration activation) {
        static final Fleet NONE = new Fleet(0, Duration.ZERO);
    }

    /** As {@link #run(int, Optional, boolean)} with a simulated fleet of {@code fleet.hosts()} hosts. */
    int run(int port, Optional<Integer> kafkaPort, boolean fresh, Fleet fleet) throws InterruptedException {
        this.fleet = fleet;
        Optional<LabEnvFile> running = LabEnvFile.read(home.labEnv());
        Optional<LabState> starting = LabState.read(home.labState()).filter(LabState::alive);
        if (running.isPresent() && running.get().labRunning() || starting.isPresent()) {
            String pid = starting.map(s -> Long.toString(s.pid()))
                    .orElseGet(() -> running.get().get(LabEnvFile.PID).orElse("?"));
            out.println("A lab is already running from " + home.root() + " (pid " + pid + "). Stop it first:"
                    + " ./handoff down (or Ctrl-C in its terminal); ./handoff status shows it.");
            return 1;
        }
        LabLogging.toFile(home.logs().resolve("lab.log"));
        List<ServiceModule> built = ServiceModule.built(projectDir);
        for (ServiceModule service : built) {
            int servicePort = port + service.portOffset();
            if (!portFree(servicePort)) {
                out.println("Port " + servicePort + " (" + service.name() + ") is in use by another program: choose"
                        + " another base port with ./handoff up --port N");
                return 1;
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "lab-shutdown"));
        long started = System.nanoTime();
        state = new LabState(
                ProcessHandle.current().pid(),
                LabState.startOf(ProcessHandle.current()),
                LabState.Phase.STARTING,
                java.time.Instant.now(),
                "",
                "",
                List.of(),
                Map.of());
        versions.put("Handoff", handoffVersion());
        versions.put("Java", Runtime.version().toString());
        recordState(LabState.Phase.STARTING);
        out.println("Starting the Handoff lab in " + home.root());
        try {
            // the services' databases belong to a lab (its Kafka log, its simulated hosts' keys): each carries the
            // lab's id, and a lab without Kafka storage is new (databases without an id are an earlier lab's)
            boolean newLab = !Files.exists(home.kafkaData());
            if (fresh) {
                deleteTree(home.kafkaData());
                out.println("Fresh start: Kafka storage " + home.kafkaData() + " deleted");
            }
            startKafka(kafkaPort);
            LabDatabase controlDatabase = startPostgres(fresh, newLab);
            LabForge forge = home.labForge();
            createRepositories(forge);
            if (fleet.hosts() > 0) {
                int added = FleetRepositories.ensure(forge, fleet.hosts());
                out.println("Fleet:      " + fleet.hosts() + " hosts in " + FleetWorld.RUNTIME_REPOSITORY
                        + (added > 0 ? " (" + added + " files added to the repositories)" : ""));
            }
            LabInventory.write(
                    home.inventory(),
                    forge.forgeUrl(),
                    fleet.hosts() > 0 ? FleetRepositories.inventory(fleet.hosts()) : "");
            out.println("Inventory:  " + home.inventory());
            LabCredentials credentials = LabCredentials.fromEnvironment(env, new SecureRandom());
            startForgejoApi();
            startServices(built, port, credentials);
            drills = new LabDrills(new DrilledLab(), out);
            drillEndpoint = DrillEndpoint.start(drills);
            writeLabEnv(built, port, credentials);
            recordState(LabState.Phase.UP);
            printSummary(built, port, credentials, controlDatabase, started);
            markUp();
        } catch (ServiceFailedException e) {
            out.println();
            out.println("The lab could not start: " + e.getMessage());
            stopAll();
            return 1;
        } catch (RuntimeException e) {
            LOG.error("The lab could not start", e);
            out.println();
            out.println("The lab could not start: " + e.getMessage());
            out.println("Details: " + home.logs().resolve("lab.log"));
            stopAll();
            return 1;
        }
        new CountDownLatch(1).await();
        return 0;
    }

    /**
     * The lab's Forgejo commit status API, over the forge's repositories, with a token of this run that only
     * control-service gets.
     */
    private void startForgejoApi() {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        forgejoToken = java.util.HexFormat.of().formatHex(random);
        try {
            forgejoApi = new ForgejoStatusApi(forgejoToken, ForgejoStatusApi.commitsOf(home.forge()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the lab's Forgejo API: " + e.getMessage(), e);
        }
        out.println("Forgejo:    commit status API on " + forgejoApi.url());
    }

    private void startKafka(Optional<Integer> kafkaPort) {
        int port = kafkaPort.orElse(DEFAULT_KAFKA_PORT);
        if (!portFree(port)) {
            if (kafkaPort.isPresent()) {
                throw new IllegalStateException(
                        "Kafka port " + port + " is in use: choose another with --kafka-port N");
            }
            out.println("Kafka:      port " + port + " is in use, using a free port instead");
            port = 0;
        }
        if (Files.isRegularFile(home.kafkaData().resolve("meta.properties")) && !Files.exists(home.kafkaSecret())) {
            // storage of a lab from before the broker required logins: it has no admin credential
            out.println("Kafka:      storage " + home.kafkaData() + " predates authentication; formatting it afresh");
            deleteTree(home.kafkaData());
        }
        kafkaUsers = LabKafkaUsers.load(home.kafkaSecret());
        kafka = LabKafka.start(port, home.kafkaData(), kafkaUsers);
        kafka.createTopics(Topics.all());
        versions.put("Kafka", org.apache.kafka.common.utils.AppInfoParser.getVersion());
        recordState(LabState.Phase.STARTING);
        out.println("Kafka:      KRaft broker on " + kafka.bootstrapServers() + " (in this process, "
                + Topics.all().size() + " topics, storage " + home.kafkaData() + ")");
    }

    private LabDatabase startPostgres(boolean fresh, boolean newLab) {
        postgres = LabPostgres.open(env, home.postgresData());
        out.println(postgres.description());
        versions.put("PostgreSQL", postgres.serverVersion());
        recordState(LabState.Phase.STARTING);
        databases = new LabDatabases(postgres, env, LabIdentity.of(home), out);
        databases.claim(fresh, !newLab);
        List<String> refusing = outage().endLeftOver();
        if (!refusing.isEmpty()) {
            out.println("PostgreSQL: " + String.join(", ", refusing) + " refused connections since ./handoff stop"
                    + " postgres in an earlier run; they accept them again");
        }
        LabPostgres.DatabaseAndState control = databases.open(ServiceModule.ALL.get(0));
        out.println("PostgreSQL: database " + control.database().name() + " ("
                + (control.created() ? "created" : "reused") + ")");
        return control.database();
    }

    private void createRepositories(LabForge forge) {
        for (LabRepository repository : LabRepository.ALL) {
            LabForge.State state = forge.ensure(repository);
            String what = switch (state) {
                case CREATED -> "created from its template";
                case KEPT -> "kept";
                case FORGE_RESTORED -> "forge copy recreated from the working copy";
                case WORKING_COPY_RESTORED -> "working copy cloned again from the forge";
            };
            out.println("Repository: " + repository.fullName() + " (" + what + ")");
        }
    }

    private void startServices(List<ServiceModule> built, int port, LabCredentials credentials)
            throws ServiceFailedException, InterruptedException {
        if (built.isEmpty()) {
            out.println("Services:   none is built yet (a service runs from <module>/target/quarkus-app/"
                    + "quarkus-run.jar); build them with ./mvnw -B install -DskipTests");
            return;
        }
        startHostWorlds(built);
        for (ServiceModule module : built) {
            int servicePort = port + module.portOffset();
            Map<String, String> serviceEnv = serviceEnvironment(module, servicePort, credentials);
            if (built.stream().anyMatch(ServiceModule::isControl)) {
                // every event's dataschema names the copy the lab's control-service serves, so that it resolves
                serviceEnv.put(SCHEMA_BASE_URL, schemaBaseUrl(port));
            }
            List<String> removed = List.of(LabCredentials.TOKEN_VARIABLE, LabCredentials.SECRET_VARIABLE);
            ServiceProcess process = ServiceProcess.start(
                    module.name(),
                    javaCommand(module.runJar(projectDir)),
                    serviceEnv,
                    removed,
                    home.run(),
                    home.logs().resolve(module.name() + ".log"),
                    servicePort);
            services.add(process);
            recordState(LabState.Phase.STARTING);
            watch(process);
            out.println("Service:    " + module.name() + " starting on port " + servicePort + " (pid " + process.pid()
                    + ")");
        }
        for (ServiceProcess process : services) {
            process.awaitReady(READY_TIMEOUT);
            out.println("Service:    " + process.name() + " ready on http://localhost:" + process.port());
        }
    }

    /**
     * Reports a service that ends while the lab is up, and leaves it ended: the lab keeps running without it (a drill,
     * or a crash to look into), and {@code ./handoff restart <service>} starts it again.
     */
    private void watch(ServiceProcess process) {
        process.process().onExit().thenAccept(p -> {
            if (isUpAndRunning() && !drills.killed(process.name())) {
                out.println(process.name() + " exited with code " + p.exitValue() + "; see " + process.log()
                        + " (./handoff restart " + process.name() + " starts it again)");
                recordState(LabState.Phase.UP);
            }
        });
    }

    /** The parts of this lab that the drills act on. */
    private final class DrilledLab implements LabDrills.RunningLab {
        @Override
        public List<ServiceProcess> services() {
            synchronized (UpCommand.this) {
                return List.copyOf(services);
            }
        }

        @Override
        public void restarted(ServiceProcess old, ServiceProcess fresh) {
            synchronized (UpCommand.this) {
                services.set(services.indexOf(old), fresh);
                if (stopped) {
                    // the lab began to stop while the drill started it: it goes with the rest
                    fresh.stop(STOP_GRACE);
                    return;
                }
            }
            watch(fresh);
            recordState(LabState.Phase.UP);
        }

        @Override
        public LabKafka kafka() {
            synchronized (UpCommand.this) {
                return kafka;
            }
        }

        @Override
        public void kafkaStarted(LabKafka fresh) {
            synchronized (UpCommand.this) {
                kafka = fresh;
            }
        }

        @Override
        public PostgresOutage postgres() {
            return outage();
        }

        @Override
        public Optional<HostNetwork> network() {
            return network.hosts().isEmpty() ? Optional.empty() : Optional.of(network);
        }

        @Override
        public void drillsChanged() {
            recordState(LabState.Phase.UP);
        }
    }

    /** The lab's databases going away and coming back ({@code ./handoff stop|start postgres}). */
    private PostgresOutage outage() {
        return new PostgresOutage(
                postgres, ServiceModule.ALL.stream().map(s -> s.database(env)).toList());
    }

    private Map<String, String> serviceEnvironment(ServiceModule module, int port, LabCredentials credentials) {
        LabDatabase database = databases.open(module).database();
        Map<String, String> serviceEnv = new LinkedHashMap<>();
        serviceEnv.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        // glibc's default of 8 arenas per core keeps freed native memory (TLS, zip, JNI) spread out and resident
        serviceEnv.put("MALLOC_ARENA_MAX", "2");
        // each service logs in with its own identity and gets only its role's ACLs (docs/security.md)
        serviceEnv.putAll(kafkaUsers.environment(module.name()));
        serviceEnv.put("QUARKUS_DATASOURCE_JDBC_URL", database.jdbcUrl());
        serviceEnv.put("QUARKUS_DATASOURCE_USERNAME", database.username());
        serviceEnv.put("QUARKUS_DATASOURCE_PASSWORD", database.password());
        serviceEnv.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        serviceEnv.put("HANDOFF_INVENTORY", home.inventory().toString());
        if (module.isControl()) {
            serviceEnv.put("HANDOFF_WEBHOOK_SECRET", credentials.webhookSecret());
            serviceEnv.put("HANDOFF_AUTH_TOKENS", credentials.authTokens());
            // the lab serves the page over plain HTTP, so its session cookie cannot be Secure
            serviceEnv.put("HANDOFF_UI_SECURE_COOKIE", "false");
            // each stage's state goes to the commit in the lab's Forgejo API, linking to the lab's pages
            serviceEnv.put("HANDOFF_FORGEJO_URL", forgejoApi.url().toString());
            serviceEnv.put("HANDOFF_FORGEJO_TOKEN", forgejoToken);
            serviceEnv.put("HANDOFF_PUBLIC_URL", "http://localhost:" + port);
        }
        if (module.name().equals("infra-service")) {
            // the simulated OCI API, the stand-in tofu and the off-machine archive folder (docs/infra-service.md)
            infraWorld = InfraWorld.start(home.root(), 0);
            // stacks whose backend is "pg" keep their state in the service's lab database (docs/lab.md)
            serviceEnv.putAll(infraWorld.serviceEnvironment(infraWorld.serviceDir(), database));
            serviceEnv.put("HANDOFF_AUTH_TOKENS", credentials.authTokens());
            out.println("OCI API:    simulated on " + infraWorld.oci().endpoint() + " (world " + infraWorld.worldDir()
                    + ", state archives copied to " + infraWorld.archiveDestination() + ")");
        }
        if (module.name().equals("converge-service")) {
            // the simulated NixOS host, the runner's SSH key and the stand-in colmena (docs/converge-service.md)
            serviceEnv.putAll(nixosWorld.serviceEnvironment());
            if (fleetWorld != null) {
                appendTo(serviceEnv, "HANDOFF_CONVERGE_ADDRESSES", fleetWorld.sshAddresses());
                appendTo(serviceEnv, "HANDOFF_CONVERGE_BUILD_HOST_ADDRESSES", fleetWorld.sshAddresses());
            }
        }
        if (module.name().equals("workload-service")) {
            // the host's K3s API (fabric8 mock server), its kubelet's loopback address (docs/workload-service.md)
            serviceEnv.putAll(kubeWorld.serviceEnvironment());
            if (fleetWorld != null) {
                Map<String, String> maps = fleetWorld.workloadAddresses();
                appendTo(serviceEnv, "HANDOFF_WORKLOAD_SSH_ADDRESSES", maps.get("ssh"));
                appendTo(serviceEnv, "HANDOFF_WORKLOAD_API_ADDRESSES", maps.get("api"));
                appendTo(serviceEnv, "HANDOFF_WORKLOAD_PORT_ADDRESSES", maps.get("port"));
            }
        }
        if (module.name().equals("backup-service") && resticWorld != null) {
            // the host's restic repository and credentials files, named by the lab inventory (docs/backup-service.md)
            serviceEnv.putAll(resticWorld.serviceEnvironment(nixosWorld));
            if (fleetWorld != null) {
                appendTo(serviceEnv, "HANDOFF_BACKUP_ADDRESSES", fleetWorld.sshAddresses());
            }
        }
        if (module.name().equals("secrets-service")) {
            serviceEnv.put(
                    LabSecrets.VALIDATION_IDENTITY_VARIABLE,
                    LabSecrets.writeValidationIdentity(home.run().resolve("keys"))
                            .toString());
        }
        // the simulated hosts are reached through the lab's network, which ./handoff partition cuts
        return network.route(serviceEnv);
    }

    /**
     * The simulated edge host, shared by the services that reach it: converge-service activates it, workload-service
     * reads its cluster (the kube world applies the linked manifests on each activation), backup-service checks its
     * restic repository (the restic world's backup job runs after each activation, after the kube world).
     */
    private void startHostWorlds(List<ServiceModule> built) {
        List<String> names = built.stream().map(ServiceModule::name).toList();
        if (names.stream().noneMatch(List.of("converge-service", "workload-service", "backup-service")::contains)) {
            return;
        }
        nixosWorld = NixosWorld.start(home.root(), LabCloud.defaults().get(LabCloud.PUBLIC_IP));
        out.println("NixOS:      simulated " + NixosWorld.HOST + " on SSH 127.0.0.1:"
                + nixosWorld.host().publicPort() + " (public IP) and 127.0.0.1:"
                + nixosWorld.host().tailnetPort() + " (" + NixosWorld.TAILNET_ADDRESS + "); "
                + NixosWorld.FORGEJO_HOST + " on 127.0.0.1:"
                + nixosWorld.forgejoHost().tailnetPort() + " ("
                + NixosWorld.FORGEJO_TAILNET_ADDRESS + ")");
        network.link(NixosWorld.HOST, "ssh (public IP)", nixosWorld.host().publicPort());
        nixosWorld.hosts().forEach((name, host) -> network.link(name, "ssh", host.tailnetPort()));
        if (names.contains("workload-service")) {
            kubeWorld = KubeWorld.start(home.root(), nixosWorld);
            network.link(NixosWorld.HOST, "k3s api", kubeWorld.api().port());
            out.println("K3s:        simulated API and kubelet of " + NixosWorld.HOST + " (" + kubeWorld.portAddress()
                    + "; faults in " + home.root().resolve("kube").resolve("kube-faults.properties") + ")");
        }
        if (names.contains("backup-service")) {
            try {
                resticWorld = ResticWorld.start(home.root());
                resticWorld.attach(nixosWorld);
                versions.put("restic", ResticWorld.resticVersion());
                out.println("restic:     " + ResticWorld.resticVersion() + ", runtime repository "
                        + resticWorld.repository(ResticWorld.RUNTIME) + " (the host's backup job runs after each"
                        + " activation)");
            } catch (ResticNotInstalledException e) {
                out.println("restic:     NOT INSTALLED: " + e.getMessage());
                out.println("            backup-service will report its restic contracts as failed"
                        + " (restic-not-installed) until restic is installed (sudo apt-get install restic)");
            }
        }
        if (fleet.hosts() > 0) {
            long began = System.nanoTime();
            fleetWorld = FleetWorld.start(
                    home.root(),
                    fleet.hosts(),
                    fleet.activation(),
                    nixosWorld.runner(),
                    Path.of(nixosWorld.serviceEnvironment().get("HANDOFF_CONVERGE_AGE_KEY_DIR")),
                    names.contains("workload-service"),
                    resticWorld);
            out.printf(
                    "Fleet:      %d simulated hosts %s … %s on SSH port %d of 127.x.y.z each, activation %s (%.1f s"
                            + " to start)%n",
                    fleet.hosts(),
                    FleetWorld.name(1),
                    FleetWorld.name(fleet.hosts()),
                    fleetWorld.sshPort(),
                    fleet.activation(),
                    (System.nanoTime() - began) / 1e9);
        }
    }

    private static void appendTo(Map<String, String> env, String name, String entries) {
        if (entries.isEmpty()) {
            return;
        }
        String before = env.get(name);
        env.put(name, before == null || before.isEmpty() ? entries : before + "," + entries);
    }

    private List<String> javaCommand(Path jar) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // small and steady: each service stays under 200 MiB of RSS after a full chain (docs/lab.md, "Memory");
        // the serial collector gives memory back to the system after a collection within these free ratios
        command.addAll(SERVICE_JAVA_OPTIONS);
        String extra = env.get("HANDOFF_SERVICE_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.add("-jar");
        command.add(jar.toString());
        return command;
    }

    /** The schemas the lab's control-service, on {@code port}, serves. */
    static String schemaBaseUrl(int port) {
        return "http://localhost:" + port + "/schemas/";
    }

    private void writeLabEnv(List<ServiceModule> built, int port, LabCredentials credentials) {
        Map<String, String> values = new LinkedHashMap<>();
        if (built.stream().anyMatch(ServiceModule::isControl)) {
            values.put(LabEnvFile.CONTROL_URL, "http://localhost:" + port);
            values.put(LabEnvFile.CTL_SERVER, "http://localhost:" + port);
            values.put(LabEnvFile.WEBHOOK_URL, "http://localhost:" + port + "/hooks/forgejo");
        }
        values.put(LabEnvFile.WEBHOOK_SECRET, credentials.webhookSecret());
        values.put(LabEnvFile.OPERATOR_TOKEN, credentials.operatorToken());
        values.put(LabEnvFile.CTL_TOKEN, credentials.operatorToken());
        values.put(LabEnvFile.KAFKA, kafka.bootstrapServers());
        values.put(LabEnvFile.FORGEJO_URL, forgejoApi.url().toString());
        values.put(LabEnvFile.PID, Long.toString(ProcessHandle.current().pid()));
        values.put(LabEnvFile.DRILL_URL, drillEndpoint.url().toString());
        values.put(LabEnvFile.DRILL_TOKEN, drillEndpoint.token());
        new LabEnvFile(values).write(home.labEnv());
    }

    private void printSummary(
            List<ServiceModule> built,
            int port,
            LabCredentials credentials,
            LabDatabase controlDatabase,
            long startedNanos) {
        boolean control = built.stream().anyMatch(ServiceModule::isControl);
        String controlUrl = "http://localhost:" + port;
        out.println();
        out.printf("Handoff lab is up (%.1f s).%n%n", (System.nanoTime() - startedNanos) / 1e9);
        if (control) {
            out.println("  Control API     " + controlUrl + "   (OpenAPI: " + controlUrl + "/q/openapi)");
            out.println("  Webhook URL     " + controlUrl + "/hooks/forgejo");
            out.println("  Event contract  " + controlUrl + "/asyncapi.yaml   (schemas: " + schemaBaseUrl(port) + ")");
        } else {
            out.println("  Control API     not running: control-service is not built"
                    + " (./mvnw -B install -DskipTests, then ./handoff up again)");
        }
        out.println("  Webhook secret  " + credentials.webhookSecret()
                + (credentials.secretGenerated() ? "   (generated; set HANDOFF_WEBHOOK_SECRET to choose it)" : ""));
        out.println("  Operator token  " + credentials.operatorToken()
                + (credentials.tokenGenerated() ? "   (generated; set HANDOFF_OPERATOR_TOKEN to choose it)" : ""));
        out.println("  Kafka           " + kafka.bootstrapServers());
        out.println("  Forgejo API     " + forgejoApi.url() + "   (commit statuses: " + forgejoApi.url()
                + "/api/v1/repos/<owner>/<repo>/commits/<sha>/statuses)");
        out.println("  PostgreSQL      " + controlDatabase.jdbcUrl() + " (user " + controlDatabase.username() + ")");
        out.println("  Run folder      " + home.run() + "   (logs/ and lab.env)");
        out.println("  Repositories    " + home.work() + "   (working copies; the forge is " + home.forge() + ")");
        out.println("  Inventory       " + home.inventory());
        out.println();
        out.println("To deploy: edit a working copy, commit if you like, then push it to the forge with a webhook");
        out.println("(on a fresh lab push the infra repository first: the edge host needs its cloud facts):");
        out.println("  ./handoff push ops/edge-cluster-infra -m \"Grow the data volume\"   # infra → … → backup");
        out.println("  ./handoff push ops/nix-k3s-edge-cluster -m \"RustDesk\"             # converge → … → backup");
        if (control) {
            out.println("Then read the deployments:");
            out.println("  curl -H \"Authorization: Bearer " + credentials.operatorToken() + "\" " + controlUrl
                    + "/api/deployments");
        }
        out.println();
        out.println("Press Ctrl-C to stop the lab.");
    }

    private synchronized boolean isUpAndRunning() {
        return up && !stopped;
    }

    private synchronized void markUp() {
        up = true;
    }

    /** Stops the services (SIGTERM, then kill after 10 s), then the broker and an embedded PostgreSQL. */
    private synchronized void stopAll() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (drillEndpoint != null) {
            // no drill may start a service while the lab stops them
            drillEndpoint.close();
        }
        if (state != null) {
            state = state.in(LabState.Phase.STOPPING);
            writeState();
        }
        try {
            Files.deleteIfExists(home.labEnv());
        } catch (IOException e) {
            LOG.warnf("cannot remove %s: %s", home.labEnv(), e.getMessage());
        }
        if (!services.isEmpty() || kafka != null || postgres != null) {
            out.println();
            out.println("Stopping the Handoff lab...");
        }
        List<ServiceProcess> reversed = new ArrayList<>(services);
        java.util.Collections.reverse(reversed);
        for (ServiceProcess service : reversed) {
            if (service.isAlive()) {
                out.println("  stopping " + service.name() + " (pid " + service.pid() + ")");
                service.stop(STOP_GRACE);
            }
        }
        if (drills != null
                && drills.drilled().containsKey("postgres")
                && postgres.kind() != PostgresServerChoice.Kind.EMBEDDED) {
            // the lab's databases must not stay closed to its next run (nor to anyone else) after it ends
            out.println("  " + outage().end());
        }
        if (forgejoApi != null) {
            forgejoApi.close();
        }
        if (kafka != null) {
            out.println("  stopping Kafka");
            kafka.close();
        }
        if (infraWorld != null) {
            infraWorld.close();
        }
        if (kubeWorld != null) {
            kubeWorld.close();
        }
        if (fleetWorld != null) {
            fleetWorld.close();
        }
        network.close();
        if (nixosWorld != null) {
            nixosWorld.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (state != null) {
            try {
                Files.deleteIfExists(home.labState());
            } catch (IOException e) {
                LOG.warnf("cannot remove %s: %s", home.labState(), e.getMessage());
            }
        }
        if (!services.isEmpty() || kafka != null) {
            out.println("Lab stopped. Logs stay in " + home.logs());
        }
    }

    /** Records what runs now in {@code run/lab.state} ({@code ./handoff status}, {@code down}, a waiting push). */
    private synchronized void recordState(LabState.Phase phase) {
        if (stopped) {
            return;
        }
        state = new LabState(
                state.pid(),
                state.processStarted(),
                phase,
                state.since(),
                kafka == null ? "" : kafka.bootstrapServers(),
                postgres == null ? "" : postgres.description(),
                services.stream()
                        .map(s -> new LabState.Service(s.name(), s.port(), s.pid(), s.started()))
                        .toList(),
                versions,
                drills == null ? Map.of() : drills.drilled());
        writeState();
    }

    private void writeState() {
        try {
            state.write(home.labState());
        } catch (java.io.UncheckedIOException e) {
            LOG.warnf("cannot record the lab's state in %s: %s", home.labState(), e.getMessage());
        }
    }

    /** The launcher's Maven version and the project's Git commit, e.g. {@code 0.1.0-SNAPSHOT (commit 1a2b3c4d5e)}. */
    private String handoffVersion() {
        String version = "development build";
        try (java.io.InputStream in =
                UpCommand.class.getResourceAsStream("/META-INF/maven/dev.handoff/handoff-lab/pom.properties")) {
            if (in != null) {
                java.util.Properties pom = new java.util.Properties();
                pom.load(in);
                version = pom.getProperty("version", version);
            }
        } catch (IOException e) {
            LOG.debugf("no Maven version of the launcher: %s", e.getMessage());
        }
        try (org.eclipse.jgit.lib.Repository git = new org.eclipse.jgit.storage.file.FileRepositoryBuilder()
                .findGitDir(projectDir.toFile())
                .setMustExist(true)
                .build()) {
            org.eclipse.jgit.lib.ObjectId head = git.resolve("HEAD");
            if (head != null) {
                version += " (commit " + head.abbreviate(10).name() + ")";
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.debugf("no Git commit of %s: %s", projectDir, e.getMessage());
        }
        return version;
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot delete " + root + " for a fresh start", e);
        }
    }

    private static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }
}
