package dev.handoff.workload.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestsTest {
    @Test
    void theLabsRustdeskManifestDeclaresTheNamespaceAndTwoHostNetworkDeployments() throws Exception {
        // When
        List<DeclaredObject> objects = Manifests.parse("rustdesk.yaml", rustdesk());

        // Then
        assertThat(objects)
                .extracting(DeclaredObject::subject)
                .containsExactly("Namespace/rustdesk", "Deployment/rustdesk/hbbs", "Deployment/rustdesk/hbbr");
        DeclaredObject hbbs = objects.get(1);
        assertThat(hbbs.hostNetwork()).isTrue();
        assertThat(hbbs.image()).isEqualTo("docker.io/rustdesk/rustdesk-server:1.1.14");
        assertThat(hbbs.hostPaths()).containsEntry("data", "/var/lib/rustdesk");
        assertThat(hbbs.exposedPorts())
                .extracting(p -> p.port() + "/" + p.protocol())
                .containsExactly("21115/TCP", "21116/TCP", "21116/UDP", "21118/TCP");
        assertThat(hbbs.selector()).containsEntry("app.kubernetes.io/name", "hbbs");
    }

    @Test
    void aNamespacedObjectWithoutNamespaceIsInDefaultAndPortsWithoutHostNetworkAreNotExposed() throws Exception {
        // When
        List<DeclaredObject> objects = Manifests.parse(
                "web.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
                        + "      containers:\n      - name: web\n        image: nginx\n        ports:\n"
                        + "        - {containerPort: 80}\n        - {containerPort: 443, hostPort: 8443}\n---\n");

        // Then
        DeclaredObject web = objects.get(0);
        assertThat(web.namespace()).isEqualTo("default");
        assertThat(web.replicas()).isEqualTo(1);
        assertThat(web.exposedPorts()).extracting(DeclaredObject.Port::port).containsExactly(8443);
    }

    @Test
    void aDocumentWithoutKindIsRefusedNamingFileAndDocument() {
        assertThatThrownBy(() -> Manifests.parse(
                        "bad.yaml",
                        "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"
                                + "---\napiVersion: v1\nmetadata: {name: b}\n"))
                .isInstanceOf(Manifests.InvalidManifestException.class)
                .hasMessageContaining("bad.yaml, document 2");
    }

    static String rustdesk() throws IOException {
        try (InputStream in = ManifestsTest.class
                .getClassLoader()
                .getResourceAsStream("lab/repos/nix-k3s-edge-cluster/manifests/rustdesk.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
