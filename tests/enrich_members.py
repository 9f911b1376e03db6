#!/usr/bin/env python3
"""Differential test of the members ev-enrich adds, against Python.

  enrich_members.py gen SEED N        write N events to stdout
  enrich_members.py check TZ IN OUT   check OUT against IN

The events repeat a small pool of page URLs, referrers and user agents
(so that ev-enrich's caches of member text are hit as well as missed),
spell some of them with JSON escapes, and mix in times around the DST
changes, events that carry an output member already, URLs that are no
URLs, non-string sources, empty objects and odd spacing.  The check expects
`--calendar --tz TZ --campaign --referrer --ua` and asserts, line by line:

  - the output is the input's bytes with the new members spliced in
    before its closing brace, in the order calendar, page, campaign,
    referrer, ua, each compact;
  - calendar is what zoneinfo gives for the event time in TZ;
  - page and campaign are what a URL split by hand and urllib's parse_qsl
    give, for the URLs of the pool (all of them well formed);
  - referrer holds the referrer's URL parts the same way;
  - a member is the same bytes wherever its source is the same (the user
    agent; the referrer with the same page host), so whether a cache
    answered never shows.
"""
import json
import random
import sys
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

HOSTS = ['shop.example.com', 'WWW.Example.ORG', 'x.example', 'news.example.net']
PATHS = ['', '/', '/a/b', '/p%20q', '/cart/', '/s;x=1']
QUERIES = [None, '', 'q=1', 'utm_source=news&utm_medium=email',
           'utm_campaign=spring+sale&utm_term=shoes&utm_content=banner',
           'utm_source=&utm_source=second&gclid=abc', 'msclkid=m1&x=y',
           'utm_id=42&dclid=d9&utm_source=a%20b']
FRAGS = [None, '', 'top', 'a?b']
AGENTS = [
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) '
    'Chrome/122.0.0.0 Safari/537.36',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) '
    'AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 '
    'Safari/604.1',
    'Googlebot/2.1 (+http://www.google.com/bot.html)',
    'curl/8.5.0', 'a "quoted" agent\\with\tescapes', 'x']
BAD_URLS = ['not a url', '/relative/path', 'https://', 'http://a b/',
            'https://host:99999/']


def gen_url(rng, schemes):
    u = rng.choice(schemes) + '://' + rng.choice(HOSTS)
    if rng.random() < 0.2:
        u += ':' + str(rng.choice([8080, 443, 80, 1]))
    u += rng.choice(PATHS)
    q = rng.choice(QUERIES)
    if q is not None:
        u += '?' + q
    f = rng.choice(FRAGS)
    if f is not None:
        u += '#' + f
    return u


def jstr(rng, s):
    """s as a JSON string, some characters spelt as escapes."""
    out = []
    rate = 0.08 if rng.random() < 0.3 else 0
    for ch in s:
        if ch in '"\\\t':
            out.append(json.dumps(ch)[1:-1])
        elif rng.random() < rate:
            out.append('\\u%04x' % ord(ch))
        elif ch == '/' and rng.random() < 0.05:
            out.append('\\/')
        else:
            out.append(ch)
    return '"' + ''.join(out) + '"'


def gen_time(rng):
    # Around the changes of 2026 in Europe and America, and some others.
    base = rng.choice([datetime(2026, 3, 29, 1, tzinfo=timezone.utc),
                       datetime(2026, 10, 25, 1, tzinfo=timezone.utc),
                       datetime(2026, 3, 8, 7, tzinfo=timezone.utc),
                       datetime(2026, 12, 31, 23, tzinfo=timezone.utc),
                       datetime(2027, 1, 4, 0, tzinfo=timezone.utc)])
    t = base + timedelta(seconds=rng.randint(-7200, 7200))
    c = rng.random()
    if c < 0.5:
        return '"%s"' % t.strftime('%Y-%m-%dT%H:%M:%SZ')
    if c < 0.65:
        return str(int(t.timestamp()))
    if c < 0.8:
        return str(int(t.timestamp()) * 1000 + rng.randint(0, 999))
    if c < 0.9:
        return '"%s"' % t.astimezone(timezone(timedelta(hours=-5))).isoformat()
    return rng.choice(['"yesterday"', 'null', 'true'])


