package dev.handoff.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Each service's image as `docker build` would see it (no Docker engine runs here): a Java 17 JRE base, the fast-jar
 * copied in layers from files that `package` produced, a non-root user, the service's port and a health check; and
 * every image has its compose service and Helm values block.
 */
class DockerfileTest {
    private final Path root = ProjectFiles.root();

    @Test
    void theServicesThatExistAllShipAnImage() {
        // When the modules with a Dockerfile are listed
        List<String> modules = ProjectFiles.imageModules();

        // Then every stage service of the chain and control-service are among them
        assertThat(modules)
                .contains(
                        "control-service",
                        "infra-service",
                        "secrets-service",
                        "converge-service",
                        "workload-service",
                        "backup-service");
    }

    @Test
    void everyImageRunsTheFastJarOnJava17AsANonRootUserWithAHealthCheck() {
        for (String module : ProjectFiles.imageModules()) {
            // Given the service's Dockerfile and its configured HTTP port
            Path moduleDir = root.resolve(module);
            List<Instruction> dockerfile =
                    Instruction.parse(ProjectFiles.read(moduleDir.resolve(ProjectFiles.DOCKERFILE)));
            String port = httpPort(moduleDir);

            // When its instructions are read
            String base = dockerfile.stream()
                    .filter(i -> i.is("ARG") && i.arguments().startsWith("BASE_IMAGE="))
                    .map(i -> i.arguments().substring("BASE_IMAGE=".length()))
                    .findFirst()
                    .orElseGet(() -> single(dockerfile, "FROM"));
            String user = single(dockerfile, "USER");
            List<String> copies = dockerfile.stream()
                    .filter(i -> i.is("COPY"))
                    .map(Instruction::arguments)
                    .toList();

            // Then: a Java 17 JRE, a numeric non-root user, the service's port, a readiness health check
            assertThat(base)
                    .as(module + " base image")
                    .matches("(eclipse-temurin:17[.\\d_]*-jre.*|.*ubi\\d*/openjdk-17-runtime.*)");
            assertThat(user).as(module + " USER").matches("\\d+(:\\d+)?");
            assertThat(Integer.parseInt(user.split(":")[0])).as(module + " uid").isPositive();
            assertThat(single(dockerfile, "EXPOSE")).as(module + " EXPOSE").isEqualTo(port);
            assertThat(single(dockerfile, "HEALTHCHECK"))
                    .as(module + " HEALTHCHECK")
                    .contains("/q/health/ready");
            assertThat(single(dockerfile, "ENTRYPOINT")).contains("/deployments/quarkus-run.jar");
            // the fast-jar in four layers, dependencies first, and every source exists after `package`
            assertThat(copies)
                    .as(module + " COPY")
                    .containsExactly(
                            "target/quarkus-app/lib/ /deployments/lib/",
                            "target/quarkus-app/*.jar /deployments/",
                            "target/quarkus-app/app/ /deployments/app/",
                            "target/quarkus-app/quarkus/ /deployments/quarkus/");
            Path app = moduleDir.resolve("target/quarkus-app");
            assertThat(app.resolve("quarkus-run.jar"))
                    .as(module + " is packaged (./mvnw package) before its image is built")
                    .isRegularFile();
            assertThat(app.resolve("lib/main")).isDirectory();
            assertThat(app.resolve("app")).isDirectory();
            assertThat(app.resolve("quarkus")).isDirectory();
            assertThat(ProjectFiles.read(moduleDir.resolve(".dockerignore"))).contains("!target/quarkus-app/");
        }
    }

    @Test
    void everyImageLogsJsonAndExposesPrometheusMetricsWhileDevAndTestsLogText() {
        for (String module : ProjectFiles.imageModules()) {
            // Given the service's Dockerfile, its configuration and its POM
            Path moduleDir = root.resolve(module);
            List<Instruction> dockerfile =
                    Instruction.parse(ProjectFiles.read(moduleDir.resolve(ProjectFiles.DOCKERFILE)));
            String properties = ProjectFiles.read(moduleDir.resolve("src/main/resources/application.properties"));
            String pom = ProjectFiles.read(moduleDir.resolve("pom.xml"));

            // Then the image switches JSON log lines on, the service's own default is text
            assertThat(single(dockerfile, "ENV")).as(module + " ENV").contains("QUARKUS_LOG_CONSOLE_JSON_ENABLED=true");
            assertThat(properties)
                    .as(module + " application.properties")
                    .contains("quarkus.log.console.json.enabled=false");
            // and the service has both extensions: JSON logging and /q/metrics for Prometheus
            assertThat(pom)
                    .as(module + " pom.xml")
                    .contains(
                            "<artifactId>quarkus-logging-json</artifactId>",
                            "<artifactId>quarkus-micrometer-registry-prometheus</artifactId>");
        }
    }

    @Test
    void everyImageHasAComposeServiceAndAHelmValuesBlockAndNothingElseDoes() {
        // Given the images, the compose services and the chart's service blocks
        List<String> modules = ProjectFiles.imageModules();
        Map<String, Object> compose = new Yaml().load(ProjectFiles.read(root.resolve("docker-compose.yml")));
        Map<String, Object> values = new Yaml().load(ProjectFiles.read(root.resolve("helm/handoff/values.yaml")));

        // When the service names are compared
        List<String> composeServices = ComposeFileTest.map(compose.get("services")).keySet().stream()
                .filter(name -> name.endsWith("-service"))
                .sorted()
                .toList();
        List<String> chartServices = ComposeFileTest.map(values.get("services")).keySet().stream()
                .sorted()
                .toList();

        // Then a new service is added in all three places at once (docs/deploy.md, "Adding a stage service")
        assertThat(composeServices).as("docker-compose.yml services").isEqualTo(modules);
        assertThat(chartServices).as("helm/handoff/values.yaml services").isEqualTo(modules);
    }

    private static String httpPort(Path moduleDir) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(moduleDir.resolve("src/main/resources/application.properties"))) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("quarkus.http.port", "8080");
    }

    private static String single(List<Instruction> dockerfile, String keyword) {
        List<String> found = dockerfile.stream()
                .filter(i -> i.is(keyword))
                .map(Instruction::arguments)
                .toList();
        assertThat(found).as("exactly one " + keyword).hasSize(1);
        return found.get(0);
    }

    /** One Dockerfile instruction, continuation lines joined. */
    record Instruction(String keyword, String arguments) {
        boolean is(String name) {
            return keyword.equalsIgnoreCase(name);
        }

        static List<Instruction> parse(String text) {
            List<Instruction> instructions = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : text.lines().toList()) {
                String trimmed = line.strip();
                if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                    continue;
                }
                if (trimmed.endsWith("\\")) {
                    current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                    continue;
                }
                current.append(trimmed);
                String joined = current.toString().strip();
                int space = joined.indexOf(' ');
                instructions.add(new Instruction(
                        joined.substring(0, space), joined.substring(space + 1).strip()));
                current.setLength(0);
            }
            return instructions;
        }
    }
}
