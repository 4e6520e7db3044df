package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Diagnostics.Diag;
import dev.handoff.lab.world.tofu.Diagnostics.Failure;
import dev.handoff.lab.world.tofu.Flags.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** {@code tofu show}: the current state, or a saved plan or state file, as text or {@code -json}. */
final class ShowCommand {
    private final TofuRun run;

    ShowCommand(TofuRun run) {
        this.run = run;
    }

    int execute(List<String> args) {
        List<String> rest = new ArrayList<>(args);
        rest.remove("-compact-warnings");
        rest.remove("-concise");
        Flags f = new Flags().vars().define(Kind.BOOL, "json");
        try {
            f.parse(rest);
        } catch (Flags.FlagError e) {
            return run.flagError("show", e.getMessage());
        }
        if (f.args.size() > 1) {
            run.diagnostics(
                    List.of(Diag.error("Too many command line arguments", "Expected at most one positional argument.")),
                    Map.of());
            run.err.print("\nFor more help on using this command, run:\n  tofu show -help\n");
            return 1;
        }
        boolean json = f.bool("json", false);
        if (f.args.isEmpty()) {
            TofuConfig config = TofuConfig.hasConfiguration(run.dir) ? TofuConfig.load(run.dir) : null;
            BackendSpec spec = config == null
                    ? new BackendSpec("local", new TreeMap<>(), null)
                    : BackendSpec.initialized(run, config);
            TofuState state;
            try (StateStorage storage = StateAccess.open(run, spec.type(), spec.config())) {
                state = StateAccess.read(storage);
            }
            if (json) {
                run.out.println(PlanJson.state(state));
            } else if (state == null || state.empty()) {
                run.out.println("No state.");
            } else {
                run.out.println(humanState(state));
            }
            return 0;
        }
        String path = f.args.get(0);
        Plan plan;
        try {
            plan = Plan.read(run.dir, path);
        } catch (Plan.NotAPlan planError) {
            try {
                String text = Files.readString(run.dir.resolve(path), StandardCharsets.UTF_8);
                TofuState state = TofuState.read(text);
                run.out.println(json ? PlanJson.state(state) : state == null ? "No state." : humanState(state));
                return 0;
            } catch (NoSuchFileException e) {
                throw new Failure(Diag.error(
                        "Failed to read the given file as a state or plan file",
                        "State read error: Error loading statefile: open " + path + ": no such file or directory\n\n"
                                + "Plan read error: open " + path + ": no such file or directory"));
            } catch (IOException | TofuState.Unreadable e) {
                throw new Failure(Diag.error(
                        "Failed to read the given file as a state or plan file",
                        "State read error: Error reading " + path + " as a statefile: " + e.getMessage()
                                + "\n\nPlan read error: " + planError.getMessage()));
            }
        }
        if (plan == null) {
            throw new Failure(Diag.error(
                    "Failed to read the given file as a state or plan file",
                    "State read error: Error reading " + path + " as a statefile: read " + path + ": is a directory"
                            + "\n\nPlan read error: read " + path + ": is a directory"));
        }
        TofuConfig config = TofuConfig.fromSources(run.dir, plan.configFiles);
        if (json) {
            run.out.println(PlanJson.plan(plan, config));
        } else {
            run.out.print(PlanText.render(plan, null, true));
        }
        return 0;
    }

    private static String humanState(TofuState state) {
        StringBuilder b = new StringBuilder();
        for (TofuState.Resource r : state.resources) {
            b.append("# ").append(r.address()).append(":\n");
            b.append("resource ")
                    .append(Json.quote(r.type()))
                    .append(' ')
                    .append(Json.quote(r.name()))
                    .append(" {\n");
            Map<String, Object> attrs = new TreeMap<>(r.instance().attributes());
            int width = attrs.keySet().stream().mapToInt(String::length).max().orElse(0);
            Set<String> secret = LabProvider.sensitive(r.type());
            attrs.forEach((k, v) -> {
                if (v != null) {
                    b.append("    ")
                            .append(k)
                            .append(" ".repeat(width - k.length()))
                            .append(" = ")
                            .append(secret.contains(k) ? "(sensitive value)" : Values.human(Values.fromJson(v), 4))
                            .append('\n');
                }
            });
            b.append("}\n\n");
        }
        if (!state.outputs.isEmpty()) {
            b.append("\nOutputs:\n\n").append(OutputCommand.human(state)).append('\n');
        }
        return b.toString().stripTrailing();
    }
}
