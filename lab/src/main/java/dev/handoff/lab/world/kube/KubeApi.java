package dev.handoff.lab.world.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;

/**
 * The Kubernetes API of a simulated K3s server: fabric8's mock server in CRUD mode on loopback, behind a TLS front
 * ({@link ClientCertificateGate}) on {@code 127.0.0.1} that authenticates clients as kube-apiserver does. It serves a
 * certificate signed by a server CA with the names K3s's carries ({@link K3sServingCertificate}, {@code localhost}
 * among them) and makes the admin's client certificate and key for the kubeconfig, as K3s writes it. Clients verify
 * the server against the kubeconfig's CA; the API admits only the admin's client certificate (no certificate: 401
 * Unauthorized; another one: the TLS handshake fails). The world's own client ({@link #admin()}) talks to the mock
 * server directly.
 */
public final class KubeApi implements AutoCloseable {
    /** The name clients of the lab connect to: K3s's serving certificate always names it. */
    public static final String SERVER_NAME = "localhost";

    /** The mock web server logs every request at INFO through java.util.logging: only its warnings matter here. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = quiet("io.fabric8.mockwebserver");

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.WARNING);
        return logger;
    }

    private final KubernetesMockServer server;
    private final ClientCertificateGate gate;
    private final SharedKubeFront front;
    private final String caPem;
    private final String clientCertPem;
    private final String clientKeyPem;
    private final SelfSignedCertificate untrusted;
    private final KubernetesClient admin;

    private KubeApi(
            KubernetesMockServer server,
            ClientCertificateGate gate,
            String caPem,
            String clientCertPem,
            String clientKeyPem) {
        this.server = server;
        this.gate = gate;
        this.front = null;
        this.caPem = caPem;
        this.clientCertPem = clientCertPem;
        this.clientKeyPem = clientKeyPem;
        this.untrusted = SelfSignedCertificate.create("system:admin");
        this.admin = server.createClient();
    }

    /** One host's API behind the fleet's shared front: its own objects, CA and serving certificate. */
    KubeApi(SharedKubeFront front, String caPem, String clientCertPem, String clientKeyPem, KubernetesClient admin) {
        this.server = null;
        this.gate = null;
        this.front = front;
        this.caPem = caPem;
        this.clientCertPem = clientCertPem;
        this.clientKeyPem = clientKeyPem;
        this.untrusted = front.untrusted();
        this.admin = admin;
    }

    /** Starts the API on {@code 127.0.0.1:port} (0: any free port) with a serving certificate for no declared name. */
    public static KubeApi start(int port) {
        return start(port, K3sServingCertificate.issue("localhost", List.of(), List.of()));
    }

    /**
     * Starts the API on {@code 127.0.0.1:port} (0: any free port) serving {@code serving}; its CA is the kubeconfig's
     * {@code certificate-authority-data}.
     */
    static KubeApi start(int port, K3sServingCertificate serving) {
        KubernetesMockServer server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(List.of()), false);
        SelfSignedCertificate client = SelfSignedCertificate.create("system:admin");
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
            String cert = Files.readString(Path.of(client.certificatePath()), StandardCharsets.US_ASCII);
            String key = Files.readString(Path.of(client.privateKeyPath()), StandardCharsets.US_ASCII);
            ClientCertificateGate gate = ClientCertificateGate.start(
                    port,
                    serving.key(),
                    new X509Certificate[] {serving.certificate(), serving.ca()},
                    Pem.certificate(cert),
                    server.getPort());
            return new KubeApi(server, gate, serving.caPem(), cert, key);
        } catch (IOException e) {
            server.destroy();
            throw new UncheckedIOException("cannot start the simulated Kubernetes API", e);
        } finally {
            client.delete();
        }
    }

    /** The port the API listens on (on 127.0.0.1). */
    public int port() {
        return front != null ? front.port() : gate.port();
    }

    /** Whether it is one host's API behind the fleet's shared front. */
    boolean fronted() {
        return front != null;
    }

    /** The world's own client (the deploy controller and the kubelet use it). */
    public KubernetesClient admin() {
        return admin;
    }

    /** The CA certificate (PEM) clients verify the server with. */
    public String caPem() {
        return caPem;
    }

    /**
     * {@code /etc/rancher/k3s/k3s.yaml} as K3s writes it: server {@code https://127.0.0.1:6443}, the CA, the admin's
     * client certificate and key (private key material: it stays on the host, 0600).
     */
    public String kubeconfig() {
        return kubeconfig(clientCertPem, clientKeyPem);
    }

    /**
     * A kubeconfig like {@link #kubeconfig()} whose client certificate and key are another {@code system:admin}'s,
     * which the API does not trust (as a stale kubeconfig after K3s's client CA was replaced).
     */
    public String untrustedKubeconfig() {
        try {
            return kubeconfig(
                    Files.readString(Path.of(untrusted.certificatePath()), StandardCharsets.US_ASCII),
                    Files.readString(Path.of(untrusted.privateKeyPath()), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the lab's untrusted client certificate", e);
        }
    }

    private String kubeconfig(String clientCertPem, String clientKeyPem) {
        Base64.Encoder b64 = Base64.getEncoder();
        return "apiVersion: v1\n"
                + "clusters:\n"
                + "- cluster:\n"
                + "    certificate-authority-data: " + b64.encodeToString(caPem.getBytes(StandardCharsets.US_ASCII))
                + "\n"
                + "    server: https://127.0.0.1:6443\n"
                + "  name: default\n"
                + "contexts:\n"
                + "- context:\n"
                + "    cluster: default\n"
                + "    user: default\n"
                + "  name: default\n"
                + "current-context: default\n"
                + "kind: Config\n"
                + "preferences: {}\n"
                + "users:\n"
                + "- name: default\n"
                + "  user:\n"
                + "    client-certificate-data: "
                + b64.encodeToString(clientCertPem.getBytes(StandardCharsets.US_ASCII)) + "\n"
                + "    client-key-data: " + b64.encodeToString(clientKeyPem.getBytes(StandardCharsets.US_ASCII))
                + "\n";
    }

    /** The base64 body lines of the client key, for tests that prove it never leaves the host. */
    public List<String> clientKeyLines() {
        return clientKeyPem.lines().filter(l -> !l.startsWith("-----")).toList();
    }

    @Override
    public void close() {
        admin.close();
        if (front != null) {
            return;
        }
        gate.close();
        server.destroy();
        untrusted.delete();
    }
}
