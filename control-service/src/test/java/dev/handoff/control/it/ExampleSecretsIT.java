package dev.handoff.control.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.lab.LabDatabase;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.LabPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * control-service started, as a real process, with the values of deploy/handoff.env.example: it refuses to start,
 * naming every variable to change and how, and never prints the values themselves.
 */
class ExampleSecretsIT {
    private final LabDatabase database = LabPostgres.shared().createDatabase("handoff_example_secrets_it");

    @AfterEach
    void drop() {
        LabPostgres.shared().dropDatabase(database);
    }

    @Test
    void theExampleEnvironmentFileIsRefusedAtStartNamingEachVariable() throws Exception {
        // Given the example file, copied as it is
        Map<String, String> example = envFile(Path.of("..", "deploy", "handoff.env.example"));

        // When control-service starts with it, as docker-compose.yml passes it
        Path log = Path.of("target", "example-secrets-it.log");
        Process p = start(example, log);
        boolean exited = p.waitFor(90, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);

        // Then it does not start, and says which variables to change and how
        assertThat(exited).as("control-service exited; see %s", log).isTrue();
        assertThat(p.exitValue()).isNotZero();
        assertThat(output)
                .contains("refuses to start with weak secrets")
                .contains("HANDOFF_WEBHOOK_SECRET is an example value")
                .contains("HANDOFF_DB_PASSWORD")
                .contains("HANDOFF_AUTH_TOKENS entry 1 (admin)")
                .contains("openssl rand -hex 32")
                .doesNotContain(example.get("HANDOFF_WEBHOOK_SECRET"))
                .doesNotContain(example.get("HANDOFF_DB_PASSWORD"));
    }

    private Process start(Map<String, String> example, Path log) throws IOException {
        Path jar = Path.of(System.getProperty("handoff.control.jar", "target/quarkus-app/quarkus-run.jar"));
        assertThat(jar).as("package control-service first (./mvnw verify does)").exists();
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1",
                        "-jar",
                        jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", LabKafka.shared().bootstrapServers());
        env.putAll(LabKafka.shared().serviceEnvironment("control-service"));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", database.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", database.username());
        env.put("QUARKUS_HTTP_PORT", Integer.toString(freePort()));
        env.put(
                "HANDOFF_INVENTORY",
                Path.of("src/test/resources/handoff.yaml").toAbsolutePath().toString());
        // what docker-compose.yml hands control-service from deploy/handoff.env
        env.put("QUARKUS_DATASOURCE_PASSWORD", example.get("HANDOFF_DB_PASSWORD"));
        env.put("HANDOFF_WEBHOOK_SECRET", example.get("HANDOFF_WEBHOOK_SECRET"));
        env.put("HANDOFF_AUTH_TOKENS", example.get("HANDOFF_AUTH_TOKENS"));
        return pb.start();
    }

    private static Map<String, String> envFile(Path file) throws IOException {
        Map<String, String> values = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (!line.isBlank() && !line.startsWith("#") && eq > 0) {
                values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        assertThat(values).containsKeys("HANDOFF_DB_PASSWORD", "HANDOFF_WEBHOOK_SECRET", "HANDOFF_AUTH_TOKENS");
        return values;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
