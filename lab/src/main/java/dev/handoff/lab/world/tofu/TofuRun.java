package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Diagnostics.Diag;
import dev.handoff.lab.world.tofu.Diagnostics.Failure;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What every command of one stand-in tofu invocation shares: folders, environment, streams and diagnostics. */
final class TofuRun {
    /** The working folder, after {@code -chdir}. */
    final Path dir;

    final Path world;
    final Map<String, String> env;
    final InputStream in;
    final PrintStream out;
    final PrintStream err;
    final boolean color;

    /**
     * The configuration files loaded so far: a failure thrown anywhere later is printed with their source lines, as
     * tofu's diagnostics quote the configuration.
     */
    Map<String, Hcl.File> sources = Map.of();

    TofuRun(
            Path dir,
            Path world,
            Map<String, String> env,
            InputStream in,
            PrintStream out,
            PrintStream err,
            boolean color) {
        this.dir = dir;
        this.world = world;
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
        this.color = color;
    }

    void diagnostics(List<Diag> diags, Map<String, Hcl.File> files) {
        Diagnostics.print(diags, files, color, out, err);
    }

    boolean automation() {
        String v = env.get("TF_IN_AUTOMATION");
        return v != null && !v.isEmpty();
    }

    Path dataDir() {
        String v = env.get("TF_DATA_DIR");
        return dir.resolve(v == null || v.isEmpty() ? ".terraform" : v);
    }

    String stack() {
        return dir.getFileName().toString();
    }

    /** The {@code arguments}-package commands' flag error: diagnostic plus the help prompt. */
    int flagError(String command, String message) {
        diagnostics(List.of(Diag.error("Failed to parse command-line flags", message)), Map.of());
        err.print("\nFor more help on using this command, run:\n  tofu " + command + " -help\n");
        return 1;
    }

    static Failure unsupported(String what) {
        return new Failure(Diag.error(
                "Not supported by the lab's stand-in tofu",
                "The Handoff lab's stand-in for OpenTofu does not model " + what + "; real OpenTofu accepts it."));
    }

    ProviderLocks readLocks() {
        Path file = dir.resolve(ProviderLocks.FILE);
        if (!Files.exists(file)) {
            return new ProviderLocks();
        }
        try {
            return ProviderLocks.parse(ProviderLocks.FILE, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
