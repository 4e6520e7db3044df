package dev.handoff.bench.hostile;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.backup.stage.Snapshots;
import java.io.IOException;
import java.util.Optional;

/**
 * restic's output → backup-service's readers, in the order {@code ContractVerifier} calls them:
 * {@link Snapshots#newest} over the parsed {@code snapshots --json} ({@code restic-failed} when it is not JSON,
 * {@code no-snapshot} when there is none), then {@link Snapshots#nodePaths} over {@code ls --json}. Both readers throw
 * {@code IllegalArgumentException} for output that is not restic's, which ContractVerifier reports as
 * {@code restic-failed}; anything else would escape the stage's run.
 */
public final class ResticProbe implements Probe<ResticInputs.ResticOutput> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Verdict probe(ResticInputs.ResticOutput output) throws Exception {
        Optional<Snapshots.Snapshot> newest;
        try {
            newest = Snapshots.newest(JSON.readTree(output.snapshots()));
        } catch (IOException | IllegalArgumentException e) {
            return Verdict.refused("restic-failed", "restic snapshots printed no snapshot JSON: " + e.getMessage());
        }
        if (newest.isEmpty()) {
            return Verdict.refused("no-snapshot", "the repository has no snapshot of the host");
        }
        try {
            Snapshots.nodePaths(output.ls(), JSON);
        } catch (IllegalArgumentException e) {
            return Verdict.refused("restic-failed", e.getMessage());
        }
        return Verdict.accepted();
    }
}
