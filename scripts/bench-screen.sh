#!/usr/bin/env bash
# Screening accuracy and speed on the development set, side by side with the brute-force peer.
#
# Imports every list in ../shared/data into a fresh SQLite node (timed), screens the dev set with
# `accord screen batch` and with ../shared/peers/rapidfuzz_screen.py on the same lists and queries,
# scores both at several thresholds, then measures throughput on a large batch (the dev set repeated,
# whole process, index load included) and the engine's single-query latency.
# Then the same on a harder set built from the dev set by scripts/screen_hardset.py (invisible characters,
# look-alike letters, right-to-left overrides, line breaks, words glued in camel case, double typing errors,
# and the negatives with those tricks), and the engine's recall on the UN list's Arabic-script names when the
# index holds no Arabic-script name (the examples/devset.rs switches DROP_ARABIC_SCRIPT and ONLY_LIST), and a
# labelled set of name pairs scored by `accord screen compare` and by nomenklatura's LogicV2 (best F1).
# Usage: scripts/bench-screen.sh   (REPEAT=50 sets the size of the large batch; PEER=0 skips the peer)
set -euo pipefail
cd "$(dirname "$0")/.."
data="$(cd ../shared/data && pwd)"
peer="$(cd ../shared/peers && pwd)/rapidfuzz_screen.py"
repeat="${REPEAT:-50}"
run_peer="${PEER:-1}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ "$run_peer" != 0 ]; then
    python3 -c 'import rapidfuzz, numpy' 2>/dev/null || pip install -q --root-user-action=ignore rapidfuzz numpy
fi
cargo build --release --locked -q -p accord
bin="$PWD/target/release/accord"
variants="$data/names/persons.txt"
db="$work/accord.db"

# The dev set as screening input: id,name (query id q<i> is row i).
python3 - "$data/screening-dev/queries.csv" "$work/dev.csv" "$work/large.csv" "$repeat" <<'PY'
import csv, sys
src, dev, large, repeat = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rows = list(csv.DictReader(open(src, newline="", encoding="utf-8")))
with open(dev, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f); w.writerow(["id", "name"])
    for i, r in enumerate(rows): w.writerow([f"q{i}", r["query"]])
with open(large, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f); w.writerow(["id", "name"])
    for k in range(repeat):
        for i, r in enumerate(rows): w.writerow([f"q{i}-{k}", r["query"]])
PY
python3 scripts/screen_hardset.py --queries "$data/screening-dev/queries.csv" --output "$work/hard-queries.csv"
python3 - "$work/hard-queries.csv" "$work/hard.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f); w.writerow(["id", "name"])
    for i, r in enumerate(rows): w.writerow([f"q{i}", r["query"]])
PY
queries=$(($(wc -l < "$work/dev.csv") - 1))
large=$(($(wc -l < "$work/large.csv") - 1))

seconds() { python3 -c 'import sys,time; print(f"{time.time()-float(sys.argv[1]):.2f}")' "$1"; }

start=$(date +%s.%N)
"$bin" --db "$db" lists import "$data/ofac/sdn.csv" "$data/ofac/cons_prim.csv" "$data/un/UN_consolidated.xml" \
    "$data/eu" "$data/bis/dpl.txt" "$data/csl/csl.csv" 2>/dev/null
import_s=$(seconds "$start")
threshold=$("$bin" --db "$db" screen info | awk '/^default threshold:/ {print $3}')

start=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$work/accord.rss" "$bin" --db "$db" screen batch --name-variants "$variants" \
    --input "$work/dev.csv" --output "$work/accord.csv" --threshold 0.5 --limit 10
accord_dev_s=$(seconds "$start")

start=$(date +%s.%N)
"$bin" --db "$db" screen batch --name-variants "$variants" --input "$work/large.csv" --output "$work/large-out.csv" \
    --threshold "$threshold" --limit 10
accord_large_s=$(seconds "$start")

"$bin" --db "$db" screen batch --name-variants "$variants" --input "$work/hard.csv" --output "$work/accord-hard.csv" \
    --threshold 0.5 --limit 10

peer_s=0
echo "peer skipped" > "$work/peer.log"
if [ "$run_peer" != 0 ]; then
    start=$(date +%s.%N)
    python3 "$peer" --data "$data" --input "$work/dev.csv" --output "$work/peer.csv" --cutoff 0.5 --limit 10 2>"$work/peer.log"
    peer_s=$(seconds "$start")
    python3 "$peer" --data "$data" --input "$work/hard.csv" --output "$work/peer-hard.csv" --cutoff 0.5 --limit 10 2>/dev/null
