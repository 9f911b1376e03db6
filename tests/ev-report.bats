#!/usr/bin/env bats
# ev-report: formats against golden files, the JSON model's re-rendering,
# CSV through libcsv, the HTML checked as XML and in a headless browser,
# colour rules, the Markdown budget, gates and the shared contract.
#
# Golden files are in tests/data/report/; after a deliberate change of
# output, regenerate them with
#   REGEN_GOLDEN=1 EVKIT_BIN=$PWD/build bats tests/ev-report.bats
# and review the diff.

load helper

R=$DATA/report
export SOURCE_DATE_EPOCH=1772928000	# 2026-03-08T00:00:00Z

local_setup() {
	unset NO_COLOR
}

# report FORMAT [options]: the golden run of one format.
report() {
	local f=$1
	shift
	ev-report -f "$f" --last 1d --by event,platform \
		--stage-stats "$R/validate.stats" --stage-stats "$R/window.stats" \
		"$@" < "$R/windows.ndjson"
}

# golden NAME: compare $T/out with tests/data/report/NAME (or write it).
golden() {
	if [ -n "${REGEN_GOLDEN:-}" ]; then
		cp "$T/out" "$R/$1"
	fi
	cmp "$T/out" "$R/$1" || { diff -u "$R/$1" "$T/out" | head -40; return 1; }
}

@test "ev-report: --help prints usage to stdout and exits 0" {
	run --separate-stderr ev-report --help
	assert_success
	assert_line --index 0 --partial "usage: ev-report"
	assert_output --partial "--fail-on-anomaly"
	assert_equal "$stderr" ""
}

@test "ev-report: a bad --time or --by field is a usage error with a Try line" {
	run --separate-stderr ev-report --time '/~9' </dev/null
	assert_failure 2
	[[ "$stderr" == "ev-report: bad time field '/~9': "* ]] || fail "$stderr"
	[[ "$stderr" == *"Try 'ev-report --help'"* ]] || fail "$stderr"
	run --separate-stderr ev-report --by '/~9' </dev/null
	assert_failure 2
	[[ "$stderr" == "ev-report: bad --by field '/~9': "* ]] || fail "$stderr"
	[[ "$stderr" == *"Try 'ev-report --help'"* ]] || fail "$stderr"
}

@test "ev-report: bad option values exit 2 before reading input" {
	for args in "-f pdf" "--tz Mars/Olympus" "--last 1d --since 2026-03-02T00:00:00Z" \
		"--top 0" "--budget x" "--color sometimes" "--live -f html" \
		"--since yesterday" \
		"--from-json /nonexistent/model.json"; do
		# shellcheck disable=SC2086
		run --separate-stderr ev-report $args < /dev/null
		[ "$status" -eq 2 ] || fail "ev-report $args exited $status"
		[[ "$stderr" == "ev-report: "* ]] || fail "ev-report $args: $stderr"
	done
	SOURCE_DATE_EPOCH=soon run --separate-stderr ev-report < /dev/null
	assert_failure 2
}

@test "ev-report: empty input writes nothing and exits 0" {
	run --separate-stderr ev-report < /dev/null
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	printf '\n\n' | ev-report -f html > out
	[ ! -s out ]
}

@test "ev-report: text matches the golden file" {
	report text > out
	golden text.golden
}

@test "ev-report: text in ASCII and another time zone matches the golden file" {
	report text --ascii --tz Europe/Berlin --metric count > out
	golden text-ascii-berlin.golden
	run grep -c $'\xe2\x96' out
	assert_output 0
}

@test "ev-report: markdown matches the golden file" {
	report markdown > out
	golden markdown.golden
}

@test "ev-report: csv matches the golden file" {
	report csv > out
	golden csv.golden
}

@test "ev-report: json model matches the golden file" {
	report json > out
	golden json.golden
	jq -e '.metrics[0].name == "count" and .range.points == 24
		and .records.anomalies == 3' out
}

@test "ev-report: html matches the golden file" {
	report html > out
	golden html.golden
}

@test "ev-report: the model re-renders every format byte for byte" {
	report json > model.json
	for f in text markdown csv json html; do
		report "$f" > direct
		ev-report --from-json model.json -f "$f" > again
		cmp direct again || fail "--from-json differs for $f"
		ev-report --from-json - -f "$f" < model.json > again
		cmp direct again || fail "--from-json - differs for $f"
	done
	report markdown --budget 2000 > direct
	ev-report --from-json model.json -f markdown --budget 2000 > again
	cmp direct again
}

@test "ev-report: --from-json refuses a document that is no model" {
	echo '{"report":"other"}' > m.json
	run --separate-stderr ev-report --from-json m.json
	assert_failure 2
	[[ "$stderr" == *"not an ev-report model"* ]]
	echo 'nope' > m.json
	run --separate-stderr ev-report --from-json m.json
	assert_failure 2
}

@test "ev-report: the same records in another order give the same bytes" {
	# Without the one alert that replaces a window, order is irrelevant.
	grep -v '"method":"ewma"' "$R/windows.ndjson" > a.ndjson
	sort a.ndjson > b.ndjson
	! cmp -s a.ndjson b.ndjson
	for f in json text; do
		ev-report -f "$f" --last 1d < a.ndjson > a.out
		ev-report -f "$f" --last 1d < b.ndjson > b.out
		cmp a.out b.out
	done
}

@test "ev-report: csv round-trips through libcsv, quotes and line breaks included" {
	report csv > out
	"$EVKIT_BIN/tools/report_csv" < out > again 2> shape
	cmp out again
	# 24 fewer than the summed version: "users" (distinct) has no total
	# row in windows.ndjson, so it has no "(total)" points, only one
	# "(total)" row whose note column says why.
	assert_equal "$(cat shape)" "rows 410 fields 12"
	ev-report -f csv < "$R/quoting.ndjson" > q.csv
	grep -q '"say ""hi"", all"' q.csv
	"$EVKIT_BIN/tools/report_csv" < q.csv > q2.csv 2> shape
	cmp q.csv q2.csv
	assert_equal "$(cat shape)" "rows 13 fields 11"
}

