package dev.handoff.lab.world.openssh;

import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.nixos.SimulatedNixosHost;
import java.nio.file.Path;
import java.security.PublicKey;

/**
 * A host that a driver's contract test talks to over SSH on 127.0.0.1: Debian's real OpenSSH ({@link #openSsh}) or
 * the lab's simulated NixOS node ({@link #simulatedNode}), so that one test body runs against both and proves that
 * the node answers as OpenSSH does. A host path such as {@code /var/lib/sops-nix/key.txt} is a real absolute path
 * under a temporary folder on the real server ({@link #path}) and the same path inside the node's sandbox on the
 * simulated one; {@link #onDisk} is the local file behind either, for the test to prepare and check.
 */
public interface ContractHost extends AutoCloseable {
    /** What the test output calls it. */
    String name();

    /** The 127.0.0.1 port it answers SSH on. */
    int port();

    /** The user to log in as. */
    String user();

    /** Its current host key. */
    PublicKey hostKey();

    /** Where the host path {@code hostPath} (absolute, e.g. {@code /var/lib/sops-nix/key.txt}) is on this host. */
    String path(String hostPath);

    /** The local file behind {@code remotePath} (a result of {@link #path}). */
    Path onDisk(String remotePath);

    /** Stops the server. */
    @Override
    void close();

    /**
     * Debian's sshd with its own work folder {@code dir/sshd}; host paths live under {@code dir/fs}.
     *
     * @throws IllegalStateException naming {@code apt-get install -y openssh-server} when OpenSSH is not installed
     */
    static ContractHost openSsh(Path dir, PublicKey authorizedKey) {
        OpenSshServer server = OpenSshServer.start(dir.resolve("sshd"), authorizedKey);
        Path fs = dir.resolve("fs").toAbsolutePath();
        return new ContractHost() {
            @Override
            public String name() {
                return "OpenSSH sshd on 127.0.0.1:" + server.port();
            }

            @Override
            public int port() {
                return server.port();
            }

            @Override
            public String user() {
                return server.user();
            }

            @Override
            public PublicKey hostKey() {
                return server.hostKey();
            }

            @Override
            public String path(String hostPath) {
                return fs + hostPath;
            }

            @Override
            public Path onDisk(String remotePath) {
                return Path.of(remotePath);
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }

    /** The simulated NixOS node {@code hostName}, its sandbox root in {@code dir/node}; reached on its tailnet port. */
    static ContractHost simulatedNode(Path dir, String hostName, PublicKey authorizedKey) {
        SimulatedNixosHost host =
                SimulatedNixosHost.start(new NixosNode(hostName, dir.resolve("node")), authorizedKey, 0, 0);
        return new ContractHost() {
            @Override
            public String name() {
                return "simulated NixOS node " + hostName + " on 127.0.0.1:" + host.tailnetPort();
            }

            @Override
            public int port() {
                return host.tailnetPort();
            }

            @Override
            public String user() {
                return "root";
            }

            @Override
            public PublicKey hostKey() {
                return host.hostKey();
            }

            @Override
            public String path(String hostPath) {
                return hostPath;
            }

            @Override
            public Path onDisk(String remotePath) {
                return host.node().file(remotePath);
            }

            @Override
            public void close() {
                host.close();
            }
        };
    }
}
