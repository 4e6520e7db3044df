package dev.handoff.infra.stage;

import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.event.v1.CloudFacts.VolumeAttachment;
import dev.handoff.common.event.v1.StageFailed;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Compares what the cloud reports with what Handoff expects — tofu's outputs after an apply, or the last published
 * cloud facts on a scheduled check — field by field. Every difference is one finding naming the field.
 */
public final class DriftCheck {
    private DriftCheck() {}

    /** A field whose expected and observed values differ. */
    public record Drift(String field, String expected, String observed) {
        StageFailed.Detail detail(String expectedSource) {
            return new StageFailed.Detail(
                    "drift",
                    field,
                    expectedSource + " says " + show(expected) + " but the provider reports " + show(observed));
        }

        private static String show(String v) {
            return v == null ? "nothing" : v;
        }
    }

    /** Tofu's outputs against the read-back; an output that is absent is not compared. */
    public static List<Drift> againstOutputs(TofuOutputs outputs, ObservedInstance observed) {
        List<Drift> drifts = new ArrayList<>();
        compare(drifts, "instance_id", outputs.value("instance_id").orElse(null), observed.instanceId(), false);
        compare(drifts, "region", outputs.value("region").orElse(null), observed.region(), false);
        compare(drifts, "private_ip", outputs.value("private_ip").orElse(null), observed.privateIp(), false);
        compare(drifts, "public_ip", outputs.value("public_ip").orElse(null), observed.publicIp(), false);
        compare(drifts, "subnet_id", outputs.value("subnet_id").orElse(null), observed.subnetId(), false);
        outputs.value("volume_id").ifPresent(volumeId -> {
            VolumeAttachment attached = observed.volumes().stream()
                    .filter(v -> v.volumeId().equals(volumeId))
                    .findFirst()
                    .orElse(null);
            if (attached == null) {
                drifts.add(new Drift("volume_id", volumeId, null));
            } else {
                compare(drifts, "volume_device", outputs.value("volume_device").orElse(null), attached.device(), false);
            }
        });
        return drifts;
    }

    /** The last published facts against the read-back (a scheduled check). */
    public static List<Drift> againstFacts(CloudFacts last, ObservedInstance observed) {
        List<Drift> drifts = new ArrayList<>();
        compare(drifts, "region", last.region(), observed.region(), true);
        compare(drifts, "privateIp", last.privateIp(), observed.privateIp(), true);
        compare(drifts, "publicIp", last.publicIp(), observed.publicIp(), true);
        compare(drifts, "subnetId", last.subnetId(), observed.subnetId(), true);
        List<String> expected =
                last.volumes().stream().map(DriftCheck::describe).sorted().toList();
        List<String> actual =
                observed.volumes().stream().map(DriftCheck::describe).sorted().toList();
        if (!expected.equals(actual)) {
            drifts.add(new Drift("volumes", String.join(", ", expected), String.join(", ", actual)));
        }
        return drifts;
    }

    /** The findings of a drift, for the failed event. */
    public static List<StageFailed.Detail> details(List<Drift> drifts, String expectedSource) {
        return drifts.stream().map(d -> d.detail(expectedSource)).toList();
    }

    private static void compare(List<Drift> out, String field, String expected, String observed, boolean strict) {
        if (expected == null && !strict) {
            return;
        }
        if (!Objects.equals(expected, observed)) {
            out.add(new Drift(field, expected, observed));
        }
    }

    private static String describe(VolumeAttachment v) {
        return v.volumeId() + " at " + v.device() + " (" + v.attachmentType() + ")";
    }
}
