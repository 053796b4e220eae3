#!/usr/bin/env bash
# benchmarks/run-all.sh - every measurement of docs/benchmarks.md, one after the other, from the repository root.
# Output: one text file per measurement in benchmarks/target/results-<timestamp>/ (RESULT lines + progress comments).
#
#   benchmarks/run-all.sh [quick]      quick: one repetition each and shorter JMH runs (a smoke check, ~25 min)
#
# Needs: the jars (emulator, listener-service, coordinator) built; root and a kernel with TASKSTATS for the storm.
# The harness runs from a copy of benchmarks.jar, so rebuilding the module meanwhile does not disturb a run.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA=$JAVA_HOME/bin/java
OUT=benchmarks/target/results-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
cp benchmarks/target/benchmarks.jar "$OUT/benchmarks.jar"
JAR=$OUT/benchmarks.jar
REPEAT=2; JMH=()
if [ "${1:-}" = quick ]; then REPEAT=1; JMH=(-wi 2 -i 3); fi

load() { printf '# %s load average: %s\n' "$1" "$(cut -d' ' -f1-3 /proc/loadavg)"; }
harness() { local name=$1; shift; echo "== $name"; "$JAVA" -cp "$JAR" io.tsfleet.benchmarks.e2e.Harness "$@" | tee "$OUT/$name.txt"; }
jmh() {
  local name=$1; shift; echo "== $name"
  { load before; date -u +'# date: %Y-%m-%dT%H:%M:%SZ'
    "$JAVA" -jar "$JAR" "$@" "${JMH[@]}" -rf json -rff "$OUT/$name.json"
    load after
    "$JAVA" -cp "$JAR" io.tsfleet.benchmarks.JmhResults "$OUT/$name.json"; } | tee "$OUT/$name.txt"
}

jmh codec CodecBenchmark -prof gc
jmh planner PlannerBenchmark
harness fleet fleet --cpus 64,4096 --replicas 1,2,4 --repeat "$REPEAT"
harness scaling-capped fleet --cpus 64 --replicas 1,2,4 --sink-cap 50000 --repeat "$REPEAT"
harness rebalance-fast rebalance --repeat "$REPEAT" --coordinator-args "--tsfleet.coordinator.policy.overflow-sustain=3s \
--tsfleet.coordinator.policy.cooldown=20s --tsfleet.coordinator.policy.imbalance-sustain=10s --tsfleet.coordinator.policy.load-warmup=5s \
--tsfleet.coordinator.load-smoothing=5s --tsfleet.coordinator.heartbeat-interval=1s"
harness rebalance-defaults rebalance --repeat 1
harness storm storm --repeat $((REPEAT + 1))
echo "== results in $OUT"
grep -h '^RESULT' "$OUT"/*.txt || true
