#!/usr/bin/env bats
# ev-detect: explanations by nested series, dimension by dimension (issue 14
# W3), over windows of several grouping sets from one ev-window run.  Every
# explanation is also recomputed by tests/explain_ref.py from the records.

load helper

# events DROP: page_view events of tests/explain_events.py.
events() {
	python3 "$EVKIT_TOP/tests/explain_events.py" "$1"
}

# check_ref FILE [THRESHOLD]: ev-detect's explanations in the annotated
# FILE are those of the independent reference, and there is at least one.
check_ref() {
	run python3 "$EVKIT_TOP/tests/explain_ref.py" count "${2:-0.9999}" <"$1"
	assert_success
	[ "$output" -gt 0 ]
	ev-validate --assert-format \
	    --schema "$EVKIT_TOP/schemas/records/detected.json" <"$1" >/dev/null
}

@test "ev-detect: a total with two breakdowns names each dimension with its own share (W3)" {
	# android drops 90%, in the US and in DE alike.
	events platform=android |
	    ev-window --tumble 10m --by event --by 'event,context.platform as platform' \
	    --by 'event,context.country as country' --agg count >w.ndjson
	ev-detect --warmup 0 <w.ndjson >all.ndjson
	check_ref all.ndjson
	jq -c 'select(.anomaly.status == "firing" and .platform == null and .country == null)' all.ndjson >total.ndjson
	[ "$(wc -l <total.ndjson)" -eq 1 ]
	# Platform alone explains the drop: not half of it (the share of all
	# platform and country segments together).
	run jq -r '.anomaly.explain[0].platform, .anomaly.explain[0].share >= 0.8,
	    (.anomaly.explanation | length), .anomaly.explanation[0].dimension,
	    .anomaly.summary' total.ndjson
	assert_output "android
true
1
platform
page_view −43% vs expected 200±36; by platform: android 100%"
}

@test "ev-detect: a country=US alert is explained only by US segments, labels kept (W3)" {
	# android x US drops; platform x version series are not US segments.
	events platform=android,country=US |
	    ev-window --tumble 10m --by 'event,context.country as country' \
	    --by 'event,context.platform as platform,context.app_version as version' \
	    --by 'event,context.country as country,context.platform as platform' \
	    --agg count >w.ndjson
	ev-detect --warmup 0 <w.ndjson >all.ndjson
	check_ref all.ndjson
	run jq -c 'select(.anomaly.status == "firing" and .country == "US" and .platform == null) |
	    [.anomaly.explain, .anomaly.explanation[].elements[].element, .anomaly.summary]' all.ndjson
	assert_output '[[{"platform":"android","delta":-54,"share":1}],{"platform":"android"},"page_view US −43% vs expected 120±28; by platform: android 100%"]'
}

@test "ev-detect: shares of one dimension add up to at most 100% and every element is nested" {
	events platform=android,country=US |
	    ev-window --tumble 10m --cube 'event,context.platform as platform,context.country as country' \
	    --agg count >w.ndjson
	ev-detect --warmup 0 <w.ndjson >all.ndjson
	check_ref all.ndjson
	# Every element's labels are new to the alerted series.
	run jq -e -s '[.[] | select(.anomaly.explanation) as $r |
	    $r.anomaly.explanation[] | ((.elements | map(.share) | add) <= 1) and
	    all(.elements[].element | keys[]; . as $k | $r | has($k) | not)] |
	    length > 0 and all' all.ndjson
	assert_success
}

@test "ev-detect: a drop only in android x US names platform=android and country=US (issue 14 acceptance)" {
	events platform=android,country=US |
	    ev-window --tumble 10m --by event --by 'event,context.platform as platform' \
	    --by 'event,context.country as country' \
	    --by 'event,context.platform as platform,context.country as country' \
	    --agg count >w.ndjson
	# The total drops 24.5% (z -3.46): it fires at 0.999.
	ev-detect --warmup 0 -t 0.999 <w.ndjson >all.ndjson
	check_ref all.ndjson 0.999
	jq -c 'select(.anomaly.status == "firing" and .platform == null and .country == null)' all.ndjson >total.ndjson
	[ "$(wc -l <total.ndjson)" -eq 1 ]
	# Both named at 80% or more; nothing else above 20%.
	run jq -r '.anomaly.explanation[] | .elements[] |
	    (.element | to_entries[0] | "\(.key)=\(.value)") + " " +
	    (if .share >= 0.8 then "high" elif .share > 0.2 then "mid" else "low" end)' total.ndjson
	assert_line 'platform=android high'
	assert_line 'country=US high'
	refute_line --partial ' mid'
	refute_line --regexp '^(platform=(ios|web)|country=DE) high'
	[ "${#lines[@]}" -eq 2 ]
}

