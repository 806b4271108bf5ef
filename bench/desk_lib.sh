# Shared by bench/desk.sh and bench/comments.sh (sourced, not run): finding the release
# binary, the generated archive they both work on, and starting `masthead serve` on it.
# Expects `repo`, `work` (a scratch directory, cleaned up by the caller) and `server_pid`.

die() { printf 'error: %s\n' "$*" >&2; exit 1; }
log() { printf '==> %s\n' "$*" >&2; }

# Prints the release binary: the one given, else $CARGO_TARGET_DIR's or target/'s.
find_bin() {
  local bin=$1 candidate
  if [ -z "$bin" ]; then
    for candidate in "${CARGO_TARGET_DIR:-}/release/masthead" "$repo/target/release/masthead"; do
      if [ -x "$candidate" ]; then bin=$candidate; break; fi
    done
  fi
  [ -x "$bin" ] || die "no release binary: run 'cargo build --release -p masthead' or pass --bin"
  printf '%s\n' "$bin"
}

# Copies an archive of N generated stories into $work/data, generating it once per size,
# migration set, generator and rendering under /var/tmp/masthead-bench/desk-N (an archive
# made under an older rendering would be rendered again by the server during the run).
copy_archive() {
  local bin=$1 stories=$2 cache_root=/var/tmp/masthead-bench fp cache
  fp=$(cat "$repo"/crates/masthead_store/migrations/sqlite/*.sql \
    "$repo"/crates/masthead/src/generate.rs "$repo"/crates/masthead_render/src/markdown.rs \
    | sha256sum | cut -c1-16)
  cache="$cache_root/desk-$stories"
  mkdir -p "$cache_root"
  if ! grep -qx "migrations=$fp" "$cache/.complete" 2>/dev/null; then
    rm -rf "$cache" "$cache.partial"
    mkdir -p "$cache.partial"
    log "generating $stories stories (cached at $cache)"
    "$bin" generate --data-dir "$cache.partial" --stories "$stories" >&2
    printf 'migrations=%s\n' "$fp" >"$cache.partial/.complete"
    mv "$cache.partial" "$cache"
  fi
  log "copying the archive"
  cp -r "$cache" "$work/data"
}

# Starts `masthead serve` on $work/data on a free loopback port; sets server_pid and port.
start_server() {
  local bin=$1
  "$bin" serve --data-dir "$work/data" --addr 127.0.0.1:0 >"$work/out" 2>"$work/err" &
  server_pid=$!
  port=""
  for _ in $(seq 1 2400); do # at most ~2 minutes
    if [[ "$(head -n 1 "$work/out" 2>/dev/null)" =~ listening\ on\ http://127\.0\.0\.1:([0-9]+) ]]; then
      port=${BASH_REMATCH[1]}
      return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/err" >&2; die "masthead serve exited"; }
    sleep 0.05
  done
  die "masthead did not start"
}

# Prints a results path that does not exist yet: bench/results/DATE-NAME.md, then -2, -3...
result_file() {
  local base n=2 out
  base="$repo/bench/results/$(date -u +%F)-$1"
  out="$base.md"
  while [ -e "$out" ]; do out="$base-$n.md"; n=$((n + 1)); done
  printf '%s\n' "$out"
}
