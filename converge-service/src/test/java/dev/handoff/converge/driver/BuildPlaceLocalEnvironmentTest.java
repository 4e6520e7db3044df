package dev.handoff.converge.driver;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The environment of an activator run on this machine: what it needs of the service's environment and the step's own
 * variables, never the service's credentials.
 */
class BuildPlaceLocalEnvironmentTest {
    /** What sh itself sets in the environment it prints. */
    private static final Set<String> SET_BY_SHELL = Set.of("PWD", "OLDPWD", "SHLVL", "_");

    @TempDir
    Path dir;

    @Test
    void activatorGetsTheStepsVariablesAndWhatNixNeedsButNoneOfTheServicesCredentials()
            throws IOException, InterruptedException {
        // Given a service environment holding credentials next to what Nix and OpenSSH need
        Map<String, String> service = new LinkedHashMap<>();
        service.put("PATH", System.getenv("PATH"));
        service.put("HOME", "/home/handoff");
        service.put("USER", "handoff");
        service.put("LANG", "C.UTF-8");
        service.put("NIX_PATH", "nixpkgs=/nix/var/nix/profiles/per-user/root/channels/nixos");
        service.put("NIX_REMOTE", "daemon");
        service.put("SSH_AUTH_SOCK", "/run/user/1000/ssh-agent.sock");
        service.put("QUARKUS_DATASOURCE_PASSWORD", "db-secret");
        service.put("HANDOFF_CONVERGE_FORGEJO_TOKEN", "forgejo-token");
        service.put("KAFKA_SASL_JAAS_CONFIG", "password=\"kafka-secret\"");
        service.put("GITHUB_TOKEN", "gh-token");
        service.put("AWS_SECRET_ACCESS_KEY", "aws-secret");

        // When the activator (a script printing its environment) runs with the step's variables
        Map<String, String> env = childEnvironment(
                new BuildPlace.Local(service), Map.of("SSH_CONFIG_FILE", "/runs/edge-1/ssh/ssh_config"));

        // Then it has what it needs and the step's variables, and none of the credentials
        assertThat(env)
                .containsEntry("SSH_CONFIG_FILE", "/runs/edge-1/ssh/ssh_config")
                .containsEntry("HOME", "/home/handoff")
                .containsEntry("USER", "handoff")
                .containsEntry("LANG", "C.UTF-8")
                .containsEntry("NIX_PATH", "nixpkgs=/nix/var/nix/profiles/per-user/root/channels/nixos")
                .containsEntry("NIX_REMOTE", "daemon")
                .containsEntry("SSH_AUTH_SOCK", "/run/user/1000/ssh-agent.sock")
                .containsEntry("PATH", System.getenv("PATH"))
                .doesNotContainKeys(
                        "QUARKUS_DATASOURCE_PASSWORD",
                        "HANDOFF_CONVERGE_FORGEJO_TOKEN",
                        "KAFKA_SASL_JAAS_CONFIG",
                        "GITHUB_TOKEN",
                        "AWS_SECRET_ACCESS_KEY");
        assertThat(String.join("\n", env.values()))
                .doesNotContain("db-secret", "forgejo-token", "kafka-secret", "gh-token", "aws-secret");
    }

    @Test
    void stepsVariableWinsOverTheServicesOwn() throws IOException, InterruptedException {
        // Given a service environment that already sets the step's variable
        Map<String, String> service = Map.of("PATH", System.getenv("PATH"), "NIX_SSHOPTS", "-o ProxyJump=elsewhere");

        // When nixos-rebuild's step sets it
        Map<String, String> env = childEnvironment(
                new BuildPlace.Local(service), Map.of("NIX_SSHOPTS", "-F /runs/edge-1/ssh/ssh_config"));

        // Then the activator sees the step's value
        assertThat(env).containsEntry("NIX_SSHOPTS", "-F /runs/edge-1/ssh/ssh_config");
    }

    @Test
    void activatorSeesNothingOfThisJvmsEnvironmentOffTheAllowList() throws IOException, InterruptedException {
        // Given this test JVM's real environment (whatever the build runs with)
        BuildPlace.Local local = new BuildPlace.Local();

        // When the activator runs with the step's variable
        Map<String, String> env = childEnvironment(local, Map.of("SSH_CONFIG_FILE", "/runs/edge-1/ssh/ssh_config"));

        // Then every variable it sees is on the allow-list, the step's, or set by sh itself
        assertThat(env.keySet())
                .allSatisfy(name -> assertThat(name)
                        .isIn(union(BuildPlace.Local.INHERITED, Set.of("SSH_CONFIG_FILE"), SET_BY_SHELL)));
        assertThat(env).containsEntry("SSH_CONFIG_FILE", "/runs/edge-1/ssh/ssh_config");
        System.getenv().forEach((name, value) -> {
            if (BuildPlace.Local.INHERITED.contains(name)) {
                assertThat(env).containsEntry(name, value);
            }
        });
    }

    /** Runs a stand-in activator that prints its environment, NUL-separated, and reads it back. */
    private Map<String, String> childEnvironment(BuildPlace.Local local, Map<String, String> step)
            throws IOException, InterruptedException {
        Path activator = dir.resolve("print-env");
        Path out = dir.resolve("env.out");
        Files.writeString(activator, "#!/bin/sh\n/usr/bin/env -0 > \"$1\"\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(activator, PosixFilePermissions.fromString("rwx------"));

        BuildPlace.Outcome outcome = local.run(
                "edge-1",
                List.of(activator.toString(), out.toString()),
                dir.toString(),
                step,
                Duration.ofSeconds(30),
                line -> {});

        assertThat(outcome.exitCode()).as(outcome.output()).isZero();
        Map<String, String> env = new HashMap<>();
        for (String entry : Files.readString(out, StandardCharsets.UTF_8).split("\0")) {
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
