package dev.handoff.bench.hostile;

import dev.handoff.infra.stage.PlanJson;
import dev.handoff.infra.stage.PlanReport;
import dev.handoff.infra.stage.StageFailure;

/**
 * A plan → infra-service's {@link PlanJson#parse}, as {@code StackRunner} reads {@code tofu show -json}: a
 * {@link StageFailure} is a refusal named by its reason ({@code plan-format}, {@code plan-error}). An accepted plan's
 * report (what is logged and summarised) must not hold the sensitive values it learnt.
 */
public final class PlanProbe implements Probe<String> {
    @Override
    public Verdict probe(String json) {
        try {
            PlanReport report = PlanJson.parse("stacks/edge", json);
            String shown = report + " " + report.outputChanges() + " " + report.destructiveChanges();
            if (PlantedSecret.leaksIn(shown)) {
                return Verdict.escaped("secret-in-report", "the plan report shows a sensitive value: " + shown);
            }
            return Verdict.accepted();
        } catch (StageFailure e) {
            return Verdict.refused(e.reason(), e.getMessage() + " " + e.details());
        }
    }
}
