package dev.handoff.lab.world.restic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.nixos.NixosWorld;
import dev.handoff.lab.world.restic.ResticFaults.Fault;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The lab's backup world: real restic repositories in local folders, one per recovery contract, filled by the
 * simulated hosts' backup jobs ({@code services.restic.backups.runtime} on the edge host,
 * {@code services.restic.backups.control-plane} on the Forgejo host) with snapshots of the {@link NixosNode}s' state,
 * and faults on demand ({@link ResticFaults}).
 *
 * <p>restic stores absolute paths, so a job runs {@code restic backup} in a private mount namespace
 * ({@code unshare -m}; {@code unshare -rm} when not root) where the node's sandbox folders are bind-mounted at their
 * real places on a tmpfs {@code /var/lib}: the snapshot holds {@code /var/lib/rancher/k3s/server/token} and
 * {@code /var/lib/rustdesk} (runtime), or the four Forgejo paths (control-plane), as on a real host.
 *
 * <p>Layout under {@code <lab>/restic/}: {@code repos/<contract>/} (the repositories), {@code credentials/<contract>
 * .password} (the password files backup-service reads; the inventory names them), {@code keys/<contract>.password}
 * (the world's own copy, which the backup job uses), {@code damaged/} (original bytes of packs the damaged-pack fault
 * overwrote). Faults: {@code <lab>/world/restic-faults.properties}.
 */
public final class ResticWorld {
    /** The edge host's contract. */
    public static final String RUNTIME = "runtime";
    /** What the runtime backup job saves: the K3s server token and RustDesk's data folder (its key pair). */
    public static final List<String> RUNTIME_PATHS = List.of("/var/lib/rancher/k3s/server/token", "/var/lib/rustdesk");
    /** The Forgejo host's contract. */
    public static final String CONTROL_PLANE = Inventory.BackupContract.CONTROL_PLANE;
    /**
     * What the control-plane backup job saves: Forgejo's repositories, its database dump, its custom files (app.ini and
     * its secrets) and its LFS objects, the contract's default paths.
     */
    public static final List<String> CONTROL_PLANE_PATHS = Inventory.BackupContract.defaultPaths(CONTROL_PLANE);
    /** Every contract the world keeps a repository for. */
    public static final List<String> CONTRACTS = List.of(RUNTIME, CONTROL_PLANE);
    /** How far in the past a snapshot taken under the stale fault lies. */
    public static final Duration STALE_BY = Duration.ofDays(30);

    /** The path each contract's next snapshot leaves out under the missing-path fault. */
    private static final Map<String, String> LEFT_OUT =
            Map.of(RUNTIME, "/var/lib/rustdesk", CONTROL_PLANE, "/var/lib/forgejo/dump");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SAVED = Pattern.compile("snapshot ([0-9a-f]+) saved");
    private static final DateTimeFormatter RESTIC_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private final Path dir;
    private final String executable;
    private final ResticFaults faults;

    private ResticWorld(Path dir, Path worldDir, String executable) {
        this.dir = dir;
        this.executable = executable;
        this.faults = new ResticFaults(worldDir);
    }

    /**
     * A snapshot the backup job took.
     *
     * @param id restic's short id
     * @param time the time recorded in it
     * @param paths the paths it holds
     */
    public record Snapshot(String id, Instant time, List<String> paths) {}

    /** {@code restic version}'s line, e.g. {@code restic 0.14.0 compiled with go1.19.8 on linux/amd64}. */
    public static String resticVersion() {
        return resticVersion("restic");
    }

    /**
     * {@code <executable> version}'s line.
     *
     * @throws ResticNotInstalledException when the executable is missing or does not answer as restic
     */
    public static String resticVersion(String executable) {
        ResticCommand.Result r;
        try {
            r = ResticCommand.run(List.of(executable, "version"), Map.of());
        } catch (IOException e) {
            throw new ResticNotInstalledException(executable, "cannot be run: " + e.getMessage());
        }
        String line = r.stdout().lines().findFirst().orElse("").trim();
        if (!r.ok() || !line.startsWith("restic ")) {
            throw new ResticNotInstalledException(
                    executable, "does not answer 'restic version' (exit " + r.exitCode() + ")");
        }
        return line;
    }

    /** Creates (or reuses) the world under {@code <labRoot>/restic} with the {@code restic} on the PATH. */
    public static ResticWorld start(Path labRoot) {
        return start(labRoot, "restic");
    }

