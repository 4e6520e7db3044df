package dev.handoff.backup.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The environment restic runs with: the contract's repository and password file and what restic needs of the
 * service's environment, never the service's credentials. restic here is a script that prints its environment.
 */
class ResticCliEnvironmentTest {
    /** What sh itself sets in the environment it prints. */
    private static final Set<String> SET_BY_SHELL = Set.of("PWD", "OLDPWD", "SHLVL", "_");

    @TempDir
    Path dir;

    private Path restic;

    @BeforeEach
    void printEnvironmentAsRestic() throws IOException {
        restic = dir.resolve("restic");
        Files.writeString(restic, "#!/bin/sh\nexec /usr/bin/env -0\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(restic, PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void resticGetsTheContractsFilesAndWhatItNeedsButNoneOfTheServicesCredentials() throws Exception {
        // Given a service environment holding credentials next to what restic needs
        Map<String, String> service = new LinkedHashMap<>();
        service.put("PATH", System.getenv("PATH"));
        service.put("HOME", "/home/handoff");
        service.put("TMPDIR", "/var/tmp/handoff");
        service.put("LANG", "C.UTF-8");
        service.put("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt");
        service.put("QUARKUS_DATASOURCE_PASSWORD", "db-secret");
        service.put("HANDOFF_BACKUP_SSH_IDENTITY", "/etc/handoff/id_ed25519");
        service.put("KAFKA_SASL_JAAS_CONFIG", "password=\"kafka-secret\"");
        service.put("RESTIC_PASSWORD", "restic-secret");
        service.put("RESTIC_REPOSITORY", "/srv/restic/elsewhere");
        service.put("AWS_SECRET_ACCESS_KEY", "aws-secret");
        service.put("FORGEJO_TOKEN", "forgejo-token");
        Path passwordFile = dir.resolve("runtime.password");
        Path repositoryFile = dir.resolve("runtime.url");

        // When restic runs against a contract with a repository file
        Map<String, String> env = environmentOf(
                new ResticCli(restic.toString(), Duration.ofSeconds(30), dir.resolve("work"), service),
                new ResticCli.Target(null, repositoryFile, passwordFile));

        // Then it has the contract's files and what it needs, and none of the credentials
        assertThat(env)
                .containsEntry("RESTIC_REPOSITORY_FILE", repositoryFile.toString())
                .containsEntry("RESTIC_PASSWORD_FILE", passwordFile.toString())
                .containsEntry("PATH", System.getenv("PATH"))
                .containsEntry("HOME", "/home/handoff")
                .containsEntry("TMPDIR", "/var/tmp/handoff")
                .containsEntry("LANG", "C.UTF-8")
                .containsEntry("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")
                .doesNotContainKeys(
                        "QUARKUS_DATASOURCE_PASSWORD",
                        "HANDOFF_BACKUP_SSH_IDENTITY",
                        "KAFKA_SASL_JAAS_CONFIG",
                        "RESTIC_PASSWORD",
                        "RESTIC_REPOSITORY",
                        "AWS_SECRET_ACCESS_KEY",
                        "FORGEJO_TOKEN");
        assertThat(String.join("\n", env.values()))
                .doesNotContain("db-secret", "kafka-secret", "restic-secret", "aws-secret", "forgejo-token");
    }

    @Test
    void repositoryWithoutCredentialsIsPassedByName() throws Exception {
        // Given a contract naming its repository directly
        Path passwordFile = dir.resolve("runtime.password");

        // When restic runs against it
        Map<String, String> env = environmentOf(
                new ResticCli(restic.toString(), Duration.ofSeconds(30), dir.resolve("work"), Map.of()),
                new ResticCli.Target("/srv/restic/runtime", null, passwordFile));

        // Then restic gets the repository and the password file, and nothing of the service
        assertThat(env)
                .containsEntry("RESTIC_REPOSITORY", "/srv/restic/runtime")
                .containsEntry("RESTIC_PASSWORD_FILE", passwordFile.toString())
                .doesNotContainKey("RESTIC_REPOSITORY_FILE");
        assertThat(env.keySet())
                .allSatisfy(name -> assertThat(name)
                        .isIn(union(Set.of("RESTIC_REPOSITORY", "RESTIC_PASSWORD_FILE"), SET_BY_SHELL)));
    }

    @Test
    void resticSeesNothingOfThisJvmsEnvironmentOffTheAllowList() throws Exception {
        // Given this test JVM's real environment (whatever the build runs with)
        ResticCli cli = new ResticCli(restic.toString(), Duration.ofSeconds(30), dir.resolve("work"));
        Path passwordFile = dir.resolve("runtime.password");

        // When restic runs
        Map<String, String> env = environmentOf(cli, new ResticCli.Target("/srv/restic/runtime", null, passwordFile));

        // Then every variable it sees is on the allow-list, the contract's, or set by sh itself
        assertThat(env.keySet())
                .allSatisfy(name -> assertThat(name)
                        .isIn(union(
                                ResticCli.INHERITED,
                                Set.of("RESTIC_REPOSITORY", "RESTIC_PASSWORD_FILE"),
                                SET_BY_SHELL)));
        System.getenv().forEach((name, value) -> {
            if (ResticCli.INHERITED.contains(name)) {
                assertThat(env).containsEntry(name, value);
            }
        });
    }

    private static Map<String, String> environmentOf(ResticCli cli, ResticCli.Target target) throws Exception {
        ResticCli.Result result = cli.run(target, List.of("snapshots", "--json"));
        assertThat(result.ok()).as(result.stderr()).isTrue();
        Map<String, String> env = new HashMap<>();
        for (String entry : result.stdout().split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> all = new HashSet<>();
        for (Set<String> set : sets) {
            all.addAll(set);
        }
        return all;
    }
}
