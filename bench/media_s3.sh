#!/usr/bin/env bash
# Media on object storage (issue 17, part 5): upload time and /media/NAME latency with the
# images in a Garage bucket on loopback against local files, one `masthead serve` each on
# SQLite, one request at a time (crates/masthead/examples/media_timings.rs). Prints one line
# per storage; the figures are in docs/PERFORMANCE.md, "Media on object storage".
#
# usage: bench/media_s3.sh [--release] [--uploads 10] [--gets 300]
#
# Builds masthead and the example (debug unless --release) into $CARGO_TARGET_DIR. Needs
# Garage: MASTHEAD_TEST_GARAGE, or the pinned one scripts/test.sh installs under
# ~/.cache/masthead-tools (run scripts/test.sh once), or `garage` on PATH.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
profile=debug uploads=10 gets=300
while [ $# -gt 0 ]; do
  case "$1" in
    --release) profile=release; shift ;;
    --uploads) uploads=${2:?}; shift 2 ;;
    --gets) gets=${2:?}; shift 2 ;;
    *) sed -n '7p' "$0" | sed 's/^# //' >&2; exit 2 ;;
  esac
done
flags=()
[ "$profile" = release ] && flags=(--release)
cd "$repo"
cargo build "${flags[@]}" -p masthead --bin masthead --example media_timings
target=${CARGO_TARGET_DIR:-$repo/target}/$profile
"$target/examples/media_timings" "$target/masthead" "$uploads" "$gets"
