#!/usr/bin/env bash
# Submits 10,000 licence applications through the HTTP API (POST /api/v1/applications?submit=true, each with two
# screened parties, two items, its own Idempotency-Key) to a node holding every list in ../shared/data, and prints
# submissions/s and latency percentiles, on SQLite and on PostgreSQL.
# Usage: scripts/bench-applications.sh   (DURATION=60s CONNECTIONS=16 to change the load)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release --locked -q
bin="$PWD/target/release/accord"
data="$PWD/../shared/data"
work="$(mktemp -d)"
total="${TOTAL:-10000}"
duration="${DURATION:-60s}"
connections="${CONNECTIONS:-16}"
pg_admin="${ACCORD_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"
addr=127.0.0.1:18090
pg_db=accord_bench_apps_$$
trap 'psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

cat >"$work/submit.lua" <<'LUA'
local counter = 0
local seen = 0
local total = tonumber(os.getenv("TOTAL"))
local key = os.getenv("KEY")
local org = os.getenv("ORG")
local prefix = os.getenv("PREFIX")
local consignees = { "Shenzhen Bright Future Trading Co., Ltd.", "Guangzhou Precision Instruments Ltd", "Tianjin Harbour Logistics",
  "Chengdu Optical Components Co.", "Wuhan Laser Systems Ltd", "Suzhou Semiconductor Supply" }
local end_users = { "Harbin Institute of Technology", "Zhejiang University", "Beijing Radar Laboratory", "Nanjing Photonics Institute" }
request = function()
  counter = counter + 1
  local body = string.format([[{"organisation_id":"%s","transaction":{"date":"2025-12-01","origin":"DE","destination":"CN",
    "end_use":{"category":"civil","statement":"university research"},
    "items":[{"code":"3A001.a.1","description":"rad-hard ICs","quantity":10,"value":5000,"currency":"EUR","origin":"US"},
             {"code":null,"description":"cables","quantity":100,"value":300,"currency":"EUR"}],
    "parties":[{"role":"consignee","name":"%s %d","country":"CN","type":"organization"},
               {"role":"end_user","name":"%s","country":"CN","type":"organization"}]},
    "end_use_statement":"Radar research at a university laboratory",
    "declarations":{"no_wmd_end_use":true,"no_military_end_use":true,"no_reexport_without_consent":true}}]],
    org, consignees[(counter % #consignees) + 1], counter, end_users[(counter % #end_users) + 1])
  return wrk.format("POST", "/api/v1/applications?submit=true",
    { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json", ["Idempotency-Key"] = prefix .. counter }, body)
end
response = function(status, headers, body)
  seen = seen + 1
  if status ~= 201 and seen < 5 then io.stderr:write("status " .. status .. ": " .. string.sub(body, 1, 300) .. "\n") end
end
LUA

bench() { # backend db-url
    local db="$2" admin pid org exporter key
    admin=$("$bin" --db "$db" admin bootstrap --email bench@example.org | tail -n 1)
    "$bin" --db "$db" authority add --id DE-BAFA --name BAFA --jurisdiction EU --country DE --time-zone Europe/Berlin >/dev/null
    "$bin" --db "$db" authority add --id US-BIS --name BIS --jurisdiction US --country US --time-zone America/New_York >/dev/null
    org=$("$bin" --db "$db" org add --name "Acme Photonics GmbH" --country DE --size small --authority DE-BAFA | sed -n 's/.*"id": "\(org_[^"]*\)".*/\1/p' | head -1)
    exporter=$("$bin" --db "$db" user add --name Ex --email ex@acme.example --role exporter --org "$org" | sed -n 's/.*"id": "\(usr_[^"]*\)".*/\1/p' | head -1)
    key=$("$bin" --db "$db" key create --user "$exporter" | tail -n 1)
    local c="$data/controls"
    "$bin" --db "$db" controls import --eu "$c/eu_annex_i_2025-11.json" --us "$c/us_ccl_headings.json" \
        --us-reasons "$c/us_ccl_cat3-5_reasons.json" --label 2025-11 --effective-date 2021-01-01 >/dev/null 2>&1
    "$bin" --db "$db" lists import "$data/ofac/sdn.csv" "$data/ofac/cons_prim.csv" "$data/un/UN_consolidated.xml" \
        "$data/eu" "$data/bis/dpl.txt" "$data/csl/csl.csv" >/dev/null 2>&1
    "$bin" --db "$db" --name-variants "$data/names/persons.txt" serve --bind "$addr" 2>"$work/$1.log" &
    pid=$!
    for _ in $(seq 1 300); do curl -fs "http://$addr/ready" >/dev/null 2>&1 && break; sleep 0.1; done
    # One submission first: it builds the screening index, as a running node does at start.
    TOTAL=1 KEY="$key" ORG="$org" PREFIX=warm- wrk -t1 -c1 -d2s -s "$work/submit.lua" "http://$addr" >/dev/null
    local out rps p50 p99 non2xx
    out=$(TOTAL="$total" KEY="$key" ORG="$org" PREFIX=run- wrk -t1 -c"$connections" -d"$duration" --latency -s "$work/submit.lua" "http://$addr")
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    printf '%-9s %10s %12s %10s %10s %8s\n' "$1" "$(awk '/requests in/ {print $1}' <<<"$out")" "$rps" "$p50" "$p99" "${non2xx:-0}"
    kill -TERM "$pid"
    wait "$pid"
}

echo "wrk: 1 thread, $connections connections, $duration per run; server, database and load share this machine's $(nproc) cores"
printf '%-9s %10s %12s %10s %10s %8s\n' backend requests submissions/s p50 p99 non-2xx
bench sqlite "$work/bench.db"
psql "$pg_admin" -qc "CREATE DATABASE $pg_db"
bench postgres "${pg_admin%/*}/$pg_db"