    /**
     * Creates (or reuses) the world under {@code <labRoot>/restic}: checks restic, creates the runtime and
     * control-plane repositories and their passwords once, and applies the faults file.
     *
     * @throws ResticNotInstalledException when restic is missing
     */
    public static ResticWorld start(Path labRoot, String executable) {
        resticVersion(executable);
        ResticWorld world = new ResticWorld(labRoot.resolve("restic"), labRoot.resolve("world"), executable);
        CONTRACTS.forEach(world::init);
        world.applyFaults();
        return world;
    }

    /** The faults on demand. */
    public ResticFaults faults() {
        return faults;
    }

    /** The repository folder of {@code contract}. */
    public Path repository(String contract) {
        return dir.resolve("repos").resolve(contract);
    }

    /** The password file backup-service reads for {@code contract} (wrong under the wrong-password fault). */
    public Path passwordFile(String contract) {
        return dir.resolve("credentials").resolve(contract + ".password");
    }

    /** The world's own folder, {@code <lab>/restic}. */
    public Path dir() {
        return dir;
    }

    /**
     * Runs the node's runtime backup job after each successful activation of {@code node} (registered after the
     * worlds that create the node's state, so it sees their files).
     */
    public void attach(NixosNode node) {
        attach(node, RUNTIME);
    }

    /** Runs the node's backup job of {@code contract} after each successful activation of {@code node}. */
    public void attach(NixosNode node, String contract) {
        paths(contract);
        node.addActivationListener((n, generation) -> snapshot(n, contract));
    }

    /**
     * The lab's backup jobs on the NixOS world's hosts: runtime on {@code cloud-edge-1}, control-plane on
     * {@code forgejo-pi} (after its simulated Forgejo, which the NixOS world registers first).
     */
    public void attach(NixosWorld nixos) {
        attach(nixos.host().node(), RUNTIME);
        attach(nixos.forgejoHost().node(), CONTROL_PLANE);
    }

    /** The node's runtime backup job, now: a snapshot of its state under the host's real paths. */
    public Snapshot snapshot(NixosNode node) throws IOException {
        return snapshot(node, RUNTIME);
    }

    /** The node's backup job of {@code contract}, now (30 days ago under the stale fault of the contract). */
    public Snapshot snapshot(NixosNode node, String contract) throws IOException {
        return snapshot(
                node,
                contract,
                faults.active(Fault.STALE, contract) ? Instant.now().minus(STALE_BY) : Instant.now());
    }

    /** The node's runtime backup job with the snapshot time {@code time} ({@code restic backup --time}). */
    public Snapshot snapshot(NixosNode node, Instant time) throws IOException {
        return snapshot(node, RUNTIME, time);
    }

