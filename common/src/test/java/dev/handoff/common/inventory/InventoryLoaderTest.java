package dev.handoff.common.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.common.event.Stage;
import dev.handoff.common.inventory.Inventory.Role;
import org.junit.jupiter.api.Test;

class InventoryLoaderTest {
    static final String VALID = """
            repositories:
              ops/edge-cluster-infra:     { url: https://forge.lan/ops/edge-cluster-infra.git, branch: main, starts: infra }
              ops/infrastructure-secrets: { url: https://forge.lan/ops/infrastructure-secrets.git, branch: main, starts: secrets }
              ops/nix-k3s-edge-cluster:   { url: https://forge.lan/ops/nix-k3s-edge-cluster.git, starts: converge }
            hosts:
              cloud-edge-1:
                role: edge
                repositories: [ops/edge-cluster-infra, ops/infrastructure-secrets, ops/nix-k3s-edge-cluster]
                cloud: { provider: oci, region: eu-frankfurt-1, instance: ocid1.instance.x, compartment: ocid1.compartment.x }
                access:
                  bootstrap: { user: root, address: cloud:publicIp }
                  steady:    { user: root, address: cloud-edge-1.tailnet.ts.net }
                secrets:   { files: [hosts/cloud-edge-1.yaml], recipient: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p, required: [tailscale/auth_key] }
                workloads: [rustdesk]
                backups:   [runtime, infra-state]
              forgejo-pi:
                role: control
                repositories: [ops/infrastructure-secrets]
                backups:   [control-plane]
            """;

    @Test
    void readsRepositoriesAndHostsInFileOrder() {
        // When
        Inventory inventory = InventoryLoader.parse("handoff.yaml", VALID);

        // Then
        assertThat(inventory.repositories().keySet())
                .containsExactly("ops/edge-cluster-infra", "ops/infrastructure-secrets", "ops/nix-k3s-edge-cluster");
        assertThat(inventory
                        .repository("ops/nix-k3s-edge-cluster")
                        .orElseThrow()
                        .branch())
                .as("branch defaults to main")
                .isEqualTo("main");
        assertThat(inventory.repository("ops/edge-cluster-infra").orElseThrow().starts())
                .isEqualTo(Stage.INFRA);
        assertThat(inventory.hostsUsing("ops/infrastructure-secrets"))
                .extracting(Inventory.Host::name)
                .containsExactly("cloud-edge-1", "forgejo-pi");
        Inventory.Host edge = inventory.hosts().get("cloud-edge-1");
        assertThat(edge.role()).isEqualTo(Role.EDGE);
        assertThat(edge.access().orElseThrow().bootstrap().address()).isEqualTo("cloud:publicIp");
        assertThat(edge.secrets().orElseThrow().required()).containsExactly("tailscale/auth_key");
        assertThat(inventory.hosts().get("forgejo-pi").cloud()).isEmpty();
    }

    @Test
    void namesLineAndFieldOfEveryProblem() {
        // Given
        String broken = VALID.replace("starts: secrets", "starts: secret")
                .replace("role: control", "role: controller")
                .replace("backups:   [runtime, infra-state]", "backups:   [runtime, infra-state]\n    colour: blue");

        // When / Then
        assertThatThrownBy(() -> InventoryLoader.parse("handoff.yaml", broken))
                .isInstanceOf(InventoryException.class)
                .satisfies(e -> assertThat(((InventoryException) e).problems())
                        .containsExactlyInAnyOrder(
                                "handoff.yaml:3: repositories.ops/infrastructure-secrets.starts: 'secret' is not a"
                                        + " stage; use one of infra, secrets, converge, workload, backup",
                                "handoff.yaml:16: hosts.cloud-edge-1.colour: unknown field; allowed here: access,"
                                        + " backups, cloud, onDrift, repositories, role, secrets, system, workloads",
                                "handoff.yaml:18: hosts.forgejo-pi.role: 'controller' is not a role; use edge or"
                                        + " control"));
    }

    @Test
    void onDriftIsReportUnlessTheHostSaysReconverge() {
        // Given
        String reconverge =
                VALID.replace("    workloads: [rustdesk]\n", "    workloads: [rustdesk]\n    onDrift: reconverge\n");

        // When
        Inventory inventory = InventoryLoader.parse("handoff.yaml", reconverge);

        // Then
        assertThat(inventory.hosts().get("cloud-edge-1").onDrift()).isEqualTo(Inventory.OnDrift.RECONVERGE);
        assertThat(inventory.hosts().get("forgejo-pi").onDrift()).isEqualTo(Inventory.OnDrift.REPORT);
    }

    @Test
    void anUnknownOnDriftNamesTheHostAndTheAllowedValues() {
        // Given
        String broken = VALID.replace("    workloads: [rustdesk]\n", "    workloads: [rustdesk]\n    onDrift: fix\n");

        // When / Then
        assertThatThrownBy(() -> InventoryLoader.parse("handoff.yaml", broken))
                .isInstanceOf(InventoryException.class)
                .hasMessageContaining("handoff.yaml:15: hosts.cloud-edge-1.onDrift: 'fix' is not what to do when host"
                        + " cloud-edge-1 drifted; use report")
                .hasMessageContaining("or reconverge");
    }

