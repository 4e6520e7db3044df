#!/usr/bin/env bash
# Sets up a Kafka for Handoff, idempotently: every Handoff topic (dev.handoff.common.event.Topics.all()), and (unless
# HANDOFF_KAFKA_SETUP_USERS=false) one SCRAM user per service with the password HANDOFF_KAFKA_PASSWORD_<SERVICE> and
# exactly the ACLs of helm/handoff/files/kafka-acls.txt (docs/security.md).
# Two callers: the compose setup container (logged in as the broker's admin with HANDOFF_KAFKA_ADMIN_PASSWORD), and
# the Helm chart's topics Job (topics only, logged in like the services: KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM,
# KAFKA_SASL_JAAS_CONFIG, KAFKA_SSL_TRUSTSTORE_TYPE/LOCATION). helm/handoff/files/create-topics.sh is a copy of this
# file (deploy-tests checks that they are the same).
# The handoff topics are the replay source and the ledger can be rebuilt from them, so by default they keep their
# history: retention.ms=-1 and retention.bytes=-1, for the dead-letter topics too (they hold what still needs a look).
# HANDOFF_TOPIC_CONFIG (space-separated key=value) replaces that default. handoff.host-keys, the SSH host key pin store
# of every service, is always compacted: the newest decision per host stays.
set -euo pipefail

bootstrap=${KAFKA_BOOTSTRAP_SERVERS:-kafka:9092}
partitions=${HANDOFF_TOPIC_PARTITIONS:-6}
replication=${HANDOFF_TOPIC_REPLICATION_FACTOR:-1}
topic_config=${HANDOFF_TOPIC_CONFIG:-retention.ms=-1 retention.bytes=-1 cleanup.policy=delete}
setup_users=${HANDOFF_KAFKA_SETUP_USERS:-true}
kafka_bin=${KAFKA_BIN:-/opt/kafka/bin}
acls=${HANDOFF_KAFKA_ACLS:-/opt/handoff/kafka-acls.txt}

umask 077
admin_config=$(mktemp)
trap 'rm -f "$admin_config"' EXIT
if [ -n "${HANDOFF_KAFKA_ADMIN_PASSWORD:-}" ]; then
  cat > "$admin_config" <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${HANDOFF_KAFKA_ADMIN_PASSWORD}";
PROPERTIES
elif [ -n "${KAFKA_SECURITY_PROTOCOL:-}" ]; then
  {
    echo "security.protocol=${KAFKA_SECURITY_PROTOCOL}"
    if [ -n "${KAFKA_SASL_MECHANISM:-}" ]; then echo "sasl.mechanism=${KAFKA_SASL_MECHANISM}"; fi
    if [ -n "${KAFKA_SASL_JAAS_CONFIG:-}" ]; then echo "sasl.jaas.config=${KAFKA_SASL_JAAS_CONFIG}"; fi
    if [ -n "${KAFKA_SSL_TRUSTSTORE_LOCATION:-}" ]; then
      echo "ssl.truststore.type=${KAFKA_SSL_TRUSTSTORE_TYPE:-PEM}"
      echo "ssl.truststore.location=${KAFKA_SSL_TRUSTSTORE_LOCATION}"
    fi
  } > "$admin_config"
else
  echo "set HANDOFF_KAFKA_ADMIN_PASSWORD in deploy/handoff.env (compose), or KAFKA_SECURITY_PROTOCOL and the other" \
    "KAFKA_* login variables of a user that may create the handoff. topics" >&2
  exit 2
fi

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

answered=false
for _ in $(seq 1 60); do
  if "$kafka_bin/kafka-broker-api-versions.sh" --bootstrap-server "$bootstrap" --command-config "$admin_config" \
    >/dev/null 2>&1; then
    answered=true
    break
  fi
  sleep 2
done
if [ "$answered" != true ]; then
  echo "Kafka at $bootstrap did not answer within 120 s (or refused the login); check the address and the login" >&2
  exit 1
fi

# --config arguments of one topic: HANDOFF_TOPIC_CONFIG, with cleanup.policy=compact for handoff.host-keys
topic_configs() {
  local entry
  for entry in $topic_config; do
    if [ "$1" = handoff.host-keys ] && [ "${entry%%=*}" = cleanup.policy ]; then continue; fi
    printf '%s\n' --config "$entry"
  done
  if [ "$1" = handoff.host-keys ]; then printf '%s\n' --config cleanup.policy=compact; fi
}

for topic in "${topics[@]}" ; do
  for name in "$topic" "$topic.dlq"; do
    mapfile -t configs < <(topic_configs "$name")
    "$kafka_bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --command-config "$admin_config" --create --if-not-exists \
      --topic "$name" --partitions "$partitions" --replication-factor "$replication" "${configs[@]}"
  done
done
echo "Handoff topics present on $bootstrap:"
"$kafka_bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --command-config "$admin_config" --list | grep '^handoff\.'

if [ "$setup_users" = false ]; then
  echo "Kafka users and ACLs left as they are (HANDOFF_KAFKA_SETUP_USERS=false)"
  exit 0
fi

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
