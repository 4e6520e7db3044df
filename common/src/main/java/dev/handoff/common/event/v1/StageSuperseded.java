package dev.handoff.common.event.v1;

/**
 * A stage did not run for a trigger because a newer trigger of the same kind for the same host was already waiting:
 * the stage ran the newer one instead (newest commit wins). Shared by every {@code handoff.<stage>.superseded} type.
 *
 * @param host the host
 * @param stage the stage id
 * @param triggerType the CloudEvents type of the trigger that did not run, e.g. {@code handoff.commit.pushed}
 * @param repository the repository of the trigger that did not run, when it names one
 * @param commit that trigger's commit, when it names one
 * @param supersededBy the event id of the newer trigger the stage ran instead
 * @param supersededByDeployment the deployment of that newer trigger
 * @param newerCommit the newer trigger's commit, when it names one
 * @param message what happened, for a person
 */
public record StageSuperseded(
        String host,
        String stage,
        String triggerType,
        String repository,
        String commit,
        String supersededBy,
        String supersededByDeployment,
        String newerCommit,
        String message) {}
