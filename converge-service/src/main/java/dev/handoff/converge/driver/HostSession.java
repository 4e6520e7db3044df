package dev.handoff.converge.driver;

/** An open SSH connection to a host: run commands, stage a file over SFTP. */
public interface HostSession extends AutoCloseable {
    /** Runs {@code command} and waits for it. */
    CommandResult run(String command) throws SshException;

    /**
     * Writes {@code content} to {@code path} with mode 0600, its directory 0700, atomically (a temporary file in the
     * same directory, then a rename over the old one), only when the content differs.
     *
     * @return whether the file was written (false: it already had this content)
     */
    boolean stageFile(String path, byte[] content) throws SshException;

    /** The host's pinned key as a known_hosts line for the address this session used. */
    String knownHostsLine();

    /** The host name and port this session connected to, after the address map. */
    String hostName();

    int port();

    @Override
    void close();
}
