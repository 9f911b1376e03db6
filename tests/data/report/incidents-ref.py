#!/usr/bin/env python3
# incidents-ref.py FILE - the alert episodes of an ev-report input,
# computed independently of ev-report, one JSON line each in the order
# ev-report lists them (start, then series):
#   [series, start, end or null, ongoing, seconds, points, peak_at,
#    value, expected, deviation rounded to 1e-9]
# An episode: the firing points of one series with one "since", ended by
# its "resolved" record; points without a status: a run of adjacent
# anomalous windows (a score of at least 0.9999).  The peak is the point
# farthest from its expected value (the earlier on ties).
import json, sys
from datetime import datetime, timezone

def t(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=timezone.utc)

recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def name(r):
    return ",".join("%s=%s" % (k, r[k]) for k in ("event", "platform")
                    if k in r)
last = {}
for r in recs:
    last[name(r)] = max(last.get(name(r), t(r["end"])), t(r["end"]))
eps = []
open_ = {}
for r in sorted(recs, key=lambda r: (name(r), r["start"])):
    a, s = r.get("anomaly"), name(r)
    if not a:
        continue
    st = a.get("status")
    if st == "resolved":
        e = open_.pop(s, None)
        if e:
            e["end"] = t(r["start"])
            e["resolved"] = True
        continue
    if st != "firing" and not (st is None and (a.get("score") or 0) >= 0.9999):
        continue
    e = open_.get(s)
    same = e is not None and (e["since"] == a.get("since") if
                              (e["since"] or a.get("since")) else
                              t(r["start"]) <= e["last_end"])
    if not same:
        e = {"series": s, "since": a.get("since"), "pts": [],
             "start": t(a["since"]) if a.get("since") else t(r["start"]),
             "resolved": False}
        eps.append(e)
        open_[s] = e
    e["pts"].append(r)
    e["last_end"] = t(r["end"])
for e in sorted(eps, key=lambda e: (e["start"], e["series"])):
    peak = max(e["pts"], key=lambda r: (abs(r["count"] - r["anomaly"]["expected"]),
                                        -e["pts"].index(r)))
    ongoing = not e["resolved"] and e["last_end"] >= last[e["series"]]
    end = e["end"] if e["resolved"] else e["last_end"]
    exp = peak["anomaly"]["expected"]
    print(json.dumps([e["series"], e["start"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                      None if ongoing else end.strftime("%Y-%m-%dT%H:%M:%SZ"),
                      ongoing, (end - e["start"]).total_seconds(),
                      len(e["pts"]), peak["start"], peak["count"], exp,
                      round((peak["count"] - exp) / abs(exp), 9)]))
