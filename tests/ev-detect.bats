#!/usr/bin/env bats
# ev-detect: baselines, scores, alert episodes, explanations, state.

load helper

D=$DATA/detect

# alerts FILE ARGS...: "start count status" of every alert record.
alerts() {
	local f=$1
	shift
	ev-detect --alerts "$@" <"$f" | jq -r '[.start, .count, .anomaly.status] | join(" ")'
}

# segment_windows: 5-minute windows of signup by platform (about 100, 300
# and 600) and their total, 40 windows from 2026-03-02T10:00Z; ios
# collapses to 0 at 12:30, a tenth of the total.  Deterministic noise.
segment_windows() {
	awk 'BEGIN {
		split("ios android web", P, " ")
		split("100 300 600", B, " ")
		for (j = 0; j < 40; j++) {
			m = 600 + 5 * j
			s = sprintf("2026-03-02T%02d:%02d:00Z", int(m / 60), m % 60)
			e = sprintf("2026-03-02T%02d:%02d:00Z", int((m + 5) / 60), (m + 5) % 60)
			tot = 0
			for (i = 1; i <= 3; i++) {
				v[i] = B[i] + (i * 7919 + j * 104729) % 21 - 10
				if (i == 1 && j == 30)
					v[i] = 0
				tot += v[i]
			}
			printf "{\"start\":\"%s\",\"end\":\"%s\",\"event\":\"signup\",\"count\":%d,\"final\":true}\n", s, e, tot
			for (i = 1; i <= 3; i++)
				printf "{\"start\":\"%s\",\"end\":\"%s\",\"event\":\"signup\",\"platform\":\"%s\",\"count\":%d,\"final\":true}\n", s, e, P[i], v[i]
		}
	}'
}

# poisson_windows: eleven days of hourly signup counts drawn from Poisson(9)
# (a Park-Miller generator, exact in doubles, so every awk agrees), with a
# single empty hour on 2026-03-11 at 10:00 and three in a row on 2026-03-12
# from 10:00.
poisson_windows() {
	awk 'BEGIN {
		x = 42
		for (h = 0; h < 264; h++) {
			x = (x * 16807) % 2147483647
			u = x / 2147483647
			k = 0; p = exp(-9); F = p
			while (u > F && k < 100) { k++; p *= 9 / k; F += p }
			if (h == 226 || (h >= 250 && h <= 252))
				k = 0
			d = int(h / 24); hh = h % 24
			printf "{\"start\":\"2026-03-%02dT%02d:00:00Z\",\"end\":\"2026-03-%02dT%02d:00:00Z\",\"event\":\"signup\",\"count\":%d,\"final\":true}\n", 2 + d, hh, 2 + d + (hh == 23), (hh + 1) % 24, k
		}
	}'
}

# shift_windows: eleven days of hourly signup counts around a daily shape
# (200 +- 100, noise of a Poisson count from a sum of twelve uniforms of a
# Park-Miller generator), 40% higher for twelve hours from 2026-03-11T10:00.
shift_windows() {
	awk 'BEGIN {
		x = 7
		for (h = 0; h < 264; h++) {
			mu = 200 * (1 + 0.5 * sin(3.14159265 * (h % 24) / 12))
			if (h >= 226 && h < 238)
				mu *= 1.4
			x = (x * 16807) % 2147483647
			s = 0
			for (i = 0; i < 12; i++) {
				x = (x * 16807) % 2147483647
				s += x / 2147483647
			}
			k = int(mu + sqrt(mu) * (s - 6) + 0.5)
			d = int(h / 24); hh = h % 24
			printf "{\"start\":\"2026-03-%02dT%02d:00:00Z\",\"end\":\"2026-03-%02dT%02d:00:00Z\",\"event\":\"signup\",\"count\":%d,\"final\":true}\n", 2 + d, hh, 2 + d + (hh == 23), (hh + 1) % 24, k
		}
	}'
}

# valid_detected FILE: every line validates against detected.json, checked
# by evkit's own validator with formats asserted.
valid_detected() {
	ev-validate --assert-format \
	    --schema "$EVKIT_TOP/schemas/records/detected.json" < "$1" > /dev/null
}

@test "ev-detect: --help prints usage to stdout and exits 0" {
	run --separate-stderr ev-detect --help
	assert_success
	assert_output --partial "usage: ev-detect"
	assert_output --partial "--threshold"
	[ -z "$stderr" ]
}

@test "ev-detect: --help lists options in sorted order" {
	run --separate-stderr ev-detect --help
	opts=$(printf '%s\n' "$output" | sed -n 's/^  \(-., \)\{0,1\}--\([a-z-]*\).*/\2/p')
	[ "$opts" = "$(printf '%s\n' "$opts" | LC_ALL=C sort)" ]
}

@test "ev-detect: bad option values exit 2 before reading input" {
	for args in "--method nope" "--threshold 2" "--window 0" "--tz Mars/Base" \
	    "--cooldown soon" "--format xml" "--backtest" "--for 0" \
	    "--threshold 0.99 --resolve-below 0.999"; do
		run --separate-stderr ev-detect $args </dev/null
		[ "$status" -eq 2 ] || { echo "args: $args"; return 1; }
		[[ "$stderr" == ev-detect:* ]]
	done
}

@test "ev-detect: empty input gives no output and exit 0" {
	run --separate-stderr ev-detect </dev/null
	assert_success
	[ -z "$output" ]
	[ -z "$stderr" ]
}

@test "ev-detect: annotate mode keeps every record's bytes and adds anomaly" {
	ev-detect --warmup 0 --by event,platform <"$D/drop.ndjson" >out.ndjson
	[ "$(wc -l <out.ndjson)" -eq 120 ]
	# Removing the spliced-in member gives back the input byte for byte.
	sed 's/,"anomaly":{.*}}$/}/' out.ndjson >back.ndjson
	cmp back.ndjson "$D/drop.ndjson"
	# The first windows are learning, later ones scored.
	[ "$(head -1 out.ndjson | jq -c .anomaly)" = '{"score":null,"reason":"warmup"}' ]
	[ "$(tail -1 out.ndjson | jq -r '.anomaly.method')" = robust ]
}

@test "ev-detect: robust baseline scores against rolling median and MAD (golden)" {
	# --resolve-for 1: the golden is from before the 15-minute default.
	run --separate-stderr ev-detect --warmup 0 --by event,platform --alerts \
	    --resolve-for 1 <"$D/drop.ndjson"
	assert_success
	diff -u "$D/drop.alerts.golden" <(printf '%s\n' "$output")
}

