package dev.handoff.common.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * A CloudEvents 1.0 event as Handoff carries it on Kafka in binary mode: attributes in {@code ce_*} headers, the
 * payload as the JSON body.
 *
 * @param id unique event id (a UUID); the ledger stores each id once
 * @param source {@code /handoff/<service>}
 * @param type {@code handoff.<subject>.<verb>}
 * @param subject the host name; also the Kafka key
 * @param time when the event happened
 * @param dataSchema the schema URI of the payload, ending in {@code /v<N>}
 * @param deploymentId one run of the chain for one host, end to end
 * @param causationId the id of the event that caused this one, if any
 * @param replayOf the id of the original event when this one is a replayed copy
 * @param data the payload
 */
public record EventEnvelope(
        String id,
        String source,
        String type,
        String subject,
        OffsetDateTime time,
        String dataSchema,
        String deploymentId,
        String causationId,
        String replayOf,
        JsonNode data) {

    public EventEnvelope {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(dataSchema, "dataSchema");
        Objects.requireNonNull(data, "data");
    }

    /** The schema version named by {@link #dataSchema()}, or -1 when it does not end in {@code /v<N>}. */
    public int schemaVersion() {
        return DataSchemas.version(dataSchema);
    }

    /** This event marked as a replayed copy of itself, with a new id and deployment. */
    public EventEnvelope asReplay(String newId, String newDeploymentId, OffsetDateTime replayTime) {
        return new EventEnvelope(
                newId, source, type, subject, replayTime, dataSchema, newDeploymentId, causationId, id, data);
    }
}
