package dev.handoff.workload.driver;

import dev.handoff.support.ssh.AddressMap;
import dev.handoff.support.ssh.FirstContact;
import dev.handoff.support.ssh.HostKeyPins;
import dev.handoff.support.ssh.PinnedSsh;
import dev.handoff.support.ssh.PinnedSshException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.RemoteResourceInfo;
import net.schmizz.sshj.sftp.SFTPClient;

/**
 * The SSH driver (sshj): connects with the runner's identity, checks the host key against the pin kept per host
 * (first contact as configured: pin it, or refuse) and reads files over SFTP. Never accepts any key unchecked.
 */
public final class SshjHostFiles {
    private final PinnedSsh ssh;

    public SshjHostFiles(
            Path identity, AddressMap addresses, HostKeyPins pins, FirstContact firstContact, Duration timeout) {
        this.ssh = new PinnedSsh(identity, addresses, pins, firstContact, timeout);
    }

    /** Opens a new connection to {@code host} at {@code address} as {@code user}. */
    public HostFiles open(String host, String user, String address) throws SshException {
        PinnedSsh.Connection c;
        try {
            c = ssh.open(host, user, address);
        } catch (PinnedSshException e) {
            throw switch (e.kind()) {
                case HOST_KEY_CHANGED ->
                    new SshException(host + ": HOST KEY CHANGED at " + e.where() + ": pinned "
                            + e.pinned() + ", presented " + e.presented() + ". Nothing was read. If the host was"
                            + " reinstalled, verify the new key out of band and delete its row in workload-service's"
                            + " host_keys.");
                case FIRST_CONTACT_REFUSED ->
                    new SshException(host
                            + ": no host key is pinned and handoff.workload.first-contact is REFUSE; the host at "
                            + e.where() + " presents " + e.presented() + ". Verify it and pin it.");
                case UNREACHABLE -> new SshException(e.getMessage(), e.getCause());
            };
        }
        try {
            return new SftpFiles(host, c.where(), c.client(), c.client().newSFTPClient());
        } catch (IOException e) {
            closeQuietly(c.client());
            throw new SshException(host + ": cannot start SFTP on " + c.where() + ": " + e.getMessage(), e);
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
