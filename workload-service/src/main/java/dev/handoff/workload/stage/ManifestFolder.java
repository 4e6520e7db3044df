package dev.handoff.workload.stage;

import dev.handoff.common.event.v1.StageFailed.Detail;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a host's K3s manifests folder declares, decided from its listing and the object counts of its files (no I/O):
 * which files to read, which links cannot be read ({@code manifest-unreadable}), which workloads of handoff.yaml have
 * no manifest ({@code manifest-missing}) and which manifests of listed workloads hold no object
 * ({@code manifest-empty}). A run never passes on a listed workload of which nothing was verified.
 */
public final class ManifestFolder {
    private ManifestFolder() {}

    /**
     * The verdict on a listing.
     *
     * @param files the manifests to read (regular files and links to them), by name, sorted
     * @param unreadable a finding per manifest-named link that does not lead to a regular file
     * @param missing a finding per workload of handoff.yaml without a manifest
     */
    public record Listing(List<String> files, List<Detail> unreadable, List<Detail> missing) {}

    /** Whether K3s applies a file of this name: {@code *.yaml}, {@code *.yml}, {@code *.json}, not hidden. */
    public static boolean isManifest(String name) {
        return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
    }

    /**
     * Judges the listing of {@code dir} on {@code host} against the host's {@code workloads} in handoff.yaml. A
     * folder named like a manifest is not one and is skipped; a link to one, a dangling link, or a device is reported.
     */
    public static Listing judge(String host, String dir, List<FolderEntry> entries, List<String> workloads) {
        List<String> files = new ArrayList<>();
        List<String> present = new ArrayList<>();
        List<Detail> unreadable = new ArrayList<>();
        for (FolderEntry entry : entries) {
            if (!isManifest(entry.name()) || (entry.kind() == FolderEntry.Kind.DIRECTORY && !entry.isLink())) {
                continue;
            }
            present.add(entry.name());
            if (entry.readable()) {
                files.add(entry.name());
            } else {
                unreadable.add(new Detail("manifest-unreadable", dir + "/" + entry.name(), why(host, dir, entry)));
            }
        }
        List<Detail> missing = new ArrayList<>();
        for (String workload : workloads) {
            if (!present.contains(workload + ".yaml") && !present.contains(workload + ".yml")) {
                missing.add(new Detail(
                        "manifest-missing",
                        dir + "/" + workload + ".yaml",
                        "handoff.yaml lists workload " + workload + " for " + host + " but the host has no " + workload
                                + ".yaml in " + dir + ": declare it with services.k3s.manifests." + workload
                                + ".source"));
            }
        }
        return new Listing(files.stream().sorted().toList(), List.copyOf(unreadable), List.copyOf(missing));
    }

    /**
     * A {@code manifest-empty} finding per workload of handoff.yaml whose manifest holds no object.
     *
     * @param objectsByFile how many objects each read manifest declares, by file name
     */
    public static List<Detail> empty(
            String host, String dir, List<String> workloads, Map<String, Integer> objectsByFile) {
        List<Detail> empty = new ArrayList<>();
        for (String workload : workloads) {
            for (String file : List.of(workload + ".yaml", workload + ".yml")) {
                Integer objects = objectsByFile.get(file);
                if (objects != null && objects == 0) {
                    empty.add(new Detail(
                            "manifest-empty",
                            dir + "/" + file,
                            "handoff.yaml lists workload " + workload + " for " + host + " but " + dir + "/" + file
                                    + " holds no Kubernetes object, so nothing of " + workload + " could be"
                                    + " verified: declare its objects in services.k3s.manifests." + workload
                                    + ".source in the runtime repository, or drop " + workload + " from the host's"
                                    + " workloads in handoff.yaml"));
                }
            }
        }
        return List.copyOf(empty);
    }

    private static String why(String host, String dir, FolderEntry entry) {
        String path = dir + "/" + entry.name();
        String stem = entry.name().substring(0, entry.name().lastIndexOf('.'));
        if (!entry.isLink()) {
            return path + " on " + host + " is not a regular file (a device, socket or pipe): K3s cannot apply it;"
                    + " remove it";
        }
        String link = path + " on " + host + " is a symbolic link to " + entry.linkTarget();
        return switch (entry.kind()) {
            case UNRESOLVED ->
                link + ", which " + entry.problem() + ": the store path is missing (garbage-collected, or the"
                        + " system's closure was not copied). Re-run the activation (colmena apply) so that NixOS"
                        + " links services.k3s.manifests." + stem + " again; if it is no longer declared, delete the"
                        + " stale link (nixpkgs' k3s module never removes one)";
            case DIRECTORY ->
                link + ", which is a folder, not a manifest file: services.k3s.manifests." + stem
                        + ".source must name a YAML file; fix it in the runtime repository and re-run the activation";
            default ->
                link + ", which is not a regular file: services.k3s.manifests." + stem
                        + ".source must name a YAML file; fix it in the runtime repository and re-run the activation";
        };
    }
}
