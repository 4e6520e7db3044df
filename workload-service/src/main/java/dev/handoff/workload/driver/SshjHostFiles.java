package dev.handoff.workload.driver;

import dev.handoff.common.trace.Tracing;
import dev.handoff.support.ssh.AddressMap;
import dev.handoff.support.ssh.FirstContact;
import dev.handoff.support.ssh.HostKeyPins;
import dev.handoff.support.ssh.PinnedSsh;
import dev.handoff.support.ssh.PinnedSshException;
import dev.handoff.workload.stage.FolderEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.FileMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.RemoteResourceInfo;
import net.schmizz.sshj.sftp.Response;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.sftp.SFTPException;

/**
 * The SSH driver (sshj): connects with the runner's identity, checks the host key against the pin kept per host
 * (first contact as configured: pin it, or refuse) and reads files over SFTP, following symbolic links and never
 * reading more than the configured limit of a file. Never accepts any key unchecked.
 */
public final class SshjHostFiles {
    /** The largest file {@link HostFiles#read} reads ({@code handoff.workload.max-host-file-size}'s bound). */
    public static final long MAX_FILE_SIZE_LIMIT = Integer.MAX_VALUE - 16;

    private final PinnedSsh ssh;
    private final long maxFileSize;

    /**
     * @param maxFileSize the largest file {@link HostFiles#read} reads, in bytes (1 to {@link #MAX_FILE_SIZE_LIMIT})
     */
    public SshjHostFiles(
            Path identity,
            AddressMap addresses,
            HostKeyPins pins,
            FirstContact firstContact,
            Duration timeout,
            long maxFileSize) {
        this(identity, addresses, pins, firstContact, timeout, maxFileSize, Map.of());
    }

    /**
     * @param maxFileSize the largest file {@link HostFiles#read} reads, in bytes (1 to {@link #MAX_FILE_SIZE_LIMIT})
     * @param required the host key fingerprints handoff.yaml requires, by host
     */
    public SshjHostFiles(
            Path identity,
            AddressMap addresses,
            HostKeyPins pins,
            FirstContact firstContact,
            Duration timeout,
            long maxFileSize,
            Map<String, String> required) {
        if (maxFileSize < 1 || maxFileSize > MAX_FILE_SIZE_LIMIT) {
            throw new IllegalArgumentException(HostFileTooLargeException.KEY + " must be between 1 byte and "
                    + MAX_FILE_SIZE_LIMIT + " bytes, not " + maxFileSize);
        }
        this.ssh = new PinnedSsh(identity, addresses, pins, firstContact, timeout, required);
        this.maxFileSize = maxFileSize;
    }

    /** Opens a new connection to {@code host} at {@code address} as {@code user}. */
    public HostFiles open(String host, String user, String address) throws SshException {
        return Tracing.driverCall("ssh", "connect", () -> connect(host, user, address));
    }

