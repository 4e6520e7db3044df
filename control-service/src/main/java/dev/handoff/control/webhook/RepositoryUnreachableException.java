package dev.handoff.control.webhook;

/** The repository of handoff.yaml could not be read, so whether a push is fresh is unknown: nothing is published. */
public final class RepositoryUnreachableException extends Exception {
    public RepositoryUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
