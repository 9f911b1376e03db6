#!/usr/bin/env bats
# The whole pipeline on generated data: ev-gen | ev-validate | ev-enrich |
# ev-window | ev-detect | ev-report.  Every stage's counts balance, no event
# is lost between stages, each stage's output is valid against evkit's
# record schemas, and the injected drop is found inside its window.

load helper

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	cd "$P" || return 1
	ev-gen --seed 3 --duration 3d --rate 1 --late-frac 0.01 \
	    --dup-frac 0.005 --bad-frac 0.002 --summary gen.json \
	    --labels labels.ndjson \
	    --anomaly 'drop:event=page_view,platform=android,at=2026-03-04T15:00Z,for=2h,factor=0.2' \
	    > events.ndjson
	ev-validate --registry "$EVKIT_TOP/schemas/registry" \
	    --dedupe event_id --dedupe-window 1h --max-reject-rate 0.01 \
	    --rejects v.rejects --stats v.json < events.ndjson > valid.ndjson
	echo $? > v.rc
	ev-enrich --calendar --tz Europe/Berlin --campaign --stats e.json --rejects e.rejects \
	    < valid.ndjson > enriched.ndjson
	echo $? > e.rc
	ev-window --tumble 10m --by 'event,context.platform as platform' \
	    --agg count --lateness 10m --late w.late --stats w.json \
	    < enriched.ndjson > w-seg.ndjson
	echo $? > w.rc
	ev-window --tumble 10m --by event --agg count --lateness 10m \
	    --late w2.late --stats w2.json < enriched.ndjson > w-total.ndjson
	jq -sc 'sort_by(.start, (.platform // ""))[]' w-total.ndjson \
	    w-seg.ndjson > windows.ndjson
	ev-detect -m seasonal --by event,platform --stats d.json \
	    < windows.ndjson > detected.ndjson
	echo $? > d.rc
	ev-report --format markdown --stage-stats v.json --stage-stats w.json \
	    --stats r.json < detected.ndjson > report.md
	echo $? > r.rc
}

@test "pipeline: every stage exits 0" {
	for s in v e w d r; do
		assert_equal "$s:$(cat "$P/$s.rc")" "$s:0"
	done
}

@test "pipeline: every stage's counts balance" {
	for s in v e w w2 d r; do
		assert_balanced "$P/$s.json"
	done
}

@test "pipeline: no event is lost between stages" {
	cd "$P"
	# Every generated line reaches ev-validate, and each ends once.
	assert_equal "$(stat_of v.json in)" "$(jq .lines gen.json)"
	assert_equal "$(stat_of v.json rejected)" "$(jq .bad gen.json)"
	assert_equal "$(stat_of v.json duplicate)" "$(jq .dup gen.json)"
	assert_equal "$(stat_of v.json passed)" "$(jq .events gen.json)"
	# The reject stream holds the malformed lines and the repeats.
	assert_equal "$(jq -r 'select(.reason != "duplicate").line' v.rejects | wc -l)" "$(jq .bad gen.json)"
	assert_equal "$(jq -r 'select(.reason == "duplicate").line' v.rejects | wc -l)" "$(jq .dup gen.json)"
	# Validated events are enriched and windowed, none dropped.
	assert_equal "$(stat_of e.json in)" "$(stat_of v.json passed)"
	assert_equal "$(stat_of e.json passed)" "$(stat_of e.json in)"
	assert_equal "$(stat_of w.json in)" "$(stat_of e.json passed)"
	# What ev-window aggregated is what its windows count.
	assert_equal "$(jq -s 'map(.count)|add' w-seg.ndjson)" "$(stat_of w.json aggregated)"
	assert_equal "$(( $(stat_of w.json aggregated) + $(stat_of w.json late) ))" "$(stat_of w.json in)"
	assert_equal "$(wc -l < w-seg.ndjson)" "$(stat_of w.json out)"
	# ev-detect annotates every window it reads.
	assert_equal "$(stat_of d.json in)" "$(wc -l < windows.ndjson)"
	assert_equal "$(stat_of d.json out)" "$(wc -l < detected.ndjson)"
}

@test "pipeline: each stage's output is valid against evkit's record schemas" {
	cd "$P"
	# The valid lines go to /dev/null, not into bash: bats' run captures
	# the command's standard output whatever the redirection after it,
	# and ~150 MB in a shell variable took most of this suite's time.  The
	# rejects say what failed.
	local rc
	for rec in event:enriched window:windows detected:detected; do
		rc=0
		ev-validate --schema "$EVKIT_TOP/schemas/records/${rec%%:*}.json" \
		    --rejects "${rec%%:*}.rej" --stats "${rec%%:*}.st" \
		    < "${rec#*:}.ndjson" > /dev/null || rc=$?
		assert_equal "${rec%%:*}:$rc" "${rec%%:*}:0"
		assert_equal "$(stat_of "${rec%%:*}.st" in)" "$(wc -l < "${rec#*:}.ndjson")"
		assert_equal "$(stat_of "${rec%%:*}.st" rejected)" 0
	done
}

@test "pipeline: the injected drop is detected inside its window" {
	cd "$P"
	run jq -r 'select(.event=="page_view" and .platform=="android"
	    and .anomaly.status=="firing" and .anomaly.direction=="down")
	    | .start' detected.ndjson
	assert_success
	# The label says 15:00 to 17:00; an alert must start inside it.
	echo "$output" | grep -q '^2026-03-04T1[56]:' ||
		fail "no firing alert inside the drop: $output"
}

@test "pipeline: the report names the anomaly" {
	cd "$P"
	grep -q 'page_view' report.md
	grep -q 'android' report.md
}

@test "pipeline: a log cut mid-hour gives no alert and no change figure on its last hour (W1)" {
	# Two steady days of 30 events an hour, then a log cut at 10:19 on the
	# third: the 10:00 window holds a third of an hour's events.  It must
	# reach ev-detect as not final (unscored, no alert) and ev-report as a
	# partial period outside the change.
	python3 - > cut.ndjson <<'PY'
for d in (2, 3, 4):
    for h in range(24):
        if d == 4 and h > 10:
            break
        for i in range(30):
            m, s = divmod(i * 120, 60)
            if d == 4 and h == 10 and m >= 19:
                break
            print('{"ts":"2026-03-%02dT%02d:%02d:%02dZ","event":"a"}' % (d, h, m, s))
PY
	ev-window --tumble 1h --by event < cut.ndjson > cut.windows
	run jq -c 'select(.start == "2026-03-04T10:00:00Z") | [.count, .final]' cut.windows
	assert_output '[10,false]'
	ev-detect --time start --value count --by event < cut.windows > cut.detected
	run jq -r 'select(.start == "2026-03-04T10:00:00Z") | .anomaly.reason' cut.detected
	assert_output not_final
	run ev-detect --time start --value count --by event --alerts < cut.windows
	refute_output --partial '"start":"2026-03-04T10:00:00Z"'
	ev-report -f json --last 1d < cut.windows > cut.model
	run jq -c '.partial' cut.model
	assert_output '["2026-03-04T10:00:00Z"]'
}