@test "ev-detect: scores are calibrated two-sided normal tails, the score at full precision" {
	ev-detect --warmup 0 --by event,platform <"$D/drop.ndjson" |
	    jq -c 'select(.anomaly.score != null) | .anomaly' >a.ndjson
	# score = erf(|sigma|/sqrt 2); lower/upper at z(0.99).  sigma, abs
	# and the bounds have ten significant digits (5e-11 relative), so
	# the relations hold to 1e-10, not to the last bit.
	python3 - <<'PY'
import json, math
for line in open('a.ndjson'):
    a = json.loads(line)
    z = a['magnitude']['sigma']
    assert abs(a['score'] - math.erf(abs(z) / math.sqrt(2))) < 1e-10, a
    half = (a['upper'] - a['lower']) / 2
    scale = half / 2.5758293035489004
    assert abs(abs(a['magnitude']['abs']) / scale - abs(z)) < \
        1e-9 * max(1, abs(z)), a
    assert 0 <= a['score'] <= 1
PY
	# Full precision: some score is printed with more than 12 digits.
	grep -Eq '"score":0\.[0-9]{13,}' a.ndjson
}

@test "ev-detect: derived figures have ten significant digits, as %.10g" {
	ev-detect --warmup 0 --by event,platform <"$D/drop.ndjson" >out.ndjson
	# Each figure as written is python's %.10g of itself (ten digits at
	# most, laid out as %g; tests/unit/test_buf.c checks the rounding
	# against printf), and stays a real; the score is python's repr of
	# itself: every digit it needs.
	python3 - <<'PY'
import json, re
n = 0
for line in open('out.ndjson'):
    a = line.split('"anomaly":', 1)[1]
    if a.startswith('{"score":null'):
        continue
    for k in ('surprise', 'expected', 'lower', 'upper', 'abs', 'pct', 'sigma'):
        m = re.search('"%s":(-?[0-9][-0-9.e+]*)' % k, a)
        t = m.group(1)
        v = float(t)
        want = '%.10g' % v
        assert t == want or t == want + '.0', (k, t, want)
        assert '.' in t or 'e' in t, (k, t)
        n += 1
    s = re.search('"score":([0-9.e-]+)', a).group(1)
    assert repr(float(s)) == s, s
assert n > 100, n
PY
}

@test "ev-detect: thresholds like 0.99999 separate points" {
	n1=$(ev-detect --warmup 0 --by event,platform --alerts -t 0.9999 <"$D/drop.ndjson" | grep -c firing)
	n2=$(ev-detect --warmup 0 --by event,platform --alerts -t 0.999999 <"$D/drop.ndjson" | grep -c firing)
	# The total (z 4.59, score 0.9999956) fires at 0.9999, not at 0.999999.
	[ "$n1" -eq 2 ]
	[ "$n2" -eq 1 ]
}

@test "ev-detect: --confidence sets the width of lower and upper" {
	w90=$(ev-detect --confidence 0.90 <"$D/shift.ndjson" | tail -1 | jq '.anomaly.upper - .anomaly.lower')
	w99=$(ev-detect --confidence 0.99 <"$D/shift.ndjson" | tail -1 | jq '.anomaly.upper - .anomaly.lower')
	# z(0.99)/z(0.90) = 2.5758/1.6449
	python3 -c "import sys; r=$w99/$w90; sys.exit(0 if abs(r-1.5659)<1e-3 else 1)"
}

@test "ev-detect: an alert on a total names the segments and says it plainly" {
	ev-detect --warmup 0 --by event,platform --alerts <"$D/drop.ndjson" >out.ndjson
	run jq -r 'select(.platform == null and .anomaly.status == "firing") | .anomaly.explain[0].platform, .anomaly.explain[0].share, .anomaly.summary' out.ndjson
	assert_line --index 0 android
	# android 25 vs 121, web 189 vs 191: the drops (96 + 2) outweigh the
	# total's (93), so android has 96/98 of them; web's 2% is too small.
	assert_line --index 1 "$(python3 -c 'print(96 / 98)')"
	assert_line --index 2 "signup −23% vs expected 410±52; by platform: android 98%"
}

@test "ev-detect: a segment alert says where its total stands when the total does not alert" {
	segment_windows >seg.ndjson
	ev-detect --warmup 0 --by event,platform --alerts <seg.ndjson >out.ndjson
	# ios to 0 is a tenth of the total: the segment fires, the total not.
	[ "$(jq -s 'map(select(.anomaly.status == "firing")) | length' out.ndjson)" -eq 1 ]
	run jq -r 'select(.anomaly.status == "firing") | .platform, .anomaly.summary' out.ndjson
	assert_line --index 0 ios
	# 884 is below the total's 99% band (920-1083) but its score is under
	# the alert threshold: the words must not say "inside".
	assert_line --index 1 "signup ios −100% vs expected 100±26; the signup total −12% vs expected 1002±82 is outside its band but does not alert"
	# The same figures, structured.
	jq -e -s 'map(select(.anomaly.status == "firing")) | .[0].anomaly.total |
	    .series == {event: "signup"} and .value == 884 and
	    .value < .lower and (.expected | round) == 1002' out.ndjson
	# With a wider band (--confidence 0.9999) the total is inside it.
	ev-detect --warmup 0 --by event,platform --alerts --confidence 0.9999 <seg.ndjson |
	    jq -r 'select(.anomaly.status == "firing") | .anomaly.summary' |
	    grep -q 'is inside its band$'
	valid_detected out.ndjson
	# The backtest counts the outage as named (by the segment's own alert)
	# though no alert on the total named it.
	echo '{"id":1,"kind":"outage","event":"signup","filters":{"platform":"ios"},"start":"2026-03-02T12:30:00Z","end":"2026-03-02T12:35:00Z","factor":0}' >labels.ndjson
	ev-detect --warmup 0 --by event,platform --backtest --labels labels.ndjson <seg.ndjson |
	    jq -e '.backtest | .outages == 1 and .outages_alerted == 1 and
	    .outage_named_right == 1 and .outages_with_total_alert == 0 and
	    .outage_top_segment_right == 0'
}