    /**
     * The node's backup job of {@code contract} with the snapshot time {@code time}: {@code restic backup --host
     * <host> --time <time>} of the contract's paths that exist on the node.
     */
    public Snapshot snapshot(NixosNode node, String contract, Instant time) throws IOException {
        List<String> contractPaths = paths(contract);
        List<String> paths = new ArrayList<>();
        for (String path : contractPaths) {
            boolean left = path.equals(LEFT_OUT.get(contract)) && faults.active(Fault.MISSING_PATH, contract);
            if (!left && Files.exists(node.file(path))) {
                paths.add(path);
            }
        }
        if (paths.isEmpty()) {
            throw new IOException(node.hostName() + " has none of " + contractPaths + " yet: nothing to back up");
        }
        StringBuilder script = new StringBuilder("set -e; mount -t tmpfs handoff-lab /var/lib");
        for (String path : paths) {
            Path source = node.file(path);
            if (source.toAbsolutePath().startsWith("/var/lib")) {
                throw new IOException("the node's sandbox " + node.root() + " lies under /var/lib, which the backup"
                        + " job's namespace covers with a tmpfs; put the lab folder elsewhere");
            }
            if (Files.isDirectory(source)) {
                script.append("; mkdir -p ").append(path);
            } else {
                script.append("; mkdir -p ")
                        .append(path, 0, path.lastIndexOf('/'))
                        .append("; touch ")
                        .append(path);
            }
            script.append("; mount --bind ")
                    .append(quote(source.toAbsolutePath().toString()))
                    .append(' ')
                    .append(path);
        }
        script.append("; exec ")
                .append(quote(executable))
                .append(" --no-cache backup --host ")
                .append(node.hostName())
                .append(" --time ")
                .append(quote(RESTIC_TIME.format(time)));
        for (String path : paths) {
            script.append(' ').append(path);
        }
        List<String> command = new ArrayList<>(List.of("unshare", isRoot() ? "-m" : "-rm", "sh", "-c"));
        command.add(script.toString());
        ResticCommand.Result r = ResticCommand.run(command, env(contract));
        // a check holds the repository's exclusive lock for a moment: like a job started by a systemd timer with
        // Restart=on-failure (or restic's --retry-lock, newer than Debian's 0.14), try again for up to two minutes
        long lockDeadline = System.nanoTime() + java.time.Duration.ofMinutes(2).toNanos();
        for (long wait = 200;
                !r.ok() && r.stderr().contains("already locked") && System.nanoTime() < lockDeadline;
                wait = Math.min(wait * 2, 5_000)) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("the simulated backup job of " + node.hostName() + " was interrupted", e);
            }
            r = ResticCommand.run(command, env(contract));
        }
        Matcher saved = SAVED.matcher(r.stdout());
        if (!r.ok() || !saved.find()) {
            String err = r.stderr().trim();
            if (err.contains("unshare") || err.contains("mount")) {
                throw new IOException("the simulated backup job of " + node.hostName() + " needs a private mount"
                        + " namespace to record the host's real paths, and it was refused (" + err + "). Run the lab"
                        + " as root, or allow unprivileged user namespaces (sysctl"
                        + " kernel.unprivileged_userns_clone=1 / user.max_user_namespaces).");
            }
            throw new IOException(
                    "the simulated backup job of " + node.hostName() + " failed (exit " + r.exitCode() + "): " + err);
        }
        applyFaults();
        return new Snapshot(saved.group(1), time.truncatedTo(java.time.temporal.ChronoUnit.SECONDS), paths);
    }

    /**
     * Applies the faults that change the repository's files: the wrong-password fault writes a wrong password into
     * the service's password file (the right one when off); the damaged-pack fault overwrites bytes of every data pack
     * (the originals are put back when it is off).
     */
    public synchronized void applyFaults() {
        try {
            for (String contract : CONTRACTS) {
                String password = Files.readString(keyFile(contract), StandardCharsets.UTF_8);
                writePrivate(
                        passwordFile(contract),
                        faults.active(Fault.WRONG_PASSWORD, contract)
                                ? "not-the-" + contract + "-password\n"
                                : password);
                if (faults.active(Fault.DAMAGED_PACK, contract)) {
                    damageDataPacks(contract);
                } else {
                    repairPacks(contract);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot apply the restic world's faults", e);
        }
    }

    /** Back to no faults, with every damaged pack repaired. */
    public void reset() {
        faults.clearAll();
        applyFaults();
    }

    /** The ids of the snapshots of {@code contract}'s repository, oldest first. */
    public List<String> snapshotIds(String contract) throws IOException {
        ResticCommand.Result r =
                ResticCommand.run(List.of(executable, "--no-cache", "snapshots", "--json"), env(contract));
        if (!r.ok()) {
            throw new IOException("restic snapshots failed: " + r.stderr().trim());
        }
        List<String> ids = new ArrayList<>();
        JSON.readTree(r.stdout()).forEach(s -> ids.add(s.path("short_id").asText()));
        return ids;
    }

    /**
     * backup-service's environment for this world and the NixOS world (paths and addresses, never a password): the
     * runner's SSH key and the simulated hosts' addresses of {@code nixos}, the restic executable, its work folder.
     */
    public Map<String, String> serviceEnvironment(NixosWorld nixos) {
        Map<String, String> converge = nixos.serviceEnvironment();
        Map<String, String> env = serviceEnvironment(
                Path.of(converge.get("HANDOFF_CONVERGE_SSH_IDENTITY")), converge.get("HANDOFF_CONVERGE_ADDRESSES"));
        // a fresh lab's hosts have no snapshot until their first push converges them: the first scheduled run waits
        // an hour instead of reporting "no-snapshot" a minute after ./handoff up
        env.put("HANDOFF_BACKUP_WATCH_DELAY", "1h");
        return env;
    }

    /** backup-service's environment for the runner's SSH key {@code sshIdentity} and the address map {@code addresses}. */
    public Map<String, String> serviceEnvironment(Path sshIdentity, String addresses) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HANDOFF_BACKUP_SSH_IDENTITY", sshIdentity.toString());
        env.put("HANDOFF_BACKUP_ADDRESSES", addresses);
        env.put("HANDOFF_BACKUP_RESTIC_EXECUTABLE", executable);
        env.put("HANDOFF_BACKUP_WORKDIR", dir.resolve("backup-service").toString());
        return env;
    }

    private static List<String> paths(String contract) {
        return switch (contract) {
            case RUNTIME -> RUNTIME_PATHS;
            case CONTROL_PLANE -> CONTROL_PLANE_PATHS;
            default ->
                throw new IllegalArgumentException(
                        "the lab's restic world has no backup job for contract " + contract + "; it has " + CONTRACTS);
        };
    }

    private void init(String contract) {
        try {
            Path key = keyFile(contract);
            if (!Files.exists(key)) {
                byte[] random = new byte[24];
                new SecureRandom().nextBytes(random);
                writePrivate(key, HexFormat.of().formatHex(random) + "\n");
            }
            if (!Files.exists(repository(contract).resolve("config"))) {
                Files.createDirectories(repository(contract).getParent());
                ResticCommand.Result r = ResticCommand.run(List.of(executable, "--no-cache", "init"), env(contract));
                if (!r.ok()) {
                    throw new IOException("restic init of " + repository(contract) + " failed: "
                            + r.stderr().trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the lab's " + contract + " restic repository", e);
        }
    }

    private Map<String, String> env(String contract) {
        return Map.of(
                "RESTIC_REPOSITORY", repository(contract).toAbsolutePath().toString(),
                "RESTIC_PASSWORD_FILE", keyFile(contract).toAbsolutePath().toString());
    }

    private Path keyFile(String contract) {
        return dir.resolve("keys").resolve(contract + ".password");
    }

    private void damageDataPacks(String contract) throws IOException {
        Path saved = dir.resolve("damaged").resolve(contract);
        for (String pack : dataPacks(contract)) {
            Path file = repository(contract)
                    .resolve("data")
                    .resolve(pack.substring(0, 2))
                    .resolve(pack);
            Path original = saved.resolve(pack);
            if (Files.exists(original) || !Files.exists(file)) {
                continue;
            }
            Files.createDirectories(saved);
            Files.copy(file, original);
            byte[] bytes = Files.readAllBytes(file);
            // inside the first blob's ciphertext: its MAC no longer verifies, so check and restore both notice
            for (int i = Math.min(16, bytes.length - 1); i < Math.min(24, bytes.length); i++) {
                bytes[i] ^= (byte) 0xff;
            }
            file.toFile().setWritable(true, true);
            Files.write(file, bytes);
        }
    }

    private void repairPacks(String contract) throws IOException {
        Path saved = dir.resolve("damaged").resolve(contract);
        if (!Files.isDirectory(saved)) {
            return;
        }
        try (Stream<Path> originals = Files.list(saved)) {
            for (Path original : originals.toList()) {
                String pack = original.getFileName().toString();
                Path file = repository(contract)
                        .resolve("data")
                        .resolve(pack.substring(0, 2))
                        .resolve(pack);
                if (Files.exists(file)) {
                    file.toFile().setWritable(true, true);
                }
                Files.copy(original, file, StandardCopyOption.REPLACE_EXISTING);
                Files.delete(original);
            }
        }
    }

    /** Packs holding only file contents (data blobs), read from the repository's index. */
    private List<String> dataPacks(String contract) throws IOException {
        ResticCommand.Result list =
                ResticCommand.run(List.of(executable, "--no-cache", "list", "index"), env(contract));
        if (!list.ok()) {
            throw new IOException("restic list index failed: " + list.stderr().trim());
        }
        List<String> packs = new ArrayList<>();
        for (String index : list.stdout()
                .lines()
                .map(String::trim)
                .filter(l -> !l.isEmpty())
                .toList()) {
            ResticCommand.Result cat =
                    ResticCommand.run(List.of(executable, "--no-cache", "cat", "index", index), env(contract));
            if (!cat.ok()) {
                throw new IOException("restic cat index failed: " + cat.stderr().trim());
            }
            for (JsonNode pack : JSON.readTree(cat.stdout()).path("packs")) {
                boolean data = pack.path("blobs").size() > 0;
                for (JsonNode blob : pack.path("blobs")) {
                    data &= blob.path("type").asText().equals("data");
                }
                if (data) {
                    packs.add(pack.path("id").asText());
                }
            }
        }
        return packs;
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
