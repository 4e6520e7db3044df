package dev.handoff.lab.world.nixos;

import dev.handoff.lab.world.openssh.OpenSshSftpSubsystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.SshServer;
import org.jboss.logging.Logger;

/**
 * One SSH server that answers for many simulated NixOS hosts, each on a loopback address of its own (Linux routes all
 * of {@code 127.0.0.0/8} to {@code lo}): it listens on one port of every address and tells which host a client dialled
 * from the accepted connection's local address. The host key, the authorized client key, the commands and the SFTP
 * sandbox of a session are that host's ({@link SimulatedNixosHost#behind}), so each host answers as one with
 * listeners of its own does. A connection to an address no host has is dropped before the key exchange. This keeps a
 * fleet of a thousand hosts at one listener and one set of server threads.
 */
public final class SharedSshFront implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SharedSshFront.class);

    private final Map<InetAddress, SimulatedNixosHost> hosts = new ConcurrentHashMap<>();
    private final Map<SimulatedNixosHost, InetAddress> addresses = new ConcurrentHashMap<>();
    private final SshServer server;

    private SharedSshFront(int port) throws IOException {
        server = SshServer.setUpDefaultServer();
        // every loopback address a host may have; sessions to any other local address are dropped below
        server.setHost("0.0.0.0");
        server.setPort(port);
        server.setKeyPairProvider(session -> List.of(hostOf(session).hostKeyPair()));
        server.setPublickeyAuthenticator((user, key, session) -> hostOf(session).authorizes(key));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setCommandFactory(
                (channel, command) -> hostOf(channel.getSession()).command(command));
        OpenSshSftpSubsystem.serve(server, session -> hostOf(session).node().root());
        server.addSessionListener(new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
                SimulatedNixosHost host = hosts.get(localAddress(session));
                if (host == null || host.refuses(true)) {
                    session.close(true);
                }
            }
        });
        server.start();
    }

    /** Starts the front on {@code port} of every local address (0: any free port). */
    public static SharedSshFront start(int port) {
        try {
            return new SharedSshFront(port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the shared SSH front of the simulated hosts", e);
        }
    }

    /** The port every fronted host answers on. */
    public int port() {
        return server.getPort();
    }

    /**
     * Adds a host reached at {@code address} (a loopback address no other host of this front has).
     *
     * @param node the host model
     * @param authorizedKey the only client key it accepts
     * @param hostKey its host key
     */
    public SimulatedNixosHost add(InetAddress address, NixosNode node, PublicKey authorizedKey, KeyPair hostKey) {
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException(address + " is not a loopback address");
        }
        SimulatedNixosHost host = SimulatedNixosHost.behind(this, node, authorizedKey, hostKey);
        if (hosts.putIfAbsent(address, host) != null) {
            throw new IllegalArgumentException("the shared SSH front already has a host on " + address);
        }
        addresses.put(host, address);
        return host;
    }

    /** The address {@code host} answers on. */
    public InetAddress address(SimulatedNixosHost host) {
        InetAddress address = addresses.get(host);
        if (address == null) {
            throw new IllegalArgumentException(host.node().hostName() + " is not behind this front");
        }
        return address;
    }

    void remove(SimulatedNixosHost host) {
        InetAddress address = addresses.remove(host);
        if (address != null) {
            hosts.remove(address);
        }
    }

    /** Drops every session of {@code host} (its reboot). */
    void dropSessions(SimulatedNixosHost host) {
        InetAddress address = addresses.get(host);
        server.getActiveSessions().stream()
                .filter(s -> address != null && address.equals(localAddress(s)))
                .forEach(s -> s.close(true));
    }

    private SimulatedNixosHost hostOf(SessionContext session) {
        SimulatedNixosHost host = hosts.get(localAddress(session));
        if (host == null) {
            throw new IllegalStateException("no simulated host on " + localAddress(session));
        }
        return host;
    }

    private static InetAddress localAddress(SessionContext session) {
        SocketAddress local = ((Session) session).getIoSession().getLocalAddress();
        return local instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    /** The sandbox of the host on {@code address}, for tests. */
    Path sandbox(InetAddress address) {
        return hosts.get(address).node().root();
    }

    @Override
    public void close() {
        try {
            server.stop(true);
        } catch (IOException e) {
            LOG.debugf("stopping the shared SSH front: %s", e.getMessage());
        }
    }
}
