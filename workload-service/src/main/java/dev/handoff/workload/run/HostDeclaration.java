package dev.handoff.workload.run;

import dev.handoff.common.event.v1.StageFailed.Detail;
import dev.handoff.workload.config.WorkloadConfig;
import dev.handoff.workload.driver.HostFiles;
import dev.handoff.workload.driver.SshException;
import dev.handoff.workload.stage.DeclaredObject;
import dev.handoff.workload.stage.InlineKubeconfig;
import dev.handoff.workload.stage.ManifestFolder;
import dev.handoff.workload.stage.Manifests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Step 1 of a run: what the host declares, read over SFTP: the objects of K3s's manifests folder (links into
 * {@code /nix/store} followed) and the kubeconfig to reach its API with.
 */
final class HostDeclaration {
    private final WorkloadConfig config;

    HostDeclaration(WorkloadConfig config) {
        this.config = config;
    }

    /**
     * The objects the host's manifests folder declares: every listed workload must have a manifest there that leads
     * to a regular file (NixOS links them into the store) and holds at least one object.
     */
    List<DeclaredObject> objects(String host, List<String> workloads, HostFiles files) throws RunFailure, SshException {
        String dir = config.manifestsDir();
        ManifestFolder.Listing listing = ManifestFolder.judge(host, dir, files.list(dir), workloads);
        if (!listing.unreadable().isEmpty()) {
            List<Detail> details = new ArrayList<>(listing.unreadable());
            details.addAll(listing.missing());
            throw new RunFailure(
                    "manifest-unreadable",
                    host + ": " + listing.unreadable().size() + " manifest(s) in " + dir + " cannot be read: "
                            + listing.unreadable().stream().map(Detail::subject).toList() + ". "
                            + listing.unreadable().get(0).message(),
                    false,
                    details);
        }
        if (!listing.missing().isEmpty()) {
            throw new RunFailure(
                    "manifest-missing",
                    host + ": " + listing.missing().size() + " workload(s) of handoff.yaml not declared on the host: "
                            + listing.missing().stream().map(Detail::subject).toList(),
                    false,
                    listing.missing());
        }
        List<DeclaredObject> declared = new ArrayList<>();
        Map<String, Integer> objectsByFile = new LinkedHashMap<>();
        for (String name : listing.files()) {
            String path = dir + "/" + name;
            byte[] content = files.read(path)
                    .orElseThrow(() -> new RunFailure(
                            "manifest-unreadable",
                            host + ": " + path + " was listed but is gone; was the host activated meanwhile?",
                            true,
                            List.of()));
            try {
                List<DeclaredObject> objects = Manifests.parse(name, new String(content, StandardCharsets.UTF_8));
                objectsByFile.put(name, objects.size());
                declared.addAll(objects);
            } catch (Manifests.InvalidManifestException e) {
                throw new RunFailure(
                        "manifest-invalid",
                        host + ": " + dir + "/" + e.getMessage() + "; fix the manifest in the runtime repository",
                        false,
                        List.of(new Detail("manifest-invalid", path, e.getMessage())));
            }
        }
        List<Detail> empty = ManifestFolder.empty(host, dir, workloads, objectsByFile);
        if (!empty.isEmpty()) {
            throw new RunFailure(
                    "manifest-empty",
                    host + ": " + empty.size() + " manifest(s) of the workloads handoff.yaml lists hold no object: "
                            + empty.stream().map(Detail::subject).toList() + ". "
                            + empty.get(0).message(),
                    false,
                    empty);
        }
        return declared;
    }

    /** Where the host's kubeconfig is read: the configured file, or {@code <host>:<kubeconfig-path>}. */
    String kubeconfigSource(String host) {
        return config.kubeconfigDir()
                .map(d -> Path.of(d).resolve(host + ".yaml"))
                .filter(Files::isRegularFile)
                .map(Path::toString)
                .orElse(host + ":" + config.kubeconfigPath());
    }

    /**
     * The inline credentials of the host's kubeconfig (the configured one, else the one K3s writes on the host); a
     * kubeconfig that would make this service run a command or read a file of its own is refused, not used.
     */
    InlineKubeconfig kubeconfig(String host, HostFiles files) throws RunFailure, SshException, IOException {
        String source = kubeconfigSource(host);
        try {
            return InlineKubeconfig.read(kubeconfigText(host, files));
        } catch (InlineKubeconfig.Refused e) {
            String message = host + ": the kubeconfig " + source + " is refused: " + e.getMessage()
                    + ". workload-service builds its client from inline certificate data only, and K3s writes"
                    + " inline certificate data: remove exec, auth-provider and file references (certificate-authority,"
                    + " client-certificate, client-key, tokenFile) from it, or let k3s write it anew";
            throw new RunFailure(
                    "kubeconfig-refused", message, false, List.of(new Detail("kubeconfig-refused", source, message)));
        } catch (InlineKubeconfig.Invalid e) {
            throw new RunFailure(
                    "kubeconfig-invalid",
                    host + ": the kubeconfig " + source + " " + e.getMessage()
                            + "; K3s writes a usable one at start (restart k3s), or fix the configured kubeconfig",
                    false,
                    List.of());
        }
    }

    private String kubeconfigText(String host, HostFiles files) throws RunFailure, SshException, IOException {
        Optional<Path> configured = config.kubeconfigDir()
                .map(d -> Path.of(d).resolve(host + ".yaml"))
                .filter(Files::isRegularFile);
        if (configured.isPresent()) {
            return Files.readString(configured.get(), StandardCharsets.UTF_8);
        }
        return new String(
                files.read(config.kubeconfigPath())
                        .orElseThrow(() -> new RunFailure(
                                "kubeconfig-missing",
                                host + ": " + config.kubeconfigPath() + " does not exist: K3s writes it at start;"
                                        + " is k3s running? (or configure handoff.workload.kubeconfig-dir)",
                                true,
                                List.of())),
                StandardCharsets.UTF_8);
    }
}
