package dev.handoff.bench;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.event.v1.SecretFacts;
import dev.handoff.common.event.v1.StageStarted;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The ingest workload: per deployment the first five events of a chain run after {@code commit.pushed} —
 * {@code cloud-facts.started}, {@code cloud-facts.completed}, {@code secret-facts.started},
 * {@code secret-facts.completed}, {@code convergence.started} — each caused by the one before, spread over hosts
 * {@code edge-001}, {@code edge-002}, … Payloads look like the contract's samples (OCI ids, age recipients, SOPS
 * fingerprints) and every event is validated by {@link EventCodec#encode}.
 */
final class IngestEvents {
    /** Events per deployment. */
    static final int PER_DEPLOYMENT = 5;

    static final String INFRA_REPOSITORY = "ops/edge-cluster-infra";
    static final String SECRETS_REPOSITORY = "ops/infrastructure-secrets";
    private static final String BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static final String OCID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final String REGION = "eu-frankfurt-1";

    private final EventCodec codec;
    private final Random random;
    private final List<HostFacts> hosts;
    private final String operatorRecipient;

    /** What stays the same for a host across deployments: its instance, subnet, volume and age recipient. */
    private record HostFacts(
            String name,
            String instanceId,
            String subnetId,
            String volumeId,
            String privateIp,
            String publicIp,
            String recipient) {}

    IngestEvents(EventCodec codec, int hostCount, long seed) {
        this.codec = codec;
        this.random = new Random(seed);
        this.operatorRecipient = ageRecipient();
        List<HostFacts> h = new ArrayList<>(hostCount);
        for (int i = 1; i <= hostCount; i++) {
            h.add(new HostFacts(
                    hostName(i),
                    ocid("instance"),
                    ocid("subnet"),
                    ocid("volume"),
                    "10.0." + (i / 250) + "." + (10 + i % 240),
                    i % 3 == 0 ? null : "203.0.113." + (i % 250 + 1),
                    ageRecipient()));
        }
        this.hosts = List.copyOf(h);
    }

    /** {@code edge-001} for 1. */
    static String hostName(int i) {
        return String.format(Locale.ROOT, "edge-%03d", i);
    }

    /**
     * Builds and encodes the events of {@code deployments} deployments, deployment by deployment (host after host in
     * turn), in the order a chain would publish them.
     *
     * @throws InvalidEventException if an event breaks the contract (a bug in this class)
     */
    List<ProducerRecord<String, byte[]>> build(int deployments) throws InvalidEventException {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(deployments * PER_DEPLOYMENT);
        for (int d = 0; d < deployments; d++) {
            for (EventEnvelope e : deployment(hosts.get(d % hosts.size()), d)) {
                records.add(codec.encode(e));
            }
        }
        return records;
    }

    private List<EventEnvelope> deployment(HostFacts host, int index) {
        String deploymentId = UUID.randomUUID().toString();
        String commitPushedId = UUID.randomUUID().toString();
        String infraCommit = hex(20);
        String secretsCommit = hex(20);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        List<EventEnvelope> events = new ArrayList<>(PER_DEPLOYMENT);
        EventEnvelope cloudStarted = codec.newEvent(
                EventType.CLOUD_FACTS_STARTED,
                "/handoff/infra-service",
                host.name(),
                deploymentId,
                commitPushedId,
                new StageStarted(host.name(), "infra", "handoff.commit.pushed", INFRA_REPOSITORY, infraCommit));
        events.add(cloudStarted);
        boolean applied = index % 4 == 0;
        EventEnvelope cloudCompleted = codec.newEvent(
                EventType.CLOUD_FACTS_COMPLETED,
                "/handoff/infra-service",
                host.name(),
                deploymentId,
                cloudStarted.id(),
                new CloudFacts(
                        host.name(),
                        "oci",
                        REGION,
                        host.instanceId(),
                        host.privateIp(),
                        host.publicIp(),
                        host.subnetId(),
                        List.of(new CloudFacts.VolumeAttachment(
                                host.volumeId(), "/dev/oracleoci/oraclevdb", "paravirtualized")),
                        applied ? new CloudFacts.PlanSummary(index % 8 == 0 ? 1 : 0, 1, 0, false) : null,
                        now));
        events.add(cloudCompleted);
        EventEnvelope secretsStarted = codec.newEvent(
                EventType.SECRET_FACTS_STARTED,
                "/handoff/secrets-service",
                host.name(),
                deploymentId,
                cloudCompleted.id(),
                new StageStarted(
                        host.name(), "secrets", "handoff.cloud-facts.completed", INFRA_REPOSITORY, infraCommit));
        events.add(secretsStarted);
        EventEnvelope secretsCompleted = codec.newEvent(
                EventType.SECRET_FACTS_COMPLETED,
                "/handoff/secrets-service",
                host.name(),
                deploymentId,
                secretsStarted.id(),
                new SecretFacts(
                        host.name(),
                        SECRETS_REPOSITORY,
                        secretsCommit,
                        host.recipient(),
                        List.of(
                                new SecretFacts.SecretFile(
                                        "hosts/" + host.name() + ".yaml",
                                        hex(32),
                                        now.minus(2, ChronoUnit.DAYS),
                                        List.of(host.recipient(), operatorRecipient),
                                        List.of("tailscale/auth_key", "restic/password", "rustdesk/id_ed25519"),
                                        SecretFacts.MacStatus.VERIFIED),
                                new SecretFacts.SecretFile(
                                        "shared/restic-repository.yaml",
                                        hex(32),
                                        now.minus(50, ChronoUnit.DAYS),
                                        List.of(host.recipient(), operatorRecipient),
                                        List.of("restic/repository_url"),
                                        SecretFacts.MacStatus.VERIFIED))));
        events.add(secretsCompleted);
        events.add(codec.newEvent(
                EventType.CONVERGENCE_STARTED,
                "/handoff/converge-service",
                host.name(),
                deploymentId,
                secretsCompleted.id(),
                new StageStarted(
                        host.name(), "converge", "handoff.secret-facts.completed", INFRA_REPOSITORY, infraCommit)));
        return events;
    }

    private String ocid(String kind) {
        StringBuilder s = new StringBuilder("ocid1.")
                .append(kind)
                .append(".oc1.")
                .append(REGION)
                .append('.');
        for (int i = 0; i < 60; i++) {
            s.append(OCID_CHARS.charAt(random.nextInt(OCID_CHARS.length())));
        }
        return s.toString();
    }

    private String ageRecipient() {
        StringBuilder s = new StringBuilder("age1");
        for (int i = 0; i < 58; i++) {
            s.append(BECH32.charAt(random.nextInt(BECH32.length())));
        }
        return s.toString();
    }

    private String hex(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
