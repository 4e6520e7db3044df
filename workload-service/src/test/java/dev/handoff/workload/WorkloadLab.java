package dev.handoff.workload;

import dev.handoff.lab.forge.LabForge;
import dev.handoff.lab.forge.LabRepository;
import dev.handoff.lab.world.kube.KubeWorld;
import dev.handoff.lab.world.nixos.LabSshIdentity;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.nixos.SimulatedNixosHost;
import dev.handoff.lab.world.nixos.StandInColmena;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;

/**
 * The workload world for tests: per edge host a simulated NixOS host (SSH, SFTP sandbox) with its simulated K3s
 * ({@link KubeWorld}: mock API over HTTPS, deploy controller, kubelet on a random loopback address), activated through
 * the stand-in colmena from a checkout of the lab's runtime repository; a control host without workloads; the runner's
 * SSH identity; and an inventory that names them all. Each test works on its own host.
 */
public final class WorkloadLab {
    public static final String RUNTIME = "ops/nix-k3s-edge-cluster";

    /** Edge hosts: each runs RustDesk from the lab repository's manifest. */
    public static final List<String> EDGE_HOSTS = List.of(
            "cloud-edge-1",
            "edge-pull",
            "edge-crash",
            "edge-port",
            "edge-key",
            "edge-secrets",
            "edge-stale",
            "edge-exec",
            "edge-dangling",
            "edge-big",
            "edge-empty",
            "edge-untrusted",
            "edge-watch",
            "edge-watch-busy",
            "edge-watch-key");

    /** An edge host whose SSH host key no service trusts: converge-service never pinned it. */
    public static final String UNTRUSTED = "edge-untrusted";

    /** A control host: converges, declares no workloads, has no access for workload-service. */
    public static final String CONTROL_HOST = "forgejo-pi";

    private final Path home;
    private final LabForge forge;
    private final LabRepository repository;
    private final LabSshIdentity identity;
    private final Map<String, SimulatedNixosHost> nodes = new LinkedHashMap<>();
    private final Map<String, KubeWorld> worlds = new LinkedHashMap<>();
    private final Map<String, String> commits = new LinkedHashMap<>();

    private WorkloadLab(Path home) throws IOException {
        this.home = home;
        this.forge = new LabForge(home.resolve("forge"), home.resolve("work"));
        this.repository = LabRepository.byFullName(RUNTIME).orElseThrow();
        forge.ensure(repository);
        this.identity = LabSshIdentity.create(home.resolve("runner").resolve("id_ecdsa"));
        for (String host : EDGE_HOSTS) {
            NixosNode node = new NixosNode(host, home.resolve("nodes").resolve(host));
            Files.createDirectories(node.file(NixosNode.SOPS_KEY).getParent());
            Files.writeString(node.file(NixosNode.SOPS_KEY), "# lab: sops-nix key placeholder\n");
            SimulatedNixosHost ssh = SimulatedNixosHost.start(node, identity.publicKey(), 0, 0);
            nodes.put(host, ssh);
            worlds.put(
                    host,
                    KubeWorld.start(
                            home.resolve("kube").resolve(host),
                            ssh,
                            identity.privateKeyFile(),
                            host + ".tailnet.ts.net",
                            Duration.ofMillis(50)));
        }
        Files.writeString(home.resolve("handoff.yaml"), inventory(), StandardCharsets.UTF_8);
    }

