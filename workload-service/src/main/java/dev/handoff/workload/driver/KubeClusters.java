package dev.handoff.workload.driver;

import dev.handoff.workload.driver.AddressMaps.HostPort;
import dev.handoff.workload.stage.KubeEndpoint;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;

/**
 * Builds a fabric8 client per host from the host's kubeconfig: its CA, client certificate and key are used as they
 * are (the server is verified against the kubeconfig's CA, never trusted blindly); its server, {@code 127.0.0.1} as
 * K3s writes it, is replaced by the host's steady address and then looked up in the API address map. The kubeconfig
 * is private key material: it is never logged, stored or put into a message, not even a parse error of it.
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
     * @param kubeconfig the kubeconfig's text
     * @param source where it was read, for messages (a path, never the content)
     */
    public KubernetesClient open(String host, String address, String kubeconfig, String source) throws KubeException {
        Config config;
        try {
            config = Config.fromKubeconfig(kubeconfig);
        } catch (RuntimeException e) {
            // the parser's message may quote the file: say where, not what
            throw new KubeException(host + ": the kubeconfig " + source + " is not a readable kubeconfig");
        }
        if (config.getMasterUrl() == null) {
            throw new KubeException(host + ": the kubeconfig " + source + " names no server");
        }
        KubeEndpoint endpoint;
        try {
            endpoint = KubeEndpoint.of(config.getMasterUrl(), address);
        } catch (IllegalArgumentException e) {
            throw new KubeException(host + ": " + source + ": " + e.getMessage());
        }
        HostPort real = addresses.api(endpoint.host(), endpoint.port());
        config.setMasterUrl("https://" + real.host() + ":" + real.port());
        config.setTrustCerts(false);
        config.setDisableHostnameVerification(!verifyHostname);
        config.setConnectionTimeout((int) timeout.toMillis());
        config.setRequestTimeout((int) timeout.toMillis());
        config.setRequestRetryBackoffLimit(0);
        config.setNamespace(null);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Where the API of {@code address} really is, for messages. */
    public String where(String address, int port) {
        HostPort real = addresses.api(address, port);
        return address + ":" + port + (real.host().equals(address) ? "" : " (" + real + ")");
    }
}
