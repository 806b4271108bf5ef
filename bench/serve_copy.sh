# shellcheck shell=bash
# Sourced by bench/ab.sh and bench/misses.sh: `serve_copy BIN DB_DIR PAGE_CACHE` starts BIN
# on a fresh copy of the data directory DB_DIR (in $work/data, its log in $work/server.log)
# with the page cache on or off, waits until it answers `/healthz` and until a large
# database's background quick check is done (its CPU is not the page's), and sets `pid` and
# `port`. The caller's EXIT trap stops `pid`.
serve_copy() {
  local bin=$1 db=$2 page_cache=$3 i
  rm -rf "$work/data" && cp -r "$db" "$work/data"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  MASTHEAD_DATA_DIR="$work/data" "$bin" serve --addr "127.0.0.1:$port" --page-cache "$page_cache" >"$work/server.log" 2>&1 &
  pid=$!
  for ((i = 0; i < 100; i++)); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
  # A large database's quick check runs in the background once the server listens. Wait (at
  # most 5 minutes) for it to be done.
  if grep -q 'quick check runs once the server listens' "$work/server.log"; then
    for ((i = 0; i < 3000; i++)); do
      grep -q 'database quick check done' "$work/server.log" && break
      sleep 0.1
    done
    grep -q 'database quick check done' "$work/server.log" \
      || { echo "error: the quick check did not finish within 5 minutes" >&2; exit 1; }
  fi
}
