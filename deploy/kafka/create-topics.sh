#!/usr/bin/env bash
# Sets up the compose Kafka, idempotently, logged in as its admin: every Handoff topic
# (dev.handoff.common.event.Topics.all()), one SCRAM user per service with the password from deploy/handoff.env
# (HANDOFF_KAFKA_PASSWORD_<SERVICE>), and exactly the ACLs of helm/handoff/files/kafka-acls.txt (docs/security.md).
# The handoff topics are the replay source and the ledger can be rebuilt from them, so they keep their history:
# retention.ms=-1 and retention.bytes=-1, for the dead-letter topics too (they hold what still needs a look).
# handoff.host-keys, the SSH host key pin store of every service, is compacted: the newest decision per host stays.
set -euo pipefail

bootstrap=${KAFKA_BOOTSTRAP_SERVERS:-kafka:9092}
partitions=${HANDOFF_TOPIC_PARTITIONS:-6}
replication=${HANDOFF_TOPIC_REPLICATION_FACTOR:-1}
kafka_bin=${KAFKA_BIN:-/opt/kafka/bin}
acls=${HANDOFF_KAFKA_ACLS:-/opt/handoff/kafka-acls.txt}
: "${HANDOFF_KAFKA_ADMIN_PASSWORD:?set HANDOFF_KAFKA_ADMIN_PASSWORD in deploy/handoff.env}"

umask 077
admin_config=$(mktemp)
trap 'rm -f "$admin_config"' EXIT
cat > "$admin_config" <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${HANDOFF_KAFKA_ADMIN_PASSWORD}";
PROPERTIES

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
  handoff.host-keys
  handoff.replay.infra
  handoff.replay.secrets
  handoff.replay.converge
  handoff.replay.workload
  handoff.replay.backup
)

for _ in $(seq 1 60); do
  "$kafka_bin/kafka-broker-api-versions.sh" --bootstrap-server "$bootstrap" --command-config "$admin_config" \
    >/dev/null 2>&1 && break
  sleep 2
done

cleanup_policy() {
  if [ "$1" = handoff.host-keys ]; then echo compact; else echo delete; fi
}

for topic in "${topics[@]}" ; do
  for name in "$topic" "$topic.dlq"; do
    "$kafka_bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --command-config "$admin_config" --create --if-not-exists \
      --topic "$name" --partitions "$partitions" --replication-factor "$replication" \
      --config retention.ms=-1 --config retention.bytes=-1 --config cleanup.policy="$(cleanup_policy "$name")"
  done
done
echo "Handoff topics present on $bootstrap:"
"$kafka_bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --command-config "$admin_config" --list | grep '^handoff\.'

# One SCRAM user per service. A password must be 32+ characters of A-Z a-z 0-9 . _ ~ + / = - (it goes into a JAAS line).
services=(control-service infra-service secrets-service converge-service workload-service backup-service)
for service in "${services[@]}"; do
  variable="HANDOFF_KAFKA_PASSWORD_$(echo "$service" | tr 'a-z-' 'A-Z_')"
  password=${!variable:-}
  if [ "${#password}" -lt 32 ] || [[ "$password" == *[!A-Za-z0-9._~+/=-]* ]]; then
    echo "$variable must be 32+ characters of A-Z a-z 0-9 . _ ~ + / = -; make one with: openssl rand -hex 32" >&2
    exit 2
  fi
  "$kafka_bin/kafka-configs.sh" --bootstrap-server "$bootstrap" --command-config "$admin_config" --alter \
    --add-config "SCRAM-SHA-512=[iterations=8192,password=${password}]" --entity-type users --entity-name "$service"
done

# The ACLs of the table, added (adding is idempotent). A grant a new version drops from the table is not taken away
# here: remove it by hand with kafka-acls.sh --remove (docs/security.md lists each release's changes).
count=0
while read -r principal resource pattern name operation; do
  case "$principal" in '' | '#'*) continue ;; esac
  "$kafka_bin/kafka-acls.sh" --bootstrap-server "$bootstrap" --command-config "$admin_config" --add \
    --allow-principal "User:$principal" --operation "$operation" "--$resource" "$name" \
    --resource-pattern-type "$pattern" >/dev/null
  count=$((count + 1))
done < "$acls"
echo "Kafka users of ${#services[@]} services and $count ACLs set on $bootstrap"
