package dev.handoff.lab.world.nixos;

import dev.handoff.lab.world.forgejo.SimulatedForgejo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lab's NixOS world for {@code ./handoff up}: the simulated edge host {@code cloud-edge-1} (its public-IP port and
 * its Tailscale port on loopback) and the simulated control host {@code forgejo-pi} (its Tailscale port; it runs the
 * {@link SimulatedForgejo} state once a configuration enables Forgejo), the runner's SSH identity, the hosts' lab-only
 * age keys for sops-nix, the stand-in colmena, and the environment that points converge-service at them. Host keys and
 * runner key live under {@code <lab>/nixos/} and survive restarts (converge-service pins the host keys); the hosts'
 * generations are in memory and start again from the nixos-infect system at each start.
 */
public final class NixosWorld implements AutoCloseable {
    /** The lab's edge host. */
    public static final String HOST = "cloud-edge-1";

    /** Its steady-state address in the lab inventory. */
    public static final String TAILNET_ADDRESS = HOST + ".tailnet.ts.net";

    /** The lab's control host, the Forgejo host. */
    public static final String FORGEJO_HOST = "forgejo-pi";

    /** Its steady-state address in the lab inventory. */
    public static final String FORGEJO_TAILNET_ADDRESS = FORGEJO_HOST + ".tailnet.ts.net";

    private final Path dir;
    private final String publicIp;
    private final LabSshIdentity runner;
    private final Map<String, SimulatedNixosHost> hosts = new LinkedHashMap<>();
    private final NixosFaults faults;

    private NixosWorld(Path dir, String publicIp) {
        this.dir = dir;
        this.publicIp = publicIp;
        this.faults = new NixosFaults(dir);
        this.runner = LabSshIdentity.loadOrCreate(dir.resolve("runner").resolve("id_ecdsa"));
        try {
            for (String name : List.of(HOST, FORGEJO_HOST)) {
                LabSshIdentity hostKey =
                        LabSshIdentity.loadOrCreate(dir.resolve("host-keys").resolve(name));
                NixosNode node = new NixosNode(name, dir.resolve("nodes").resolve(name));
                node.activationTime(() -> faults.activationTime(name));
                node.switchesByHand(() -> faults.takeSystemDrift(name));
                hosts.put(name, SimulatedNixosHost.start(node, runner.publicKey(), 0, 0, hostKey.keyPair()));
                copyAgeKey(name);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        SimulatedForgejo.attach(forgejoHost().node());
        StandInColmena.writeLauncher(dir.resolve("bin"));
        giveBuildHostItsKey();
    }

    /**
     * Starts the world under {@code <labRoot>/nixos}.
     *
     * @param publicIp the public IP the lab's cloud facts report for the host (mapped to its public-IP port)
     */
    public static NixosWorld start(Path labRoot, String publicIp) {
        return new NixosWorld(labRoot.resolve("nixos"), publicIp);
    }

    /** The hosts' faults file ({@code nixos-faults.properties}). */
    public NixosFaults faults() {
        return faults;
    }

    /** The runner's SSH identity, the client key every simulated host authorizes. */
    public LabSshIdentity runner() {
        return runner;
    }

    /** The simulated edge host, {@code cloud-edge-1}. */
    public SimulatedNixosHost host() {
        return host(HOST);
    }

    /** The simulated control host, {@code forgejo-pi}. */
    public SimulatedNixosHost forgejoHost() {
        return host(FORGEJO_HOST);
    }

    /**
     * The simulated host {@code name}.
     *
     * @throws IllegalArgumentException when the world does not simulate it
     */
    public SimulatedNixosHost host(String name) {
        SimulatedNixosHost host = hosts.get(name);
        if (host == null) {
            throw new IllegalArgumentException(
                    "the lab simulates no NixOS host " + name + "; it has " + hosts.keySet());
        }
        return host;
    }

    /** Every simulated host, by name ({@code cloud-edge-1}, {@code forgejo-pi}). */
    public Map<String, SimulatedNixosHost> hosts() {
        return Collections.unmodifiableMap(hosts);
    }

    /**
     * Where each simulated host's steady address is really reached over SSH: {@code <host>.tailnet.ts.net} → its
     * Tailscale listener on loopback, in host order.
     */
    public Map<String, String> steadySshAddresses() {
        Map<String, String> addresses = new LinkedHashMap<>();
        hosts.forEach((name, host) -> addresses.put(name + ".tailnet.ts.net", "127.0.0.1:" + host.tailnetPort()));
        return addresses;
    }

    /** converge-service's environment for this world (paths and ports, never a key). */
    public Map<String, String> serviceEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HANDOFF_CONVERGE_SSH_IDENTITY", runner.privateKeyFile().toString());
        env.put("HANDOFF_CONVERGE_AGE_KEY_DIR", dir.resolve("age-keys").toString());
        String addresses = publicIp + "=127.0.0.1:" + host().publicPort() + "," + TAILNET_ADDRESS + "=127.0.0.1:"
                + host().tailnetPort() + "," + FORGEJO_TAILNET_ADDRESS + "=127.0.0.1:"
                + forgejoHost().tailnetPort();
        env.put("HANDOFF_CONVERGE_ADDRESSES", addresses);
        // the activator runs on the control host over SSH, as in compose and the chart (docs/converge-service.md);
        // there, colmena is the lab's stand-in and the hosts are on loopback too
        env.put("HANDOFF_CONVERGE_BUILD_HOST", "root@" + FORGEJO_TAILNET_ADDRESS);
        env.put("HANDOFF_CONVERGE_BUILD_HOST_DIR", BUILD_DIR);
        env.put("HANDOFF_CONVERGE_BUILD_HOST_IDENTITY", BUILD_HOST_IDENTITY);
        env.put("HANDOFF_CONVERGE_BUILD_HOST_ADDRESSES", addresses);
        // forgejo-pi is a Raspberry Pi 4: hosts of another system would be built on the host itself
        env.put("HANDOFF_CONVERGE_BUILD_HOST_SYSTEM", "aarch64-linux");
        env.put("HANDOFF_CONVERGE_ACTIVATOR_EXECUTABLE", "colmena");
        env.put("HANDOFF_CONVERGE_WORKDIR", dir.resolve("converge-service").toString());
        return env;
    }

    /** Where converge-service stages its runs on the lab's build host, forgejo-pi. */
    public static final String BUILD_DIR = "/var/lib/handoff-build";

    /** The key with which the build host's activator reaches the hosts (they authorize it). */
    public static final String BUILD_HOST_IDENTITY = "/root/.ssh/id_ecdsa";

    /**
     * The build host reaches the hosts with its own key, which they authorize; in the lab it is the runner's key, put
     * into forgejo-pi's {@code /root/.ssh} (the simulated hosts authorize one key).
     */
    private void giveBuildHostItsKey() {
        Path key = forgejoHost().node().file(BUILD_HOST_IDENTITY);
        try {
            Files.createDirectories(key.getParent());
            Files.copy(runner.privateKeyFile(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot give the lab's build host its key at " + key, e);
        }
    }

    private void copyAgeKey(String name) {
        Path target = dir.resolve("age-keys").resolve(name + ".agekey");
        try (InputStream in = NixosWorld.class.getClassLoader().getResourceAsStream("lab/keys/" + name + ".agekey")) {
            if (in == null) {
                throw new IOException("no lab age key lab/keys/" + name + ".agekey on the class path");
            }
            Files.createDirectories(target.getParent());
            Files.write(target, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the lab age key of " + name + " to " + target, e);
        }
    }

    @Override
    public void close() {
        hosts.values().forEach(SimulatedNixosHost::close);
    }
}
