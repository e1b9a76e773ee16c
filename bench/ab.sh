#!/usr/bin/env bash
# Paired comparison of FlowForge builds under the load harness (BENCHMARKS.md, "Comparing builds").
#
#   bench/ab.sh base=../other/target/release new=target/release
#   bench/ab.sh --rounds 12 --duration 5 --scenarios "create_task patch_status" a=DIR b=DIR
#
# Each NAME=DIR names a directory holding a release build's `flowforge` and `flowforge-server`.
# Every build gets its own database seeded alike (`seed-demo`, 10 organizations, 10 projects each,
# --tasks-per-project tasks each) and its own server, all started at once on 127.0.0.1; then each
# round runs the harness's scenarios against each server in turn. Servers that wait cost nothing,
# so builds measured seconds apart share the machine's state: on a machine whose throughput drifts
# by ±20% between minutes, the ratio of two builds in one round varies far less than their
# separate runs. Prints each round and each build's mean, and the mean of the per-round ratios to
# the first build.
#
# Options (each also an environment variable):
#   --rounds N             ROUNDS      rounds (default 8)
#   --duration S           DURATION    seconds per scenario and build in a round (default 5)
#   --scenarios "A B"      SCENARIOS   the harness's scenarios (default "create_task patch_status")
#   --tasks-per-project N  TASKS       (default 1000: 100,000 tasks)
#   --out FILE             OUT         JSON lines, one per scenario run (default target/bench/ab-UTC.jsonl)
# Other environment: SHARED_DIR (default: the repository's sibling `shared/`).
#
# Every load loop is bounded in count and time; only the processes started here are stopped.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED_DIR=${SHARED_DIR:-$repo/../shared}
ROUNDS=${ROUNDS:-8}
DURATION=${DURATION:-5}
SCENARIOS=${SCENARIOS:-create_task patch_status}
TASKS=${TASKS:-1000}
OUT=${OUT:-}

usage() { sed -n "2,/^set -euo/p" "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
builds=()
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --scenarios) SCENARIOS=$2; shift ;;
    --tasks-per-project) TASKS=$2; shift ;;
    --out) OUT=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *=*) builds+=("$1") ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
[ ${#builds[@]} -ge 2 ] || { echo "bench/ab.sh: name at least two builds, NAME=DIR" >&2; exit 2; }
for tool in wrk jq curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/ab.sh: needs $tool (bench/run.sh installs it)" >&2; exit 2; }
done
[ -x "$SHARED_DIR/loadtest/run.sh" ] || { echo "bench/ab.sh: no load harness at $SHARED_DIR/loadtest/run.sh" >&2; exit 2; }

mkdir -p "$repo/target/bench"
OUT=${OUT:-$repo/target/bench/ab-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
work=$(mktemp -d "${TMPDIR:-/tmp}/flowforge-ab.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

names=()
declare -A base
for build in "${builds[@]}"; do
  name=${build%%=*} dir=${build#*=}
  for bin in flowforge flowforge-server; do
    [ -x "$dir/$bin" ] || { echo "bench/ab.sh: no $dir/$bin" >&2; exit 2; }
  done
  mkdir -p "$work/$name"
  echo "# $name: seeding from $dir" >&2
  timeout 1800 "$dir/flowforge" seed-demo --database "sqlite://$work/$name/flowforge.db" --orgs 10 \
    --projects-per-org 10 --tasks-per-project "$TASKS" >"$work/$name/seed.log" 2>&1
  port=$(free_port)
  BIND=127.0.0.1:$port DATABASE_URL=sqlite://$work/$name/flowforge.db DEBUG=false \
    SECRET_KEY=bench-ab-secret-bench-ab-secret THROTTLE_ANON=off THROTTLE_USER=off THROTTLE_LOGIN=off \
    RUST_LOG=warn "$dir/flowforge-server" >"$work/$name/server.log" 2>&1 &
  pids+=("$!")
  base[$name]=http://127.0.0.1:$port
  ready=0
  for _ in $(seq 3000); do  # at most 30 s
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "${base[$name]}/readyz")" = 200 ]; then ready=1; break; fi
    sleep 0.01
  done
  [ "$ready" = 1 ] || { tail -n 20 "$work/$name/server.log" >&2; echo "bench/ab.sh: $name did not become ready" >&2; exit 1; }
  names+=("$name")
done

for round in $(seq "$ROUNDS"); do
  for name in "${names[@]}"; do
    SCENARIOS=$SCENARIOS DURATION=$DURATION CONNECTIONS=32 THREADS=2 RESULTS=$work/round.jsonl \
      "$SHARED_DIR/loadtest/run.sh" "${base[$name]}" >"$work/round.txt" 2>&1 \
      || { cat "$work/round.txt" >&2; echo "bench/ab.sh: the harness failed ($name)" >&2; exit 1; }
    jq -c --arg build "$name" --argjson round "$round" '. + {build: $build, round: $round}' \
      "$work/round.jsonl" | tee -a "$OUT" \
      | jq -r '"round \(.round) \(.build) \(.scenario): \(.requests_per_s | floor) req/s, p99 \(.p99_ms) ms"' >&2
    rm -f "$work/round.jsonl"
  done
done

echo "# means over $ROUNDS rounds; the ratio is the mean of the rounds' ratios to ${names[0]}"
jq -rs --arg first "${names[0]}" '
  group_by(.scenario)[] as $runs
  | ($runs | map(select(.build == $first)) | map({key: (.round | tostring), value: .requests_per_s})
     | from_entries) as $firsts
  | $runs | group_by(.build)[]
  | (map(.requests_per_s) | add / length) as $mean
  | (map(.requests_per_s / $firsts[.round | tostring] - 1) | add / length * 100) as $ratio
  | "\(.[0].scenario) \(.[0].build): \($mean | floor) req/s, \($ratio * 10 | round / 10)% against \($first)"
' "$OUT"
echo "# JSON lines: $OUT"
