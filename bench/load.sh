#!/usr/bin/env bash
# Load benchmark for masthead's public pages, side by side with nginx serving the very same
# bytes as static files. See bench/README.md for what it measures and how to read the table.
#
# usage: bench/load.sh [--stories N] [--db sqlite|postgres] [--duration 10s]
#                      [--connections 64] [--bin PATH]
#
# Only loopback addresses are ever targeted; every loop is bounded; every process the script
# starts (masthead, nginx, wrk, a throwaway PostgreSQL) is stopped on exit.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_dir="$repo/bench"
cache_root=/var/tmp/masthead-bench

stories=1000
db=sqlite
duration=10s
connections=64
bin=""
warmup_requests=300

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '5,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --stories) stories=${2:?--stories needs a number}; shift 2 ;;
    --db) db=${2:?--db needs sqlite or postgres}; shift 2 ;;
    --duration) duration=${2:?--duration needs a value like 10s}; shift 2 ;;
    --connections) connections=${2:?--connections needs a number}; shift 2 ;;
    --bin) bin=${2:?--bin needs a path}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

[[ "$stories" =~ ^[1-9][0-9]*$ ]] || die "--stories must be a positive integer, not '$stories'"
[[ "$db" == sqlite || "$db" == postgres ]] || die "--db must be sqlite or postgres, not '$db'"
[[ "$duration" =~ ^[1-9][0-9]*[smh]?$ ]] || die "--duration must look like 10s, 2m or 30, not '$duration'"
[[ "$connections" =~ ^[1-9][0-9]*$ ]] && [ "$connections" -ge 2 ] \
  || die "--connections must be an integer >= 2 (wrk runs 2 threads), not '$connections'"

if [ -z "$bin" ]; then
  bin="${CARGO_TARGET_DIR:-$repo/target}/release/masthead"
fi
[ -x "$bin" ] || die "no masthead binary at $bin: build it with 'cargo build --release -p masthead' or pass --bin PATH"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

# Nothing from the caller's environment may reconfigure the server under test.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^MASTHEAD_' || true)

# ---------------------------------------------------------------------------------------------
# Tools

wait_for_apt() {
  # Another apt-get/dpkg may be running: wait for it (at most 30 minutes) instead of failing.
  local i
  for ((i = 0; i < 360; i++)); do
    if ! command -v fuser >/dev/null 2>&1; then return 0; fi
    if ! fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock \
      /var/cache/apt/archives/lock >/dev/null 2>&1; then
      return 0
    fi
    [ $((i % 12)) -eq 0 ] && log "waiting for another apt-get/dpkg to finish (dpkg lock is held)"
    sleep 5
  done
  die "the dpkg lock was still held after 30 minutes"
}

ensure_tools() {
  local missing=()
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  # /usr/bin/time: the CPU wrk itself spends per request (the client shares the two cores).
  [ -x /usr/bin/time ] || missing+=(time)
  # nginx's brotli_static, the reference for masthead's cached brotli copies.
  [ -e /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ] || missing+=(libnginx-mod-http-brotli-static)
  if [ "$db" = postgres ] && ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
    missing+=(postgresql)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing ${missing[*]}: install them (sudo apt-get install ${missing[*]}) and run again"
    log "installing ${missing[*]}"
    wait_for_apt
    local apt_opts=(-o DPkg::Lock::Timeout=1800 -y -qq)
    if ! DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install "${missing[@]}" >/dev/null; then
      wait_for_apt
      apt-get -o DPkg::Lock::Timeout=1800 -qq update
      wait_for_apt
      DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install "${missing[@]}" >/dev/null
    fi
  fi
  # A package still being configured by another apt-get may not have its binary in place yet.
  local i
  for ((i = 0; i < 360; i++)); do
    if command -v wrk >/dev/null 2>&1 && { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }; then
      break
    fi
    [ $((i % 12)) -eq 0 ] && log "waiting for wrk and nginx to appear"
    sleep 5
  done
  command -v wrk >/dev/null 2>&1 || die "wrk is not installed"
  nginx_bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
  [ -x "$nginx_bin" ] || die "nginx is not installed"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b - a) / 1000}'; }

