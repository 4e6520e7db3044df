package dev.handoff.infra.run;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.event.v1.CloudFacts.PlanSummary;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import dev.handoff.common.stage.StageEvents;
import dev.handoff.infra.config.InfraConfig;
import dev.handoff.infra.driver.CloudReader;
import dev.handoff.infra.driver.FactsStore;
import dev.handoff.infra.driver.RepositoryCheckout;
import dev.handoff.infra.driver.StateArchive;
import dev.handoff.infra.driver.StateStore;
import dev.handoff.infra.driver.TerramateStacks;
import dev.handoff.infra.driver.Tofu;
import dev.handoff.infra.messaging.InfraKafka;
import dev.handoff.infra.stage.ApprovalPolicy;
import dev.handoff.infra.stage.DriftCheck;
import dev.handoff.infra.stage.ObservedInstance;
import dev.handoff.infra.stage.PlanJson;
import dev.handoff.infra.stage.PlanReport;
import dev.handoff.infra.stage.Redactor;
import dev.handoff.infra.stage.StackOrder;
import dev.handoff.infra.stage.StageFailure;
import dev.handoff.infra.stage.TofuOutputs;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * One run of the infra stage for one host: check out the pushed commit, plan every stack in dependency order, hold a
 * destructive plan for approval, archive each state and apply, read the outputs, read the instance back from the
 * provider and compare, then publish {@code cloud-facts.completed} or {@code .failed}. Runs are serialized: one at a
 * time, so one stack never sees two tofu processes.
 */
@ApplicationScoped
public class InfraRun {
    private static final Logger LOG = Logger.getLogger(InfraRun.class);
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(30);

    private final InfraConfig config;
    private final Inventory inventory;
    private final EventCodec codec;
    private final EventPublisher publisher;
    private final StageEvents events;
    private final ApprovalGate approvals;
    private final Tofu tofu;
    private final StateStore states;
    private final StateArchive archives;
    private final CloudReader cloud;
    private final FactsStore facts;

    public InfraRun(
            InfraConfig config,
            Inventory inventory,
            EventCodec codec,
            EventPublisher publisher,
            ApprovalGate approvals,
            Tofu tofu,
            StateStore states,
            StateArchive archives,
            CloudReader cloud,
            FactsStore facts) {
        this.config = config;
        this.inventory = inventory;
        this.codec = codec;
        this.publisher = publisher;
        this.events = new StageEvents(Stage.INFRA, InfraKafka.SOURCE, codec);
        this.approvals = approvals;
        this.tofu = tofu;
        this.states = states;
        this.archives = archives;
        this.cloud = cloud;
        this.facts = facts;
    }

    /** A stack of this run: where it is checked out, its plan, and whether it was applied. */
    private record StackRun(String path, Path dir, PlanReport plan) {}

    /**
     * Runs the stage for a {@code commit.pushed} of a repository that starts at infra; other events are ignored.
     *
     * @throws EventPublisher.PublishException when Kafka did not take the stage's events (the caller retries)
     */
    public synchronized void run(EventEnvelope trigger)
            throws EventPublisher.PublishException, InvalidEventException, InterruptedException {
        CommitPushed push = codec.payload(trigger, CommitPushed.class);
        if (!Stage.INFRA.id().equals(push.stage())) {
            return;
        }
        String host = trigger.subject();
        publish(events.started(trigger, host, push.repository(), push.after()));
        Redactor redactor = new Redactor();
        Path workDir = config.infra()
                .workDir()
                .resolve(trigger.deploymentId() == null ? trigger.id() : trigger.deploymentId());
        try {
            CloudFacts result = execute(trigger, host, push, workDir, redactor);
            publish(events.completed(trigger, host, result));
            facts.save(result);
            LOG.infof(
                    "cloud facts of %s from %s@%s: instance %s, private %s, public %s, %d volume(s)",
                    host,
                    push.repository(),
                    push.after(),
                    result.instanceId(),
                    result.privateIp(),
                    result.publicIp(),
                    result.volumes().size());
        } catch (StageFailure f) {
            String message = redactor.redact(f.getMessage());
            List<StageFailed.Detail> details = f.details().stream()
                    .map(d -> new StageFailed.Detail(
                            d.code(), redactor.redact(d.subject()), redactor.redact(d.message())))
                    .toList();
            LOG.warnf("infra stage failed for %s (%s): %s", host, f.reason(), message);
            publish(events.failed(trigger, host, f.reason(), message, f.retryable(), details));
        } finally {
            deleteTree(workDir);
        }
    }

