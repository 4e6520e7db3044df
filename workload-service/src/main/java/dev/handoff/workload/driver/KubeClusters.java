package dev.handoff.workload.driver;

import dev.handoff.workload.driver.AddressMaps.HostPort;
import dev.handoff.workload.stage.InlineKubeconfig;
import dev.handoff.workload.stage.KubeEndpoint;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Base64;

/**
 * Builds a fabric8 client per host from the inline credentials of the host's kubeconfig: its CA, client certificate
 * and key are used as they are (the server is verified against the kubeconfig's CA, never trusted blindly); its
 * server, {@code 127.0.0.1} as K3s writes it, is replaced by the host's steady address and then looked up in the API
 * address map. fabric8 never sees the kubeconfig itself, nor this machine's {@code ~/.kube/config}, {@code KUBECONFIG}
 * or {@code kubernetes.*} properties: a kubeconfig from a host must not make this service run a command or read a
 * file. The kubeconfig is private key material: it is never logged, stored or put into a message.
 */
public final class KubeClusters {
    private final AddressMaps addresses;
    private final boolean verifyHostname;
    private final Duration timeout;

    public KubeClusters(AddressMaps addresses, boolean verifyHostname, Duration timeout) {
        this.addresses = addresses;
        this.verifyHostname = verifyHostname;
        this.timeout = timeout;
    }

    /**
     * A client for the host whose steady address is {@code address}.
     *
     * @param kubeconfig the kubeconfig's inline credentials
     * @param source where it was read, for messages (a path, never the content)
     */
    public KubernetesClient open(String host, String address, InlineKubeconfig kubeconfig, String source)
            throws KubeException {
        KubeEndpoint endpoint;
        try {
            endpoint = KubeEndpoint.of(kubeconfig.server(), address);
        } catch (IllegalArgumentException e) {
            throw new KubeException(host + ": " + source + ": " + e.getMessage());
        }
        HostPort real = addresses.api(endpoint.host(), endpoint.port());
        // empty: no auto-configuration from this machine's kubeconfig, environment or system properties
        Config config = Config.empty();
        config.setMasterUrl("https://" + real.host() + ":" + real.port());
        config.setCaCertData(kubeconfig.certificateAuthorityData());
        if (kubeconfig.clientCertificateData() != null) {
            config.setClientCertData(kubeconfig.clientCertificateData());
            config.setClientKeyData(kubeconfig.clientKeyData());
            config.setClientKeyAlgo(keyAlgorithm(host, source, kubeconfig.clientKeyData()));
        }
        config.setOauthToken(kubeconfig.token());
        config.setTrustCerts(false);
        config.setDisableHostnameVerification(!verifyHostname);
        config.setConnectionTimeout((int) timeout.toMillis());
        config.setRequestTimeout((int) timeout.toMillis());
        config.setRequestRetryBackoffLimit(0);
        config.setNamespace(null);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** RSA or EC, from the PEM header of the key, as fabric8's kubeconfig loader determines it. */
    private static String keyAlgorithm(String host, String source, String clientKeyData) throws KubeException {
        try {
            return Config.getKeyAlgorithm(
                    new ByteArrayInputStream(Base64.getMimeDecoder().decode(clientKeyData)));
        } catch (IllegalArgumentException | IOException e) {
            throw new KubeException(host + ": the kubeconfig " + source + " has a client-key-data that is not base64"
                    + " PEM: restart k3s so that it writes a new kubeconfig");
        }
    }

    /** Where the API of {@code address} really is, for messages. */
    public String where(String address, int port) {
        HostPort real = addresses.api(address, port);
        return address + ":" + port + (real.host().equals(address) ? "" : " (" + real + ")");
    }
}
