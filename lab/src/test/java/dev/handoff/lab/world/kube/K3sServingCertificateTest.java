package dev.handoff.lab.world.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.lab.world.nixos.LabSshIdentity;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.nixos.SimulatedNixosHost;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated K3s API serves a certificate with the names real K3s's carries, its {@code --tls-san} taken from the
 * lab runtime repository's configuration, so that a client checking the host name (workload-service does, against the
 * steady address) meets what it meets on a real host.
 */
class K3sServingCertificateTest {
    private static final String STEADY = "cloud-edge-1.tailnet.ts.net";

    @TempDir
    java.nio.file.Path dir;

    private SimulatedNixosHost host;
    private KubeWorld world;

    @BeforeEach
    void startTheWorld() {
        LabSshIdentity runner = LabSshIdentity.create(dir.resolve("runner").resolve("id_ecdsa"));
        host = SimulatedNixosHost.start(new NixosNode("cloud-edge-1", dir.resolve("root")), runner.publicKey(), 0, 0);
        world = KubeWorld.start(dir.resolve("kube"), host, runner.privateKeyFile(), STEADY, Duration.ofMillis(50));
    }

    @AfterEach
    void stop() {
        world.close();
        host.close();
    }

    @Test
    void theLabRuntimeDeclaresTheSteadyAddressAsATlsSan() {
        // When
        K3sServerFlags flags = K3sServerFlags.ofLabHost("cloud-edge-1");

        // Then
        assertThat(flags.tlsSans()).containsExactly(STEADY);
        assertThat(flags.nodeName()).contains("cloud-edge-1");
    }

    @Test
    void flagsAreReadRepeatedCommaSeparatedOrSpaceSeparatedButNotFromComments() {
        // When
        K3sServerFlags flags = K3sServerFlags.parse("""
                extraFlags = toString [
                  "--tls-san=a.example,10.0.0.7"
                  "--tls-san b.example"
                  # "--tls-san=commented.example"
                  "--node-name edge"
                ];
                """);

        // Then
        assertThat(flags.tlsSans()).containsExactly("a.example", "10.0.0.7", "b.example");
        assertThat(flags.nodeName()).isEqualTo(Optional.of("edge"));
    }

    @Test
    void theApiCertificateNamesWhatK3sNamesAndPassesAHostNameCheckOfTheSteadyAddressOnly() throws Exception {
        // When
        X509Certificate served = handshake(STEADY);

        // Then
        assertThat(served.getSubjectAlternativeNames())
                .extracting(name -> name.get(1).toString())
                .containsExactly(
                        STEADY,
                        "cloud-edge-1",
                        "localhost",
                        "127.0.0.1",
                        "0:0:0:0:0:0:0:1",
                        world.nodeAddress().getHostAddress(),
                        "kubernetes",
                        "kubernetes.default",
                        "kubernetes.default.svc",
                        "kubernetes.default.svc.cluster.local",
                        "10.43.0.1");
        assertThat(served.getSubjectX500Principal().getName()).isEqualTo("CN=k3s,O=k3s");
        assertThat(served.getIssuerX500Principal().getName()).startsWith("CN=k3s-server-ca@");
        assertThat(handshake("localhost")).isEqualTo(served);
        assertThatThrownBy(() -> handshake("edge-other.tailnet.ts.net"))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("edge-other.tailnet.ts.net");
    }

    @Test
    void aHostWithoutADeclarationGetsOnlyTheNamesK3sAlwaysAdds() {
        // When
        List<String> names = K3sServingCertificate.subjectAltNames(
                "edge-pull",
                K3sServerFlags.ofLabHost("edge-pull").tlsSans(),
                List.of(InetAddress.getLoopbackAddress()));

        // Then
        assertThat(names)
                .startsWith("DNS:edge-pull", "DNS:localhost", "IP:127.0.0.1")
                .doesNotContain("DNS:" + STEADY);
    }

    /** A TLS handshake with the API as a client that trusts the kubeconfig's CA and checks {@code name}. */
    private X509Certificate handshake(String name) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("k3s-server-ca", Pem.certificate(world.api().caPem()));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        try (Socket plain =
                        new Socket(InetAddress.getLoopbackAddress(), world.api().port());
                SSLSocket socket = (SSLSocket) tls.getSocketFactory()
                        .createSocket(plain, name, world.api().port(), true)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }
}