# ---------------------------------------------------------------------------------------------
# Process accounting from /proc

# CPU clock ticks used so far by PID and its descendants, including children that exited and
# were reaped by it (cutime/cstime), so a short-lived worker or backend is not missed.
tree_ticks() {
  local pid=$1 line rest f total=0 child
  line=$(cat "/proc/$pid/stat" 2>/dev/null) || { echo 0; return; }
  rest=${line##*) }
  read -r -a f <<<"$rest"
  # f[0] is field 3 (state): utime=14, stime=15, cutime=16, cstime=17.
  total=$((f[11] + f[12] + f[13] + f[14]))
  for child in $(pgrep -P "$pid" 2>/dev/null || true); do
    total=$((total + $(tree_ticks "$child")))
  done
  echo "$total"
}

# "VmRSS VmHWM" in kB for PID alone.
rss_kb() {
  awk '/^VmRSS:/ {r=$2} /^VmHWM:/ {h=$2} END {print r+0, h+0}' "/proc/$1/status" 2>/dev/null || echo "0 0"
}

# Sum of VmRSS in kB over PID and its children.
tree_rss_kb() {
  local pid=$1 total child r
  read -r total _ < <(rss_kb "$pid")
  for child in $(pgrep -P "$pid" 2>/dev/null || true); do
    read -r r _ < <(rss_kb "$child")
    total=$((total + r))
  done
  echo "$total"
}

stop_pid() {
  # Graceful stop, then a bounded wait, then SIGKILL. Only for PIDs this script started.
  local pid=$1 sig=${2:-TERM} i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < 500; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "PID $pid did not stop within 10s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------
# Cleanup

work=""
server_pid=""
declare -A ngx_pid=() ngx_port=()
wrk_pid=""
pg_bin=""
pg_data=""
partial_cache=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$wrk_pid" ] && stop_pid "$wrk_pid" TERM
  [ -n "$server_pid" ] && stop_pid "$server_pid" TERM
  local mode
  for mode in "${!ngx_pid[@]}"; do stop_pid "${ngx_pid[$mode]}" QUIT; done
  if [ -n "$pg_data" ] && [ -f "$pg_data/postmaster.pid" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w -t 30 stop >/dev/null 2>&1 \
      || as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
  fi
  [ -n "$partial_cache" ] && rm -rf "$partial_cache"
  [ -n "$work" ] && rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# ---------------------------------------------------------------------------------------------
# Setup

ensure_tools
command -v python3 >/dev/null 2>&1 || die "python3 is needed to pick free loopback ports"

work=$(mktemp -d -t masthead-bench.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/pages" "$work/wrk" "$work/nginx"
cd "$work" # so no ./masthead.toml is picked up

clk_tck=$(getconf CLK_TCK)
data_note=""
serve_args=()

# A fingerprint of the SQLite migrations and the generator in this tree: a cached database
# made from other migrations is regenerated (the server refuses a database whose applied
# migrations changed), and so is one of other generated text. bench/search.sh shares it.
migrations_fp=$(cat "$repo"/crates/masthead_store/migrations/sqlite/*.sql \
  "$repo"/crates/masthead/src/generate.rs "$repo"/crates/masthead/src/generate_words.txt \
  2>/dev/null | sha256sum | cut -c1-16)

prepare_sqlite() {
  local dir="$cache_root/sqlite-$stories" t0 t1 force=${1:-}
  mkdir -p "$cache_root"
  exec 9>"$cache_root/.lock-sqlite-$stories"
  flock -w 7200 9 || die "another load.sh has been generating $dir for 2 hours"
  if [ -z "$force" ] && [ -f "$dir/masthead.db" ] \
    && grep -qx "migrations=$migrations_fp" "$dir/.complete" 2>/dev/null; then
    log "reusing the cached database $dir/masthead.db"
    data_note="cached at $dir"
  else
    # Generate into a scratch directory and rename it when done: 'generate' adds stories on
    # every run, so a half-filled cache must never be picked up.
    rm -rf "$dir"
    partial_cache="$dir.partial-$$"
    rm -rf "$partial_cache"
    mkdir -p "$partial_cache"
    log "generating $stories stories into $partial_cache (cached for later runs)"
    t0=$(now_ms)
    "$bin" generate --data-dir "$partial_cache" --stories "$stories" >&2
    t1=$(now_ms)
    printf 'stories=%s\nmigrations=%s\n' "$stories" "$migrations_fp" >"$partial_cache/.complete"
    mv "$partial_cache" "$dir"
    partial_cache=""
    data_note="generated in $(secs "$t0" "$t1") s, cached at $dir"
  fi
  exec 9>&-
  serve_args=(--data-dir "$dir")
}

prepare_postgres() {
  local port t0 t1
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || die "PostgreSQL is not installed"
  mkdir -p "$work/pg"
  [ "$(id -u)" = 0 ] && chown postgres: "$work/pg"
  pg_data="$work/pg/data"
  port=$(free_port)
  log "starting a throwaway PostgreSQL ($pg_bin) on 127.0.0.1:$port"
  # Durability off (a throwaway cluster), and the planner set as docs/OPERATIONS.md tells a
  # newsroom to set it: random_page_cost = 1.1, for a database on SSD or in memory.
  as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg/log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$work/pg \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -c random_page_cost=1.1" start >/dev/null \
    || { cat "$work/pg/log" >&2; die "PostgreSQL did not start"; }
  as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres masthead
  local url="postgres://postgres@127.0.0.1:$port/masthead"
  mkdir -p "$work/data"
  log "generating $stories stories into PostgreSQL"
  t0=$(now_ms)
  "$bin" generate --data-dir "$work/data" --database-url "$url" --stories "$stories" >&2
  t1=$(now_ms)
  as_pg "$pg_bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d masthead -c 'VACUUM ANALYZE' >/dev/null
  data_note="generated in $(secs "$t0" "$t1") s into a throwaway cluster ($("$pg_bin/postgres" --version), random_page_cost = 1.1 as docs/OPERATIONS.md recommends)"
  serve_args=(--data-dir "$work/data" --database-url "$url")
}

if [ "$db" = sqlite ]; then prepare_sqlite; else prepare_postgres; fi

pg_master_pid() { [ -n "$pg_data" ] && head -n 1 "$pg_data/postmaster.pid" 2>/dev/null || true; }

# ---------------------------------------------------------------------------------------------
# The server under test

server_port=""
ttfr_ms=""
# start_server on|off [soft]: starts masthead and waits for its first 200 on /. If it exits
# during startup it dies, or with "soft" returns 1 (its stderr is in $work/server.err).
start_server() {
  local cache=$1 soft=${2:-} i t0 code line
  : >"$work/server.out"
  : >"$work/server.err"
  t0=$(now_ms)
  "$bin" serve "${serve_args[@]}" --addr 127.0.0.1:0 --page-cache "$cache" \
    >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  server_port=""
  # Tight poll: the port comes from the server's one line on stdout, then curl until a 200.
  for ((i = 0; i < 24000; i++)); do # at most ~4 minutes for a large database
    if ! kill -0 "$server_pid" 2>/dev/null; then
      wait "$server_pid" 2>/dev/null || true
      server_pid=""
      if [ -n "$soft" ]; then return 1; fi
      cat "$work/server.err" >&2
      die "masthead serve exited during startup"
    fi
    if [ -z "$server_port" ]; then
      line=$(head -n 1 "$work/server.out")
      if [[ "$line" =~ listening\ on\ http://127\.0\.0\.1:([0-9]+) ]]; then
        server_port=${BASH_REMATCH[1]}
      fi
    fi
    if [ -n "$server_port" ]; then
      code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$server_port/" || true)
      if [ "$code" = 200 ]; then
        ttfr_ms=$(($(now_ms) - t0))
        wait_for_quick_check
        return 0
      fi
    fi
    sleep 0.005
  done
  die "masthead did not answer 200 on / within 4 minutes"
}

# A large SQLite database is checked (PRAGMA quick_check) in the background once the server
# listens: seconds of CPU that must not fall inside a measurement. Waits (at most 20 minutes:
# at 1M stories the check reads 16 GB, from disk when the file is not in the page cache) for
# the server to log that the check is done.
wait_for_quick_check() {
  local i
  grep -q 'quick check runs once the server listens' "$work/server.err" || return 0
  for ((i = 0; i < 12000; i++)); do
    grep -q 'database quick check done' "$work/server.err" && return 0
    kill -0 "$server_pid" 2>/dev/null || return 0
    [ "$i" -gt 0 ] && [ $((i % 600)) -eq 0 ] && log "waiting for the server's quick check of the database ($((i / 600)) min)"
    sleep 0.1
  done
  die "masthead's background quick check did not finish within 20 minutes"
}

stop_server() {
  stop_pid "$server_pid" TERM
  server_pid=""
}

# A cached SQLite database the binary cannot open (its migrations changed since) is
# regenerated once.
if [ "$db" = sqlite ]; then
  if ! start_server on soft; then
    if grep -qi 'migration' "$work/server.err" && [[ "$data_note" == cached* ]]; then
      log "the cached database does not match this binary's migrations: regenerating it"
      sed 's/^/    /' "$work/server.err" >&2
      prepare_sqlite force
      start_server on
    else
      cat "$work/server.err" >&2
      die "masthead serve exited during startup"
    fi
  fi
  stop_server
fi

# ---------------------------------------------------------------------------------------------
# Load

# Extra request headers for warm_up and run_wrk (the compressed runs set Accept-Encoding).
req_headers=()

# warm_up URL: a few hundred requests, 8 at a time; fails unless every one answered 200.
warm_up() {
  local url=$1 i ok h
  : >"$work/warm.cfg"
  # Once, at the top: a header option in a curl config applies to every transfer, and
  # repeating it per URL would send it hundreds of times in each request.
  for h in "${req_headers[@]}"; do printf 'header = "%s"\n' "$h" >>"$work/warm.cfg"; done
  for ((i = 0; i < warmup_requests; i++)); do
    printf 'url = "%s"\noutput = "/dev/null"\n' "$url" >>"$work/warm.cfg"
  done
  ok=$(curl -s --parallel --parallel-max 8 -K "$work/warm.cfg" -w '%{http_code}\n' 2>/dev/null | grep -c '^200$' || true)
  [ "$ok" = "$warmup_requests" ] || die "warm-up of $url: only $ok of $warmup_requests requests answered 200"
}

# run_wrk URL PID OUTFILE: wrk against URL, accounting the CPU of PID's process tree (and of
# PostgreSQL's when $2 is masthead on postgres) and of wrk itself. Sets: w_rps w_reqs w_p99
# w_errors w_cpu w_pgcpu w_client.
run_wrk() {
  local url=$1 pid=$2 out=$3 with_pg=${4:-no} c0 c1 p0=0 p1=0 pgm=""
  if [ "$with_pg" = yes ]; then pgm=$(pg_master_pid); fi
  c0=$(tree_ticks "$pid")
  [ -n "$pgm" ] && p0=$(tree_ticks "$pgm")
  local hargs=() h
  for h in "${req_headers[@]}"; do hargs+=(-H "$h"); done
  /usr/bin/time -f '%U %S' -o "$out.time" \
    wrk -t2 -c"$connections" -d"$duration" --latency "${hargs[@]}" "$url" >"$out" 2>&1 &
  wrk_pid=$!
  wait "$wrk_pid" || { cat "$out" >&2; die "wrk failed against $url"; }
  wrk_pid=""
  c1=$(tree_ticks "$pid")
  [ -n "$pgm" ] && p1=$(tree_ticks "$pgm")
  w_reqs=$(awk '/requests in/ {print $1; exit}' "$out")
  w_rps=$(awk '/^Requests\/sec:/ {print $2; exit}' "$out")
  # p99 in ms, whatever unit wrk chose.
  w_p99=$(awk '$1 == "99%" {
      v = $2; u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
      m = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : (u == "h") ? 3600000 : -1;
      printf "%.2f", v * m; exit }' "$out")
  local non2xx sock
  non2xx=$(awk -F': ' '/Non-2xx or 3xx responses/ {print $2; exit}' "$out")
  sock=$(grep -m1 'Socket errors' "$out" | sed 's/^ *//' || true)
  w_errors=""
  [ -n "$non2xx" ] && w_errors="non-2xx/3xx: $non2xx"
  [ -n "$sock" ] && w_errors="${w_errors:+$w_errors; }$sock"
  [ -n "$w_reqs" ] && [ "$w_reqs" -gt 0 ] || { cat "$out" >&2; die "wrk completed no request against $url"; }
  # µs of CPU per request = ticks / CLK_TCK * 1e6 / requests
  w_cpu=$(awk -v d=$((c1 - c0)) -v hz="$clk_tck" -v n="$w_reqs" 'BEGIN {printf "%.1f", d / hz * 1e6 / n}')
  w_pgcpu=$(awk -v d=$((p1 - p0)) -v hz="$clk_tck" -v n="$w_reqs" 'BEGIN {printf "%.1f", d / hz * 1e6 / n}')
  w_client=$(awk -v n="$w_reqs" '{printf "%.1f", ($1 + $2) * 1e6 / n; exit}' "$out.time")
}

# run_nginx PATH NAME: wrk against both nginx (sendfile on, then off) for PATH; sets the w_*
# of the faster and n_both to "on req/s / off req/s".
run_nginx() {
  local target=$1 name=$2 mode best="" best_rps=0
  local -A got=()
  for mode in on off; do
    run_wrk "http://127.0.0.1:${ngx_port[$mode]}$target" "${ngx_pid[$mode]}" "$work/wrk/nginx-$name-sendfile-$mode.txt"
    [ -n "$w_errors" ] && notes+=("nginx $name (sendfile $mode): $w_errors")
    got[$mode]="$w_rps $w_reqs $w_p99 $w_cpu $w_client"
    if awk -v a="$w_rps" -v b="$best_rps" 'BEGIN {exit !(a > b)}'; then best=$mode best_rps=$w_rps; fi
  done
  n_both="$(printf '%.0f' "${got[on]%% *}") / $(printf '%.0f' "${got[off]%% *}")"
  n_best=$best
  read -r w_rps w_reqs w_p99 w_cpu w_client <<<"${got[$best]}"
}

# ---------------------------------------------------------------------------------------------
# nginx, serving the bytes masthead served

# start_nginx ARTICLE_SLUG SECTION_SLUG on|off: nginx with sendfile on (and tcp_nopush) or
# off; the runs keep whichever is faster for each page, so masthead is measured against the
# fastest nginx this machine gives. Sets ngx_pid[MODE] and ngx_port[MODE].
start_nginx() {
  local article_slug=$1 section_slug=$2 mode=$3 ngx="$work/nginx-$3" i wc nginx_port nginx_pid
  nginx_port=$(free_port)
  mkdir -p "$ngx/tmp"
  chmod 755 "$work/pages"
  wc=$((connections * 2 + 64))
  [ "$wc" -lt 1024 ] && wc=1024
  cat >"$ngx/nginx.conf" <<EOF
# Written by bench/load.sh: static copies of masthead's pages, for reference.
load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;
worker_processes 2;
daemon off;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events { worker_connections $wc; }
http {
    access_log off;
    sendfile $mode;
    tcp_nopush $mode;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    # The compressed runs: the very .gz and .br bytes masthead sent, as nginx serves
    # pre-compressed files (only to a client that asks; the other runs send no
    # Accept-Encoding). open_file_cache spares the lookups of .gz/.br files per request;
    # each page file is written more than a second before nginx is asked for it.
    gzip_static on;
    brotli_static on;
    gzip_vary on;
    open_file_cache max=64 inactive=60s;
    open_file_cache_valid 1s;
    types { }
    default_type "text/html; charset=utf-8";
    client_body_temp_path $ngx/tmp/body;
    proxy_temp_path $ngx/tmp/proxy;
    fastcgi_temp_path $ngx/tmp/fastcgi;
    uwsgi_temp_path $ngx/tmp/uwsgi;
    scgi_temp_path $ngx/tmp/scgi;
    server {
        listen 127.0.0.1:$nginx_port;
        root $work/pages;
        location = / { try_files /home.html =404; }
        location = /stories/$article_slug { try_files /article.html =404; }
        location = /section/$section_slug { try_files /section.html =404; }
        location / { return 404; }
    }
}
EOF
  "$nginx_bin" -t -q -p "$ngx" -e "$ngx/error.log" -c "$ngx/nginx.conf" \
    || { cat "$ngx/error.log" >&2; die "nginx rejected its configuration"; }
  "$nginx_bin" -p "$ngx" -e "$ngx/error.log" -c "$ngx/nginx.conf" >/dev/null 2>&1 &
  nginx_pid=$!
  ngx_pid[$mode]=$nginx_pid
  ngx_port[$mode]=$nginx_port
  for ((i = 0; i < 1000; i++)); do
    kill -0 "$nginx_pid" 2>/dev/null || { cat "$ngx/error.log" >&2; die "nginx exited during startup"; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$nginx_port/")" = 200 ] && return 0
    sleep 0.01
  done
  die "nginx did not answer within 10s"
}

# ---------------------------------------------------------------------------------------------
# The runs

declare -A path
pages=(home article section)
rows=()
nginx_rows=()
startup_rows=()
notes=()

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
log "masthead: $bin; database: $db, $stories stories; wrk -t2 -c$connections -d$duration"

for cache in on off; do
  for page in "${pages[@]}"; do
    log "[$page, page cache $cache] starting masthead"
    start_server "$cache"
    startup_rows+=("| $page | $cache | $ttfr_ms |")
    base="http://127.0.0.1:$server_port"

    if [ -z "${path[home]:-}" ]; then
      curl -s --max-time 30 "$base/" >"$work/index.html"
      curl -s --max-time 30 "$base/latest" >>"$work/index.html" || true
      article_slug=$(grep -oE 'href="/stories/[A-Za-z0-9_-]+"' "$work/index.html" | head -n 1 | sed -E 's|href="/stories/(.*)"|\1|' || true)
      section_slug=$(grep -oE 'href="/section/[A-Za-z0-9_-]+"' "$work/index.html" | head -n 1 | sed -E 's|href="/section/(.*)"|\1|' || true)
      [ -n "$article_slug" ] || die "found no href=\"/stories/...\" link on / or /latest"
      [ -n "$section_slug" ] || die "found no href=\"/section/...\" link on / or /latest"
      path[home]=/
      path[article]=/stories/$article_slug
      path[section]=/section/$section_slug
      log "pages: / , ${path[article]} , ${path[section]}"
    fi
    url="$base${path[$page]}"

    # The exact bytes nginx will serve.
    code=$(curl -s --max-time 30 -D "$work/headers-$page-$cache.txt" -o "$work/pages/$page.html" -w '%{http_code}' "$url")
    m_hdr=$(stat -c %s "$work/headers-$page-$cache.txt")
    [ "$code" = 200 ] || die "$url answered $code"
    chmod 644 "$work/pages/$page.html"
    page_bytes=$(stat -c %s "$work/pages/$page.html")
    ctype=$(grep -i '^content-type:' "$work/headers-$page-$cache.txt" | head -n 1 | cut -d' ' -f2- | tr -d '\r')

    warm_up "$url"
    xcache=$(curl -s -o /dev/null -D - "$url" | grep -i '^x-cache:' | cut -d' ' -f2 | tr -d '\r' || true)
    log "[$page, page cache $cache] wrk against masthead ($page_bytes bytes, $ctype, x-cache: ${xcache:-none})"
    run_wrk "$url" "$server_pid" "$work/wrk/masthead-$page-$cache.txt" "$([ "$db" = postgres ] && echo yes || echo no)"
    m_rps=$w_rps m_p99=$w_p99 m_cpu=$w_cpu m_pgcpu=$w_pgcpu m_reqs=$w_reqs m_client=$w_client
    [ -n "$w_errors" ] && notes+=("masthead $page (cache $cache): $w_errors")
    read -r rss hwm < <(rss_kb "$server_pid")
    stop_server

    if [ ${#ngx_pid[@]} -eq 0 ]; then
      start_nginx "$article_slug" "$section_slug" on
      start_nginx "$article_slug" "$section_slug" off
    fi
    for mode in on off; do
      nurl="http://127.0.0.1:${ngx_port[$mode]}${path[$page]}"
      curl -s --max-time 10 -o "$work/nginx-check.html" -D "$work/nginx-headers.txt" "$nurl"
      cmp -s "$work/nginx-check.html" "$work/pages/$page.html" || die "nginx does not serve the saved bytes of $page"
      n_hdr=$(stat -c %s "$work/nginx-headers.txt")
      nctype=$(grep -i '^content-type:' "$work/nginx-headers.txt" | head -n 1 | cut -d' ' -f2- | tr -d '\r')
      [ "$nctype" = "text/html; charset=utf-8" ] || die "nginx content-type is '$nctype'"
      warm_up "$nurl"
    done
    log "[$page, page cache $cache] wrk against nginx, sendfile on and off"
    run_nginx "${path[$page]}" "$page-$cache"
    n_rss=$(tree_rss_kb "${ngx_pid[$n_best]}")

    ratio=$(awk -v m="$m_rps" -v n="$w_rps" 'BEGIN {printf "%.2g", (n > 0) ? m / n : 0}')
    cpu_cell=$m_cpu
    if [ "$db" = postgres ]; then
      cpu_cell=$(awk -v a="$m_cpu" -v b="$m_pgcpu" 'BEGIN {printf "%.1f (%.1f pg)", a + b, b}')
    fi
    rss_cell=$(awk -v r="$rss" -v h="$hwm" 'BEGIN {printf "%.1f / %.1f", r / 1024, h / 1024}')
    rows+=("| $page | $cache | $(printf '%.0f' "$m_rps") | $(printf '%.0f' "$w_rps") | $ratio | $m_p99 ms | $cpu_cell | $m_client / $w_client | $rss_cell |")
    nginx_rows+=("| $page | $cache | $page_bytes | $m_hdr / $n_hdr | $n_both | $w_p99 ms | $w_cpu | $(awk -v r="$n_rss" 'BEGIN {printf "%.1f", r / 1024}') |")
    log "[$page, page cache $cache] masthead $(printf '%.0f' "$m_rps") req/s ($m_reqs requests), nginx $(printf '%.0f' "$w_rps") req/s"
  done
done

# ---------------------------------------------------------------------------------------------
# Compressed: the cached article in brotli and in gzip, as masthead compressed it once when it
# entered the page cache, against nginx serving those same bytes pre-compressed
# (brotli_static, gzip_static).

compressed_rows=()
log "[article, compressed] starting masthead"
start_server on
base="http://127.0.0.1:$server_port"
for coding in br gzip; do
  ext=$([ "$coding" = br ] && echo br || echo gz)
  req_headers=("Accept-Encoding: $coding")
  url="$base${path[article]}"
  curl -s --max-time 30 -H "Accept-Encoding: $coding" -D "$work/headers-article-$coding.txt" \
    -o "$work/pages/article.html.$ext" "$url"
  chmod 644 "$work/pages/article.html.$ext"
  enc=$(grep -i '^content-encoding:' "$work/headers-article-$coding.txt" | cut -d' ' -f2 | tr -d '\r' || true)
  [ "$enc" = "$coding" ] || die "masthead sent the article with content-encoding '$enc', not $coding"
  c_bytes=$(stat -c %s "$work/pages/article.html.$ext")
  warm_up "$url"
  log "[article, $coding] wrk against masthead ($c_bytes bytes)"
  run_wrk "$url" "$server_pid" "$work/wrk/masthead-article-$coding.txt"
  m_rps=$w_rps m_p99=$w_p99 m_cpu=$w_cpu m_client=$w_client
  [ -n "$w_errors" ] && notes+=("masthead article ($coding): $w_errors")

  for mode in on off; do
    nurl="http://127.0.0.1:${ngx_port[$mode]}${path[article]}"
    curl -s --max-time 10 -H "Accept-Encoding: $coding" -D "$work/nginx-headers.txt" -o "$work/nginx-check" "$nurl"
    cmp -s "$work/nginx-check" "$work/pages/article.html.$ext" || die "nginx does not serve masthead's $coding bytes of the article"
    warm_up "$nurl"
  done
  log "[article, $coding] wrk against nginx, sendfile on and off"
  run_nginx "${path[article]}" "article-$coding"
  ratio=$(awk -v m="$m_rps" -v n="$w_rps" 'BEGIN {printf "%.2g", (n > 0) ? m / n : 0}')
  compressed_rows+=("| article | $coding | $c_bytes | $(printf '%.0f' "$m_rps") | $(printf '%.0f' "$w_rps") | $n_both | $ratio | $m_p99 ms / $w_p99 ms | $m_cpu / $w_cpu | $m_client / $w_client |")
  log "[article, $coding] masthead $(printf '%.0f' "$m_rps") req/s, nginx $(printf '%.0f' "$w_rps") req/s"
done
req_headers=()
stop_server

# ---------------------------------------------------------------------------------------------
# Report

commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  commit="$commit (working tree has uncommitted changes)"
fi
model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
when=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
wrk_version=$(wrk -v 2>&1 | head -n 1 | awk '{print $1, $2}' || true)
nginx_version=$("$nginx_bin" -v 2>&1 | sed 's|^nginx version: ||')
bin_when=$(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC')
median_ttfr=$(printf '%s\n' "${startup_rows[@]}" | awk -F'|' '{print $4+0}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')

report="$work/report.md"
{
  echo "# masthead load benchmark: $db, $stories stories"
  echo
  echo "- date: $when"
  echo "- commit: $commit"
  echo "- binary: \`$bin\` (built $bin_when, $("$bin" --version))"
  echo "- machine: $(nproc) cores ($model), $mem, $(uname -sr); load average at start: $load_at_start"
  echo "- database: $db, $stories stories ($data_note)"
  echo "- load: \`wrk -t2 -c$connections -d$duration --latency URL\` after $warmup_requests warm-up requests; $wrk_version, $nginx_version"
  echo "- pages: home \`/\`, article \`${path[article]}\`, section \`${path[section]}\`"
  echo
  echo "| page | cache | masthead req/s | nginx req/s | ratio | p99 | CPU µs/req | wrk's CPU µs/req (masthead / nginx) | RSS MB |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "ratio = masthead req/s ÷ the faster nginx's req/s (sendfile on or off) for the same bytes, run"
  echo "back to back. p99 and CPU are masthead's$([ "$db" = postgres ] && echo ' (CPU includes the PostgreSQL server, shown in brackets)'); RSS MB is masthead's current / peak after the run."
  echo "wrk's CPU is the client's own, per request: it shares the two cores with the server, so a"
  echo "response that costs the client more to read leaves the server less CPU."
  echo
  echo "nginx reference (same page bytes, $([ "$db" = postgres ] && echo 'no database' || echo 'static files'), run right after each masthead run):"
  echo
  echo "| page | after cache | body bytes | header bytes (masthead / nginx) | req/s (sendfile on / off) | p99 | CPU µs/req | RSS MB |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${nginx_rows[@]}"
  echo
  echo "Compressed, page cache on: the article in the copy masthead made once when the page entered"
  echo "its cache, against nginx serving the same bytes pre-compressed (\`brotli_static\`, \`gzip_static\`):"
  echo
  echo "| page | coding | body bytes | masthead req/s | nginx req/s | nginx (sendfile on / off) | ratio | p99 (masthead / nginx) | CPU µs/req (masthead / nginx) | wrk's CPU µs/req (masthead / nginx) |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${compressed_rows[@]}"
  echo
  echo "Time from starting \`masthead serve\` to its first 200 on \`/\` (median $median_ttfr ms):"
  echo
  echo "| run | cache | first 200 after (ms) |"
  echo "| --- | --- | ---: |"
  printf '%s\n' "${startup_rows[@]}"
  if [ ${#notes[@]} -gt 0 ]; then
    echo
    echo "**Errors reported by wrk:**"
    echo
    printf -- '- %s\n' "${notes[@]}"
  fi
} >"$report"

mkdir -p "$bench_dir/results"
stem="$bench_dir/results/$(date -u +%Y-%m-%d)-$db-$stories"
out="$stem.md"
i=2
while [ -e "$out" ] && [ "$i" -lt 1000 ]; do out="$stem-$i.md"; i=$((i + 1)); done
cp "$report" "$out"
cat "$report"
log "written to ${out#"$repo"/}"
