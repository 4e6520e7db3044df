package dev.handoff.bench.hostile;

import dev.handoff.workload.stage.FolderEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hostile host files: entries of a host's K3s manifests folder (names with traversal, NUL, unicode; links to
 * {@code /etc/shadow}, dangling, to folders; devices) and the YAML they hold (multi-document, lists, alias bombs,
 * wrong kinds, nesting, edits of a valid manifest).
 */
public final class ManifestInputs {
    /** One entry of the folder and its content. */
    public record HostFile(FolderEntry entry, String yaml) {}

    static final String VALID = """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: rustdesk
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: hbbs
              namespace: rustdesk
              labels: {app: hbbs}
            spec:
              replicas: 1
              selector: {matchLabels: {app: hbbs}}
              template:
                metadata: {labels: {app: hbbs}}
                spec:
                  hostNetwork: true
                  containers:
                  - name: hbbs
                    image: rustdesk/rustdesk-server:1.1.11
                    ports: [{containerPort: 21116, protocol: TCP}]
            ---
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: rustdesk}}
            """;

    private ManifestInputs() {}

    /** {@code count} host files, the same for the same seed. */
    public static List<Hostile<HostFile>> generate(long seed, int count) {
        Random random = new Random(seed);
        List<Hostile<HostFile>> out = new ArrayList<>();
        out.add(new Hostile<>("valid", file("rustdesk.yaml", VALID)));
        for (Hostile<String> classic : Mutations.classicDocuments()) {
            out.add(new Hostile<>(classic.label(), file("rustdesk.yaml", classic.value())));
        }
        out.add(new Hostile<>(
                "link to /etc/shadow",
                new HostFile(FolderEntry.link("rustdesk.yaml", "/etc/shadow", FolderEntry.Kind.FILE), VALID)));
        out.add(new Hostile<>(
                "dangling link",
                new HostFile(
                        FolderEntry.unresolved("rustdesk.yaml", "/nix/store/gone-rustdesk.yaml", "does not exist"),
                        VALID)));
        out.add(new Hostile<>(
                "link loop", new HostFile(FolderEntry.unresolved("rustdesk.yaml", "rustdesk.yaml", "loops"), VALID)));
        out.add(new Hostile<>(
                "link to a folder",
                new HostFile(FolderEntry.link("rustdesk.yaml", "/", FolderEntry.Kind.DIRECTORY), VALID)));
        out.add(new Hostile<>(
                "device", new HostFile(FolderEntry.plain("rustdesk.yaml", FolderEntry.Kind.OTHER), VALID)));
        out.add(new Hostile<>(
                "folder named like a manifest",
                new HostFile(FolderEntry.plain("rustdesk.yaml", FolderEntry.Kind.DIRECTORY), VALID)));
        out.add(new Hostile<>("List of scalars", file("rustdesk.yaml", "kind: List\nitems: [1, a, null]\n")));
        out.add(new Hostile<>(
                "kind a number", file("rustdesk.yaml", "apiVersion: v1\nkind: 7\nmetadata: {name: x}\n")));
        out.add(new Hostile<>(
                "items bomb", file("rustdesk.yaml", Mutations.billionLaughs().replace("a:", "items:"))));
        while (out.size() < count) {
            switch (random.nextInt(4)) {
                case 0 -> out.add(new Hostile<>("edited", file("rustdesk.yaml", Mutations.mutate(VALID, random))));
                case 1 -> {
                    String name = Mutations.nasty(random) + (random.nextBoolean() ? ".yaml" : "");
                    out.add(new Hostile<>("name " + LogCapture.shorten(name), file(name, VALID)));
                }
                case 2 -> {
                    String target = Mutations.nasty(random);
                    FolderEntry.Kind kind = FolderEntry.Kind.values()[random.nextInt(FolderEntry.Kind.values().length)];
                    FolderEntry entry = kind == FolderEntry.Kind.UNRESOLVED
                            ? FolderEntry.unresolved("rustdesk.yaml", target, Mutations.nasty(random))
                            : FolderEntry.link("rustdesk.yaml", target, kind);
                    out.add(new Hostile<>("link to " + LogCapture.shorten(target), new HostFile(entry, VALID)));
                }
                default ->
                    out.add(new Hostile<>(
                            "field wrong type",
                            file(
                                    "rustdesk.yaml",
                                    VALID.replaceFirst(
                                            List.of(
                                                            "kind: Deployment",
                                                            "name: hbbs",
                                                            "replicas: 1",
                                                            "namespace: rustdesk",
                                                            "containerPort: 21116",
                                                            "kind: List")
                                                    .get(random.nextInt(6)),
                                            List.of(
                                                            "kind: [a]",
                                                            "name: {x: 1}",
                                                            "replicas: -9223372036854775809",
                                                            "namespace: \"../../kube-system\"",
                                                            "containerPort: 99999999999",
                                                            "kind: List\nitems: {a: 1}")
                                                    .get(random.nextInt(6))))));
            }
        }
        return out;
    }

    private static HostFile file(String name, String yaml) {
        return new HostFile(FolderEntry.plain(name, FolderEntry.Kind.FILE), yaml);
    }
}
