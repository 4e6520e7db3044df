package dev.handoff.lab.world.nixos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-memory model of one simulated NixOS host: system generations, the current and booted system, unit states,
 * the boot id, a sandbox root folder for files, and the faults a test or the lab arms on demand. Thread-safe: every
 * method locks the node.
 */
public final class NixosNode {
    /** The sops-nix key path the lab's configurations use. */
    public static final String SOPS_KEY = "/var/lib/sops-nix/key.txt";

    /** Where {@code services.k3s.manifests} links the declared manifests; K3s's deploy controller applies them. */
    public static final String K3S_MANIFESTS = "/var/lib/rancher/k3s/server/manifests";

    /** The kubeconfig K3s writes at start ({@code --write-kubeconfig-mode=0600}). */
    public static final String K3S_KUBECONFIG = "/etc/rancher/k3s/k3s.yaml";

    /** The NixOS release the simulated systems report. */
    public static final String NIXOS_VERSION = "25.05.20251118.5e2a59a";

    private static final String INFECT_SYSTEM = "/nix/store/0n3w8bq1f2hzqv6g7j1l5k9c8xm4p2dr-nixos-system-nixos-24.11";

    /**
     * One system generation.
     *
     * @param number the profile generation number
     * @param systemPath the toplevel store path
     * @param revision the configuration revision (commit) it was built from, or null
     * @param kernel the kernel store path of the generation
     * @param created when it was activated
     * @param breaksSteadyAccess whether the steady-state address stops answering while it is current (a fault)
     */
    public record Generation(
            int number,
            String systemPath,
            String revision,
            String kernel,
            Instant created,
            boolean breaksSteadyAccess) {}

    /**
     * What a command answered.
     *
     * @param exitCode the exit status
     * @param stdout standard output
     * @param stderr standard error
     */
    public record Answer(int exitCode, String stdout, String stderr) {
        static Answer ok(String stdout) {
            return new Answer(0, stdout, "");
        }
    }

