package dev.handoff.converge.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.event.v1.Convergence;
import dev.handoff.common.event.v1.Convergence.AccessPhase;
import dev.handoff.common.event.v1.Convergence.Check;
import dev.handoff.common.event.v1.SecretFacts;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.event.v1.StageFailed.Detail;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.lock.HostLock;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.Json;
import dev.handoff.common.stage.StageEvents;
import dev.handoff.converge.config.ConvergeConfig;
import dev.handoff.converge.driver.Activator;
import dev.handoff.converge.driver.CommandResult;
import dev.handoff.converge.driver.FactsStore;
import dev.handoff.converge.driver.HostKeyChangedException;
import dev.handoff.converge.driver.HostSession;
import dev.handoff.converge.driver.RuntimeCheckout;
import dev.handoff.converge.driver.SshException;
import dev.handoff.converge.driver.SshjHosts;
import dev.handoff.converge.stage.AccessPlan;
import dev.handoff.converge.stage.AccessPlan.Target;
import dev.handoff.converge.stage.ActivationResult;
import dev.handoff.converge.stage.ConfirmDecision;
import dev.handoff.converge.stage.ConvergeWork;
import dev.handoff.converge.stage.HandoffFacts;
import dev.handoff.converge.stage.HealthChecks;
import dev.handoff.converge.stage.HostObservation;
import dev.handoff.converge.stage.RebootValidation;
import dev.handoff.converge.stage.Triggers;
import dev.handoff.sops.AgeIdentity;
import dev.handoff.support.StageKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Runs the converge stage for a batch of triggers, one host at a time under its {@link HostLock}: facts, worktree,
 * access phase, key staging, activation, confirm-or-rollback, reboot validation, and {@code convergence} events. Logs
 * and events name hosts, paths and fingerprints, never key material.
 */
public final class ConvergeStageHandler {
    private static final Logger LOG = Logger.getLogger(ConvergeStageHandler.class);
    private static final ObjectMapper JSON = Json.mapper();

    private final Inventory inventory;
    private final EventCodec codec;
    private final EventPublisher publisher;
    private final FactsStore store;
    private final HostLock lock;
    private final String source;
    private final RuntimeCheckout checkout;
    private final SshjHosts ssh;
    private final Activator activator;
    private final ConvergeConfig.Converge config;
    private final StageEvents events;

    public ConvergeStageHandler(
            Inventory inventory,
            EventCodec codec,
            EventPublisher publisher,
            FactsStore store,
            HostLock lock,
            RuntimeCheckout checkout,
            SshjHosts ssh,
            Activator activator,
            ConvergeConfig.Converge config,
            StageKafka kafka) {
        this.inventory = inventory;
        this.codec = codec;
        this.publisher = publisher;
        this.store = store;
        this.lock = lock;
        this.checkout = checkout;
        this.ssh = ssh;
        this.activator = activator;
        this.config = config;
        this.source = kafka.source();
        this.events = new StageEvents(Stage.CONVERGE, source, codec);
    }

    /** Handles a batch in order; throwing makes the consumer loop retry it. */
    public void handle(List<ReceivedEvent> batch) throws Exception {
        for (ReceivedEvent received : batch) {
            EventEnvelope trigger = received.event();
            for (ConvergeWork work : plan(trigger)) {
                try (HostLock.Held held = lock.acquire(work.host())) {
                    run(trigger, work);
                }
            }
        }
    }

    private List<ConvergeWork> plan(EventEnvelope trigger) throws Exception {
        if (EventType.COMMIT_PUSHED.type().equals(trigger.type())) {
            return Triggers.forPush(codec.payload(trigger, CommitPushed.class), inventory);
        }
        if (EventType.SECRET_FACTS_COMPLETED.type().equals(trigger.type())) {
            store.keep(
                    trigger.subject(),
                    FactsStore.Kind.SECRET,
                    trigger.id(),
                    trigger.time().toInstant(),
                    trigger.data());
            return Triggers.forSecretFacts(trigger.subject(), inventory);
        }
        return List.of();
    }

    /** A failure of a run, with whether the host was rolled back. */
    static final class RunFailure extends Exception {
        final String reason;
        final boolean retryable;
        final List<Detail> details;
        final boolean rolledBack;

