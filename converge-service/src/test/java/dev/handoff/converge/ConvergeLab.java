package dev.handoff.converge;

import dev.handoff.lab.forge.ForgePush;
import dev.handoff.lab.forge.LabForge;
import dev.handoff.lab.forge.LabRepository;
import dev.handoff.lab.world.nixos.LabSshIdentity;
import dev.handoff.lab.world.nixos.NixosFaults;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.nixos.SimulatedNixosHost;
import dev.handoff.lab.world.nixos.StandInColmena;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The converge world for tests: the lab forge with the runtime repository, one simulated NixOS host per test host
 * (each with a public and a tailnet port), the runner's SSH identity, the lab age key per host, the stand-in colmena
 * and an inventory that names them.
 */
public final class ConvergeLab {
    /** The lab-only age recipient of cloud-edge-1, used by every test host here. */
    public static final String RECIPIENT = "age1qzyldt42sjax5h3hkdwd77q6sj6268rm6q2md34mwx40vmasyqqq5mfwx0";

    public static final String RUNTIME = "ops/nix-k3s-edge-cluster";

    /** The secrets repository: converge builds the commit the secret facts name into the flake. */
    public static final String SECRETS = "ops/infrastructure-secrets";

    /** The test hosts: each test works on its own host so tests stay independent. */
    public static final List<String> HOSTS = List.of(
            "cloud-edge-1",
            "edge-rollback",
            "edge-hostkey",
            "edge-queue",
            "edge-reboot",
            "edge-nofacts",
            "edge-units",
            "edge-wrongkey",
            "edge-guard",
            "edge-eval",
            "edge-secrets",
            "edge-fleet-a",
            "edge-fleet-b",
            "edge-pin",
            "edge-unknown",
            "edge-required",
            "edge-waiting",
            "edge-drift",
            "edge-drift-fix",
            "edge-drift-busy",
            "edge-outage",
            "edge-redelivered",
            "edge-halfway");

    /** The test host whose handoff.yaml says {@code onDrift: reconverge}. */
    public static final String RECONVERGES = "edge-drift-fix";

    /** The fingerprint handoff.yaml requires of edge-required: not the key the simulated host presents. */
    public static final String REQUIRED_HOST_KEY = "SHA256:/UTVGWR1feIqqbwDWDGrSNNcFV8OYqFhsgH4MToi4Uo";

    private final Path home;
    private final LabForge forge;
    private final LabRepository repository;
    private final LabRepository secretsRepository;
    private final Map<String, SimulatedNixosHost> nodes = new LinkedHashMap<>();
    private final LabSshIdentity identity;
    private final NixosFaults faults;

    private ConvergeLab(Path home) throws IOException {
        this.home = home;
        this.forge = new LabForge(home.resolve("forge"), home.resolve("work"));
        this.repository = LabRepository.byFullName(RUNTIME).orElseThrow();
        forge.ensure(repository);
        this.identity = LabSshIdentity.create(home.resolve("runner").resolve("id_ecdsa"));
        // after the SSH identity: sshd's security registrars are set up before the SOPS encryption runs
        this.secretsRepository = LabRepository.byFullName(SECRETS).orElseThrow();
        forge.ensure(secretsRepository);
        this.faults = new NixosFaults(home.resolve("nixos"));
        Path keys = home.resolve("age-keys");
        Files.createDirectories(keys);
        byte[] key = resource("lab/keys/cloud-edge-1.agekey");
        for (String host : HOSTS) {
            // edge-wrongkey is given another identity than its recipient: the runner must refuse to stage it
            Files.write(
                    keys.resolve(host + ".agekey"),
                    host.equals("edge-wrongkey") ? resource("lab/keys/operator.agekey") : key);
            NixosNode node = new NixosNode(host, home.resolve("nodes").resolve(host));
            node.switchesByHand(() -> faults.takeSystemDrift(host));
            nodes.put(host, SimulatedNixosHost.start(node, identity.publicKey(), 0, 0));
        }
        Files.writeString(home.resolve("handoff.yaml"), inventory(), StandardCharsets.UTF_8);
    }

