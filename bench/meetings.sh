#!/usr/bin/env bash
# Many editors at the meeting desk at once (issue 14): on the demo newsroom, N API clients,
# released together, each upload the Village Board's minutes as text and as a PDF (read by
# the server's sandboxed child process, two at a time) and draft a brief from them, for R
# rounds. Reports each operation's latency, the throughput and every error.
#
# usage: bench/meetings.sh [--clients 8] [--rounds 10] [--database-url postgres://...] [--bin PATH]
#
# With --database-url the demo is loaded into that (empty) PostgreSQL database; by default
# into a new SQLite file. Only loopback is targeted.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
clients=8 rounds=10 database_url="" bin=""
# shellcheck source=bench/desk_lib.sh
. "$repo/bench/desk_lib.sh"

while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --database-url) database_url=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
for n in "$clients" "$rounds"; do [[ "$n" =~ ^[0-9]+$ ]] || die "--clients and --rounds take whole numbers"; done
bin=$(find_bin "$bin")

work=$(mktemp -d -t masthead-meetings.XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work" # so no ./masthead.toml is picked up

db=(--data-dir "$work/data")
label=SQLite
if [ -n "$database_url" ]; then db+=(--database-url "$database_url"); label=PostgreSQL; fi
"$bin" serve --demo "${db[@]}" --addr 127.0.0.1:0 >"$work/out" 2>"$work/err" &
server_pid=$!
port=""
for _ in $(seq 1 2400); do
  if [[ "$(head -n 1 "$work/out" 2>/dev/null)" =~ listening\ on\ http://127\.0\.0\.1:([0-9]+) ]]; then
    port=${BASH_REMATCH[1]}
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/err" >&2; die "masthead serve exited"; }
  sleep 0.05
done
[ -n "$port" ] || die "masthead did not start"

password="bench meetings password $RANDOM$RANDOM"
printf '%s\n' "$password" | "$bin" user add "${db[@]}" --email bench@example.org \
  --name "Bench Editor" --role editor --password-stdin >&2
token=$("$bin" token create "${db[@]}" --user bench@example.org 2>/dev/null)

out=$(result_file "meetings-$(printf '%s' "$label" | tr '[:upper:]' '[:lower:]')")
{
  printf '# The meeting desk under many editors (%s)\n\n' "$label"
  printf 'Commit %s, %s, %s, load average %s\n\n' "$(git -C "$repo" rev-parse --short HEAD)" \
    "$(date -u '+%F %H:%M UTC')" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
  python3 "$repo/bench/meetings_load.py" --port "$port" --token "$token" --clients "$clients" \
    --rounds "$rounds" --label "$label"
} | tee "$out"
if grep -q "database is locked" "$work/err"; then die "the server logged 'database is locked'"; fi
log "report written to $out"
