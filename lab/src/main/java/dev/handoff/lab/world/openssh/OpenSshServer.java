package dev.handoff.lab.world.openssh;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * Debian's real OpenSSH server ({@code /usr/sbin/sshd}, {@code /usr/lib/openssh/sftp-server}) for contract tests: it
 * listens on a free 127.0.0.1 port with its own configuration, ed25519 host key, authorized key file, pid file and
 * log in its work folder, and logs in the OS user the tests run as. Only the key given to {@link #start} is accepted
 * (no passwords, no keyboard-interactive). The drivers' contract tests run against it so that the lab's simulated
 * node is held to what OpenSSH really answers.
 */
public final class OpenSshServer implements AutoCloseable {
    static final Path SSHD = Path.of("/usr/sbin/sshd");
    static final Path SFTP_SERVER = Path.of("/usr/lib/openssh/sftp-server");
    static final String INSTALL = "apt-get install -y openssh-server";

    /**
     * Debian's sshd, started as root, chroots its unprivileged pre-authentication child into this folder and refuses
     * to start without it ("Missing privilege separation directory"). systemd's ssh.service creates it on a normal
     * boot; a container or CI machine that never ran that unit has none.
     */
    private static final Path PRIVILEGE_SEPARATION_DIR = Path.of("/run/sshd");

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int PORT_ATTEMPTS = 5;
    private static final int LOG_TAIL_LINES = 20;

    private final Path workDir;
    private final Process sshd;
    private final int port;
    private final String user;
    private final PublicKey hostKey;

    private OpenSshServer(Path workDir, Process sshd, int port, String user, PublicKey hostKey) {
        this.workDir = workDir;
        this.sshd = sshd;
        this.port = port;
        this.user = user;
        this.hostKey = hostKey;
    }

    /**
     * Starts Debian's {@code /usr/sbin/sshd} ({@code -D -e -f <config>}) on a free 127.0.0.1 port with its own
     * ed25519 host key made by {@code ssh-keygen} in {@code workDir} (a key already there is kept, so a restart in the
     * same folder keeps its identity), authorizing {@code authorizedKey} for the current OS user, SFTP by
     * {@code /usr/lib/openssh/sftp-server}; returns once sshd listens. A missing sshd, sftp-server or ssh-keygen
     * throws {@link IllegalStateException} whose message names the fix: {@code apt-get install -y openssh-server}.
     *
     * @param workDir the server's folder: sshd_config, host key, authorized_keys, sshd.pid, sshd.log
     * @param authorizedKey the only client key accepted
     * @throws IllegalStateException when sshd is missing or does not come up (with the end of its log)
     */
    public static OpenSshServer start(Path workDir, PublicKey authorizedKey) {
        Path sshKeygen = requireTools(
                SSHD, SFTP_SERVER, System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin");
        String user = System.getProperty("user.name");
        try {
            Files.createDirectories(workDir);
            PublicKey hostKey = SshdHostKey.ensure(sshKeygen, workDir.resolve(SshdHostKey.FILE), STARTUP_TIMEOUT);
            Path authorizedKeys = workDir.resolve("authorized_keys");
            Files.writeString(authorizedKeys, PublicKeyEntry.toString(authorizedKey) + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(authorizedKeys, PosixFilePermissions.fromString("rw-------"));
            ensurePrivilegeSeparationDir();
            for (int attempt = 1; ; attempt++) {
                int port = freePort();
                Path config = writeConfig(workDir, port, user);
                Process sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(log(workDir).toFile())
                        .start();
                if (awaitListening(sshd, workDir, port)) {
                    return new OpenSshServer(workDir, sshd, port, user, hostKey);
                }
                // another program may have taken the free port between our probe and sshd's bind: try another one
                if (attempt == PORT_ATTEMPTS || !tail(workDir).contains("Address already in use")) {
                    String what = sshd.isAlive()
                            ? "did not start listening on 127.0.0.1:" + port + " within " + STARTUP_TIMEOUT.toSeconds()
                                    + " s"
                            : "exited with code " + sshd.exitValue() + " before listening on 127.0.0.1:" + port;
                    stop(sshd);
                    throw new IllegalStateException("OpenSSH's sshd " + what + " (config " + config + "). End of "
                            + log(workDir) + ":\n" + tail(workDir));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start OpenSSH's sshd in " + workDir + ": " + e.getMessage(), e);
        }
    }

    /** The 127.0.0.1 port sshd listens on. */
    public int port() {
        return port;
    }

    /** The OS user it logs in ({@code user.name}, the user the tests run as). */
    public String user() {
        return user;
    }

    /** Its ed25519 host key (as sshj or {@code HostKeyPins.pinOf} take it). */
    public PublicKey hostKey() {
        return hostKey;
    }

    public Path workDir() {
        return workDir;
    }

    /** Stops sshd (the listener and the sessions it forked) and waits for it. */
    @Override
    public void close() {
        stop(sshd);
    }

    /**
     * The ssh-keygen to use, once sshd and sftp-server are found.
     *
     * @param searchPath where to look for ssh-keygen ({@code PATH}-style)
     * @throws IllegalStateException naming the missing tool and {@code apt-get install -y openssh-server}
     */
    static Path requireTools(Path sshd, Path sftpServer, String searchPath) {
        for (Path tool : List.of(sshd, sftpServer)) {
            if (!Files.isExecutable(tool)) {
                throw new IllegalStateException(tool + " is not installed: the OpenSSH contract tests run the drivers"
                        + " against Debian's real OpenSSH server. Install it with `" + INSTALL + "` (as root), then"
                        + " run the tests again.");
            }
        }
        return Arrays.stream(searchPath.split(File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "ssh-keygen"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("ssh-keygen is not installed (not in " + searchPath
                        + "): the OpenSSH contract tests make sshd's host key with it. Install it with `" + INSTALL
                        + "` (as root; it brings openssh-client), then run the tests again."));
    }

    private static void ensurePrivilegeSeparationDir() throws IOException {
        if (new com.sun.security.auth.module.UnixSystem().getUid() == 0
                && !Files.isDirectory(PRIVILEGE_SEPARATION_DIR)) {
            // root-owned and not group/world-writable, as sshd requires of a chroot
            Files.createDirectories(
                    PRIVILEGE_SEPARATION_DIR,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        }
    }

    private static Path writeConfig(Path workDir, int port, String user) throws IOException {
        Path config = workDir.resolve("sshd_config");
        String text = String.join(
                "\n",
                "# written by OpenSshServer for one test server; see its Javadoc",
                "ListenAddress 127.0.0.1",
                "Port " + port,
                "HostKey " + quoted(workDir.resolve(SshdHostKey.FILE)),
                "PidFile " + quoted(workDir.resolve("sshd.pid")),
                "AuthorizedKeysFile " + quoted(workDir.resolve("authorized_keys")),
                "AllowUsers " + user,
                // the work folder is a test's temporary folder, not a home that sshd's checks were made for
                "StrictModes no",
                "UsePAM no",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                // the tests run as root on CI; root may log in with a key only
                "PermitRootLogin prohibit-password",
                "X11Forwarding no",
                "AllowTcpForwarding no",
                "PrintMotd no",
                "PrintLastLog no",
                "Subsystem sftp " + SFTP_SERVER,
                // VERBOSE: accepted and refused keys appear in the log tail of a failed start or test
                "LogLevel VERBOSE",
                "");
        Files.writeString(config, text, StandardCharsets.UTF_8);
        return config;
    }

    private static String quoted(Path path) {
        return "\"" + path + "\"";
    }

    /** Waits until sshd says it listens on {@code port} and accepts a connection there; false if it exited first. */
    private static boolean awaitListening(Process sshd, Path workDir, int port) throws IOException {
        String listening = "Server listening on 127.0.0.1 port " + port + ".";
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.readString(log(workDir), StandardCharsets.UTF_8).contains(listening) && accepts(port)) {
                return true;
            }
            try {
                if (sshd.waitFor(20, TimeUnit.MILLISECONDS)) {
                    return false;
                }
            } catch (InterruptedException e) {
                stop(sshd);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for sshd on 127.0.0.1:" + port, e);
            }
        }
        return false;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void stop(Process sshd) {
        List<ProcessHandle> sessions = sshd.descendants().toList();
        sessions.forEach(ProcessHandle::destroy);
        sshd.destroy();
        try {
            if (!sshd.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                sshd.destroyForcibly();
                sshd.waitFor();
            }
            for (ProcessHandle session : sessions) {
                session.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            sshd.destroyForcibly();
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            sessions.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static Path log(Path workDir) {
        return workDir.resolve("sshd.log");
    }

    private static String tail(Path workDir) {
        try {
            List<String> lines = Files.readAllLines(log(workDir), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
