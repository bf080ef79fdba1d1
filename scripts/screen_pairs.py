#!/usr/bin/env python3
"""A labelled set of name pairs for `screen compare`, and its scoring beside nomenklatura's LogicV2.

Usage:
  screen_pairs.py make --data ../shared/data --output pairs.csv       # write the pairs (seed 5)
  screen_pairs.py logic-v2 --input pairs.csv --output logic.csv       # score them with nomenklatura LogicV2
  screen_pairs.py f1 --pairs pairs.csv --scores accord.csv [--scores logic.csv …] [--at 0.8]   # best F1 of each

pairs.csv: id,left,right,type,label,class (label 1 = same party, 0 = different parties). The pairs are built at
run time from the shared data (never stored in the repository) and from made-up names:
  true pairs   cross_script (UN names against their original script; EU names against their Cyrillic alias),
               nickname (two forms of one given name from names/persons.txt, same family name), glued
               (`First Last` / `FirstLast`), initialism (`ABC …` / `A.B.C. …`), number_words (`Forty-Four …` /
               `44 …`), honorific (`Dr. …` / the name), legal_form (one company, two forms of its legal form)
  hard negatives same_family (two given names of different groups, one family name), one_word_apart
               (companies differing in one word: `… Oil Company` / `… Gas Company`), swapped_initials
               (`A.B.C. …` / `C.B.A. …`), other_number (`44 …` / `45 …`), korean_one_syllable and
               japanese_one_character (names one character apart)
scores.csv: id,score (the output of `accord screen compare` has these columns; others are ignored).
LogicV2 needs `pip install nomenklatura`.
"""
import argparse
import csv
import random
import sys
import xml.etree.ElementTree as ET

WORDS = ["Oil", "Gas", "Steel", "Trading", "Shipping", "Energy", "Marine", "Chemical", "Textile", "Cement",
         "Aviation", "Electronics", "Mining", "Logistics", "Pharma", "Grain", "Tobacco", "Cotton"]
PLACES = ["Saudi Arabian", "Gulf", "Caspian", "Baltic", "Pacific", "Atlantic", "Nordic", "Eastern", "Southern",
          "Central Asian", "Danube", "Andean", "Sahara", "Aegean", "Levant", "Volga"]
