#!/usr/bin/env bash
# A real full disk (RELIABILITY.md, "Disk full"): the server on a small filesystem of its own,
# filled until writes are refused, then given room again, without a restart; and a start on the
# full filesystem, which must be refused.
#
#   reliability/disk-full.sh [--size-mb N] [--profile release|debug] [--no-build]
#
# Needs root (it loop-mounts a small ext4 image with no reserved blocks, or a tmpfs when loop
# devices are missing) and curl and jq (installed here with apt-get when missing). Prints what
# it sees, one line per step, and exits non-zero when a step does not answer as it should.
# Binds 127.0.0.1 only; stops, unmounts and removes only what it made.
set -euo pipefail

SIZE_MB=8
PROFILE=release
BUILD=1
while [ $# -gt 0 ]; do
  case $1 in
    --size-mb) SIZE_MB=$2; shift ;;
    --profile) PROFILE=$2; shift ;;
    --no-build) BUILD=0 ;;
    -h | --help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "disk-full.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "disk-full.sh: needs root (to mount a small filesystem)" >&2; exit 2; }
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

missing=()
for tool in curl jq; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ "$BUILD" = 1 ]; then
  flag=()
  [ "$PROFILE" = release ] && flag=(--release)
  (cd "$repo" && cargo build --quiet "${flag[@]}" -p flowforge-server)
fi
server_bin=$(cd "$repo" && cargo metadata --format-version 1 --no-deps | jq -r .target_directory)/$PROFILE/flowforge-server

work=$(mktemp -d "${TMPDIR:-/tmp}/flowforge-disk-full.XXXXXX")
mnt=$work/mnt
mkdir "$mnt"
pid=
loop=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  umount "$mnt" 2>/dev/null || true
  if [ -n "$loop" ]; then losetup -d "$loop" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if command -v mkfs.ext4 >/dev/null && losetup -f >/dev/null 2>&1; then
  truncate -s "${SIZE_MB}M" "$work/fs.img"
  mkfs.ext4 -q -m 0 "$work/fs.img"  # no blocks reserved for root, who runs the server here
  loop=$(losetup -f --show "$work/fs.img")
  mount "$loop" "$mnt"
  fs="ext4 on $loop"
else
  mount -t tmpfs -o "size=${SIZE_MB}m" tmpfs "$mnt"
  fs=tmpfs
fi
echo "# a ${SIZE_MB} MiB $fs at $mnt; $(df -h --output=avail "$mnt" | tail -1 | tr -d ' ') available"

failed=0
check() {  # what expected got
  if [ "$2" = "$3" ]; then echo "ok   $1: $3"; else echo "FAIL $1: expected $2, got $3"; failed=1; fi
}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
start_server() {
  DATABASE_URL=sqlite://$mnt/flowforge.db SECRET_KEY=disk-full-secret-key-long-enough DEBUG=false \
    THROTTLE_ANON=off THROTTLE_USER=off THROTTLE_LOGIN=off LOG_FORMAT=json RUST_LOG=warn \
    BIND=127.0.0.1:$port "$server_bin" >"$work/stdout" 2>>"$work/server.log" &
  pid=$!
  for _ in $(seq 500); do
    curl -sf -o /dev/null "$base/healthz" && return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" || true; pid=; return 1; }
    sleep 0.02
  done
  return 1
}
call() {  # method path [body]: prints "status retry-after" and keeps the body in $work/body
  local headers auth=()
  [ -z "${token:-}" ] || auth=(-H "Authorization: Bearer $token")
  headers=$(curl -s -o "$work/body" -D - -X "$1" "$base$2" "${auth[@]}" \
    -H 'Content-Type: application/json' ${3:+-d "$3"})
  printf '%s %s\n' "$(awk 'NR == 1 {print $2}' <<<"$headers")" \
    "$(awk 'tolower($1) == "retry-after:" {print $2}' <<<"$headers" | tr -d '\r')"
}

