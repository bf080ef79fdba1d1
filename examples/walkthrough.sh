#!/usr/bin/env bash
# Accord end to end on two allied nodes, from the command line, with the example files beside this script:
#   1. two nodes (BAFA in de/, SBDU in fr/) with their keys exchanged, replicating with each other;
#   2. at BAFA, an exporter applies (application.json), an officer refuses (refusal.json) and a senior officer
#      countersigns, each with their own key: the refusal becomes a denial;
#   3. the denial reaches SBDU's node;
#   4. a second application (application-india.json) is approved (approval.json) and a shipment is reported against
#      its licence (shipment.json), which shows what is left.
# Usage: examples/walkthrough.sh   (ACCORD=path/to/accord, DATA=path/to/shared/data; it works in a fresh temporary
# folder and removes it at the end)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
accord="${ACCORD:-$here/../target/release/accord}"
data="${DATA:-$here/../../shared/data}"
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/de" "$work/fr"

at() { local node="$1"; shift; (cd "$work/$node" && "$accord" "$@"); }   # runs accord in a node's folder
field() { python3 -c "import json, sys; v = json.load(sys.stdin); print(eval('v' + sys.argv[1]))" "$1"; }
port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
step() { printf '\n== %s\n' "$*"; }

step "Two nodes, each speaking for its authority"
at de authority add --id DE-BAFA --name "Bundesamt für Wirtschaft und Ausfuhrkontrolle" --jurisdiction EU \
    --country DE --time-zone Europe/Berlin >/dev/null
at fr authority add --id FR-SBDU --name "Service des biens à double usage" --jurisdiction EU \
    --country FR --time-zone Europe/Paris >/dev/null
at de node init --authority DE-BAFA >/dev/null 2>&1
at fr node init --authority FR-SBDU >/dev/null 2>&1
de_key=$(at de node show | field '["public_key"]')
fr_key=$(at fr node show | field '["public_key"]')
de_port=$(port)
fr_port=$(port)
at de peers add --authority FR-SBDU --url "http://127.0.0.1:$fr_port" --key "$fr_key" >/dev/null
at fr peers add --authority DE-BAFA --url "http://127.0.0.1:$de_port" --key "$de_key" >/dev/null
(cd "$work/de" && exec "$accord" serve --bind "127.0.0.1:$de_port" --federation-interval 1s >"$work/de.out" 2>"$work/de.log") &
pids+=($!)
(cd "$work/fr" && exec "$accord" serve --bind "127.0.0.1:$fr_port" --federation-interval 1s >"$work/fr.out" 2>"$work/fr.log") &
pids+=($!)
for p in "$de_port" "$fr_port"; do
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$p/ready" >/dev/null 2>&1 && break; sleep 0.1; done
done
echo "BAFA on :$de_port and SBDU on :$fr_port replicate with each other"

step "At BAFA: the control list, an exporter, an officer and a senior officer, each with a key of their own"
controls="$data/controls"
at de controls import --eu "$controls/eu_annex_i_2025-11.json" --us "$controls/us_ccl_headings.json" \
    --us-reasons "$controls/us_ccl_cat3-5_reasons.json" --label 2025-11 --effective-date 2021-01-01 2>/dev/null
org=$(at de org add --name "Acme Photonics GmbH" --country DE --size small --authority DE-BAFA | field '["id"]')
person() { # name email role [--authority A | --org O]: prints the key of a new user
    local id
    id=$(at de user add --name "$1" --email "$2" --role "$3" "${@:4}" | field '["id"]')
    at de key create --user "$id" | tail -n 1
}
exporter=$(person "Erika Exporter" erika@acme.example exporter --org "$org")
officer=$(person "Olga Officer" olga@bafa.example officer --authority DE-BAFA)
senior=$(person "Sven Senior" sven@bafa.example senior_officer --authority DE-BAFA)
echo "keys made for the exporter, the officer and the senior officer"

step "The exporter applies; the officer refuses; the senior officer countersigns"
case_id=$(at de --api-key "$exporter" apply --input "$here/application.json" --submit | field '["outcomes"][0]["case_id"]')
echo "case $case_id opened"
at de --api-key "$officer" cases decide "$case_id" --input "$here/refusal.json" | field '["status"]'
at de --api-key "$senior" cases countersign "$case_id" --version 2 | field '["status"]'
denial=$(at de --json denials list | field '[0]["id"]')
echo "the refusal became denial $denial"

step "The denial reaches SBDU"
for _ in $(seq 1 100); do
    if at fr --json denials list | grep -q "$denial"; then break; fi
    sleep 0.2
done
at fr --json denials list | field '[0]["authority_id"] + " " + v[0]["id"] + " " + v[0]["status"]'

step "A second application is approved, and a shipment is drawn from its licence"
until=$(python3 -c 'import datetime; print(datetime.date.today().replace(year=datetime.date.today().year + 1))')
today=$(python3 -c 'import datetime; print(datetime.date.today())')
sed "s/VALID_UNTIL/$until/" "$here/approval.json" >"$work/approval.json"
sed "s/SHIPPED_ON/$today/" "$here/shipment.json" >"$work/shipment.json"
india=$(at de --api-key "$exporter" apply --input "$here/application-india.json" --submit | field '["outcomes"][0]["case_id"]')
licence=$(at de --api-key "$officer" cases decide "$india" --input "$work/approval.json" | field '["licence_id"]')
echo "licence $licence issued"
at de --api-key "$exporter" shipments report --licence "$licence" --input "$work/shipment.json" >/dev/null 2>&1
at de --api-key "$exporter" licences show "$licence" | python3 -c \
    'import json, sys; i = json.load(sys.stdin)["items"][0]; print("shipped", i["used_quantity"], "of", i["quantity"], "licensed")'

step "Every change at both nodes is in a hash-chained audit trail"
at de audit verify
at fr audit verify
