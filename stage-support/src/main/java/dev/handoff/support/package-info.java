/**
 * The CDI beans every stage service (secrets, converge, workload, backup) shares, so each service holds only its own
 * stage: {@link dev.handoff.support.StageKafka} (producer, codec, publisher, the service's event source),
 * {@link dev.handoff.support.StageLoops} (the service's consumer threads) with
 * {@link dev.handoff.support.StageReadiness} over them, {@link dev.handoff.support.StageMetrics} (every metric of a
 * stage; infra-service builds it, and the watch's {@link dev.handoff.support.watch.WatchRounds}, itself and takes no
 * bean from here), and {@link dev.handoff.support.InventoryProducer}; in {@code dev.handoff.support.watch}, the one
 * mechanism of every stage's scheduled check; and, in {@code dev.handoff.support.ssh}, the SSH connection with pinned
 * host keys that converge-, workload- and backup-service open ({@link dev.handoff.support.ssh.PinnedSsh}), checked
 * against handoff.yaml's {@code access.hostKey} or the one pin store they share, the compacted topic
 * {@code handoff.host-keys} ({@link dev.handoff.support.ssh.TopicHostKeyPins}, the bean of
 * {@link dev.handoff.support.ssh.HostKeyStore}).
 */
package dev.handoff.support;
