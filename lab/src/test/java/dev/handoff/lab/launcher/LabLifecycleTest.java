package dev.handoff.lab.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.handoff.lab.LabPostgres;
import dev.handoff.lab.forge.WebhookDelivery;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab as a second terminal sees it: the real launcher ({@code LabMain up}) in its own JVM, with the real broker,
 * PostgreSQL and forge, and a stand-in control-service ({@link FakeControlService}) whose readiness the test decides.
 */
class LabLifecycleTest {
    private static final String TOKEN = "lifecycle-operator-token";
    private static final Duration START = Duration.ofMinutes(3);

    @TempDir
    Path project;

    private final String databasePrefix =
            "handoff_lifecycle_" + UUID.randomUUID().toString().substring(0, 8);
    private LabHome home;
    private Path ready;
    private Process launcher;
    private int port;
    private int kafkaPort;

    @BeforeEach
    void buildTheProject() throws Exception {
        home = new LabHome(project.resolve(".handoff"));
        ready = project.resolve("control-ready");
        writeFakeControlServiceJar(project.resolve("control-service/target/quarkus-app/quarkus-run.jar"));
        port = freePort();
        kafkaPort = freePort();
    }

    @AfterEach
    void stopTheLab() throws Exception {
        if (launcher != null && launcher.isAlive()) {
            List<ProcessHandle> children = launcher.descendants().toList();
            launcher.destroy();
            if (!launcher.waitFor(60, TimeUnit.SECONDS)) {
                launcher.destroyForcibly();
            }
            children.forEach(ProcessHandle::destroyForcibly);
        }
        for (ServiceModule service : ServiceModule.ALL) {
            LabPostgres.shared()
                    .dropDatabase(service.database(Map.of(ServiceModule.DATABASE_PREFIX_VARIABLE, databasePrefix)));
        }
    }

    @Test
    void aPushWhileTheLabStartsWaitsForItAndThenDelivers() throws Exception {
        // Given: the lab is starting, control-service not ready yet
        startLab();
        await("the launcher waits for control-service")
                .atMost(START)
                .until(() -> LabState.read(home.labState())
                        .filter(s ->
                                s.services().stream().anyMatch(x -> x.name().equals("control-service")))
                        .isPresent());
        assertThat(home.labEnv()).doesNotExist();

        // When: a push comes in
        ByteArrayOutputStream pushOutput = new ByteArrayOutputStream();
        CompletableFuture<Integer> push = CompletableFuture.supplyAsync(() -> {
            try {
                return new PushCommand(
                                home, new PrintStream(pushOutput, true, StandardCharsets.UTF_8), new WebhookDelivery())
                        .run("ops/edge-cluster-infra", "while starting");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        // Then it says the lab is starting and waits, rather than calling it not running
        await("push says it waits")
                .atMost(Duration.ofSeconds(30))
                .until(() -> pushOutput.toString(StandardCharsets.UTF_8).contains("The lab is starting"));
        assertThat(push).isNotDone();
        assertThat(pushOutput.toString(StandardCharsets.UTF_8)).doesNotContain("not running");

        // When control-service becomes ready
        Files.createFile(ready);

        // Then the push is delivered
        assertThat(push.get(START.toSeconds(), TimeUnit.SECONDS))
                .as("push output:\n%s", pushOutput)
                .isZero();
        assertThat(pushOutput.toString(StandardCharsets.UTF_8))
                .contains("The lab is up.")
                .contains("Pushed main")
                .contains("HTTP 202")
                .contains("d-fake-1");
    }

    @Test
    void statusShowsTheRunningLabAndDownStopsItAsCtrlCDoes() throws Exception {
        // Given: a lab that is up
        Files.createFile(ready);
        startLab();
        await("the lab is up").atMost(START).until(() -> launcherOutput().contains("Handoff lab is up"));
        LabState running = LabState.read(home.labState()).orElseThrow();
        long servicePid = running.services().get(0).pid();

        // When
        ByteArrayOutputStream status = new ByteArrayOutputStream();
        int statusExit = new StatusCommand(home, new PrintStream(status, true, StandardCharsets.UTF_8)).run();

        // Then: what runs, where, since when, which versions, the last deployment per host
        assertThat(statusExit).isZero();
        assertThat(status.toString(StandardCharsets.UTF_8))
                .contains("The Handoff lab in " + home.root() + " is up (since ")
                .contains("launcher pid " + launcher.pid())
                .contains("Versions         Handoff ")
                .contains("Java " + Runtime.version().feature())
                .contains("Kafka " + org.apache.kafka.common.utils.AppInfoParser.getVersion())
                .contains("PostgreSQL ")
                .contains("Kafka            localhost:" + kafkaPort)
                .containsPattern("control-service +http://localhost:" + port + " +ready +pid " + servicePid)
                .containsPattern("cloud-edge-1 +succeeded +ops/nix-k3s-edge-cluster 0123456789, started"
                        + " 2025-01-02T03:04:05Z, d-fake-1: backup verified")
                .containsPattern("forgejo-pi +no deployment yet");

        // When
        ByteArrayOutputStream down = new ByteArrayOutputStream();
        int downExit =
                new DownCommand(home, new PrintStream(down, true, StandardCharsets.UTF_8), DownCommand.WAIT).run();

        // Then: stopped as Ctrl-C stops it, and gone when down returns
        assertThat(downExit).as("down output:\n%s", down).isZero();
        assertThat(launcher.isAlive()).isFalse();
        assertThat(ProcessHandle.of(servicePid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(launcherOutput()).contains("Stopping the Handoff lab", "stopping control-service", "Lab stopped");
        assertThat(home.labEnv()).doesNotExist();
        assertThat(home.labState()).doesNotExist();
        assertThat(down.toString(StandardCharsets.UTF_8)).contains("Lab stopped.");

        // And status says so plainly
        ByteArrayOutputStream after = new ByteArrayOutputStream();
        assertThat(new StatusCommand(home, new PrintStream(after, true, StandardCharsets.UTF_8)).run())
                .isEqualTo(StatusCommand.NOT_RUNNING);
        assertThat(after.toString(StandardCharsets.UTF_8))
                .contains("No lab is running from " + home.root() + ". Start it with ./handoff up.");
    }

    private void startLab() throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-Dhandoff.project.dir=" + project,
                "-cp",
                System.getProperty("java.class.path"),
                "dev.handoff.lab.LabMain",
                "up",
                "--port",
                Integer.toString(port),
                "--kafka-port",
                Integer.toString(kafkaPort)));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(project.toFile())
                .redirectErrorStream(true)
                .redirectOutput(project.resolve("up.out").toFile());
        builder.environment().put(LabHome.VARIABLE, home.root().toString());
        builder.environment().put(ServiceModule.DATABASE_PREFIX_VARIABLE, databasePrefix);
        builder.environment().put(LabCredentials.TOKEN_VARIABLE, TOKEN);
        builder.environment().put("FAKE_CONTROL_READY", ready.toString());
        launcher = builder.start();
    }

    private String launcherOutput() throws IOException {
        Path out = project.resolve("up.out");
        String text = Files.isRegularFile(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
        if (launcher != null && !launcher.isAlive() && !text.contains("Lab stopped")) {
            throw new AssertionError("the launcher exited with " + launcher.exitValue() + ":\n" + text);
        }
        return text;
    }

    /** A runnable jar holding {@link FakeControlService}, where the launcher looks for control-service's. */
    static void writeFakeControlServiceJar(Path jar) throws Exception {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeControlService.class.getName());
        Files.createDirectories(jar.getParent());
        String entry = FakeControlService.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest);
                var in = FakeControlService.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
