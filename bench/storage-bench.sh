#!/usr/bin/env bash
# Storage-engine benchmarks: builds bench/target/benchmarks.jar, then runs StorageBenchReport, which
# prints each Weir figure beside its raw FileChannel ceiling and the ratio.
#
#   bench/storage-bench.sh                      # defaults: 2 rounds, 2 warmup x 2 s, 3 x 3 s (3 to 5 minutes)
#   bench/storage-bench.sh rounds=1 groups=append,read
#   bench/storage-bench.sh help                 # every setting
#
# SKIP_BUILD=1 reuses the jar already built; JAVA_OPTS goes to the report JVM (and, through JMH, to the
# benchmark JVMs it forks). The full JMH output lands in bench/target/storage-bench-jmh.log.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  mvn -B -q -pl bench -am package -DskipTests
fi

# jmhLog comes first so that an argument of the caller can override it
exec java ${JAVA_OPTS:-} -cp bench/target/benchmarks.jar io.weir.bench.StorageBenchReport \
  jmhLog=bench/target/storage-bench-jmh.log "$@"
