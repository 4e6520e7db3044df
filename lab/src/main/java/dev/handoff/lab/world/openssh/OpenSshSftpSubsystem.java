package dev.handoff.lab.world.openssh;

import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_EXTENDED;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_LINK;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_LSTAT;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_MKDIR;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_READLINK;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_REMOVE;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_RENAME;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_RMDIR;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_SYMLINK;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_BAD_MESSAGE;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_FAILURE;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_INVALID_FILENAME;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_INVALID_PARAMETER;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_LINK_LOOP;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_NOT_A_DIRECTORY;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_NO_SUCH_FILE;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_NO_SUCH_PATH;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_OP_UNSUPPORTED;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.sshd.common.file.FileSystemFactory;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.sftp.SftpModuleProperties;
import org.apache.sshd.sftp.common.SftpHelper;
import org.apache.sshd.sftp.server.SftpErrorStatusDataHandler;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystem;
import org.apache.sshd.sftp.server.SftpSubsystemConfigurator;
import org.apache.sshd.sftp.server.SftpSubsystemEnvironment;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;

/**
 * Apache MINA's SFTP subsystem made to answer as OpenSSH's {@code sftp-server} does, for a simulated host whose
 * {@code /} is a sandbox folder (MINA's {@code VirtualFileSystemFactory} on the same folder):
 *
 * <ul>
 *   <li>symbolic links are followed inside the sandbox, as the host's kernel would: an absolute target starts at the
 *       sandbox, not at the test machine's own root, and {@code ..} stops at the sandbox; the last link of a path is
 *       followed by the requests that follow it on OpenSSH (stat, open, opendir, setstat, realpath) and kept by the
 *       others (lstat, readlink, remove, rename, mkdir, rmdir, symlink, extensions such as
 *       {@code posix-rename@openssh.com});
 *   <li>{@code readlink} answers the link's target as it is written, not MINA's path relative to the sandbox;
 *   <li>errors carry SFTP v3's status codes and sftp-server's texts ({@code No such file}, {@code Failure}, …) where
 *       MINA sends v4+ codes to v3 clients ({@code File/Directory already exists}, {@code Not a directory}, …);
 *   <li>protocol version 3 only, as sftp-server.
 * </ul>
 */
public final class OpenSshSftpSubsystem extends SftpSubsystem {
    /** The requests that act on a link itself rather than on what it points to. */
    private static final Set<Integer> KEEP_LAST_LINK = Set.of(
            SSH_FXP_LSTAT,
            SSH_FXP_READLINK,
            SSH_FXP_REMOVE,
            SSH_FXP_RENAME,
            SSH_FXP_SYMLINK,
            SSH_FXP_LINK,
            SSH_FXP_MKDIR,
            SSH_FXP_RMDIR,
            SSH_FXP_EXTENDED);

    /** Linux's MAXSYMLINKS: more links than this in one path is ELOOP. */
    private static final int MAX_LINKS = 40;

    /** sftp-server's {@code status_to_message}, by v3 status code. */
    private static final List<String> OPENSSH_MESSAGES = List.of(
            "Success",
            "End of file",
            "No such file",
            "Permission denied",
            "Failure",
            "Bad message",
            "No connection",
            "Connection lost",
            "Operation unsupported");

    private final Path sandbox;

    /** The request being answered (the subsystem answers one request at a time, on its own thread). */
    private int request;

    private OpenSshSftpSubsystem(ChannelSession channel, SftpSubsystemConfigurator configurator, Path sandbox) {
        super(channel, configurator);
        this.sandbox = sandbox;
    }

    /**
     * Makes {@code server} answer SFTP on {@code sandbox} as its {@code /}, as OpenSSH's sftp-server does: this
     * subsystem, MINA's virtual file system rooted at the sandbox, and protocol version 3 only (sftp-server offers no
     * other).
     */
    public static void serve(SshServer server, Path sandbox) {
        serve(server, session -> sandbox);
    }

    /**
     * As {@link #serve(SshServer, Path)} for a server that answers for several simulated hosts (the lab's fleet): each
     * session's {@code /} is the sandbox {@code sandboxOf} gives for it.
     */
    public static void serve(SshServer server, Function<SessionContext, Path> sandboxOf) {
        server.setFileSystemFactory(new FileSystemFactory() {
            @Override
            public Path getUserHomeDir(SessionContext session) throws IOException {
                return new VirtualFileSystemFactory(sandboxOf.apply(session)).getUserHomeDir(session);
            }

            @Override
            public FileSystem createFileSystem(SessionContext session) throws IOException {
                return new VirtualFileSystemFactory(sandboxOf.apply(session)).createFileSystem(session);
            }
        });
        server.setSubsystemFactories(List.of(factory(sandboxOf)));
        SftpModuleProperties.SFTP_VERSION.set(server, 3);
    }

