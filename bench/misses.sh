#!/usr/bin/env bash
# What a page cache miss costs: each binary in turn serves a copy of a benchmark database with
# the page cache on, and every published story's page is asked for once (`Accept-Encoding:
# br, gzip`, four at a time), so every answer is a render plus what keeping the page costs
# (its hash, its compressed copy). Prints the server's CPU µs per request; the binaries
# alternate for several rounds, so a change in the machine's load touches both. With
# --uncached the same requests go to servers with the page cache off: the render alone.
#
# usage: bench/misses.sh [--rounds 3] [--stories 800] [--uncached] DB_DIR BIN_A [BIN...]
#   DB_DIR     a SQLite data directory made by bench/load.sh, e.g.
#              /var/tmp/masthead-bench/sqlite-1000 (copied for every server: keep it small)
#   --stories  how many stories' pages are asked for (the newest are warmed first)
set -euo pipefail

rounds=3
stories=800
page_cache=on
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=${2:?}; shift 2 ;;
    --stories) stories=${2:?}; shift 2 ;;
    --uncached) page_cache=off; shift ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || { sed -n '9,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[[ "$rounds" =~ ^[1-9][0-9]?$ ]] || { echo "error: --rounds takes 1 to 99" >&2; exit 2; }
[[ "$stories" =~ ^[1-9][0-9]*$ ]] || { echo "error: --stories takes a positive whole number" >&2; exit 2; }
db=$1
shift
[ -f "$db/masthead.db" ] || { echo "error: no masthead.db in $db (run bench/load.sh first)" >&2; exit 1; }
for bin in "$@"; do [ -x "$bin" ] || { echo "error: $bin is not an executable" >&2; exit 1; }; done
for tool in curl sqlite3 python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed (apt-get install $tool)" >&2; exit 1; }
done

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# The stories' addresses, oldest first: the last `stories` are measured, ten before them warm.
sqlite3 "$db/masthead.db" \
  "SELECT slug FROM articles WHERE status = 'published' ORDER BY published_at, id" >"$work/slugs"
total=$(wc -l <"$work/slugs")
[ "$total" -ge $((stories + 10)) ] \
  || { echo "error: $db has $total published stories; ask for at most $((total - 10))" >&2; exit 2; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# shellcheck source=bench/serve_copy.sh
. "$(dirname "${BASH_SOURCE[0]}")/serve_copy.sh"
ticks=$(getconf CLK_TCK)

echo "page cache $page_cache, $stories story pages each asked for once"
echo
echo "| round | binary | seconds | CPU µs/req | load average |"
echo "|---:|---|---:|---:|---:|"
for ((round = 1; round <= rounds; round++)); do
  for bin in "$@"; do
    serve_copy "$bin" "$db" "$page_cache"
    base="http://127.0.0.1:$port/stories"
    # (sed, not tail | head: head's early exit would fail the pipeline under pipefail)
    sed -n "$((total - stories - 9)),$((total - stories))p" "$work/slugs" | while read -r slug; do
      curl -sf -o /dev/null -H 'Accept-Encoding: br, gzip' "$base/$slug" \
        || { cat "$work/server.log" >&2; echo "error: $base/$slug does not answer 200" >&2; exit 1; }
    done
    tail -n "$stories" "$work/slugs" \
      | awk -v base="$base" '{ printf "url = \"%s/%s\"\noutput = \"/dev/null\"\n", base, $0 }' >"$work/urls"
    start=$(date +%s.%N)
    before=$(cpu_ticks "$pid")
    curl -s -H 'Accept-Encoding: br, gzip' -K "$work/urls" --parallel --parallel-max 4 \
      -w '%{http_code}\n' >"$work/codes" 2>/dev/null || true
    after=$(cpu_ticks "$pid")
    end=$(date +%s.%N)
    ok=$(grep -c '^200$' "$work/codes" || true)
    [ "$ok" -eq "$stories" ] || { echo "error: $ok of $stories requests answered 200" >&2; exit 1; }
    us=$(python3 -c "print(round(($after - $before) * 1e6 / $ticks / $stories))")
    secs=$(python3 -c "print(round($end - $start, 1))")
    echo "| $round | $bin | $secs | $us | $(cut -d' ' -f1 /proc/loadavg) |"
    kill "$pid" && wait "$pid" 2>/dev/null || true
    pid=""
  done
done
