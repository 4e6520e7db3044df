package dev.handoff.workload.driver;

/** SSH to a host failed: connect, authentication, host key, or a file read. */
public class SshException extends Exception {
    public SshException(String message) {
        super(message);
    }

    public SshException(String message, Throwable cause) {
        super(message, cause);
    }
}