@test "ev-detect: ev-gen's android x US outage is pinned on US and on android (issue 14 acceptance)" {
	ev-gen -s 7 -r 40/s -d 2h --flat \
	    --anomaly 'outage:platform=android,country=US,at=+100m,for=20m' |
	    ev-window --tumble 10m --by event --by 'event,context.platform as platform' \
	    --by 'event,context.country as country' \
	    --by 'event,context.platform as platform,context.country as country' \
	    --fill-zero --group-ttl 1d --agg count >w.ndjson
	ev-detect --warmup 0 <w.ndjson >all.ndjson
	check_ref all.ndjson
	# The android alert by country, the US alert by platform: one element
	# each at 80% or more.
	run jq -r 'select(.event == "page_view" and .start == "2026-03-02T01:40:00Z" and
	    .anomaly.status == "firing" and ((.platform == "android") != (.country == "US"))) |
	    .anomaly.explanation[] | .dimension + " " +
	    (.elements | map((.element | to_entries[0].value) + " " +
	    (if .share >= 0.8 then "high" elif .share > 0.2 then "mid" else "low" end)) | join(","))' all.ndjson
	assert_output "country US high
platform android high"
}

@test "ev-detect: a segment with no nested series and a total moving evenly are not explained" {
	# Every platform and country drops alike: no segment stands out.
	python3 - <<'PY' >w.ndjson
import json
for w in range(12):
    k = 0.5 if w == 10 else 1.0
    st = "2026-03-02T%02d:%02d:00Z" % (w // 6, w % 6 * 10)
    en = "2026-03-02T%02d:%02d:00Z" % ((w + 1) // 6, (w + 1) % 6 * 10)
    segs = {"android": 100, "ios": 60, "web": 40}
    wob = w % 3 - 1
    tot = 0
    rows = []
    for p, n in segs.items():
        c = round(n * k) + wob
        tot += c
        rows.append({"start": st, "end": en, "event": "e", "platform": p,
                     "count": c, "final": True})
    print(json.dumps({"start": st, "end": en, "event": "e", "count": tot,
                      "final": True}))
    for r in rows:
        print(json.dumps(r))
PY
	# (One calm point resolves: the data ends one window after the drop.)
	ev-detect --warmup 0 --resolve-for 1 <w.ndjson >all.ndjson
	check_ref all.ndjson
	run jq -r 'select(.anomaly.status == "firing") | [.platform // "-", (.anomaly | has("explanation"))] | @tsv' all.ndjson
	# The total and its largest segment fire; neither is explained.
	assert_output "-	false
android	false"
}

@test "ev-detect: a platform x version alert is not put in the context of a country total" {
	# {event,country} is not the total of {event,platform,version}: same
	# number of columns less one, but country is not among them.
	events platform=android,country=US |
	    ev-window --tumble 10m --by 'event,context.country as country' \
	    --by 'event,context.platform as platform,context.app_version as version' \
	    --agg count >w.ndjson
	run jq -r 'select(.version) | .anomaly.summary' < <(ev-detect --warmup 0 -t 0.99 --alerts <w.ndjson)
	assert_output "page_view android 1 −54% vs expected 50±18
page_view android 2 −52% vs expected 50±18"
}

@test "ev-report: shows the explanation of a total over grouping sets" {
	events platform=android,country=US |
	    ev-window --tumble 10m --by event --by 'event,context.platform as platform' \
	    --by 'event,context.country as country' --agg count |
	    ev-detect --warmup 0 -t 0.999 >d.ndjson
	run ev-report --format json <d.ndjson
	assert_success
	run jq -c '.metrics[0].anomalies[] | select(.series == "event=page_view") |
	    [.explain[] | to_entries | map(select(.key != "delta" and .key != "share")) | from_entries]' <<<"$output"
	assert_output '[{"platform":"android"},{"country":"US"}]'
	run ev-report --format text <d.ndjson
	assert_output --partial 'page_view −24% vs expected 200±36; by platform: android 100%; by country: US 100%'
}
