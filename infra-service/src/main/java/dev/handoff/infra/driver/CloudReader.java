package dev.handoff.infra.driver;

import dev.handoff.infra.stage.ObservedInstance;
import dev.handoff.infra.stage.StageFailure;

/** Reads an instance back from the cloud provider's API. */
public interface CloudReader {
    /**
     * The instance, its primary VNIC and its volume attachments as the provider reports them now.
     *
     * @throws StageFailure {@code instance-not-found}, {@code provider-auth}, {@code provider-timeout} or
     *     {@code provider-error}
     */
    ObservedInstance read(String instanceId) throws StageFailure;
}
