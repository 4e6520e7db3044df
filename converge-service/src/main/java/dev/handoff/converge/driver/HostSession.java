package dev.handoff.converge.driver;

/** An open SSH connection to a host: run commands, stage a file over SFTP. */
public interface HostSession extends AutoCloseable {
    /** Runs {@code command} and waits for it (at most the SSH timeout). */
    CommandResult run(String command) throws SshException;

    /**
     * Runs {@code command} and waits for it at most {@code timeout}; at the timeout the command is sent TERM, the
     * connection is dropped (this session is unusable after) and the result has exit code -1.
     *
     * @param output told each line of standard output and error as it arrives
     */
    CommandResult run(String command, java.time.Duration timeout, java.util.function.Consumer<String> output)
            throws SshException;

    /**
     * Copies the local folder {@code local} (regular files and folders only; a link is refused) to {@code remote},
     * which must not exist yet, over SFTP.
     */
    void upload(java.nio.file.Path local, String remote) throws SshException;

    /**
     * Writes {@code content} to {@code path} with mode 0600, its directory 0700, atomically (a temporary file in the
     * same directory, then a rename over the old one), only when the content differs.
     *
     * @return whether the file was written (false: it already had this content)
     */
    boolean stageFile(String path, byte[] content) throws SshException;

    /** The host's pinned key as known_hosts writes it after the host name: {@code <key type> <base64 blob>}. */
    String hostKey();

    /** The host name and port this session connected to, after the address map. */
    String hostName();

    int port();

    @Override
    void close();
}