@test "ev-detect: seasonal scores small counts by their distribution, runs by CUSUM" {
	poisson_windows >p.ndjson
	# One empty hour where 9 are expected has probability about e^-9:
	# unusual (above 0.999), not a one-in-100,000 point; three in a row
	# fire by the third hour.
	run alerts p.ndjson -m seasonal --warmup 192 -t 0.99999
	assert_line --index 0 --regexp '^2026-03-12T1[12]:00:00Z 0 firing$'
	[ "$(grep -c firing <<<"$output")" -eq 1 ]
	run alerts p.ndjson -m seasonal --warmup 192 -t 0.999
	assert_line --index 0 "2026-03-11T10:00:00Z 0 firing"
	# The band of a count is asymmetric and never below 0.
	ev-detect -m seasonal --warmup 192 <p.ndjson |
	    jq -e -s 'map(select(.anomaly.score != null) | .anomaly) |
	    all(.lower >= 0 and .upper - .expected > .expected - .lower)'
}

@test "ev-detect: seasonal makes a twelve-hour shift one episode that resolves soon after" {
	shift_windows >s.ndjson
	run alerts s.ndjson -m seasonal --warmup 192
	[ "${#lines[@]}" -eq 2 ]
	# Fires during the shift (10:00 to 22:00), resolves within a few
	# hours of its end: the shape has not learned the shift.
	assert_line --index 0 --regexp '^2026-03-11T(1[0-9]|2[01]):00:00Z [0-9]+ firing$'
	assert_line --index 1 --regexp '^2026-03-1(1T2[2-3]|2T0[0-5]):00:00Z [0-9]+ resolved$'
}

@test "ev-detect: --warmup holds scores for the first N points of each series" {
	run jq -s 'map(select(.anomaly.score != null)) | length' < <(ev-detect --warmup 20 -v count <"$D/shift.ndjson")
	[ "$output" -eq 280 ]
	run jq -s 'map(select(.anomaly.score != null)) | length' < <(ev-detect --warmup 0 <"$D/shift.ndjson")
	[ "$output" -eq 295 ]
}

# Issue 13, item 6: warm-up is automatic.  shift.ndjson is 25 hours of
# 5-minute windows: by default robust scores only the points a full day
# after the first (counted here from the times), and each point before
# says how much of the day it has seen; --warmup 0 scores from the sixth
# point on, and --warmup 2h (the series' own time) after two hours.
@test "ev-detect: warm-up is automatic, one day of the series' own time, and says so" {
	ev-detect -v count <"$D/shift.ndjson" >out.ndjson
	want=$(python3 -c '
import json, sys
from datetime import datetime
t = [datetime.fromisoformat(json.loads(l)["start"].replace("Z", "+00:00"))
     for l in open(sys.argv[1])]
print(sum((x - t[0]).total_seconds() >= 86400 for x in t))' "$D/shift.ndjson")
	[ "$want" -eq 12 ]
	[ "$(jq -s 'map(select(.anomaly.score != null)) | length' out.ndjson)" -eq "$want" ]
	[ "$(sed -n 1p out.ndjson | jq -r .anomaly.reason)" = "warming up: 0s of 1d seen" ]
	[ "$(sed -n 38p out.ndjson | jq -r .anomaly.reason)" = "warming up: 3h5m of 1d seen" ]
	[ "$(sed -n 288p out.ndjson | jq -r .anomaly.reason)" = "warming up: 23h55m of 1d seen" ]
	valid_detected out.ndjson
	[ "$(ev-detect --warmup auto -v count <"$D/shift.ndjson" | cmp - out.ndjson && echo same)" = same ]
	[ "$(ev-detect --warmup 2h -v count <"$D/shift.ndjson" |
	    jq -s 'map(select(.anomaly.score != null)) | length')" -eq 276 ]
	ev-detect --warmup 20 -v count <"$D/shift.ndjson" | sed -n 10p |
	    jq -e '.anomaly.reason == "warming up: 9 of 20 points seen"'
	run ev-detect --warmup 2x -v count </dev/null
	[ "$status" -eq 2 ]
}

# Records without an end: the first point's window length is a guess (an
# hour) until the second point shows it, so the warm-up counts from the
# first window's start, not its guessed middle (which put the second
# point 29 minutes before the first, and --warmup 0 in warm-up for ever).
@test "ev-detect: warm-up counts the series' time from its first start, records without an end" {
	python3 -c '
for i in range(40):
    print("{\"start\":\"2026-03-01T00:%02d:00Z\",\"value\":%d}"
          % (i, 1000 if i == 30 else 10 + i % 3))' >in.ndjson
	ev-detect --warmup 5m --value value <in.ndjson | sed -n 1,3p |
	    jq -r .anomaly.reason >out.txt
	printf 'warming up: %s of 5m seen\n' 0s 1m 2m | diff - out.txt
	ev-detect --warmup 5m --value value <in.ndjson | sed -n 6p |
	    jq -e '.anomaly.score != null'
	ev-detect --warmup 0 --alerts --value value <in.ndjson |
	    jq -e -s 'map(select(.anomaly.status == "firing") | .start) ==
	    ["2026-03-01T00:30:00Z"]'
}

# A short series (the drop example, 5-minute windows over a few hours)
# opens no episode in its first day by default; the same input with
# --warmup 0 alerts, as it did before warm-up was automatic.
@test "ev-detect: a series shorter than a day does not alert by default, --warmup 0 does" {
	ev-detect --by event,platform --alerts <"$D/drop.ndjson" >out.ndjson
	[ "$(jq -s 'map(select(.anomaly.status == "firing")) | length' out.ndjson)" -eq 0 ]
	ev-detect --by event,platform <"$D/drop.ndjson" |
	    jq -e -s 'all(.[]; .anomaly.score == null and
	    (.anomaly.reason | startswith("warming up: ")))'
	ev-detect --warmup 0 --by event,platform --alerts <"$D/drop.ndjson" >out.ndjson
	[ "$(jq -s 'map(select(.anomaly.status == "firing")) | length' out.ndjson)" -ge 1 ]
}

@test "ev-detect: ewma baseline reports its method and catches the shift" {
	run alerts "$D/shift.ndjson" --warmup 0 -m ewma
	assert_line --index 0 "2026-03-02T16:40:00Z 141 firing"
	ev-detect --warmup 0 -m ewma <"$D/shift.ndjson" | tail -1 | jq -e '.anomaly.method == "ewma"'
}

@test "ev-detect: cusum turns a level shift into one episode, robust flaps" {
	run alerts "$D/shift.ndjson" --warmup 0 -m cusum --resolve-for 1
	assert_output "2026-03-02T16:40:00Z 141 firing
2026-03-02T16:55:00Z 147 resolved"
	# Resolving at the first calm point, robust flaps; the default
	# 15 minutes of calm points hold it to fewer episodes.
	run alerts "$D/shift.ndjson" --warmup 0 -m robust --resolve-for 1
	[ "$(grep -c firing <<<"$output")" -eq 3 ]
	run alerts "$D/shift.ndjson" --warmup 0 -m robust
	[ "$(grep -c firing <<<"$output")" -lt 3 ]
}

