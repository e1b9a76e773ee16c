#!/usr/bin/env bash
# The benchmark of issue 11 ("Scale"): one command, documented in BENCHMARKS.md.
#
#   bench/run.sh                          10k, 100k, 1M tasks on SQLite, Django peer at 100k
#   bench/run.sh --sizes 100k --no-django
#   bench/run.sh --postgres --sizes 10k,100k
#   bench/run.sh --tiny                   CI: a tiny data set, debug binaries, a few seconds
#   bench/run.sh --sizes 10k --synchronous full   SQLite syncing every commit (BENCHMARKS.md)
#
# Options (each also an environment variable, given first):
#   --sizes LIST       SIZES      comma-separated: tiny, 10k, 100k, 1m (default 10k,100k,1m)
#   --duration S       DURATION   seconds per wrk scenario (default 10)
#   --requests N       REQUESTS   single-client requests per scenario (default 200)
#   --cap S            CAP        single-client time cap per scenario, seconds (default 30)
#   --creates N        CREATES    task creates one after another (default 10000)
#   --creates-cap S    CREATES_CAP time cap for them, seconds (default 300)
#   --burst S          BURST      seconds of 32 connections creating at once (default 5)
#   --connections N    CONNECTIONS (default 32)
#   --profile P        PROFILE    cargo profile of the binaries: release (default) or debug
#   --out FILE         OUT        markdown report (default target/bench/run-UTC.md); JSON lines
#                                 go beside it (.jsonl), server logs to FILE's directory
#   --no-django        DJANGO=0   skip the Django peer (it runs at 100k only)
#   --synchronous M    SQLITE_SYNCHRONOUS  normal (default) or full: SQLite's durability, for the
#                                 server and the seeder (README, "Durability")
#   --postgres         POSTGRES=1 FlowForge on PostgreSQL (127.0.0.1:5432, user postgres,
#                                 scratch database flowforge_bench created and dropped here)
#   --no-build         BUILD=0    use the binaries already built
#   --tiny             sizes=tiny, 1 s per scenario, 20 requests, 200 creates, no Django,
#                      debug binaries; any failed request makes the exit status non-zero
# Other environment: SHARED_DIR (default: the repository's sibling `shared/`), PG_URL (the
# PostgreSQL server, default postgres://postgres@127.0.0.1:5432), RUST_LOG (default info),
# HARNESS_SCENARIOS (the harness's scenarios to run, default all seven), SINGLE_SKIP
# (comma-separated single-client scenarios to leave out).
#
# Exit status: 0, or 1 when any request failed (non-2xx or socket error) in any scenario; the
# report is written either way. Every load loop is bounded in count and time, servers bind
# 127.0.0.1 only, and only the processes started here are stopped (on exit, whatever happens).
# shellcheck disable=SC2016 # jq programs (through emit) are single-quoted on purpose
set -euo pipefail
shopt -s lastpipe  # note_failures at the end of a pipeline counts in this shell

repo=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel 2>/dev/null \
  || (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd))
here=$repo/bench
SHARED_DIR=${SHARED_DIR:-$repo/../shared}

SIZES=${SIZES:-10k,100k,1m}
DURATION=${DURATION:-10}
REQUESTS=${REQUESTS:-200}
CAP=${CAP:-30}
CREATES=${CREATES:-10000}
CREATES_CAP=${CREATES_CAP:-300}
BURST=${BURST:-5}
CONNECTIONS=${CONNECTIONS:-32}
PROFILE=${PROFILE:-release}
OUT=${OUT:-}
DJANGO=${DJANGO:-1}
POSTGRES=${POSTGRES:-0}
BUILD=${BUILD:-1}
SQLITE_SYNCHRONOUS=${SQLITE_SYNCHRONOUS:-normal}
TINY=0
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
export RUST_LOG=${RUST_LOG:-info}

