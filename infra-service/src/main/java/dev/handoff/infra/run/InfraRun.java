package dev.handoff.infra.run;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.event.v1.CloudFacts.PlanSummary;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.inventory.PushScope;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import dev.handoff.common.stage.StageEvents;
import dev.handoff.common.stage.Superseding;
import dev.handoff.infra.config.InfraConfig;
import dev.handoff.infra.driver.CloudReader;
import dev.handoff.infra.driver.ContainedPath;
import dev.handoff.infra.driver.FactsStore;
import dev.handoff.infra.driver.LastCheckouts;
import dev.handoff.infra.driver.OciRegions;
import dev.handoff.infra.driver.RepositoryCheckout;
import dev.handoff.infra.driver.TerramateStacks;
import dev.handoff.infra.driver.WorkTree;
import dev.handoff.infra.messaging.InfraKafka;
import dev.handoff.infra.stage.DriftCheck;
import dev.handoff.infra.stage.ObservedInstance;
import dev.handoff.infra.stage.PlanReport;
import dev.handoff.infra.stage.Redactor;
import dev.handoff.infra.stage.StackOrder;
import dev.handoff.infra.stage.StageFailure;
import dev.handoff.infra.stage.TofuOutputs;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * One run of the infra stage for one host: check out the pushed commit, run its stacks in dependency order — each one
 * planned, held for approval when destructive, archived and applied before the next is planned ({@link StackRunner})
 * — read the outputs, read the instance back from the provider and compare, then publish
 * {@code cloud-facts.completed} or {@code .failed}. Runs are serialized: one at a
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
    private final StackRunner stacks;
    private final LastCheckouts checkouts;
    private final CloudReader cloud;
    private final FactsStore facts;
    private final dev.handoff.support.StageOutcomes outcomes;

    public InfraRun(
            InfraConfig config,
            Inventory inventory,
            EventCodec codec,
            EventPublisher publisher,
            StackRunner stacks,
            LastCheckouts checkouts,
            CloudReader cloud,
            FactsStore facts) {
        this.config = config;
        this.inventory = inventory;
        this.codec = codec;
        this.publisher = publisher;
        this.events = new StageEvents(Stage.INFRA, InfraKafka.SOURCE, codec);
        this.stacks = stacks;
        this.checkouts = checkouts;
        this.cloud = cloud;
        this.facts = facts;
        // infra-service has no database: a run's outcome is kept beside its state (docs/infra-service.md)
        this.outcomes = new dev.handoff.support.StageOutcomes(
                Stage.INFRA.id(),
                dev.handoff.support.StageOutcomes.files(
                        config.infra().stateDir().resolve("outcomes")),
                codec,
                publisher);
    }

    /** Records that the stage does not run {@code superseded} for {@code host}: newer pushes waited too. */
    public void superseded(String host, List<Superseding.Superseded> superseded)
            throws EventPublisher.PublishException, InvalidEventException, InterruptedException {
        for (Superseding.Superseded s : superseded) {
            publish(events.superseded(s.older(), host, s.newer()));
        }
        LOG.infof("infra: %d push(es) for %s superseded by newer ones that were waiting too", superseded.size(), host);
    }

    /** Work that must not overlap a run of this replica (a state restore): it waits for the run to end. */
    public synchronized <T> T exclusively(java.util.concurrent.Callable<T> work) throws Exception {
        return work.call();
    }

    /**
     * Runs the stage for a {@code commit.pushed} of a repository that starts at infra; other events are ignored.
     *
     * @throws EventPublisher.PublishException when Kafka did not take the stage's events (the caller retries)
     */
    public synchronized void run(EventEnvelope trigger) throws Exception {
        CommitPushed push = codec.payload(trigger, CommitPushed.class);
        String host = trigger.subject();
        PushScope.Verdict scope = PushScope.judge(push, host, Stage.INFRA, inventory);
        if (scope.ignored()) {
            return;
        }
        Redactor redactor = new Redactor();
        if (scope.refused()) {
            LOG.warnf("infra stage refused a push for %s (%s): %s", host, scope.reason(), scope.message());
            publish(events.failed(
                    trigger,
                    host,
                    scope.reason(),
                    scope.message(),
                    false,
                    List.of(new StageFailed.Detail(scope.reason(), push.repository(), scope.message()))));
            return;
        }
        Inventory.Repository repository = scope.repository().orElseThrow();
        // a push delivered again after its run ended: that run's outcome again, no second plan or apply
        if (outcomes.republished(trigger, host, PUBLISH_TIMEOUT)) {
            return;
        }
        publish(events.started(trigger, host, push.repository(), push.after()));
        Path workDir;
        try {
            workDir = workDir(trigger);
        } catch (StageFailure f) {
            fail(trigger, host, f, redactor);
            return;
        }
        try {
            CloudFacts result = execute(trigger, host, push, repository.url(), workDir, redactor);
            outcomes.publish(trigger, host, events.completed(trigger, host, result), PUBLISH_TIMEOUT);
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
            fail(trigger, host, f, redactor);
        } finally {
            WorkTree.delete(workDir);
        }
    }

    /**
     * The run's own folder under the work dir, named by its deployment. It is deleted recursively when the run ends,
     * so the name must stay a name: the codec lets only UUIDs through, and the folder is checked again here (a planted
     * symbolic link) before anything is created or deleted.
     */
    private Path workDir(EventEnvelope trigger) throws StageFailure {
        String name = trigger.deploymentId() == null ? trigger.id() : trigger.deploymentId();
        try {
            return ContainedPath.below(config.infra().workDir(), "deployment id", name);
        } catch (ContainedPath.Escape e) {
            throw e.failure(EventCodec.H_DEPLOYMENTID);
        }
    }

    private void fail(EventEnvelope trigger, String host, StageFailure f, Redactor redactor) throws Exception {
        String message = redactor.redact(f.getMessage());
        List<StageFailed.Detail> details = f.details().stream()
                .map(d -> new StageFailed.Detail(d.code(), redactor.redact(d.subject()), redactor.redact(d.message())))
                .toList();
        LOG.warnf("infra stage failed for %s (%s): %s", host, f.reason(), message);
        outcomes.publish(
                trigger,
                host,
                events.failed(trigger, host, f.reason(), message, f.retryable(), details),
                PUBLISH_TIMEOUT);
    }

    private CloudFacts execute(
            EventEnvelope trigger, String host, CommitPushed push, String cloneUrl, Path workDir, Redactor redactor)
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
        WorkTree.delete(workDir);
        Path checkout = workDir.resolve("repo");
        RepositoryCheckout.checkout(push.repository(), cloneUrl, push.after(), checkout);
        try {
            checkouts.save(push.repository(), new LastCheckouts.Checkout(cloneUrl, push.after()));
        } catch (ContainedPath.Escape e) {
            throw e.failure("repository");
        } catch (IOException e) {
            throw new StageFailure(
                    "state-io",
                    "cannot record the checkout of " + push.repository() + " in handoff.infra.state-dir: "
                            + e.getMessage(),
                    true,
                    List.of(new StageFailed.Detail("state-io", push.repository(), String.valueOf(e.getMessage()))));
        }
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

        List<PlanReport> plans = new ArrayList<>();
        boolean applied = false;
        TofuOutputs outputs = TofuOutputs.empty();
        for (StackOrder.Stack stack : ordered) {
            Path dir = StackRunner.directory(checkout, stack);
            StackRunner.Result result = stacks.run(trigger, host, push, stack.path(), dir, outputs, redactor);
            plans.add(result.plan());
            applied |= result.applied();
            outputs = result.outputs().over(outputs);
        }
        PlanSummary summary = PlanReport.summary(plans);

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
        if (!OciRegions.canonical(hostCloud.region()).equals(observed.region())) {
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
                applied ? summary : null,
                Instant.now(),
                outputs.values().entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .map(o -> new CloudFacts.Output(o.getKey(), o.getValue()))
                        .toList());
    }

    private void publish(EventEnvelope event) throws EventPublisher.PublishException, InvalidEventException {
        publisher.publishAll(List.of(event), PUBLISH_TIMEOUT);
    }
}
