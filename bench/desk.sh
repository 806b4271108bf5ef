#!/usr/bin/env bash
# Latency of the editorial desk on an archive of N stories (SQLite): log in, the dashboard,
# the story list, the editor, a save, and the API's list and article. Run sequentially by
# one client (a desk has a handful of users, so the figure that matters is each request's
# latency and how it grows with the archive, not throughput).
#
# usage: bench/desk.sh [--stories N] [--rounds 50] [--bin PATH]
#
# The archive comes from `masthead generate` (cached under /var/tmp/masthead-bench/desk-N);
# each run works on a copy, so saves never touch the cache. Only loopback is targeted.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stories=1000
rounds=50
bin=""
# shellcheck source=bench/desk_lib.sh
. "$repo/bench/desk_lib.sh"

while [ $# -gt 0 ]; do
  case "$1" in
    --stories) stories=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
[[ "$stories" =~ ^[0-9]+$ ]] || die "--stories takes a number"
bin=$(find_bin "$bin")

work=$(mktemp -d -t masthead-desk.XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work" # so no ./masthead.toml is picked up

copy_archive "$bin" "$stories"

password="bench desk password $RANDOM$RANDOM"
printf '%s\n' "$password" | "$bin" user add --data-dir "$work/data" --email bench@example.org \
  --name "Bench Editor" --role editor --password-stdin >&2
token=$("$bin" token create --data-dir "$work/data" --user bench@example.org 2>/dev/null)

start_server "$bin"

out=$(result_file "desk-sqlite-$stories")
python3 "$repo/bench/desk_measure.py" --port "$port" --password "$password" --token "$token" \
  --rounds "$rounds" --stories "$stories" --commit "$(git -C "$repo" rev-parse --short HEAD)" \
  --cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" | tee "$out"
log "report written to $out"
