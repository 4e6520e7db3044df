package dev.handoff.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.Topics;
import dev.handoff.lab.LabDatabase;
import dev.handoff.lab.LabPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts of the chart's init Jobs (and of compose's topic setup), run as the Jobs run them: create-databases.sh
 * with the real psql against the lab's PostgreSQL; create-topics.sh with stand-ins of the Kafka CLI that record each
 * call, as the chart's Job (topics only, logged in like the services) and as compose's setup container (the admin,
 * users and ACLs too).
 */
class InitScriptsTest {
    private static final Path ROOT = ProjectFiles.root();
    private static final Path CREATE_DATABASES = ROOT.resolve("helm/handoff/files/create-databases.sh");
    private static final Path CREATE_TOPICS = ROOT.resolve("deploy/kafka/create-topics.sh");
    private static final String PASSWORD = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path temp;

    @Test
    void createDatabasesCreatesTheMissingDatabasesOwnedByTheServicesUserAndLeavesExistingOnes() throws Exception {
        // Given a server where one of the two databases exists already
        LabPostgres postgres = LabPostgres.shared();
        LabDatabase existing = postgres.createDatabase("init_existing");
        String missing = existing.name().replace("init_existing", "init_missing");
        try {
            URI server = URI.create(existing.jdbcUrl().substring("jdbc:".length()));
            Map<String, String> env = new HashMap<>();
            env.put("PGHOST", server.getHost());
            env.put("PGPORT", String.valueOf(server.getPort()));
            env.put("PGUSER", existing.username());
            env.put("PGPASSWORD", existing.password() == null ? "" : existing.password());
            env.put("PGDATABASE", existing.name());
            env.put("HANDOFF_DATABASES", existing.name() + "," + missing);
            env.put("HANDOFF_DATABASE_OWNER", existing.username());

            // When the Job's script runs, twice (an upgrade runs it again)
            Run first = run(List.of("sh", CREATE_DATABASES.toString()), env);
            Run second = run(List.of("sh", CREATE_DATABASES.toString()), env);

            // Then the missing one exists, owned by the services' user, and both runs succeed and say so
            assertThat(first.exitCode()).as(first.output()).isZero();
            assertThat(second.exitCode()).as(second.output()).isZero();
            assertThat(postgres.exists(missing)).isTrue();
            assertThat(owner(existing, missing)).isEqualTo(existing.username());
            assertThat(second.output())
                    .contains("database " + existing.name() + " present")
                    .contains("database " + missing + " present");
        } finally {
            if (postgres.exists(missing)) {
                postgres.dropDatabase(missing);
            }
            postgres.dropDatabase(existing);
        }
    }

    @Test
    void theChartsTopicsJobCreatesEveryTopicLoggedInLikeTheServicesAndLeavesUsersAlone() {
        // Given the Job's environment: a TLS cluster with SCRAM logins and the chart's topic config
        Path calls = temp.resolve("calls");
        Map<String, String> env = kafkaBin(calls);
        env.put("KAFKA_BOOTSTRAP_SERVERS", "handoff-kafka-bootstrap:9093");
        env.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        env.put("KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM");
        env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/handoff/kafka-ca/ca.crt");
        env.put("HANDOFF_TOPIC_PARTITIONS", "12");
        env.put("HANDOFF_TOPIC_REPLICATION_FACTOR", "3");
        env.put(
                "HANDOFF_TOPIC_CONFIG",
                "cleanup.policy=delete min.insync.replicas=2 retention.bytes=-1 retention.ms=-1");
        env.put("HANDOFF_KAFKA_SETUP_USERS", "false");

        // When the script runs
        Run result = run(List.of("bash", CREATE_TOPICS.toString()), env);

        // Then every topic is created once, with the partitions, replicas and config asked for
        assertThat(result.exitCode()).as(result.output()).isZero();
        List<String> lines = read(calls);
        Map<String, String> creates = creates(lines);
        assertThat(creates.keySet()).containsExactlyInAnyOrderElementsOf(Topics.all());
        assertThat(creates.get("handoff.commits"))
                .contains("--partitions 12 --replication-factor 3")
                .contains("--config min.insync.replicas=2", "--config retention.ms=-1")
                .contains("--config cleanup.policy=delete");
        // and the SSH host key pins stay compacted whatever the config says
        assertThat(creates.get("handoff.host-keys"))
                .contains("--config cleanup.policy=compact")
                .doesNotContain("cleanup.policy=delete");
        // and it logs in like the services, and touches no user and no ACL
        assertThat(lines)
                .contains(
                        "config: security.protocol=SASL_SSL",
                        "config: sasl.mechanism=SCRAM-SHA-512",
                        "config: sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
                        "config: ssl.truststore.type=PEM",
                        "config: ssl.truststore.location=/etc/handoff/kafka-ca/ca.crt");
        assertThat(lines).noneMatch(line -> line.startsWith("kafka-configs") || line.startsWith("kafka-acls"));
        assertThat(result.output()).contains("HANDOFF_KAFKA_SETUP_USERS=false");
    }

