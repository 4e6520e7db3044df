package dev.handoff.lab.containers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The official {@code apache/kafka} (KRaft) and {@code postgres} images, started once per test JVM under
 * {@code -Pcontainers} and stopped by Testcontainers' reaper when the JVM ends. Compiled only under that profile.
 */
public final class ContainerServers {
    /** The images, pinned like docker-compose.yml's. */
    public static final String KAFKA_IMAGE = "apache/kafka:4.0.0";

    public static final String POSTGRES_IMAGE = "postgres:17.6";

    private static KafkaContainer kafka;
    private static PostgreSQLContainer<?> postgres;

    private ContainerServers() {}

    /** The Kafka container's bootstrap servers, starting it on first use. */
    public static synchronized String kafkaBootstrapServers() {
        requireDocker();
        if (kafka == null) {
            KafkaContainer container = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
                    .withEnv("KAFKA_NUM_PARTITIONS", "3")
                    .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
            container.start();
            kafka = container;
        }
        return kafka.getBootstrapServers();
    }

    /** HANDOFF_PG_URL / _USER / _PASSWORD of the PostgreSQL container, starting it on first use. */
    public static synchronized Map<String, String> postgresEnvironment() {
        requireDocker();
        if (postgres == null) {
            PostgreSQLContainer<?> container = new PostgreSQLContainer<>(
                            DockerImageName.parse(POSTGRES_IMAGE).asCompatibleSubstituteFor("postgres"))
                    .withDatabaseName("postgres")
                    .withUsername("postgres")
                    .withPassword("postgres");
            container.start();
            postgres = container;
        }
        return Map.of(
                "HANDOFF_PG_URL", postgres.getJdbcUrl(),
                "HANDOFF_PG_USER", postgres.getUsername(),
                "HANDOFF_PG_PASSWORD", postgres.getPassword());
    }

    private static void requireDocker() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("-Pcontainers needs a Docker engine: none found at " + dockerLocation()
                    + "; run without -Pcontainers to use the embedded broker and local PostgreSQL");
        }
    }

    private static String dockerLocation() {
        String host = System.getenv("DOCKER_HOST");
        if (host != null && !host.isBlank()) {
            return host + " (DOCKER_HOST)";
        }
        Path socket = Path.of("/var/run/docker.sock");
        return "unix://" + socket + (Files.exists(socket) ? "" : " (no such socket)");
    }
}
