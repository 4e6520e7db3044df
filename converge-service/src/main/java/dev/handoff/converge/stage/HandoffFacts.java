package dev.handoff.converge.stage;

import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.event.v1.Convergence.AccessPhase;
import dev.handoff.common.event.v1.SecretFacts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The facts written to {@code hosts/<host>/handoff.json} in the facts repository Handoff gives the runtime flake as
 * its {@code handoff-facts} input (never into the runtime checkout, which Nix must see clean), where the Nix code reads
 * them: the access phase, the cloud facts and the non-secret secret facts (recipient, file names, key paths,
 * fingerprints). Never a value or a key.
 */
public final class HandoffFacts {
    private HandoffFacts() {}

    /** The path of the facts file in the facts repository. */
    public static String path(String host) {
        return "hosts/" + host + "/handoff.json";
    }

    /** The facts as an ordered JSON-ready map. */
    public static Map<String, Object> of(String host, AccessPhase phase, CloudFacts cloud, SecretFacts secrets) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("host", host);
        facts.put("accessPhase", phase.name());
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("provider", cloud.provider());
        c.put("region", cloud.region());
        c.put("instanceId", cloud.instanceId());
        c.put("privateIp", cloud.privateIp());
        c.put("publicIp", cloud.publicIp());
        c.put("subnetId", cloud.subnetId());
        c.put(
                "volumes",
                cloud.volumes() == null
                        ? List.of()
                        : cloud.volumes().stream()
                                .map(v -> Map.of(
                                        "volumeId", v.volumeId(),
                                        "device", v.device(),
                                        "attachmentType", v.attachmentType()))
                                .toList());
        facts.put("cloud", c);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("repository", secrets.repository());
        s.put("commit", secrets.commit());
        s.put("recipient", secrets.recipient());
        s.put(
                "files",
                secrets.files().stream()
                        .map(f -> Map.of("path", f.path(), "sha256", f.sha256(), "keyPaths", f.keyPaths()))
                        .toList());
        facts.put("secrets", s);
        return facts;
    }
}