start_server || { cat "$work/server.log"; echo "disk-full.sh: the server did not start" >&2; exit 1; }
token=
call POST /api/v1/auth/register/ '{"email": "ada@example.com", "password": "correct horse"}' >/dev/null
call POST /api/v1/auth/login/ '{"email": "ada@example.com", "password": "correct horse"}' >/dev/null
token=$(jq -r .access "$work/body")
refresh=$(jq -r .refresh "$work/body")
call POST /api/v1/organizations/ '{"name": "Acme"}' >/dev/null
org=$(jq -r .id "$work/body")
call POST /api/v1/projects/ "{\"organization\": \"$org\", \"name\": \"Fill\"}" >/dev/null
project=$(jq -r .id "$work/body")
check "ready before the disk fills" "200 " "$(call GET /readyz)"

# Fill the filesystem: a filler file takes all but ~1 MiB, then tasks of 16 KB take the rest.
avail_kb=$(df -k --output=avail "$mnt" | tail -1 | tr -d ' ')
dd if=/dev/zero of="$mnt/filler" bs=1K count=$((avail_kb > 1024 ? avail_kb - 1024 : 0)) status=none 2>/dev/null || true
description=$(head -c 12000 /dev/urandom | base64 -w0 | head -c 16000)
created=0
answer=
for n in $(seq 2000); do
  answer=$(call POST /api/v1/tasks/ "{\"project\": \"$project\", \"title\": \"Task $n\", \"description\": \"$description\"}")
  [ "${answer%% *}" = 201 ] || break
  created=$((created + 1))
done
echo "#    $created tasks of 16 KB created before the first refusal; $(df -k --output=avail "$mnt" | tail -1 | tr -d ' ') KiB left"
check "a create on the full disk" "503 30" "$answer"
check "its problem body" "503" "$(jq -r .status "$work/body")"
echo "#    detail: $(jq -r .detail "$work/body")"
check "/readyz while full" "503 " "$(call GET /readyz)"
list=$(call GET "/api/v1/tasks/?page_size=1")
check "a read while full" "200 " "$list"
check "its count" "$created" "$(jq -r .count "$work/body")"
for _ in $(seq 20); do  # small writes may still find room in existing pages: fill those too
  answer=$(call POST /api/v1/tasks/ "{\"project\": \"$project\", \"title\": \"Small\"}")
  [ "${answer%% *}" = 201 ] || break
  created=$((created + 1))
done
check "a small create when no page has room" "503 30" "$answer"
echo "#    refresh while full: $(call POST /api/v1/auth/refresh/ "{\"refresh\": \"$refresh\"}") (a write: 503 once no page has room)"
echo "#    the server's log of refusals: $(grep -c 'the storage refused' "$work/server.log" || true) lines, e.g.:"
{ grep -m1 'the storage refused' "$work/server.log" || true; } \
  | jq -c '{level, message: .fields.message, error: .fields.error}' | sed 's/^/#      /'

# Room returns: readiness and writes come back without a restart.
rm "$mnt/filler"
check "/readyz once room returns" "200 " "$(call GET /readyz)"
check "a create once room returns" "201 " "$(call POST /api/v1/tasks/ "{\"project\": \"$project\", \"title\": \"After\"}")"
check "the count" "$((created + 1))" "$(call GET "/api/v1/tasks/?page_size=1" >/dev/null; jq -r .count "$work/body")"

# A start on a full filesystem is refused, in one line naming the file and the reason.
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
avail_kb=$(df -k --output=avail "$mnt" | tail -1 | tr -d ' ')
dd if=/dev/zero of="$mnt/filler" bs=1K count="$avail_kb" status=none 2>/dev/null || true
: >"$work/server.log"
if start_server; then
  check "a start on a full disk" "refused" "started"
else
  check "a start on a full disk" "refused" "refused"
  echo "#    $(grep -v '^{' "$work/server.log" || true)"
fi
rm -f "$mnt/filler"
exit "$failed"
