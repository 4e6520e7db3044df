package dev.handoff.lab.world.kube;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jboss.logging.Logger;

/**
 * The Kubernetes APIs of a fleet of simulated K3s hosts, served by one TLS listener and one mock server. Each host has
 * a loopback address of its own (its node IP): a client dialling {@code <its address>:<port>} gets that host's serving
 * certificate (its own CA, its node IP among the names, as K3s's) and, once it presents the fleet's admin client
 * certificate, that host's objects: the front prefixes each request's path with {@code /hosts/<host>} and the mock
 * server's dispatcher hands it to the host's own CRUD store. Anonymous clients get {@code 401 Unauthorized}, as from
 * {@link ClientCertificateGate}. One admin client certificate serves every host of the fleet (issuing a thousand RSA
 * keys would take minutes); the CAs and objects are per host.
 */
public final class SharedKubeFront implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SharedKubeFront.class);
    private static final char[] NO_PASSWORD = new char[0];
    private static final int MAX_REQUEST_HEAD = 64 * 1024;
    private static final String PREFIX = "/hosts/";
    private static final byte[] UNAUTHORIZED = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                    + "\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}")
            .getBytes(StandardCharsets.US_ASCII);

    private final Map<String, KubernetesCrudDispatcher> stores = new ConcurrentHashMap<>();
    private final Map<InetAddress, Served> served = new ConcurrentHashMap<>();
    private final KubernetesMockServer server;
    private final SSLServerSocket socket;
    private final SelfSignedCertificate client;
    private final SelfSignedCertificate untrusted;
    private final String clientCertPem;
    private final String clientKeyPem;
    // one Vert.x for the admin clients of every host: fabric8's default factory starts a Vert.x (event loops and
    // its blocked-thread checker) per client, 2,000 threads for 1,000 hosts
    private final io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx(new io.vertx.core.VertxOptions()
            .setEventLoopPoolSize(2)
            .setWorkerPoolSize(4)
            .setInternalBlockingPoolSize(4)
            .setUseDaemonThread(true));
    private final io.fabric8.kubernetes.client.http.HttpClient.Factory clients =
            new io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory(vertx);
    private final ExecutorService connections;
    private final ScheduledExecutorService housekeeping;
    private volatile boolean closed;

    private record Served(String host, PrivateKey key, X509Certificate[] chain) {}

    private SharedKubeFront(int port) throws IOException, GeneralSecurityException {
        MockWebServer web = new MockWebServer();
        server = new KubernetesMockServer(new Context(), web, new HashMap<>(), new Routing(), false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        client = SelfSignedCertificate.create("system:admin");
        untrusted = SelfSignedCertificate.create("system:admin");
        clientCertPem = Files.readString(Path.of(client.certificatePath()), StandardCharsets.US_ASCII);
        clientKeyPem = Files.readString(Path.of(client.privateKeyPath()), StandardCharsets.US_ASCII);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("client", Pem.certificate(clientCertPem));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(new KeyManager[] {new PerAddressKeys()}, trust.getTrustManagers(), null);
        socket = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(port, 200, null);
        socket.setWantClientAuth(true);
        AtomicInteger count = new AtomicInteger();
        connections = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(null, r, "k3s-fleet-api-" + count.incrementAndGet(), 256 * 1024);
            t.setDaemon(true);
            return t;
        });
        // the mock web server records every request it serves; nothing here reads them back
        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "k3s-fleet-api-housekeeping");
            t.setDaemon(true);
            return t;
        });
        housekeeping.scheduleWithFixedDelay(() -> drain(web), 5, 5, TimeUnit.SECONDS);
        Thread acceptor = new Thread(this::accept, "k3s-fleet-api");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts the front on {@code port} of every local address (0: any free port). */
    public static SharedKubeFront start(int port) {
        try {
            return new SharedKubeFront(port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the fleet's Kubernetes API front", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for the fleet's Kubernetes API front", e);
        }
    }

    /** The port every host's API answers on, at the host's own address. */
    public int port() {
        return socket.getLocalPort();
    }

    /**
     * Adds the API of {@code host}, reached at {@code address} (its node IP), serving a certificate issued as K3s
     * issues it for that node.
     */
    KubeApi add(String host, InetAddress address) {
        K3sServingCertificate serving = K3sServingCertificate.issue(host, List.of(), List.of(address));
        stores.put(host, new KubernetesCrudDispatcher(List.of()));
        if (served.putIfAbsent(
                        address,
                        new Served(host, serving.key(), new X509Certificate[] {serving.certificate(), serving.ca()}))
                != null) {
            throw new IllegalArgumentException("the fleet's Kubernetes API front already serves a host on " + address);
        }
        KubernetesClient admin = new KubernetesClientBuilder()
                .withHttpClientFactory(clients)
                .withConfig(new ConfigBuilder()
                        .withMasterUrl("http://127.0.0.1:" + server.getPort() + PREFIX + host + "/")
                        .withTrustCerts(true)
                        .build())
                .build();
        return new KubeApi(this, serving.caPem(), clientCertPem, clientKeyPem, admin);
    }

    SelfSignedCertificate untrusted() {
        return untrusted;
    }

    private static void drain(MockWebServer web) {
        try {
            while (web.takeRequest(0, TimeUnit.MILLISECONDS) != null) {
                // discard
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Hands each request to the CRUD store of the host its path names, without the prefix. */
    private final class Routing extends Dispatcher {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            if (path.startsWith(PREFIX)) {
                int end = path.indexOf('/', PREFIX.length());
                String host = end < 0 ? path.substring(PREFIX.length()) : path.substring(PREFIX.length(), end);
                KubernetesCrudDispatcher store = stores.get(host);
                if (store != null) {
                    String rest = end < 0 ? "/" : path.substring(end);
                    return store.dispatch(new RecordedRequest(
                            request.getHttpVersion(), request.method(), rest, request.getHeaders(), request.getBody()));
                }
            }
            return new MockResponse().setResponseCode(404);
        }
    }

    /** Serves each connection the certificate of the host whose address it dialled. */
    private final class PerAddressKeys extends X509ExtendedKeyManager {
        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return aliasOf(socket.getLocalAddress());
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, javax.net.ssl.SSLEngine engine) {
            return null;
        }

        private String aliasOf(InetAddress address) {
            Served s = served.get(address);
            return s == null ? null : address.getHostAddress();
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            Served s = alias == null ? null : served.get(address(alias));
            return s == null ? null : s.chain();
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            Served s = alias == null ? null : served.get(address(alias));
            return s == null ? null : s.key();
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return served.keySet().stream().map(InetAddress::getHostAddress).toArray(String[]::new);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        private InetAddress address(String alias) {
            try {
                return InetAddress.getByName(alias);
            } catch (IOException e) {
                return null;
            }
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket accepted = socket.accept();
                connections.execute(() -> serve((SSLSocket) accepted));
            } catch (IOException e) {
                if (!closed) {
                    LOG.warnf("fleet Kubernetes API: accept failed: %s", e.getMessage());
                }
            }
        }
    }

    private void serve(SSLSocket connection) {
        try (connection) {
            Served host = served.get(connection.getLocalAddress());
            if (host == null) {
                return;
            }
            connection.startHandshake();
            if (!authenticated(connection)) {
                readHead(connection.getInputStream());
                OutputStream out = connection.getOutputStream();
                out.write(("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: "
                                + UNAUTHORIZED.length + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(UNAUTHORIZED);
                out.flush();
                return;
            }
            try (Socket backend = new Socket()) {
                backend.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), server.getPort()));
                backend.setTcpNoDelay(true);
                connection.setTcpNoDelay(true);
                connections.execute(() -> pump(backend, connection));
                forwardRequests(connection.getInputStream(), backend.getOutputStream(), host.host());
            }
        } catch (IOException e) {
            LOG.debugf("fleet Kubernetes API: connection ended: %s", e.getMessage());
        }
    }

    /**
     * Forwards each HTTP/1.1 request with its path under the host's prefix, then its body (by Content-Length, or
     * chunked as it comes); an upgraded connection is forwarded as it is from then on.
     */
    private static void forwardRequests(InputStream in, OutputStream out, String host) throws IOException {
        while (true) {
            byte[] head = readHead(in);
            if (head == null) {
                return;
            }
            String text = new String(head, StandardCharsets.ISO_8859_1);
            int firstSpace = text.indexOf(' ');
            if (firstSpace < 0 || text.charAt(firstSpace + 1) != '/') {
                return;
            }
            out.write((text.substring(0, firstSpace + 1) + PREFIX + host + text.substring(firstSpace + 1))
                    .getBytes(StandardCharsets.ISO_8859_1));
            String lower = text.toLowerCase(Locale.ROOT);
            if (lower.contains("\r\nupgrade:")) {
                out.flush();
                in.transferTo(out);
                return;
            }
            long length = contentLength(lower);
            if (lower.contains("\r\ntransfer-encoding: chunked")) {
                copyChunked(in, out);
            } else if (length > 0) {
                copy(in, out, length);
            }
            out.flush();
        }
    }

    private static long contentLength(String lowerHead) {
        int at = lowerHead.indexOf("\r\ncontent-length:");
        if (at < 0) {
            return 0;
        }
        int end = lowerHead.indexOf("\r\n", at + 2);
        return Long.parseLong(
                lowerHead.substring(at + "\r\ncontent-length:".length(), end).trim());
    }

    private static void copyChunked(InputStream in, OutputStream out) throws IOException {
        while (true) {
            String sizeLine = readLine(in);
            out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                String trailer;
                do {
                    trailer = readLine(in);
                    out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                } while (!trailer.isEmpty());
                return;
            }
            copy(in, out, size + 2);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static void copy(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buffer = new byte[8192];
        while (n > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, n));
            if (read < 0) {
                throw new IOException("request body ended early");
            }
            out.write(buffer, 0, read);
            n -= read;
        }
    }

    /** The request head up to and including the empty line, or null at the end of the stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            if (head.size() >= MAX_REQUEST_HEAD) {
                throw new IOException("request head longer than " + MAX_REQUEST_HEAD + " bytes");
            }
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toByteArray();
    }

    private static boolean authenticated(SSLSocket connection) {
        try {
            return connection.getSession().getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException anonymous) {
            return false;
        }
    }

    private static void pump(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            LOG.debugf("fleet Kubernetes API: forwarding ended: %s", e.getMessage());
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException e) {
                LOG.debugf("fleet Kubernetes API: close: %s", e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debugf("fleet Kubernetes API: close: %s", e.getMessage());
        }
        housekeeping.shutdownNow();
        connections.shutdownNow();
        server.destroy();
        vertx.close();
        client.delete();
        untrusted.delete();
    }
}
