package dev.handoff.lab.world.fleet;

import dev.handoff.lab.world.kube.KubeWorld;
import dev.handoff.lab.world.kube.SharedKubeFront;
import dev.handoff.lab.world.nixos.LabSshIdentity;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.nixos.SharedSshFront;
import dev.handoff.lab.world.nixos.SimulatedNixosHost;
import dev.handoff.lab.world.restic.ResticWorld;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The lab's simulated fleet ({@code ./handoff up --fleet N}): N edge hosts {@code fleet-0001} … that run the same
 * simulated NixOS node, K3s and backup job as the lab's own edge host, at a cost that lets a thousand of them run on
 * one small machine. One SSH server ({@link SharedSshFront}) and one Kubernetes API front ({@link SharedKubeFront})
 * answer for every host, each host on a loopback address of its own ({@code 127.B.x.y}, B chosen at each start so that
 * two labs on one machine do not collide): its steady address {@code fleet-NNNN.tailnet.ts.net} maps to it for SSH,
 * the K3s API and its pods' ports. Each host has its own node state (generations, sandbox root, K3s objects, RustDesk
 * keys), its own host key (kept under {@code <lab>/fleet/host-keys}, as converge-service pins it at first contact) and
 * an activation that takes {@link #activation()}; they share the lab-only age key of the edge host and the restic
 * runtime repository (each host's snapshots under its own {@code --host}).
 */
public final class FleetWorld implements AutoCloseable {
    /** The runtime repository every fleet host deploys from. */
    public static final String RUNTIME_REPOSITORY = "ops/nix-k3s-edge-cluster";

    /** The default activation time of a fleet host. */
    public static final Duration DEFAULT_ACTIVATION = Duration.ofSeconds(5);

    /** The lab-only age key the fleet's hosts share (the edge host's). */
    static final String AGE_KEY_HOST = "cloud-edge-1";

    private final Path dir;
    private final Duration activation;
    private final SharedSshFront ssh;
    private final SharedKubeFront kube;
    private final Map<String, FleetHost> hosts = new LinkedHashMap<>();

    /**
     * One host of the fleet.
     *
     * @param name its name, {@code fleet-NNNN}
     * @param address the loopback address that stands for it (SSH, K3s API, pods)
     * @param ssh its SSH side
     * @param kube its K3s, or null when the fleet runs without workload-service
     */
    public record FleetHost(String name, InetAddress address, SimulatedNixosHost ssh, KubeWorld kube) {
        /** Its steady address in the inventory. */
        public String steadyAddress() {
            return FleetWorld.steadyAddress(name);
        }
    }

    private FleetWorld(
            Path dir,
            int count,
            Duration activation,
            LabSshIdentity runner,
            Path ageKeyDir,
            boolean withKube,
            ResticWorld restic) {
        this.dir = dir;
        this.activation = activation;
        this.ssh = SharedSshFront.start(0);
        this.kube = withKube ? SharedKubeFront.start(0) : null;
        try {
            int block = ThreadLocalRandom.current().nextInt(2, 255);
            byte[] ageKey = ageKey();
            for (int i = 1; i <= count; i++) {
                String name = name(i);
                InetAddress address = address(block, i);
                LabSshIdentity hostKey =
                        LabSshIdentity.loadOrCreate(dir.resolve("host-keys").resolve(name));
                NixosNode node = new NixosNode(name, dir.resolve("nodes").resolve(name));
                node.activationTime(activation);
                SimulatedNixosHost host = ssh.add(address, node, runner.publicKey(), hostKey.keyPair());
                KubeWorld k3s = withKube
                        ? KubeWorld.behind(
                                kube, dir.resolve("kube"), host, runner.privateKeyFile(), steadyAddress(name), address)
                        : null;
                if (restic != null) {
                    // after the kube world's listener: the backup job saves the RustDesk keys its kubelet wrote
                    restic.attach(node);
                }
                Files.createDirectories(ageKeyDir);
                Files.write(ageKeyDir.resolve(name + ".agekey"), ageKey);
                hosts.put(name, new FleetHost(name, address, host, k3s));
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot create the lab's fleet in " + dir, e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Starts a fleet of {@code count} hosts under {@code <labRoot>/fleet}.
     *
     * @param activation how long each activation takes
     * @param runner the runner's SSH identity, the one client key the hosts authorize
     * @param ageKeyDir converge-service's age key folder ({@code <host>.agekey} is written there for each host)
     * @param withKube whether the hosts run K3s for workload-service
     * @param restic the restic world whose runtime backup job runs after each activation, or null
     */
    public static FleetWorld start(
            Path labRoot,
            int count,
            Duration activation,
            LabSshIdentity runner,
            Path ageKeyDir,
            boolean withKube,
            ResticWorld restic) {
        if (count < 1 || count > 9999) {
            throw new IllegalArgumentException("a lab fleet has 1 to 9999 hosts, not " + count);
        }
        return new FleetWorld(labRoot.resolve("fleet"), count, activation, runner, ageKeyDir, withKube, restic);
    }

    /** The name of the fleet's host number {@code i} (from 1). */
    public static String name(int i) {
        return "fleet-%04d".formatted(i);
    }

    /** The steady address of {@code host}. */
    public static String steadyAddress(String host) {
        return host + ".tailnet.ts.net";
    }

    /** The fleet's hosts, in order. */
    public Map<String, FleetHost> hosts() {
        return Collections.unmodifiableMap(hosts);
    }

    /** How long an activation of a fleet host takes. */
    public Duration activation() {
        return activation;
    }

    /** The port of the shared SSH front. */
    public int sshPort() {
        return ssh.port();
    }

    /** The fleet's folder, {@code <lab>/fleet}. */
    public Path dir() {
        return dir;
    }

    /** {@code <steady address>=<address>:<ssh port>} for every host, comma-separated (the SSH address maps). */
    public String sshAddresses() {
        List<String> entries = new ArrayList<>();
        hosts.values()
                .forEach(h -> entries.add(h.steadyAddress() + "=" + h.address().getHostAddress() + ":" + ssh.port()));
        return String.join(",", entries);
    }

    /** workload-service's address maps for the fleet: SSH, K3s API and pods' ports, each comma-separated. */
    public Map<String, String> workloadAddresses() {
        List<String> api = new ArrayList<>();
        List<String> ports = new ArrayList<>();
        for (FleetHost h : hosts.values()) {
            if (h.kube() != null) {
                api.add(h.kube().apiAddress());
                ports.add(h.kube().portAddress());
            }
        }
        Map<String, String> maps = new LinkedHashMap<>();
        maps.put("ssh", sshAddresses());
        maps.put("api", String.join(",", api));
        maps.put("port", String.join(",", ports));
        return maps;
    }

    private static byte[] ageKey() throws IOException {
        String resource = "lab/keys/" + AGE_KEY_HOST + ".agekey";
        try (InputStream in = FleetWorld.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no lab age key " + resource + " on the class path");
            }
            return in.readAllBytes();
        }
    }

    private static InetAddress address(int block, int i) {
        byte[] ip = {127, (byte) block, (byte) (i / 250), (byte) (i % 250 + 1)};
        try {
            return InetAddress.getByAddress(ip);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        hosts.values().forEach(h -> {
            if (h.kube() != null) {
                h.kube().close();
            }
            h.ssh().close();
        });
        if (kube != null) {
            kube.close();
        }
        ssh.close();
    }
}
