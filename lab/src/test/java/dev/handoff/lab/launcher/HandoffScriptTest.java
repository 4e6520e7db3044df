package dev.handoff.lab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./handoff} script's own part of {@code up}: the prerequisites it checks before anything is built. It runs
 * a copy of the script in a project of its own (no Maven wrapper: were the check passed, the build would fail at
 * once rather than build anything).
 */
class HandoffScriptTest {
    private static final Path SCRIPT = Path.of("").toAbsolutePath().getParent().resolve("handoff");

    @TempDir
    Path project;

    @TempDir
    Path bin;

    @BeforeEach
    void copyTheScript() throws IOException {
        Files.copy(SCRIPT, project.resolve("handoff"));
        Files.writeString(
                project.resolve("pom.xml"), "<project><modules><module>control-service</module></modules></project>");
        Files.createDirectories(project.resolve("control-service"));
        Files.writeString(project.resolve("control-service/pom.xml"), "<project/>");
    }

    @Test
    void upWithoutResticNamesTheInstallCommandBeforeBuildingAnything() throws Exception {
        // Given: a PATH with every program of this machine but restic
        Path path = pathWithout("restic");

        // When
        Result up = handoff(path.toString(), "up", "--port", Integer.toString(freePort()));

        // Then
        assertThat(up.exitCode()).isEqualTo(1);
        assertThat(up.output())
                .contains("./handoff up needs these first (nothing was built or started)")
                .containsPattern("restic .*Install it with: (sudo )?apt-get install -y restic")
                .doesNotContain("Building Handoff");
    }

    @Test
    void upWithItsPortTakenNamesWhoHoldsItAndAnotherPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            // When
            Result up = handoff(System.getenv("PATH"), "up", "--port", Integer.toString(taken.getLocalPort()));

            // Then
            assertThat(up.exitCode()).isEqualTo(1);
            assertThat(up.output())
                    .contains("Port " + taken.getLocalPort() + " (control-service) is in use by java (pid "
                            + ProcessHandle.current().pid() + ")")
                    .contains("kill " + ProcessHandle.current().pid())
                    .containsPattern("choose other ports: ./handoff up --port \\d+")
                    .doesNotContain("Building Handoff");
        }
    }

    @Test
    void upWithEveryPrerequisiteGoesOnToBuild() throws Exception {
        // When
        Result up = handoff(System.getenv("PATH"), "up", "--port", Integer.toString(freePort()));

        // Then: the check passed and the build began (and failed: this project has no Maven wrapper)
        assertThat(up.output()).doesNotContain("needs these first").contains("Building Handoff (not built yet:");
    }

    @Test
    void helpDescribesStatusAndDown() throws Exception {
        // When
        Result help = handoff(System.getenv("PATH"), "help");

        // Then
        assertThat(help.exitCode()).isZero();
        assertThat(help.output())
                .contains("  status\n")
                .contains("Exit code 0 while a lab runs (or starts), 3 when none does.")
                .contains("  down\n")
                .contains("Stop the lab running from this folder as Ctrl-C in its terminal does");
    }

    @Test
    void helpDescribesTheDrills() throws Exception {
        // When
        Result help = handoff(System.getenv("PATH"), "help");

        // Then
        assertThat(help.exitCode()).isZero();
        assertThat(help.output())
                .contains("  kill <service>\n")
                .contains("  restart <service>\n")
                .contains("  stop kafka | start kafka\n")
                .contains("  stop postgres | start postgres\n")
                .contains("  partition <host> [--heal]\n")
                .contains("See \"Drills\" in docs/lab.md");
    }

    /** A folder of links to every program on this machine's PATH but {@code missing}, and to this JVM's java. */
    private Path pathWithout(String missing) throws IOException {
        for (String folder : System.getenv("PATH").split(":")) {
            Path dir = Path.of(folder);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> programs = Files.list(dir)) {
                for (Path program : programs.toList()) {
                    Path link = bin.resolve(program.getFileName().toString());
                    if (!program.getFileName().toString().equals(missing) && !Files.exists(link)) {
                        Files.createSymbolicLink(link, program);
                    }
                }
            }
        }
        assertThat(bin.resolve(missing)).doesNotExist();
        return bin;
    }

    private record Result(int exitCode, String output) {}

    private Result handoff(String path, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(
                List.of("/bin/bash", project.resolve("handoff").toString()));
        command.addAll(List.of(args));
        Path out = project.resolve("handoff.out");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(project.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        builder.environment().put("PATH", path);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("HANDOFF_HOME", project.resolve(".handoff").toString());
        Process process = builder.start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES))
                .as("./handoff %s ends", args[0])
                .isTrue();
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
