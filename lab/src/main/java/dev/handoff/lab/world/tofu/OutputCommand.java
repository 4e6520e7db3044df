package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Diagnostics.Diag;
import dev.handoff.lab.world.tofu.Diagnostics.Failure;
import dev.handoff.lab.world.tofu.Flags.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code tofu output}: the root module's output values from the state, as text, {@code -json} or {@code -raw}. */
final class OutputCommand {
    private final TofuRun run;

    OutputCommand(TofuRun run) {
        this.run = run;
    }

    int execute(List<String> args) {
        List<String> rest = new ArrayList<>(args);
        rest.remove("-compact-warnings");
        rest.remove("-concise");
        Flags f = new Flags().vars().define(Kind.BOOL, "json", "raw").define(Kind.STRING, "state");
        try {
            f.parse(rest);
        } catch (Flags.FlagError e) {
            return run.flagError("output", e.getMessage());
        }
        List<Diag> diags = new ArrayList<>();
        if (f.args.size() > 1) {
            diags.add(Diag.error(
                    "Unexpected argument",
                    "The output command expects exactly one argument with the name of an output variable or no"
                            + " arguments to show all outputs."));
        }
        boolean json = f.bool("json", false);
        boolean raw = f.bool("raw", false);
        if (json && raw) {
            diags.add(Diag.error("Invalid output format", "The -raw and -json options are mutually-exclusive."));
        }
        String name = f.args.isEmpty() ? "" : f.args.get(0);
        if (raw && name.isEmpty()) {
            diags.add(Diag.error(
                    "Output name required",
                    "You must give the name of a single output value when using the -raw option."));
        }
        if (!diags.isEmpty()) {
            run.diagnostics(diags, Map.of());
            run.err.print("\nFor more help on using this command, run:\n  tofu output -help\n");
            return 1;
        }
        TofuState state;
        String statePath = f.string("state", "");
        if (!statePath.isEmpty()) {
            try (StateStorage storage = new StateStorage.Local(run.dir.resolve(statePath), statePath)) {
                state = StateAccess.read(storage);
            }
        } else {
            TofuConfig config = TofuConfig.hasConfiguration(run.dir) ? TofuConfig.load(run.dir) : null;
            BackendSpec spec = config == null
                    ? new BackendSpec("local", new TreeMap<>(), null)
                    : BackendSpec.initialized(run, config);
            try (StateStorage storage = StateAccess.open(run, spec.type(), spec.config())) {
                state = StateAccess.read(storage);
            }
        }
        Map<String, TofuState.Output> outputs = state == null ? Map.of() : state.outputs;
        if (!name.isEmpty()) {
            TofuState.Output o = outputs.get(name);
            if (o == null) {
                throw new Failure(Diag.error(
                        "Output " + Json.quote(name) + " not found",
                        "The output variable requested could not be found in the state file. If you recently added this"
                                + " to your configuration, be sure to run `tofu apply`, since the state won't be updated"
                                + " with new output variables until that command is run."));
            }
            if (json) {
                run.out.println(Json.compact(o.value()));
            } else if (raw) {
                if (o.value() instanceof Map || o.value() instanceof List || o.value() == null) {
                    throw new Failure(Diag.error(
                            "Unsupported value for raw output",
                            "The -raw option only supports strings, numbers, and boolean values, but output value "
                                    + Json.quote(name) + " is " + Json.compact(o.type())
                                    + ".\n\nUse the -json option for"
                                    + " machine-readable representations of output values that have complex types."));
                }
                run.out.print(Values.asString(o.value()));
            } else {
                run.out.println(Values.human(Values.fromJson(o.value()), 0));
            }
            return 0;
        }
        if (json) {
            Map<String, Object> doc = Json.sorted();
            outputs.forEach((k, o) -> {
                Map<String, Object> m = Json.struct();
                m.put("sensitive", o.sensitive());
                m.put("type", o.type());
                m.put("value", o.value());
                doc.put(k, m);
            });
            run.out.println(Json.indent(doc, "  "));
            return 0;
        }
        if (outputs.isEmpty()) {
            run.diagnostics(
                    List.of(Diag.warning(
                            "No outputs found",
                            "The state file either has no outputs defined, or all the defined outputs are empty. Please"
                                    + " define an output in your configuration with the `output` keyword and run `tofu"
                                    + " refresh` for it to become available. If you are using interpolation, please verify"
                                    + " the interpolated value is not empty. You can use the `tofu console` command to"
                                    + " assist.")),
                    Map.of());
            return 0;
        }
        run.out.println(OutputCommand.human(state));
        return 0;
    }
    /** The outputs as {@code apply} and {@code show} print them, sensitive ones masked. */
    static String human(TofuState state) {
        StringBuilder b = new StringBuilder();
        state.outputs.forEach((k, o) -> {
            if (o.sensitive()) {
                b.append(k).append(" = <sensitive>\n");
            } else {
                b.append(k)
                        .append(" = ")
                        .append(Values.human(Values.fromJson(o.value()), 0))
                        .append('\n');
            }
        });
        return b.toString().strip();
    }
}
