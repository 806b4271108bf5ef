#!/usr/bin/env bash
# Shows that sitemaps stream in bounded memory: serves an existing data directory (fill one
# with `masthead generate --data-dir DIR --stories N`), reads the sitemap index and every
# sitemap it lists, whole, then the first stories sitemap again through a reader limited to
# 200 KB/s, then the site's feeds and a section's, and prints the server's peak resident
# memory (VmHWM) and heap (RssAnon) after start and after each file, with the file's
# addresses and bytes.
#
#   bench/sitemap_memory.sh DATA_DIR [BIN]     (BIN: default $CARGO_TARGET_DIR/release/masthead,
#                                               else target/release/masthead)
set -euo pipefail
data_dir=${1:?usage: bench/sitemap_memory.sh DATA_DIR [BIN]}
bin=${2:-}
if [ -z "$bin" ]; then
  for candidate in "${CARGO_TARGET_DIR:-target}/release/masthead" target/release/masthead; do
    [ -x "$candidate" ] && bin=$candidate && break
  done
fi
[ -x "${bin:-}" ] || { echo "error: no masthead binary; build one (cargo build --release -p masthead) or pass its path" >&2; exit 1; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
log=$(mktemp)
"$bin" serve --data-dir "$data_dir" --addr "127.0.0.1:$port" --base-url https://news.example.org >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 600); do
  grep -q "listening on" "$log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
mem() { awk -v k="$1" '$1 == k":" { printf "%.1f MB", $2 / 1024 }' "/proc/$pid/status"; }
# Peak resident memory, and the heap's share of what is resident now (RssAnon: not the
# binary's own pages or shared libraries).
mems() { echo "VmHWM $(mem VmHWM), RssAnon $(mem RssAnon)"; }

echo "binary: $bin"
echo "database: $(du -h "$data_dir/masthead.db" | cut -f1), $(sqlite3 "$data_dir/masthead.db" 'SELECT COUNT(*) FROM articles' 2>/dev/null || echo '?') stories"
echo "after start: $(mems)"
index=$(curl -sf "$base/sitemap.xml")
echo "$index" | grep -o '<loc>[^<]*</loc>' | sed 's/<[^>]*>//g' | sed "s|https://news.example.org|$base|" |
  while read -r url; do
    out=$(curl -sf -o /tmp/sitemap-memory.xml -w '%{size_download} %{time_total}' "$url")
    urls=$(grep -o '<url>' /tmp/sitemap-memory.xml | wc -l)
    echo "${url#"$base"}: $urls addresses, ${out% *} bytes in ${out#* } s; $(mems)"
  done
first=$(echo "$index" | grep -o 'sitemaps/stories-1.xml' | head -n 1 || true)
if [ -n "$first" ]; then
  out=$(curl -sf --limit-rate 200K -o /dev/null -w '%{size_download} %{time_total}' "$base/$first")
  echo "/$first at 200 KB/s: ${out% *} bytes in ${out#* } s; $(mems)"
fi
# Feeds hold the 30 newest stories whatever the archive; read every site feed and the first
# section's, with and without compression (the page cache keeps brotli and gzip copies).
section=$(curl -sf "$base/sitemaps/sections.xml" | grep -o '/section/[^<]*' | head -n 1 || true)
for feed in /feed.xml /atom.xml /feed.json ${section:+$section/feed.xml}; do
  for coding in identity br; do
    out=$(curl -sf -H "Accept-Encoding: $coding" -o /dev/null -w '%{size_download} %{time_total}' "$base$feed")
    echo "$feed ($coding): ${out% *} bytes in ${out#* } s; $(mems)"
  done
done
rm -f /tmp/sitemap-memory.xml
