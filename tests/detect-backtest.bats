#!/usr/bin/env bats
# ev-detect --backtest on ev-gen traffic (issue 7, item 8): three seeds of
# fifteen simulated days with daily and weekly seasonality, hourly windows by
# event x platform from ev-window and the per-event totals rolled up from
# them by a second ev-window (the same counts as windowing the events by
# event alone, in a fraction of the time), eight days of warm-up, then
# injected drops, a spike, a level shift and two segment outages (all of
# magnitude >= 30%), and one anomaly-free run.
#
# What is checked, with the issue's thresholds:
#   - F1 >= 0.9 on every seed: an episode is true when it fires on a series
#     the label affects (its segment or a total over it) between one window
#     before the label's start and two windows after its end;
#   - the right segment is named for >= 90% of the outages: the first
#     alert(s) about an outage must name it, either by being on the segment
#     itself (its total usually stays inside its band: one collapsed
#     platform is a quarter of the total or less) or by a total whose first
#     explanation is that segment; an outage not alerted on at all counts as
#     not named;
#   - at most one false episode per simulated week without anomalies.
#
# Rate.  EVKIT_BACKTEST_RATE (events/s) is 2 by default: a small product,
# about 170,000 events a day.  At 1 event/s the second outage, signup on
# ios for three hours on a Monday morning, takes a series of about 8 events
# an hour to 0, and even with its mean known exactly one empty hour has
# probability e^-8 = 3e-4, thirty times the 1e-5 that --threshold 0.99999
# asks for (the learned noise is wider still: a dispersion of about 1.5,
# since the baseline itself is estimated from a week).  Only the run of
# empty hours can carry it, through the CUSUM, which needs each hour near
# 3 sigma: in some seeds it falls short.  At 2 events/s the series has
# about 17 an hour.  Measured with this branch's seasonal model and the
# pipeline below (seeds 5-9 were looked at too while choosing between model
# variants, so they are a second sample, not a clean hold-out):
#   rate 2: F1 1, 1, 1 on seeds 1-3; outages named 6 of 6; anomaly-free
#           seed 4: 0 false episodes in 7 days.  Seeds 5-8: F1 1, 1, 1,
#           0.92 (two false episodes: purchase at 01:00, web page views on
#           the Saturday after the shift),
#           outages named 8 of 8; seed 9 anomaly-free: 0.
#   rate 1: F1 1, 1, 0.91 on seeds 1-3; outages named 5 of 6 (seed 3's ios
#           signup outage is not alerted on at all), so the outage
#           threshold fails; seed 4: 0 false.  Seeds 5-8: F1 1, 0.91, 0.91,
#           0.91, outages named 7 of 8; seed 9: 0 false.
#   Before this branch (rate 1): F1 0.80, 0.80, 0.85, 3 false episodes a
#   week on seed 4, outages named by a total 1 of 6; at rate 2: F1 0.94,
#   0.87, 0.76, 1 false a week.
#
# Runtime about 80 s on a 2-core machine (ev-gen | ev-window dominate);
# skipped under the ASan build (several minutes there; ev-detect's own
# suite runs under ASan) unless EVKIT_BACKTEST=1.

load helper

ANOMALIES=(
	--anomaly 'drop:event=page_view,platform=ios,at=+9d10h,for=3h,factor=0.5'
	--anomaly 'spike:event=signup,at=+10d14h,for=2h,factor=2.5'
	--anomaly 'shift:event=page_view,platform=web,at=+11d3h,for=12h,factor=1.4'
	--anomaly 'outage:event=page_view,platform=android,at=+12d8h,for=2h'
	--anomaly 'drop:event=purchase,at=+13d12h,for=3h,factor=0.4'
	--anomaly 'outage:event=signup,platform=ios,at=+14d10h,for=3h'
)
DETECT=(-m seasonal --by event,platform --warmup 192 --threshold 0.99999)

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

# traffic SEED OUT LABELS [ANOMALY OPTIONS...]: hourly windows by event x
# platform and by event, ordered by window start.
traffic() {
	local seed=$1 out=$2 labels=$3
	shift 3
	ev-gen -s "$seed" -d 15d -r "${EVKIT_BACKTEST_RATE:-2}/s" --labels "$labels" "$@" |
	    ev-window --tumble 1h --by 'event,context.platform as platform' \
	    --agg count --fill-zero --group-ttl 1d >seg.ndjson
	ev-window --tumble 1h --time-field start --by event \
	    --agg 'sum(count) as count' --fill-zero --group-ttl 1d \
	    <seg.ndjson >tot.ndjson
	sort -s -t'"' -k4,4 tot.ndjson seg.ndjson >"$out"
	rm -f seg.ndjson tot.ndjson
}

@test "ev-detect backtest: F1 >= 0.9 on anomalies >= 30%, right segment for outages, three seeds" {
	for seed in 1 2 3; do
		traffic "$seed" win.ndjson labels.ndjson "${ANOMALIES[@]}"
		ev-detect "${DETECT[@]}" --backtest --labels labels.ndjson <win.ndjson |
		    jq -c --arg s "$seed" '.backtest + {seed: ($s | tonumber)} | del(.per_label)' >>report.ndjson
	done
	# The figures, whatever the verdict.
	cat report.ndjson >&3
	[ "$(wc -l <report.ndjson)" -eq 3 ]
	jq -e -s 'map(.outages == 2 and .labels == 6) | all' report.ndjson
	jq -e -s 'map(.f1 >= 0.9) | all' report.ndjson
	jq -e -s '(map(.outage_named_right) | add) >= 0.9 * (map(.outages) | add)' report.ndjson
}

@test "ev-detect backtest: at most one false alert per simulated week without anomalies" {
	traffic 4 win.ndjson labels.ndjson
	ev-detect "${DETECT[@]}" --backtest --labels labels.ndjson <win.ndjson |
	    jq -c '.backtest | del(.per_label)' >report.ndjson
	cat report.ndjson >&3
	jq -e '.days >= 6.9 and .false_per_week <= 1' report.ndjson
}
