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
import dev.handoff.common.event.v1.StageWaiting;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.inventory.PushScope;
import dev.handoff.common.lock.HostLock;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.Json;
import dev.handoff.common.stage.StageEvents;
import dev.handoff.converge.config.ConvergeConfig;
import dev.handoff.converge.driver.Activator;
import dev.handoff.converge.driver.BuildPlace;
import dev.handoff.converge.driver.CommandResult;
import dev.handoff.converge.driver.ConvergedStore;
import dev.handoff.converge.driver.DeployFlake;
import dev.handoff.converge.driver.FactsStore;
import dev.handoff.converge.driver.HostKeyChangedException;
import dev.handoff.converge.driver.HostKeyRefusedException;
import dev.handoff.converge.driver.HostObserver;
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
import dev.handoff.converge.stage.RollbackGuard;
import dev.handoff.converge.stage.Triggers;
import dev.handoff.sops.AgeIdentity;
import dev.handoff.support.StageKafka;
import dev.handoff.support.ssh.AddressMap;
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
    /** How often a trigger waiting for cloud facts looks for them. */
    private static final java.time.Duration FACTS_POLL = java.time.Duration.ofMillis(250);

    private final Inventory inventory;
    private final EventCodec codec;
    private final EventPublisher publisher;
    private final FactsStore store;
    private final ConvergedStore converged;
    private final HostObserver observer;
    private final HostLock lock;
    private final String source;
    private final RuntimeCheckout checkout;
    private final SshjHosts ssh;
    private final Activator activator;
    private final BuildPlace place;
    private final AddressMap buildHostAddresses;
    private final ConvergeConfig.Converge config;
    /** Evaluations by runtime/secrets/facts revision: host → system derivation (the newest 64). */
    private final Map<String, Map<String, String>> evaluations = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Map<String, String>> eldest) {
            return size() > 64;
        }
    };

    private final StageEvents events;
    private final dev.handoff.support.StageOutcomes outcomes;
    private final FactsCache factsCache = new FactsCache();
    private final java.util.concurrent.locks.ReentrantReadWriteLock buildHost =
            new java.util.concurrent.locks.ReentrantReadWriteLock(true);

    public ConvergeStageHandler(
            Inventory inventory,
            EventCodec codec,
            EventPublisher publisher,
            FactsStore store,
            ConvergedStore converged,
            HostLock lock,
            RuntimeCheckout checkout,
            SshjHosts ssh,
            Activator activator,
            BuildPlace place,
            ConvergeConfig.Converge config,
            StageKafka kafka,
            dev.handoff.support.StageOutcomes outcomes) {
        this.inventory = inventory;
        this.codec = codec;
        this.publisher = publisher;
        this.store = store;
        this.converged = converged;
        this.observer = new HostObserver(inventory);
        this.lock = lock;
        this.checkout = checkout;
        this.ssh = ssh;
        this.activator = activator;
        this.place = place;
        this.buildHostAddresses =
                AddressMap.parse(config.buildHostAddresses().orElse(""), "handoff.converge.build-host-addresses");
        this.config = config;
        this.source = kafka.source();
        this.events = new StageEvents(Stage.CONVERGE, source, codec);
        this.outcomes = outcomes;
    }

    /** Handles a batch in order; throwing makes the consumer loop retry it. */
    public void handle(List<ReceivedEvent> batch) throws Exception {
        for (ReceivedEvent received : batch) {
            EventEnvelope trigger = received.event();
            for (ConvergeWork work : plan(trigger)) {
                runNow(trigger, work);
            }
        }
    }

    /**
     * Runs {@code work} because of {@code trigger} now, under the host's lock (and the build host's gate): what a
     * trigger from a topic does, and what the watch does to converge a drifted host back ({@code onDrift:
     * reconverge}). The run's events carry the trigger's deployment id and have the trigger as causation.
     */
    public void runNow(EventEnvelope trigger, ConvergeWork work) throws Exception {
        Optional<java.util.concurrent.locks.Lock> onBuildHost = buildHostGate(work.host());
        if (onBuildHost.isPresent()) {
            onBuildHost.get().lockInterruptibly();
        }
        try (HostLock.Held held = lock.acquire(work.host())) {
            // a trigger delivered again after its run ended publishes that run's outcome, it does not activate the
            // host a second time (docs/converge-service.md, "Re-delivery and crashes")
            if (!outcomes.republished(trigger, workKey(work), config.publishTimeout())) {
                run(trigger, work);
            }
        } finally {
            onBuildHost.ifPresent(java.util.concurrent.locks.Lock::unlock);
        }
    }

    /**
     * The build host's gate: every run that builds on the build host passes it shared, and the build host's own run
     * exclusively — its activation may restart sshd or reboot it, which would cut the other hosts' builds off — so it
     * waits for the running builds to end, and the builds that come after it wait for it (fair order).
     */
    private Optional<java.util.concurrent.locks.Lock> buildHostGate(String host) {
        if (!(place instanceof BuildPlace.Remote remote)) {
            return Optional.empty();
        }
        return Optional.of(
                isBuildHost(inventory.hosts().get(host), remote.address())
                        ? buildHost.writeLock()
                        : buildHost.readLock());
    }

    /** Whether {@code host} is reached at {@code buildHostAddress}, on its bootstrap or its steady access. */
    static boolean isBuildHost(Inventory.Host host, String buildHostAddress) {
        return Optional.ofNullable(host)
                .flatMap(Inventory.Host::access)
                .map(a -> (a.bootstrap() != null
                                && buildHostAddress.equals(a.bootstrap().address()))
                        || (a.steady() != null
                                && buildHostAddress.equals(a.steady().address())))
                .orElse(false);
    }

    private List<ConvergeWork> plan(EventEnvelope trigger) throws Exception {
        if (EventType.COMMIT_PUSHED.type().equals(trigger.type())) {
            CommitPushed push = codec.payload(trigger, CommitPushed.class);
            PushScope.Verdict scope = PushScope.judge(push, trigger.subject(), Stage.CONVERGE, inventory);
            if (scope.refused()) {
                LOG.warnf(
                        "converge refused a push for %s (%s): %s", trigger.subject(), scope.reason(), scope.message());
                publisher.publishAll(
                        List.of(events.failed(
                                trigger,
                                trigger.subject(),
                                scope.reason(),
                                scope.message(),
                                false,
                                List.of(new Detail(scope.reason(), push.repository(), scope.message())))),
                        config.publishTimeout());
                return List.of();
            }
            return Triggers.forPush(push, trigger.subject(), inventory);
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
        awaitCloudFacts(trigger, work.host());
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
        outcomes.publish(trigger, workKey(work), outcome, config.publishTimeout());
        if (EventType.CONVERGENCE_COMPLETED.type().equals(outcome.type())) {
            // what the watch compares the host with from now on; a drift reported before is forgotten
            converged.keep(
                    work.host(),
                    outcome.deploymentId(),
                    outcome.id(),
                    outcome.time().toInstant(),
                    outcome.data());
        }
    }

    /** What {@link dev.handoff.support.StageOutcomes} keeps a run's outcome under: host and repository. */
    private static String workKey(ConvergeWork work) {
        return work.host() + " " + work.repository();
    }

    /**
     * When {@code host} needs cloud facts, has none yet and its infra deployment is running, publishes
     * {@code convergence.waiting} and waits for them (at most {@code handoff.converge.cloud-facts-wait}); returns when
     * they arrived, when the infra deployment ended without them, or at the deadline (the run then fails with
     * {@code no-cloud-facts}).
     */
    private void awaitCloudFacts(EventEnvelope trigger, String host) throws Exception {
        Inventory.Host inventoryHost = inventory.hosts().get(host);
        if (inventoryHost == null
                || inventoryHost.cloud().isEmpty()
                || store.newest(host, FactsStore.Kind.CLOUD).isPresent()) {
            return;
        }
        Optional<FactsStore.InfraRunning> producing = store.infraRunning(host);
        if (producing.isEmpty()) {
            return;
        }
        java.time.Instant until = java.time.Instant.now().plus(config.cloudFactsWait());
        String producer = producing.get().deploymentId();
        publisher.publishAll(
                List.of(codec.newEvent(
                        EventType.CONVERGENCE_WAITING,
                        source,
                        host,
                        trigger.deploymentId() != null
                                ? trigger.deploymentId()
                                : java.util.UUID.randomUUID().toString(),
                        trigger.id(),
                        new StageWaiting(
                                host,
                                Stage.CONVERGE.id(),
                                "cloud-facts",
                                uuidOrNull(producer),
                                until,
                                "converge waits for the cloud facts of " + host + ": its infra deployment " + producer
                                        + " is running; it fails with no-cloud-facts if none arrive by " + until))),
                config.publishTimeout());
        LOG.infof("converge of %s waits for the cloud facts of infra deployment %s (until %s)", host, producer, until);
        while (java.time.Instant.now().isBefore(until)) {
            if (store.newest(host, FactsStore.Kind.CLOUD).isPresent()
                    || store.infraRunning(host).isEmpty()) {
                return;
            }
            Thread.sleep(FACTS_POLL.toMillis());
        }
    }

    private static String uuidOrNull(String id) {
        try {
            return java.util.UUID.fromString(id).toString().equals(id) ? id : null;
        } catch (IllegalArgumentException notUuid) {
            return null;
        }
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
                            + " (public IP, volumes) and no infra deployment of " + host + " is producing them (or it"
                            + " ended, or did not within handoff.converge.cloud-facts-wait); run the infra stage for "
                            + host + " first",
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
        RuntimeCheckout.deleteTree(runDir);
        Files.createDirectories(runDir);
        String seenAt = place.seenAt(host, runDir);
        RuntimeCheckout.Checkout tree;
        try {
            tree = checkout.checkoutInto(
                    runDir.resolve("runtime"), work.repository(), work.cloneUrl(), work.branch(), work.commit());
        } catch (IOException e) {
            throw new RunFailure("repository-unreachable", e.getMessage(), true, List.of(), false);
        }
        RuntimeCheckout.Checkout secretsTree = checkOutSecrets(host, inventoryHost, secrets, runDir.resolve("secrets"));
        DeployFlake.Prepared deploy = DeployFlake.prepare(
                runDir,
                seenAt,
                tree.commit(),
                secretsTree.commit(),
                factsOfHosts(work.repository(), host, plan.phase(), cloud, secrets),
                host);
        boolean rebootRequested =
                Files.exists(tree.dir().resolve("hosts").resolve(host).resolve("reboot-after-switch"));

        Target primary = plan.primary();
        long previousGeneration;
        try (HostSession session = open(host, primary)) {
            previousGeneration = observe(host, session).generation();
            stageKey(host, session, secrets);
            writeSshConfig(runDir.resolve("ssh"), seenAt + "/ssh", host, primary, session);
        }
        try {
            place.stage(host, runDir);
        } catch (IOException e) {
            throw new RunFailure(
                    "build-host-unreachable",
                    host + ": cannot stage the run on " + place.describe() + ": " + e.getMessage(),
                    true,
                    List.of(),
                    false);
        }
        String cwd = seenAt + "/deploy";
        Map<String, String> env = activator.environment(seenAt + "/ssh/ssh_config");
        evaluate(host, work, deploy, cwd, env);
        boolean onTarget = inventoryHost
                .system()
                .map(system -> !system.equals(config.buildHostSystem()))
                .orElse(false);
        String expected = build(host, work, primary.user(), onTarget, cwd, env);
        Optional<ArmedGuard> guard = armGuard(host, primary, previousGeneration);
        BuildPlace.Outcome switched = step(
                place, host, Activator.Step.SWITCH, activator.commandLine(host, primary.user(), onTarget), cwd, env);
        ActivationResult result = new ActivationResult(
                switched.exitCode(), switched.timedOut(), Optional.of(expected), switched.output());
        if (!result.succeeded()) {
            boolean rolledBack = rollBackIfChanged(host, plan, previousGeneration);
            String how = "";
            if (!rolledBack && guard.isPresent()) {
                rolledBack = awaitGuard(host, plan, previousGeneration, guard.get());
                how = rolledBack ? " by the host's rollback guard" : "";
            }
            throw new RunFailure(
                    result.reason(),
                    host + ": activation of " + work.repository() + "@" + tree.commit() + " failed ("
                            + result.reason() + ", exit " + result.exitCode() + ")"
                            + (rolledBack ? "; rolled back to generation " + previousGeneration + how : "")
                            + ". See the activator output in converge-service's log, fix the configuration and push again.",
                    result.timedOut(),
                    rolledBackDetail(
                            List.of(new Detail(
                                    result.reason(), "switch-to-configuration", "exit code " + result.switchCode())),
                            rolledBack,
                            previousGeneration),
                    rolledBack);
        }
        return confirm(
                work,
                plan,
                tree.commit(),
                result,
                previousGeneration,
                rebootRequested,
                guard,
                new Convergence.BuiltFrom(
                        secrets.repository(), deploy.secretsCommit(), deploy.factsRevision(), deploy.factsSha256()));
    }

    /**
     * Checks out the secrets repository at the commit the secrets stage verified for {@code host}, from the URL
     * handoff.yaml gives it; the repository must be one the host deploys from.
     */
    private RuntimeCheckout.Checkout checkOutSecrets(
            String host, Inventory.Host inventoryHost, SecretFacts secrets, Path dir) throws RunFailure {
        Inventory.Repository repository = inventory.repositories().get(secrets.repository());
        if (repository == null || !inventoryHost.repositories().contains(secrets.repository())) {
            throw new RunFailure(
                    "secrets-repository-unknown",
                    host + ": the secret facts name the repository " + secrets.repository()
                            + ", which handoff.yaml does not list for " + host + "; nothing was built. Fix the"
                            + " inventory or re-run the secrets stage",
                    false,
                    List.of(),
                    false);
        }
        if (secrets.commit() == null || !secrets.commit().matches("[0-9a-f]{40}|[0-9a-f]{64}")) {
            throw new RunFailure(
                    "secrets-commit-unavailable",
                    host + ": the secret facts carry no commit id; re-run the secrets stage",
                    false,
                    List.of(),
                    false);
        }
        try {
            return checkout.checkoutInto(
                    dir, secrets.repository(), repository.url(), repository.branch(), Optional.of(secrets.commit()));
        } catch (IOException e) {
            throw new RunFailure(
                    "secrets-commit-unavailable",
                    host + ": cannot check out the verified secrets commit " + secrets.commit() + " of "
                            + secrets.repository() + ": " + e.getMessage(),
                    true,
                    List.of(),
                    false);
        }
    }

    /**
     * The facts file of every host deployed from {@code repository} whose facts are known, {@code host}'s with the
     * phase of this run: one facts repository per commit, so hosts of one commit share one evaluation.
     */
    private Map<String, byte[]> factsOfHosts(
            String repository, String host, AccessPhase phase, Optional<CloudFacts> cloud, SecretFacts secrets)
            throws IOException, java.sql.SQLException {
        Map<String, byte[]> facts = new java.util.TreeMap<>(othersFacts(repository));
        facts.put(host, factsJson(host, phase, cloud, secrets));
        return facts;
    }

    /**
     * The facts of every host of {@code repository} that has them, as the deploy flake holds them; built once per
     * state of the kept facts and shared by the runs of a fleet (each run then replaces its own host's entry).
     */
    private Map<String, byte[]> othersFacts(String repository) throws IOException, java.sql.SQLException {
        String version = repository + "@" + store.version();
        synchronized (factsCache) {
            if (version.equals(factsCache.version)) {
                return factsCache.facts;
            }
        }
        Map<String, FactsStore.HostState> kept = store.all();
        Map<String, byte[]> facts = new java.util.TreeMap<>();
        for (Inventory.Host other : inventory.hosts().values()) {
            FactsStore.HostState state = kept.get(other.name());
            if (!other.repositories().contains(repository) || state == null) {
                continue;
            }
            try {
                Optional<CloudFacts> otherCloud = state.cloud().map(json -> read(json, CloudFacts.class));
                Optional<SecretFacts> otherSecrets = state.secret().map(json -> read(json, SecretFacts.class));
                if (otherSecrets.isEmpty() || (other.cloud().isPresent() && otherCloud.isEmpty())) {
                    continue;
                }
                AccessPhase otherPhase =
                        AccessPlan.choose(other, otherCloud, state.steady()).phase();
                facts.put(other.name(), factsJson(other.name(), otherPhase, otherCloud, otherSecrets.get()));
            } catch (RuntimeException e) {
                LOG.debugf("no facts for %s in this build: %s", other.name(), e.getMessage());
            }
        }
        Map<String, byte[]> shared = java.util.Collections.unmodifiableMap(facts);
        synchronized (factsCache) {
            factsCache.version = version;
            factsCache.facts = shared;
        }
        return shared;
    }

    /** The newest facts of a repository's hosts and the state of the kept facts they were built from. */
    private static final class FactsCache {
        String version;
        Map<String, byte[]> facts;
    }

    private static byte[] factsJson(String host, AccessPhase phase, Optional<CloudFacts> cloud, SecretFacts secrets)
            throws IOException {
        return JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(HandoffFacts.of(host, phase, cloud.orElse(emptyCloud(host)), secrets));
    }

    /** Writes the activator's ssh_config for the primary target, as seen from where the activator runs. */
    private void writeSshConfig(Path dir, String seenAt, String host, Target primary, HostSession session)
            throws IOException {
        String hostName;
        int port;
        String identity;
        if (place instanceof BuildPlace.Remote) {
            AddressMap.HostPort there = buildHostAddresses.resolve(primary.address());
            hostName = there.host();
            port = there.port();
            identity = config.buildHostIdentity();
        } else {
            hostName = session.hostName();
            port = session.port();
            identity = Path.of(config.sshIdentity()).toAbsolutePath().toString();
        }
        String key = session.hostKey();
        String name = port == 22 ? hostName : "[" + hostName + "]:" + port;
        Activator.writeSshConfig(dir, seenAt, host, hostName, port, primary.user(), identity, name + " " + key);
    }

    /** Evaluates the hosts of the deploy flake once per runtime, secrets and facts revision; fails as evaluation-failed. */
    private void evaluate(
            String host, ConvergeWork work, DeployFlake.Prepared deploy, String cwd, Map<String, String> env)
            throws Exception {
        String key = deploy.runtimeCommit() + "/" + deploy.secretsCommit() + "/" + deploy.factsRevision();
        synchronized (evaluations) {
            Map<String, String> known = evaluations.get(key);
            if (known != null && known.containsKey(host)) {
                LOG.infof(
                        "%s: evaluation of %s@%s reused (%s)",
                        host, work.repository(), deploy.runtimeCommit(), known.get(host));
                return;
            }
        }
        BuildPlace.Outcome all =
                step(place, host, Activator.Step.EVALUATE, activator.evaluate(deploy.hosts()), cwd, env);
        Map<String, String> drvs = all.exitCode() == 0 ? drvPaths(all.output()) : Map.of();
        if (!drvs.containsKey(host)) {
            BuildPlace.Outcome one = step(place, host, Activator.Step.EVALUATE, activator.evaluate(host), cwd, env);
            drvs = one.exitCode() == 0 ? drvPaths(one.output()) : Map.of();
            if (!drvs.containsKey(host)) {
                throw stepFailure(host, work, Activator.Step.EVALUATE, one, deploy.runtimeCommit());
            }
        }
        synchronized (evaluations) {
            evaluations.put(key, drvs);
        }
        LOG.infof("%s: evaluated %s@%s: %s", host, work.repository(), deploy.runtimeCommit(), drvs.get(host));
    }

    /** The {@code host → drvPath} JSON object the evaluation printed last. */
    private static Map<String, String> drvPaths(String output) {
        List<String> lines = output.lines().toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i).strip();
            if (line.startsWith("{")) {
                try {
                    Map<String, String> drvs = new LinkedHashMap<>();
                    JSON.readTree(line).fields().forEachRemaining(e -> {
                        if (e.getValue().isTextual() && e.getValue().asText().startsWith("/nix/store/")) {
                            drvs.put(e.getKey(), e.getValue().asText());
                        }
                    });
                    return drvs;
                } catch (IOException e) {
                    return Map.of();
                }
            }
        }
        return Map.of();
    }

    /** Builds the host's system; returns the store path the host must run after the switch. */
    private String build(
            String host, ConvergeWork work, String user, boolean onTarget, String cwd, Map<String, String> env)
            throws Exception {
        BuildPlace.Outcome built =
                step(place, host, Activator.Step.BUILD, activator.build(host, user, onTarget), cwd, env);
        if (built.exitCode() != 0) {
            throw stepFailure(
                    host, work, Activator.Step.BUILD, built, work.commit().orElse("the branch head"));
        }
        Optional<String> path = ActivationResult.of(0, false, built.output()).builtSystem();
        if (!activator.builtPath().isEmpty()) {
            BuildPlace.Outcome result = step(place, host, Activator.Step.BUILD, activator.builtPath(), cwd, Map.of());
            String line = result.output().strip();
            path = result.exitCode() == 0 && line.startsWith("/nix/store/") ? Optional.of(line) : Optional.empty();
        }
        return path.orElseThrow(() -> new RunFailure(
                Activator.Step.BUILD.reason(),
                host + ": the build finished but did not say which system it built (" + activator.kind()
                        + "); nothing was switched. Check the activator's version and its output in"
                        + " converge-service's log",
                false,
                List.of(),
                false));
    }

    private RunFailure stepFailure(
            String host, ConvergeWork work, Activator.Step step, BuildPlace.Outcome outcome, String commit) {
        List<String> lines = outcome.output().lines().filter(l -> !l.isBlank()).toList();
        String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        return new RunFailure(
                step.reason(),
                host + ": the " + step.name().toLowerCase() + " step of " + work.repository() + "@" + commit + " on "
                        + place.describe() + " failed"
                        + (outcome.timedOut() ? " (timed out)" : " (exit " + outcome.exitCode() + ")")
                        + "; nothing was switched, the host runs what it ran. Fix " + work.repository()
                        + " and push again",
                outcome.timedOut(),
                List.of(new Detail(step.reason(), step.name().toLowerCase(), tail.isEmpty() ? "no output" : tail)),
                false);
    }

    /**
     * Runs one activator step where the activator runs; a build host that does not answer, or an activator that cannot
     * start, fails the run with a reason that says which (never a retry loop on a configuration problem).
     */
    private BuildPlace.Outcome step(
            BuildPlace where, String host, Activator.Step step, List<String> argv, String cwd, Map<String, String> env)
            throws RunFailure, InterruptedException {
        try {
            return activator.run(where, host, step, argv, cwd, env);
        } catch (IOException e) {
            boolean remote = where instanceof BuildPlace.Remote;
            throw new RunFailure(
                    remote ? "build-host-unreachable" : "activator-unavailable",
                    e.getMessage(),
                    remote,
                    List.of(),
                    false);
        }
    }

    /**
     * A rollback guard armed on a host.
     *
     * @param unit its systemd unit name
     * @param firesAt when it rolls the host back unless disarmed ({@link System#nanoTime()})
     */
    private record ArmedGuard(String unit, long firesAt) {}

    /** Arms the host-side rollback guard before the switch; empty when disabled. */
    private Optional<ArmedGuard> armGuard(String host, Target primary, long previousGeneration) throws Exception {
        if (config.rollbackGuard().isZero()) {
            return Optional.empty();
        }
        String unit = RollbackGuard.unit(
                previousGeneration,
                Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong(2_176_782_336L), 36));
        boolean sudo = !"root".equals(primary.user());
        try (HostSession session = open(host, primary)) {
            CommandResult armed =
                    session.run(RollbackGuard.arm(unit, previousGeneration, config.rollbackGuard(), sudo));
            if (!armed.ok()) {
                throw new RunFailure(
                        "rollback-guard-unavailable",
                        host + ": the rollback guard could not be armed (systemd-run exit " + armed.exitCode() + ": "
                                + armed.stderr().strip() + "); nothing was switched. Give the SSH user systemd-run"
                                + " (root, or sudo without a password), or set handoff.converge.rollback-guard=0s",
                        false,
                        List.of(),
                        false);
            }
        }
        long firesAt = System.nanoTime() + config.rollbackGuard().toNanos();
        LOG.infof(
                "%s: rollback guard %s armed: back to generation %d in %d s unless confirmed",
                host, unit, previousGeneration, config.rollbackGuard().toSeconds());
        return Optional.of(new ArmedGuard(unit, firesAt));
    }

    /**
     * Waits for the rollback guard to have fired (until its time and the confirm timeout after it): whether the host
     * then answers on an access path and runs {@code previousGeneration} again.
     */
    private boolean awaitGuard(String host, AccessPlan plan, long previousGeneration, ArmedGuard guard)
            throws InterruptedException {
        long deadline = guard.firesAt() + config.confirmTimeout().toNanos();
        LOG.warnf(
                "%s: no access path answers; waiting up to %d s for the host's rollback guard",
                host, Math.max(0, (deadline - System.nanoTime()) / 1_000_000_000L));
        do {
            for (Target target : targets(plan)) {
                try (HostSession session = open(host, target)) {
                    if (observe(host, session).generation() == previousGeneration) {
                        LOG.warnf(
                                "%s: the host's rollback guard switched it back to generation %d",
                                host, previousGeneration);
                        return true;
                    }
                } catch (SshException | RunFailure e) {
                    LOG.debugf("%s: not answering on %s yet: %s", host, target.address(), e.getMessage());
                }
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        return false;
    }

    private Convergence confirm(
            ConvergeWork work,
            AccessPlan plan,
            String commit,
            ActivationResult result,
            long previousGeneration,
            boolean rebootRequested,
            Optional<ArmedGuard> guard,
            Convergence.BuiltFrom builtFrom)
            throws Exception {
        String host = work.host();
        Duration timeout = config.confirmTimeout();
        boolean sudo = !"root".equals(plan.primary().user());
        Optional<HostSession> confirmed = reconnect(host, plan.primary(), timeout);
        List<Check> checks = List.of();
        HostObservation seen = null;
        Optional<ConfirmDecision.RollBack> rollBack;
        if (confirmed.isPresent()) {
            try (HostSession session = confirmed.get()) {
                seen = observe(host, session);
                checks = HealthChecks.evaluate(seen, result.builtSystem().orElse(null), commit);
                rollBack = ConfirmDecision.decide(host, seen.generation(), true, timeout, checks);
                if (rollBack.isEmpty() && guard.isPresent()) {
                    CommandResult disarmed =
                            session.run(RollbackGuard.disarm(guard.get().unit(), sudo));
                    if (!disarmed.ok()) {
                        throw new RunFailure(
                                "rollback-guard-not-disarmed",
                                host + ": generation " + seen.generation() + " passed its checks but the rollback"
                                        + " guard " + guard.get().unit() + " could not be stopped (exit "
                                        + disarmed.exitCode() + ": "
                                        + disarmed.stderr().strip() + "); it will"
                                        + " roll the host back. Push again once the host answers",
                                true,
                                List.of(),
                                false);
                    }
                    LOG.infof(
                            "%s: generation %d confirmed; rollback guard %s disarmed",
                            host, seen.generation(), guard.get().unit());
                }
            }
        } else {
            rollBack = ConfirmDecision.decide(host, previousGeneration + 1, false, timeout, checks);
        }
        if (rollBack.isPresent()) {
            boolean rolledBack = rollBack(host, plan, previousGeneration);
            String how = "";
            if (rolledBack) {
                guard.ifPresent(armed -> disarmQuietly(host, plan, armed.unit(), sudo));
            } else if (guard.isPresent()) {
                rolledBack = awaitGuard(host, plan, previousGeneration, guard.get());
                how = rolledBack ? " by the host's rollback guard" : "";
            }
            throw new RunFailure(
                    rollBack.get().reason(),
                    rollBack.get().message()
                            + (rolledBack
                                    ? "; rolled back to generation " + previousGeneration + how
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
                List.copyOf(all),
                builtFrom);
    }

    /** Stops the guard after a rollback from outside (it would only switch to the same generation again). */
    private void disarmQuietly(String host, AccessPlan plan, String unit, boolean sudo) {
        for (Target target : targets(plan)) {
            try (HostSession session = open(host, target)) {
                if (session.run(RollbackGuard.disarm(unit, sudo)).ok()) {
                    return;
                }
            } catch (SshException | RunFailure e) {
                LOG.debugf("%s: guard %s not stopped via %s: %s", host, unit, target.phase(), e.getMessage());
            }
        }
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

    /**
     * Opens SSH to the host; its key is checked before anything is done on it (and so before the age key is staged).
     * A key it presents is pinned only at its first bootstrap: until it has converged and answered on its steady
     * address.
     */
    private HostSession open(String host, Target target) throws SshException, RunFailure {
        try {
            return ssh.open(host, target.user(), target.address(), !steadyReached(host));
        } catch (HostKeyRefusedException e) {
            throw new RunFailure(
                    e.reason(),
                    e.getMessage(),
                    e.retryable(),
                    List.of(new Detail(e.reason(), host + " " + target.address(), e.getMessage())),
                    false);
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

    private boolean steadyReached(String host) throws SshException {
        try {
            return store.steadyReached(host);
        } catch (java.sql.SQLException e) {
            throw new SshException(host + ": cannot read whether the host converged before: " + e.getMessage(), e);
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
        return observer.observe(host, session);
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
