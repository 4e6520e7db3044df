package dev.handoff.control.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.handoff.control.Deliveries;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An operator trusts a host's SSH host key; the decision goes to the shared pin store and into the ledger. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class HostsApiTest {
    private static final String HOST = "forgejo-pi";
    private static final String FINGERPRINT = "SHA256:/UTVGWR1feIqqbwDWDGrSNNcFV8OYqFhsgH4MToi4Uo";

    @Test
    void anOperatorsTrustDecisionIsPublishedAndListedAsTheKeyInEffect() {
        // When
        String eventId = given().auth()
                .oauth2(Deliveries.OPERATOR)
                .contentType("application/json")
                .body("{\"fingerprint\":\"" + FINGERPRINT + "\",\"reason\":\"reinstalled, read on the console\"}")
                .post("/api/hosts/" + HOST + "/trust")
                .then()
                .statusCode(202)
                .body("host", equalTo(HOST))
                .body("fingerprint", equalTo(FINGERPRINT))
                .extract()
                .path("eventId");

        // Then
        List<Map<String, Object>> decisions = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> given().auth()
                                .oauth2(Deliveries.VIEWER)
                                .get("/api/hosts/" + HOST + "/keys")
                                .then()
                                .statusCode(200)
                                .extract()
                                .jsonPath()
                                .<Map<String, Object>>getList("decisions"),
                        list -> list.stream().anyMatch(d -> eventId.equals(d.get("eventId"))));
        Map<String, Object> newest = decisions.get(decisions.size() - 1);
        assertThat(newest)
                .containsEntry("eventId", eventId)
                .containsEntry("fingerprint", FINGERPRINT)
                .containsEntry("source", "operator")
                .containsEntry("decidedBy", "test-operator")
                .containsEntry("reason", "reinstalled, read on the console")
                .containsEntry("inEffect", true);
    }

    @Test
    void onlyAnOperatorMayTrustAKeyOnlyOfAHostInHandoffYamlAndOnlyASha256Fingerprint() {
        // When / Then
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .contentType("application/json")
                .body("{\"fingerprint\":\"" + FINGERPRINT + "\"}")
                .post("/api/hosts/" + HOST + "/trust")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(Deliveries.OPERATOR)
                .contentType("application/json")
                .body("{\"fingerprint\":\"" + FINGERPRINT + "\"}")
                .post("/api/hosts/not-a-host/trust")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("reason", equalTo("unknown-host"))
                .body("detail", containsString("not-a-host is not in handoff.yaml"));
        given().auth()
                .oauth2(Deliveries.OPERATOR)
                .contentType("application/json")
                .body("{\"fingerprint\":\"MD5:0b:7e:1c\"}")
                .post("/api/hosts/" + HOST + "/trust")
                .then()
                .statusCode(400)
                .body("reason", equalTo("bad-fingerprint"))
                .body("fix", containsString("ssh-keygen -l"));
    }
}
