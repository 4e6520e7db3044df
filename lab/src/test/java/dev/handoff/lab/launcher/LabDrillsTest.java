package dev.handoff.lab.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.handoff.lab.LabPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drills as a second terminal runs them against a running lab: the real launcher in its own JVM with the real
 * broker and PostgreSQL, and a stand-in control-service ({@link FakeControlService}) to kill and restart. The whole
 * chain under drills, with every real service, is {@code LabDrillsIT} in e2e-tests.
 */
class LabDrillsTest {
    private static final Duration START = Duration.ofMinutes(3);

    @TempDir
    Path project;

    private final String databasePrefix =
            "handoff_drills_" + UUID.randomUUID().toString().substring(0, 8);
    private LabHome home;
    private Process launcher;
    private int kafkaPort;

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
    void eachDrillDoesWhatItSaysRefusesWhatIsAlreadyDoneAndStatusShowsIt() throws Exception {
        // Given: no lab yet
        home = new LabHome(project.resolve(".handoff"));
        Result none = drill("kill", "control-service");
        assertThat(none.exit()).isEqualTo(StatusCommand.NOT_RUNNING);
        assertThat(none.output())
                .contains("No lab is running from " + home.root() + ": ./handoff kill control-service acts on a running"
                        + " lab. Start one with ./handoff up");

        // Given: a lab that is up
        startLab();
        long pid =
                LabState.read(home.labState()).orElseThrow().services().get(0).pid();

        // When: its service is killed
        Result kill = drill("kill", "control-service");

        // Then: SIGKILL, the lab goes on without it and says so
        assertThat(kill.exit()).as(kill.output()).isZero();
        assertThat(kill.output()).startsWith("Killed control-service with SIGKILL (pid " + pid + ").");
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(launcher.isAlive()).isTrue();
        assertThat(status())
                .contains("Drills           control-service killed (./handoff restart control-service)")
                .containsPattern("control-service +http://localhost:\\d+ +KILLED +pid " + pid);
        assertThat(drill("kill", "control-service").output())
                .contains("control-service is already killed (./handoff kill)");
        assertThat(drill("kill", "converge").output())
                .contains("The lab runs no service named converge; its services are control-service");

        // When: it is restarted
        Result restart = drill("restart", "control-service");

        // Then
        assertThat(restart.exit()).as(restart.output()).isZero();
        long restarted =
                LabState.read(home.labState()).orElseThrow().services().get(0).pid();
        assertThat(restart.output())
                .startsWith("Restarted control-service (pid " + restarted + "; it was killed by ./handoff kill): ready"
                        + " on http://localhost:");
        assertThat(status()).doesNotContain("Drills").containsPattern("control-service .* ready +pid " + restarted);

        // When: the service dies by itself (here: a SIGTERM from outside the lab)
        ProcessHandle.of(restarted).orElseThrow().destroy();
        await("the lab notices").atMost(Duration.ofSeconds(30)).until(() -> status().contains("EXITED"));

        // Then: the lab goes on without it, reports it, and restarts it when asked
        assertThat(launcher.isAlive()).isTrue();
        assertThat(launcherOutput()).contains("control-service exited with code 143");
        assertThat(drill("kill", "control-service").output())
                .contains("control-service is not running: it exited by itself");
        Result afterExit = drill("restart", "control-service");
        assertThat(afterExit.exit()).as(afterExit.output()).isZero();
        assertThat(afterExit.output()).contains("it had exited with code 143");

        // And: a running service is stopped with SIGTERM before it starts again
        long running =
                LabState.read(home.labState()).orElseThrow().services().get(0).pid();
        Result again = drill("restart", "control-service");
        assertThat(again.exit()).as(again.output()).isZero();
        assertThat(again.output()).contains("stopped pid " + running + " with SIGTERM first");

        // When: the broker stops, and starts again
        Result stopKafka = drill("stop", "kafka");
        assertThat(stopKafka.exit()).as(stopKafka.output()).isZero();
        assertThat(stopKafka.output()).startsWith("Stopped the Kafka broker on localhost:" + kafkaPort);
        assertThat(answers(kafkaPort)).isFalse();
        assertThat(status()).contains("kafka stopped (./handoff start kafka)");
        assertThat(drill("stop", "kafka").output()).contains("Kafka is already stopped");
        Result startKafka = drill("start", "kafka");
        assertThat(startKafka.exit()).as(startKafka.output()).isZero();
        assertThat(startKafka.output()).startsWith("Started the Kafka broker again on localhost:" + kafkaPort);
        assertThat(answers(kafkaPort)).isTrue();

        // When: PostgreSQL goes away, and comes back
        Result stopPostgres = drill("stop", "postgres");
        assertThat(stopPostgres.exit()).as(stopPostgres.output()).isZero();
        assertThat(stopPostgres.output()).containsPattern("^(Paused|Stopped) the lab's");
        assertThat(status()).contains("postgres stopped (./handoff start postgres)");
        Result startPostgres = drill("start", "postgres");
        assertThat(startPostgres.exit()).as(startPostgres.output()).isZero();
        assertThat(startPostgres.output()).containsPattern("^(Resumed|Started) the lab's");
        assertThat(drill("start", "postgres").output()).contains("PostgreSQL is already running");

        // And: a lab without simulated hosts has none to partition
        Result partition = drill("partition", "cloud-edge-1");
        assertThat(partition.exit()).isEqualTo(1);
        assertThat(partition.output()).contains("The lab runs no simulated host to partition");

        // And: the lab's own terminal tells each drill too
        assertThat(launcherOutput()).contains("Drill:      ./handoff kill control-service: Killed control-service");
    }

    private record Result(int exit, String output) {}

    private Result drill(String... args) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = LabCommands.run(
                args,
                Map.of(LabHome.VARIABLE, home.root().toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8));
    }

    private String status() throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new StatusCommand(home, new PrintStream(out, true, StandardCharsets.UTF_8)).run();
        return out.toString(StandardCharsets.UTF_8);
    }

    private void startLab() throws Exception {
        LabLifecycleTest.writeFakeControlServiceJar(
                project.resolve("control-service/target/quarkus-app/quarkus-run.jar"));
        kafkaPort = LabLifecycleTest.freePort();
        ProcessBuilder builder = new ProcessBuilder(
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
                        Integer.toString(LabLifecycleTest.freePort()),
                        "--kafka-port",
                        Integer.toString(kafkaPort))
                .directory(project.toFile())
                .redirectErrorStream(true)
                .redirectOutput(project.resolve("up.out").toFile());
        builder.environment().put(LabHome.VARIABLE, home.root().toString());
        builder.environment().put(ServiceModule.DATABASE_PREFIX_VARIABLE, databasePrefix);
        launcher = builder.start();
        await("the lab is up").atMost(START).until(() -> launcherOutput().contains("Handoff lab is up"));
    }

    private String launcherOutput() throws IOException {
        Path out = project.resolve("up.out");
        String text = Files.isRegularFile(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
        if (!launcher.isAlive()) {
            throw new AssertionError("the launcher exited with " + launcher.exitValue() + ":\n" + text);
        }
        return text;
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
