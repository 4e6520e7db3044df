package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Flags.Kind;
import dev.handoff.lab.world.tofu.StateStorage.BackendError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;

/** {@code tofu state pull} and {@code tofu state push}: the raw snapshot out of and into the backend. */
final class StateCommand {
    private final TofuRun run;

    StateCommand(TofuRun run) {
        this.run = run;
    }

    private BackendSpec commandBackend() {
        TofuConfig config = TofuConfig.hasConfiguration(run.dir) ? TofuConfig.load(run.dir) : null;
        if (config != null) {
            run.sources = config.sources();
            config.checkRequiredVersion();
        }
        return config == null ? new BackendSpec("local", new TreeMap<>(), null) : BackendSpec.initialized(run, config);
    }

    int pull(List<String> args) {
        Flags f = new Flags().vars();
        try {
            f.parse(args);
        } catch (Flags.FlagError e) {
            run.err.println("Error parsing command-line flags: " + e.getMessage() + "\n");
            return 1;
        }
        BackendSpec spec = commandBackend();
        try (StateStorage storage = StateAccess.open(run, spec.type(), spec.config())) {
            TofuState state = StateAccess.read(storage);
            if (state == null && storage.remote()) {
                // states/remote exports an empty snapshot with no lineage when the backend has none
                state = new TofuState();
                state.lineage = "";
            }
            if (state != null) {
                run.out.print(state.write());
                run.out.println();
            }
        }
        return 0;
    }

    int push(List<String> args) throws IOException, InterruptedException {
        Flags f = new Flags()
                .vars()
                .define(Kind.BOOL, "ignore-remote-version", "force", "lock")
                .define(Kind.DURATION, "lock-timeout");
        try {
            f.parse(args);
        } catch (Flags.FlagError e) {
            run.err.println("Error parsing command-line flags: " + e.getMessage() + "\n");
            return 1;
        }
        if (f.args.size() != 1) {
            run.err.println("Exactly one argument expected.\n");
            run.err.println(HelpTexts.STATE_PUSH);
            return 1;
        }
        String path = f.args.get(0);
        String text;
        if (path.equals("-")) {
            text = new String(run.in.readAllBytes(), StandardCharsets.UTF_8);
        } else {
            try {
                text = Files.readString(run.dir.resolve(path), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                run.err.println("open " + path + ": no such file or directory");
                return 1;
            }
        }
        TofuState source;
        try {
            source = TofuState.read(text);
        } catch (TofuState.Unreadable e) {
            run.err.println("Error reading source state " + Json.quote(path) + ": " + e.getMessage());
            return 1;
        }
        if (source == null) {
            source = TofuState.fresh();
        }
        BackendSpec spec = commandBackend();
        try (StateStorage storage = StateAccess.open(run, spec.type(), spec.config())) {
            boolean locked = false;
            try {
                if (f.bool("lock", true)) {
                    StateAccess.lock(run, storage, "state-push", f.duration("lock-timeout"));
                    locked = true;
                }
                String raw;
                TofuState current;
                try {
                    raw = storage.read();
                    current = TofuState.read(raw);
                } catch (BackendError | TofuState.Unreadable e) {
                    run.err.println("Failed to refresh destination state: " + e.getMessage());
                    return 1;
                }
                if (!f.bool("force", false)) {
                    String refused = checkValidImport(source, current);
                    if (refused != null) {
                        run.err.println("Failed to write state: " + refused);
                        return 1;
                    }
                }
                importSnapshot(storage, current, raw, source);
                return 0;
            } finally {
                if (locked) {
                    StateAccess.unlock(run, storage);
                }
            }
        }
    }

    /** {@code statemgr.CheckValidImport}: null when the new snapshot may replace the existing one. */
    static String checkValidImport(TofuState incoming, TofuState existing) {
        if (existing == null || existing.empty()) {
            return null;
        }
        if (incoming.lineage == null || incoming.lineage.isEmpty() || existing.lineage.isEmpty()) {
            return null;
        }
        if (!incoming.lineage.equals(existing.lineage)) {
            return "cannot import state with lineage " + Json.quote(incoming.lineage) + " over unrelated state with"
                    + " lineage " + Json.quote(existing.lineage);
        }
        if (incoming.serial > existing.serial) {
            return null;
        }
        if (incoming.serial == existing.serial) {
            return incoming.content().equals(existing.content())
                    ? null
                    : "cannot overwrite existing state with serial " + incoming.serial
                            + " with a different state that has the same serial";
        }
        return "cannot import state with serial " + incoming.serial + " over newer state with serial "
                + existing.serial;
    }

    /**
     * {@code statemgr.Import} then {@code WriteState}/{@code PersistState} as {@code state push} calls them. The
     * local backend persists twice against the snapshot it read (serial + 2 for a changed state); the remote one bumps
     * the pushed serial once, or starts a new lineage at serial 1 when the backend had no state at all.
     */
    private static void importSnapshot(StateStorage storage, TofuState current, String raw, TofuState source) {
        TofuState next = source.copy();
        boolean same = current != null && current.content().equals(source.content());
        if (storage.remote()) {
            if (current == null) {
                next.lineage = UUID.randomUUID().toString();
                next.serial = 1;
            } else if (same
                    && !current.lineage.isEmpty()
                    && source.lineage.equals(current.lineage)
                    && source.serial == current.serial
                    && current.serial != 0) {
                return;
            } else {
                next.serial = source.serial + 1;
            }
        } else {
            // first persist: +1 unless unchanged; the second (WriteState) re-reads the file it wrote when there was
            // no snapshot before, so only a replaced snapshot gets +1 again
            next.serial = source.serial + (current == null ? 1 : same ? 0 : 2);
            if (current != null && !same && storage instanceof StateStorage.Local local) {
                local.backup(raw);
            }
        }
        StateAccess.write(storage, next);
    }
}
