#!/usr/bin/env python3
"""classify.py - read ev-gen output on stdin and count each line's kind the
way a consumer sees it, independently of ev-gen's own summary:

  long       longer than 1 MiB
  utf8       not valid UTF-8
  truncated  not parseable JSON
  missing    one of event_id, event, ts, user_id absent
  type       ts not RFC 3339, user_id not a string, or amount a string
  dup        a well-formed line whose event_id was seen before
  events     the other well-formed lines
  behind10s  well-formed lines whose ts is over 10 s behind the latest so far

Prints one JSON object."""
import json
import re
import sys
from datetime import datetime

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
c = {k: 0 for k in ("lines", "events", "dup", "long", "utf8", "truncated",
                    "missing", "type", "behind10s")}
seen = set()
latest = None
for raw in sys.stdin.buffer:
    raw = raw.rstrip(b"\n")
    c["lines"] += 1
    if len(raw) > 1024 * 1024:
        c["long"] += 1
        continue
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        c["utf8"] += 1
        continue
    try:
        o = json.loads(text)
    except ValueError:
        c["truncated"] += 1
        continue
    if not all(k in o for k in ("event_id", "event", "ts", "user_id")):
        c["missing"] += 1
        continue
    amount = o.get("properties", {}).get("amount", 0)
    if (not isinstance(o["ts"], str) or not TS.match(o["ts"])
            or not isinstance(o["user_id"], str)
            or isinstance(amount, str)):
        c["type"] += 1
        continue
    if o["event_id"] in seen:
        c["dup"] += 1
        continue
    seen.add(o["event_id"])
    c["events"] += 1
    t = datetime.strptime(o["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
    if latest is not None and t < latest - 10:
        c["behind10s"] += 1
    if latest is None or t > latest:
        latest = t
print(json.dumps(c, sort_keys=True))
