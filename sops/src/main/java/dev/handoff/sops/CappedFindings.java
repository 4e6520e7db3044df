package dev.handoff.sops;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The findings of one check of one file, at most {@link SopsFile#MAX_FINDINGS_PER_FILE}: a hostile file of half a
 * million plaintext values must not become half a million findings (hundreds of megabytes of verdict). Past the cap
 * findings are only counted, without building their messages, and {@link #toList} ends with one {@code
 * more-findings} summary.
 */
final class CappedFindings {
    private final String file;
    private final int cap;
    private final List<SopsFinding> kept = new ArrayList<>();
    private long omitted;

    CappedFindings(String file, int cap) {
        this.file = file;
        this.cap = cap;
    }

    /** Adds a finding, building it only while under the cap. */
    void add(Supplier<SopsFinding> finding) {
        if (kept.size() < cap) {
            kept.add(finding.get());
        } else {
            omitted++;
        }
    }

    /** Adds an already built finding (metadata problems, a handful per file). */
    void add(SopsFinding finding) {
        add(() -> finding);
    }

    /** Whether nothing was found. */
    boolean isEmpty() {
        return kept.isEmpty();
    }

    /** The findings kept so far, without the summary. */
    List<SopsFinding> kept() {
        return kept;
    }

    /** The findings kept, then a {@code more-findings} summary if any were left out. */
    List<SopsFinding> toList() {
        if (omitted == 0) {
            return List.copyOf(kept);
        }
        List<SopsFinding> all = new ArrayList<>(kept);
        all.add(new SopsFinding(
                "more-findings",
                file,
                file + ": " + omitted + " more finding" + (omitted == 1 ? "" : "s")
                        + " of this file are not listed (only the first " + cap
                        + " are); fix these and check again, or re-encrypt the whole file with sops"));
        return List.copyOf(all);
    }
}
