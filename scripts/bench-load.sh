#!/usr/bin/env bash
# Sustained load on loopback against a node on its default SQLite store holding every list in ../shared/data:
# screening, determinations and submissions, each for DURATION (default 60s) under wrk, while a second wrk asks
# /health throughout. Prints requests/s, errors and latency per endpoint, and the /health p99 under that load.
# Targets: >= 10,000 screens/s, >= 300 submissions/s, no errors, /health p99 under 10 ms.
# Usage: scripts/bench-load.sh   (DURATION=60s CONNECTIONS=32 to change the load)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release --locked -q
bin="$PWD/target/release/accord"
data="$PWD/../shared/data"
work="$(mktemp -d)"
duration="${DURATION:-60s}"
connections="${CONNECTIONS:-32}"
addr=127.0.0.1:18091
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

cat >"$work/load.lua" <<'LUA'
local counter = 0
local key = os.getenv("KEY")
local kind = os.getenv("KIND")
local names = { "Shenzhen Bright Future Trading Co., Ltd.", "Rosoboronexport", "Mahan Air", "Zhejiang University",
  "Korea Mining Development Trading Corporation", "Acme Photonics GmbH", "Bank Melli Iran", "Harbin Institute of Technology" }
local tx = [[{"date":"2025-12-01","origin":"DE","destination":"CN","end_use":{"category":"civil"},
  "items":[{"code":"3A001.a.1","description":"rad-hard ICs","quantity":10,"value":5000,"currency":"EUR","origin":"US"}],
  "parties":[{"role":"consignee","name":"%s","country":"CN","type":"organization"}]}]]
request = function()
  counter = counter + 1
  local name = names[(counter % #names) + 1]
  local headers = { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }
  if kind == "screen" then
    return wrk.format("POST", "/api/v1/screen", headers, string.format([[{"name":"%s"}]], name))
  elseif kind == "determine" then
    return wrk.format("POST", "/api/v1/determinations", headers, string.format(tx, name))
  else
    headers["Idempotency-Key"] = os.getenv("PREFIX") .. counter
    local body = string.format([[{"transaction":%s,"end_use_statement":"Radar research at a university laboratory"}]],
      string.format(tx, name .. " " .. counter))
    return wrk.format("POST", "/api/v1/applications?submit=true", headers, body)
  end
end
LUA

admin=$("$bin" --db "$work/load.db" admin bootstrap --email bench@example.org | tail -n 1)
run() { "$bin" --db "$work/load.db" "$@"; }
run authority add --id DE-BAFA --name BAFA --jurisdiction EU --country DE --time-zone Europe/Berlin >/dev/null
run authority add --id US-BIS --name BIS --jurisdiction US --country US --time-zone America/New_York >/dev/null
org=$(run org add --name "Acme Photonics GmbH" --country DE --size small --authority DE-BAFA | sed -n 's/.*"id": "\(org_[^"]*\)".*/\1/p' | head -1)
exporter=$(run user add --name Ex --email ex@acme.example --role exporter --org "$org" | sed -n 's/.*"id": "\(usr_[^"]*\)".*/\1/p' | head -1)
key=$(run key create --user "$exporter" | tail -n 1)
c="$data/controls"
run controls import --eu "$c/eu_annex_i_2025-11.json" --us "$c/us_ccl_headings.json" \
    --us-reasons "$c/us_ccl_cat3-5_reasons.json" --label 2025-11 --effective-date 2021-01-01 >/dev/null 2>&1
run lists import "$data/ofac/sdn.csv" "$data/ofac/cons_prim.csv" "$data/un/UN_consolidated.xml" \
    "$data/eu" "$data/bis/dpl.txt" "$data/csl/csl.csv" >/dev/null 2>&1
"$bin" --db "$work/load.db" --name-variants "$data/names/persons.txt" serve --bind "$addr" 2>"$work/serve.log" &
pid=$!
for _ in $(seq 1 300); do curl -fs "http://$addr/ready" >/dev/null 2>&1 && break; sleep 0.1; done
# Build the screening index first, as a running node does at start.
KEY="$key" KIND=screen wrk -t1 -c1 -d2s -s "$work/load.lua" "http://$addr" >/dev/null

echo "wrk: 1 thread and $connections connections per endpoint for $duration, and 1 thread with 2 connections on /health"
echo "at the same time; server, database and load share this machine's $(nproc) cores"
printf '%-12s %10s %12s %9s %9s %8s %8s %12s\n' endpoint requests requests/s p50 p99 non-2xx errors health-p99
for kind in screen determine submit; do
    KEY="$key" KIND="$kind" PREFIX="$kind-" wrk -t1 -c"$connections" -d"$duration" --latency -s "$work/load.lua" \
        "http://$addr" >"$work/$kind.out" &
    load=$!
    wrk -t1 -c2 -d"$duration" --latency "http://$addr/health" >"$work/$kind-health.out"
    wait "$load"
    out="$work/$kind.out"
    errors=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$out")
    printf '%-12s %10s %12s %9s %9s %8s %8s %12s\n' "$kind" "$(awk '/requests in/ {print $1}' "$out")" \
        "$(awk '/^Requests\/sec/ {print $2}' "$out")" "$(awk '$1 == "50%" {print $2}' "$out")" \
        "$(awk '$1 == "99%" {print $2}' "$out")" "$(awk '/Non-2xx/ {print $NF}' "$out" | grep . || echo 0)" \
        "${errors:-0}" "$(awk '$1 == "99%" {print $2}' "$work/$kind-health.out")"
done
