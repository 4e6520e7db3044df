package dev.handoff.converge.driver;

import dev.handoff.common.trace.Tracing;
import dev.handoff.support.ssh.AddressMap;
import dev.handoff.support.ssh.AddressMap.HostPort;
import dev.handoff.support.ssh.FirstContact;
import dev.handoff.support.ssh.HostKeyPins;
import dev.handoff.support.ssh.PinnedSsh;
import dev.handoff.support.ssh.PinnedSshException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.SFTPClient;

/**
 * The SSH driver (sshj): connects with the runner's identity, checks the host key against the fingerprint handoff.yaml
 * requires or the key trusted in the shared pin store (a host without one is pinned only at its first bootstrap, as
 * {@code first-contact} allows), runs commands and stages files over SFTP. Never accepts any key unchecked.
 */
public final class SshjHosts {
    /** The most bytes one SFTP write carries: 32 KiB, what OpenSSH's sftp client sends. */
    static final int SFTP_WRITE = 32 * 1024;

    private final PinnedSsh ssh;
    private final Duration timeout;

    public SshjHosts(
            Path identity, AddressMap addresses, HostKeyPins pins, FirstContact firstContact, Duration timeout) {
        this(identity, addresses, pins, firstContact, timeout, Map.of());
    }

    /**
     * @param firstContact what to do with a host without a trusted key at its first bootstrap (and the build host)
     * @param required the fingerprints handoff.yaml requires, by host
     */
    public SshjHosts(
            Path identity,
            AddressMap addresses,
            HostKeyPins pins,
            FirstContact firstContact,
            Duration timeout,
            Map<String, String> required) {
        this.ssh = new PinnedSsh(identity, addresses, pins, firstContact, timeout, required);
        this.timeout = timeout;
    }

    /** Where {@code address} really is. */
    public HostPort resolve(String address) {
        return ssh.resolve(address);
    }

    /** Opens a new connection to {@code host} at {@code address} as {@code user}, first contact as configured. */
    public HostSession open(String host, String user, String address) throws SshException {
        return open(host, user, address, true);
    }

    /**
     * Opens a new connection to {@code host} at {@code address} as {@code user}.
     *
     * @param firstBootstrap whether the host has never converged: only then may a key it presents be pinned
     */
    public HostSession open(String host, String user, String address, boolean firstBootstrap) throws SshException {
        return Tracing.driverCall("ssh", "connect", () -> connect(host, user, address, firstBootstrap));
    }

    private HostSession connect(String host, String user, String address, boolean firstBootstrap) throws SshException {
        try {
            PinnedSsh.Connection c =
                    firstBootstrap ? ssh.open(host, user, address) : ssh.open(host, user, address, FirstContact.REFUSE);
            return new SshjSession(host, c.where(), ssh.resolve(address), c.client(), c.presented());
        } catch (PinnedSshException e) {
            switch (e.kind()) {
                case HOST_KEY_CHANGED -> throw new HostKeyChangedException(e.getMessage(), e.pinned(), e.presented());
                case INVENTORY_KEY_MISMATCH ->
                    throw new HostKeyRefusedException("host-key-mismatch", e.getMessage(), false);
                case FIRST_CONTACT_REFUSED ->
                    throw new HostKeyRefusedException("host-key-unknown", e.getMessage(), false);
                case PIN_STORE_UNAVAILABLE ->
                    throw new HostKeyRefusedException("host-key-store-unavailable", e.getMessage(), true);
                default -> throw new SshException(e.getMessage(), e.getCause());
            }
        }
    }

    private final class SshjSession implements HostSession {
        private final String host;
        private final String where;
        private final HostPort target;
        private final SSHClient ssh;
        private final HostKeyPins.Pin key;

        SshjSession(String host, String where, HostPort target, SSHClient ssh, HostKeyPins.Pin key) {
            this.host = host;
            this.where = where;
            this.target = target;
            this.ssh = ssh;
            this.key = key;
        }

        @Override
        public CommandResult run(String command) throws SshException {
            return Tracing.driverCall("ssh", program(command), () -> exec(command));
        }

