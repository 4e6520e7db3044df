package dev.handoff.bench.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A delivery → a running control-service over a raw socket (so that any byte can be sent): 2xx is accepted (and must
 * only answer a properly signed delivery), 4xx/503 is refused with the {@code reason} of the JSON answer, 500 and a
 * missing answer to a well-formed webhook POST are escapes. Requests that bend HTTP itself may be refused by the HTTP
 * layer without a JSON reason; they count as {@code http-<status>}.
 */
public final class WebhookProbe implements Probe<WebhookInputs.Request> {
    private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.[01] (\\d{3})");
    private static final Pattern REASON = Pattern.compile("\"reason\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern DEPLOYMENT = Pattern.compile("\"host\"\\s*:");

    private final URI base;
    private final String secret;
    private final AtomicInteger signedAccepted = new AtomicInteger();
    private final AtomicInteger deploymentsAnswered = new AtomicInteger();
    private final AtomicInteger unsignedAccepted = new AtomicInteger();

    /**
     * @param base the service's {@code http://host:port}
     * @param secret its webhook secret, which no answer may show
     */
    public WebhookProbe(URI base, String secret) {
        this.base = base;
        this.secret = secret;
    }

    @Override
    public Verdict probe(WebhookInputs.Request request) throws IOException {
        String answer;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
            // no half-close: the HTTP layer may drop a connection whose client stopped sending before it answered;
            // "Connection: close" ends the exchange, and a request that lies about its length waits for the timeout
            socket.setSoTimeout(request.webhook() ? 10_000 : 5_000);
            OutputStream out = socket.getOutputStream();
            out.write((request.head() + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(request.body());
            out.flush();
            answer = readAll(socket.getInputStream());
        } catch (SocketTimeoutException e) {
            return request.webhook()
                    ? Verdict.escaped("no-answer", "no answer within 10 s")
                    : Verdict.refused("no-answer within 5 s (the HTTP layer waits for the announced body)", "");
        }
        Matcher status = STATUS.matcher(answer);
        if (!status.find()) {
            return request.webhook()
                    ? Verdict.escaped("no-answer", "connection closed without an HTTP answer")
                    : Verdict.refused("connection-closed", "the HTTP layer closed the connection");
        }
        int code = Integer.parseInt(status.group(1));
        String body = answer.substring(Math.max(0, answer.indexOf("\r\n\r\n")));
        if (PlantedSecret.leaksIn(answer) || answer.contains(secret)) {
            return Verdict.escaped("secret-in-answer", LogCapture.shorten(answer));
        }
        if (code >= 200 && code < 300 && !request.head().startsWith("POST ")) {
            // e.g. OPTIONS answered by the HTTP layer: not a delivery, nothing can be published
            return Verdict.refused(
                    "http-" + code + " to "
                            + request.head().substring(0, request.head().indexOf(' ')) + " (not a delivery)",
                    "");
        }
        if (code >= 200 && code < 300) {
            if (!request.signed()) {
                unsignedAccepted.incrementAndGet();
                return Verdict.escaped(
                        "unsigned-accepted",
                        "answered " + code + " to a delivery without the secret's" + " signature: "
                                + LogCapture.shorten(body));
            }
            signedAccepted.incrementAndGet();
            Matcher deployments = DEPLOYMENT.matcher(body);
            while (deployments.find()) {
                deploymentsAnswered.incrementAndGet();
            }
            return Verdict.accepted();
        }
        if (code == 500) {
            return Verdict.escaped("http-500", LogCapture.shorten(body));
        }
        Matcher reason = REASON.matcher(body);
        if (reason.find() && !reason.group(1).isBlank()) {
            return Verdict.refused(code + " " + reason.group(1), body);
        }
        if (request.webhook()) {
            return Verdict.refused("", code + " without a reason in its JSON body: " + LogCapture.shorten(body));
        }
        return Verdict.refused("http-" + code + " (HTTP layer)", body);
    }

    /** How many properly signed deliveries were answered 2xx. */
    public int signedAccepted() {
        return signedAccepted.get();
    }

    /** How many deployments (host entries) the 2xx answers named: each at most one commit event. */
    public int deploymentsAnswered() {
        return deploymentsAnswered.get();
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            if (out.size() == 0) {
                throw e;
            }
            // answered, but the connection stayed open: what was read is the answer
        } catch (java.net.SocketException e) {
            // reset by the server after it answered: what was read is the answer
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
