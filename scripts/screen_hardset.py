#!/usr/bin/env python3
"""Builds a harder screening set from the development set: the tricks someone uses to slip a listed name past
screening, and the spellings the development set leaves out.

Usage: screen_hardset.py --queries ../shared/data/screening-dev/queries.csv --output hard.csv [--per-class 250]
Reads the development set (query, expected_list, expected_id, perturbation) and writes the same columns, with
one perturbation class per row (seed 12, so the set is the same on every run):
  invisible        one to three invisible characters inside words (zero-width space, joiners, word joiner,
                   byte-order mark, soft hyphen, combining grapheme joiner, variation selector)
  homoglyph        one or two Latin letters replaced by a Greek or Cyrillic letter that looks the same
  rtl_override     the name reversed inside a right-to-left override, so that it displays as the listed name
  line_break       a space replaced by a line break or a tab
  camel_glued      two words glued in camel case (`IvanPetrov`)
  double_typo      two typing errors, in two words of four letters or more
  negative_tricks  unrelated names (the development negatives) with invisible characters or a homoglyph:
                   the tricks must not make them match
Positives keep their expected list and entity; negatives have them empty. The set is written where asked,
never into the repository (it is derived from the shared data).
"""
import argparse
import csv
import random

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u034f", "\ufe0f"]
# Latin letter -> letters of other alphabets that look the same (Greek, Cyrillic), upper and lower case.
HOMOGLYPHS = {
    "A": "\u0391\u0410", "B": "\u0392\u0412", "E": "\u0395\u0415", "H": "\u0397\u041d", "I": "\u0399\u0406",
    "K": "\u039a\u041a", "M": "\u039c\u041c", "N": "\u039d", "O": "\u039f\u041e", "P": "\u03a1\u0420",
    "T": "\u03a4\u0422", "X": "\u03a7\u0425", "Y": "\u03a5\u0423", "Z": "\u0396", "C": "\u0421", "S": "\u0405",
    "a": "\u0430\u03b1", "e": "\u0435", "o": "\u043e\u03bf", "p": "\u0440\u03c1", "c": "\u0441", "x": "\u0445",
    "y": "\u0443", "i": "\u0456", "s": "\u0455", "j": "\u0458",
}
KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


def words(name):
    return name.split(" ")


def invisible(rng, name):
    chars = list(name)
    spots = [i for i in range(1, len(chars)) if chars[i - 1].isalpha() and chars[i].isalpha()]
    if not spots:
        return None
    for i in sorted(rng.sample(spots, min(len(spots), rng.randint(1, 3))), reverse=True):
        chars.insert(i, rng.choice(INVISIBLE))
    return "".join(chars)


def homoglyph(rng, name):
    chars = list(name)
    spots = [i for i, c in enumerate(chars) if c in HOMOGLYPHS]
    if not spots:
        return None
    for i in rng.sample(spots, min(len(spots), rng.randint(1, 2))):
        chars[i] = rng.choice(HOMOGLYPHS[chars[i]])
    return "".join(chars)


def rtl_override(rng, name):
    return "\u202e" + name[::-1] + "\u202c"


def line_break(rng, name):
    spots = [i for i, c in enumerate(name) if c == " "]
    if not spots:
        return None
    i = rng.choice(spots)
    return name[:i] + rng.choice(["\n", "\t", "\r\n"]) + name[i + 1:]


def camel_glued(rng, name):
    ws = words(name.replace(",", ""))
    pairs = [i for i in range(len(ws) - 1) if len(ws[i]) >= 3 and len(ws[i + 1]) >= 3 and ws[i].isalpha() and ws[i + 1].isalpha()]
    if not pairs:
        return None
    i = rng.choice(pairs)
    glued = ws[i].capitalize() + ws[i + 1].capitalize()
    return " ".join(ws[:i] + [glued] + ws[i + 2:])


def typo(rng, w):
    i = rng.randrange(1, len(w))
    kind = rng.choice(["sub", "del", "dup", "swap"])
    c = w[i].lower()
    if kind == "sub" and c in KEYBOARD:
        k = KEYBOARD.index(c)
        n = KEYBOARD[max(0, k - 1)] if rng.random() < 0.5 else KEYBOARD[min(len(KEYBOARD) - 1, k + 1)]
        n = n.upper() if w[i].isupper() else n
        return w[:i] + n + w[i + 1:]
    if kind == "del":
        return w[:i] + w[i + 1:]
    if kind == "dup":
        return w[:i] + w[i] + w[i:]
    if i + 1 < len(w):
        return w[:i] + w[i + 1] + w[i] + w[i + 2:]
    return w[:i] + w[i] + w[i:]


def double_typo(rng, name):
    ws = words(name)
    long = [i for i, w in enumerate(ws) if len(w.strip(",.")) >= 4 and w.strip(",.").isalpha()]
    if len(long) < 2:
        return None
    for i in rng.sample(long, 2):
        core = ws[i].strip(",.")
        ws[i] = ws[i].replace(core, typo(rng, core))
    return " ".join(ws)


CLASSES = [invisible, homoglyph, rtl_override, line_break, camel_glued, double_typo]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--per-class", type=int, default=250)
    a = ap.parse_args()
    rng = random.Random(12)
    with open(a.queries, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    # Positives whose query is the listed name as written (the perturbations below are the only change).
    base = [r for r in rows if r["expected_id"] and r["perturbation"] in ("lowercase", "reorder", "legal_form", "honorific")]
    negatives = [r for r in rows if not r["expected_id"]]
    out = []
    for make in CLASSES:
        pool = base[:]
        rng.shuffle(pool)
        made = 0
        for r in pool:
            q = make(rng, r["query"])
            if q and q != r["query"]:
                out.append((q, r["expected_list"], r["expected_id"], make.__name__))
                made += 1
                if made == a.per_class:
                    break
    for r in negatives:
        out.append((r["query"], "", "", r["perturbation"]))
    for r in rng.sample(negatives, min(len(negatives), 2 * a.per_class)):
        q = (invisible if rng.random() < 0.5 else homoglyph)(rng, r["query"])
        if q:
            out.append((q, "", "", "negative_tricks"))
    with open(a.output, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["query", "expected_list", "expected_id", "perturbation"])
        w.writerows(out)


if __name__ == "__main__":
    main()
