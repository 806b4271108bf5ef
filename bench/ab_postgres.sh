#!/usr/bin/env bash
# A/B of masthead binaries on one uncached page over PostgreSQL: each binary in turn serves
# the page from the database at DATABASE_URL with the page cache off, `wrk -t2` loads it for
# 10 s after a 3 s warm-up, and the CPU of the server and of every PostgreSQL process on the
# machine is read from /proc before and after; the binaries alternate for several rounds, so
# a change in the machine's load touches both. Prints requests and the CPU µs per request of
# masthead and of PostgreSQL.
#
# usage: bench/ab_postgres.sh [--rounds 3] [--connections 64] DATABASE_URL PATH BIN_A BIN_B [BIN...]
#   DATABASE_URL  a database masthead already serves (e.g. one `masthead generate` filled),
#                 on a PostgreSQL server of this machine that nothing else uses: every
#                 process named postgres is counted as the page's database work
#   PATH          the page, e.g. /stories/SLUG
set -euo pipefail

rounds=3
connections=64
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=${2:?}; shift 2 ;;
    --connections) connections=${2:?}; shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 4 ] || { sed -n '9,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
url=$1 path=$2
shift 2
for bin in "$@"; do [ -x "$bin" ] || { echo "error: $bin is not an executable" >&2; exit 1; }; done
command -v wrk >/dev/null || { echo "error: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# The CPU ticks (user + system) of the given processes; one gone meanwhile counts 0.
ticks() {
  local total=0 p t
  for p in "$@"; do
    t=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null) || t=0
    total=$((total + t))
  done
  echo "$total"
}
hz=$(getconf CLK_TCK)

echo "page cache off, $connections connections, $path"
echo
echo "| round | binary | requests | masthead CPU µs/req | PostgreSQL CPU µs/req | load average |"
echo "|---:|---|---:|---:|---:|---:|"
for ((round = 1; round <= rounds; round++)); do
  for bin in "$@"; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    mkdir -p "$work/data"
    MASTHEAD_DATA_DIR="$work/data" MASTHEAD_DATABASE_URL="$url" "$bin" serve \
      --addr "127.0.0.1:$port" --page-cache off >"$work/server.log" 2>&1 &
    pid=$!
    for ((i = 0; i < 100; i++)); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path")
    [ "$code" = 200 ] || { echo "error: $path answered $code" >&2; cat "$work/server.log" >&2; exit 1; }
    wrk -t2 -c"$connections" -d3s "http://127.0.0.1:$port$path" >/dev/null
    load=$(cut -d' ' -f1 /proc/loadavg)
    read -r -a pgs <<<"$(pgrep -d ' ' -x postgres || true)"
    m0=$(ticks "$pid") p0=$(ticks "${pgs[@]}")
    out=$(wrk -t2 -c"$connections" -d10s "http://127.0.0.1:$port$path")
    # Backends opened during the run started at 0 ticks: count them too.
    read -r -a pgs <<<"$(pgrep -d ' ' -x postgres || true)"
    m1=$(ticks "$pid") p1=$(ticks "${pgs[@]}")
    reqs=$(grep -o '[0-9]* requests in' <<<"$out" | cut -d' ' -f1)
    if grep -q 'Non-2xx' <<<"$out"; then echo "error: some answers were not 200" >&2; exit 1; fi
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
    rm -rf "$work/data"
    us() { echo "scale=1; ($1) * 1000000 / $hz / $reqs" | bc; }
    echo "| $round | $(basename "$(dirname "$bin")")/$(basename "$bin") | $reqs | $(us "$m1 - $m0") | $(us "$p1 - $p0") | $load |"
  done
done
