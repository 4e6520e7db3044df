package dev.handoff.e2e;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * An OpenTelemetry collector's OTLP/HTTP trace receiver, as far as the lab's services need one: it answers
 * {@code POST /v1/traces} ({@code application/x-protobuf}, optionally gzip) with {@code 200} and keeps each span's
 * service, ids, name and links, read from the protobuf wire format of
 * {@code opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest}.
 */
final class OtlpReceiver implements AutoCloseable {
    /** One received span. */
    record ReceivedSpan(
            String service,
            String traceId,
            String spanId,
            String parentSpanId,
            String name,
            List<String> linkedSpanIds) {}

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/traces", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
                        body = in.readAllBytes();
                    }
                }
                if (!"POST".equals(exchange.getRequestMethod())) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                try {
                    // OTLP export is at least once: an exporter retries a batch it is not sure was taken
                    for (ReceivedSpan span : exportRequest(body)) {
                        if (seen.add(span.traceId() + "/" + span.spanId())) {
                            spans.add(span);
                        }
                    }
                } catch (RuntimeException e) {
                    errors.add(e.toString());
                    exchange.sendResponseHeaders(400, -1);
                    return;
                }
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
    }

    /** The endpoint to give the services ({@code HANDOFF_OTLP_ENDPOINT}). */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The spans received so far. */
    List<ReceivedSpan> spans() {
        if (!errors.isEmpty()) {
            throw new AssertionError("unreadable OTLP requests: " + errors);
        }
        return List.copyOf(spans);
    }

    /** The spans of one trace. */
    List<ReceivedSpan> trace(String traceId) {
        return spans().stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    private static List<ReceivedSpan> exportRequest(byte[] body) {
        List<ReceivedSpan> out = new ArrayList<>();
        Wire w = new Wire(body);
        while (w.more()) {
            int field = w.tag();
            if (field == 1) {
                resourceSpans(w.bytes(), out);
            } else {
                w.skip();
            }
        }
        return out;
    }

    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
    private static void resourceSpans(byte[] bytes, List<ReceivedSpan> out) {
        Wire w = new Wire(bytes);
        String service = "";
        List<byte[]> scopes = new ArrayList<>();
        while (w.more()) {
            int field = w.tag();
            if (field == 1) {
                // Resource { repeated KeyValue attributes = 1; }
                Wire r = new Wire(w.bytes());
                while (r.more()) {
                    if (r.tag() == 1) {
                        String[] kv = keyValue(r.bytes());
                        if (kv[0].equals("service.name")) {
                            service = kv[1];
                        }
                    } else {
                        r.skip();
                    }
                }
            } else if (field == 2) {
                scopes.add(w.bytes());
            } else {
                w.skip();
            }
        }
        for (byte[] scope : scopes) {
            // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
            Wire s = new Wire(scope);
            while (s.more()) {
                if (s.tag() == 2) {
                    out.add(span(service, s.bytes()));
                } else {
                    s.skip();
                }
            }
        }
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; repeated Link links =
    // 13; }
    private static ReceivedSpan span(String service, byte[] bytes) {
        Wire w = new Wire(bytes);
        String trace = "";
        String span = "";
        String parent = "";
        String name = "";
        List<String> links = new ArrayList<>();
        while (w.more()) {
            int field = w.tag();
            switch (field) {
                case 1 -> trace = HexFormat.of().formatHex(w.bytes());
                case 2 -> span = HexFormat.of().formatHex(w.bytes());
                case 4 -> parent = HexFormat.of().formatHex(w.bytes());
                case 5 -> name = new String(w.bytes(), StandardCharsets.UTF_8);
                case 13 -> {
                    // Link { bytes trace_id = 1; bytes span_id = 2; }
                    Wire l = new Wire(w.bytes());
                    while (l.more()) {
                        if (l.tag() == 2) {
                            links.add(HexFormat.of().formatHex(l.bytes()));
                        } else {
                            l.skip();
                        }
                    }
                }
                default -> w.skip();
            }
        }
        return new ReceivedSpan(service, trace, span, parent, name, links);
    }

    // KeyValue { string key = 1; AnyValue value = 2; } AnyValue { string string_value = 1; ... }
    private static String[] keyValue(byte[] bytes) {
        Wire w = new Wire(bytes);
        String key = "";
        String value = "";
        while (w.more()) {
            int field = w.tag();
            if (field == 1) {
                key = new String(w.bytes(), StandardCharsets.UTF_8);
            } else if (field == 2) {
                Wire v = new Wire(w.bytes());
                while (v.more()) {
                    if (v.tag() == 1) {
                        value = new String(v.bytes(), StandardCharsets.UTF_8);
                    } else {
                        v.skip();
                    }
                }
            } else {
                w.skip();
            }
        }
        return new String[] {key, value};
    }

    /** The protobuf wire format: tags, varints, fixed-width and length-delimited fields. */
    private static final class Wire {
        private final byte[] b;
        private int at;
        private int wireType;

        Wire(byte[] b) {
            this.b = b;
        }

        boolean more() {
            return at < b.length;
        }

        int tag() {
            long tag = varint();
            wireType = (int) (tag & 7);
            return (int) (tag >>> 3);
        }

        byte[] bytes() {
            if (wireType != 2) {
                throw new IllegalStateException("expected a length-delimited field, wire type " + wireType);
            }
            int length = (int) varint();
            if (length < 0 || at + length > b.length) {
                throw new IllegalStateException("field of " + length + " bytes runs past the message");
            }
            byte[] out = java.util.Arrays.copyOfRange(b, at, at + length);
            at += length;
            return out;
        }

        void skip() {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> at += 8;
                case 2 -> bytes();
                case 5 -> at += 4;
                default -> throw new IllegalStateException("unknown wire type " + wireType);
            }
        }

        private long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (at >= b.length) {
                    throw new IllegalStateException("varint runs past the message");
                }
                byte next = b[at++];
                value |= (long) (next & 0x7f) << shift;
                if ((next & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalStateException("varint longer than 10 bytes");
        }
    }

    /** For assertion messages. */
    static String describe(List<ReceivedSpan> spans) {
        StringBuilder s = new StringBuilder();
        for (ReceivedSpan span : spans) {
            s.append("\n  ")
                    .append(span.service())
                    .append(": ")
                    .append(span.name())
                    .append(" ")
                    .append(span.spanId())
                    .append(" <- ")
                    .append(span.parentSpanId());
        }
        return s.toString();
    }
}
