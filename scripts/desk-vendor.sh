#!/usr/bin/env bash
# Rebuilds the desk's vendored scripts under themes/default/static/desk/vendor/ from npm, at
# the pinned versions below: fetches each package's tarball with `npm pack`, checks its
# SHA-512 integrity against the pin, and copies the browser ES module and its licence.
# The copies are committed and embedded in the binary (masthead_render::desk_assets), so a
# build needs neither npm nor the network; run this only to check or change a pin.
#   scripts/desk-vendor.sh           re-fetch and overwrite the copies
#   scripts/desk-vendor.sh --check   fail if the committed copies differ from the pinned ones
set -euo pipefail
cd "$(dirname "$0")/.."

# turndown: HTML to Markdown, for pasting from Google Docs, Word and web pages (editor.js).
turndown_version=7.2.5
turndown_integrity=sha512-EKZvCCFHh8sWttpAMs10U6niZFJ2cpz8LkCPlylxoG4JcHF50J7EHnnBW3AY1qXtUMu7kDjCp7dnggB1sIbqEQ==

vendor=themes/default/static/desk/vendor
check=false
[ "${1:-}" = "--check" ] && check=true
command -v npm >/dev/null || { echo "error: needs npm (sudo apt-get install npm)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent --json "turndown@$turndown_version" >pack.json)
integrity=$(sed -n 's/.*"integrity": *"\([^"]*\)".*/\1/p' "$work/pack.json" | head -n 1)
if [ "$integrity" != "$turndown_integrity" ]; then
  echo "error: turndown $turndown_version from npm has integrity $integrity, pinned $turndown_integrity" >&2
  exit 1
fi
tar -xzf "$work/turndown-$turndown_version.tgz" -C "$work"
mkdir -p "$work/out"
{
  echo "// turndown $turndown_version (https://github.com/mixmark-io/turndown), MIT licence: see turndown.LICENSE."
  echo "// Copied unchanged from the npm package's lib/turndown.browser.es.js by scripts/desk-vendor.sh."
  cat "$work/package/lib/turndown.browser.es.js"
} >"$work/out/turndown.js"
cp "$work/package/LICENSE" "$work/out/turndown.LICENSE"

if $check; then
  for f in turndown.js turndown.LICENSE; do
    cmp -s "$work/out/$f" "$vendor/$f" || { echo "error: $vendor/$f differs from turndown $turndown_version" >&2; exit 1; }
  done
  echo "vendored scripts match their pins"
else
  mkdir -p "$vendor"
  cp "$work/out/turndown.js" "$work/out/turndown.LICENSE" "$vendor/"
  echo "copied turndown $turndown_version into $vendor"
fi
