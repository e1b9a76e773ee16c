#!/usr/bin/env bash
# The soak (RELIABILITY.md, "Soak"): mixed load at 32 connections for 10 minutes against the
# release server on a seeded SQLite database, sampling the server's RSS, open descriptors and
# threads every 10 s. Passes when no request failed (a non-2xx answer or a socket error), RSS over
# the second half of the run grew by less than 10%, and the descriptors went back to their
# level before the load once it stopped.
#
#   reliability/soak.sh [--seconds N] [--connections N] [--tasks-per-project N] [--no-build]
#
# Needs wrk, curl and jq (installed here with apt-get when missing). Binds 127.0.0.1 only and
# stops only the server it started (by its PID). Work files go to target/soak/.
set -euo pipefail

SECONDS_TOTAL=600
CONNECTIONS=32
TASKS_PER_PROJECT=1000
BUILD=1
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECONDS_TOTAL=$2; shift ;;
    --connections) CONNECTIONS=$2; shift ;;
    --tasks-per-project) TASKS_PER_PROJECT=$2; shift ;;
    --no-build) BUILD=0 ;;
    -h | --help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$repo/target/soak
rm -rf "$work" && mkdir -p "$work"

missing=()
for tool in wrk curl jq; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ "$BUILD" = 1 ] && (cd "$repo" && cargo build --quiet --release -p flowforge-server -p flowforge-cli)
bin=$repo/target/release

db="sqlite://$work/soak.db"
"$bin/flowforge" --database "$db" seed-demo --orgs 10 --projects-per-org 10 \
  --tasks-per-project "$TASKS_PER_PROJECT" >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
DATABASE_URL=$db BIND=127.0.0.1:$port DEBUG=false LOG_FORMAT=json \
  SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
  THROTTLE_ANON=off THROTTLE_USER=off THROTTLE_LOGIN=off \
  "$bin/flowforge-server" >"$work/server.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.05; done

token=$(curl -sf -X POST "$base/api/v1/auth/login/" -H 'Content-Type: application/json' \
  -d '{"email":"owner0@org0.example","password":"flowforge-pass-1"}' | jq -er .access)
get() { curl -sf "$base/api/v1/$1" -H "Authorization: Bearer $token"; }
project=$(get 'projects/?page_size=1&ordering=created_at' | jq -er '.results[0].id')
tasks=$(get "tasks/?project=$project&page_size=100" | jq -r '[.results[].id] | join(" ")')

# One request of each kind in turn: reads, a list, a search, the organizations, a create, and
# the delete of that created task (a status change when none is pending), so the data set stays
# the same size and the RSS measures the server rather than its growing data; every answer that
# is not 2xx is counted.
cat >"$work/mixed.lua" <<EOF
local token, project = "$token", "$project"
local tasks = {}
for id in string.gmatch("$tasks", "%S+") do table.insert(tasks, id) end
local statuses = { "todo", "in_progress", "done", "blocked" }
local threads = {}
n, bad, created = 0, 0, {}
function setup(thread) table.insert(threads, thread) end
function init(args) n = 0; bad = 0 end
function request()
  n = n + 1
  local h = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  local task = tasks[n % #tasks + 1]
  local kind = n % 10
  if kind < 4 then return wrk.format("GET", "/api/v1/tasks/" .. task .. "/", h)
  elseif kind < 6 then return wrk.format("GET", "/api/v1/tasks/?project=" .. project .. "&status=todo&ordering=-priority&page_size=50", h)
  elseif kind == 6 then return wrk.format("GET", "/api/v1/tasks/?search=update", h)
  elseif kind == 7 then return wrk.format("GET", "/api/v1/organizations/", h)
  elseif kind == 8 then
    return wrk.format("POST", "/api/v1/tasks/", h, string.format('{"project":"%s","title":"Soak task %d"}', project, n))
  elseif #created > 0 then
    return wrk.format("DELETE", "/api/v1/tasks/" .. table.remove(created) .. "/", h)
  else
    return wrk.format("PATCH", "/api/v1/tasks/" .. task .. "/", h, string.format('{"status":"%s"}', statuses[n % 4 + 1]))
  end
end
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
  if status == 201 then
    local id = string.match(body, '"id":"([0-9a-f-]+)"')
    if id then table.insert(created, id) end
  end
end
function done(summary)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  local e = summary.errors
  io.write(string.format("SOAK requests=%d non2xx=%d socket_errors=%d\n", summary.requests, total,
    e.connect + e.read + e.write + e.timeout))
end
EOF

sample() {  # seconds RSS-KiB descriptors threads
  local rss fds threads
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  threads=$(awk '/^Threads/ {print $2}' "/proc/$pid/status")
  fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
  echo "$1 $rss $fds $threads"
}
# Warm-up, so the pool's connections and the index are open before the baseline.
wrk -t2 -c"$CONNECTIONS" -d3s -s "$work/mixed.lua" "$base" >/dev/null
sleep 2
before=$(sample 0)
echo "# soak: $SECONDS_TOTAL s at $CONNECTIONS connections on $base (pid $pid); before: $before" >&2
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_TOTAL}s" --timeout 10s -s "$work/mixed.lua" "$base" \
  >"$work/wrk.txt" &
wrk_pid=$!
: >"$work/samples.txt"
for t in $(seq 10 10 "$SECONDS_TOTAL"); do
  sleep 10
  sample "$t" | tee -a "$work/samples.txt" >&2
done
wait "$wrk_pid"
sleep 3
after=$(sample end)

result=$(grep '^SOAK' "$work/wrk.txt")
rate=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
read -r _ rss0 fds0 _ <<<"$before"
read -r _ _ fds1 _ <<<"$after"
half=$((SECONDS_TOTAL / 20))
rss_mid=$(awk -v h="$half" 'NR == h {print $2}' "$work/samples.txt")
rss_max=$(awk 'BEGIN {m = 0} {if ($2 > m) m = $2} END {print m}' "$work/samples.txt")
rss_end=$(tail -n 1 "$work/samples.txt" | awk '{print $2}')
non2xx=$(sed -E 's/.*non2xx=([0-9]+).*/\1/' <<<"$result")
socket=$(sed -E 's/.*socket_errors=([0-9]+).*/\1/' <<<"$result")
echo "$result rate=$rate rss_before_kib=$rss0 rss_half_kib=$rss_mid rss_end_kib=$rss_end rss_max_kib=$rss_max fds_before=$fds0 fds_after=$fds1"

ok=1
[ "$non2xx" = 0 ] && [ "$socket" = 0 ] || { echo "soak: requests failed" >&2; ok=0; }
[ "$rss_end" -le $((rss_mid * 11 / 10)) ] || { echo "soak: RSS grew by 10% or more over the second half" >&2; ok=0; }
[ "$fds1" -le "$fds0" ] || { echo "soak: $fds1 descriptors open after the load, $fds0 before" >&2; ok=0; }
[ "$ok" = 1 ]