        RunFailure(String reason, String message, boolean retryable, List<Detail> details, boolean rolledBack) {
            super(message);
            this.reason = reason;
            this.retryable = retryable;
            this.details = details;
            this.rolledBack = rolledBack;
        }
    }

    private void run(EventEnvelope trigger, ConvergeWork work) throws Exception {
        publisher.publishAll(
                List.of(events.started(
                        trigger, work.host(), work.repository(), work.commit().orElse(null))),
                config.publishTimeout());
        EventEnvelope outcome;
        try {
            Convergence facts = converge(work);
            outcome = events.completed(trigger, work.host(), facts);
            LOG.infof(
                    "convergence completed for %s: %s@%s generation %d %s (%s), checks %s",
                    work.host(),
                    work.repository(),
                    facts.commit(),
                    facts.generation(),
                    facts.systemPath(),
                    facts.accessPhase(),
                    facts.checks().stream()
                            .map(c -> c.name() + "=" + c.passed())
                            .toList());
        } catch (RunFailure f) {
            List<Detail> details = new ArrayList<>(f.details);
            if (details.isEmpty()) {
                details.add(new Detail(f.reason, work.host(), f.getMessage()));
            }
            outcome = codec.newEvent(
                    EventType.CONVERGENCE_FAILED,
                    source,
                    work.host(),
                    trigger.deploymentId() != null
                            ? trigger.deploymentId()
                            : java.util.UUID.randomUUID().toString(),
                    trigger.id(),
                    new StageFailed(
                            work.host(),
                            Stage.CONVERGE.id(),
                            f.reason,
                            f.getMessage(),
                            f.retryable,
                            List.copyOf(details),
                            f.rolledBack));
            LOG.warnf(
                    "convergence failed for %s (%s, rolledBack=%s): %s",
                    work.host(), f.reason, f.rolledBack, f.getMessage());
        }
        publisher.publishAll(List.of(outcome), config.publishTimeout());
    }

    private Convergence converge(ConvergeWork work) throws Exception {
        String host = work.host();
        Inventory.Host inventoryHost = inventory.hosts().get(host);
        Optional<CloudFacts> cloud =
                store.newest(host, FactsStore.Kind.CLOUD).map(json -> read(json, CloudFacts.class));
        if (inventoryHost.cloud().isPresent() && cloud.isEmpty()) {
            throw new RunFailure(
                    "no-cloud-facts",
                    "no cloud facts of " + host + " yet: converge-service needs them"
                            + " (public IP, volumes); run the infra stage for " + host + " first",
                    true,
                    List.of(),
                    false);
        }
        SecretFacts secrets = store.newest(host, FactsStore.Kind.SECRET)
                .map(json -> read(json, SecretFacts.class))
                .orElseThrow(() -> new RunFailure(
                        "no-secret-facts",
                        "no secret facts of " + host + " yet: run the" + " secrets stage for " + host
                                + " first (push ops/infrastructure-secrets)",
                        true,
                        List.of(),
                        false));
        AccessPlan plan;
        try {
            plan = AccessPlan.choose(inventoryHost, cloud, store.steadyReached(host));
        } catch (IllegalArgumentException e) {
            throw new RunFailure("no-access", e.getMessage(), false, List.of(), false);
        }
        Path runDir = Path.of(config.workdir()).resolve("runs").resolve(host);
        RuntimeCheckout.Checkout tree;
        try {
            tree = checkout.checkout(host, work.repository(), work.cloneUrl(), work.branch(), work.commit());
        } catch (IOException e) {
            throw new RunFailure("repository-unreachable", e.getMessage(), true, List.of(), false);
        }
        Path factsFile = tree.dir().resolve(HandoffFacts.path(host));
        Files.createDirectories(factsFile.getParent());
        JSON.writerWithDefaultPrettyPrinter()
                .writeValue(
                        factsFile.toFile(),
                        HandoffFacts.of(host, plan.phase(), cloud.orElse(emptyCloud(host)), secrets));
        boolean rebootRequested =
                Files.exists(tree.dir().resolve("hosts").resolve(host).resolve("reboot-after-switch"));

        Target primary = plan.primary();
        long previousGeneration;
        String knownHosts;
        try (HostSession session = open(host, primary)) {
            previousGeneration = observe(host, session).generation();
            stageKey(host, session, secrets);
            knownHosts = session.knownHostsLine();
            Path sshConfig = Activator.writeSshConfig(
                    runDir,
                    host,
                    session.hostName(),
                    session.port(),
                    primary.user(),
                    Path.of(config.sshIdentity()),
                    knownHosts);
            ActivationResult result = activator.run(host, primary.user(), tree.dir(), sshConfig);
            if (!result.succeeded()) {
                boolean rolledBack = rollBackIfChanged(host, plan, previousGeneration);
                throw new RunFailure(
                        result.reason(),
                        host + ": activation of " + work.repository() + "@" + tree.commit() + " failed ("
                                + result.reason() + ", exit " + result.exitCode() + ")"
                                + (rolledBack ? "; rolled back to generation " + previousGeneration : "")
                                + ". See the activator output in converge-service's log, fix the configuration and push again.",
                        result.timedOut(),
                        rolledBackDetail(
                                List.of(new Detail(
                                        result.reason(),
                                        "switch-to-configuration",
                                        "exit code " + result.switchCode())),
                                rolledBack,
                                previousGeneration),
                        rolledBack);
            }
            return confirm(work, plan, tree.commit(), result, previousGeneration, rebootRequested);
        }
    }

