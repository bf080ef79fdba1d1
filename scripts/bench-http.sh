#!/usr/bin/env bash
# Load figures on loopback: requests/s and p99 latency for /health and for an authenticated read
# (/api/v1/me: key lookup, hash check, user lookup), on SQLite and on PostgreSQL.
# Usage: scripts/bench-http.sh   (DURATION=10s CONNECTIONS=32 to change the load)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release --locked -q
bin="$PWD/target/release/accord"
work="$(mktemp -d)"
duration="${DURATION:-10s}"
connections="${CONNECTIONS:-32}"
pg_admin="${ACCORD_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"
addr=127.0.0.1:18089
pg_db=accord_bench_$$
trap 'psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

load() { # backend target [header]
    local out
    if [ $# -eq 3 ]; then
        out=$(wrk -t1 -c"$connections" -d"$duration" --latency -H "$3" "http://$addr$2")
    else
        out=$(wrk -t1 -c"$connections" -d"$duration" --latency "http://$addr$2")
    fi
    local rps p99 errors
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    printf '%-9s %-16s %12s %10s %8s\n' "$1" "$2" "$rps" "$p99" "${errors:-0}"
}

bench() { # backend db-url
    local key pid
    key=$("$bin" --db "$2" admin bootstrap --email bench@example.org | tail -n 1)
    "$bin" serve --db "$2" --bind "$addr" 2>"$work/$1.log" &
    pid=$!
    for _ in $(seq 1 100); do curl -fs "http://$addr/ready" >/dev/null 2>&1 && break; sleep 0.1; done
    load "$1" /health
    load "$1" /api/v1/me "Authorization: Bearer $key"
    kill -TERM "$pid"
    wait "$pid"
}

echo "wrk: 1 thread, $connections connections, $duration per run; server and load share this machine's $(nproc) cores"
printf '%-9s %-16s %12s %10s %8s\n' backend target requests/s p99 non-2xx
bench sqlite "$work/bench.db"
psql "$pg_admin" -qc "CREATE DATABASE $pg_db"
bench postgres "${pg_admin%/*}/$pg_db"
