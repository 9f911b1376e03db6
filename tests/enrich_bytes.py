#!/usr/bin/env python3
"""Property test for ev-enrich: every byte outside the fields an option names
is kept.

  enrich_bytes.py gen SEED N          write N random records to stdout
  enrich_bytes.py check KEY IN OUT    check OUT against IN

The records hold string escapes (short ones, \\u escapes, surrogate pairs),
raw UTF-8, unusual numbers (exponents, integers beyond 64 bits, -0, 1.50),
nested objects and arrays, and some spacing between tokens.  The check
reads both lines with a small parser of its own that keeps each value's raw
text, and expects the options the bats test gives:

  --hash h,o.h,arr.1 --drop d,o.d,o.p.d --anon-ip --ip-field o.ip

Every member outside those fields must keep its raw text byte for byte,
and the members stay in their order.  The named fields are checked against
Python's hmac (a number as written, a string decoded) and ipaddress (the
IPv4 mask for IPv4 and IPv4-mapped addresses, else the IPv6 one).
"""
import hashlib
import hmac
import ipaddress
import json
import random
import re
import sys

HASH = {('h',), ('o', 'h'), ('arr', 1)}
DROP = {('d',), ('o', 'd'), ('o', 'p', 'd')}
IP = ('o', 'ip')
NAMED = HASH | DROP | {IP}

NUMBERS = ['0', '-0', '1.50', '1E-7', '1e3', '2E+2', '-0.0', '1.0',
           '12345678901234567890', '-12345678901234567890',
           '3.14159265358979323846', '9007199254740993', '1e308', '5e-324',
           '0.1', '7', '-42', '1.5e-10', '123456789012345678901234567890']

# ---------------------------------------------------------------------------
# generation


def gen_string(rng):
    parts = []
    for _ in range(rng.randint(0, 6)):
        c = rng.random()
        if c < 0.15:
            parts.append(rng.choice(['\\n', '\\t', '\\"', '\\\\', '\\/',
                                     '\\b', '\\f', '\\r']))
        elif c < 0.3:
            parts.append('\\u%04x' % rng.choice([0x41, 0xe9, 0x20ac, 0x1f,
                                                  0x7f, 0x2028]))
        elif c < 0.35:
            parts.append('\\ud83d\\ude00')
        elif c < 0.45:
            parts.append(rng.choice(['é', '€', '😀', 'ß']))
        else:
            parts.append(rng.choice(['a', 'b', 'xyz', ' ', 'u1', '42']))
    return '"' + ''.join(parts) + '"'


def ws(rng):
    return rng.choice(['', '', '', '', ' ', '  ', '\t'])


