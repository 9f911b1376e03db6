#!/usr/bin/env bats
# ev-detect --backtest on ev-gen traffic (issue 7, item 8): three seeds of
# fifteen simulated days with daily and weekly seasonality, hourly windows by
# event and by event x platform from ev-window, eight days of warm-up, then
# injected drops, a spike, a level shift and two segment outages (all of
# magnitude >= 30%), and one anomaly-free run.
#
# Opt-in (EVKIT_BACKTEST=1) because it generates about 1.3 million events
# per seed and windows them twice: minutes, not seconds, on a loaded 2-core
# machine.  Requires ev-gen and ev-window next to ev-detect.
# EVKIT_BACKTEST_RATE (events/s, default 1) changes the volume; more traffic
# means less relative noise per hourly window.
#
# Status when written (rate 1/s; -m seasonal, threshold 0.99999), the
# thresholds of issue 7 are NOT met; the assertions are the issue's own:
#   F1 0.74, 0.85, 0.73 on seeds 1-3 (precision 0.80-0.88, recall 0.67-0.83;
#   missed: the signup spike twice, the purchase drop three times: hourly
#   signup/purchase counts of 20-50 vary by 30-40% on ev-gen traffic);
#   anomaly-free: 1 false alert in 7 scored days (meets <= 1 per week);
#   outages: 0 of 6 totals alerted, so no segment was named (the segment
#   itself alerts every time).  Threshold 0.9999 gives F1 0.80, 0.74, 0.84
#   but 6 false alerts per week.

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
	[ "${EVKIT_BACKTEST:-0}" = 1 ] ||
	    skip "set EVKIT_BACKTEST=1 to run the backtest (minutes)"
	for p in ev-gen ev-window; do
		[ -x "$EVKIT_BIN/$p" ] || skip "$p is not built in $EVKIT_BIN"
	done
}

# traffic SEED OUT LABELS [ANOMALY OPTIONS...]: hourly windows of both
# groupings, ordered by window start.
traffic() {
	local seed=$1 out=$2 labels=$3
	shift 3
	ev-gen -s "$seed" -d 15d -r "${EVKIT_BACKTEST_RATE:-1}/s" --labels "$labels" "$@" >ev.ndjson
	ev-window --tumble 1h --by event --agg count --fill-zero --group-ttl 1d <ev.ndjson >w1.ndjson
	ev-window --tumble 1h --by 'event,context.platform as platform' --agg count \
	    --fill-zero --group-ttl 1d <ev.ndjson >w2.ndjson
	sort -s -t'"' -k4,4 w1.ndjson w2.ndjson >"$out"
	rm -f ev.ndjson w1.ndjson w2.ndjson
}

@test "ev-detect backtest: F1 >= 0.9 on anomalies >= 30%, right segment for outages, three seeds" {
	for seed in 1 2 3; do
		traffic "$seed" win.ndjson labels.ndjson "${ANOMALIES[@]}"
		ev-detect "${DETECT[@]}" --backtest --labels labels.ndjson <win.ndjson |
		    jq -c --arg s "$seed" '.backtest + {seed: ($s | tonumber)} | del(.per_label)' >>report.ndjson
	done
	# The figures, whatever the verdict.
	cat report.ndjson >&3
	jq -e -s 'map(.f1 >= 0.9) | all' report.ndjson
	jq -e -s '(map(.outage_top_segment_right) | add) >= 0.9 * (map(.outages) | add)' report.ndjson
}

@test "ev-detect backtest: at most one false alert per simulated week without anomalies" {
	traffic 4 win.ndjson labels.ndjson
	ev-detect "${DETECT[@]}" --backtest --labels labels.ndjson <win.ndjson |
	    jq -c '.backtest | del(.per_label)' >report.ndjson
	cat report.ndjson >&3
	jq -e '.days >= 6.9 and .false_per_week <= 1' report.ndjson
}
