#!/usr/bin/env bash
# Runs every test on SQLite and PostgreSQL. Starts the local PostgreSQL cluster when it is down, and installs
# Chromium, ChromeDriver and axe-core for the browser tests when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${ACCORD_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "PostgreSQL is not running; starting it"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
# The browser tests drive Debian's Chromium through ChromeDriver.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    echo "Chromium or ChromeDriver is missing; installing Debian's chromium and chromium-driver"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# The browser tests check every page with axe-core, a pinned copy from the npm registry.
axe_version=4.11.0
if ! grep -qs "\"version\": \"$axe_version\"" target/axe/node_modules/axe-core/package.json; then
    echo "installing axe-core $axe_version for the accessibility checks"
    npm install --prefix target/axe --no-audit --no-fund --silent "axe-core@$axe_version"
fi
# The columnar engine's tests load DuckDB's prebuilt library, a pinned copy from the npm registry.
scripts/install-duckdb.sh >/dev/null
# Databases left behind by an interrupted earlier run.
psql "$pg_url" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'accord\_t\_%'" |
    while read -r name; do psql "$pg_url" -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)"; done

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace --locked 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole run (cargo prints one per test binary).
# The API fuzzed from its own OpenAPI document, by role (installs a pinned schemathesis on first use).
if [ "$status" -eq 0 ]; then
    set +e
    scripts/schemathesis.sh 2>&1 | tee -a "$log" | grep -E '^== |generated|FAILED|Failures|ST[0-9]+'
    status=${PIPESTATUS[0]}
    set -e
fi
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
