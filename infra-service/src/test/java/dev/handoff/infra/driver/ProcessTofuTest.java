package dev.handoff.infra.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.handoff.infra.stage.Redactor;
import dev.handoff.infra.stage.StageFailure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ProcessTofu} against a recording {@code tofu} (a shell script standing where the binary would): the
 * arguments, the environment the repository's code runs with, the lock file gate and the masking of the runner's own
 * secrets in whatever tofu prints.
 */
class ProcessTofuTest {
    private static final Map<String, String> SERVICE_ENV = Map.of(
            "PATH", System.getenv("PATH"),
            "HOME", "/home/handoff",
            "TF_CLI_CONFIG_FILE", "/etc/handoff/tofurc",
            "OCI_REGION", "eu-frankfurt-1",
            "KAFKA_SASL_JAAS_CONFIG", "password=\"kafka-secret-1234\"",
            "HANDOFF_AUTH_TOKENS", "ops:operator:abcdef0123456789",
            "QUARKUS_DATASOURCE_PASSWORD", "db-secret-5678",
            "AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEYID");

    @TempDir
    Path dir;

    private Path stack;

    @BeforeEach
    void stack() throws Exception {
        stack = Files.createDirectories(dir.resolve("repo/stacks/network"));
        Files.writeString(stack.resolve(Tofu.LOCK_FILE), "# lock\n", StandardCharsets.UTF_8);
    }

    @Test
    void tofuRunsWithOnlyWhatItNeedsNeverTheServicesOwnCredentials() throws Exception {
        // Given
        ProcessTofu tofu = tofu("env > \"$HANDOFF_TEST_OUT/env\"; echo \"$@\" > \"$HANDOFF_TEST_OUT/args\"", Map.of());

        // When
        tofu.init(stack, Map.of("TF_VAR_subnet_id", "ocid1.subnet.lab"), new Redactor());

        // Then
        String env = Files.readString(dir.resolve("env"), StandardCharsets.UTF_8);
        assertThat(env)
                .contains("PATH=", "HOME=/home/handoff", "TF_CLI_CONFIG_FILE=/etc/handoff/tofurc")
                .contains("OCI_REGION=eu-frankfurt-1", "TF_VAR_subnet_id=ocid1.subnet.lab")
                .doesNotContain("kafka-secret-1234", "abcdef0123456789", "db-secret-5678", "AKIAEXAMPLEKEYID")
                .doesNotContain("KAFKA_", "HANDOFF_AUTH", "QUARKUS_", "AWS_");
        assertThat(Files.readString(dir.resolve("args"), StandardCharsets.UTF_8).strip())
                .isEqualTo("init -input=false -no-color -lockfile=readonly");
    }

    @Test
    void aNameListedInInheritEnvIsPassedToo() throws Exception {
        // Given
        ProcessTofu tofu = new ProcessTofu(
                script("env > \"$HANDOFF_TEST_OUT/env\""),
                Duration.ofSeconds(30),
                Duration.ofSeconds(7),
                new ProcessRunner(10),
                TofuEnvironment.of(
                        SERVICE_ENV, List.of("AWS_ACCESS_KEY_ID"), Map.of("HANDOFF_TEST_OUT", dir.toString())),
                Set.of());

        // When
        tofu.init(stack, Map.of(), new Redactor());

        // Then
        assertThat(Files.readString(dir.resolve("env"), StandardCharsets.UTF_8))
                .contains("AWS_ACCESS_KEY_ID=AKIAEXAMPLEKEYID")
                .doesNotContain("db-secret-5678");
    }

    @Test
    void aStackWithoutALockFileIsRefusedBeforeTofuRuns() throws Exception {
        // Given
        Files.delete(stack.resolve(Tofu.LOCK_FILE));
        ProcessTofu tofu = tofu("touch \"$HANDOFF_TEST_OUT/ran\"", Map.of());

        // When
        StageFailure refused =
                catchThrowableOfType(StageFailure.class, () -> tofu.init(stack, Map.of(), new Redactor()));

        // Then
        assertThat(refused.reason()).isEqualTo("lock-file-missing");
        assertThat(refused.retryable()).isFalse();
        assertThat(refused.getMessage())
                .contains(
                        "stack network has no .terraform.lock.hcl", "-lockfile=readonly", "commit .terraform.lock.hcl");
        assertThat(dir.resolve("ran")).doesNotExist();
    }

