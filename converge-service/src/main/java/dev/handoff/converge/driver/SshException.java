package dev.handoff.converge.driver;

/** An SSH connection, command or file transfer to a host failed; the message names host and address. */
public class SshException extends Exception {
    public SshException(String message) {
        super(message);
    }

    public SshException(String message, Throwable cause) {
        super(message, cause);
    }
}
