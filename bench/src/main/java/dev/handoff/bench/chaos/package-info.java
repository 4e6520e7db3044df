/**
 * {@code bench/run-chaos}: faults injected into a running lab while commits are pushed to all four repositories, then,
 * once the chain is quiet, the invariants of issue 18 checked against the acknowledged webhooks, the ledger and the
 * topics. {@link ChaosChecks} and {@link ChaosReport} are pure (their inputs are {@link ChaosModel}'s records);
 * {@link ChaosLab}, {@link Pusher}, {@link Moments}, {@link Observed} and {@link LedgerRebuild} do the I/O;
 * {@link ChaosBench} runs it all. Nothing here asserts: it prints a table.
 */
package dev.handoff.bench.chaos;