    private Convergence confirm(
            ConvergeWork work,
            AccessPlan plan,
            String commit,
            ActivationResult result,
            long previousGeneration,
            boolean rebootRequested)
            throws Exception {
        String host = work.host();
        Duration timeout = config.confirmTimeout();
        Optional<HostSession> confirmed = reconnect(host, plan.primary(), timeout);
        List<Check> checks = List.of();
        HostObservation seen = null;
        if (confirmed.isPresent()) {
            try (HostSession session = confirmed.get()) {
                seen = observe(host, session);
            }
            checks = HealthChecks.evaluate(seen, result.builtSystem().orElse(null), commit);
        }
        long generation = seen == null ? previousGeneration + 1 : seen.generation();
        Optional<ConfirmDecision.RollBack> rollBack =
                ConfirmDecision.decide(host, generation, confirmed.isPresent(), timeout, checks);
        if (rollBack.isPresent()) {
            boolean rolledBack = rollBack(host, plan, previousGeneration);
            throw new RunFailure(
                    rollBack.get().reason(),
                    rollBack.get().message()
                            + (rolledBack
                                    ? "; rolled back to generation " + previousGeneration
                                    : "; ROLLBACK FAILED: the host answers on no access path")
                            + ". Fix " + work.repository() + " and push again.",
                    false,
                    rolledBackDetail(rollBack.get().details(), rolledBack, previousGeneration),
                    rolledBack);
        }
        List<Check> all = new ArrayList<>(checks);
        if (plan.phase() == AccessPhase.BOOTSTRAP && plan.steady().isPresent()) {
            Target steady = plan.steady().get();
            Optional<HostSession> steadySession = reconnect(host, steady, timeout);
            steadySession.ifPresent(HostSession::close);
            all.add(new Check(
                    "steady-access",
                    steadySession.isPresent(),
                    steady.address()
                            + (steadySession.isPresent()
                                    ? " answers on SSH: steady access from now on"
                                    : " does not answer yet: the next run uses bootstrap access again")));
            if (steadySession.isPresent()) {
                store.markSteady(host);
            }
        } else {
            store.markSteady(host);
        }
        if (RebootValidation.needed(seen.rebootPending(), rebootRequested)) {
            String bootIdBefore = seen.bootId();
            seen = rebootAndObserve(host, plan.primary(), bootIdBefore);
            List<Check> after = HealthChecks.evaluate(seen, result.builtSystem().orElse(null), commit);
            Check reboot = RebootValidation.check(bootIdBefore, seen);
            List<Check> access =
                    all.stream().filter(c -> c.name().equals("steady-access")).toList();
            List<Check> validated = RebootValidation.withReboot(after, reboot);
            all = new ArrayList<>(validated);
            all.addAll(access);
            if (!HealthChecks.allPassed(validated)) {
                throw new RunFailure(
                        "reboot-validation-failed",
                        host + ": after the reboot "
                                + validated.stream()
                                        .filter(c -> !c.passed())
                                        .map(Check::name)
                                        .toList() + " failed; the host runs generation " + seen.generation()
                                + " and was not rolled back",
                        false,
                        validated.stream()
                                .filter(c -> !c.passed())
                                .map(c -> new Detail("check-failed", c.name(), c.detail()))
                                .toList(),
                        false);
            }
        }
        return new Convergence(
                host,
                work.repository(),
                commit,
                seen.currentSystem(),
                seen.generation(),
                seen.configurationRevision(),
                seen.bootId(),
                seen.rebootPending(),
                plan.phase(),
                List.copyOf(all));
    }

