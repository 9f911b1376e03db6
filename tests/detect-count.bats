#!/usr/bin/env bats
# ev-detect on a low-volume count at fine windows (issue 13, item 8): three
# weeks of ev-gen traffic (seed 1, 0.3 events/s, a million users), its
# signup events, about 12 an hour in the third week (15 in the first, the
# funnel saturates), counted in 1-minute windows by ev-window and rolled up
# to 5-minute windows by a second ev-window.  The page_view series rides
# along so that every minute has a window: ev-window --fill-zero writes a
# group's empty window only when some event closes it.
#
# In the third week six drops of three hours (five to a fifth, one to a
# tenth) at 10:00, 14:00, 19:00, 12:00, 16:00 and 09:00.  The delays and
# false episodes are measured by tests/tools/episode_delay.py from the
# alert records, not by ev-detect.
#
# What the issue asks cannot be had: at 12 events an hour a detector that
# finds an 80% drop within 30 minutes must alarm on about 3 events where 6
# were expected, and 30 quiet minutes alone happen 12/h * exp(-6) = 0.03
# times an hour, 5 times a week, in traffic without a drop.  A CUSUM is
# the fastest detector for a given false-alarm rate (Lorden, 1971): with a
# threshold h = log(1 / q) nats it needs about h / KL hours, KL =
# lambda (rho log rho + 1 - rho) = 0.48 lambda for rho = 0.2, so at the
# default --threshold 0.9999 (h = 9.2) about 77 minutes at 15 an hour and
# 58 at 20.  Measured with this branch (seasonal and auto, 1m and 5m): 5
# of 6 drops found, after 53, 60, 64, 73 and 108 minutes (1m) or 55, 65,
# 65, 70 and 115 (5m); the 09:00 drop, when the rate is lowest, is missed.
# No false episode on the signup series in two weeks, with or without the
# drops.  Before it, -m seasonal on 1m windows fired every night (7.5
# episodes a week); on 5m windows it found no drop.
#
# Runtime about 30 s on a 2-core machine (ev-gen and the 1-minute
# ev-window dominate); skipped under ASan unless EVKIT_BACKTEST=1.

load helper

DROPS=(
	--anomaly 'drop:event=signup,at=+15d10h,for=3h,factor=0.2'
	--anomaly 'drop:event=signup,at=+16d14h,for=3h,factor=0.2'
	--anomaly 'drop:event=signup,at=+17d19h,for=3h,factor=0.2'
	--anomaly 'drop:event=signup,at=+18d12h,for=3h,factor=0.1'
	--anomaly 'drop:event=signup,at=+19d16h,for=3h,factor=0.2'
	--anomaly 'drop:event=signup,at=+20d9h,for=3h,factor=0.2'
)
MEASURE=$EVKIT_TOP/tests/tools/episode_delay.py

local_setup() {
	case $EVKIT_BIN in
	*asan*)
		[ "${EVKIT_BACKTEST:-0}" = 1 ] ||
		    skip "minutes under ASan; EVKIT_BACKTEST=1 runs it" ;;
	esac
	for p in ev-gen ev-window; do
		[ -x "$EVKIT_BIN/$p" ] || skip "$p is not built in $EVKIT_BIN"
	done
}

# traffic [ANOMALY OPTIONS...]: w1m.ndjson and w5m.ndjson, signup and
# page_view counts by minute and by five minutes.
traffic() {
	ev-gen -s 1 -d 21d -r 0.3/s -u 1000000 --labels labels.ndjson "$@" |
	    grep -E '"event":"(signup|page_view)"' |
	    ev-window --tumble 1m --by event --agg count --fill-zero \
	    --group-ttl 1d >w1m.ndjson
	ev-window --tumble 5m --time-field start --by event \
	    --agg 'sum(count) as count' --fill-zero --group-ttl 1d \
	    <w1m.ndjson >w5m.ndjson
}

# measure: one report line per method and width, from the third day of
# the second week (the seasonal model's weekday offsets are learned) on.
measure() {
	local m w
	for m in seasonal auto; do
		for w in 1m 5m; do
			ev-detect -m "$m" --alerts <"w$w.ndjson" >"a-$m-$w.ndjson"
			python3 "$MEASURE" labels.ndjson "a-$m-$w.ndjson" signup \
			    2026-03-09T00:00:00Z 2026-03-23T00:00:00Z |
			    jq -c --arg m "$m" --arg w "$w" '{method: $m, width: $w} + .'
		done
	done >report.ndjson
	cat report.ndjson >&3
}

@test "ev-detect counts: an 80% drop of 12 signups an hour on 1m and 5m windows is found in about an hour" {
	traffic "${DROPS[@]}"
	[ "$(wc -l <labels.ndjson)" -eq 6 ]
	# The series is what the issue describes: 10 to 15 an hour that week.
	jq -s -e 'map(select(.event == "signup" and .start >= "2026-03-16")) |
	    (map(.count) | add) / 24 / 7 | . > 10 and . < 15' w1m.ndjson
	measure
	[ "$(wc -l <report.ndjson)" -eq 4 ]
	# At least 5 of 6 found, the median delay within 90 minutes (the
	# CUSUM's 58 to 77 at these rates, with room for the noise of five
	# drops), none after the drop's end.
	jq -s -e 'map(.delays | map(select(. != null)) |
	    length >= 5 and (sort | .[(length - 1) / 2 | floor]) <= 90 and
	    all(. >= 0 and . < 180)) | all' report.ndjson
	jq -s -e 'map(.false_per_week <= 1) | all' report.ndjson
}

@test "ev-detect counts: at most one false episode a week on the same traffic without the drops" {
	traffic
	[ ! -s labels.ndjson ]
	measure
	jq -s -e 'map(.weeks == 2 and .false_per_week <= 1) | all' report.ndjson
}
