package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.oci.LabCloud;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the lab's providers contribute to a resource beyond its configuration: the attributes they compute (known
 * after apply), which attributes their schema marks sensitive, and the computed values at apply time, taken from the
 * simulated cloud ({@link LabCloud}) where it has them (the instance's id and addresses, the volume, the subnet, the
 * K3s token) and otherwise derived deterministically from the resource's address.
 */
final class LabProvider {
    private LabProvider() {}

    /** Computed attribute → {@link LabCloud} key, per resource type. */
    private static final Map<String, Map<String, String>> FROM_CLOUD = Map.of(
            "oci_core_instance",
                    Map.of(
                            "id", LabCloud.INSTANCE_ID,
                            "private_ip", LabCloud.PRIVATE_IP,
                            "public_ip", LabCloud.PUBLIC_IP,
                            "region", LabCloud.REGION),
            "oci_core_volume", Map.of("id", LabCloud.VOLUME_ID),
            "oci_core_volume_attachment", Map.of("id", LabCloud.VOLUME_ATTACHMENT_ID),
            "oci_core_subnet", Map.of("id", LabCloud.SUBNET_ID),
            "oci_core_vcn", Map.of("id", LabCloud.VCN_ID),
            "random_password", Map.of("result", LabCloud.K3S_TOKEN));

    private static final Map<String, List<String>> COMPUTED = Map.of(
            "oci_core_instance",
                    List.of("boot_volume_id", "id", "private_ip", "public_ip", "region", "state", "time_created"),
            "oci_core_volume", List.of("id", "state", "time_created"),
            "oci_core_volume_attachment", List.of("id", "state", "time_created"),
            "oci_core_vcn", List.of("default_route_table_id", "default_security_list_id", "id", "state"),
            "oci_core_subnet", List.of("id", "state", "virtual_router_ip"),
            "oci_core_internet_gateway", List.of("id", "state"),
            "oci_core_route_table", List.of("id", "state"),
            "oci_core_security_list", List.of("id", "state"),
            "random_password", List.of("bcrypt_hash", "id", "result"),
            "terraform_data", List.of("id", "output"));

    private static final Map<String, Set<String>> SENSITIVE =
            Map.of("random_password", Set.of("bcrypt_hash", "result"));

    private static final Map<String, Long> SCHEMA_VERSION = Map.of("oci_core_instance", 1L, "random_password", 3L);

    /** The attributes a resource type's provider computes. */
    static List<String> computed(String type) {
        return COMPUTED.getOrDefault(type, List.of("id"));
    }

    /** The attributes its schema marks sensitive. */
    static Set<String> sensitive(String type) {
        return SENSITIVE.getOrDefault(type, Set.of());
    }

    static long schemaVersion(String type) {
        return SCHEMA_VERSION.getOrDefault(type, 0L);
    }

    /** The object the provider returns when it creates or updates a resource: config plus computed values. */
    static Map<String, Object> applied(
            String type,
            String name,
            Map<String, Object> planned,
            Map<String, Object> prior,
            Map<String, String> cloud) {
        Map<String, Object> out = new LinkedHashMap<>(planned);
        for (String attr : computed(type)) {
            Object v = out.get(attr);
            if (v != null && v != Values.UNKNOWN) {
                continue;
            }
            if (prior != null && attr.equals("id") && prior.get("id") != null) {
                out.put(attr, prior.get("id"));
                continue;
            }
            out.put(attr, value(type, name, attr, cloud));
        }
        out.replaceAll((k, v) -> v == Values.UNKNOWN ? value(type, name, k, cloud) : v);
        return out;
    }

    /** The object the provider reads for {@code import}: the configuration as it is, with computed values. */
    static Map<String, Object> imported(
            String type, String name, String id, Map<String, Object> planned, Map<String, String> cloud) {
        Map<String, Object> out = applied(type, name, planned, null, cloud);
        out.put("id", id);
        return out;
    }

    /** The value of a computed attribute. */
    static Object value(String type, String name, String attr, Map<String, String> cloud) {
        String key = FROM_CLOUD.getOrDefault(type, Map.of()).get(attr);
        if (key != null && cloud.containsKey(key)) {
            return cloud.get(key);
        }
        String region = cloud.getOrDefault(LabCloud.REGION, "eu-frankfurt-1");
        return switch (attr) {
            case "id" ->
                type.startsWith("oci_")
                        ? "ocid1." + type.substring(type.indexOf('_', 4) + 1).replace("_", "") + ".oc1." + region
                                + ".lab" + name.replace("_", "")
                        : type.equals("random_password")
                                ? "none"
                                : digest(type + "." + name).substring(0, 16);
            case "state" ->
                type.equals("oci_core_instance")
                        ? "RUNNING"
                        : type.equals("oci_core_volume_attachment") ? "ATTACHED" : "AVAILABLE";
            case "time_created" -> "2025-01-06 10:00:00.000 +0000 UTC";
            case "bcrypt_hash" ->
                "$2a$10$"
                        + digest(String.valueOf(cloud.get(LabCloud.K3S_TOKEN))).substring(0, 53);
            case "result" -> digest(type + "." + name).substring(0, 48);
            case "output" -> null;
            default -> cloud.containsKey(attr) ? cloud.get(attr) : "lab-" + attr;
        };
    }

    /** A value for an attribute a configuration references but the model does not know. */
    static Object unknownAttribute(String attr, Map<String, String> cloud) {
        return cloud.containsKey(attr) ? cloud.get(attr) : "lab-" + attr;
    }

    private static String digest(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
