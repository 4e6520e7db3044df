package dev.handoff.control.status;

import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One stage of one deployment as the ledger holds it, and the commit status that says it in Forgejo: context
 * {@code handoff/<host>/<stage>}, state {@code pending} while the stage is queued, waiting or running, then
 * {@code success} or {@code failure} (the reason as description), {@code warning} when the stage did not run because a
 * newer commit did ({@code superseded}) or the commit is older than what the host runs ({@code stale}).
 */
record StageStatus(
        String deploymentId,
        String stage,
        String verb,
        String reason,
        OffsetDateTime statusTime,
        String host,
        String repository,
        String commit,
        String firstStage) {

    /** The ledger's stage of the pushed commit itself ({@code commit.pushed}, {@code commit.stale}). */
    static final String COMMIT = "commit";

    /**
     * Forgejo keeps a description of any length, its commit page shows one line: Handoff keeps it to GitHub's 140
     * characters, which Forgejo-compatible tools also expect.
     */
    static final int DESCRIPTION_LENGTH = 140;

    private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
    private static final Pattern COMMIT_ID = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    /** The Forgejo state of the stage's status, or empty for a verb that says nothing to the pusher. */
    Optional<String> state() {
        if (COMMIT.equals(stage) && firstStage == null) {
            return Optional.empty();
        }
        return switch (verb) {
            case "pushed", "started", "waiting", "waiting-approval", "approved" -> Optional.of("pending");
            case "completed" -> Optional.of("success");
            case "failed", "rejected" -> Optional.of("failure");
            case "superseded", "stale" -> Optional.of("warning");
            default -> Optional.empty();
        };
    }

    /**
     * {@code handoff/<host>/<stage>}; the pushed commit's own state (queued, stale) is said on its first stage's
     * context.
     */
    String context() {
        return "handoff/" + host + "/" + shownStage();
    }

    /** The stage the status is about: the deployment's first stage for the commit's own state. */
    String shownStage() {
        return COMMIT.equals(stage) && firstStage != null ? firstStage : stage;
    }

    /** What the status says, one line of at most {@value #DESCRIPTION_LENGTH} characters. */
    String description() {
        String text = switch (verb) {
            case "pushed" -> shownStage() + ": queued";
            case "started" -> shownStage() + ": running";
            case "waiting-approval" -> shownStage() + ": waiting for an operator to approve the plan";
            case "approved" -> shownStage() + ": plan approved, applying";
            case "completed" -> shownStage() + ": done";
            case "rejected" -> shownStage() + ": plan rejected by an operator";
            default -> reason == null || reason.isBlank() ? shownStage() + ": " + verb : reason;
        };
        return oneLine(text, DESCRIPTION_LENGTH);
    }

    /**
     * Why these ledger values cannot name a commit status (a repository, commit, host or stage that is not a plain
     * name), or empty when they can: they end up in Forgejo's URL and in the context.
     */
    Optional<String> invalid() {
        if (repository == null || !REPOSITORY.matcher(repository).matches()) {
            return Optional.of("repository '" + repository + "' is not owner/name");
        }
        if (commit == null || !COMMIT_ID.matcher(commit).matches()) {
            return Optional.of("commit '" + commit + "' is not a full hex commit id");
        }
        if (host == null || !NAME.matcher(host).matches()) {
            return Optional.of("host '" + host + "' is not a host name");
        }
        if (!NAME.matcher(shownStage()).matches()) {
            return Optional.of("stage '" + shownStage() + "' is not a stage name");
        }
        return Optional.empty();
    }

    /** The text on one line of printable characters, cut to {@code max} with an ellipsis. */
    static String oneLine(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max));
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        String line = out.toString().strip();
        if (line.length() <= max) {
            return line;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(line.charAt(end - 1))) {
            end--;
        }
        return line.substring(0, end) + "…";
    }
}
