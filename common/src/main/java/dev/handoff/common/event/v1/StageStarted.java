package dev.handoff.common.event.v1;

/**
 * A stage began work for a host. Shared by every {@code handoff.<stage>.started} type.
 *
 * @param host the host the stage works on
 * @param stage the stage id ({@code infra}, {@code secrets}, {@code converge}, {@code workload}, {@code backup})
 * @param triggerType the CloudEvents type of the event that started the stage
 * @param repository the repository whose commit this deployment rolls out, if known
 * @param commit that commit, if known
 */
public record StageStarted(String host, String stage, String triggerType, String repository, String commit) {}
