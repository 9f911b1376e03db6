#!/usr/bin/env bats
# ev-report: change figures (--compare, the last complete point), points
# of non-additive metrics over a coarser --step, top() and n/a notes in
# Markdown and CSV, and the Slack format.  Figures are checked against
# python3 computing them from the same input.
#
# Golden files are in tests/data/report/; after a deliberate change of
# output, regenerate them with
#   REGEN_GOLDEN=1 EVKIT_BIN=$PWD/build bats tests/ev-report-formats.bats
# and review the diff.

load helper

R=$DATA/report
export SOURCE_DATE_EPOCH=1772928000	# 2026-03-08T00:00:00Z

# golden NAME: compare $T/out with tests/data/report/NAME (or write it).
golden() {
	if [ -n "${REGEN_GOLDEN:-}" ]; then
		cp "$T/out" "$R/$1"
	fi
	cmp "$T/out" "$R/$1" || { diff -u "$R/$1" "$T/out" | head -40; return 1; }
}

# events: three days of page views by 400 users, as ev-window reads them.
events() {
	python3 - <<'EOT'
import json, random
rnd = random.Random(14)
ev = []
for d in range(3):
    for h in range(24):
        for i in range(rnd.randint(5, 40)):
            ev.append({"event": "view", "ts": "2026-03-%02dT%02d:%02d:%02dZ" %
                (2 + d, h, rnd.randint(0, 59), rnd.randint(0, 59)),
                "user_id": "u%d" % rnd.randint(1, 400)})
for e in sorted(ev, key=lambda e: e["ts"]):
    print(json.dumps(e))
EOT
}

