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
 * @param outputs the non-sensitive root outputs of the repository's stacks after the run (a later stack's output
 *     wins over an earlier one's of the same name), for consumers that need more than the fields above; absent in
 *     events of older producers and in facts of a scheduled read-back
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
        Instant observedAt,
        List<Output> outputs) {
    public CloudFacts {
        outputs = outputs == null ? null : List.copyOf(outputs);
    }

    /** Facts without outputs, as producers before the optional field wrote them. */
    public CloudFacts(
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
        this(host, provider, region, instanceId, privateIp, publicIp, subnetId, volumes, plan, observedAt, null);
    }

    /**
     * One root output of a stack, as {@code tofu output -json} gave it; sensitive outputs are never among them.
     *
     * @param name the output's name
     * @param value its value, a string, number or boolean written as a string
     */
    public record Output(String name, String value) {}

    /**
     * One block volume attachment.
     *
     * @param volumeId the provider's id of the volume
     * @param device the device path on the instance, e.g. {@code /dev/oracleoci/oraclevdb}
     * @param attachmentType {@code paravirtualized} or {@code iscsi}
     */
    public record VolumeAttachment(String volumeId, String device, String attachmentType) {}

    /**
     * Counts of planned changes, as OpenTofu counts them ({@code Plan: 1 to import, 2 to add, 0 to change, 1 to
     * destroy, 1 to forget}); any delete is destructive. The fields after {@code destructive} were added in v1 and are
     * absent in events from older producers.
     *
     * @param add resources created (including replacements)
     * @param change resources updated in place
     * @param destroy resources deleted (including replacements)
     * @param destructive whether the plan deletes anything
     * @param stateChanges the moves, imports and forgets: changes to what OpenTofu manages rather than to cloud objects
     * @param changedOutputs the names of the root outputs whose value changes
     * @param applyable whether OpenTofu would apply the plan at all ({@code tofu plan -detailed-exitcode} exits 2):
     *     also true for a plan that only reads data sources or records changes made outside OpenTofu
     */
    public record PlanSummary(
            int add,
            int change,
            int destroy,
            boolean destructive,
            StateChanges stateChanges,
            List<String> changedOutputs,
            Boolean applyable) {
        public PlanSummary {
            changedOutputs = changedOutputs == null ? null : List.copyOf(changedOutputs);
        }

        /** Only the resource counts, as producers before the optional fields wrote them. */
        public PlanSummary(int add, int change, int destroy, boolean destructive) {
            this(add, change, destroy, destructive, null, null, null);
        }

        /**
         * Whether applying the plan changes anything: resources, what OpenTofu manages, or outputs. A summary from an
         * older producer says so through its resource counts alone.
         */
        public boolean changesAnything() {
            return Boolean.TRUE.equals(applyable)
                    || add + change + destroy > 0
                    || (stateChanges != null && stateChanges.any())
                    || (changedOutputs != null && !changedOutputs.isEmpty());
        }
    }

    /**
     * The changes of a plan to what OpenTofu manages, not to cloud objects.
     *
     * @param move resources that move to a new address ({@code moved} blocks), with or without other changes
     * @param imports resources imported into the state ({@code import} blocks)
     * @param forget resources removed from the state but left in the cloud ({@code removed} blocks)
     */
    public record StateChanges(int move, int imports, int forget) {
        /** Whether there is any. */
        public boolean any() {
            return move + imports + forget > 0;
        }
    }
}