def gen(seed, n):
    rng = random.Random(seed)
    pages = [gen_url(rng, ['https', 'http', 'HTTPS']) for _ in range(40)]
    refs = [gen_url(rng, ['https', 'http', 'ftp']) for _ in range(15)]
    for _ in range(n):
        m = []
        if rng.random() < 0.95:
            m.append('"ts":' + gen_time(rng))
        ctx = []
        c = rng.random()
        if c < 0.85:
            ctx.append('"page_url":' + jstr(rng, rng.choice(pages)))
        elif c < 0.9:
            ctx.append('"page_url":' + jstr(rng, rng.choice(BAD_URLS)))
        elif c < 0.95:
            ctx.append('"page_url":' + rng.choice(['1', 'null', '""', '[]']))
        c = rng.random()
        if c < 0.6:
            ctx.append('"referrer":' + jstr(rng, rng.choice(refs)))
        elif c < 0.7:
            ctx.append('"referrer":' + jstr(rng, rng.choice(pages)))
        elif c < 0.75:
            ctx.append('"referrer":' + jstr(rng, rng.choice(BAD_URLS)))
        if rng.random() < 0.9:
            ctx.append('"user_agent":' + jstr(rng, rng.choice(AGENTS)))
        if ctx or rng.random() < 0.5:
            m.append('"context":{' + ','.join(ctx) + '}')
        if rng.random() < 0.05:
            # (campaign goes with page: present, page leaves both alone)
            m.append('"%s":{"kept":true}' % rng.choice(
                ['calendar', 'page', 'referrer', 'ua']))
        rng.shuffle(m)
        sp = rng.choice(['', '', '', ' ', '\t'])
        print('{' + sp + (sp + ',' + sp).join(m) + sp + '}' +
              rng.choice(['', '', ' ']))


# ---------------------------------------------------------------------------

