#!/usr/bin/env bash
# The compose Kafka broker (the official apache/kafka image, KRaft, broker and controller in one node), with the
# logins and the authorizer of docs/security.md:
#   - clients connect on CLIENT (9092) with SASL/SCRAM-SHA-512; each Handoff service has its own user and only the ACLs
#     of its role (helm/handoff/files/kafka-acls.txt); "admin" is the only super user (the broker itself and the setup
#     container); nobody else gets anything (allow.everyone.if.no.acl.found=false);
#   - the controller listener (9093, reachable only on the compose network) takes SASL/PLAIN with the admin's password:
#     KRaft keeps SCRAM credentials in its metadata, so controllers cannot use SCRAM.
# The admin's SCRAM credential is written when the storage is first formatted; the services' users are created by the
# setup container (create-topics.sh), so a password change there takes effect on the next `up`.
set -euo pipefail

: "${HANDOFF_KAFKA_ADMIN_PASSWORD:?set HANDOFF_KAFKA_ADMIN_PASSWORD in deploy/handoff.env}"
: "${CLUSTER_ID:?CLUSTER_ID is set by docker-compose.yml}"
kafka_bin=${KAFKA_BIN:-/opt/kafka/bin}
data=${KAFKA_LOG_DIRS:-/var/lib/kafka/data}
config=/tmp/handoff-server.properties
admin=${HANDOFF_KAFKA_ADMIN_PASSWORD}

case "$admin" in
  *[!A-Za-z0-9._~+/=-]*) echo "HANDOFF_KAFKA_ADMIN_PASSWORD may hold only A-Z a-z 0-9 . _ ~ + / = -" >&2; exit 2 ;;
esac
if [ "${#admin}" -lt 32 ]; then
  echo "HANDOFF_KAFKA_ADMIN_PASSWORD is shorter than 32 characters; make one with: openssl rand -hex 32" >&2
  exit 2
fi

umask 077
cat > "$config" <<PROPERTIES
node.id=1
process.roles=broker,controller
controller.quorum.voters=1@kafka:9093
controller.listener.names=CONTROLLER
listeners=CLIENT://:9092,CONTROLLER://:9093
advertised.listeners=CLIENT://kafka:9092
listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
inter.broker.listener.name=CLIENT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${admin}";
listener.name.controller.sasl.enabled.mechanisms=PLAIN
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${admin}" user_admin="${admin}";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin
allow.everyone.if.no.acl.found=false
log.dirs=${data}
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPERTIES

# the admin's client settings, for the healthcheck (kafka-broker-api-versions.sh --command-config)
cat > /tmp/handoff-admin.properties <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${admin}";
PROPERTIES

"$kafka_bin/kafka-storage.sh" format --ignore-formatted --cluster-id "$CLUSTER_ID" --config "$config" \
  --add-scram "SCRAM-SHA-512=[name=admin,password=${admin}]"
exec "$kafka_bin/kafka-server-start.sh" "$config"
