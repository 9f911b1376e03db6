#!/usr/bin/env python3
"""Detection delays and false episodes of ev-detect --alerts output.

usage: episode_delay.py LABELS ALERTS SERIES FROM TO

LABELS is an ev-gen label file (may be empty), ALERTS ev-detect --alerts
output, SERIES the value of "event" whose alerts count, FROM and TO the
span (RFC 3339) over which false episodes are counted.  An episode is one
"firing" record.  A label is detected by the first episode that fires at or
after its start and before its end; the delay is that episode's window
start minus the label's start, in minutes.  An episode that fires from one
hour before a label's start to two hours after its end belongs to the
label; any other episode inside FROM..TO is false.

Prints one JSON object: {"delays": [minutes or null per label],
"false": N, "weeks": W, "false_per_week": N / W}.  Written apart from
ev-detect (standard library only), so the measure does not share its code.
"""
import json
import sys
from datetime import datetime, timedelta, timezone


def when(s):
    return datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=timezone.utc)


def main():
    labels_path, alerts_path, series, t0, t1 = sys.argv[1:6]
    with open(labels_path) as f:
        labels = [json.loads(x) for x in f if x.strip()]
    fired = []
    with open(alerts_path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("event") == series and \
                    r["anomaly"]["status"] == "firing":
                fired.append(when(r["start"]))
    lo, hi = when(t0), when(t1)
    delays, owned = [], set()
    for lab in labels:
        s, e = when(lab["start"]), when(lab["end"])
        hits = [f for f in fired if s <= f < e]
        delays.append((hits[0] - s).total_seconds() / 60 if hits else None)
        owned.update(f for f in fired
                     if s - timedelta(hours=1) <= f < e + timedelta(hours=2))
    false = [f for f in fired if f not in owned and lo <= f < hi]
    weeks = (hi - lo).total_seconds() / (7 * 86400)
    print(json.dumps({"delays": delays, "false": len(false), "weeks": weeks,
                      "false_per_week": len(false) / weeks,
                      "false_at": [f.isoformat() for f in false]}))


if __name__ == "__main__":
    main()
