package dev.handoff.converge.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.serde.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy flake evaluated by real Nix (Debian's nix-bin, Nix 2.8, offline: no input leaves this machine): what
 * converge-service prepares is what Nix sees. The runtime flake reads the facts and the secrets file through the two
 * inputs Handoff pins, and {@code self.rev} is the pushed commit (the configuration-revision check depends on it).
 */
class DeployFlakeNixTest {
    private static final String RUNTIME_FLAKE = """
            {
              inputs.handoff-facts.url = "git+file:///var/empty/handoff-facts";
              inputs.secrets = { url = "git+file:///var/empty/secrets"; flake = false; };
              outputs = { self, handoff-facts, secrets, ... }: {
                probe = {
                  rev = self.rev or "dirty";
                  facts = builtins.fromJSON (builtins.readFile "${handoff-facts}/hosts/cloud-edge-1/handoff.json");
                  secretsFile = builtins.readFile "${secrets}/hosts/cloud-edge-1.yaml";
                  untracked = builtins.pathExists ./hosts/cloud-edge-1/handoff.json;
                };
              };
            }
            """;

    @TempDir
    Path dir;

    @BeforeAll
    static void nixIsInstalled() {
        assertThat(Path.of("/usr/bin/nix"))
                .as("Nix is needed for this test: apt-get install -y nix-bin (.ci/run installs it)")
                .exists();
    }

    @Test
    void nixSeesTheFactsTheVerifiedSecretsCommitAndTheRuntimeCommitAsSelfRev() throws Exception {
        // Given: a secrets repository with the verified commit and a later, unverified one
        Path run = dir.resolve("runs").resolve("cloud-edge-1");
        Path secrets = run.resolve("secrets");
        String verified = commit(secrets, Map.of("hosts/cloud-edge-1.yaml", "tailscale: ENC[verified]\n"), "verified");
        commit(secrets, Map.of("hosts/cloud-edge-1.yaml", "tailscale: ENC[not verified yet]\n"), "later");
        Path runtime = run.resolve("runtime");
        String pushed = commit(runtime, Map.of("flake.nix", RUNTIME_FLAKE), "runtime");
        // an untracked facts file in the checkout, as converge-service wrote it before: Nix must not rely on it
        Files.createDirectories(runtime.resolve("hosts/cloud-edge-1"));
        Files.writeString(runtime.resolve("hosts/cloud-edge-1/handoff.json"), "{}");
        byte[] facts = "{\"host\":\"cloud-edge-1\",\"cloud\":{\"publicIp\":\"203.0.113.10\"}}"
                .getBytes(StandardCharsets.UTF_8);

        // When
        DeployFlake.Prepared prepared = DeployFlake.prepare(
                run, run.toString(), pushed, verified, Map.of("cloud-edge-1", facts), "cloud-edge-1");
        JsonNode probe = nixEval(prepared.deploy(), "probe");

        // Then
        assertThat(probe.path("rev").asText()).isEqualTo(pushed);
        assertThat(probe.path("facts").path("cloud").path("publicIp").asText()).isEqualTo("203.0.113.10");
        assertThat(probe.path("secretsFile").asText()).isEqualTo("tailscale: ENC[verified]\n");
        assertThat(probe.path("untracked").asBoolean())
                .as("an untracked file of the checkout is invisible to a git+file flake")
                .isFalse();
        assertThat(prepared.factsSha256()).isEqualTo(DeployFlake.sha256(facts));
    }

    @Test
    void theSameFactsGiveTheSameRevisionSoHostsOfOneCommitShareOneEvaluation() throws Exception {
        // Given
        Map<String, byte[]> facts = Map.of(
                "cloud-edge-1", "{\"host\":\"cloud-edge-1\"}".getBytes(StandardCharsets.UTF_8),
                "cloud-edge-2", "{\"host\":\"cloud-edge-2\"}".getBytes(StandardCharsets.UTF_8));
        String runtime = "a".repeat(40);
        String secrets = "b".repeat(40);

        // When
        DeployFlake.Prepared one = DeployFlake.prepare(
                Files.createDirectories(dir.resolve("one")),
                "/build/cloud-edge-1",
                runtime,
                secrets,
                facts,
                "cloud-edge-1");
        DeployFlake.Prepared two = DeployFlake.prepare(
                Files.createDirectories(dir.resolve("two")),
                "/build/cloud-edge-2",
                runtime,
                secrets,
                facts,
                "cloud-edge-2");

        // Then
        assertThat(one.factsRevision()).isEqualTo(two.factsRevision());
        assertThat(Files.readString(one.deploy().resolve("flake.nix")))
                .contains("git+file:///build/cloud-edge-1/runtime?rev=" + runtime)
                .contains("git+file:///build/cloud-edge-1/secrets?rev=" + secrets)
                .contains("runtime.inputs.secrets.follows = \"secrets\"");
    }

    private static String commit(Path repo, Map<String, String> files, String message) throws Exception {
        return TestRepositories.commit(repo, files, message);
    }

    private JsonNode nixEval(Path flake, String attribute) throws IOException, InterruptedException {
        Path home = Files.createDirectories(dir.resolve("home"));
        ProcessBuilder builder = new ProcessBuilder(List.of(
                        "nix",
                        "--extra-experimental-features",
                        "nix-command flakes",
                        "eval",
                        "--json",
                        "git+file://" + flake + "#" + attribute))
                .redirectErrorStream(false);
        builder.environment().put("HOME", home.toString());
        builder.environment().put("XDG_CACHE_HOME", home.resolve("cache").toString());
        builder.environment().put("NIX_CONFIG", "substituters =\nexperimental-features = nix-command flakes");
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("nix eval failed: %s", err).isZero();
        return Json.mapper().readTree(out);
    }
}
