package dev.handoff.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** handoffctl against a stub of control-service's API: requests it sends, exit codes, messages. */
class HandoffCtlTest {
    /** A request the stub received. */
    record Seen(String method, String path, String authorization, String body) {}

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private HttpServer stub;
    private volatile int status = 200;
    private volatile String answer = "{}";
    private volatile String contentType = "application/json";

    @BeforeEach
    void startStub() throws IOException {
        stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stub.createContext("/", this::handle);
        stub.start();
    }

    @AfterEach
    void stopStub() {
        stub.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        seen.add(new Seen(
                exchange.getRequestMethod(),
                exchange.getRequestURI().toString(),
                exchange.getRequestHeaders().getFirst("Authorization"),
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        byte[] body = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private String server() {
        return "http://127.0.0.1:" + stub.getAddress().getPort();
    }

    @Test
    void approveAndRejectPostTheDecisionAndTheCommentWithTheToken() throws Exception {
        // When
        Ctl.Run approve =
                Ctl.run("approve", "dep-1", "--comment", "plan reviewed", "--server", server(), "--token", "t0k");
        Ctl.Run reject = Ctl.run("reject", "dep-2", "--server", server(), "--token", "t0k");

        // Then
        assertThat(approve.exit()).isZero();
        assertThat(approve.out()).contains("Approved dep-1: plan reviewed");
        assertThat(reject.exit()).isZero();
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0).method()).isEqualTo("POST");
        assertThat(seen.get(0).path()).isEqualTo("/api/approvals/dep-1");
        assertThat(seen.get(0).authorization()).isEqualTo("Bearer t0k");
        JsonNode body = ControlApi.JSON.readTree(seen.get(0).body());
        assertThat(body.path("decision").asText()).isEqualTo("approve");
        assertThat(body.path("comment").asText()).isEqualTo("plan reviewed");
        JsonNode rejected = ControlApi.JSON.readTree(seen.get(1).body());
        assertThat(rejected.path("decision").asText()).isEqualTo("reject");
        assertThat(rejected.has("comment")).isFalse();
    }

    @Test
    void aRefusalExitsWith1AndPrintsTheProblemsReasonDetailAndFix() {
        // Given: an RFC 9457 problem detail
        status = 400;
        contentType = "application/problem+json";
        answer = "{\"type\":\"/problems/not-an-input\",\"title\":\"Topic is not an input of the stage\","
                + "\"status\":400,\"detail\":\"handoff.convergence is not an input of converge\","
                + "\"instance\":\"/api/replays\",\"reason\":\"not-an-input\","
                + "\"fix\":\"converge reads handoff.secret-facts, handoff.commits; replay from one of those\"}";

        // When
        Ctl.Run run = Ctl.run(
                "replay",
                "converge",
                "--topic",
                "handoff.convergence",
                "--partition",
                "0",
                "--from",
                "3",
                "--server",
                server(),
                "--token",
                "t0k");

        // Then
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err())
                .contains(
                        "POST /api/replays → 400 not-an-input: handoff.convergence is not an input of converge",
                        "\n  fix: converge reads handoff.secret-facts");
        assertThat(seen.get(0).body()).contains("\"fromOffset\":3").doesNotContain("toOffset");
    }

