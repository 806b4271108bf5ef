#!/usr/bin/env bash
# The newsletter's figure (issue 15): a digest to 10,000 readers through a local SMTP sink,
# sent by a running `masthead serve --demo`, while wrk loads the public pages.
#
# usage: bench/newsletter.sh [--readers 10000] [--smtp-connections 2] [--postgres URL]
#                            [--duration 30] [--slice 3] [--wrk-connections 64]
#                            [--sink count|full] [--bin PATH]
#
# 1. starts scripts/smtp_sink.py (aiosmtpd) on a free loopback port: `--sink count` (the
#    default) only counts each message, one line in rcpt.log, so the sink's Python spends
#    the least of the two cores the server shares with it; `--sink full` parses and writes
#    each message as the tests do (.eml + .json);
# 2. starts `masthead serve --demo` with smtp_url at the sink, smtp_per_minute=1000000 (no
#    limit), smtp_connections=N; on SQLite in a new data directory, or with `--postgres URL`
#    in a fresh database created on that server (dropped at exit);
# 3. adds N confirmed readers of the daily list BY DIRECT SQL (Python's sqlite3, or psql):
#    bench-0..N-1@example.org, as if each had signed up and confirmed; nothing is mailed;
# 4. loads the home page, a story and a section (found on the home page, as bench/load.sh
#    does) with `wrk -t2 -cC` in back-to-back slices of S seconds (the requests rotate over
#    the three pages), for D seconds idle; then runs `masthead newsletter send --list daily`
#    and keeps the same load on, slice after slice, until the send is `done` (polled in
#    newsletter_sends every 0.1 s); only slices that ended before the send was done count
#    as "during the send". Each slice prints its full latency histogram, merged here;
# 5. checks the sink got exactly N messages, one to each address, and prints the table.
#
# Builds nothing: pass a release binary or build one first (see bench/README.md).
# Only loopback is targeted; everything started is stopped at exit.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readers=10000 smtp_connections=2 postgres="" duration=30 slice=3 wrk_connections=64
sink_mode=count bin=""
# shellcheck source=bench/desk_lib.sh
. "$repo/bench/desk_lib.sh"

while [ $# -gt 0 ]; do
  case "$1" in
    --readers) readers=$2; shift 2 ;;
    --smtp-connections) smtp_connections=$2; shift 2 ;;
    --postgres) postgres=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --slice) slice=$2; shift 2 ;;
    --wrk-connections) wrk_connections=$2; shift 2 ;;
    --sink) sink_mode=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    -h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
for n in "$readers" "$smtp_connections" "$duration" "$slice" "$wrk_connections"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "--readers, --smtp-connections, --duration, --slice and --wrk-connections take whole numbers"
done
[[ "$sink_mode" == count || "$sink_mode" == full ]] || die "--sink is count or full"
[ "$duration" -ge "$slice" ] || die "--duration must be at least one --slice"
bin=$(find_bin "$bin")
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
command -v wrk >/dev/null || die "wrk is needed (apt-get install wrk)"
[ -n "${MASTHEAD_TEST_MAIL_TOOLS:-}" ] || die "MASTHEAD_TEST_MAIL_TOOLS (aiosmtpd) is not set: source /work/env.sh or see scripts/test.sh"
mail_tools=$MASTHEAD_TEST_MAIL_TOOLS
# Nothing from the caller's environment may reconfigure the server under test.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^MASTHEAD_' || true)

work=$(mktemp -d -t masthead-newsletter.XXXXXX)
server_pid="" sink_pid="" wrk_pid="" pg_db=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "$wrk_pid" "$server_pid" "$sink_pid"; do
    if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  done
  if [ -n "$pg_db" ]; then psql -q "$postgres" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$work" # the masthead.toml written below is the only one picked up

now() { date +%s.%N; }
# CPU seconds (user + system) used so far by PID's threads.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); split($0, f, " "); printf "%.2f", (f[12] + f[13]) / hz}' "/proc/$1/stat"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }

