package dev.handoff.bench.hostile;

/**
 * What Handoff did with one hostile input.
 *
 * @param outcome accepted, refused or escaped
 * @param reason for a refusal, the reason Handoff named (a code or an exception type); for an escape, the type of what
 *     escaped; empty for an acceptance
 * @param message Handoff's message for a person (checked for the planted secret), or the escaped exception's text
 */
public record Verdict(Outcome outcome, String reason, String message) {
    /** The three ways an input can end. */
    public enum Outcome {
        /** valid input, taken as such */
        ACCEPTED,
        /** refused with a named reason: what Handoff must do with hostile input */
        REFUSED,
        /** any other exception or error, a hang, or a broken invariant: a bug */
        ESCAPED
    }

    public Verdict {
        reason = reason == null ? "" : reason;
        message = message == null ? "" : message;
    }

    /** The input was taken as valid. */
    public static Verdict accepted() {
        return new Verdict(Outcome.ACCEPTED, "", "");
    }

    /** The input was refused; {@code reason} is Handoff's code for it. */
    public static Verdict refused(String reason, String message) {
        return new Verdict(Outcome.REFUSED, reason, message);
    }

    /** Something escaped: the input reached code that did not expect it. */
    public static Verdict escaped(Throwable t) {
        return new Verdict(Outcome.ESCAPED, t.getClass().getName(), String.valueOf(t.getMessage()));
    }

    /** A broken invariant (e.g. a path outside its base) reported as an escape. */
    public static Verdict escaped(String what, String message) {
        return new Verdict(Outcome.ESCAPED, what, message);
    }
}
