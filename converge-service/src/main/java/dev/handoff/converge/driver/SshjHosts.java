package dev.handoff.converge.driver;

import dev.handoff.converge.driver.AddressMap.HostPort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;

/**
 * The SSH driver (sshj): connects with the runner's identity, checks the host key against the pin kept per host
 * (first contact as configured: pin it, or refuse), runs commands and stages files over SFTP. Never accepts any key
 * unchecked.
 */
public final class SshjHosts {
    /** What to do when a host has no pinned key yet. */
    public enum FirstContact {
        /** Pin the key the host presents on first contact (trust on first use). */
        PIN,
        /** Refuse: keys must be pinned before (e.g. from the provider's console output). */
        REFUSE
    }

    private final Path identity;
    private final AddressMap addresses;
    private final HostKeyPins pins;
    private final FirstContact firstContact;
    private final Duration timeout;

    public SshjHosts(
            Path identity, AddressMap addresses, HostKeyPins pins, FirstContact firstContact, Duration timeout) {
        this.identity = identity;
        this.addresses = addresses;
        this.pins = pins;
        this.firstContact = firstContact;
        this.timeout = timeout;
    }

    /** Where {@code address} really is. */
    public HostPort resolve(String address) {
        return addresses.resolve(address);
    }

    /** Opens a new connection to {@code host} at {@code address} as {@code user}. */
    public HostSession open(String host, String user, String address) throws SshException {
        HostPort target = addresses.resolve(address);
        String where = user + "@" + address
                + (target.host().equals(address) ? "" : " (" + target.host() + ":" + target.port() + ")");
        AtomicReference<String> mismatch = new AtomicReference<>();
        AtomicReference<String> refused = new AtomicReference<>();
        AtomicReference<HostKeyPins.Pin> seen = new AtomicReference<>();
        SSHClient ssh = new SSHClient();
        ssh.setConnectTimeout((int) timeout.toMillis());
        ssh.setTimeout((int) timeout.toMillis());
        ssh.addHostKeyVerifier(new HostKeyVerifier() {
            @Override
            public boolean verify(String hostname, int port, PublicKey key) {
                HostKeyPins.Pin presented = pinOf(key);
                seen.set(presented);
                Optional<HostKeyPins.Pin> pinned = pins.pinned(host);
                if (pinned.isEmpty()) {
                    if (firstContact == FirstContact.PIN) {
                        pins.pin(host, presented);
                        return true;
                    }
                    refused.set(presented.fingerprint());
                    return false;
                }
                if (pinned.get().publicKey().equals(presented.publicKey())) {
                    return true;
                }
                mismatch.set(pinned.get().fingerprint());
                return false;
            }

            @Override
            public List<String> findExistingAlgorithms(String hostname, int port) {
                return pins.pinned(host).map(p -> List.of(p.keyType())).orElse(List.of());
            }
        });
        try {
            ssh.connect(target.host(), target.port());
            ssh.authPublickey(user, ssh.loadKeys(identity.toString()));
            return new SshjSession(host, where, target, ssh, seen.get());
        } catch (IOException e) {
            closeQuietly(ssh);
            if (mismatch.get() != null) {
                throw new HostKeyChangedException(
                        host, where, mismatch.get(), seen.get().fingerprint());
            }
            if (refused.get() != null) {
                throw new SshException(host + ": no host key is pinned and handoff.converge.first-contact is REFUSE;"
                        + " the host at " + where + " presents " + refused.get()
                        + ". Verify it out of band and pin it, or set first-contact to PIN for this bootstrap.");
            }
            throw new SshException(host + ": cannot open SSH to " + where + ": " + e.getMessage(), e);
        }
    }

    static HostKeyPins.Pin pinOf(PublicKey key) {
        byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return new HostKeyPins.Pin(
                    KeyType.fromKey(key).toString(),
                    Base64.getEncoder().encodeToString(blob),
                    "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(SSHClient ssh) {
        try {
            ssh.close();
        } catch (IOException ignored) {
            // the connection failed already; nothing more to release
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
        public boolean stageFile(String path, byte[] content) throws SshException {
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
                    file.write(0, content, 0, content.length);
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
                        && MessageDigest.isEqual(java.util.Arrays.copyOf(buffer, total), content);
            }
        }

        @Override
        public String knownHostsLine() {
            String name = target.port() == 22 ? target.host() : "[" + target.host() + "]:" + target.port();
            return name + " " + key.keyType() + " " + key.publicKey();
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
            closeQuietly(ssh);
        }
    }
}
