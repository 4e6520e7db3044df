package dev.handoff.infra.stage;

import dev.handoff.common.event.v1.CloudFacts.VolumeAttachment;
import java.util.List;

/**
 * An instance as the provider's API reports it now.
 *
 * @param instanceId the instance's id
 * @param region its region
 * @param compartmentId its compartment
 * @param lifecycleState e.g. {@code RUNNING}
 * @param privateIp the primary VNIC's private IP
 * @param publicIp the primary VNIC's public IP, or null
 * @param subnetId the primary VNIC's subnet
 * @param volumes the attached block volumes
 */
public record ObservedInstance(
        String instanceId,
        String region,
        String compartmentId,
        String lifecycleState,
        String privateIp,
        String publicIp,
        String subnetId,
        List<VolumeAttachment> volumes) {
    public ObservedInstance {
        volumes = List.copyOf(volumes);
    }
}
