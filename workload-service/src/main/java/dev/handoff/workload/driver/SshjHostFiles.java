package dev.handoff.workload.driver;

import dev.handoff.workload.driver.AddressMaps.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.RemoteResourceInfo;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;

/**
 * The SSH driver (sshj): connects with the runner's identity, checks the host key against the pin kept per host
 * (first contact as configured: pin it, or refuse) and reads files over SFTP. Never accepts any key unchecked.
 */
public final class SshjHostFiles {
    /** What to do when a host has no pinned key yet. */
    public enum FirstContact {
        /** Pin the key the host presents on first contact (trust on first use). */
        PIN,
        /** Refuse: keys must be pinned before. */
        REFUSE
    }

    private final Path identity;
    private final AddressMaps addresses;
    private final HostKeyPins pins;
    private final FirstContact firstContact;
    private final Duration timeout;

    public SshjHostFiles(
            Path identity, AddressMaps addresses, HostKeyPins pins, FirstContact firstContact, Duration timeout) {
        this.identity = identity;
        this.addresses = addresses;
        this.pins = pins;
        this.firstContact = firstContact;
        this.timeout = timeout;
    }

    /** Opens a new connection to {@code host} at {@code address} as {@code user}. */
    public HostFiles open(String host, String user, String address) throws SshException {
        HostPort target = addresses.ssh(address);
        String where = user + "@" + address + (target.host().equals(address) ? "" : " (" + target + ")");
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
            return new SftpFiles(host, where, ssh, ssh.newSFTPClient());
        } catch (IOException e) {
            closeQuietly(ssh);
            if (mismatch.get() != null) {
                throw new SshException(host + ": HOST KEY CHANGED at " + where + ": pinned " + mismatch.get()
                        + ", presented " + seen.get().fingerprint() + ". Nothing was read. If the host was"
                        + " reinstalled, verify the new key out of band and delete its row in workload-service's"
                        + " host_keys.");
            }
            if (refused.get() != null) {
                throw new SshException(host + ": no host key is pinned and handoff.workload.first-contact is REFUSE;"
                        + " the host at " + where + " presents " + refused.get() + ". Verify it and pin it.");
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

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // the connection is gone either way
        }
    }

    private static final class SftpFiles implements HostFiles {
        private final String host;
        private final String where;
        private final SSHClient ssh;
        private final SFTPClient sftp;

        SftpFiles(String host, String where, SSHClient ssh, SFTPClient sftp) {
            this.host = host;
            this.where = where;
            this.ssh = ssh;
            this.sftp = sftp;
        }

        @Override
        public List<String> list(String dir) throws SshException {
            try {
                if (sftp.statExistence(dir) == null) {
                    return List.of();
                }
                return sftp.ls(dir).stream()
                        .filter(RemoteResourceInfo::isRegularFile)
                        .map(RemoteResourceInfo::getName)
                        .sorted()
                        .toList();
            } catch (IOException e) {
                throw new SshException(
                        host + ": cannot list " + dir + " over SFTP on " + where + ": " + e.getMessage(), e);
            }
        }

        @Override
        public Optional<byte[]> read(String path) throws SshException {
            try {
                if (sftp.statExistence(path) == null) {
                    return Optional.empty();
                }
                try (RemoteFile file = sftp.open(path);
                        InputStream in = file.new RemoteFileInputStream()) {
                    return Optional.of(in.readAllBytes());
                }
            } catch (IOException e) {
                throw new SshException(
                        host + ": cannot read " + path + " over SFTP on " + where + ": " + e.getMessage()
                                + "; check that the SSH user may read it",
                        e);
            }
        }

        @Override
        public void close() {
            closeQuietly(sftp);
            closeQuietly(ssh);
        }
    }
}
