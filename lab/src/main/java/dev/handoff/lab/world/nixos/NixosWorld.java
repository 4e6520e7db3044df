package dev.handoff.lab.world.nixos;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The lab's NixOS world for {@code ./handoff up}: the simulated host {@code cloud-edge-1} (its public-IP port and its
 * Tailscale port on loopback), the runner's SSH identity, the host's lab-only age key for sops-nix, the stand-in
 * colmena, and the environment that points converge-service at them. Host key and runner key live under
 * {@code <lab>/nixos/} and survive restarts (converge-service pins the host key); the host's generations are in
 * memory and start again from the nixos-infect system at each start.
 */
public final class NixosWorld implements AutoCloseable {
    /** The lab's edge host. */
    public static final String HOST = "cloud-edge-1";

    /** Its steady-state address in the lab inventory. */
    public static final String TAILNET_ADDRESS = HOST + ".tailnet.ts.net";

    private final Path dir;
    private final String publicIp;
    private final LabSshIdentity runner;
    private final SimulatedNixosHost host;

    private NixosWorld(Path dir, String publicIp) {
        this.dir = dir;
        this.publicIp = publicIp;
        this.runner = LabSshIdentity.loadOrCreate(dir.resolve("runner").resolve("id_ecdsa"));
        LabSshIdentity hostKey =
                LabSshIdentity.loadOrCreate(dir.resolve("host-keys").resolve(HOST));
        NixosNode node = new NixosNode(HOST, dir.resolve("nodes").resolve(HOST));
        this.host = SimulatedNixosHost.start(node, runner.publicKey(), 0, 0, hostKey.keyPair());
        copyAgeKey();
        StandInColmena.writeLauncher(dir.resolve("bin"));
    }

    /**
     * Starts the world under {@code <labRoot>/nixos}.
     *
     * @param publicIp the public IP the lab's cloud facts report for the host (mapped to its public-IP port)
     */
    public static NixosWorld start(Path labRoot, String publicIp) {
        return new NixosWorld(labRoot.resolve("nixos"), publicIp);
    }

    /** The simulated host. */
    public SimulatedNixosHost host() {
        return host;
    }

    /** converge-service's environment for this world (paths and ports, never a key). */
    public Map<String, String> serviceEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HANDOFF_CONVERGE_SSH_IDENTITY", runner.privateKeyFile().toString());
        env.put("HANDOFF_CONVERGE_AGE_KEY_DIR", dir.resolve("age-keys").toString());
        env.put(
                "HANDOFF_CONVERGE_ADDRESSES",
                publicIp + "=127.0.0.1:" + host.publicPort() + "," + TAILNET_ADDRESS + "=127.0.0.1:"
                        + host.tailnetPort());
        env.put(
                "HANDOFF_CONVERGE_ACTIVATOR_EXECUTABLE",
                dir.resolve("bin").resolve("colmena").toString());
        env.put("HANDOFF_CONVERGE_WORKDIR", dir.resolve("converge-service").toString());
        return env;
    }

    private void copyAgeKey() {
        Path target = dir.resolve("age-keys").resolve(HOST + ".agekey");
        try (InputStream in = NixosWorld.class.getClassLoader().getResourceAsStream("lab/keys/" + HOST + ".agekey")) {
            Files.createDirectories(target.getParent());
            Files.write(target, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the lab age key of " + HOST + " to " + target, e);
        }
    }

    @Override
    public void close() {
        host.close();
    }
}
