#!/usr/bin/env bash
# Side-by-side benchmark: the same kafka-clients workloads against Weir and Apache Kafka 4.x, each broker
# in its own JVM, interleaved Weir, Kafka, Kafka, Weir, plus a Kafka-against-Kafka (A/A) harness check.
# Usage (from anywhere):
#   bench/run-side-by-side.sh                 full run (about 15 min on 2 cores)
#   QUICK=1 bench/run-side-by-side.sh         quick run (~5 min): fewer combinations, 3 s runs
#   bench/run-side-by-side.sh --sizes=1024 --acks=all --partitions=8 --duration=20 ...   (see --help)
#   bench/run-side-by-side.sh --cluster=3     replicated: 3 Weir brokers + ZooKeeper vs 3 Kafka brokers + a KRaft
#                                             controller, RF=3, min.insync.replicas=2, plus kill -9 leader failover
#   bench/run-side-by-side.sh --security=SASL_SSL   both brokers over a SASL_SSL listener (SCRAM-SHA-256, certificates
#                                             made at run time) and over PLAINTEXT: Weir/Kafka and SASL_SSL/PLAINTEXT ratios
# Environment: QUICK=1, SKIP_BUILD=1 (use what is already built), HARNESS_OPTS (JVM options of the
# client/harness JVM, default -Xms1g -Xmx2g), BROKER_JVM_OPTS (both brokers, default -Xms1g -Xmx1g).
# Output: the tables on stdout and in bench/target/side-by-side.txt; broker logs in bench/target/side-by-side-logs/
# (with --cluster: side-by-side-cluster.txt and side-by-side-cluster-logs/).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [ "${SKIP_BUILD:-0}" != "1" ]; then
  echo "side-by-side: building weir-broker and bench (mvn package -DskipTests)..." >&2
  mvn -B -q -DskipTests -pl broker,bench -am package >&2
  echo "side-by-side: resolving the Apache Kafka broker classpath (bench/kafka-peer)..." >&2
  mvn -B -q -f bench/kafka-peer/pom.xml package >&2
fi
for f in bench/target/benchmarks.jar bench/kafka-peer/target/kafka-peer.classpath; do
  [ -f "$f" ] || { echo "side-by-side: $f is missing; run without SKIP_BUILD=1" >&2; exit 1; }
done

ARGS=()
if [ "${QUICK:-0}" = "1" ]; then
  ARGS+=(--quick)
fi
if [ -n "${BROKER_JVM_OPTS:-}" ]; then
  ARGS+=("--broker-jvm-opts=$BROKER_JVM_OPTS")
fi

# shellcheck disable=SC2086
exec java ${HARNESS_OPTS:--Xms1g -Xmx2g} \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient=error \
  -Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients.producer.internals.Sender=error \
  -cp bench/target/benchmarks.jar io.weir.bench.sbs.SideBySide --repo="$ROOT" "${ARGS[@]}" "$@"
