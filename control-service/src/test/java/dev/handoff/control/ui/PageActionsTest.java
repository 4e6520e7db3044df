package dev.handoff.control.ui;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import dev.handoff.common.event.Stage;
import dev.handoff.control.ChainEvents;
import dev.handoff.control.ChainEvents.Published;
import dev.handoff.control.Deliveries;
import dev.handoff.control.TopicOffsets;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pages' replay and redeploy forms over HTTP: refused without the form token, confirmation or role; done else. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class PageActionsTest {
    private final ChainEvents chain = new ChainEvents();

    @AfterEach
    void close() {
        chain.close();
    }

    @Test
    void anOperatorReplaysAStageFromTheDeploymentsPageAndLandsOnTheNewDeployment() {
        // Given a deployment whose converge stage ran from the host's secret facts
        String original = Deliveries.pushForTestHost("ops/nix-k3s-edge-cluster");
        Published facts = chain.completed(Stage.SECRETS, original, null);
        String operator = UiForms.signIn(Deliveries.OPERATOR);
        Map<String, String> form = await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(
                        () -> UiForms.hiddenFields(
                                UiForms.page(operator, "/ui/deployments/" + original), "replay-converge"),
                        f -> facts.event().id().equals(f.get("event")));

        // When the operator confirms and sends the page's form
        String location = post(operator, "/ui/deployments/" + original + "/replay", form, "yes")
                .statusCode(303)
                .extract()
                .header("Location");

        // Then converge runs again from exactly that record, in the operator's name, as a new deployment
        assertThat(location).contains("/ui/deployments/");
        String replayed = location.substring(location.lastIndexOf('/') + 1);
        assertThat(replayed).isNotEqualTo(original);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonPath copy = given().auth()
                    .oauth2(Deliveries.VIEWER)
                    .queryParam("deployment", replayed)
                    .get("/api/events")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            assertThat(copy.getString("items[0].topic")).isEqualTo("handoff.replay.converge");
            assertThat(copy.getString("items[0].replayOf"))
                    .isEqualTo(facts.event().id());
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonPath replays = given().auth()
                    .oauth2(Deliveries.VIEWER)
                    .get("/api/replays")
                    .then()
                    .extract()
                    .jsonPath();
            assertThat(replays.getString("items[0].requestedBy")).isEqualTo("test-operator");
            assertThat(replays.getString("items[0].stage")).isEqualTo("converge");
            assertThat(replays.getLong("items[0].fromOffset")).isEqualTo(facts.offset());
        });

        // and the same form sent again (a double click) is the same replay, not a second one
        String again = post(operator, "/ui/deployments/" + original + "/replay", form, "yes")
                .statusCode(303)
                .extract()
                .header("Location");
        assertThat(again).isEqualTo(location);
    }

    @Test
    void aReplayFormWithoutTheTokenUnconfirmedFromAViewerOrNamingAnotherRecordReplaysNothing() {
        // Given a deployment's replay form
        String original = Deliveries.pushForTestHost("ops/nix-k3s-edge-cluster");
        String operator = UiForms.signIn(Deliveries.OPERATOR);
        String viewer = UiForms.signIn(Deliveries.VIEWER);
        Map<String, String> form = await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(
                        () -> UiForms.hiddenFields(
                                UiForms.page(operator, "/ui/deployments/" + original), "replay-converge"),
                        f -> f.containsKey("event"));
        String path = "/ui/deployments/" + original + "/replay";
        long before = TopicOffsets.total(LabKafka.shared().bootstrapServers());

        // When / Then
        post(operator, path, without(form, "csrf"), "yes").statusCode(403).body(containsString("The form has expired"));
        post(operator, path, with(form, "csrf", otherSessionsToken(original)), "yes")
                .statusCode(403);
        post(operator, path, form, null).statusCode(400).body(containsString("Not confirmed"));
        post(viewer, path, form, "yes")
                .statusCode(403)
                .body(containsString("operator role"))
                .body(containsString("Sign in with an operator token"));
        post(operator, path, with(form, "event", "not-the-trigger"), "yes")
                .statusCode(400)
                .body(containsString("is not what made stage converge run"));
        assertThat(UiForms.page(viewer, "/ui/deployments/" + original)).doesNotContain("id=\"replay-converge\"");

        // and nothing was published
        assertThat(TopicOffsets.total(LabKafka.shared().bootstrapServers())).isEqualTo(before);
    }

    @Test
    void anOperatorRedeploysAHostFromItsPage() {
        // Given the host's newest secret facts
        String original = Deliveries.pushForTestHost("ops/nix-k3s-edge-cluster");
        Published facts = chain.completed(Stage.SECRETS, original, null);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(given().auth()
                                .oauth2(Deliveries.VIEWER)
                                .queryParam("deployment", original)
                                .get("/api/events")
                                .then()
                                .extract()
                                .jsonPath()
                                .getList("items.id", String.class))
                        .contains(facts.event().id()));
        String operator = UiForms.signIn(Deliveries.OPERATOR);
        Map<String, String> form =
                UiForms.hiddenFields(UiForms.page(operator, "/ui/hosts/" + ChainEvents.HOST), "redeploy");

        // When the operator redeploys it from converge, confirmed
        String location = post(
                        operator, "/ui/hosts/" + ChainEvents.HOST + "/redeploy", with(form, "stage", "converge"), "yes")
                .statusCode(303)
                .extract()
                .header("Location");

        // Then those facts are replayed to converge for the host: a new deployment, in the operator's name
        String redeployed = location.substring(location.lastIndexOf('/') + 1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonPath copy = given().auth()
                    .oauth2(Deliveries.VIEWER)
                    .queryParam("deployment", redeployed)
                    .get("/api/events")
                    .then()
                    .extract()
                    .jsonPath();
            assertThat(copy.getString("items[0].replayOf"))
                    .isEqualTo(facts.event().id());
        });
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(given().auth()
                                .oauth2(Deliveries.VIEWER)
                                .get("/api/replays")
                                .then()
                                .extract()
                                .jsonPath()
                                .getString("items[0].requestedBy"))
                        .isEqualTo("test-operator"));
    }

    @Test
    void aRedeployFormIsRefusedWithTheApisReasonAndFixAndWithoutTokenConfirmationOrRole() {
        // Given an operator's redeploy form of forgejo-pi, whose chain never ran infra
        String operator = UiForms.signIn(Deliveries.OPERATOR);
        String viewer = UiForms.signIn(Deliveries.VIEWER);
        Map<String, String> form = UiForms.hiddenFields(UiForms.page(operator, "/ui/hosts/forgejo-pi"), "redeploy");
        String path = "/ui/hosts/forgejo-pi/redeploy";
        long before = TopicOffsets.total(LabKafka.shared().bootstrapServers());

        // When / Then
        post(operator, path, with(form, "stage", "infra"), "yes")
                .statusCode(400)
                .body(containsString("no trigger of infra for forgejo-pi"))
                .body(containsString("no-trigger"))
                .body(containsString("firstStage"));
        post(operator, "/ui/hosts/no-such-host/redeploy", form, "yes")
                .statusCode(404)
                .body(containsString("host no-such-host is not in handoff.yaml"))
                .body(containsString("cloud-edge-1"));
        post(operator, path, without(form, "csrf"), "yes").statusCode(403);
        post(operator, path, with(form, "stage", "converge"), null).statusCode(400);
        post(viewer, path, with(form, "stage", "converge"), "yes").statusCode(403);
        assertThat(UiForms.page(viewer, "/ui/hosts/forgejo-pi")).doesNotContain("id=\"redeploy\"");
        given().redirects()
                .follow(false)
                .formParam("confirm", "yes")
                .post(path)
                .then()
                .statusCode(303)
                .header("Location", containsString("/ui/login"));

        // and nothing was published
        assertThat(TopicOffsets.total(LabKafka.shared().bootstrapServers())).isEqualTo(before);
    }

    private String otherSessionsToken(String deployment) {
        String other = UiForms.signIn(Deliveries.OPERATOR);
        return UiForms.hiddenFields(UiForms.page(other, "/ui/deployments/" + deployment), "replay-converge")
                .get("csrf");
    }

    private static ValidatableResponse post(String session, String path, Map<String, String> fields, String confirm) {
        RequestSpecification request =
                given().cookie(UiSessions.COOKIE, session).redirects().follow(false);
        for (Map.Entry<String, String> f : fields.entrySet()) {
            request = request.formParam(f.getKey(), f.getValue());
        }
        if (confirm != null) {
            request = request.formParam("confirm", confirm);
        }
        return request.post(path).then();
    }

    private static Map<String, String> with(Map<String, String> form, String name, String value) {
        Map<String, String> out = new HashMap<>(form);
        out.put(name, value);
        return out;
    }

    private static Map<String, String> without(Map<String, String> form, String name) {
        Map<String, String> out = new HashMap<>(form);
        out.remove(name);
        return out;
    }
}
