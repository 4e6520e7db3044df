package dev.handoff.control.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.handoff.common.event.Stage;
import dev.handoff.control.ChainEvents;
import dev.handoff.control.Deliveries;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pages' server-sent events: a new event in the ledger reaches a page that follows its deployment or host. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class LiveUpdatesTest {
    @TestHTTPResource("/")
    URL base;

    private final ChainEvents chain = new ChainEvents();
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final LedgerWatch watch;

    LiveUpdatesTest(LedgerWatch watch) {
        this.watch = watch;
    }

    @AfterEach
    void close() {
        chain.close();
    }

    @Test
    void anEventOfTheDeploymentReachesItsOpenPagesStreamAndAClosedStreamIsDropped() throws Exception {
        // Given a deployment, and its page's stream open
        String deployment = Deliveries.pushForTestHost("ops/nix-k3s-edge-cluster");
        String session = UiForms.signIn(Deliveries.VIEWER);
        // streams of earlier tests' pages (the browser's) may still be closing: wait until none is left
        await().atMost(Duration.ofSeconds(40)).until(() -> watch.streams() == 0);
        int before = 0;
        Follower page = follow(session, "ui/live?deployment=" + deployment);
        Follower host = follow(session, "ui/live?host=" + ChainEvents.HOST);
        await().atMost(Duration.ofSeconds(10)).until(() -> page.saw("event:ready") && host.saw("event:ready"));
        assertThat(watch.streams()).isEqualTo(before + 2);

        // When the deployment's converge stage starts (written to the ledger by whichever replica consumes it)
        chain.started(Stage.CONVERGE, deployment, null);

        // Then both streams are told
        await().atMost(Duration.ofSeconds(15)).until(() -> page.saw("event:changed") && host.saw("event:changed"));

        // and once the pages close, their streams are dropped
        page.close();
        host.close();
        await().atMost(Duration.ofSeconds(40)).until(() -> watch.streams() == before);
    }

    @Test
    void oneSessionFollowsAtMostTwentyPagesAtOnce() throws Exception {
        // Given a session that follows as many pages as it may
        String session = UiForms.signIn(Deliveries.VIEWER);
        // streams of earlier tests' pages (the browser's) may still be closing: wait until none is left
        await().atMost(Duration.ofSeconds(40)).until(() -> watch.streams() == 0);
        int before = 0;
        List<Follower> tabs = new java.util.ArrayList<>();
        for (int i = 0; i < LedgerWatch.MAX_STREAMS_PER_SESSION; i++) {
            tabs.add(follow(session, "ui/live"));
        }

        // When it opens one more, it is refused with the reason; another session is not
        HttpResponse<String> refused = http.send(
                HttpRequest.newBuilder(URI.create(base + "ui/live"))
                        .header("Cookie", UiSessions.COOKIE + "=" + session)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(refused.body()).contains("your session follows 20 pages already");
        Follower other = follow(UiForms.signIn(Deliveries.VIEWER), "ui/live");

        // Then once the tabs close, their streams are gone
        other.close();
        tabs.forEach(Follower::close);
        await().atMost(Duration.ofSeconds(40)).until(() -> watch.streams() == before);
    }

    @Test
    void aStreamNeedsASessionAndAHostOfHandoffYaml() throws Exception {
        HttpResponse<String> anonymous = http.send(
                HttpRequest.newBuilder(URI.create(base + "ui/live")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).contains("sign in at /ui/login");

        HttpResponse<String> unknown = http.send(
                HttpRequest.newBuilder(URI.create(base + "ui/live?host=no-such-host"))
                        .header("Cookie", UiSessions.COOKIE + "=" + UiForms.signIn(Deliveries.VIEWER))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no-such-host is not in handoff.yaml", "cloud-edge-1");
    }

    /** An open event stream and every line it brought so far. */
    private static final class Follower implements AutoCloseable {
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Stream<String> body;
        private final Thread reader;

        Follower(HttpResponse<Stream<String>> response) {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
            this.body = response.body();
            this.reader = new Thread(() -> {
                try {
                    // "event: x" and "event:x" are the same field
                    body.forEach(line -> lines.add(line.replaceFirst("^(\\w+): ", "$1:")));
                } catch (RuntimeException closed) {
                    // the test closed the stream
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        boolean saw(String line) {
            return lines.contains(line);
        }

        @Override
        public void close() {
            body.close();
        }
    }

    private Follower follow(String session, String path) throws Exception {
        HttpResponse<Stream<String>> response = http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Cookie", UiSessions.COOKIE + "=" + session)
                        .header("Accept", "text/event-stream")
                        .build(),
                HttpResponse.BodyHandlers.ofLines());
        return new Follower(response);
    }
}
