#!/usr/bin/env bats
# ev-detect --backtest --label-field on labelled series (issue 13, item 1):
# the CSV converter, the NAB-style scores against a hand-worked example and
# against an independent python implementation of the same rules
# (tests/tools/nab_score.py) on synthetic labelled series, and the backtest
# over the real cloud monitoring dataset with the defaults.

load helper

NAB_REF=$EVKIT_TOP/tests/tools/nab_score.py
CONV=$EVKIT_TOP/scripts/nab-csv2ndjson

@test "nab-csv2ndjson: quoted and bare fields, gaps as null, zone-less times as UTC" {
	mkdir -p d/metric
	printf '%s\n' '"TimeStamp","Value","Label"' \
	    '"2018-04-25T00:00:00Z","12","0"' \
	    '2018-04-25 00:01:00,,1' \
	    '"2018-04-25T00:02:00Z","0.5","1"' >d/metric/s-01.csv
	run "$CONV" --root d d/metric/s-01.csv
	assert_success
	assert_output - <<'OUT'
{"start":"2018-04-25T00:00:00Z","series":"metric/s-01","value":12,"label":0}
{"start":"2018-04-25T00:01:00Z","series":"metric/s-01","value":null,"label":1}
{"start":"2018-04-25T00:02:00Z","series":"metric/s-01","value":0.5,"label":1}
OUT
	printf '%s\n' 'TimeStamp,Value,Label' 'yesterday,1,0' >d/metric/bad.csv
	run "$CONV" d/metric/bad.csv
	assert_failure
	assert_output --partial "bad.csv:2: 'yesterday' is not a time"
}

