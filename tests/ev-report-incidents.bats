#!/usr/bin/env bats
# ev-report: alert episodes (incidents) in text, HTML and mail HTML, the
# HTML charts (headline band and markers, one scale per dimension, gaps
# only where no window exists), sparklines that keep the daily cycle,
# --title and the table of contents.
#
# Golden files are in tests/data/report/incidents-*.golden; the input is
# written by tests/data/report/gen-incidents.  After a deliberate change
# of output, regenerate them with
#   REGEN_GOLDEN=1 EVKIT_BIN=$PWD/build bats tests/ev-report-incidents.bats
# and review the diff.

load helper

R=$DATA/report
export SOURCE_DATE_EPOCH=1772928000	# 2026-03-08T00:00:00Z

local_setup() {
	unset NO_COLOR
}

# inc FORMAT [options]: the report of the incidents fixture.
inc() {
	local f=$1
	shift
	ev-report -f "$f" --by event,platform --title 'Traffic & alerts' \
		"$@" < "$R/incidents.ndjson"
}

# golden NAME: compare $T/out with tests/data/report/NAME (or write it).
golden() {
	if [ -n "${REGEN_GOLDEN:-}" ]; then
		cp "$T/out" "$R/$1"
	fi
	cmp "$T/out" "$R/$1" || { diff -u "$R/$1" "$T/out" | head -40; return 1; }
}

# same_lines WANT GOT N: N JSON lines in each, equal as values.
same_lines() {
	python3 - "$@" <<'PY'
import json, sys
w = [json.loads(l) for l in open(sys.argv[1])]
g = [json.loads(l) for l in open(sys.argv[2])]
assert len(w) == int(sys.argv[3]), w
assert w == g, "\nwant %s\ngot  %s" % (w, g)
PY
}

@test "ev-report-incidents: text matches the golden file" {
	inc text > out
	golden incidents-text.golden
}

@test "ev-report-incidents: markdown lists the model's incidents, one row each" {
	inc md > out
	inc json > m.json
	# Each incident of the model is one row: start, end (or ongoing),
	# series and deviation as the model gives them.
	python3 - out m.json <<'PY'
import json, sys
md = open(sys.argv[1]).read()
m = json.load(open(sys.argv[2]))
for me in m["metrics"]:
    if "incidents" not in me:
        continue
    sec = md.split("### Incidents in " + me["name"] + "\n", 1)[1].split("\n###", 1)[0]
    rows = [l for l in sec.splitlines() if l.startswith("| 20")]
    inc = me["incidents"]
    assert len(rows) == len(inc), (me["name"], rows, inc)
    for r, i in zip(rows, inc):
        c = [x.strip() for x in r.strip("|").split(" | ")]
        assert c[0] == i["start"][:16].replace("T", " "), (c, i)
        want_end = "**ongoing**" if i["ongoing"] else i["end"][:16].replace("T", " ")
        assert c[1] == want_end, (c, i)
        assert c[3] == i["series"], (c, i)
        assert c[7] == "%+.1f%%" % (100 * i["deviation"]), (c, i)
assert any(i["ongoing"] for me in m["metrics"] for i in me.get("incidents", []))
PY
	# Slack too: one code-block row per incident, the ongoing one so.
	inc slack > sl
	n=$(jq '[.metrics[] | .incidents // [] | length] | add' m.json)
	[ "$(grep -c '^20[0-9-]* [0-9:]*  ' sl)" -eq "$n" ]
	grep -q 'ongoing *2h so far' sl
}

@test "ev-report-incidents: html matches the golden file" {
	inc html > out
	golden incidents-html.golden
}

@test "ev-report-incidents: html-mail matches the golden file" {
	inc html-mail > out
	golden incidents-mail.golden
}

@test "ev-report-incidents: episodes, durations and peaks match an independent reference" {
	inc json > m.json
	python3 "$R/incidents-ref.py" "$R/incidents.ndjson" > want
	jq -c '.metrics[0].incidents[] | [.series, .start, .end, .ongoing,
		.seconds, .points, .peak_at, .value, .expected,
		((.deviation * 1e9 | round) / 1e9)]' m.json > got
	same_lines want got 5
	# One row per episode: 10 anomalous points, 5 incidents.
	jq -e '.records.anomalies == 10' m.json
	run grep -c '^  2026-03-0[23] [0-9:]*  [0-9o]' < <(inc text)
	assert_output 5
}

@test "ev-report-incidents: an episode is reported once, with its end, severity and explanation" {
	inc text > out
	# The android drop: three points, resolved at 09:00, critical.
	grep -E '^  2026-03-03 06:00  2026-03-03 09:00 +3h  event=page_view,platform=android  2026-03-03 07:00 +5 +90.40 +-94.5%  critical  page_view android -94% vs expected 90.4$' out
	# The web spike is still firing at the end of the input.
	grep -E '^  2026-03-03 22:00  ongoing +2h so far  event=page_view,platform=web ' out
	# The explanation is the peak's summary.
	grep -q 'page_view -19% vs expected 451.8; 100% of the drop from platform=android' out
}

