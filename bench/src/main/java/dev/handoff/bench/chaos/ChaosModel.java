package dev.handoff.bench.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The records the chaos run observes and checks. */
final class ChaosModel {
    private ChaosModel() {}

    /** The kinds of fault, in the order the table lists them. */
    enum FaultKind {
        KILL("SIGKILL of a service"),
        BROKER("broker stop/start"),
        POSTGRES("PostgreSQL stop/start"),
        PARTITION("host partition during activation");

        final String label;

        FaultKind(String label) {
            this.label = label;
        }
    }

    /**
     * One {@code ./handoff push}: its webhook's answer.
     *
     * @param repository the pushed repository
     * @param commit the pushed commit (empty when the push failed before committing)
     * @param status the webhook's HTTP status, 0 when there was no answer
     * @param deploymentIds the deployments a 202 named
     * @param sentAt when the push began
     * @param detail the answer's first line or the error, for the table's notes
     */
    record Delivery(
            String repository, String commit, int status, List<String> deploymentIds, Instant sentAt, String detail) {
        boolean accepted() {
            return status == 202;
        }
    }

    /**
     * One record of a topic, as read back from the broker.
     *
     * @param id its {@code ce_id}, or null when the record carries none
     * @param valid whether {@code EventCodec.decode} accepts it
     * @param data the payload's fields the checks read ({@code stage}, {@code rolledBack}, {@code generation}); may be
     *     empty
     */
    record TopicRecord(
            String topic,
            int partition,
            long offset,
            String id,
            String type,
            String subject,
            String deploymentId,
            String causationId,
            Instant time,
            boolean valid,
            Map<String, String> data) {
        String field(String name) {
            return data.get(name);
        }
    }

    /**
     * A record of a dead-letter topic.
     *
     * @param group the consumer group that refused it ({@code handoff-dlq-consumer})
     * @param reason {@code handoff-dlq-reason}
     * @param originalTopic {@code handoff-dlq-topic}
     * @param originalPartition {@code handoff-dlq-partition}
     * @param originalOffset {@code handoff-dlq-offset}
     * @param validNow whether the dead-lettered record decodes as a valid event today (it should not)
     */
    record DeadLetter(
            String topic,
            long offset,
            String group,
            String reason,
            String originalTopic,
            int originalPartition,
            long originalOffset,
            boolean validNow) {}

    /** A consumer group's committed offset of one partition: the next record it will read. */
    record Committed(String group, String topic, int partition, long offset) {}

    /** A deployment row of the ledger with its stages (stage → status, reason). */
    record LedgerDeployment(String id, String host, String status, String result, Map<String, LedgerStage> stages) {}

    /** A {@code deployment_stage} row. */
    record LedgerStage(String stage, String status, String reason) {}

    /**
     * One injected fault.
     *
     * @param kind what kind
     * @param target the service, {@code kafka}, {@code postgres} or the host
     * @param moment what the chain was doing when it was injected (or that the moment was not seen in time)
     * @param injected when it was injected
     * @param undone when it was undone (restart ready, start, heal)
     * @param recovered when the chain moved again (the first event of the affected part after the undo), if seen
     */
    record Fault(
            FaultKind kind,
            String target,
            String moment,
            Instant injected,
            Instant undone,
            Optional<Instant> recovered) {
        Optional<Duration> recovery() {
            return recovered.map(r -> Duration.between(injected, r));
        }
    }

    /**
     * A table of the live ledger against the rebuilt one.
     *
     * @param liveRows rows of the live ledger
     * @param rebuiltRows rows of the rebuilt ledger
     * @param onlyLive rows only the live ledger has (up to a few, as text)
     * @param onlyRebuilt rows only the rebuilt ledger has
     * @param differing how many rows differ either way
     */
    record TableComparison(
            String table,
            int liveRows,
            int rebuiltRows,
            List<String> onlyLive,
            List<String> onlyRebuilt,
            int differing) {}

    /** Everything the checks read. */
    record Observation(
            List<Delivery> deliveries,
            Map<String, LedgerDeployment> deployments,
            Map<String, Integer> ledgerEventIds,
            Map<String, Integer> ledgerCommitPushed,
            List<TopicRecord> records,
            List<DeadLetter> deadLetters,
            List<Committed> committed,
            List<Fault> faults,
            Optional<List<TableComparison>> rebuild) {}
}
