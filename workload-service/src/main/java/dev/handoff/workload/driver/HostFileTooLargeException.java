package dev.handoff.workload.driver;

/**
 * A host file is larger than {@code handoff.workload.max-host-file-size}: it was not read (a manifest, kubeconfig or
 * key file that large is a mistake, and reading it whole would load it into the service's memory).
 */
public final class HostFileTooLargeException extends SshException {
    /** The setting that bounds a read. */
    public static final String KEY = "handoff.workload.max-host-file-size";

    private final String path;
    private final long size;
    private final long limit;

    /**
     * @param host the host
     * @param path the file on the host
     * @param size its size in bytes, as SFTP stat says, or -1 when only the read found it longer than the limit
     * @param limit the limit in bytes
     */
    public HostFileTooLargeException(String host, String path, long size, long limit) {
        super(host + ": " + path + " is " + (size < 0 ? "more than " + limit : String.valueOf(size))
                + " bytes, over the limit of " + limit + " bytes (" + KEY + "); nothing of it was read. A manifest,"
                + " kubeconfig or key file that large is unexpected: check what the path holds, split a large manifest"
                + " into several services.k3s.manifests, or raise " + KEY);
        this.path = path;
        this.size = size;
        this.limit = limit;
    }

    /** The file on the host. */
    public String path() {
        return path;
    }

    /** Its size in bytes, or -1 when unknown. */
    public long size() {
        return size;
    }

    /** The limit in bytes. */
    public long limit() {
        return limit;
    }
}
