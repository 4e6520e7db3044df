package dev.handoff.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.Topics;
import dev.handoff.common.inventory.InventoryLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml as an operator runs it: the official images, every topic with unlimited retention, the services,
 * secrets only from the environment file and read-only mounts of ./deploy. (`docker-compose config` itself runs in
 * .ci/run.)
 */
class ComposeFileTest {
    private static final Pattern REQUIRED_VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+):\\?");
    private static final Pattern ANY_VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)");

    private final Path root = ProjectFiles.root();
    private final String composeText = ProjectFiles.read(root.resolve("docker-compose.yml"));
    private final Map<String, Object> compose = new Yaml().load(composeText);

    @Test
    void kafkaIsTheOfficialImageInKraftModeAndPostgresIsPinned() {
        // Given the compose file
        Map<String, Object> kafka = service("kafka");
        Map<String, Object> postgres = service("postgres");

        // When the images and the broker's configuration (written by the script it starts with) are read
        String broker = ProjectFiles.read(root.resolve("deploy/kafka/start-broker.sh"));

        // Then Kafka is apache/kafka 4.0.x, broker and controller in one node, and PostgreSQL has a pinned version
        assertThat((String) kafka.get("image")).matches("apache/kafka:\\$\\{HANDOFF_KAFKA_IMAGE_TAG:-4\\.0\\.\\d+}");
        assertThat(kafka.get("entrypoint").toString()).contains("/opt/handoff/start-broker.sh");
        assertThat(broker).contains("process.roles=broker,controller", "auto.create.topics.enable=false");
        assertThat((String) postgres.get("image")).matches("postgres:\\$\\{HANDOFF_POSTGRES_IMAGE_TAG:-\\d+\\.\\d+}");
    }

    @Test
    void theBrokerRequiresLoginsAndEachServiceLogsInAsItself() {
        // Given the broker's configuration and the services' environments
        String broker = ProjectFiles.read(root.resolve("deploy/kafka/start-broker.sh"));

        // Then no listener is open without a login and nobody but the admin gets anything without an ACL
        assertThat(broker)
                .contains("listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT")
                .contains("authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .contains("allow.everyone.if.no.acl.found=false")
                .contains("super.users=User:admin")
                .doesNotContain(":PLAINTEXT");
        // and each service logs in with its own user and a password that only the environment file holds
        for (String module : ProjectFiles.imageModules()) {
            Map<String, Object> env = map(service(module).get("environment"));
            String variable = "HANDOFF_KAFKA_PASSWORD_"
                    + module.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
            assertThat(env).as(module).containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
            assertThat(env).as(module).containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
            assertThat((String) env.get("KAFKA_SASL_JAAS_CONFIG"))
                    .as(module)
                    .contains("username=\"" + module + "\"")
                    .contains("password=\"${" + variable + ":?");
            assertThat(map(service("kafka-topics").get("environment"))).containsKey(variable);
        }
    }

    @Test
    void theTopicContainerCreatesEveryHandoffTopicWithUnlimitedRetention() {
        // Given the one-shot topic container and the script it runs
        Map<String, Object> topicsService = service("kafka-topics");
        String script = ProjectFiles.read(root.resolve("deploy/kafka/create-topics.sh"));

        // When the topic names are read from the script (each is created with its .dlq twin)
        List<String> created = new ArrayList<>();
        Matcher list = Pattern.compile("topics=\\(([^)]*)\\)").matcher(script);
        assertThat(list.find()).as("create-topics.sh has a topics=( … ) list").isTrue();
        for (String name : list.group(1).trim().split("\\s+")) {
            created.add(name);
        }
        for (String name : List.copyOf(created)) {
            created.add(Topics.deadLetter(name));
        }

        // Then they are exactly Topics.all(), kept forever, with the partitions of the env file, from the same image
        assertThat(created).containsExactlyInAnyOrderElementsOf(Topics.all());
        assertThat(script)
                .contains(
                        "${HANDOFF_TOPIC_CONFIG:-retention.ms=-1 retention.bytes=-1 cleanup.policy=delete}",
                        "--if-not-exists");
        assertThat(map(topicsService.get("environment")))
                .containsEntry("HANDOFF_TOPIC_PARTITIONS", "${HANDOFF_TOPIC_PARTITIONS:-6}");
        assertThat(topicsService.get("image")).isEqualTo(service("kafka").get("image"));
        assertThat(map(service("control-service").get("depends_on"))).containsKey("kafka-topics");
    }

    @Test
    void everyServiceWithAnImageRunsFromItsDockerfileWithTheInventoryMountedReadOnly() {
        for (String module : ProjectFiles.imageModules()) {
            // Given a service module that ships an image, and the databases the postgres container creates
            Map<String, Object> service = service(module);
            String initSql = ProjectFiles.read(root.resolve("deploy/postgres/init-databases.sql"));

            // When its compose block is read
            Map<String, Object> build = map(service.get("build"));
            Map<String, Object> env = map(service.get("environment"));

            // Then it is built from its Dockerfile, reads the inventory from ./deploy read-only, and talks to the
            // compose Kafka
            assertThat(build)
                    .containsEntry("context", "./" + module)
                    .containsEntry("dockerfile", ProjectFiles.DOCKERFILE);
            assertThat(stringList(service.get("volumes")))
                    .as(module + " volumes")
                    .contains("./deploy/handoff.yaml:/etc/handoff/handoff.yaml:ro");
            assertThat(env)
                    .containsEntry("HANDOFF_INVENTORY", "/etc/handoff/handoff.yaml")
                    .containsEntry("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092");
            assertThat(service.get("read_only"))
                    .as(module + " root file system read-only")
                    .isEqualTo(true);
            // a service with a database gets one that the postgres container creates on its first start
            Object jdbcUrl = env.get("QUARKUS_DATASOURCE_JDBC_URL");
            if (jdbcUrl != null) {
                String database =
                        jdbcUrl.toString().substring(jdbcUrl.toString().lastIndexOf('/') + 1);
                assertThat(database.equals("handoff") || initSql.contains("CREATE DATABASE " + database + " "))
                        .as(module + "'s database " + database + " is created by deploy/postgres/init-databases.sql")
                        .isTrue();
                assertThat(map(service.get("depends_on")))
                        .as(module + " waits for PostgreSQL")
                        .containsKey("postgres");
            }
        }
    }

    @Test
    void runnerLocalSecretsAreMountedReadOnlyFromTheDeployFolder() {
        // Given every volume of every service
        List<String> secretMounts = new ArrayList<>();
        for (String name : services().keySet()) {
            for (String volume : stringList(service(name).get("volumes"))) {
                if (volume.startsWith("./deploy/secrets/")) {
                    secretMounts.add(volume);
                }
            }
        }

        // Then the OCI config and the age identity come from ./deploy/secrets, read-only, and nothing there is writable
        assertThat(secretMounts)
                .contains(
                        "./deploy/secrets/oci:/etc/handoff/secrets/oci:ro",
                        "./deploy/secrets/age:/etc/handoff/secrets/age:ro")
                .allSatisfy(volume -> assertThat(volume).endsWith(":ro"));
        assertThat(ProjectFiles.read(root.resolve("deploy/.gitignore")))
                .contains("/handoff.env", "/handoff.yaml", "/secrets/*");
    }

    @Test
    void secretsComeOnlyFromTheEnvironmentFileAndTheExampleSetsEveryRequiredOne() {
        // Given the compose file and the example environment file
        String example = ProjectFiles.read(root.resolve("deploy/handoff.env.example"));
        Set<String> exampleVariables = new LinkedHashSet<>();
        for (String line : example.lines().toList()) {
            if (!line.isBlank() && !line.startsWith("#")) {
                exampleVariables.add(line.substring(0, line.indexOf('=')));
            }
        }

        // When the variables the compose file reads are collected
        Set<String> required = matches(REQUIRED_VARIABLE, composeText);
        Set<String> all = matches(ANY_VARIABLE, composeText);

        // Then secrets are required variables, never literals, and the example names every variable the file reads
        assertThat(required).contains("HANDOFF_DB_PASSWORD", "HANDOFF_WEBHOOK_SECRET", "HANDOFF_AUTH_TOKENS");
        Map<String, Object> controlEnv = map(service("control-service").get("environment"));
        for (String secret : List.of("QUARKUS_DATASOURCE_PASSWORD", "HANDOFF_WEBHOOK_SECRET", "HANDOFF_AUTH_TOKENS")) {
            assertThat((String) controlEnv.get(secret))
                    .as(secret)
                    .startsWith("${")
                    .contains(":?");
        }
        assertThat(exampleVariables).containsAll(required);
        assertThat(all)
                .allSatisfy(variable -> assertThat(exampleVariables.contains(variable)
                                || variable.equals("HANDOFF_KAFKA_IMAGE_TAG")
                                || variable.equals("HANDOFF_POSTGRES_IMAGE_TAG")
                                || variable.equals("HANDOFF_KAFKA_CLUSTER_ID"))
                        .as(variable + " is in deploy/handoff.env.example or has a pinned default")
                        .isTrue());
    }

    @Test
    void theExampleInventoryIsValid() {
        // Given the inventory an operator copies to deploy/handoff.yaml
        Path example = root.resolve("deploy/handoff.example.yaml");

        // When Handoff's own loader reads it
        var inventory = InventoryLoader.load(example);

        // Then it is accepted, with its hosts
        assertThat(inventory.hosts()).containsKeys("cloud-edge-1", "forgejo-pi");
    }

    private Map<String, Object> services() {
        return map(compose.get("services"));
    }

    private Map<String, Object> service(String name) {
        Object service = services().get(name);
        assertThat(service).as("docker-compose.yml has a service " + name).isNotNull();
        return map(service);
    }

    private static Set<String> matches(Pattern pattern, String text) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<String> stringList(Object value) {
        return value == null ? List.of() : (List<String>) value;
    }
}
