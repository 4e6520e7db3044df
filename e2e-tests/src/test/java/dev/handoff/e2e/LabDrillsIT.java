package dev.handoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.lab.world.nixos.NixosFaults;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fault drills of {@code docs/lab.md} on a lab with every service, as an operator runs them from a second
 * terminal: a converge run whose service is killed mid-activation and restarted completes once; the chain goes on
 * after the broker was stopped and started during a run; the services work again after PostgreSQL came back; a
 * partitioned host gets no answer through until it heals. One lab for all of them: starting one takes a minute.
 */
class LabDrillsIT {
    private static final String HOST = "cloud-edge-1";
    private static final String RUNTIME = "ops/nix-k3s-edge-cluster";
    private static final Duration RUN = Duration.ofMinutes(5);
    private static final Duration WATCH = Duration.ofSeconds(5);

    private LabProcess lab;
    private NixosFaults faults;

    @BeforeEach
    void startLab() throws Exception {
        // converge-service's watch every few seconds, so that a drift is found within the test's patience
        lab = LabProcess.start(Map.of(
                "HANDOFF_CONVERGE_WATCH_INTERVAL", WATCH.toSeconds() + "s", "HANDOFF_CONVERGE_WATCH_DELAY", "1s"));
        faults = new NixosFaults(lab.home().resolve("nixos"));
        // the host's cloud facts come from a first run of the infra repository
        JsonNode infra = lab.finished(lab.push("ops/edge-cluster-infra", HOST), RUN);
        assertThat(infra.path("status").asText())
                .as("infra run: %s", infra.path("result"))
                .isEqualTo("succeeded");
    }

    @AfterEach
    void stopLab() throws Exception {
        lab.close();
    }

    @Test
    void theLabsDrillsHitTheRunningChainAndItRecoversFromEach() throws Exception {
        convergeKilledMidActivationAndRestartedCompletesOnce();
        theChainGoesOnAfterTheBrokerStoppedAndStartedDuringARun();
        theServicesWorkAgainAfterPostgresCameBack();
        aPartitionedHostGetsNoAnswerUntilItHeals();
        aPushWhoseWebhookWasLostDeploysWhenControlServiceStartsAgain();
        aHostChangedByHandIsReportedDriftedAndWithReconvergeConvergedBack();
    }

