package dev.handoff.backup.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.backup.driver.BackupStore;
import dev.handoff.backup.driver.InfraStates;
import dev.handoff.backup.driver.LiveHosts;
import dev.handoff.backup.driver.ResticCli;
import dev.handoff.backup.stage.ContractChecks;
import dev.handoff.backup.stage.ContractOutcome;
import dev.handoff.backup.stage.Finding;
import dev.handoff.backup.stage.InfraStateCheck;
import dev.handoff.backup.stage.Redactor;
import dev.handoff.backup.stage.ResticErrors;
import dev.handoff.backup.stage.Snapshots;
import dev.handoff.common.Sha256;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.Backup;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.inventory.Inventory.BackupContract;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Checks one recovery contract of a host against the real world: restic (snapshots, ls, check, restore) for
 * {@code control-plane} and {@code runtime}, infra-service's folders for {@code infra-state}. Credentials stay in
 * their files; every text restic prints passes the {@link Redactor} before it is logged or published. Restored files
 * stay in a scratch folder that is deleted at the end of the rehearsal; only their sha256 is compared.
 */
public final class ContractVerifier {
    private static final Logger LOG = Logger.getLogger(ContractVerifier.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ResticCli restic;
    private final BackupStore store;
    private final Optional<LiveHosts> live;
    private final Path inventoryDir;
    private final Path workdir;
    private final Clock clock;
    private final Duration lockWait;
    private final java.util.Map<String, ReentrantReadWriteLock> repositoryLocks =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** How often a command refused by another restic process's lock is tried again while it waits. */
    static final Duration LOCK_RETRY = Duration.ofSeconds(2);

    public ContractVerifier(
            ResticCli restic,
            BackupStore store,
            Optional<LiveHosts> live,
            Path inventoryDir,
            Path workdir,
            Clock clock,
            Duration lockWait) {
        this.restic = restic;
        this.store = store;
        this.live = live;
        this.inventoryDir = inventoryDir;
        this.workdir = workdir;
        this.clock = clock;
        this.lockWait = lockWait;
    }

    /** A contract's check ends early with these findings. */
    private static final class Broken extends Exception {
        final List<Finding> findings;

        Broken(List<Finding> findings) {
            super(findings.get(0).message(), null, false, false);
            this.findings = findings;
        }

        Broken(Finding finding) {
            this(List.of(finding));
        }
    }

    /** Checks {@code contract} of {@code host}. */
    public ContractOutcome verify(Inventory inventory, Inventory.Host host, BackupContract contract)
            throws InterruptedException {
        String name = contract.name();
        if (!contract.configured()) {
            return new ContractOutcome.Broken(
                    name,
                    List.of(new Finding(
                            "contract-not-configured",
                            name,
                            "",
                            host.name() + ": the " + name + " contract is named in handoff.yaml but not configured;"
                                    + " write hosts." + host.name() + ".backups." + name
                                    + (contract.restic()
                                            ? " as { repository: ..., passwordFile: ... }"
                                            : " as { archives: ..., states: ... }")
                                    + " (docs/backup-service.md)",
                            false)));
        }
        try {
            return contract.restic() ? verifyRestic(host, contract) : verifyInfraState(inventory, host, contract);
        } catch (Broken b) {
            return new ContractOutcome.Broken(name, b.findings);
        }
    }

    private ContractOutcome verifyRestic(Inventory.Host host, BackupContract contract)
            throws Broken, InterruptedException {
        String h = host.name();
        String name = contract.name();
        Redactor redactor = new Redactor();
        Path passwordFile = resolve(contract.passwordFile().orElseThrow());
        learn(redactor, passwordFile, h, name, "passwordFile");
        ResticCli.Target target;
        String display;
        if (contract.repositoryFile().isPresent()) {
            Path file = resolve(contract.repositoryFile().get());
            String url = learn(redactor, file, h, name, "repositoryFile");
            display = Redactor.withoutCredentials(url);
            target = new ResticCli.Target(null, file, passwordFile);
        } else {
            String repository = contract.repository().orElseThrow();
            boolean local = !repository.contains(":");
            display = local ? resolve(repository).toString() : repository;
            target = new ResticCli.Target(display, null, passwordFile);
        }
        Instant now = clock.instant();

        ResticCli.Result snapshots =
                restic(target, redactor, h, name, display, List.of("snapshots", "--json", "--host", h));
        Snapshots.Snapshot newest;
        try {
            newest = Snapshots.newest(JSON.readTree(snapshots.stdout()))
                    .orElseThrow(() -> new Broken(new Finding(
                            "no-snapshot",
                            name,
                            display,
                            h + ": the " + name + " repository " + display + " has no snapshot of host " + h
                                    + "; run the host's backup job (restic backup --host " + h + ")",
                            true)));
        } catch (IOException | IllegalArgumentException e) {
            // a snapshot the host wrote with a bad time must fail this contract, not the whole run
            throw new Broken(new Finding(
                    "restic-failed",
                    name,
                    display,
                    h + ": restic snapshots printed no snapshot JSON: " + e.getMessage(),
                    true));
        }
        List<Finding> findings = new ArrayList<>();
        ContractChecks.freshness(h, name, newest.id(), newest.time(), now, contract.maxAge())
                .ifPresent(findings::add);

        ResticCli.Result ls = restic(target, redactor, h, name, display, List.of("ls", "--json", newest.id()));
        List<String> covered;
        try {
            covered = Snapshots.covered(contract.paths(), Snapshots.nodePaths(ls.stdout(), JSON));
        } catch (IllegalArgumentException e) {
            throw new Broken(concat(
                    findings,
                    new Finding(
                            "restic-failed",
                            name,
                            display,
                            h + ": restic ls of snapshot " + newest.id() + " in " + display + " printed a line that"
                                    + " is not JSON",
                            true)));
        }
        findings.addAll(ContractChecks.coverage(h, name, newest.id(), contract.paths(), covered));

        String checkResult = "skipped";
        String checkedKey = repositoryDigest(target);
        if (ContractChecks.checkDue(storeLastPassed(h, name), now, contract.checkEvery())) {
            ResticCli.Result check = runCheck(target, contract, h, name, checkedKey, now);
            if (check == null) {
                // a host sharing the repository checked it within the interval: one check covers all its hosts
                Instant at = sharedCheck(checkedKey, contract).orElse(now);
                LOG.infof("%s: %s: %s passed restic check at %s for a host sharing it", h, name, display, at);
                checkResult = "passed";
                storeCheck(h, name, at, contract.checkSubset(), checkedKey);
            } else if (locked(check)) {
                // the check did not run: it stays due, and the repository is not called damaged
                throw new Broken(concat(
                        findings,
                        new Finding(
                                "repository-locked",
                                name,
                                display,
                                h + ": restic check of " + display + " could not start: another restic process (a"
                                        + " backup job?) held the repository's lock for longer than "
                                        + ContractChecks.human(lockWait)
                                        + " (handoff.backup.lock-wait); the check stays due and runs on the next"
                                        + " verification",
                                true)));
            } else if (check.ok()) {
                checkResult = "passed"; // recorded by runCheck, under the repository's lock
            } else {
                storeCheckFailed(h, name, checkedKey);
                ResticErrors.Reason reason = ResticErrors.classify(check.stderr() + "\n" + check.stdout());
                String code = reason.code().equals("restic-failed") ? "repository-damaged" : reason.code();
                throw new Broken(concat(
                        findings,
                        new Finding(
                                code,
                                name,
                                display,
                                h + ": restic check --read-data-subset=" + contract.checkSubset() + " of " + display
                                        + " failed: " + tail(redactor.redact(check.stderr() + check.stdout()))
                                        + "; repair the repository (restic rebuild-index, restic repair) and take a"
                                        + " new backup",
                                reason.retryable())));
            }
        }

        Backup.Rehearsal rehearsal = rehearse(target, redactor, host, contract, newest, covered, display, findings);
        if (!findings.isEmpty()) {
            throw new Broken(findings);
        }
        Duration age = ContractChecks.age(newest.time(), now);
        LOG.infof(
                "%s: %s holds: snapshot %s of %s (%s old, max %s), paths %s, check %s, rehearsal %d ms",
                h,
                name,
                newest.id().substring(0, 8),
                display,
                ContractChecks.human(age),
                ContractChecks.human(contract.maxAge()),
                covered,
                checkResult,
                rehearsal.durationMillis());
        return new ContractOutcome.Holds(new Backup(
                h,
                name,
                display,
                newest.time(),
                age.getSeconds(),
                Math.max(1, contract.maxAge().getSeconds()),
                covered,
                checkResult,
                rehearsal));
    }

    /**
     * Restores the covered paths of {@code newest} into a scratch folder and compares the sha256 of the contract's
     * verify files with the live host's. A rehearsal that compares no file adds a {@code rehearsal-not-compared}
     * finding: it never passes, since a restore alone does not show that the backup holds what the host holds.
     */
    private Backup.Rehearsal rehearse(
            ResticCli.Target target,
            Redactor redactor,
            Inventory.Host host,
            BackupContract contract,
            Snapshots.Snapshot newest,
            List<String> covered,
            String display,
            List<Finding> findings)
            throws Broken, InterruptedException {
        String h = host.name();
        String name = contract.name();
        List<String> verify = ContractChecks.comparable(contract.verify(), covered);
        ContractChecks.LiveHost askable = host.access().isEmpty()
                ? ContractChecks.LiveHost.NO_ACCESS
                : live.isEmpty() ? ContractChecks.LiveHost.NO_SSH_IDENTITY : ContractChecks.LiveHost.ASKABLE;
        if (covered.isEmpty()) {
            ContractChecks.notCompared(h, name, newest.id(), contract.paths(), contract.verify(), verify, 0, askable)
                    .ifPresent(findings::add);
            return new Backup.Rehearsal(false, 0, "nothing restored: the snapshot holds none of the paths");
        }
        long started = System.nanoTime();
        Path scratch = workdir.resolve("rehearsals").resolve(h + "-" + name + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(scratch);
            List<String> args = new ArrayList<>(List.of("restore", newest.id(), "--target", scratch.toString()));
            covered.forEach(p -> {
                args.add("--include");
                args.add(p);
            });
            ResticCli.Result restore = run(target, args, h, name);
            if (!restore.ok()) {
                ResticErrors.Reason reason = ResticErrors.classify(restore.stderr());
                throw new Broken(concat(
                        findings,
                        new Finding(
                                reason.code().equals("restic-failed") ? "rehearsal-failed" : reason.code(),
                                name,
                                display,
                                h + ": restoring snapshot " + newest.id().substring(0, 8) + " of " + display
                                        + " failed: " + tail(redactor.redact(restore.stderr()))
                                        + "; the backup cannot be recovered as it is",
                                reason.retryable())));
            }
            Map<String, String> restored = new LinkedHashMap<>();
            for (String v : verify) {
                Path file = scratch.resolve(v.substring(1));
                if (Files.isRegularFile(file)) {
                    restored.put(v, Sha256.of(file));
                }
            }
            int files = countFiles(scratch);
            String restoredWhat = "restored " + files + " files of " + covered + " from snapshot "
                    + newest.id().substring(0, 8);
            Optional<Finding> notCompared = ContractChecks.notCompared(
                    h, name, newest.id(), contract.paths(), contract.verify(), verify, files, askable);
            if (notCompared.isPresent()) {
                findings.add(notCompared.get());
                return new Backup.Rehearsal(
                        false, millisSince(started), restoredWhat + "; not compared with the live host");
            }
            Inventory.Endpoint steady = host.access().get().steady();
            Map<String, String> liveDigests;
            try {
                liveDigests = live.get().sha256(h, steady.user(), steady.address(), verify);
            } catch (LiveHosts.HostException e) {
                throw new Broken(concat(
                        findings,
                        new Finding(
                                e.keyChanged() ? "host-key-changed" : "host-unreachable",
                                name,
                                steady.address(),
                                e.getMessage()
                                        + (e.keyChanged()
                                                ? ""
                                                : "; the restored files were not compared with the live host"
                                                        + " (not-compared), so the " + name
                                                        + " contract does not hold until the host answers"),
                                !e.keyChanged())));
            }
            List<Finding> differences = ContractChecks.compare(h, name, newest.id(), verify, restored, liveDigests);
            findings.addAll(differences);
            // verify is not empty here, so no difference means every file was compared and found equal
            return new Backup.Rehearsal(
                    differences.isEmpty(),
                    millisSince(started),
                    restoredWhat + "; sha256 of " + verify + " compared with " + h + ": "
                            + (differences.isEmpty() ? "all equal" : differences.size() + " not equal"));
        } catch (IOException e) {
            throw new Broken(concat(
                    findings,
                    new Finding(
                            "rehearsal-failed",
                            name,
                            scratch.toString(),
                            h + ": the rehearsal's scratch folder failed: " + e.getMessage(),
                            true)));
        } finally {
            deleteTree(scratch);
        }
    }

    private static long millisSince(long nanoTime) {
        return Duration.ofNanos(System.nanoTime() - nanoTime).toMillis();
    }

    private ContractOutcome verifyInfraState(Inventory inventory, Inventory.Host host, BackupContract contract)
            throws Broken {
        String h = host.name();
        String name = contract.name();
        Path archives = resolve(contract.archives().orElseThrow());
        Path states = resolve(contract.states().orElseThrow());
        List<String> repositoryParts = host.repositories().stream()
                .map(r -> inventory.repository(r).orElse(null))
                .filter(r -> r != null && r.starts() == Stage.INFRA)
                .map(r -> r.name().replace('/', '_'))
                .toList();
        long started = System.nanoTime();
        List<InfraStateCheck.Stack> stacks;
        try {
            stacks = InfraStates.read(states, archives, repositoryParts);
        } catch (InfraStates.UnreadableException e) {
            throw new Broken(
                    new Finding("archive-unreadable", name, archives.toString(), h + ": " + e.getMessage(), true));
        }
        Instant now = clock.instant();
        InfraStateCheck.Result result = InfraStateCheck.evaluate(h, name, stacks, now, contract.maxAge());
        if (!result.findings().isEmpty()) {
            throw new Broken(result.findings());
        }
        Instant newest = result.newest().orElse(now);
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        LOG.infof(
                "%s: %s holds: %d archives in %s, newest %s",
                h, name, result.archives().size(), archives, newest);
        return new ContractOutcome.Holds(new Backup(
                h,
                name,
                archives.toString(),
                newest,
                ContractChecks.age(newest, now).getSeconds(),
                Math.max(1, contract.maxAge().getSeconds()),
                result.archives(),
                "passed",
                new Backup.Rehearsal(
                        true,
                        millis,
                        stacks.size() + " archives read back (sha256, gunzip); lineage and serial equal to or behind"
                                + " the live states of "
                                + stacks.stream()
                                        .map(InfraStateCheck.Stack::stack)
                                        .toList())));
    }

    private ResticCli.Result restic(
            ResticCli.Target target, Redactor redactor, String host, String name, String display, List<String> args)
            throws Broken, InterruptedException {
        ResticCli.Result r = run(target, args, host, name);
        if (!r.ok()) {
            ResticErrors.Reason reason = ResticErrors.classify(r.stderr());
            String what = switch (reason.code()) {
                case "wrong-credentials" -> "the password in the contract's passwordFile does not open it";
                case "repository-unreachable" -> "it cannot be reached or is not a restic repository";
                case "repository-locked" ->
                    "another restic process held its lock for longer than " + ContractChecks.human(lockWait)
                            + " (handoff.backup.lock-wait)";
                case "repository-damaged" -> "it is damaged";
                default -> "restic " + args.get(0) + " failed";
            };
            throw new Broken(new Finding(
                    reason.code(),
                    name,
                    display,
                    host + ": the " + name + " repository " + display + ": " + what + " ("
                            + tail(redactor.redact(r.stderr())) + ")",
                    reason.retryable()));
        }
        return r;
    }

    /**
     * Runs restic; while another restic process holds a lock that refuses this command (a host's backup job during
     * {@code check}, say), tries again every {@link #LOCK_RETRY} for up to the configured lock wait.
     */
    private ResticCli.Result run(ResticCli.Target target, List<String> args, String host, String name)
            throws Broken, InterruptedException {
        // hosts that share a repository are verified at once: within this replica, a check (restic's exclusive
        // lock) waits for the other commands on that repository and they wait for it, instead of failing on
        // restic's lock and retrying
        java.util.concurrent.locks.ReadWriteLock repository =
                repositoryLocks.computeIfAbsent(repositoryKey(target), k -> new ReentrantReadWriteLock());
        java.util.concurrent.locks.Lock held =
                args.get(0).equals("check") ? repository.writeLock() : repository.readLock();
        held.lockInterruptibly();
        try {
            return runLocked(target, args, host, name);
        } finally {
            held.unlock();
        }
    }

    /**
     * Runs {@code restic check} under the repository's exclusive lock, unless a host sharing the repository passed a
     * check of the same subset within the contract's interval while this one waited: then null. A pass is recorded
     * under the lock.
     */
    private ResticCli.Result runCheck(
            ResticCli.Target target, BackupContract contract, String host, String name, String checkedKey, Instant now)
            throws Broken, InterruptedException {
        if (!ContractChecks.checkDue(sharedCheck(checkedKey, contract), now, contract.checkEvery())) {
            return null;
        }
        java.util.concurrent.locks.Lock exclusive = repositoryLocks
                .computeIfAbsent(repositoryKey(target), k -> new ReentrantReadWriteLock())
                .writeLock();
        exclusive.lockInterruptibly();
        try {
            if (!ContractChecks.checkDue(sharedCheck(checkedKey, contract), now, contract.checkEvery())) {
                return null;
            }
            ResticCli.Result check =
                    runLocked(target, List.of("check", "--read-data-subset=" + contract.checkSubset()), host, name);
            if (check.ok()) {
                // recorded before the lock is let go, so a host that waited for it sees the pass and does not check
                // the repository again
                storeCheck(host, name, now, contract.checkSubset(), checkedKey);
            }
            return check;
        } finally {
            exclusive.unlock();
        }
    }

    /** When a check of this contract's subset of the repository passed for any host sharing it. */
    private Optional<Instant> sharedCheck(String repository, BackupContract contract) throws Broken {
        try {
            return store.lastPassedCheckOfRepository(repository, contract.checkSubset());
        } catch (java.sql.SQLException e) {
            throw new Broken(new Finding("database-unavailable", contract.name(), "", e.getMessage(), true));
        }
    }

    /** A digest of the repository's identity: stored, so never the location, which may hold credentials. */
    private static String repositoryDigest(ResticCli.Target target) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(repositoryKey(target).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "sha256:" + java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The identity of a contract's repository: its location, or the file that holds it. */
    private static String repositoryKey(ResticCli.Target target) {
        return target.repository() != null
                ? target.repository()
                : "file:" + target.repositoryFile().toAbsolutePath().normalize();
    }

    private ResticCli.Result runLocked(ResticCli.Target target, List<String> args, String host, String name)
            throws Broken, InterruptedException {
        long deadline = System.nanoTime() + lockWait.toNanos();
        while (true) {
            ResticCli.Result r = runOnce(target, args, host, name);
            if (!locked(r) || System.nanoTime() - deadline >= 0) {
                return r;
            }
            LOG.infof(
                    "%s: %s: the repository is locked by another restic process; restic %s again in %d s (waiting"
                            + " up to %s)",
                    host, name, args.get(0), LOCK_RETRY.toSeconds(), ContractChecks.human(lockWait));
            Thread.sleep(LOCK_RETRY.toMillis());
        }
    }

    private static boolean locked(ResticCli.Result r) {
        return !r.ok() && ResticErrors.classify(r.stderr()).code().equals("repository-locked");
    }

    private ResticCli.Result runOnce(ResticCli.Target target, List<String> args, String host, String name)
            throws Broken, InterruptedException {
        try {
            LOG.debugf("%s: %s: restic %s", host, name, args.get(0));
            return restic.run(target, args);
        } catch (ResticCli.NotInstalledException e) {
            throw new Broken(new Finding(
                    "restic-not-installed", name, restic.executable(), host + ": " + e.getMessage(), false));
        } catch (IOException e) {
            throw new Broken(
                    new Finding("restic-failed", name, "", host + ": running restic failed: " + e.getMessage(), true));
        }
    }

    private String learn(Redactor redactor, Path file, String host, String name, String field) throws Broken {
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8);
            redactor.learn(content);
            return content.strip();
        } catch (IOException e) {
            throw new Broken(new Finding(
                    "credentials-missing",
                    name,
                    file.toString(),
                    host + ": the " + name + " contract's " + field + " " + file + " cannot be read ("
                            + e.getClass().getSimpleName() + "); put it on the runner, readable by backup-service only",
                    false));
        }
    }

