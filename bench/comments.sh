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
stories=1000 posts=50 reads=500 seconds=20 policy=hold_first bin=""
# shellcheck source=bench/desk_lib.sh
. "$repo/bench/desk_lib.sh"

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
bin=$(find_bin "$bin")

work=$(mktemp -d -t masthead-comments.XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work" # so no ./masthead.toml is picked up

copy_archive "$bin" "$stories"

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

MASTHEAD_TRUST_FORWARDED_FOR=true start_server "$bin"

out=$(result_file "comments-sqlite-$stories-$policy")
python3 "$repo/bench/comments_load.py" --port "$port" --posts "$posts" --reads "$reads" \
  --seconds "$seconds" --stories "$stories" --policy "$policy" \
  --server-log "$work/err" --commit "$(git -C "$repo" rev-parse --short HEAD)" \
  --cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" | tee "$out"
# What the database holds afterwards: every acknowledged post, with the status it was given.
python3 - "$work/data" <<'PY' | tee -a "$out"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1] + "/masthead.db")
rows = db.execute("SELECT status, COUNT(*) FROM comments GROUP BY status ORDER BY status").fetchall()
print("\nstored afterwards: " + ", ".join(f"{n} {s}" for s, n in rows))
PY
log "report written to $out"
