package dev.handoff.backup;

import dev.handoff.common.serde.EventCodec;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.world.nixos.LabSshIdentity;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.nixos.SimulatedNixosHost;
import dev.handoff.lab.world.restic.ResticWorld;
import dev.handoff.support.ssh.HostKeyPins;
import dev.handoff.support.ssh.TopicHostKeyPins;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

/**
 * The backup world for tests: simulated NixOS hosts over real SSH with the token and RustDesk keys in their sandboxes,
 * the lab's restic world (real restic, one runtime repository) filled by their backup jobs, infra-service's state and
 * archive folders in its format, and an inventory that names them with paths relative to its folder.
 */
public final class BackupLab {
    /** The happy host, also used for the rehearsal, password and pack faults. */
    public static final String EDGE = "cloud-edge-1";
    /** A host whose snapshots are all old. */
    public static final String STALE = "edge-stale";
    /** A host whose snapshot leaves RustDesk's folder out. */
    public static final String MISSING = "edge-missing";
    /** A host that handoff.yaml gives no {@code access}: its live files cannot be asked for. */
    public static final String NO_ACCESS = "edge-no-access";
    /** A host whose runtime contract verifies a file that neither its snapshots nor the host have. */
    public static final String UNVERIFIABLE = "edge-unverifiable";
    /** The file {@link #UNVERIFIABLE}'s contract verifies. */
    public static final String ABSENT_FILE = "/var/lib/rustdesk/id_rsa";
    /** A host whose steady address leads to a port nothing listens on. */
    public static final String UNREACHABLE = "edge-unreachable";
    /** A host whose runtime contract lists no file to verify ({@code verify: []}). */
    public static final String VERIFY_NONE = "edge-verify-none";
    /** A host whose RustDesk folder is empty: its snapshots hold the folder and no file in it. */
    public static final String EMPTY_FOLDER = "edge-empty-folder";

    public static final List<String> HOSTS =
            List.of(EDGE, STALE, MISSING, NO_ACCESS, UNVERIFIABLE, UNREACHABLE, VERIFY_NONE, EMPTY_FOLDER);

    /** What each host's runtime contract says besides its repository and ages. */
    private static final Map<String, String> RUNTIME_FIELDS = Map.of(
            UNVERIFIABLE, ", verify: [" + ABSENT_FILE + "]",
            VERIFY_NONE, ", verify: []",
            EMPTY_FOLDER, ", paths: [/var/lib/rustdesk], verify: [/var/lib/rustdesk/id_ed25519]");

    public static final String LINEAGE = "5f0c8e4e-1b9e-4a8e-9d3c-2b7a0e6f1c11";
    static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    private final Path home;
    private final LabSshIdentity identity;
    private final Map<String, SimulatedNixosHost> nodes = new LinkedHashMap<>();
    private final ResticWorld restic;
    private final int closedPort;

