#!/usr/bin/env python3
"""bursts_minutes.py - ten days of one-minute values of 100 with two
five-minute bursts a day of four times the level and more (3 + a Pareto(3)
factor, so the size has a power-law tail), at random minutes, on a noise
that is busy by day and quiet by night: the same burst is some 30 model
sigmas at noon and 250 at night.  A series that does this every day (a
batch consumer's bursts) for the recurrence tests of tests/detect-real.bats.
"""
import json, math, random
random.seed(8)
n = 10 * 1440
# A level of 100 whose noise is busy by day (sd 12) and quiet by night
# (sd 1.5): the same burst is 30 sigmas at noon and 250 at night.
v = []
for i in range(n):
    h = i % 1440 / 60
    sd = 1.5 + 10.5 * max(0, math.sin(math.pi * (h - 6) / 12))
    v.append(100 + random.gauss(0, sd))
for d in range(10):
    for _ in range(2):
        a = d * 1440 + random.randrange(0, 1435)
        f = 3 + random.paretovariate(3)	# 4x and more, a power-law tail
        for i in range(a, a + 5):
            v[i] *= f
for i in range(n):
    print(json.dumps({"start": "2026-03-%02dT%02d:%02d:00Z"
        % (2 + i // 1440, i // 60 % 24, i % 60), "value": round(v[i], 1)}))
