package dev.handoff.backup.stage;

import java.util.List;
import java.util.Locale;

/**
 * Reads what a failed restic command printed (restic 0.14 has no distinct exit codes: 1 for every fatal error) into
 * a reason code. The text is matched on restic's own messages, which are stable across 0.14 – 0.18.
 */
public final class ResticErrors {
    private ResticErrors() {}

    /** A reason code and whether running again unchanged may help. */
    public record Reason(String code, boolean retryable) {}

    private static final List<String> DAMAGED = List.of(
            "ciphertext verification failed",
            "pack id does not match",
            "repository contains errors",
            "hash mismatch",
            "hash does not match",
            "decrypting blob",
            "invalid data returned",
            "unexpected end of");
    private static final List<String> CREDENTIALS = List.of(
            "wrong password or no key found", "unexpected http response (401)", "unexpected http response (403)");
    private static final List<String> LOCKED = List.of("repository is already locked", "unable to create lock");
    private static final List<String> UNREACHABLE = List.of(
            "unable to open config file",
            "is there a repository at the following location",
            "connection refused",
            "no such host",
            "i/o timeout",
            "dial tcp",
            "unable to open repository",
            "no route to host");

    /** The reason for restic's error output {@code stderr}. */
    public static Reason classify(String stderr) {
        String text = stderr == null ? "" : stderr.toLowerCase(Locale.ROOT);
        if (containsAny(text, CREDENTIALS)) {
            return new Reason("wrong-credentials", false);
        }
        if (containsAny(text, DAMAGED)) {
            return new Reason("repository-damaged", false);
        }
        if (containsAny(text, LOCKED)) {
            return new Reason("repository-locked", true);
        }
        if (containsAny(text, UNREACHABLE)) {
            return new Reason("repository-unreachable", true);
        }
        return new Reason("restic-failed", true);
    }

    private static boolean containsAny(String text, List<String> needles) {
        return needles.stream().anyMatch(text::contains);
    }
}
