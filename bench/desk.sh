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
cache_root=/var/tmp/masthead-bench
stories=1000
rounds=50
bin=""

die() { printf 'error: %s\n' "$*" >&2; exit 1; }
log() { printf '==> %s\n' "$*" >&2; }

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
if [ -z "$bin" ]; then
  for candidate in "${CARGO_TARGET_DIR:-}/release/masthead" "$repo/target/release/masthead"; do
    if [ -x "$candidate" ]; then bin=$candidate; break; fi
  done
fi
[ -x "$bin" ] || die "no release binary: run 'cargo build --release -p masthead' or pass --bin"

work=$(mktemp -d -t masthead-desk.XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work" # so no ./masthead.toml is picked up

# The archive, cached per size and per migration set.
fp=$(cat "$repo"/crates/masthead_store/migrations/sqlite/*.sql | sha256sum | cut -c1-16)
cache="$cache_root/desk-$stories"
mkdir -p "$cache_root"
if ! grep -qx "migrations=$fp" "$cache/.complete" 2>/dev/null; then
  rm -rf "$cache" "$cache.partial"
  mkdir -p "$cache.partial"
  log "generating $stories stories (cached at $cache)"
  "$bin" generate --data-dir "$cache.partial" --stories "$stories" >&2
  printf 'migrations=%s\n' "$fp" >"$cache.partial/.complete"
  mv "$cache.partial" "$cache"
fi
log "copying the archive"
cp -r "$cache" "$work/data"

password="bench desk password $RANDOM$RANDOM"
printf '%s\n' "$password" | "$bin" user add --data-dir "$work/data" --email bench@example.org \
  --name "Bench Editor" --role editor --password-stdin >&2
token=$("$bin" token create --data-dir "$work/data" --user bench@example.org 2>/dev/null)

"$bin" serve --data-dir "$work/data" --addr 127.0.0.1:0 >"$work/out" 2>"$work/err" &
server_pid=$!
port=""
for _ in $(seq 1 2400); do # at most ~2 minutes
  if [[ "$(head -n 1 "$work/out" 2>/dev/null)" =~ listening\ on\ http://127\.0\.0\.1:([0-9]+) ]]; then
    port=${BASH_REMATCH[1]}
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/err" >&2; die "masthead serve exited"; }
  sleep 0.05
done
[ -n "$port" ] || die "masthead did not start"

out="$repo/bench/results/$(date -u +%F)-desk-sqlite-$stories.md"
n=2
while [ -e "$out" ]; do out="${out%.md}"; out="${out%-[0-9]*}-$n.md"; n=$((n + 1)); done
[ "$stories" -gt 0 ] || true
python3 "$repo/bench/desk_measure.py" --port "$port" --password "$password" --token "$token" \
  --rounds "$rounds" --stories "$stories" --commit "$(git -C "$repo" rev-parse --short HEAD)" \
  --cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" | tee "$out"
log "report written to $out"