@test "ev-report-incidents: --alerts records (fired and resolved only) make the same episodes" {
	# What ev-detect --alerts writes: the first point and the resolution.
	jq -c 'select(.anomaly.status == "resolved" or (.anomaly.status == "firing"
		and .anomaly.since == .start))' "$R/incidents.ndjson" > alerts.ndjson
	jq -c 'select(.anomaly.status == null) | del(.anomaly)' "$R/incidents.ndjson" > plain.ndjson
	cat plain.ndjson alerts.ndjson | ev-report -f json --by event,platform > m.json
	run jq -c '.metrics[0].incidents[] | [.series, .start, .end, .ongoing, .points]' m.json
	assert_line --index 0 '["event=page_view","2026-03-03T06:00:00Z","2026-03-03T08:00:00Z",false,1]'
	assert_line --index 1 '["event=page_view,platform=android","2026-03-03T06:00:00Z","2026-03-03T09:00:00Z",false,1]'
	assert_line --index 2 '["event=page_view,platform=web","2026-03-03T22:00:00Z",null,true,1]'
	[ "${#lines[@]}" -eq 3 ]
}

@test "ev-report-incidents: --max-anomalies keeps the most severe incidents" {
	inc text --max-anomalies 2 > out
	grep -q '(3 less severe incidents not shown; see --max-anomalies)' out
	grep -q 'event=page_view,platform=android' out
	grep -q 'event=page_view,platform=web' out
	run grep -c 'event=signup  ' out
	assert_output 0
}

@test "ev-report-incidents: --title and the table of contents in HTML" {
	inc html > r.html
	xmllint --noout r.html
	grep -q '<title>Traffic &amp; alerts</title>' r.html
	grep -q '<h1>Traffic &amp; alerts</h1>' r.html
	grep -q '<nav>' r.html
	grep -q '<a href="#m0-inc">5 incidents</a>' r.html
	# Every link is to an anchor of the file.
	run grep -Eo 'href="[^"]*"' r.html
	[ "${#lines[@]}" -gt 5 ]
	for h in "${lines[@]}"; do
		[[ $h == 'href="#'* ]] || fail "link out of the file: $h"
		id=${h#href=\"#}
		grep -q "id=\"${id%\"}\"" r.html || fail "no anchor for $h"
	done
	# Each incident links to its series' chart.
	grep -q '<td><a href="#m0-s3">event=page_view,<wbr/>platform=android</a></td>' r.html
	grep -q '<figure id="m0-s3">' r.html
	inc text | head -1 | grep -qx 'Traffic & alerts'
	# Without --title, the metric names as before.
	ev-report -f html < "$R/incidents.ndjson" | grep -q '<title>ev-report: count</title>'
}

@test "ev-report-incidents: the headline chart has the total row's band, markers and the incidents" {
	# A grand total (no labels) over the fixture's segments.
	jq -c 'select(.platform and .event == "page_view")' "$R/incidents.ndjson" > seg.ndjson
	jq -sc 'group_by(.start)[] | {start: .[0].start, end: .[0].end, count: (map(.count) | add),
		final: true, anomaly: {score: (if .[0].start == "2026-03-03T07:00:00Z" then 1 else 0.5 end),
		expected: (map(.anomaly.expected) | add), lower: (map(.anomaly.lower) | add),
		upper: (map(.anomaly.upper) | add)}}' seg.ndjson > tot.ndjson
	cat seg.ndjson tot.ndjson | ev-report -f html --by platform > r.html
	xmllint --noout r.html
	# The first chart is the headline: band, one marker, four incident spans.
	awk '/<figure/{n++} n==1' r.html > head.svg
	grep -q 'class="band"' head.svg
	run grep -c '<circle class="anom"' head.svg
	assert_output 1
	run grep -c '<rect class="inc"' head.svg
	assert_output 3
}

@test "ev-report-incidents: segments of one dimension share one scale" {
	inc html > r.html
	# page_view by platform: web, ios, android on one y axis.
	for id in m0-s1 m0-s2 m0-s3; do
		awk -v id="$id" '$0 ~ "<figure id=\"" id "\""{p=1} p&&/<\/figure>/{p=0} p' r.html |
			grep -o 'text-anchor="end">[0-9,.]*<' | tr '\n' ' '
		echo
	done > axes
	run sort -u axes
	[ "${#lines[@]}" -eq 1 ] || fail "different scales: $(cat axes)"
	grep -q '<h4>count by platform, event=page_view (one scale)</h4>' r.html
}

