#!/usr/bin/env python3
"""Property test of evkit's expression language against Python.

  expr_prop.py BINDIR SEED COUNT

Draws COUNT random expressions (as trees, written out with the fewest
parentheses the precedence rules of evkit(7) allow, and now and then some
more) and a set of random records, then for each expression runs

  ev-enrich --set 'r = EXPR'                     (the value)
  ev-enrich --where EXPR --set 'hit = true'      (the condition)

and, for a quarter as many pairs of a number and a condition,

  ev-window --agg 'count,sum(NUM) as s,count_if(COND) as c'

and checks every record against an evaluator written here from the rules
of evkit(7): SQL's three-valued logic, type errors as rejects, strings by
code points, times through zoneinfo.  Exits 1 at the first difference,
printing the expression, the record and both answers.
"""
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from zoneinfo import ZoneInfo


class EvalError(Exception):
    pass


MISSING = object()
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]
PATTERNS = ["^a", "b", "^.b", "[A-Z]", "c$", "l+o"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
        "Saturday", "Sunday"]


def kind(v):
    if v is None:
        return "null"
    if type(v) is bool:
        return "bool"
    if type(v) in (int, float):
        return "num"
    if type(v) is str:
        return "str"
    return "json"


def num(v):
    k = kind(v)
    if k not in ("num", "null"):
        raise EvalError("needs a number")
    return None if v is None else float(v)


def string(v):
    if kind(v) not in ("str", "null"):
        raise EvalError("needs a string")
    return v


def cond(v):
    if kind(v) not in ("bool", "null"):
        raise EvalError("needs a bool")
    return v


def finite(x):
    if not math.isfinite(x):
        raise EvalError("not finite")
    return x


def equal(a, b):
    if kind(a) == "json" or kind(b) == "json":
        raise EvalError("cannot compare")
    if kind(a) != kind(b):
        return False
    return a == b


def c_round(x):
    """C's round(): halves away from zero."""
    if not math.isfinite(x):
        return x
    f = math.floor(abs(x))
    r = f + 1 if abs(x) - f >= 0.5 else f
    return math.copysign(r, x)


def parse_time(v):
    """A time argument in microseconds, or None."""
    k = kind(v)
    if k == "null":
        return None
    if k == "str":
        try:
            d = datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            raise EvalError("no time")
        if d.tzinfo is None:
            raise EvalError("no offset")
        return int((d - datetime(1970, 1, 1, tzinfo=timezone.utc))
                   / __import__("datetime").timedelta(microseconds=1))
    if k != "num":
        raise EvalError("needs a time")
    us = v * 1e6 if abs(v) < 1e11 else v * 1e3
    if not -62135596800e6 <= us <= 253402300800e6 - 1:
        raise EvalError("time out of range")
    return math.floor(us)


