package dev.handoff.lab.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code ./handoff kill|restart|stop|start|partition …}: asks the lab running from this folder for a drill over its
 * drill endpoint ({@link DrillEndpoint}, address and token in {@code run/lab.env}) and prints what the lab did. Exit
 * code 0 when done, 1 when the lab refused or failed it, {@value StatusCommand#NOT_RUNNING} when no lab runs.
 */
final class DrillCommand {
    /** A restart waits for the service's readiness (up to 90 s) after stopping it (up to 10 s). */
    private static final Duration ANSWER_TIMEOUT = UpCommand.READY_TIMEOUT.plus(Duration.ofSeconds(60));

    private final LabHome home;
    private final PrintStream out;

    DrillCommand(LabHome home, PrintStream out) {
        this.home = home;
        this.out = out;
    }

    int run(Drill drill) throws InterruptedException {
        Optional<LabState> state = LabState.read(home.labState()).filter(LabState::alive);
        if (state.isEmpty()) {
            out.println("No lab is running from " + home.root() + ": " + drill.commandLine() + " acts on a running"
                    + " lab. Start one with ./handoff up (or set HANDOFF_HOME to the folder of the lab you mean).");
            return StatusCommand.NOT_RUNNING;
        }
        if (state.get().phase() != LabState.Phase.UP) {
            out.println("The lab in " + home.root() + " is "
                    + state.get().phase().name().toLowerCase(java.util.Locale.ROOT) + ": run " + drill.commandLine()
                    + " once ./handoff status says it is up.");
            return 1;
        }
        Optional<LabEnvFile> env = LabEnvFile.read(home.labEnv()).filter(LabEnvFile::labRunning);
        Optional<String> url = env.flatMap(e -> e.get(LabEnvFile.DRILL_URL));
        Optional<String> token = env.flatMap(e -> e.get(LabEnvFile.DRILL_TOKEN));
        if (url.isEmpty() || token.isEmpty()) {
            out.println("The lab in " + home.root() + " (pid " + state.get().pid() + ") takes no drills: its launcher"
                    + " predates them. Restart it with ./handoff down and ./handoff up.");
            return 1;
        }
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(url.get() + drill.path()))
                            .header("Authorization", "Bearer " + token.get())
                            .timeout(ANSWER_TIMEOUT)
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            out.print(response.body());
            return response.statusCode() == 200 ? 0 : 1;
        } catch (IOException e) {
            out.println("The lab in " + home.root() + " (pid " + state.get().pid() + ") did not answer "
                    + drill.commandLine() + " on " + url.get() + " (" + e.getMessage() + "); see "
                    + home.logs().resolve("lab.log") + ".");
            return 1;
        }
    }
}
