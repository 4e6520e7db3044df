package dev.handoff.lab.world.kube;

import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.nixos.NixosWorld;
import dev.handoff.lab.world.nixos.SimulatedNixosHost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * The K3s of one simulated NixOS host, for workload-service: the Kubernetes API ({@link KubeApi}, fabric8's mock
 * server in CRUD mode behind a TLS front that admits only the kubeconfig's client certificate and serves a certificate
 * with the names K3s's carries, {@link K3sServingCertificate}), K3s's deploy controller (the host's manifests folder
 * applied after every activation) and a simulated kubelet whose host-network pods listen on a loopback address of
 * their own (a random {@code 127.x.y.z}, so two labs never collide), with faults on demand ({@link KubeFaults}, file
 * {@code <dir>/kube-faults.properties}).
 *
 * <p>It registers an activation listener on the node: after each activation or rollback with {@code k3s} active it
 * writes {@code /etc/rancher/k3s/k3s.yaml} (0600, server {@code https://127.0.0.1:6443}, as K3s does), applies the
 * manifests and runs a kubelet round.
 */
public final class KubeWorld implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KubeWorld.class);

    /** The port K3s serves its API on; kubeconfigs name it. */
    public static final int K3S_API_PORT = 6443;

    private final Path dir;
    private final SimulatedNixosHost host;
    private final Path sshIdentity;
    private final String steadyAddress;
    private final InetAddress nodeAddress;
    private final KubeApi api;
    private final KubeFaults faults;
    private final K3sDeployController deploy;
    private final SimulatedKubelet kubelet;
    private final Map<String, String> otherSshAddresses;
    private final boolean fronted;

    private KubeWorld(
            Path dir,
            SimulatedNixosHost host,
            Path sshIdentity,
            String steadyAddress,
            InetAddress nodeAddress,
            Duration tick,
            Map<String, String> otherSshAddresses,
            KubeApi api) {
        this.dir = dir;
        this.otherSshAddresses = new LinkedHashMap<>(otherSshAddresses);
        this.host = host;
        this.sshIdentity = sshIdentity;
        this.steadyAddress = steadyAddress;
        this.nodeAddress = nodeAddress;
        this.api = api;
        this.fronted = api.fronted();
        this.faults = new KubeFaults(dir);
        this.deploy = new K3sDeployController(api.admin());
        this.kubelet = new SimulatedKubelet(api.admin(), host.node(), nodeAddress, faults, tick);
        host.node().addActivationListener((node, generation) -> activated(node));
    }

    /**
     * The lab's kube world for {@code ./handoff up}, under {@code <labRoot>/kube}, on the NixOS world's host
     * ({@code cloud-edge-1}, steady address {@code cloud-edge-1.tailnet.ts.net}), reached with the NixOS world's
     * runner key. Start it right after {@link NixosWorld#start} and before the host's first activation. The NixOS
     * world's other hosts (the K3s-less {@code forgejo-pi}) are in workload-service's SSH addresses too: it reads their
     * (absent) manifests over SSH and completes them with no objects.
     */
    public static KubeWorld start(Path labRoot, NixosWorld nixos) {
        Map<String, String> others = new LinkedHashMap<>(nixos.steadySshAddresses());
        others.remove(NixosWorld.TAILNET_ADDRESS);
        return start(
                labRoot.resolve("kube"),
                nixos.host(),
                Path.of(nixos.serviceEnvironment().get("HANDOFF_CONVERGE_SSH_IDENTITY")),
                NixosWorld.TAILNET_ADDRESS,
                Duration.ofMillis(200),
                others);
    }

    /**
     * A kube world in {@code dir} for {@code host}, whose steady address is {@code steadyAddress}; workload-service
     * reaches the host over SSH with {@code sshIdentity}. The kubelet runs a round every {@code tick}.
     */
    public static KubeWorld start(
            Path dir, SimulatedNixosHost host, Path sshIdentity, String steadyAddress, Duration tick) {
        return start(dir, host, sshIdentity, steadyAddress, tick, Map.of());
    }

    /**
     * As {@link #start(Path, SimulatedNixosHost, Path, String, Duration)}, with {@code otherSshAddresses} (steady
     * address → {@code host:port}) of hosts without K3s added to workload-service's SSH addresses.
     */
    public static KubeWorld start(
            Path dir,
            SimulatedNixosHost host,
            Path sshIdentity,
            String steadyAddress,
            Duration tick,
            Map<String, String> otherSshAddresses) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        InetAddress nodeAddress = randomLoopback();
        return new KubeWorld(
                dir,
                host,
                sshIdentity,
                steadyAddress,
                nodeAddress,
                tick,
                otherSshAddresses,
                KubeApi.start(0, servingCertificate(host.node().hostName(), nodeAddress)));
    }

    /**
     * The K3s of one host of the lab's fleet: its API behind the fleet's shared front at {@code nodeAddress} (its node
     * IP, where its pods listen too), faults from {@code dir} (shared by the fleet), and a kubelet that runs its rounds
     * on activation only (a thousand kubelets polling would load the machine more than the stages under test).
     */
    public static KubeWorld behind(
            SharedKubeFront front,
            Path dir,
            SimulatedNixosHost host,
            Path sshIdentity,
            String steadyAddress,
            InetAddress nodeAddress) {
        return new KubeWorld(
                dir,
                host,
                sshIdentity,
                steadyAddress,
                nodeAddress,
                Duration.ZERO,
                Map.of(),
                front.add(host.node().hostName(), nodeAddress));
    }

    /**
     * K3s's serving certificate for {@code hostName}: its {@code --tls-san} and {@code --node-name} as the lab's
     * runtime repository declares them for the host ({@code hosts/<host>/configuration.nix}; cloud-edge-1's names its
     * steady address {@code cloud-edge-1.tailnet.ts.net}, which workload-service verifies the API against), the node
     * IP the kubelet's pods listen on, and the names K3s always adds.
     */
    private static K3sServingCertificate servingCertificate(String hostName, InetAddress nodeAddress) {
        K3sServerFlags flags = K3sServerFlags.ofLabHost(hostName);
        return K3sServingCertificate.issue(flags.nodeName().orElse(hostName), flags.tlsSans(), List.of(nodeAddress));
    }

    private void activated(NixosNode node) throws IOException {
        if (!node.k3sActive()) {
            return;
        }
        writeKubeconfig(node);
        int objects = deploy.apply(node);
        kubelet.round();
        LOG.infof("simulated K3s on %s: %d objects applied from %s", node.hostName(), objects, NixosNode.K3S_MANIFESTS);
    }

    private void writeKubeconfig(NixosNode node) throws IOException {
        Path file = node.file(NixosNode.K3S_KUBECONFIG);
        Files.createDirectories(file.getParent());
        String content = faults.snapshot().staleKubeconfig() ? api.untrustedKubeconfig() : api.kubeconfig();
        if (Files.isRegularFile(file)
                && Files.readString(file, StandardCharsets.US_ASCII).equals(content)) {
            return;
        }
        Path temporary = file.resolveSibling(".k3s.yaml.tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temporary, content, StandardCharsets.US_ASCII);
        Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** The simulated API. */
    public KubeApi api() {
        return api;
    }

    /** The faults switch. */
    public KubeFaults faults() {
        return faults;
    }

    /** The loopback address that stands for the host's steady address for reachability (pods listen there). */
    public InetAddress nodeAddress() {
        return nodeAddress;
    }

    /** The host's steady address as the inventory names it. */
    public String steadyAddress() {
        return steadyAddress;
    }

    /** The world's folder (the faults file is there). */
    public Path dir() {
        return dir;
    }

    /** Runs one kubelet round now (tests: state right after a fault switch). */
    public void kubeletRound() {
        kubelet.round();
    }

    /** Re-applies the host's manifests folder now, as K3s does when a file there changes. */
    public void reapply() {
        try {
            activated(host.node());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * workload-service's configuration for this world as config properties: the SSH identity, and where the steady
     * address is really reached for SSH, for the Kubernetes API and for the pods' ports. Paths and addresses only.
     */
    public Map<String, String> configuration() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("handoff.workload.ssh-identity", sshIdentity.toString());
        StringBuilder ssh = new StringBuilder(sshAddress());
        otherSshAddresses.forEach(
                (address, target) -> ssh.append(',').append(address).append('=').append(target));
        config.put("handoff.workload.ssh-addresses", ssh.toString());
        config.put("handoff.workload.api-addresses", apiAddress());
        config.put("handoff.workload.port-addresses", portAddress());
        return config;
    }

    /** The {@code address=host:port} entry of {@code handoff.workload.ssh-addresses} for this host. */
    public String sshAddress() {
        return steadyAddress + "=127.0.0.1:" + host.tailnetPort();
    }

    /**
     * The {@code address:6443=host:port} entry of {@code handoff.workload.api-addresses} for this host: a host behind
     * the fleet's front is reached at its node IP, which its serving certificate names.
     */
    public String apiAddress() {
        String server = fronted ? nodeAddress.getHostAddress() : KubeApi.SERVER_NAME;
        return steadyAddress + ":" + K3S_API_PORT + "=" + server + ":" + api.port();
    }

    /** The {@code address=ip} entry of {@code handoff.workload.port-addresses} for this host. */
    public String portAddress() {
        return steadyAddress + "=" + nodeAddress.getHostAddress();
    }

    /** workload-service's configuration as environment variables ({@code HANDOFF_WORKLOAD_…}). */
    public Map<String, String> serviceEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        configuration()
                .forEach((k, v) ->
                        env.put(k.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), v));
        env.put("HANDOFF_WORKLOAD_ROLLOUT_TIMEOUT", "60s");
        return env;
    }

    private static InetAddress randomLoopback() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        byte[] ip = {127, (byte) r.nextInt(1, 255), (byte) r.nextInt(0, 256), (byte) r.nextInt(1, 255)};
        try {
            return InetAddress.getByAddress(ip);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        kubelet.close();
        api.close();
    }
}
