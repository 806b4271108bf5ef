#!/usr/bin/env bash
# Scale-out (issue 17, part 6): 1, 2 and 4 `masthead serve` processes on one PostgreSQL, all
# loaded at once with a busy day's spread of pages (bench/day.lua: front page, sections,
# /latest, stories by a log-uniform rank), with the page cache on and then off. Reports per
# server its requests/s and CPU µs per request, the total throughput, the database's CPU
# (every PostgreSQL process) per page, and what K idle servers cost the database per second.
#
# usage: bench/scale.sh [--stories 10000] [--servers "1 2 4"] [--rounds 2] [--seconds 20]
#                       [--warmup 10] [--idle-seconds 20] [--connections 32] [--bin PATH]
#
# Each round measures every server count in turn (1, 2, 4, then again), so a change in the
# machine's other load falls on all of them; the report gives every round and the median.
# Only loopback is targeted; every loop is bounded; every process started (masthead, wrk, a
# throwaway PostgreSQL) is stopped on exit. The generated cluster is cached (a copy of its
# data directory) under /var/tmp/masthead-bench/pg-N, so a rerun starts in seconds.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache_root=/var/tmp/masthead-bench
stories=10000 servers="1 2 4" rounds=2 seconds=20 warmup=10 idle=20 connections=32 bin=""
# shellcheck source=bench/desk_lib.sh
. "$repo/bench/desk_lib.sh" # die, log, find_bin, result_file

while [ $# -gt 0 ]; do
  case "$1" in
    --stories) stories=${2:?}; shift 2 ;;
    --servers) servers=${2:?}; shift 2 ;;
    --rounds) rounds=${2:?}; shift 2 ;;
    --seconds) seconds=${2:?}; shift 2 ;;
    --warmup) warmup=${2:?}; shift 2 ;;
    --idle-seconds) idle=${2:?}; shift 2 ;;
    --connections) connections=${2:?}; shift 2 ;;
    --bin) bin=${2:?}; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
for n in "$stories" "$rounds" "$seconds" "$warmup" "$idle" "$connections"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "--stories, --rounds, --seconds, --warmup, --idle-seconds and --connections take positive whole numbers"
done
for k in $servers; do
  [[ "$k" =~ ^[1-8]$ ]] || die "--servers is a list of server counts from 1 to 8, like \"1 2 4\""
  [ $((connections / k)) -ge 1 ] || die "--connections ($connections) must be at least the largest server count"
done
[ -n "${servers// /}" ] || die "--servers needs at least one count"
[ "$seconds" -ge 5 ] || die "--seconds must be at least 5"
[ "$rounds" -le 10 ] || die "--rounds is at most 10"
command -v wrk >/dev/null || die "wrk is missing: install it (apt-get install wrk)"
command -v curl >/dev/null || die "curl is missing: install it (apt-get install curl)"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || die "PostgreSQL is not installed (apt-get install postgresql)"
bin=$(find_bin "$bin")
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^MASTHEAD_' || true)

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

work=$(mktemp -d -t masthead-scale.XXXXXX)
chmod 755 "$work"
pg_data="$work/pg/data" partial="" pids=() ports=() wrk_pids=()
stop_pid() { # TERM, at most 10 s, then KILL; only for PIDs this script started
  kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 200); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
