package dev.handoff.deploy;

import static dev.handoff.deploy.ComposeFileTest.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml as `docker-compose config` resolves it with deploy/handoff.env.example (Debian's docker-compose,
 * no Docker engine needed): memory limits and heaps sized from them, rotated logs, the infra profile, the tracing
 * endpoint. The sum of the limits is the budget docs/deploy.md states for a small box next to Forgejo.
 */
class ComposeConfigTest {
    private static final Path ROOT = ProjectFiles.root();
    private static final Path ENV_EXAMPLE = ROOT.resolve("deploy/handoff.env.example");
    /** The Handoff services: every module that ships an image. */
    private static final List<String> JAVA_SERVICES = ProjectFiles.imageModules();
    /** What a small box next to Forgejo gives Handoff: the limits of everything that keeps running, at most. */
    private static final long BUDGET_MIB = 4096;

    @TempDir
    Path temp;

    @Test
    void everyServiceHasAMemoryLimitAndRotatedLogs() {
        // When compose resolves the file with the example environment
        Map<String, Object> services = services(config(Map.of()));

        // Then every container, the one-shot topic setup included, has a memory limit and json-file logs that rotate
        assertThat(services.keySet()).containsAll(JAVA_SERVICES).contains("kafka", "kafka-topics", "postgres");
        services.forEach((name, value) -> {
            Map<String, Object> service = map(value);
            assertThat(service.get("mem_limit")).as(name + " mem_limit").isNotNull();
            assertThat(mebibytes(String.valueOf(service.get("mem_limit"))))
                    .as(name + " mem_limit")
                    .isBetween(128L, 1024L);
            Map<String, Object> logging = map(service.get("logging"));
            assertThat(logging).as(name + " logging").containsEntry("driver", "json-file");
            assertThat(map(logging.get("options")))
                    .as(name + " log rotation")
                    .containsEntry("max-size", "10m")
                    .containsEntry("max-file", "3");
        });
    }

    @Test
    void eachJvmSizesItsHeapFromItsContainersLimitNeverWithXmx() {
        // When compose resolves the file
        Map<String, Object> services = services(config(Map.of()));

        // Then each Handoff service's heap is a share of its limit (a smaller one where a tool runs beside the JVM)
        for (String name : JAVA_SERVICES) {
            String options = env(services, name).get("JAVA_TOOL_OPTIONS");
            assertThat(options)
                    .as(name + " JAVA_TOOL_OPTIONS")
                    .containsPattern("-XX:MaxRAMPercentage=\\d+")
                    .contains("-XX:+ExitOnOutOfMemoryError")
                    .doesNotContain("-Xmx");
            int share = maxRamPercentage(options);
            assertThat(share).as(name + " heap share").isBetween(30, 60);
        }
        assertThat(maxRamPercentage(env(services, "infra-service").get("JAVA_TOOL_OPTIONS")))
                .as("infra-service leaves room for tofu")
                .isLessThan(maxRamPercentage(env(services, "control-service").get("JAVA_TOOL_OPTIONS")));
        assertThat(maxRamPercentage(env(services, "backup-service").get("JAVA_TOOL_OPTIONS")))
                .as("backup-service leaves room for restic")
                .isLessThan(maxRamPercentage(env(services, "control-service").get("JAVA_TOOL_OPTIONS")));
        // and the broker and the topic setup (whose scripts default to a 1 GiB and 256 MiB heap) too
        for (String name : List.of("kafka", "kafka-topics")) {
            assertThat(env(services, name).get("KAFKA_HEAP_OPTS"))
                    .as(name + " KAFKA_HEAP_OPTS")
                    .contains("-XX:MaxRAMPercentage=")
                    .doesNotContain("-Xmx");
        }
    }

    @Test
    void theLimitsFitTheBudgetThatTheDeployDocStates() {
        // Given the limits of the containers that keep running (kafka-topics exits after its setup)
        Map<String, Object> services = services(config(Map.of()));
        long total = 0;
        long infra = 0;
        for (Map.Entry<String, Object> entry : services.entrySet()) {
            if (!entry.getKey().equals("kafka-topics")) {
                long limit = mebibytes(String.valueOf(map(entry.getValue()).get("mem_limit")));
                total += limit;
                if (entry.getKey().equals("infra-service")) {
                    infra = limit;
                }
            }
        }

        // Then they fit a small box beside Forgejo, and docs/deploy.md states the same sums
        assertThat(total).as("sum of the memory limits in MiB").isLessThanOrEqualTo(BUDGET_MIB);
        String doc = ProjectFiles.read(ROOT.resolve("docs/deploy.md"));
        assertThat(doc)
                .as("docs/deploy.md states the memory budget")
                .contains("**" + total + " MiB**")
                .contains("**" + (total - infra) + " MiB** without the infra stage");
    }

