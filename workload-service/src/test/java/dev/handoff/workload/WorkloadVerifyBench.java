package dev.handoff.workload;

import dev.handoff.lab.world.kube.KubeWorld;
import dev.handoff.lab.world.nixos.LabSshIdentity;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.nixos.SimulatedNixosHost;
import dev.handoff.lab.world.nixos.StandInColmena;
import dev.handoff.support.ssh.FirstContact;
import dev.handoff.support.ssh.HostKeyPins;
import dev.handoff.workload.driver.AddressMaps;
import dev.handoff.workload.driver.ClusterReader;
import dev.handoff.workload.driver.HostFiles;
import dev.handoff.workload.driver.KubeClusters;
import dev.handoff.workload.driver.SshjHostFiles;
import dev.handoff.workload.driver.TcpProbes;
import dev.handoff.workload.stage.DeclaredObject;
import dev.handoff.workload.stage.FolderEntry;
import dev.handoff.workload.stage.InlineKubeconfig;
import dev.handoff.workload.stage.Manifests;
import dev.handoff.workload.stage.WorkloadVerdict;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Not a test: {@code bench/run-workload} runs it. Verifies a simulated host that declares {@code N} objects (one
 * namespace, host-network Deployments with one TCP port each, ConfigMaps) with workload-service's real drivers over
 * SSH, HTTPS and TCP, as the stage does (manifests and kubeconfig over SFTP, a fabric8 client per host, reads until two
 * in a row hold, every port connected), and prints the time of each run. Target: under 2 s for 50 objects.
 */
public final class WorkloadVerifyBench {
    private WorkloadVerifyBench() {}

    public static void main(String[] args) throws Exception {
        int objects = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path home = Files.createTempDirectory("workload-bench");
        LabSshIdentity runner = LabSshIdentity.create(home.resolve("id_ecdsa"));
        NixosNode node = new NixosNode("bench-1", home.resolve("root"));
        Files.createDirectories(node.file(NixosNode.SOPS_KEY).getParent());
        Files.writeString(node.file(NixosNode.SOPS_KEY), "# bench\n");
        try (SimulatedNixosHost host = SimulatedNixosHost.start(node, runner.publicKey(), 0, 0);
                KubeWorld kube = KubeWorld.start(
                        home.resolve("kube"),
                        host,
                        runner.privateKeyFile(),
                        "bench-1.tailnet.ts.net",
                        Duration.ofMillis(100))) {
            Path worktree = home.resolve("worktree");
            Files.createDirectories(worktree.resolve("hosts/bench-1"));
            Files.createDirectories(worktree.resolve(".git"));
            Files.writeString(worktree.resolve(".git/HEAD"), "0123456789abcdef0123456789abcdef01234567\n");
            Files.writeString(
                    worktree.resolve("hosts/bench-1/configuration.nix"),
                    "{ ... }: { services.k3s.manifests.bench.source = ../../bench.yaml; }\n");
            Files.writeString(worktree.resolve("bench.yaml"), manifest(objects));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (StandInColmena.applyTo(
                            host, runner.privateKeyFile(), worktree, new PrintStream(out, true, StandardCharsets.UTF_8))
                    != 0) {
                throw new IllegalStateException(out.toString(StandardCharsets.UTF_8));
            }
            Map<String, String> config = kube.configuration();
            AddressMaps addresses = AddressMaps.parse(
                    config.get("handoff.workload.ssh-addresses"),
                    config.get("handoff.workload.api-addresses"),
                    config.get("handoff.workload.port-addresses"));
            SshjHostFiles ssh = new SshjHostFiles(
                    runner.privateKeyFile(),
                    addresses.ssh(),
                    new MemoryPins(),
                    FirstContact.PIN,
                    Duration.ofSeconds(5),
                    1024 * 1024);
            KubeClusters clusters = new KubeClusters(addresses, true, Duration.ofSeconds(10));
            TcpProbes tcp = new TcpProbes(addresses, Duration.ofMillis(500));
            System.out.printf(
                    "workload verification, %d declared objects, %d runs (poll interval 100 ms)%n", objects, runs);
            List<Long> times = new ArrayList<>();
            for (int i = 0; i <= runs; i++) {
                long start = System.nanoTime();
                int ready = verify(ssh, clusters, tcp, objects);
                long ms = (System.nanoTime() - start) / 1_000_000;
                if (i == 0) {
                    System.out.printf("  warm-up: %d ms (%d objects ready)%n", ms, ready);
                } else {
                    times.add(ms);
                    System.out.printf("  run %d: %d ms (%d objects ready)%n", i, ms, ready);
                }
            }
            times.sort(null);
            System.out.printf(
                    "median %d ms, max %d ms; target < 2000 ms: %s%n",
                    times.get(times.size() / 2),
                    times.get(times.size() - 1),
                    times.get(times.size() - 1) < 2000 ? "met" : "MISSED");
        }
    }

