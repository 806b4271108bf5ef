#!/usr/bin/env bash
# Search benchmark (issue 9): latency of /search over a list of real searches
# (bench/search_queries.tsv: common words, rare words, a mix, phrases, no hits, filters),
# release build, SQLite, on the generated archive bench/load.sh also uses.
#
# usage: bench/search.sh [--stories N] [--duration 10s] [--connections 4] [--bin PATH]
#                        [--database-url postgres://…]
#
# With --database-url, the searches run against that PostgreSQL database, which must already
# hold the archive (`masthead generate --database-url URL --stories N`, then VACUUM ANALYZE).
#
# For each search: its result count and its latency alone (median of 5 sequential requests).
# Then wrk: one run per class and one over every search, reporting p50/p95/p99, req/s and
# the server's CPU per request (steadier than latency on a shared machine).
# Only loopback addresses are targeted; every process the script starts is stopped on exit.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache_root=/var/tmp/masthead-bench
stories=100000
duration=10s
connections=4
bin=""
database_url=""

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --stories) stories=${2:?--stories needs a number}; shift 2 ;;
    --duration) duration=${2:?--duration needs a value like 10s}; shift 2 ;;
    --connections) connections=${2:?--connections needs a number}; shift 2 ;;
    --bin) bin=${2:?--bin needs a path}; shift 2 ;;
    --database-url) database_url=${2:?--database-url needs a postgres:// URL}; shift 2 ;;
    -h|--help) sed -n '6,7p' "${BASH_SOURCE[0]}" | sed 's/^# //'; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[[ "$stories" =~ ^[1-9][0-9]*$ ]] || die "--stories must be a positive integer"
[[ "$duration" =~ ^[1-9][0-9]*[smh]?$ ]] || die "--duration must look like 10s"
[[ "$connections" =~ ^[1-9][0-9]*$ ]] && [ "$connections" -ge 2 ] \
  || die "--connections must be an integer >= 2 (wrk runs 2 threads)"
[ -n "$bin" ] || bin="${CARGO_TARGET_DIR:-$repo/target}/release/masthead"
[ -x "$bin" ] || die "no masthead binary at $bin: build it with 'cargo build --release -p masthead'"
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
command -v curl >/dev/null || die "curl is not installed"
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^MASTHEAD_' || true)