    @Test
    void infraServiceRunsOnlyWithTheInfraProfileWhichTheExampleTurnsOn() {
        // When compose resolves the file, with the profile and without it
        Map<String, Object> services = services(config(Map.of()));
        String withProfile = compose(Map.of(), "--profile", "infra", "config", "--services");

        // Then infra-service alone belongs to the profile "infra": without it Handoff runs the other five stages
        services.forEach((name, value) -> {
            Object profiles = map(value).get("profiles");
            if (name.equals("infra-service")) {
                assertThat(profiles).as(name).isEqualTo(List.of("infra"));
            } else {
                assertThat(profiles).as(name + " runs in every profile").isNull();
            }
        });
        assertThat(withProfile.lines()).contains("infra-service", "control-service");
        // and nothing else waits for infra-service, so leaving it out starts everything else
        services.forEach(
                (name, value) -> assertThat(map(map(value).get("depends_on")).keySet())
                        .as(name + " depends_on")
                        .doesNotContain("infra-service"));
        // and the example environment turns the profile on, so a copy of it runs all six services
        assertThat(ProjectFiles.read(ENV_EXAMPLE).lines()).contains("COMPOSE_PROFILES=infra");
    }

    @Test
    void theTracingEndpointOfTheEnvironmentFileReachesEveryService() {
        // Given the example (no export) and an environment file that names a collector
        Map<String, Object> byDefault = services(config(Map.of()));
        Path withCollector = temp.resolve("tracing.env");
        write(
                withCollector,
                ProjectFiles.read(ENV_EXAMPLE)
                        .replace("HANDOFF_OTLP_ENDPOINT=\n", "HANDOFF_OTLP_ENDPOINT=http://otel-collector:4318\n"));

        // When compose resolves each
        Map<String, Object> exporting = services(configWith(withCollector));

        // Then every Handoff service gets it, empty by default
        for (String name : JAVA_SERVICES) {
            assertThat(env(byDefault, name)).as(name).containsEntry("HANDOFF_OTLP_ENDPOINT", "");
            assertThat(env(exporting, name))
                    .as(name)
                    .containsEntry("HANDOFF_OTLP_ENDPOINT", "http://otel-collector:4318");
        }
        assertThat(ProjectFiles.read(ENV_EXAMPLE)).contains("HANDOFF_OTLP_ENDPOINT=\n");
    }

    private Map<String, Object> config(Map<String, String> environment) {
        return new Yaml().load(compose(environment, "config"));
    }

    private Map<String, Object> configWith(Path envFile) {
        return new Yaml().load(run(envFile, Map.of(), "config"));
    }

    private String compose(Map<String, String> environment, String... arguments) {
        return run(ENV_EXAMPLE, environment, arguments);
    }

    private String run(Path envFile, Map<String, String> environment, String... arguments) {
        List<String> command = new ArrayList<>(List.of(
                "docker-compose",
                "--env-file",
                envFile.toString(),
                "-f",
                ROOT.resolve("docker-compose.yml").toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile());
        // the variables of the env file, not of whoever runs the tests
        builder.environment().keySet().removeIf(k -> k.startsWith("HANDOFF_") || k.startsWith("COMPOSE_"));
        builder.environment().putAll(environment);
        Path output = temp.resolve("compose-" + System.nanoTime() + ".out");
        builder.redirectErrorStream(true).redirectOutput(output.toFile());
        try {
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new AssertionError(
                        "docker-compose is not installed: install Debian's docker-compose package (.ci/run does)", e);
            }
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within 120 s");
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(process.exitValue())
                    .as(String.join(" ", command) + " failed:\n" + text)
                    .isZero();
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running docker-compose", e);
        }
    }

    private static Map<String, Object> services(Map<String, Object> config) {
        return map(config.get("services"));
    }

    /** A service's environment, whether compose prints it as a map or as a list of NAME=value. */
    private static Map<String, String> env(Map<String, Object> services, String name) {
        Object environment = map(services.get(name)).get("environment");
        Map<String, String> env = new LinkedHashMap<>();
        if (environment instanceof List<?> list) {
            for (Object entry : list) {
                String text = String.valueOf(entry);
                int eq = text.indexOf('=');
                env.put(eq < 0 ? text : text.substring(0, eq), eq < 0 ? "" : text.substring(eq + 1));
            }
        } else {
            map(environment).forEach((k, v) -> env.put(k, v == null ? "" : String.valueOf(v)));
        }
        return env;
    }

    private static int maxRamPercentage(String options) {
        Matcher m = Pattern.compile("-XX:MaxRAMPercentage=(\\d+)").matcher(options);
        assertThat(m.find()).as("MaxRAMPercentage in " + options).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** A compose memory size (512m, 1g, or bytes as compose v2 prints them) in MiB. */
    static long mebibytes(String size) {
        Matcher m = Pattern.compile("(\\d+)([bkmg]?)b?").matcher(size.trim().toLowerCase(Locale.ROOT));
        assertThat(m.matches()).as("a memory size: " + size).isTrue();
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "g" -> n * 1024;
            case "m" -> n;
            case "k" -> n / 1024;
            default -> n / (1024 * 1024);
        };
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
