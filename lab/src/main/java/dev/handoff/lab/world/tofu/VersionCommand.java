package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Flags.Kind;
import java.util.List;
import java.util.Map;

/** {@code tofu version}: the version, the platform and the providers the lock file selects. */
final class VersionCommand {
    private final TofuRun run;

    VersionCommand(TofuRun run) {
        this.run = run;
    }

    int execute(List<String> args) {
        Flags f = new Flags().define(Kind.BOOL, "json");
        try {
            f.parse(args);
        } catch (Flags.FlagError e) {
            run.err.println("Error parsing command-line flags: " + e.getMessage() + "\n");
            return 1;
        }
        ProviderLocks locks = run.readLocks();
        if (f.bool("json", false)) {
            Map<String, Object> m = Json.struct();
            m.put("terraform_version", StandInTofu.VERSION);
            m.put("platform", StandInTofu.PLATFORM);
            Map<String, Object> selections = Json.sorted();
            locks.locks.values().forEach(l -> selections.put(l.address(), l.version()));
            m.put("provider_selections", selections);
            m.put("terraform_outdated", false);
            run.out.println(Json.indent(m, "  "));
            return 0;
        }
        run.out.println("OpenTofu v" + StandInTofu.VERSION);
        run.out.println("on " + StandInTofu.PLATFORM);
        locks.locks.values().forEach(l -> run.out.println("+ provider " + l.address() + " v" + l.version()));
        return 0;
    }
}
