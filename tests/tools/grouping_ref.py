#!/usr/bin/env python3
"""grouping_ref.py LATENESS SET... < events: the window records of
ev-window --tumble 1m --lateness LATENESS with grouping sets SET (each a
comma list of event,platform, or "" for the grand total) and --agg
'count,sum(properties.amount) as s,distinct(user_id) as u', computed by
sqlite3 as a UNION ALL of GROUP BYs (sqlite has no GROUPING SETS).

Records come in the order ev-window(1) states: window end, then grouping
set in the order given, then group key.  A window is final when it ends
at or before the watermark at end of input (latest time - LATENESS)."""
import json
import sqlite3
import sys
from datetime import datetime, timezone


def epoch(s):
    return int(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def main():
    lateness = int(sys.argv[1])
    sets = [[c for c in a.split(",") if c] for a in sys.argv[2:]]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE ev (w INTEGER, event TEXT, platform TEXT, "
               "user TEXT, amount INTEGER)")
    latest = None
    for line in sys.stdin:
        e = json.loads(line)
        t = epoch(e["ts"])
        latest = t if latest is None else max(latest, t)
        db.execute("INSERT INTO ev VALUES (?, ?, ?, ?, ?)",
                   (t // 60 * 60, e["event"], e["context"]["platform"],
                    e["user_id"], e["properties"]["amount"]))
    wm = latest - lateness
    parts = []
    for i, cols in enumerate(sets):
        sel = "".join(", %s" % c for c in cols)
        sel += "".join(", NULL" for _ in range(2 - len(cols)))
        grp = "".join(", %s" % c for c in cols)
        parts.append("SELECT w, %d AS gs%s, count(*), sum(amount), "
                     "count(DISTINCT user) FROM ev GROUP BY w%s"
                     % (i, sel, grp))
    q = " UNION ALL ".join(parts) + " ORDER BY 1, 2, 3, 4"
    for row in db.execute(q):
        w, gs, c1, c2, n, s, u = row
        cols = sets[gs]
        rec = {"start": iso(w), "end": iso(w + 60), "grouping": cols}
        for c, v in zip(cols, (c1, c2)):
            rec[c] = v
        rec.update({"count": n, "s": s, "u": u, "final": w + 60 <= wm})
        print(json.dumps(rec, separators=(",", ":")))


if __name__ == "__main__":
    main()
