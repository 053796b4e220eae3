#!/bin/sh
# Starts one Kafka KRaft node (broker + controller). The address the host reaches port 9094 on is only known once
# the container runs (Docker picks the host port): the script waits until the test writes it, as host:port, to
# /tmp/external-address. The log directory is formatted once, so a stopped and started container keeps its data.
set -eu
INTERNAL="${KAFKA_INTERNAL:-kafka:9092}"
PARTITIONS="${KAFKA_PARTITIONS:-4}"
CLUSTER_ID="${KAFKA_CLUSTER_ID:-dHNmbGVldC1pdC1rYWZrYQ}"
HEAP="${KAFKA_HEAP:-256m}"
CP="/opt/kafka/lib/*"
echo "kafka-broker: waiting for the external address in /tmp/external-address"
while [ ! -s /tmp/external-address ]; do sleep 0.1; done
EXTERNAL="$(cat /tmp/external-address)"
cat > /tmp/server.properties <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=INTERNAL://0.0.0.0:9092,EXTERNAL://0.0.0.0:9094,CONTROLLER://localhost:9093
advertised.listeners=INTERNAL://${INTERNAL},EXTERNAL://${EXTERNAL}
listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=INTERNAL
controller.listener.names=CONTROLLER
log.dirs=/tmp/kraft-logs
num.partitions=${PARTITIONS}
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
PROPS
# a quick start and a small footprint for tests (one CPU's worth of compilation); KAFKA_JVM_OPTS replaces these
TUNING="${KAFKA_JVM_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
JAVA_OPTS="-Xms${HEAP} -Xmx${HEAP} ${TUNING} -Dorg.slf4j.simpleLogger.logFile=System.out -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info"
# shellcheck disable=SC2086  # JAVA_OPTS is a list of options
java $JAVA_OPTS -cp "$CP" kafka.tools.StorageTool format --ignore-formatted -t "$CLUSTER_ID" -c /tmp/server.properties
echo "kafka-broker: starting (internal ${INTERNAL}, external ${EXTERNAL}, ${PARTITIONS} partitions per new topic)"
# shellcheck disable=SC2086
exec java $JAVA_OPTS -cp "$CP" kafka.Kafka /tmp/server.properties
