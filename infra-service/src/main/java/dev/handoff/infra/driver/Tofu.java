package dev.handoff.infra.driver;

import dev.handoff.infra.stage.Redactor;
import dev.handoff.infra.stage.StageFailure;
import java.nio.file.Path;
import java.util.Map;

/** The OpenTofu commands the infra stage runs in one stack directory. */
public interface Tofu {
    /** The saved plan's file name inside the stack directory. */
    String PLAN_FILE = "handoff.tfplan";

    /** {@code tofu init -input=false -no-color}. */
    void init(Path stack, Map<String, String> env, Redactor redactor) throws StageFailure, InterruptedException;

    /**
     * {@code tofu plan -out=handoff.tfplan -detailed-exitcode -input=false -no-color}.
     *
     * @return whether the plan has changes (exit code 2)
     */
    boolean plan(Path stack, Map<String, String> env, Redactor redactor) throws StageFailure, InterruptedException;

    /** {@code tofu show -json handoff.tfplan}: the plan JSON (not logged). */
    String showPlanJson(Path stack, Map<String, String> env, Redactor redactor)
            throws StageFailure, InterruptedException;

    /** {@code tofu apply -input=false -no-color handoff.tfplan}. */
    void apply(Path stack, Map<String, String> env, Redactor redactor) throws StageFailure, InterruptedException;

    /** {@code tofu output -json}: the output JSON, sensitive values in clear (not logged). */
    String outputJson(Path stack, Map<String, String> env, Redactor redactor) throws StageFailure, InterruptedException;
}
