package dev.handoff.bench.hostile;

import dev.handoff.common.event.v1.StageFailed.Detail;
import dev.handoff.workload.stage.DeclaredObject;
import dev.handoff.workload.stage.ManifestFolder;
import dev.handoff.workload.stage.Manifests;
import java.util.List;

/**
 * A host file → workload-service's reading of a host's manifests folder: {@link ManifestFolder#judge} over the entry
 * (with the host's workload {@code rustdesk}), then, when it is to be read, {@link Manifests#parse} over its YAML.
 * Refusals: {@code manifest-unreadable} (a link that leads to no regular file), {@code not-a-manifest} (a name K3s
 * does not apply, skipped), {@code invalid-manifest}.
 */
public final class ManifestProbe implements Probe<ManifestInputs.HostFile> {
    @Override
    public Verdict probe(ManifestInputs.HostFile file) {
        ManifestFolder.Listing listing = ManifestFolder.judge(
                "cloud-edge-1", "/var/lib/rancher/k3s/server/manifests", List.of(file.entry()), List.of("rustdesk"));
        if (!listing.unreadable().isEmpty()) {
            Detail d = listing.unreadable().get(0);
            return Verdict.refused(d.code(), d.message());
        }
        if (!listing.files().contains(file.entry().name())) {
            return Verdict.refused("not-a-manifest", file.entry().name() + " is not applied by K3s; skipped");
        }
        try {
            List<DeclaredObject> objects = Manifests.parse(file.entry().name(), file.yaml());
            return objects.isEmpty() ? Verdict.refused("manifest-empty", "holds no object") : Verdict.accepted();
        } catch (Manifests.InvalidManifestException e) {
            return Verdict.refused("invalid-manifest", e.getMessage());
        }
    }
}
