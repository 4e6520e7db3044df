package dev.handoff.secrets.messaging;

import dev.handoff.common.event.Stage;
import dev.handoff.common.event.Topics;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.lock.HostLock;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.secrets.config.SecretsConfig;
import dev.handoff.secrets.driver.JGitSecretsRepository;
import dev.handoff.secrets.driver.SnapshotReader;
import dev.handoff.sops.AgeIdentity;
import dev.handoff.support.StageKafka;
import dev.handoff.support.StageLoops;
import dev.handoff.support.StageMetrics;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Consumes {@code handoff.commits} and {@code handoff.cloud-facts} in one consumer thread and hands each batch to the
 * stage. The two topics are partitioned independently, so in a group of several instances the commits of a host and
 * its cloud facts may be read by different instances; each host's check therefore runs under a {@link HostLock} (a
 * PostgreSQL advisory lock on the service's database), and a second check of the host waits for the first.
 */
@ApplicationScoped
public class TriggerConsumer {
    static final List<String> TOPICS = List.of(Topics.COMMITS, Topics.CLOUD_FACTS);

    /** The namespace of the stage's per-host advisory locks ({@code handoff-secrets:<host>}). */
    public static final String HOST_LOCK_STAGE = "secrets";

    private final StageKafka kafka;
    private final SecretsConfig config;
    private final Inventory inventory;
    private final EventCodec codec;
    private final EventPublisher publisher;
    private final StageLoops loops;
    private final StageMetrics metrics;
    private final Optional<AgeIdentity> identity;
    private final DataSource dataSource;

    public TriggerConsumer(
            StageKafka kafka,
            SecretsConfig config,
            Inventory inventory,
            EventCodec codec,
            EventPublisher publisher,
            StageLoops loops,
            StageMetrics metrics,
            Optional<AgeIdentity> identity,
            AgroalDataSource dataSource) {
        this.kafka = kafka;
        this.config = config;
        this.inventory = inventory;
        this.codec = codec;
        this.publisher = publisher;
        this.loops = loops;
        this.metrics = metrics;
        this.identity = identity;
        this.dataSource = dataSource;
    }

    void start(@Observes StartupEvent started) {
        SnapshotReader reader = new SnapshotReader(
                new JGitSecretsRepository(Path.of(config.secrets().repositoryCache())),
                identity,
                config.secrets().maxFileBytes());
        SecretsStageHandler handler = new SecretsStageHandler(
                inventory,
                codec,
                publisher,
                reader,
                config,
                new HostLock(dataSource, HOST_LOCK_STAGE, metrics.hostLockWaits(HOST_LOCK_STAGE)),
                kafka,
                new dev.handoff.support.StageOutcomes(
                        Stage.SECRETS.id(), dev.handoff.support.StageOutcomes.jdbc(dataSource), codec, publisher));
        loops.startStage(
                "secrets-stage",
                config.secrets().consumerGroup(),
                Stage.SECRETS,
                config.secrets().concurrency(),
                Map.of(),
                handler::handle);
    }
}