    private BackupLab(Path home) throws IOException {
        this.home = home;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            this.closedPort = socket.getLocalPort();
        }
        this.identity = LabSshIdentity.create(home.resolve("runner").resolve("id_ecdsa"));
        for (String host : HOSTS) {
            NixosNode node = new NixosNode(host, home.resolve("nodes").resolve(host));
            write(node, NixosNode.K3S_TOKEN, "K10" + host + "0a1b2c3d4e5f::server:s3cr3t-" + host + "\n");
            if (host.equals(EMPTY_FOLDER)) {
                Files.createDirectories(node.file("/var/lib/rustdesk"));
            } else {
                write(node, "/var/lib/rustdesk/id_ed25519", "PRIVATE-RUSTDESK-KEY-" + host + "\n");
                write(node, "/var/lib/rustdesk/id_ed25519.pub", "public-rustdesk-key-" + host + "\n");
            }
            SimulatedNixosHost simulated = SimulatedNixosHost.start(node, identity.publicKey(), 0, 0);
            nodes.put(host, simulated);
            // this lab's host keys are new for every lab (the topic outlives a lab in the JVM): trusted as an operator
            // would, which replaces an earlier lab's pin of the same host name
            String kafka = LabKafka.shared().bootstrapServers();
            try (TopicHostKeyPins pins = new TopicHostKeyPins(
                    kafka,
                    "converge-service",
                    new EventCodec(),
                    Duration.ofSeconds(30),
                    LabKafka.adminSecurity(kafka))) {
                pins.trust(host, HostKeyPins.pinOf(simulated.hostKey()), "lab", "the lab's simulated host");
            }
        }
        this.restic = ResticWorld.start(home);
        writeInfraState(3, 2, LINEAGE, Instant.now());
        Files.writeString(home.resolve("handoff.yaml"), inventory(), StandardCharsets.UTF_8);
    }

    /** A new lab in a new temporary folder. */
    public static BackupLab create() {
        try {
            return new BackupLab(Files.createTempDirectory("backup-lab"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The configuration backup-service needs for this lab. */
    public Map<String, String> serviceConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("handoff.inventory", home.resolve("handoff.yaml").toString());
        String addresses = nodes.entrySet().stream()
                .map(e -> e.getKey() + ".tailnet.ts.net=127.0.0.1:"
                        + (e.getKey().equals(UNREACHABLE)
                                ? closedPort
                                : e.getValue().tailnetPort()))
                .collect(Collectors.joining(","));
        restic.serviceEnvironment(identity.privateKeyFile(), addresses)
                .forEach((k, v) -> config.put(
                        k.toLowerCase(java.util.Locale.ROOT)
                                .replace("handoff_backup_", "handoff.backup.")
                                .replace('_', '-'),
                        v));
        return config;
    }

    public NixosNode node(String host) {
        return nodes.get(host).node();
    }

    public ResticWorld restic() {
        return restic;
    }

    public Path home() {
        return home;
    }

    /**
     * Writes the live state of {@code ops/edge-cluster-infra}'s {@code stacks/compute} with {@code liveSerial} and an
     * archive of it with {@code archivedSerial} and {@code archivedLineage}, taken at {@code taken}, with its .sha256.
     */
    public Path writeInfraState(long liveSerial, long archivedSerial, String archivedLineage, Instant taken)
            throws IOException {
        Path live = home.resolve("infra/state/states/ops_edge-cluster-infra/stacks_compute/terraform.tfstate");
        Files.createDirectories(live.getParent());
        Files.writeString(live, state(LINEAGE, liveSerial));
        Path archives = home.resolve("offsite/state-archives");
        Files.createDirectories(archives);
        String name = "ops_edge-cluster-infra__stacks_compute__" + STAMP.format(taken) + ".tfstate.gz";
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(gz)) {
            out.write(state(archivedLineage, archivedSerial).getBytes(StandardCharsets.UTF_8));
        }
        Path archive = archives.resolve(name);
        Files.write(archive, gz.toByteArray());
        try {
            String sha = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(gz.toByteArray()));
            Files.writeString(archives.resolve(name + ".sha256"), sha + "  " + name + "\n");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return archive;
    }

    private static String state(String lineage, long serial) {
        return "{\"version\":4,\"terraform_version\":\"1.8.5\",\"serial\":" + serial + ",\"lineage\":\"" + lineage
                + "\",\"outputs\":{\"k3s_token\":{\"value\":\"never-read\",\"type\":\"string\",\"sensitive\":true}},"
                + "\"resources\":[]}\n";
    }

    static void write(NixosNode node, String path, String content) throws IOException {
        Path file = node.file(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    private String inventory() {
        StringBuilder yaml = new StringBuilder();
        yaml.append("repositories:\n  ops/edge-cluster-infra: { url: file:///nowhere/infra.git, starts: infra }\n")
                .append("hosts:\n");
        for (String host : HOSTS) {
            yaml.append("  ").append(host).append(":\n    role: edge\n    repositories: [ops/edge-cluster-infra]\n");
            if (!host.equals(NO_ACCESS)) {
                yaml.append("    access:\n      steady: { user: root, address: ")
                        .append(host)
                        .append(".tailnet.ts.net }\n");
            }
            yaml.append("    backups:\n")
                    .append("      runtime: { repository: restic/repos/runtime, passwordFile:"
                            + " restic/credentials/runtime.password, maxAge: 26h, checkEvery: 1d, checkSubset: 100%")
                    .append(RUNTIME_FIELDS.getOrDefault(host, ""))
                    .append(" }\n");
            if (host.equals(EDGE)) {
                yaml.append("      infra-state: { archives: offsite/state-archives, states: infra/state/states,"
                        + " maxAge: 8d }\n");
            }
        }
        return yaml.toString();
    }
}