    private static SftpSubsystemFactory factory(Function<SessionContext, Path> sandboxOf) {
        SftpSubsystemFactory factory = new SftpSubsystemFactory() {
            @Override
            public Command createSubsystem(ChannelSession channel) throws IOException {
                OpenSshSftpSubsystem subsystem =
                        new OpenSshSftpSubsystem(channel, this, sandboxOf.apply(channel.getSession()));
                getRegisteredListeners().forEach(subsystem::addSftpEventListener);
                return subsystem;
            }
        };
        factory.setErrorStatusDataHandler(new V3Status());
        factory.setFileSystemAccessor(new LinkTargetsAsWritten(sandboxOf));
        return factory;
    }

    @Override
    protected void doProcess(Buffer buffer, int length, int type, int id) throws IOException {
        request = type;
        try {
            super.doProcess(buffer, length, type, id);
        } finally {
            request = 0;
        }
    }

    @Override
    protected Path resolveFile(String remotePath) throws IOException {
        return super.resolveFile(inSandbox(sandbox, remotePath, !KEEP_LAST_LINK.contains(request)));
    }

    /**
     * {@code remotePath} with every symbolic link resolved inside {@code sandbox} (the last one only if
     * {@code followLast}): an absolute, link-free path on the simulated host, so that the test machine's kernel,
     * which MINA lets follow links, meets none.
     */
    static String inSandbox(Path sandbox, String remotePath, boolean followLast) throws IOException {
        Deque<String> pending = new ArrayDeque<>(List.of(remotePath.split("/")));
        List<String> resolved = new ArrayList<>();
        int links = 0;
        while (!pending.isEmpty()) {
            String name = pending.removeFirst();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (!resolved.isEmpty()) {
                    resolved.remove(resolved.size() - 1);
                }
                continue;
            }
            Path local = sandbox.resolve(String.join("/", resolved)).resolve(name);
            if ((followLast || !pending.isEmpty()) && Files.isSymbolicLink(local)) {
                if (++links > MAX_LINKS) {
                    throw new FileSystemLoopException(remotePath);
                }
                String target = Files.readSymbolicLink(local).toString();
                if (target.startsWith("/")) {
                    resolved.clear();
                }
                List<String> targetNames = List.of(target.split("/"));
                for (int i = targetNames.size() - 1; i >= 0; i--) {
                    pending.addFirst(targetNames.get(i));
                }
            } else {
                resolved.add(name);
            }
        }
        return "/" + String.join("/", resolved);
    }

    /** {@code readlink}: the target as written in the link (MINA rewrites an absolute one relative to the sandbox). */
    private static final class LinkTargetsAsWritten implements SftpFileSystemAccessor {
        private final Function<SessionContext, Path> sandboxOf;

        LinkTargetsAsWritten(Function<SessionContext, Path> sandboxOf) {
            this.sandboxOf = sandboxOf;
        }

        @Override
        public String resolveLinkTarget(SftpSubsystemProxy subsystem, Path link) throws IOException {
            Path sandbox = sandboxOf.apply(subsystem.getServerSession());
            Path local = sandbox.resolve(link.toAbsolutePath().toString().substring(1));
            if (!Files.exists(local, LinkOption.NOFOLLOW_LINKS)) {
                throw new NoSuchFileException(link.toString());
            }
            if (!Files.isSymbolicLink(local)) {
                throw new NotLinkException(link.toString());
            }
            return Files.readSymbolicLink(local).toString();
        }
    }

    /** Errors as sftp-server reports them to a v3 client: its status codes (errno_to_portable) and texts. */
    private static final class V3Status implements SftpErrorStatusDataHandler {
        @Override
        public int resolveSubStatus(SftpSubsystemEnvironment subsystem, int id, Throwable e, int cmd, Object... args) {
            int status = e instanceof NotLinkException ? SSH_FX_BAD_MESSAGE : SftpHelper.resolveSubstatus(e);
            if (status <= SSH_FX_OP_UNSUPPORTED) {
                return status;
            }
            return switch (status) {
                case SSH_FX_NO_SUCH_PATH, SSH_FX_NOT_A_DIRECTORY, SSH_FX_LINK_LOOP -> SSH_FX_NO_SUCH_FILE;
                case SSH_FX_INVALID_FILENAME, SSH_FX_INVALID_PARAMETER -> SSH_FX_BAD_MESSAGE;
                default -> SSH_FX_FAILURE;
            };
        }

        @Override
        public String resolveErrorMessage(
                SftpSubsystemEnvironment subsystem, int id, Throwable e, int subStatus, int cmd, Object... args) {
            if (subStatus < 0 || subStatus >= OPENSSH_MESSAGES.size()) {
                return SftpHelper.resolveStatusMessage(subStatus);
            }
            return OPENSSH_MESSAGES.get(subStatus);
        }
    }
}
