#!/usr/bin/env bash
# Posting comments under load (issue 11's target): readers post comments at a steady rate
# while others read cached pages, on SQLite. Reports each post's latency (p50, p95, p99,
# measured from when it was due, so a slow server cannot hide a backlog), the reads'
# latency, every error, and whether the server logged `database is locked`.
#
# usage: bench/comments.sh [--stories 1000] [--posts 50] [--reads 500] [--seconds 20]
#                          [--policy hold_first|publish] [--bin PATH]
#
# --policy hold_first (the default setting) holds every post (each has a new email), so no
# public page changes; --policy publish shows each at once, so every post turns over the
# cached pages that show that story's comments. Only loopback is targeted.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache_root=/var/tmp/masthead-bench
stories=1000 posts=50 reads=500 seconds=20 policy=hold_first bin=""

die() { printf 'error: %s\n' "$*" >&2; exit 1; }
log() { printf '==> %s\n' "$*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --stories) stories=$2; shift 2 ;;
    --posts) posts=$2; shift 2 ;;
    --reads) reads=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --policy) policy=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
for n in "$stories" "$posts" "$reads" "$seconds"; do
  [[ "$n" =~ ^[0-9]+$ ]] || die "--stories, --posts, --reads and --seconds take whole numbers"
done
case "$policy" in hold_first | publish) ;; *) die "--policy is hold_first or publish" ;; esac
if [ -z "$bin" ]; then
  for candidate in "${CARGO_TARGET_DIR:-}/release/masthead" "$repo/target/release/masthead"; do
    if [ -x "$candidate" ]; then bin=$candidate; break; fi
  done
fi
[ -x "$bin" ] || die "no release binary: run 'cargo build --release -p masthead' or pass --bin"

work=$(mktemp -d -t masthead-comments.XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work" # so no ./masthead.toml is picked up

# The archive, cached per size and per migration set (the same cache as bench/desk.sh).
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

# The site-wide and per-address limits allow the rate asked for (the posts come from many
# addresses through X-Forwarded-For); the policy as asked.
python3 - "$work/data" "$policy" "$posts" <<'PY'
import sqlite3, sys
data, policy, posts = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = sqlite3.connect(data + "/masthead.db")
for name, value in [("comments_policy", policy), ("comments_site_per_minute", str(max(120, posts * 120)))]:
    db.execute("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", (name, value))
db.commit()
PY

MASTHEAD_TRUST_FORWARDED_FOR=true "$bin" serve --data-dir "$work/data" --addr 127.0.0.1:0 >"$work/out" 2>"$work/err" &
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

out="$repo/bench/results/$(date -u +%F)-comments-sqlite-$stories-$policy.md"
n=2
while [ -e "$out" ]; do out="${out%.md}"; out="${out%-[0-9]*}-$n.md"; n=$((n + 1)); done
python3 "$repo/bench/comments_load.py" --port "$port" --posts "$posts" --reads "$reads" \
  --seconds "$seconds" --stories "$stories" --policy "$policy" \
  --server-log "$work/err" --commit "$(git -C "$repo" rev-parse --short HEAD)" \
  --cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" | tee "$out"
log "report written to $out"
