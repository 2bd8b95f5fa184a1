#!/usr/bin/env bash
# The Jakarta EE sample in one command: builds the resource adapter and the WAR, starts a Weir broker (bin/weir-server,
# unless one already answers on WEIR_PORT), fetches and starts WildFly 38 (standalone-full), configures and deploys
# the adapter and the WAR, places two orders (one committed, one rolled back) and prints what the MDB received.
# Everything it started is stopped when it ends. See samples/README.md ("The Jakarta EE sample on WildFly").
#
# Usage (from anywhere): samples/wildfly/run.sh
# Environment: WEIR_PORT (default 9092), PORT_OFFSET (WildFly's jboss.socket.binding.port-offset, default 0),
#              WILDFLY (an unpacked WildFly 38.x; default: fetched into samples/wildfly/target), KEEP_RUNNING=1 (leave
#              the broker and WildFly running and print how to stop them).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
WEIR_PORT="${WEIR_PORT:-9092}"
OFFSET="${PORT_OFFSET:-0}"
HTTP_PORT=$((8080 + OFFSET))
MGMT_PORT=$((9990 + OFFSET))
VERSION=38.0.1.Final
WILDFLY="${WILDFLY:-$ROOT/samples/wildfly/target/wildfly-$VERSION}"
WORK="$ROOT/samples/wildfly/target/run"
BROKER_PID=""
WILDFLY_PID=""

say() { echo "wildfly-sample: $*" >&2; }
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
await_port() { # port seconds what
  for _ in $(seq 1 $(($2 * 2))); do answers "$1" && return 0; sleep 0.5; done
  say "$3 did not answer on port $1 within $2 s (logs in $WORK)"; exit 1
}
stop_all() {
  if [ "${KEEP_RUNNING:-0}" = "1" ]; then
    say "left running: WildFly (pid ${WILDFLY_PID:-none}) and the broker (pid ${BROKER_PID:-none}); stop them with kill"
    return
  fi
  if [ -n "$WILDFLY_PID" ]; then
    "$WILDFLY/bin/jboss-cli.sh" --connect --controller="localhost:$MGMT_PORT" --command=shutdown >/dev/null 2>&1 \
      || kill "$WILDFLY_PID" 2>/dev/null || true
    wait "$WILDFLY_PID" 2>/dev/null || true
  fi
  if [ -n "$BROKER_PID" ]; then
    kill "$BROKER_PID" 2>/dev/null || true
    wait "$BROKER_PID" 2>/dev/null || true
  fi
}
trap stop_all EXIT

mkdir -p "$WORK"
say "building the adapter and the WAR (mvn package)..."
mvn -B -q -pl ra,samples/wildfly -am package -DskipTests
RAR="$(ls "$ROOT"/ra/target/weir-ra-*.rar | head -n 1)"
WAR="$ROOT/samples/wildfly/target/weir-sample-wildfly.war"

if answers "$WEIR_PORT"; then
  say "a broker already answers on port $WEIR_PORT: using it"
else
  say "starting a Weir broker on port $WEIR_PORT (bin/weir-server, data in $WORK/broker)"
  "$ROOT/bin/weir-server" "$ROOT/config/server.properties" \
    --override "listeners=PLAINTEXT://localhost:$WEIR_PORT" --override "log.dirs=$WORK/broker/logs" \
    --override "zookeeper.embedded.data.dir=$WORK/broker/zookeeper" > "$WORK/broker.log" 2>&1 &
  BROKER_PID=$!
  await_port "$WEIR_PORT" 120 "the broker"
fi

if [ ! -x "$WILDFLY/bin/standalone.sh" ]; then
  say "fetching WildFly $VERSION from Maven Central (about 250 MB, once)..."
  mvn -B -q -N dependency:unpack -Dartifact="org.wildfly:wildfly-dist:$VERSION:zip" \
    -DoutputDirectory="$(dirname "$WILDFLY")"
fi
if answers "$MGMT_PORT" || answers "$HTTP_PORT"; then
  say "ports $HTTP_PORT/$MGMT_PORT are taken: stop that server or set PORT_OFFSET"; exit 1
fi
say "starting WildFly (standalone-full, port offset $OFFSET; log in $WORK/wildfly.log)..."
JBOSS_PIDFILE="$WORK/wildfly.pid" LAUNCH_JBOSS_IN_BACKGROUND=1 "$WILDFLY/bin/standalone.sh" -c standalone-full.xml \
  -Djboss.socket.binding.port-offset="$OFFSET" -Dweir.bootstrap.servers="localhost:$WEIR_PORT" > "$WORK/wildfly.log" 2>&1 &
WILDFLY_PID=$!
await_port "$MGMT_PORT" 180 "WildFly's management interface"
cli() { "$WILDFLY/bin/jboss-cli.sh" --connect --controller="localhost:$MGMT_PORT" "$@"; }
for _ in $(seq 1 120); do
  [ "$(cli --command=':read-attribute(name=server-state)' 2>/dev/null | grep -o '"running"' || true)" = '"running"' ] && break
  sleep 1
done

say "configuring the adapter and the sample's queue, deploying them..."
cli --file="$ROOT/ra-it/src/test/resources/wildfly/weir-ra.cli" > "$WORK/cli.log"
cli --file="$ROOT/samples/wildfly/src/main/wildfly/shop.cli" >> "$WORK/cli.log"
cli --command="deploy $RAR --name=weir-ra.rar --force" >> "$WORK/cli.log"
cli --command="deploy $WAR --force" >> "$WORK/cli.log"

URL="http://localhost:$HTTP_PORT/weir-sample-wildfly/orders"
await_port "$HTTP_PORT" 60 "WildFly's HTTP listener"
say "POST $URL?item=book"
curl -sS -X POST "$URL?item=book"; echo
say "POST $URL?item=pen&fail=true   (its transaction rolls back: never delivered)"
curl -sS -X POST "$URL?item=pen&fail=true"; echo
say "GET $URL   (what the MDB received)"
for _ in $(seq 1 60); do
  received="$(curl -sS "$URL")"
  if echo "$received" | grep -q book; then break; fi
  sleep 1
done
echo "$received"
if ! echo "$received" | grep -q book || echo "$received" | grep -q pen; then
  say "unexpected: the MDB should have received book and not pen"; exit 1
fi
say "done: the committed order reached the MDB, the rolled-back one did not"