stop_servers() { local p; for p in "${pids[@]}"; do stop_pid "$p"; done; pids=() ports=(); }
cleanup() {
  local p
  for p in "${wrk_pids[@]}"; do stop_pid "$p"; done
  stop_servers
  if [ -f "$pg_data/postmaster.pid" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w -t 30 stop >/dev/null 2>&1 \
      || as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
  fi
  [ -n "$partial" ] && rm -rf "$partial"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$work" # so no ./masthead.toml is picked up
mkdir -p "$work/pg" "$work/data"
[ "$(id -u)" = 0 ] && chown postgres: "$work/pg"

pg_port=$(free_port)
url="postgres://postgres@127.0.0.1:$pg_port/masthead"
pg_opts="-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=$work/pg -c max_connections=200 -c shared_buffers=256MB"
pg_start() { # $1: extra options
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg/log" -w -t 120 -o "$pg_opts ${1:-}" start >/dev/null \
    || { cat "$work/pg/log" >&2; die "PostgreSQL did not start"; }
}
sql() { "$pg_bin/psql" -qAt -h 127.0.0.1 -p "$pg_port" -U postgres -d masthead -c "$1"; }

# The archive: a cluster generated once per size, migrations and generator, kept as a copy of
# its data directory (generated into a scratch directory renamed when complete).
render_line=$(grep -h 'pub const RENDER_VERSION: i64' "$repo"/crates/masthead_render/src/*.rs)
render_version=$(grep -o '[0-9]*;' <<<"$render_line" | tr -d ';')
[[ "$render_version" =~ ^[0-9]+$ ]] || die "could not read RENDER_VERSION from crates/masthead_render"
fp=$(cat "$repo"/crates/masthead_store/migrations/postgres/*.sql "$repo"/crates/masthead/src/generate.rs \
  "$repo"/crates/masthead/src/generate_words.txt <("$pg_bin/postgres" --version) \
  <(printf '%s\n' "$render_line") | sha256sum | cut -c1-16)
cache="$cache_root/pg-$stories"
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock-pg-$stories"
flock -w 7200 9 || die "another bench/scale.sh has been generating $cache for 2 hours"
if grep -qx "fingerprint=$fp" "$cache/.complete" 2>/dev/null; then
  log "copying the cached cluster $cache"
  cp -a "$cache/data" "$pg_data"
  data_note="cached cluster at $cache"
else
  rm -rf "$cache"
  log "generating $stories stories into a throwaway PostgreSQL (cached at $cache)"
  as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  pg_start "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres masthead
  t0=$SECONDS
  # The generator's 200 tags made first: its two batches in flight (500 stories, one
  # transaction each) would otherwise both create them, the second waiting on the first's
  # commit, and on a busy machine that outlasts the 3 s lock timeout ("the database is busy").
  "$bin" migrate --data-dir "$work/data" --database-url "$url" >/dev/null
  sql "INSERT INTO tags (slug, name) SELECT 'topic-' || n, 'topic ' || n FROM generate_series(0, 199) AS n ON CONFLICT (slug) DO NOTHING"
  "$bin" generate --data-dir "$work/data" --database-url "$url" --stories "$stories" >&2
  # An archive generated before `d4507a7` was left at render version 1, so the first server
  # to start rendered every story again in the background (200 a batch, each batch a new
  # content version that turns over every page cache). Should a generated archive be behind
  # the current rendering, let one server do that here, once, before the copy is kept: the
  # runs below measure serving, not that catch-up. (The server logs only when it did so.)
  if [ "$(sql 'SELECT render_version FROM site_state')" -lt "$render_version" ]; then
    log "letting a server bring the stories to the current render version (once per archive)"
    "$bin" serve --addr 127.0.0.1:0 --data-dir "$work/data" --database-url "$url" --page-cache off \
      >/dev/null 2>"$work/rerender.log" &
    pids+=($!)
    for ((i = 0; i < 7200; i++)); do # at most 2 hours
      grep -q 'stored stories rendered again' "$work/rerender.log" && break
      kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/rerender.log" >&2; die "masthead serve exited"; }
      [ $((i % 60)) -eq 59 ] && log "  through story $(sql 'SELECT render_cursor FROM site_state') of $stories"
      sleep 1
    done
    grep -q 'stored stories rendered again' "$work/rerender.log" || die "the stories were not rendered again within 2 hours"
  fi
  stop_servers
  made_s=$((SECONDS - t0))
  sql 'VACUUM ANALYZE'
  sql 'CHECKPOINT'
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w -t 120 stop >/dev/null
  partial="$cache.partial-$$"
  mkdir -p "$partial"
  cp -a "$pg_data" "$partial/data"
  printf 'stories=%s\nfingerprint=%s\n' "$stories" "$fp" >"$partial/.complete"
  mv "$partial" "$cache"
  partial=""
  data_note="generated (and brought to the current rendering, if behind) in $made_s s (cached at $cache)"
fi
exec 9>&-
pg_start # the measured cluster: PostgreSQL's defaults (fsync on) but shared_buffers=256MB
sql "SELECT slug FROM articles WHERE status = 'published' ORDER BY published_at DESC" >"$work/slugs"
sql "SELECT slug FROM sections ORDER BY position" >"$work/sections"
[ -s "$work/slugs" ] && [ -s "$work/sections" ] || die "the archive has no stories or no sections"
pg_root=$(head -n 1 "$pg_data/postmaster.pid")

# CPU time in microseconds. "pg": the postmaster and every child of it, each from
# /proc/PID/task/*/schedstat (time on a CPU in ns: an idle second's few queries are not lost
# to 10 ms ticks; a backend has one thread and lives as long as its pooled connection), plus
# the children the postmaster reaped (cutime+cstime). Each PID given (a masthead server):
# utime+stime from /proc/PID/stat, which counts every thread, also those that ended (tokio
# ends idle blocking threads), in 10 ms ticks. "busy"/"all": the machine's ticks, all cores.
snap() {
  python3 - "$pg_root" "$@" <<'EOF'
import os, sys
root, pids = int(sys.argv[1]), [int(p) for p in sys.argv[2:]]
us_per_tick = 1e6 / os.sysconf("SC_CLK_TCK")
def on_cpu_us(pid):
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass  # a thread that just ended
    return total // 1000
pg = 0
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()  # fields[0] is field 3 (state)
        if int(pid) == root:
            pg += on_cpu_us(pid) + int((int(fields[13]) + int(fields[14])) * us_per_tick)
        elif int(fields[1]) == root:
            pg += on_cpu_us(pid)
    except OSError:
        continue  # a backend that just exited (its time is in the postmaster's cutime)
cpu = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + cpu[7]
out = [f"pg={pg}", f"busy={busy}", f"all={busy + cpu[3] + cpu[4]}"]
def stat_us(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int((int(fields[11]) + int(fields[12])) * us_per_tick)
out += [f"p{i}={stat_us(p)}" for i, p in enumerate(pids)]
print(" ".join(out))
EOF
}
now() { date +%s.%N; }

metrics_token=scale-bench-metrics-token-0123456789
start_servers() { # $1: K, $2: on|off; one after the other (they share the data directory)
  local i port
  for ((i = 0; i < $1; i++)); do
    MASTHEAD_METRICS_TOKEN=$metrics_token "$bin" serve --addr 127.0.0.1:0 --data-dir "$work/data" \
      --database-url "$url" --page-cache "$2" >"$work/s$i.out" 2>>"$work/s$i.err" &
    pids+=($!)
    port=""
    for _ in $(seq 1 1200); do # at most ~60 s
      if [[ "$(head -n 1 "$work/s$i.out" 2>/dev/null)" =~ listening\ on\ http://127\.0\.0\.1:([0-9]+) ]]; then
        port=${BASH_REMATCH[1]}
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/")" = 200 ] && break
      fi
      kill -0 "${pids[$i]}" 2>/dev/null || { cat "$work/s$i.err" >&2; die "masthead serve exited"; }
      sleep 0.05
    done
    [ -n "$port" ] || die "masthead serve did not start within a minute"
    ports+=("$port")
  done
}
cache_counts() { # $1: port; prints "hits misses"
  curl -fsS -H "Authorization: Bearer $metrics_token" "http://127.0.0.1:$1/metrics" | awk '
    /^masthead_page_cache_hits_total/ {h=$2} /^masthead_page_cache_misses_total/ {m=$2}
    END {printf "%d %d\n", h, m}'
}
drive() { # $1: seconds, $2: a tag; one wrk per server, all at once, connections split evenly
  local k=${#ports[@]} i
  local c=$((connections / k)) t=$((2 / k > 0 ? 2 / k : 1))
  [ "$c" -ge "$t" ] || t=1
  wrk_pids=()
  for ((i = 0; i < k; i++)); do
    DAY_SLUGS="$work/slugs" DAY_SECTIONS="$work/sections" wrk -t"$t" -c"$c" -d"$1s" --timeout 10s \
      -s "$repo/bench/day.lua" "http://127.0.0.1:${ports[$i]}/" >"$work/wrk-$2-$i.txt" 2>&1 &
    wrk_pids+=($!)
  done
  for i in "${!wrk_pids[@]}"; do wait "${wrk_pids[$i]}" || die "wrk failed: $(cat "$work/wrk-$2-$i.txt")"; done
  wrk_pids=()
}
records="$work/records"
idle_phase() { # $1: K (servers already running, no traffic), $2: the round
  local a b t0 t1
  a=$(snap "${pids[@]}") t0=$(now)
  sleep "$idle"
  b=$(snap "${pids[@]}") t1=$(now)
  echo "idle round=$2 k=$1 t0=$t0 t1=$t1 | $a | $b" >>"$records"
}

start_load=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average at start: $start_load; idle database ($idle s)"
idle_phase 0 0
for ((round = 1; round <= rounds; round++)); do
for cache in on off; do
  for k in $servers; do
    log "round $round, page cache $cache, $k server(s): start, warm ($warmup s), measure ($seconds s)$([ "$cache" = on ] && echo ", idle ($idle s)")"
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    start_servers "$k" "$cache"
    drive "$warmup" warm
    c0=() c1=()
    for p in "${ports[@]}"; do c0+=("$(cache_counts "$p")"); done
    a=$(snap "${pids[@]}") t0=$(now)
    drive "$seconds" "$cache-$k"
    b=$(snap "${pids[@]}") t1=$(now)
    for p in "${ports[@]}"; do c1+=("$(cache_counts "$p")"); done
    for ((i = 0; i < k; i++)); do
      echo "server round=$round cache=$cache k=$k i=$i cache0=${c0[$i]// /,} cache1=${c1[$i]// /,} $(grep '^DAY ' "$work/wrk-$cache-$k-$i.txt" \
        || die "wrk gave no result: $(cat "$work/wrk-$cache-$k-$i.txt")")" >>"$records"
    done
    echo "load round=$round cache=$cache k=$k t0=$t0 t1=$t1 loadavg=${load// /,} | $a | $b" >>"$records"
    [ "$cache" = on ] && { sleep 2; idle_phase "$k" "$round"; }
    stop_servers
  done
done
done
server_errors=$(cat "$work"/s*.err | grep -c ' ERROR \|status=5[0-9][0-9]' || true)
# Background work that would make the figures something other than serving (see above).
rerenders=$(cat "$work"/s*.err | grep -c 'rendering stored stories again' || true)

out=$(result_file "scale-postgres-$stories")
python3 "$repo/bench/scale_report.py" "$records" "$stories" "$servers" "$seconds" \
  "$warmup" "$idle" "$connections" "$rounds" "$start_load" "$data_note" "$("$pg_bin/postgres" --version)" \
  "$(git -C "$repo" rev-parse --short HEAD)" "$bin" "$server_errors" "$rerenders" | tee "$out"
log "report written to $out"