usage() { sed -n "2,/^# shellcheck/p" "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case $1 in
    --sizes) SIZES=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --requests) REQUESTS=$2; shift ;;
    --cap) CAP=$2; shift ;;
    --creates) CREATES=$2; shift ;;
    --creates-cap) CREATES_CAP=$2; shift ;;
    --burst) BURST=$2; shift ;;
    --connections) CONNECTIONS=$2; shift ;;
    --profile) PROFILE=$2; shift ;;
    --out) OUT=$2; shift ;;
    --no-django) DJANGO=0 ;;
    --postgres) POSTGRES=1 ;;
    --no-build) BUILD=0 ;;
    --synchronous) SQLITE_SYNCHRONOUS=$2; shift ;;
    --tiny) TINY=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (--help lists them)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$TINY" = 1 ]; then
  SIZES=tiny DURATION=1 REQUESTS=20 CAP=2 CREATES=200 CREATES_CAP=10 BURST=1 DJANGO=0 PROFILE=debug
fi
case $PROFILE in release | debug) ;; *) echo "bench/run.sh: --profile is release or debug" >&2; exit 2 ;; esac
case $SQLITE_SYNCHRONOUS in normal | full) ;; *) echo "bench/run.sh: --synchronous is normal or full" >&2; exit 2 ;; esac
export SQLITE_SYNCHRONOUS  # read by the server and the seeder

# --- tools: installed here when missing (CI runs as root on Debian) ---------------------------
missing=()
for tool in wrk jq curl python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ "$POSTGRES" = 1 ]; then
  for tool in psql createdb dropdb; do command -v "$tool" >/dev/null || missing+=(postgresql-client); done
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "# installing ${missing[*]}" >&2
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ -x "$SHARED_DIR/loadtest/run.sh" ] || { echo "bench/run.sh: no load harness at $SHARED_DIR/loadtest/run.sh (set SHARED_DIR)" >&2; exit 2; }
SHARED_DIR=$(cd "$SHARED_DIR" && pwd)

# --- output ------------------------------------------------------------------------------------
stamp=$(date -u +%Y%m%dT%H%M%SZ)
[ -n "$OUT" ] || OUT=$repo/target/bench/run-$stamp.md
mkdir -p "$(dirname "$OUT")"
OUT=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")
JSONL=${OUT%.md}.jsonl
LOGDIR=${OUT%.md}.logs
mkdir -p "$LOGDIR"
: >"$JSONL"
work=$(mktemp -d "${TMPDIR:-/tmp}/flowforge-bench.XXXXXX")
backend=sqlite
[ "$POSTGRES" = 1 ] && backend=postgres

