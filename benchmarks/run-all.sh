#!/usr/bin/env bash
# benchmarks/run-all.sh - every measurement of docs/benchmarks.md, one after the other, from the repository root.
# Output: one text file per measurement in benchmarks/target/results-<timestamp>/ (RESULT lines + progress comments).
#
#   benchmarks/run-all.sh [quick] [NAME ...]
#     quick: one repetition each and shorter JMH runs;  NAME: run only these (codec planner record-metrics fleet
#     scaling-capped scaling-capped-100k rebalance-fast rebalance-defaults storm fanout sinks profile)
#
# Needs: the jars (emulator, listener-service, coordinator) built (fanout needs only the emulator's); root and a kernel with TASKSTATS for the storm.
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
if [ "${1:-}" = quick ]; then REPEAT=1; JMH=(-wi 2 -i 3); shift; fi
ONLY=("$@")
want() { [ ${#ONLY[@]} -eq 0 ] && [ "$1" != profile ] && return 0; local n; for n in "${ONLY[@]}"; do [ "$n" = "$1" ] && return 0; done; return 1; }

load() { printf '# %s load average: %s\n' "$1" "$(cut -d' ' -f1-3 /proc/loadavg)"; }
FAILED=()
# a failing measurement is reported and the next one still runs
harness() {
  local name=$1; shift; want "$name" || return 0; echo "== $name"
  "$JAVA" -cp "$JAR" io.tsfleet.benchmarks.e2e.Harness "$@" | tee "$OUT/$name.txt" || FAILED+=("$name")
}
jmh() {
  local name=$1; shift; want "$name" || return 0; echo "== $name"
  { load before; date -u +'# date: %Y-%m-%dT%H:%M:%SZ'
    "$JAVA" -jar "$JAR" "$@" "${JMH[@]}" -rf json -rff "$OUT/$name.json"
    load after
    "$JAVA" -cp "$JAR" io.tsfleet.benchmarks.JmhResults "$OUT/$name.json"; } | tee "$OUT/$name.txt" || FAILED+=("$name")
}

jmh codec CodecBenchmark -prof gc
jmh planner PlannerBenchmark
jmh record-metrics RecordMetricsBenchmark -prof gc
harness fleet fleet --cpus 64,4096 --replicas 1,2,4 --repeat "$REPEAT"
harness scaling-capped fleet --cpus 64 --replicas 1,2,4 --sink-cap 50000 --repeat "$REPEAT"
harness scaling-capped-100k fleet --cpus 64 --replicas 1,2,4 --sink-cap 100000 --repeat "$REPEAT"
harness rebalance-fast rebalance --repeat "$REPEAT" --coordinator-args "--tsfleet.coordinator.policy.overflow-sustain=3s \
--tsfleet.coordinator.policy.cooldown=20s --tsfleet.coordinator.policy.imbalance-sustain=10s --tsfleet.coordinator.policy.load-warmup=5s \
--tsfleet.coordinator.load-smoothing=5s --tsfleet.coordinator.heartbeat-interval=1s"
harness rebalance-defaults rebalance --repeat 1
harness storm storm --storm-seconds 10s --replicas 2 --repeat $((REPEAT + 1))
harness fanout fanout --cpus 64 --listeners 1,4,8 --repeat $((REPEAT + 1))
harness sinks sinks --repeat $((REPEAT + 1)) --run-dir "$OUT/sinks"
# where the time goes (only when asked for by name): JFR of every service JVM at N=64, K=1, then the hot methods
if want profile; then
  harness profile fleet --cpus 64 --replicas 1 --repeat 1 --jfr --run-dir "$OUT/profile"
  "$JAVA" -cp "$JAR" io.tsfleet.benchmarks.e2e.JfrHotspots --top 12 "$OUT"/profile/*.jfr | tee -a "$OUT/profile.txt"
fi
echo "== results in $OUT"
grep -h '^RESULT' "$OUT"/*.txt || true
if [ ${#FAILED[@]} -gt 0 ]; then echo "== FAILED: ${FAILED[*]}"; exit 1; fi
