package dev.handoff.workload.driver;

import java.util.List;
import java.util.Optional;

/** Read-only access to a host's files over one SSH connection (SFTP). */
public interface HostFiles extends AutoCloseable {
    /** The names of the regular files in {@code dir}, sorted; empty when the folder does not exist. */
    List<String> list(String dir) throws SshException;

    /** The content of {@code path}, or empty when it does not exist. */
    Optional<byte[]> read(String path) throws SshException;

    @Override
    void close();
}
