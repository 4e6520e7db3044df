package dev.handoff.infra.run;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.InvalidEventException;
import dev.handoff.infra.config.InfraConfig;
import dev.handoff.infra.driver.ContainedPath;
import dev.handoff.infra.driver.StateArchive;
import dev.handoff.infra.driver.StateStore;
import dev.handoff.infra.driver.Tofu;
import dev.handoff.infra.driver.TofuBackend;
import dev.handoff.infra.driver.TofuState;
import dev.handoff.infra.stage.ApprovalPolicy;
import dev.handoff.infra.stage.PlanJson;
import dev.handoff.infra.stage.PlanReport;
import dev.handoff.infra.stage.Redactor;
import dev.handoff.infra.stage.StackOrder;
import dev.handoff.infra.stage.StageFailure;
import dev.handoff.infra.stage.TofuOutputs;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * One stack of an infra run, the way Terramate runs stacks: plan it with the outputs of the stacks applied before it,
 * stop for an operator when the plan is destructive, archive the state tofu holds and apply — all before the next
 * stack is planned, so a later stack never sees outputs that are not applied yet.
 */
@ApplicationScoped
public class StackRunner {
    private static final Logger LOG = Logger.getLogger(StackRunner.class);

    /** How often a plan made stale by another run's apply is made again before the stage fails. */
    static final int STALE_PLAN_RETRIES = 2;

    private final InfraConfig config;
    private final ApprovalGate approvals;
    private final Tofu tofu;
    private final StateStore states;
    private final StateArchive archives;

    public StackRunner(
            InfraConfig config, ApprovalGate approvals, Tofu tofu, StateStore states, StateArchive archives) {
        this.config = config;
        this.approvals = approvals;
        this.tofu = tofu;
        this.states = states;
        this.archives = archives;
    }

    /**
     * What one stack's run gave.
     *
     * @param plan the plan that was applied (or found to have nothing to apply)
     * @param applied whether it was applied
     * @param outputs the stack's outputs after it
     */
    public record Result(PlanReport plan, boolean applied, TofuOutputs outputs) {}

    /**
     * Runs one stack of the checked-out commit.
     *
     * @param upstream the outputs of the stacks run before it, passed as {@code TF_VAR_*}
     */
    public Result run(
            EventEnvelope trigger,
            String host,
            CommitPushed push,
            String stack,
            Path dir,
            TofuOutputs upstream,
            Redactor redactor)
            throws StageFailure, InterruptedException, EventPublisher.PublishException, InvalidEventException {
        String repository = push.repository();
        var env = upstream.asVariables();
        String backend = TofuBackend.of(dir);
        boolean local = TofuBackend.LOCAL.equals(backend);
        if (local) {
            copyStateIn(repository, stack, dir);
        }
        tofu.init(dir, env, redactor);
        if (!local) {
            moveKeptState(repository, stack, backend, dir, env, redactor);
        }
        for (int attempt = 0; ; attempt++) {
            byte[] before = pull(stack, dir, env, redactor);
            PlanReport plan = plan(stack, dir, env, redactor);
            ApprovalPolicy.Verdict verdict = ApprovalPolicy.decide(
                    PlanReport.summary(List.of(plan)),
                    repository,
                    config.infra().approval().autoApprove().orElse(List.of()));
            LOG.infof(
                    "plan of %s %s: %d to add, %d to change, %d to destroy; %s",
                    repository,
                    stack,
                    plan.add(),
                    plan.change(),
                    plan.destroy(),
                    switch (verdict) {
                        case NOTHING_TO_APPLY -> "nothing to apply";
                        case APPLY -> "applying";
                        case ASK_OPERATOR -> "destructive: asking an operator";
                    });
            if (verdict == ApprovalPolicy.Verdict.NOTHING_TO_APPLY) {
                if (!local) {
                    mirror(repository, stack, backend, before);
                }
                return new Result(plan, false, outputs(stack, dir, env, redactor));
            }
            if (verdict == ApprovalPolicy.Verdict.ASK_OPERATOR) {
                approvals.await(trigger, host, push, List.of(plan));
            }
            archive(repository, stack, before, "before its apply", "nothing was applied");
            try {
                tofu.apply(dir, env, redactor);
            } catch (StageFailure f) {
                if (!"plan-stale".equals(f.reason()) || attempt >= STALE_PLAN_RETRIES) {
                    keepPartialState(repository, stack, dir, env, redactor);
                    throw f;
                }
                LOG.infof("the plan of %s %s is stale (another run applied first); planning again", repository, stack);
                continue;
            } finally {
                if (local) {
                    copyStateOut(repository, stack, dir);
                }
            }
            byte[] after = pull(stack, dir, env, redactor);
            archive(
                    repository,
                    stack,
                    after,
                    "after its apply",
                    "the apply succeeded, but its state has no off-machine copy yet");
            if (!local) {
                mirror(repository, stack, backend, after);
            }
            return new Result(plan, true, outputs(stack, dir, env, redactor));
        }
    }

