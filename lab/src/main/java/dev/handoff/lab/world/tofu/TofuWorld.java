package dev.handoff.lab.world.tofu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Installs the stand-in {@code tofu} executable: a shell script {@code <world>/bin/tofu} that runs
 * {@link StandInTofu} with this JVM's Java and the lab's classes, bound to one world folder.
 */
public final class TofuWorld {
    private TofuWorld() {}

    /** Writes {@code <world>/bin/tofu} and returns its path. */
    public static Path install(Path world) {
        Path script = world.resolve("bin").resolve("tofu");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes = labClasses();
        String text = "#!/bin/sh\n"
                + "# The Handoff lab's stand-in for OpenTofu: recorded real-format output, no cloud.\n"
                + "# See dev.handoff.lab.world.tofu.StandInTofu and docs/infra-service.md.\n"
                + "HANDOFF_LAB_WORLD=" + quote(world.toAbsolutePath().toString()) + "\n"
                + "export HANDOFF_LAB_WORLD\n"
                + "exec " + quote(java) + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx64m -Xshare:auto -cp "
                + quote(classes) + " dev.handoff.lab.world.tofu.StandInTofu \"$@\"\n";
        try {
            Files.createDirectories(script.getParent());
            Files.writeString(script, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the stand-in tofu at " + script, e);
        }
    }

    private static String labClasses() {
        try {
            return Path.of(StandInTofu.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the lab's classes: " + e.getMessage(), e);
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