NUMBERS = {1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight", 9: "Nine"}
TENS = {20: "Twenty", 30: "Thirty", 40: "Forty", 50: "Fifty", 60: "Sixty", 70: "Seventy", 80: "Eighty", 90: "Ninety"}
LEGAL = [("LLC", "Limited Liability Company"), ("JSC", "Joint Stock Company"), ("Co.", "Company"),
         ("Corp.", "Corporation"), ("FZCO", "Free Zone Company"), ("Ltd", "Limited")]
TITLES = ["Dr.", "Mr.", "Sheikh", "Prof.", "Gen.", "Haji"]
HANGUL = "김이박최정강조윤장임민서준지현수영호진우성경미숙희연동철"
KANJI = "田中山本木村井上松下川口小林高橋佐藤伊藤渡辺加太郎次一男子美和"


def persons(path, rng):
    """Name-form groups of the variant table: Latin forms of 3 to 12 letters, groups with at least two."""
    groups = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            left = line.rsplit("=>", 1)[0]
            forms = sorted({x.strip() for x in left.split(",") if x.strip().isascii() and x.strip().isalpha() and 3 <= len(x.strip()) <= 12})
            if forms:
                groups.append(forms)
    rng.shuffle(groups)
    return groups


def number_words(n):
    if n < 10:
        return NUMBERS[n]
    t, u = (n // 10) * 10, n % 10
    return TENS[t] + ("-" + NUMBERS[u] if u else "")


def make(a):
    rng = random.Random(5)
    out = []

    def add(left, right, kind, label, cls):
        out.append((f"p{len(out)}", left, right, kind, label, cls))

    # cross_script: the UN list's original-script names against the list's own Latin name.
    root = ET.parse(f"{a.data}/un/UN_consolidated.xml").getroot()
    un = []
    for ind in root.iter("INDIVIDUAL"):
        o = (ind.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
        latin = " ".join(x for x in (ind.findtext(t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")) if x and x.strip())
        if o and latin:
            un.append((o, latin))
    for o, latin in rng.sample(un, min(80, len(un))):
        add(o, latin, "person", 1, "cross_script")
    # EU names with a Cyrillic alias.
    eu = []
    with open(f"{a.data}/eu/32014R0269.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r.get("schema") != "Person":
                continue
            for alias in (r.get("alias") or "").split(";"):
                # "Russian form / Ukrainian form" in one alias: the first.
                alias = alias.split(" / ")[0].strip()
                if alias and any("\u0400" <= c <= "\u04ff" for c in alias) and r["name"].isascii():
                    eu.append((alias, r["name"]))
                    break
    for o, latin in rng.sample(eu, min(80, len(eu))):
        add(o, latin, "person", 1, "cross_script")
    groups = persons(f"{a.data}/names/persons.txt", rng)
    multi = [g for g in groups if len(g) >= 2]
    families = [g[0] for g in groups[:20000]]
    for g in multi[:100]:
        x, y = rng.sample(g, 2)
        fam = rng.choice(families).capitalize()
        add(f"{x.capitalize()} {fam}", f"{y.capitalize()} {fam}", "person", 1, "nickname")
    for _ in range(60):
        first, last = rng.choice(families).capitalize(), rng.choice(families).capitalize()
        add(f"{first}{last}", f"{first} {last}", "person", 1, "glued")
    for _ in range(40):
        place, word = rng.choice(PLACES).split()[0], rng.choice(WORDS)
        add(f"{place}{word} AG", f"{place} {word} AG", "organization", 1, "glued")
    for _ in range(60):
        letters = "".join(rng.sample("ABCDEFGHKLMNPRSTUVZ", rng.randint(2, 4)))
        word = rng.choice(WORDS)
        add(f"{letters} {word} Company", ".".join(letters) + f". {word} Company", "organization", 1, "initialism")
        swapped = letters[::-1]
        add(".".join(swapped) + f". {word} Company", ".".join(letters) + f". {word} Company", "organization", 0, "swapped_initials")
    for _ in range(50):
        n = rng.randint(20, 99)
        word = rng.choice(WORDS)
        add(f"{number_words(n)} {word} Brigade", f"{n} {word} Brigade", "organization", 1, "number_words")
        add(f"{n} {word} Brigade", f"{n + rng.choice([1, 2, 10])} {word} Brigade", "organization", 0, "other_number")
    for _ in range(50):
        first, last = rng.choice(families).capitalize(), rng.choice(families).capitalize()
        add(f"{rng.choice(TITLES)} {first} {last}", f"{last.upper()}, {first}", "person", 1, "honorific")
    for _ in range(60):
        name = f"{rng.choice(PLACES)} {rng.choice(WORDS)}"
        short, long = rng.choice(LEGAL)
        add(f"{name} {short}", f"{name.upper()} {long.upper()}", "organization", 1, "legal_form")
    # Hard negatives.
    for _ in range(100):
        g1, g2 = rng.sample(multi[100:], 2)
        fam = rng.choice(families).capitalize()
        add(f"{g1[0].capitalize()} {fam}", f"{g2[0].capitalize()} {fam}", "person", 0, "same_family")
    for _ in range(100):
        place = rng.choice(PLACES)
        w1, w2 = rng.sample(WORDS, 2)
        add(f"{place} {w1} Company", f"{place} {w2} Company", "organization", 0, "one_word_apart")
    for _ in range(40):
        name = [rng.choice(HANGUL) for _ in range(3)]
        other = name[:]
        other[rng.randint(1, 2)] = rng.choice([c for c in HANGUL if c not in name])
        add("".join(name), "".join(other), "person", 0, "korean_one_syllable")
        kanji = [rng.choice(KANJI) for _ in range(4)]
        other = kanji[:]
        other[rng.randint(2, 3)] = rng.choice([c for c in KANJI if c not in kanji])
        add("".join(kanji), "".join(other), "person", 0, "japanese_one_character")
    with open(a.output, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "left", "right", "type", "label", "class"])
        w.writerows(out)
    print(f"{len(out)} pairs, {sum(1 for p in out if p[4] == 1)} true", file=sys.stderr)


def logic_v2(a):
    from followthemoney import model
    from nomenklatura.matching import get_algorithm
    from nomenklatura.matching.types import ScoringConfig

    algo = get_algorithm("logic-v2")
    config = ScoringConfig.defaults()
    with open(a.input, newline="", encoding="utf-8") as f, open(a.output, "w", newline="", encoding="utf-8") as o:
        w = csv.writer(o)
        w.writerow(["id", "score"])
        for r in csv.DictReader(f):
            schema = "Person" if r["type"] == "person" else "Organization"
            left, right = model.make_entity(schema), model.make_entity(schema)
            # Unique ids: the algorithm caches what it derives from an entity by its id.
            left.id, right.id = f"{r['id']}-left", f"{r['id']}-right"
            left.add("name", r["left"])
            right.add("name", r["right"])
            w.writerow([r["id"], f"{algo.compare(left, right, config).score:.4f}"])


def f1(a):
    with open(a.pairs, newline="", encoding="utf-8") as f:
        pairs = {r["id"]: r for r in csv.DictReader(f)}
    for path in a.scores:
        with open(path, newline="", encoding="utf-8") as f:
            scores = {r["id"]: float(r["score"]) if r["score"] else 0.0 for r in csv.DictReader(f)}
        best = (0.0, 0.0, 0.0, 0.0)
        for t in [x / 100 for x in range(30, 100)]:
            tp = sum(1 for i, p in pairs.items() if p["label"] == "1" and scores.get(i, 0) >= t)
            fp = sum(1 for i, p in pairs.items() if p["label"] == "0" and scores.get(i, 0) >= t)
            fn = sum(1 for i, p in pairs.items() if p["label"] == "1" and scores.get(i, 0) < t)
            prec = tp / max(tp + fp, 1)
            rec = tp / max(tp + fn, 1)
            score = 2 * prec * rec / max(prec + rec, 1e-9)
            if score > best[0]:
                best = (score, t, prec, rec)
        at = a.at
        tp = sum(1 for i, p in pairs.items() if p["label"] == "1" and scores.get(i, 0) >= at)
        fp = sum(1 for i, p in pairs.items() if p["label"] == "0" and scores.get(i, 0) >= at)
        fn = sum(1 for i, p in pairs.items() if p["label"] == "1" and scores.get(i, 0) < at)
        f1_at = 2 * tp / max(2 * tp + fp + fn, 1)
        score, t = best[0], best[1]
        classes = {}
        for i, p in pairs.items():
            ok = (scores.get(i, 0) >= t) == (p["label"] == "1")
            n, k = classes.get(p["class"], (0, 0))
            classes[p["class"]] = (n + 1, k + int(ok))
        print(f"{path}: best F1 {score:.3f} at {t:.2f} (precision {best[2]:.3f}, recall {best[3]:.3f}); F1 at {at:.2f}: {f1_at:.3f}")
        print("  right at that threshold: " + ", ".join(f"{c} {k}/{n}" for c, (n, k) in sorted(classes.items())))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("--data", required=True)
    m.add_argument("--output", required=True)
    l = sub.add_parser("logic-v2")
    l.add_argument("--input", required=True)
    l.add_argument("--output", required=True)
    s = sub.add_parser("f1")
    s.add_argument("--pairs", required=True)
    s.add_argument("--scores", action="append", required=True)
    s.add_argument("--at", type=float, default=0.8, help="also the F1 at this threshold")
    a = ap.parse_args()
    {"make": make, "logic-v2": logic_v2, "f1": f1}[a.cmd](a)


if __name__ == "__main__":
    main()
