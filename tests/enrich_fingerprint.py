#!/usr/bin/env python3
"""Differential test of ev-enrich --fingerprint, against Python.

  enrich_fingerprint.py gen SEED N              write N events to stdout
  enrich_fingerprint.py check EXCLUDE OUT       check OUT's fingerprints

The events mix what the canonical text has to get right: keys out of
order and repeated (at the top and nested), escapes, non-ASCII text and
characters above the BMP, control characters, reals of every shape
(0.1, exponents, -0.0, 1e22), integers (-0, beyond 53 bits, and lines with
one beyond 64 bits), empty and nested containers, members ev-enrich adds
already present, odd spacing.

The check reads each output line as the event after the privacy
transforms plus the members ev-enrich adds, removes those members and the
comma-separated paths of EXCLUDE (dotted, objects only), and computes the
canonical text the way man/ev-enrich.1 describes it, by its own code: keys
sorted by their UTF-8 bytes, the last of a repeated key, compact, strings
with '"', '\\' and control characters escaped (\\b \\f \\n \\r \\t by name,
others \\u00XX) and everything above 0x7F as upper-case \\uXXXX (UTF-16
pairs above the BMP), integers in decimal, reals as C's "%.17g" with ".0"
added when it shows neither '.' nor 'e' and the exponent without '+' or
leading zeros, every integer read as a real when the line holds one beyond
64 bits.  Its SHA-256 in hex must be the line's fingerprint.
"""
import hashlib
import json
import random
import sys

ADDED = ['calendar', 'page', 'campaign', 'referrer', 'ua', 'geo',
         'fingerprint']
KEYS = ['a', 'b', 'B', 'z', 'aa', 'a b', '\u00e9', 'e\u0301', '\U0001F600',
        'k"q', 'back\\slash', 'tab\t', '', 'Z9', '_']
STRINGS = ['', 'x', 'caf\u00e9', '\u2028\u2029', '\U0001F600 smile',
           'quote " and \\ back', 'ctl \x01\x1f\x7f', 'nl\n\r\t\b\f',
           'slash /', '\u0000nul', 'ascii only', '\uffff']
NUMBERS = ['0', '-0', '1', '-17', '9007199254740993',
           '-9223372036854775808', '9223372036854775807', '0.1', '1.5',
           '-0.0', '1e3', '1E-7', '1e22', '123.456e+5', '2.5e-300',
           '1e100', '3.141592653589793', '100.0', '5e-324', '1.7976931348623157e308']


def jstr(s, rnd):
    """s as a JSON string, escaped at random where JSON allows it."""
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch in '"\\' or c < 0x20:
            out.append(json.dumps(ch)[1:-1])
        elif rnd.random() < 0.1 and c < 0x10000:
            out.append('\\u%04x' % c)
        elif rnd.random() < 0.05 and ch == '/':
            out.append('\\/')
        else:
            out.append(ch)
    out.append('"')
    return ''.join(out)


def value(rnd, depth):
    r = rnd.random()
    if depth < 3 and r < 0.15:
        return obj(rnd, depth + 1)
    if depth < 3 and r < 0.25:
        n = rnd.randrange(4)
        sp = rnd.choice(['', ' '])
        return '[' + (',' + sp).join(value(rnd, depth + 1)
                                     for _ in range(n)) + ']'
    if r < 0.55:
        return jstr(rnd.choice(STRINGS), rnd)
    if r < 0.9:
        return rnd.choice(NUMBERS)
    return rnd.choice(['true', 'false', 'null'])


def obj(rnd, depth):
    n = rnd.randrange(6 if depth else 8)
    members = []
    for _ in range(n):
        k = rnd.choice(KEYS)
        members.append(jstr(k, rnd) + rnd.choice([':', ' : ']) +
                       value(rnd, depth))
    return '{' + rnd.choice([',', ', ']).join(members) + '}'


def gen(seed, n):
    rnd = random.Random(seed)
    for i in range(n):
        line = obj(rnd, 0)
        extra = ['"u":' + jstr(rnd.choice(STRINGS), rnd),
                 '"c":{"ip":"192.0.2.%d","n":%s}' % (rnd.randrange(256),
                                                    rnd.choice(NUMBERS))]
        if rnd.random() < 0.1:
            extra.append('"calendar":{"x":1}')
        if rnd.random() < 0.05:
            extra.append('"big":123456789012345678901234')
        rnd.shuffle(extra)
        body = line[1:-1]
        line = '{' + ','.join(([body] if body else []) + extra) + '}'
        sys.stdout.write(line + '\n')


class Int(int):
    """An integer that remembers its spelling: "-0" read as a real is -0.0."""

    def __new__(cls, text):
        v = super().__new__(cls, int(text))
        v.text = text
        return v


def has_bigint(v):
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return not -2**63 <= v < 2**63
    if isinstance(v, dict):
        return any(has_bigint(x) for x in v.values())
    if isinstance(v, list):
        return any(has_bigint(x) for x in v)
    return False


def real(x):
    t = '%.17g' % x
    if '.' not in t and 'e' not in t:
        t += '.0'
    if 'e' in t:
        mant, exp = t.split('e')
        sign = '-' if exp[0] == '-' else ''
        digits = exp.lstrip('+-').lstrip('0') or ''
        t = mant + 'e' + sign + digits
    return t


def string(s):
    out = ['"']
    names = {'"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f',
             '\n': '\\n', '\r': '\\r', '\t': '\\t'}
    for ch in s:
        c = ord(ch)
        if ch in names:
            out.append(names[ch])
        elif c < 0x20 or 0x7f < c < 0x10000:
            out.append('\\u%04X' % c)
        elif c >= 0x10000:
            c -= 0x10000
            out.append('\\u%04X\\u%04X' % (0xd800 | c >> 10,
                                           0xdc00 | (c & 0x3ff)))
        else:
            out.append(ch)
    out.append('"')
    return ''.join(out)


def canon(v, ints_real):
    if v is True:
        return 'true'
    if v is False:
        return 'false'
    if v is None:
        return 'null'
    if isinstance(v, int):
        return real(float(v.text)) if ints_real else str(int(v))
    if isinstance(v, float):
        return real(v)
    if isinstance(v, str):
        return string(v)
    if isinstance(v, list):
        return '[' + ','.join(canon(x, ints_real) for x in v) + ']'
    keys = sorted(v, key=lambda k: k.encode('utf-8'))
    return '{' + ','.join(string(k) + ':' + canon(v[k], ints_real)
                          for k in keys) + '}'


def check(exclude, out):
    paths = [p.split('.') for p in exclude.split(',') if p]
    n = 0
    with open(out, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            # The last of a repeated key wins, as a dict keeps it.
            ev = json.loads(line, parse_int=Int)
            fp = ev['fingerprint']
            ints_real = has_bigint(ev)
            for k in ADDED:
                ev.pop(k, None)
            for p in paths:
                o = ev
                for seg in p[:-1]:
                    o = o.get(seg) if isinstance(o, dict) else None
                if isinstance(o, dict):
                    o.pop(p[-1], None)
            text = canon(ev, ints_real)
            want = hashlib.sha256(text.encode('ascii')).hexdigest()
            if fp != want:
                sys.exit('line %d: fingerprint %s, expected %s of %s' %
                         (lineno, fp, want, text))
            n += 1
    print('%d fingerprints checked' % n)


if __name__ == '__main__':
    if sys.argv[1] == 'gen':
        gen(int(sys.argv[2]), int(sys.argv[3]))
    else:
        check(sys.argv[2], sys.argv[3])