@test "ev-detect: seasonal baseline learns the daily and weekly shape (DST-aware)" {
	# After eight days of warm-up the only alert is the injected drop at
	# 12:00 Berlin summer time, three days after the DST change.
	run alerts "$D/seasonal.ndjson" -m seasonal --tz Europe/Berlin --warmup 192
	assert_output "2026-04-01T10:00:00Z 282 firing
2026-04-01T11:00:00Z 623 resolved"
	# In UTC the shape slips by an hour at the change: a false alert
	# besides the drop (the weekend, which starts at local midnight,
	# starts an hour off; the CUSUM, which discounts runs of residuals of
	# one sign as autocorrelation, no longer fires on the evening of the
	# change itself).
	run alerts "$D/seasonal.ndjson" -m seasonal --tz UTC --warmup 192
	assert_line --regexp '^2026-03-2[7-9]T.* firing$'
	[ "$(grep -c firing <<<"$output")" -ge 2 ]
	# Robust over the raw series cannot see it under the daily swing.
	run alerts "$D/seasonal.ndjson" -m robust --warmup 168
	[ -z "$output" ]
}

@test "ev-detect: auto chooses the seasonal baseline on seasonal history" {
	ev-detect --warmup 0 -m auto --tz Europe/Berlin <"$D/seasonal.ndjson" >out.ndjson
	[ "$(tail -1 out.ndjson | jq -r .anomaly.method)" = seasonal ]
	[ "$(sed -n 10p out.ndjson | jq -r .anomaly.method)" = robust ]
	jq -e -s 'map(select(.start == "2026-04-01T10:00:00Z"))[0].anomaly.score > 0.9999' out.ndjson
}

@test "ev-detect: windows with final:false are never scored" {
	jq -c 'if .start == "2026-03-02T12:05:00Z" then .final = false else . end' \
	    "$D/drop.ndjson" >in.ndjson
	run --separate-stderr ev-detect --by event,platform --alerts <in.ndjson
	assert_success
	[ -z "$output" ]
	ev-detect --by event,platform <in.ndjson |
	    jq -e -s 'map(select(.final == false) | .anomaly.reason == "not_final") | length == 4 and all'
}

@test "ev-detect: --for N needs N anomalous points in a row" {
	run alerts "$D/shift.ndjson" --warmup 0 -m cusum --for 2
	assert_line --index 0 "2026-03-02T16:45:00Z 145 firing"
	run alerts "$D/drop.ndjson" --warmup 0 --by event,platform --for 2
	[ -z "$output" ]
}

@test "ev-detect: --cooldown keeps a flapping series to one episode" {
	run alerts "$D/shift.ndjson" --warmup 0 -m robust --cooldown 1h
	[ "$(grep -c firing <<<"$output")" -eq 1 ]
}

@test "ev-detect: --resolve-for and --resolve-below hold an episode open" {
	run alerts "$D/shift.ndjson" --warmup 0 -m robust --resolve-for 1000
	assert_output "2026-03-02T16:40:00Z 141 firing"
	run alerts "$D/shift.ndjson" --warmup 0 -m robust --resolve-below 0
	assert_output "2026-03-02T16:40:00Z 141 firing"
}

@test "ev-detect: --repeat re-announces a firing episode" {
	run alerts "$D/shift.ndjson" --warmup 0 -m robust --resolve-for 1000 --repeat 1h
	[ "$(grep -c firing <<<"$output")" -ge 3 ]
	ev-detect --warmup 0 --alerts -m robust --resolve-for 1000 --repeat 1h <"$D/shift.ndjson" |
	    jq -e -s 'map(.anomaly.fingerprint) | unique | length == 1'
}

@test "ev-detect: --min-value ignores low-volume series" {
	run alerts "$D/drop.ndjson" --by event,platform --min-value 1000
	[ -z "$output" ]
}

@test "ev-detect: fingerprints are stable per series and differ between series" {
	a=$(ev-detect --warmup 0 --by event,platform --alerts <"$D/drop.ndjson" | jq -r '.anomaly.fingerprint' | sort -u | wc -l)
	[ "$a" -eq 2 ]
	f1=$(ev-detect --warmup 0 --by event,platform --alerts <"$D/drop.ndjson" | jq -r 'select(.platform == "android") | .anomaly.fingerprint' | sort -u)
	f2=$(grep android "$D/drop.ndjson" | ev-detect --warmup 0 --by event,platform --alerts | jq -r '.anomaly.fingerprint' | sort -u)
	[ "$f1" = "$f2" ]
	[ "$(echo "$f1" | wc -l)" -eq 1 ]
}

@test "ev-detect: severity is critical from --critical-pct" {
	ev-detect --warmup 0 --by event,platform --alerts <"$D/drop.ndjson" >out.ndjson
	[ "$(jq -r 'select(.platform == "android" and .anomaly.status == "firing") | .anomaly.severity' out.ndjson)" = critical ]
	[ "$(jq -r 'select(.platform == null and .anomaly.status == "firing") | .anomaly.severity' out.ndjson)" = warning ]
	ev-detect --warmup 0 --by event,platform --alerts --critical-pct 10 <"$D/drop.ndjson" |
	    jq -e -s 'map(select(.anomaly.status == "firing") | .anomaly.severity == "critical") | all'
}

@test "ev-detect: --format alertmanager writes v4 webhook messages" {
	run --separate-stderr ev-detect --warmup 0 --by event,platform --format alertmanager \
	    --resolve-for 1 <"$D/drop.ndjson"
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	printf '%s\n' "${lines[0]}" | jq -e '.version == "4" and .status == "firing" and
	    (.alerts | length == 2) and (.alerts[0].labels.alertname == "anomaly") and
	    (.alerts[0].labels.event == "signup") and (.alerts[0].endsAt == "0001-01-01T00:00:00Z") and
	    (.alerts[0].startsAt == "2026-03-02T12:05:00Z") and
	    (.alerts | map(.fingerprint | test("^[0-9a-f]{16}$")) | all) and
	    (.groupKey | type == "string") and (.receiver | type == "string")'
	printf '%s\n' "${lines[1]}" | jq -e '.status == "resolved" and (.alerts | map(.status == "resolved" and .endsAt == "2026-03-02T12:10:00Z") | all)'
}

