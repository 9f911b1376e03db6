#!/usr/bin/env python3
# ar1_minutes.py [SEED] - one week of one-minute points without anomaly (a
# test input of tests/detect-real.bats).
import json, math, random, sys
# One week of one-minute points: a daily cycle, a level that wanders as an
# AR(1) process (rho 0.95, as a minute resembles the minute before) and no
# anomaly at all.
random.seed(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
e = 0.0
for i in range(7 * 1440):
    e = 0.95 * e + random.gauss(0, 0.02 * math.sqrt(1 - 0.95 ** 2))
    lvl = 5000 * (1 + 0.4 * math.sin(2 * math.pi * i / 1440))
    print(json.dumps({"start": "2026-03-%02dT%02d:%02d:00Z" % (2 + i // 1440,
        i // 60 % 24, i % 60), "value": round(lvl * math.exp(e), 1)}))
