#!/usr/bin/env bash
# JMS side-by-side benchmark: the same jakarta.jms code against Weir (io.weir.jms.WeirConnectionFactory; the shipped config/server.properties;
# default flush policy, and with log.flush.group.commit.enable=true) and ActiveMQ Artemis 2.56.0 (embedded
# server, persistent journal), every broker and every client in its own JVM, interleaved, plus an
# Artemis-against-Artemis (A/A) harness check. See bench/README-jms.md.
# Usage (from anywhere):
#   bench/run-jms-side-by-side.sh               full run (46 runs, 30-60 min on 2 cores)
#   QUICK=1 bench/run-jms-side-by-side.sh       quick run (a few minutes)
#   bench/run-jms-side-by-side.sh --rounds=2 --queue-messages=50000 ...   (--help lists every option)
# Environment: QUICK=1, SKIP_BUILD=1 (use what is already built), HARNESS_OPTS (the orchestrating JVM),
# BROKER_JVM_OPTS, CLIENT_JVM_OPTS (default -Xms512m -Xmx1g each).
# Output: the tables on stdout and in bench/target/jms-side-by-side.txt; logs in bench/target/jms-side-by-side-logs/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [ "${SKIP_BUILD:-0}" != "1" ]; then
  # package, not install: nothing is written to ~/.m2
  echo "jms-side-by-side: building weir-broker, weir-jms and bench (mvn package -DskipTests)..." >&2
  mvn -B -q -DskipTests -pl broker,jms-provider,bench -am package >&2
  echo "jms-side-by-side: resolving the ActiveMQ Artemis classpath (bench/artemis-peer)..." >&2
  mvn -B -q -f bench/artemis-peer/pom.xml package >&2
fi
for f in bench/target/benchmarks.jar bench/target/classes/io/weir/bench/jms/ArtemisServerMain.class \
         bench/artemis-peer/target/artemis-peer.classpath; do
  [ -f "$f" ] || { echo "jms-side-by-side: $f is missing; run without SKIP_BUILD=1" >&2; exit 1; }
done

ARGS=()
if [ "${QUICK:-0}" = "1" ]; then
  ARGS+=(--quick)
fi
if [ -n "${BROKER_JVM_OPTS:-}" ]; then
  ARGS+=("--broker-jvm-opts=$BROKER_JVM_OPTS")
fi
if [ -n "${CLIENT_JVM_OPTS:-}" ]; then
  ARGS+=("--client-jvm-opts=$CLIENT_JVM_OPTS")
fi

# shellcheck disable=SC2086
exec java ${HARNESS_OPTS:--Xms64m -Xmx256m} \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp bench/target/benchmarks.jar io.weir.bench.jms.JmsSideBySide --repo="$ROOT" "${ARGS[@]}" "$@"