@test "ev-report: csv rows carry each point's time, on grids of any length" {
	# The times of a grid of up to 16,384 points are formatted once for
	# every series; a longer grid formats them row by row.  Both against
	# Python's, with a gap (no row) and a leap day.
	for n in 16384 16385; do
		python3 - "$n" <<'EOF'
import datetime, json, sys
n = int(sys.argv[1])
t0 = datetime.datetime(2028, 2, 18, tzinfo=datetime.timezone.utc)
with open("in.ndjson", "w") as f, open("want", "w") as w:
    for i in range(n):
        if i == 7:
            continue
        t = t0 + datetime.timedelta(minutes=i)
        s = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        e = (t + datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for ev in ("a", "b"):
            f.write(json.dumps({"start": s, "end": e, "event": ev,
                "count": i % 97 + (ev == "b")}) + "\n")
            w.write("%s,%s,%d\n" % (ev, s, i % 97 + (ev == "b")))
EOF
		ev-report -f csv --top 5 < in.ndjson | tr -d '\r' |
		    awk -F, '$2 != "(total)" && NR > 1 { print $3 "," $4 "," $5 }' |
		    sort > got
		sort want > want.s
		cmp want.s got || { diff want.s got | head; false; }
		[ "$(wc -l < got)" -eq $((2 * n - 2)) ]
	done
}

@test "ev-report: csv rows carry the anomaly and the expected band" {
	report csv > out
	run grep -c ',0.99991,down' out
	assert_output 2
	grep -qF 'count,"event=page_view,platform=web",page_view,web,2026-03-03T06:00:00Z,900,311,250,372,0.9999,up' out
	grep -qF 'count,event=signup,signup,,2026-03-03T16:00:00Z,45,55,44,66,0.99991,down' out
}

@test "ev-report: html is well-formed XML, self-contained and script-free" {
	report html > r.html
	run xmllint --noout r.html
	assert_success
	assert_output ""
	run grep -ci '<script' r.html
	assert_output 0
	# No resource is loaded; links are to anchors of the file only.
	run grep -Eo '(src|href)="[^#"][^"]*"' r.html
	assert_output ""
	run grep -Eo 'href="#[^"]*"' r.html
	[ "${#lines[@]}" -gt 10 ]
	for h in "${lines[@]}"; do
		id=${h#href=\"#}
		grep -q "id=\"${id%\"}\"" r.html || fail "no anchor for $h"
	done
	# Only namespace names are URLs.
	run grep -Eo 'https?://[^"]*' r.html
	for u in "${lines[@]}"; do
		case $u in
		http://www.w3.org/1999/xhtml|http://www.w3.org/2000/svg) ;;
		*) fail "unexpected URL $u" ;;
		esac
	done
	grep -q 'prefers-color-scheme:dark' r.html
	grep -q '@media print' r.html
	# One chart per metric total and per listed series, anomalies marked.
	run grep -c '<svg ' r.html
	assert_output 18
	run grep -c '<circle class="anom"' r.html
	assert_output 3
	grep -q 'class="band"' r.html
}

@test "ev-report: html renders in headless Chromium to a non-blank page" {
	command -v chromium > /dev/null || skip "chromium is not installed (.ci/run installs it)"
	[ -x "$EVKIT_BIN/tools/png_check" ] || skip "png_check was not built"
	report html -o "$T/r.html"
	prof=$(mktemp -d)
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --user-data-dir="$prof" \
		--screenshot="$T/r.png" --window-size=1200,900 "file://$T/r.html" \
		> chromium.log 2>&1 || true
	rm -rf "$prof"
	[ -s "$T/r.png" ] || fail "no screenshot: $(tail -5 chromium.log)"
	run "$EVKIT_BIN/tools/png_check" "$T/r.png"
	[ "$status" -ne 77 ] || skip "png_check was built without libpng"
	assert_success
	read -r w h ink <<< "$output"
	assert_equal "$w" 1200
	assert_equal "$h" 900
	# Text, tables and a chart: a few percent of the page, not all of it.
	[ "$ink" -gt 20000 ] || fail "only $ink non-blank pixels"
	[ "$ink" -lt 540000 ] || fail "$ink non-blank pixels: a blank-less page"
	# The chart's line is drawn: pixels of its blue (#0969da).
	run "$EVKIT_BIN/tools/png_check" "$T/r.png" 0969da
	read -r _ _ _ blue <<< "$output"
	[ "$blue" -gt 300 ] || fail "only $blue pixels of the chart line"
}

@test "ev-report: colour only when asked or on a terminal, never with NO_COLOR" {
	report text > plain
	! grep -q $'\033\\[' plain
	report text --color always > col
	grep -q $'\033\\[31m' col
	# Without the escapes it is the plain report.
	sed $'s/\033\\[[0-9;]*m//g' col | cmp - plain
	NO_COLOR=1 report text --color always > nc
	cmp nc plain
	report text --color never > nv
	cmp nv plain
	report markdown --color always > md
	! grep -q $'\033' md
	if command -v script > /dev/null; then
		script -qec "ev-report --last 1d < '$R/windows.ndjson'" /dev/null > tty
		grep -q $'\033\\[1m' tty
		NO_COLOR=1 script -qec "ev-report --last 1d < '$R/windows.ndjson'" /dev/null > tty
		! grep -q $'\033\\[' tty
	fi
}

@test "ev-report: --budget cuts whole markdown sections and says so" {
	report markdown > full
	full=$(wc -c < full)
	report markdown --budget 1500 > cut
	[ "$(wc -c < cut)" -le 1500 ]
	grep -q '^_Cut to fit 1500 bytes: [0-9]* of 6 sections left out._$' cut
	# What is kept is the full report's beginning, whole sections.
	head -n -2 cut > kept
	cmp -n "$(wc -c < kept)" kept full
	report markdown --budget "$full" > same
	cmp same full
	report markdown --budget 3000 > slack
	[ "$(wc -c < slack)" -le 3000 ]
	[ "$(wc -c < slack)" -gt "$(wc -c < cut)" ]
}

@test "ev-report: --fail-on-anomaly exits 1 after writing the report" {
	run --separate-stderr report text --fail-on-anomaly
	assert_failure 1
	assert_output --partial "incidents:"
	[[ "$stderr" == *"the report holds 3 anomalies"* ]]
	# The first day has no anomaly.
	run --separate-stderr ev-report --fail-on-anomaly --since 2026-03-02T00:00:00Z \
		--until 2026-03-03T00:00:00Z < "$R/windows.ndjson"
	assert_success
	assert_output --partial "no incidents"
	report markdown --fail-on-anomaly -o gate.md || s=$?
	[ "${s:-0}" -eq 1 ]
	grep -q 'Incidents in count' gate.md
}

@test "ev-report: anomalies carry expected, bounds, direction and explanation" {
	report json > m.json
	run jq -c '.metrics[0].anomalies[] | [.start,.series,.value,.expected,.lower,.upper,.direction,.method]' m.json
	assert_line --index 0 '["2026-03-03T06:00:00Z","event=page_view,platform=web",900,311,250,372,"up","ewma"]'
	assert_line --index 1 '["2026-03-03T16:00:00Z","event=signup",45,55,44,66,"down","robust"]'
	run jq -r '.metrics[0].anomalies[2].explain[0].platform' m.json
	assert_output android
	# The annotated series has its expected band; others have none.
	jq -e '.metrics[0].series[] | select(.series == "event=signup") | .lower | length == 24' m.json
	jq -e '[.metrics[0].series[] | select(.series == "event=signup,platform=web") | has("lower")] == [false]' m.json
	report text > out
	grep -q 'signup -18% vs expected 55.0; 86% of the drop from platform=android' out
	# Markdown lists the incident with the summary of its peak.
	report markdown > out.md
	grep -q '| event=signup | 2026-03-03 16:00 | 45 | 55 | -18.2% | - | signup -18% vs expected 55.0; 86% of the drop from platform=android |' out.md
}

@test "ev-report: totals, change and ranking against the previous period" {
	report json > m.json
	# The finest level only: event totals are not counted twice.
	# (the last record of a series and window replaces the earlier ones)
	total=$(jq -s 'map(select(.platform and .start >= "2026-03-03"))
		| group_by([.start, .event, .platform]) | map(last.count) | add' "$R/windows.ndjson")
	run jq '.metrics[0].total' m.json
	assert_output "$total"
	run jq -r '.metrics[0].series | map(.series) | .[0:2] | join(" ")' m.json
	assert_output "event=page_view event=page_view,platform=web"
	run jq -r '.metrics[0].change * 1000 | round' m.json
	assert_output 163
}

@test "ev-report: --since, --until and --step shape the range" {
	ev-report -f json --since 2026-03-02T06:00:00Z --until 2026-03-02T12:00:00Z \
		< "$R/windows.ndjson" > m.json
	run jq -c '[.range.points, .range.step, .previous.start, .records.used]' m.json
	assert_output '[6,"1h","2026-03-02T00:00:00Z",48]'
	ev-report -f json --step 2h < "$R/windows.ndjson" > s.json
	ev-report -f json < "$R/windows.ndjson" > h.json
	run jq -c '[.range.points, .range.step, .previous]' s.json
	assert_output '[24,"2h",null]'
	[ "$(jq .metrics[0].total s.json)" = "$(jq .metrics[0].total h.json)" ]
	# A range too long for hourly points is found after the input: the
	# points grow apart (here to 2h) rather than the run failing.
	# The model (1.4 million points) goes to a file: captured into bash by
	# run it took a minute.
	ev-report -f json --since 1700-01-01T00:00:00Z < "$R/windows.ndjson" \
	    > long.json 2> long.err
	grep -q "more than 2000000 points of 1h; points are 2h apart instead" long.err
	run jq -c '[.range.step, .range.points, .records.used]' long.json
	assert_output '["2h",1429572,385]'
}

@test "ev-report: --top keeps N series plus those with anomalies, the rest as other" {
	report json --top 2 > m.json
	run jq -c '[.metrics[0].series[] | .rank]' m.json
	assert_output '[1,2,5]'
	run jq -c '.metrics[0].other' m.json
	assert_output '{"series":5,"total":6322}'
	report text --top 2 | grep -q '  other: 5 series, total 6,322'
}

@test "ev-report: stats files of other stages show in the header" {
	report text > out
	grep -q '^data quality:' out
	grep -Eq '^  ev-validate +1,000 +990 +7 +0 +3 +0 +990$' out
	echo 'garbage' > bad.stats
	run --separate-stderr ev-report --stage-stats bad.stats < "$R/windows.ndjson"
	assert_failure 3
	[[ "$stderr" == *"stats file 'bad.stats' has a line that is no stats record"* ]]
	run --separate-stderr ev-report --stage-stats missing.stats < "$R/windows.ndjson"
	assert_failure 3
	[[ "$stderr" == *"cannot read stats file 'missing.stats'"* ]]
}

@test "ev-report: a stats file an upstream stage writes as it exits is waited for" {
	# The upstream closes the pipe first and writes its stats a second later.
	{ cat "$R/windows.ndjson"; (sleep 1; cp "$R/validate.stats" late.stats) > /dev/null & } |
		ev-report --last 1d --stage-stats late.stats > out
	grep -Eq '^  ev-validate +1,000 ' out
}

@test "ev-report: a rejected record goes to --rejects and the counts balance" {
	{ head -n 5 "$R/windows.ndjson"; echo '{"count":3,"event":"x"}'; echo '{oops'; echo '[1]'; } > in.ndjson
	run --separate-stderr ev-report --rejects rej.ndjson --stats st.json -f json < in.ndjson
	assert_failure 1
	run jq -r .reason rej.ndjson
	assert_output $'time\nparse\ntype'
	assert_balanced st.json
	[ "$(stat_of st.json in)" -eq 8 ]
	[ "$(stat_of st.json aggregated)" -eq 5 ]
	[ "$(stat_of st.json rejected)" -eq 3 ]
	ev-report -f json --max-reject-rate 0.5 < in.ndjson > m.json
	run jq -c '.records | [.in, .rejected]' m.json
	assert_output '[8,3]'
}

@test "ev-report: counts balance and the stats name the anomalies" {
	report text --stats st.json > /dev/null
	assert_balanced st.json
	[ "$(stat_of st.json in)" -eq 385 ]
	[ "$(stat_of st.json aggregated)" -eq 385 ]
	[ "$(stat_of st.json anomalies)" -eq 3 ]
}

@test "ev-report: writing to /dev/full exits 3" {
	run --separate-stderr bash -c "ev-report < '$R/windows.ndjson' > /dev/full"
	assert_failure 3
	[[ "$stderr" == *"write error"* ]]
}

@test "ev-report: -o writes the file atomically and nothing to stdout" {
	run --separate-stderr report html -o r.html
	assert_success
	assert_output ""
	report html | cmp - r.html
	[ -z "$(ls | grep '\.tmp\.')" ]
	# A file that can never be written is found before the input is read.
	run --separate-stderr report html -o /nonexistent/dir/r.html
	assert_failure 2
	assert_output ""
	[[ "$stderr" == *"cannot write report file '/nonexistent/dir/r.html': No such file or directory"* ]]
}

@test "ev-report: --live redraws the text report and draws it at the end" {
	run --separate-stderr bash -c "ev-report --live --refresh 1s --last 1d < '$R/windows.ndjson'"
	assert_success
	[[ "$output" == $'\033[H\033[2J'* ]]
	assert_output --partial "count  total 12,282"
	# A stream that pauses longer than --refresh is drawn while it waits.
	{ head -n 100 "$R/windows.ndjson"; sleep 3; tail -n +101 "$R/windows.ndjson"; } |
		ev-report --live --refresh 500ms > live.out
	run grep -c $'\033\\[2J' live.out
	[ "$output" -ge 2 ]
}

@test "ev-report: every EXAMPLES pipeline of the man page runs" {
	cp "$R/windows.ndjson" "$R/events.ndjson" .
	cp "$R/windows.ndjson" detected.ndjson
	awk '/^\.Sh EXAMPLES/{e=1;next} /^\.Sh/{e=0} e&&/^\.Bd/{b=1;next} e&&/^\.Ed/{b=0;print "----";next} e&&b' \
		"$EVKIT_TOP/man/ev-report.1" | sed 's/\\e$/\\/' > examples
	n=0
	while IFS= read -r -d '' ex; do
		[ -n "$ex" ] || continue
		n=$((n + 1))
		if { [[ "$ex" == *ev-window* ]] && ! command -v ev-window > /dev/null; } ||
			{ [[ "$ex" == *ev-detect* ]] && ! command -v ev-detect > /dev/null; }; then
			echo "# example $n needs ev-window and ev-detect; not built here" >&3
			continue
		fi
		run bash -eo pipefail -c "$ex"
		[ "$status" -eq 0 ] || fail "example $n failed ($status): $ex: $output"
	done < <(awk 'BEGIN{RS="----\n"; ORS="\0"} {print}' examples)
	[ "$n" -eq 7 ]
	[ -s slack.md ] && [ -s model.json ] && [ -s report.html ] && [ -s summary.md ]
	grep -q '<h1 style="[^"]*">Checkout, daily</h1>' mail.html
}

@test "ev-report: which anomaly objects count: flag, then status, then --min-score" {
	a='"start":"2026-03-02T00:00:00Z","end":"2026-03-02T01:00:00Z","count":5'
	{
		echo "{$a,\"event\":\"a\",\"anomaly\":{\"score\":1,\"status\":\"resolved\"}}"
		echo "{$a,\"event\":\"b\",\"anomaly\":{\"score\":0.5,\"status\":\"firing\"}}"
		echo "{$a,\"event\":\"c\",\"anomaly\":{\"score\":0.99995}}"
		echo "{$a,\"event\":\"d\",\"anomaly\":{\"score\":0.999}}"
		echo "{$a,\"event\":\"e\",\"anomaly\":{\"score\":1,\"alert\":false}}"
		echo "{$a,\"event\":\"f\",\"anomaly\":{\"score\":null,\"reason\":\"warmup\"}}"
	} > in.ndjson
	run ev-report -f json < in.ndjson
	assert_success
	run jq -c '[.metrics[0].anomalies[].labels.event]' <<< "$output"
	assert_output '["b","c"]'
	run ev-report -f json --min-score 0.99 < in.ndjson
	run jq -c '[.metrics[0].anomalies[].labels.event]' <<< "$output"
	assert_output '["b","c","d"]'
}

@test "ev-report: anomaly objects read from the index agree with a reference and with the document path" {
	# Records with every shape of anomaly object ev-report reads: the
	# metric named by metric/value/field, the band, the three flags, a
	# status in the object or the record, the score; repeated keys (the
	# last wins) and \u escapes in keys and values.  Python decides which
	# are anomalies and what band each series gets; then the same records
	# with an "additive" member, which sends each through the record's
	# whole document, must render to the same bytes in every format.
	python3 - <<'EOF'
import json, math, random
rng = random.Random(16)
ABSENT = object()
def num(v):
    return type(v) in (int, float)
def pick(*c):
    return rng.choice(c)
recs, ref_anom, ref_band = [], [], {}
# 400 series of one point, 30 of four (episodes that fire and resolve).
for i, h in [(i, 0) for i in range(400)] + [(i, h) for i in range(400, 430) for h in range(4)]:
    ev = "e%03d" % i
    members = []  # (key text, value) pairs, in order, repeats allowed
    for k in ("metric", "value", "field"):
        v = pick(ABSENT, ABSENT, ABSENT, "count", "users", "bogus", 5)
        if v is not ABSENT:
            members.append((k, v))
    for k in ("expected", "lower", "upper"):
        v = pick(ABSENT, 12, 12.5, -3, 150.0, None, "7", True)
        if v is not ABSENT:
            members.append((k, v))
    for k in ("alert", "is_anomaly", "anomalous"):
        v = pick(ABSENT, ABSENT, ABSENT, ABSENT, True, False, "yes", 1)
        if v is not ABSENT:
            members.append((k, v))
    v = pick(ABSENT, ABSENT, "firing", "resolved", "pending", 5)
    if v is not ABSENT:
        members.append(("status", v))
    v = pick(ABSENT, 0.5, 0.99995, 1, None, "1")
    if v is not ABSENT:
        members.append(("score", v))
    members.append(("direction", "up"))
    members.append(("magnitude", {"abs": 1.5, "status": "firing"}))
    if members and rng.random() < 0.15:
        k, _ = rng.choice(members)	# repeated: the last one counts
        members.append((k, pick(True, False, "firing", 0.99999, None, "users")))
    rng.shuffle(members)
    a = {}
    for k, v in members:
        a[k] = v
    top = pick(ABSENT, ABSENT, "firing", "resolved")
    def text(k, v):
        kt = json.dumps(k)
        if rng.random() < 0.1:
            kt = '"' + "".join("\\u%04x" % ord(c) if j == 1 else c
                for j, c in enumerate(k)) + '"'
        vt = json.dumps(v)
        if v == "firing" and rng.random() < 0.3:
            vt = '"fir\\u0069ng"'
        return kt + ":" + vt
    body = ",".join(text(k, v) for k, v in members)
    cnt, users = 10 + i % 7, 3 + i % 5
    line = ('{"start":"2026-03-02T%02d:00:00Z","end":"2026-03-02T%02d:00:00Z",'
        '"event":"%s","count":%d,"users":%d' % (h, h + 1, ev, cnt, users))
    if top is not ABSENT:
        line += ',"status":"%s"' % top
    recs.append((line, ',"anomaly":{' + body + '}}'))
    # The reference: the metric named (else the first), then the verdict.
    name = None
    for k in ("metric", "value", "field"):
        if isinstance(a.get(k), str):
            name = a[k]
            break
    verdict = None
    for k in ("alert", "is_anomaly", "anomalous"):
        if isinstance(a.get(k), bool):
            verdict = a[k]
            break
    if verdict is None:
        st = a.get("status") if isinstance(a.get("status"), str) else None
        if st is None and top is not ABSENT:
            st = top
        if st is not None:
            verdict = st == "firing"
        else:
            sc = a.get("score", 0)
            verdict = num(sc) and sc >= 0.9999
    if verdict:
        ref_anom.append([name if name in ("count", "users") else "count", ev, h])
    bnum = lambda k: a[k] if num(a.get(k)) else None
    # A series has a band where one of its points has an expected value.
    for m in ("count", "users"):
        mine = name == m or (name is None and m == "count")
        b = ref_band.setdefault(m + "/" + ev, {"any": False, "pts": []})
        b["any"] = b["any"] or (mine and bnum("expected") is not None)
        b["pts"].append([bnum(k) if mine else None for k in ("expected", "lower", "upper")])
with open("index.ndjson", "w") as f:
    for head, tail in recs:
        f.write(head + tail + "\n")
with open("doc.ndjson", "w") as f:
    for head, tail in recs:
        f.write(head + ',"additive":{}' + tail + "\n")
ref_band = {k: v["pts"] for k, v in ref_band.items() if v["any"]}
json.dump({"anomalies": sorted(ref_anom), "bands": ref_band}, open("ref.json", "w"),
    sort_keys=True)
EOF
	ev-report -f json --top 1000 --by event < index.ndjson > model.json
	jq -S '{anomalies: ([.metrics[] | .name as $m | .anomalies[] |
	    [$m, .labels.event, (.start[11:13] | tonumber)]] | sort),
	    bands: ([.metrics[] | .name as $m | .series[] | select(has("expected")) | . as $s |
	    {key: ($m + "/" + .labels.event), value: [range(.points | length) |
	    select($s.points[.] != null) | [$s.expected[.], $s.lower[.], $s.upper[.]]]}] |
	    from_entries)}' model.json > got.json
	run python3 -c 'import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
