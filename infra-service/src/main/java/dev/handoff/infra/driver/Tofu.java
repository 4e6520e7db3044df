package dev.handoff.infra.driver;

import dev.handoff.infra.stage.Redactor;
import dev.handoff.infra.stage.StageFailure;
import java.nio.file.Path;
import java.util.Map;

/**
 * The OpenTofu commands the infra stage runs in one stack directory. {@code vars} are added to tofu's environment
 * (the {@code TF_VAR_*} of earlier stacks' outputs); every command runs with the minimal {@link TofuEnvironment}.
 */
public interface Tofu {
    /** The saved plan's file name inside the stack directory. */
    String PLAN_FILE = "handoff.tfplan";

    /** The dependency lock file every stack must commit. */
    String LOCK_FILE = ".terraform.lock.hcl";

    /**
     * {@code tofu init -input=false -no-color -lockfile=readonly}: providers exactly as the committed lock file says.
     *
     * @throws StageFailure {@code lock-file-missing} when the stack has no {@code .terraform.lock.hcl} (tofu is not
     *     started), {@code init-error} when tofu fails
     */
    void init(Path stack, Map<String, String> vars, Redactor redactor) throws StageFailure, InterruptedException;

    /**
     * {@code tofu plan -out=handoff.tfplan -detailed-exitcode -input=false -no-color -lock-timeout=…}.
     *
     * @return whether the plan has changes (exit code 2: resources, outputs, moves, imports or forgets)
     */
    boolean plan(Path stack, Map<String, String> vars, Redactor redactor) throws StageFailure, InterruptedException;

    /** {@code tofu show -json handoff.tfplan}: the plan JSON (not logged). */
    String showPlanJson(Path stack, Map<String, String> vars, Redactor redactor)
            throws StageFailure, InterruptedException;

    /**
     * {@code tofu apply -input=false -no-color -lock-timeout=… handoff.tfplan}.
     *
     * @throws StageFailure {@code plan-stale} when the state changed since the plan (another run applied first; plan
     *     again), {@code state-locked} when another run held the state's lock longer than the lock timeout,
     *     {@code apply-error} otherwise
     */
    void apply(Path stack, Map<String, String> vars, Redactor redactor) throws StageFailure, InterruptedException;

    /** {@code tofu output -json}: the output JSON, sensitive values in clear (not logged). */
    String outputJson(Path stack, Map<String, String> vars, Redactor redactor)
            throws StageFailure, InterruptedException;

    /**
     * {@code tofu state pull}: the stack's current state as its backend holds it (local file, {@code pg}, {@code s3},
     * {@code http}, …), not logged; empty when the stack has no state yet.
     */
    String statePull(Path stack, Map<String, String> vars, Redactor redactor) throws StageFailure, InterruptedException;

    /** {@code tofu state push -force -lock-timeout=… <file>}: replaces the backend's state (a restore). */
    void statePush(Path stack, Path stateFile, Map<String, String> vars, Redactor redactor)
            throws StageFailure, InterruptedException;
}