    @Test
    void refusesBadRecipientMissingFieldsAndUnknownRepository() {
        // Given
        String broken = VALID.replace("age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p", "age1short")
                .replace("    role: edge\n", "")
                .replace("[ops/infrastructure-secrets]", "[ops/unknown]");

        // When / Then
        assertThatThrownBy(() -> InventoryLoader.parse("handoff.yaml", broken))
                .isInstanceOf(InventoryException.class)
                .hasMessageContaining("hosts.cloud-edge-1.role: is missing; it is required")
                .hasMessageContaining("hosts.cloud-edge-1.secrets.recipient: is not an age recipient")
                .hasMessageContaining("'ops/unknown' is not listed under 'repositories:'");
    }

    @Test
    void readsTheListedStacksOfARepositoryInTheListedOrder() {
        // Given
        String listed = VALID.replace(
                "branch: main, starts: infra }",
                "branch: main, starts: infra, stacks: [stacks/network, stacks/compute/, .] }");

        // When
        Inventory inventory = InventoryLoader.parse("handoff.yaml", listed);

        // Then
        assertThat(inventory.repository("ops/edge-cluster-infra").orElseThrow().stacks())
                .containsExactly("stacks/network", "stacks/compute", ".");
        assertThat(inventory
                        .repository("ops/infrastructure-secrets")
                        .orElseThrow()
                        .stacks())
                .as("not listed")
                .isEmpty();
    }

    @Test
    void refusesAbsoluteEscapingAndDuplicateStackDirectoriesNamingLineAndField() {
        // Given
        String broken = VALID.replace(
                        "branch: main, starts: infra }",
                        "branch: main, starts: infra, stacks: [/etc/tofu, ../other, stacks/a, stacks/a/] }")
                .replace("branch: main, starts: secrets }", "branch: main, starts: secrets, stacks: stacks/b }");

        // When / Then
        assertThatThrownBy(() -> InventoryLoader.parse("handoff.yaml", broken))
                .isInstanceOf(InventoryException.class)
                .satisfies(e -> assertThat(((InventoryException) e).problems())
                        .containsExactlyInAnyOrder(
                                "handoff.yaml:2: repositories.ops/edge-cluster-infra.stacks: '/etc/tofu' is not a"
                                        + " relative path; write the directory relative to the repository root,"
                                        + " e.g. stacks/network",
                                "handoff.yaml:2: repositories.ops/edge-cluster-infra.stacks: '../other' leaves the"
                                        + " repository ('..'); list a directory inside it",
                                "handoff.yaml:2: repositories.ops/edge-cluster-infra.stacks: 'stacks/a/' is listed"
                                        + " twice; list each stack once",
                                "handoff.yaml:3: repositories.ops/infrastructure-secrets.stacks: must be a list,"
                                        + " e.g. [stacks/network, stacks/compute]"));
    }

    @Test
    void aListOfContractNamesStaysValidWithDefaultsButUnconfigured() {
        // When
        Inventory.Host edge =
                InventoryLoader.parse("handoff.yaml", VALID).hosts().get("cloud-edge-1");

        // Then
        assertThat(edge.backups()).containsExactly("runtime", "infra-state");
        Inventory.BackupContract runtime = edge.backup("runtime").orElseThrow();
        assertThat(runtime.configured()).isFalse();
        assertThat(runtime.paths()).containsExactly("/var/lib/rustdesk", "/var/lib/rancher/k3s/server/token");
        assertThat(runtime.maxAge()).isEqualTo(java.time.Duration.ofHours(26));
        assertThat(edge.backup("infra-state").orElseThrow().maxAge()).isEqualTo(java.time.Duration.ofDays(8));
    }

    @Test
    void readsConfiguredContractsInFileOrder() {
        // Given
        String configured = VALID.replace("    backups:   [runtime, infra-state]\n", """
                    backups:
                      runtime:
                        repository: /srv/restic/runtime
                        passwordFile: /etc/handoff/restic/runtime.password
                        paths: [/var/lib/rustdesk, /var/lib/rancher/k3s/server/token]
                        maxAge: 26h
                        checkEvery: 7d
                        checkSubset: 1/10
                      infra-state: { archives: /srv/offsite/state-archives, states: /var/lib/handoff-infra/states, maxAge: 8d }
                """);

        // When
        Inventory.Host edge =
                InventoryLoader.parse("handoff.yaml", configured).hosts().get("cloud-edge-1");

        // Then
        assertThat(edge.backups()).containsExactly("runtime", "infra-state");
        Inventory.BackupContract runtime = edge.backup("runtime").orElseThrow();
        assertThat(runtime.configured()).isTrue();
        assertThat(runtime.repository()).contains("/srv/restic/runtime");
        assertThat(runtime.passwordFile()).contains("/etc/handoff/restic/runtime.password");
        assertThat(runtime.checkEvery()).isEqualTo(java.time.Duration.ofDays(7));
        assertThat(runtime.checkSubset()).isEqualTo("1/10");
        assertThat(runtime.verify())
                .as("default: the token and RustDesk's key pair")
                .containsExactly(
                        "/var/lib/rancher/k3s/server/token",
                        "/var/lib/rustdesk/id_ed25519",
                        "/var/lib/rustdesk/id_ed25519.pub");
        Inventory.BackupContract infra = edge.backup("infra-state").orElseThrow();
        assertThat(infra.archives()).contains("/srv/offsite/state-archives");
        assertThat(infra.states()).contains("/var/lib/handoff-infra/states");
        assertThat(infra.maxAge()).isEqualTo(java.time.Duration.ofDays(8));
    }

