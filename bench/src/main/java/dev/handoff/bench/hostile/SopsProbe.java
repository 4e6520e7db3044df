package dev.handoff.bench.hostile;

import dev.handoff.sops.AgeIdentity;
import dev.handoff.sops.SopsDecryption;
import dev.handoff.sops.SopsFile;
import dev.handoff.sops.SopsFinding;
import java.util.List;

/**
 * A SOPS file → {@link SopsFile#inspect} then {@link SopsDecryption#verify} with the validation identity, as
 * secrets-service reads a repository's files: a finding is a refusal named by its code (the first one counts);
 * accepted means no finding and a verified MAC. Every finding's text is checked for the planted secret.
 */
public final class SopsProbe implements Probe<SopsInputs.SopsInput> {
    private final AgeIdentity identity = SopsInputs.validationIdentity();

    @Override
    public Verdict probe(SopsInputs.SopsInput input) {
        SopsFile file = SopsFile.inspect(input.path(), input.content(), SopsFile.DEFAULT_MAX_BYTES);
        if (!file.findings().isEmpty()) {
            return refused(file.findings());
        }
        SopsDecryption.Result verified = SopsDecryption.verify(file, identity);
        if (!verified.findings().isEmpty()) {
            return refused(verified.findings());
        }
        if (!verified.macVerified()) {
            return Verdict.refused("", input.path() + ": MAC not verified, and no finding says why");
        }
        return Verdict.accepted();
    }

    private static Verdict refused(List<SopsFinding> findings) {
        StringBuilder text = new StringBuilder();
        for (SopsFinding f : findings) {
            text.append(f.code())
                    .append(' ')
                    .append(f.subject())
                    .append(": ")
                    .append(f.message())
                    .append('\n');
        }
        return Verdict.refused(findings.get(0).code(), text.toString());
    }
}
