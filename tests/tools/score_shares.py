#!/usr/bin/env python3
"""score_shares.py [--series] < annotated.ndjson

The share of scored points whose "anomaly"."score" is at least 1 - q, for
q = 1e-2, 1e-3 and 1e-4, as one JSON object {"n": N, "1e-02": share, ...,
"ones": scores >= 1, "top": the largest score} (with --series also per
"series" member).  An independent reading of
ev-detect's output for the calibration tests of tests/detect-real.bats.
"""
import collections
import json
import sys

QS = (1e-2, 1e-3, 1e-4)


def shares(n, hits):
    out = {"n": n}
    for q in QS:
        out["%.0e" % q] = hits[q] / n if n else None
    return out


def main():
    per = "--series" in sys.argv[1:]
    n = ones = 0
    top = 0.0
    hits = collections.Counter()
    ns = collections.Counter()
    sh = collections.defaultdict(collections.Counter)
    for line in sys.stdin:
        rec = json.loads(line)
        a = rec.get("anomaly") or {}
        s = a.get("score")
        if s is None:
            continue
        n += 1
        ones += s >= 1
        top = max(top, s)
        k = rec.get("series")
        ns[k] += 1
        for q in QS:
            if s >= 1 - q:
                hits[q] += 1
                sh[k][q] += 1
    out = shares(n, hits)
    out["ones"] = ones
    out["top"] = top
    if per:
        out["series"] = {k: shares(ns[k], sh[k]) for k in sorted(ns)}
    print(json.dumps(out))


main()