sys.exit(0 if a == b and len(a["anomalies"]) > 50 and len(a["bands"]) > 50 else 1)' \
	    ref.json got.json
	[ "$status" -eq 0 ] || { diff <(jq -S . ref.json) got.json | head -20; false; }
	for f in text markdown slack csv json html html-mail; do
		ev-report -f "$f" --top 1000 < index.ndjson > "index.$f"
		ev-report -f "$f" --top 1000 < doc.ndjson > "doc.$f"
		cmp "index.$f" "doc.$f" || { diff "doc.$f" "index.$f" | head -20; false; }
	done
}

@test "ev-report: top-level members read from the index agree with a reference and with the document path" {
	# The members of each record are walked once from the line's index:
	# repeated keys (the last wins), \u escapes in keys and values, a key
	# outside ASCII, members that are not strings or numbers, the time
	# spelled with an escape or not a time (a reject), --metric and a
	# nested --time.
	# Python sums each series; the same records with an "additive" member
	# (which sends each through the record's whole document) must render
	# to the same bytes in every format.
	python3 - <<'EOF'
import json, random
rng = random.Random(7)
recs, ref = [], {}
def esc(k):
    return '"' + "".join("\\u%04x" % ord(c) if j == 1 else c
        for j, c in enumerate(k)) + '"'
for i in range(3000):
    h = i % 48
    start = "2026-03-02T%02d:%02d:00Z" % (h // 2, 30 * (h % 2))
    ev, pl = "e%d" % (i % 7), "p%d" % (i % 3)
    members = [("start", start), ("event", ev), ("platform", pl),
        ("count", i % 13), ("users", (i % 5) + 0.5), ("final", True),
        ("meta", {"start": "x", "count": 99}), ("flag", None)]
    r = rng.random()
    if r < 0.1:	# a repeated key: the last one counts
        k = rng.choice(["count", "event", "start", "users"])
        v = {"count": 1000 + i, "users": 7, "event": "e9",
            "start": "2026-03-02T05:00:00Z"}[k]
        members.append((k, v))
    elif r < 0.15:	# another column, its key escaped
        members.append(("\u00e9v", "zz"))
    elif r < 0.2:
        members.append(("start", "yesterday"))
    rng.shuffle(members)
    rec = dict(members)
    bad = rec["start"] == "yesterday"
    def text(k, v):
        kt = esc(k) if rng.random() < 0.1 else json.dumps(k)
        vt = json.dumps(v)
        if k == "start" and v[0] == "2" and rng.random() < 0.1:
            vt = '"2026-03-02T' + "\\u%04x" % ord(vt[12]) + vt[13:]
        return kt + ":" + vt
    recs.append("{" + ",".join(text(k, v) for k, v in members))
    if bad:
        continue
    key = json.dumps({k: v for k, v in sorted(rec.items())
        if isinstance(v, str) and k != "start"}, sort_keys=True)
    # A later record of a series and time replaces the earlier one.
    ref.setdefault(key, {})[rec["start"]] = rec["count"]
ref = {k: sum(v.values()) for k, v in ref.items()}
with open("index.ndjson", "w") as f:
    for r in recs:
        f.write(r + "}\n")
with open("doc.ndjson", "w") as f:
    for r in recs:
        f.write(r + ',"additive":{}}\n')
with open("nested.ndjson", "w") as f:
    for r in recs:
        f.write('{"w":{"start":"2026-03-02T01:00:00Z"},' + r[1:] + "}\n")
json.dump(ref, open("ref.json", "w"), sort_keys=True)
EOF
	run ev-report -f json --top 1000 --rejects rej.ndjson -o model.json \
	    --since 2026-03-02T00:00:00Z --until 2026-03-03T00:00:00Z < index.ndjson
	assert_failure 1
	run python3 -c 'import json, sys
ref = json.load(open("ref.json"))
m = json.load(open("model.json"))
got = {}
for mt in m["metrics"]:
    for s in mt["series"]:
        k = json.dumps(s["labels"], sort_keys=True)
        if mt["name"] == "count":
            got[k] = s["total"]
ok = len(ref) > 20 and got == ref
n = sum(1 for _ in open("rej.ndjson"))
sys.exit(0 if ok and n > 50 and m["records"]["used"] + n == 3000 else 1)'
	assert_success
	for f in text markdown slack csv json html html-mail; do
		ev-report -f "$f" --top 1000 < index.ndjson > "index.$f" || true
		ev-report -f "$f" --top 1000 < doc.ndjson > "doc.$f" || true
		cmp "index.$f" "doc.$f" || { diff "doc.$f" "index.$f" | head -20; false; }
	done
	for o in "--metric users,count" "--time w.start"; do
		ev-report -f json $o < nested.ndjson > a.json || true
		sed 's/,"additive":{}}$/}/' doc.ndjson |
		    sed 's/^{/{"additive":{},"w":{"start":"2026-03-02T01:00:00Z"},/' |
		    ev-report -f json $o > b.json || true
		[ -s a.json ]
		cmp a.json b.json || { diff a.json b.json | head; false; }
	done
}

@test "ev-report: --max-anomalies shows the most severe rows and says how many are left out" {
	# Text and HTML list incidents (here two, of one and two points).
	report text --max-anomalies 1 > out
	grep -q '^  2026-03-03 06:00  2026-03-03 07:00  *1h  event=page_view,platform=web ' out
	run grep -c '2026-03-03 16:00' out
	assert_output 0
	grep -q '(1 less severe incidents not shown; see --max-anomalies)' out
	report markdown --max-anomalies 1 > md
	grep -q '^_1 less severe incidents not shown._$' md
	report html --max-anomalies 0 > all.html
	run grep -c '<td class="t bad">' all.html
	assert_output 2
	report html --max-anomalies 1 > one.html
	run grep -c '<td class="t bad">' one.html
	assert_output 1
	grep -q '1 less severe incidents not shown' one.html
	# The model keeps them all.
	report json --max-anomalies 1 | jq -e '.records.anomalies == 3'
}

@test "ev-report: a distinct count given as a total row is shown as given, never summed (W2)" {
	# One day of DAU: the total row and its platform segments; a user on
	# two platforms is in two segments, so the segments add up to more.
	cat > in.ndjson <<'EOT'
{"start":"2026-03-07T00:00:00Z","end":"2026-03-08T00:00:00Z","platform":"web","dau":8000,"count":50000,"final":true}
{"start":"2026-03-07T00:00:00Z","end":"2026-03-08T00:00:00Z","platform":"ios","dau":4603,"count":30000,"final":true}
{"start":"2026-03-07T00:00:00Z","end":"2026-03-08T00:00:00Z","platform":"android","dau":2500,"count":20000,"final":true}
{"start":"2026-03-07T00:00:00Z","end":"2026-03-08T00:00:00Z","dau":14658,"count":100000,"final":true}
EOT
	read -r dau cnt summed <<< "$(python3 -c '
import json
r = [json.loads(l) for l in open("in.ndjson")]
tot = [x for x in r if "platform" not in x][0]
print(tot["dau"], sum(x["count"] for x in r if "platform" in x),
      "{:,}".format(sum(x["dau"] for x in r if "platform" in x)))')"
	ev-report -f json < in.ndjson > m.json
	run jq -r '.metrics[] | select(.name == "dau") | [.additive, .total] | @tsv' m.json
	assert_output "false	$dau"
	# The additive count is still the sum of the finest level.
	run jq -r '.metrics[] | select(.name == "count") | .total' m.json
	assert_output "$cnt"
	# No share for the non-additive metric, one for the additive one.
	run jq -c '[.metrics[] | select(.name == "dau") | .series[] | has("share")] | unique' m.json
	assert_output '[false]'
	ev-report -f text --metric dau < in.ndjson > out
	grep -q '^dau  total 14,658' out
	! grep -qF "$summed" out
	! grep -q 'share' out
	! grep -q '%' out
}

@test "ev-report: a percentile without a total row has no total and no shares (W2)" {
	python3 - > in.ndjson <<'EOT'
import json
for h in range(3):
    for p, v in (("web", 2600.5), ("ios", 2700.25), ("android", 2712.29)):
        print(json.dumps({"start": "2026-03-07T%02d:00:00Z" % h,
            "end": "2026-03-07T%02d:00:00Z" % (h + 1), "platform": p,
            "p95_load_ms": v + h, "final": True}))
EOT
	summed=$(python3 -c '
import json
r = [json.loads(l) for l in open("in.ndjson")]
print("{:,.2f}".format(sum(x["p95_load_ms"] for x in r)))')
	ev-report -f json < in.ndjson > m.json
	run jq -c '.metrics[0] | [.name, .additive, .total, (.total_note | length > 0)]' m.json
	assert_output '["p95_load_ms",false,null,true]'
	ev-report -f text < in.ndjson > out
	grep -q '^p95_load_ms  total n/a' out
	grep -q 'total n/a: not additive' out
	! grep -qF "$summed" out
	! grep -q '33%' out
	ev-report -f html < in.ndjson > out.html
	! grep -qF "$summed" out.html
	! grep -q '33%' out.html
}

@test "ev-report: a window cut by end of input is marked partial and left out of the change (W1)" {
	# Two days of hourly counts; the last hour of the second was cut short.
	python3 - > in.ndjson <<'EOT'
import json
for d in (6, 7):
    for h in range(24):
        for p, base in (("web", 100), ("ios", 60)):
            n = base + h + (d - 6) * 5
            final = not (d == 7 and h == 23)
            if not final:
                n = 4
            print(json.dumps({"start": "2026-03-%02dT%02d:00:00Z" % (d, h),
                "end": "2026-03-%02dT%02d:00:00Z" % (d + (h == 23), (h + 1) % 24),
                "platform": p, "count": n, "final": final}))
EOT
	want=$(python3 -c '
import json
r = [json.loads(l) for l in open("in.ndjson")]
cut = {x["start"][11:13] for x in r if not x["final"]}
cur = sum(x["count"] for x in r if x["start"] >= "2026-03-07" and x["start"][11:13] not in cut)
prev = sum(x["count"] for x in r if x["start"] < "2026-03-07" and x["start"][11:13] not in cut)
web = [sum(x["count"] for x in r if x["platform"] == "web" and x["start"][11:13] not in cut
    and (x["start"] >= "2026-03-07") == k) for k in (True, False)]
print(round((cur - prev) / prev * 1e6), round((web[0] - web[1]) / web[1] * 1e6))')
	ev-report -f json --last 1d < in.ndjson > m.json
	run jq -r '[(.metrics[0].change * 1e6 | round),
		(.metrics[0].series[] | select(.series == "platform=web") | .change * 1e6 | round)] | join(" ")' m.json
	assert_output "$want"
	run jq -c '.partial' m.json
	assert_output '["2026-03-07T23:00:00Z"]'
	ev-report -f text --last 1d < in.ndjson > out
	grep -q '^  partial: 2026-03-07 23:00 (not final; left out of the change)' out
	ev-report -f html --last 1d < in.ndjson > out.html
	grep -q 'class="partial"' out.html
}

@test "ev-report: top(field, N) renders as a ranked table per period" {
	# As ev-window writes top(referrer, 3): a list per window and group;
	# the second ios record of 00:00 is an update that replaces the first.
	cat > in.ndjson <<'EOT'
{"start":"2026-03-07T00:00:00Z","end":"2026-03-07T01:00:00Z","platform":"web","count":9,"top_referrers":[{"value":"google.com","count":5},{"value":"t.co","count":3},{"value":"bing.com","count":1}],"final":true}
{"start":"2026-03-07T00:00:00Z","end":"2026-03-07T01:00:00Z","platform":"ios","count":4,"top_referrers":[{"value":"t.co","count":4}],"final":false}
{"start":"2026-03-07T00:00:00Z","end":"2026-03-07T01:00:00Z","platform":"ios","count":7,"top_referrers":[{"value":"t.co","count":6},{"value":null,"count":1}],"final":true}
{"start":"2026-03-07T01:00:00Z","end":"2026-03-07T02:00:00Z","platform":"web","count":1200,"top_referrers":[{"value":"bing.com","count":1100},{"value":"google.com","count":100}],"final":false}
EOT
	want=$(python3 -c '
import json
last = {}
for l in open("in.ndjson"):
    r = json.loads(l)
    last[(r["start"], "platform=" + r["platform"])] = r
out = []
for (s, k) in sorted(last):
    r = last[(s, k)]
    out.append([s, k, not r["final"],
        [[i + 1, x["value"], x["count"]] for i, x in enumerate(r["top_referrers"])]])
print(json.dumps(out, separators=(",", ":")))')
	ev-report -f json --metric top_referrers < in.ndjson > m.json
	run jq -c '.metrics[0] | [.kind, .total]' m.json
	assert_output '["top",null]'
	run jq -c '[.metrics[0].periods[] | [.start, .series, .partial,
		[.items[] | [.rank, .value, (.count | floor)]]]]' m.json
	assert_output "$want"
	ev-report -f text --metric top_referrers < in.ndjson > out
	! grep -q 'total 0' out
	grep -q '^top_referrers  top values per period$' out
	grep -q '^  2026-03-07 01:00  platform=web  partial$' out
	grep -qE '^ +1  bing\.com +1,100$' out
	grep -qE '^ +2  null +1$' out
	# Without --metric the list is found and shown next to the counts.
	ev-report -f text < in.ndjson > all
	grep -q '^top_referrers  top values per period$' all
	grep -q '^count  total ' all
	ev-report -f html --metric top_referrers < in.ndjson > out.html
	grep -q '<td>google.com</td><td class="n">5</td>' out.html
	# The model re-renders the same bytes.
	ev-report -f json --metric top_referrers < in.ndjson | ev-report --from-json - -f text > again
	cmp out again
}

@test "ev-report: csv cells that a spreadsheet would run as formulas are neutralised" {
	# OWASP's CSV injection advice: a cell starting with = + - @ tab or CR
	# gets a leading quote, unless it is a plain number; control bytes
	# such as ESC never reach the file raw.
	python3 - > in.ndjson <<'PY'
import json
for lab in ['=HYPERLINK("http://x","y")', '@SUM(A1)', '+cmd|x', '-2+3',
            '\tTAB', '\rCR', 'red\x1b[31mX\x07', '-12.5', '+3', 'plain']:
    print(json.dumps({"start": "2026-03-02T10:00:00Z",
                      "end": "2026-03-02T10:01:00Z", "who": lab,
                      "=metric": 1}))
PY
	run --separate-stderr ev-report -f csv --by who < in.ndjson
	assert_success
	printf '%s' "$output" > out.csv
	python3 - out.csv <<'PY'
import csv, re, sys
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))
num = re.compile(r'^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$')
seen = set()
for r in rows:
    for c in r:
        assert not re.search(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]', c), repr(c)
        assert c == '' or c[0] not in '=+-@\t\r' or num.match(c), repr(c)
    seen.add(r[2])