    /** Issue 21's acceptance: a host changed by hand is found by converge-service's watch; reconverge undoes it. */
    private void aHostChangedByHandIsReportedDriftedAndWithReconvergeConvergedBack() throws Exception {
        // Given: the host converged at the runtime repository's head, on generation g
        String id = lab.push(RUNTIME, HOST);
        JsonNode converged = lab.finished(id, RUN);
        assertThat(converged.path("status").asText())
                .as("result: %s", converged.path("result"))
                .isEqualTo("succeeded");
        long generation = LabProcess.events(converged, "handoff.convergence.completed")
                .get(0)
                .path("data")
                .path("generation")
                .asLong();
        assertThat(generation).as("generations to go back to").isGreaterThan(2);

        // When: someone switches the host back one generation by hand
        faults.systemDrift(HOST, (int) generation - 1);

        // Then: within the watch's interval the ledger has the drift under that deployment, and the fleet view says so
        JsonNode drifted = driftedEvents(id, 1).get(0);
        assertThat(drifted.path("data").path("onDrift").asText()).isEqualTo("report");
        assertThat(drifted.path("data").path("reconvergeDeployment").isMissingNode()
                        || drifted.path("data").path("reconvergeDeployment").isNull())
                .as("no reconverge with onDrift: report: %s", drifted)
                .isTrue();
        assertThat(drifted.path("data").path("differences").toString())
                .contains("\"field\":\"generation\"")
                .contains("\"expected\":\"" + generation + "\"")
                .contains("\"observed\":\"" + (generation - 1) + "\"");
        assertThat(lab.deployment(id).path("status").asText())
                .as("a drift changes no deployment's status")
                .isEqualTo("succeeded");
        LabProcess.Result hosts = lab.run("ctl", "hosts", HOST);
        assertThat(hosts.exit()).as(hosts.output()).isZero();
        assertThat(hosts.output()).contains("drifted").contains("generation " + generation + "→" + (generation - 1));

        // When: handoff.yaml says onDrift: reconverge for the host, converge-service starts again with it, and the
        // host is switched back once more
        Path inventory = lab.home().resolve("handoff.yaml");
        String yaml = Files.readString(inventory);
        assertThat(yaml).contains("  " + HOST + ":\n");
        Files.writeString(inventory, yaml.replace("  " + HOST + ":\n", "  " + HOST + ":\n    onDrift: reconverge\n"));
        LabProcess.Result restart = lab.run("restart", "converge-service");
        assertThat(restart.exit()).as(restart.output()).isZero();
        faults.systemDrift(HOST, (int) generation - 2);

        // Then: the new drift names the deployment that converges the host back, which was caused by it and succeeds
        JsonNode second = driftedEvents(id, 2).get(1);
        assertThat(second.path("data").path("onDrift").asText()).isEqualTo("reconverge");
        String reconverge = second.path("data").path("reconvergeDeployment").asText();
        assertThat(reconverge).as("the reconverge deployment in %s", second).isNotBlank();
        JsonNode back = lab.finished(reconverge, RUN);
        assertThat(back.path("status").asText())
                .as("result: %s", back.path("result"))
                .isEqualTo("succeeded");
        assertThat(LabProcess.events(back, "handoff.convergence.started"))
                .singleElement()
                .satisfies(e -> assertThat(e.path("causationId").asText())
                        .isEqualTo(second.path("id").asText()));
        assertThat(LabProcess.events(back, "handoff.convergence.completed"))
                .singleElement()
                .satisfies(e -> assertThat(e.path("data").path("commit").asText())
                        .isEqualTo(second.path("data").path("commit").asText()));
        await("the fleet view no longer shows " + HOST + " drifted")
                .atMost(RUN)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> !lab.run("ctl", "hosts", HOST).output().contains("drifted"));
    }

    /** The ledger's {@code convergence.drifted} events of deployment {@code id}, once there are {@code count}. */
    private java.util.List<JsonNode> driftedEvents(String id, int count) {
        return await(count + " drift(s) of " + HOST + " in deployment " + id)
                .atMost(WATCH.multipliedBy(12))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(
                        () -> LabProcess.events(lab.deployment(id), "handoff.convergence.drifted"),
                        events -> events.size() >= count);
    }

    /** Issue 21's acceptance: Git stays the truth when control-service missed the webhook. */
    private void aPushWhoseWebhookWasLostDeploysWhenControlServiceStartsAgain() throws Exception {
        // Given: control-service is down, and a commit is pushed to the forge with no webhook delivered
        LabProcess.Result kill = lab.run("kill", "control-service");
        assertThat(kill.exit()).as(kill.output()).isZero();
        LabProcess.Result push = lab.run("push", RUNTIME, "--no-webhook", "-m", "e2e: webhook lost");
        assertThat(push.exit()).as(push.output()).isZero();
        assertThat(push.output()).contains("no webhook delivered");
        java.util.regex.Matcher committed =
                java.util.regex.Pattern.compile("Committed ([0-9a-f]{10})").matcher(push.output());
        assertThat(committed.find()).as(push.output()).isTrue();
        String commit = committed.group(1);

        // When: control-service starts again
        LabProcess.Result restart = lab.run("restart", "control-service");
        assertThat(restart.exit()).as(restart.output()).isZero();

        // Then: its reconciliation at start deploys the commit, marked as found by reconciliation, to the end
        JsonNode found = await("a deployment of " + commit + " on " + HOST)
                .atMost(RUN)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(
                        () -> lab.newestDeployment(RUNTIME, HOST),
                        d -> d != null && d.path("commit").asText().startsWith(commit));
        JsonNode done = lab.finished(found.path("id").asText(), RUN);
        assertThat(done.path("status").asText())
                .as("result: %s", done.path("result"))
                .isEqualTo("succeeded");
        assertThat(LabProcess.events(done, "handoff.commit.pushed"))
                .singleElement()
                .satisfies(
                        e -> assertThat(e.path("data").path("trigger").asText()).isEqualTo("reconciliation"));
    }

    private void convergeKilledMidActivationAndRestartedCompletesOnce() throws Exception {
        // Given: a converge run in the middle of its activation (held there far longer than this test runs)
        faults.activationTime(HOST, Duration.ofMinutes(30));
        int switches = switchesOf(lab.log("converge-service"));
        String id = lab.push(RUNTIME, HOST);
        await("converge of " + id + " is activating " + HOST)
                .atMost(RUN)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> switchesOf(lab.log("converge-service")) > switches
                        && !LabProcess.events(lab.deployment(id), "handoff.convergence.started")
                                .isEmpty());

        // When: converge-service is killed
        LabProcess.Result kill = lab.run("kill", "converge-service");

        // Then: it stays dead and the run with it; the lab says so
        assertThat(kill.exit()).as(kill.output()).isZero();
        assertThat(kill.output()).startsWith("Killed converge-service with SIGKILL (pid ");
        faults.clearActivationTime(HOST);
        assertThat(lab.run("status").output())
                .containsPattern("converge-service +http://localhost:\\d+ +KILLED")
                .contains("converge-service killed (./handoff restart converge-service)");
        assertThat(lab.deployment(id).path("status").asText()).isEqualTo("running");

        // When: it is restarted
        LabProcess.Result restart = lab.run("restart", "converge-service");

        // Then: the deployment completes, with one converge completion in the ledger
        assertThat(restart.exit()).as(restart.output()).isZero();
        assertThat(restart.output())
                .contains("Restarted converge-service (pid ")
                .contains("ready on");
        JsonNode done = lab.finished(id, RUN);
        assertThat(done.path("status").asText())
                .as("result: %s", done.path("result"))
                .isEqualTo("succeeded");
        assertThat(LabProcess.events(done, "handoff.convergence.completed")).hasSize(1);
    }

    private void theChainGoesOnAfterTheBrokerStoppedAndStartedDuringARun() throws Exception {
        // Given: a run activating the host for a while
        faults.activationTime(HOST, Duration.ofSeconds(15));
        int switches = switchesOf(lab.log("converge-service"));
        String id = lab.push(RUNTIME, HOST);
        await("converge of " + id + " is activating " + HOST)
                .atMost(RUN)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> switchesOf(lab.log("converge-service")) > switches);

        // When: the broker stops and starts again
        LabProcess.Result stop = lab.run("stop", "kafka");
        assertThat(stop.exit()).as(stop.output()).isZero();
        faults.clearActivationTime(HOST);
        assertThat(lab.run("status").output()).contains("kafka stopped (./handoff start kafka)");
        assertThat(lab.run("stop", "kafka").output()).contains("Kafka is already stopped");
        LabProcess.Result start = lab.run("start", "kafka");
        assertThat(start.exit()).as(start.output()).isZero();

        // Then: the run goes on to the end of the chain
        JsonNode done = lab.finished(id, RUN);
        assertThat(done.path("status").asText())
                .as("result: %s", done.path("result"))
                .isEqualTo("succeeded");
        assertThat(LabProcess.events(done, "handoff.convergence.completed")).hasSize(1);
    }

    private void theServicesWorkAgainAfterPostgresCameBack() throws Exception {
        // When
        LabProcess.Result stop = lab.run("stop", "postgres");

        // Then
        assertThat(stop.exit()).as(stop.output()).isZero();
        assertThat(stop.output()).containsPattern("^(Paused|Stopped) the lab's");
        assertThat(lab.run("status").output()).contains("postgres stopped (./handoff start postgres)");

        // When
        LabProcess.Result start = lab.run("start", "postgres");

        // Then: a push runs the chain to its end, every service writing its database again
        assertThat(start.exit()).as(start.output()).isZero();
        JsonNode done = lab.finished(lab.push(RUNTIME, HOST), RUN);
        assertThat(done.path("status").asText())
                .as("result: %s", done.path("result"))
                .isEqualTo("succeeded");
    }

    private void aPartitionedHostGetsNoAnswerUntilItHeals() throws Exception {
        // When
        LabProcess.Result partition = lab.run("partition", HOST);

        // Then: its SSH, as the services reach it, says nothing
        assertThat(partition.exit()).as(partition.output()).isZero();
        Matcher ssh = Pattern.compile("ssh 127\\.0\\.0\\.1:(\\d+)").matcher(partition.output());
        assertThat(ssh.find()).as(partition.output()).isTrue();
        int port = Integer.parseInt(ssh.group(1));
        assertThat(sshBanner(port)).isEmpty();
        assertThat(lab.run("status").output())
                .contains(HOST + " partitioned (./handoff partition " + HOST + " --heal)");

        // When
        LabProcess.Result heal = lab.run("partition", HOST, "--heal");

        // Then
        assertThat(heal.exit()).as(heal.output()).isZero();
        assertThat(sshBanner(port)).startsWith("SSH-2.0-");
        assertThat(lab.run("partition", HOST, "--heal").output()).contains(HOST + " is not partitioned");
    }

    /** The SSH server's identification line on {@code port}, or empty if none comes within 3 s. */
    private static String sshBanner(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 3000);
            socket.setSoTimeout(3000);
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.append((char) b);
            }
            return line.toString().trim();
        } catch (SocketTimeoutException silent) {
            return "";
        }
    }

    private static int switchesOf(String convergeLog) {
        return convergeLog.split(Pattern.quote(HOST + ": switch on "), -1).length - 1;
    }
}
