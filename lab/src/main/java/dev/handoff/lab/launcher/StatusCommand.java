package dev.handoff.lab.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.common.inventory.InventoryLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code ./handoff status}: whether a lab runs from this folder, since when, on which ports, which versions, each
 * service's process and readiness, and the last deployment of each host with its result. Exit code 0 while a lab runs
 * (starting, up or stopping), {@value #NOT_RUNNING} when none does.
 */
final class StatusCommand {
    /** Exit code when no lab runs from the folder (as an LSB init script's {@code status}: "not running"). */
    static final int NOT_RUNNING = 3;

    /** At most this many hosts are listed one by one (a fleet lists the rest as a count). */
    static final int HOSTS_LISTED = 12;

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LabHome home;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    StatusCommand(LabHome home, PrintStream out) {
        this.home = home;
        this.out = out;
    }

    int run() throws InterruptedException {
        Optional<LabState> state = LabState.read(home.labState());
        if (state.isEmpty() || !state.get().alive()) {
            out.println("No lab is running from " + home.root() + ". Start it with ./handoff up.");
            leftovers(state);
            return NOT_RUNNING;
        }
        LabState lab = state.get();
        String phase = switch (lab.phase()) {
            case STARTING -> "starting";
            case UP -> "up";
            case STOPPING -> "stopping";
        };
        out.println("The Handoff lab in " + home.root() + " is " + phase + " (since " + TIME.format(lab.since()) + ", "
                + ago(lab.since()) + "; launcher pid " + lab.pid() + ")");
        if (!lab.versions().isEmpty()) {
            List<String> versions = new ArrayList<>();
            lab.versions().forEach((what, version) -> versions.add(what + " " + version));
            out.println("  Versions         " + String.join(", ", versions));
        }
        if (!lab.kafka().isEmpty()) {
            out.println("  Kafka            " + lab.kafka() + " (in the launcher)");
        }
        if (!lab.postgres().isEmpty()) {
            out.println("  PostgreSQL       " + lab.postgres().replaceFirst("^PostgreSQL: ", ""));
        }
        if (!lab.drills().isEmpty()) {
            out.println("  Drills           " + drilled(lab));
        }
        if (lab.services().isEmpty()) {
            out.println("  Services         none started yet");
        }
        for (LabState.Service service : lab.services()) {
            out.printf(
                    "  %-16s http://localhost:%d  %-9s pid %d, since %s%n",
                    service.name(),
                    service.port(),
                    readiness(lab, service),
                    service.pid(),
                    TIME.format(service.started()));
        }
        Optional<LabEnvFile> env = LabEnvFile.read(home.labEnv()).filter(LabEnvFile::labRunning);
        deployments(lab, env);
        out.println("Logs in " + home.logs() + ". Stop the lab with ./handoff down.");
        return 0;
    }

    private void leftovers(Optional<LabState> state) {
        if (state.isEmpty()) {
            return;
        }
        List<String> running = state.get().services().stream()
                .filter(LabState.Service::alive)
                .map(s -> s.name() + " (pid " + s.pid() + ")")
                .toList();
        out.println("(Its launcher, pid " + state.get().pid() + ", ended without stopping the lab"
                + (running.isEmpty() ? "" : "; still running: " + String.join(", ", running))
                + ". ./handoff down cleans up.)");
    }

    /** What the drills changed, each with the command that undoes it. */
    private static String drilled(LabState lab) {
        List<String> changes = new ArrayList<>();
        lab.drills().forEach((what, done) -> {
            String undo = switch (done) {
                case "killed" -> "./handoff restart " + what;
                case "stopped" -> "./handoff start " + what;
                case "partitioned" -> "./handoff partition " + what + " --heal";
                default -> "";
            };
            changes.add(what + " " + done + (undo.isEmpty() ? "" : " (" + undo + ")"));
        });
        return String.join(", ", changes);
    }

    private String readiness(LabState lab, LabState.Service service) throws InterruptedException {
        if (!service.alive()) {
            return "killed".equals(lab.drills().get(service.name())) ? "KILLED" : "EXITED";
        }
        try {
            HttpResponse<Void> ready = http.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + service.port() + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return ready.statusCode() == 200 ? "ready" : "not ready";
        } catch (IOException e) {
            return "starting";
        }
    }

    /** The newest deployment of each host of the lab's inventory, from control-service's API. */
    private void deployments(LabState lab, Optional<LabEnvFile> env) throws InterruptedException {
        Optional<String> controlUrl = env.flatMap(e -> e.get(LabEnvFile.CONTROL_URL));
        Optional<String> token = env.flatMap(e -> e.get(LabEnvFile.OPERATOR_TOKEN));
        if (controlUrl.isEmpty() || token.isEmpty()) {
            out.println("Deployments: shown once the lab is up with control-service"
                    + (lab.phase() == LabState.Phase.STARTING ? " (it is starting)" : ""));
            return;
        }
        List<String> hosts = inventoryHosts();
        out.println("Last deployment per host (./handoff ctl deployments lists them all):");
        int listed = 0;
        for (String host : hosts) {
            if (listed == HOSTS_LISTED) {
                out.println(
                        "  … and " + (hosts.size() - listed) + " more hosts: ./handoff ctl deployments --host <host>");
                break;
            }
            out.println("  " + lastDeployment(controlUrl.get(), token.get(), host));
            listed++;
        }
    }

    private String lastDeployment(String controlUrl, String token, String host) throws InterruptedException {
        URI uri = URI.create(
                controlUrl + "/api/deployments?limit=1&host=" + URLEncoder.encode(host, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(uri)
                            .header("Authorization", "Bearer " + token)
                            .header("Accept", "application/json")
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != 200) {
                return String.format("%-14s cannot tell: GET %s answered HTTP %d", host, uri, response.statusCode());
            }
            JsonNode items = JSON.readTree(response.body()).path("items");
            if (items.isEmpty()) {
                return String.format("%-14s no deployment yet", host);
            }
            JsonNode d = items.get(0);
            String commit = d.path("commit").asText("");
            String result = d.path("result").asText("");
            return String.format(
                    "%-14s %-10s %s %s, started %s, %s%s",
                    host,
                    d.path("status").asText(),
                    d.path("repository").asText(""),
                    commit.substring(0, Math.min(10, commit.length())),
                    d.path("startedAt").asText(""),
                    d.path("id").asText(),
                    result.isBlank() ? "" : ": " + result);
        } catch (IOException e) {
            return String.format("%-14s cannot tell: control-service at %s does not answer (%s)", host, controlUrl, e);
        }
    }

    private List<String> inventoryHosts() {
        if (!Files.isRegularFile(home.inventory())) {
            return List.of();
        }
        try {
            return List.copyOf(InventoryLoader.load(home.inventory()).hosts().keySet());
        } catch (RuntimeException e) {
            out.println("  (cannot read the inventory " + home.inventory() + ": " + e.getMessage() + ")");
            return List.of();
        }
    }

    private static String ago(Instant since) {
        Duration d = Duration.between(since, Instant.now());
        if (d.toMinutes() < 1) {
            return d.toSeconds() + " s ago";
        }
        if (d.toHours() < 1) {
            return d.toMinutes() + " min ago";
        }
        return d.toHours() + " h " + d.toMinutesPart() + " min ago";
    }
}