    @Test
    void composesSetupContainerLogsInAsTheAdminAndSetsTheUsersAndAclsToo() {
        // Given compose's environment: the admin's password and one password per service
        Path calls = temp.resolve("calls");
        Map<String, String> env = kafkaBin(calls);
        env.put("HANDOFF_KAFKA_ADMIN_PASSWORD", PASSWORD);
        env.put(
                "HANDOFF_KAFKA_ACLS",
                ROOT.resolve("helm/handoff/files/kafka-acls.txt").toString());
        for (String service : ProjectFiles.imageModules()) {
            env.put("HANDOFF_KAFKA_PASSWORD_" + service.toUpperCase(Locale.ROOT).replace('-', '_'), PASSWORD);
        }

        // When the script runs
        Run result = run(List.of("bash", CREATE_TOPICS.toString()), env);

        // Then the topics keep their history by default, and each service gets its user and its ACLs
        assertThat(result.exitCode()).as(result.output()).isZero();
        List<String> lines = read(calls);
        assertThat(lines).contains("config: security.protocol=SASL_PLAINTEXT");
        Map<String, String> creates = creates(lines);
        assertThat(creates.keySet()).containsExactlyInAnyOrderElementsOf(Topics.all());
        assertThat(creates.get("handoff.commits"))
                .contains("--partitions 6 --replication-factor 1")
                .contains("--config retention.ms=-1 --config retention.bytes=-1 --config cleanup.policy=delete");
        assertThat(lines.stream().filter(line -> line.startsWith("kafka-configs")))
                .hasSize(ProjectFiles.imageModules().size());
        long aclLines = ProjectFiles.read(ROOT.resolve("helm/handoff/files/kafka-acls.txt"))
                .lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .count();
        assertThat(lines.stream().filter(line -> line.startsWith("kafka-acls"))).hasSize((int) aclLines);
    }

    @Test
    void withoutAnyLoginTheTopicsScriptSaysWhatToSet() {
        // When the script runs with neither the admin's password nor a client login
        Run result = run(List.of("bash", CREATE_TOPICS.toString()), kafkaBin(temp.resolve("calls")));

        // Then it stops before calling Kafka, naming both ways
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("HANDOFF_KAFKA_ADMIN_PASSWORD", "KAFKA_SECURITY_PROTOCOL");
        assertThat(temp.resolve("calls")).doesNotExist();
    }

    /**
     * Stand-ins of the four Kafka CLIs the script calls: each records its name and arguments, and the lines of the
     * client properties it was given; kafka-topics.sh --list answers with a Handoff topic, as the real one would.
     */
    private Map<String, String> kafkaBin(Path calls) {
        Path bin = temp.resolve("kafka-bin");
        try {
            Files.createDirectories(bin);
            for (String tool : List.of("kafka-broker-api-versions", "kafka-topics", "kafka-configs", "kafka-acls")) {
                Path script = bin.resolve(tool + ".sh");
                Files.writeString(
                        script,
                        "#!/bin/sh\n"
                                + "echo \"" + tool + " $*\" >> \"$CALLS\"\n"
                                + "while [ $# -gt 0 ]; do\n"
                                + "  if [ \"$1\" = --command-config ]; then sed 's/^/config: /' \"$2\" >> \"$CALLS\"; fi\n"
                                + "  if [ \"$1\" = --list ]; then echo handoff.commits; fi\n"
                                + "  shift\n"
                                + "done\n",
                        StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BIN", bin.toString());
        env.put("CALLS", calls.toString());
        return env;
    }

    private static Map<String, String> creates(List<String> lines) {
        Map<String, String> creates = new HashMap<>();
        for (String line : lines) {
            if (line.startsWith("kafka-topics") && line.contains("--create")) {
                String topic = line.replaceAll(".*--topic (\\S+).*", "$1");
                assertThat(creates.put(topic, line)).as(topic + " created once").isNull();
            }
        }
        return creates;
    }

    private static String owner(LabDatabase connection, String database) throws SQLException {
        try (Connection c = connection.connect();
                PreparedStatement s =
                        c.prepareStatement("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ?")) {
            s.setString(1, database);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as(database + " exists").isTrue();
                return rs.getString(1);
            }
        }
    }

    private record Run(int exitCode, String output) {}

    private Run run(List<String> command, Map<String, String> env) {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).directory(temp.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("KAFKA_") || k.startsWith("HANDOFF_"));
        builder.environment().keySet().removeIf(k -> k.startsWith("PG"));
        builder.environment().putAll(env);
        Path output = temp.resolve("output-" + System.nanoTime());
        builder.redirectErrorStream(true).redirectOutput(output.toFile());
        try {
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within 120 s");
            }
            return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