    @Test
    void refusesCredentialsInARepositoryUrlAndBadContractSettingsNamingLineAndField() {
        // Given
        String broken = VALID.replace("    backups:   [runtime, infra-state]\n", """
                    backups:
                      runtime:
                        repository: rest:https://user:hunter2@backup.example/runtime/
                        paths: [var/lib/rustdesk]
                        maxAge: soon
                        checkSubset: 11/10
                      infra-state: { archives: /srv/a }
                      nightly: { repository: /srv/x }
                """);

        // When / Then
        assertThatThrownBy(() -> InventoryLoader.parse("handoff.yaml", broken))
                .isInstanceOf(InventoryException.class)
                .satisfies(e -> assertThat(((InventoryException) e).problems())
                        .containsExactlyInAnyOrder(
                                "handoff.yaml:17: hosts.cloud-edge-1.backups.runtime.repository: holds credentials"
                                        + " (user:password@); put the URL in a file readable by the runner only and"
                                        + " name that file in repositoryFile",
                                "handoff.yaml:17: hosts.cloud-edge-1.backups.runtime.passwordFile: is missing; it is"
                                        + " required",
                                "handoff.yaml:18: hosts.cloud-edge-1.backups.runtime.paths: 'var/lib/rustdesk' is not"
                                        + " an absolute path of plain characters (letters, digits, / . _ - + @), e.g."
                                        + " /var/lib/rustdesk",
                                "handoff.yaml:19: hosts.cloud-edge-1.backups.runtime.maxAge: 'soon' is not a duration;"
                                        + " write a number and a unit: 90s, 30m, 26h, 7d, 2w",
                                "handoff.yaml:20: hosts.cloud-edge-1.backups.runtime.checkSubset: '11/10' is not a"
                                        + " share of the data; write n/t (1/10) or a percentage (25%)",
                                "handoff.yaml:21: hosts.cloud-edge-1.backups.infra-state.states: is missing; it is"
                                        + " required",
                                "handoff.yaml:22: hosts.cloud-edge-1.backups.nightly: 'nightly' is not a recovery"
                                        + " contract; use control-plane, runtime or infra-state"))
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void reportsYamlSyntaxErrorsWithLine() {
        assertThatThrownBy(() -> InventoryLoader.parse("handoff.yaml", "repositories:\n  a: [\n"))
                .isInstanceOf(InventoryException.class)
                .hasMessageMatching("(?s).*handoff.yaml:\\d+: not valid YAML.*");
        assertThatThrownBy(() -> InventoryLoader.parse("handoff.yaml", "")).hasMessageContaining("the file is empty");
    }

    @Test
    void readsTheHostKeyFingerprintAHostsAccessRequires() {
        // Given
        String pinned = VALID.replace(
                "      steady:    { user: root, address: cloud-edge-1.tailnet.ts.net }\n",
                "      steady:    { user: root, address: cloud-edge-1.tailnet.ts.net }\n"
                        + "      hostKey:   SHA256:/UTVGWR1feIqqbwDWDGrSNNcFV8OYqFhsgH4MToi4Uo\n");

        // When
        Inventory inventory = InventoryLoader.parse("handoff.yaml", pinned);

        // Then
        assertThat(inventory.hosts().get("cloud-edge-1").access().orElseThrow().requiredHostKey())
                .contains("SHA256:/UTVGWR1feIqqbwDWDGrSNNcFV8OYqFhsgH4MToi4Uo");
    }

    @Test
    void refusesAHostKeyThatIsNotASha256FingerprintNamingLineAndField() {
        // Given
        String broken = VALID.replace(
                "      steady:    { user: root, address: cloud-edge-1.tailnet.ts.net }\n",
                "      steady:    { user: root, address: cloud-edge-1.tailnet.ts.net }\n"
                        + "      hostKey:   MD5:0b:7e:1c:52\n");

        // When / Then
        assertThatThrownBy(() -> InventoryLoader.parse("handoff.yaml", broken))
                .isInstanceOf(InventoryException.class)
                .satisfies(e -> assertThat(((InventoryException) e).problems())
                        .containsExactly("handoff.yaml:13: hosts.cloud-edge-1.access.hostKey: 'MD5:0b:7e:1c:52' is not"
                                + " a host key fingerprint: it must be SHA256: followed by 43 base64 characters, as"
                                + " `ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub` prints it"));
    }
}
