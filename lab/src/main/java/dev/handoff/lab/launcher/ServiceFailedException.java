package dev.handoff.lab.launcher;

/** A lab service exited or did not become ready; the message names it and quotes the end of its log. */
public class ServiceFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    public ServiceFailedException(String message) {
        super(message);
    }
}
