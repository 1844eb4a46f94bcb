#!/bin/bash
# docker-compose: Kafka with the native stack's security (infra/stack.sh): SASL/SCRAM-SHA-512
# on the client listeners (SCRAM users bootstrapped when the storage is formatted), SASL/PLAIN
# on the controller listener, StandardAuthorizer with no access without an ACL.
set -eu
pw() { cat "/secrets/kafka/$1.password"; }
props=/tmp/server.properties
cat > "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@kafka:9093
listeners=HOST://:9092,INTERNAL://:29092,CONTROLLER://:9093
advertised.listeners=HOST://127.0.0.1:9092,INTERNAL://kafka:29092
listener.security.protocol.map=HOST:SASL_PLAINTEXT,INTERNAL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
inter.broker.listener.name=INTERNAL
controller.listener.names=CONTROLLER
sasl.enabled.mechanisms=SCRAM-SHA-512
# A SASL session re-authenticates every 5 minutes (KIP-368): a deleted or changed SCRAM user
# (a revoked aggregator credential) cannot keep an open connection beyond that.
connections.max.reauth.ms=300000
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.mechanism.controller.protocol=PLAIN
listener.name.host.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.internal.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$(pw broker)";
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="controller" password="$(pw controller)" user_controller="$(pw controller)";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin;User:broker;User:controller
log.dirs=/var/lib/kafka/data
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
if [ ! -f /var/lib/kafka/data/meta.properties ]; then
  scram=()
  for p in broker admin gateway fanout notary loader dr settlement webhooks; do scram+=(--add-scram "SCRAM-SHA-512=[name=$p,password=$(pw "$p")]"); done
  /opt/kafka/bin/kafka-storage.sh format -t "$(/opt/kafka/bin/kafka-storage.sh random-uuid)" -c "$props" "${scram[@]}"
fi
# The health check talks to the broker as admin.
printf 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="%s";\n' "$(pw admin)" > /tmp/admin.properties
exec /opt/kafka/bin/kafka-server-start.sh "$props"
