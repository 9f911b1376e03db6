#!/usr/bin/env python3
"""Write enum and uniqueItems cases for ev-validate with the verdicts of an
independent reference: JSON Schema equality written here in Python.

usage: enum_cases.py DIR   (writes DIR/enum.json, DIR/enum.ndjson,
DIR/enum.expected, DIR/unique.json, DIR/unique.ndjson, DIR/unique.expected)
"""
import json
import random
import sys


def eq(a, b):
    """JSON Schema instance equality: 1 == 1.0, member order is free,
    true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    num = (int, float)
    if isinstance(a, num) and isinstance(b, num):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(eq(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(eq(a[k], b[k]) for k in a)
    return a == b


def value(r, depth=0):
    k = r.randrange(9 if depth < 2 else 6)
    if k == 0:
        return r.randrange(-50, 50)
    if k == 1:
        return r.randrange(-50, 50) + r.choice([0.0, 0.5, 0.25])
    if k == 2:
        return r.choice(["a", "b", "é", "", "1", "true", "null", "\u0000x"])
    if k == 3:
        return r.choice([True, False, None])
    if k == 4:
        return "s%d" % r.randrange(400)
    if k == 5:
        return r.choice([0, 0.0, -0.0, 1, 1.0, 10**15, 1e15])
    if k == 6:
        return [value(r, depth + 1) for _ in range(r.randrange(3))]
    keys = r.sample(["x", "y", "z", "w"], r.randrange(4))
    return {key: value(r, depth + 1) for key in keys}


def variant(r, v):
    """An equal value spelt differently: ints as reals, members reordered."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return float(v) if r.random() < 0.5 else v
    if isinstance(v, float):
        return int(v) if v == int(v) and r.random() < 0.5 else v
    if isinstance(v, list):
        return [variant(r, x) for x in v]
    items = [(k, variant(r, x)) for k, x in v.items()]
    r.shuffle(items)
    return dict(items)


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    out = sys.argv[1]
    r = random.Random(12)
    allowed = [value(r) for _ in range(3000)]
    tries = [variant(r, r.choice(allowed)) for _ in range(300)]
    tries += [value(r) for _ in range(300)]
    tries += [True, False, 1, 0, None, "x", [], {}]
    write(out + "/enum.json", json.dumps({"enum": allowed}))
    write(out + "/enum.ndjson",
          "".join(json.dumps(t) + "\n" for t in tries))
    write(out + "/enum.expected",
          "".join(json.dumps(t) + "\n" for t in tries
                  if any(eq(t, a) for a in allowed)))

    arrays = []
    for _ in range(300):
        a = []
        for _ in range(r.randrange(9, 40)):
            v = value(r)
            if not any(eq(v, x) for x in a):
                a.append(v)
        if r.random() < 0.5:
            a.insert(r.randrange(len(a) + 1), variant(r, r.choice(a)))
        arrays.append(a)
    write(out + "/unique.json", json.dumps({"uniqueItems": True}))
    write(out + "/unique.ndjson",
          "".join(json.dumps(a) + "\n" for a in arrays))
    write(out + "/unique.expected",
          "".join(json.dumps(a) + "\n" for a in arrays
                  if not any(eq(a[i], a[j]) for i in range(len(a))
                             for j in range(i + 1, len(a)))))


main()
