package dev.handoff.secrets.driver;

import java.util.Optional;

/** Port to the Git forge: the files of a secrets repository at a commit. */
public interface SecretsRepository {

    /**
     * Fetches {@code repository} and opens {@code commit}, or the newest commit of {@code branch} when empty.
     *
     * @throws RepositoryException when the forge or the commit cannot be reached (retryable)
     */
    Commit open(String repository, String cloneUrl, String branch, Optional<String> commit) throws RepositoryException;

    /** A commit's files. */
    interface Commit extends AutoCloseable {
        /** The full commit id. */
        String id();

        /**
         * A file at this commit, read only if it is at most {@code maxBytes}.
         *
         * @return empty when the commit has no such file
         */
        Optional<Blob> file(String path, long maxBytes) throws RepositoryException;

        @Override
        void close();
    }

    /**
     * A file's content.
     *
     * @param size its size in bytes
     * @param content its bytes, or empty when it is larger than the limit asked for
     */
    record Blob(long size, Optional<byte[]> content) {}

    /** The forge, the repository or the commit could not be read. */
    final class RepositoryException extends Exception {
        public RepositoryException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