# --- process bookkeeping: only what this script started is stopped ------------------------------
pids=()
pg_db=
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$pg_db" ]; then dropdb --if-exists -h "$pg_host" -p "$pg_port" -U "$pg_user" "$pg_db" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
stop() {  # stop one process this script started, and forget it
  local pid=$1 p rest=()
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${pids[@]}"; do [ "$p" = "$pid" ] || rest+=("$p"); done
  pids=("${rest[@]}")
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
now_ms() { date +%s%3N; }
emit() { jq -c "$@" >>"$JSONL"; }  # one JSON line, built by jq from its arguments
tagged() {  # add the run's tags to JSON lines on stdin
  jq -c --arg server "$1" --arg size "$2" --arg backend "$3" --arg run "$stamp" \
    '. + {server: $server, size: $size, backend: $backend, run: $run}'
}
failures=0
note_failures() {  # count failed requests in the JSON lines on stdin
  local n
  n=$(jq -s '[.[] | (.errors // 0) + (.non_2xx // 0) + (.socket_errors // 0)] | add // 0')
  failures=$((failures + n))
  [ "$n" = 0 ] || echo "# WARNING: $n failed requests in $1" >&2
}

# wrk with the harness's scenario.lua (so the same request shapes), plus --latency for the max.
# Prints one JSON object: requests_per_s, p50_ms, p99_ms, max_ms, requests, non_2xx, socket_errors.
wrk_json() {  # url duration [env assignments for scenario.lua...]
  local url=$1 dur=$2 out line max
  shift 2
  out=$(env "$@" wrk -t2 -c"$CONNECTIONS" -d"${dur}s" --timeout 10s --latency -s "$SHARED_DIR/loadtest/scenario.lua" "$url")
  line=$(grep '^FFRESULT' <<<"$out" | sed 's/^FFRESULT //') || { echo "$out" >&2; return 1; }
  max=$(awk '$1 == "Latency" && NF >= 4 {print $4; exit}' <<<"$out")
  local requests duration_us p50_us p99_us non2xx status429 socket_errors
  eval "$line"
  : "$status429"  # the server runs with throttles off; a 429 would be a non-2xx anyway
  jq -nc --argjson r "$requests" --argjson d "$duration_us" --argjson p50 "$p50_us" --argjson p99 "$p99_us" \
    --argjson bad "$non2xx" --argjson se "$socket_errors" --arg max "$max" '
    def ms: if test("us$") then (.[:-2] | tonumber) / 1000 elif test("ms$") then .[:-2] | tonumber
            elif test("m$") then (.[:-1] | tonumber) * 60000 elif test("s$") then (.[:-1] | tonumber) * 1000
            else null end;
    {requests: $r, duration_s: ($d / 1e6), requests_per_s: (($r / ($d / 1e6)) * 10 | round / 10),
     p50_ms: ($p50 / 1000), p99_ms: ($p99 / 1000), max_ms: ($max | ms), non_2xx: $bad, socket_errors: $se}'
}

# Wait until the processes are idle: under 4% of one core over half a second, at most 120 s.
# A server does not stop the work of requests whose client has gone (wrk ends a scenario with
# up to CONNECTIONS requests in flight, which at 1M can be seconds of work each), so without
# this the next scenario would measure the previous one's backlog. Prints the seconds waited.
wait_idle() {  # pid...
  local t0 prev='' cur p f
  t0=$(now_ms)
  for _ in $(seq 240); do
    cur=0
    for p in "$@"; do
      read -r -a f <"/proc/$p/stat" 2>/dev/null || continue
      cur=$((cur + f[13] + f[14]))  # utime + stime, clock ticks (100 per second)
    done
    if [ -n "$prev" ] && [ $((cur - prev)) -le 2 ]; then break; fi
    prev=$cur
    sleep 0.5
  done
  jq -n "($(now_ms) - $t0) / 1000"
}

login_token() {  # base
  curl -sS -f -X POST "$1/api/v1/auth/login/" -H 'Content-Type: application/json' \
    -d '{"email": "owner0@org0.example", "password": "flowforge-pass-1"}' | jq -er .access
}

size_shape() {  # size -> "orgs projects tasks-per-project"
  case $1 in
    tiny) echo "2 2 50" ;;
    10k) echo "10 10 100" ;;
    100k) echo "10 10 1000" ;;
    1m | 1M) echo "10 10 10000" ;;
    *) echo "bench/run.sh: unknown size $1 (tiny, 10k, 100k, 1m)" >&2; return 1 ;;
  esac
}

# --- SQLite file size (main + WAL) after a checkpoint, or the PostgreSQL database's size --------
db_bytes() {  # database-url -> {"bytes", "used", "busy"}
  case $1 in
    sqlite://*)
      python3 - "${1#sqlite://}" <<'EOF'
import json, os, sqlite3, sys
path = sys.argv[1]
c = sqlite3.connect(path, timeout=30)
busy, _, _ = c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
pages = c.execute("PRAGMA page_count").fetchone()[0]
free = c.execute("PRAGMA freelist_count").fetchone()[0]
page = c.execute("PRAGMA page_size").fetchone()[0]
c.close()
size = sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
# bytes: main file + WAL; used: the pages not on the free list (a file that does not grow can
# still fill pages that earlier writes freed); busy: the checkpoint could not truncate.
print(json.dumps({"bytes": size, "used": (pages - free) * page, "busy": busy != 0}))
EOF
      ;;
    *) psql -tA "$1" -c 'SELECT pg_database_size(current_database())' | jq -c '{bytes: ., used: ., busy: false}' ;;
  esac
}

# --- build ---------------------------------------------------------------------------------------
features=()
[ "$POSTGRES" = 1 ] && features=(--features "flowforge-server/postgres,flowforge-cli/postgres")
profile_flag=()
[ "$PROFILE" = release ] && profile_flag=(--release)
if [ "$BUILD" = 1 ] && [ "$PROFILE" = debug ] && [ "$POSTGRES" = 0 ]; then
  # The debug binaries exactly as `cargo test --workspace` builds them (same features), so that
  # after the tests (CI) this builds nothing.
  echo "# cargo test --workspace --no-run (the debug binaries the tests build)" >&2
  (cd "$repo" && cargo test --quiet --workspace --no-run) >"$LOGDIR/build.log" 2>&1 \
    || { cat "$LOGDIR/build.log" >&2; exit 1; }
