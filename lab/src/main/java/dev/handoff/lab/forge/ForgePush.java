package dev.handoff.lab.forge;

import java.util.List;

/**
 * What one push to the lab's forge changed: the facts a Forgejo push webhook reports.
 *
 * @param repository the lab repository pushed to
 * @param cloneUrl its clone URL ({@code file://} URL of the bare repository, as in {@code handoff.yaml})
 * @param ref the full ref name, e.g. {@code refs/heads/main}
 * @param before the ref's commit before the push (40 zeros if the ref did not exist)
 * @param after the ref's commit after the push
 * @param commits the commits the push brought, newest first, as Forgejo lists them
 */
public record ForgePush(
        LabRepository repository,
        String cloneUrl,
        String ref,
        String before,
        String after,
        List<PushedCommit> commits) {

    /** The commit id Git uses for "no commit": a created ref's {@code before}. */
    public static final String ZERO_ID = "0000000000000000000000000000000000000000";

    /** The branch name, e.g. {@code main}. */
    public String branch() {
        return ref.startsWith("refs/heads/") ? ref.substring("refs/heads/".length()) : ref;
    }
}
