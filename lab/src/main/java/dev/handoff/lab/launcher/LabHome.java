package dev.handoff.lab.launcher;

import dev.handoff.lab.forge.LabForge;
import java.nio.file.Path;
import java.util.Map;

/**
 * The lab's folder ({@code HANDOFF_HOME}, default {@code <project>/.handoff}) and what lives in it.
 *
 * @param root the folder itself, absolute
 */
public record LabHome(Path root) {
    /** Environment variable that moves the lab's folder. */
    public static final String VARIABLE = "HANDOFF_HOME";

    public LabHome {
        root = root.toAbsolutePath().normalize();
    }

    /** {@code HANDOFF_HOME} if set, else {@code <projectDir>/.handoff}. */
    public static LabHome resolve(Map<String, String> env, Path projectDir) {
        String configured = env.get(VARIABLE);
        return new LabHome(
                configured == null || configured.isBlank() ? projectDir.resolve(".handoff") : Path.of(configured));
    }

    /** The bare repositories, the lab's "forge": {@code forge/<owner>/<name>.git}. */
    public Path forge() {
        return root.resolve("forge");
    }

    /** The working copies: {@code work/<owner>/<name>}. */
    public Path work() {
        return root.resolve("work");
    }

    /** The running lab's folder: logs and {@code lab.env}. */
    public Path run() {
        return root.resolve("run");
    }

    /** Service and launcher logs. */
    public Path logs() {
        return run().resolve("logs");
    }

    /** The running lab's addresses and credentials, for {@code ./handoff push} and for people (mode 0600). */
    public Path labEnv() {
        return run().resolve("lab.env");
    }

    /** The generated inventory the services read ({@code HANDOFF_INVENTORY}). */
    public Path inventory() {
        return root.resolve("handoff.yaml");
    }

    /** The Kafka broker's storage, kept across restarts. */
    public Path kafkaData() {
        return root.resolve("kafka");
    }

    /**
     * The secret the lab broker's user passwords are derived from ({@code LabKafkaUsers}); it belongs with
     * {@link #kafkaData()}: storage formatted with one secret does not start with another.
     */
    public Path kafkaSecret() {
        return root.resolve("kafka-secret");
    }

    /** The lab's id ({@link LabIdentity}), which its databases carry. */
    public Path labId() {
        return root.resolve("lab-id");
    }

    /** What the running (or starting) lab's launcher records about itself for {@code status} and {@code down}. */
    public Path labState() {
        return run().resolve("lab.state");
    }

    /** An embedded PostgreSQL server's data, kept across restarts. */
    public Path postgresData() {
        return root.resolve("postgres");
    }

    /** The forge over this folder's {@link #forge()} and {@link #work()}. */
    public LabForge labForge() {
        return new LabForge(forge(), work());
    }
}
