#!/usr/bin/env bash
# A/B of masthead binaries on one cached page: each binary in turn serves a copy of the same
# benchmark database, the page is warmed into its cache, then `wrk -t2 -c64` loads it as
# rendered and in brotli; the binaries alternate for several rounds, so a change in the
# machine's load touches both. Prints requests/s and the server's CPU µs per request.
# With --uncached the servers run with the page cache off and the page is loaded as
# rendered only: every request renders it.
#
# usage: bench/ab.sh [--rounds 3] [--duration 8s] [--uncached] DB_DIR PATH BIN_A BIN_B [BIN...]
#   DB_DIR  a data directory made by bench/load.sh, e.g. /var/tmp/masthead-bench/sqlite-1000
#   PATH    the page, e.g. /stories/SLUG
set -euo pipefail

rounds=3
duration=8s
page_cache=on
codings=(identity br)
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=${2:?}; shift 2 ;;
    --duration) duration=${2:?}; shift 2 ;;
    --uncached) page_cache=off; codings=(identity); shift ;;
    *) break ;;
  esac
done
[ $# -ge 4 ] || { sed -n '9,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
db=$1 path=$2
shift 2
[ -f "$db/masthead.db" ] || { echo "error: no masthead.db in $db (run bench/load.sh first)" >&2; exit 1; }
for bin in "$@"; do [ -x "$bin" ] || { echo "error: $bin is not an executable" >&2; exit 1; }; done
command -v wrk >/dev/null || { echo "error: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# shellcheck source=bench/serve_copy.sh
. "$(dirname "${BASH_SOURCE[0]}")/serve_copy.sh"

echo "page cache $page_cache"
echo
echo "| round | binary | coding | req/s | CPU µs/req | load average |"
echo "|---:|---|---|---:|---:|---:|"
for ((round = 1; round <= rounds; round++)); do
  for bin in "$@"; do
    serve_copy "$bin" "$db" "$page_cache"
    url="http://127.0.0.1:$port$path"
    curl -sf -o /dev/null "$url" || { cat "$work/server.log" >&2; echo "error: $url does not answer 200" >&2; exit 1; }
    for ((i = 0; i < 200; i++)); do
      curl -s -o /dev/null "$url"
      curl -s -o /dev/null -H 'Accept-Encoding: br' "$url"
    done
    for coding in "${codings[@]}"; do
      headers=()
      [ "$coding" = br ] && headers=(-H 'Accept-Encoding: br')
      before=$(cpu_ticks "$pid")
      out=$(wrk -t2 -c64 -d"$duration" "${headers[@]}" "$url")
      after=$(cpu_ticks "$pid")
      requests=$(awk '/requests in/ {print $1}' <<<"$out")
      rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
      ticks=$(getconf CLK_TCK)
      us=$(python3 -c "print(round(($after - $before) * 1e6 / $ticks / $requests, 1))")
      echo "| $round | $(basename "$bin") | $coding | $rps | $us | $(cut -d' ' -f1 /proc/loadavg) |"
    done
    kill "$pid" && wait "$pid" 2>/dev/null || true
    pid=""
  done
done
