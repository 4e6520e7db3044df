package dev.handoff.lab;

import dev.handoff.common.event.Topics;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.KafkaAccess;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.serde.EventCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.jboss.logging.Logger;

/**
 * A real KRaft Kafka broker (broker and controller in one node) running inside this JVM, with every Handoff topic of
 * {@link Topics#all()} created. Tests share one broker per JVM through {@link #shared()}; the launcher starts its own
 * with {@link #start(int, Path, LabKafkaUsers)}.
 *
 * <p>It runs as the compose file's and the chart's brokers do: clients log in with SASL/SCRAM-SHA-512 (one user per
 * service, {@link KafkaAccess}), the standard authorizer allows each exactly its ACLs and nothing to anyone else
 * ({@code allow.everyone.if.no.acl.found=false}); {@code admin} is the only super user (the broker itself, and tests
 * standing in for the world). The controller listener takes SASL/PLAIN with the admin's password only (KRaft keeps SCRAM
 * credentials in its metadata, so controllers cannot use them).
 */
public final class LabKafka implements AutoCloseable {
    /** Partitions of every Handoff topic; several, so that per-host ordering by key is really exercised. */
    public static final int PARTITIONS = 3;

    /** The lab's super user: the broker's own inter-broker login and tests standing in for the world. */
    public static final String ADMIN = "admin";

