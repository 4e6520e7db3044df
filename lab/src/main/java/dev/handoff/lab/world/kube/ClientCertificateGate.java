package dev.handoff.lab.world.kube;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.jboss.logging.Logger;

/**
 * The TLS front of the simulated K3s API, authenticating clients as kube-apiserver does: it serves the server
 * certificate and asks for a client certificate. A client that presents one the API does not trust fails the TLS
 * handshake; a client that presents none is anonymous and gets {@code 401 Unauthorized} (a Kubernetes
 * {@code Status}) to every request; a client with a trusted certificate is forwarded, byte for byte, to the plain
 * HTTP mock server on loopback behind the gate.
 */
final class ClientCertificateGate implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClientCertificateGate.class);
    private static final char[] NO_PASSWORD = new char[0];
    private static final int MAX_REQUEST_HEAD = 64 * 1024;
    private static final byte[] UNAUTHORIZED = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                    + "\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}")
            .getBytes(StandardCharsets.US_ASCII);

    private final SSLServerSocket server;
    private final int backendPort;
    private final ExecutorService connections;
    private volatile boolean closed;

    private ClientCertificateGate(SSLServerSocket server, int backendPort) {
        this.server = server;
        this.backendPort = backendPort;
        AtomicInteger count = new AtomicInteger();
        this.connections = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "k3s-api-gate-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Thread acceptor = new Thread(this::accept, "k3s-api-gate");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Listens on {@code 127.0.0.1:port} (0: any free port) with {@code serverKey} and {@code serverChain} (the
     * serving certificate, then its CA), trusting {@code trustedClient}, and forwards authenticated connections to
     * {@code 127.0.0.1:backendPort}.
     */
    static ClientCertificateGate start(
            int port,
            PrivateKey serverKey,
            X509Certificate[] serverChain,
            X509Certificate trustedClient,
            int backendPort) {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", serverKey, NO_PASSWORD, serverChain);
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, NO_PASSWORD);
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("client", trustedClient);
            TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trusted);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            SSLServerSocket socket = (SSLServerSocket)
                    tls.getServerSocketFactory().createServerSocket(port, 50, InetAddress.getByName("127.0.0.1"));
            socket.setWantClientAuth(true);
            return new ClientCertificateGate(socket, backendPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for the simulated Kubernetes API on port " + port, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for the simulated Kubernetes API", e);
        }
    }

    /** The port the gate listens on. */
    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                connections.execute(() -> serve((SSLSocket) client));
            } catch (IOException e) {
                if (!closed) {
                    LOG.warnf("simulated Kubernetes API: accept failed: %s", e.getMessage());
                }
            }
        }
    }

    private void serve(SSLSocket client) {
        try (client) {
            client.startHandshake();
            if (!authenticated(client)) {
                refuse(client);
                return;
            }
            try (Socket backend = new Socket(InetAddress.getByName("127.0.0.1"), backendPort)) {
                // forward each write at once, both ways: Nagle's algorithm would hold small API answers back
                backend.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
                connections.execute(() -> pump(client, backend));
                pump(backend, client);
            }
        } catch (IOException e) {
            // a refused handshake (an untrusted client certificate) or a client that went away
            LOG.debugf("simulated Kubernetes API: connection ended: %s", e.getMessage());
        }
    }

    private static boolean authenticated(SSLSocket client) {
        try {
            return client.getSession().getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException anonymous) {
            return false;
        }
    }

    /** Answers an anonymous client's request with 401, as K3s does with anonymous requests for resources. */
    private static void refuse(SSLSocket client) throws IOException {
        readRequestHead(client.getInputStream());
        OutputStream out = client.getOutputStream();
        out.write(("HTTP/1.1 401 Unauthorized\r\n"
                        + "Content-Type: application/json\r\n"
                        + "Content-Length: " + UNAUTHORIZED.length + "\r\n"
                        + "Connection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(UNAUTHORIZED);
        out.flush();
    }

    private static void readRequestHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length && head.size() < MAX_REQUEST_HEAD) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    /** Copies {@code from} to {@code to} until either side ends, then closes both (ending the other pump too). */
    private static void pump(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (SocketException e) {
            // the other side closed: the connection is over
        } catch (IOException e) {
            LOG.debugf("simulated Kubernetes API: forwarding ended: %s", e.getMessage());
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debugf("simulated Kubernetes API: close: %s", e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debugf("simulated Kubernetes API: close: %s", e.getMessage());
        }
        connections.shutdownNow();
    }
}
