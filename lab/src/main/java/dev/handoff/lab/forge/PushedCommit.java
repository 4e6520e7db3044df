package dev.handoff.lab.forge;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * One commit of a push, with what Forgejo reports of it in a push webhook.
 *
 * @param id the full commit id
 * @param message the full commit message
 * @param author who wrote the change
 * @param committer who committed it
 * @param timestamp the author time, with the author's offset
 * @param added files the commit added, relative to the repository root
 * @param removed files the commit removed
 * @param modified files the commit changed
 */
public record PushedCommit(
        String id,
        String message,
        Person author,
        Person committer,
        OffsetDateTime timestamp,
        List<String> added,
        List<String> removed,
        List<String> modified) {

    /**
     * A commit author or committer.
     *
     * @param name the display name
     * @param email the e-mail address
     */
    public record Person(String name, String email) {}
}