assert rows[1][0] == "'=metric", rows[1]
want = {"'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(A1)", "'+cmd|x", "'-2+3",
        "'\tTAB", "'\rCR", "red [31mX ", "-12.5", "+3", "plain"}
assert want <= seen, (want - seen)
PY
}

@test "ev-report: markdown escapes HTML in labels, summaries and metric names" {
	# A renderer that passes raw HTML (cmark-gfm --unsafe, many chat
	# tools) must get text, not tags; pipes and backslashes keep the
	# table's columns.
	command -v cmark-gfm > /dev/null || skip "cmark-gfm is not installed (scripts/install-deps --test)"
	python3 - > in.ndjson <<'PY'
import json
labs = ['<script>alert(1)</script>', 'a|b', 'c\\|d', 'e\\', 'x &lt; y']
for i, lab in enumerate(labs):
    for h in range(3):
        r = {"start": "2026-03-02T%02d:00:00Z" % h,
             "end": "2026-03-02T%02d:00:00Z" % (h + 1), "who": lab,
             "<img src=x onerror=alert(2)>": 10 + i}
        if i == 0 and h == 2:
            r["anomaly"] = {"metric": "<img src=x onerror=alert(2)>",
                            "alert": True, "score": 0.99999,
                            "summary": "<b onmouseover=alert(3)>up</b> & more"}
        print(json.dumps(r))
PY
	run --separate-stderr ev-report -f markdown --by who < in.ndjson
	assert_success
	printf '%s\n' "$output" > out.md
	cmark-gfm --unsafe -e table out.md > out.html
	python3 - out.html <<'PY'
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.rows, self.cells, self.text = set(), [], None, []
    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == 'tr':
            self.cells = []
        elif tag in ('td', 'th'):
            self.text = []
    def handle_endtag(self, tag):
        if tag in ('td', 'th'):
            self.cells.append(''.join(self.text))
        elif tag == 'tr':
            self.rows.append(self.cells)
    def handle_data(self, d):
        self.text.append(d)
p = P()
p.feed(open(sys.argv[1]).read())
bad = p.tags & {'script', 'img', 'b'}
assert not bad, bad
cells = [c for r in p.rows for c in r]
for want in ['who=<script>alert(1)</script>', 'who=a|b', 'who=c\\|d',
             'who=e\\', 'who=x &lt; y',
             '<b onmouseover=alert(3)>up</b> & more']:
    assert want in cells, (want, cells)
# Breakdown rows have seven cells, incident rows ten.
assert all(len(r) in (7, 10) for r in p.rows), [r for r in p.rows if len(r) not in (7, 10)]
PY
	grep -qF '# ev-report: &lt;img src=x onerror=alert(2)&gt;' out.md
}

