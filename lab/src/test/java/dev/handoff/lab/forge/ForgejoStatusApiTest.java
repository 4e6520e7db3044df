package dev.handoff.lab.forge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiPredicate;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForgejoStatusApiTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path forge;

    @Test
    void takesStatusesForCommitsOfTheForgeOnlyAndListsThemNewestFirst() throws Exception {
        // Given a forge repository with one commit
        Path bare = forge.resolve("ops").resolve("runtime.git");
        Path work = forge.resolve("work");
        String sha;
        try (Git git =
                Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            Files.writeString(work.resolve("a.txt"), "a");
            git.add().addFilepattern("a.txt").call();
            RevCommit commit = git.commit()
                    .setMessage("one")
                    .setAuthor("t", "t@example.org")
                    .setCommitter("t", "t@example.org")
                    .setSign(false)
                    .call();
            sha = commit.name();
        }
        Git.cloneRepository()
                .setURI(work.toUri().toString())
                .setDirectory(bare.toFile())
                .setBare(true)
                .call()
                .close();
        BiPredicate<String, String> commits = ForgejoStatusApi.commitsOf(forge);

        try (ForgejoStatusApi api = new ForgejoStatusApi("t0ken", commits)) {
            // When statuses are posted as Forgejo takes them
            assertThat(post(api, "ops/runtime", sha, "t0ken", "pending")).isEqualTo(201);
            assertThat(post(api, "ops/runtime", sha, "t0ken", "success")).isEqualTo(201);

            // Then bad requests are refused as Forgejo refuses them
            assertThat(post(api, "ops/runtime", sha, "wrong", "success")).isEqualTo(401);
            assertThat(post(api, "ops/runtime", sha, "t0ken", "done")).isEqualTo(422);
            assertThat(post(api, "ops/other", sha, "t0ken", "success")).isEqualTo(404);
            assertThat(post(api, "ops/runtime", "0".repeat(40), "t0ken", "success"))
                    .isEqualTo(404);
            assertThat(commits.test("../ops/runtime", sha)).isFalse();
            assertThat(commits.test("ops/..", sha)).isFalse();

            // and the list, read without a token as for a public repository, is newest first
            HttpResponse<String> list = HTTP.send(
                    HttpRequest.newBuilder(
                                    URI.create(api.url() + "/api/v1/repos/ops/runtime/commits/" + sha + "/statuses"))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(list.statusCode()).isEqualTo(200);
            JsonNode statuses = JSON.readTree(list.body());
            assertThat(statuses).hasSize(2);
            assertThat(statuses.get(0).path("status").asText()).isEqualTo("success");
            assertThat(statuses.get(0).path("context").asText()).isEqualTo("handoff/h/converge");
            assertThat(statuses.get(1).path("status").asText()).isEqualTo("pending");
        }
    }

    private static int post(ForgejoStatusApi api, String repository, String sha, String token, String state)
            throws Exception {
        String body = JSON.writeValueAsString(java.util.Map.of(
                "state", state, "context", "handoff/h/converge", "description", "d", "target_url", "http://x"));
        return HTTP.send(
                        HttpRequest.newBuilder(
                                        URI.create(api.url() + "/api/v1/repos/" + repository + "/statuses/" + sha))
                                .header("Authorization", "token " + token)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }
}