        private CommandResult exec(String command) throws SshException {
            try (Session session = ssh.startSession()) {
                Session.Command cmd = session.exec(command);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                cmd.getInputStream().transferTo(out);
                cmd.getErrorStream().transferTo(err);
                cmd.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
                Integer status = cmd.getExitStatus();
                return new CommandResult(
                        status == null ? 255 : status,
                        out.toString(StandardCharsets.UTF_8),
                        err.toString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new SshException(host + ": '" + command + "' on " + where + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        public CommandResult run(String command, Duration limit, java.util.function.Consumer<String> output)
                throws SshException {
            return Tracing.driverCall("ssh", program(command), () -> exec(command, limit, output));
        }

        private CommandResult exec(String command, Duration limit, java.util.function.Consumer<String> output)
                throws SshException {
            try (Session session = ssh.startSession()) {
                Session.Command cmd = session.exec(command);
                StringBuilder out = new StringBuilder();
                StringBuilder err = new StringBuilder();
                Thread outPump = pump(cmd.getInputStream(), out, output, "ssh-out-" + host);
                Thread errPump = pump(cmd.getErrorStream(), err, output, "ssh-err-" + host);
                long started = System.nanoTime();
                try {
                    cmd.join(limit.toMillis(), TimeUnit.MILLISECONDS);
                } catch (net.schmizz.sshj.connection.ConnectionException e) {
                    if (System.nanoTime() - started < limit.toNanos()) {
                        throw e;
                    }
                    // the limit passed: the channel is closed below and the result says timed out
                }
                Integer status = cmd.getExitStatus();
                if (status == null) {
                    // still running at the limit: ask it to stop, and drop the connection rather than wait for it
                    try {
                        cmd.signal(net.schmizz.sshj.connection.channel.direct.Signal.TERM);
                    } catch (IOException e) {
                        // the server may not take signals; the connection goes either way
                    }
                    ssh.disconnect();
                }
                outPump.join(TimeUnit.SECONDS.toMillis(10));
                errPump.join(TimeUnit.SECONDS.toMillis(10));
                synchronized (out) {
                    synchronized (err) {
                        return new CommandResult(status == null ? -1 : status, out.toString(), err.toString());
                    }
                }
            } catch (IOException e) {
                throw new SshException(host + ": '" + command + "' on " + where + " failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SshException(host + ": interrupted while running '" + command + "' on " + where, e);
            }
        }

        private Thread pump(
                java.io.InputStream in, StringBuilder into, java.util.function.Consumer<String> output, String name) {
            Thread thread = new Thread(
                    () -> {
                        try (java.io.BufferedReader reader =
                                new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
                            String line;
                            while ((line = reader.readLine()) != null) {
                                synchronized (into) {
                                    into.append(line).append('\n');
                                }
                                output.accept(line);
                            }
                        } catch (IOException e) {
                            // the channel closed: what arrived is kept
                        }
                    },
                    name);
            thread.setDaemon(true);
            thread.start();
            return thread;
        }

        @Override
        public void upload(java.nio.file.Path local, String remote) throws SshException {
            Tracing.driverCall("ssh", "sftp upload", () -> {
                uploadOnce(local, remote);
                return null;
            });
        }

        private void uploadOnce(java.nio.file.Path local, String remote) throws SshException {
            try (SFTPClient sftp = ssh.newSFTPClient()) {
                if (sftp.statExistence(remote) != null) {
                    throw new SshException(host + ": " + remote + " already exists on " + where + "; nothing uploaded");
                }
                uploadTree(sftp, local, remote);
            } catch (IOException e) {
                throw new SshException(
                        host + ": uploading " + local + " to " + remote + " over SFTP on " + where + " failed: "
                                + e.getMessage(),
                        e);
            }
        }

        private void uploadTree(SFTPClient sftp, java.nio.file.Path local, String remote) throws IOException {
            if (java.nio.file.Files.isSymbolicLink(local)) {
                throw new IOException(local + " is a symbolic link; only files and folders are uploaded");
            }
            if (java.nio.file.Files.isDirectory(local, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                sftp.mkdir(remote);
                try (var children = java.nio.file.Files.list(local)) {
                    for (java.nio.file.Path child : children.sorted().toList()) {
                        uploadTree(sftp, child, remote + "/" + child.getFileName());
                    }
                }
                return;
            }
            byte[] content = java.nio.file.Files.readAllBytes(local);
            try (RemoteFile file = sftp.open(
                    remote,
                    EnumSet.of(OpenMode.WRITE, OpenMode.CREAT, OpenMode.TRUNC),
                    new FileAttributes.Builder().withPermissions(0600).build())) {
                writeAll(file, content);
            }
        }

        /**
         * Writes {@code content} in SFTP writes of at most {@link #SFTP_WRITE} bytes: servers refuse one larger than
         * their message limit (OpenSSH's sftp-server: 256 KiB; Apache MINA's: 256 KiB of data), as OpenSSH's own
         * {@code sftp} client never sends one.
         */
        private static void writeAll(RemoteFile file, byte[] content) throws IOException {
            for (int offset = 0; offset < content.length; offset += SFTP_WRITE) {
                file.write(offset, content, offset, Math.min(SFTP_WRITE, content.length - offset));
            }
        }

        @Override
        public boolean stageFile(String path, byte[] content) throws SshException {
            return Tracing.driverCall("ssh", "sftp stage file", () -> stage(path, content));
        }

        private boolean stage(String path, byte[] content) throws SshException {
            int slash = path.lastIndexOf('/');
            String dir = slash <= 0 ? "/" : path.substring(0, slash);
            String temporary = dir + "/." + path.substring(slash + 1) + ".handoff-tmp";
            try (SFTPClient sftp = ssh.newSFTPClient()) {
                sftp.mkdirs(dir);
                sftp.chmod(dir, 0700);
                if (sftp.statExistence(path) != null && sameContent(sftp, path, content)) {
                    return false;
                }
                try (RemoteFile file = sftp.open(
                        temporary,
                        EnumSet.of(OpenMode.WRITE, OpenMode.CREAT, OpenMode.TRUNC),
                        new FileAttributes.Builder().withPermissions(0600).build())) {
                    writeAll(file, content);
                }
                sftp.chmod(temporary, 0600);
                var engine = sftp.getSFTPEngine();
                engine.request(engine.newExtendedRequest("posix-rename@openssh.com")
                                .putString(temporary)
                                .putString(path))
                        .retrieve(engine.getTimeoutMs(), TimeUnit.MILLISECONDS)
                        .ensureStatusPacketIsOK();
                return true;
            } catch (IOException e) {
                throw new SshException(
                        host + ": staging " + path + " over SFTP on " + where + " failed: " + e.getMessage()
                                + "; check that the SSH user may write " + dir,
                        e);
            }
        }

        private boolean sameContent(SFTPClient sftp, String path, byte[] content) throws IOException {
            try (RemoteFile file = sftp.open(path)) {
                byte[] buffer = new byte[content.length + 1];
                int total = 0;
                int read;
                while (total < buffer.length && (read = file.read(total, buffer, total, buffer.length - total)) > 0) {
                    total += read;
                }
                return total == content.length
                        && java.security.MessageDigest.isEqual(java.util.Arrays.copyOf(buffer, total), content);
            }
        }

        /**
         * The program a command runs (after {@code sudo} and environment assignments), to name its span: never its
         * arguments, which may name secret files.
         */
        static String program(String command) {
            for (String word : command.trim().split("\\s+")) {
                if (!word.equals("sudo") && !word.contains("=") && !word.startsWith("-")) {
                    return word.substring(word.lastIndexOf('/') + 1);
                }
            }
            return "exec";
        }

        @Override
        public String hostKey() {
            return key.keyType() + " " + key.publicKey();
        }

        @Override
        public String hostName() {
            return target.host();
        }

        @Override
        public int port() {
            return target.port();
        }

        @Override
        public void close() {
            try {
                ssh.close();
            } catch (IOException ignored) {
                // the session is over either way; nothing more to release
            }
        }
    }
}
