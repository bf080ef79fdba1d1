#!/usr/bin/env python3
"""Scores screening results against the development set.

Usage: screen_eval.py --queries queries.csv --results results.csv [--default T] [--name NAME]
queries.csv: the dev set (query, expected_list, expected_id, perturbation); row i is query id q<i>.
results.csv: id, rank, score, list, entity_id, ... (best first; produced with a low threshold).
Prints recall@1, recall@10 and the false-positive rate at several thresholds, and recall@1 per
perturbation and the false-positive rate per kind of negative (locale, or a label such as negative_tricks)
at the default threshold. A positive counts for recall@1 when its rank-1 hit at or
above the threshold is the expected list and entity; a negative is a false positive when any hit
is at or above the threshold.
"""
import argparse
import csv
import collections
import json
import sys


def load(queries_path, results_path):
    with open(queries_path, newline="", encoding="utf-8") as f:
        queries = [(f"q{i}", r) for i, r in enumerate(csv.DictReader(f))]
    hits = collections.defaultdict(list)
    with open(results_path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            hits[r["id"]].append((int(r["rank"]), float(r["score"]), r["list"], r["entity_id"]))
    for h in hits.values():
        h.sort()
    return queries, hits


def metrics(queries, hits, t):
    pos = neg = r1 = r10 = fp = 0
    per = collections.Counter()
    per_ok = collections.Counter()
    neg_kind = collections.Counter()
    neg_fp = collections.Counter()
    for qid, q in queries:
        above = [h for h in hits.get(qid, []) if h[1] >= t]
        if q["expected_id"]:
            pos += 1
            want = (q["expected_list"], q["expected_id"])
            kind = q["perturbation"]
            per[kind] += 1
            if above and (above[0][2], above[0][3]) == want:
                r1 += 1
                per_ok[kind] += 1
            if any((h[2], h[3]) == want for h in above[:10]):
                r10 += 1
        else:
            neg += 1
            # negative:<locale>:<kind> counts by locale; other labels (negative_tricks) as they are.
            kind = ":".join(q["perturbation"].split(":")[:2])
            neg_kind[kind] += 1
            if above:
                fp += 1
                neg_fp[kind] += 1
    return {
        "threshold": t,
        "recall_at_1": r1 / max(pos, 1),
        "recall_at_10": r10 / max(pos, 1),
        "false_positive_rate": fp / max(neg, 1),
        "per_perturbation": {k: per_ok[k] / per[k] for k in sorted(per)},
        "false_positives_by_kind": {k: neg_fp[k] / neg_kind[k] for k in sorted(neg_kind)},
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--default", type=float, required=True)
    ap.add_argument("--name", default="results")
    ap.add_argument("--json", help="write the figures here as JSON")
    a = ap.parse_args()
    queries, hits = load(a.queries, a.results)
    thresholds = sorted({a.default, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.91, 0.92, 0.93, 0.95})
    rows = [metrics(queries, hits, t) for t in thresholds]
    best = max((r for r in rows if r["false_positive_rate"] <= 0.01), key=lambda r: r["recall_at_1"], default=None)
    print(f"{a.name}: threshold  recall@1  recall@10  false-positive rate")
    for r in rows:
        mark = " (default)" if r["threshold"] == a.default else ""
        print(f"{a.name}:   {r['threshold']:.2f}     {r['recall_at_1']:.3f}     {r['recall_at_10']:.3f}      {r['false_positive_rate']:.4f}{mark}")
    d = next(r for r in rows if r["threshold"] == a.default)
    print(f"{a.name}: recall@1 by perturbation at {a.default:.2f}: " + ", ".join(f"{k} {v:.3f}" for k, v in d["per_perturbation"].items()))
    print(f"{a.name}: false-positive rate by kind of negative at {a.default:.2f}: " + ", ".join(f"{k} {v:.4f}" for k, v in d["false_positives_by_kind"].items()))
    if best:
        print(f"{a.name}: best recall@1 with FP <= 1%: {best['recall_at_1']:.3f} at threshold {best['threshold']:.2f}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"default": d, "sweep": rows, "best_at_1pct_fp": best}, f)


if __name__ == "__main__":
    sys.exit(main())
