#!/usr/bin/env bash
# Export declarations at scale, Accord side by side with its peer: see crates/accord-app/benches/declarations_scale.rs.
# Installs DuckDB and psycopg (pinned) into target/bench-venv on first use, and the DuckDB library Accord loads
# (scripts/install-duckdb.sh), then runs the benchmark.
# Usage: scripts/bench-declarations.sh   (ROWS=10000000 for ten million declarations; PEER=0 skips the peer)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-venv
if [ "${PEER:-1}" != 0 ]; then
    if ! "$venv/bin/python" -c 'import duckdb, psycopg' 2>/dev/null; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check "duckdb==1.1.3" "psycopg[binary]==3.2.3"
    fi
    export PEER_PYTHON="$PWD/$venv/bin/python"
fi
scripts/install-duckdb.sh >/dev/null
exec cargo bench --locked -p accord-app --bench declarations_scale
