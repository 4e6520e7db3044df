package dev.handoff.infra.driver;

import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.infra.stage.Redactor;
import dev.handoff.infra.stage.StageFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@link Tofu} as the real executable ({@code handoff.infra.tofu.binary}), run by a {@link ProcessRunner}. */
public final class ProcessTofu implements Tofu {
    private final String binary;
    private final Duration timeout;
    private final ProcessRunner runner;

    public ProcessTofu(String binary, Duration timeout, ProcessRunner runner) {
        this.binary = binary;
        this.timeout = timeout;
        this.runner = runner;
    }

    @Override
    public void init(Path stack, Map<String, String> env, Redactor redactor) throws StageFailure, InterruptedException {
        ProcessRunner.Result r = run(stack, env, redactor, false, "init", "-input=false", "-no-color");
        if (r.exitCode() != 0) {
            throw failure("init-error", "tofu init", stack, r, true);
        }
    }

    @Override
    public boolean plan(Path stack, Map<String, String> env, Redactor redactor)
            throws StageFailure, InterruptedException {
        ProcessRunner.Result r = run(
                stack,
                env,
                redactor,
                false,
                "plan",
                "-out=" + PLAN_FILE,
                "-detailed-exitcode",
                "-input=false",
                "-no-color");
        return switch (r.exitCode()) {
            case 0 -> false;
            case 2 -> true;
            default -> throw failure("plan-error", "tofu plan", stack, r, false);
        };
    }

    @Override
    public String showPlanJson(Path stack, Map<String, String> env, Redactor redactor)
            throws StageFailure, InterruptedException {
        ProcessRunner.Result r = run(stack, env, redactor, true, "show", "-json", PLAN_FILE);
        if (r.exitCode() != 0) {
            throw failure("plan-error", "tofu show -json", stack, r, false);
        }
        return r.stdout();
    }

    @Override
    public void apply(Path stack, Map<String, String> env, Redactor redactor)
            throws StageFailure, InterruptedException {
        ProcessRunner.Result r = run(stack, env, redactor, false, "apply", "-input=false", "-no-color", PLAN_FILE);
        if (r.exitCode() != 0) {
            throw failure("apply-error", "tofu apply", stack, r, false);
        }
    }

    @Override
    public String outputJson(Path stack, Map<String, String> env, Redactor redactor)
            throws StageFailure, InterruptedException {
        ProcessRunner.Result r = run(stack, env, redactor, true, "output", "-json");
        if (r.exitCode() != 0) {
            throw failure("output-error", "tofu output -json", stack, r, false);
        }
        return r.stdout();
    }

    private ProcessRunner.Result run(
            Path stack, Map<String, String> env, Redactor redactor, boolean capture, String... args)
            throws StageFailure, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary);
        command.addAll(List.of(args));
        String label = "tofu " + args[0] + " " + stack.getFileName();
        try {
            return runner.run(label, command, stack, env, timeout, capture, redactor);
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
