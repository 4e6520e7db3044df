package dev.handoff.control.ui;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.serde.Json;
import dev.handoff.control.ChainEvents;
import dev.handoff.control.Deliveries;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A host's page: what it runs now, as the ledger knows it; the hosts list; an unknown host. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class HostPagesTest {
    private final ChainEvents chain = new ChainEvents();

    @AfterEach
    void close() {
        chain.close();
    }

    @Test
    void aHostsPageShowsEachStagesLastRunItsCommitsGenerationDriftAndBackups() {
        // Given a deployment of the runtime repository on cloud-edge-1 that converged and verified its backups
        String commit = Deliveries.sha();
        String deployment = Deliveries.send(Deliveries.push("ops/nix-k3s-edge-cluster", "refs/heads/main", commit))
                .statusCode(202)
                .extract()
                .jsonPath()
                .getList("deployments", Map.class)
                .stream()
                .filter(d -> ChainEvents.HOST.equals(d.get("host")))
                .map(d -> (String) d.get("id"))
                .findFirst()
                .orElseThrow();
        chain.started(Stage.CONVERGE, deployment, null);
        chain.completed(Stage.CONVERGE, deployment, null);
        chain.completed(Stage.BACKUP, deployment, null);
        chain.failed(Stage.BACKUP, deployment, null);
        // and infra-service's drift watch reported the instance changed outside OpenTofu
        ObjectNode drift = Json.mapper().createObjectNode();
        drift.put("host", ChainEvents.HOST)
                .put("stage", "infra")
                .put("reason", "drift")
                .put("message", "instance ocid1.instance.test of cloud-edge-1 no longer matches its last cloud facts")
                .put("retryable", false);
        drift.putArray("details")
                .addObject()
                .put("code", "drift")
                .put("subject", "shape")
                .put("message", "VM.Standard.A1.Flex in the facts, VM.Standard.E4.Flex observed");
        chain.publish(EventType.CLOUD_FACTS_FAILED, UUID.randomUUID().toString(), null, drift);
        String viewer = UiForms.signIn(Deliveries.VIEWER);

        // When / Then: its page shows it
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String page = UiForms.page(viewer, "/ui/hosts/" + ChainEvents.HOST);
            assertThat(row(page, "data-stage=\"converge\"")).contains("completed", deployment, commit.substring(0, 12));
            // the tests' forge (https://forge.test) does not exist: Git's side is unknown, not an error page
            assertThat(row(page, "data-repository=\"ops/nix-k3s-edge-cluster\""))
                    .contains(commit.substring(0, 12))
                    .contains("data-state=\"unknown\"", "unreadable", "forge.test")
                    .doesNotContain("NOT_FOUND");
            assertThat(section(page, "id=\"generation\""))
                    .contains("<dd>1</dd>", "10c86433e812", "nixos-system-cloud-edge-1");
            assertThat(driftLine(page, "Cloud instance"))
                    .contains("drift reported at", "no longer matches its last cloud facts")
                    .doesNotContain("reconciled");
            assertThat(row(page, "data-contract=\"runtime\""))
                    .contains("failed", "stale-snapshot", "2025-11-24T03:00:12Z", "passed: restored /var/lib/rustdesk");
            assertThat(row(page, "data-contract=\"infra-state\"")).contains("data-status=\"");
        });

        // When newer cloud facts come, the drift shows as reconciled
        chain.completed(Stage.INFRA, deployment, null);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                driftLine(UiForms.page(viewer, "/ui/hosts/" + ChainEvents.HOST), "Cloud instance"))
                        .contains("reconciled by newer facts"));
    }

    @Test
    void aWorkloadDriftFromTheScheduledCheckShowsOnTheHostsPageUntilAWorkloadRunCompletes() {
        // Given: workload-service's scheduled check reported that a declared port stopped answering
        String check = UUID.randomUUID().toString();
        chain.publish(
                EventType.of(Stage.WORKLOAD, "started"),
                check,
                null,
                ChainEvents.sample("workload.started/v1/scheduled-check.json"));
        chain.publish(
                EventType.of(Stage.WORKLOAD, "failed"),
                check,
                null,
                ChainEvents.sample("workload.failed/v1/drift-port-unreachable.json"));
        String viewer = UiForms.signIn(Deliveries.VIEWER);

        // When / Then: the host's page shows it as standing, linking the report
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                driftLine(UiForms.page(viewer, "/ui/hosts/" + ChainEvents.HOST), "Declared workloads"))
                        .contains("drift reported at", "21115/TCP does not answer", "/ui/deployments/" + check)
                        .doesNotContain("reconciled"));

        // When a workload run completes, the drift shows as reconciled
        chain.completed(Stage.WORKLOAD, UUID.randomUUID().toString(), null);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                driftLine(UiForms.page(viewer, "/ui/hosts/" + ChainEvents.HOST), "Declared workloads"))
                        .contains("reconciled by newer facts"));
    }

    @Test
    void aHostsPageShowsItsSystemDriftWithWhatDiffersUntilItConvergesAgain() {
        // Given a convergence of cloud-edge-1, then the watch's report that the host was rolled back by hand
        String deployment = UUID.randomUUID().toString();
        chain.completed(Stage.CONVERGE, deployment, null);
        chain.publish(
                EventType.CONVERGENCE_DRIFTED,
                deployment,
                null,
                ChainEvents.sample("convergence.drifted/v1/rolled-back-by-hand-report.json"));
        String viewer = UiForms.signIn(Deliveries.VIEWER);

        // When / Then its page shows the standing drift, each field expected against observed
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                section(UiForms.page(viewer, "/ui/hosts/" + ChainEvents.HOST), "id=\"drift\""))
                        .containsPattern("data-standing=\"true\">\\s*<strong>Host system \\(converge\\)</strong>")
                        .contains("no longer runs what Handoff converged")
                        .contains("generation: 12 → 11"));

        // When the host converges again, the drift shows as reconciled
        chain.completed(Stage.CONVERGE, deployment, null);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                section(UiForms.page(viewer, "/ui/hosts/" + ChainEvents.HOST), "id=\"drift\""))
                        .containsPattern(
                                "Host system \\(converge\\)</strong>: drift reported at [^<]*, reconciled by newer"
                                        + " facts"));
    }

    @Test
    void aHostWithoutDriftReportsSaysSoAndTheListLinksEveryHost() {
        String viewer = UiForms.signIn(Deliveries.VIEWER);

        assertThat(section(UiForms.page(viewer, "/ui/hosts/forgejo-pi"), "id=\"drift\""))
                .contains("No drift reported.");
        assertThat(UiForms.page(viewer, "/ui/hosts"))
                .contains("href=\"/ui/hosts/cloud-edge-1\"", "href=\"/ui/hosts/forgejo-pi\"");
    }

    @Test
    void anUnknownHostIsA404NamingItAndTheHostsThereAre() {
        given().cookie(UiSessions.COOKIE, UiForms.signIn(Deliveries.VIEWER))
                .get("/ui/hosts/no-such-host")
                .then()
                .statusCode(404)
                .body(containsString("Host no-such-host is not in handoff.yaml"))
                .body(containsString("cloud-edge-1, forgejo-pi"));
        given().redirects()
                .follow(false)
                .get("/ui/hosts/cloud-edge-1")
                .then()
                .statusCode(303)
                .header("Location", containsString("/ui/login"));
    }

    /** The table row holding {@code marker}. */
    private static String row(String page, String marker) {
        int at = page.indexOf(marker);
        assertThat(at).as("the page has %s:\n%s", marker, page).isNotNegative();
        return page.substring(page.lastIndexOf("<tr", at), page.indexOf("</tr>", at));
    }

    /** The line of the page's drift section that starts with {@code label} (one per kind of drift). */
    private static String driftLine(String page, String label) {
        String drift = section(page, "id=\"drift\"");
        int at = drift.indexOf(label);
        assertThat(at).as("the drift section has %s:\n%s", label, drift).isNotNegative();
        int next = drift.indexOf("data-standing=", at);
        return drift.substring(at, next < 0 ? drift.length() : next);
    }

    /** From {@code marker} to the next section heading. */
    private static String section(String page, String marker) {
        int at = page.indexOf(marker);
        assertThat(at).as("the page has %s:\n%s", marker, page).isNotNegative();
        int end = page.indexOf("<h2", at);
        return page.substring(at, end < 0 ? page.length() : end);
    }
}