elif [ "$BUILD" = 1 ]; then
  echo "# cargo build ${profile_flag[*]} -p flowforge-server -p flowforge-cli ${features[*]}" >&2
  (cd "$repo" && cargo build --quiet "${profile_flag[@]}" -p flowforge-server -p flowforge-cli "${features[@]}")
fi
target_dir=$(cd "$repo" && cargo metadata --format-version 1 --no-deps | jq -r .target_directory)
server_bin=$target_dir/$PROFILE/flowforge-server
cli_bin=$target_dir/$PROFILE/flowforge
if [ ! -x "$server_bin" ] || [ ! -x "$cli_bin" ]; then echo "bench/run.sh: no $PROFILE binaries in $target_dir" >&2; exit 2; fi
# Copies, so that a build during the run (another feature set, another worktree's cargo) cannot
# swap the binaries between sizes.
mkdir -p "$work/bin"
cp "$server_bin" "$cli_bin" "$work/bin/"
server_bin=$work/bin/flowforge-server
cli_bin=$work/bin/flowforge

SECRET_KEY=bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
export SECRET_KEY

if [ "$POSTGRES" = 1 ]; then
  pg_rest=${PG_URL#postgres://}
  pg_user=${pg_rest%%@*}
  pg_hostport=${pg_rest#*@}
  pg_hostport=${pg_hostport%%/*}
  pg_host=${pg_hostport%%:*}
  pg_port=${pg_hostport##*:}
  [ "$pg_port" = "$pg_host" ] && pg_port=5432
  pg_isready -q -h "$pg_host" -p "$pg_port" || { echo "bench/run.sh: no PostgreSQL at $pg_host:$pg_port" >&2; exit 2; }
fi

commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "# bench/run.sh $stamp: sizes=$SIZES backend=$backend synchronous=$SQLITE_SYNCHRONOUS profile=$PROFILE duration=${DURATION}s requests=$REQUESTS cap=${CAP}s creates=$CREATES burst=${BURST}s connections=$CONNECTIONS django=$DJANGO" >&2
echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), load $(loadavg), $commit" >&2
emit -n --arg run "$stamp" --arg sizes "$SIZES" --arg backend "$backend" --arg profile "$PROFILE" \
  --arg synchronous "$SQLITE_SYNCHRONOUS" \
  --argjson duration "$DURATION" --argjson requests "$REQUESTS" --argjson cap "$CAP" \
  --argjson creates "$CREATES" --argjson burst "$BURST" --argjson connections "$CONNECTIONS" \
  --arg commit "$commit" --argjson cores "$(nproc)" --arg load "$(loadavg)" \
  '{kind: "run", run: $run, sizes: $sizes, backend: $backend, synchronous: $synchronous, profile: $profile, duration_s: $duration,
    requests: $requests, cap_s: $cap, creates: $creates, burst_s: $burst, connections: $connections,
    commit: $commit, cores: $cores, load_before: $load}'

# --- the measurements shared by both servers ------------------------------------------------------
# measure SERVER SIZE BACKEND BASE DB_URL PID...   (PIDs: processes whose memory is summed)
measure() {
  local server=$1 size=$2 be=$3 base=$4 db=$5
  shift 5
  local mem_pids=("$@") tag=("$server" "$size" "$be") disc token project n before after
  local seq_ok burst_ok skip=${SINGLE_SKIP:-}
  disc=$work/discovery-$server-$size.json
  python3 "$here/client.py" discover "$base" --repo "$repo" >"$disc"
  jq -c '{kind: "discovery"} + del(.task_ids)' "$disc" | tagged "${tag[@]}" >>"$JSONL"
  echo "# $server $size: $(jq -r '"\(.visible) tasks visible, pages \(.middle_page) and \(.deep_page) of \(.pages), search words \(.common_word) (\(.common_count)), \(.rare_word) (\(.rare_count)), \"\(.two_words)\" (\(.two_words_count))"' "$disc")" >&2

  if [ "$server" = flowforge ]; then
    echo "# $server $size: static ceiling (wrk on /healthz)" >&2
    wrk_json "$base/healthz" "$DURATION" FF_PATHS=/healthz | jq -c '{kind: "ceiling", scenario: "healthz_ceiling"} + .' \
      | tagged "${tag[@]}" | tee -a "$JSONL" | note_failures "the ceiling"
  fi

  wait_idle "${mem_pids[@]}" >/dev/null
  echo "# $server $size: single client, $REQUESTS requests or ${CAP}s per scenario" >&2
  python3 "$here/client.py" single "$base" --repo "$repo" --discovery "$disc" --requests "$REQUESTS" \
    --cap "$CAP" ${skip:+--skip "$skip"} | tagged "${tag[@]}" >"$work/single.jsonl" || true
  cat "$work/single.jsonl" >>"$JSONL"
  note_failures "single-client scenarios" <"$work/single.jsonl"
  jq -r '"#   \(.scenario): \(.requests) req, p50 \(.p50_ms) ms, p99 \(.p99_ms) ms\(if .capped then " (capped)" else "" end)\(if .errors > 0 then " ERRORS \(.errors): \(.first_error)" else "" end)"' \
    "$work/single.jsonl" >&2

  echo "# $server $size: load harness, $CONNECTIONS connections, ${DURATION}s per scenario, one scenario at a time once the server is idle" >&2
  rm -f "$work/harness.jsonl"
  : >"$work/harness.txt"
  local sc waited
  for sc in ${HARNESS_SCENARIOS:-get_task list_filtered search deep_page create_task patch_status list_orgs}; do
    waited=$(wait_idle "${mem_pids[@]}")
    echo "#   (waited ${waited}s for the server to be idle before $sc)" >>"$work/harness.txt"
    jq -nc --arg sc "$sc" --argjson w "$waited" '{kind: "idle_wait", scenario: $sc, waited_s: $w}' | tagged "${tag[@]}" >>"$JSONL"
    if ! SCENARIOS=$sc RESULTS=$work/harness.jsonl DURATION=$DURATION CONNECTIONS=$CONNECTIONS THREADS=2 \
        "$SHARED_DIR/loadtest/run.sh" "$base" >>"$work/harness.txt" 2>&1; then
      echo "# WARNING: the load harness failed ($sc)" >&2
      failures=$((failures + 1))
    fi
  done
  # one header for the table (each run of the harness prints its own)
  awk '/^scenario / { if (h++) next } { print }' "$work/harness.txt" | sed 's/^/#   /' >&2
  if [ -f "$work/harness.jsonl" ]; then
    jq -c '{kind: "harness"} + .' "$work/harness.jsonl" | tagged "${tag[@]}" | tee -a "$JSONL" | note_failures "the load harness"
  fi
  waited=$(wait_idle "${mem_pids[@]}")
  echo "#   (waited ${waited}s for the server to be idle before the creates)" >&2

  before=$(db_bytes "$db")
  echo "# $server $size: $CREATES creates one after another (at most ${CREATES_CAP}s)" >&2
  python3 "$here/client.py" creates "$base" --repo "$repo" --discovery "$disc" --count "$CREATES" \
    --cap "$CREATES_CAP" | tagged "${tag[@]}" >"$work/creates.jsonl" || true
  cat "$work/creates.jsonl" >>"$JSONL"
  note_failures "sequential creates" <"$work/creates.jsonl"
  jq -r '"#   \(.requests) creates, p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, max \(.max_ms) ms\(if .capped then " (capped)" else "" end)"' "$work/creates.jsonl" >&2
  seq_ok=$(jq -s '[.[] | .requests - .errors] | add // 0' "$work/creates.jsonl")

  echo "# $server $size: $CONNECTIONS connections creating for ${BURST}s" >&2
  token=$(login_token "$base")
  project=$(jq -r .project "$disc")
  wrk_json "$base/" "$BURST" FF_TOKEN="$token" FF_METHOD=POST FF_BODY=create-task FF_PROJECT="$project" \
    FF_PATHS="/api/v1/tasks/" | jq -c '{kind: "creates_burst", scenario: "create_burst"} + .' \
    | tagged "${tag[@]}" >"$work/burst.jsonl"
  cat "$work/burst.jsonl" >>"$JSONL"
  note_failures "the create burst" <"$work/burst.jsonl"
  burst_ok=$(jq '.requests - .non_2xx' "$work/burst.jsonl")
  after=$(db_bytes "$db")
  n=$((seq_ok + burst_ok))
  jq -nc --argjson b "$before" --argjson a "$after" --argjson n "$n" '
    def per(f): if $n > 0 then ((($a | f) - ($b | f)) / $n | round) else null end;
    {kind: "growth", db_bytes_before: $b.bytes, db_bytes_after: $a.bytes, db_used_before: $b.used,
     db_used_after: $a.used, tasks_created: $n, bytes_per_task: per(.bytes), used_bytes_per_task: per(.used),
     checkpoint_busy: ($b.busy or $a.busy)}' | tagged "${tag[@]}" >"$work/growth.jsonl"
  cat "$work/growth.jsonl" >>"$JSONL"
  echo "#   burst: $(jq -r '"\(.requests_per_s) req/s, p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, max \(.max_ms) ms"' "$work/burst.jsonl")" >&2
  jq -r '"#   database \(.db_bytes_before) -> \(.db_bytes_after) bytes (pages in use \(.db_used_before) -> \(.db_used_after)) over \(.tasks_created) tasks: \(.bytes_per_task) bytes per task (\(.used_bytes_per_task) in use)"' "$work/growth.jsonl" >&2

  # memory: RSS now (after the run, idle again) and the peak (VmHWM), summed over the PIDs
  sleep 1
  local rss=0 hwm=0 p
  for p in "${mem_pids[@]}"; do
    rss=$((rss + $(kb "$p" VmRSS))); hwm=$((hwm + $(kb "$p" VmHWM)))
  done
  jq -nc --argjson rss "$rss" --argjson hwm "$hwm" --argjson procs "${#mem_pids[@]}" \
    '{kind: "memory_after", rss_after_kb: $rss, rss_peak_kb: $hwm, processes: $procs}' | tagged "${tag[@]}" >>"$JSONL"
  echo "#   memory after the run: RSS $((rss / 1024)) MiB, peak (VmHWM) $((hwm / 1024)) MiB over ${#mem_pids[@]} process(es)" >&2
}

# --- FlowForge at one size -----------------------------------------------------------------------
run_flowforge() {
  local size=$1 shape orgs projects tasks db dir port base t0 t1 ready_ms pid seed_s load0 load1 rss
  shape=$(size_shape "$size")
  read -r orgs projects tasks <<<"$shape"
  load0=$(loadavg)
  dir=$work/ff-$size
  mkdir -p "$dir"
  if [ "$POSTGRES" = 1 ]; then
    pg_db=flowforge_bench
    dropdb --if-exists -h "$pg_host" -p "$pg_port" -U "$pg_user" "$pg_db"
    createdb -h "$pg_host" -p "$pg_port" -U "$pg_user" "$pg_db"
    db=$PG_URL/$pg_db
  else
    db=sqlite://$dir/flowforge.db
  fi
  echo "# flowforge $size ($backend): seeding $orgs x $projects x $tasks (load $load0)" >&2
  t0=$(now_ms)
  timeout 1800 "$cli_bin" seed-demo --database "$db" --orgs "$orgs" --projects-per-org "$projects" \
    --tasks-per-project "$tasks" >"$LOGDIR/seed-$backend-$size.log" 2>&1
  t1=$(now_ms)
  seed_s=$(jq -n "($t1 - $t0) / 1000")

  port=$(free_port)
  base=http://127.0.0.1:$port
  t0=$(now_ms)
  BIND=127.0.0.1:$port DATABASE_URL=$db DEBUG=false THROTTLE_ANON=off THROTTLE_USER=off \
    THROTTLE_LOGIN=off LOG_FORMAT=json "$server_bin" >"$LOGDIR/server-$backend-$size.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  ready_ms=
  for _ in $(seq 12000); do  # at most 120 s
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ]; then ready_ms=$(($(now_ms) - t0)); break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  [ -n "$ready_ms" ] || { tail -n 20 "$LOGDIR/server-$backend-$size.log" >&2; echo "bench/run.sh: the server did not become ready" >&2; exit 1; }
  sleep 1
  rss=$(kb "$pid" VmRSS)
  echo "# flowforge $size: seeded in ${seed_s}s, ready in ${ready_ms} ms, idle RSS $((rss / 1024)) MiB" >&2
  emit -n --arg size "$size" --arg backend "$backend" --arg run "$stamp" --argjson seed "$seed_s" \
    --argjson ready "$ready_ms" --argjson rss "$rss" --arg load "$load0" --arg shape "$shape" \
    '{kind: "start", server: "flowforge", size: $size, backend: $backend, run: $run, seed_s: $seed,
      ready_ms: $ready, rss_idle_kb: $rss, load_before: $load, shape: $shape}'

  measure flowforge "$size" "$backend" "$base" "$db" "$pid"
  stop "$pid"
  load1=$(loadavg)
  emit -n --arg size "$size" --arg backend "$backend" --arg run "$stamp" --arg load "$load1" \
    '{kind: "end", server: "flowforge", size: $size, backend: $backend, run: $run, load_after: $load}'
  echo "# flowforge $size: done (load $load1)" >&2
  if [ "$POSTGRES" = 1 ]; then dropdb -h "$pg_host" -p "$pg_port" -U "$pg_user" "$pg_db"; pg_db=; fi
  rm -rf "$dir"
}

# --- the Django peer at 100k ----------------------------------------------------------------------
run_django() {
  local dir port base t0 ready_ms pid load0 load1 rss=0 p workers
  load0=$(loadavg)
  dir=$work/django
  mkdir -p "$dir"
  port=$(free_port)
  base=http://127.0.0.1:$port
  echo "# django 100k: migrate, seed 10 x 10 x 1000 and start (load $load0)" >&2
  t0=$(now_ms)
  DATA_DIR=$dir PORT=$port SEED_TASKS=1000 THROTTLE_ANON=100000/second THROTTLE_USER=100000/second \
    THROTTLE_LOGIN=100000/second "$SHARED_DIR/peers/django/run.sh" >"$LOGDIR/server-django-100k.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  ready_ms=
  for _ in $(seq 6000); do  # at most 600 s (a first run also makes the virtualenv)
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ]; then ready_ms=$(($(now_ms) - t0)); break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$ready_ms" ] || { tail -n 20 "$LOGDIR/server-django-100k.log" >&2; echo "bench/run.sh: the Django peer did not start" >&2; exit 1; }
  sleep 1
  workers=$(ps --ppid "$pid" -o pid= | tr -s ' \n' ' ')
  for p in $pid $workers; do rss=$((rss + $(kb "$p" VmRSS))); done
  echo "# django 100k: seeded and ready in ${ready_ms} ms (includes migrate and seed), idle RSS $((rss / 1024)) MiB" >&2
  emit -n --arg run "$stamp" --argjson ready "$ready_ms" --argjson rss "$rss" --arg load "$load0" \
    '{kind: "start", server: "django", size: "100k", backend: "sqlite", run: $run, seed_and_ready_ms: $ready,
      rss_idle_kb: $rss, load_before: $load, shape: "10 10 1000"}'
  # shellcheck disable=SC2086 # the worker PIDs are words
  measure django 100k sqlite "$base" "sqlite://$dir/flowforge.sqlite3" "$pid" $workers
  stop "$pid"
  load1=$(loadavg)
  emit -n --arg run "$stamp" --arg load "$load1" \
    '{kind: "end", server: "django", size: "100k", backend: "sqlite", run: $run, load_after: $load}'
  echo "# django 100k: done (load $load1)" >&2
  rm -rf "$dir"
}

started=$(now_ms)
IFS=, read -r -a size_list <<<"$SIZES"
for size in "${size_list[@]}"; do
  size_shape "$size" >/dev/null
  run_flowforge "$size"
  if [ "$size" = 100k ] && [ "$DJANGO" = 1 ]; then run_django; fi
done
emit -n --arg run "$stamp" --argjson s "$((($(now_ms) - started) / 1000))" --arg load "$(loadavg)" \
  --argjson failures "$failures" '{kind: "run_end", run: $run, wall_s: $s, load_after: $load, failed_requests: $failures}'

python3 "$here/report.py" "$JSONL" >"$OUT"
cat "$OUT"
echo "# report: $OUT" >&2
echo "# JSON lines: $JSONL; logs: $LOGDIR; $((($(now_ms) - started) / 1000)) s after the build" >&2
if [ "$failures" -gt 0 ]; then
  echo "bench/run.sh: $failures failures (failed requests, or a harness run that failed; see above)" >&2
  exit 1
fi
