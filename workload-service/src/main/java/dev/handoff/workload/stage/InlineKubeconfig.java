package dev.handoff.workload.stage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The credentials of a kubeconfig as K3s writes it: the current context's cluster {@code server} and
 * {@code certificate-authority-data}, its user's {@code client-certificate-data} and {@code client-key-data} (or an
 * inline {@code token}). The kubeconfig is read from a host, so nothing in it may make this service run a command
 * ({@code exec}, {@code auth-provider}), read one of its own files ({@code certificate-authority},
 * {@code client-certificate}, {@code client-key}, {@code tokenFile}), go through a proxy or skip TLS verification: a
 * kubeconfig naming any of them, in any cluster or user, is refused. No I/O.
 *
 * <p>It holds private key material: {@link #toString()} names no value, and no message quotes the kubeconfig.
 *
 * @param server the cluster's {@code server} URL
 * @param certificateAuthorityData the cluster's CA, base64 PEM as in the kubeconfig
 * @param clientCertificateData the user's client certificate, base64 PEM, or null
 * @param clientKeyData the user's client key, base64 PEM, or null
 * @param token the user's bearer token, or null
 */
public record InlineKubeconfig(
        String server,
        String certificateAuthorityData,
        String clientCertificateData,
        String clientKeyData,
        String token) {
    private static final YAMLMapper YAML = new YAMLMapper();

    /** Fields of a user that fabric8 honours by running a command, reading a file or sending a password. */
    private static final List<Map.Entry<String, String>> REFUSED_USER_FIELDS = List.of(
            Map.entry("exec", "runs a command on the machine of workload-service"),
            Map.entry(
                    "auth-provider",
                    "runs an authentication provider (gcp, azure, oidc) on the machine of workload-service"),
            Map.entry("tokenFile", "reads a token file on the machine of workload-service"),
            Map.entry("token-file", "reads a token file on the machine of workload-service"),
            Map.entry("client-certificate", "reads a certificate file on the machine of workload-service"),
            Map.entry("client-key", "reads a key file on the machine of workload-service"),
            Map.entry("username", "sends a password (basic authentication)"),
            Map.entry("password", "sends a password (basic authentication)"));

    /** Fields of a cluster that read a file of this service's machine or weaken how the server is reached. */
    private static final List<Map.Entry<String, String>> REFUSED_CLUSTER_FIELDS = List.of(
            Map.entry("certificate-authority", "reads a CA file on the machine of workload-service"),
            Map.entry("proxy-url", "sends the API traffic through a proxy"));

    /**
     * The inline credentials of {@code kubeconfig}.
     *
     * @throws Refused when a cluster or user names a field that is not inline data
     * @throws Invalid when it is not a kubeconfig, or its current context lacks a server, CA or credentials
     */
    public static InlineKubeconfig read(String kubeconfig) throws Refused, Invalid {
        JsonNode root;
        try {
            root = YAML.readTree(kubeconfig);
        } catch (IOException e) {
            // the parser's message may quote the file, which holds a private key
            throw new Invalid("is not a readable kubeconfig (not YAML)");
        }
        if (root == null || !root.isObject()) {
            throw new Invalid("is not a readable kubeconfig (not a YAML mapping)");
        }
        for (JsonNode cluster : entries(root, "clusters")) {
            refuseIn(cluster, "clusters", "cluster", REFUSED_CLUSTER_FIELDS);
            if (cluster.path("cluster").path("insecure-skip-tls-verify").asBoolean(false)) {
                throw new Refused(
                        field(cluster, "clusters", "cluster", "insecure-skip-tls-verify"),
                        "turns off verifying the API's certificate");
            }
        }
        for (JsonNode user : entries(root, "users")) {
            refuseIn(user, "users", "user", REFUSED_USER_FIELDS);
        }
        JsonNode context = currentContext(root);
        String clusterName = text(context.path("context").path("cluster"));
        String userName = text(context.path("context").path("user"));
        JsonNode cluster = named(root, "clusters", clusterName, "cluster");
        JsonNode user = named(root, "users", userName, "user");
        String server = text(cluster.path("server"));
        String ca = text(cluster.path("certificate-authority-data"));
        if (server == null) {
            throw new Invalid("names no server for cluster '" + clusterName + "'");
        }
        if (ca == null) {
            throw new Invalid("names no certificate-authority-data for cluster '" + clusterName
                    + "': K3s writes its server CA inline, and the API is never trusted without it");
        }
        String cert = text(user.path("client-certificate-data"));
        String key = text(user.path("client-key-data"));
        String token = text(user.path("token"));
        if ((cert == null) != (key == null)) {
            throw new Invalid("gives user '" + userName + "' only one of client-certificate-data and client-key-data");
        }
        if (cert == null && token == null) {
            throw new Invalid("gives user '" + userName
                    + "' no credentials: K3s writes client-certificate-data and client-key-data");
        }
        return new InlineKubeconfig(server, ca, cert, key, token);
    }

    @Override
    public String toString() {
        return "InlineKubeconfig[server=" + server + ", "
                + (clientCertificateData != null ? "client certificate" : "token") + "]";
    }

    private static JsonNode currentContext(JsonNode root) throws Invalid {
        String current = text(root.path("current-context"));
        List<JsonNode> contexts = entries(root, "contexts");
        if (current == null) {
            if (contexts.size() == 1) {
                return contexts.get(0);
            }
            throw new Invalid("names no current-context");
        }
        return named(root, "contexts", current, "context");
    }

    private static JsonNode named(JsonNode root, String list, String name, String kind) throws Invalid {
        if (name == null) {
            throw new Invalid("has a context that names no " + kind);
        }
        for (JsonNode entry : entries(root, list)) {
            if (name.equals(text(entry.path("name")))) {
                return "context".equals(kind) ? entry : entry.path(kind);
            }
        }
        throw new Invalid("has no " + kind + " named '" + name + "' in " + list);
    }

    private static List<JsonNode> entries(JsonNode root, String list) {
        JsonNode entries = root.path(list);
        List<JsonNode> all = new ArrayList<>();
        if (entries.isArray()) {
            entries.forEach(all::add);
        }
        return all;
    }

    private static void refuseIn(JsonNode entry, String list, String kind, List<Map.Entry<String, String>> refused)
            throws Refused {
        JsonNode body = entry.path(kind);
        for (Map.Entry<String, String> field : refused) {
            if (body.has(field.getKey())) {
                throw new Refused(field(entry, list, kind, field.getKey()), field.getValue());
            }
        }
    }

    private static String field(JsonNode entry, String list, String kind, String name) {
        String entryName = text(entry.path("name"));
        return list + "[" + (entryName == null ? "" : entryName) + "]." + kind + "." + name;
    }

    private static String text(JsonNode node) {
        return node.isValueNode() && !node.isNull() && !node.asText().isBlank() ? node.asText() : null;
    }

    /** A kubeconfig that names a field which is not inline data: it is not used at all. */
    public static final class Refused extends Exception {
        private final String field;

        Refused(String field, String why) {
            super(field + " " + why);
            this.field = field;
        }

        /** The offending field, e.g. {@code users[default].user.exec}. */
        public String field() {
            return field;
        }
    }

    /** Not a kubeconfig, or one that lacks what a client needs; the message never quotes it. */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }
}