    private HostObservation rebootAndObserve(String host, Target target, String bootIdBefore) throws Exception {
        try (HostSession session = open(host, target)) {
            session.run("systemctl reboot");
        } catch (SshException e) {
            LOG.debugf("%s: connection dropped by the reboot: %s", host, e.getMessage());
        }
        long deadline = System.nanoTime() + config.rebootTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            Optional<HostSession> session = reconnect(host, target, Duration.ofSeconds(1));
            if (session.isPresent()) {
                try (HostSession s = session.get()) {
                    HostObservation seen = observe(host, s);
                    if (!seen.bootId().equals(bootIdBefore)) {
                        return seen;
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new RunFailure(
                "reboot-timeout",
                host + " did not come back with a new boot id within "
                        + config.rebootTimeout().toSeconds() + " s after the reboot; check its console",
                true,
                List.of(),
                false);
    }

    private boolean rollBackIfChanged(String host, AccessPlan plan, long previousGeneration) {
        for (Target target : targets(plan)) {
            try (HostSession session = open(host, target)) {
                if (observe(host, session).generation() == previousGeneration) {
                    return false;
                }
            } catch (Exception e) {
                continue;
            }
            return rollBack(host, plan, previousGeneration);
        }
        return false;
    }

    /** Switches back to {@code generation} through the primary access path, else the other one. */
    private boolean rollBack(String host, AccessPlan plan, long generation) {
        for (Target target : targets(plan)) {
            try (HostSession session = open(host, target)) {
                CommandResult r = session.run("nix-env -p /nix/var/nix/profiles/system --switch-generation "
                        + generation + " && /nix/var/nix/profiles/system/bin/switch-to-configuration switch");
                if (r.ok()) {
                    LOG.warnf("%s: rolled back to generation %d via %s access", host, generation, target.phase());
                    return true;
                }
                LOG.errorf("%s: rollback via %s failed (exit %d): %s", host, target.phase(), r.exitCode(), r.stderr());
            } catch (SshException | RunFailure e) {
                LOG.warnf("%s: rollback via %s access impossible: %s", host, target.phase(), e.getMessage());
            }
        }
        return false;
    }

    private static List<Target> targets(AccessPlan plan) {
        List<Target> targets = new ArrayList<>();
        targets.add(plan.primary());
        plan.fallback().ifPresent(targets::add);
        return targets;
    }

    private static List<Detail> rolledBackDetail(List<Detail> details, boolean rolledBack, long generation) {
        List<Detail> all = new ArrayList<>(details);
        if (rolledBack) {
            all.add(new Detail("rolled-back", "generation " + generation, "switched back to generation " + generation));
        }
        return all;
    }

    private HostSession open(String host, Target target) throws SshException, RunFailure {
        try {
            return ssh.open(host, target.user(), target.address());
        } catch (HostKeyChangedException e) {
            throw new RunFailure(
                    "host-key-changed",
                    e.getMessage(),
                    false,
                    List.of(new Detail(
                            "host-key-changed",
                            host + " " + target.address(),
                            "pinned " + e.pinned() + ", presented " + e.seen())),
                    false);
        }
    }

    private Optional<HostSession> reconnect(String host, Target target, Duration within) throws RunFailure {
        long deadline = System.nanoTime() + within.toNanos();
        do {
            try {
                return Optional.of(open(host, target));
            } catch (SshException e) {
                LOG.debugf("%s: not answering on %s yet: %s", host, target.address(), e.getMessage());
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        } while (System.nanoTime() < deadline);
        return Optional.empty();
    }

    private void stageKey(String host, HostSession session, SecretFacts secrets) throws Exception {
        if (config.ageKeyDir().isEmpty()) {
            LOG.infof("%s: no handoff.converge.age-key-dir: no sops-nix key staged", host);
            return;
        }
        Path keyFile = Path.of(config.ageKeyDir().get()).resolve(host + ".agekey");
        if (!Files.isRegularFile(keyFile)) {
            throw new RunFailure(
                    "key-missing",
                    host + ": the age key file " + keyFile + " does not exist; put the"
                            + " host's age identity there (handoff.converge.age-key-dir)",
                    false,
                    List.of(),
                    false);
        }
        byte[] key = Files.readAllBytes(keyFile);
        List<String> recipients;
        try {
            recipients =
                    AgeIdentity.parse(new String(key, StandardCharsets.UTF_8)).recipients();
        } catch (IllegalArgumentException e) {
            throw new RunFailure(
                    "key-unreadable", host + ": " + keyFile + " is not an age identity file", false, List.of(), false);
        }
        if (!recipients.contains(secrets.recipient())) {
            throw new RunFailure(
                    "key-recipient-mismatch",
                    host + ": the key " + keyFile + " belongs to " + recipients + " but the secret facts say the host's"
                            + " recipient is " + secrets.recipient() + "; nothing was staged or activated. Put the"
                            + " right key there, or fix secrets.recipient in handoff.yaml",
                    false,
                    List.of(new Detail("key-recipient-mismatch", keyFile.toString(), "recipient " + recipients)),
                    false);
        }
        boolean written = session.stageFile(config.keyPath(), key);
        LOG.infof(
                "%s: sops-nix key for %s %s at %s (0600 in a 0700 directory)",
                host, secrets.recipient(), written ? "staged" : "unchanged", config.keyPath());
    }

    private HostObservation observe(String host, HostSession session) throws SshException {
        String current = session.run("readlink -f /run/current-system").stdout().trim();
        String version = session.run("nixos-version --json").stdout().trim();
        String revision = null;
        try {
            var node = JSON.readTree(version).path("configurationRevision");
            revision = node.isMissingNode() || node.isNull() ? null : node.asText();
        } catch (IOException e) {
            revision = null;
        }
        long generation = 0;
        for (String line : session.run("nix-env -p /nix/var/nix/profiles/system --list-generations")
                .stdout()
                .split("\n")) {
            if (line.contains("(current)")) {
                generation = Long.parseLong(line.trim().split("\\s+")[0]);
            }
        }
        String state = session.run("systemctl is-system-running").stdout().trim();
        List<String> failed = session.run("systemctl --failed --no-legend --plain")
                .stdout()
                .lines()
                .filter(l -> !l.isBlank())
                .map(l -> l.trim().split("\\s+")[0])
                .toList();
        List<String> required =
                HealthChecks.requiredUnits(inventory.hosts().get(host).role());
        List<String> states = session.run("systemctl is-active " + String.join(" ", required))
                .stdout()
                .lines()
                .toList();
        Map<String, String> units = new LinkedHashMap<>();
        for (int i = 0; i < required.size(); i++) {
            units.put(required.get(i), i < states.size() ? states.get(i).trim() : "unknown");
        }
        boolean secrets = session.run("test -d /run/secrets").ok();
        String currentKernel =
                session.run("readlink -f /run/current-system/kernel").stdout().trim();
        String bootedKernel =
                session.run("readlink -f /run/booted-system/kernel").stdout().trim();
        String bootId =
                session.run("cat /proc/sys/kernel/random/boot_id").stdout().trim();
        return new HostObservation(
                current, revision, generation, state, failed, units, secrets, currentKernel, bootedKernel, bootId);
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "stored facts unreadable as " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static CloudFacts emptyCloud(String host) {
        return new CloudFacts(host, null, null, null, null, null, null, List.of(), null, null);
    }
}
