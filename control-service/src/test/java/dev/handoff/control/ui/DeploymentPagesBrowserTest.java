package dev.handoff.control.ui;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.handoff.common.event.Stage;
import dev.handoff.control.ChainEvents;
import dev.handoff.control.ChainEvents.Published;
import dev.handoff.control.Deliveries;
import dev.handoff.control.HeldPlans;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/** The deployment history page in a real headless Chromium, against control-service with a lab broker and ledger. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class DeploymentPagesBrowserTest {
    @TestHTTPResource("/")
    URL base;

    private final ChainEvents chain = new ChainEvents();
    private final dev.handoff.common.serde.EventCodec codec = new dev.handoff.common.serde.EventCodec();
    private ChromeDriver browser;

    @BeforeEach
    void startBrowser() {
        browser = Chromium.start();
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        chain.close();
    }

    @Test
    void anOperatorSignsInFindsALabDeploymentAndReadsItsTimelineAndItsReplay() throws Exception {
        // Given: a lab deployment of cloud-edge-1 that got to converge, where it failed
        String id = Deliveries.send(Deliveries.push("ops/edge-cluster-infra", "refs/heads/main", Deliveries.sha()))
                .statusCode(202)
                .extract()
                .jsonPath()
                .getString("deployments[0].id");
        Published infraStarted = chain.started(Stage.INFRA, id, null);
        Published cloudFacts =
                chain.completed(Stage.INFRA, id, infraStarted.event().id());
        Published secretsStarted =
                chain.started(Stage.SECRETS, id, cloudFacts.event().id());
        Published secretFacts =
                chain.completed(Stage.SECRETS, id, secretsStarted.event().id());
        chain.started(Stage.CONVERGE, id, secretFacts.event().id());
        chain.failed(Stage.CONVERGE, id, secretFacts.event().id());
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(given().auth()
                                .oauth2(Deliveries.VIEWER)
                                .get("/api/deployments/" + id)
                                .then()
                                .extract()
                                .jsonPath()
                                .getString("status"))
                        .isEqualTo("failed"));

        // When: the operator opens the page and signs in with the token
        browser.get(base + "ui");
        assertThat(browser.getCurrentUrl()).endsWith("/ui/login");
        browser.findElement(By.id("token")).sendKeys(Deliveries.OPERATOR);
        browser.findElement(By.id("sign-in")).click();

        // Then: the list shows the deployment, and the browser holds a session cookie, not the token
        // (other tests' deployments may still run, so the list may refresh itself: read it again if it does)
        By row = By.cssSelector("tr.deployment[data-id='" + id + "']");
        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptionsMatching(DeploymentPagesBrowserTest::pageSwappedUnderUs)
                .untilAsserted(() -> assertThat(browser.findElement(row).getText())
                        .contains("cloud-edge-1", "ops/edge-cluster-infra", "failed"));
        Cookie session = browser.manage().getCookieNamed(UiSessions.COOKIE);
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getValue()).isNotEqualTo(Deliveries.OPERATOR);
        assertThat(browser.getCurrentUrl()).doesNotContain(Deliveries.OPERATOR);

        // When: they open it
        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptionsMatching(DeploymentPagesBrowserTest::pageSwappedUnderUs)
                .until(() -> {
                    if (!browser.getCurrentUrl().endsWith("/ui/deployments/" + id)) {
                        browser.findElement(row).findElement(By.tagName("a")).click();
                    }
                    return browser.getCurrentUrl().endsWith("/ui/deployments/" + id);
                });

        // Then: every stage of the chain is on the timeline, in order, with its status, facts and failure reason
        List<WebElement> steps = browser.findElements(By.cssSelector("#timeline li.step"));
        assertThat(steps)
                .extracting(e -> e.getAttribute("data-stage"))
                .containsExactly("commit", "infra", "secrets", "converge", "workload", "backup");
        assertThat(steps)
                .extracting(e -> e.getAttribute("data-status"))
                .containsExactly("pushed", "completed", "completed", "failed", "not-run", "not-run");
        WebElement converge = browser.findElement(By.id("stage-converge"));
        assertThat(converge.findElement(By.className("reason")).getText()).startsWith("converge: confirm-timeout");
        assertThat(browser.findElement(By.id("stage-infra")).getText()).contains("Facts");
        assertThat(converge.getCssValue("border-color")).isNotNull();
        assertThat(browser.findElements(By.cssSelector("meta[http-equiv='refresh']")))
                .as("no page reloads itself: they follow the ledger's events")
                .isEmpty();
        screenshot("ui-deployment-timeline.png");

        // When: converge is replayed from the secret facts
        String replayed = given().auth()
                .oauth2(Deliveries.OPERATOR)
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "stage", "converge",
                        "topic", "handoff.secret-facts",
                        "partition", secretFacts.partition(),
                        "fromOffset", secretFacts.offset(),
                        "toOffset", secretFacts.offset()))
                .post("/api/replays")
                .then()
                .statusCode(202)
                .extract()
                .jsonPath()
                .getString("records[0].deploymentId");
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptionsMatching(DeploymentPagesBrowserTest::pageSwappedUnderUs)
                .untilAsserted(() -> {
                    browser.navigate().refresh();
                    assertThat(browser.findElements(By.cssSelector("#replayed-as a")))
                            .extracting(WebElement::getText)
                            .containsExactly(replayed);
                });

        // Then: the original links to the replay, the replay back to the original, and a running replay follows the
        // ledger
        browser.findElement(By.cssSelector("#replayed-as a")).click();
        // the replay runs, so its page refreshes itself: read it again if a refresh lands between two reads
        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptionsMatching(DeploymentPagesBrowserTest::pageSwappedUnderUs)
                .untilAsserted(() -> {
                    assertThat(browser.findElement(By.id("replay-of")).getText())
                            .contains(id, "converge", "test-operator");
                    assertThat(browser.findElement(By.id("deployment-status")).getText())
                            .isEqualTo("running");
                    assertThat(browser.findElements(By.cssSelector("main[data-live]")))
                            .isNotEmpty();
                });

        // When: converge starts again for the replay, the open page shows it without anyone reloading it
        chain.started(Stage.CONVERGE, replayed, null);
        await().atMost(Duration.ofSeconds(20))
                // the page refreshes itself: an element found just before a refresh is stale, gone from the
                // document, or not there yet while the new page loads; look again
                .ignoreExceptionsMatching(DeploymentPagesBrowserTest::pageSwappedUnderUs)
                .untilAsserted(() -> assertThat(
                                browser.findElement(By.id("stage-converge")).getAttribute("data-status"))
                        .isEqualTo("running"));
        screenshot("ui-replayed-deployment.png");
        // the replay's page keeps refreshing while it runs: retry the click if a refresh swaps the page under it
        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptionsMatching(DeploymentPagesBrowserTest::pageSwappedUnderUs)
                .untilAsserted(() -> {
                    if (!browser.findElements(By.cssSelector("#replay-of a")).isEmpty()) {
                        browser.findElement(By.cssSelector("#replay-of a")).click();
                    }
                    assertThat(browser.findElement(By.id("deployment-status")).getText())
                            .isEqualTo("failed");
                });
    }

    /**
     * True for the errors a self-refreshing page causes when it reloads between finding an element and
     * reading it: a stale reference, an element not there yet, or Chrome's "Node with given id does not
     * belong to the document" (an unknown error, not a StaleElementReferenceException).
     */
    @Test
    void anOperatorApprovesOnePlanAndRejectsAnotherFromThePages() throws Exception {
        // Given two plans held for approval
        String approved = HeldPlans.ask(codec);
        String rejected = HeldPlans.ask(codec);

        // When the operator signs in, reads the first plan's changes, confirms and approves
        browser.get(base + "ui");
        browser.findElement(By.id("token")).sendKeys(Deliveries.OPERATOR);
        WebElement signIn = browser.findElement(By.id("sign-in"));
        signIn.click();
        await().atMost(Duration.ofSeconds(10)).until(() -> gone(signIn));
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.manage().getCookieNamed(UiSessions.COOKIE) != null);
        decideInBrowser(approved, "approve", "volume backed up");

        // and rejects the second
        decideInBrowser(rejected, "reject", "not during business hours");

        // Then each stage shows the decision, and neither page offers the form again
        DeploymentActionsTest.awaitInfraStatus(approved, "approved");
        DeploymentActionsTest.awaitInfraStatus(rejected, "rejected");
        for (String id : List.of(approved, rejected)) {
            browser.get(base + "ui/deployments/" + id);
            assertThat(browser.findElements(By.id("approval"))).isEmpty();
        }
        screenshot("browser/decided.png");
    }

    @Test
    void anOperatorReplaysAFailedStageFromThePageWhichFollowsTheLedgerWithoutDisturbingAnOpenForm() throws Exception {
        // Given a deployment whose converge stage failed
        String id = Deliveries.pushForTestHost("ops/nix-k3s-edge-cluster");
        chain.started(Stage.CONVERGE, id, null);
        chain.failed(Stage.CONVERGE, id, null);
        signIn();
        browser.get(base + "ui/deployments/" + id);
        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptionsMatching(DeploymentPagesBrowserTest::pageSwappedUnderUs)
                .untilAsserted(() -> {
                    if (!"failed".equals(status("converge"))) {
                        browser.navigate().refresh();
                    }
                    assertThat(status("converge")).isEqualTo("failed");
                });
        browser.executeScript("window.sameDocument = true;");

        // When the operator opens the replay's confirmation, and meanwhile the deployment gets a new event
        browser.findElement(By.cssSelector("#replay-converge summary")).click();
        chain.started(Stage.WORKLOAD, id, null);

        // Then the page says newer events wait, and leaves the open form alone
        await().atMost(Duration.ofSeconds(20))
                .until(() -> browser.findElement(By.id("live-note")).isDisplayed());
        assertThat(browser.findElement(By.id("replay-converge")).getAttribute("open"))
                .isNotNull();
        assertThat(status("workload")).isEqualTo("not-run");

        // and once the form is closed, the page shows the event without reloading
        browser.findElement(By.cssSelector("#replay-converge summary")).click();
        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptionsMatching(DeploymentPagesBrowserTest::pageSwappedUnderUs)
                .until(() -> "running".equals(status("workload")));
        assertThat(browser.executeScript("return window.sameDocument === true;"))
                .isEqualTo(true);

        // When the operator confirms the replay of converge and sends it
        browser.findElement(By.cssSelector("#replay-converge summary")).click();
        WebElement form = browser.findElement(By.cssSelector("#replay-converge form"));
        assertThat(form.getText()).contains("handoff.commit.pushed", "handoff.commits");
        form.findElement(By.name("confirm")).click();
        form.findElement(By.id("replay-converge-submit")).click();

        // Then the browser is on the new deployment, a replay of the first in the operator's name
        await().atMost(Duration.ofSeconds(20)).until(() -> gone(form));
        String replayed =
                browser.getCurrentUrl().substring(browser.getCurrentUrl().lastIndexOf('/') + 1);
        assertThat(replayed).isNotEqualTo(id);
        assertThat(browser.findElement(By.id("replay-of")).getText()).contains(id, "converge", "test-operator");
        screenshot("browser/replayed-from-the-page.png");

        // and when converge starts again for it, its open page shows that without reloading
        browser.executeScript("window.sameDocument = true;");
        chain.started(Stage.CONVERGE, replayed, null);
        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptionsMatching(DeploymentPagesBrowserTest::pageSwappedUnderUs)
                .until(() -> "running".equals(status("converge")));
        assertThat(browser.executeScript("return window.sameDocument === true;"))
                .isEqualTo(true);
    }

    @Test
    void anOperatorRedeploysAHostFromItsPage() throws Exception {
        // Given the host's newest push of the runtime repository
        String original = Deliveries.pushForTestHost("ops/nix-k3s-edge-cluster");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().auth()
                        .oauth2(Deliveries.VIEWER)
                        .get("/api/deployments/" + original)
                        .then()
                        .statusCode(200));
        signIn();
        browser.get(base + "ui/hosts/" + ChainEvents.HOST);

        // When the operator redeploys it from converge, confirmed
        browser.findElement(By.cssSelector("#redeploy summary")).click();
        WebElement form = browser.findElement(By.cssSelector("#redeploy form"));
        form.findElement(By.cssSelector("select[name='stage'] option[value='converge']"))
                .click();
        form.findElement(By.name("confirm")).click();
        screenshot("browser/host.png");
        form.findElement(By.id("redeploy-submit")).click();

        // Then the browser is on the new deployment, a replay of the host's last converge trigger
        await().atMost(Duration.ofSeconds(20)).until(() -> gone(form));
        assertThat(browser.getCurrentUrl()).contains("/ui/deployments/").doesNotEndWith(original);
        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptionsMatching(DeploymentPagesBrowserTest::pageSwappedUnderUs)
                .untilAsserted(
                        () -> assertThat(browser.findElement(By.id("replay-of")).getText())
                                .contains("converge", "test-operator"));
    }

    private void signIn() {
        browser.get(base + "ui");
        browser.findElement(By.id("token")).sendKeys(Deliveries.OPERATOR);
        WebElement signIn = browser.findElement(By.id("sign-in"));
        signIn.click();
        await().atMost(Duration.ofSeconds(10)).until(() -> gone(signIn));
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.manage().getCookieNamed(UiSessions.COOKIE) != null);
    }

    private String status(String stage) {
        return browser.findElement(By.id("stage-" + stage)).getAttribute("data-status");
    }

    /** Opens a held plan's page, checks it lists the change, confirms and decides. */
    private void decideInBrowser(String deployment, String decision, String comment) {
        browser.get(base + "ui/deployments/" + deployment);
        WebElement form = browser.findElement(By.id("approval"));
        assertThat(form.findElement(By.id("planned-changes")).getText()).contains(HeldPlans.CHANGE);
        // the page does not reload itself while it shows a plan to decide
        assertThat(browser.findElements(By.cssSelector("meta[http-equiv='refresh']")))
                .isEmpty();
        form.findElement(By.name("comment")).sendKeys(comment);
        form.findElement(By.name("confirm")).click();
        form.findElement(By.id(decision)).click();
        // the form was sent once its page is gone (the answer redirects back to the deployment's page)
        await().atMost(Duration.ofSeconds(10)).until(() -> gone(form));
        assertThat(browser.getCurrentUrl()).endsWith("/ui/deployments/" + deployment);
    }

    private static boolean gone(WebElement element) {
        try {
            element.isEnabled();
            return false;
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return true;
        }
    }

    private static boolean pageSwappedUnderUs(Throwable e) {
        return e instanceof org.openqa.selenium.StaleElementReferenceException
                || e instanceof org.openqa.selenium.NoSuchElementException
                || (e instanceof org.openqa.selenium.WebDriverException
                        && e.getMessage() != null
                        && (e.getMessage().contains("does not belong to the document")
                                || e.getMessage().contains("document unloaded")));
    }

    private void screenshot(String name) throws Exception {
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
    }
}
