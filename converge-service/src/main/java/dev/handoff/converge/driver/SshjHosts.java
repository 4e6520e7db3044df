package dev.handoff.converge.driver;

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
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.SFTPClient;

/**
 * The SSH driver (sshj): connects with the runner's identity, checks the host key against the pin kept per host
 * (first contact as configured: pin it, or refuse), runs commands and stages files over SFTP. Never accepts any key
 * unchecked.
 */
public final class SshjHosts {
    private final PinnedSsh ssh;
    private final Duration timeout;

    public SshjHosts(
            Path identity, AddressMap addresses, HostKeyPins pins, FirstContact firstContact, Duration timeout) {
        this.ssh = new PinnedSsh(identity, addresses, pins, firstContact, timeout);
        this.timeout = timeout;
    }

    /** Where {@code address} really is. */
    public HostPort resolve(String address) {
        return ssh.resolve(address);
    }

    /** Opens a new connection to {@code host} at {@code address} as {@code user}. */
    public HostSession open(String host, String user, String address) throws SshException {
        try {
            PinnedSsh.Connection c = ssh.open(host, user, address);
            return new SshjSession(host, c.where(), ssh.resolve(address), c.client(), c.presented());
        } catch (PinnedSshException e) {
            switch (e.kind()) {
                case HOST_KEY_CHANGED -> throw new HostKeyChangedException(host, e.where(), e.pinned(), e.presented());
                case FIRST_CONTACT_REFUSED ->
                    throw new SshException(host
                            + ": no host key is pinned and handoff.converge.first-contact is REFUSE; the host at "
                            + e.where() + " presents " + e.presented()
                            + ". Verify it out of band and pin it, or set first-contact to PIN for this bootstrap.");
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
                        && java.security.MessageDigest.isEqual(java.util.Arrays.copyOf(buffer, total), content);
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
            try {
                ssh.close();
            } catch (IOException ignored) {
                // the session is over either way; nothing more to release
            }
        }
    }
}
