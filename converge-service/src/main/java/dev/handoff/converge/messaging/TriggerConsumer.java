package dev.handoff.converge.messaging;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.Topics;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.lock.HostLock;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.converge.config.ConvergeConfig;
import dev.handoff.converge.driver.Activator;
import dev.handoff.converge.driver.BuildPlace;
import dev.handoff.converge.driver.ConvergedStore;
import dev.handoff.converge.driver.FactsStore;
import dev.handoff.converge.driver.RuntimeCheckout;
import dev.handoff.converge.driver.SshjHosts;
import dev.handoff.support.StageKafka;
import dev.handoff.support.StageLoops;
import dev.handoff.support.StageMetrics;
import dev.handoff.support.ssh.AddressMap;
import dev.handoff.support.ssh.HostKeyPins;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Two consumer threads: the facts keeper (newest {@code cloud-facts} and {@code secret-facts} per host into the
 * database, read from the beginning) and the trigger consumer ({@code secret-facts}, {@code commits} and the replay
 * channel {@code handoff.replay.converge}) that runs the stage.
 */
@ApplicationScoped
public class TriggerConsumer {
    private final StageKafka kafka;
    private final ConvergeConfig config;
    private final Inventory inventory;
    private final EventCodec codec;
    private final EventPublisher publisher;
    private final StageLoops loops;
    private final StageMetrics metrics;
    private final AgroalDataSource dataSource;
    private final HostKeyPins pins;
    private volatile Parts parts;

    /**
     * What the stage works with once started, for the watch ({@code run/ConvergeWatch}) to observe hosts the same way
     * and converge a drifted one back through the same handler.
     *
     * @param handler runs a convergence under the host's lock
     * @param facts the kept cloud and secret facts and access phase per host
     * @param converged what was last converged per host, and its reported drift
     * @param ssh the SSH driver with the pinned host keys
     */
    public record Parts(ConvergeStageHandler handler, FactsStore facts, ConvergedStore converged, SshjHosts ssh) {}

    public TriggerConsumer(
            StageKafka kafka,
            ConvergeConfig config,
            Inventory inventory,
            EventCodec codec,
            EventPublisher publisher,
            StageLoops loops,
            StageMetrics metrics,
            AgroalDataSource dataSource,
            HostKeyPins pins) {
        this.kafka = kafka;
        this.config = config;
        this.inventory = inventory;
        this.codec = codec;
        this.publisher = publisher;
        this.loops = loops;
        this.metrics = metrics;
        this.dataSource = dataSource;
        this.pins = pins;
    }

    void start(@Observes StartupEvent started) {
        ConvergeConfig.Converge c = config.converge();
        FactsStore store = new FactsStore(dataSource);
        ConvergedStore converged = new ConvergedStore(dataSource);
        Path workdir = Path.of(c.workdir());
        SshjHosts ssh = new SshjHosts(
                Path.of(c.sshIdentity()),
                AddressMap.parse(c.addresses().orElse(""), "handoff.converge.addresses"),
                pins,
                c.firstContact(),
                c.sshTimeout(),
                HostKeyPins.required(inventory));
        ConvergeStageHandler handler = new ConvergeStageHandler(
                inventory,
                codec,
                publisher,
                store,
                converged,
                new HostLock(dataSource, "converge", metrics.hostLockWaits("converge")),
                new RuntimeCheckout(workdir.resolve("worktrees")),
                ssh,
                new Activator(c.activator(), c.activatorExecutable(), c.nixExecutable(), c.activationTimeout()),
                place(c, ssh),
                c,
                kafka,
                new dev.handoff.support.StageOutcomes(
                        Stage.CONVERGE.id(), dev.handoff.support.StageOutcomes.jdbc(dataSource), codec, publisher));
        parts = new Parts(handler, store, converged, ssh);
        Map<String, Object> batches = Map.of("max.poll.records", 500);
        loops.start(
                "converge-facts",
                c.factsConsumerGroup(),
                List.of(Topics.CLOUD_FACTS, Topics.SECRET_FACTS),
                batches,
                batch -> keep(store, batch));
        loops.startStage(
                "converge-stage", c.consumerGroup(), Stage.CONVERGE, c.concurrency(), Map.of(), handler::handle);
    }

    /** The stage's parts, once it started. */
    public java.util.Optional<Parts> parts() {
        return java.util.Optional.ofNullable(parts);
    }

    /** Where the activator runs: the build host of handoff.converge.build-host, or this machine. */
    static BuildPlace place(ConvergeConfig.Converge c, SshjHosts ssh) {
        if (c.buildHost().isEmpty() || c.buildHost().get().isBlank()) {
            return new BuildPlace.Local();
        }
        String spec = c.buildHost().get().strip();
        int at = spec.indexOf('@');
        if (at <= 0 || at == spec.length() - 1) {
            throw new IllegalArgumentException("handoff.converge.build-host must be user@address, e.g."
                    + " root@forgejo-pi.tailnet.ts.net; got '" + spec + "'");
        }
        return new BuildPlace.Remote(ssh, spec.substring(0, at), spec.substring(at + 1), c.buildHostDir());
    }

    private static void infraEnded(FactsStore store, EventEnvelope e) throws Exception {
        if (e.deploymentId() != null) {
            store.infraEnded(e.subject(), e.deploymentId());
        }
    }

    private static void keep(FactsStore store, List<ReceivedEvent> batch) throws Exception {
        for (ReceivedEvent received : batch) {
            EventEnvelope e = received.event();
            if (EventType.CLOUD_FACTS_STARTED.type().equals(e.type()) && e.deploymentId() != null) {
                store.infraStarted(e.subject(), e.deploymentId(), e.time().toInstant());
            } else if (EventType.CLOUD_FACTS_COMPLETED.type().equals(e.type())) {
                store.keep(e.subject(), FactsStore.Kind.CLOUD, e.id(), e.time().toInstant(), e.data());
                infraEnded(store, e);
            } else if (EventType.CLOUD_FACTS_FAILED.type().equals(e.type())
                    || EventType.CLOUD_FACTS_SUPERSEDED.type().equals(e.type())) {
                infraEnded(store, e);
            } else if (EventType.SECRET_FACTS_COMPLETED.type().equals(e.type())) {
                store.keep(e.subject(), FactsStore.Kind.SECRET, e.id(), e.time().toInstant(), e.data());
            }
        }
    }
}
