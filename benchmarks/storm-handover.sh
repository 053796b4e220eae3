#!/usr/bin/env bash
# benchmarks/storm-handover.sh - a handover during a live-kernel exit storm: duplicates and handover duration.
#
#   benchmarks/storm-handover.sh JAR_DIR [STORM_SECONDS] [RUNS]
#
# JAR_DIR holds emulator.jar, coordinator.jar and listener-service.jar (e.g. copies of the module jars, so that a
# rebuild does not change them during a run). Per run: the coordinator, the emulator with the kernel backend and two
# listener replicas (JSON-lines sinks), all on free loopback ports and each in a session of its own (as scripts/fleet
# starts them, but never on its fixed ports); once each replica owns one CPU, storm.c (testdata/shared/tools/storm.c,
# built into benchmarks/target/storm unless STORM points to a binary) forks on every CPU for STORM_SECONDS (default
# 10), and 2 s into the storm every CPU is pinned to listener-1 (PUT /api/v1/replicas/listener-1/mask, sent from the
# storm's own session so that it is sent on time; pin.at has when it was sent and answered): listener-0's CPU moves
# make-before-break while the storm runs. Once the replicas are quiet, one line per run:
#   RESULT run=N duplicates=D records=R lost=L release_s=MAX acquire_s=MAX storm_exits=E
# duplicates, records, lost: summed over both replicas (tsfleet_listener_duplicates_total, ..._records_total,
# ..._records_lost_total); release_s/acquire_s: the longest tsfleet_listener_handover_duration_seconds{step} of the
# run. Needs root (the kernel's TASKSTATS family), gcc (unless STORM is set), curl. Every process it starts is stopped
# at the end (by pid), also on Ctrl-C. Logs stay in benchmarks/target/storm-handover-<time>/.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR_DIR=${1:?usage: benchmarks/storm-handover.sh JAR_DIR [STORM_SECONDS] [RUNS]}
STORM_SECONDS=${2:-10}
RUNS=${3:-1}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA=$JAVA_HOME/bin/java
OUT=$ROOT/benchmarks/target/storm-handover-$(date -u +%Y%m%dT%H%M%S)
mkdir -p "$OUT"
STORM=${STORM:-}
if [ -z "$STORM" ]; then
  STORM=$ROOT/benchmarks/target/storm
  [ -x "$STORM" ] || gcc -O2 -o "$STORM" "$ROOT/testdata/shared/tools/storm.c"
fi
POSSIBLE=$(cat /sys/devices/system/cpu/possible)
NCPU=$(nproc)

PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$p" 2>/dev/null || true
  done
  PIDS=()
}
trap cleanup EXIT INT TERM

