#!/usr/bin/env python3
"""schema_variants.py SEEDS - print generated variants of each seed object
(NDJSON): the seed, the seed without each member, each member replaced by
each value of a pool, and each pool value added under extra names.  The
instances feed the ev-schema property test (tests/ev-schema.bats)."""
import json, sys

POOL = [None, True, 0, -1, 1, 3, 5, 7, 10, 12, 50, 99, 100, 150, 2.5, "",
        "a", "abc", "red", "green", "blue", "cyan", "ABC", "abcdefghijkl",
        "2026-03-02T10:15:04Z", [], ["a"], ["a", "a"], ["a", "b", "c"],
        ["x", 1], ["x", 1, True], [1], {}, {"k": 1},
        {"a": 1, "b": 2, "c": 3, "d": 4}]
EXTRA = ["extra", "x_a", "x_b", "tags", "color", "v", "kind"]

def out(o, seen):
    s = json.dumps(o, separators=(",", ":"), sort_keys=True)
    if s not in seen:
        seen.add(s)
        print(s)

def main():
    seen = set()
    for line in open(sys.argv[1]):
        if not line.strip():
            continue
        seed = json.loads(line)
        out(seed, seen)
        for k in seed:
            out({a: b for a, b in seed.items() if a != k}, seen)
            for v in POOL:
                o = dict(seed)
                o[k] = v
                out(o, seen)
        for k in EXTRA:
            if k in seed:
                continue
            for v in POOL:
                o = dict(seed)
                o[k] = v
                out(o, seen)

main()