    private PlanReport plan(String stack, Path dir, java.util.Map<String, String> env, Redactor redactor)
            throws StageFailure, InterruptedException {
        boolean changes = tofu.plan(dir, env, redactor);
        if (!changes) {
            return new PlanReport(stack, PlanJson.SUPPORTED_MAJOR + ".0", List.of());
        }
        PlanReport plan = PlanJson.parse(stack, tofu.showPlanJson(dir, env, redactor));
        redactor.learn(plan.sensitiveValues());
        if (!plan.hasChanges()) {
            throw new StageFailure(
                    "plan-format",
                    "tofu plan said stack " + stack + " has changes (exit code 2) but its plan JSON shows none that"
                            + " Handoff can read; nothing was applied. Check that the tofu executable is OpenTofu.",
                    false,
                    List.of(new StageFailed.Detail("unreadable-plan", stack, "exit code 2 without a readable change")));
        }
        return plan;
    }

    private byte[] pull(String stack, Path dir, java.util.Map<String, String> env, Redactor redactor)
            throws StageFailure, InterruptedException {
        byte[] state = tofu.statePull(dir, env, redactor).getBytes(StandardCharsets.UTF_8);
        if (!TofuState.isEmpty(state)) {
            redactor.learn(TofuOutputs.sensitiveInState(new String(state, StandardCharsets.UTF_8)));
        }
        return state;
    }

    /**
     * After a failed apply, tofu has persisted what it did create — values generated then (a password, a token) were
     * unknown at plan time but may be echoed in the error: learn them so the published failure masks them — and that
     * partial state is the live one now: archive it too (best effort, the apply's failure is what the run reports).
     */
    private void keepPartialState(
            String repository, String stack, Path dir, java.util.Map<String, String> env, Redactor redactor)
            throws InterruptedException {
        try {
            archive(repository, stack, pull(stack, dir, env, redactor), "after its failed apply", "");
        } catch (StageFailure f) {
            LOG.warnf(
                    "the state of %s %s after its failed apply could not be archived (%s): %s",
                    repository, stack, f.reason(), redactor.redact(f.getMessage()));
        }
    }

    private TofuOutputs outputs(String stack, Path dir, java.util.Map<String, String> env, Redactor redactor)
            throws StageFailure, InterruptedException {
        TofuOutputs outputs = TofuOutputs.parse(stack, tofu.outputJson(dir, env, redactor));
        redactor.learn(outputs.sensitiveValues());
        return outputs;
    }

    /**
     * Archives a state pulled from the backend, before an apply (what a bad apply would lose) and after it (so the live
     * state always has an off-machine copy, which backup-service's infra-state contract checks).
     *
     * @param consequence what a failed archive means, for its message
     */
    private void archive(String repository, String stack, byte[] state, String when, String consequence)
            throws StageFailure, InterruptedException {
        if (TofuState.isEmpty(state)) {
            LOG.infof("%s %s has no state %s (its first apply): nothing to archive", repository, stack, when);
            return;
        }
        try {
            StateArchive.Archived archived = archives.archive(repository, stack, state);
            LOG.infof(
                    "state of %s %s %s (serial %s) archived as %s (sha256 %s)%s",
                    repository,
                    stack,
                    when,
                    TofuState.serial(state).map(String::valueOf).orElse("encrypted"),
                    archived.name(),
                    archived.sha256(),
                    archived.offMachine().map(p -> ", copy checked at " + p).orElse(""));
        } catch (StateArchive.ArchiveException e) {
            throw new StageFailure(
                    "state-archive-failed",
                    e.getMessage() + (consequence.isEmpty() ? "" : "; " + consequence),
                    true,
                    List.of(new StageFailed.Detail("archive", stack, e.getMessage())));
        }
    }