@test "ev-report: --step 1d never sums hourly distinct counts; a daily record gives the day" {
	events > ev.ndjson
	ev-window --tumble 1h --final-at-eof --agg 'count,distinct(user_id) as users' \
		< ev.ndjson > h.ndjson
	ev-window --tumble 1d --final-at-eof --agg 'count,distinct(user_id) as users' \
		< ev.ndjson > d.ndjson
	read -r users counts <<< "$(python3 -c '
import json
days = {}
for l in open("ev.ndjson"):
    e = json.loads(l)
    days.setdefault(e["ts"][:10], []).append(e["user_id"])
k = sorted(days)
print(json.dumps([len(set(days[d])) for d in k], separators=(",", ":")),
      json.dumps([len(days[d]) for d in k], separators=(",", ":")))')"
	# Hourly records only: the day's distinct users are unknown.
	ev-report -f json --step 1d < h.ndjson > m.json
	run jq -c '.metrics[] | select(.name == "users") | [.points, .total, (.points_note | test("not additive"))]' m.json
	assert_output '[[null,null,null],null,true]'
	run jq -c '.metrics[] | select(.name == "count") | .points | map(floor)' m.json
	assert_output "$counts"
	# The summed hourly figure appears nowhere in the text report.
	summed=$(python3 -c '
import json
print("{:,}".format(sum(json.loads(l)["users"] for l in open("h.ndjson"))))')
	ev-report --step 1d < h.ndjson > out
	grep -q '^  points n/a: not additive' out
	! grep -qF "$summed" out
	# With the daily records beside them, each day is its daily record,
	# for the distinct count and for the count (not hours plus day).
	cat h.ndjson d.ndjson | ev-report -f json --step 1d > m.json
	run jq -c '.metrics[] | select(.name == "users") | .points | map(floor)' m.json
	assert_output "$users"
	run jq -c '.metrics[] | select(.name == "count") | .points | map(floor)' m.json
	assert_output "$counts"
	run jq -c '[.metrics[] | has("points_note")]' m.json
	assert_output '[false,false]'
	# In another order the same.
	cat d.ndjson h.ndjson | ev-report -f json --step 1d | cmp - m.json
}

# hourly: two weeks and a day of hourly counts per platform, a total row
# with distinct users, the last hour cut short and one hour a week
# before it partial too.
hourly() {
	python3 - <<'EOT'
import json, datetime
t0 = datetime.datetime(2026, 2, 22)
for h in range(15 * 24):
    t = t0 + datetime.timedelta(hours=h)
    s = t.strftime("%Y-%m-%dT%H:00:00Z")
    e = (t + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:00:00Z")
    final = h not in (15 * 24 - 1, 8 * 24 - 5)
    tot = 0
    for p, base in (("web", 100), ("ios", 60)):
        n = base + (h * 7 + (13 if p == "ios" else 0)) % 23 + h // 24
        tot += n
        print(json.dumps({"start": s, "end": e, "platform": p, "count": n,
            "users": n // 2, "final": final}))
    print(json.dumps({"start": s, "end": e, "users": tot // 3, "final": final}))
EOT
}

@test "ev-report: --compare 1w puts each hour next to the same hour a week before" {
	hourly > in.ndjson
	python3 - > want.json <<'EOT'
import json
recs = [json.loads(l) for l in open("in.ndjson")]
def tot(metric, s):
    if metric == "users":   # not additive: the total row only
        r = [x for x in recs if x["start"] == s and "platform" not in x]
        return (r[0]["users"], r[0]["final"]) if r else (None, True)
    r = [x for x in recs if x["start"] == s and "platform" in x]
    return (sum(x["count"] for x in r), all(x["final"] for x in r)) if r else (None, True)
import datetime
last = datetime.datetime(2026, 3, 8, 23)
out = {}
for m in ("count", "users"):
    rows = []
    for h in range(24):
        t = datetime.datetime(2026, 3, 8, h)
        s = t.strftime("%Y-%m-%dT%H:00:00Z")
        p = (t - datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:00:00Z")
        v, vf = tot(m, s)
        w, wf = tot(m, p)
        ch = None if not (vf and wf) else round((v - w) / abs(w) * 1e6)
        rows.append([v, w, ch])
    out[m] = rows
# The range figure: the day against the same day a week before, both
# without the hours that are partial on either side.
cur = [x for x in recs if x["start"] >= "2026-03-08" and "platform" in x]
bad = {x["start"][11:13] for x in recs if not x["final"] and (x["start"] >= "2026-03-08"
    or x["start"][:10] == "2026-03-01")}
a = sum(x["count"] for x in cur if x["start"][11:13] not in bad)
b = sum(x["count"] for x in recs if x["start"][:10] == "2026-03-01" and "platform" in x
    and x["start"][11:13] not in bad)
out["range"] = round((a - b) / b * 1e6)
print(json.dumps(out, separators=(",", ":")))
EOT
	ev-report -f json --last 1d --compare 1w < in.ndjson > m.json
	run jq -c '.change_basis' m.json
	assert_output '{"kind":"range","current":{"start":"2026-03-08T00:00:00Z","end":"2026-03-09T00:00:00Z"},"previous":{"start":"2026-03-01T00:00:00Z","end":"2026-03-02T00:00:00Z"},"offset":"1w"}'
	for m in count users; do
		run jq -c --arg m "$m" '.metrics[] | select(.name == $m) |
			[.points, .compare.previous, .compare.change] | transpose |
			map([(.[0] | floor), (.[1] | floor),
			     (if .[2] == null then null else .[2] * 1e6 | round end)])' m.json
		assert_equal "$output" "$(jq -c --arg m "$m" '.[$m]' want.json)"
	done
	run jq '.metrics[] | select(.name == "count") | .change * 1e6 | round' m.json
	assert_output "$(jq .range want.json)"
	# Every format shows the table; CSV carries it per row.
	ev-report --last 1d --compare 1w --metric count < in.ndjson > out
	grep -q '^  compared with 1w earlier' out
	grep -qE '^    2026-03-08 23:00 +[0-9,]+ +[0-9,]+ +-  partial$' out
	ev-report -f md --last 1d --compare 1w --metric count < in.ndjson > out.md
	grep -q '^### count against 1w earlier$' out.md
	grep -q '^| 2026-03-08 23:00 (partial) | ' out.md
	ev-report -f csv --last 1d --compare 1w --metric count < in.ndjson > out.csv
	head -1 out.csv | grep -q ',direction,previous,change'
	ev-report -f html --last 1d --compare 1w --metric count < in.ndjson > out.html
	grep -q '<h3>Against 1w earlier</h3>' out.html
	xmllint --noout out.html
}

@test "ev-report: without --last the change is the last complete point against the one before" {
	hourly > in.ndjson
	read -r want wantweb <<< "$(python3 -c '
import json
recs = [json.loads(l) for l in open("in.ndjson")]
# The last hour is partial: 22:00 of the last day against 21:00.
def tot(s, p=None):
    return sum(x["count"] for x in recs if x["start"] == s and "platform" in x
        and (p is None or x["platform"] == p))
a, b = tot("2026-03-08T22:00:00Z"), tot("2026-03-08T21:00:00Z")
w, v = tot("2026-03-08T22:00:00Z", "web"), tot("2026-03-08T21:00:00Z", "web")
print(round((a - b) / b * 1e6), round((w - v) / v * 1e6))')"
	ev-report -f json --metric count < in.ndjson > m.json
	run jq -c '.change_basis | [.kind, .current.start, .previous.start, .offset]' m.json
	assert_output '["point","2026-03-08T22:00:00Z","2026-03-08T21:00:00Z","1h"]'
	run jq '.metrics[0].change * 1e6 | round' m.json
	assert_output "$want"
	run jq '.metrics[0].series[] | select(.series == "platform=web") | .change * 1e6 | round' m.json
	assert_output "$wantweb"
	ev-report --metric count < in.ndjson > out
	grep -q '^change: 2026-03-08 22:00 against 2026-03-08 21:00 (the last complete 1h point against the one 1h earlier)$' out
	# Non-additive: the total row's values, never a sum of segments.
	read -r wantu <<< "$(python3 -c '
import json
recs = [json.loads(l) for l in open("in.ndjson")]
u = {x["start"]: x["users"] for x in recs if "platform" not in x}
a, b = u["2026-03-08T22:00:00Z"], u["2026-03-08T21:00:00Z"]
print(round((a - b) / b * 1e6))')"
	ev-report -f json --metric users < in.ndjson > u.json
	run jq '.metrics[0].change * 1e6 | round' u.json
	assert_output "$wantu"
	# With --compare 1d and no range: that point against the day before.
	ev-report -f json --metric count --compare 1d < in.ndjson > c.json
	run jq -c '.change_basis | [.current.start, .previous.start]' c.json
	assert_output '["2026-03-08T22:00:00Z","2026-03-07T22:00:00Z"]'
}

@test "ev-report: a partial point a week before gives no change, nor does a partial point now" {
	hourly > in.ndjson
	ev-report -f json --since 2026-03-08T00:00:00Z --compare 1w --metric count < in.ndjson > m.json
	# 2026-03-01T19:00 was cut short, so 2026-03-08T19:00 has no change.
	run jq -c '.metrics[0] | [.compare.change[19], .compare.change[23], (.compare.change[18] | type)]' m.json
	assert_output '[null,null,"number"]'
}

@test "ev-report: markdown and csv render top() lists per period and the n/a notes" {
	cat > in.ndjson <<'EOT'
{"start":"2026-03-07T00:00:00Z","end":"2026-03-07T01:00:00Z","platform":"web","p95_load_ms":812.5,"top_referrers":[{"value":"google.com","count":5},{"value":"t|co","count":3}],"final":true}
{"start":"2026-03-07T00:00:00Z","end":"2026-03-07T01:00:00Z","platform":"ios","p95_load_ms":901.25,"top_referrers":[{"value":"=cmd","count":4}],"final":true}
{"start":"2026-03-07T01:00:00Z","end":"2026-03-07T02:00:00Z","platform":"web","p95_load_ms":790,"top_referrers":[{"value":"bing.com","count":1100},{"value":null,"count":100}],"final":false}
EOT
	ev-report -f md < in.ndjson > out
	golden formats-top.md.golden
	grep -q '^_Total n/a: not additive: no total row' out
grep -q '^| 2 | t\\|co | 3 |$' out
	grep -q '^\*\*2026-03-07 01:00 platform=web\*\* (partial)$' out
	! grep -q 'share' out
	ev-report -f csv < in.ndjson > out
	golden formats-top.csv.golden
	"$EVKIT_BIN/tools/report_csv" < out > again 2> shape
	cmp out again
	# One row per period, series and rank; the counts as python reads them.
	python3 - <<'EOT'
import csv, json
rows = [r for r in csv.DictReader(open("out", newline="")) if r["metric"] == "top_referrers"]
want = []
for l in open("in.ndjson"):
    r = json.loads(l)
    for i, x in enumerate(r["top_referrers"]):
        v = x["value"]
        want.append((r["start"], r["platform"], str(i + 1),
            "null" if v is None else ("'" + v if v[0] == "=" else v), x["count"]))
got = [(r["start"], r["platform"], r["rank"], r["item"], float(r["value"])) for r in rows]
assert sorted(got) == sorted(want), (got, want)
tot = [r for r in csv.DictReader(open("out", newline="")) if r["series"] == "(total)"]
assert len(tot) == 1 and tot[0]["value"] == "" and tot[0]["note"].startswith("not additive"), tot
EOT
}

# many: a day of hourly counts for 300 series, anomalies on some, for a
# report far longer than a Slack markdown block.
many() {
	python3 - <<'EOT'
import json
for h in range(24):
    for s in range(300):
        r = {"start": "2026-03-07T%02d:00:00Z" % h, "end": "2026-03-07T%02d:00:00Z" % (h + 1)
             if h < 23 else "2026-03-08T00:00:00Z", "page": "/p/%03d<b>&*_" % s,
             "count": 1000 + s * 7 + h, "final": True}
        if s % 50 == 0 and h == 12:
            r["anomaly"] = {"score": 0.99999, "expected": 900 + s, "lower": 850,
                "upper": 950 + s, "direction": "up"}
        print(json.dumps(r))
EOT
}

@test "ev-report: slack fits Slack's 12,000-character markdown block, cutting whole sections" {
	many > in.ndjson
	ev-report -f slack --top 300 --compare 1h < in.ndjson > out
	ev-report -f slack --top 300 --compare 1h --budget 1000000 < in.ndjson > full
	python3 - <<'EOT'
import re
out = open("out", encoding="utf-8").read()
full = open("full", encoding="utf-8").read()
units = lambda s: len(s.encode("utf-16-le")) // 2
assert units(full) > 12000, units(full)
assert units(out) <= 12000, units(out)
# No HTML outside code blocks (inside, a label is shown as it is), and
# every code block closed.
assert out.count("```") % 2 == 0
prose = "".join(out.split("```")[0::2])
assert not re.search(r"(?<!\\)<[a-zA-Z/]", prose), "html"
assert "<b>" in out
# The header and the headline stay; the breakdown went, and the last line says so.
assert out.startswith("# ev-report: count\n")
assert "\n## count\n" in out and "**Incidents in count**" in out
last = out.rstrip("\n").split("\n")[-1]
assert last.startswith("_Left out to fit 12000 characters: ") and "series by count" in last, last
assert "**Series by count**" not in out
# What is kept is whole: each kept block is in the full report as it is.
for block in out.split("\n\n")[:-1]:
    assert block in full, block[:80]
EOT
	# Names cannot format, link or open a tag outside code.
	echo '{"start":"2026-03-07T00:00:00Z","a<b>&_*":5}' | ev-report -f slack > esc
	grep -qF '## a\<b\>\&\_\*' esc
	# A budget given in characters is kept the same way.
	ev-report -f slack --top 300 --budget 600 < in.ndjson > small
	[ "$(python3 -c 'print(len(open("small", encoding="utf-8").read().encode("utf-16-le")) // 2)')" -le 600 ]
	tail -1 small | grep -q '^_Left out to fit 600 characters: incidents in count, series by count._$'
}

@test "ev-report: slack matches the golden file, short enough to need no cut" {
	ev-report -f slack --last 1d --by event,platform < "$R/windows.ndjson" > out
	golden slack.golden
	! grep -q 'Left out' out
	ev-report -f slack --last 1d --by event,platform --budget 1500 < "$R/windows.ndjson" > out
	golden slack-1500.golden
	# The model re-renders the same bytes.
	ev-report -f json --last 1d --by event,platform < "$R/windows.ndjson" \
		| ev-report --from-json - -f slack > again
	ev-report -f slack --last 1d --by event,platform < "$R/windows.ndjson" | cmp - again
}

@test "ev-report: --compare takes a positive duration, and --help names it and slack" {
	for v in x 0 -1w; do
		run --separate-stderr ev-report --compare "$v" < /dev/null
		assert_failure 2
		[[ "$stderr" == "ev-report: --compare '$v' is not a positive duration"* ]] || fail "$stderr"
	done
	run --separate-stderr ev-report --help
	assert_success
	assert_output --partial "--compare DUR"
	assert_output --partial "slack"
}

@test "ev-report: --compare and point changes match the golden files in text, markdown and csv" {
	hourly > in.ndjson
	ev-report --last 1d --compare 1w < in.ndjson > out
	golden compare-text.golden
	ev-report -f md --last 1d --compare 1w < in.ndjson > out
	golden compare-md.golden
	ev-report -f csv --last 1d --compare 1w < in.ndjson > out
	golden compare-csv.golden
	ev-report < in.ndjson > out
	golden change-point-text.golden
}
