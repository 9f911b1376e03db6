#!/usr/bin/env python3
"""Property test of ev-retention against an SQL reference run by sqlite3.

  retention_prop.py BINDIR SEED COUNT

Draws COUNT random event streams (a few dozen users with one or more
start events, returns spread over several periods so that users cross
period boundaries and some start again after their horizon, equal times,
events on period boundaries, events out of order by up to --lateness and a few later than that), runs
ev-retention --final-at-eof on each in a random mode, and computes the
same retention in SQL with the sqlite3 command: cohorts by a recursive
query (a user's first start event, then the first start at or after the
end of that cohort's horizon), returns as the return events after the
cohort's start event in (time, line) order and before the horizon's end,
and per cohort period and n the cohort size and the users who returned
in period n (bounded) or in n or later (unbounded).  Late events are
found by replaying the watermark here and left out of the SQL input.
Exits 1 at the first difference, printing the stream's seed and both
answers.
"""
import json
import os
import random
import subprocess
import sys
import tempfile
from datetime import datetime, timezone

T0 = 1772409600000  # 2026-03-02T00:00:00Z in ms
NAMES = ["signup", "view", "buy", "other"]
RETURNS = [["any"], ["view"], ["view", "buy"], ["signup"]]


def gen(rng):
    ret = rng.choice(RETURNS)
    mode = rng.choice(["bounded", "unbounded"])
    period = rng.choice([600, 3600, 86400]) * 1000
    nper = rng.randint(1, 6)
    lateness = rng.choice([0, 30, 300, 1800]) * 1000
    span = period * (nper + 2)
    nusers = rng.randint(1, 30)
    evs = []
    for u in range(nusers):
        t = T0 + rng.randint(0, span // 2)
        for _ in range(rng.randint(1, 20)):
            t += rng.choice([0, 1000, rng.randint(1, span // 1000 // 8)
                             * 1000])
            if rng.random() < 0.15:  # on a period boundary
                t = (t // period + 1) * period
            name = rng.choices(NAMES, [2, 5, 2, 2])[0]
            evs.append({"event": name, "ts": t, "user_id": "u%d" % u})
    keyed = []
    for ev in evs:
        d = rng.randint(0, lateness) if lateness else 0
        if rng.random() < 0.03:
            d = lateness + rng.randint(1, 3600) * 1000
        keyed.append((ev["ts"] + d, rng.random(), ev))
    keyed.sort(key=lambda k: (k[0], k[1]))
    return ret, mode, period, nper, lateness, [k[2] for k in keyed]


def relevant(ev, ret):
    return ev["event"] == "signup" or "any" in ret or ev["event"] in ret


def sql_reference(ret, mode, P, N, events):
    lines = ["CREATE TABLE ev(seq INTEGER, t INTEGER, user TEXT,"
             " name TEXT);", "BEGIN;"]
    for seq, ev in events:
        lines.append("INSERT INTO ev VALUES(%d,%d,'%s','%s');" % (
            seq, ev["ts"], ev["user_id"], ev["event"]))
    lines.append("COMMIT;")
    isret = ("1" if "any" in ret else
             "name IN (%s)" % ",".join("'%s'" % n for n in ret))
    if mode == "bounded":
        cond = "r.n = nums.n"
    else:
        cond = "r.n >= nums.n"
    q = """
WITH RECURSIVE
s AS (SELECT * FROM ev WHERE name = 'signup'),
coh(user, t0, seq0, cs) AS (
  SELECT a.user, a.t, a.seq, (a.t / %(P)d) * %(P)d FROM s a
  WHERE NOT EXISTS (SELECT 1 FROM s b WHERE b.user = a.user AND
   (b.t < a.t OR (b.t = a.t AND b.seq < a.seq)))
  UNION ALL
  SELECT b.user, b.t, b.seq, (b.t / %(P)d) * %(P)d FROM coh c JOIN s b
   ON b.user = c.user AND b.t >= c.cs + %(H)d
  WHERE NOT EXISTS (SELECT 1 FROM s x WHERE x.user = c.user
   AND x.t >= c.cs + %(H)d AND (x.t < b.t OR (x.t = b.t AND x.seq < b.seq)))
),
nums(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM nums WHERE n + 1 < %(N)d),
r AS (SELECT c.user, c.t0, c.cs, ((e.t / %(P)d) * %(P)d - c.cs) / %(P)d AS n
  FROM coh c JOIN ev e ON e.user = c.user AND %(isret)s
   AND (e.t > c.t0 OR (e.t = c.t0 AND e.seq > c.seq0))
   AND e.t < c.cs + %(H)d),
sz AS (SELECT cs, COUNT(*) AS size FROM coh GROUP BY cs)
SELECT sz.cs, nums.n, sz.size,
 (SELECT COUNT(*) FROM coh c WHERE c.cs = sz.cs AND EXISTS (
   SELECT 1 FROM r WHERE r.user = c.user AND r.t0 = c.t0 AND %(cond)s))
 AS retained
FROM sz, nums;
""" % {"P": P, "N": N, "H": P * N, "isret": isret, "cond": cond}
    lines.append(".mode json")
    lines.append(q)
    out = subprocess.run(["sqlite3", ":memory:"], input="\n".join(lines),
                         capture_output=True, text=True, check=True).stdout
    rows = json.loads(out) if out.strip() else []
    res = {}
    for row in rows:
        res[(row["cs"], row["n"])] = {
            "end": row["cs"] + P, "cohort_users": row["size"],
            "retained_users": row["retained"],
            "retention_rate": row["retained"] / row["size"]}
    return res


def ms_of(text):
    st = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    return int(st.replace(tzinfo=timezone.utc).timestamp()) * 1000


def main():
    bindir, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    prog = os.path.join(bindir, "ev-retention")
    for i in range(count):
        rng = random.Random(seed * 100003 + i)
        ret, mode, period, nper, lateness, evs = gen(rng)
        # Replay the watermark: which relevant events are late.
        kept, mx = [], None
        for seq, ev in enumerate(evs, 1):
            if not relevant(ev, ret):
                continue
            if mx is not None and ev["ts"] < mx - lateness:
                continue
            kept.append((seq, ev))
            mx = ev["ts"] if mx is None else max(mx, ev["ts"])
        want = sql_reference(ret, mode, period, nper, kept)
        args = [prog, "--final-at-eof", "--mode", mode, "--period",
                "%dms" % period, "--periods", str(nper), "--lateness",
                "%dms" % lateness]
        for name in ret:
            args += ["--return", name]
        text = "".join(json.dumps(ev) + "\n" for ev in evs)
        p = subprocess.run(args, input=text, capture_output=True, text=True)
        got = {}
        for line in p.stdout.splitlines():
            rec = json.loads(line)
            key = (ms_of(rec["start"]), int(rec["period"]))
            if key in got or not rec.pop("final"):
                got[key] = "twice or not final"
                continue
            rec["end"] = ms_of(rec["end"])
            del rec["start"], rec["period"]
            got[key] = rec
        ok = p.returncode == 0 and got == want
        if not ok:
            print("stream %d (seed %d): %s mode, return %s, period %d, "
                  "periods %d, lateness %d, exit %d" % (
                      i, seed, mode, ret, period, nper, lateness,
                      p.returncode))
            for key in sorted(set(got) | set(want), key=str):
                if got.get(key) != want.get(key):
                    print(key, "\n  got  ", got.get(key), "\n  want ",
                          want.get(key))
            with tempfile.NamedTemporaryFile("w", suffix=".ndjson",
                                             delete=False) as f:
                f.write(text)
                print("input in", f.name, "args", args[1:])
            sys.exit(1)
    print("%d streams agree" % count)


main()
