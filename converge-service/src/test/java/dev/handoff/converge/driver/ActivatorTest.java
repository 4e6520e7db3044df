package dev.handoff.converge.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The activator's command lines, as Colmena and nixos-rebuild take them. */
class ActivatorTest {
    private final Activator colmena = new Activator(Activator.Kind.COLMENA, "colmena", "nix", Duration.ofMinutes(1));
    private final Activator rebuild =
            new Activator(Activator.Kind.NIXOS_REBUILD, "nixos-rebuild", "nix", Duration.ofMinutes(1));

    @Test
    void colmenaEvaluatesEveryNodeOnceBuildsThenSwitchesOneHost() {
        assertThat(colmena.evaluate(java.util.List.of("edge-b", "edge-a")))
                .containsExactly(
                        "colmena",
                        "eval",
                        "-E",
                        "{ nodes, ... }: builtins.mapAttrs (name: node: node.config.system.build.toplevel.drvPath)"
                                + " (builtins.intersectAttrs { \"edge-a\" = null; \"edge-b\" = null; } nodes)");
        assertThat(colmena.build("cloud-edge-1", "root", false))
                .containsExactly("colmena", "build", "--on", "cloud-edge-1");
        assertThat(colmena.commandLine("cloud-edge-1", "root", true))
                .containsExactly("colmena", "apply", "--on", "cloud-edge-1", "--build-on-target", "switch");
        assertThat(colmena.environment("/runs/cloud-edge-1/ssh/ssh_config"))
                .containsEntry("SSH_CONFIG_FILE", "/runs/cloud-edge-1/ssh/ssh_config");
    }

    @Test
    void nixosRebuildEvaluatesWithNixAndSwitchesWithSudoForAnotherUserAndBuildsOnTheTarget() {
        assertThat(rebuild.evaluate("cloud-edge-1"))
                .startsWith("nix", "--extra-experimental-features", "nix-command flakes", "eval", "--json")
                .contains(".#nixosConfigurations")
                .last()
                .asString()
                .contains("\"cloud-edge-1\"");
        assertThat(rebuild.build("cloud-edge-1", "deploy", true))
                .containsExactly(
                        "nixos-rebuild", "build", "--flake", ".#cloud-edge-1", "--build-host", "deploy@cloud-edge-1");
        assertThat(rebuild.builtPath()).containsExactly("readlink", "-f", "result");
        assertThat(rebuild.commandLine("cloud-edge-1", "deploy", false))
                .containsExactly(
                        "nixos-rebuild",
                        "switch",
                        "--flake",
                        ".#cloud-edge-1",
                        "--target-host",
                        "deploy@cloud-edge-1",
                        "--use-remote-sudo");
        assertThat(rebuild.commandLine("cloud-edge-1", "root", false)).doesNotContain("--use-remote-sudo");
        assertThat(rebuild.environment("/x/ssh_config")).containsEntry("NIX_SSHOPTS", "-F /x/ssh_config");
    }
}
