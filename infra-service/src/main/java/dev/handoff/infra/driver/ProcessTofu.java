package dev.handoff.infra.driver;

import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.infra.stage.Redactor;
import dev.handoff.infra.stage.StageFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link Tofu} as the real executable ({@code handoff.infra.tofu.binary}), run by a {@link ProcessRunner} with only
 * the {@link TofuEnvironment}. Every secret of that environment (and {@code secrets}, e.g. the OCI API key) is taught
 * to the run's redactor before tofu starts, so no output line carrying one is logged or published.
 */
public final class ProcessTofu implements Tofu {
    private final String binary;
    private final Duration timeout;
    private final Duration lockTimeout;
    private final ProcessRunner runner;
    private final TofuEnvironment environment;
    private final Set<String> secrets;

    public ProcessTofu(
            String binary,
            Duration timeout,
            Duration lockTimeout,
            ProcessRunner runner,
            TofuEnvironment environment,
            Set<String> secrets) {
        this.binary = binary;
        this.timeout = timeout;
        this.lockTimeout = lockTimeout;
        this.runner = runner;
        this.environment = environment;
        this.secrets = Set.copyOf(secrets);
    }

    @Override
    public void init(Path stack, Map<String, String> vars, Redactor redactor)
            throws StageFailure, InterruptedException {
        if (!Files.isRegularFile(stack.resolve(LOCK_FILE))) {
            String name = stack.getFileName().toString();
            throw new StageFailure(
                    "lock-file-missing",
                    "stack " + name + " has no " + LOCK_FILE + ". Handoff runs 'tofu init -lockfile=readonly', so the"
                            + " providers and their checksums come from the repository alone. Run 'tofu init' (or 'tofu"
                            + " providers lock -platform=linux_amd64 -platform=linux_arm64') in the stack, commit "
                            + LOCK_FILE + " and push again.",
                    false,
                    List.of(new StageFailed.Detail("lock-file-missing", name, LOCK_FILE + " is not in the commit")));
        }
        ProcessRunner.Result r =
                run(stack, vars, redactor, false, "init", "-input=false", "-no-color", "-lockfile=readonly");
        if (r.exitCode() != 0) {
            throw failure("init-error", "tofu init", stack, r, true);
        }
    }

    @Override
    public boolean plan(Path stack, Map<String, String> vars, Redactor redactor)
            throws StageFailure, InterruptedException {
        ProcessRunner.Result r = run(
                stack,
                vars,
                redactor,
                false,
                "plan",
                "-out=" + PLAN_FILE,
                "-detailed-exitcode",
                "-input=false",
                "-no-color",
                lockTimeoutFlag());
        return switch (r.exitCode()) {
            case 0 -> false;
            case 2 -> true;
            default -> throw lockedOr(failure("plan-error", "tofu plan", stack, r, false), stack, r);
        };
    }

    @Override
    public String showPlanJson(Path stack, Map<String, String> vars, Redactor redactor)
            throws StageFailure, InterruptedException {
        ProcessRunner.Result r = run(stack, vars, redactor, true, "show", "-json", PLAN_FILE);
        if (r.exitCode() != 0) {
            throw failure("plan-error", "tofu show -json", stack, r, false);
        }
        return r.stdout();
    }

    @Override
    public void apply(Path stack, Map<String, String> vars, Redactor redactor)
            throws StageFailure, InterruptedException {
        ProcessRunner.Result r =
                run(stack, vars, redactor, false, "apply", "-input=false", "-no-color", lockTimeoutFlag(), PLAN_FILE);
        if (r.exitCode() == 0) {
            return;
        }
        if (r.tail().stream().anyMatch(l -> l.contains("Saved plan is stale"))) {
            throw new StageFailure(
                    "plan-stale",
                    "the state of stack " + stack.getFileName() + " changed after it was planned (another run applied"
                            + " it first); nothing was applied",
                    true,
                    tailDetails(stack, r.tail()));
        }
        throw lockedOr(failure("apply-error", "tofu apply", stack, r, false), stack, r);
    }

