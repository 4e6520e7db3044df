package dev.handoff.lab.launcher;

import dev.handoff.lab.forge.ForgePush;
import dev.handoff.lab.forge.ForgeUser;
import dev.handoff.lab.forge.ForgejoPushPayload;
import dev.handoff.lab.forge.LabForge;
import dev.handoff.lab.forge.LabRepository;
import dev.handoff.lab.forge.WebhookDelivery;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code ./handoff push <owner/name> [-m message]}: commits whatever changed in the repository's working copy (an
 * empty commit if nothing did), pushes it to the lab's forge, and delivers the signed push webhook Forgejo would send
 * to the running lab's control-service.
 */
final class PushCommand {
    /** The forge account that pushes in the lab. */
    static final ForgeUser PUSHER = new ForgeUser(2, "operator", "Lab Operator", "operator@forge.lab.localhost");

    static final String DEFAULT_MESSAGE = "handoff push";

    /**
     * How long a push waits for a lab that is starting: each service may take 90 s to be ready, and they start side by
     * side.
     */
    static final Duration START_WAIT = Duration.ofMinutes(4);

    private static final Duration POLL = Duration.ofMillis(200);

    private final LabHome home;
    private final PrintStream out;
    private final WebhookDelivery delivery;
    private final Duration startWait;

    PushCommand(Path projectDir, Map<String, String> env, PrintStream out) {
        this(LabHome.resolve(env, projectDir), out, new WebhookDelivery());
    }

    PushCommand(LabHome home, PrintStream out, WebhookDelivery delivery) {
        this(home, out, delivery, START_WAIT);
    }

    /** As the others, waiting at most {@code startWait} for a lab that is starting. */
    PushCommand(LabHome home, PrintStream out, WebhookDelivery delivery, Duration startWait) {
        this.home = home;
        this.out = out;
        this.delivery = delivery;
        this.startWait = startWait;
    }

    /**
     * Commits and pushes to the lab's forge and delivers no webhook, as when Forgejo's delivery is lost: the lab's
     * control-service finds the commit by reconciliation (docs/lab.md). Needs no running lab.
     */
    int pushOnly(String repositoryName, String message) {
        Optional<LabRepository> repository = LabRepository.byFullName(repositoryName);
        if (repository.isEmpty()) {
            out.println("Unknown repository " + repositoryName + "; the lab's repositories are: "
                    + LabRepository.ALL.stream().map(LabRepository::fullName).collect(Collectors.joining(", ")));
            return 2;
        }
        LabLogging.toFile(home.logs().resolve("push.log"));
        LabForge forge = home.labForge();
        ForgePush push = forge.commitAndPush(repository.get(), message);
        out.println("Committed " + push.after().substring(0, 10) + " in " + forge.workingCopy(repository.get()) + ": "
                + firstLine(message));
        out.println("Pushed " + push.branch() + " to " + forge.bareRepository(repository.get()) + " ("
                + shortId(push.before()) + ".." + shortId(push.after()) + "); no webhook delivered: control-service"
                + " finds it when it next reads the branch (HANDOFF_RECONCILE_INTERVAL, default 5m, and at its start)");
        return 0;
    }

    /** Runs the push; returns the exit code (0 only for a 2xx answer to the webhook). */
    int run(String repositoryName, String message) throws InterruptedException {
        return run(repositoryName, message, false);
    }

    /**
     * Runs the push, delivering the webhook as Forgejo's "form" content type when {@code form}; returns the exit code
     * (0 only for a 2xx answer). The delivered body is kept for {@link #redeliver}.
     */
    int run(String repositoryName, String message, boolean form) throws InterruptedException {
        Optional<LabRepository> repository = LabRepository.byFullName(repositoryName);
        if (repository.isEmpty()) {
            out.println("Unknown repository " + repositoryName + "; the lab's repositories are: "
                    + LabRepository.ALL.stream().map(LabRepository::fullName).collect(Collectors.joining(", ")));
            return 2;
        }
        LabLogging.toFile(home.logs().resolve("push.log"));
        Optional<LabEnvFile> lab = runningLab();
        if (lab.isEmpty()) {
            return 1;
        }
        Optional<String> webhookUrl = lab.get().get(LabEnvFile.WEBHOOK_URL);
        if (webhookUrl.isEmpty()) {
            out.println("The lab is running without control-service (it is not built), so nothing receives webhooks:"
                    + " build it with ./mvnw -B install -DskipTests, then restart ./handoff up");
            return 1;
        }
        String secret = lab.get()
                .get(LabEnvFile.WEBHOOK_SECRET)
                .orElseThrow(() -> new IllegalStateException(home.labEnv() + " has no " + LabEnvFile.WEBHOOK_SECRET));

        LabForge forge = home.labForge();
        ForgePush push = forge.commitAndPush(repository.get(), message);
        out.println("Committed " + push.after().substring(0, 10) + " in " + forge.workingCopy(repository.get()) + ": "
                + firstLine(message));
        out.println("Pushed " + push.branch() + " to " + forge.bareRepository(repository.get()) + " ("
                + shortId(push.before()) + ".." + shortId(push.after()) + ", "
                + push.commits().size() + " commit"
                + (push.commits().size() == 1 ? "" : "s") + ")");

        byte[] body = ForgejoPushPayload.json(push, repositoryId(repository.get()), PUSHER);
        try {
            Files.createDirectories(home.run());
            Files.write(lastDelivery(), body);
        } catch (IOException e) {
            out.println("(could not keep the delivery for ./handoff redeliver: " + e.getMessage() + ")");
        }
        return deliver(webhookUrl.get(), secret, body, form);
    }

