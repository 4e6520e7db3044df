package dev.handoff.backup.driver;

import dev.handoff.common.trace.Tracing;
import dev.handoff.support.ssh.AddressMap;
import dev.handoff.support.ssh.FirstContact;
import dev.handoff.support.ssh.HostKeyPins;
import dev.handoff.support.ssh.PinnedSsh;
import dev.handoff.support.ssh.PinnedSshException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;

/**
 * The live host over SSH (sshj), for the restore rehearsal: it asks the host for the sha256 of files
 * ({@code sha256sum <path>…}) so that only digests travel, never a file's content. The host key is pinned per host
 * on first contact (kept in the service's database); a different key is refused.
 */
public final class LiveHosts {
    private static final Pattern PLAIN_PATH = Pattern.compile("^/[A-Za-z0-9/._@+-]*$");
    private static final Pattern SHA256_LINE = Pattern.compile("^([0-9a-f]{64})\\s+\\*?(/\\S*)$");

    /** The host could not be asked. */
    public static final class HostException extends Exception {
        private final boolean keyChanged;

        HostException(String message, boolean keyChanged, Throwable cause) {
            super(message, cause);
            this.keyChanged = keyChanged;
        }

        /** Whether the host's key was not accepted (changed, not trusted, or not the one handoff.yaml requires). */
        public boolean keyChanged() {
            return keyChanged;
        }
    }

    private final PinnedSsh ssh;
    private final Duration timeout;

    /**
     * @param identity the runner's private key file
     * @param addresses {@code address=host:port,…}: where an inventory address is really reached
     * @param pins the shared host key pins; backup-service never pins (a host without a trusted key is refused)
     * @param required the host key fingerprints handoff.yaml requires, by host
     */
    public LiveHosts(
            Path identity, String addresses, HostKeyPins pins, Map<String, String> required, Duration timeout) {
        this.ssh = new PinnedSsh(
                identity,
                AddressMap.parse(addresses, "handoff.backup.addresses"),
                pins,
                FirstContact.REFUSE,
                timeout,
                required);
        this.timeout = timeout;
    }

    /** The sha256 of each of {@code paths} on the host; a path that is not a readable file is absent. */
    public Map<String, String> sha256(String host, String user, String address, List<String> paths)
            throws HostException {
        return Tracing.driverCall("ssh", "sha256sum", () -> hashes(host, user, address, paths));
    }

    private Map<String, String> hashes(String host, String user, String address, List<String> paths)
            throws HostException {
        for (String p : paths) {
            if (!PLAIN_PATH.matcher(p).matches()) {
                throw new IllegalArgumentException("not a plain absolute path: " + p);
            }
        }
        PinnedSsh.Connection connection;
        try {
            connection = ssh.open(host, user, address);
        } catch (PinnedSshException e) {
            if (e.kind() != PinnedSshException.Kind.UNREACHABLE
                    && e.kind() != PinnedSshException.Kind.PIN_STORE_UNAVAILABLE) {
                throw new HostException(e.getMessage() + "; nothing was compared", true, e);
            }
            throw new HostException(e.getMessage(), false, e);
        }
        String where = connection.where();
        try (SSHClient client = connection.client()) {
            try (Session session = client.startSession()) {
                Session.Command cmd = session.exec("sha256sum " + String.join(" ", paths));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                cmd.getInputStream().transferTo(out);
                cmd.getErrorStream().transferTo(OutputStreamSink.INSTANCE);
                cmd.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
                Integer status = cmd.getExitStatus();
                Map<String, String> digests = new LinkedHashMap<>();
                for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
                    var m = SHA256_LINE.matcher(line.trim());
                    if (m.matches()) {
                        digests.put(m.group(2), m.group(1));
                    }
                }
                if (status == null || status == 127) {
                    throw new HostException(
                            host + ": 'sha256sum' is not available on " + where + " (exit " + status + ")",
                            false,
                            null);
                }
                return digests;
            }
        } catch (IOException e) {
            throw new HostException(host + ": cannot reach " + where + " over SSH: " + e.getMessage(), false, e);
        }
    }

    /** Discards what the host prints on stderr ("No such file" lines; the missing digests say the same). */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }
}
