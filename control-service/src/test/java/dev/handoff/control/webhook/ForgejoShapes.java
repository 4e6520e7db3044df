package dev.handoff.control.webhook;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.common.serde.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Deliveries shaped the way Forgejo v11 builds them: the payload structs of {@code modules/structs/hook.go}
 * ({@code PushPayload}, {@code PayloadCommit}, {@code DeletePayload}, {@code CreatePayload}) and the request of
 * {@code services/webhook} (content type json: the payload as the body; form: {@code payload=<url-encoded JSON>};
 * the HMAC-SHA256 always over the JSON; with no secret, the signature headers empty and {@code X-Hub-Signature-256}
 * a bare {@code sha256=}). Forgejo's public URL is {@link #ROOT_URL}, which is not the URL handoff.yaml gives
 * (test inventory: {@code https://forge.test/...}).
 */
final class ForgejoShapes {
    /** Forgejo's ROOT_URL in these deliveries. */
    static final String ROOT_URL = "https://forgejo.example.org/";

    /** How many commits Forgejo lists in a push payload at most; {@code total_commits} keeps the count. */
    static final int LISTED_COMMITS = 15;

    private ForgejoShapes() {}

    /**
     * A push of {@code total} commits ending at {@code after} to {@code ref}: at most {@link #LISTED_COMMITS}
     * listed, newest first, {@code head_commit} the newest.
     */
    static String push(String repository, String ref, String before, String after, int total) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("ref", ref);
        root.put("before", before);
        root.put("after", after);
        root.put("compare_url", ROOT_URL + repository + "/compare/" + before + "..." + after);
        ArrayNode commits = root.putArray("commits");
        for (int i = 0; i < Math.min(total, LISTED_COMMITS); i++) {
            commits.add(commit(repository, i == 0 ? after : sha(after, i), "change " + (total - i) + "\n"));
        }
        root.put("total_commits", total);
        root.set("head_commit", total == 0 ? null : commit(repository, after, "change " + total + "\n"));
        root.set("repository", repository(repository));
        root.set("pusher", user());
        root.set("sender", user());
        return root.toString();
    }

    /** Forgejo's "Test push event": the head commit again, {@code before == after}. */
    static String testPush(String repository, String head) {
        return push(repository, "refs/heads/main", head, head, 1);
    }

    /** A tag {@code name} created on {@code commit}: a push to {@code refs/tags/<name>} from zeros. */
    static String tagCreated(String repository, String name, String commit) {
        return push(repository, "refs/tags/" + name, "0".repeat(40), commit, 0);
    }

    /** A tag deleted: a push to {@code refs/tags/<name>} to zeros. */
    static String tagDeleted(String repository, String name, String commit) {
        return push(repository, "refs/tags/" + name, commit, "0".repeat(40), 0);
    }

    /** A branch deleted, as the {@code delete} event ({@code DeletePayload}). */
    static String branchDeleted(String repository, String branch) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("ref", branch);
        root.put("ref_type", "branch");
        root.put("pusher_type", "user");
        root.set("repository", repository(repository));
        root.set("sender", user());
        return root.toString();
    }

    /** The body of a form webhook: {@code payload=<url-encoded JSON>}. */
    static String form(String json) {
        return "payload=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
    }

    private static ObjectNode commit(String repository, String id, String message) {
        ObjectNode c = Json.mapper().createObjectNode();
        c.put("id", id);
        c.put("message", message);
        c.put("url", ROOT_URL + repository + "/commit/" + id);
        for (String who : List.of("author", "committer")) {
            ObjectNode person = c.putObject(who);
            person.put("name", "Alice");
            person.put("email", "alice@example.org");
            person.put("username", "alice");
        }
        c.putNull("verification");
        c.put("timestamp", "2026-12-06T10:00:00Z");
        c.putArray("added").add("main.tf");
        c.putArray("removed");
        c.putArray("modified");
        return c;
    }

    private static ObjectNode repository(String fullName) {
        ObjectNode r = Json.mapper().createObjectNode();
        r.put("id", 7);
        r.set("owner", user());
        r.put("name", fullName.substring(fullName.indexOf('/') + 1));
        r.put("full_name", fullName);
        r.put("private", true);
        r.put("html_url", ROOT_URL + fullName);
        r.put("ssh_url", "forgejo@forgejo.example.org:" + fullName + ".git");
        r.put("clone_url", ROOT_URL + fullName + ".git");
        r.put("default_branch", "main");
        return r;
    }

    private static ObjectNode user() {
        ObjectNode u = Json.mapper().createObjectNode();
        u.put("id", 1);
        u.put("login", "alice");
        u.put("login_name", "");
        u.put("full_name", "Alice");
        u.put("email", "alice@example.org");
        u.put("username", "alice");
        return u;
    }

    /** A made-up parent commit id for the {@code i}th listed commit. */
    private static String sha(String after, int i) {
        return String.format("%02x", i) + after.substring(2);
    }
}
