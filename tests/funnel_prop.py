#!/usr/bin/env python3
"""Property test of ev-funnel against an SQL reference run by sqlite3.

  funnel_prop.py BINDIR SEED COUNT

Draws COUNT random event streams (a few dozen users, steps, an exclusion,
noise events, attempts crossing period boundaries, equal times, events
out of order by up to --lateness and a few later than that), runs
ev-funnel --final-at-eof on each in a random mode, and computes the same
funnel in SQL with the sqlite3 command: attempts by a recursive query (an
attempt starts at the first first-step event after the previous attempt's
window), the steps reached by a recursive walk (sequential: the next event
of the next step; strict: the next event of any step, which must be the
next step; any: the first event of each step), exclusions, and per period
and breakdown every count, ratio and nearest-rank quantile.  Late events
are found by replaying the watermark here and left out of the SQL input.
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
NAMES = ["view", "cart", "buy", "pay", "refund", "other"]
PRESETS = [
    # (steps as (name, needs amount > 0)), exclusion name or None
    ([("view", 0), ("cart", 0), ("buy", 1)], "refund"),
    ([("view", 0), ("view", 0), ("cart", 0)], None),
    ([("view", 0), ("cart", 0), ("buy", 0), ("pay", 0)], "refund"),
    ([("cart", 0), ("buy", 1)], "view"),
]


def gen(rng):
    steps, excl = rng.choice(PRESETS)
    mode = rng.choice(["sequential", "strict", "any"])
    within = rng.choice([60, 600, 1800, 7200]) * 1000
    period = rng.choice([1800, 3600, 86400]) * 1000
    lateness = rng.choice([0, 30, 300]) * 1000
    nusers = rng.randint(1, 30)
    evs = []
    for u in range(nusers):
        t = T0 + rng.randint(0, 4 * 3600) * 1000
        for _ in range(rng.randint(1, 25)):
            t += rng.choice([0, 1000, rng.randint(1, 900) * 1000])
            name = rng.choices(NAMES, [5, 4, 3, 2, 1, 2])[0]
            ev = {"event": name, "ts": t, "user_id": "u%d" % u}
            if rng.random() < 0.8:
                ev["context"] = {"platform": rng.choice(["ios", "web",
                                                         "android"])}
            if name in ("buy", "pay"):
                ev["properties"] = {"amount": rng.choice([0, 5, 12.5])}
            evs.append(ev)
    # Out of order by up to lateness; a few events far later than that.
    keyed = []
    for ev in evs:
        d = rng.randint(0, lateness) if lateness else 0
        if rng.random() < 0.03:
            d = lateness + rng.randint(1, 3600) * 1000
        keyed.append((ev["ts"] + d, rng.random(), ev))
    keyed.sort(key=lambda k: (k[0], k[1]))
    evs = [k[2] for k in keyed]
    return steps, excl, mode, within, period, lateness, evs


def relevant(ev, steps, excl):
    for name, pos in steps:
        if ev["event"] == name and (not pos or
                                    ev.get("properties", {}).get("amount", 0) > 0):
            return True
    return excl is not None and ev["event"] == excl


def sql_reference(steps, excl, mode, within, period, events):
    n = len(steps)
    lines = ["CREATE TABLE ev(seq INTEGER, t INTEGER, user TEXT, name TEXT,"
             " amount REAL, platform TEXT);",
             "CREATE TABLE steps(k INTEGER, name TEXT, pos INTEGER);",
             "BEGIN;"]
    for seq, ev in events:
        plat = ev.get("context", {}).get("platform")
        amt = ev.get("properties", {}).get("amount")
        lines.append("INSERT INTO ev VALUES(%d,%d,'%s','%s',%s,%s);" % (
            seq, ev["ts"], ev["user_id"], ev["event"],
            "NULL" if amt is None else repr(amt),
            "NULL" if plat is None else "'%s'" % plat))
    for k, (name, pos) in enumerate(steps, 1):
        lines.append("INSERT INTO steps VALUES(%d,'%s',%d);" % (k, name, pos))
    lines.append("COMMIT;")
    W = within
    after = "(%(a)s.t > %(b)s.t OR (%(a)s.t = %(b)s.t AND %(a)s.seq > %(b)s.seq))"
    # The walk's NOT EXISTS: the first candidate after the last step.
    if mode == "sequential":
        nxt = "o.k = w.k + 1 AND"
    else:
        nxt = ""
    ex = ("0" if excl is None else
          "EXISTS (SELECT 1 FROM ev x WHERE x.user = r.user AND x.name = '%s'"
          " AND (x.t > r.t0 OR (x.t = r.t0 AND x.seq > r.seq0))"
          " AND x.t <= r.t0 + %d AND (r.reached < %d OR x.t < r.tl OR"
          " (x.t = r.tl AND x.seq < r.seql)))" % (excl, W, n))
    if mode in ("sequential", "strict"):
        walk = """