# --- the sink
sink_args=(--out "$work/sink" --port 0 --max-seconds 3600)
[ "$sink_mode" = count ] && sink_args+=(--count-only)
PYTHONPATH=$mail_tools python3 "$repo/scripts/smtp_sink.py" "${sink_args[@]}" >"$work/sink.out" 2>"$work/sink.err" &
sink_pid=$!
smtp_port=""
for _ in $(seq 1 200); do
  if [[ "$(head -n 1 "$work/sink.out" 2>/dev/null)" =~ ^READY\ ([0-9]+) ]]; then smtp_port=${BASH_REMATCH[1]}; break; fi
  kill -0 "$sink_pid" 2>/dev/null || { cat "$work/sink.err" >&2; die "the SMTP sink exited"; }
  sleep 0.05
done
[ -n "$smtp_port" ] || die "the SMTP sink did not start"

cat >"$work/masthead.toml" <<EOF
smtp_url = "smtp://127.0.0.1:$smtp_port?tls=none"
mail_from = "news@example.org"
smtp_per_minute = 1000000
smtp_connections = $smtp_connections
EOF

# --- the database and the server
db=(--data-dir "$work/data")
label=SQLite
if [ -n "$postgres" ]; then
  pg_db="masthead_newsletter_bench_$$"
  psql -q -v ON_ERROR_STOP=1 "$postgres" -c "CREATE DATABASE $pg_db" >/dev/null
  pg_url=$(printf '%s' "$postgres" | sed -E "s|/[^/?]*(\?.*)?$|/$pg_db\1|")
  db+=(--database-url "$pg_url")
  label=PostgreSQL
