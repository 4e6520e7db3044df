/**
 * The lab: the local world Handoff runs in without a cloud, a forge or Docker. A real KRaft Kafka broker in-process
 * ({@link dev.handoff.lab.LabKafka}), a real PostgreSQL server ({@link dev.handoff.lab.LabPostgres}), and the Quarkus
 * test resources every service module's tests reuse ({@link dev.handoff.lab.KafkaTestResource},
 * {@link dev.handoff.lab.PostgresTestResource}).
 *
 * <p>Invariants: every Handoff topic exists before anyone produces to it; each test resource start gets a database of
 * its own; credentials are never logged.
 */
package dev.handoff.lab;
