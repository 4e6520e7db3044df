package dev.handoff.lab.world;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The network between the lab's services and one listener of a simulated host (its SSH port, its K3s API): a TCP relay
 * on {@code 127.0.0.1} that the services are pointed at, forwarding byte for byte to the listener. It can be cut
 * ({@link #cut()}, a network partition) and restored ({@link #restore()}).
 *
 * <p>Cut, it behaves as a partition does from the client's side, as far as a program without packet filtering can: no
 * byte crosses in either direction, open connections stall (what was sent waits in the relay and is delivered on
 * restore, as TCP retransmits after a partition heals, unless a side gave up first), and a new connection gets no
 * answer at all (no SSH banner, no TLS handshake) until the client's own timeout ends it. The kernel still completes
 * the TCP handshake, so a client sees its connect succeed and then silence, rather than a connect that hangs.
 */
public final class HostLink implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HostLink.class);
    private static final int BUFFER = 16 * 1024;

    private final String name;
    private final int targetPort;
    private final ServerSocket server;
    private final ExecutorService connections;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private boolean cut;
    private volatile boolean closed;

    private HostLink(String name, int targetPort, ServerSocket server) {
        this.name = name;
        this.targetPort = targetPort;
        this.server = server;
        AtomicInteger count = new AtomicInteger();
        this.connections = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "host-link-" + name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Thread acceptor = new Thread(this::accept, "host-link-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Opens a link to {@code 127.0.0.1:targetPort} on a free port of {@code 127.0.0.1}.
     *
     * @param name what the link leads to, for logs and threads (e.g. {@code cloud-edge-1 ssh})
     */
    public static HostLink open(String name, int targetPort) {
        try {
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
            return new HostLink(name, targetPort, server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the lab's network link to " + name, e);
        }
    }

    /** What the link leads to, e.g. {@code cloud-edge-1 ssh}. */
    public String name() {
        return name;
    }

    /** The port the services connect to. */
    public int port() {
        return server.getLocalPort();
    }

    /** The listener's port behind the link. */
    public int targetPort() {
        return targetPort;
    }

    /** Stops every byte from crossing (a partition). */
    public void cut() {
        synchronized (gate) {
            cut = true;
        }
        LOG.infof("network link to %s cut", name);
    }

    /** Lets bytes cross again: stalled connections go on, held new ones reach the listener. */
    public void restore() {
        synchronized (gate) {
            cut = false;
            gate.notifyAll();
        }
        LOG.infof("network link to %s restored", name);
    }

    /** Whether the link is cut. */
    public boolean isCut() {
        synchronized (gate) {
            return cut;
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                connections.execute(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    LOG.warnf("network link to %s: accept failed: %s", name, e.getMessage());
                }
            }
        }
    }

    private void serve(Socket client) {
        try {
            open.add(client);
            // a new connection during a partition reaches nothing until the link is restored
            awaitOpen();
            Socket target = new Socket(InetAddress.getByName("127.0.0.1"), targetPort);
            open.add(target);
            target.setTcpNoDelay(true);
            client.setTcpNoDelay(true);
            connections.execute(() -> pump(client, target));
            pump(target, client);
        } catch (IOException e) {
            LOG.debugf("network link to %s: connection ended: %s", name, e.getMessage());
            closeQuietly(client);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(client);
        }
    }

    /** Copies {@code from} to {@code to}, holding each chunk while the link is cut; closes both at the end. */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[BUFFER];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                awaitOpen();
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            LOG.debugf("network link to %s: forwarding ended: %s", name, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void awaitOpen() throws InterruptedException {
        synchronized (gate) {
            while (cut && !closed) {
                gate.wait();
            }
        }
    }

    private void closeQuietly(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debugf("network link to %s: close: %s", name, e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        restore();
        try {
            server.close();
        } catch (IOException e) {
            LOG.debugf("network link to %s: close: %s", name, e.getMessage());
        }
        open.forEach(this::closeQuietly);
        connections.shutdownNow();
    }
}
