package dev.handoff.lab.world.nixos;

import dev.handoff.lab.world.nixos.NixosNode.Answer;
import dev.handoff.lab.world.openssh.OpenSshSftpSubsystem;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.jboss.logging.Logger;

/**
 * A simulated NixOS host reachable over SSH: two Apache MINA SSHD listeners on the loopback interface, one standing
 * for the host's public IP (bootstrap access) and one for its Tailscale address (steady access), sharing one host key,
 * one authorized client key, the {@link NixosNode} model and SFTP into the node's sandbox root (permission bits are
 * real file modes there). Its SFTP answers as OpenSSH's sftp-server does ({@link OpenSshSftpSubsystem}: links are
 * followed inside the sandbox, v3 status codes), which the drivers' OpenSSH contract tests check against the real
 * server. {@code systemctl reboot} drops every connection and the node answers again after the reboot
 * delay with a new boot id.
 */
public final class SimulatedNixosHost implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SimulatedNixosHost.class);

    private final NixosNode node;
    private final NodeCommands commands;
    private final AtomicReference<KeyPair> hostKey = new AtomicReference<>();
    private final PublicKey authorizedKey;
    private final SshServer publicServer;
    private final SshServer tailnetServer;
    private final SharedSshFront front;

    private SimulatedNixosHost(
            NixosNode node, PublicKey authorizedKey, int publicPort, int tailnetPort, KeyPair initialHostKey)
            throws IOException {
        this.node = node;
        this.commands = new NodeCommands(node);
        this.authorizedKey = authorizedKey;
        this.hostKey.set(initialHostKey);
        this.front = null;
        this.publicServer = server(publicPort, false);
        this.tailnetServer = server(tailnetPort, true);
    }

    private SimulatedNixosHost(NixosNode node, PublicKey authorizedKey, KeyPair initialHostKey, SharedSshFront front) {
        this.node = node;
        this.commands = new NodeCommands(node);
        this.authorizedKey = authorizedKey;
        this.hostKey.set(initialHostKey);
        this.front = front;
        this.publicServer = null;
        this.tailnetServer = null;
    }

    /**
     * A host reached on its steady address only, through {@code front}: the front's one SSH server answers for it when
     * a client dials its loopback address (the lab's fleet, where one server answers for a thousand hosts). It answers
     * exactly as a host with listeners of its own: the same host key, commands, SFTP sandbox and reboots.
     */
    static SimulatedNixosHost behind(SharedSshFront front, NixosNode node, PublicKey authorizedKey, KeyPair hostKey) {
        return new SimulatedNixosHost(node, authorizedKey, hostKey, front);
    }

    /** The host key pair it presents (the shared front asks for it per session). */
    KeyPair hostKeyPair() {
        return hostKey.get();
    }

    /** Whether a new session on the steady ({@code steady}) or bootstrap address is dropped right away. */
    boolean refuses(boolean steady) {
        return node.down() || (steady && !node.steadyAccessWorks());
    }

    /** Whether {@code key} is the client key the host authorizes. */
    boolean authorizes(PublicKey key) {
        return KeyUtils.compareKeys(key, authorizedKey);
    }

    /** The exec request {@code command}, answered against the node on its own thread. */
    Command command(String command) {
        return new NodeCommand(command);
    }

    /**
     * Starts the host's two listeners on 127.0.0.1.
     *
     * @param node the host model
     * @param authorizedKey the only client key accepted (the runner's SSH identity)
     * @param publicPort port standing for the public IP (0 = any free port)
     * @param tailnetPort port standing for the steady-state address (0 = any free port)
     */
    public static SimulatedNixosHost start(NixosNode node, PublicKey authorizedKey, int publicPort, int tailnetPort) {
        return start(node, authorizedKey, publicPort, tailnetPort, newHostKey());
    }

    /** As {@link #start(NixosNode, PublicKey, int, int)} with a given host key (the lab keeps it across restarts). */
    public static SimulatedNixosHost start(
            NixosNode node, PublicKey authorizedKey, int publicPort, int tailnetPort, KeyPair hostKey) {
        try {
            return new SimulatedNixosHost(node, authorizedKey, publicPort, tailnetPort, hostKey);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the simulated NixOS host " + node.hostName(), e);
        }
    }

    /** The node model (faults are armed there). */
    public NixosNode node() {
        return node;
    }

    /** The loopback port standing for the public IP (bootstrap). */
    public int publicPort() {
        if (front != null) {
            throw new IllegalStateException(
                    node.hostName() + " is reached through a shared SSH front, on its steady" + " address only");
        }
        return publicServer.getPort();
    }

    /** The loopback port standing for the steady-state address (Tailscale); a fronted host's is the front's port. */
    public int tailnetPort() {
        return front != null ? front.port() : tailnetServer.getPort();
    }

    /** The host's current public host key. */
    public PublicKey hostKey() {
        return hostKey.get().getPublic();
    }

    /** Fault: the host gets a new host key (a reinstall, or someone in the middle). */
    public void changeHostKey() {
        hostKey.set(newHostKey());
    }

    private SshServer server(int port, boolean steady) throws IOException {
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(port);
        server.setKeyPairProvider(session -> List.of(hostKey.get()));
        server.setPublickeyAuthenticator((user, key, session) -> authorizes(key));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setCommandFactory((channel, command) -> new NodeCommand(command));
        OpenSshSftpSubsystem.serve(server, node.root());
        server.addSessionListener(new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
                if (refuses(steady)) {
                    session.close(true);
                }
            }
        });
        server.start();
        return server;
    }

    private void reboot() {
        node.goDown();
        LOG.infof(
                "simulated %s: rebooting (back in %d ms)",
                node.hostName(), node.rebootDelay().toMillis());
        if (front != null) {
            front.dropSessions(this);
        } else {
            for (SshServer server : List.of(publicServer, tailnetServer)) {
                server.getActiveSessions().forEach(s -> s.close(true));
            }
        }
        Thread back = new Thread(
                () -> {
                    try {
                        Thread.sleep(node.rebootDelay().toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    node.comeBack();
                },
                "nixos-node-reboot");
        back.setDaemon(true);
        back.start();
    }

    @Override
    public void close() {
        if (front != null) {
            front.remove(this);
            return;
        }
        for (SshServer server : List.of(publicServer, tailnetServer)) {
            try {
                server.stop(true);
            } catch (IOException e) {
                LOG.debugf("stopping the simulated host: %s", e.getMessage());
            }
        }
    }

    static KeyPair newHostKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One exec request, answered on its own thread. */
    private final class NodeCommand implements Command {
        private final String command;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        NodeCommand(String command) {
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {}

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            Thread worker = new Thread(this::answer, "nixos-node-command");
            worker.setDaemon(true);
            worker.start();
        }

        private void answer() {
            int code;
            try {
                Answer answer = commands.run(command);
                out.write(answer.stdout().getBytes(StandardCharsets.UTF_8));
                out.flush();
                err.write(answer.stderr().getBytes(StandardCharsets.UTF_8));
                err.flush();
                code = answer.exitCode();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                code = 130;
            } catch (IOException e) {
                code = 255;
            }
            exit.onExit(code);
            if (code == 0 && NodeCommands.reboots(command)) {
                reboot();
            }
        }

        @Override
        public void destroy(ChannelSession channel) {}
    }
}
