package dev.handoff.bench.hostile;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hostile webhook deliveries to {@code POST /hooks/forgejo}: most are unsigned or wrongly signed (missing, empty,
 * garbage, another secret's, another body's signature) with valid or hostile bodies; some are signed with the real
 * secret but carry hostile bodies and headers (the parser behind the signature check); some abuse HTTP itself (lying
 * or negative Content-Length, bad chunks, control characters in headers, other methods and paths).
 */
public final class WebhookInputs {
    /**
     * One HTTP request, written byte for byte.
     *
     * @param head the request line and headers, without the blank line
     * @param body the body as sent (may disagree with Content-Length on purpose)
     * @param signed whether the signature is the real secret's over the body (such a valid push may publish)
     * @param webhook whether it is a well-formed POST to the webhook route, whose every refusal must name a reason
     */
    public record Request(String head, byte[] body, boolean signed, boolean webhook) {}

    private WebhookInputs() {}

    /** {@code count} requests for a service with {@code secret}, the same for the same seed. */
    public static List<Hostile<Request>> generate(long seed, int count, String secret) {
        Random random = new Random(seed);
        List<Hostile<Request>> out = new ArrayList<>();
        String push = push(random);
        out.addAll(protocolAbuse(push, secret));
        out.add(new Hostile<>("valid push, no signature", post(push, null, "push", uuid(random), false, null)));
        out.add(new Hostile<>("valid push, empty signature", post(push, "", "push", uuid(random), false, null)));
        out.add(new Hostile<>("valid push, sha256= only", post(push, "sha256=", "push", uuid(random), false, null)));
        out.add(new Hostile<>(
                "valid push, signed with the planted secret",
                post(push, sign(PlantedSecret.VALUE, push), "push", uuid(random), false, null)));
        out.add(new Hostile<>(
                "oversized (2 MiB) signed",
                post("{\"a\":\"" + "x".repeat(2 << 20) + "\"}", secret, "push", uuid(random), true, null)));
        while (out.size() < count) {
            String body = body(push, random);
            String delivery = random.nextInt(6) == 0 ? Mutations.nasty(random) : uuid(random);
            String event = random.nextInt(6) == 0 ? Mutations.nasty(random) : "push";
            if (random.nextInt(3) == 0) {
                out.add(new Hostile<>("signed, hostile body", post(body, secret, event, delivery, true, null)));
            } else {
                String signature = switch (random.nextInt(6)) {
                    case 0 -> null;
                    case 1 -> Mutations.nasty(random);
                    case 2 -> sign("another-secret-of-32-bytes-or-more!!", body);
                    case 3 -> sign(secret, body + " ");
                    case 4 -> sign(secret, body).substring(0, 63);
                    default -> "sha256=" + sign(PlantedSecret.VALUE, body);
                };
                String contentType = random.nextInt(8) == 0 ? "application/x-www-form-urlencoded" : null;
                out.add(new Hostile<>("bad signature", post(body, signature, event, delivery, false, contentType)));
            }
        }
        return out;
    }

    /** Requests that bend HTTP itself; the HTTP layer may refuse them without a JSON reason. */
    private static List<Hostile<Request>> protocolAbuse(String push, String secret) {
        byte[] body = push.getBytes(StandardCharsets.UTF_8);
        String sig = sign(secret, push);
        String common = "Host: localhost\r\nX-Forgejo-Event: push\r\nX-Forgejo-Delivery: "
                + UUID.nameUUIDFromBytes(body) + "\r\nConnection: close\r\n";
        List<Hostile<Request>> out = new ArrayList<>();
        out.add(raw(
                "Content-Length larger than the body",
                "POST /hooks/forgejo HTTP/1.1\r\n" + common + "Content-Length: " + (body.length + 100),
                body));
        out.add(raw(
                "negative Content-Length", "POST /hooks/forgejo HTTP/1.1\r\n" + common + "Content-Length: -1", body));
        out.add(raw(
                "Content-Length 2^63",
                "POST /hooks/forgejo HTTP/1.1\r\n" + common + "Content-Length: 9223372036854775808",
                body));
        out.add(raw(
                "Content-Length 100 MiB",
                "POST /hooks/forgejo HTTP/1.1\r\n" + common + "Content-Length: 104857600",
                body));
        out.add(raw(
                "two Content-Lengths",
                "POST /hooks/forgejo HTTP/1.1\r\n" + common + "Content-Length: 5\r\n" + "Content-Length: "
                        + body.length,
                body));
        out.add(raw(
                "bad chunk",
                "POST /hooks/forgejo HTTP/1.1\r\n" + common + "Transfer-Encoding: chunked",
                "zz\r\nabc\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        out.add(raw(
                "chunked and Content-Length",
                "POST /hooks/forgejo HTTP/1.1\r\n" + common + "Transfer-Encoding: chunked\r\nContent-Length: 3",
                "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        out.add(raw(
                "NUL in a header",
                "POST /hooks/forgejo HTTP/1.1\r\n" + common + "X-Forgejo-Signature: a\0b\r\n" + "Content-Length: "
                        + body.length,
                body));
        out.add(rawSigned(
                "escape sequence in the delivery id",
                "POST /hooks/forgejo HTTP/1.1\r\nHost: localhost\r\n"
                        + "X-Forgejo-Event: push\r\nX-Forgejo-Delivery: \u001b[2J\u0007\r\nConnection: close\r\n"
                        + "X-Forgejo-Signature: " + sig + "\r\nContent-Length: " + body.length,
                body));
        out.add(raw(
                "100 KiB header line",
                "POST /hooks/forgejo HTTP/1.1\r\n" + common + "X-Big: " + "b".repeat(100_000) + "\r\nContent-Length: "
                        + body.length,
                body));
        out.add(raw(
                "2000 headers",
                "POST /hooks/forgejo HTTP/1.1\r\n" + common + "X-H: 1\r\n".repeat(2000) + "Content-Length: "
                        + body.length,
                body));
        out.add(raw(
                "header without colon",
                "POST /hooks/forgejo HTTP/1.1\r\n" + common + "NoColonHere\r\n" + "Content-Length: " + body.length,
                body));
        out.add(raw(
                "obsolete line folding",
                "POST /hooks/forgejo HTTP/1.1\r\n" + common + "X-Forgejo-Signature: a\r\n"
                        + " continued\r\nContent-Length: " + body.length,
                body));
        for (String method : List.of("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO")) {
            out.add(raw(
                    method, method + " /hooks/forgejo HTTP/1.1\r\n" + common + "Content-Length: " + body.length, body));
        }
        for (String path : List.of(
                "/hooks/forgejo/../../q/metrics",
                "/hooks/forgejo%00",
                "/hooks/forgejo?x=" + "a".repeat(10_000),
                "/hooks/%2e%2e/api/deployments",
                "//hooks//forgejo",
                "*",
                "http://attacker.test/hooks/forgejo")) {
            out.add(rawSigned(
                    "path " + LogCapture.shorten(path),
                    "POST " + path + " HTTP/1.1\r\n" + common + "X-Forgejo-Signature: " + sig + "\r\nContent-Length: "
                            + body.length,
                    body));
        }
        out.add(raw("HTTP/1.0 without Host", "POST /hooks/forgejo HTTP/1.0\r\nContent-Length: " + body.length, body));
        out.add(raw("HTTP/9.9", "POST /hooks/forgejo HTTP/9.9\r\n" + common + "Content-Length: " + body.length, body));
        out.add(raw("garbage request line", "\u0000\u0001\u0002 GARBAGE", new byte[0]));
        return out;
    }

