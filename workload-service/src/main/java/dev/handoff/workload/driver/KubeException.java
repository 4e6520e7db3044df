package dev.handoff.workload.driver;

/** The Kubernetes API of a host cannot be used: a bad kubeconfig, TLS, or the API not answering. */
public class KubeException extends Exception {
    public KubeException(String message) {
        super(message);
    }

    public KubeException(String message, Throwable cause) {
        super(message, cause);
    }
}