# windows N: N one-minute window records from 2026-03-02T10:00Z, count i+1.
windows() {
	python3 -c "
import json
for i in range($1):
    print(json.dumps({'start': '2026-03-02T10:%02d:00Z' % i,
                      'end': '2026-03-02T10:%02d:00Z' % (i + 1),
                      'event': 'a', 'count': i + 1}))"
}

@test "ev-report: a record with an extreme time is a reject and the report goes on" {
	for t in '"0000-01-01T00:00:00Z"' '-1' '"9999-12-31T23:00:00Z"' '"1969-12-31T23:59:59Z"'; do
		windows 5 > in.ndjson
		odd="{\"start\":$t,\"event\":\"a\",\"count\":1000}"
		{ head -n 2 in.ndjson; echo "$odd"; tail -n 3 in.ndjson; } > in2.ndjson
		rm -f rej.ndjson st.json
		run --separate-stderr ev-report -f json --rejects rej.ndjson --stats st.json < in2.ndjson
		assert_failure 1
		assert_balanced st.json
		[ "$(stat_of st.json in)" -eq 6 ]
		[ "$(stat_of st.json rejected)" -eq 1 ]
		[ "$(stat_of st.json aggregated)" -eq 5 ]
		run jq -r '[.reason, .line, .raw] | @tsv' rej.ndjson
		assert_output "$(printf 'range\t3\t%s' "$odd")"
		# Without a usable TMPDIR the lines are kept in memory.
		TMPDIR=/nonexistent ev-report -f json --rejects rej2.ndjson --max-reject-rate 0.5 < in2.ndjson > m.json
		cmp rej.ndjson rej2.ndjson
		run jq -c '[.range.start, .range.end, .records.in, .records.rejected, .metrics[0].total]' m.json
		assert_output '["2026-03-02T10:00:00Z","2026-03-02T10:05:00Z",6,1,15]'
	done
}