    private static int verify(SshjHostFiles ssh, KubeClusters clusters, TcpProbes tcp, int expected) throws Exception {
        String address = "bench-1.tailnet.ts.net";
        try (HostFiles files = ssh.open("bench-1", "root", address)) {
            List<DeclaredObject> declared = new ArrayList<>();
            for (String name : files.list(NixosNode.K3S_MANIFESTS).stream()
                    .filter(FolderEntry::readable)
                    .map(FolderEntry::name)
                    .toList()) {
                declared.addAll(Manifests.parse(
                        name,
                        new String(
                                files.read(NixosNode.K3S_MANIFESTS + "/" + name).orElseThrow(),
                                StandardCharsets.UTF_8)));
            }
            InlineKubeconfig kubeconfig = InlineKubeconfig.read(
                    new String(files.read(NixosNode.K3S_KUBECONFIG).orElseThrow(), StandardCharsets.UTF_8));
            List<Integer> ports = declared.stream()
                    .flatMap(d -> d.exposedPorts().stream())
                    .map(DeclaredObject.Port::port)
                    .toList();
            try (KubernetesClient client = clusters.open("bench-1", address, kubeconfig, "bench")) {
                Map<String, Integer> restarts = Map.of();
                int clean = 0;
                for (int read = 0; read < 100; read++) {
                    WorkloadVerdict.Result r = WorkloadVerdict.judge(
                            address, ClusterReader.read(client, declared), tcp.probe(address, ports), restarts);
                    restarts = r.restarts();
                    clean = r.clean() ? clean + 1 : 0;
                    if (clean >= 2) {
                        if (declared.size() != expected) {
                            throw new IllegalStateException(
                                    declared.size() + " objects declared, expected " + expected);
                        }
                        return (int) r.objects().stream().filter(o -> o.ready()).count();
                    }
                    Thread.sleep(100);
                }
                throw new IllegalStateException("the objects did not settle");
            }
        }
    }

    private static String manifest(int objects) {
        StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: Namespace\nmetadata: {name: bench}\n");
        int deployments = (objects - 1) / 2;
        for (int i = 0; i < deployments; i++) {
            yaml.append("---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-")
                    .append(i)
                    .append(", namespace: bench}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: app-")
                    .append(i)
                    .append("}}\n  template:\n    metadata: {labels: {app: app-")
                    .append(i)
                    .append("}}\n    spec:\n      hostNetwork: true\n      containers:\n      - name: app\n")
                    .append("        image: docker.io/library/nginx:1.27\n        ports: [{containerPort: ")
                    .append(31000 + i)
                    .append("}]\n");
        }
        for (int i = 0; i < objects - 1 - deployments; i++) {
            yaml.append("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: config-")
                    .append(i)
                    .append(", namespace: bench}\ndata: {a: b}\n");
        }
        return yaml.toString();
    }

    /** The bench's host key pins, in memory (the service keeps them in PostgreSQL). */
    private static final class MemoryPins implements HostKeyPins {
        private final Map<String, Pin> pins = new ConcurrentHashMap<>();

        @Override
        public Optional<Pin> pinned(String host) {
            return Optional.ofNullable(pins.get(host));
        }

        @Override
        public void pin(String host, Pin pin) {
            pins.putIfAbsent(host, pin);
        }
    }
}