def local(us, zone):
    d = datetime.fromtimestamp(us // 1000000, tz=timezone.utc)
    return d.astimezone(ZoneInfo(zone))


def lookup(rec, path):
    v = rec
    for seg in path:
        if isinstance(v, dict) and seg in v:
            v = v[seg]
        elif isinstance(v, list) and seg.isdigit() and int(seg) < len(v):
            v = v[int(seg)]
        else:
            return MISSING
    return v


def ev(e, rec):
    op = e[0]
    if op == "lit":
        return e[1]
    if op == "path":
        v = lookup(rec, e[1])
        return None if v is MISSING else v
    if op == "neg":
        v = num(ev(e[1], rec))
        return None if v is None else -v
    if op == "not":
        v = cond(ev(e[1], rec))
        return None if v is None else not v
    if op in ("and", "or"):
        decisive = op == "or"
        a = cond(ev(e[1], rec))
        if a is decisive:
            return decisive
        b = cond(ev(e[2], rec))
        if b is decisive:
            return decisive
        if a is None or b is None:
            return None
        return not decisive
    if op in "+-*/%":
        a, b = ev(e[1], rec), ev(e[2], rec)
        if a is None or b is None:
            return None
        if op == "+" and kind(a) == "str" and kind(b) == "str":
            return a + b
        if kind(a) != "num" or kind(b) != "num":
            raise EvalError("arith")
        a, b = float(a), float(b)
        if op in "/%" and b == 0:
            raise EvalError("division by zero")
        if op == "+":
            return finite(a + b)
        if op == "-":
            return finite(a - b)
        if op == "*":
            return finite(a * b)
        if op == "/":
            return finite(a / b)
        return finite(math.fmod(a, b))
    if op in ("==", "!=", "<", "<=", ">", ">="):
        a, b = ev(e[1], rec), ev(e[2], rec)
        if a is None or b is None:
            return None
        if op in ("==", "!="):
            c = equal(a, b)
            return c if op == "==" else not c
        if not (kind(a) == kind(b) and kind(a) in ("num", "str")):
            raise EvalError("order")
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    if op in ("in", "not in"):
        a = ev(e[1], rec)
        if a is None:
            return None
        sawnull = False
        for item in e[2]:
            b = ev(item, rec)
            if b is None:
                sawnull = True
            elif equal(a, b):
                return op == "in"
        return None if sawnull else op == "not in"
    assert op == "fn"
    return call(e[1], e[2], rec)


def call(name, args, rec):
    if name == "exists":
        return lookup(rec, args[0][1]) is not MISSING
    if name == "is_null":
        return ev(args[0], rec) is None
    if name == "if":
        c = cond(ev(args[0], rec))
        return ev(args[1] if c is True else args[2], rec)
    if name == "coalesce":
        for a in args:
            v = ev(a, rec)
            if v is not None:
                return v
        return None
    if name in ("lower", "upper"):
        s = string(ev(args[0], rec))
        if s is None:
            return None
        tr = (str.maketrans("abcdefghijklmnopqrstuvwxyz",
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ") if name == "upper"
              else str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                 "abcdefghijklmnopqrstuvwxyz"))
        return s.translate(tr)
    if name in ("starts_with", "ends_with", "contains", "match"):
        a = string(ev(args[0], rec))
        b = string(ev(args[1], rec))
        if a is None or b is None:
            return None
        return {"starts_with": a.startswith(b), "ends_with": a.endswith(b),
                "contains": b in a,
                "match": re.search(b, a) is not None}[name]
    if name == "length":
        v = ev(args[0], rec)
        if v is None:
            return None
        if kind(v) not in ("str", "json"):
            raise EvalError("length")
        return len(v)
    if name == "substr":
        s = string(ev(args[0], rec))
        vals = [num(ev(a, rec)) for a in args[1:]]
        for v in vals:
            if v is not None and (v < 0 or v != math.floor(v)):
                raise EvalError("count")
        if s is None or None in vals:
            return None
        start = int(vals[0])
        return s[start:] if len(vals) == 1 else s[start:start + int(vals[1])]
    if name in ("abs", "floor", "ceil", "log", "round"):
        a = num(ev(args[0], rec))
        d = num(ev(args[1], rec)) if len(args) == 2 else 0.0
        if a is None or d is None:
            return None
        if name == "abs":
            return abs(a)
        if name == "floor":
            return float(math.floor(a))
        if name == "ceil":
            return float(math.ceil(a))
        if name == "log":
            if a <= 0:
                raise EvalError("log")
            return math.log(a)
        if d != math.floor(d) or d < -15 or d > 15:
            raise EvalError("digits")
        if d == 0:
            return c_round(a)
        p = math.pow(10, d)
        r = c_round(a * p) / p
        return r if math.isfinite(r) else a
    if name in ("min", "max"):
        vals = [num(ev(a, rec)) for a in args]
        if None in vals:
            return None
        return min(vals) if name == "min" else max(vals)
    if name == "time":
        v = lookup(rec, ["ts"])
        if v is MISSING or v is None:
            return None
        us = parse_time(v)
        return us / 1e6
    us = parse_time(ev(args[0], rec))
    if us is None:
        return None
    d = local(us, args[1][1] if len(args) == 2 else "UTC")
    if name == "hour":
        return float(d.hour)
    if name == "weekday":
        return DAYS[d.weekday()]
    return d.strftime("%Y-%m-%d")


# Writing expressions out.  Precedence: or 1, and 2, not 3, comparison 4,
# + - 5, * / % 6, unary minus 7, the rest 8.
PREC = {"or": 1, "and": 2, "not": 3, "==": 4, "!=": 4, "<": 4, "<=": 4,
        ">": 4, ">=": 4, "in": 4, "not in": 4, "+": 5, "-": 5, "*": 6,
        "/": 6, "%": 6, "neg": 7}


def prec(e):
    return PREC.get(e[0], 8)


def lit_text(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        return json.dumps(v)
    return repr(v)


def text(e, rnd):
    def wrap(sub, need):
        t = text(sub, rnd)
        if prec(sub) < need or rnd.random() < 0.05:
            return "(" + t + ")"
        return t

    op = e[0]
    if op == "lit":
        return lit_text(e[1])
    if op == "path":
        return ".".join(s if re.match(r"^[A-Za-z_]\w*$", s) or s.isdigit()
                        else "`" + s + "`" for s in e[1])
    if op == "neg":
        return "-" + wrap(e[1], 7)
    if op == "not":
        return "not " + wrap(e[1], 3)
    if op in ("in", "not in"):
        return (wrap(e[1], 5) + " " + op + " [" +
                ", ".join(text(i, rnd) for i in e[2]) + "]")
    if op == "fn":
        return e[1] + "(" + ", ".join(text(a, rnd) for a in e[2]) + ")"
    p = PREC[op]
    if p == 4:	# comparisons do not chain
        return wrap(e[1], 5) + " " + op + " " + wrap(e[2], 5)
    return wrap(e[1], p) + " " + op + " " + wrap(e[2], p + 1)


NUM_FIELDS = [["a"], ["b"], ["c"], ["p", "x"]]
STR_FIELDS = [["s"], ["t"], ["p", "y"], ["arr", "0"]]
ANY_FIELDS = NUM_FIELDS + STR_FIELDS + [["flag"], ["arr"], ["p"],
                                        ["k.dot"], ["nope"]]


def gen_num(rnd, d):
    r = rnd.random()
    if d <= 0 or r < 0.3:
        if rnd.random() < 0.6:
            return ("path", rnd.choice(NUM_FIELDS))
        return ("lit", rnd.choice([0, 1, 2, 3, 10, 2.5, 0.1, 1000000]))
    if r < 0.65:
        return (rnd.choice("+-*/%"), gen_num(rnd, d - 1),
                gen_num(rnd, d - 1))
    if r < 0.7:
        return ("neg", gen_num(rnd, d - 1))
    name = rnd.choice(["abs", "floor", "ceil", "round", "min", "max",
                       "length", "coalesce", "if", "log", "hour", "time"])
    if name == "round":
        args = [gen_num(rnd, d - 1)]
        if rnd.random() < 0.5:
            args.append(("lit", rnd.choice([0, 1, 2, -1])))
    elif name in ("min", "max", "coalesce"):
        args = [gen_num(rnd, d - 1) for _ in range(rnd.randint(1, 3))]
    elif name == "length":
        args = [gen_str(rnd, d - 1) if rnd.random() < 0.8
                else ("path", ["arr"])]
    elif name == "if":
        args = [gen_bool(rnd, d - 1), gen_num(rnd, d - 1),
                gen_num(rnd, d - 1)]
    elif name == "hour":
        args = [("path", ["ts"]) if rnd.random() < 0.7
                else gen_num(rnd, d - 1)]
        if rnd.random() < 0.7:
            args.append(("lit", rnd.choice(ZONES)))
    elif name == "time":
        args = []
    else:
        args = [gen_num(rnd, d - 1)]
    return ("fn", name, args)


def gen_str(rnd, d):
    r = rnd.random()
    if d <= 0 or r < 0.4:
        if rnd.random() < 0.6:
            return ("path", rnd.choice(STR_FIELDS))
        return ("lit", rnd.choice(["", "a", "abc", "h\u00e9", "B", "x\"y"]))
    if r < 0.5:
        return ("+", gen_str(rnd, d - 1), gen_str(rnd, d - 1))
    name = rnd.choice(["lower", "upper", "substr", "coalesce", "weekday",
                       "date"])
    if name == "substr":
        args = [gen_str(rnd, d - 1), ("lit", rnd.choice([0, 1, 2, 5]))]
        if rnd.random() < 0.5:
            args.append(("lit", rnd.choice([0, 1, 3])))
    elif name == "coalesce":
        args = [gen_str(rnd, d - 1) for _ in range(rnd.randint(1, 3))]
    elif name in ("weekday", "date"):
        args = [("path", ["ts"])]
        if rnd.random() < 0.7:
            args.append(("lit", rnd.choice(ZONES)))
    else:
        args = [gen_str(rnd, d - 1)]
    return ("fn", name, args)


def gen_bool(rnd, d):
    r = rnd.random()
    if d <= 0 or r < 0.1:
        return rnd.choice([("lit", True), ("lit", False),
                           ("path", ["flag"]),
                           ("fn", "exists", [("path", rnd.choice(
                               ANY_FIELDS))])])
    if r < 0.4:
        g = gen_num if rnd.random() < 0.6 else gen_str
        return (rnd.choice(["==", "!=", "<", "<=", ">", ">="]),
                g(rnd, d - 1), g(rnd, d - 1))
    if r < 0.6:
        return (rnd.choice(["and", "or"]), gen_bool(rnd, d - 1),
                gen_bool(rnd, d - 1))
    if r < 0.65:
        return ("not", gen_bool(rnd, d - 1))
    if r < 0.75:
        g = gen_num if rnd.random() < 0.5 else gen_str
        return (rnd.choice(["in", "not in"]), g(rnd, d - 1),
                [g(rnd, 0) for _ in range(rnd.randint(0, 3))])
    name = rnd.choice(["starts_with", "ends_with", "contains", "match",
                       "is_null"])
    if name == "match":
        return ("fn", name, [gen_str(rnd, d - 1),
                             ("lit", rnd.choice(PATTERNS))])
    if name == "is_null":
        return ("fn", name, [gen_any(rnd, d - 1)])
    return ("fn", name, [gen_str(rnd, d - 1), gen_str(rnd, d - 1)])


def gen_any(rnd, d):
    r = rnd.random()
    if r < 0.1:
        return ("path", rnd.choice(ANY_FIELDS))
    return rnd.choice([gen_num, gen_str, gen_bool])(rnd, d)


NUMS = [0, 1, 2, -3, 2.5, 0.1, 7, 1e15, None, "9", True]
STRS = ["", "abc", "Abc", "h\u00e9llo", "a\"b", "ABC", "bob", None, 3]
TIMES = ["2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z",
         "2026-03-08T06:59:59.5Z", "2026-03-08T07:00:00+00:00",
         "2026-12-31T23:30:00-05:30", 1774746000, 1774746000123,
         "yesterday", None]


def gen_record(rnd):
    rec = {}
    for k in ("a", "b", "c"):
        if rnd.random() < 0.85:
            rec[k] = rnd.choice(NUMS)
    for k in ("s", "t"):
        if rnd.random() < 0.85:
            rec[k] = rnd.choice(STRS)
    if rnd.random() < 0.8:
        rec["p"] = {"x": rnd.choice(NUMS), "y": rnd.choice(STRS)}
    if rnd.random() < 0.7:
        rec["arr"] = [rnd.choice(STRS) for _ in range(rnd.randint(0, 3))]
    if rnd.random() < 0.8:
        rec["flag"] = rnd.choice([True, False, None, 1])
    if rnd.random() < 0.5:
        rec["k.dot"] = 1
    if rnd.random() < 0.9:
        rec["ts"] = rnd.choice(TIMES)
    items = list(rec.items())
    rnd.shuffle(items)
    return dict(items)


def same(got, want):
    if kind(want) == "num" and kind(got) == "num":
        return float(got) == float(want)
    return kind(got) == kind(want) and got == want


def run(bindir, args, inpath):
    with tempfile.NamedTemporaryFile("r", suffix=".rej") as rej:
        p = subprocess.run([os.path.join(bindir, "ev-enrich")] + args +
                           ["--rejects", rej.name], stdin=open(inpath),
                           capture_output=True, text=True)
        if p.returncode not in (0, 1):
            return None, p.stderr
        out = [json.loads(line) for line in p.stdout.splitlines()]
        rejected = {json.loads(line)["line"] for line in rej}
    return out, rejected


def check_aggregates(bindir, rnd, recs, count):
    """ev-window sum(EXPR) and count_if(EXPR) over the records, against
    sums made here.  A record whose time cannot be read, or on which either
    expression fails, is rejected; the others all land in windows."""
    with tempfile.NamedTemporaryFile("w", suffix=".ndjson") as f:
        for r in recs:
            f.write(json.dumps(r) + "\n")
        f.flush()
        for _ in range(count):
            en, eb = gen_num(rnd, 3), gen_bool(rnd, 3)
            tn, tb = text(en, rnd), text(eb, rnd)
            total, hits, kept = 0.0, 0, 0
            for r in recs:
                try:
                    if parse_time(r.get("ts")) is None:
                        continue
                except EvalError:
                    continue
                try:
                    c, v = cond(ev(eb, r)), ev(en, r)
                except EvalError:
                    continue
                if kind(v) not in ("num", "null"):
                    continue
                kept += 1
                hits += c is True
                total += v or 0.0
            args = ["--tumble", "1d", "--lateness", "100000h",
                    "--final-at-eof", "--agg",
                    "count,sum(%s) as s,count_if((%s)) as c" % (tn, tb)]
            p = subprocess.run([os.path.join(bindir, "ev-window")] + args +
                               ["--rejects", "/dev/null"],
                               stdin=open(f.name), capture_output=True,
                               text=True)
            if p.returncode not in (0, 1):
                print("ev-window failed on %s: %s" % (args, p.stderr))
                return None
            out = [json.loads(x) for x in p.stdout.splitlines()]
            got = (sum(w["count"] for w in out), sum(w["c"] for w in out),
                   sum(w["s"] or 0 for w in out))
            if got[0] != kept or got[1] != hits or \
                    abs(got[2] - total) > 1e-9 * max(1.0, abs(total)):
                print("ev-window --agg '%s'\nev-window (count, c, s) %r, "
                      "python %r" % (args[-1], got, (kept, hits, total)))
                return None
    return count


def main():
    bindir, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(seed)
    recs = [gen_record(rnd) for _ in range(40)]
    checked = 0
    tally = {"value": 0, "null": 0, "error": 0}
    with tempfile.NamedTemporaryFile("w", suffix=".ndjson") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=rnd.random() < 0.3) + "\n")
        f.flush()
        for i in range(count):
            e = gen_bool(rnd, 4) if i % 2 else gen_any(rnd, 4)
            t = text(e, rnd)
            want = []
            for r in recs:
                try:
                    want.append(("ok", ev(e, r)))
                except EvalError as x:
                    want.append(("error", str(x)))
                tally["error" if want[-1][0] == "error" else
                      "null" if want[-1][1] is None else "value"] += 1
            out, rej = run(bindir, ["--set", "r = " + t], f.name)
            if out is None:
                print("ev-enrich failed on %s: %s" % (t, rej))
                return 1
            it = iter(out)
            for n, (r, w) in enumerate(zip(recs, want), 1):
                if n in rej:
                    got = ("error", None)
                else:
                    o = next(it)
                    got = ("ok", o["r"])
                if got[0] != w[0] or (w[0] == "ok" and
                                      not same(got[1], w[1])):
                    print("--set 'r = %s'\nrecord %s\nev-enrich %r, "
                          "python %r" % (t, json.dumps(r), got, w))
                    return 1
                checked += 1
            out, rej = run(bindir, ["--where", t, "--set", "hit = true"],
                           f.name)
            it = iter(out)
            for n, (r, w) in enumerate(zip(recs, want), 1):
                if w[0] == "ok" and kind(w[1]) not in ("bool", "null"):
                    w = ("error", "not a condition")
                else:
                    w = (w[0], w[0] == "ok" and w[1] is True)
                got = ("error", None) if n in rej else \
                    ("ok", "hit" in next(it))
                if got[0] != w[0] or got[1] != w[1] and w[0] == "ok":
                    print("--where '%s'\nrecord %s\nev-enrich %r, "
                          "python %r" % (t, json.dumps(r), got, w))
                    return 1
                checked += 1
    agg = check_aggregates(bindir, rnd, recs, count // 4)
    if agg is None:
        return 1
    print("expr_prop: %d expressions, %d evaluations agree "
          "(--set: %d values, %d nulls, %d errors)" %
          (count, checked, tally["value"], tally["null"], tally["error"]))
    print("expr_prop: %d ev-window aggregates agree" % agg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
