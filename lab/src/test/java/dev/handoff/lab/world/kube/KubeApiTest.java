package dev.handoff.lab.world.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulated K3s API authenticates clients by their certificate, as kube-apiserver does. */
class KubeApiTest {
    private KubeApi api;

    @BeforeEach
    void start() {
        api = KubeApi.start(0);
        api.admin()
                .namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("rustdesk")
                        .endMetadata()
                        .build())
                .create();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void theKubeconfigsClientCertificateIsAdmittedOverTlsCheckedAgainstItsCa() {
        try (KubernetesClient client = client(api.kubeconfig(), true)) {
            assertThat(client.namespaces().list().getItems())
                    .extracting(n -> n.getMetadata().getName())
                    .contains("rustdesk");
        }
    }

    @Test
    void aClientWithoutACertificateIsUnauthorized() {
        try (KubernetesClient anonymous = client(api.kubeconfig(), false)) {
            KubernetesClientException refused = catchThrowableOfType(
                    KubernetesClientException.class,
                    () -> anonymous.namespaces().list());
            assertThat(refused.getCode()).isEqualTo(401);
        }
    }

    @Test
    void aClientCertificateTheApiDoesNotTrustIsRefusedInTheHandshake() {
        try (KubernetesClient stale = client(api.untrustedKubeconfig(), true)) {
            KubernetesClientException refused = catchThrowableOfType(
                    KubernetesClientException.class, () -> stale.namespaces().list());
            assertThat(refused).as("a stale client certificate is refused").isNotNull();
            assertThat(causes(refused))
                    .anyMatch(t -> t instanceof javax.net.ssl.SSLException
                            || (t.getMessage() != null && t.getMessage().contains("certificate")));
        }
    }

    private static java.util.List<Throwable> causes(Throwable e) {
        java.util.List<Throwable> all = new java.util.ArrayList<>();
        for (Throwable t = e; t != null && !all.contains(t); t = t.getCause()) {
            all.add(t);
        }
        return all;
    }

    private KubernetesClient client(String kubeconfig, boolean withCertificate) {
        Config config = Config.fromKubeconfig(kubeconfig);
        config.setMasterUrl("https://" + KubeApi.SERVER_NAME + ":" + api.port());
        config.setRequestRetryBackoffLimit(0);
        if (!withCertificate) {
            config.setClientCertData(null);
            config.setClientKeyData(null);
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