token() { head -c 24 /dev/urandom | base64 | tr '+/' '-_'; }
free_port() {
  local p
  while :; do
    p=$((30000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { printf '%s\n' "$p"; return; }
  done
}
launch() { # launch DIR NAME JAR ARGS... (own session, like scripts/fleet)
  local dir=$1 name=$2 jar=$3
  shift 3
  (cd "$dir" && exec setsid "$JAVA" -Xmx384m -jar "$jar" "$@" >"$dir/$name.log" 2>&1 </dev/null) &
  PIDS+=("$!")
}
wait_up() { # wait_up PORT
  for _ in $(seq 1 360); do
    curl -s -m 2 "http://127.0.0.1:$1/actuator/health" 2>/dev/null | grep -q '"status":"UP"' && return 0
    sleep 0.5
  done
  echo "service on port $1 did not come up" >&2
  return 1
}
metric() { # metric PORT NAME-REGEX: the sum of the matching samples
  curl -s -m 5 "http://127.0.0.1:$1/actuator/prometheus" | awk -v re="^$2" '$0 ~ re { s += $NF } END { printf "%.0f\n", s }'
}
metric_max() { # metric_max PORT NAME-REGEX: the largest matching sample
  curl -s -m 5 "http://127.0.0.1:$1/actuator/prometheus" | awk -v re="^$2" '$0 ~ re && $NF > m { m = $NF } END { printf "%.3f\n", m + 0 }'
}

for run in $(seq 1 "$RUNS"); do
  dir=$OUT/run-$run
  mkdir -p "$dir"
  cp "$JAR_DIR"/emulator.jar "$JAR_DIR"/coordinator.jar "$JAR_DIR"/listener-service.jar "$dir/"
  admin=$(token) read_t=$(token) node_t=$(token) broker_t=$(token)
  (umask 077; : >"$dir/replica-tokens"; for i in 0 1; do t=$(token); printf '%s\n' "$t" >"$dir/token-$i"; printf 'listener-%d=%s\n' "$i" "$t" >>"$dir/replica-tokens"; done)
  cport=$(free_port) eport=$(free_port) bport=$(free_port) l0=$(free_port) l1=$(free_port)
  launch "$dir" coordinator "$dir/coordinator.jar" --server.port="$cport" --tsfleet.coordinator.possible-cpus="$POSSIBLE" \
    --tsfleet.coordinator.state-file="$dir/coordinator-state.json" \
    --tsfleet.coordinator.security.admin-tokens="$admin" --tsfleet.coordinator.security.read-tokens="$read_t" \
    --tsfleet.coordinator.security.replica-tokens-file="$dir/replica-tokens" --tsfleet.coordinator.security.node-tokens="$node_t"
  wait_up "$cport"
  (export TSFLEET_EMULATOR_NODE_COORDINATORTOKEN="$node_t" && launch "$dir" emulator "$dir/emulator.jar" --server.port="$eport" \
    --tsfleet.emulator.broker.port="$bport" --tsfleet.emulator.backend=kernel --tsfleet.emulator.broker.token="$broker_t" \
    --tsfleet.emulator.broker.max-connections-per-peer=10000 \
    --tsfleet.emulator.node.coordinator-url="http://127.0.0.1:$cport" --tsfleet.emulator.node.advertised-broker="127.0.0.1:$bport"
    echo "$!" >"$dir/emulator.pid")
  PIDS+=("$(cat "$dir/emulator.pid")")
  wait_up "$eport"
  i=0
  for lport in "$l0" "$l1"; do
    launch "$dir" "listener-$i" "$dir/listener-service.jar" --server.port="$lport" --tsfleet.listener.id="listener-$i" \
      --tsfleet.listener.broker="127.0.0.1:$bport" --tsfleet.listener.broker-token="$broker_t" \
      --tsfleet.listener.coordinator-url="http://127.0.0.1:$cport" --tsfleet.listener.coordinator-token-file="$dir/token-$i" \
      --tsfleet.listener.sink="jsonl:$dir/listener-$i.jsonl"
    i=$((i + 1))
  done
  wait_up "$l0"
  wait_up "$l1"
  # settled: each replica owns CPUs and no handover is in flight
  for _ in $(seq 1 120); do
    o0=$(metric "$l0" 'tsfleet_listener_owned_cpus') o1=$(metric "$l1" 'tsfleet_listener_owned_cpus')
    h0=$(metric "$l0" 'tsfleet_listener_handovers_in_flight') h1=$(metric "$l1" 'tsfleet_listener_handovers_in_flight')
    [ "$o0" -ge 1 ] && [ "$o1" -ge 1 ] && [ "$((o0 + o1))" -eq "$NCPU" ] && [ "$h0" -eq 0 ] && [ "$h1" -eq 0 ] && break
    sleep 0.5
  done
  echo "# run $run: listener-0 owns $o0, listener-1 owns $o1 CPUs; storm ${STORM_SECONDS}s on $NCPU workers"
  # the storm and the pin run in one session of their own: in the storm's scheduling group the pin gets the CPU 2 s
  # into the storm (a shell of another session can be kept off the CPU for the whole storm), while the fleet, in
  # sessions of their own, is starved as in production
  STORM_BIN=$STORM STORM_SECONDS=$STORM_SECONDS NCPU=$NCPU DIR=$dir ADMIN=$admin CPORT=$cport POSSIBLE=$POSSIBLE \
    setsid --wait bash -c '
      "$STORM_BIN" "$STORM_SECONDS" "$NCPU" >"$DIR/storm.out" 2>&1 &
      sleep 2
      date -u +%H:%M:%S.%N >"$DIR/pin.at"
      curl -s -m 60 -o "$DIR/pin.json" -w "# pin: HTTP %{http_code}\n" -X PUT -H "Authorization: Bearer $ADMIN" \
        -H "Content-Type: application/json" -d "{\"cpus\":\"$POSSIBLE\"}" "http://127.0.0.1:$CPORT/api/v1/replicas/listener-1/mask"
      date -u +%H:%M:%S.%N >>"$DIR/pin.at"
      wait' || true
  # settled: no handover in flight and nothing held back (other processes' exits keep the record counts moving)
  sleep 5
  for _ in $(seq 1 120); do
    h=$(( $(metric "$l0" 'tsfleet_listener_handovers_in_flight') + $(metric "$l1" 'tsfleet_listener_handovers_in_flight') ))
    held=$(( $(metric "$l0" 'tsfleet_listener_records_held') + $(metric "$l1" 'tsfleet_listener_records_held') ))
    [ "$h" -eq 0 ] && [ "$held" -eq 0 ] && break
    sleep 1
  done
  r=$(( $(metric "$l0" 'tsfleet_listener_records_total') + $(metric "$l1" 'tsfleet_listener_records_total') ))
  dup=$(( $(metric "$l0" 'tsfleet_listener_duplicates_total') + $(metric "$l1" 'tsfleet_listener_duplicates_total') ))
  lost=$(( $(metric "$l0" 'tsfleet_listener_records_lost_total') + $(metric "$l1" 'tsfleet_listener_records_lost_total') ))
  rel=$(metric_max "$l0" 'tsfleet_listener_handover_duration_seconds_max\{.*step="release"')
  acq=$(metric_max "$l1" 'tsfleet_listener_handover_duration_seconds_max\{.*step="acquire"')
  exits=$(grep -o '"exits": [0-9]*' "$dir/storm.out" | tail -1 | grep -o '[0-9]*$' || echo '?')
  grep -h 'records past fence' "$dir"/listener-*.log | sed 's/^.*node /# node /' || true
  echo "# pin sent $(head -1 "$dir/pin.at" | cut -c1-12), answered $(tail -1 "$dir/pin.at" | cut -c1-12); storm ended $(date -u -r "$dir/storm.out" +%H:%M:%S.%N | cut -c1-12)"
  echo "RESULT run=$run duplicates=$dup records=$r lost=$lost release_s=$rel acquire_s=$acq storm_exits=$exits"
  cleanup
done
