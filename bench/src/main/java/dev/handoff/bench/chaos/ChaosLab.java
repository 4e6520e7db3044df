package dev.handoff.bench.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.bench.BenchException;
import dev.handoff.bench.BenchLab;
import dev.handoff.bench.chaos.ChaosModel.Delivery;
import dev.handoff.lab.LabDatabase;
import dev.handoff.lab.LabPostgres;
import dev.handoff.lab.launcher.LabEnvFile;
import dev.handoff.lab.launcher.LabHome;
import dev.handoff.lab.launcher.ServiceModule;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chaos run's own lab: {@code ./handoff up} as a child process with a lab folder, a database prefix and ports of
 * its own (a developer's lab keeps running); {@code ./handoff push} into it; its drills through the launcher's drill
 * endpoint ({@code run/lab.env}'s {@code HANDOFF_LAB_DRILL_URL}/{@code _TOKEN}, what {@code ./handoff kill …} calls);
 * at the end the lab stopped and its databases dropped.
 */
final class ChaosLab implements AutoCloseable {
    private static final Pattern HTTP_STATUS =
            Pattern.compile("^Webhook \\S+.*: HTTP (\\d{3})\\s*$", Pattern.MULTILINE);
    private static final Pattern COMMITTED = Pattern.compile("^Committed ([0-9a-f]{10})", Pattern.MULTILINE);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BenchLab lab;
    private final Path root;
    private final LabHome home;
    private final Map<String, String> env;
    private final Path pushLog;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    ChaosLab(Path root, Path home, String databasePrefix, Path upLog) {
        this.lab = new BenchLab("chaos", root, home, Map.of("HANDOFF_LAB_DATABASE_PREFIX", databasePrefix), upLog);
        this.root = root;
        this.home = lab.home();
        this.env = lab.environment();
        this.pushLog = upLog.resolveSibling("chaos-push.log");
    }

    LabHome home() {
        return home;
    }

    Map<String, String> environment() {
        return env;
    }

    /** Starts the lab and waits until it has written {@code run/lab.env} (every service ready). */
    void start(int port, int kafkaPort, Duration deadline) throws InterruptedException {
        lab.start(List.of("--port", Integer.toString(port), "--kafka-port", Integer.toString(kafkaPort)), deadline);
    }

    /** The running lab's {@code run/lab.env}; empty when it is not written. */
    Map<String, String> labEnv() {
        return lab.labEnv();
    }

    String require(String key) {
        return lab.require(key);
    }

    /** The environment a lab client sees: the process's own plus the lab's folder and prefix. */
    Map<String, String> clientEnvironment() {
        return lab.clientEnvironment();
    }

    /** A lab database by its module ({@code control-service} → the ledger). */
    LabDatabase database(LabPostgres postgres, String module) {
        ServiceModule m = ServiceModule.ALL.stream()
                .filter(s -> s.name().equals(module))
                .findFirst()
                .orElseThrow();
        return postgres.database(m.database(clientEnvironment())).database();
    }

    /**
     * A drill, as {@code ./handoff <action> <target>} asks for it: {@code POST /drills/<action>/<target>}.
     *
     * @param action kill, restart, stop, start, partition or heal
     * @return the launcher's sentence
     * @throws BenchException when the launcher refused it
     */
    String drill(String action, String target) throws InterruptedException {
        URI uri = URI.create(require(LabEnvFile.DRILL_URL) + "/drills/" + action + "/" + target);
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofMinutes(4))
                            .header("Authorization", "Bearer " + require(LabEnvFile.DRILL_TOKEN))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new BenchException("./handoff " + action + " " + target + " was refused (" + r.statusCode()
                        + "): " + r.body().trim());
            }
            return r.body().trim();
        } catch (IOException e) {
            throw new BenchException("./handoff " + action + " " + target + " failed: " + e, e);
        }
    }

    /**
     * {@code ./handoff push <repository> -m <message>}: commits, pushes and delivers the webhook; records its answer,
     * whatever it is.
     */
    Delivery push(String repository, String message) throws InterruptedException {
        Instant sent = Instant.now();
        try {
            ProcessBuilder builder = new ProcessBuilder("./handoff", "push", repository, "-m", message)
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(env);
            Process push = builder.start();
            byte[] out = push.getInputStream().readAllBytes();
            if (!push.waitFor(5, TimeUnit.MINUTES)) {
                push.destroyForcibly();
            }
            String text = new String(out, StandardCharsets.UTF_8);
            Files.writeString(
                    pushLog,
                    "--- " + sent + " ./handoff push " + repository + " (exit "
                            + (push.isAlive() ? "?" : push.exitValue()) + ")\n" + text,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            return parsePush(repository, sent, text);
        } catch (IOException e) {
            return new Delivery(repository, "", 0, List.of(), sent, "push failed: " + e.getMessage());
        }
    }

    /** A {@link Delivery} from {@code ./handoff push}'s output: the status line and the JSON answer after it. */
    static Delivery parsePush(String repository, Instant sent, String text) {
        Matcher committed = COMMITTED.matcher(text);
        String commit = committed.find() ? committed.group(1) : "";
        Matcher status = HTTP_STATUS.matcher(text);
        if (!status.find()) {
            String last = text.strip();
            int nl = last.lastIndexOf('\n');
            return new Delivery(
                    repository, commit, 0, List.of(), sent, "no answer: " + (nl < 0 ? last : last.substring(nl + 1)));
        }
        int code = Integer.parseInt(status.group(1));
        String body = text.substring(status.end()).strip();
        List<String> ids = new ArrayList<>();
        String detail = "HTTP " + code;
        try {
            JsonNode answer = JSON.readTree(body);
            for (JsonNode d : answer.path("deployments")) {
                ids.add(d.path("id").asText());
            }
            detail += " " + answer.path("status").asText() + " "
                    + answer.path("reason").asText("");
        } catch (IOException | RuntimeException notJson) {
            detail += " " + (body.length() > 120 ? body.substring(0, 120) : body);
        }
        return new Delivery(repository, commit, code, List.copyOf(ids), sent, detail.strip());
    }

    /**
     * Grows the edge host's data volume by 1 GB in the infra repository's working copy ({@code size_in_gbs} of
     * {@code oci_core_volume.data}): an in-place update, so the next push's deployment runs a tofu apply (an empty
     * commit plans no change and applies nothing).
     */
    void growDataVolume() throws IOException {
        Path main = home.work().resolve("ops/edge-cluster-infra/stacks/compute/main.tf");
        String text = Files.readString(main, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?m)^(\\s*)size_in_gbs(\\s*)=(\\s*)(\\d+)").matcher(text);
        if (m.find()) {
            int next = Integer.parseInt(m.group(4)) + 1;
            Files.writeString(
                    main,
                    text.substring(0, m.start()) + m.group(1) + "size_in_gbs" + m.group(2) + "=" + m.group(3) + next
                            + text.substring(m.end()),
                    StandardCharsets.UTF_8);
        }
    }

    /** Writes {@code key=value} lines into the lab's NixOS faults file (empty: none). */
    void nixosFaults(String content) throws IOException {
        Path file = home.root().resolve("nixos").resolve("nixos-faults.properties");
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    /** The pid of a running service of the lab ({@code run/lab.state}), if any. */
    Optional<Long> servicePid(String service) {
        try {
            return dev.handoff.lab.launcher.LabState.read(home.labState())
                    .flatMap(state -> state.services().stream()
                            .filter(s -> s.name().equals(service))
                            .map(dev.handoff.lab.launcher.LabState.Service::pid)
                            .findFirst());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Stops the lab (SIGTERM: it stops its services, then its broker) and drops its databases. */
    @Override
    public void close() {
        lab.close();
    }

    static String tail(Path file, int lines) {
        return BenchLab.tail(file, lines);
    }
}