    /**
     * Sends the last push's body again under a new delivery id, as Forgejo's "Replay" button on a delivery does;
     * returns the exit code (0 for a 2xx answer: {@code 200 duplicate} for a commit already deployed).
     */
    int redeliver() throws InterruptedException {
        LabLogging.toFile(home.logs().resolve("push.log"));
        Optional<LabEnvFile> lab = runningLab();
        if (lab.isEmpty()) {
            return 1;
        }
        Optional<String> webhookUrl = lab.flatMap(l -> l.get(LabEnvFile.WEBHOOK_URL));
        if (webhookUrl.isEmpty()) {
            out.println("The lab is not running with control-service (no running lab wrote " + home.labEnv()
                    + "): start it with ./handoff up");
            return 1;
        }
        if (!Files.isRegularFile(lastDelivery())) {
            out.println("No delivery to send again: ./handoff push one first");
            return 1;
        }
        try {
            out.println("Sending the last push again under a new delivery id (Forgejo's \"Replay\")");
            return deliver(
                    webhookUrl.get(),
                    lab.get().get(LabEnvFile.WEBHOOK_SECRET).orElseThrow(),
                    Files.readAllBytes(lastDelivery()),
                    false);
        } catch (IOException e) {
            out.println("Cannot read " + lastDelivery() + ": " + e.getMessage());
            return 1;
        }
    }

    /**
     * The running lab's {@code lab.env}; if the lab is still starting, waits for it (at most {@link #startWait}),
     * saying so. Empty, with the reason printed, if no lab runs or it did not come up.
     */
    private Optional<LabEnvFile> runningLab() throws InterruptedException {
        Optional<LabEnvFile> lab = LabEnvFile.read(home.labEnv()).filter(LabEnvFile::labRunning);
        if (lab.isPresent()) {
            return lab;
        }
        Optional<LabState> starting = LabState.read(home.labState()).filter(LabState::alive);
        if (starting.isEmpty() || starting.get().phase() == LabState.Phase.STOPPING) {
            out.println(
                    "The lab is not running (no running lab wrote " + home.labEnv() + "): start it with ./handoff up");
            return Optional.empty();
        }
        long pid = starting.get().pid();
        out.println(
                "The lab is starting (pid " + pid + ", since " + starting.get().since()
                        + "); waiting for it to be ready (at most " + startWait.toSeconds() + " s)...");
        long deadline = System.nanoTime() + startWait.toNanos();
        while (System.nanoTime() < deadline) {
            lab = LabEnvFile.read(home.labEnv()).filter(LabEnvFile::labRunning);
            if (lab.isPresent()) {
                out.println("The lab is up.");
                return lab;
            }
            Optional<LabState> now = LabState.read(home.labState()).filter(LabState::alive);
            if (now.isEmpty() || now.get().phase() == LabState.Phase.STOPPING) {
                out.println("The lab (pid " + pid + ") stopped before it was ready: see the terminal of ./handoff up"
                        + " and " + home.logs().resolve("lab.log") + ", start it again with ./handoff up, then push"
                        + " (nothing was committed or pushed)");
                return Optional.empty();
            }
            Thread.sleep(POLL.toMillis());
        }
        out.println("The lab (pid " + pid + ") was not ready within " + startWait.toSeconds() + " s: ./handoff status"
                + " shows which service it waits for (logs in " + home.logs() + "); nothing was committed or pushed");
        return Optional.empty();
    }

    private Path lastDelivery() {
        return home.run().resolve("last-delivery.json");
    }

    private int deliver(String webhookUrl, String secret, byte[] body, boolean form) throws InterruptedException {
        WebhookDelivery.Response response;
        try {
            response = delivery.deliver(URI.create(webhookUrl), secret, body, form);
        } catch (ConnectException e) {
            out.println("The lab is not running at " + webhookUrl + " (connection refused): start it with"
                    + " ./handoff up, then push again (an unchanged working copy pushes an empty commit)");
            return 1;
        } catch (IOException e) {
            out.println("The webhook to " + webhookUrl + " failed: " + e.getMessage());
            return 1;
        }
        out.println("Webhook " + response.deliveryId() + (form ? " (form-encoded)" : "") + " -> " + webhookUrl
                + ": HTTP " + response.status());
        if (!response.body().isBlank()) {
            out.println(response.body());
        }
        return response.accepted() ? 0 : 1;
    }

    /** The forge's numeric id of a lab repository: its position in {@link LabRepository#ALL}, from 1. */
    static long repositoryId(LabRepository repository) {
        return LabRepository.ALL.indexOf(repository) + 1L;
    }

    private static String shortId(String id) {
        return id.substring(0, Math.min(10, id.length()));
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