    @Override
    public String outputJson(Path stack, Map<String, String> vars, Redactor redactor)
            throws StageFailure, InterruptedException {
        ProcessRunner.Result r = run(stack, vars, redactor, true, "output", "-json");
        if (r.exitCode() != 0) {
            throw failure("output-error", "tofu output -json", stack, r, false);
        }
        return r.stdout();
    }

    @Override
    public String statePull(Path stack, Map<String, String> vars, Redactor redactor)
            throws StageFailure, InterruptedException {
        ProcessRunner.Result r = run(stack, vars, redactor, true, "state", "pull");
        if (r.exitCode() != 0) {
            throw lockedOr(failure("state-pull-error", "tofu state pull", stack, r, true), stack, r);
        }
        return r.stdout();
    }

    @Override
    public void statePush(Path stack, Path stateFile, Map<String, String> vars, Redactor redactor)
            throws StageFailure, InterruptedException {
        ProcessRunner.Result r =
                run(stack, vars, redactor, false, "state", "push", "-force", lockTimeoutFlag(), stateFile.toString());
        if (r.exitCode() != 0) {
            throw lockedOr(failure("state-push-error", "tofu state push", stack, r, false), stack, r);
        }
    }

    private String lockTimeoutFlag() {
        return "-lock-timeout=" + lockTimeout.toSeconds() + "s";
    }

    private ProcessRunner.Result run(
            Path stack, Map<String, String> vars, Redactor redactor, boolean capture, String... args)
            throws StageFailure, InterruptedException {
        redactor.learn(environment.secrets());
        redactor.learn(secrets);
        List<String> command = new ArrayList<>();
        command.add(binary);
        command.addAll(List.of(args));
        String label = "tofu " + args[0] + " " + stack.getFileName();
        try {
            return runner.runWithOnly(label, command, stack, environment.with(vars), timeout, capture, redactor);
        } catch (ProcessRunner.TimedOut e) {
            throw new StageFailure(
                    "process-timeout",
                    e.getMessage() + "; raise handoff.infra.tofu.timeout if the provider is slow, then push again",
                    true,
                    tailDetails(stack, e.tail()));
        } catch (IOException e) {
            throw new StageFailure(
                    "tofu-missing",
                    "cannot run '" + binary + "' (" + e.getMessage() + "); install OpenTofu or set"
                            + " handoff.infra.tofu.binary to its path",
                    false,
                    List.of(new StageFailed.Detail("cannot-start", binary, String.valueOf(e.getMessage()))));
        }
    }

    /** A failure to take the state's lock in time, when tofu said so; {@code other} otherwise. */
    private StageFailure lockedOr(StageFailure other, Path stack, ProcessRunner.Result r) {
        if (r.tail().stream().noneMatch(l -> l.contains("Error acquiring the state lock"))) {
            return other;
        }
        return new StageFailure(
                "state-locked",
                "another run held the state lock of stack " + stack.getFileName() + " for longer than "
                        + lockTimeout.toSeconds() + " s (handoff.infra.tofu.lock-timeout); nothing was changed. If no"
                        + " run is active, find the lock's holder in the lines below before 'tofu force-unlock'.",
                true,
                tailDetails(stack, r.tail()));
    }

    private static StageFailure failure(
            String reason, String what, Path stack, ProcessRunner.Result r, boolean retryable) {
        String last = r.tail().isEmpty() ? "(no output)" : String.join("\n", r.tail());
        return new StageFailure(
                reason,
                what + " failed in stack " + stack.getFileName() + " with exit code " + r.exitCode()
                        + "; fix the cause below and push again. Last lines:\n" + last,
                retryable,
                tailDetails(stack, r.tail()));
    }

    private static List<StageFailed.Detail> tailDetails(Path stack, List<String> tail) {
        String text = String.join("\n", tail).strip();
        return List.of(new StageFailed.Detail(
                "output-tail", stack.getFileName().toString(), text.isEmpty() ? "(no output)" : text));
    }
}
