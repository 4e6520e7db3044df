/**
 * The CDI beans every stage service (secrets, converge, workload, backup) shares, so each service holds only its own
 * stage: {@link dev.handoff.support.StageKafka} (producer, codec, publisher, the service's event source),
 * {@link dev.handoff.support.StageReadiness} over the service's {@link dev.handoff.support.StageConsumer}, and
 * {@link dev.handoff.support.InventoryProducer}.
 */
package dev.handoff.support;