    private CloudFacts execute(EventEnvelope trigger, String host, CommitPushed push, Path workDir, Redactor redactor)
            throws StageFailure, InterruptedException, EventPublisher.PublishException, InvalidEventException {
        Inventory.Cloud hostCloud = inventory.hosts().containsKey(host)
                ? inventory.hosts().get(host).cloud().orElse(null)
                : null;
        if (hostCloud == null || !"oci".equals(hostCloud.provider())) {
            throw new StageFailure(
                    "no-cloud",
                    "host " + host + " has no 'cloud: {provider: oci, …}' in handoff.yaml, so the infra stage cannot"
                            + " read it back; add it, or remove " + push.repository() + " from the host's repositories",
                    false,
                    List.of(new StageFailed.Detail("no-cloud", host, "no OCI cloud in handoff.yaml")));
        }
        deleteTree(workDir);
        Path checkout = workDir.resolve("repo");
        RepositoryCheckout.checkout(push.repository(), push.cloneUrl(), push.after(), checkout);
        List<String> listed = inventory
                .repository(push.repository())
                .map(Inventory.Repository::stacks)
                .orElse(List.of());
        List<StackOrder.Stack> ordered = TerramateStacks.find(checkout, listed);
        if (ordered.isEmpty()) {
            throw new StageFailure(
                    "no-stacks",
                    push.repository() + "@" + push.after() + " has no stacks: no Terramate stack (stack.tm.hcl), no"
                            + " 'stacks' listed for it in handoff.yaml and no *.tf at its root",
                    false,
                    List.of(new StageFailed.Detail("no-stacks", push.repository(), "nothing to plan")));
        }

        List<StackRun> stacks = new ArrayList<>();
        TofuOutputs outputs = TofuOutputs.empty();
        for (StackOrder.Stack stack : ordered) {
            Path dir = checkout.resolve(stack.path()).normalize();
            copyStateIn(push.repository(), stack.path(), dir, redactor);
            Map<String, String> env = outputs.asVariables();
            tofu.init(dir, env, redactor);
            boolean changes = tofu.plan(dir, env, redactor);
            PlanReport plan = changes
                    ? PlanJson.parse(stack.path(), tofu.showPlanJson(dir, env, redactor))
                    : new PlanReport(stack.path(), "1.2", List.of());
            stacks.add(new StackRun(stack.path(), dir, plan));
            TofuOutputs stackOutputs = TofuOutputs.parse(stack.path(), tofu.outputJson(dir, env, redactor));
            redactor.learn(stackOutputs.sensitiveValues());
            outputs = stackOutputs.over(outputs);
            LOG.infof(
                    "plan of %s %s: %d to add, %d to change, %d to destroy",
                    push.repository(), stack.path(), plan.add(), plan.change(), plan.destroy());
        }

        PlanSummary summary =
                PlanReport.summary(stacks.stream().map(StackRun::plan).toList());
        List<String> autoApprove = config.infra().approval().autoApprove().orElse(List.of());
        ApprovalPolicy.Verdict verdict = ApprovalPolicy.decide(summary, push.repository(), autoApprove);
        if (verdict == ApprovalPolicy.Verdict.ASK_OPERATOR) {
            approvals.await(
                    trigger,
                    host,
                    push,
                    summary,
                    stacks.stream()
                            .flatMap(s -> s.plan().destructiveChanges().stream())
                            .toList());
        }

        if (verdict != ApprovalPolicy.Verdict.NOTHING_TO_APPLY) {
            outputs = TofuOutputs.empty();
            for (StackRun stack : stacks) {
                Map<String, String> env = outputs.asVariables();
                if (stack.plan().hasChanges()) {
                    archiveState(push.repository(), stack);
                    try {
                        tofu.apply(stack.dir(), env, redactor);
                    } finally {
                        copyStateOut(push.repository(), stack);
                    }
                }
                TofuOutputs stackOutputs = TofuOutputs.parse(stack.path(), tofu.outputJson(stack.dir(), env, redactor));
                redactor.learn(stackOutputs.sensitiveValues());
                outputs = stackOutputs.over(outputs);
            }
        }

        String instanceId = outputs.instanceId(push.repository());
        ObservedInstance observed = cloud.read(instanceId);
        List<DriftCheck.Drift> drifts = DriftCheck.againstOutputs(outputs, observed);
        if (!drifts.isEmpty()) {
            throw new StageFailure(
                    "drift",
                    "instance " + instanceId + " of " + host + " differs from the tofu outputs of " + push.repository()
                            + " in "
                            + String.join(
                                    ", ",
                                    drifts.stream().map(DriftCheck.Drift::field).toList())
                            + "; someone changed it outside OpenTofu. Bring the configuration in line (or re-create the"
                            + " resource) and push again.",
                    false,
                    DriftCheck.details(drifts, "tofu output"));
        }
        if (!hostCloud.region().equals(observed.region())) {
            throw new StageFailure(
                    "drift",
                    "instance " + instanceId + " is in region " + observed.region() + " but handoff.yaml says "
                            + hostCloud.region() + " for " + host + "; fix the inventory or the stack",
                    false,
                    List.of(new StageFailed.Detail(
                            "drift",
                            "region",
                            "handoff.yaml says " + hostCloud.region() + " but the provider reports "
                                    + observed.region())));
        }
        return new CloudFacts(
                host,
                "oci",
                observed.region(),
                observed.instanceId(),
                observed.privateIp(),
                observed.publicIp(),
                observed.subnetId(),
                observed.volumes(),
                verdict == ApprovalPolicy.Verdict.NOTHING_TO_APPLY ? null : summary,
                Instant.now());
    }