    private Optional<Instant> storeLastPassed(String host, String contract) throws Broken {
        try {
            return store.lastPassedCheck(host, contract);
        } catch (java.sql.SQLException e) {
            throw new Broken(new Finding("database-unavailable", contract, "", host + ": " + e.getMessage(), true));
        }
    }

    private void storeCheck(String host, String contract, Instant at, String subset, String repository) throws Broken {
        try {
            store.checkPassed(host, contract, at, subset, repository);
        } catch (java.sql.SQLException e) {
            throw new Broken(new Finding("database-unavailable", contract, "", host + ": " + e.getMessage(), true));
        }
    }

    private void storeCheckFailed(String host, String contract, String repository) throws Broken {
        try {
            store.checkFailed(host, contract, repository);
        } catch (java.sql.SQLException e) {
            throw new Broken(new Finding("database-unavailable", contract, "", host + ": " + e.getMessage(), true));
        }
    }

    private Path resolve(String path) {
        return inventoryDir.resolve(path).normalize();
    }

    private static List<Finding> concat(List<Finding> earlier, Finding last) {
        List<Finding> all = new ArrayList<>(earlier);
        all.add(last);
        return all;
    }

    private static String tail(String text) {
        List<String> lines = text.strip().lines().filter(l -> !l.isBlank()).toList();
        return String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }

    private static int countFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return (int) files.filter(Files::isRegularFile).count();
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                p.toFile().setWritable(true, true);
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.errorf("cannot delete the rehearsal folder %s: %s; delete it by hand", dir, e.getMessage());
        }
    }
}