    @Test
    void theRunnersSecretsAreMaskedInWhatTofuPrintsOnFailure() throws Exception {
        // Given: a backend connection string with a password, and the OCI key's lines, echoed by a failing provider
        String keyLine = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7";
        ProcessTofu tofu = new ProcessTofu(
                script("echo \"Error: pq: cannot connect to $PG_CONN_STR\" >&2; echo \"key: " + keyLine
                        + "\" >&2; exit 1"),
                Duration.ofSeconds(30),
                Duration.ofSeconds(7),
                new ProcessRunner(10),
                TofuEnvironment.of(
                        SERVICE_ENV,
                        List.of(),
                        Map.of(
                                "PG_CONN_STR",
                                "postgres://handoff:s3cr3t-Pass@db.lan/tofu",
                                "HANDOFF_TEST_OUT",
                                dir.toString())),
                Set.of(keyLine));

        // When
        StageFailure failed =
                catchThrowableOfType(StageFailure.class, () -> tofu.plan(stack, Map.of(), new Redactor()));

        // Then
        assertThat(failed.reason()).isEqualTo("plan-error");
        String published = failed.getMessage() + failed.details();
        assertThat(published).contains("cannot connect to", Redactor.MASK);
        assertThat(published).doesNotContain("s3cr3t-Pass", keyLine);
    }

    @Test
    void planAndApplyWaitForTheStateLockAndTellAStalePlanFromALockedState() throws Exception {
        // Given
        ProcessTofu stale = tofu(
                "echo \"$@\" >> \"$HANDOFF_TEST_OUT/args\"; echo '│ Error: Saved plan is stale' >&2; exit 1", Map.of());
        ProcessTofu locked = tofu("echo '│ Error: Error acquiring the state lock' >&2; exit 1", Map.of());

        // When
        StageFailure staleFailure =
                catchThrowableOfType(StageFailure.class, () -> stale.apply(stack, Map.of(), new Redactor()));
        StageFailure lockedFailure =
                catchThrowableOfType(StageFailure.class, () -> locked.plan(stack, Map.of(), new Redactor()));

        // Then
        assertThat(Files.readString(dir.resolve("args"), StandardCharsets.UTF_8).strip())
                .isEqualTo("apply -input=false -no-color -lock-timeout=7s handoff.tfplan");
        assertThat(staleFailure.reason()).isEqualTo("plan-stale");
        assertThat(staleFailure.retryable()).isTrue();
        assertThat(lockedFailure.reason()).isEqualTo("state-locked");
        assertThat(lockedFailure.getMessage()).contains("handoff.infra.tofu.lock-timeout");
    }

    @Test
    void statePullReturnsTheBackendsStateAndStatePushForcesTheRestoredOne() throws Exception {
        // Given
        ProcessTofu tofu = tofu(
                "echo \"$@\" >> \"$HANDOFF_TEST_OUT/args\"; [ \"$1\" = state ] && [ \"$2\" = pull ] && echo '{\"version\": 4}';"
                        + " exit 0",
                Map.of());

        // When
        String pulled = tofu.statePull(stack, Map.of(), new Redactor());
        tofu.statePush(stack, dir.resolve("restore.tfstate"), Map.of(), new Redactor());

        // Then
        assertThat(pulled.strip()).isEqualTo("{\"version\": 4}");
        assertThat(Files.readAllLines(dir.resolve("args"), StandardCharsets.UTF_8))
                .containsExactly("state pull", "state push -force -lock-timeout=7s " + dir.resolve("restore.tfstate"));
    }

    private ProcessTofu tofu(String body, Map<String, String> set) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(set);
        env.put("HANDOFF_TEST_OUT", dir.toString());
        return new ProcessTofu(
                script(body),
                Duration.ofSeconds(30),
                Duration.ofSeconds(7),
                new ProcessRunner(10),
                TofuEnvironment.of(SERVICE_ENV, List.of(), env),
                Set.of());
    }

    private String script(String body) throws Exception {
        Path script = Files.createTempFile(dir, "tofu", ".sh");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script.toString();
    }
}