def event_time(v):
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int):
        if abs(v) < 100000000000:
            return datetime.fromtimestamp(v, timezone.utc)
        return datetime.fromtimestamp(v // 1000, timezone.utc) + \
            timedelta(milliseconds=v % 1000)
    try:
        return datetime.fromisoformat(v.replace('Z', '+00:00'))
    except ValueError:
        return None


def calendar(t, tz):
    d = t.astimezone(ZoneInfo(tz))
    iso = d.isocalendar()
    off = int(d.utcoffset().total_seconds())
    sign = '-' if off < 0 else '+'
    return {'date': d.strftime('%Y-%m-%d'), 'hour': d.hour,
            'weekday': d.strftime('%A'), 'iso_weekday': iso[2],
            'iso_week': iso[1], 'iso_year': iso[0], 'month': d.month,
            'tz': tz, 'utc_offset': '%s%02d:%02d' % (sign, abs(off) // 3600,
                                                     abs(off) % 3600 // 60),
            'dst': bool(d.dst())}


def url_parts(u):
    """The parts of a URL of the pool, split by hand."""
    scheme, rest = u.split('://', 1)
    cut = min([i for i in (rest.find('/'), rest.find('?'), rest.find('#'))
               if i >= 0] + [len(rest)])
    auth, rest = rest[:cut], rest[cut:]
    host, _, port = auth.partition(':')
    p = {'scheme': scheme.lower(), 'host': host.lower()}
    if port:
        p['port'] = int(port)
    elif scheme.lower() in ('http', 'https'):
        p['port'] = 80 if scheme.lower() == 'http' else 443
    frag = None
    if '#' in rest:
        rest, frag = rest.split('#', 1)
    query = None
    if '?' in rest:
        rest, query = rest.split('?', 1)
    p['path'] = rest or '/'
    if query is not None:
        p['query'] = query
    if frag is not None:
        p['fragment'] = frag
    return p, query


def campaign(query):
    if query is None:
        return None
    pairs = parse_qsl(query, keep_blank_values=True)

    def first(name):
        for k, v in pairs:
            if k == name and v.strip():
                return v
        return None
    out = {}
    for p, m in [('utm_source', 'source'), ('utm_medium', 'medium'),
                 ('utm_campaign', 'name'), ('utm_term', 'term'),
                 ('utm_content', 'content'), ('utm_id', 'id')]:
        v = first(p)
        if v is not None:
            out[m] = v
    for p, net in [('gclid', 'Google'), ('msclkid', 'Microsoft'),
                   ('dclid', 'DoubleClick')]:
        v = first(p)
        if v is not None:
            out['click_id'] = v
            out['network'] = net
            break
    return out or None


def is_pool_url(u):
    return isinstance(u, str) and u not in BAD_URLS and '://' in u


def check(tz, inp, outp):
    fails = []
    seen = {}
    n = 0
    with open(inp, encoding='utf-8') as fi, open(outp, encoding='utf-8') as fo:
        for lineno, (a, b) in enumerate(zip(fi, fo), 1):
            a, b = a.rstrip('\n'), b.rstrip('\n')
            n += 1
            ev = json.loads(a)
            end = a.rindex('}')
            if not (b.startswith(a[:end]) and b.endswith(a[end:])):
                fails.append('%d: the original bytes are not kept' % lineno)
                continue
            added = b[end:len(b) - (len(a) - end)]
            inner = a[a.index('{') + 1:end].strip()
            if added and not inner:
                added = ',' + added
            members = json.loads('{' + added[1:] + '}') if added else {}
            order = [k for k in ['calendar', 'page', 'campaign', 'referrer',
                                 'ua'] if k in members]
            if list(members) != order or (added and added[0] != ','):
                fails.append('%d: members %s' % (lineno, list(members)))
            for k, v in members.items():
                text = json.dumps(v, separators=(',', ':'), ensure_ascii=False)
                if ('"%s":%s' % (k, text)) not in added:
                    fails.append('%d: %s is not compact: %s' % (lineno, k,
                                                               added))
            ctx = ev.get('context') if isinstance(ev.get('context'),
                                                  dict) else {}
            # calendar
            t = event_time(ev.get('ts'))
            want = None if 'calendar' in ev or t is None else calendar(t, tz)
            if members.get('calendar') != want:
                fails.append('%d: calendar %s, want %s' % (
                    lineno, members.get('calendar'), want))
            # page and campaign
            pu = ctx.get('page_url')
            if 'page' not in ev and is_pool_url(pu):
                p, q = url_parts(pu)
                c = None if 'campaign' in ev else campaign(q)
                if members.get('page') != p or members.get('campaign') != c:
                    fails.append('%d: page %s campaign %s, want %s %s' % (
                        lineno, members.get('page'), members.get('campaign'),
                        p, c))
            elif 'page' in members:
                fails.append('%d: page from %r' % (lineno, pu))
            # referrer: the URL parts (medium and source are the database's)
            ru = ctx.get('referrer')
            r = members.get('referrer')
            if 'referrer' not in ev and is_pool_url(ru):
                p, _ = url_parts(ru)
                if r is None or {k: r.get(k) for k in p} != p:
                    fails.append('%d: referrer %s, want parts %s' % (
                        lineno, r, p))
            elif r is not None:
                fails.append('%d: referrer from %r' % (lineno, ru))
            # the same source, the same bytes
            host = url_parts(pu)[0]['host'] if is_pool_url(pu) else None
            for k, src in [('ua', ctx.get('user_agent')),
                           ('referrer', (ru, host) if isinstance(ru, str)
                            else None)]:
                if k in members and k not in ev and src is not None:
                    text = json.dumps(members[k], separators=(',', ':'),
                                      ensure_ascii=False)
                    if seen.setdefault((k, src), text) != text:
                        fails.append('%d: %s differs for the same source' %
                                     (lineno, k))
    for f in fails[:20]:
        print(f)
    print('%d lines, %d failures, %d distinct sources' % (n, len(fails),
                                                         len(seen)))
    return 1 if fails else 0


if __name__ == '__main__':
    if sys.argv[1] == 'gen':
        gen(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4]))
