package dev.handoff.control.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.serde.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a Forgejo push payload Handoff uses, read strictly: a payload without {@code ref}, {@code after} or
 * {@code repository.full_name} is malformed.
 *
 * @param ref the pushed ref
 * @param before the old commit
 * @param after the new commit (all zeros when the ref was deleted)
 * @param compareUrl the compare page, if any
 * @param repository the repository's full name
 * @param cloneUrl the repository's clone URL
 * @param pusher the pushing user's login, if sent
 * @param commitCount how many commits the push carried
 * @param headCommit the newest commit, if sent
 */
public record ForgejoPush(
        String ref,
        String before,
        String after,
        String compareUrl,
        String repository,
        String cloneUrl,
        String pusher,
        int commitCount,
        Commit headCommit) {

    private static final String ZERO_SHA = "0000000000000000000000000000000000000000";

    /**
     * A commit of the push.
     *
     * @param id its SHA
     * @param message its message
     * @param timestamp its time
     * @param authorName author
     * @param authorEmail author's e-mail
     * @param added added paths
     * @param modified modified paths
     * @param removed removed paths
     */
    public record Commit(
            String id,
            String message,
            Instant timestamp,
            String authorName,
            String authorEmail,
            List<String> added,
            List<String> modified,
            List<String> removed) {}

    /** The payload is not a push payload Handoff can read; the message names the field. */
    public static final class MalformedPushException extends Exception {
        public MalformedPushException(String message) {
            super(message);
        }
    }

    /** Whether the push deleted the ref. */
    public boolean deletesRef() {
        return after.chars().allMatch(c -> c == '0');
    }

    /** The branch name, or null when the ref is not a branch (e.g. a tag). */
    public String branch() {
        return ref.startsWith("refs/heads/") ? ref.substring("refs/heads/".length()) : null;
    }

    /** Reads a push payload. */
    public static ForgejoPush parse(byte[] body) throws MalformedPushException {
        JsonNode root;
        try {
            root = Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw new MalformedPushException("the body is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null
                            ? ""
                            : " (line " + e.getLocation().getLineNr() + ", column "
                                    + e.getLocation().getColumnNr() + ")"));
        } catch (IOException e) {
            throw new MalformedPushException("the body cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new MalformedPushException("the body must be a JSON object (a Forgejo push payload)");
        }
        String ref = requiredText(root, "ref");
        String after = requiredText(root, "after");
        if (!after.matches("[0-9a-f]{40}|[0-9a-f]{64}")) {
            throw new MalformedPushException("field 'after' must be a commit SHA (40 or 64 hex characters)");
        }
        String before = optionalText(root, "before");
        JsonNode repo = root.path("repository");
        if (!repo.isObject()) {
            throw new MalformedPushException("field 'repository' is missing or not an object");
        }
        String fullName = requiredText(repo, "full_name", "repository.full_name");
        String cloneUrl = optionalText(repo, "clone_url");
        String pusher = root.path("pusher").isObject()
                ? firstNonNull(
                        optionalText(root.path("pusher"), "login"), optionalText(root.path("pusher"), "username"))
                : null;
        int commitCount = root.path("total_commits").isInt()
                ? root.path("total_commits").asInt()
                : root.path("commits").size();
        Commit head = root.path("head_commit").isObject() ? commit(root.path("head_commit")) : null;
        return new ForgejoPush(
                ref,
                before == null ? ZERO_SHA : before,
                after,
                optionalText(root, "compare_url"),
                fullName,
                cloneUrl,
                pusher,
                commitCount,
                head);
    }

    private static Commit commit(JsonNode c) throws MalformedPushException {
        Instant time = null;
        String ts = optionalText(c, "timestamp");
        if (ts != null) {
            try {
                time = OffsetDateTime.parse(ts).toInstant();
            } catch (DateTimeParseException e) {
                throw new MalformedPushException("field 'head_commit.timestamp' is not an RFC 3339 time: " + ts);
            }
        }
        JsonNode author = c.path("author");
        return new Commit(
                optionalText(c, "id"),
                optionalText(c, "message"),
                time,
                optionalText(author, "name"),
                optionalText(author, "email"),
                paths(c.path("added")),
                paths(c.path("modified")),
                paths(c.path("removed")));
    }

    private static List<String> paths(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> {
            if (n.isTextual()) {
                out.add(n.asText());
            }
        });
        return List.copyOf(out);
    }

    private static String requiredText(JsonNode node, String field) throws MalformedPushException {
        return requiredText(node, field, field);
    }

    private static String requiredText(JsonNode node, String field, String path) throws MalformedPushException {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new MalformedPushException("field '" + path + "' is missing or not a string");
        }
        return v.asText();
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b;
    }
}
