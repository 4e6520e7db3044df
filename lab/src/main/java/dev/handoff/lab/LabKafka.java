package dev.handoff.lab;

import dev.handoff.common.event.Topics;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

/**
 * A real KRaft Kafka broker (broker and controller in one node) running inside this JVM, with every Handoff topic of
 * {@link Topics#all()} created. Tests share one broker per JVM through {@link #shared()}; the launcher starts its own
 * with {@link #start(int, Path)}.
 */
public final class LabKafka implements AutoCloseable {
    /** Partitions of every Handoff topic; several, so that per-host ordering by key is really exercised. */
    public static final int PARTITIONS = 3;

    private static final Logger LOG = Logger.getLogger(LabKafka.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static LabKafka shared;

    private final EmbeddedKafkaBroker broker;
    private final String bootstrapServers;

    private LabKafka(EmbeddedKafkaBroker broker) {
        this.broker = broker;
        this.bootstrapServers = broker.getAdvertisedListeners().replace("PLAINTEXT://", "");
    }

    /** A broker this JVM does not run (the official image under {@code -Pcontainers}). */
    private LabKafka(String bootstrapServers) {
        this.broker = null;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * The broker of this JVM: started on first use on a free port with throw-away storage, every Handoff topic
     * created, stopped by a shutdown hook when the JVM ends. Under {@code -Pcontainers} it is the official
     * {@code apache/kafka} image instead ({@link ContainerBackend}).
     */
    public static synchronized LabKafka shared() {
        if (shared == null && ContainerBackend.selected()) {
            LabKafka kafka = new LabKafka(ContainerBackend.kafkaBootstrapServers());
            kafka.createTopics(Topics.all());
            shared = kafka;
        }
        if (shared == null) {
            LabKafka kafka = start(0, null);
            kafka.createTopics(Topics.all());
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "lab-kafka-shutdown"));
            shared = kafka;
        }
        return shared;
    }

    /**
     * Starts a broker on {@code localhost:port}. Topics are not created: call {@link #createTopics(Collection)}.
     *
     * @param port the client port; 0 picks a free one
     * @param dataDir where the broker keeps its log and metadata across restarts; {@code null} for a temporary folder
     *     deleted on {@link #close()}
     */
    public static LabKafka start(int port, Path dataDir) {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker()
                .withKafkaHost("localhost")
                .withKafkaPort(port)
                .withAdditionalProperties(props -> {
                    props.put("num.partitions", Integer.toString(PARTITIONS));
                    props.put("transaction.state.log.num.partitions", "5");
                    if (dataDir != null) {
                        props.put("log.dir", dataDir.toAbsolutePath().toString());
                    }
                });
        if (dataDir != null) {
            createDirectories(dataDir);
            // Storage formatted by an earlier run keeps its cluster id; the broker refuses to start with another.
            storedClusterId(dataDir).ifPresent(broker::withClusterId);
            broker.withDeleteLogDirsOnClose(false);
        }
        long started = System.nanoTime();
        broker.start();
        LabKafka kafka = new LabKafka(broker);
        LOG.infof(
                "Kafka: KRaft broker on %s started in %d ms (storage: %s)",
                kafka.bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                dataDir == null ? "temporary" : dataDir.toAbsolutePath());
        return kafka;
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
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) ADMIN_TIMEOUT.toMillis()));
    }

    /** Stops the broker; a temporary storage folder is deleted. */
    @Override
    public void close() {
        if (broker != null && broker.isRunning()) {
            LOG.infof("Kafka: stopping the broker on %s", bootstrapServers);
            broker.close();
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
