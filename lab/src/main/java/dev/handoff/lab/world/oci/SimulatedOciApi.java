package dev.handoff.lab.world.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.handoff.common.serde.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * An HTTP server speaking the subset of the OCI Core API (version 20160918) that infra-service reads back:
 * {@code GET /instances/{id}}, {@code /vnicAttachments}, {@code /vnics/{id}}, {@code /volumeAttachments}. It serves
 * {@link LabCloud}'s values as they are at each request and refuses any request that is not signed by the lab's
 * {@link OciApiKey} (OCI's HTTP signature: {@code Authorization: Signature version="1",keyId=…,algorithm="rsa-sha256",
 * headers="date (request-target) host",signature=…}), the way the real API answers 401 NotAuthenticated.
 */
public final class SimulatedOciApi implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SimulatedOciApi.class);
    private static final String BASE = "/20160918";
    private static final Pattern PARAM = Pattern.compile("([a-zA-Z]+)=\"([^\"]*)\"");
    private static final Pattern KEY_ID =
            Pattern.compile("^ocid1\\.tenancy\\.[^/]+/ocid1\\.user\\.[^/]+/([0-9a-f]{2}:){15}[0-9a-f]{2}$");

    private final HttpServer server;
    private final LabCloud cloud;
    private final OciApiKey key;
    private final ObjectMapper json = Json.mapper();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();

    private SimulatedOciApi(HttpServer server, LabCloud cloud, OciApiKey key) {
        this.server = server;
        this.cloud = cloud;
        this.key = key;
    }

    /** Starts the API on {@code 127.0.0.1:port} (0 for a free port). */
    public static SimulatedOciApi start(int port, LabCloud cloud, OciApiKey key) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            SimulatedOciApi api = new SimulatedOciApi(server, cloud, key);
            server.createContext(BASE + "/", api::handle);
            server.setExecutor(Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "lab-oci-api");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return api;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the simulated OCI API on port " + port, e);
        }
    }

    /** The endpoint to give an oci-java-sdk client, e.g. {@code http://127.0.0.1:41234}. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many requests were refused as unsigned or wrongly signed. */
    public int refusedRequests() {
        return refused.get();
    }

    /** How many requests were answered with data. */
    public int servedRequests() {
        return served.get();
    }

    /** Detached attachments each list holds before the current one. */
    static final int DETACHED_HISTORY = 2;

    private static final String PAGE_TOKEN = "lab-page-";

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String problem = signatureProblem(exchange);
            if (problem != null) {
                refused.incrementAndGet();
                LOG.infof("OCI API: refused %s %s: %s", exchange.getRequestMethod(), exchange.getRequestURI(), problem);
                error(exchange, 401, "NotAuthenticated", problem);
                return;
            }
            if (!exchange.getRequestMethod().equals("GET")) {
                error(exchange, 405, "MethodNotAllowed", "the lab's OCI API only answers GET");
                return;
            }
            route(exchange);
        } catch (RuntimeException e) {
            LOG.warnf(e, "OCI API: %s failed", exchange.getRequestURI());
            error(exchange, 500, "InternalError", e.toString());
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath().substring(BASE.length());
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        Map<String, String> c = cloud.values();
        if (path.startsWith("/instances/")) {
            String id = path.substring("/instances/".length());
            if (!id.equals(c.get(LabCloud.INSTANCE_ID))) {
                notFound(exchange, "instance " + id);
                return;
            }
            ok(exchange, instance(c));
        } else if (path.startsWith("/vnics/")) {
            String id = path.substring("/vnics/".length());
            if (!id.equals(c.get(LabCloud.VNIC_ID))) {
                notFound(exchange, "vnic " + id);
                return;
            }
            ok(exchange, vnic(c));
        } else if (path.equals("/vnicAttachments") || path.equals("/volumeAttachments")) {
            if (query.get("compartmentId") == null) {
                error(exchange, 400, "MissingParameter", "compartmentId is required");
                return;
            }
            List<ObjectNode> all = new ArrayList<>();
            boolean matches = query.get("compartmentId").equals(c.get(LabCloud.COMPARTMENT_ID))
                    && (query.get("instanceId") == null
                            || query.get("instanceId").equals(c.get(LabCloud.INSTANCE_ID)));
            if (matches) {
                boolean vnics = path.equals("/vnicAttachments");
                // an instance's history: attachments detached by earlier applies come first (oldest first)
                for (int i = 1; i <= DETACHED_HISTORY; i++) {
                    all.add(detached(vnics ? vnicAttachment(c) : volumeAttachment(c), i));
                }
                all.add(vnics ? vnicAttachment(c) : volumeAttachment(c));
            }
            page(exchange, all, query);
        } else {
            notFound(exchange, "path " + path);
        }
    }

    /**
     * Answers one page of a list, as OCI does: at most {@code limit} items (default {@link LabCloud#LIST_PAGE_SIZE},
     * so the lab's short lists still span pages), from the opaque {@code page} token, with {@code opc-next-page} when
     * more follow. A client that reads only the first page misses the current attachment.
     */
    private void page(HttpExchange exchange, List<ObjectNode> all, Map<String, String> query) throws IOException {
        int size;
        int from;
        try {
            size = query.containsKey("limit")
                    ? Integer.parseInt(query.get("limit"))
                    : Integer.parseInt(cloud.get(LabCloud.LIST_PAGE_SIZE).orElse("1"));
            from = query.containsKey("page")
                    ? Integer.parseInt(query.get("page").substring(PAGE_TOKEN.length()))
                    : 0;
        } catch (RuntimeException e) {
            error(exchange, 400, "InvalidParameter", "limit or page is not valid: " + e.getMessage());
            return;
        }
        if (size < 1 || from < 0 || from > all.size()) {
            error(exchange, 400, "InvalidParameter", "limit must be >= 1 and page a token from opc-next-page");
            return;
        }
        ArrayNode list = json.createArrayNode();
        int to = Math.min(all.size(), from + size);
        all.subList(from, to).forEach(list::add);
        if (to < all.size()) {
            exchange.getResponseHeaders().set("opc-next-page", PAGE_TOKEN + to);
        }
        ok(exchange, list);
    }

    /** An earlier, detached copy of an attachment (a replaced VNIC or volume attachment). */
    private static ObjectNode detached(ObjectNode attachment, int generation) {
        attachment.put("id", attachment.get("id").asText() + "-old" + generation);
        attachment.put("lifecycleState", "DETACHED");
        attachment.put("timeCreated", "2025-11-2" + generation + "T09:00:00.000Z");
        if (attachment.has("vnicId")) {
            attachment.put("vnicId", attachment.get("vnicId").asText() + "-old" + generation);
        }
        if (attachment.has("volumeId")) {
            attachment.put("volumeId", attachment.get("volumeId").asText() + "-old" + generation);
        }
        return attachment;
    }

    private ObjectNode instance(Map<String, String> c) {
        ObjectNode n = json.createObjectNode();
        n.put("id", c.get(LabCloud.INSTANCE_ID));
        n.put("compartmentId", c.get(LabCloud.COMPARTMENT_ID));
        n.put("availabilityDomain", c.get(LabCloud.AVAILABILITY_DOMAIN));
        n.put("displayName", c.get(LabCloud.HOST_NAME));
        n.put("lifecycleState", "RUNNING");
        n.put("region", instanceRegion(c.get(LabCloud.REGION)));
        n.put("shape", c.get(LabCloud.SHAPE));
        n.put("timeCreated", "2025-11-24T09:00:00.000Z");
        return n;
    }

    /**
     * {@code Instance.region} as OCI reports it: "For the us-phoenix-1 and us-ashburn-1 regions, phx and iad are
     * returned, respectively. For all other regions, the full region name is returned." (OCI API reference, Instance).
     */
    static String instanceRegion(String region) {
        return switch (region == null ? "" : region) {
            case "us-phoenix-1" -> "phx";
            case "us-ashburn-1" -> "iad";
            default -> region;
        };
    }

    private ObjectNode vnicAttachment(Map<String, String> c) {
        ObjectNode n = json.createObjectNode();
        n.put("id", c.get(LabCloud.VNIC_ATTACHMENT_ID));
        n.put("availabilityDomain", c.get(LabCloud.AVAILABILITY_DOMAIN));
        n.put("compartmentId", c.get(LabCloud.COMPARTMENT_ID));
        n.put("instanceId", c.get(LabCloud.INSTANCE_ID));
        n.put("lifecycleState", "ATTACHED");
        n.put("subnetId", c.get(LabCloud.SUBNET_ID));
        n.put("vnicId", c.get(LabCloud.VNIC_ID));
        n.put("nicIndex", 0);
        n.put("timeCreated", "2025-11-24T09:00:00.000Z");
        return n;
    }

    private ObjectNode vnic(Map<String, String> c) {
        ObjectNode n = json.createObjectNode();
        n.put("id", c.get(LabCloud.VNIC_ID));
        n.put("availabilityDomain", c.get(LabCloud.AVAILABILITY_DOMAIN));
        n.put("compartmentId", c.get(LabCloud.COMPARTMENT_ID));
        n.put("displayName", c.get(LabCloud.HOST_NAME));
        n.put("hostnameLabel", c.get(LabCloud.HOST_NAME));
        n.put("isPrimary", true);
        n.put("lifecycleState", "AVAILABLE");
        n.put("macAddress", "02:00:17:00:12:34");
        n.put("privateIp", c.get(LabCloud.PRIVATE_IP));
        if (c.get(LabCloud.PUBLIC_IP) != null && !c.get(LabCloud.PUBLIC_IP).isBlank()) {
            n.put("publicIp", c.get(LabCloud.PUBLIC_IP));
        }
        n.put("subnetId", c.get(LabCloud.SUBNET_ID));
        n.put("timeCreated", "2025-11-24T09:00:00.000Z");
        return n;
    }

    private ObjectNode volumeAttachment(Map<String, String> c) {
        ObjectNode n = json.createObjectNode();
        n.put("attachmentType", c.get(LabCloud.ATTACHMENT_TYPE));
        n.put("id", c.get(LabCloud.VOLUME_ATTACHMENT_ID));
        n.put("availabilityDomain", c.get(LabCloud.AVAILABILITY_DOMAIN));
        n.put("compartmentId", c.get(LabCloud.COMPARTMENT_ID));
        n.put("device", c.get(LabCloud.VOLUME_DEVICE));
        n.put("displayName", "cloud-edge-1-data");
        n.put("instanceId", c.get(LabCloud.INSTANCE_ID));
        n.put("isReadOnly", false);
        n.put("isShareable", false);
        n.put("lifecycleState", "ATTACHED");
        n.put("timeCreated", "2025-11-24T09:00:00.000Z");
        n.put("volumeId", c.get(LabCloud.VOLUME_ID));
        return n;
    }

    /** Why the request's signature is not acceptable, or null when it is valid. */
    private String signatureProblem(HttpExchange exchange) {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.startsWith("Signature ")) {
            return "the request is not signed (no 'Authorization: Signature …' header)";
        }
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(authorization);
        while (m.find()) {
            params.put(m.group(1), m.group(2));
        }
        String keyId = params.get("keyId");
        if (keyId == null || !KEY_ID.matcher(keyId).matches()) {
            return "keyId '" + keyId + "' is not <tenancy OCID>/<user OCID>/<key fingerprint>";
        }
        if (!keyId.equals(key.keyId())) {
            return "keyId " + keyId + " is not the lab's API key (" + key.keyId() + ")";
        }
        if (!"rsa-sha256".equals(params.get("algorithm"))) {
            return "algorithm must be rsa-sha256, not " + params.get("algorithm");
        }
        String headers = params.getOrDefault("headers", "date");
        List<String> names = List.of(headers.trim().split("\\s+"));
        if (!names.containsAll(List.of("date", "(request-target)", "host"))) {
            return "the signature must cover date, (request-target) and host, not '" + headers + "'";
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(params.getOrDefault("signature", ""));
        } catch (IllegalArgumentException e) {
            return "the signature is not base64";
        }
        String hostHeader = exchange.getRequestHeaders().getFirst("Host");
        List<String> hosts = new ArrayList<>();
        hosts.add(hostHeader);
        if (hostHeader != null && hostHeader.contains(":")) {
            hosts.add(hostHeader.substring(0, hostHeader.lastIndexOf(':')));
        }
        for (String host : hosts) {
            if (verifies(signingString(exchange, names, host), signature)) {
                return null;
            }
        }
        return "the signature does not verify with the public key of " + key.fingerprint();
    }

    private static String signingString(HttpExchange exchange, List<String> names, String host) {
        List<String> lines = new ArrayList<>();
        for (String name : names) {
            String value;
            if (name.equals("(request-target)")) {
                String raw = exchange.getRequestURI().getRawPath()
                        + (exchange.getRequestURI().getRawQuery() == null
                                ? ""
                                : "?" + exchange.getRequestURI().getRawQuery());
                value = exchange.getRequestMethod().toLowerCase(java.util.Locale.ROOT) + " " + raw;
            } else if (name.equals("host")) {
                value = host;
            } else {
                value = exchange.getRequestHeaders().getFirst(name);
            }
            lines.add(name + ": " + value);
        }
        return String.join("\n", lines);
    }

    private boolean verifies(String signingString, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(key.publicKey());
            verifier.update(signingString.getBytes(StandardCharsets.UTF_8));
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.put(k, v);
        }
        return q;
    }

    private void ok(HttpExchange exchange, Object body) throws IOException {
        served.incrementAndGet();
        send(exchange, 200, json.writeValueAsBytes(body));
    }

    private void notFound(HttpExchange exchange, String what) throws IOException {
        error(
                exchange,
                404,
                "NotAuthorizedOrNotFound",
                "Authorization failed or requested resource not found: " + what);
    }

    private void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        ObjectNode body = json.createObjectNode();
        body.put("code", code);
        body.put("message", message);
        send(exchange, status, json.writeValueAsBytes(body));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders()
                .set("opc-request-id", UUID.randomUUID().toString().replace("-", ""));
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