    /** A new lab in a new temporary folder. */
    public static ConvergeLab create() {
        try {
            return new ConvergeLab(Files.createTempDirectory("converge-lab"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The public IP the cloud facts of {@code host} report (mapped to the node's public port). */
    public static String publicIp(String host) {
        return "203.0.113." + (10 + HOSTS.indexOf(host));
    }

    /** The configuration converge-service needs for this lab. */
    public Map<String, String> serviceConfig() {
        String addresses = nodes.entrySet().stream()
                .flatMap(e -> List.of(
                        publicIp(e.getKey()) + "=127.0.0.1:" + e.getValue().publicPort(),
                        e.getKey() + ".tailnet.ts.net=127.0.0.1:" + e.getValue().tailnetPort())
                        .stream())
                .collect(Collectors.joining(","));
        Map<String, String> config = new LinkedHashMap<>();
        config.put("handoff.inventory", home.resolve("handoff.yaml").toString());
        config.put("handoff.converge.workdir", home.resolve("converge").toString());
        config.put("handoff.converge.ssh-identity", identity.privateKeyFile().toString());
        config.put("handoff.converge.age-key-dir", home.resolve("age-keys").toString());
        config.put("handoff.converge.addresses", addresses);
        config.put(
                "handoff.converge.activator-executable",
                StandInColmena.writeLauncher(home.resolve("bin")).toString());
        config.put("handoff.converge.confirm-timeout", "3s");
        config.put("handoff.converge.reboot-timeout", "20s");
        config.put("handoff.converge.ssh-timeout", "5s");
        // long enough for the stand-in's switch and the confirmation, short enough for a test to see it fire
        config.put("handoff.converge.rollback-guard", "20s");
        return config;
    }

    public SimulatedNixosHost node(String host) {
        return nodes.get(host);
    }

    /** The hosts' faults file, as the lab's {@code nixos/nixos-faults.properties}. */
    public NixosFaults faults() {
        return faults;
    }

    public Path home() {
        return home;
    }

    /** The clone URL of the runtime repository. */
    public String cloneUrl() {
        return forge.cloneUrl(repository);
    }

    /** The head commit of the secrets repository (what the secrets stage verified, in the tests' secret facts). */
    public String secretsCommit() {
        try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.open(
                forge.bareRepository(secretsRepository).toFile())) {
            return git.getRepository().resolve("refs/heads/main").name();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code content} to {@code path} in the secrets repository's working copy, commits and pushes it. */
    public ForgePush pushSecrets(String path, String content, String message) {
        try {
            Path file = forge.workingCopy(secretsRepository).resolve(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return forge.commitAndPush(secretsRepository, message);
    }

    /** Writes {@code content} to {@code path} in the runtime repository's working copy. */
    public void write(String path, String content) {
        try {
            Path file = forge.workingCopy(repository).resolve(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Commits the working copy and pushes it. */
    public synchronized ForgePush push(String message) {
        return forge.commitAndPush(repository, message);
    }

    private String inventory() {
        StringBuilder yaml = new StringBuilder();
        yaml.append("repositories:\n  ")
                .append(RUNTIME)
                .append(": { url: ")
                .append(forge.cloneUrl(repository))
                .append(", branch: main, starts: converge }\n  ")
                .append(SECRETS)
                .append(": { url: ")
                .append(forge.cloneUrl(secretsRepository))
                .append(", branch: main, starts: secrets }\nhosts:\n");
        for (String host : HOSTS) {
            yaml.append("  ")
                    .append(host)
                    .append(":\n")
                    .append("    role: edge\n")
                    .append("    repositories: [")
                    .append(RUNTIME)
                    .append(", ")
                    .append(SECRETS)
                    .append("]\n")
                    .append("    cloud: { provider: oci, region: eu-frankfurt-1, instance: ocid1.instance.oc1..")
                    .append(host)
                    .append(", compartment: ocid1.compartment.oc1..lab }\n")
                    .append("    access:\n")
                    .append("      bootstrap: { user: root, address: cloud:publicIp }\n")
                    .append("      steady:    { user: root, address: ")
                    .append(host)
                    .append(".tailnet.ts.net }\n")
                    .append(host.equals("edge-required") ? "      hostKey: " + REQUIRED_HOST_KEY + "\n" : "")
                    // a host of another system than the build host's (x86_64-linux here) is built on the host itself
                    .append(host.equals("edge-secrets") ? "    system: aarch64-linux\n" : "")
                    .append(host.equals(RECONVERGES) ? "    onDrift: reconverge\n" : "")
                    .append("    secrets:   { files: [hosts/")
                    .append(host)
                    .append(".yaml], recipient: ")
                    .append(RECIPIENT)
                    .append(" }\n");
        }
        return yaml.toString();
    }

    static byte[] resource(String name) {
        try (InputStream in = ConvergeLab.class.getClassLoader().getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
