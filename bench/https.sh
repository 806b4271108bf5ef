#!/usr/bin/env bash
# HTTPS on one cached page: the same masthead binary serving it over plain HTTP and over TLS
# (`tls = "files"`, an ECDSA P-256 certificate, as Let's Encrypt issues by default), beside
# nginx serving the very same bytes over TLS with the same certificate. `wrk -t2 -c64` on
# kept-alive connections (handshakes amortised), then with a new connection per request
# (`Connection: close`: every request pays a full handshake). Prints requests/s and each
# server's CPU µs per request.
#
# usage: bench/https.sh [--duration 8s] DB_DIR PATH BIN
#   DB_DIR  a data directory made by `masthead generate`, e.g. /var/tmp/ab/sqlite-1000
#   PATH    the page, e.g. /stories/SLUG
set -euo pipefail

duration=8s
if [ "${1:-}" = --duration ]; then duration=${2:?}; shift 2; fi
[ $# -eq 3 ] || { sed -n '8,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
db=$1 path=$2 bin=$3
[ -f "$db/masthead.db" ] || { echo "error: no masthead.db in $db" >&2; exit 1; }
[ -x "$bin" ] || { echo "error: $bin is not an executable" >&2; exit 1; }
for tool in wrk openssl curl; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed" >&2; exit 1; }
done
nginx_bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || { echo "error: nginx is not installed (apt-get install nginx-light)" >&2; exit 1; }
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^MASTHEAD_' || true)

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Both nginx processes' ticks (its workers), or the one masthead process.
ticks_of() { local t=0 p; for p in "$@"; do t=$((t + $(cpu_ticks "$p"))); done; echo "$t"; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

measure() { # label url pid... : one wrk run kept-alive, one with a connection per request
  local label=$1 url=$2; shift 2
  local mode before after out requests rps us
  for mode in keep-alive close; do
    local headers=()
    [ "$mode" = close ] && headers=(-H 'Connection: close')
    before=$(ticks_of "$@")
    out=$(wrk -t2 -c64 -d"$duration" "${headers[@]}" "$url")
    after=$(ticks_of "$@")
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    us=$(python3 -c "print(round(($after - $before) * 1e6 / $(getconf CLK_TCK) / $requests, 1))")
    echo "| $label | $mode | $rps | $us | $(cut -d' ' -f1 /proc/loadavg) |"
  done
}

start_masthead() { # port extra-config
  rm -rf "$work/data" && cp -r "$db" "$work/data"
  printf 'addr = "127.0.0.1:%s"\ndata_dir = "%s"\n%s' "$1" "$work/data" "$2" >"$work/masthead.toml"
  "$bin" serve --config "$work/masthead.toml" >"$work/server.log" 2>&1 &
  pids+=($!)
}
warm() { local i; for ((i = 0; i < 200; i++)); do curl -sk -o /dev/null "$1"; done; }

echo "| server | connections | req/s | CPU µs/req | load average |"
echo "|---|---|---:|---:|---:|"

port=$(free_port)
start_masthead "$port" ""
mpid=${pids[-1]}
for ((i = 0; i < 100; i++)); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
warm "http://127.0.0.1:$port$path"
mkdir -p "$work/pages"
curl -sf -o "$work/pages/page.html" "http://127.0.0.1:$port$path"
measure "masthead, plain HTTP" "http://127.0.0.1:$port$path" "$mpid"
kill "$mpid"; wait "$mpid" 2>/dev/null || true

port=$(free_port)
start_masthead "$port" "tls = \"files\"
tls_cert = \"$work/cert.pem\"
tls_key = \"$work/key.pem\"
http_addr = \"off\"
base_url = \"https://localhost:$port\"
"
mpid=${pids[-1]}
for ((i = 0; i < 100; i++)); do curl -skf -o /dev/null "https://127.0.0.1:$port/healthz" && break; sleep 0.1; done
warm "https://127.0.0.1:$port$path"
measure "masthead, HTTPS" "https://127.0.0.1:$port$path" "$mpid"
kill "$mpid"; wait "$mpid" 2>/dev/null || true

nport=$(free_port)
mkdir -p "$work/ngx/tmp"
cat >"$work/ngx/nginx.conf" <<NGX
worker_processes 2;
daemon off;
pid $work/ngx/nginx.pid;
error_log $work/ngx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    ssl_session_cache shared:SSL:10m;
    open_file_cache max=64 inactive=60s;
    types { }
    default_type "text/html; charset=utf-8";
    client_body_temp_path $work/ngx/tmp/body;
    proxy_temp_path $work/ngx/tmp/proxy;
    fastcgi_temp_path $work/ngx/tmp/fastcgi;
    uwsgi_temp_path $work/ngx/tmp/uwsgi;
    scgi_temp_path $work/ngx/tmp/scgi;
    server {
        listen 127.0.0.1:$nport ssl;
        ssl_certificate $work/cert.pem;
        ssl_certificate_key $work/key.pem;
        root $work/pages;
        location / { try_files /page.html =404; }
    }
}
NGX
chmod -R a+rX "$work"
"$nginx_bin" -c "$work/ngx/nginx.conf" &
pids+=($!)
for ((i = 0; i < 100; i++)); do curl -skf -o /dev/null "https://127.0.0.1:$nport/" && break; sleep 0.1; done
workers=$(pgrep -P "${pids[-1]}" | tr '\n' ' ')
# shellcheck disable=SC2086 # one argument per worker
measure "nginx, HTTPS" "https://127.0.0.1:$nport$path" ${pids[-1]} $workers
