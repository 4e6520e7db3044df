package dev.handoff.workload.stage;

import java.net.URI;

/**
 * Where a host's Kubernetes API is from Handoff's vantage point: the kubeconfig K3s writes names
 * {@code https://127.0.0.1:6443}, which only holds on the host; the host part is replaced by the host's steady
 * address, the scheme and port are kept. No I/O.
 *
 * @param host the steady address
 * @param port the kubeconfig server's port
 */
public record KubeEndpoint(String host, int port) {
    /** The endpoint for the kubeconfig server URL {@code server} on the host whose steady address is {@code address}. */
    public static KubeEndpoint of(String server, String address) {
        URI uri;
        try {
            uri = URI.create(server);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the kubeconfig's server '" + server + "' is not a URL");
        }
        if (!"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException(
                    "the kubeconfig's server " + server + " is not https: K3s serves its API over TLS only");
        }
        return new KubeEndpoint(address, uri.getPort() < 0 ? 443 : uri.getPort());
    }
}