@test "ev-detect: --absent-after tells a series that stopped from a real zero" {
	# android stops after 11:00; a zero window elsewhere is data, not absence.
	jq -c 'select(.platform != "android" or .start < "2026-03-02T11:00:00Z") |
	    if .platform == "ios" and .start == "2026-03-02T11:30:00Z" then .count = 0 else . end' \
	    "$D/drop.ndjson" >in.ndjson
	run --separate-stderr ev-detect --by event,platform --alerts --absent-after 30m <in.ndjson
	assert_success
	nd=$(printf '%s\n' "$output" | jq -c 'select(.anomaly.alertname == "no_data") | [.platform, .anomaly.status, .start]')
	[ "$nd" = '["android","firing","2026-03-02T11:00:00Z"]' ]
	# It comes back: resolved.
	cat in.ndjson >both.ndjson
	grep android "$D/drop.ndjson" | tail -1 | sed 's/12:25/12:30/; s/12:30:00Z","event/12:35:00Z","event/' >>both.ndjson
	ev-detect --by event,platform --alerts --absent-after 30m <both.ndjson |
	    jq -e -s 'map(select(.anomaly.alertname == "no_data") | .anomaly.status) == ["firing", "resolved"]'
}

@test "ev-detect: --series-ttl forgets idle series" {
	jq -c 'select(.platform != "android" or .start < "2026-03-02T11:00:00Z")' "$D/drop.ndjson" >in.ndjson
	ev-detect --by event,platform --stats s1.json <in.ndjson >/dev/null
	ev-detect --by event,platform --series-ttl 30m --stats s2.json <in.ndjson >/dev/null
	[ "$(stat_of s1.json series)" -eq 4 ]
	[ "$(stat_of s2.json series)" -eq 3 ]
}

@test "ev-detect: --series-ttl forgets the series of the record that arrives" {
	# Issue 12 #1: every series is quiet for 2h, longer than the TTL, so the
	# flush a new window starts frees the very series the window belongs
	# to; it must start afresh, not be used after it was freed.
	python3 -c 'import json
for h in range(0, 200, 2):
    for e in "abc":
        print(json.dumps({"start": "2026-03-%02dT%02d:00:00Z" % (2 + h // 24, h % 24),
                          "end": "2026-03-%02dT%02d:59:59Z" % (2 + h // 24, h % 24),
                          "event": e, "count": h % 7}))' >ttl.ndjson
	run --separate-stderr ev-detect --series-ttl 1h --by event --stats st.json <ttl.ndjson
	assert_success
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 300 ]
	# Each record comes out with its own bytes, in input order.
	[ "$(printf '%s\n' "$output" | jq -c 'del(.anomaly)')" = "$(jq -c . ttl.ndjson)" ]
	[ "$(stat_of st.json series)" -eq 3 ]
	assert_balanced st.json
}

@test "ev-detect: a re-emitted window replaces the held one; an old one is late" {
	head -8 "$D/drop.ndjson" >in.ndjson
	# The same window again while it is held: the first is superseded.
	sed -n 5p "$D/drop.ndjson" | sed 's/"count":[0-9]*/"count":999/' >>in.ndjson
	# Then a window older than one already scored: late.
	sed -n 1p "$D/drop.ndjson" >>in.ndjson
	run --separate-stderr ev-detect --by event,platform --rejects rej.ndjson --stats st.json <in.ndjson
	assert_success
	[ "$(printf '%s\n' "$output" | jq -s 'map(select(.anomaly.reason == "superseded")) | length')" -eq 1 ]
	[ "$(jq -r .reason rej.ndjson)" = late ]
	[ "$(stat_of st.json late)" -eq 1 ]
	assert_balanced st.json
}

@test "ev-detect: inside one series an older window is late, named against the series' last; other series interleave" {
	# a's 10:05 comes after a's 10:10 (still held, not yet scored); b's
	# windows come after a's newer one, which is no reason to refuse them.
	for r in a,10:00 a,10:10 b,10:00 a,10:05 b,10:05; do
		printf '{"start":"2026-03-02T%s:00Z","event":"%s","count":5}\n' "${r#*,}" "${r%,*}"
	done >in.ndjson
	run --separate-stderr ev-detect --by event --rejects rej.ndjson --stats st.json <in.ndjson
	assert_success
	[ "$(printf '%s\n' "$output" | jq -r '"\(.event) \(.start[11:16])"' | sort | tr '\n' ' ')" = "a 10:00 a 10:10 b 10:00 b 10:05 " ]
	[ "$(jq -r .reason rej.ndjson)" = late ]
	[ "$(jq -r .line rej.ndjson)" -eq 4 ]
	[ "$(jq -r '.errors[0].message' rej.ndjson)" = "window 2026-03-02T10:05:00Z is older than its series' last, 2026-03-02T10:10:00Z" ]
	[ "$(stat_of st.json late)" -eq 1 ]
	assert_balanced st.json
}

@test "ev-detect: a window already scored is a duplicate" {
	# The 10:00 total again after a 10:05 window closed its window.
	(head -4 "$D/drop.ndjson"; sed -n 6p "$D/drop.ndjson"; head -1 "$D/drop.ndjson") >in.ndjson
	run --separate-stderr ev-detect --by event,platform --rejects rej.ndjson --stats st.json <in.ndjson
	assert_success
	[ "$(jq -r .reason rej.ndjson)" = duplicate ]
	[ "$(stat_of st.json duplicate)" -eq 1 ]
	assert_balanced st.json
}

@test "ev-detect: --evaluation-delay scores a window only after the delay" {
	# Two versions of the 12:05 android window arrive 10 minutes apart.
	jq -c 'select(.platform == "android")' "$D/drop.ndjson" >a.ndjson
	head -27 a.ndjson >in.ndjson
	sed -n 26p a.ndjson | sed 's/"count":[0-9]*/"count":119/' >>in.ndjson
	tail -3 a.ndjson >>in.ndjson
	# Without a delay the first version was scored and alerted on.
	run --separate-stderr ev-detect --warmup 0 --alerts --rejects rej.ndjson <in.ndjson
	assert_line --partial '"count":25'
	[ "$(jq -r .reason rej.ndjson)" = late ]
	# With 15 minutes of delay the corrected version replaced it.
	run --separate-stderr ev-detect --warmup 0 --alerts --evaluation-delay 15m <in.ndjson
	assert_success
	[ -z "$output" ]
	# Annotated: every line is there, the first version unscored.
	run --separate-stderr ev-detect --warmup 0 --evaluation-delay 15m --stats st.json <in.ndjson
	[ "${#lines[@]}" -eq 31 ]
	printf '%s\n' "${lines[25]}" | jq -e '.count == 25 and .anomaly.reason == "superseded"'
	printf '%s\n' "${lines[26]}" | jq -e '.count == 119 and .anomaly.score < 0.9'
	assert_balanced st.json
}

@test "ev-detect: rejected records go to --rejects and counts balance" {
	(head -4 "$D/drop.ndjson"; echo '{"start":"2026-03-02T10:05:00Z","count":"x"}';
	 echo '{"start":"yesterday","count":1}'; echo '{"count":1}'; echo 'not json';
	 echo '[1,2]'; sed -n 5,8p "$D/drop.ndjson") >in.ndjson
	run --separate-stderr ev-detect --by event,platform --rejects rej.ndjson --stats st.json <in.ndjson
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 8 ]
	run jq -r '.reason' rej.ndjson
	assert_output "value
time
time
parse
type"
	jq -e -s 'map(.tool == "ev-detect" and (.raw | type == "string") and (.line | type == "number")) | all' rej.ndjson
	[ "$(stat_of st.json rejected)" -eq 5 ]
	assert_balanced st.json
	# Tolerated with --max-reject-rate.
	run --separate-stderr ev-detect --by event,platform --rejects rej.ndjson --max-reject-rate 0.5 <in.ndjson
	assert_success
}

