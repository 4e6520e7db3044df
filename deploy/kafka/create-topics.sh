#!/usr/bin/env bash
# Creates every Handoff topic (dev.handoff.common.event.Topics.all()) on the compose Kafka, idempotently.
# The handoff topics are the replay source and the ledger can be rebuilt from them, so they keep their history:
# retention.ms=-1 and retention.bytes=-1, for the dead-letter topics too (they hold what still needs a look).
set -euo pipefail

bootstrap=${KAFKA_BOOTSTRAP_SERVERS:-kafka:9092}
partitions=${HANDOFF_TOPIC_PARTITIONS:-6}
replication=${HANDOFF_TOPIC_REPLICATION_FACTOR:-1}
kafka_bin=${KAFKA_BIN:-/opt/kafka/bin}

# Keep in step with Topics.all(): deploy-tests' ComposeFileTest compares the two lists.
topics=(
  handoff.commits
  handoff.cloud-facts
  handoff.secret-facts
  handoff.convergence
  handoff.workload
  handoff.backup
  handoff.replays
  handoff.approvals
  handoff.replay.infra
  handoff.replay.secrets
  handoff.replay.converge
  handoff.replay.workload
  handoff.replay.backup
)

for _ in $(seq 1 60); do
  "$kafka_bin/kafka-broker-api-versions.sh" --bootstrap-server "$bootstrap" >/dev/null 2>&1 && break
  sleep 2
done

for topic in "${topics[@]}" ; do
  for name in "$topic" "$topic.dlq"; do
    "$kafka_bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --create --if-not-exists \
      --topic "$name" --partitions "$partitions" --replication-factor "$replication" \
      --config retention.ms=-1 --config retention.bytes=-1 --config cleanup.policy=delete
  done
done
echo "Handoff topics present on $bootstrap:"
"$kafka_bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --list | grep '^handoff\.'