# 60 hourly points of 10 with spikes of 1000 at 25, 38 and 47; the points
# 38-39 are labelled.  Window: 10% of 60 = 6 points centred on the run,
# 36-41.  Worked by hand from the rules (see tests/unit/test_nab.c for the
# formulas): the spike at 25 comes before any window, -A_FP; the one at 38
# is the first in the window, position -(41-38+1)/6, scaled sigmoid
# 0.9311096 / 0.9866143 = 0.9437423; the one at 47 is 6 points past a
# window of 6, y = 6/5, sigmoid -0.9950548 times A_FP.  standard: raw
# 0.9437423 - 0.11 - 0.1094560 = 0.7242862, normalised 100 x 1.7242862 / 2
# = 86.214312; reward_low_fp 0.5048302: 75.241511; reward_low_fn: 90.809541.
@test "ev-detect --backtest --label-field: NAB scores of a hand-worked series" {
	python3 -c '
for i in range(60):
    v = 1000 if i in (25, 38, 47) else 10
    print("{\"start\":\"2026-03-01T%02d:%02d:00Z\",\"series\":\"a\",\"value\":%d,\"label\":%d}"
          % (i // 60, i % 60, v, 1 if i in (38, 39) else 0))' >in.ndjson
	# --resolve-for 1: three episodes, as worked (the spikes are minutes
	# apart, within the default 15 minutes of calm before resolving).
	ev-detect --warmup 0 -m robust --resolve-for 1 --backtest --label-field label \
	    --value value --by series <in.ndjson >out.ndjson
	cat out.ndjson >&3
	jq -e -s 'map(select(.backtest_series))[0].backtest_series |
	    .windows == 1 and .detected == 1 and .episodes == 3 and
	    .false_episodes == 2 and .mean_delay_s == 0 and
	    (.nab_raw.standard - 0.72428624 | fabs) < 1e-6' out.ndjson
	jq -e -s 'map(select(.backtest))[0].backtest.nab |
	    (.standard - 86.214312 | fabs) < 1e-5 and
	    (.reward_low_fp - 75.241511 | fabs) < 1e-5 and
	    (.reward_low_fn - 90.809541 | fabs) < 1e-5' out.ndjson
}

@test "ev-detect --backtest --label-field: the same scores as an independent python implementation on synthetic labels" {
	# Eight series of noisy counts and levels with labelled spikes, drops
	# and shifts (some not alerted on, some false alerts), gaps included.
	python3 - <<'PY' >in.ndjson
import json, random
random.seed(13)
for s in range(8):
    n = random.choice([300, 500, 800])
    lab = [0] * n
    for _ in range(random.randint(0, 4)):
        a = random.randrange(50, n - 20)
        for i in range(a, a + random.randint(1, 12)):
            lab[i] = 1
    base = random.choice([5, 50, 1000])
    for i in range(n):
        v = max(0, random.gauss(base, base ** 0.5 + 1))
        if lab[i]:
            v *= random.choice([0, 0.3, 3, 1.1])
        if random.random() < 0.02:
            v = base * random.choice([0, 4])	# unlabelled surprises
        v = None if random.random() < 0.01 else round(v, 2)
        print(json.dumps({"start": "2026-03-%02dT%02d:%02d:00Z"
            % (1 + i // 1440, i // 60 % 24, i % 60), "series": "s%d" % s,
            "value": v, "label": lab[i]}))
PY
	for m in robust ewma; do
		ev-detect --warmup 0 -m $m --alerts --value value --by series <in.ndjson >alerts.ndjson
		ev-detect --warmup 0 -m $m --backtest --label-field label --value value \
		    --by series <in.ndjson >bt.ndjson
		python3 "$NAB_REF" in.ndjson alerts.ndjson >ref.json
		jq -c 'select(.backtest) | .backtest' bt.ndjson >&3
		cat ref.json >&3
		# At least some true and some false detections, so it tests both.
		jq -e '.true > 0 and .false > 0 and .detected < .windows' ref.json
		jq -e --slurpfile r ref.json -s 'map(select(.backtest))[0].backtest |
		    .windows == $r[0].windows and .detected == $r[0].detected and
		    .true_episodes == $r[0].true and
		    .false_episodes == $r[0].false and
		    ([.nab[]] | length) == 3 and
		    (.nab | to_entries | map((.value - $r[0].nab[.key]) | fabs < 1e-9) | all)' bt.ndjson
		jq -e --slurpfile r ref.json -s 'map(select(.backtest_series) |
		    .backtest_series | (.nab_raw.standard -
		    $r[0].series[.series.series].standard | fabs) < 1e-9) |
		    length == 8 and all' bt.ndjson
	done
}

# The real labelled series, with the defaults (scripts/detect-real).
# Measured on this branch: NAB standard 64.4, reward_low_fp 58.5,
# reward_low_fn 67.2, event F1 0.57, recall 0.73, mean delay 103 min, 1.0
# false episodes per series-week, worst unlabelled series 2.5 a week
# (ingress-03; then outbound-16 1.2, mongo-01 and mongo-04 0.6).  The
# burst memory (lib/ev_detect_recur.h) takes mongo-04, whose five-minute
# bursts of four to five times its level come about twice a day with a
# power-law size tail, from 5 episodes (3.2 a week) to 1, at a cost of
# 0.2 NAB points (ingress-02's labelled rise of 50%, on 05-05, is the
# size of the rare deviations of the days after its start from zero).
# What is left: ingress-03's episodes are two one-minute blips on its
# second day, before its tail has a fit, and two drops of 87% and 98%
# for half an hour and more (04-27 21:32, 04-30 21:59), the same minutes
# that are labelled on ingress-05; outbound-16 is zero but for five
# single hours of 12 to 18, one every six days, as often as the hourly
# crash-rate series' labelled incidents recur.  Tried, not landed:
# requiring two minutes of anomalous points before an episode fires
# takes ingress-03 to 1.3 a week (the two drops) but NAB to 63.5 (the
# labelled one-minute spikes of ingress-05 and machine-01 are missed);
# the same rule with bursts of 30 minutes excuses the first half hour of
# an hour at burst size (the rolling median has caught up by then).
# Before the burst memory: 64.6, 58.7, 67.5, F1 0.56, worst 3.2.  The
# automatic warm-up (a day of each series' own time before its first
# score) takes the worst unlabelled series from 7.0 to 3.2 a week: the
# first day held the nightly jobs and bursts seen for the first time.
# Tried with it and not landed: the per-point tail alone instead of the
# larger of it and the excursions gives 65.2, 58.1, 68.5 but a worst
# unlabelled series of 8.3 a week.  Before the warm-up: 64.2, 56.6, 67.6,
# F1 0.53, 1.3 a week, worst 7.0.  The gain before that was the
# calibration's rate condition (an excursion is ordinary only when the
# series has one at least every two days, not after any three): the
# hourly crash-rate series, whose labelled incidents recur every few
# days, were no longer alerted after their third.  The time-of-day memory
# takes mongo-01's daily job steps (07:00, 09:00, 03:00) from 22 to 6
# episodes (and costs machine-01, whose labelled anomalies are a spike at
# 00:01 every day, most of its detections).  Issue 13 asks for NAB
# standard >= 60 (met) and <= 1 false episode a week on every unlabelled
# series (not met: mongo-04 3.2, ingress-03 2.5, outbound-16 1.2), so
# this guards the level reached.  Earlier branches: 47.2, 41.5, 49.8,
# F1 0.47, 1.0 a week, worst 10.2; 44.6, 20.4, 53.4, F1 0.32, 4.1 a
# week, worst 113.9.
@test "ev-detect --backtest over the real cloud monitoring dataset with the defaults" {
	local d=${EVKIT_TESTDATA:-}/cloud-monitoring-dataset
	[ -n "${EVKIT_TESTDATA:-}" ] && [ -d "$d/data" ] ||
	    skip "EVKIT_TESTDATA/cloud-monitoring-dataset is absent; .ci/run sets EVKIT_TESTDATA"
	case $EVKIT_BIN in
	*asan*)
		[ "${EVKIT_BACKTEST:-0}" = 1 ] ||
		    skip "minutes under ASan; EVKIT_BACKTEST=1 runs it" ;;
	esac
	"$CONV" --root "$d/data" "$d"/data/*/*.csv >in.ndjson
	[ "$(wc -l <in.ndjson)" -eq 225445 ]
	ev-detect --backtest --label-field label --value value --by series \
	    --stats st.json <in.ndjson >out.ndjson
	jq -c 'select(.backtest) | .backtest' out.ndjson >&3
	jq -e -s 'map(select(.backtest))[0].backtest |
	    .series == 60 and .labelled_series == 54 and
	    .nab.standard >= 64.3 and .nab.reward_low_fp >= 58.4 and
	    .nab.reward_low_fn >= 67.1 and .f1 >= 0.565 and
	    .false_per_week <= 1.0 and
	    .unlabelled_worst_false_per_week <= 2.55' out.ndjson
	# Gaps are neither rejected nor zeros.
	[ "$(stat_of st.json rejected)" -eq 0 ]
	assert_balanced st.json
}

# Residuals of one-minute windows are autocorrelated: the seasonal CUSUM
# must not read a wandering minute-to-minute level (AR(1), rho 0.95, a
# daily cycle, no anomaly) as a run of shifts.  Before the CUSUM discounted
# the autocorrelation this week gave 76 to 109 episodes (the real mongodb
# and ingress series 80 to 240 a week).
@test "ev-detect -m seasonal: autocorrelated one-minute noise is not a shift" {
	for seed in 5 6 7; do
		python3 "$EVKIT_TOP/tests/tools/ar1_minutes.py" $seed >in.ndjson
		ev-detect -m seasonal --alerts --value value <in.ndjson >out.ndjson
		jq -c '[.start, .anomaly.status]' out.ndjson >&3
		[ "$(jq -s 'map(select(.anomaly.status == "firing")) | length' out.ndjson)" -le 3 ]
	done
}

# Issue 13, item 4: scores that mean something.  The share of points
# scoring >= 1 - q, counted from the output by tests/tools/score_shares.py,
# against q for q = 1e-2, 1e-3, 1e-4; the issue asks for a factor of 3.
# Measured on this branch with the defaults (robust, automatic warm-up):
#   ev-gen, anomaly-free, 7 days of 1-minute counts (103,373 points
#     scored, the first day of each series is warm-up):
#     0.40 q, 0.21 q, 2.1 q (before the warm-up: 0.43 q, 0.43 q, 3.5 q)
#   the six unlabelled real series (59,520 points scored): 1.3 q, 1.3 q,
#     11.6 q (before the burst memory: 1.4 q, 1.7 q, 14 q, mongo-04's
#     bursts 23 of the 86 points at 1e-4; before the warm-up: 1.9 q, 4.3 q, 36 q; before the per-point
#     tail: 5.2 q, 4.5 q, 37 q; before the time-of-day memory: 5.8 q,
#     10.2 q, 61 q)
# The per-point tail (peaks over threshold, lib/ev_detect_tail.h) brings
# 1e-2 within the factor of 3, the warm-up 1e-3 and, on ev-gen, 1e-4: at
# 1e-4, 91 of mongo-01's 93 points and 56 of mongo-04's 79 were on their
# first day (nightly jobs and bursts seen for the first time).  Left:
# the real series at 1e-4 (54 of the 69 points are ingress-03's two
# drops of 87% and 98%, which ingress-05 has labelled at the same
# minutes: an outage, not noise), and ev-gen at 1e-3 is now on the
# safe side by 4.7 (22 points where 103 are due; 30 of the 52 it had
# before were in the first day).  Tried with the warm-up, not landed: the
# per-point tail alone (not the larger of it and the excursions) gives
# 0.44 q, 0.21 q, 2.1 q and 1.4 q, 2.6 q, 23 q, and a worst unlabelled
# series of 8.3 false episodes a week.  The assertions below hold the
# factor of 3 where it is met and guard the level reached elsewhere.  No
# finite deviation prints exactly 1.
calib_check() {	# FILE MAX_1e-2 MAX_1e-3 MAX_1e-4 (ratios share / q)
	python3 "$EVKIT_TOP/tests/tools/score_shares.py" <"$1" >sh.json
	cat sh.json >&3
	jq -e --argjson a "$2" --argjson b "$3" --argjson c "$4" \
	    '.n > 50000 and .["1e-02"] / 1e-2 <= $a and
	    .["1e-03"] / 1e-3 <= $b and .["1e-04"] / 1e-4 <= $c and
	    .ones == 0 and .top > 0.9999' sh.json
}

@test "ev-detect: score calibration and false episodes on anomaly-free ev-gen traffic and on the unlabelled real series" {
	ev-gen -s 11 -d 7d -r 1/s | ev-window --tumble 1m \
	    --by 'event,context.platform as platform' --agg count \
	    --fill-zero --group-ttl 1d >gen.ndjson
	ev-detect <gen.ndjson >out.ndjson
	calib_check out.ndjson 3 3 3
	jq -e '.["1e-02"] >= 1e-2 / 3 and .["1e-03"] >= 1e-3 / 5' sh.json
	local d=${EVKIT_TESTDATA:-}/cloud-monitoring-dataset
	[ -n "${EVKIT_TESTDATA:-}" ] && [ -d "$d/data" ] ||
	    skip "EVKIT_TESTDATA/cloud-monitoring-dataset is absent"
	# The series without any label.
	"$CONV" --root "$d/data" "$d"/data/*/*.csv | python3 -c '
import json, sys
recs = [json.loads(l) for l in sys.stdin]
lab = {r["series"] for r in recs if r["label"]}
for r in recs:
    if r["series"] not in lab:
        print(json.dumps(r))' >in.ndjson
	[ "$(jq -r .series in.ndjson | sort -u | wc -l)" -eq 6 ]
	ev-detect --value value --by series <in.ndjson >out.ndjson
	calib_check out.ndjson 3 3 12
	jq -e '.["1e-02"] >= 1e-2 / 3 and .["1e-03"] >= 1e-3 / 3' sh.json
	# On the same unlabelled series the seasonal model, with its CUSUM
	# discounted for autocorrelation, two days of warm-up and 15 minutes
	# to resolve, opens at most 3.2 false episodes a week (mongo-01;
	# before: 83 to 240 a week).  It was 2.5 while the warm-up counted from
	# the middle of a first window whose length, for records without an
	# end, is guessed as an hour: the two days ended half an hour late,
	# after an episode mongo-01 opens at 00:10 of its third day.
	ev-detect -m seasonal --backtest --label-field label --value value \
	    --by series <in.ndjson >bt.ndjson
	jq -c 'select(.backtest_series) | .backtest_series |
	    [.series.series, .false_per_week]' bt.ndjson >&3
	jq -e 'select(.backtest) | .backtest |
	    .unlabelled_worst_false_per_week <= 3.2' bt.ndjson
}

# Issue 13, item 6: one incident, one episode.  One-minute windows: a drop
# of 10 minutes, 2 minutes back near normal, 10 more minutes down.  By
# default an episode resolves after 15 minutes of calm points (one point
# at least: 03:42 to 03:56), so this is one page; --resolve-for 1 splits
# it in two.
@test "ev-detect: a short return to normal inside an incident does not split it" {
	python3 -c '
for i in range(300):
    v = 100 + (i * 7) % 11 - 5
    if 200 <= i < 210 or 212 <= i < 222:
        v = 10
    print("{\"start\":\"2026-03-02T%02d:%02d:00Z\",\"count\":%d}"
          % (i // 60, i % 60, v))' >in.ndjson
	ev-detect --warmup 0 --alerts <in.ndjson >out.ndjson
	jq -c '[.start, .anomaly.status]' out.ndjson >&3
	[ "$(jq -s 'map(select(.anomaly.status == "firing")) | length' out.ndjson)" -eq 1 ]
	jq -e -s 'map(select(.anomaly.status == "resolved"))[0].start ==
	    "2026-03-02T03:56:00Z"' out.ndjson
	ev-detect --warmup 0 --alerts --resolve-for 1 <in.ndjson >out.ndjson
	[ "$(jq -s 'map(select(.anomaly.status == "firing")) | length' out.ndjson)" -eq 2 ]
}

# Issue 13, item 6: automatic warm-up.  The seasonal model scores nothing
# in its first two days (a daily shape seen once is one day's noise), and
# says so in the record's reason (how much of the two days it has seen);
# a spike on the third day alerts.
@test "ev-detect -m seasonal: no score before two days of history, reason warmup" {
	python3 -c '
import math
for i in range(72):
    v = round(100 + 50 * math.sin(2 * math.pi * i / 24)) + i % 3
    if i in (30, 60):
        v *= 4
    print("{\"start\":\"2026-03-02T00:00:00Z\",\"count\":%d}" % v)' |
	    awk '{ h = NR - 1; d = 2 + int(h / 24);
		sub(/02T00/, sprintf("%02dT%02d", d, h % 24)); print }' >in.ndjson
	ev-detect -m seasonal <in.ndjson >out.ndjson
	jq -e -s '.[0:48] | all(.anomaly.score == null and
	    (.anomaly.reason | startswith("warming up: ")))' out.ndjson
	jq -e -s '.[30].anomaly.reason == "warming up: 1d6h of 2d seen"' out.ndjson
	jq -e -s '.[60].anomaly.status == "firing" and
	    .[48].anomaly.score != null' out.ndjson
}

# Issue 13, item 5: slow trends do not alert.  A linear ramp seen through
# the default rolling window of W points: the median lags the newest value
# by half the window's rise a = slope * W, and the window's values spread
# uniformly over a, so the MAD is a / 4 and the scale 1.4826 a / 4 (more
# with noise).  The newest point is then at most (a / 2) / (0.37 a) = 1.35
# scales above the median plus its own noise over that scale: when the
# window rises ten noise sigmas (a = 10 s) the noise must reach
# (3.89 - 1.35) * 3.7 = 9.4 sigmas for the 0.9999 threshold, which no
# point of a normal sample of this size does (the counts, 200 to 1,700 a
# window, rise at least 4.4 sigmas a window: 4.1 sigmas needed, about 1e-5
# a point over 504 points).  So: no episode at all, on
# one-minute and on hourly ramps, up and down, counts and rates alike.
# The reasoning needs a full window: --warmup 60 leaves out the first
# points, whose scale comes from five to sixty of them (a MAD of six noisy
# points can be small enough to alert on noise alone, ramp or not: with
# the defaults the one-minute ramp alerts once, at its sixth point).
@test "ev-detect: a linear ramp over days does not alert" {
	python3 - <<'PY' >in.ndjson
import json, random
random.seed(5)
# (series, points, minutes per point, start, slope per point, noise sigma)
cases = [("up-1m", 7 * 1440, 1, 1000.0, 2.0, 12.0),
         ("down-1m", 7 * 1440, 1, 30000.0, -2.5, 15.0),
         ("up-1h", 21 * 24, 60, 50.0, 0.5, 3.0),
         ("count-1h", 21 * 24, 60, 200.0, 3.0, 0.0)]
for name, n, step, v0, slope, sd in cases:
    for i in range(n):
        v = v0 + slope * i + random.gauss(0, sd)
        if sd == 0:	# counts: Poisson noise, sd sqrt(mean), a / s >= 4
            v = round(v + random.gauss(0, v ** 0.5))
        t = i * step
        print(json.dumps({"start": "2026-03-%02dT%02d:%02d:00Z"
            % (2 + t // 1440, t // 60 % 24, t % 60), "series": name,
            "value": v}))
PY
	ev-detect --alerts --warmup 60 --value value --by series <in.ndjson >out.ndjson
	jq -c '[.series, .start, .anomaly.status, .anomaly.surprise]' out.ndjson >&3
	[ "$(jq -s 'map(select(.anomaly.status == "firing")) | length' out.ndjson)" -eq 0 ]
}

# The calibration's rate condition.  Hourly values of 100 +- 3 with an
# incident (three hours at 300) every 3.5 days, eight in all.  Each
# incident reaches the same |z| as the ones before it, so k of them are
# already in the history at the (k+1)-th.  Counting any three earlier
# excursions as ordinary (the rule before) hid the incidents from the
# fourth on, except where one reached a little beyond three earlier ones:
# 5 episodes were measured.  With the rate condition an excursion is
# ordinary only when the series has one at least every two days: here one
# every 3.5 days is never that, so all 8 incidents page.
@test "ev-detect: an incident that recurs every few days still alerts every time" {
	python3 - <<'PY' >in.ndjson
import json, random
random.seed(3)
for i in range(28 * 24):
    v = 100 + random.gauss(0, 3)
    if i >= 40 and (i - 40) % 84 < 3:
        v = 300 + random.gauss(0, 3)
    print(json.dumps({"start": "2026-03-%02dT%02d:00:00Z" % (1 + i // 24, i % 24),
        "value": round(v, 2)}))
PY
	ev-detect --alerts --value value <in.ndjson >out.ndjson
	jq -c '[.start, .anomaly.status]' out.ndjson >&3
	[ "$(jq -s 'map(select(.anomaly.status == "firing")) | length' out.ndjson)" -eq 8 ]
}

# The time-of-day memory.  One-minute values of 1000 that step to 1600 at
# 07:00 and back at 09:00 every day for ten days (a scheduled job).  The
# noise shrinks from day to day (sd 20 down to 2), so each day's step is a
# larger robust z than any before it: the series' |z| history never calls
# it ordinary, and the steps page (19 of the 20 before this rule).  The
# values at 07:00-09:00 are the same every day, though, so from the third
# day on the same quarter hours of two earlier days went at least half as
# far from expected: only the first two days page at the job's hours, two
# episodes each (the step up and the step down), 4 in all (--warmup 0;
# by default the first day is warm-up and only the second day pages).  (Episodes at
# other hours are noise, the business of the calibration tests.)
@test "ev-detect: a daily job at a fixed hour pages on its first two days only" {
	python3 - <<'PY' >in.ndjson
import json, random
random.seed(4)
for d in range(10):
    sd = 20 - 2 * d
    for m in range(1440):
        v = (1600 if 420 <= m < 540 else 1000) + random.gauss(0, sd)
        print(json.dumps({"start": "2026-03-%02dT%02d:%02d:00Z"
            % (2 + d, m // 60, m % 60), "value": round(v, 1)}))
PY
	ev-detect --warmup 0 --alerts --value value <in.ndjson >out.ndjson
	jq -c '[.start, .anomaly.status, .anomaly.surprise]' out.ndjson >&3
	jq -e -s 'map(select(.anomaly.status == "firing" and
	    .start[11:16] >= "06:45" and .start[11:16] < "09:30") |
	    .start[0:10]) |
	    length == 4 and all(. == "2026-03-02" or . == "2026-03-03")' out.ndjson
	# With the automatic warm-up the first day is learned, not paged:
	# the job pages on its second day only, and nothing else does.
	ev-detect --alerts --value value <in.ndjson >out.ndjson
	jq -e -s '[.[] | select(.anomaly.status == "firing") | .start] ==
	    ["2026-03-03T07:00:00Z", "2026-03-03T09:00:00Z"]' out.ndjson
}

# The recurrence of short bursts (lib/ev_detect_recur.h).  One-minute
# values with two five-minute bursts a day of 4x and more at random times
# (tests/tools/bursts_minutes.py); the noise is quiet at night, so a burst
# there is a larger z than any before it and the |z| history (the
# calibration's excursions) cannot call it ordinary: 6 episodes over the
# ten days before this rule, on 2026-03-03 to 03-08.  A burst at least
# half the size of the largest of three earlier days of the week is the
# series' own: only the bursts of the second and third days page, before
# three earlier days have had one.
@test "ev-detect: a short burst the series makes every day pages only until it has on three days" {
	python3 "$EVKIT_TOP/tests/tools/bursts_minutes.py" >in.ndjson
	ev-detect --alerts --value value <in.ndjson >out.ndjson
	jq -c '[.start, .anomaly.status, .value]' out.ndjson >&3
	jq -e -s '[.[] | select(.anomaly.status == "firing") | .start[0:10]] |
	    length >= 1 and length <= 2 and all(. <= "2026-03-04")' out.ndjson
}
