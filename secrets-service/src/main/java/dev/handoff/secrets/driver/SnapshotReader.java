package dev.handoff.secrets.driver;

import dev.handoff.secrets.stage.RepositorySnapshot;
import dev.handoff.secrets.stage.RepositorySnapshot.FileCheck;
import dev.handoff.secrets.stage.Work;
import dev.handoff.sops.AgeIdentity;
import dev.handoff.sops.CreationRules;
import dev.handoff.sops.SopsDecryption;
import dev.handoff.sops.SopsFile;
import dev.handoff.sops.SopsFormatException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads what a check needs at a commit through the {@link SecretsRepository} port and runs the SOPS codec on it:
 * {@code .sops.yaml}, then each configured file (size checked before reading), inspected and, with a validation
 * identity, decrypted and verified.
 */
public final class SnapshotReader {
    private final SecretsRepository repository;
    private final Optional<AgeIdentity> identity;
    private final long maxFileBytes;

    public SnapshotReader(SecretsRepository repository, Optional<AgeIdentity> identity, long maxFileBytes) {
        this.repository = repository;
        this.identity = identity;
        this.maxFileBytes = maxFileBytes;
    }

    /** Reads the files {@code files} for {@code work}. */
    public RepositorySnapshot read(Work work, List<String> files) throws SecretsRepository.RepositoryException {
        try (SecretsRepository.Commit commit =
                repository.open(work.repository(), work.cloneUrl(), work.branch(), work.commit())) {
            Optional<CreationRules> rules = Optional.empty();
            Optional<String> rulesProblem = Optional.empty();
            Optional<SecretsRepository.Blob> config = commit.file(CreationRules.FILE, maxFileBytes);
            if (config.isEmpty()) {
                rulesProblem = Optional.of(CreationRules.FILE + " is missing from the repository root; add the"
                        + " creation rules that list each file's recipients");
            } else if (config.get().content().isEmpty()) {
                rulesProblem = Optional.of(CreationRules.FILE + " is larger than " + maxFileBytes + " bytes");
            } else {
                try {
                    rules = Optional.of(CreationRules.parse(
                            new String(config.get().content().get(), StandardCharsets.UTF_8)));
                } catch (SopsFormatException e) {
                    rulesProblem = Optional.of(e.getMessage());
                }
            }
            List<FileCheck> checks = new ArrayList<>();
            for (String path : files) {
                Optional<SecretsRepository.Blob> blob = commit.file(path, maxFileBytes);
                if (blob.isEmpty()) {
                    checks.add(new FileCheck(path, Optional.empty(), Optional.empty()));
                    continue;
                }
                SopsFile file = blob.get().content().isEmpty()
                        ? SopsFile.tooLarge(path, blob.get().size(), maxFileBytes)
                        : SopsFile.inspect(path, blob.get().content().get(), maxFileBytes);
                Optional<SopsDecryption.Result> verification =
                        identity.filter(i -> file.metadata().isPresent()).map(i -> SopsDecryption.verify(file, i));
                checks.add(new FileCheck(path, Optional.of(file), verification));
            }
            return new RepositorySnapshot(work.repository(), commit.id(), rules, rulesProblem, checks);
        }
    }
}
