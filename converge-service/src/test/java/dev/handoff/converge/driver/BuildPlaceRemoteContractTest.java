package dev.handoff.converge.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.serde.Json;
import dev.handoff.lab.world.nixos.LabSshIdentity;
import dev.handoff.lab.world.openssh.ContractHost;
import dev.handoff.support.ssh.AddressMap;
import dev.handoff.support.ssh.FirstContact;
import dev.handoff.support.ssh.HostKeyPins;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote activator's transport against a real build host: Debian's sshd and sftp-server on this machine, with
 * real Nix 2.8 (nix-bin) as the tool on the far side. converge-service prepares the run here, uploads it (only the
 * repositories' Git objects and its own deploy flake and ssh files), and runs the step there in the deploy flake's
 * folder with its environment; Nix on the build host sees the pushed commit, the facts and the verified secrets.
 * Also against the lab's simulated control host, whose {@code colmena} is the lab's stand-in.
 */
class BuildPlaceRemoteContractTest {
    private static final String BUILD_HOST = "build.tailnet.ts.net";
    private static final String RUNTIME_FLAKE = """
            {
              inputs.handoff-facts.url = "git+file:///var/empty/handoff-facts";
              inputs.secrets = { url = "git+file:///var/empty/secrets"; flake = false; };
              outputs = { self, handoff-facts, secrets, ... }: {
                probe = {
                  rev = self.rev or "dirty";
                  publicIp = (builtins.fromJSON (builtins.readFile "${handoff-facts}/hosts/edge-remote/handoff.json")).publicIp;
                  secretsFile = builtins.readFile "${secrets}/hosts/edge-remote.yaml";
                };
              };
            }
            """;

    @TempDir
    Path dir;

    private LabSshIdentity runner;
    private ContractHost host;

    @org.junit.jupiter.api.BeforeAll
    static void nixIsInstalled() {
        assertThat(Path.of("/usr/bin/nix"))
                .as("Nix is needed for this test: apt-get install -y nix-bin (.ci/run installs it)")
                .exists();
    }

    @BeforeEach
    void startTheBuildHost() {
        runner = LabSshIdentity.create(dir.resolve("runner").resolve("id_ecdsa"));
    }

    @AfterEach
    void stopTheBuildHost() {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void nixOnARealBuildHostSeesThePushedCommitTheFactsAndTheVerifiedSecrets() throws Exception {
        // Given
        host = ContractHost.openSsh(dir.resolve("build-host"), runner.publicKey());
        BuildPlace.Remote place = place(host.path("/var/lib/handoff-build"));
        Path run = dir.resolve("runs").resolve("edge-remote");
        String pushed = commit(run.resolve("runtime"), Map.of("flake.nix", RUNTIME_FLAKE));
        String verified = commit(run.resolve("secrets"), Map.of("hosts/edge-remote.yaml", "token: ENC[verified]\n"));
        commit(run.resolve("secrets"), Map.of("hosts/edge-remote.yaml", "token: ENC[later]\n"));
        String seenAt = prepare(place, run, pushed, verified, "{\"publicIp\":\"203.0.113.7\"}");

        // When: staged twice (the second replaces the first), then Nix runs there
        place.stage("edge-remote", run);
        place.stage("edge-remote", run);
        Path home = Files.createDirectories(dir.resolve("nix-home"));
        List<String> lines = new ArrayList<>();
        BuildPlace.Outcome outcome = place.run(
                "edge-remote",
                List.of("nix", "--extra-experimental-features", "nix-command flakes", "eval", "--json", ".#probe"),
                seenAt + "/deploy",
                Map.of(
                        "HOME",
                        home.toString(),
                        "XDG_CACHE_HOME",
                        home.resolve("cache").toString()),
                Duration.ofMinutes(2),
                lines::add);

        // Then
        assertThat(outcome.exitCode())
                .as("nix eval on the build host: %s", outcome.output())
                .isZero();
        String json = outcome.output()
                .lines()
                .filter(l -> l.startsWith("{"))
                .reduce((a, b) -> b)
                .orElseThrow();
        JsonNode probe = Json.mapper().readTree(json);
        assertThat(probe.path("rev").asText()).isEqualTo(pushed);
        assertThat(probe.path("publicIp").asText()).isEqualTo("203.0.113.7");
        assertThat(probe.path("secretsFile").asText()).isEqualTo("token: ENC[verified]\n");
        assertThat(lines).isNotEmpty();
        assertThat(host.onDisk(seenAt + "/runtime/.git")).isDirectory();
        assertThat(host.onDisk(seenAt + "/runtime/flake.nix"))
                .as("only the Git objects of a checkout go to the build host")
                .doesNotExist();
    }

    @Test
    void argumentsAndEnvironmentReachTheBuildHostsShellUnchanged() throws Exception {
        // Given
        host = ContractHost.openSsh(dir.resolve("build-host"), runner.publicKey());
        BuildPlace.Remote place = place(host.path("/var/lib/handoff-build"));
        Files.createDirectories(host.onDisk(host.path("/work")));

        // When
        BuildPlace.Outcome outcome = place.run(
                "edge-remote",
                List.of("sh", "-c", "printf '%s|%s|%s' \"$X\" \"$1\" \"$(pwd)\"", "sh", "it's $HOME; `x`"),
                host.path("/work"),
                Map.of("X", "a b 'c'"),
                Duration.ofSeconds(30),
                line -> {});

        // Then
        assertThat(outcome.exitCode()).isZero();
        assertThat(outcome.output()).isEqualTo("a b 'c'|it's $HOME; `x`|" + host.path("/work"));
    }

    @Test
    void aStepThatOutlivesItsTimeoutIsStoppedAndSaysSo() throws Exception {
        // Given
        host = ContractHost.openSsh(dir.resolve("build-host"), runner.publicKey());
        BuildPlace.Remote place = place(host.path("/var/lib/handoff-build"));
        Files.createDirectories(host.onDisk(host.path("/work")));

        // When
        BuildPlace.Outcome outcome = place.run(
                "edge-remote",
                List.of("sh", "-c", "echo started; sleep 120"),
                host.path("/work"),
                Map.of(),
                Duration.ofSeconds(2),
                line -> {});

        // Then
        assertThat(outcome.timedOut()).isTrue();
        assertThat(outcome.exitCode()).isEqualTo(-1);
        assertThat(outcome.output()).contains("started");
    }

    @Test
    void theSimulatedControlHostRunsTheStandInColmenaOnWhatWasUploaded() throws Exception {
        // Given
        host = ContractHost.simulatedNode(dir.resolve("build-host"), "forgejo-pi", runner.publicKey());
        BuildPlace.Remote place = place("/var/lib/handoff-build");
        Path run = dir.resolve("runs").resolve("edge-remote");
        String pushed = commit(
                run.resolve("runtime"),
                Map.of(
                        "flake.nix",
                        "{ inputs.secrets = { url = \"git+file:///x\"; flake = false; };\n"
                                + "  inputs.handoff-facts.url = \"git+file:///y\"; outputs = _: { }; }\n",
                        "hosts/edge-remote/configuration.nix",
                        "{ secrets, ... }: { sops.defaultSopsFile = \"${secrets}/hosts/edge-remote.yaml\"; }\n"));
        String verified = commit(run.resolve("secrets"), Map.of("hosts/edge-remote.yaml", "token: ENC[verified]\n"));
        String seenAt = prepare(place, run, pushed, verified, "{}");
        place.stage("edge-remote", run);

        // When
        BuildPlace.Outcome outcome = place.run(
                "edge-remote",
                List.of("colmena", "eval", "-E", "{ nodes, ... }: builtins.mapAttrs (n: v: v) nodes"),
                seenAt + "/deploy",
                Map.of(),
                Duration.ofMinutes(1),
                line -> {});

        // Then
        assertThat(outcome.exitCode()).as(outcome.output()).isZero();
        assertThat(outcome.output())
                .containsPattern("\\{\"edge-remote\":\"/nix/store/[a-z0-9]{32}-nixos-system-edge-remote-");
    }

    /**
     * Prepares the run folder {@code run} of host {@code edge-remote} as converge-service does (deploy flake, ssh
     * files) for {@code place}; returns where the build host sees it.
     */
    private static String prepare(BuildPlace.Remote place, Path run, String pushed, String verified, String facts)
            throws Exception {
        String seenAt = place.seenAt("edge-remote", run);
        DeployFlake.prepare(
                run,
                seenAt,
                pushed,
                verified,
                Map.of("edge-remote", facts.getBytes(StandardCharsets.UTF_8)),
                "edge-remote");
        Files.createDirectories(run.resolve("ssh"));
        Files.writeString(run.resolve("ssh").resolve("ssh_config"), "Host edge-remote\n");
        return seenAt;
    }

    private BuildPlace.Remote place(String buildDir) {
        SshjHosts ssh = new SshjHosts(
                runner.privateKeyFile(),
                AddressMap.parse(BUILD_HOST + "=127.0.0.1:" + host.port(), "test"),
                HostKeyPins.inMemory(),
                FirstContact.PIN,
                Duration.ofSeconds(10));
        return new BuildPlace.Remote(ssh, host.user(), BUILD_HOST, buildDir);
    }

    private static String commit(Path repo, Map<String, String> files) throws Exception {
        return TestRepositories.commit(repo, files, "test");
    }
}
