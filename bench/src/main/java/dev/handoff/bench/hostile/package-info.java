/**
 * The hostile-input suite (issue 15, docs/security.md "Hostile-input suite"): for every entry point where data from
 * outside reaches Handoff, a generator of deterministic hostile inputs ({@code *Inputs}, seeded) and a probe
 * ({@code *Probe}) that feeds each input to the real Handoff code for that entry point and classifies the outcome as
 * accepted, refused with a named reason, or escaped (any other exception or error: a bug).
 *
 * <p>Invariants the suite checks beyond the verdicts: nothing escapes, every refusal names a non-blank reason, the
 * planted secret ({@link dev.handoff.bench.hostile.PlantedSecret}) appears in no refusal message and no log line, no
 * file is written outside its base, a consumer loop survives every record and sends each invalid one to its DLQ, and
 * nothing but DLQ records (and the commits of properly signed pushes) is published.
 */
package dev.handoff.bench.hostile;
