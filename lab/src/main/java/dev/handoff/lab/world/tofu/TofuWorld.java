package dev.handoff.lab.world.tofu;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Installs the stand-in {@code tofu} executable: a shell script {@code <world>/bin/tofu} that runs
 * {@link StandInTofu} with this JVM's Java, the lab's classes and the PostgreSQL JDBC driver (for the {@code pg}
 * backend), bound to one world folder.
 */
public final class TofuWorld {
    private TofuWorld() {}

    /** Writes {@code <world>/bin/tofu} and returns its path. */
    public static Path install(Path world) {
        Path script = world.resolve("bin").resolve("tofu");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes = codeSource(StandInTofu.class) + File.pathSeparator + codeSource(jdbcDriver());
        String text = "#!/bin/sh\n"
                + "# The Handoff lab's stand-in for OpenTofu: recorded real-format output, no cloud.\n"
                + "# See dev.handoff.lab.world.tofu.StandInTofu and docs/infra-service.md.\n"
                + "HANDOFF_LAB_WORLD=" + quote(world.toAbsolutePath().toString()) + "\n"
                + "export HANDOFF_LAB_WORLD\n"
                + "exec " + quote(java)
                + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx64m -Xshare:auto -Dfile.encoding=UTF-8 -cp "
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

    /** The PostgreSQL JDBC driver's class, not initialized (initializing it would register it with this JVM). */
    private static Class<?> jdbcDriver() {
        try {
            return Class.forName("org.postgresql.Driver", false, TofuWorld.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the PostgreSQL JDBC driver is not on the lab's class path", e);
        }
    }

    /** The jar or class folder a class was loaded from. */
    private static String codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException(
                    "cannot locate the classes of " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
