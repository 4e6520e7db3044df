package dev.handoff.lab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.Stage;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.inventory.InventoryLoader;
import dev.handoff.lab.forge.LabForge;
import dev.handoff.lab.forge.LabRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabInventoryTest {

    @TempDir
    Path home;

    @Test
    void labInventoryNamesTheForgesRepositoriesAndBothHostsAndPassesValidation() throws Exception {
        // Given
        LabHome labHome = new LabHome(home);
        LabForge forge = labHome.labForge();

        // When
        LabInventory.write(labHome.inventory(), forge.forgeUrl());
        Inventory inventory = InventoryLoader.load(labHome.inventory());

        // Then
        assertThat(Files.readString(labHome.inventory())).doesNotContain(LabInventory.FORGE_PLACEHOLDER);
        assertThat(inventory.repositories().keySet())
                .containsExactly(
                        "ops/edge-cluster-infra",
                        "ops/infrastructure-secrets",
                        "ops/nix-k3s-edge-cluster",
                        "ops/infrastructure-nixos");
        for (LabRepository repository : LabRepository.ALL) {
            Inventory.Repository configured =
                    inventory.repository(repository.fullName()).orElseThrow();
            assertThat(configured.url()).isEqualTo(forge.cloneUrl(repository)).startsWith("file:///");
            assertThat(configured.branch()).isEqualTo("main");
            assertThat(configured.starts()).isEqualTo(repository.starts());
        }
        assertThat(inventory
                        .repository("ops/infrastructure-nixos")
                        .orElseThrow()
                        .starts())
                .isEqualTo(Stage.CONVERGE);

        Inventory.Host edge = inventory.hosts().get("cloud-edge-1");
        assertThat(edge.role()).isEqualTo(Inventory.Role.EDGE);
        assertThat(edge.repositories())
                .containsExactly("ops/edge-cluster-infra", "ops/infrastructure-secrets", "ops/nix-k3s-edge-cluster");
        assertThat(edge.cloud().orElseThrow())
                .isEqualTo(new Inventory.Cloud(
                        "oci",
                        "eu-frankfurt-1",
                        "ocid1.instance.oc1.eu-frankfurt-1.lab",
                        "ocid1.compartment.oc1..lab"));
        assertThat(edge.access().orElseThrow().bootstrap()).isEqualTo(new Inventory.Endpoint("root", "cloud:publicIp"));
        assertThat(edge.access().orElseThrow().steady())
                .isEqualTo(new Inventory.Endpoint("root", "cloud-edge-1.tailnet.ts.net"));
        Inventory.HostSecrets secrets = edge.secrets().orElseThrow();
        assertThat(secrets.files()).containsExactly("hosts/cloud-edge-1.yaml");
        assertThat(secrets.recipient()).startsWith("age1").hasSize(62);
        assertThat(secrets.required()).containsExactly("tailscale/auth_key", "restic/password");
        assertThat(edge.workloads()).containsExactly("rustdesk");
        assertThat(edge.backups()).containsExactly("runtime", "infra-state");

        Inventory.Host control = inventory.hosts().get("forgejo-pi");
        assertThat(control.role()).isEqualTo(Inventory.Role.CONTROL);
        assertThat(control.repositories()).containsExactly("ops/infrastructure-secrets", "ops/infrastructure-nixos");
        assertThat(control.backups()).isEqualTo(List.of("control-plane"));
        assertThat(control.cloud()).isEmpty();
        assertThat(control.access().orElseThrow().bootstrap()).isNull();
        assertThat(control.access().orElseThrow().steady())
                .isEqualTo(new Inventory.Endpoint("root", "forgejo-pi.tailnet.ts.net"));
        Inventory.BackupContract controlPlane = control.backup("control-plane").orElseThrow();
        assertThat(controlPlane.repository()).contains("restic/repos/control-plane");
        assertThat(controlPlane.passwordFile()).contains("restic/credentials/control-plane.password");
        assertThat(controlPlane.paths()).isEqualTo(Inventory.BackupContract.defaultPaths("control-plane"));
        assertThat(controlPlane.configured()).isTrue();
        assertThat(controlPlane.maxAge()).isEqualTo(java.time.Duration.ofHours(26));
        assertThat(inventory.hostsUsing("ops/infrastructure-secrets"))
                .extracting(Inventory.Host::name)
                .containsExactly("cloud-edge-1", "forgejo-pi");
    }

    @Test
    void hostRecipientIsTheOneTheSecretsRepositoryEncryptsTo() throws Exception {
        // Given
        LabHome labHome = new LabHome(home);
        LabForge forge = labHome.labForge();
        LabRepository secretsRepo =
                LabRepository.byFullName("ops/infrastructure-secrets").orElseThrow();
        forge.ensure(secretsRepo);

        // When
        String recipient = InventoryLoader.parse("lab", LabInventory.render(forge.forgeUrl()))
                .hosts()
                .get("cloud-edge-1")
                .secrets()
                .orElseThrow()
                .recipient();

        // Then
        assertThat(Files.readString(forge.workingCopy(secretsRepo).resolve(".sops.yaml")))
                .contains("hosts/cloud-edge-1")
                .contains(recipient);
    }
}