fi

echo
python3 scripts/screen_eval.py --name accord --queries "$data/screening-dev/queries.csv" --results "$work/accord.csv" --default "$threshold"
echo
if [ "$run_peer" != 0 ]; then
    python3 scripts/screen_eval.py --name peer --queries "$data/screening-dev/queries.csv" --results "$work/peer.csv" --default 0.9
    echo
fi
echo "harder set (scripts/screen_hardset.py):"
python3 scripts/screen_eval.py --name accord-hard --queries "$work/hard-queries.csv" --results "$work/accord-hard.csv" --default "$threshold"
if [ "$run_peer" != 0 ]; then
    echo
    python3 scripts/screen_eval.py --name peer-hard --queries "$work/hard-queries.csv" --results "$work/peer-hard.csv" --default 0.9
fi
echo
echo "UN list's Arabic-script names against an index without Arabic-script names (engine only):"
python3 - "$data/un/UN_consolidated.xml" "$work/un-arabic.csv" <<'PY'
import csv, sys, xml.etree.ElementTree as ET
w = csv.writer(open(sys.argv[2], "w", newline="", encoding="utf-8"))
w.writerow(["query", "expected_list", "expected_id", "perturbation"])
for ind in ET.parse(sys.argv[1]).getroot().iter("INDIVIDUAL"):
    o = (ind.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
    if o and any("\u0600" <= c <= "\u06ff" for c in o):
        w.writerow([o, "un_sc", (ind.findtext("REFERENCE_NUMBER") or "").strip(), "arabic_script_unlisted"])
PY
ONLY_LIST=un_sc DROP_ARABIC_SCRIPT=1 QUERIES="$work/un-arabic.csv" ROUNDS=0 \
    cargo run --release --locked -q -p accord-screen --example devset -- "$data" | grep -E "threshold 0.8|0.70:|arabic_script"
echo
echo "labelled name pairs (scripts/screen_pairs.py): accord screen compare beside nomenklatura LogicV2"
python3 scripts/screen_pairs.py make --data "$data" --output "$work/pairs.csv"
"$bin" --db "$db" screen compare --name-variants "$variants" --input "$work/pairs.csv" --output "$work/pairs-accord.csv"
if [ "$run_peer" != 0 ] && { python3 -c 'import nomenklatura' 2>/dev/null || pip install -q --root-user-action=ignore nomenklatura; }; then
    python3 scripts/screen_pairs.py logic-v2 --input "$work/pairs.csv" --output "$work/pairs-logic-v2.csv"
    python3 scripts/screen_pairs.py f1 --pairs "$work/pairs.csv" --scores "$work/pairs-accord.csv" --scores "$work/pairs-logic-v2.csv"
else
    python3 scripts/screen_pairs.py f1 --pairs "$work/pairs.csv" --scores "$work/pairs-accord.csv"
fi
echo
echo "single in-process query latency (engine only):"
"$bin" --db "$db" screen latency --name-variants "$variants" --input "$work/dev.csv"
echo
python3 - "$queries" "$large" "$accord_dev_s" "$accord_large_s" "$peer_s" "$import_s" "$(cat "$work/accord.rss")" "$(cat "$work/peer.log")" <<'PY'
import sys
q, large, a_dev, a_large, p_dev, imp, rss_kb, peer_log = sys.argv[1:]
q, large, a_dev, a_large, p_dev = int(q), int(large), float(a_dev), float(a_large), float(p_dev)
a_qps, p_qps, l_qps = q / a_dev, q / max(p_dev, 1e-9), large / a_large
print(f"import of all lists: {float(imp):.2f} s")
if p_dev > 0:
    print(f"dev set ({q} queries, whole process incl. index load): accord {a_dev:.2f} s = {a_qps:,.0f} q/s; peer {p_dev:.2f} s = {p_qps:,.1f} q/s; ratio {a_qps / p_qps:,.0f}x")
else:
    print(f"dev set ({q} queries, whole process incl. index load): accord {a_dev:.2f} s = {a_qps:,.0f} q/s")
print(f"large batch ({large} queries, whole process incl. index load): accord {a_large:.2f} s = {l_qps:,.0f} q/s")
print(f"accord peak RSS (dev-set batch): {int(rss_kb) / 1024:.0f} MB")
print(f"peer: {peer_log.strip()}")
PY