walk(user, t0, seq0, k, t, seq) AS (
  SELECT user, t0, seq0, 1, t0, seq0 FROM att
  UNION ALL
  SELECT w.user, w.t0, w.seq0, w.k + 1, m.t, m.seq
  FROM walk w JOIN m ON m.user = w.user AND m.k = w.k + 1
   AND (m.t > w.t OR (m.t = w.t AND m.seq > w.seq)) AND m.t <= w.t0 + %d
  WHERE w.k < %d AND NOT EXISTS (SELECT 1 FROM m o WHERE o.user = w.user
   AND %s (o.t > w.t OR (o.t = w.t AND o.seq > w.seq))
   AND (o.t < m.t OR (o.t = m.t AND o.seq < m.seq)))
),
lv AS (SELECT user, t0, k, t, seq FROM walk),
""" % (W, n, nxt)
    else:
        walk = """
comp AS (
  SELECT a.user, a.t0, m.k, m.t, m.seq,
   ROW_NUMBER() OVER (PARTITION BY a.user, a.t0, m.k ORDER BY m.t, m.seq) rn
  FROM att a JOIN m ON m.user = a.user AND m.k > 1
   AND (m.t > a.t0 OR (m.t = a.t0 AND m.seq > a.seq0)) AND m.t <= a.t0 + %d
),
lv AS (
  SELECT user, t0, 1 AS k, t0 AS t, seq0 AS seq FROM att
  UNION ALL
  SELECT user, t0, 1 + ROW_NUMBER() OVER (PARTITION BY user, t0
   ORDER BY t, seq, k), t, seq FROM comp WHERE rn = 1
),
""" % W
    q = """
WITH RECURSIVE
m AS (SELECT e.seq, e.t, e.user, s.k FROM ev e JOIN steps s
  ON s.name = e.name AND (s.pos = 0 OR e.amount > 0)),
s1 AS (SELECT e.seq, e.t, e.user, e.platform FROM m JOIN ev e ON e.seq = m.seq
  WHERE m.k = 1),
att(user, t0, seq0, platform) AS (
  SELECT a.user, a.t, a.seq, a.platform FROM s1 a WHERE NOT EXISTS (
   SELECT 1 FROM s1 b WHERE b.user = a.user AND
   (b.t < a.t OR (b.t = a.t AND b.seq < a.seq)))
  UNION ALL
  SELECT b.user, b.t, b.seq, b.platform FROM att a JOIN s1 b
   ON b.user = a.user AND b.t > a.t0 + %(W)d
  WHERE NOT EXISTS (SELECT 1 FROM s1 c WHERE c.user = a.user
   AND c.t > a.t0 + %(W)d AND (c.t < b.t OR (c.t = b.t AND c.seq < b.seq)))
),
%(walk)s
r0 AS (SELECT a.user, a.t0, a.seq0, a.platform,
  (SELECT MAX(k) FROM lv WHERE lv.user = a.user AND lv.t0 = a.t0) AS reached
  FROM att a),
r AS (SELECT r0.*, l.t AS tl, l.seq AS seql FROM r0 JOIN lv l
  ON l.user = r0.user AND l.t0 = r0.t0 AND l.k = r0.reached),
rx AS (SELECT r.*, (r.t0 / %(P)d) * %(P)d AS period, %(ex)s AS excluded
  FROM r),
d AS (SELECT x.period, x.platform, b.k, b.t - a.t AS dur
  FROM rx x JOIN lv a ON a.user = x.user AND a.t0 = x.t0
  JOIN lv b ON b.user = x.user AND b.t0 = x.t0 AND b.k = a.k + 1
  WHERE NOT x.excluded),
dr AS (SELECT d.*, ROW_NUMBER() OVER (PARTITION BY period, platform, k
  ORDER BY dur) rn, COUNT(*) OVER (PARTITION BY period, platform, k) cnt
  FROM d),
q AS (SELECT period, platform, k,
  MAX(CASE WHEN rn = (cnt + 1) / 2 THEN dur END) med,
  MAX(CASE WHEN rn = (9 * cnt + 9) / 10 THEN dur END) p90
  FROM dr GROUP BY period, platform, k),
