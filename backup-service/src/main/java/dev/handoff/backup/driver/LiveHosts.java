package dev.handoff.backup.driver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;

/**
 * The live host over SSH (sshj), for the restore rehearsal: it asks the host for the sha256 of files
 * ({@code sha256sum <path>…}) so that only digests travel, never a file's content. The host key is pinned per host
 * on first contact (kept in the service's database); a different key is refused.
 */
public final class LiveHosts {
    private static final Pattern PLAIN_PATH = Pattern.compile("^/[A-Za-z0-9/._@+-]*$");
    private static final Pattern SHA256_LINE = Pattern.compile("^([0-9a-f]{64})\\s+\\*?(/\\S*)$");

    /** A pinned host key. */
    public record Pin(String keyType, String publicKey, String fingerprint) {}

    /** Where host keys are pinned. */
    public interface HostKeyPins {
        Optional<Pin> pinned(String host);

        void pin(String host, Pin pin);
    }

    /** The host could not be asked. */
    public static final class HostException extends Exception {
        private final boolean keyChanged;

        HostException(String message, boolean keyChanged, Throwable cause) {
            super(message, cause);
            this.keyChanged = keyChanged;
        }

        /** Whether the host presented another key than the pinned one. */
        public boolean keyChanged() {
            return keyChanged;
        }
    }

    private final Path identity;
    private final Map<String, String> addresses;
    private final HostKeyPins pins;
    private final Duration timeout;

    /**
     * @param identity the runner's private key file
     * @param addresses {@code address=host:port,…}: where an inventory address is really reached
     */
    public LiveHosts(Path identity, String addresses, HostKeyPins pins, Duration timeout) {
        this.identity = identity;
        this.addresses = parse(addresses);
        this.pins = pins;
        this.timeout = timeout;
    }

    /** The sha256 of each of {@code paths} on the host; a path that is not a readable file is absent. */
    public Map<String, String> sha256(String host, String user, String address, List<String> paths)
            throws HostException {
        for (String p : paths) {
            if (!PLAIN_PATH.matcher(p).matches()) {
                throw new IllegalArgumentException("not a plain absolute path: " + p);
            }
        }
        String target = addresses.getOrDefault(address, address + ":22");
        int colon = target.lastIndexOf(':');
        String connectHost = target.substring(0, colon);
        int port = Integer.parseInt(target.substring(colon + 1));
        String where = user + "@" + address + (target.equals(address + ":22") ? "" : " (" + target + ")");
        AtomicReference<String> mismatch = new AtomicReference<>();
        try (SSHClient ssh = new SSHClient()) {
            ssh.setConnectTimeout((int) timeout.toMillis());
            ssh.setTimeout((int) timeout.toMillis());
            ssh.addHostKeyVerifier(new HostKeyVerifier() {
                @Override
                public boolean verify(String hostname, int p, PublicKey key) {
                    Pin presented = pinOf(key);
                    Optional<Pin> pinned = pins.pinned(host);
                    if (pinned.isEmpty()) {
                        pins.pin(host, presented);
                        return true;
                    }
                    if (pinned.get().publicKey().equals(presented.publicKey())) {
                        return true;
                    }
                    mismatch.set("pinned " + pinned.get().fingerprint() + ", presented " + presented.fingerprint());
                    return false;
                }

                @Override
                public List<String> findExistingAlgorithms(String hostname, int p) {
                    return pins.pinned(host).map(pin -> List.of(pin.keyType())).orElse(List.of());
                }
            });
            try {
                ssh.connect(connectHost, port);
            } catch (IOException e) {
                if (mismatch.get() != null) {
                    throw new HostException(
                            host + ": the host at " + where + " presents another SSH host key (" + mismatch.get()
                                    + "); nothing was compared. Verify the new key out of band, then DELETE FROM"
                                    + " host_keys WHERE host = '" + host + "' in backup-service's database",
                            true,
                            e);
                }
                throw e;
            }
            ssh.authPublickey(user, ssh.loadKeys(identity.toString()));
            try (Session session = ssh.startSession()) {
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

    private static Map<String, String> parse(String spec) {
        Map<String, String> map = new LinkedHashMap<>();
        if (spec != null && !spec.isBlank()) {
            for (String pair : spec.split(",")) {
                String[] kv = pair.trim().split("=", 2);
                if (kv.length != 2 || kv[1].lastIndexOf(':') < 1) {
                    throw new IllegalArgumentException("handoff.backup.addresses: '" + pair
                            + "' is not address=host:port (e.g. 203.0.113.10=127.0.0.1:2222)");
                }
                map.put(kv[0].trim(), kv[1].trim());
            }
        }
        return Map.copyOf(map);
    }

    static Pin pinOf(PublicKey key) {
        byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return new Pin(
                    KeyType.fromKey(key).toString(),
                    Base64.getEncoder().encodeToString(blob),
                    "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
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
