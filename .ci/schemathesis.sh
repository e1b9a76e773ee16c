#!/usr/bin/env bash
# schemathesis against the running server's /api/schema/ (issue 12): every operation, every
# check (all of them, as `--checks all`, with the exceptions and their reasons in
# .ci/schemathesis.toml, and .ci/schemathesis_hooks.py leaving out the generated query values a
# query string cannot carry), as a user who owns data. Installs a pinned schemathesis into a virtual
# environment under target/, starts the server binary on 127.0.0.1 with a fresh SQLite file and
# the throttles off, seeds a small data set (`flowforge seed-demo`: organizations, members,
# projects, tasks), logs in as the owner of the first organization and runs every phase
# (coverage, fuzzing, stateful) with that user's token.
#
#   .ci/schemathesis.sh            CI: seed 1, 30 examples per operation, about a minute
#   .ci/schemathesis.sh --long     RELIABILITY.md: a random seed, fuzzing until 15 minutes pass
#
# Options (each also an environment variable, given first):
#   --examples N      MAX_EXAMPLES  test cases per operation and phase (default 30; --long 200)
#   --max-time S      MAX_TIME      keep fuzzing until S seconds have passed (default: stop after
#                                   the examples, within 10 minutes at most; --long 900)
#   --seed N          SEED          hypothesis seed (default 1; --long random, printed)
#   --profile P       PROFILE       the binaries' cargo profile: debug (default) or release
#   --no-build        BUILD=0       use the binaries already built
# Other environment: PYTHON (default python3), VENV (default target/schemathesis/venv), OUT
# (default target/schemathesis: the server's log and the reports).
#
# Exit status: schemathesis's: 0 when no check failed and no error occurred. One worker thread:
# with several, CPython 3.11.7's `ast.parse` failed under schemathesis's threads ("AST constructor
# recursion depth mismatch"). Only the server started here is stopped (by its PID), whatever
# happens.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES=${MAX_EXAMPLES:-}
MAX_TIME=${MAX_TIME:-}
SEED=${SEED:-}
PROFILE=${PROFILE:-debug}
BUILD=${BUILD:-1}
PYTHON=${PYTHON:-python3}
OUT=${OUT:-$repo/target/schemathesis}
VENV=${VENV:-$repo/target/schemathesis/venv}
LONG=0

usage() { sed -n "2,/^set -euo/p" "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case $1 in
    --examples) MAX_EXAMPLES=$2; shift ;;
    --max-time) MAX_TIME=$2; shift ;;
    --seed) SEED=$2; shift ;;
    --profile) PROFILE=$2; shift ;;
    --no-build) BUILD=0 ;;
    --long) LONG=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo ".ci/schemathesis.sh: unknown option $1 (--help lists them)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$LONG" = 1 ]; then
  MAX_EXAMPLES=${MAX_EXAMPLES:-200} MAX_TIME=${MAX_TIME:-900} SEED=${SEED:-$RANDOM$RANDOM}
fi
MAX_EXAMPLES=${MAX_EXAMPLES:-30} SEED=${SEED:-1}
# A hard bound on the whole run, whatever happens.
budget=$((${MAX_TIME:-0} + 600))
time_flags=()
[ -n "$MAX_TIME" ] && time_flags=(--max-time "$MAX_TIME")
case $PROFILE in release | debug) ;; *) echo ".ci/schemathesis.sh: --profile is release or debug" >&2; exit 2 ;; esac
OUT=$(mkdir -p "$OUT" && cd "$OUT" && pwd)

# The pinned schemathesis, in its own virtual environment (kept between runs).
venv=$VENV
if ! "$venv/bin/st" --version 2>/dev/null | grep -qx "st, version $SCHEMATHESIS_VERSION"; then
  echo "# installing schemathesis $SCHEMATHESIS_VERSION into $venv" >&2
  "$PYTHON" -m venv --clear "$venv"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

if [ "$BUILD" = 1 ] && [ "$PROFILE" = debug ]; then
  # The debug binaries exactly as `cargo test --workspace` builds them (nothing to do after it).
  (cd "$repo" && cargo test --quiet --workspace --no-run) >"$OUT/build.log" 2>&1 \
    || { cat "$OUT/build.log" >&2; exit 2; }
elif [ "$BUILD" = 1 ]; then
  (cd "$repo" && cargo build --quiet --release -p flowforge-server -p flowforge-cli)
fi
target_dir=$(cd "$repo" && cargo metadata --format-version 1 --no-deps | jq -r .target_directory)
server_bin=$target_dir/$PROFILE/flowforge-server
cli_bin=$target_dir/$PROFILE/flowforge
for bin in "$server_bin" "$cli_bin"; do
  [ -x "$bin" ] || { echo ".ci/schemathesis.sh: no $bin" >&2; exit 2; }
done

run=$(mktemp -d "$OUT/run.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

db=sqlite://$run/flowforge.db
"$cli_bin" seed-demo --database "$db" --orgs 3 --users-per-org 4 --projects-per-org 2 \
  --tasks-per-project 10 >"$run/seed.txt"
email=$(sed -n 's/^LOGIN_EMAIL=//p' "$run/seed.txt")
password=$(sed -n 's/^LOGIN_PASSWORD=//p' "$run/seed.txt")

port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
BIND=127.0.0.1:$port DATABASE_URL=$db DEBUG=false SECRET_KEY=$("$PYTHON" -c 'import secrets; print(secrets.token_hex(32))') \
  THROTTLE_ANON=off THROTTLE_USER=off THROTTLE_LOGIN=off ACCESS_TOKEN_TTL=$((budget + 60))s \
  LOG_FORMAT=json RUST_LOG=info "$server_bin" >"$OUT/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$OUT/server.log" >&2; exit 2; }
  sleep 0.1
done
login=$(jq -n --arg email "$email" --arg password "$password" '{$email, $password}')
token=$(curl -sf -H 'content-type: application/json' -d "$login" "$base/api/v1/auth/login/" | jq -r .access)

echo "# schemathesis $SCHEMATHESIS_VERSION: $base, seed $SEED, $MAX_EXAMPLES examples${MAX_TIME:+, ${MAX_TIME}s}" >&2
status=0
(cd "$run" && SCHEMATHESIS_HOOKS=$repo/.ci/schemathesis_hooks.py \
  timeout "$budget" "$venv/bin/st" --config-file "$repo/.ci/schemathesis.toml" \
  run "$base/api/schema/" --url "$base" -H "Authorization: Bearer $token" --workers 1 --max-examples "$MAX_EXAMPLES" "${time_flags[@]}" --seed "$SEED" \
  --generation-database none --no-color \
  --report junit --report-dir "$OUT/reports") || status=$?
errors=$(grep -c '"status":5[0-9][0-9]' "$OUT/server.log" || true)
echo "# server: $(grep -c '"message":"request"' "$OUT/server.log" || true) requests, $errors answered 5xx; log in $OUT/server.log" >&2
exit "$status"