    private HostFiles connect(String host, String user, String address) throws SshException {
        PinnedSsh.Connection c;
        try {
            c = ssh.open(host, user, address);
        } catch (PinnedSshException e) {
            throw e.kind() == PinnedSshException.Kind.UNREACHABLE
                    ? new SshException(e.getMessage(), e.getCause())
                    : new SshException(e.getMessage() + " (nothing was read)");
        }
        try {
            return new SftpFiles(host, c.where(), c.client(), c.client().newSFTPClient(), maxFileSize);
        } catch (IOException e) {
            closeQuietly(c.client());
            throw new SshException(host + ": cannot start SFTP on " + c.where() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The absolute path a link in {@code dir} with the text {@code target} points to, normalised without following
     * anything ({@code ..} stops at {@code /}): OpenSSH's readlink answers the link's text, which nixpkgs writes
     * absolute ({@code /nix/store/…}) and the lab relative.
     */
    static String absolute(String dir, String target) {
        String joined = target.startsWith("/") ? target : dir + "/" + target;
        Deque<String> names = new ArrayDeque<>();
        for (String name : joined.split("/")) {
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                names.pollLast();
            } else {
                names.addLast(name);
            }
        }
        return "/" + String.join("/", names);
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
        private final long maxFileSize;

        SftpFiles(String host, String where, SSHClient ssh, SFTPClient sftp, long maxFileSize) {
            this.host = host;
            this.where = where;
            this.ssh = ssh;
            this.sftp = sftp;
            this.maxFileSize = maxFileSize;
        }

        @Override
        public List<FolderEntry> list(String dir) throws SshException {
            return Tracing.driverCall("ssh", "sftp list", () -> listOnce(dir));
        }

        private List<FolderEntry> listOnce(String dir) throws SshException {
            try {
                if (sftp.statExistence(dir) == null) {
                    return List.of();
                }
                List<FolderEntry> entries = new ArrayList<>();
                for (RemoteResourceInfo info : sftp.ls(dir)) {
                    String name = info.getName();
                    if (name.equals(".") || name.equals("..")) {
                        continue;
                    }
                    FileMode.Type type = info.getAttributes().getType();
                    entries.add(
                            type == FileMode.Type.SYMLINK
                                    ? followLink(dir, name)
                                    : FolderEntry.plain(name, kindOf(type)));
                }
                entries.sort(Comparator.comparing(FolderEntry::name));
                return List.copyOf(entries);
            } catch (IOException e) {
                throw new SshException(
                        host + ": cannot list " + dir + " over SFTP on " + where + ": " + e.getMessage(), e);
            }
        }

        /** A link: its target from readlink, and what that is from stat (which follows links). */
        private FolderEntry followLink(String dir, String name) throws IOException {
            String path = dir + "/" + name;
            String target = absolute(dir, sftp.readlink(path));
            try {
                return FolderEntry.link(name, target, kindOf(sftp.stat(path).getType()));
            } catch (SFTPException e) {
                return FolderEntry.unresolved(
                        name,
                        target,
                        e.getStatusCode() == Response.StatusCode.NO_SUCH_FILE
                                ? "does not exist"
                                : "cannot be followed (" + e.getMessage() + ")");
            }
        }

        private static FolderEntry.Kind kindOf(FileMode.Type type) {
            return switch (type) {
                case REGULAR -> FolderEntry.Kind.FILE;
                case DIRECTORY -> FolderEntry.Kind.DIRECTORY;
                default -> FolderEntry.Kind.OTHER;
            };
        }

        @Override
        public Optional<byte[]> read(String path) throws SshException {
            return Tracing.driverCall("ssh", "sftp read", () -> readOnce(path));
        }

        private Optional<byte[]> readOnce(String path) throws SshException {
            try {
                FileAttributes attributes;
                try {
                    attributes = sftp.stat(path);
                } catch (SFTPException e) {
                    if (e.getStatusCode() == Response.StatusCode.NO_SUCH_FILE) {
                        return Optional.empty();
                    }
                    throw e;
                }
                FileMode.Type type = attributes.getType();
                if (type != FileMode.Type.REGULAR && type != FileMode.Type.UNKNOWN) {
                    throw new SshException(host + ": " + path + " on " + where + " is a "
                            + type.name().toLowerCase(Locale.ROOT) + ", not a regular file");
                }
                if (attributes.has(FileAttributes.Flag.SIZE) && attributes.getSize() > maxFileSize) {
                    throw new HostFileTooLargeException(host, path, attributes.getSize(), maxFileSize);
                }
                try (RemoteFile file = sftp.open(path);
                        InputStream in = file.new RemoteFileInputStream()) {
                    // the size may have grown since stat, or a special file may report none: never read past the limit
                    byte[] content = in.readNBytes((int) maxFileSize + 1);
                    if (content.length > maxFileSize) {
                        throw new HostFileTooLargeException(host, path, -1, maxFileSize);
                    }
                    return Optional.of(content);
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
