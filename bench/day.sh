#!/usr/bin/env bash
# A busy newsroom day (issue 17): readers over a realistic spread (front page and sections
# hot, a long tail of old stories; bench/day.lua) while readers comment, editors save
# corrections and a story is published every minute (bench/day_writes.py), with the page
# cache on. Runs the same reads alone first, so the report gives the busy day's read
# throughput as a share of the read-only figure, the reads' latency (p50, p99), each kind of
# write's latency from when it was due, every error, and the page cache's hits and misses.
#
# usage: bench/day.sh [--stories 100000] [--db sqlite|postgres] [--seconds 120]
#                     [--connections 32] [--publish-every 60] [--saves-per-minute 20]
#                     [--comments-per-minute 30] [--bin PATH]
#
# Only loopback is targeted; every process started (masthead, wrk, a throwaway PostgreSQL)
# is stopped on exit.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stories=100000 db=sqlite seconds=120 connections=32 publish_every=60 saves=20 comments=30 bin=""
# shellcheck source=bench/desk_lib.sh
. "$repo/bench/desk_lib.sh"

while [ $# -gt 0 ]; do
  case "$1" in
    --stories) stories=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --publish-every) publish_every=$2; shift 2 ;;
    --saves-per-minute) saves=$2; shift 2 ;;
    --comments-per-minute) comments=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
for n in "$stories" "$seconds" "$connections" "$publish_every" "$saves" "$comments"; do
  [[ "$n" =~ ^[0-9]+$ ]] || die "--stories, --seconds, --connections, --publish-every, --saves-per-minute and --comments-per-minute take whole numbers"
done
[ "$seconds" -ge 10 ] || die "--seconds must be at least 10"
[ "$connections" -ge 2 ] || die "--connections must be at least 2 (wrk runs 2 threads)"
case "$db" in sqlite | postgres) ;; *) die "--db is sqlite or postgres" ;; esac
command -v wrk >/dev/null || die "wrk is missing: install it (apt-get install wrk)"
bin=$(find_bin "$bin")
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^MASTHEAD_' || true)

work=$(mktemp -d -t masthead-day.XXXXXX)
server_pid="" writer_pid="" pg_bin="" pg_data=""
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  [ -n "$writer_pid" ] && kill "$writer_pid" 2>/dev/null || true
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$pg_data" ] && [ -f "$pg_data/postmaster.pid" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work" # so no ./masthead.toml is picked up
[ "$(id -u)" = 0 ] && chmod 755 "$work"

# The archive, and a way to run SQL on it.
if [ "$db" = sqlite ]; then
  copy_archive "$bin" "$stories"
  db_args=(--data-dir "$work/data")
  sql() { python3 -c 'import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); [print(" ".join(map(str,r))) for r in db.execute(sys.argv[2])]; db.commit()' "$work/data/masthead.db" "$1"; }
else
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$pg_bin" ] || die "PostgreSQL is not installed (apt-get install postgresql)"
  mkdir -p "$work/pg" "$work/data"
  [ "$(id -u)" = 0 ] && chown postgres: "$work/pg"
  pg_data="$work/pg/data"
  pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg/log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=$work/pg -c max_connections=200 -c shared_buffers=256MB" start >/dev/null
  as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres masthead
  url="postgres://postgres@127.0.0.1:$pg_port/masthead"
  log "generating $stories stories into a throwaway PostgreSQL"
  "$bin" generate --data-dir "$work/data" --database-url "$url" --stories "$stories" >&2
  as_pg "$pg_bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U postgres -d masthead -c 'VACUUM ANALYZE' >/dev/null
  db_args=(--data-dir "$work/data" --database-url "$url")
  sql() { "$pg_bin/psql" -qAtF ' ' -h 127.0.0.1 -p "$pg_port" -U postgres -d masthead -c "$1"; }
fi

# Comments are shown at once (each one turns over the pages that show its story's comments)
# and the limits allow the rate asked for; readers post from many addresses.
sql "INSERT INTO settings (name, value) VALUES ('comments_policy', 'publish'), ('comments_site_per_minute', '100000') ON CONFLICT (name) DO UPDATE SET value = excluded.value" >/dev/null
printf 'day-bench-password-1\n' | "$bin" user add "${db_args[@]}" --email ed@day.example \
  --name "Day Editor" --role editor --password-stdin >/dev/null 2>&1
token=$("$bin" token create "${db_args[@]}" --user ed@day.example --name day 2>/dev/null)
sql "SELECT id, slug FROM articles WHERE status = 'published' ORDER BY published_at DESC" >"$work/stories"
cut -d' ' -f2 "$work/stories" >"$work/slugs"
sql "SELECT slug FROM sections ORDER BY position" >"$work/sections"
section=$(sql "SELECT id FROM sections ORDER BY position LIMIT 1")
[ -s "$work/slugs" ] && [ -s "$work/sections" ] || die "the archive has no stories or no sections"

metrics_token=day-bench-metrics-token-0123456789
MASTHEAD_TRUST_FORWARDED_FOR=true MASTHEAD_METRICS_TOKEN=$metrics_token \
  MASTHEAD_DATABASE_URL="${url:-}" start_server "$bin"
