#!/usr/bin/env python3
"""Independent check of ev-detect's explanations (man ev-detect, EXPLANATIONS).

Reads annotated ev-detect output (every record, "anomaly" added) on stdin.
For every anomalous record (score at or above the threshold), recomputes
its explanation from the
other records of the same window start: the series nested in the alerted
one (all its labels, same values, plus more), the nearest level only, one
dimension per set of extra label names, shares, Jensen-Shannon surprise,
Adtributor's selection (elements by surprise until the shares reach 0.67,
each with share >= 0.1 and share - expected part >= 0.1), dimensions by
surprise, at most 3.  Also checks that a record with no explanation is one
the rules explain by nothing.  Labels are the string members other than
start/end (as ev-detect without --by).  Arguments: the value field
(count) and the --threshold ev-detect ran with (0.9999).  Exits 1 with a message on the
first difference; prints the number of explanations checked.
"""
import json
import math
import sys

MIN_SHARE, ENOUGH, MAX_DIMS = 0.1, 0.67, 3
VALUE = sys.argv[1] if len(sys.argv) > 1 else "count"
THRESHOLD = float(sys.argv[2]) if len(sys.argv) > 2 else 0.9999


def labels(r):
    return {k: v for k, v in r.items()
            if isinstance(v, str) and k not in ("start", "end")}


def js(x, y):
    return 0.0 if x <= 0 else 0.5 * x * math.log2(2 * x / (x + y))


def explain(alerted, others):
    a_lab = labels(alerted)
    dev = alerted[VALUE] - alerted["anomaly"]["expected"]
    if dev == 0:
        return None
    sign = -1.0 if dev < 0 else 1.0
    nested = []
    for r in others:
        lab = labels(r)
        if r is alerted or len(lab) <= len(a_lab):
            continue
        if any(lab.get(k) != v for k, v in a_lab.items()):
            continue
        extra = {k: v for k, v in lab.items() if k not in a_lab}
        nested.append((",".join(sorted(extra)), extra, r[VALUE],
                       r["anomaly"]["expected"]))
    if not nested:
        return None
    level = min(len(e[1]) for e in nested)
    dims = {}
    for n in nested:
        if len(n[1]) == level:
            dims.setdefault(n[0], []).append(n)
    out = []
    for name, els in dims.items():
        F = sum(max(e[3], 0) for e in els)
        A = sum(max(e[2], 0) for e in els)
        moved = sum(max(sign * (e[2] - e[3]), 0) for e in els)
        denom = max(abs(dev), moved)
        rows = []
        for e in els:
            share = sign * (e[2] - e[3]) / denom
            p = max(e[3], 0) / F if F > 0 else 0
            q = max(e[2], 0) / A if A > 0 else p
            if F <= 0:
                p = q
            rows.append(dict(element=e[1], share=share, p=p,
                             surprise=js(p, q) + js(q, p),
                             observed=e[2], expected=e[3]))
        rows.sort(key=lambda x: (-x["surprise"], -x["share"]))
        cum, surp, taken = 0.0, 0.0, []
        for x in rows:
            if cum >= ENOUGH:
                break
            if x["share"] < MIN_SHARE or x["share"] - x["p"] < MIN_SHARE:
                continue
            taken.append(x)
            cum += x["share"]
            surp += x["surprise"]
        if taken and cum >= ENOUGH:
            taken.sort(key=lambda x: -x["share"])
            out.append(dict(dimension=name, share=cum, surprise=surp,
                            elements=taken))
    out.sort(key=lambda d: (-d["surprise"], -d["share"], d["dimension"]))
    return out[:MAX_DIMS] or None


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def same(mine, theirs, where):
    if mine is None or theirs is None:
        if mine is not theirs:
            sys.exit(f"{where}: reference {mine!r}, ev-detect {theirs!r}")
        return
    if len(mine) != len(theirs):
        sys.exit(f"{where}: {len(mine)} dimensions, ev-detect "
                 f"{len(theirs)}: {theirs}")
    for m, t in zip(mine, theirs):
        if m["dimension"] != t["dimension"]:
            sys.exit(f"{where}: dimension {m['dimension']} vs "
                     f"{t['dimension']}")
        for k in ("share", "surprise"):
            if not close(m[k], t[k]):
                sys.exit(f"{where}: {m['dimension']} {k} {m[k]} vs {t[k]}")
        if len(m["elements"]) != len(t["elements"]):
            sys.exit(f"{where}: {m['dimension']} elements "
                     f"{m['elements']} vs {t['elements']}")
        for me, te in zip(m["elements"], t["elements"]):
            if me["element"] != te["element"]:
                sys.exit(f"{where}: element {me['element']} vs "
                         f"{te['element']}")
            for k in ("share", "surprise", "observed", "expected"):
                if not close(me[k], te[k]):
                    sys.exit(f"{where}: {me['element']} {k} {me[k]} vs "
                             f"{te[k]}")
        if sum(e["share"] for e in t["elements"]) > 1 + 1e-12:
            sys.exit(f"{where}: shares of {t['dimension']} add up past 1")


recs = [json.loads(l) for l in sys.stdin if l.strip()]
by_start = {}
for r in recs:
    by_start.setdefault(r["start"], []).append(r)
checked = 0
for r in recs:
    a = r.get("anomaly", {})
    if a.get("score") is None or a["score"] < THRESHOLD:
        continue
    others = [o for o in by_start[r["start"]]
              if o.get("anomaly", {}).get("expected") is not None]
    where = f"{r['start']} {labels(r)}"
    same(explain(r, others), a.get("explanation"), where)
    checked += 1
print(checked)
