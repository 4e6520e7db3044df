package dev.handoff.deploy;

import static dev.handoff.deploy.ComposeFileTest.map;
import static dev.handoff.deploy.ComposeFileTest.stringList;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.handoff.common.event.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * helm/handoff rendered and linted as `helm template` and `helm lint` would (through helm-java, no cluster), for the
 * default values and for ci/scaled-values.yaml; the rendered objects are read back and checked.
 */
class HelmChartTest {
    private static final Path CHART = ProjectFiles.root().resolve("helm/handoff");
    private static final Path SCALED = CHART.resolve("ci/scaled-values.yaml");
    private static final List<String> SERVICES = List.of(
            "control-service",
            "infra-service",
            "secrets-service",
            "converge-service",
            "workload-service",
            "backup-service");

    private static final String HOOK = "helm.sh/hook";
    private static final String RENAMED_HOOK = "test.handoff.dev/hook";

    @TempDir
    Path temp;

    @Test
    void theChartLintsWithTheDefaultValues() {
        // When the chart is linted strictly with its own values
        LintResult lint = new Helm(CHART).lint().strict().call();

        // Then nothing is reported as a warning or an error
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void theChartLintsWithTheScaledOutValues() {
        // Given a copy of the chart whose values are the defaults overridden by ci/scaled-values.yaml (helm lint reads
        // only the chart's values.yaml)
        Path copy = copyChartWithValues(SCALED);

        // When it is linted strictly
        LintResult lint = new Helm(copy).lint().strict().call();

        // Then nothing is reported as a warning or an error
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void theDefaultValuesGiveOneReplicaOfEveryServiceWithProbesSecretsAndANonRootPod() {
        // When the chart is rendered with its defaults
        List<Map<String, Object>> objects = render(null);

        // Then there is a Deployment and a Service per service, the inventory ConfigMap and the generated Secret
        assertThat(names(objects, "Deployment"))
                .containsExactlyInAnyOrderElementsOf(
                        SERVICES.stream().map(s -> "handoff-" + s).toList());
        assertThat(names(objects, "Service")).hasSize(SERVICES.size());
        assertThat(names(objects, "Ingress")).isEmpty();
        assertThat(names(objects, "ServiceMonitor")).isEmpty();
        assertThat(names(objects, "PrometheusRule"))
                .as("off unless the CRD is known to exist")
                .isEmpty();
        assertThat(names(objects, "KafkaTopic")).isEmpty();
        Map<String, Object> inventory = object(objects, "ConfigMap", "handoff-inventory");
        assertThat((String) map(inventory.get("data")).get("handoff.yaml")).contains("repositories:", "hosts:");
        Map<String, Object> appSecret = object(objects, "Secret", "handoff-app");
        assertThat(map(appSecret.get("data"))).containsKeys("webhook-secret", "auth-tokens");

        for (String service : SERVICES) {
            Map<String, Object> deployment = object(objects, "Deployment", "handoff-" + service);
            Map<String, Object> pod = podSpec(deployment);
            Map<String, Object> container = container(deployment);
            assertThat(map(deployment.get("spec")).get("replicas")).as(service).isEqualTo(1);
            assertThat(map(pod.get("securityContext")))
                    .containsEntry("runAsNonRoot", true)
                    .containsEntry("runAsUser", 10001);
            assertThat(map(container.get("securityContext")))
                    .containsEntry("readOnlyRootFilesystem", true)
                    .containsEntry("allowPrivilegeEscalation", false);
            assertThat(probePath(container, "livenessProbe")).isEqualTo("/q/health/live");
            assertThat(probePath(container, "readinessProbe")).isEqualTo("/q/health/ready");
            assertThat(env(container))
                    .containsEntry("KAFKA_BOOTSTRAP_SERVERS", "handoff-kafka-bootstrap:9093")
                    .containsEntry("HANDOFF_INVENTORY", "/etc/handoff/inventory/handoff.yaml")
                    .containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                    .containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
            assertThat(map(container.get("resources")).get("requests"))
                    .as(service + " requests")
                    .isNotNull();
        }
        Map<String, Object> control = container(object(objects, "Deployment", "handoff-control-service"));
        assertThat(secretRef(control, "HANDOFF_WEBHOOK_SECRET")).containsEntry("name", "handoff-app");
        assertThat(fieldRef(control, "HANDOFF_LEDGER_INSTANCE_ID")).containsEntry("fieldPath", "metadata.name");
        assertThat(env(control))
                .containsEntry("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://postgresql:5432/handoff");
        // secrets-service has its own database for the per-host lock, on the same server
        assertThat(env(container(object(objects, "Deployment", "handoff-secrets-service"))))
                .containsEntry("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://postgresql:5432/handoff_secrets")
                .containsEntry("QUARKUS_DATASOURCE_USERNAME", "handoff");
        // converge-service keeps its own database too, and reads the SSH identity by path (never a key in env)
        assertThat(env(container(object(objects, "Deployment", "handoff-converge-service"))))
                .containsEntry("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://postgresql:5432/handoff_converge")
                .containsEntry("HANDOFF_CONVERGE_SSH_IDENTITY", "/etc/handoff/secrets/ssh/id_ed25519");
    }

    @Test
    void theScaledOutValuesGiveReplicasIngressServiceMonitorTopicsAndOnlyExistingSecrets() {
        // When the chart is rendered with ci/scaled-values.yaml
        List<Map<String, Object>> objects = render(SCALED);

        // Then the replica counts are those asked for
        assertThat(replicas(objects, "handoff-control-service")).isEqualTo(3);
        assertThat(replicas(objects, "handoff-infra-service")).isEqualTo(1);
        assertThat(replicas(objects, "handoff-secrets-service")).isEqualTo(4);

        // and the chart renders no Secret and no inventory: every reference names the operator's own objects
        assertThat(names(objects, "Secret")).isEmpty();
        assertThat(names(objects, "ConfigMap"))
                .as("only the databases Job's script, a hook")
                .containsExactly("handoff-init-scripts");
        Map<String, Object> control = container(object(objects, "Deployment", "handoff-control-service"));
        assertThat(secretRef(control, "HANDOFF_WEBHOOK_SECRET")).containsEntry("name", "handoff-app");
        assertThat(secretRef(control, "QUARKUS_DATASOURCE_PASSWORD"))
                .containsEntry("name", "handoff-db-app")
                .containsEntry("key", "password");
        assertThat(secretRef(control, "KAFKA_SASL_JAAS_CONFIG"))
                .containsEntry("name", "handoff-control-service")
                .containsEntry("key", "sasl.jaas.config");
        assertThat(names(objects, "KafkaUser")).isEmpty();
        assertThat(env(control))
                .containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
                .containsEntry("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM")
                .containsEntry(
                        "QUARKUS_DATASOURCE_JDBC_URL",
                        "jdbc:postgresql://handoff-db-rw.databases.svc:5432/handoff?sslmode=require");
        assertThat(fieldRef(control, "HANDOFF_LEDGER_INSTANCE_ID")).containsEntry("fieldPath", "metadata.name");
        assertThat((String) control.get("image")).isEqualTo("registry.example.org/handoff/control-service:0.1.0");
        assertThat(volumeSecretNames(object(objects, "Deployment", "handoff-infra-service")))
                .contains("handoff-oci", "handoff-cluster-ca-cert");
        assertThat(secretRef(
                        container(object(objects, "Deployment", "handoff-secrets-service")),
                        "QUARKUS_DATASOURCE_PASSWORD"))
                .containsEntry("name", "handoff-db-app");
        assertThat(volumeSecretNames(object(objects, "Deployment", "handoff-secrets-service")))
                .contains("handoff-age");

        // and infra-service keeps its state on a volume it lets go of before a new pod starts
        assertThat(names(objects, "PersistentVolumeClaim")).containsExactly("handoff-infra-service-state");
        assertThat(map(map(object(objects, "Deployment", "handoff-infra-service")
                                .get("spec"))
                        .get("strategy")))
                .containsEntry("type", "Recreate");

        // and control-service is reachable through the Ingress, scraped by the ServiceMonitor
        Map<String, Object> ingress = object(objects, "Ingress", "handoff-control-service");
        assertThat(ingress.toString()).contains("handoff.example.org", "handoff-tls", "handoff-control-service");
        Map<String, Object> monitor = object(objects, "ServiceMonitor", "handoff");
        assertThat(monitor.toString()).contains("/q/metrics", "release=prometheus");

        // and Strimzi creates every Handoff topic with the partitions asked for and unlimited retention
        List<Map<String, Object>> topics = objectsOf(objects, "KafkaTopic");
        assertThat(topics.stream().map(t -> (String) map(t.get("spec")).get("topicName")))
                .containsExactlyInAnyOrderElementsOf(Topics.all());
        assertThat(topics).allSatisfy(topic -> {
            Map<String, Object> spec = map(topic.get("spec"));
            assertThat(spec.get("partitions")).isEqualTo(12);
            assertThat(map(spec.get("config"))).containsEntry("retention.ms", "-1");
            assertThat(map(map(topic.get("metadata")).get("labels"))).containsEntry("strimzi.io/cluster", "handoff");
        });
    }

    @Test
    void everyServiceExposesItsMetricsToTheServiceMonitorWithTheDefaultAndTheScaledValues() {
        for (Path values : java.util.Arrays.asList(null, SCALED)) {
            // When the chart is rendered
            List<Map<String, Object>> objects = render(values);

            // Then each of the six Services carries the label the ServiceMonitor selects
            for (String service : SERVICES) {
                assertThat(map(map(object(objects, "Service", "handoff-" + service)
                                        .get("metadata"))
                                .get("labels")))
                        .as("%s scraped (values %s)", service, values)
                        .containsEntry("handoff.dev/metrics", "true");
            }
        }
        Map<String, Object> monitor = object(render(SCALED), "ServiceMonitor", "handoff");
        assertThat(map(map(map(monitor.get("spec")).get("selector")).get("matchLabels")))
                .containsEntry("handoff.dev/metrics", "true");
    }

    @Test
    void thePrometheusRuleAlertsOnFailingStagesOldBackupsDriftDeadLettersAndLag() {
        // When the chart is rendered with ci/scaled-values.yaml (prometheusRule.enabled, release: prometheus)
        Map<String, Object> rule = object(render(SCALED), "PrometheusRule", "handoff");

        // Then Prometheus selects it and it holds the five alerts, each on the metrics the services expose
        assertThat(map(map(rule.get("metadata")).get("labels"))).containsEntry("release", "prometheus");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> groups =
                (List<Map<String, Object>>) map(rule.get("spec")).get("groups");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rules =
                (List<Map<String, Object>>) groups.get(0).get("rules");
        Map<String, String> exprs = new LinkedHashMap<>();
        rules.forEach(r -> exprs.put((String) r.get("alert"), String.valueOf(r.get("expr"))));
        assertThat(exprs)
                .containsOnlyKeys(
                        "HandoffStageFailingRepeatedly",
                        "HandoffBackupOlderThanContract",
                        "HandoffDriftDetected",
                        "HandoffHostDrifted",
                        "HandoffDeadLettersGrowing",
                        "HandoffConsumerLag");
        assertThat(exprs.get("HandoffStageFailingRepeatedly"))
                .contains("handoff_stage_runs_total{result=\"failed\"}[1h]", ">= 3");
        assertThat(exprs.get("HandoffBackupOlderThanContract"))
                .contains("handoff_backup_age_seconds", "handoff_backup_max_age_seconds");
        assertThat(exprs.get("HandoffDriftDetected")).contains("handoff_drift_detected");
        assertThat(exprs.get("HandoffHostDrifted")).contains("handoff_host_drifted");
        assertThat(exprs.get("HandoffDeadLettersGrowing"))
                .contains("handoff_dead_letters_total", "handoff_ledger_dead_lettered_total");
        assertThat(exprs.get("HandoffConsumerLag")).contains("handoff_consumer_lag_records", "> 1000");
        // and the annotations keep Prometheus' own templates for it to fill in
        assertThat(rules.get(0).toString()).contains("{{ $labels.stage }}");
    }

    @Test
    void theAlertThresholdsComeFromTheValues() {
        // Given
        Path values = write(
                "thresholds.yaml",
                "prometheusRule:\n  enabled: true\n  stageFailures: { count: 5, window: 30m }\n"
                        + "  consumerLag: { records: 50, for: 5m }\n");

        // When
        String rule = object(render(values), "PrometheusRule", "handoff").toString();

        // Then
        assertThat(rule).contains("[30m])) >= 5", "> 50", "for=5m");
    }

    @Test
    void aProtocolWithoutLoginsIsRefusedUnlessTheOperatorAcceptsIt() {
        // Given a plaintext cluster, where every client has every right
        Path values = write("plaintext.yaml", "kafka:\n  securityProtocol: PLAINTEXT\n");

        // When the chart is rendered, then helm says why and what to do
        assertThatThrownBy(() -> render(values))
                .hasMessageContaining("kafka.securityProtocol PLAINTEXT has no logins")
                .hasMessageContaining("kafka.allowUnauthenticated=true");
        Path accepted = write(
                "plaintext-accepted.yaml", "kafka:\n  securityProtocol: PLAINTEXT\n  allowUnauthenticated: true\n");
        assertThat(names(render(accepted), "KafkaUser")).isEmpty();
    }

    @Test
    void eachServiceLogsInAsItsOwnKafkaUserWithExactlyTheAclsOfItsRole() {
        // Given the default values (Strimzi users, SCRAM-SHA-512 over TLS)
        List<Map<String, Object>> objects = render(null);

        for (String service : SERVICES) {
            // Then the service reads the JAAS line Strimzi writes for the user named after it
            Map<String, Object> container = container(object(objects, "Deployment", "handoff-" + service));
            assertThat(secretRef(container, "KAFKA_SASL_JAAS_CONFIG"))
                    .containsEntry("name", service)
                    .containsEntry("key", "sasl.jaas.config");
            // and that user has the ACLs KafkaAccess gives the service, nothing more
            Map<String, Object> user = object(objects, "KafkaUser", service);
            Map<String, Object> spec = map(user.get("spec"));
            assertThat(map(spec.get("authentication"))).containsEntry("type", "scram-sha-512");
            List<String> rendered = new ArrayList<>();
            for (Object acl : (List<?>) map(spec.get("authorization")).get("acls")) {
                Map<String, Object> resource = map(map(acl).get("resource"));
                rendered.add(resource.get("type") + " " + resource.get("patternType") + " " + resource.get("name") + " "
                        + ((List<?>) map(acl).get("operations")).get(0));
            }
            assertThat(rendered)
                    .as(service)
                    .containsExactlyElementsOf(dev.handoff.common.messaging.KafkaAccess.grants(service).stream()
                            .map(g -> g.resource().name().toLowerCase(java.util.Locale.ROOT) + " "
                                    + (g.prefixed() ? "prefix" : "literal") + " " + g.name() + " "
                                    + (g.operation() == dev.handoff.common.messaging.KafkaAccess.Operation.READ
                                            ? "Read"
                                            : "Write"))
                            .toList());
        }
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedByTheSchemaNamingTheValue() {
        // Given values with a word where a number belongs, and a misspelt block
        Path wrongType = write("wrong-type.yaml", "services:\n  control-service:\n    replicas: three\n");
        Path misspelt = write("misspelt.yaml", "tracing:\n  otlpEndpiont: http://collector:4318\n");
        Path notAUrl = write("not-a-url.yaml", "tracing:\n  otlpEndpoint: 4318\n");

        // When the chart is rendered with each, then values.schema.json refuses it and says which value is wrong
        assertThatThrownBy(() -> render(wrongType))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("replicas");
        assertThatThrownBy(() -> render(misspelt)).hasMessageContaining("otlpEndpiont");
        assertThatThrownBy(() -> render(notAUrl)).hasMessageContaining("otlpEndpoint");
    }

    @Test
    void everyEnabledServiceHasAPodDisruptionBudgetThatSelectsItsPods() {
        for (Path values : java.util.Arrays.asList(null, SCALED)) {
            // When the chart is rendered
            List<Map<String, Object>> objects = render(values);

            // Then each service has a PodDisruptionBudget over exactly its own pods
            assertThat(names(objects, "PodDisruptionBudget"))
                    .as("values %s", values)
                    .containsExactlyInAnyOrderElementsOf(
                            SERVICES.stream().map(s -> "handoff-" + s).toList());
            for (String service : SERVICES) {
                Map<String, Object> spec = map(object(objects, "PodDisruptionBudget", "handoff-" + service)
                        .get("spec"));
                assertThat(map(map(spec.get("selector")).get("matchLabels")))
                        .isEqualTo(map(map(map(object(objects, "Deployment", "handoff-" + service)
                                                .get("spec"))
                                        .get("selector"))
                                .get("matchLabels")));
            }
        }
        // and a drain evicts one pod at a time by default, while the scaled control-service keeps two of three
        assertThat(map(object(render(null), "PodDisruptionBudget", "handoff-infra-service")
                        .get("spec")))
                .containsEntry("maxUnavailable", 1)
                .doesNotContainKey("minAvailable");
        assertThat(map(object(render(SCALED), "PodDisruptionBudget", "handoff-control-service")
                        .get("spec")))
                .containsEntry("minAvailable", 2)
                .doesNotContainKey("maxUnavailable");
    }

    @Test
    void theTestHookChecksControlServicesReadinessAndTheWebhooksRefusalOfAnUnsignedDelivery() {
        // When the chart is rendered with its defaults
        List<Map<String, Object>> objects = render(null);

        // Then `helm test` runs one Pod, as non-root, against control-service's Service
        List<Map<String, Object>> tests = objects.stream()
                .filter(o -> "test".equals(annotations(o).get("helm.sh/hook")))
                .toList();
        assertThat(tests).hasSize(1);
        Map<String, Object> pod = tests.get(0);
        assertThat(pod.get("kind")).isEqualTo("Pod");
        Map<String, Object> spec = map(pod.get("spec"));
        assertThat(spec.get("restartPolicy")).isEqualTo("Never");
        assertThat(map(spec.get("securityContext"))).containsEntry("runAsNonRoot", true);
        Map<String, Object> container = map(((List<?>) spec.get("containers")).get(0));
        assertThat(env(container)).containsEntry("CONTROL_SERVICE_URL", "http://handoff-control-service:8080");
        assertThat((String) container.get("image")).isEqualTo("handoff/control-service:0.1.0-SNAPSHOT");
        // and it asks for readiness (200) and posts an unsigned delivery to the webhook, which must answer 401
        String script = String.join("\n", stringList(container.get("command")));
        assertThat(script)
                .contains("$CONTROL_SERVICE_URL/q/health/ready", "!= 200")
                .contains("-X POST", "$CONTROL_SERVICE_URL/hooks/forgejo", "!= 401")
                .doesNotContain("X-Forgejo-Signature");
        assertThat(map(service(objects, "control-service").get("spec")).toString())
                .contains("port=8080");
    }

    @Test
    void preInstallAndPreUpgradeJobsCreateTheTopicsAndTheServicesDatabases() {
        // When the chart is rendered with its defaults (topics not managed by Strimzi)
        List<Map<String, Object>> objects = render(null);

        // Then two hook Jobs run before install and upgrade, as non-root, and are removed once they succeeded
        Map<String, Object> topicsJob = object(objects, "Job", "handoff-create-topics");
        Map<String, Object> databasesJob = object(objects, "Job", "handoff-create-databases");
        for (Map<String, Object> job : List.of(topicsJob, databasesJob)) {
            assertThat(annotations(job))
                    .containsEntry("helm.sh/hook", "pre-install,pre-upgrade")
                    .containsEntry("helm.sh/hook-delete-policy", "before-hook-creation,hook-succeeded");
            assertThat(map(jobPod(job).get("securityContext"))).containsEntry("runAsNonRoot", true);
        }
        // and what they need is made before them, as hooks too: the scripts, and the topics Job's own Kafka user
        Map<String, Object> scripts = object(objects, "ConfigMap", "handoff-init-scripts");
        assertThat(annotations(scripts))
                .containsEntry("helm.sh/hook", "pre-install,pre-upgrade")
                .containsEntry("helm.sh/hook-weight", "-10");
        assertThat(map(scripts.get("data")))
                .containsEntry(
                        "create-topics.sh",
                        ProjectFiles.read(ProjectFiles.root().resolve("deploy/kafka/create-topics.sh")))
                .containsEntry("create-databases.sh", ProjectFiles.read(CHART.resolve("files/create-databases.sh")));
        Map<String, Object> topicsUser = object(objects, "KafkaUser", "handoff-topics");
        assertThat(annotations(topicsUser)).containsEntry("helm.sh/hook-weight", "-10");
        assertThat(map(topicsUser.get("spec")).toString())
                .contains("name=handoff.", "patternType=prefix", "Create", "Describe")
                .doesNotContain("Write", "Read");

        // and the topics Job logs in as that user and creates every topic with the chart's partitions and config
        Map<String, Object> topics = jobContainer(topicsJob);
        assertThat(stringList(topics.get("command"))).containsExactly("/bin/bash", "/opt/handoff/create-topics.sh");
        assertThat(env(topics))
                .containsEntry("KAFKA_BOOTSTRAP_SERVERS", "handoff-kafka-bootstrap:9093")
                .containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("HANDOFF_TOPIC_PARTITIONS", "6")
                .containsEntry("HANDOFF_TOPIC_REPLICATION_FACTOR", "3")
                .containsEntry("HANDOFF_KAFKA_SETUP_USERS", "false");
        assertThat(env(topics).get("HANDOFF_TOPIC_CONFIG").split(" "))
                .containsExactlyInAnyOrder(
                        "cleanup.policy=delete", "min.insync.replicas=2", "retention.bytes=-1", "retention.ms=-1");
        assertThat(secretRef(topics, "KAFKA_SASL_JAAS_CONFIG"))
                .containsEntry("name", "handoff-topics")
                .containsEntry("key", "sasl.jaas.config");

        // and the databases Job creates the database of every service that keeps one, owned by the services' user
        Map<String, Object> databases = jobContainer(databasesJob);
        assertThat(stringList(databases.get("command"))).containsExactly("/bin/sh", "/opt/handoff/create-databases.sh");
        assertThat(env(databases))
                .containsEntry("PGHOST", "postgresql")
                .containsEntry("PGPORT", "5432")
                .containsEntry("PGDATABASE", "postgres")
                .containsEntry("PGUSER", "handoff")
                .containsEntry(
                        "HANDOFF_DATABASES", "handoff,handoff_backup,handoff_converge,handoff_secrets,handoff_workload")
                .containsEntry("HANDOFF_DATABASE_OWNER", "handoff");
    }

    @Test
    void theInitJobsFollowTheScaledValuesStrimziTopicsAndTheOperatorsDatabaseSecret() {
        // When the chart is rendered with ci/scaled-values.yaml (Strimzi topics, an existing PostgreSQL Secret)
        List<Map<String, Object>> objects = render(SCALED);

        // Then Strimzi makes the topics, so there is no topics Job and no user for it
        assertThat(names(objects, "Job")).containsExactly("handoff-create-databases");
        assertThat(names(objects, "KafkaUser")).isEmpty();
        // and the databases Job reads the operator's Secret and takes the JDBC parameters' sslmode
        Map<String, Object> databases = jobContainer(object(objects, "Job", "handoff-create-databases"));
        assertThat(secretRef(databases, "PGPASSWORD"))
                .containsEntry("name", "handoff-db-app")
                .containsEntry("key", "password");
        assertThat(env(databases))
                .containsEntry("PGHOST", "handoff-db-rw.databases.svc")
                .containsEntry("PGSSLMODE", "require");
    }

    @Test
    void aPasswordTheChartHoldsReachesTheDatabasesJobThroughAHookSecretNeverAsPlainEnv() {
        // Given the PostgreSQL password in the values (no existing Secret)
        Path values = write("password.yaml", "postgresql:\n  password: a-password-of-the-test-0123456789\n");

        // When the chart is rendered
        List<Map<String, Object>> objects = render(values);

        // Then a hook Secret made before the Job holds it, and the Job reads it from there
        Map<String, Object> secret = object(objects, "Secret", "handoff-create-databases");
        assertThat(annotations(secret))
                .containsEntry("helm.sh/hook", "pre-install,pre-upgrade")
                .containsEntry("helm.sh/hook-weight", "-10");
        Map<String, Object> databases = jobContainer(object(objects, "Job", "handoff-create-databases"));
        assertThat(secretRef(databases, "PGPASSWORD")).containsEntry("name", "handoff-create-databases");
        assertThat(objects.stream().filter(o -> !"Secret".equals(o.get("kind"))).map(Object::toString))
                .noneMatch(text -> text.contains("a-password-of-the-test"));
    }

    @Test
    void theChartsTopicScriptIsTheOneComposeRuns() {
        // The chart can only package files below helm/handoff: its copy must stay the script compose runs
        assertThat(ProjectFiles.read(CHART.resolve("files/create-topics.sh")))
                .as("helm/handoff/files/create-topics.sh is a copy of deploy/kafka/create-topics.sh")
                .isEqualTo(ProjectFiles.read(ProjectFiles.root().resolve("deploy/kafka/create-topics.sh")));
    }

    @Test
    void nameOverrideAndFullnameOverrideNameEveryObject() {
        // Given a release "prod" with nameOverride, and one with fullnameOverride
        Path nameOverride = write("name-override.yaml", "nameOverride: gitops\n");
        Path fullnameOverride = write("fullname-override.yaml", "fullnameOverride: edge-deploy\n");

        // When the chart is rendered with each
        List<Map<String, Object>> named = render(nameOverride, "prod");
        List<Map<String, Object>> fullnamed = render(fullnameOverride, "prod");

        // Then the object names carry the override, and the references between objects follow
        assertThat(names(named, "Deployment"))
                .containsExactlyInAnyOrderElementsOf(
                        SERVICES.stream().map(s -> "prod-gitops-" + s).toList());
        assertThat(names(named, "PodDisruptionBudget")).contains("prod-gitops-control-service");
        assertThat(names(named, "Job")).contains("prod-gitops-create-topics", "prod-gitops-create-databases");
        assertThat(names(fullnamed, "Deployment"))
                .containsExactlyInAnyOrderElementsOf(
                        SERVICES.stream().map(s -> "edge-deploy-" + s).toList());
        assertThat(names(fullnamed, "Service")).contains("edge-deploy-control-service");
        assertThat(names(fullnamed, "ConfigMap")).contains("edge-deploy-inventory", "edge-deploy-init-scripts");
        assertThat(secretRef(
                        container(object(fullnamed, "Deployment", "edge-deploy-control-service")),
                        "HANDOFF_WEBHOOK_SECRET"))
                .containsEntry("name", "edge-deploy-app");
        Map<String, Object> test = objectsOf(fullnamed, "Pod").get(0);
        assertThat(env(map(((List<?>) map(test.get("spec")).get("containers")).get(0))))
                .containsEntry("CONTROL_SERVICE_URL", "http://edge-deploy-control-service:8080");
        // and without an override, a release named after the chart is not repeated
        assertThat(names(render(null, "handoff"), "Deployment")).contains("handoff-control-service");
        assertThat(names(render(null, "prod"), "Deployment")).contains("prod-handoff-control-service");
    }

    @Test
    void theTracingEndpointReachesAllSixServicesAndIsEmptyByDefault() {
        for (Path values : java.util.Arrays.asList(null, SCALED)) {
            // When the chart is rendered
            List<Map<String, Object>> objects = render(values);

            // Then every service gets HANDOFF_OTLP_ENDPOINT: empty (no export) by default, the collector when set
            String expected = values == null ? "" : "http://otel-collector.observability.svc:4318";
            for (String service : SERVICES) {
                assertThat(env(container(object(objects, "Deployment", "handoff-" + service))))
                        .as("%s (values %s)", service, values)
                        .containsEntry("HANDOFF_OTLP_ENDPOINT", expected);
            }
        }
    }

    @Test
    void theContractsSchemaBaseReachesAllSixServicesAndIsEmptyByDefault() {
        for (Path values : java.util.Arrays.asList(null, SCALED)) {
            // When the chart is rendered
            List<Map<String, Object>> objects = render(values);

            // Then every service writes dataschema under control-service's /schemas/ when it is set
            String expected = values == null ? "" : "https://handoff.example.org/schemas/";
            for (String service : SERVICES) {
                assertThat(env(container(object(objects, "Deployment", "handoff-" + service))))
                        .as("%s (values %s)", service, values)
                        .containsEntry("HANDOFF_SCHEMA_BASE_URL", expected);
            }
        }
    }

    @Test
    void aServiceOverridesTheSharedProbesAndHasItsOwnResources() {
        // When the chart is rendered with the scaled values (control-service waits longer to start)
        List<Map<String, Object>> objects = render(SCALED);

        // Then only control-service's startup probe changes, the rest keeps the shared values
        Map<String, Object> control = container(object(objects, "Deployment", "handoff-control-service"));
        Map<String, Object> secrets = container(object(objects, "Deployment", "handoff-secrets-service"));
        assertThat(map(control.get("startupProbe")))
                .containsEntry("failureThreshold", 120)
                .containsEntry("periodSeconds", 5);
        assertThat(map(secrets.get("startupProbe"))).containsEntry("failureThreshold", 60);
        assertThat(map(control.get("readinessProbe")))
                .containsEntry("timeoutSeconds", 3)
                .containsEntry("failureThreshold", 3);
        assertThat(map(map(control.get("resources")).get("limits"))).containsEntry("memory", "1536Mi");
        assertThat(map(map(secrets.get("resources")).get("limits"))).containsEntry("memory", "512Mi");
    }

    private List<Map<String, Object>> render(Path valuesFile) {
        return render(valuesFile, "handoff");
    }

    /**
     * `helm template` of the chart, hooks included. helm-java returns only the release's manifest, without the hooks
     * that the helm CLI prints after it; so this renders a copy of the chart whose {@value #HOOK} annotation is
     * renamed (Helm sets hooks apart by it), and names it {@value #HOOK} again in the objects it returns.
     */
    private List<Map<String, Object>> render(Path valuesFile, String release) {
        var template = new Helm(chartWithHooksInTheManifest())
                .template()
                .withName(release)
                .withNamespace("handoff")
                .withKubeVersion("1.31.0");
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        String manifest = template.call();
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml().loadAll(manifest)) {
            if (document != null) {
                Map<String, Object> object = map(document);
                Map<String, Object> annotations = annotations(object);
                if (annotations.containsKey(RENAMED_HOOK)) {
                    annotations.put(HOOK, annotations.remove(RENAMED_HOOK));
                }
                objects.add(object);
            }
        }
        return objects;
    }

    private Path chartWithHooksInTheManifest() {
        Path copy = temp.resolve("chart-with-hooks/handoff");
        if (Files.isDirectory(copy)) {
            return copy;
        }
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(CHART.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (file.toString().endsWith(".yaml") && file.startsWith(CHART.resolve("templates"))) {
                    Files.writeString(target, Files.readString(file).replace(HOOK + ":", RENAMED_HOOK + ":"));
                } else {
                    Files.copy(file, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return copy;
    }

    private Path copyChartWithValues(Path overrides) {
        Path copy = temp.resolve("handoff");
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(CHART.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
            Yaml yaml = new Yaml();
            Map<String, Object> values = yaml.load(Files.readString(CHART.resolve("values.yaml")));
            deepMerge(values, yaml.load(Files.readString(overrides)));
            Files.writeString(copy.resolve("values.yaml"), yaml.dump(values), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static void deepMerge(Map<String, Object> base, Map<String, Object> overrides) {
        for (Map.Entry<String, Object> entry : overrides.entrySet()) {
            Object current = base.get(entry.getKey());
            if (current instanceof Map && entry.getValue() instanceof Map) {
                Map<String, Object> merged = new LinkedHashMap<>((Map<String, Object>) current);
                deepMerge(merged, (Map<String, Object>) entry.getValue());
                base.put(entry.getKey(), merged);
            } else {
                base.put(entry.getKey(), entry.getValue());
            }
        }
    }

    private Path write(String name, String content) {
        try {
            return Files.writeString(temp.resolve(name), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Map<String, Object>> objectsOf(List<Map<String, Object>> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    private static List<String> names(List<Map<String, Object>> objects, String kind) {
        return objectsOf(objects, kind).stream()
                .map(o -> (String) map(o.get("metadata")).get("name"))
                .toList();
    }

    private static Map<String, Object> object(List<Map<String, Object>> objects, String kind, String name) {
        return objectsOf(objects, kind).stream()
                .filter(o -> name.equals(map(o.get("metadata")).get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + names(objects, kind)));
    }

    private static int replicas(List<Map<String, Object>> objects, String deployment) {
        return (Integer)
                map(object(objects, "Deployment", deployment).get("spec")).get("replicas");
    }

    private static Map<String, Object> annotations(Map<String, Object> object) {
        return map(map(object.get("metadata")).get("annotations"));
    }

    private static Map<String, Object> service(List<Map<String, Object>> objects, String name) {
        return object(objects, "Service", "handoff-" + name);
    }

    private static Map<String, Object> jobPod(Map<String, Object> job) {
        return map(map(map(job.get("spec")).get("template")).get("spec"));
    }

    private static Map<String, Object> jobContainer(Map<String, Object> job) {
        List<?> containers = (List<?>) jobPod(job).get("containers");
        assertThat(containers).hasSize(1);
        return map(containers.get(0));
    }

    private static Map<String, Object> podSpec(Map<String, Object> deployment) {
        return map(map(map(deployment.get("spec")).get("template")).get("spec"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> container(Map<String, Object> deployment) {
        List<Object> containers = (List<Object>) podSpec(deployment).get("containers");
        assertThat(containers).hasSize(1);
        return map(containers.get(0));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> envEntries(Map<String, Object> container) {
        return ((List<Object>) container.get("env"))
                .stream().map(ComposeFileTest::map).toList();
    }

    private static Map<String, String> env(Map<String, Object> container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Map<String, Object> entry : envEntries(container)) {
            if (entry.containsKey("value")) {
                env.put((String) entry.get("name"), String.valueOf(entry.get("value")));
            }
        }
        return env;
    }

    private static Map<String, Object> valueFrom(Map<String, Object> container, String name, String source) {
        return envEntries(container).stream()
                .filter(e -> name.equals(e.get("name")))
                .map(e -> map(map(e.get("valueFrom")).get(source)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name + " from " + source));
    }

    private static Map<String, Object> secretRef(Map<String, Object> container, String name) {
        return valueFrom(container, name, "secretKeyRef");
    }

    private static Map<String, Object> fieldRef(Map<String, Object> container, String name) {
        return valueFrom(container, name, "fieldRef");
    }

    private static String probePath(Map<String, Object> container, String probe) {
        return (String) map(map(container.get(probe)).get("httpGet")).get("path");
    }

    @SuppressWarnings("unchecked")
    private static List<String> volumeSecretNames(Map<String, Object> deployment) {
        List<Object> volumes = (List<Object>) podSpec(deployment).get("volumes");
        return volumes.stream()
                .map(ComposeFileTest::map)
                .map(v -> map(v.get("secret")).get("secretName"))
                .filter(Objects::nonNull)
                .map(String::valueOf)
                .toList();
    }
}
