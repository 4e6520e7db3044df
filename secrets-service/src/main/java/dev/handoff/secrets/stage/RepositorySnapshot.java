package dev.handoff.secrets.stage;

import dev.handoff.sops.CreationRules;
import dev.handoff.sops.SopsDecryption;
import dev.handoff.sops.SopsFile;
import java.util.List;
import java.util.Optional;

/**
 * What the drivers read for one check: the commit, its {@code .sops.yaml} and the host's files, each inspected and,
 * with a validation identity, verified.
 *
 * @param repository the repository's full name
 * @param commit the commit that was read
 * @param creationRules the parsed {@code .sops.yaml}, or empty
 * @param creationRulesProblem why there are no rules (file missing or invalid), if so
 * @param files one entry per configured file, in inventory order
 */
public record RepositorySnapshot(
        String repository,
        String commit,
        Optional<CreationRules> creationRules,
        Optional<String> creationRulesProblem,
        List<FileCheck> files) {

    /**
     * One configured file at the commit.
     *
     * @param path its path
     * @param file the inspected file, empty when the commit lacks it
     * @param verification the decryption and MAC check, when a validation identity is configured
     */
    public record FileCheck(String path, Optional<SopsFile> file, Optional<SopsDecryption.Result> verification) {}
}
