package dev.handoff.common.event.v1;

import java.time.Instant;

/**
 * A stage has a trigger for a host but waits for a prerequisite that is on its way (e.g. converge waits for the cloud
 * facts of an infra deployment that is running); followed by the stage's {@code started} once it arrives, or its
 * {@code failed} when it does not arrive in time.
 *
 * @param host the host
 * @param stage the stage id
 * @param waitingFor what the stage waits for, e.g. {@code cloud-facts}
 * @param producedBy the deployment that is producing it, when known
 * @param until when the stage stops waiting and fails
 * @param message what the stage waits for and why, for a person
 */
public record StageWaiting(
        String host, String stage, String waitingFor, String producedBy, Instant until, String message) {}
