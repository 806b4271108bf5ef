#!/usr/bin/env bash
# Instructions per request for one page, page cache off (or, with --misses, per page cache
# miss): `masthead serve` runs under valgrind's callgrind, the page is asked for 200 times to
# warm up, the counters are zeroed, then N requests (two at a time) are counted. Instruction
# counts do not depend on what else the machine runs: two builds compare on a busy machine.
#
# usage: bench/callgrind.sh [--misses] BIN DATA_DIR PATH [N]
#   --misses  page cache on, and N different story pages asked for once each instead of PATH
#             N times (PATH is then not read; give "-"): what a page cache miss costs
#   BIN       a release build of masthead (with debug info, as the release profile has)
#   DATA_DIR  a data directory, e.g. /var/tmp/masthead-bench/sqlite-1000 (made by load.sh);
#             keep it under 1 GiB: a larger database's start-up check runs after the server
#             listens and would be counted
#   PATH      the page, e.g. /stories/SLUG
#   N         requests counted (default 1000)
# Prints the instructions per request; the profile is left in $TMPDIR/masthead-callgrind.out*
# for callgrind_annotate. Only loopback is used; the server is stopped on exit.
set -euo pipefail

misses=""
[ "${1:-}" = --misses ] && { misses=1; shift; }
[ $# -ge 3 ] || { sed -n '7,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
bin=$1 dir=$2 path=$3 n=${4:-1000}
page_cache=off
if [ -n "$misses" ]; then
  command -v sqlite3 >/dev/null || { echo "error: install sqlite3 (apt-get install sqlite3)" >&2; exit 1; }
  page_cache=on
  slugs=$(sqlite3 "$dir/masthead.db" "SELECT slug FROM articles WHERE status = 'published' ORDER BY published_at DESC, id DESC")
  path=/stories/$(head -n 1 <<<"$slugs")
  [ "$(wc -l <<<"$slugs")" -ge $((n + 1)) ] || { echo "error: N must be below the number of published stories" >&2; exit 2; }
fi
command -v valgrind >/dev/null || { echo "error: install valgrind (apt-get install valgrind)" >&2; exit 1; }
command -v curl >/dev/null || { echo "error: install curl" >&2; exit 1; }
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "error: N must be a positive integer" >&2; exit 2; }

work=$(mktemp -d)
out=${TMPDIR:-/tmp}/masthead-callgrind.out
rm -f "$out"*
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

valgrind --tool=callgrind --callgrind-out-file="$out" --separate-threads=no \
  "$bin" serve --data-dir "$dir" --addr 127.0.0.1:0 --page-cache "$page_cache" \
  >"$work/stdout" 2>"$work/stderr" &
pid=$!
port=""
for _ in $(seq 600); do
  port=$(grep -o '127\.0\.0\.1:[0-9]*' "$work/stdout" | head -n 1 | cut -d: -f2 || true)
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/stderr" >&2; exit 1; }
  sleep 0.2
done
[ -n "$port" ] || { echo "error: the server did not listen within 2 minutes" >&2; exit 1; }

url="http://127.0.0.1:$port$path"
status=$(curl -s -o /dev/null -w '%{http_code}' "$url")
[ "$status" = 200 ] || { echo "error: $path answered $status" >&2; exit 1; }
for _ in $(seq 200); do curl -s -o /dev/null "$url"; done
callgrind_control -z "$pid" >/dev/null 2>&1
if [ -n "$misses" ]; then
  # The newest story warmed the server above; the next N are each asked for once.
  tail -n +2 <<<"$slugs" | head -n "$n" \
    | awk -v base="http://127.0.0.1:$port/stories" '{ printf "url = \"%s/%s\"\noutput = \"/dev/null\"\n", base, $0 }' >"$work/urls"
else
  for _ in $(seq "$n"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$url"; done >"$work/urls"
fi
accept=()
[ -n "$misses" ] && accept=(-H 'Accept-Encoding: br, gzip')
curl -s "${accept[@]}" -K "$work/urls" --parallel --parallel-max 2 >/dev/null 2>&1
callgrind_control -d "$pid" >/dev/null 2>&1
sleep 1
dump=$(ls -t "$out".* 2>/dev/null | head -n 1)
[ -n "$dump" ] || { echo "error: callgrind wrote no profile" >&2; exit 1; }
callgrind_annotate "$dump" 2>/dev/null | grep -m1 'PROGRAM TOTALS' \
  | awk -v n="$n" '{gsub(",", "", $1); printf "%.0f instructions per request\n", $1 / n}'
echo "profile: $dump"