# far_reject OPTION TIME RANGE-MEMBER WANT: three windows and one record at
# TIME; with OPTION the far record is a reject and the range's member is
# WANT.
far_reject() {
	windows 3 > in.ndjson
	echo "{\"start\":\"$2\",\"event\":\"a\",\"count\":7}" >> in.ndjson
	run --separate-stderr ev-report -f json $1 --rejects rej.ndjson < in.ndjson
	assert_failure 1
	[ "$(jq -r .reason rej.ndjson)" = range ]
	[ "$(jq -r ".range.$3" <<<"$output")" = "$4" ]
	# The last line read back whole, from the file and from memory.
	[ "$(jq -r .raw rej.ndjson)" = "$(tail -n 1 in.ndjson)" ]
	TMPDIR=/nonexistent ev-report -f json $1 --rejects rej2.ndjson \
	    --max-reject-rate 0.5 < in.ndjson > /dev/null
	cmp rej.ndjson rej2.ndjson
}

@test "ev-report: a record past the end of --since's reach or before --until's is a reject" {
	far_reject --since=2026-03-02T10:00:00Z 9000-01-01T00:00:00Z end 2026-03-02T10:03:00Z
	far_reject --until=2026-03-02T10:03:00Z 1000-01-01T00:00:00Z start 2026-03-02T10:00:00Z
}