def gen_value(rng, depth):
    c = rng.random()
    if depth < 3 and c < 0.12:
        return gen_object(rng, depth + 1, [])
    if depth < 3 and c < 0.2:
        items = [gen_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
        return '[' + ws(rng) + (ws(rng) + ',' + ws(rng)).join(items) + \
            ws(rng) + ']'
    if c < 0.55:
        return rng.choice(NUMBERS)
    if c < 0.9:
        return gen_string(rng)
    return rng.choice(['true', 'false', 'null'])


def escape_some(rng, text):
    """Spell some characters of text as \\u escapes."""
    out = []
    for ch in text:
        if rng.random() < 0.2:
            out.append('\\u%04x' % ord(ch))
        else:
            out.append(ch)
    return '"' + ''.join(out) + '"'


def gen_ip(rng):
    c = rng.random()
    if c < 0.35:
        a = '%d.%d.%d.%d' % tuple(rng.randint(1, 254) for _ in range(4))
    elif c < 0.7:
        a = str(ipaddress.IPv6Address(
            (rng.randint(1, 0xffff) << 112) | rng.getrandbits(112)))
    elif c < 0.85:
        a = '::ffff:%d.%d.%d.%d' % tuple(rng.randint(1, 254)
                                         for _ in range(4))
    elif c < 0.92:
        return rng.choice(NUMBERS)
    else:
        a = rng.choice(['not an ip', 'fe80::1%eth0', '1.2.3', ''])
    return escape_some(rng, a)


def gen_object(rng, depth, special):
    keys = ['k%d' % i for i in range(rng.randint(0, 4))]
    keys += [k for k in special if rng.random() < 0.7]
    if depth > 0:
        keys += [k for k in ['h', 'd', 'x\\u0041'] if rng.random() < 0.3]
    rng.shuffle(keys)
    seen = set()
    members = []
    for k in keys:
        if k in seen:
            continue
        seen.add(k)
        if k == 'o':
            v = gen_object(rng, depth + 1, ['h', 'd', 'ip', 'p']) \
                if rng.random() < 0.9 else gen_value(rng, depth + 1)
        elif k == 'p':
            v = gen_object(rng, depth + 1, ['d']) \
                if rng.random() < 0.8 else gen_value(rng, depth + 1)
        elif k == 'ip':
            v = gen_ip(rng)
        elif k == 'arr':
            items = [gen_value(rng, depth + 1)
                     for _ in range(rng.randint(0, 4))]
            v = '[' + ','.join(items) + ']'
        else:
            v = gen_value(rng, depth + 1)
        members.append('"%s"%s:%s%s' % (k, ws(rng), ws(rng), v))
    return '{' + ws(rng) + (ws(rng) + ',' + ws(rng)).join(members) + \
        ws(rng) + '}'


def gen(seed, n):
    rng = random.Random(seed)
    for _ in range(n):
        print(gen_object(rng, 0, ['h', 'd', 'o', 'arr']))

# ---------------------------------------------------------------------------
# a parser that keeps raw text


NUM = re.compile(r'-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?')


class Node:
    def __init__(self, kind, start):
        self.kind, self.start, self.end = kind, start, start
        self.members = []   # (key, node) for objects
        self.items = []     # nodes for arrays
        self.text = ''

    def value(self):
        return json.loads(self.text)


def skip(s, i):
    while i < len(s) and s[i] in ' \t\r\n':
        i += 1
    return i


def parse(s, i=0):
    i = skip(s, i)
    c = s[i]
    if c == '{':
        n = Node('o', i)
        i = skip(s, i + 1)
        if s[i] == '}':
            i += 1
        else:
            while True:
                k = parse(s, i)
                i = skip(s, k.end)
                assert s[i] == ':'
                v = parse(s, i + 1)
                n.members.append((k.value(), v))
                i = skip(s, v.end)
                if s[i] == '}':
                    i += 1
                    break
                assert s[i] == ','
                i += 1
    elif c == '[':
        n = Node('a', i)
        i = skip(s, i + 1)
        if s[i] == ']':
            i += 1
        else:
            while True:
                v = parse(s, i)
                n.items.append(v)
                i = skip(s, v.end)
                if s[i] == ']':
                    i += 1
                    break
                assert s[i] == ','
                i += 1
    elif c == '"':
        n = Node('s', i)
        i += 1
        while s[i] != '"':
            i += 2 if s[i] == '\\' else 1
        i += 1
    elif c in 'tfn':
        n = Node('l', i)
        while i < len(s) and s[i].isalpha():
            i += 1
    else:
        n = Node('n', i)
        m = NUM.match(s, i)
        i = m.end()
    n.end = i
    n.text = s[n.start:n.end]
    return n

# ---------------------------------------------------------------------------
# checking


class Fail(Exception):
    pass


def pseudonym(key, text):
    return 'hmac:' + hmac.new(key, text.encode('utf-8', 'surrogatepass'),
                              hashlib.sha256).hexdigest()


def is_hashed(v):
    return isinstance(v, str) and re.fullmatch('hmac:[0-9a-f]{64}', v)


def anon(text):
    """The masked address, or None when text is not one."""
    if '%' in text:
        return None     # a zone id: ev-enrich takes no such address
    try:
        a = ipaddress.ip_address(text)
    except ValueError:
        return None
    if a.version == 6 and a.ipv4_mapped is not None:
        net = ipaddress.ip_network('%s/24' % a.ipv4_mapped, strict=False)
        return '::ffff:%s' % net.network_address
    if a.version == 4:
        return str(ipaddress.ip_network('%s/24' % a, strict=False)
                   .network_address)
    return ipaddress.ip_network('%s/48' % a, strict=False) \
        .network_address.compressed


def under_named(path):
    """Whether a named field lies strictly below path."""
    return any(len(f) > len(path) and f[:len(path)] == path for f in NAMED)


def removed(path, old):
    """Whether the options remove the named field path holding old."""
    if path in DROP:
        return True
    ov = old.value()
    if path in HASH:
        return old.kind in 'oa' or isinstance(ov, bool)
    if old.kind != 's':
        return ov is not None
    return not is_hashed(ov) and anon(ov) is None


def expect_named(key, path, old, new):
    """The check of a named field; new is None when it is absent."""
    if path in DROP:
        if new is not None:
            raise Fail('%s kept by --drop' % '.'.join(map(str, path)))
        return
    ov = old.value()
    if path in HASH:
        if old.kind == 'n':
            want = pseudonym(key, old.text)
        elif old.kind == 's':
            want = ov if is_hashed(ov) else pseudonym(key, ov)
        elif ov is None:
            want = None
        else:
            want = 'removed'
    else:
        if old.kind != 's':
            want = None if ov is None else 'removed'
        elif is_hashed(ov):
            want = ov
        else:
            want = anon(ov) or 'removed'
    if want == 'removed':
        if new is not None:
            raise Fail('%s: %s not removed' % (path, old.text))
    elif want is None:
        if new is None or new.text != old.text:
            raise Fail('%s: null changed' % (path,))
    elif new is None or new.value() != want:
        raise Fail('%s: %s became %s, want %s' % (
            path, old.text, None if new is None else new.text, want))


def walk(key, path, old, new):
    if old.kind == 'o' and new.kind == 'o':
        last = {}
        for k, v in old.members:
            last[k] = v
        newm = dict(new.members)
        order = []
        for k, v in old.members:
            p = path + (k,)
            if p in NAMED:
                expect_named(key, p, v, newm.get(k))
                if k in newm:
                    order.append(k)
                continue
            if k not in newm:
                raise Fail('%s lost' % (p,))
            order.append(k)
            if under_named(p):
                walk(key, p, v, newm[k])
            elif v.text != newm[k].text:
                raise Fail('%s: %r became %r' % (p, v.text, newm[k].text))
        if [k for k, _ in new.members] != order:
            raise Fail('%s: members %s, want %s' % (
                path, [k for k, _ in new.members], order))
    elif old.kind == 'a' and new.kind == 'a':
        kept = [(i, a) for i, a in enumerate(old.items)
                if path + (i,) not in NAMED or not removed(path + (i,), a)]
        if len(kept) != len(new.items):
            raise Fail('%s: %d elements, want %d' % (
                path, len(new.items), len(kept)))
        for (i, a), b in zip(kept, new.items):
            p = path + (i,)
            if p in NAMED:
                expect_named(key, p, a, b)
            elif under_named(p):
                walk(key, p, a, b)
            elif a.text != b.text:
                raise Fail('%s: %r became %r' % (p, a.text, b.text))
    elif old.text != new.text:
        raise Fail('%s: %r became %r' % (path, old.text, new.text))


def read_key(path):
    k = open(path, 'rb').read()
    return k[:-1] if k.endswith(b'\n') else k


def lines(path):
    """The lines of a file split at LF only (U+2028 is no line end here)."""
    with open(path, encoding='utf-8', newline='') as f:
        text = f.read()
    return text[:-1].split('\n') if text.endswith('\n') else \
        text.split('\n')


def check(keyfile, inpath, outpath):
    key = read_key(keyfile)
    ins = lines(inpath)
    outs = lines(outpath)
    if len(ins) != len(outs):
        print('%d records in, %d out' % (len(ins), len(outs)))
        return 1
    bad = 0
    for n, (a, b) in enumerate(zip(ins, outs), 1):
        try:
            json.loads(b)
            walk(key, (), parse(a), parse(b))
        except (Fail, ValueError, AssertionError, IndexError) as e:
            bad += 1
            if bad <= 5:
                print('record %d: %s\n  in:  %s\n  out: %s' % (n, e, a, b))
    print('checked %d records, %d wrong' % (len(ins), bad))
    return 1 if bad else 0


if __name__ == '__main__':
    if sys.argv[1] == 'gen':
        gen(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4]))
