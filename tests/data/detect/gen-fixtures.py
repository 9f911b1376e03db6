#!/usr/bin/env python3
"""Write the ev-detect test fixtures (deterministic; run from this folder).

drop.ndjson      30 five-minute windows of signup, total and by platform;
                 android drops to 20% in window 25 (12:05).
seasonal.ndjson  three weeks of hourly windows with a daily shape in
                 Europe/Berlin local time (across the DST change of
                 2026-03-29) and quieter weekends; one drop to 50% at
                 2026-04-01T12:00 local.
shift.ndjson     200 points at about 200, then about 150 (a level shift).
"""
import datetime as dt
import json
import math
import random
from zoneinfo import ZoneInfo


def iso(t):
    return t.strftime('%Y-%m-%dT%H:%M:%SZ')


def dump(path, rows):
    with open(path, 'w') as fh:
        for r in rows:
            fh.write(json.dumps(r, separators=(',', ':')) + '\n')


def poisson(rng, mu):
    return max(0, int(round(rng.gauss(mu, math.sqrt(mu)))))


def drop():
    t0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone.utc)
    base = {'ios': 100, 'android': 120, 'web': 190}
    noise = [3, -2, 5, -4, 1, 0, -3, 2, 4, -1, -5, 2, 3, -2, 0, 1, -4, 3,
             2, -1, 4, -3, 1, 0, -2, 3, -1, 2, -3, 1]
    out = []
    for i in range(30):
        s = t0 + dt.timedelta(minutes=5 * i)
        e = s + dt.timedelta(minutes=5)
        rows, tot = [], 0
        for j, (p, b) in enumerate(base.items()):
            v = b + noise[(i + 7 * j) % 30]
            if p == 'android' and i == 25:
                v = int(v * 0.2)
            tot += v
            rows.append({'start': iso(s), 'end': iso(e), 'event': 'signup',
                         'platform': p, 'count': v, 'final': True})
        out.append({'start': iso(s), 'end': iso(e), 'event': 'signup',
                    'count': tot, 'final': True})
        out += rows
    dump('drop.ndjson', out)


def seasonal():
    rng = random.Random(7)
    berlin = ZoneInfo('Europe/Berlin')
    t0 = dt.datetime(2026, 3, 16, 0, 0, tzinfo=berlin).astimezone(
        dt.timezone.utc)
    anomaly = dt.datetime(2026, 4, 1, 12, 0, tzinfo=berlin).astimezone(
        dt.timezone.utc)
    out = []
    for h in range(21 * 24):
        s = t0 + dt.timedelta(hours=h)
        loc = s.astimezone(berlin)
        hod = loc.hour + loc.minute / 60
        mu = 400 * (1 + 0.7 * math.sin(2 * math.pi * (hod - 9) / 24))
        if loc.weekday() >= 5:
            mu *= 0.6
        v = poisson(rng, mu)
        if s == anomaly:
            v = v // 2
        out.append({'start': iso(s), 'end': iso(s + dt.timedelta(hours=1)),
                    'event': 'page_view', 'count': v, 'final': True})
    dump('seasonal.ndjson', out)


def shift():
    rng = random.Random(3)
    t0 = dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.timezone.utc)
    out = []
    for i in range(300):
        s = t0 + dt.timedelta(minutes=5 * i)
        out.append({'start': iso(s), 'end': iso(s + dt.timedelta(minutes=5)),
                    'event': 'purchase',
                    'count': poisson(rng, 200 if i < 200 else 150),
                    'final': True})
    dump('shift.ndjson', out)


drop()
seasonal()
shift()
