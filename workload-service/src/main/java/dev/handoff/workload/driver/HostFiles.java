package dev.handoff.workload.driver;

import dev.handoff.workload.stage.FolderEntry;
import java.util.List;
import java.util.Optional;

/**
 * Read-only access to a host's files over one SSH connection (SFTP). Symbolic links are followed: on NixOS the files
 * workload-service reads are links into {@code /nix/store} (K3s's manifests folder holds one per
 * {@code services.k3s.manifests.<name>}), and OpenSSH's sftp-server lists a folder with the links' own attributes
 * (lstat), so a link is resolved with SFTP {@code stat} (which follows it) and {@code readlink}. Every read is bounded.
 */
public interface HostFiles extends AutoCloseable {
    /**
     * The entries of {@code dir}, sorted by name ({@code .} and {@code ..} left out); empty when the folder does not
     * exist. A symbolic link is listed as what it points to (a link to a regular file is a
     * {@link FolderEntry.Kind#FILE}) with its target; a dangling link, a link loop or a link the user may not follow
     * is {@link FolderEntry.Kind#UNRESOLVED} with the reason, never left out.
     */
    List<FolderEntry> list(String dir) throws SshException;

    /**
     * The content of {@code path}, following symbolic links, or empty when it does not exist (a dangling link
     * included).
     *
     * @throws HostFileTooLargeException when the file is larger than the configured limit: nothing of it is read
     * @throws SshException when it cannot be read (not a regular file, permission denied, connection lost)
     */
    Optional<byte[]> read(String path) throws SshException;

    @Override
    void close();
}
