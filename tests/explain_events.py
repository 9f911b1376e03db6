#!/usr/bin/env python3
"""Events for ev-detect's explanation tests.

usage: explain_events.py DROP
Twelve 10-minute windows of page_view events from 2026-03-02T00:00Z, for
every platform (android, ios, web) x country (US, DE) x app_version (1, 2),
with a small deterministic wobble.  In window 10 the segments matching DROP
(a comma-separated list of key=value over platform, country, app_version)
lose 90% of their events.  Window 11 is there so that window 10 is final.
"""
import sys

BASE = {"android": 100, "ios": 40, "web": 60}
SHARE = {"US": 0.6, "DE": 0.4}
VSHARE = {"1": 0.5, "2": 0.5}

drop = dict(kv.split("=", 1) for kv in sys.argv[1].split(",") if kv)
n = 0
for w in range(12):
    for p in BASE:
        for c in SHARE:
            for v in VSHARE:
                seg = {"platform": p, "country": c, "app_version": v}
                k = round(BASE[p] * SHARE[c] * VSHARE[v])
                k += (w * 7 + len(p) * 3 + len(c) + int(v)) % 3 - 1
                if w == 10 and all(seg[a] == b for a, b in drop.items()):
                    k = k // 10
                for i in range(k):
                    s = w * 600 + (i * 599) // max(k, 1)
                    n += 1
                    print('{"event":"page_view","ts":"2026-03-02T%02d:%02d:'
                          '%02dZ","user_id":"u%d","context":{"platform":"%s",'
                          '"country":"%s","app_version":"%s"}}' %
                          (s // 3600, s // 60 % 60, s % 60, n, p, c, v))
