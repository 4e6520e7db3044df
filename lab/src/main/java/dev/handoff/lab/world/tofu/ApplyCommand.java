package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Diagnostics.Diag;
import dev.handoff.lab.world.tofu.Diagnostics.Failure;
import dev.handoff.lab.world.tofu.Flags.Kind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code tofu apply}: a saved plan checked against the current state and lock file, or a fresh plan approved. */
final class ApplyCommand {
    private final TofuRun run;

    ApplyCommand(TofuRun run) {
        this.run = run;
    }

    int execute(List<String> args) throws IOException, InterruptedException {
        List<String> rest = new ArrayList<>(args);
        rest.remove("-compact-warnings");
        rest.remove("-concise");
        Flags f = new Flags().operation().define(Kind.BOOL, "auto-approve", "input", "json");
        try {
            f.parse(rest);
        } catch (Flags.FlagError e) {
            return run.flagError("apply", e.getMessage());
        }
        if (f.args.size() > 1) {
            run.diagnostics(
                    List.of(Diag.error("Too many command line arguments", "Expected at most one positional argument.")),
                    Map.of());
            run.err.print("\nFor more help on using this command, run:\n  tofu apply -help\n");
            return 1;
        }
        Operation.rejectUnmodelled(f);
        if (f.args.isEmpty()) {
            return applyWithoutPlanFile(f);
        }
        String path = f.args.get(0);
        Plan plan;
        try {
            plan = Plan.read(run.dir, path);
        } catch (Plan.NotAPlan e) {
            throw new Failure(
                    Diag.error("Failed to load " + Json.quote(path) + " as a plan file", "Error: " + e.getMessage()));
        }
        if (plan == null) {
            throw new Failure(Diag.error(
                    "Failed to load " + Json.quote(path) + " as a plan file",
                    "The specified path is a directory, not a plan file. You can use the global -chdir flag to use this"
                            + " directory as the configuration root."));
        }
        if (!f.vars.isEmpty()) {
            throw new Failure(Diag.error(
                    "Can't set variables when applying a saved plan",
                    "The -var and -var-file options cannot be used when applying a saved plan file, because a saved plan"
                            + " includes the variable values that were set when it was created."));
        }
        TofuConfig config = TofuConfig.fromSources(run.dir, plan.configFiles);
        run.sources = config.sources();
        try (StateStorage storage = StateAccess.open(run, plan.backendType, plan.backendConfig)) {
            boolean locked = false;
            try {
                if (f.bool("lock", true)) {
                    StateAccess.lock(run, storage, "OperationTypeApply", f.duration("lock-timeout"));
                    locked = true;
                }
                String raw = StateAccess.raw(storage);
                TofuState current = StateAccess.read(storage);
                checkSavedPlanLocks(config, plan);
                String currentLineage = current == null ? "" : current.lineage;
                long currentSerial = current == null ? 0 : current.serial;
                boolean firstPlan = plan.prior.lineage.isEmpty() && plan.prior.serial == 0;
                if (!firstPlan && !plan.prior.lineage.equals(currentLineage)) {
                    throw new Failure(Diag.error(
                            "Saved plan does not match the given state",
                            "The given plan file can not be applied because it was created from a different state"
                                    + " lineage."));
                }
                if (plan.prior.serial != currentSerial) {
                    throw new Failure(Diag.error(
                            "Saved plan is stale",
                            "The given plan file can no longer be applied because the state was changed by another"
                                    + " operation after the plan was created."));
                }
                if (plan.errored) {
                    throw new Failure(Diag.error(
                            "Cannot apply incomplete plan",
                            "OpenTofu encountered an error when generating this plan, so it cannot be applied."));
                }
                return new PlanApplication(run).apply(config, plan, storage, current, raw);
            } finally {
                if (locked) {
                    StateAccess.unlock(run, storage);
                }
            }
        }
    }

    private void checkSavedPlanLocks(TofuConfig config, Plan plan) {
        ProviderLocks current = run.readLocks();
        Operation.checkProviders(config, current);
        ProviderLocks planned =
                plan.lockFile == null ? new ProviderLocks() : ProviderLocks.parse(ProviderLocks.FILE, plan.lockFile);
        if (!planned.sameAs(current)) {
            throw new Failure(Diag.error(
                    "Inconsistent dependency lock file",
                    "The given plan file was created with a different set of external dependency selections than the"
                            + " current configuration. A saved plan can be applied only to the same configuration it was"
                            + " created from.\n\nCreate a new plan from the updated configuration."));
        }
    }

    private int applyWithoutPlanFile(Flags f) throws IOException, InterruptedException {
        Operation op = Operation.prepare(run, f, "OperationTypeApply");
        try {
            Plan plan = op.plan();
            run.out.print(PlanText.render(plan, null, true));
            run.diagnostics(op.warnings, run.sources);
            if (plan.applyable() && !f.bool("auto-approve", false)) {
                run.out.print("\nDo you want to perform these actions?\n  OpenTofu will perform the actions described"
                        + " above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
                run.out.flush();
                String line = new BufferedReader(new InputStreamReader(run.in, StandardCharsets.UTF_8)).readLine();
                if (line == null) {
                    throw new Failure(Diag.error("error asking for approval: EOF", ""));
                }
                run.out.println();
                if (!line.strip().equals("yes")) {
                    run.err.print("\nError: Apply cancelled.\n\n");
                    return 1;
                }
            }
            return new PlanApplication(run).apply(op.config, plan, op.storage, op.read, op.readRaw);
        } finally {
            op.close();
        }
    }
}