    @Test
    void aPageFromAProxyInsteadOfControlServicesJsonIsShownAsTheProxysAnswer() {
        // Given: a reverse proxy in front of control-service answers with its own page
        status = 502;
        contentType = "text/html";
        answer = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body><h1>502 Bad Gateway</h1></body>\n</html>";

        // When
        Ctl.Run run = Ctl.run("deployments", "--server", server(), "--token", "t0k");

        // Then
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err())
                .contains("GET /api/deployments → 502", "not control-service's JSON (a proxy in front of it?)")
                .contains("<title>502 Bad Gateway</title>")
                .doesNotContain("\n<body>");
    }

    @Test
    void authProblemsExitWith4AndSayWhichTokenToUse() {
        // Given / When
        Ctl.Run noToken = Ctl.run("deployments", "--server", server(), "--token", "");
        // a server from before problem details answers {error, fix}
        status = 401;
        answer = "{\"error\":\"the token is not recognised\"}";
        Ctl.Run unknown = Ctl.run("deployments", "--server", server(), "--token", "nope");
        status = 403;
        contentType = "application/problem+json";
        answer = "{\"type\":\"/problems/role-too-low\",\"title\":\"Role too low\",\"status\":403,"
                + "\"detail\":\"token 'ci' has role viewer; this needs operator\",\"reason\":\"role-too-low\","
                + "\"fix\":\"use a token with role operator\"}";
        Ctl.Run viewer = Ctl.run("approve", "d", "--server", server(), "--token", "viewer");

        // Then
        assertThat(noToken.exit()).isEqualTo(4);
        assertThat(noToken.err()).contains("pass --token or set HANDOFF_TOKEN");
        assertThat(unknown.exit()).isEqualTo(4);
        assertThat(unknown.err()).contains("not recognised").doesNotContain("nope");
        assertThat(viewer.exit()).isEqualTo(4);
        assertThat(viewer.err()).contains("needs operator", "use a token with role operator");
    }

    @Test
    void anUnreachableServerExitsWith3AndSaysHowToStartIt() throws IOException {
        // Given: a port nobody listens on
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }

        // When
        Ctl.Run run = Ctl.run("deployments", "--server", "http://127.0.0.1:" + port, "--token", "t0k");

        // Then
        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.err()).contains("cannot reach control-service at http://127.0.0.1:" + port, "./handoff up");
    }

    @Test
    void aWrongCommandLineExitsWith2AndShowsTheUsage() {
        // When
        Ctl.Run missing = Ctl.run("replay", "converge", "--partition", "0", "--from", "1", "--token", "t");
        Ctl.Run unknown = Ctl.run("deploy");
        Ctl.Run badStatus = Ctl.run("deployments", "--status", "done", "--token", "t");
        Ctl.Run badServer = Ctl.run("deployments", "--server", "localhost:8080", "--token", "t");
        Ctl.Run fromWithoutTopic = Ctl.run("events", "--from", "3", "--token", "t", "--server", server());

        // Then
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required option: '--topic=TOPIC'");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(badStatus.exit()).isEqualTo(2);
        assertThat(badStatus.err()).contains("running, succeeded, failed");
        assertThat(badServer.exit()).isEqualTo(2);
        assertThat(badServer.err()).contains("e.g. --server http://localhost:8080");
        assertThat(fromWithoutTopic.exit()).isEqualTo(2);
        assertThat(seen).isEmpty();
    }

    @Test
    void helpListsTheCommandsAndTheExitCodes() {
        // When
        Ctl.Run help = Ctl.run("--help");
        Ctl.Run replayHelp = Ctl.run("replay", "--help");

        // Then
        assertThat(help.exit()).isZero();
        assertThat(help.out())
                .contains("deployments", "show", "events", "replay", "approve", "reject", "HANDOFF_SERVER")
                .contains("3  control-service cannot be reached");
        assertThat(replayHelp.out()).contains("converge <- handoff.secret-facts, handoff.commits", "--idempotency-key");
    }

    @Test
    void jsonOutputIsTheApisAnswer() {
        // Given
        answer = "{\"items\":[{\"id\":\"d1\",\"host\":\"cloud-edge-1\",\"status\":\"running\"}]}";

        // When
        Ctl.Run json = Ctl.run("deployments", "--host", "cloud-edge-1", "-o", "json", "--server", server(), "-t", "t");
        Ctl.Run table = Ctl.run("deployments", "--status", "running", "--server", server(), "-t", "t");

        // Then
        assertThat(json.exit()).isZero();
        assertThat(json.out()).contains("\"id\" : \"d1\"");
        assertThat(seen.get(0).path()).isEqualTo("/api/deployments?host=cloud-edge-1&limit=20");
        assertThat(table.out()).contains("ID", "HOST", "d1", "cloud-edge-1", "running");
        assertThat(seen.get(1).path()).isEqualTo("/api/deployments?status=running&limit=20");
    }

    @Test
    void hostsShowsEachHostsRepositoriesAgainstGitAndSaysWhichAreBehind() throws Exception {
        // Given: one host in sync, one behind Git with a drift report
        answer = "{\"items\":[{\"host\":\"cloud-edge-1\",\"role\":\"edge\",\"state\":\"behind\",\"repositories\":["
                + "{\"repository\":\"ops/nix-k3s-edge-cluster\",\"branch\":\"main\",\"gitHead\":"
                + "\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"deployed\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
                + "\"state\":\"behind\"}],\"stages\":[],\"drift\":{\"stage\":\"infra\",\"message\":"
                + "\"shape differs\"},\"backups\":[{\"contract\":\"runtime\",\"verifiedAt\":\"2026-12-07T03:00:00Z\"}]},"
                + "{\"host\":\"forgejo-pi\",\"role\":\"control\",\"state\":\"in-sync\",\"repositories\":["
                + "{\"repository\":\"ops/infrastructure-nixos\",\"branch\":\"main\",\"gitHead\":"
                + "\"cccccccccccccccccccccccccccccccccccccccc\",\"deployed\":\"cccccccccccccccccccccccccccccccccccccccc\","
                + "\"state\":\"in-sync\"}],\"stages\":[],\"backups\":[]}]}";

        // When
        Ctl.Run table = Ctl.run("hosts", "--server", server(), "--token", "t0k");
        Ctl.Run wide = Ctl.run("hosts", "-o", "wide", "--server", server(), "--token", "t0k");

        // Then
        assertThat(table.exit()).isZero();
        assertThat(seen.get(0).path()).isEqualTo("/api/hosts?limit=500");
        assertThat(table.out())
                .contains("HOST", "GIT HEAD", "DEPLOYED", "REPO STATE")
                .contains("cloud-edge-1", "behind", "bbbbbbb", "aaaaaaa", "infra: shape differs")
                .contains("forgejo-pi", "in-sync")
                .contains("1 host(s) behind Git");
        assertThat(wide.out()).contains("BACKUPS", "runtime 2026-12-07T03:00:00Z");
    }

    @Test
    void hostsShowsAHostDriftedFromItsLastConvergenceWithWhatDiffers() throws Exception {
        // Given: converge-service's watch reported the host rolled back by hand
        answer = "{\"host\":\"cloud-edge-1\",\"role\":\"edge\",\"state\":\"drifted\",\"repositories\":["
                + "{\"repository\":\"ops/nix-k3s-edge-cluster\",\"branch\":\"main\",\"gitHead\":"
                + "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"deployed\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
                + "\"state\":\"in-sync\"}],\"stages\":[],\"drift\":{\"stage\":\"converge\",\"message\":"
                + "\"cloud-edge-1 no longer runs what Handoff converged\",\"differences\":["
                + "{\"field\":\"systemPath\",\"expected\":\"/nix/store/x48gzfjghm8dl5lsn801qhsdkcbplzsx-nixos-system\","
                + "\"observed\":\"/nix/store/0n3w8bq1f2hzqv6g7j1l5k9c8xm4p2dr-nixos-system\"},"
                + "{\"field\":\"generation\",\"expected\":\"12\",\"observed\":\"11\"}]},\"backups\":[]}";

        // When
        Ctl.Run run = Ctl.run("hosts", "cloud-edge-1", "--server", server(), "--token", "t0k");

        // Then
        assertThat(run.exit()).isZero();
        assertThat(seen.get(0).path()).isEqualTo("/api/hosts/cloud-edge-1");
        assertThat(run.out())
                .contains("cloud-edge-1", "drifted")
                .contains("converge: systemPath x48gzfj→0n3w8bq, generation 12→11");
    }

    @Test
    void hostsTrustPostsTheFingerprintAndReasonAndHostsKeysListsTheDecisionInEffect() throws Exception {
        // Given
        String fingerprint = "SHA256:/UTVGWR1feIqqbwDWDGrSNNcFV8OYqFhsgH4MToi4Uo";
        answer = "{\"host\":\"cloud-edge-1\",\"fingerprint\":\"" + fingerprint + "\",\"eventId\":\"e-1\"}";

        // When
        Ctl.Run trust = Ctl.run(
                "hosts",
                "trust",
                "cloud-edge-1",
                fingerprint,
                "--reason",
                "reinstalled",
                "--server",
                server(),
                "--token",
                "t0k");
        answer = "{\"host\":\"cloud-edge-1\",\"decisions\":[{\"fingerprint\":\"SHA256:old\",\"source\":"
                + "\"first-bootstrap\",\"decidedBy\":\"converge-service\",\"inEffect\":false},{\"fingerprint\":\""
                + fingerprint + "\",\"source\":\"operator\",\"decidedBy\":\"ops\",\"reason\":\"reinstalled\","
                + "\"inEffect\":true}]}";
        Ctl.Run keys = Ctl.run("hosts", "keys", "cloud-edge-1", "--server", server(), "--token", "t0k");

        // Then
        assertThat(trust.exit()).isZero();
        assertThat(trust.out()).contains("Trusted " + fingerprint + " for cloud-edge-1: reinstalled");
        assertThat(seen.get(0).method()).isEqualTo("POST");
        assertThat(seen.get(0).path()).isEqualTo("/api/hosts/cloud-edge-1/trust");
        JsonNode body = ControlApi.JSON.readTree(seen.get(0).body());
        assertThat(body.path("fingerprint").asText()).isEqualTo(fingerprint);
        assertThat(body.path("reason").asText()).isEqualTo("reinstalled");
        assertThat(keys.exit()).isZero();
        assertThat(seen.get(1).path()).isEqualTo("/api/hosts/cloud-edge-1/keys");
        assertThat(keys.out()
                        .lines()
                        .filter(l -> l.contains(fingerprint))
                        .findFirst()
                        .orElseThrow())
                .startsWith("*")
                .contains("operator", "reinstalled");
    }

    @Test
    void hostsTrustRefusesAFingerprintThatIsNotSha256BeforeAskingTheServer() {
        // When
        Ctl.Run run = Ctl.run("hosts", "trust", "cloud-edge-1", "MD5:0b:7e", "--server", server(), "--token", "t0k");

        // Then
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("'MD5:0b:7e' is not an SSH host key fingerprint", "ssh-keygen -l");
        assertThat(seen).isEmpty();
    }
}
