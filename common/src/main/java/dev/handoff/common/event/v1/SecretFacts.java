package dev.handoff.common.event.v1;

import java.time.Instant;
import java.util.List;

/**
 * What the secrets layer verified for one host ({@code handoff.secret-facts.completed}). Names, recipients,
 * fingerprints and MAC status only: never a plaintext value.
 *
 * @param host the host name
 * @param repository the secrets repository
 * @param commit the commit that was verified
 * @param recipient the host's age recipient that every file must be encrypted for
 * @param files one entry per verified file
 */
public record SecretFacts(String host, String repository, String commit, String recipient, List<SecretFile> files) {

    /** Whether a file's MAC was verified with a validation identity. */
    public enum MacStatus {
        VERIFIED,
        NOT_CHECKED
    }

    /**
     * One SOPS file.
     *
     * @param path the file's path in the repository
     * @param sha256 the sha256 of the file as committed (its fingerprint)
     * @param lastModified the file's {@code sops.lastmodified}
     * @param recipients every age recipient the file is encrypted for
     * @param keyPaths the key paths the file holds, e.g. {@code tailscale/auth_key}
     * @param mac whether the MAC was verified
     */
    public record SecretFile(
            String path,
            String sha256,
            Instant lastModified,
            List<String> recipients,
            List<String> keyPaths,
            MacStatus mac) {}
}