fi
log "starting masthead serve --demo ($label, $smtp_connections SMTP connections, sink on port $smtp_port)"
"$bin" serve --demo "${db[@]}" --addr 127.0.0.1:0 >"$work/out" 2>"$work/err" &
server_pid=$!
port=""
for _ in $(seq 1 2400); do
  if [[ "$(head -n 1 "$work/out" 2>/dev/null)" =~ listening\ on\ http://127\.0\.0\.1:([0-9]+) ]]; then
    port=${BASH_REMATCH[1]}
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/err" >&2; die "masthead serve exited"; }
  sleep 0.05
done
[ -n "$port" ] || die "masthead did not start"
base="http://127.0.0.1:$port"

log "adding $readers confirmed readers of the daily list (direct SQL)"
if [ -n "$postgres" ]; then
  got=$(psql -qtA -v ON_ERROR_STOP=1 "$pg_url" <<EOF
BEGIN;
INSERT INTO subscribers (email, email_key, name, status, source, created_at, confirmed_at, updated_at)
  SELECT 'bench-' || i || '@example.org', 'bench-' || i || '@example.org', 'Reader ' || i,
         'confirmed', 'bench', t, t, t
  FROM generate_series(0, $readers - 1) AS i,
       (SELECT (extract(epoch FROM now()) * 1000000)::bigint AS t) AS now;
INSERT INTO subscriptions (subscriber_id, list_id, created_at)
  SELECT s.id, l.id, s.created_at FROM subscribers s, newsletter_lists l
  WHERE s.source = 'bench' AND l.slug = 'daily';
COMMIT;
ANALYZE;
SELECT count(*) FROM subscriptions x JOIN subscribers s ON s.id = x.subscriber_id
  JOIN newsletter_lists l ON l.id = x.list_id WHERE l.slug = 'daily' AND s.status = 'confirmed';
EOF
)
else
  got=$(python3 "$repo/bench/newsletter_bench.py" readers --db "$work/data/masthead.db" --count "$readers")
fi
[ "$got" = "$readers" ] || die "the daily list has $got confirmed readers, not $readers"

# --- the pages and the load
curl -s --max-time 30 "$base/" >"$work/index.html"
story=$(grep -oE 'href="/stories/[A-Za-z0-9_-]+"' "$work/index.html" | head -n 1 | sed -E 's|href="(.*)"|\1|' || true)
section=$(grep -oE 'href="/section/[A-Za-z0-9_-]+"' "$work/index.html" | head -n 1 | sed -E 's|href="(.*)"|\1|' || true)
[ -n "$story" ] && [ -n "$section" ] || die "found no story or section link on the home page"
pages=(/ "$story" "$section")
for p in "${pages[@]}"; do
  for _ in 1 2 3; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$base$p")
    [ "$code" = 200 ] || die "$p answered $code"
  done
done

cat >"$work/rotate.lua" <<'EOF'
-- bench/newsletter.sh: each connection goes round the pages given after "--"; at the end,
-- the errors ("E n") and the whole latency histogram ("H <µs> <count>") for merging.
local reqs, n = {}, 0
function init(args)
  for i, p in ipairs(args) do reqs[i] = wrk.format("GET", p) end
  n = math.random(#reqs)
end
function request()
  n = n % #reqs + 1
  return reqs[n]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("E %d\n", e.connect + e.read + e.write + e.status + e.timeout))
  for i = 1, #latency do
    local v, c = latency(i)
    io.write(string.format("H %d %d\n", v, c))
  end
end
EOF

# One slice of load: wrk for $slice seconds; its output in $1.
load_slice() {
  wrk -t2 -c"$wrk_connections" -d"${slice}s" --latency -s "$work/rotate.lua" "$base" -- "${pages[@]}" >"$1" 2>&1 &
  wrk_pid=$!
  wait "$wrk_pid" || { cat "$1" >&2; die "wrk failed"; }
  wrk_pid=""
  grep -q '^H ' "$1" || { cat "$1" >&2; die "wrk printed no latencies"; }
}

# Warm-up, then the idle figure.
load_slice "$work/warm.txt"
mkdir -p "$work/idle" "$work/send"
slices=$((duration / slice))
log "idle: $slices slices of ${slice}s, wrk -t2 -c$wrk_connections over ${pages[*]}"
for i in $(seq 1 "$slices"); do load_slice "$work/idle/$i.txt"; done
read -r idle_n idle_p50 idle_p99 idle_max idle_err < <(python3 "$repo/bench/newsletter_bench.py" latency "$work"/idle/*.txt)

# --- the send, under the same load
# Polls the send until it is done (at most an hour): writes the time it saw `done` to
# $work/done_at, or why not to $work/done_at.failed. SQLite: one Python process polling every
# 0.1 s; PostgreSQL: psql every 0.2 s (a few ms of CPU each).
watch_send() {
  local s
  if [ -z "$postgres" ]; then
    python3 "$repo/bench/newsletter_bench.py" wait --db "$work/data/masthead.db" --send "$send_id" \
      >"$work/done_at.tmp" 2>"$work/done_at.err" || { cat "$work/done_at.err" >"$work/done_at.failed"; return 1; }
    mv "$work/done_at.tmp" "$work/done_at"
    return 0
  fi
  for _ in $(seq 1 18000); do
    s=$(psql -qtA "$pg_url" -c "SELECT state FROM newsletter_sends WHERE id = $send_id")
    case "$s" in
      done) now >"$work/done_at"; return 0 ;;
      paused | cancelled) echo "$s" >"$work/done_at.failed"; return 1 ;;
    esac
    sleep 0.2
  done
  echo "not done after an hour" >"$work/done_at.failed"
  return 1
}

log "sending the daily digest to $readers readers"
t0=$(now)
sink_cpu0=$(cpu_s "$sink_pid") server_cpu0=$(cpu_s "$server_pid")
"$bin" newsletter send "${db[@]}" --list daily >"$work/send.out" 2>"$work/send.err" \
  || { cat "$work/send.err" >&2; die "masthead newsletter send failed"; }
cat "$work/send.out" >&2
send_id=$(sed -nE 's/^Send ([0-9]+):.*/\1/p' "$work/send.out")
[ -n "$send_id" ] || die "masthead newsletter send made no send"
watch_send &
watch_pid=$!
i=0
while [ ! -e "$work/done_at" ] && [ ! -e "$work/done_at.failed" ]; do
  i=$((i + 1))
  load_slice "$work/send/$i.txt"
  # Only a slice that ended while the send was still going counts.
  if [ -e "$work/done_at" ] || [ -e "$work/done_at.failed" ]; then rm -f "$work/send/$i.txt"; fi
  [ "$i" -lt 1200 ] || die "the send is not done after an hour"
done
wait "$watch_pid" || die "the send ended $(cat "$work/done_at.failed"): see the server's log"
t1=$(cat "$work/done_at")
sink_cpu=$(awk -v a="$sink_cpu0" -v b="$(cpu_s "$sink_pid")" 'BEGIN {printf "%.1f", b - a}')
server_cpu=$(awk -v a="$server_cpu0" -v b="$(cpu_s "$server_pid")" 'BEGIN {printf "%.1f", b - a}')
send_s=$(elapsed "$t0" "$t1")
kept=$(find "$work/send" -name '*.txt' | wc -l)
[ "$kept" -gt 0 ] || die "the send was done within the first ${slice}s slice: nothing measured during it (use a smaller --slice)"
read -r send_n send_p50 send_p99 send_max send_err < <(python3 "$repo/bench/newsletter_bench.py" latency "$work"/send/*.txt)

# --- what the sink got (it may still be finishing its writes)
sleep 1
read -r got_n _dup _missing _extra sink_first sink_last < <(python3 "$repo/bench/newsletter_bench.py" check --dir "$work/sink" --count "$readers") \
  || die "the sink did not get every message exactly once"
if [ -n "$postgres" ]; then
  items=$(psql -qtA "$pg_url" -c "SELECT string_agg(state || '=' || n, ' ' ORDER BY state) FROM (SELECT state, count(*) n FROM send_items WHERE send_id = $send_id GROUP BY state) x")
else
  items=$(python3 "$repo/bench/newsletter_bench.py" state --db "$work/data/masthead.db" --send "$send_id" | cut -d' ' -f2-)
fi
rate=$(awk -v n="$readers" -v s="$send_s" 'BEGIN {printf "%.0f", n / s}')
sink_span=$(awk -v a="$sink_first" -v b="$sink_last" 'BEGIN {printf "%.1f", b - a}')
ratio=$(awk -v a="$send_p99" -v b="$idle_p99" 'BEGIN {printf "%.2f", a / b}')
idle_rps=$(awk -v n="$idle_n" -v s=$((slices * slice)) 'BEGIN {printf "%.0f", n / s}')
send_rps=$(awk -v n="$send_n" -v s=$((kept * slice)) 'BEGIN {printf "%.0f", n / s}')
locked=$(grep -c 'database is locked' "$work/err" || true)

commit=$(git -C "$repo" rev-parse --short HEAD)
[ -z "$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null)" ] || commit="$commit (+ uncommitted changes)"
out=$(result_file "newsletter-$(printf '%s' "$label" | tr '[:upper:]' '[:lower:]')-c$smtp_connections")
{
  printf '# The newsletter: %s readers, %s, %s SMTP connections\n\n' "$readers" "$label" "$smtp_connections"
  printf -- '- %s, commit %s, %s (%s cores), load average at the end %s\n' "$(date -u '+%F %H:%M UTC')" "$commit" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf -- '- binary %s (built %s)\n' "$bin" "$(date -u -r "$bin" '+%F %H:%M UTC')"
  printf -- '- sink: scripts/smtp_sink.py --%s on loopback; smtp_per_minute 1000000; no DKIM key\n' \
    "$([ "$sink_mode" = count ] && echo count-only || echo 'out (full: .eml + .json)')"
  printf -- '- load: `wrk -t2 -c%s` in %s s slices over %s; idle %s s, then from the send command until done\n' \
    "$wrk_connections" "$slice" "${pages[*]}" "$duration"
  printf -- '- items: %s; the sink: %s messages, each address once, first to last %s s\n\n' "$items" "$got_n" "$sink_span"
  printf '| send (scheduling to done) | messages/s | idle p50 / p99 | during the send p50 / p99 | p99 ratio | req/s idle / during | errors |\n'
  printf '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
  printf '| %s s | %s | %s / %s ms | %s / %s ms | %s | %s / %s | %s |\n' "$send_s" "$rate" \
    "$idle_p50" "$idle_p99" "$send_p50" "$send_p99" "$ratio" "$idle_rps" "$send_rps" "$((idle_err + send_err))"
  printf '\nIdle: %s requests in %s slices; during the send: %s requests in the %s slices that ended before it was done.\n' \
    "$idle_n" "$slices" "$send_n" "$kept"
  printf 'CPU from the send command to done: the sink %s s, masthead %s s (serving the load too).\n' "$sink_cpu" "$server_cpu"
  [ "$locked" = 0 ] || printf '\nThe server logged "database is locked" %s times.\n' "$locked"
} | tee "$out"
log "report written to $out"
