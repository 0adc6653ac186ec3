#!/bin/sh
# docker-compose's Kafka: render the secured properties with the super user's password, format the
# storage once with that user's SCRAM credential (KRaft keeps credentials in its metadata log), run.
set -eu
: "${KAFKA_ADMIN_PASSWORD:?KAFKA_ADMIN_PASSWORD must be set}"
: "${CLUSTER_ID:?CLUSTER_ID must be set}"
props=/tmp/server.properties
sed "s|@ADMIN_PASSWORD@|${KAFKA_ADMIN_PASSWORD}|" /etc/kafka/secured/kafka.properties > "$props"
# The health check's client settings: the super user over the internal listener.
cat > /tmp/admin-client.properties <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${KAFKA_ADMIN_PASSWORD}";
ssl.truststore.type=PEM
ssl.truststore.location=/etc/kafka/tls/ca.pem
PROPS
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted --standalone -t "$CLUSTER_ID" -c "$props" \
  --add-scram "SCRAM-SHA-512=[name=admin,password=${KAFKA_ADMIN_PASSWORD}]"
exec /opt/kafka/bin/kafka-server-start.sh "$props"
