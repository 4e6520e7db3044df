package dev.handoff.infra;

import static org.awaitility.Awaitility.await;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.lab.InfraWorldTestResource;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.forge.ForgePush;
import dev.handoff.lab.forge.LabForge;
import dev.handoff.lab.forge.LabRepository;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * What infra-service's Quarkus tests do to drive the stage: commit and push a lab repository, hand the stage the
 * {@code commit.pushed} control-service would publish, and wait for the stage's answer on its topic.
 */
final class InfraPushes {
    static final String HOST = "cloud-edge-1";
    static final Duration RUN = Duration.ofSeconds(90);

    private final EventPublisher publisher;
    private final EventCodec codec;
    private final TopicRecords topics;

    InfraPushes(EventCodec codec, TopicRecords topics) {
        // pushes come from control-service: the test publishes them as the lab's admin
        this.publisher = LabKafka.shared().worldPublisher();
        this.codec = codec;
        this.topics = topics;
    }

    /**
     * The forge of the running test application ({@link InfraWorldTestResource}: the one handoff.yaml's URLs point
     * into), with {@code repository} made afresh from its template for the calling test class.
     */
    static LabForge forge(String name, LabRepository repository) throws java.io.IOException {
        Path root = Path.of(System.getProperty(InfraWorldTestResource.FORGE_PROPERTY));
        LabForge forge = new LabForge(root.resolve("forge"), root.resolve("work"));
        org.eclipse.jgit.util.FileUtils.delete(
                forge.bareRepository(repository).toFile(),
                org.eclipse.jgit.util.FileUtils.RECURSIVE | org.eclipse.jgit.util.FileUtils.SKIP_MISSING);
        org.eclipse.jgit.util.FileUtils.delete(
                forge.workingCopy(repository).toFile(),
                org.eclipse.jgit.util.FileUtils.RECURSIVE | org.eclipse.jgit.util.FileUtils.SKIP_MISSING);
        forge.ensure(repository);
        return forge;
    }

    /** Commits and pushes {@code repository}, publishes its {@code commit.pushed}; returns the deployment id. */
    String push(LabForge forge, LabRepository repository, String message) throws Exception {
        EventEnvelope trigger = trigger(forge.commitAndPush(repository, message), repository);
        publisher.publishAll(List.of(trigger), Duration.ofSeconds(10));
        return trigger.deploymentId();
    }

    /** The {@code commit.pushed} of a push to {@code repository}, for a new deployment (not published). */
    EventEnvelope trigger(ForgePush pushed, LabRepository repository) throws Exception {
        return trigger(pushed, repository, pushed.cloneUrl());
    }

    /** As {@link #trigger(ForgePush, LabRepository)}, naming {@code cloneUrl} as the place to clone from. */
    EventEnvelope trigger(ForgePush pushed, LabRepository repository, String cloneUrl) throws Exception {
        CommitPushed payload = new CommitPushed(
                HOST,
                repository.fullName(),
                pushed.ref(),
                pushed.branch(),
                pushed.before(),
                pushed.after(),
                "infra",
                cloneUrl,
                null,
                "alice",
                UUID.randomUUID().toString(),
                1,
                null);
        return codec.newEvent(
                EventType.COMMIT_PUSHED,
                "/handoff/control-service",
                HOST,
                UUID.randomUUID().toString(),
                null,
                payload);
    }

    /** The stage's event of {@code type} for {@code deployment}, once it is on its topic. */
    EventEnvelope awaitEvent(String deployment, EventType type) {
        return await().atMost(RUN)
                .until(() -> topics.event(deployment, type.type()).orElse(null), e -> e != null);
    }

    /** The stage's last event for {@code deployment}: completed or failed. */
    EventEnvelope awaitOutcome(String deployment) {
        return await().atMost(RUN)
                .until(
                        () -> topics.event(deployment, EventType.CLOUD_FACTS_COMPLETED.type())
                                .or(() -> topics.event(deployment, EventType.CLOUD_FACTS_FAILED.type()))
                                .orElse(null),
                        e -> e != null);
    }

    /** infra-service's {@code handoff.infra.state-dir}. */
    static Path stateDir() {
        return Path.of(ConfigProvider.getConfig().getValue("handoff.infra.state-dir", String.class));
    }

    /** The kept local state of a stack of {@code repository}. */
    static Path keptState(String repository, String stack) {
        return stateDir()
                .resolve("states")
                .resolve(repository.replace('/', '_'))
                .resolve(stack.replace('/', '_'))
                .resolve("terraform.tfstate");
    }
}