    /**
     * A stack that moved from the local backend to a remote one (its {@code backend} block changed): the state Handoff
     * kept for it on its disk is pushed into the new backend — archived first — so that the next plan sees the existing
     * resources instead of planning them anew. When the new backend already holds a state, the kept one is left alone
     * and the run stops: which is right is the operator's call.
     */
    private void moveKeptState(
            String repository,
            String stack,
            String backend,
            Path dir,
            java.util.Map<String, String> env,
            Redactor redactor)
            throws StageFailure, InterruptedException {
        Path kept;
        try {
            kept = states.stateFile(repository, stack);
            if (!Files.isRegularFile(kept) || states.isMirror(repository, stack)) {
                return;
            }
        } catch (IOException e) {
            throw stateFailure(stack, e);
        }
        byte[] remote = pull(stack, dir, env, redactor);
        if (!TofuState.isEmpty(remote)) {
            throw new StageFailure(
                    "state-conflict",
                    "stack " + stack + " of " + repository + " now uses the " + backend
                            + " backend, which holds a state,"
                            + " but Handoff also kept a local state for it (" + kept + "); nothing was planned. Decide"
                            + " which is right: restore the local one into the backend (tofu state push), then move or"
                            + " delete " + kept + " and push again",
                    false,
                    List.of(new StageFailed.Detail("state-conflict", stack, "a local and a " + backend + " state")));
        }
        try {
            byte[] state = Files.readAllBytes(kept);
            redactor.learn(TofuOutputs.sensitiveInState(new String(state, StandardCharsets.UTF_8)));
            archive(repository, stack, state, "before its move to the " + backend + " backend", "nothing was moved");
            tofu.statePush(dir, kept, env, redactor);
            Path retired = states.retire(repository, stack, backend);
            archive(
                    repository,
                    stack,
                    pull(stack, dir, env, redactor),
                    "after its move to the " + backend + " backend",
                    "the state moved, but has no off-machine copy yet");
            LOG.infof(
                    "state of %s %s (serial %s) moved from Handoff's state folder to the stack's %s backend; the local"
                            + " copy is kept as %s",
                    repository,
                    stack,
                    TofuState.serial(state).map(String::valueOf).orElse("encrypted"),
                    backend,
                    retired);
        } catch (IOException e) {
            throw stateFailure(stack, e);
        }
    }

    /** Mirrors a remote stack's live state where backup-service's infra-state contract reads live states. */
    private void mirror(String repository, String stack, String backend, byte[] state) throws StageFailure {
        if (TofuState.isEmpty(state)) {
            return;
        }
        try {
            states.mirror(repository, stack, backend, state);
        } catch (IOException e) {
            throw stateFailure(stack, e);
        }
    }

    private void copyStateIn(String repository, String stack, Path dir) throws StageFailure {
        try {
            states.copyIn(repository, stack, dir);
        } catch (IOException e) {
            throw stateFailure(stack, e);
        }
    }

    private void copyStateOut(String repository, String stack, Path dir) throws StageFailure {
        try {
            states.copyOut(repository, stack, dir);
        } catch (IOException e) {
            throw stateFailure(stack, e);
        }
    }

    /**
     * The checked-out directory of a stack. Its path comes from the pushed commit or handoff.yaml, and the state is
     * copied into it: refused when it leads outside the checkout, also through a symbolic link in the commit.
     */
    static Path directory(Path checkout, StackOrder.Stack stack) throws StageFailure {
        try {
            return ContainedPath.within(checkout, "stack", stack.path());
        } catch (ContainedPath.Escape e) {
            throw e.failure(stack.path());
        }
    }

    private static StageFailure stateFailure(String stack, IOException e) {
        if (e instanceof ContainedPath.Escape escape) {
            return escape.failure(stack);
        }
        return new StageFailure(
                "state-io",
                "cannot move the local state of stack " + stack + ": " + e.getMessage()
                        + "; check handoff.infra.state-dir",
                true,
                List.of(new StageFailed.Detail("state-io", stack, String.valueOf(e.getMessage()))));
    }
}