@test "ev-report-incidents: a missing segment window is zero, a point without any window a gap" {
	inc html > r.html
	# ios has no window at 2026-03-02T20:00 while the others have: no events.
	awk '/<figure id="m0-s2"/{p=1} p&&/<\/figure>/{p=0} p' r.html | grep '<path class="line"' > ios
	run grep -o ' M' ios
	assert_output ""
	# No window at all at 05:00: a gap in every line.
	jq -c 'select(.start != "2026-03-02T05:00:00Z")' "$R/incidents.ndjson" |
		ev-report -f html --by event,platform > g.html
	awk '/<figure id="m0-s2"/{p=1} p&&/<\/figure>/{p=0} p' g.html | grep '<path class="line"' > ios
	run grep -o ' M' ios
	assert_output " M"
}

@test "ev-report-incidents: sparklines keep the daily cycle (glyphs divide a day)" {
	# A week of 10-minute windows of a pure daily cycle.
	python3 - > week.ndjson <<'PY'
import json, math
from datetime import datetime, timedelta, timezone
t0 = datetime(2026, 3, 2, tzinfo=timezone.utc)
for i in range(7 * 144):
    s = t0 + timedelta(minutes=10 * i)
    print(json.dumps({"start": s.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": (s + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "count": round(100 + 80 * math.sin(2 * math.pi * i / 144))}))
PY
	ev-report -f json < week.ndjson > m.json
	jq -r '.metrics[0].sparkline' m.json > spark
	# 4-hour glyphs: 42 of them, six a day, each day drawn the same.
	python3 - spark <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read().rstrip("\n")
assert len(s) == 42, (len(s), s)
assert all(s[i] == s[i + 6] for i in range(len(s) - 6)), s
PY
	# A day of hourly points keeps one glyph an hour.
	jq -c 'select(.start < "2026-03-03")' week.ndjson | ev-report -f json --step 1h |
		jq -e '.metrics[0].sparkline | length == 24'
}

@test "ev-report-incidents: html-mail has inline styles only, no CSS variables, script or SVG" {
	inc html-mail > m.html
	xmllint --noout m.html
	run grep -Eci '<style|var\(--|<script|<svg|class=|<link|src=' m.html
	assert_output 0
	# Every element in the body carries its own style attribute (table
	# rows take their cells' styles).
	python3 - m.html <<'PY'
import html.parser, sys
class P(html.parser.HTMLParser):
    body = False
    bad = []
    n = 0
    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.body = True
        if self.body:
            self.n += 1
            if "style" not in dict(attrs) and tag != "tr":
                self.bad.append(tag)
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
assert p.n > 50 and not p.bad, (p.n, p.bad)
PY
	grep -q 'ongoing' m.html
	grep -q 'Charts are in the full HTML report' m.html
	# --compare: one row per point with a value a day earlier, as in the
	# model; still inline styles only.
	inc html-mail --compare 1d > c.html
	inc json --compare 1d > c.json
	xmllint --noout c.html
	run grep -Eci '<style|var\(--|<script|<svg|class=' c.html
	assert_output 0
	python3 - c.html c.json <<'PY'
import json, re, sys
h = open(sys.argv[1], encoding="utf-8").read()
m = json.load(open(sys.argv[2]))
for me in m["metrics"]:
    if "compare" not in me:
        continue
    want = sum(1 for v in me["compare"]["previous"] if v is not None)
    sec = h.split(">" + me["name"] + "</h2>", 1)[1].split("<h2", 1)[0]
    tab = sec.split(">Against 1d earlier</h3>", 1)[1].split("</table>", 1)[0]
    assert tab.count("<tr><td") == want, (me["name"], tab.count("<tr><td"), want)
assert "Change: " in h
PY
}

@test "ev-report-incidents: a 3-hour segment drop through the real pipeline is one incident" {
	drop='drop:event=page_view,platform=android,at=2026-03-04T14:00Z,for=3h,factor=0.2'
	ev-gen --seed 42 --duration 4d --rate 0.3 --anomaly "$drop" --labels labels.ndjson > ev.ndjson
	ev-window --tumble 1h --rollup 'event,context.platform as platform' --agg count < ev.ndjson > w.ndjson
	ev-detect -m seasonal --by event,platform < w.ndjson > d.ndjson
	ev-report -f json --metric count < d.ndjson > m.json
	# ev-detect wrote several firing points for the drop ...
	[ "$(jq -c 'select(.platform == "android" and .anomaly.status == "firing")' d.ndjson | wc -l)" -ge 3 ]
	# ... the report lists them as one incident covering the injected hours.
	run jq -c '[.metrics[0].incidents[] | select(.labels.platform == "android")] |
		map([.start, .ongoing, .end >= "2026-03-04T17:00:00Z", .severity])' m.json
	assert_output '[["2026-03-04T14:00:00Z",false,true,"critical"]]'
	jq -e '.metrics[0].incidents[] | select(.labels.platform == "android") | .summary | test("android")' m.json
}

@test "ev-report-incidents: the model re-renders incidents byte for byte, title included" {
	inc json > model.json
	jq -e '.title == "Traffic & alerts" and (.metrics[0].incidents | length == 5)' model.json
	for f in text html html-mail; do
		inc "$f" > direct
		ev-report --from-json model.json -f "$f" > again
		cmp direct again || fail "--from-json differs for $f"
	done
	# --title with --from-json replaces the stored one.
	ev-report --from-json model.json -f text --title other | head -1 | grep -qx other
}

@test "ev-report-incidents: hostile incidents and titles render escaped and well-formed" {
	inc json > model.json
	jq '.title = "<script>alert(1)</script>" |
		.metrics[0].incidents += [{"start": 5, "end": [], "ongoing": "x",
		"series": "<img src=x>", "labels": [], "summary": null, "value": "a",
		"severity": "<b>", "explain": [{"platform": "</td>", "share": 2}]}, 7]' \
		model.json > bad.json
	for f in text html html-mail; do
		run --separate-stderr ev-report --from-json bad.json -f "$f"
		assert_success
	done
	for f in html html-mail; do
		ev-report --from-json bad.json -f "$f" > out.html
		xmllint --noout out.html
		run grep -c '<script\|<img\|<b>' out.html
		assert_output 0
	done
}

@test "ev-report-incidents: edge cases of grouping agree with the reference" {
	# a: pending since 01:00, firing from 02:00, resolved at 04:00.
	# a: a second episode right after the first (another since), ongoing.
	# b: only a resolution (its episode began before the input): nothing.
	# c: score-only points at 01:00 and 03:00 (not adjacent): two; the
	#    first two points of c tie on distance: the earlier is the peak.
	python3 - > edge.ndjson <<'PY'
import json
def rec(h, ev, count, exp, **a):
    r = {"start": "2026-03-02T%02d:00:00Z" % h, "end": "2026-03-02T%02d:00:00Z" % (h + 1),
         "event": ev, "count": count, "final": True}
    r["anomaly"] = dict(dict(score=0.5, expected=exp, lower=exp - 5, upper=exp + 5), **a)
    return r
F = lambda since, **k: dict(status="firing", since="2026-03-02T%02d:00:00Z" % since,
                            fingerprint="f", severity="warning", score=0.99999, **k)
out = [rec(0, "a", 50, 50), rec(1, "a", 50, 50),
       rec(2, "a", 20, 50, **F(1)), rec(3, "a", 10, 50, **F(1, summary="a down")),
       rec(4, "a", 50, 50, status="resolved", since="2026-03-02T01:00:00Z"),
       rec(5, "a", 90, 50, **F(5)), rec(6, "a", 95, 50, **F(5)),
       rec(0, "b", 5, 5), rec(1, "b", 5, 5, status="resolved", since="2026-03-01T20:00:00Z"),
       rec(2, "b", 5, 5),
       rec(0, "c", 10, 30, score=0.99999), rec(1, "c", 50, 30, score=0.99999),
       rec(2, "c", 30, 30), rec(3, "c", 31, 30, score=0.99999), rec(4, "c", 30, 30)]
for r in out:
    print(json.dumps(r))
PY
	ev-report -f json --by event < edge.ndjson > m.json
	python3 "$R/incidents-ref.py" edge.ndjson > want
	jq -c '.metrics[0].incidents[] | [.series, .start, .end, .ongoing,
		.seconds, .points, .peak_at, .value, .expected,
		((.deviation * 1e9 | round) / 1e9)]' m.json > got
	same_lines want got 4
	# The pending hour counts: the first episode of a lasts 3h.
	run jq -r '.metrics[0].incidents[] | select(.series == "event=a") | "\(.start) \(.duration) \(.summary)"' m.json
	assert_line --index 0 '2026-03-02T01:00:00Z 3h a down'
	assert_line --index 1 '2026-03-02T05:00:00Z 2h '
}

@test "ev-report-incidents: a model without incidents renders its anomalies point by point" {
	inc json | jq 'del(.metrics[].incidents)' > old.json
	ev-report --from-json old.json -f text > out
	grep -q '^  anomalies:$' out
	run grep -c '^  2026-03-0[23] [0-9:]*  event=' out
	assert_output 10
	ev-report --from-json old.json -f html > out.html
	xmllint --noout out.html
	grep -q '<h3 id="m0-inc">Anomalies</h3>' out.html
	grep -q '<a href="#m0-inc">anomalies</a>' out.html
}
