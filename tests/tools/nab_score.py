#!/usr/bin/env python3
# nab_score.py INPUT ALERTS - an independent reference for ev-detect
# --backtest --label-field label: reads the labelled input (NDJSON records
# with start, series, value, label) and the alert records ev-detect --alerts
# wrote for it (an episode is a record with anomaly.status "firing"), scores
# each series by NAB's published rules and prints one JSON object:
# {"series": {name: {"standard": raw, ...}}, "nab": {profile: normalised},
#  "windows": n, "detected": n, "true": n, "false": n}.
# Written apart from lib/ev_nab.c, from the rules, not from that code.
import json
import math
import sys

PROFILES = {"standard": (1.0, 0.11, 1.0), "reward_low_fp": (1.0, 0.22, 1.0),
            "reward_low_fn": (1.0, 0.11, 2.0)}


def scaled_sigmoid(y):
    return -1.0 if y > 3.0 else 2.0 / (1.0 + math.exp(5.0 * y)) - 1.0


def windows(labels):
    n = len(labels)
    runs, i = [], 0
    while i < n:
        if labels[i]:
            j = i
            while j + 1 < n and labels[j + 1]:
                j += 1
            runs.append((i, j))
            i = j + 1
        else:
            i += 1
    if not runs:
        return []
    size = int(0.1 * n / len(runs))
    out = []
    for a, b in runs:
        extra = max(0, size - (b - a + 1))
        lo, hi = max(0, a - extra // 2), min(n - 1, b + extra - extra // 2)
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return out


def score(labels, dets):
    wins = windows(labels)
    raw = {p: 0.0 for p in PROFILES}
    top = scaled_sigmoid(-1.0)
    hit = [False] * len(wins)
    ntrue = nfalse = 0
    for i in sorted(dets):
        inside = [k for k, (lo, hi) in enumerate(wins) if lo <= i <= hi]
        if inside:
            k = inside[0]
            ntrue += 1
            if hit[k]:
                continue
            hit[k] = True
            lo, hi = wins[k]
            s = scaled_sigmoid(-(hi - i + 1) / (hi - lo + 1)) / top
            for p, (tp, fp, fn) in PROFILES.items():
                raw[p] += tp * s
            continue
        nfalse += 1
        before = [w for w in wins if w[1] < i]
        if before:
            lo, hi = before[-1]
            s = scaled_sigmoid((i - hi) / (hi - lo)) if hi > lo else -1.0
        else:
            s = -1.0
        for p, (tp, fp, fn) in PROFILES.items():
            raw[p] += fp * s
    missed = len(wins) - sum(hit)
    for p, (tp, fp, fn) in PROFILES.items():
        raw[p] -= fn * missed
    return raw, len(wins), sum(hit), ntrue, nfalse


def main(inp, alerts):
    series = {}
    for line in open(inp):
        r = json.loads(line)
        s = series.setdefault(r["series"], {"t": [], "lab": []})
        s["t"].append(r["start"])
        s["lab"].append(1 if r.get("label") else 0)
    fired = {}
    for line in open(alerts):
        r = json.loads(line)
        if r.get("anomaly", {}).get("status") == "firing":
            fired.setdefault(r["series"], set()).add(r["start"])
    tot = {p: [0.0, 0.0, 0.0] for p in PROFILES}
    out = {"series": {}, "windows": 0, "detected": 0, "true": 0, "false": 0}
    for name, s in series.items():
        dets = [i for i, t in enumerate(s["t"]) if t in fired.get(name, ())]
        raw, nw, nd, nt, nf = score(s["lab"], dets)
        out["series"][name] = raw
        out["windows"] += nw
        out["detected"] += nd
        out["true"] += nt
        out["false"] += nf
        for p, (tp, fp, fn) in PROFILES.items():
            tot[p][0] += raw[p]
            tot[p][1] += -fn * nw
            tot[p][2] += tp * nw
    out["nab"] = {p: 100 * (r - n) / (pf - n) if pf > n else None
                  for p, (r, n, pf) in tot.items()}
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