c AS (SELECT period, platform, SUM(excluded) AS excluded,
  SUM(NOT excluded) AS entered %(reached)s
  FROM rx GROUP BY period, platform)
SELECT c.*, %(qs)s FROM c;
""" % {"W": W, "P": period, "walk": walk, "ex": ex,
       "reached": "".join(", SUM(NOT excluded AND reached >= %d) AS r%d"
                          % (k, k) for k in range(1, n + 1)),
       "qs": ", ".join(
           "(SELECT med FROM q WHERE q.period = c.period AND q.platform IS "
           "c.platform AND q.k = %d) AS med%d, (SELECT p90 FROM q WHERE "
           "q.period = c.period AND q.platform IS c.platform AND q.k = %d) "
           "AS p90%d" % (k, k, k, k) for k in range(2, n + 1))}
    lines.append(".mode json")
    lines.append(q)
    out = subprocess.run(["sqlite3", ":memory:"], input="\n".join(lines),
                         capture_output=True, text=True, check=True).stdout
    rows = json.loads(out) if out.strip() else []
    res = {}
    for row in rows:
        rec = {"entered": row["entered"], "excluded": row["excluded"]}
        ent = row["entered"]
        reach = [row["r%d" % k] for k in range(1, n + 1)]
        rec["converted"] = reach[-1]
        rec["conversion_rate"] = reach[-1] / ent if ent else None
        for k in range(1, n + 1):
            rec["reached_%d" % k] = reach[k - 1]
        for k in range(2, n + 1):
            rec["rate_%d" % k] = reach[k - 1] / ent if ent else None
            rec["rate_prev_%d" % k] = (reach[k - 1] / reach[k - 2]
                                       if reach[k - 2] else None)
            rec["drop_%d" % k] = reach[k - 2] - reach[k - 1]
            for qn, col in (("median_s", "med"), ("p90_s", "p90")):
                v = row["%s%d" % (col, k)]
                rec["%s_%d" % (qn, k)] = None if v is None else v / 1000
        res[(row["period"], row["platform"])] = rec
    return res


def main():
    bindir, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    prog = os.path.join(bindir, "ev-funnel")
    for i in range(count):
        rng = random.Random(seed * 100003 + i)
        steps, excl, mode, within, period, lateness, evs = gen(rng)
        # Replay the watermark: which relevant events are late.
        kept, mx = [], None
        for seq, ev in enumerate(evs, 1):
            if not relevant(ev, steps, excl):
                continue
            if mx is not None and ev["ts"] < mx - lateness:
                continue
            kept.append((seq, ev))
            mx = ev["ts"] if mx is None else max(mx, ev["ts"])
        want = sql_reference(steps, excl, mode, within, period, kept)
        args = [prog, "--final-at-eof", "--mode", mode, "--by",
                "context.platform", "--within", "%dms" % within,
                "--period", "%dms" % period, "--lateness", "%dms" % lateness]
        for name, pos in steps:
            args += ["--step", name + (":properties.amount > 0" if pos
                                       else "")]
        if excl:
            args += ["--exclude", excl]
        text = "".join(json.dumps(ev) + "\n" for ev in evs)
        p = subprocess.run(args, input=text, capture_output=True, text=True)
        got = {}
        for line in p.stdout.splitlines():
            rec = json.loads(line)
            st = datetime.strptime(rec["start"], "%Y-%m-%dT%H:%M:%SZ")
            ms = int(st.replace(tzinfo=timezone.utc).timestamp()) * 1000
            key = (ms, rec["platform"])
            if key in got or not rec.pop("final"):
                got[key] = "twice or not final"
            for c in ("start", "end", "platform", "steps"):
                rec.pop(c)
            got[key] = rec
        ok = p.returncode == 0 and got.keys() == want.keys()
        for key in want:
            if not ok:
                break
            a, b = got[key], want[key]
            if a.keys() != b.keys():
                ok = False
            for c in b:
                x, y = a.get(c), b[c]
                if (x is None) != (y is None) or (
                        y is not None and abs(x - y) > 1e-9 * max(1, abs(y))):
                    ok = False
        if not ok:
            print("stream %d (seed %d): %s mode, steps %s, exclude %s, "
                  "within %d, period %d, lateness %d, exit %d" % (
                      i, seed, mode, steps, excl, within, period, lateness,
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
