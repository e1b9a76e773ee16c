#!/usr/bin/env bash
# What idle Server-Sent Events streams cost the server (issue 13), recorded in BENCHMARKS.md:
#
#   bench/idle-streams.sh [--streams N] [--idle S] [--writes W] [--no-build] [--profile P]
#                         [--postgres]
#
# Seeds a small SQLite database, starts the server on 127.0.0.1 (throttles off, a per-user stream
# cap above N, keep-alives every 15 s as by default), opens N streams from one client
# (bench/idle_streams.py) and reports the server's RSS and CPU time before, with the streams
# open and after S idle seconds; then makes W writes and checks that every stream got every
# event, with the delivery latency. --postgres: two servers on one scratch PostgreSQL database
# (flowforge_feed on PG_URL, default postgres://postgres@127.0.0.1:5432, created and dropped
# here), the streams on one and the writes on the other, so the latency is that of an event
# crossing instances. Bounded: the servers are stopped on exit, whatever happens.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STREAMS=1000 IDLE=60 WRITES=20 BUILD=1 PROFILE=release POSTGRES=0
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
while [ $# -gt 0 ]; do
  case $1 in
    --streams) STREAMS=$2; shift ;;
    --idle) IDLE=$2; shift ;;
    --writes) WRITES=$2; shift ;;
    --no-build) BUILD=0 ;;
    --profile) PROFILE=$2; shift ;;
    --postgres) POSTGRES=1 ;;
    *) sed -n '2,15p' "$0"; exit 2 ;;
  esac
  shift
done
# Client and server sockets: raise the soft descriptor limit to the hard one.
ulimit -n "$(ulimit -Hn)"
profile_flag=(--release); dir=release
[ "$PROFILE" = debug ] && { profile_flag=(); dir=debug; }
features=()
[ "$POSTGRES" = 1 ] && features=(--features flowforge-server/postgres,flowforge-cli/postgres)
[ "$BUILD" = 1 ] && cargo build --quiet "${profile_flag[@]}" "${features[@]}" -p flowforge-server -p flowforge-cli
bin=$repo/target/$dir
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  [ "$POSTGRES" = 1 ] && psql -q "$PG_URL/postgres" -c 'DROP DATABASE IF EXISTS flowforge_feed' 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
if [ "$POSTGRES" = 1 ]; then
  psql -q "$PG_URL/postgres" -c 'DROP DATABASE IF EXISTS flowforge_feed' -c 'CREATE DATABASE flowforge_feed' 
  db=$PG_URL/flowforge_feed
else
  db=sqlite://$work/flowforge.db
fi
"$bin/flowforge" seed-demo --database "$db" --orgs 1 --projects-per-org 1 --tasks-per-project 10 >/dev/null
start() {  # start a server; prints its base URL, records its PID in $pid
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  BIND=127.0.0.1:$port DATABASE_URL=$db SECRET_KEY=idle-streams-benchmark-key THROTTLE_ANON=off \
    THROTTLE_USER=off THROTTLE_LOGIN=off MAX_STREAMS_PER_USER=$((STREAMS + 10)) LOG_FORMAT=json \
    RUST_LOG=warn "$bin/flowforge-server" >"$work/server-$port.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 500); do  # at most 5 s
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ] && break
    sleep 0.01
  done
  base=http://127.0.0.1:$port
}
start
stream_base=$base stream_pid=$pid write_base=()
if [ "$POSTGRES" = 1 ]; then
  start
  write_base=(--write-base "$base")
fi
sleep 1
python3 "$repo/bench/idle_streams.py" "$stream_base" "$stream_pid" \
  --streams "$STREAMS" --idle "$IDLE" --writes "$WRITES" "${write_base[@]}"
