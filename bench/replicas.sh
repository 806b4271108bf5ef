#!/usr/bin/env bash
# Read replicas (issue 17): how much of the public read load leaves the primary. A throwaway
# PostgreSQL primary and a streaming replica of it (pg_basebackup -R) on loopback, a
# generated archive, then the same mix of uncached public pages (story pages, the front
# page, lists, a feed, a search) against masthead without and with `--database-read-url`.
# Prints requests/s and the CPU time each PostgreSQL server (all its processes) spent per
# page. The page cache is off so every request reads the database (a cached hit reads none).
#
# usage: bench/replicas.sh [--stories 1000] [--requests 3000] [--threads 8] [--bin PATH]
#
# Only loopback is used; every process the script starts is stopped on exit.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stories=1000 requests=3000 threads=8 bin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --stories) stories=${2:?}; shift 2 ;;
    --requests) requests=${2:?}; shift 2 ;;
    --threads) threads=${2:?}; shift 2 ;;
    --bin) bin=${2:?}; shift 2 ;;
    *) sed -n '9p' "$0" | sed 's/^# //' >&2; exit 2 ;;
  esac
done
bin=${bin:-${CARGO_TARGET_DIR:-$repo/target}/debug/masthead}
[ -x "$bin" ] || { echo "error: no masthead binary at $bin (cargo build -p masthead, or --bin)" >&2; exit 1; }
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pg_bin/pg_basebackup" ] || { echo "error: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^MASTHEAD_' || true)

log() { printf '==> %s\n' "$*" >&2; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

work=$(mktemp -d -t masthead-replicas.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres: "$work"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  for d in primary replica; do as_pg "$pg_bin/pg_ctl" -D "$work/$d" -m immediate stop >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

p1=$(free_port) p2=$(free_port)
opts="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$work -c max_connections=100"
log "primary on 127.0.0.1:$p1, replica on 127.0.0.1:$p2 ($pg_bin)"
as_pg "$pg_bin/initdb" -D "$work/primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$work/primary" -l "$work/primary.log" -w -o "$opts -p $p1" start >/dev/null
url="postgres://postgres@127.0.0.1:$p1/postgres"
log "generating $stories stories"
"$bin" generate --data-dir "$work/data" --database-url "$url" --stories "$stories" >/dev/null
as_pg "$pg_bin/pg_basebackup" -h 127.0.0.1 -p "$p1" -U postgres -D "$work/replica" -R -X stream -c fast
as_pg "$pg_bin/pg_ctl" -D "$work/replica" -l "$work/replica.log" -w -o "$opts -p $p2" start >/dev/null
as_pg "$pg_bin/psql" -h 127.0.0.1 -p "$p1" -U postgres -qc "VACUUM ANALYZE" postgres
sleep 2  # the replica replays the VACUUM's WAL (a bounded wait; the loads below check nothing stale)

# The CPU seconds (user + system) of every process of the server whose data directory is $1.
pg_cpu() {
  python3 - "$1" <<'EOF'
import os, sys
with open(os.path.join(sys.argv[1], "postmaster.pid")) as f:
    root = int(f.readline())
tick = os.sysconf("SC_CLK_TCK")
total = 0
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    if int(pid) == root or int(fields[1]) == root:
        total += int(fields[11]) + int(fields[12])
print(total / tick)
EOF
}

run() {  # $1: a name; the rest: extra serve flags
  local name=$1; shift
  "$bin" serve --addr 127.0.0.1:0 --data-dir "$work/data" --database-url "$url" --page-cache off "$@" \
    >"$work/serve.out" 2>"$work/serve-$name.log" &
  server=$!
  local addr=""
  for _ in $(seq 1 300); do
    addr=$(sed -n 's|^masthead: listening on http://\([^ ]*\).*|\1|p' "$work/serve.out")
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { cat "$work/serve-$name.log" >&2; exit 1; }
  # Warm up (and let the first replica probe run), then measure.
  python3 "$repo/bench/replicas_load.py" "$addr" 300 "$threads" >/dev/null
  local a1 a2 b1 b2 line
  a1=$(pg_cpu "$work/primary") a2=$(pg_cpu "$work/replica")
  line=$(python3 "$repo/bench/replicas_load.py" "$addr" "$requests" "$threads")
  b1=$(pg_cpu "$work/primary") b2=$(pg_cpu "$work/replica")
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  python3 - "$name" "$line" "$a1" "$b1" "$a2" "$b2" <<'EOF'
import sys
name, line, a1, b1, a2, b2 = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:])
n, errors, rate = line.split()
n = int(n)
print(f"| {name} | {n} | {errors} | {float(rate):.0f} | {(b1 - a1) / n * 1e3:.2f} | {(b2 - a2) / n * 1e3:.2f} |")
EOF
}

echo "| setup | pages | errors | pages/s | primary CPU ms/page | replica CPU ms/page |"
echo "|---|---|---|---|---|---|"
run "primary only"
run "with a replica" --database-read-url "postgres://postgres@127.0.0.1:$p2/postgres"
run "primary only (again)"
run "with a replica (again)" --database-read-url "postgres://postgres@127.0.0.1:$p2/postgres"