    /** A new lab in a new temporary folder. */
    public static WorkloadLab create() {
        try {
            return new WorkloadLab(Files.createTempDirectory("workload-lab"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** workload-service's configuration for this lab. */
    public Map<String, String> serviceConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("handoff.inventory", home.resolve("handoff.yaml").toString());
        config.put("handoff.workload.ssh-identity", identity.privateKeyFile().toString());
        config.put("handoff.workload.ssh-addresses", join(KubeWorld::sshAddress));
        config.put("handoff.workload.api-addresses", join(KubeWorld::apiAddress));
        config.put("handoff.workload.port-addresses", join(KubeWorld::portAddress));
        config.put("handoff.workload.rollout-timeout", "4s");
        config.put("handoff.workload.ssh-timeout", "5s");
        return config;
    }

    private String join(java.util.function.Function<KubeWorld, String> entry) {
        return worlds.values().stream().map(entry).collect(Collectors.joining(","));
    }

    public KubeWorld kube(String host) {
        return worlds.get(host);
    }

    public NixosNode node(String host) {
        return nodes.get(host).node();
    }

    /** The SSH host key the simulated host presents, or null for a host workload-service does not reach. */
    public java.security.PublicKey hostKey(String host) {
        return nodes.containsKey(host) ? nodes.get(host).hostKey() : null;
    }

    /** The commit the host was last activated at. */
    public String commit(String host) {
        return commits.get(host);
    }

    /**
     * Activates {@code host} with the stand-in colmena from a checkout of the runtime repository's head, where
     * {@code hosts/<host>/configuration.nix} is cloud-edge-1's and {@code manifests/rustdesk.yaml} is the lab's
     * (or {@code rustdesk}, when given).
     */
    public synchronized void activate(String host, String rustdesk) {
        try {
            Path worktree = home.resolve("worktrees").resolve(host);
            if (Files.exists(worktree)) {
                try (var walk = Files.walk(worktree)) {
                    walk.sorted(java.util.Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                }
            }
            try (Git git = Git.cloneRepository()
                    .setURI(forge.cloneUrl(repository))
                    .setDirectory(worktree.toFile())
                    .call()) {
                ObjectId head = git.getRepository().resolve("HEAD");
                git.checkout().setName(head.getName()).call();
                commits.put(host, head.getName());
            }
            if (!host.equals("cloud-edge-1")) {
                Path config = worktree.resolve("hosts").resolve(host).resolve("configuration.nix");
                Files.createDirectories(config.getParent());
                Files.copy(worktree.resolve("hosts/cloud-edge-1/configuration.nix"), config);
            }
            if (rustdesk != null) {
                Files.writeString(worktree.resolve("manifests/rustdesk.yaml"), rustdesk, StandardCharsets.UTF_8);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = StandInColmena.applyTo(
                    nodes.get(host),
                    identity.privateKeyFile(),
                    worktree,
                    new PrintStream(out, true, StandardCharsets.UTF_8));
            if (code != 0) {
                throw new IllegalStateException(
                        "activation of " + host + " failed: " + out.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (org.eclipse.jgit.api.errors.GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The lab repository's RustDesk manifest. */
    public static String rustdeskManifest() {
        try (InputStream in = WorkloadLab.class
                .getClassLoader()
                .getResourceAsStream("lab/repos/nix-k3s-edge-cluster/manifests/rustdesk.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String inventory() {
        StringBuilder yaml = new StringBuilder();
        yaml.append("repositories:\n  ")
                .append(RUNTIME)
                .append(": { url: ")
                .append(forge.cloneUrl(repository))
                .append(", branch: main, starts: converge }\nhosts:\n");
        for (String host : EDGE_HOSTS) {
            yaml.append("  ")
                    .append(host)
                    .append(":\n")
                    .append("    role: edge\n")
                    .append("    repositories: [")
                    .append(RUNTIME)
                    .append("]\n")
                    .append("    access:\n")
                    .append("      steady: { user: root, address: ")
                    .append(host)
                    .append(".tailnet.ts.net }\n")
                    .append("    workloads: [rustdesk]\n");
        }
        yaml.append("  ")
                .append(CONTROL_HOST)
                .append(":\n")
                .append("    role: control\n")
                .append("    repositories: [")
                .append(RUNTIME)
                .append("]\n");
        return yaml.toString();
    }

    public Path home() {
        return home;
    }
}
