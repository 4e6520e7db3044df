package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Diagnostics.Diag;
import dev.handoff.lab.world.tofu.Flags.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code tofu plan}: refreshes, prints the plan in tofu's words and saves it with {@code -out}. */
final class PlanCommand {
    private final TofuRun run;

    PlanCommand(TofuRun run) {
        this.run = run;
    }

    int execute(List<String> args) throws InterruptedException {
        List<String> rest = new ArrayList<>(args);
        rest.remove("-compact-warnings");
        rest.remove("-concise");
        Flags f = new Flags()
                .operation()
                .define(Kind.BOOL, "detailed-exitcode", "input", "json")
                .define(Kind.STRING, "out", "generate-config-out");
        try {
            f.parse(rest);
        } catch (Flags.FlagError e) {
            return run.flagError("plan", e.getMessage());
        }
        if (!f.args.isEmpty()) {
            run.diagnostics(
                    List.of(Diag.error(
                            "Too many command line arguments",
                            "To specify a working directory for the plan, use the global -chdir flag.")),
                    Map.of());
            run.err.print("\nFor more help on using this command, run:\n  tofu plan -help\n");
            return 1;
        }
        Operation.rejectUnmodelled(f);
        String planPath = f.string("out", null);
        Operation op = Operation.prepare(run, f, "OperationTypePlan");
        try {
            Plan plan = op.plan();
            List<TofuState.Resource> refreshed = new ArrayList<>(plan.prior.resources);
            refreshed.sort((a, b) -> a.address().compareTo(b.address()));
            for (TofuState.Resource r : refreshed) {
                String id = r.instance().attributes().get("id") instanceof String s ? s : null;
                run.out.println(r.address() + ": Refreshing state..." + (id == null ? "" : " [id=" + id + "]"));
            }
            if (planPath != null) {
                plan.write(run.dir.resolve(planPath));
            }
            run.out.print(PlanText.render(plan, planPath, run.automation()));
            run.diagnostics(op.warnings, run.sources);
            return plan.applyable() && f.bool("detailed-exitcode", false) ? 2 : 0;
        } finally {
            op.close();
        }
    }
}
