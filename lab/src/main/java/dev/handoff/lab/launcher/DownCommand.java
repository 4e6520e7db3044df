package dev.handoff.lab.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./handoff down}: stops the lab running from this folder as Ctrl-C in its terminal does (SIGTERM to the
 * launcher, which stops the services, then the broker) and waits until the launcher is gone. A launcher that ended
 * without stopping (killed) leaves its state behind: {@code down} stops the services it left running.
 */
final class DownCommand {
    /**
     * How long to wait for the launcher: it gives each service 10 s to stop before killing it, one after another.
     */
    static final Duration WAIT = Duration.ofMinutes(3);

    private static final Duration STRAY_GRACE = Duration.ofSeconds(10);

    private final LabHome home;
    private final PrintStream out;
    private final Duration wait;

    DownCommand(LabHome home, PrintStream out, Duration wait) {
        this.home = home;
        this.out = out;
        this.wait = wait;
    }

    int run() throws InterruptedException {
        Optional<LabState> state = LabState.read(home.labState());
        Optional<ProcessHandle> launcher = state.flatMap(LabState::process).or(this::launcherOfOlderLab);
        if (launcher.isEmpty()) {
            int strays = stopStrays(state);
            if (strays == 0) {
                out.println("No lab is running from " + home.root() + "; nothing to stop.");
            }
            return 0;
        }
        long pid = launcher.get().pid();
        out.println("Stopping the lab in " + home.root() + " (launcher pid " + pid + ", as Ctrl-C would)...");
        launcher.get().destroy();
        try {
            launcher.get().onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            out.println("The lab (pid " + pid + ") is still stopping after " + wait.toSeconds()
                    + " s; see " + home.logs().resolve("lab.log") + ". To end it at once: kill -KILL " + pid
                    + ", then ./handoff down again to stop the services it leaves.");
            return 1;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot wait for the lab's launcher (pid " + pid + ")", e);
        }
        stopStrays(state);
        out.println("Lab stopped. Logs stay in " + home.logs() + ".");
        return 0;
    }

    /** A lab started before launchers recorded {@code lab.state}: its pid is in {@code lab.env}. */
    private Optional<ProcessHandle> launcherOfOlderLab() {
        return LabEnvFile.read(home.labEnv())
                .filter(LabEnvFile::labRunning)
                .flatMap(env -> env.get(LabEnvFile.PID))
                .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)));
    }

    /** Stops the services a launcher that was killed left running, and removes its files; returns how many. */
    private int stopStrays(Optional<LabState> state) throws InterruptedException {
        List<LabState.Service> strays = state.map(s ->
                        s.services().stream().filter(LabState.Service::alive).toList())
                .orElse(List.of());
        for (LabState.Service service : strays) {
            out.println("  stopping " + service.name() + " (pid " + service.pid() + "), left by a launcher that ended"
                    + " without stopping it");
            Optional<ProcessHandle> process = ProcessHandle.of(service.pid());
            if (process.isPresent()) {
                process.get().destroy();
                try {
                    process.get().onExit().get(STRAY_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    process.get().destroyForcibly();
                }
            }
        }
        try {
            if (state.isPresent()) {
                Files.deleteIfExists(home.labState());
            }
            if (LabEnvFile.read(home.labEnv()).filter(LabEnvFile::labRunning).isEmpty()) {
                Files.deleteIfExists(home.labEnv());
            }
        } catch (IOException e) {
            out.println("(cannot remove the stopped lab's files in " + home.run() + ": " + e.getMessage() + ")");
        }
        return strays.size();
    }
}