@test "ev-detect: counts balance in --alerts mode (absorbed records are aggregated)" {
	ev-detect --warmup 0 --by event,platform --alerts --stats st.json <"$D/drop.ndjson" >/dev/null
	assert_balanced st.json
	[ "$(stat_of st.json aggregated)" -eq 116 ]
	[ "$(stat_of st.json passed)" -eq 4 ]
	ev-detect --warmup 0 --by event,platform --format alertmanager --stats st2.json <"$D/drop.ndjson" >/dev/null
	assert_balanced st2.json
	[ "$(stat_of st2.json out)" -eq 2 ]
}

@test "ev-detect: writing to /dev/full exits 3" {
	run --separate-stderr bash -c 'ev-detect --by event,platform <"$1" >/dev/full' _ "$D/drop.ndjson"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"write error"* ]]
}

@test "ev-detect: --state keeps models across runs (two runs = one run)" {
	for m in robust ewma seasonal cusum auto; do
		ev-detect -m $m --tz Europe/Berlin <"$D/seasonal.ndjson" | tail -200 >one.ndjson
		head -304 "$D/seasonal.ndjson" | ev-detect -m $m --tz Europe/Berlin --state st.json >/dev/null
		tail -200 "$D/seasonal.ndjson" | ev-detect -m $m --tz Europe/Berlin --state st.json >two.ndjson
		cmp one.ndjson two.ndjson || { echo "method $m"; return 1; }
		jq -e '.evkit_state == 1 and .tool == "ev-detect"' st.json
		rm st.json
	done
}

@test "ev-detect: --state keeps open episodes across runs" {
	head -210 "$D/shift.ndjson" | ev-detect --warmup 0 -m robust --resolve-for 1000 --alerts --state st.json >a.ndjson
	tail -90 "$D/shift.ndjson" | ev-detect --warmup 0 -m robust --resolve-for 1000 --alerts --state st.json >b.ndjson
	[ "$(wc -l <a.ndjson)" -eq 1 ]
	[ ! -s b.ndjson ]
}

@test "ev-detect: a corrupt state or one from other settings exits 3" {
	echo '{"evkit_state":1,' >st.json
	run --separate-stderr ev-detect --state st.json <"$D/shift.ndjson"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"st.json"* ]]
	rm st.json
	ev-detect -m robust --state st.json <"$D/shift.ndjson" >/dev/null
	run --separate-stderr ev-detect -m seasonal --state st.json <"$D/shift.ndjson"
	[ "$status" -eq 3 ]
	[ -z "$output" ]
}

@test "ev-detect: --backtest scores episodes against a label file" {
	cat >labels.ndjson <<'L'
{"id":1,"kind":"outage","event":"signup","filters":{"platform":"android"},"start":"2026-03-02T12:05:00Z","end":"2026-03-02T12:10:00Z","factor":0.2}
{"id":2,"kind":"spike","event":"signup","filters":{"platform":"web"},"start":"2026-03-02T11:00:00Z","end":"2026-03-02T11:10:00Z","factor":2}
L
	run --separate-stderr ev-detect --warmup 0 --by event,platform --backtest --labels labels.ndjson --stats st.json <"$D/drop.ndjson"
	assert_success
	printf '%s\n' "$output" | jq -e '.backtest | .labels == 2 and .detected == 1 and
	    .episodes == 2 and .true_episodes == 2 and .precision == 1 and .recall == 0.5 and
	    .mean_delay_s == 300 and .outages == 1 and .outage_top_segment_right == 1 and
	    .outages_alerted == 1 and .outage_named_right == 1'
	assert_balanced st.json
	run --separate-stderr ev-detect --warmup 0 --backtest --labels no-such-file </dev/null
	[ "$status" -eq 2 ]
}

@test "ev-detect: output validates against schemas/records/detected.json" {
	{
		ev-detect --by event,platform <"$D/drop.ndjson"
		ev-detect -m cusum --alerts <"$D/shift.ndjson"
		ev-detect -m auto --tz Europe/Berlin <"$D/seasonal.ndjson"
		jq -c 'select(.platform != "android" or .start < "2026-03-02T11:00:00Z")' "$D/drop.ndjson" |
		    ev-detect --by event,platform --alerts --absent-after 30m
	} >all.ndjson
	valid_detected all.ndjson
}

@test "ev-detect: default series are the string columns of the record" {
	a=$(ev-detect --alerts <"$D/drop.ndjson" | md5sum)
	b=$(ev-detect --alerts --by event,platform <"$D/drop.ndjson" | md5sum)
	[ "$a" = "$b" ]
}