    private final String hostName;
    private final Path root;
    private final List<Generation> generations = new ArrayList<>();
    private final Map<String, String> units = new LinkedHashMap<>();
    private final AtomicInteger activeActivations = new AtomicInteger();
    private final List<ActivationListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Integer> activationOverlaps = new ArrayList<>();
    private final Map<Integer, Map<String, String>> manifestsByGeneration = new LinkedHashMap<>();
    private final Map<Integer, Set<String>> servicesByGeneration = new LinkedHashMap<>();
    private int current;
    private int booted;
    private String bootId = UUID.randomUUID().toString();
    private boolean secretsPresent;
    private boolean down;
    private Integer nextActivationExit;
    private boolean breakSteadyOnNextActivation;
    private boolean breakAllOnNextActivation;
    private final Set<Integer> allAccessBroken = new java.util.HashSet<>();
    private final Map<String, java.util.concurrent.ScheduledFuture<?>> guards = new LinkedHashMap<>();
    private final Set<String> loadedGuards = new java.util.HashSet<>();
    private int guardRollbacks;
    private static final java.util.concurrent.ScheduledExecutorService GUARD_TIMERS =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "nixos-node-guards");
                t.setDaemon(true);
                return t;
            });
    private Duration rebootDelay = Duration.ofMillis(300);
    private java.util.function.Supplier<Duration> activationTime = () -> Duration.ZERO;
    private java.util.function.Supplier<java.util.OptionalInt> switchesByHand = java.util.OptionalInt::empty;
    private int activations;

    /**
     * A node as nixos-infect leaves it: one generation without a configuration revision, k3s and tailscaled not
     * running.
     *
     * @param hostName the host's name
     * @param root the sandbox folder that stands for {@code /} (SFTP is confined to it)
     */
    public NixosNode(String hostName, Path root) {
        this.hostName = hostName;
        this.root = root;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        generations.add(new Generation(1, INFECT_SYSTEM, null, kernelPath("infect"), Instant.now(), false));
        current = 1;
        booted = 1;
        units.put("k3s", "inactive");
        units.put("tailscaled", "inactive");
    }

    /**
     * Told after each successful activation or rollback, in registration order, on the activating thread and outside
     * the node's lock: the simulated K3s applies the linked manifests, the simulated backup job takes a snapshot. A
     * listener that throws is logged and does not fail the activation (a real host's services fail on their own).
     */
    @FunctionalInterface
    public interface ActivationListener {
        /**
         * @param node the node
         * @param generation the generation now current
         */
        void activated(NixosNode node, Generation generation) throws Exception;
    }

    /** Adds an activation listener. */
    public void addActivationListener(ActivationListener listener) {
        listeners.add(listener);
    }

    /** The host's name. */
    public String hostName() {
        return hostName;
    }

    /** The sandbox folder that stands for {@code /}. */
    public Path root() {
        return root;
    }

    /**
     * The sandbox file that stands for the absolute host path {@code path}. The path is normalized as the kernel does
     * from {@code /} ({@code ..} at the root stays at the root), so a path from a command never leaves the sandbox.
     */
    public Path file(String path) {
        String normalized = Path.of("/").resolve(path).normalize().toString();
        return normalized.equals("/") ? root : root.resolve(normalized.substring(1));
    }

    /** The current generation. */
    public synchronized Generation current() {
        return generation(current).orElseThrow();
    }

    /** The booted generation. */
    public synchronized Generation booted() {
        return generation(booted).orElseThrow();
    }

    /** Every generation, oldest first. */
    public synchronized List<Generation> generations() {
        return List.copyOf(generations);
    }

    /** The current boot id. */
    public synchronized String bootId() {
        return bootId;
    }

    /** Whether the node answers on no SSH path: rebooting, or its current generation broke every access path. */
    public synchronized boolean down() {
        return down || allAccessBroken.contains(current);
    }

    /** Whether the steady-state address answers now. */
    public synchronized boolean steadyAccessWorks() {
        return !down && !current().breaksSteadyAccess();
    }

    /** How many activations ran. */
    public synchronized int activations() {
        return activations;
    }

    /** How many activations ever ran at the same time as another one (must stay 0). */
    public synchronized int overlappingActivations() {
        return activationOverlaps.size();
    }

    // ---- faults -----------------------------------------------------------------------------------------------

    /** The next activation exits with {@code code} (2 activation script, 3 daemon-reload, 4 failed units). */
    public synchronized void failNextActivation(int code) {
        nextActivationExit = code;
    }

    /** The next activated generation stops the steady-state address from answering (e.g. a broken Tailscale). */
    public synchronized void breakSteadyAccessOnNextActivation() {
        breakSteadyOnNextActivation = true;
    }

    /**
     * The next activated generation stops every SSH path from answering (bootstrap and steady): only the host's own
     * rollback guard can bring it back.
     */
    public synchronized void breakAllAccessOnNextActivation() {
        breakAllOnNextActivation = true;
    }

    // ---- the rollback guard (systemd-run timers) ------------------------------------------------------------------

    /**
     * {@code systemd-run --unit=<unit> --on-active=<after> … switch-to-configuration}: after {@code after} the node
     * switches back to {@code generation} by itself, unless {@link #disarmGuard} stops the timer first. Arming stops
     * earlier guards ({@code systemctl stop 'handoff-rollback-*.timer'}).
     */
    void armGuard(String unit, int generation, Duration after) {
        synchronized (this) {
            guards.values().forEach(f -> f.cancel(false));
            guards.clear();
            loadedGuards.clear();
            loadedGuards.add(unit);
            guards.put(
                    unit,
                    GUARD_TIMERS.schedule(
                            () -> fireGuard(unit, generation),
                            after.toMillis(),
                            java.util.concurrent.TimeUnit.MILLISECONDS));
        }
    }

    /**
     * {@code systemctl stop <unit>.timer}; whether the unit was loaded. A transient timer that fired stays loaded
     * (systemd's {@code RemainAfterElapse=yes} default) until stopped; one never armed, or stopped, is not loaded.
     */
    synchronized boolean disarmGuard(String unit) {
        java.util.concurrent.ScheduledFuture<?> guard = guards.remove(unit);
        if (guard != null) {
            guard.cancel(false);
        }
        return loadedGuards.remove(unit);
    }

    /** The guard units armed and not yet fired or stopped. */
    public synchronized Set<String> armedGuards() {
        return Set.copyOf(guards.keySet());
    }

    /** How many times a guard rolled the node back. */
    public synchronized int guardRollbacks() {
        return guardRollbacks;
    }

    private void fireGuard(String unit, int generation) {
        Answer answer;
        synchronized (this) {
            if (guards.remove(unit) == null) {
                return;
            }
            answer = switchGeneration(generation);
            if (answer.exitCode() == 0) {
                guardRollbacks++;
            }
        }
        if (answer.exitCode() == 0) {
            org.jboss.logging.Logger.getLogger(NixosNode.class)
                    .warnf("simulated %s: rollback guard %s fired: back to generation %d", hostName, unit, generation);
            notifyActivated();
        }
    }

    /**
     * A person on the host switches it to generation {@code number}, as {@code nixos-rebuild switch --rollback} or
     * {@code nix-env -p /nix/var/nix/profiles/system --switch-generation N && switch-to-configuration switch} do: the
     * system profile and {@code /run/current-system} point at that generation (no new generation is made), its
     * units and manifests are activated; the booted system stays. Nix's own {@code switchGeneration}
     * (src/libstore/profiles.cc) only looks the number up among the profile's existing generations and re-points the
     * profile link ("generation N does not exist" otherwise); {@code switch-to-configuration switch} then activates
     * it without a reboot.
     */
    public Answer switchByHand(int number) {
        Answer answer;
        synchronized (this) {
            answer = switchGeneration(number);
        }
        if (answer.exitCode() == 0) {
            org.jboss.logging.Logger.getLogger(NixosNode.class)
                    .warnf("simulated %s: switched to generation %d by hand", hostName, number);
            notifyActivated();
        }
        return answer;
    }

    /**
     * Asked before each SSH command: a generation to {@link #switchByHand switch to by hand} first (the lab's faults
     * file, {@code system-drift.<host>}).
     */
    public synchronized void switchesByHand(java.util.function.Supplier<java.util.OptionalInt> pending) {
        switchesByHand = pending;
    }

    /** Switches by hand when the faults ask for it; before a command is answered. */
    void switchByHandIfAsked() {
        java.util.function.Supplier<java.util.OptionalInt> pending;
        synchronized (this) {
            pending = switchesByHand;
        }
        java.util.OptionalInt generation = pending.get();
        if (generation.isPresent()) {
            Answer answer = switchByHand(generation.getAsInt());
            if (answer.exitCode() != 0) {
                org.jboss.logging.Logger.getLogger(NixosNode.class)
                        .warnf(
                                "simulated %s: no switch by hand: %s",
                                hostName, answer.stderr().strip());
            }
        }
    }

    /** How long a reboot keeps the node unreachable. */
    public synchronized void rebootDelay(Duration delay) {
        rebootDelay = delay;
    }

    /** How long an activation takes (to make overlapping runs observable). */
    public synchronized void activationTime(Duration time) {
        activationTime = () -> time;
    }

    /** How long each activation takes, asked anew at each one (the lab's faults file can change it while it runs). */
    public synchronized void activationTime(java.util.function.Supplier<Duration> time) {
        activationTime = time;
    }

    Duration rebootDelay() {
        synchronized (this) {
            return rebootDelay;
        }
    }

    // ---- behaviour used by the SSH commands ---------------------------------------------------------------------

    /**
     * {@code switch-to-configuration}: adds a generation for {@code systemPath} and makes it current, or fails as
     * armed. Output imitates NixOS's switch-to-configuration.
     */
    Answer activate(String systemPath, String revision, String kernel) throws InterruptedException {
        return activate(systemPath, revision, kernel, Map.of());
    }

    /**
     * As {@link #activate(String, String, String)} for a system that declares {@code manifests} (name → store path of
     * {@code services.k3s.manifests.<name>.source}): on success they are linked into {@link #K3S_MANIFESTS} as
     * {@code <name>.yaml} and manifests no longer declared are removed, as NixOS's activation does.
     */
    Answer activate(String systemPath, String revision, String kernel, Map<String, String> manifests)
            throws InterruptedException {
        return activate(systemPath, revision, kernel, manifests, Set.of());
    }

    /**
     * As {@link #activate(String, String, String, Map)} for a system that enables the NixOS {@code services} (the
     * names of its {@code services.<name>.enable = true}); {@link #runs(String)} answers from them while the generation
     * is current.
     */
    Answer activate(
            String systemPath, String revision, String kernel, Map<String, String> manifests, Set<String> services)
            throws InterruptedException {
        int running = activeActivations.incrementAndGet();
        try {
            synchronized (this) {
                if (running > 1) {
                    activationOverlaps.add(running);
                }
            }
            java.util.function.Supplier<Duration> timeSource;
            synchronized (this) {
                timeSource = activationTime;
            }
            Duration time = timeSource.get();
            if (!time.isZero()) {
                Thread.sleep(time.toMillis());
            }
            Answer answer = activateLocked(systemPath, revision, kernel, manifests, services);
            if (answer.exitCode() == 0) {
                notifyActivated();
            }
            return answer;
        } finally {
            activeActivations.decrementAndGet();
        }
    }

    /** Runs the activation listeners for the current generation. */
    void notifyActivated() {
        Generation now = current();
        for (ActivationListener listener : listeners) {
            try {
                listener.activated(this, now);
            } catch (Exception e) {
                org.jboss.logging.Logger.getLogger(NixosNode.class)
                        .warnf("simulated %s: activation listener failed: %s", hostName, e.toString());
            }
        }
    }

    private synchronized Answer activateLocked(
            String systemPath, String revision, String kernel, Map<String, String> manifests, Set<String> services) {
        for (Map.Entry<String, String> manifest : manifests.entrySet()) {
            if (!Files.isRegularFile(file(manifest.getValue()))) {
                return new Answer(
                        1,
                        "",
                        "error: path '" + manifest.getValue() + "' (services.k3s.manifests." + manifest.getKey()
                                + ".source) is not in the store; copy the closure first\n");
            }
        }
        activations++;
        int number = generations.stream().mapToInt(Generation::number).max().orElse(0) + 1;
        generations.add(
                new Generation(number, systemPath, revision, kernel, Instant.now(), breakSteadyOnNextActivation));
        breakSteadyOnNextActivation = false;
        if (breakAllOnNextActivation) {
            allAccessBroken.add(number);
            breakAllOnNextActivation = false;
        }
        current = number;
        StringBuilder out = new StringBuilder();
        out.append("activating the configuration...\n");
        boolean keyPresent = Files.isRegularFile(file(SOPS_KEY));
        if (!keyPresent) {
            secretsPresent = false;
            out.append("setting up secrets...\n");
            return new Answer(
                    2,
                    out.toString(),
                    "sops-install-secrets: failed to read age key file " + SOPS_KEY + ": no such file or directory\n"
                            + "Activation script snippet 'setupSecrets' failed (1)\n");
        }
        secretsPresent = true;
        out.append("setting up secrets...\nsetting up /etc...\nreloading user units for root...\n");
        Integer fault = nextActivationExit;
        nextActivationExit = null;
        if (fault != null && fault == 2) {
            return new Answer(2, out.toString(), "Activation script snippet 'users' failed (1)\n");
        }
        if (fault != null && fault == 3) {
            return new Answer(3, out.toString(), "Failed to reload systemd: Connection timed out\n");
        }
        if (fault != null && fault == 4) {
            units.put("k3s", "failed");
            units.put("tailscaled", "active");
            out.append("the following new units were started: tailscaled.service\n");
            return new Answer(
                    4,
                    out.toString(),
                    "warning: the following units failed: k3s.service\n× k3s.service - Lightweight"
                            + " Kubernetes\n     Active: failed (Result: exit-code)\n");
        }
        // a system that says which services it enables runs K3s only if it enables it (the Forgejo host does not)
        boolean k3s = services.isEmpty() || services.contains("k3s");
        units.put("k3s", k3s ? "active" : "inactive");
        units.put("tailscaled", "active");
        manifestsByGeneration.put(number, Map.copyOf(manifests));
        servicesByGeneration.put(number, Set.copyOf(services));
        linkManifests(manifests);
        if (k3s) {
            writeK3sToken();
        }
        out.append("restarting the following units: sshd.service\nthe following new units were started: "
                + (k3s ? "k3s.service, " : "") + "tailscaled.service\n");
        return Answer.ok(out.toString());
    }

    /** Whether the {@code k3s} unit is active now. */
    public synchronized boolean k3sActive() {
        return "active".equals(units.get("k3s"));
    }

    /** The NixOS services the current generation enables ({@code services.<name>.enable = true}). */
    public synchronized Set<String> enabledServices() {
        return servicesByGeneration.getOrDefault(current, Set.of());
    }

    /** Whether the current generation enables the NixOS service {@code name} (e.g. {@code forgejo}). */
    public boolean runs(String name) {
        return enabledServices().contains(name);
    }

    /** The manifests the current generation declares: name → store path. */
    public synchronized Map<String, String> declaredManifests() {
        return manifestsByGeneration.getOrDefault(current, Map.of());
    }

    /**
     * Links each declared manifest as {@code K3S_MANIFESTS/<name>.yaml} to its store path and removes the links of
     * manifests no longer declared. nixpkgs' k3s module does the linking in {@code k3s.service}'s
     * {@code ExecStartPre} script ({@code activate-k3s-content}: {@code ln -sfn <source> <manifestDir>/<name>.yaml}
     * for every enabled manifest), so the folder holds symbolic links into {@code /nix/store}, not files: OpenSSH's
     * sftp-server lists them as links (lstat), and a reader must follow them. nixpkgs itself never removes a link
     * whose manifest is no longer declared (it dangles once the store path is garbage-collected); the lab removes it
     * so that K3s deletes the manifest's objects, which the lab's tests rely on.
     *
     * <p>The link target is relative ({@code ../../../../../../nix/store/<hash>-<name>.yaml}): the sandbox root stands
     * for {@code /}, and the lab's own readers of the folder (the simulated K3s deploy controller, the tests)
     * read the sandbox with {@code java.nio} on the real OS, which would follow an absolute {@code /nix/store/…} out of
     * the sandbox into this machine's own {@code /nix/store}. (The simulated SFTP server, MINA sshd 2.20's rooted file
     * system, does resolve an absolute target inside the sandbox, but only it.) From
     * {@code /var/lib/rancher/k3s/server/manifests} the relative target names the same file as the absolute one does
     * on a real host ({@code ..} stops at {@code /}), so every reader sees the same file; only SFTP {@code readlink}
     * answers the relative text where a NixOS host's OpenSSH answers {@code /nix/store/…}.
     */
    private void linkManifests(Map<String, String> manifests) {
        Path dir = file(K3S_MANIFESTS);
        try {
            Files.createDirectories(dir);
            try (var existing = Files.list(dir)) {
                for (Path old : existing.toList()) {
                    String name = old.getFileName().toString();
                    if (name.endsWith(".yaml") && !manifests.containsKey(name.substring(0, name.length() - 5))) {
                        Files.delete(old);
                    }
                }
            }
            for (Map.Entry<String, String> manifest : manifests.entrySet()) {
                replaceLink(dir.resolve(manifest.getKey() + ".yaml"), sandboxLinkTarget(manifest.getValue()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("simulated " + hostName + ": cannot link the K3s manifests in " + dir, e);
        }
    }

    /** The K3s server token path: K3s writes it once at its first start; backups must keep it. */
    public static final String K3S_TOKEN = "/var/lib/rancher/k3s/server/token";

    /** K3s's first start writes the server token ({@code K10<ca hash>::server:<secret>}); later starts keep it. */
    private void writeK3sToken() {
        Path token = file(K3S_TOKEN);
        if (Files.isRegularFile(token)) {
            return;
        }
        var random = new java.security.SecureRandom();
        byte[] ca = new byte[32];
        byte[] secret = new byte[16];
        random.nextBytes(ca);
        random.nextBytes(secret);
        try {
            Files.createDirectories(token.getParent());
            Files.writeString(
                    token,
                    "K10" + java.util.HexFormat.of().formatHex(ca) + "::server:"
                            + java.util.HexFormat.of().formatHex(secret) + "\n");
            token.toFile().setReadable(false, false);
            token.toFile().setReadable(true, true);
        } catch (IOException e) {
            throw new UncheckedIOException("simulated " + hostName + ": cannot write " + K3S_TOKEN, e);
        }
    }

    /** Switches the profile back to generation {@code number} and activates it. */
    synchronized Answer switchGeneration(int number) {
        if (generation(number).isEmpty()) {
            return new Answer(1, "", "error: generation " + number + " does not exist\n");
        }
        current = number;
        boolean known = generation(number).orElseThrow().revision() != null;
        Set<String> services = servicesByGeneration.getOrDefault(number, Set.of());
        units.put("k3s", known && (services.isEmpty() || services.contains("k3s")) ? "active" : "inactive");
        units.put("tailscaled", known ? "active" : "inactive");
        linkManifests(manifestsByGeneration.getOrDefault(number, Map.of()));
        return Answer.ok("switching profile from version " + number + "\nactivating the configuration...\n"
                + "setting up /etc...\n");
    }

    /** Marks the node down; it comes back after the reboot delay with a new boot id, booted into current. */
    synchronized void goDown() {
        down = true;
    }

    synchronized void comeBack() {
        bootId = UUID.randomUUID().toString();
        booted = current;
        down = false;
    }

    synchronized String unitState(String unit) {
        return units.getOrDefault(unit.replace(".service", ""), "inactive");
    }

    synchronized List<String> failedUnits() {
        return units.entrySet().stream()
                .filter(e -> e.getValue().equals("failed"))
                .map(e -> e.getKey() + ".service")
                .toList();
    }

    synchronized boolean secretsPresent() {
        return secretsPresent;
    }

    synchronized Optional<Generation> generation(int number) {
        return generations.stream().filter(g -> g.number() == number).findFirst();
    }

    /** A deterministic kernel store path for a kernel choice. */
    static String kernelPath(String choice) {
        return "/nix/store/" + StoreHash.of("kernel:" + choice) + "-linux-6.12.58";
    }

    /** The target of a link in {@link #K3S_MANIFESTS} to the host path {@code storePath}, relative to that folder. */
    private static Path sandboxLinkTarget(String storePath) {
        return Path.of(K3S_MANIFESTS).relativize(Path.of(storePath));
    }

    /**
     * Points {@code link} at {@code target} as {@code ln -sfn} does: whatever {@code link} was (a link, or a file an
     * older lab copied there) is replaced in one rename, so K3s never finds the name missing.
     */
    private static void replaceLink(Path link, Path target) throws IOException {
        Path temporary = link.resolveSibling("." + link.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        Files.createSymbolicLink(temporary, target);
        Files.move(
                temporary,
                link,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