    private void copyStateIn(String repository, String stack, Path dir, Redactor redactor) throws StageFailure {
        try {
            states.copyIn(repository, stack, dir);
            Path state = dir.resolve(StateStore.STATE_FILE);
            if (Files.exists(state)) {
                redactor.learn(TofuOutputs.sensitiveInState(Files.readString(state, StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw stateFailure(stack, e);
        }
    }

    private void copyStateOut(String repository, StackRun stack) throws StageFailure {
        try {
            states.copyOut(repository, stack.path(), stack.dir());
        } catch (IOException e) {
            throw stateFailure(stack.path(), e);
        }
    }

    private void archiveState(String repository, StackRun stack) throws StageFailure, InterruptedException {
        try {
            StateArchive.Archived archived =
                    archives.archive(repository, stack.path(), states.stateFile(repository, stack.path()));
            LOG.infof(
                    "state of %s %s archived as %s (sha256 %s)%s",
                    repository,
                    stack.path(),
                    archived.name(),
                    archived.sha256(),
                    archived.offMachine().map(p -> ", copy checked at " + p).orElse(""));
        } catch (StateArchive.ArchiveException e) {
            throw new StageFailure(
                    "state-archive-failed",
                    e.getMessage() + "; nothing was applied",
                    true,
                    List.of(new StageFailed.Detail("archive", stack.path(), e.getMessage())));
        }
    }

    private static StageFailure stateFailure(String stack, IOException e) {
        return new StageFailure(
                "state-io",
                "cannot move the state of stack " + stack + ": " + e.getMessage() + "; check handoff.infra.state-dir",
                true,
                List.of(new StageFailed.Detail("state-io", stack, String.valueOf(e.getMessage()))));
    }

    private void publish(EventEnvelope event) throws EventPublisher.PublishException, InvalidEventException {
        publisher.publishAll(List.of(event), PUBLISH_TIMEOUT);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + root, e);
        }
    }
}
