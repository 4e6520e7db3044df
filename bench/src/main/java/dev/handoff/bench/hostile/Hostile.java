package dev.handoff.bench.hostile;

/**
 * One generated input.
 *
 * @param label what kind of hostile input it is (e.g. {@code truncated}, {@code header ce_id=../../x}), for reports
 * @param value the input
 */
public record Hostile<T>(String label, T value) {}
