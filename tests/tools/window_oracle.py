#!/usr/bin/env python3
"""Expected ev-window output, computed from the rules in ev-window(1).

    window_oracle.py gen SEED N                 random keyed events
    window_oracle.py session GAP LATENESS       < events > expected
    window_oracle.py hop SIZE EVERY LATENESS    < events > expected
    window_oracle.py cumulate SIZE EVERY LATENESS < events > expected

Sessions, as the man page states the rule: per key, events less than GAP apart form
one session, [first event, last event + GAP).  The watermark is the latest
event time counted so far minus LATENESS; a session is written once the
watermark reaches its end.  An event joins every open session it touches (is
less than GAP from), merging them.  An event that touches no open session is
late when it touches a written session or when its own session [t, t + GAP)
has already ended (t + GAP <= watermark); otherwise it starts a session.
Records written at one watermark come out by end, then group key, then start;
the sessions still open at the end of input are written last, in that order.

Hopping and cumulating windows: [start, end), aligned to the epoch (ends at
the multiples of EVERY; a cumulating window starts at the multiple of SIZE
at or before the event).  A window is written once the watermark reaches its
end; an event counts in each of its windows still open, and is late when
all of them are closed.  Records come by end, then group key.

Each mode prints the window records (count only) and then one line
"late N" per late input line N.  Times are whole epoch seconds.
"""
import json
import random
import sys
from datetime import datetime, timezone


def gen(seed, n):
    rnd = random.Random(seed)
    keys = ["u%d" % i for i in range(40)]
    # A few busy keys and many quiet ones: gaps around the session gap.
    weights = [1.0 / (1 + i) for i in range(len(keys))]
    t = 1767225600  # 2026-01-01T00:00:00Z
    for _ in range(n):
        t += rnd.randint(0, 4)
        k = rnd.choices(keys, weights)[0]
        # Bounded disorder: up to 180 s behind the clock.
        ts = t - rnd.randint(0, 180) if rnd.random() < 0.3 else t
        print(json.dumps({"ts": ts, "k": k}, separators=(",", ":")))


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def expect(gap, lateness, lines):
    open_ = {}     # key -> list of [first, last, count], sorted
    written = {}   # key -> list of (first, last)
    wm = None
    out = []
    late = []

    def record(k, s):
        return (s[1] + gap, json.dumps(k), s[0], s[2], k)

    def emit(batch, final=True):
        for end, _, start, count, k in sorted(batch):
            out.append(json.dumps({"start": iso(start), "end": iso(end),
                                   "k": k, "count": count, "final": final},
                                  separators=(",", ":")))

    for no, line in enumerate(lines, 1):
        ev = json.loads(line)
        t, k = ev["ts"], ev["k"]
        ss = open_.setdefault(k, [])
        touch = [s for s in ss if s[0] - gap < t < s[1] + gap]
        if not touch and wm is not None and (
                t + gap <= wm or
                any(f - gap < t < l + gap for f, l in written.get(k, []))):
            late.append(no)
            continue
        merged = [min([t] + [s[0] for s in touch]),
                  max([t] + [s[1] for s in touch]),
                  1 + sum(s[2] for s in touch)]
        ss[:] = sorted([s for s in ss if s not in touch] + [merged])
        if wm is None or t - lateness > wm:
            wm = t - lateness
            batch = []
            for key, sl in open_.items():
                for s in [s for s in sl if s[1] + gap <= wm]:
                    sl.remove(s)
                    written.setdefault(key, []).append((s[0], s[1]))
                    batch.append(record(key, s))
            emit(batch)
    # The end of input cuts the open sessions: they are not final.
    emit([record(k, s) for k, sl in open_.items() for s in sl], False)
    for line in out:
        print(line)
    for no in late:
        print("late %d" % no)


def fixed(kind, size, every, lateness, lines):
    counts = {}    # (end, key) -> count, windows not yet written
    wm = None
    out = []
    late = []

    def start(end):
        if kind == "hop":
            return end - size
        return (end - every) // size * size

    def emit(keys, final=True):
        for end, _, k in sorted((e, json.dumps(k), k) for e, k in keys):
            out.append(json.dumps({"start": iso(start(end)), "end": iso(end),
                                   "k": k, "count": counts.pop((end, k)),
                                   "final": final}, separators=(",", ":")))

    for no, line in enumerate(lines, 1):
        ev = json.loads(line)
        t, k = ev["ts"], ev["k"]
        first = t // every * every + every
        if kind == "hop":
            ends = range(first, first + size, every)
        else:
            ends = range(first, t // size * size + size + 1, every)
        ends = [e for e in ends if wm is None or e > wm]
        if not ends:
            late.append(no)
            continue
        for e in ends:
            counts[(e, k)] = counts.get((e, k), 0) + 1
        if wm is None or t - lateness > wm:
            wm = t - lateness
            emit([ek for ek in counts if ek[0] <= wm])
    # The end of input cuts the windows still open: they are not final.
    emit(list(counts), False)
    for line in out:
        print(line)
    for no in late:
        print("late %d" % no)


def main():
    lines = lambda: sys.stdin.read().split("\n")[:-1]
    if sys.argv[1] == "gen":
        gen(int(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1] == "session":
        expect(int(sys.argv[2]), int(sys.argv[3]), lines())
    else:
        fixed(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
              int(sys.argv[4]), lines())


if __name__ == "__main__":
    main()