base="http://127.0.0.1:$port"
cache_counts() {
  curl -fsS -H "Authorization: Bearer $metrics_token" "$base/metrics" | awk '
    /^masthead_page_cache_hits_total/ {h=$2} /^masthead_page_cache_misses_total/ {m=$2}
    END {printf "%d %d\n", h, m}'
}
reads() { # $1: label; runs the reads for $seconds, prints wrk's DAY line
  DAY_SLUGS="$work/slugs" DAY_SECTIONS="$work/sections" \
    wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s -s "$repo/bench/day.lua" "$base/" \
    >"$work/wrk-$1.txt" 2>&1
  grep '^DAY ' "$work/wrk-$1.txt" || { cat "$work/wrk-$1.txt" >&2; die "wrk gave no result"; }
}
field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<"$1"; }

log "warming the cache (10 s)"
DAY_SLUGS="$work/slugs" DAY_SECTIONS="$work/sections" \
  wrk -t2 -c"$connections" -d10s -s "$repo/bench/day.lua" "$base/" >/dev/null 2>&1
log "reads alone ($seconds s)"
read_c0=$(cache_counts)
alone=$(reads alone)
read_c1=$(cache_counts)

log "the busy day: the same reads with comments, saves and publishes ($seconds s)"
python3 "$repo/bench/day_writes.py" --port "$port" --token "$token" --stories "$work/stories" \
  --section "$section" --seconds "$seconds" --comments-per-minute "$comments" \
  --saves-per-minute "$saves" --publish-every "$publish_every" --ready "$work/ready" \
  >"$work/writes.json" 2>"$work/writes.err" &
writer_pid=$!
for _ in $(seq 1 1200); do [ -s "$work/ready" ] && break; kill -0 "$writer_pid" 2>/dev/null || break; sleep 0.1; done
[ -s "$work/ready" ] || { cat "$work/writes.err" >&2; die "the writer did not get ready"; }
python3 -c 'import sys,time; time.sleep(max(0, float(open(sys.argv[1]).read()) - time.time()))' "$work/ready"
busy_c0=$(cache_counts)
busy=$(reads busy)
busy_c1=$(cache_counts)
wait "$writer_pid" || { cat "$work/writes.err" >&2; die "the writer failed"; }
writer_pid=""
locked=$(grep -c 'database is locked' "$work/err" || true)
server_errors=$(grep -c '" 5[0-9][0-9] \|status=5[0-9][0-9]' "$work/err" || true)

out=$(result_file "day-$db-$stories")
python3 - "$alone" "$busy" "$work/writes.json" "$read_c0" "$read_c1" "$busy_c0" "$busy_c1" \
  "$db" "$stories" "$seconds" "$connections" "$publish_every" "$saves" "$comments" \
  "$(git -C "$repo" rev-parse --short HEAD)" "$locked" <<'PY' | tee "$out"
import json, sys, re, datetime
(alone, busy, writes, rc0, rc1, bc0, bc1, db, stories, seconds, conns, every, saves,
 comments, commit, locked) = sys.argv[1:]
def parse(line): return {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", line)}
a, b = parse(alone), parse(busy)
w = json.load(open(writes))
def hitrate(c0, c1):
    h0, m0 = map(int, c0.split()); h1, m1 = map(int, c1.split())
    h, m = h1 - h0, m1 - m0
    return f"{h} hits, {m} misses ({100 * h / max(1, h + m):.1f}% hits)"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
print(f"# A busy day: {stories} stories on {db}\n")
print(f"- when: {when}; commit `{commit}`; CPU: {cpu} (2 cores, shared with wrk and the writer)")
print(f"- command: `bench/day.sh --stories {stories} --db {db} --seconds {seconds} --connections {conns} "
      f"--publish-every {every} --saves-per-minute {saves} --comments-per-minute {comments}`")
print(f"- reads: wrk, {conns} connections, bench/day.lua's spread; writes: bench/day_writes.py, "
      f"latency from when each was due\n")
print("| reads | requests/s | p50 ms | p90 ms | p99 ms | max ms | errors | page cache |")
print("|---|---|---|---|---|---|---|---|")
for label, r, c0, c1 in [("alone", a, rc0, rc1), ("busy day", b, bc0, bc1)]:
    errors = int(r["non2xx"] + r["connect"] + r["read"] + r["write"] + r["timeout"])
    print(f"| {label} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p90_ms']:.2f} | {r['p99_ms']:.2f} | "
          f"{r['max_ms']:.1f} | {errors} | {hitrate(c0, c1)} |")
print(f"\nbusy-day reads: {100 * b['rps'] / a['rps']:.0f}% of the read-only throughput\n")
print("| writes | count | p50 ms | p99 ms | max ms | errors |")
print("|---|---|---|---|---|---|")
for kind in ("comment", "save", "publish"):
    r = w[kind]
    kinds = f" ({', '.join(r['error_kinds'])})" if r["error_kinds"] else ""
    print(f"| {kind} | {r['count']} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['errors']}{kinds} |")
print(f"\n`database is locked` in the server's log: {locked} times")
PY
log "report written to $out"
