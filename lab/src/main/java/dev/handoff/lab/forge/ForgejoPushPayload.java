package dev.handoff.lab.forge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The body of a Forgejo push webhook for a {@link ForgePush}, field for field as Forgejo sends it (its
 * {@code PushPayload}: {@code ref}, {@code before}, {@code after}, {@code compare_url}, {@code commits},
 * {@code total_commits}, {@code head_commit}, {@code repository}, {@code pusher}, {@code sender}), indented with two
 * spaces as Forgejo indents it.
 */
public final class ForgejoPushPayload {
    /** Where the lab's forge would show repositories on the web; a loopback name, so nothing leaves the machine. */
    public static final String FORGE_WEB = "http://forge.lab.localhost";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String EPOCH = "1970-01-01T00:00:00Z";

    private ForgejoPushPayload() {}

    /**
     * The JSON body of the webhook.
     *
     * @param push what the push changed
     * @param repositoryId the repository's numeric id on the forge
     * @param pusher the forge user who pushed (also the {@code sender})
     */
    public static byte[] json(ForgePush push, long repositoryId, ForgeUser pusher) {
        try {
            return MAPPER.writer(goStylePrinter()).writeValueAsBytes(tree(push, repositoryId, pusher));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the push payload", e);
        }
    }

    /** The payload as a JSON tree. */
    public static ObjectNode tree(ForgePush push, long repositoryId, ForgeUser pusher) {
        String htmlUrl = FORGE_WEB + "/" + push.repository().fullName();
        ObjectNode root = MAPPER.createObjectNode();
        root.put("ref", push.ref());
        root.put("before", push.before());
        root.put("after", push.after());
        root.put("compare_url", htmlUrl + "/compare/" + push.before() + "..." + push.after());
        ArrayNode commits = root.putArray("commits");
        for (PushedCommit commit : push.commits()) {
            commits.add(commit(commit, htmlUrl));
        }
        root.put("total_commits", push.commits().size());
        if (push.commits().isEmpty()) {
            root.putNull("head_commit");
        } else {
            root.set("head_commit", commit(push.commits().get(0), htmlUrl));
        }
        root.set("repository", repository(push, repositoryId, htmlUrl));
        root.set("pusher", user(pusher));
        root.set("sender", user(pusher));
        return root;
    }

    private static ObjectNode commit(PushedCommit commit, String htmlUrl) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", commit.id());
        node.put("message", commit.message());
        node.put("url", htmlUrl + "/commit/" + commit.id());
        node.set("author", payloadUser(commit.author()));
        node.set("committer", payloadUser(commit.committer()));
        node.putNull("verification");
        node.put("timestamp", commit.timestamp().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        strings(node.putArray("added"), commit.added());
        strings(node.putArray("removed"), commit.removed());
        strings(node.putArray("modified"), commit.modified());
        return node;
    }

    private static ObjectNode payloadUser(PushedCommit.Person person) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("name", person.name());
        node.put("email", person.email());
        // Forgejo fills in the login of the forge user with this e-mail address; the lab has no such user.
        node.put("username", "");
        return node;
    }

    private static ObjectNode repository(ForgePush push, long repositoryId, String htmlUrl) {
        LabRepository repo = push.repository();
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", repositoryId);
        node.set("owner", user(ForgeUser.OPS));
        node.put("name", repo.name());
        node.put("full_name", repo.fullName());
        node.put("description", "Handoff lab repository (" + repo.starts().id() + " stage)");
        node.put("empty", false);
        node.put("private", true);
        node.put("fork", false);
        node.put("template", false);
        node.putNull("parent");
        node.put("mirror", false);
        node.put("size", 0);
        node.put("language", "");
        node.put("languages_url", FORGE_WEB + "/api/v1/repos/" + repo.fullName() + "/languages");
        node.put("html_url", htmlUrl);
        node.put("url", FORGE_WEB + "/api/v1/repos/" + repo.fullName());
        node.put("link", "");
        node.put("ssh_url", "git@forge.lab.localhost:" + repo.fullName() + ".git");
        // Forgejo's public HTTP clone URL (ROOT_URL + owner/name.git), as Forgejo sends it: not the URL handoff.yaml
        // gives Handoff to fetch from (the lab's file:// forge), so that the tests see the difference
        node.put("clone_url", htmlUrl + ".git");
        node.put("original_url", "");
        node.put("website", "");
        node.put("stars_count", 0);
        node.put("forks_count", 0);
        node.put("watchers_count", 1);
        node.put("open_issues_count", 0);
        node.put("open_pr_counter", 0);
        node.put("release_counter", 0);
        node.put("default_branch", LabForge.BRANCH);
        node.put("archived", false);
        node.put("created_at", EPOCH);
        node.put(
                "updated_at",
                push.commits().isEmpty()
                        ? EPOCH
                        : push.commits().get(0).timestamp().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        node.put("archived_at", EPOCH);
        ObjectNode permissions = node.putObject("permissions");
        permissions.put("admin", true);
        permissions.put("push", true);
        permissions.put("pull", true);
        node.put("has_issues", true);
        node.put("has_wiki", false);
        node.put("has_pull_requests", true);
        node.put("has_projects", false);
        node.put("has_releases", true);
        node.put("has_packages", false);
        node.put("has_actions", false);
        node.put("ignore_whitespace_conflicts", false);
        node.put("allow_merge_commits", true);
        node.put("allow_rebase", true);
        node.put("allow_rebase_explicit", true);
        node.put("allow_squash_merge", true);
        node.put("allow_fast_forward_only_merge", true);
        node.put("allow_rebase_update", true);
        node.put("default_delete_branch_after_merge", false);
        node.put("default_merge_style", "merge");
        node.put("default_allow_maintainer_edit", false);
        node.put("avatar_url", "");
        node.put("internal", false);
        node.put("mirror_interval", "");
        node.put("object_format_name", "sha1");
        node.put("mirror_updated", EPOCH);
        node.putNull("repo_transfer");
        node.putNull("topics");
        return node;
    }

    private static ObjectNode user(ForgeUser user) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", user.id());
        node.put("login", user.login());
        node.put("login_name", "");
        node.put("source_id", 0);
        node.put("full_name", user.fullName());
        node.put("email", user.email());
        node.put("avatar_url", FORGE_WEB + "/avatars/" + user.login());
        node.put("html_url", FORGE_WEB + "/" + user.login());
        node.put("language", "");
        node.put("is_admin", false);
        node.put("last_login", EPOCH);
        node.put("created", EPOCH);
        node.put("restricted", false);
        node.put("active", true);
        node.put("prohibit_login", false);
        node.put("location", "");
        node.put("pronouns", "");
        node.put("website", "");
        node.put("description", "");
        node.put("visibility", "public");
        node.put("followers_count", 0);
        node.put("following_count", 0);
        node.put("starred_repos_count", 0);
        node.put("username", user.login());
        return node;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    /** Two-space indentation, {@code "key": value}, one array element per line: Go's {@code MarshalIndent}. */
    private static DefaultPrettyPrinter goStylePrinter() {
        Separators separators = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        return new DefaultPrettyPrinter(separators).withObjectIndenter(indenter).withArrayIndenter(indenter);
    }
}