    private static final Logger LOG = Logger.getLogger(LabKafka.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final String CLIENT_LISTENER = "CLIENT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Map<String, LabKafka> RUNNING = new ConcurrentHashMap<>();
    private static final String SHARED_PROPERTY = "dev.handoff.lab.kafka.shared";
    private static LabKafka shared;

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final boolean deleteOnClose;
    private final String bootstrapServers;
    private final LabKafkaUsers users;
    private EventPublisher worldPublisher;
    private boolean closed;

    private LabKafka(
            KafkaRaftServer server, Path dataDir, boolean deleteOnClose, String bootstrapServers, LabKafkaUsers users) {
        this.server = server;
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.bootstrapServers = bootstrapServers;
        this.users = users;
        RUNNING.put(bootstrapServers, this);
    }

    /** A broker this JVM does not run (the official image under {@code -Pcontainers}, without authentication). */
    private LabKafka(String bootstrapServers) {
        this(null, null, false, bootstrapServers, null);
    }

    /**
     * The broker of this JVM: started on first use on a free port with throw-away storage and users whose passwords
     * live only in this JVM, every Handoff topic created, stopped by a shutdown hook when the JVM ends. Under
     * {@code -Pcontainers} it is the official {@code apache/kafka} image instead ({@link ContainerBackend}), which runs
     * without authentication.
     */
    public static synchronized LabKafka shared() {
        if (shared == null && ContainerBackend.selected()) {
            LabKafka kafka = new LabKafka(ContainerBackend.kafkaBootstrapServers());
            kafka.createTopics(Topics.all());
            shared = kafka;
        }
        if (shared == null) {
            // Quarkus loads this class again for each application it restarts (another test profile): the broker
            // of the JVM is found through a system property, which every class loader sees.
            String running = System.getProperty(SHARED_PROPERTY);
            if (running != null) {
                int bar = running.indexOf('|');
                shared = new LabKafka(
                        null,
                        null,
                        false,
                        running.substring(0, bar),
                        LabKafkaUsers.fromHex(running.substring(bar + 1)));
                return shared;
            }
            LabKafkaUsers users = LabKafkaUsers.generate();
            LabKafka kafka = start(0, null, users);
            kafka.createTopics(Topics.all());
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "lab-kafka-shutdown"));
            System.setProperty(SHARED_PROPERTY, kafka.bootstrapServers() + "|" + users.secretHex());
            shared = kafka;
        }
        return shared;
    }

    /**
     * Starts a broker on {@code localhost:port} with authentication and the ACLs of {@link KafkaAccess}. Topics are not
     * created: call {@link #createTopics(Collection)}.
     *
     * @param port the client port; 0 picks a free one
     * @param dataDir where the broker keeps its log and metadata across restarts; {@code null} for a temporary folder
     *     deleted on {@link #close()}
     * @param users the passwords of the admin and of every service; a data folder formatted with another admin
     *     password cannot be started
     */
    public static LabKafka start(int port, Path dataDir, LabKafkaUsers users) {
        long started = System.nanoTime();
        boolean temporary = dataDir == null;
        Path dir = temporary ? temporaryDirectory() : dataDir.toAbsolutePath();
        createDirectories(dir);
        int clientPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        Properties props = brokerConfig(dir, clientPort, controllerPort, users);
        KafkaConfig config = KafkaConfig.fromProps(props, false);
        format(config, dir, users);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        String bootstrap = "localhost:" + clientPort;
        LabKafka kafka = new LabKafka(server, dir, temporary, bootstrap, users);
        try {
            kafka.grantServices();
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        LOG.infof(
                "Kafka: KRaft broker on %s started in %d ms (SASL/SCRAM, %d ACLs; storage: %s)",
                bootstrap,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                KafkaAccess.all().size(),
                temporary ? "temporary" : dir);
        return kafka;
    }

    private static Properties brokerConfig(Path dir, int clientPort, int controllerPort, LabKafkaUsers users) {
        String adminPassword = users.password(ADMIN);
        Properties p = new Properties();
        p.put("node.id", "1");
        p.put("process.roles", "broker,controller");
        p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put(
                "listeners",
                CLIENT_LISTENER + "://localhost:" + clientPort + "," + CONTROLLER_LISTENER + "://localhost:"
                        + controllerPort);
        p.put("advertised.listeners", CLIENT_LISTENER + "://localhost:" + clientPort);
        p.put(
                "listener.security.protocol.map",
                CLIENT_LISTENER + ":SASL_PLAINTEXT," + CONTROLLER_LISTENER + ":SASL_PLAINTEXT");
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("sasl.enabled.mechanisms", KafkaAccess.MECHANISM);
        p.put("sasl.mechanism.inter.broker.protocol", KafkaAccess.MECHANISM);
        p.put("listener.name.client.sasl.enabled.mechanisms", KafkaAccess.MECHANISM);
        p.put("listener.name.client.scram-sha-512.sasl.jaas.config", KafkaAccess.jaasConfig(ADMIN, adminPassword));
        p.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        p.put("sasl.mechanism.controller.protocol", "PLAIN");
        p.put(
                "listener.name.controller.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN
                        + "\" password=\"" + adminPassword + "\" user_" + ADMIN + "=\"" + adminPassword + "\";");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", "User:" + ADMIN);
        p.put("allow.everyone.if.no.acl.found", "false");
        p.put("log.dir", dir.toString());
        p.put("num.partitions", Integer.toString(PARTITIONS));
        p.put("default.replication.factor", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("controlled.shutdown.enable", "false");
        p.put("log.cleaner.dedupe.buffer.size", "2097152");
        p.put("auto.create.topics.enable", "false");
        return p;
    }

    /**
     * Formats new storage with the admin's SCRAM credential (the broker logs in to itself with it); storage formatted
     * before keeps its cluster id and credentials.
     */
    private static void format(KafkaConfig config, Path dir, LabKafkaUsers users) {
        Formatter formatter = new Formatter()
                .setClusterId(
                        storedClusterId(dir).orElseGet(() -> Uuid.randomUuid().toString()))
                .setNodeId(config.nodeId())
                .setIgnoreFormatted(true)
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setMetadataLogDirectory(dir.toString())
                .setScramArguments(
                        List.of(KafkaAccess.MECHANISM + "=[name=" + ADMIN + ",password=" + users.password(ADMIN) + "]"))
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
        formatter.addDirectory(dir.toString());
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException(
                    "Kafka: cannot format the storage folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Gives every service its SCRAM credential and makes the broker's ACLs exactly {@link KafkaAccess#all()}: the
     * wanted ones are created first (an existing one is left as it is), then only the others are deleted, so a broker
     * started again on its storage ({@code ./handoff start kafka}) never refuses a service for a moment. (Until issue 18
     * every ACL was deleted and then created again, after the listener was up: services reconnecting in between were
     * refused with {@code TopicAuthorizationException}/{@code GroupAuthorizationException}, which stops their consumer
     * loops for good; found by {@code bench/run-chaos}.)
     */
    private void grantServices() {
        try (Admin admin = admin()) {
            List<UserScramCredentialAlteration> credentials = new ArrayList<>();
            for (String service : KafkaAccess.services()) {
                credentials.add(new UserScramCredentialUpsertion(
                        service, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), users.password(service)));
            }
            admin.alterUserScramCredentials(credentials).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<AclBinding> wanted =
                    KafkaAccess.all().stream().map(LabKafka::binding).toList();
            admin.createAcls(wanted).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<AclBinding> unwanted = unwanted(
                    admin.describeAcls(AclBindingFilter.ANY)
                            .values()
                            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
                    wanted);
            if (!unwanted.isEmpty()) {
                admin.deleteAcls(unwanted.stream().map(AclBinding::toFilter).toList())
                        .all()
                        .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Kafka: interrupted while granting the services", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException(
                    "Kafka: could not set up the services' users and ACLs on " + bootstrapServers + ": "
                            + cause.getMessage()
                            + (dataDir != null && !deleteOnClose
                                    ? " (storage formatted with another admin password? delete " + dataDir + ")"
                                    : ""),
                    cause);
        }
    }

    /** The ACLs of {@code existing} that are not {@code wanted}: the only ones {@link #grantServices} deletes. */
    static List<AclBinding> unwanted(
            java.util.Collection<AclBinding> existing, java.util.Collection<AclBinding> wanted) {
        java.util.Set<AclBinding> keep = new java.util.HashSet<>(wanted);
        return existing.stream().filter(b -> !keep.contains(b)).toList();
    }

    /** The broker's ACL of a grant. */
    public static AclBinding binding(KafkaAccess.Grant grant) {
        ResourceType type = grant.resource() == KafkaAccess.Resource.TOPIC ? ResourceType.TOPIC : ResourceType.GROUP;
        return new AclBinding(
                new ResourcePattern(type, grant.name(), grant.prefixed() ? PatternType.PREFIXED : PatternType.LITERAL),
                new AccessControlEntry(
                        "User:" + grant.principal(),
                        "*",
                        grant.operation() == KafkaAccess.Operation.READ ? AclOperation.READ : AclOperation.WRITE,
                        AclPermissionType.ALLOW));
    }

    /**
     * The client settings that log in to this broker as {@code user} (a service, or {@link #ADMIN}); empty for a
     * broker without authentication.
     */
    public Map<String, Object> clientSecurity(String user) {
        return users == null ? Map.of() : users.clientSecurity(user);
    }

    /**
     * The environment of a service process that logs in to this broker as {@code user} ({@code KAFKA_SECURITY_PROTOCOL},
     * {@code KAFKA_SASL_MECHANISM}, {@code KAFKA_SASL_JAAS_CONFIG}); empty for a broker without authentication.
     */
    public Map<String, String> serviceEnvironment(String user) {
        return users == null ? Map.of() : users.environment(user);
    }

    /**
     * The admin's client settings for the lab broker of this JVM at {@code bootstrapServers}: what tests that stand
     * in for the world (publishing triggers, reading every topic) log in with. Empty for a broker this JVM does not
     * know.
     */
    public static Map<String, Object> adminSecurity(String bootstrapServers) {
        LabKafka kafka = RUNNING.get(bootstrapServers);
        return kafka == null ? Map.of() : kafka.clientSecurity(ADMIN);
    }

    /**
     * The environment of a service process that logs in as {@code user} to the lab broker of this JVM at
     * {@code bootstrapServers}; empty for a broker this JVM does not know.
     */
    public static Map<String, String> serviceEnvironment(String bootstrapServers, String user) {
        LabKafka kafka = RUNNING.get(bootstrapServers);
        return kafka == null ? Map.of() : kafka.serviceEnvironment(user);
    }

    /**
     * A publisher that logs in as {@link #ADMIN}: for tests that stand in for the world around a stage (the events of
     * the stages before it, operators' decisions), which the stage's own identity may not write. Closed with the JVM.
     */
    public synchronized EventPublisher worldPublisher() {
        if (worldPublisher == null) {
            worldPublisher = new EventPublisher(
                    new KafkaProducer<>(KafkaSettings.producer(bootstrapServers, "lab-world", clientSecurity(ADMIN))),
                    new EventCodec());
        }
        return worldPublisher;
    }

    /** {@code settings} with the admin's login to the broker they name ({@code bootstrap.servers}) added. */
    public static Map<String, Object> asAdmin(Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>(adminSecurity(String.valueOf(settings.get("bootstrap.servers"))));
        all.putAll(settings);
        return all;
    }

    /** The {@code host:port} list clients connect to ({@code kafka.bootstrap.servers}). */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * Creates the topics that do not exist yet, each with {@link #PARTITIONS} partitions and replication factor 1,
     * and waits until the broker has them all.
     */
    public void createTopics(Collection<String> names) {
        try (Admin admin = admin()) {
            List<NewTopic> missing = new ArrayList<>();
            Set<String> existing = admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            for (String name : names) {
                if (!existing.contains(name)) {
                    missing.add(new NewTopic(name, PARTITIONS, (short) 1));
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            Map<String, KafkaFuture<Void>> results = admin.createTopics(missing).values();
            for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
                try {
                    result.getValue().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "Kafka: could not create topic " + result.getKey() + " on " + bootstrapServers + ": "
                                        + e.getCause().getMessage(),
                                e.getCause());
                    }
                }
            }
            LOG.infof("Kafka: created %d topics on %s", missing.size(), bootstrapServers);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Kafka: interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "Kafka: the broker on " + bootstrapServers + " did not answer within " + ADMIN_TIMEOUT.toSeconds()
                            + " s while creating topics",
                    e);
        }
    }

    /** The names of the topics the broker has now. */
    public Set<String> topics() {
        try (Admin admin = admin()) {
            return admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Kafka: interrupted while listing topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka: could not list the topics of " + bootstrapServers, e);
        }
    }

    /** An admin client for this broker; the caller closes it. */
    public Admin admin() {
        Map<String, Object> settings = new HashMap<>(clientSecurity(ADMIN));
        settings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        return Admin.create(settings);
    }

    /** Stops the broker; a temporary storage folder is deleted. */
    @Override
    public synchronized void close() {
        if (server == null || closed) {
            return;
        }
        closed = true;
        LOG.infof("Kafka: stopping the broker on %s", bootstrapServers);
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            RUNNING.remove(bootstrapServers);
            if (deleteOnClose) {
                try {
                    Utils.delete(dataDir.toFile());
                } catch (IOException e) {
                    LOG.warnf("Kafka: could not delete the temporary storage %s: %s", dataDir, e.getMessage());
                }
            }
        }
    }

    /** Whether {@link #close()} stopped this broker. */
    public synchronized boolean stopped() {
        return closed;
    }

    /**
     * A broker like this stopped one, started again on the same port with the same storage and users: its topics,
     * records and consumer offsets are those it had when it stopped, and clients that retried meanwhile reconnect.
     *
     * @throws IllegalStateException if this broker still runs, or kept its data in a temporary folder (deleted when it
     *     stopped)
     */
    public synchronized LabKafka startAgain() {
        if (server == null || !closed) {
            throw new IllegalStateException("Kafka: the broker on " + bootstrapServers + " is running");
        }
        if (deleteOnClose) {
            throw new IllegalStateException("Kafka: the broker on " + bootstrapServers + " kept its data in a"
                    + " temporary folder, deleted when it stopped; it cannot start again with the same topics");
        }
        int port = Integer.parseInt(bootstrapServers.substring(bootstrapServers.lastIndexOf(':') + 1));
        return start(port, dataDir, users);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Kafka: no free port for the broker", e);
        }
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("handoff-lab-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Kafka: cannot create a temporary storage folder", e);
        }
    }

    private static Optional<String> storedClusterId(Path dataDir) {
        Path meta = dataDir.resolve("meta.properties");
        if (!Files.isRegularFile(meta)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Kafka: cannot read " + meta + "; delete " + dataDir + " to start afresh", e);
        }
        return Optional.ofNullable(properties.getProperty("cluster.id"));
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Kafka: cannot create the storage folder " + dir, e);
        }
    }
}