@test "ev-report: a record far from the rest taken out keeps the others' top lists" {
	# The far record comes first: taking it out renumbers the records
	# after it, and each top(field, N) list must stay with its record.
	cat > in.ndjson <<-'EOF'
	{"start":"2000-01-01T00:00:00Z","end":"2000-01-01T00:01:00Z","event":"a","count":1}
	{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","event":"a","count":5,"top_page":[{"value":"/x","count":3},{"value":"/y","count":2}]}
	{"start":"2026-03-02T10:01:00Z","end":"2026-03-02T10:02:00Z","event":"a","count":7,"top_page":[{"value":"/z","count":7}]}
	EOF
	run --separate-stderr ev-report -f csv --rejects rej.ndjson < in.ndjson
	assert_failure 1
	[ "$(jq -r .line rej.ndjson)" = 1 ]
	# CSV lines end in CRLF (RFC 4180).
	tr -d '\r' <<<"$output" | grep '^top_page,' > tops
	cat > want <<-'EOF'
	top_page,event=a,a,2026-03-02T10:00:00Z,3,,,,,,1,/x
	top_page,event=a,a,2026-03-02T10:00:00Z,2,,,,,,2,/y
	top_page,event=a,a,2026-03-02T10:01:00Z,7,,,,,,1,/z
	EOF
	diff want tops
}

@test "ev-report: a range too long for the step widens the step, nothing is lost" {
	# One window in each of four decades: no stretch of the range holds
	# most of the records, so the points grow apart instead.
	for y in 1990 2000 2010 2020; do
		printf '{"start":"%s-06-01T00:00:00Z","end":"%s-06-01T00:01:00Z","event":"a","count":%s}\n' "$y" "$y" "$y"
	done > in.ndjson
	# (The model of two million points goes to a file, not through run.)
	ev-report -f json --stats st.json < in.ndjson > m.json 2> err
	grep -q "points are.*apart instead" err || { cat err; return 1; }
	[ "$(stat_of st.json aggregated)" -eq 4 ]
	python3 - m.json <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
assert m['range']['points'] < 2000000, m['range']
assert m['metrics'][0]['total'] == 1990 + 2000 + 2010 + 2020, m['metrics'][0]['total']
assert m['records']['rejected'] == 0
PY
	# The same with both ends of the range given.
	windows 3 > in.ndjson
	ev-report -f json --since 2000-01-01T00:00:00Z --until 2030-01-01T00:00:00Z < in.ndjson > m.json
	[ "$(jq '.metrics[0].total' m.json)" = 6 ]
}