work=$(mktemp -d -t masthead-search.XXXXXX)
server_pid=""
partial=""
cleanup() {
  local rc=$?
  trap - EXIT
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [ -n "$partial" ] && rm -rf "$partial"
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

if [ -n "$database_url" ]; then
  [[ "$database_url" == postgres://* || "$database_url" == postgresql://* ]] \
    || die "--database-url must be a postgres:// URL"
  db=postgres
  dir="$work/data"
  mkdir -p "$dir"
  serve_db=(--database-url "$database_url")
  db_size=$(psql "$database_url" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))" 2>/dev/null || echo "?")
  data_note="PostgreSQL $(psql "$database_url" -Atc "SHOW server_version" 2>/dev/null || echo "?") at ${database_url%%@*}@…"
else
db=sqlite
serve_db=()
# The archive: the same cache as bench/load.sh (same directory, same fingerprint of the
# migrations and the generator), made once with `masthead generate`.
fingerprint=$(cat "$repo"/crates/masthead_store/migrations/sqlite/*.sql \
  "$repo"/crates/masthead/src/generate.rs "$repo"/crates/masthead/src/generate_words.txt \
  | sha256sum | cut -c1-16)
dir="$cache_root/sqlite-$stories"
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock-sqlite-$stories"
flock -w 7200 9 || die "another script has been generating $dir for 2 hours"
if [ -f "$dir/masthead.db" ] && grep -qx "migrations=$fingerprint" "$dir/.complete" 2>/dev/null; then
  log "reusing the cached database $dir/masthead.db"
  data_note="cached at $dir"
else
  rm -rf "$dir"
  partial="$dir.partial-$$"
  mkdir -p "$partial"
  log "generating $stories stories into $partial (cached for later runs)"
  t0=$(now_ms)
  "$bin" generate --data-dir "$partial" --stories "$stories" >&2
  t1=$(now_ms)
  printf 'stories=%s\nmigrations=%s\n' "$stories" "$fingerprint" >"$partial/.complete"
  mv "$partial" "$dir"
  partial=""
  data_note="generated in $(((t1 - t0) / 1000)) s, cached at $dir"
fi
exec 9>&-
db_size=$(du -sh "$dir/masthead.db" | cut -f1)
fi

cd "$work" # no ./masthead.toml
"$bin" serve --data-dir "$dir" "${serve_db[@]}" --addr 127.0.0.1:0 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
port=""
for ((i = 0; i < 24000; i++)); do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; die "masthead serve exited"; }
  if [[ "$(head -n 1 "$work/server.out")" =~ listening\ on\ http://127\.0\.0\.1:([0-9]+) ]]; then
    port=${BASH_REMATCH[1]}
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" = 200 ] && break
  fi
  sleep 0.01
done
[ -n "$port" ] || die "masthead did not start"
base="http://127.0.0.1:$port"
# A database over 1 GiB is quick-checked in the background once the server listens (it reads
# the whole file): wait for it, so it does not compete with the searches measured.
for ((i = 0; i < 36000; i++)); do
  grep -q "quick check done" "$work/server.err" && break
  grep -q "damaged" "$work/server.err" && die "the database is damaged: $(cat "$work/server.err")"
  [ $((i % 1000)) -eq 0 ] && [ "$i" -gt 0 ] && log "waiting for the start-up quick check to finish"
  sleep 0.05
done
grep -q "quick check done" "$work/server.err" || die "the start-up quick check did not finish in 30 minutes"

mapfile -t lines < <(grep -v '^#' "$repo/bench/search_queries.tsv" | grep -v '^$')
classes=()
for line in "${lines[@]}"; do
  c=${line%%$'\t'*}
  [[ " ${classes[*]} " == *" $c "* ]] || classes+=("$c")
done

report="$work/report.md"
{
  echo "# Search benchmark: $db, $stories stories"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- database: $db_size, $data_note"
  echo "- command: bench/search.sh --stories $stories --duration $duration --connections $connections${database_url:+ --database-url …}"
  echo
  echo "## Each search alone (median of 5 sequential requests, after one warm-up)"
  echo
  echo "| class | search | results | ms |"
  echo "|---|---|---:|---:|"
} >"$report"
for line in "${lines[@]}"; do
  class=${line%%$'\t'*}
  query=${line#*$'\t'}
  body=$(curl -s "$base/search?$query")
  count=$(grep -oE '(At least )?[0-9,]+ (stories match|story matches)|No stories match' <<<"$body" | head -n 1 || true)
  case "$count" in
    "No stories match") count=0 ;;
    "At least "*) count="≥${count#At least }"; count=${count%% *} ;;
    *) count=${count%% *} ;;
  esac
  [ -n "$count" ] || die "no result count for $query: $(head -c 300 <<<"$body")"
  times=()
  for _ in 1 2 3 4 5; do
    times+=("$(curl -s -o /dev/null -w '%{time_total}' "$base/search?$query")")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
  printf '| %s | `%s` | %s | %.1f |\n' "$class" "$query" "$count" "$(awk -v t="$median" 'BEGIN{print t*1000}')" >>"$report"
done

# The server's user + system CPU so far, in clock ticks.
ticks() { local f; read -r -a f <<<"$(cut -d')' -f2- "/proc/$server_pid/stat")"; echo $((f[11] + f[12])); }

cat >"$work/search.lua" <<'EOF'
local queries = {}
local n = 0
function init(args)
  for line in io.lines(args[1]) do
    queries[#queries + 1] = line
  end
end
function request()
  n = n + 1
  return wrk.format("GET", "/search?" .. queries[(n % #queries) + 1])
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %.1f %.2f %.2f %.2f %.2f %d %d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
EOF
{
  echo
  echo "## Under load (wrk -t2 -c$connections -d$duration, the searches of a class in turn)"
  echo
  echo "| class | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | server CPU ms/req | non-2xx | socket errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} >>"$report"
# "unfiltered": every search but the filtered ones, the mix the issue's target names (common
# words, rare words, phrases, no hits).
for class in "${classes[@]}" unfiltered all; do
  if [ "$class" = all ]; then
    printf '%s\n' "${lines[@]}" | cut -f2 >"$work/q-$class"
  elif [ "$class" = unfiltered ]; then
    printf '%s\n' "${lines[@]}" | awk -F'\t' '$1 != "filtered" {print $2}' >"$work/q-$class"
  else
    printf '%s\n' "${lines[@]}" | awk -F'\t' -v c="$class" '$1 == c {print $2}' >"$work/q-$class"
  fi
  log "wrk: $class"
  before=$(ticks)
  out=$(wrk -t2 -c"$connections" -d"$duration" --timeout 10s -s "$work/search.lua" "$base" -- "$work/q-$class")
  after=$(ticks)
  read -r _ reqs rps p50 p95 p99 max non2xx sock < <(grep '^RESULT' <<<"$out")
  cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$reqs" 'BEGIN {printf "%.2f", t * 1000 / hz / n}')
  echo "| $class | $reqs | $rps | $p50 | $p95 | $p99 | $max | $cpu | $non2xx | $sock |" >>"$report"
done
grep -q panicked "$work/server.err" && die "the server panicked: $(cat "$work/server.err")"

mkdir -p "$repo/bench/results"
name="$repo/bench/results/$(date -u +%Y-%m-%d)-search-$db-$stories-c$connections"
out="$name.md"
i=2
while [ -e "$out" ]; do out="$name-$i.md"; i=$((i + 1)); done
cp "$report" "$out"
cat "$report"
log "report written to $out"