    private static Hostile<Request> raw(String label, String head, byte[] body) {
        return new Hostile<>(label, new Request(head, body, false, false));
    }

    /** As {@link #raw(String, String, byte[])} for a request that carries the real signature of its body. */
    private static Hostile<Request> rawSigned(String label, String head, byte[] body) {
        return new Hostile<>(label, new Request(head, body, true, false));
    }

    private static Request post(
            String body, String signatureOrSecret, String event, String delivery, boolean signed, String contentType) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head =
                new StringBuilder("POST /hooks/forgejo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        head.append("Content-Type: ")
                .append(contentType == null ? "application/json" : contentType)
                .append("\r\n");
        if (event != null) {
            head.append("X-Forgejo-Event: ").append(headerSafe(event)).append("\r\n");
        }
        if (delivery != null) {
            head.append("X-Forgejo-Delivery: ").append(headerSafe(delivery)).append("\r\n");
        }
        if (signatureOrSecret != null) {
            String signature = signed ? sign(signatureOrSecret, body) : signatureOrSecret;
            head.append("X-Forgejo-Signature: ").append(headerSafe(signature)).append("\r\n");
        }
        head.append("Content-Length: ").append(bytes.length);
        return new Request(head.toString(), bytes, signed, headersWellFormed(head.toString()));
    }

    /** A header value that does not break the request apart (CR and LF dropped); other bytes stay hostile. */
    private static String headerSafe(String value) {
        String v = value.replace("\r", "").replace("\n", "");
        return v.length() > 8000 ? v.substring(0, 8000) : v;
    }

    private static boolean headersWellFormed(String head) {
        for (char c : head.toCharArray()) {
            if ((c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c == 0x7f || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static String body(String push, Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> {
                List<Hostile<String>> classic = Mutations.classicDocuments();
                String c = classic.get(random.nextInt(classic.size())).value();
                yield c.length() > 200_000 ? c.substring(0, 200_000) : c;
            }
            case 1 ->
                new String(
                        RecordInputs.wrongType(push.getBytes(StandardCharsets.UTF_8), random), StandardCharsets.UTF_8);
            case 2 ->
                push.replace("ops/edge-cluster-infra", Mutations.nasty(random).replace("\"", "\\\""));
            case 3 -> push.replace("refs/heads/main", Mutations.nasty(random).replace("\"", "\\\""));
            default -> Mutations.mutate(push, random);
        };
    }

    /** A push of one commit to {@code ops/edge-cluster-infra}, as Forgejo sends it. */
    static String push(Random random) {
        String after = HexFormat.of().formatHex(new byte[] {
            (byte) random.nextInt(), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19
        });
        return """
                {"ref": "refs/heads/main", "before": "%s", "after": "%s",
                 "commits": [{"id": "%s", "message": "change\\n", "timestamp": "2026-11-25T10:00:00Z",
                   "author": {"name": "Alice", "email": "alice@example.org", "username": "alice"}}],
                 "total_commits": 1,
                 "repository": {"id": 1, "name": "edge-cluster-infra", "full_name": "ops/edge-cluster-infra",
                   "default_branch": "main", "clone_url": "https://forge.test/ops/edge-cluster-infra.git"},
                 "pusher": {"id": 1, "login": "alice"}, "sender": {"id": 1, "login": "alice"}}
                """.formatted("e".repeat(40), after, after);
    }

    static String sign(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    private static String uuid(Random random) {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }
}