@test "ev-detect: every EXAMPLES pipeline of the man page runs" {
	cp "$D"/*.ndjson .
	# Each example is a .Bd -literal block in EXAMPLES; run them in order.
	awk '/^\.Sh EXAMPLES/{e=1} /^\.Sh /&&!/EXAMPLES/{e=0}
	    e&&/^\.Bd -literal/{b=1; next} e&&/^\.Ed/{b=0; print "\x1e"; next}
	    e&&b{print}' "$EVKIT_TOP/man/ev-detect.1" | sed 's/\\e/\\/g' >examples.txt
	n=0
	while IFS= read -r -d $'\x1e' ex; do
		ex=$(printf '%s' "$ex" | sed '/^$/d')
		[ -n "$ex" ] || continue
		n=$((n + 1))
		run bash -o pipefail -c "$ex"
		[ "$status" -eq 0 ] || { echo "example $n failed: $ex"; echo "$output"; return 1; }
		[ -n "$output" ] || { echo "example $n printed nothing: $ex"; return 1; }
	done <examples.txt
	[ "$n" -ge 4 ]
}

@test "ev-detect: a totals file then a segments file gives complete alert records, the same episodes" {
	segment_windows >sorted.ndjson
	grep -v platform sorted.ndjson >tot.ndjson
	grep platform sorted.ndjson >seg.ndjson
	ev-detect --warmup 0 --alerts --by event,platform <sorted.ndjson |
	    jq -c '[.start, .platform, .anomaly.status]' >a.txt
	cat tot.ndjson seg.ndjson | ev-detect --warmup 0 --alerts --by event,platform >b.ndjson
	jq -c '[.start, .platform, .anomaly.status]' b.ndjson >b.txt
	[ -s a.txt ]
	diff a.txt b.txt
	# Every alert record says what it is, whatever the order it came in.
	jq -e -s 'map(.anomaly | .status != null and .alertname == "anomaly" and
	    .fingerprint != null and .summary != null) | all' b.ndjson
}

@test "ev-detect: counts are counts: 0 against an expected 0.02 is not an anomaly" {
	# A sparse count: one event every fifty windows, then a 0.
	awk 'BEGIN { for (i = 0; i < 400; i++) printf "{\"start\":\"2026-03-02T%02d:%02d:00Z\",\"end\":\"2026-03-02T%02d:%02d:00Z\",\"count\":%d}\n", int(i / 60) % 24, i % 60, int((i + 1) / 60) % 24, (i + 1) % 60, i % 50 == 7 }' >sparse.ndjson
	for m in robust ewma seasonal cusum auto; do
		run -0 sh -c "ev-detect -m $m --alerts <sparse.ndjson"
		[ -z "$output" ]
	done
}

# sparse_minutes: five days of 1-minute counts drawn from Poisson with a
# daily mean from 0.01 to 0.25 a minute (a Park-Miller generator, exact in
# doubles), about 940 events in 7,200 windows, most of them empty.
sparse_minutes() {
	awk 'BEGIN {
		x = 11
		for (i = 0; i < 7200; i++) {
			h = (i / 60) % 24
			mu = 0.01 + 0.12 * (1 - cos(2 * 3.14159265 * (h - 2) / 24))
			x = (x * 16807) % 2147483647
			u = x / 2147483647
			k = 0; p = exp(-mu); F = p
			while (u > F && k < 50) { k++; p *= mu / k; F += p }
			d = int(i / 1440); m = i % 1440; e = m + 1
			printf "{\"start\":\"2026-03-%02dT%02d:%02d:00Z\",\"end\":\"2026-03-%02dT%02d:%02d:00Z\",\"count\":%d}\n", 2 + d, int(m / 60), m % 60, 2 + d + (e == 1440), int(e / 60) % 24, e % 60, k
		}
	}'
}

@test "ev-detect: sparse 1-minute counts score >= 0.9999 about as often as chance says" {
	sparse_minutes >sparse.ndjson
	[ "$(jq -s 'map(.count) | add' sparse.ndjson)" -eq 940 ]
	for m in seasonal auto; do
		ev-detect -m "$m" <sparse.ndjson >out.ndjson
		# Seasonal scores nothing in its two days of warm-up: 4,320
		# points of five days.
		# Chance: 1e-4 of about 6,000 scored points, 0.6; the robust
		# median of 0 makes one count of 4 (p ~ 1e-4 at the true mean
		# of 0.24) score 0.99994.  Before, seasonal: 3,787 points and
		# five episodes, empty minutes against 0.02 flagged down.
		jq -s -e 'map(.anomaly | select(.score != null)) |
		    length > 4000 and
		    (map(select(.score >= 0.9999)) | length <= 2 and
		    all(.direction != "none"))' out.ndjson
		ev-detect -m "$m" --alerts <sparse.ndjson >al.ndjson
		[ "$(jq -s 'map(select(.anomaly.direction == "down")) | length' al.ndjson)" -eq 0 ]
	done
}

@test "ev-detect: a rate below 1 is not a count: its own spread decides" {
	# A crash rate near 0.01 with small noise jumps to 0.05.
	awk 'BEGIN { for (i = 0; i < 200; i++) printf "{\"start\":\"2026-03-%02dT%02d:00:00Z\",\"rate\":%.5f}\n", 1 + int(i / 24), i % 24, (i == 150 ? 0.05 : 0.01 + (i * 7919 % 13 - 6) / 10000) }' >rate.ndjson
	run -0 sh -c 'ev-detect -v rate --alerts <rate.ndjson | jq -r "[.start, .anomaly.status, .anomaly.direction] | join(\" \")"'
	assert_line "2026-03-07T06:00:00Z firing up"
}

@test "ev-detect: a flagged point has a direction and a score below 1 with its surprise" {
	ev-detect --by event,platform <"$DATA/detect/drop.ndjson" >out.ndjson
	jq -e -s 'map(.anomaly | select(.score != null)) |
	    (map(.score < 1) | all) and
	    (map(select(.score >= 0.9999) | .direction != "none") | all)' out.ndjson
	# surprise is -log10 of the two-sided normal tail of sigma (robust).
	jq -r '.anomaly | select(.score != null) | [.magnitude.sigma, .surprise] | @tsv' out.ndjson |
	    python3 -c '
import math, sys
for line in sys.stdin:
    z, s = map(float, line.split())
    ref = -math.log10(math.erfc(abs(z) / math.sqrt(2)))
    assert abs(s - ref) <= 1e-9 * max(1, ref), (z, s, ref)'
}

@test "ev-detect: a null value is a gap: not a reject, not a zero, not calm" {
	awk 'BEGIN { for (i = 0; i < 60; i++) printf "{\"start\":\"2026-03-02T%02d:%02d:00Z\",\"count\":%s}\n", int(i / 60), i % 60, (i >= 40 && i < 45) ? "null" : 100 + i % 7 }' >gap.ndjson
	run -0 ev-detect --alerts --stats st.json <gap.ndjson
	[ -z "$output" ]
	[ "$(stat_of st.json rejected)" -eq 0 ]
	assert_balanced st.json
	ev-detect <gap.ndjson | jq -e -s 'map(select(.count == null) | .anomaly.reason == "gap") | length == 5 and all'
}

# gap_windows KIND GAP: eleven days of hourly points from 2026-03-02, a
# Poisson(9) count (KIND count) or a latency near 0.25 s (KIND level), with
# hours 200 to 205 (2026-03-10T08:00 to 13:00) left out (GAP missing) or
# written with the value GAP (null, 0).
gap_windows() {
	awk -v kind="$1" -v gap="$2" 'BEGIN {
		x = 42
		for (h = 0; h < 264; h++) {
			x = (x * 16807) % 2147483647
			u = x / 2147483647
			if (kind == "count") {
				k = 0; p = exp(-9); F = p
				while (u > F && k < 100) { k++; p *= 9 / k; F += p }
				v = sprintf("%d", k)
			} else
				v = sprintf("%.4f", 0.25 + 0.02 * (u - 0.5))
			if (h >= 200 && h < 206) {
				if (gap == "missing")
					continue
				v = gap
			}
			d = int(h / 24); hh = h % 24
			printf "{\"start\":\"2026-03-%02dT%02d:00:00Z\",\"end\":\"2026-03-%02dT%02d:00:00Z\",\"v\":%s}\n", 2 + d, hh, 2 + d + (hh == 23), (hh + 1) % 24, v
		}
	}'
}

@test "ev-detect: a window missing from a series is a gap, for counts and levels alike" {
	for kind in count level; do
		for g in missing null 0; do
			gap_windows "$kind" "$g" >"$g.ndjson"
		done
		[ "$(wc -l <missing.ndjson)" -eq 258 ]
		for m in robust ewma seasonal cusum auto; do
			# No record and a null are the same missing point: the
			# other points score the same, nothing is rejected.
			ev-detect -v v -m "$m" --stats st.json <missing.ndjson |
			    jq -c . >a.ndjson
			[ "$(stat_of st.json rejected)" -eq 0 ]
			ev-detect -v v -m "$m" <null.ndjson | jq -c 'select(.v != null)' >b.ndjson
			cmp a.ndjson b.ndjson
			# No episode opens or resolves across the gap.
			ev-detect -v v -m "$m" --alerts <missing.ndjson >al.ndjson
			jq -e -s 'map(select(.start >= "2026-03-10T08" and
			    .start < "2026-03-10T20")) | length == 0' al.ndjson
		done
		# The same hours as zeros are a drop the seasonal model sees.
		run -0 sh -c 'ev-detect -v v -m seasonal --alerts <0.ndjson | jq -r "[.start, .anomaly.status, .anomaly.direction] | join(\" \")"'
		assert_line --regexp '^2026-03-10T(08|09):00:00Z firing down$'
	done
}

# The per-point tail (lib/ev_detect_tail.h) is part of the state: a run
# split in two by --state scores every point as one run does, once the
# tail has its fit (heavy-tailed noise, 6,000 points, split after 4,000).
@test "ev-detect: --state carries the series' own tail, scores identical to one run" {
	python3 - <<'PY' >in.ndjson
import json, random
random.seed(3)
for i in range(6000):
    v = 1000 + random.choice([-1, 1]) * 20 * (random.paretovariate(3) - 1)
    print(json.dumps({"start": "2026-03-%02dT%02d:%02d:00Z"
        % (2 + i // 1440, i // 60 % 24, i % 60), "value": round(v, 3)}))
PY
	ev-detect --value value <in.ndjson >one.ndjson
	head -n 4000 in.ndjson | ev-detect --value value --state st.json >a.ndjson
	tail -n 2000 in.ndjson | ev-detect --value value --state st.json >b.ndjson
	# The fit exists by then: the state holds a full side of the tail.
	jq -e '[.. | objects | select(has("tail")) | .tail.above | length] |
	    max == 512' st.json
	diff <(tail -n 2000 one.ndjson | jq -c .anomaly) <(jq -c .anomaly b.ndjson)
}

# The days of bursts and the burst under way (lib/ev_detect_recur.h) are
# in --state too: split in the middle of a burst on the sixth day, the
# second run excuses what one run excuses.
@test "ev-detect: --state carries the burst memory, scores identical to one run" {
	python3 "$EVKIT_TOP/tests/tools/bursts_minutes.py" >in.ndjson
	local cut
	cut=$(jq -s 'to_entries | map(select(.key > 5 * 1440 and
	    .value.value > 300)) | .[0].key + 3' in.ndjson)
	ev-detect --value value <in.ndjson >one.ndjson
	head -n "$cut" in.ndjson | ev-detect --value value --state st.json >a.ndjson
	# Six days seen, a burst under way.
	jq -e '[.. | objects | select(has("recur")) | .recur] | length == 1 and
	    (.[0].days | length) == 6 and (.[0].burst | all(. != null))' st.json
	tail -n +"$((cut + 1))" in.ndjson |
	    ev-detect --value value --state st.json >b.ndjson
	# The rest of the burst is excused, in one run and in the second.
	jq -e -s '.[0:2] | all(.anomaly.score < 0.9999 and
	    .value > 300)' b.ndjson
	diff <(tail -n +"$((cut + 1))" one.ndjson | jq -c .anomaly) \
	    <(jq -c .anomaly b.ndjson)
}

# The warm-up is the series' own time, kept in --state: a run split inside
# the first day goes on warming up where the first part stopped, and
# writes what one run writes.
@test "ev-detect: --state carries the warm-up across runs" {
	python3 -c '
for i in range(2000):
    print("{\"start\":\"2026-03-02T%02d:%02d:00Z\",\"count\":%d}"
          % (i // 60 % 24, i % 60, 100 + i % 7) if i < 1440 else
          "{\"start\":\"2026-03-03T%02d:%02d:00Z\",\"count\":%d}"
          % (i // 60 % 24, i % 60, 100 + i % 7))' >in.ndjson
	ev-detect <in.ndjson >one.ndjson
	head -n 600 in.ndjson | ev-detect --state st.json >a.ndjson
	tail -n 1400 in.ndjson | ev-detect --state st.json >b.ndjson
	jq -e '.anomaly.reason == "warming up: 10h of 1d seen"' <(sed -n 1p b.ndjson)
	diff <(tail -n 1400 one.ndjson) b.ndjson
}
