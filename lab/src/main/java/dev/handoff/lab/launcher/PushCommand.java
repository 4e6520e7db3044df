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

    private final LabHome home;
    private final PrintStream out;
    private final WebhookDelivery delivery;

    PushCommand(Path projectDir, Map<String, String> env, PrintStream out) {
        this(LabHome.resolve(env, projectDir), out, new WebhookDelivery());
    }

    PushCommand(LabHome home, PrintStream out, WebhookDelivery delivery) {
        this.home = home;
        this.out = out;
        this.delivery = delivery;
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
        Optional<LabEnvFile> lab = LabEnvFile.read(home.labEnv());
        if (lab.isEmpty() || !lab.get().labRunning()) {
            out.println(
                    "The lab is not running (no running lab wrote " + home.labEnv() + "): start it with ./handoff up");
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
        Optional<LabEnvFile> lab = LabEnvFile.read(home.labEnv());
        Optional<String> webhookUrl = lab.filter(LabEnvFile::labRunning).flatMap(l -> l.get(LabEnvFile.WEBHOOK_URL));
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
