package dev.handoff.common.event.v1;

import java.time.Instant;
import java.util.List;

/**
 * What the cloud layer hands the runtime layer for one host ({@code handoff.cloud-facts.completed}).
 *
 * @param host the host name from handoff.yaml
 * @param provider the cloud provider, e.g. {@code oci}
 * @param region the region, e.g. {@code eu-frankfurt-1}
 * @param instanceId the provider's id of the instance (host identity)
 * @param privateIp the instance's private IP on its subnet
 * @param publicIp the instance's public IP, if it has one (bootstrap access uses it)
 * @param subnetId the subnet of the primary VNIC
 * @param volumes the block volumes attached to the instance
 * @param plan what the apply changed, if this run applied a plan
 * @param observedAt when the facts were read back from the provider
 */
public record CloudFacts(
        String host,
        String provider,
        String region,
        String instanceId,
        String privateIp,
        String publicIp,
        String subnetId,
        List<VolumeAttachment> volumes,
        PlanSummary plan,
        Instant observedAt) {

    /**
     * One block volume attachment.
     *
     * @param volumeId the provider's id of the volume
     * @param device the device path on the instance, e.g. {@code /dev/oracleoci/oraclevdb}
     * @param attachmentType {@code paravirtualized} or {@code iscsi}
     */
    public record VolumeAttachment(String volumeId, String device, String attachmentType) {}

    /**
     * Counts of planned resource changes per action; any delete is destructive.
     *
     * @param add resources created
     * @param change resources updated in place
     * @param destroy resources deleted (including replacements)
     * @param destructive whether the plan deletes anything
     */
    public record PlanSummary(int add, int change, int destroy, boolean destructive) {}
}
