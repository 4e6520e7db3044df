package dev.handoff.control.replay;

/**
 * What an operator asks for: run {@code stage} again from records {@code fromOffset}..{@code toOffset} of one
 * partition of one of its input topics, optionally only those of one host.
 *
 * @param stage {@code infra}, {@code secrets}, {@code converge}, {@code workload} or {@code backup}
 * @param topic an input topic of that stage
 * @param partition the partition
 * @param fromOffset first offset, inclusive
 * @param toOffset last offset, inclusive; absent = the partition's last offset
 * @param host only records of this host; absent = every host
 */
public record ReplayRequest(
        String stage, String topic, Integer partition, Long fromOffset, Long toOffset, String host) {}
