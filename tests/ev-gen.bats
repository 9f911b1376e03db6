#!/usr/bin/env bats
# ev-gen: deterministic synthetic events, noise, anomalies and labels.

load helper

CLASSIFY=$DATA/gen/classify.py

# count_where FILE JQ-FILTER: how many lines of FILE satisfy the filter.
count_where() {
	jq -c "select($2)" "$1" | wc -l
}

# hours_of FILE: "count hour" lines of the UTC hours of the events.
hours_of() {
	grep -o '"ts":"[^"]*' "$1" | cut -c18-19 | sort | uniq -c
}

# between X LO HI: LO <= X <= HI (decimals allowed), with a message.
between() {
	if ! awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'; then
		echo "expected $1 in [$2, $3]" >&2
		return 1
	fi
}

@test "ev-gen: --help prints usage on stdout and exits 0" {
	run --separate-stderr ev-gen --help
	assert_success
	assert_line --index 0 --partial "usage: ev-gen"
	assert_output --partial "--anomaly SPEC"
	assert_equal "$stderr" ""
}

@test "ev-gen: bad option values exit 2 before writing anything" {
	for args in "--rate 0" "--rate 5/d" "--count 0" "--count x" \
	    "--duration 0" "--duration soon" "--late-frac 1.5" "--dup-frac -1" \
	    "--bad-frac x" "--bad-kinds truncated,nope" "--funnel 0.1,0.2" \
	    "--funnel 0.1,2,0.3" "--tz Mars/Olympus" "--users 0" "--seed -1" \
	    "--start yesterday" "--zipf 11" "--late-max 0" "extra" \
	    "--follow --start 2026-03-02T00:00:00Z"; do
		run --separate-stderr ev-gen $args
		[ "$status" -eq 2 ] || fail "ev-gen $args exited $status"
		[ -z "$output" ] || fail "ev-gen $args wrote output"
		[[ "$stderr" == "ev-gen: "*"Try 'ev-gen --help'"* ]] ||
			fail "ev-gen $args stderr: $stderr"
	done
}

@test "ev-gen: a bad --anomaly spec exits 2 with a clear message" {
	check() {
		run --separate-stderr ev-gen --anomaly "$1"
		[ "$status" -eq 2 ] || fail "'$1' exited $status"
		[[ "$stderr" == *"bad --anomaly '$1': $2"* ]] ||
			fail "'$1' stderr: $stderr"
	}
	check 'dip:at=+1h,for=1h' "unknown kind 'dip'"
	check 'drop' "missing ':'"
	check 'drop:event=signin,at=+1h,for=1h' "unknown event 'signin'"
	check 'drop:platform=windows,at=+1h,for=1h' "unknown platform 'windows'"
	check 'drop:country=XX,at=+1h,for=1h' "unknown country 'XX'"
	check 'drop:at=+1h,for=1h,color=red' "unknown key 'color'"
	check 'drop:for=1h' "missing at="
	check 'drop:at=+1h' "missing for="
	check 'drop:at=tomorrow,for=1h' "bad time 'tomorrow'"
	check 'drop:at=+1h,for=1h,factor=2' "a drop needs factor < 1"
	check 'spike:at=+1h,for=1h,factor=0.5' "a spike needs factor > 1"
	check 'shift:at=+1h,factor=1' "a shift needs factor != 1"
	check 'outage:at=+1h,for=1h' "an outage needs a segment"
	check 'outage:plan=pro,at=+1h,for=1h,factor=0.5' "an outage has factor 0"
	check 'drop:plan=pro,plan=team,at=+1h,for=1h' "'plan' given twice"
	check 'drop:at=+1h,for=1h,factor' "expected key=value"
}

@test "ev-gen: events have the documented shape and key order" {
	ev-gen --count 2000 --seed 3 > ev.ndjson
	[ "$(wc -l < ev.ndjson)" -eq 2000 ]
	run jq -e -s 'all(.[]; (keys_unsorted == ["event_id","event","ts",
	    "user_id","session_id","version","properties","context"])
	    and (.event_id | test("^e-[0-9a-f]{16}$"))
	    and (.session_id | test("^s-[0-9a-f]{16}$"))
	    and (.user_id | test("^u[0-9]+$"))
	    and (.ts | test("^2026-03-0[2-9]T[0-9:]{8}\\.[0-9]{3}Z$"))
	    and .version == "1-0-0"
	    and (.context | (keys_unsorted[0:6] == ["platform","country",
	        "app_version","plan","ip","user_agent"])
	        and (.page_url | startswith("https://shop.example.com/"))))' ev.ndjson
	assert_success
	# Unique ids and non-decreasing time without late events.
	run jq -e -s '(map(.event_id) | unique | length) == length and
	    (map(.ts) | . == sort)' ev.ndjson
	assert_success
}

@test "ev-gen: properties and context look real" {
	ev-gen --count 10000 --rate 20 --seed 5 > ev.ndjson
	run jq -e -s '
	    (map(select(.event == "purchase")) | length > 0 and all(.[];
	        (.properties | keys_unsorted == ["amount","currency","sku"])
	        and (.properties.amount | type == "number" and . > 0)
	        and (.properties.currency | test("^[A-Z]{3}$"))))
	    and (map(select(.event == "signup")) | length > 0 and
	        all(.[]; .properties.method | IN("email","google","apple","github")))
	    and (map(select(.event == "page_view")) | all(.[]; .properties.path | startswith("/")))
	    and any(.[]; .context.page_url | test("[?&]utm_source=[a-z]+&utm_medium="))
	    and any(.[]; .context.page_url | test("[?&]gclid=Cj0KCQiA"))
	    and any(.[]; .context.referrer // "" | startswith("https://www.google."))
	    and any(.[]; .context.referrer // "" | startswith("https://shop.example.com/"))
	    and any(.[]; has("context") and (.context | has("referrer") | not))
	    and any(.[]; .context.ip | test("^(192\\.0\\.2|198\\.51\\.100|203\\.0\\.113)\\."))
	    and any(.[]; .context.ip | startswith("2001:db8:"))
	    and any(.[]; .context.ip | test("^(81\\.2\\.69|216\\.160\\.83|149\\.101\\.100|89\\.160\\.20)\\."))
	    and any(.[]; .context.user_agent | test("Googlebot|bingbot|AhrefsBot|YandexBot"))
	    and any(.[]; .context.user_agent | test("^ShopApp/3\\.[0-9.]+ \\(iP"))
	    and any(.[]; .context.user_agent | test("Android 1[34]"))
	    and (map(.context.platform) | unique == ["android","ios","web"])
	    and (map(.context.plan) | unique == ["free","pro","team"])' ev.ndjson
	assert_success
	# App user agents carry the user's app version.
	run jq -c 'select(.context.user_agent | test("ShopApp/")) |
	    .context.app_version as $v |
	    select(.context.user_agent | contains("ShopApp/" + $v) | not)' ev.ndjson
	assert_success
	assert_output ""
}

@test "ev-gen: the same seed and options give the same bytes" {
	opts="--count 5000 --rate 3 --late-frac 0.05 --dup-frac 0.05 --bad-frac 0.05"
	opts="$opts --anomaly spike:event=page_view,country=DE,at=+10m,for=20m,factor=3"
	ev-gen --seed 42 $opts > a.ndjson
	ev-gen --seed 42 $opts > b.ndjson
	cmp a.ndjson b.ndjson
	ev-gen --seed 43 $opts > c.ndjson
	run cmp -s a.ndjson c.ndjson
	assert_failure
	# The default seed is fixed too.
	ev-gen --count 100 > d.ndjson
	ev-gen --count 100 --seed 1 > e.ndjson
	cmp d.ndjson e.ndjson
}

@test "ev-gen: --count gives exactly N events, --duration bounds the time" {
	run --separate-stderr ev-gen --count 1234
	assert_success
	[ "${#lines[@]}" -eq 1234 ]
	ev-gen --duration 2h --rate 0.5 --start 2026-03-05T10:00:00Z > ev.ndjson
	run jq -e -s 'length > 2000 and all(.[]; .ts >= "2026-03-05T10:00:00" and
	    .ts < "2026-03-05T12:00:00")' ev.ndjson
	assert_success
	# Whichever comes first: the count here.
	run --separate-stderr ev-gen --duration 1d --count 10
	[ "${#lines[@]}" -eq 10 ]
}

@test "ev-gen: --rate is the mean events per second" {
	ev-gen --duration 1d --rate 1 --flat --summary s.json > /dev/null
	between "$(jq .events s.json)" 82000 91000
	ev-gen --duration 1h --rate 600/m --flat --summary s.json > /dev/null
	between "$(jq .events s.json)" 34000 39000
	# A week with seasonality averages to the rate too.
	ev-gen --duration 7d --rate 0.1 --summary s.json > /dev/null
	between "$(jq .events s.json)" 57000 64000
}

@test "ev-gen: stats report out only and balance; summary matches the output" {
	ev-gen --count 3000 --dup-frac 0.1 --bad-frac 0.1 --late-frac 0.1 \
	    --stats st.json --summary s.json > ev.ndjson
	assert_balanced st.json
	[ "$(stat_of st.json in)" -eq 0 ]
	[ "$(stat_of st.json tool)" = ev-gen ]
	lines=$(wc -l < ev.ndjson)
	[ "$(stat_of st.json out)" -eq "$lines" ]
	[ "$(jq .lines s.json)" -eq "$lines" ]
	run jq -e '.lines == .events + .dup + .bad and
	    .bad == (.bad_kinds | add) and
	    .events == (.by_event | add)' s.json
	assert_success
	run jq -e --slurpfile s s.json '.generated == $s[0]' st.json
	assert_success
}

@test "ev-gen: late, duplicate and bad lines are present and counted exactly" {
	ev-gen --count 20000 --rate 10 --late-frac 0.04 --late-max 2m \
	    --dup-frac 0.02 --bad-frac 0.03 --summary s.json > ev.ndjson
	python3 "$CLASSIFY" < ev.ndjson > c.json
	cat s.json c.json
	run jq -e -n --slurpfile s s.json --slurpfile c c.json '
	    $s[0] as $s | $c[0] as $c |
	    $c.events == $s.events and $c.dup == $s.dup and
	    $c.truncated == $s.bad_kinds.truncated and
	    $c.type == $s.bad_kinds.type and
	    $c.missing == $s.bad_kinds.missing and
	    $c.utf8 == $s.bad_kinds.utf8 and
	    $c.long == $s.bad_kinds.long and
	    $c.lines == $s.lines and $c.behind10s > 0 and
	    $s.events == 20000'
	assert_success
	# The fractions are what was asked for, within sampling error.
	between "$(jq '.late / .events' s.json)" 0.035 0.045
	between "$(jq '.dup / .events' s.json)" 0.016 0.024
	between "$(jq '.bad / .events' s.json)" 0.026 0.034
	for k in truncated type missing utf8; do
		[ "$(jq ".bad_kinds.$k" s.json)" -gt 40 ] || fail "few $k lines"
	done
}

@test "ev-gen: without --late-frac nothing is more than a retry behind" {
	ev-gen --count 10000 --rate 10 --dup-frac 0.05 > ev.ndjson
	run python3 "$CLASSIFY" < ev.ndjson
	assert_success
	run jq -e '.behind10s == 0 and .dup > 0' <<< "$output"
	assert_success
}

@test "ev-gen: --bad-kinds selects kinds; long lines exceed 1 MiB" {
	ev-gen --count 200 --bad-frac 0.02 --bad-kinds long --summary s.json > ev.ndjson
	n=$(jq .bad_kinds.long s.json)
	[ "$n" -gt 0 ]
	[ "$(jq .bad s.json)" -eq "$n" ]
	[ "$(awk 'length($0) > 1048576' ev.ndjson | wc -l)" -eq "$n" ]
	ev-gen --count 2000 --bad-frac 0.1 --bad-kinds utf8,missing --summary s.json > ev.ndjson
	run jq -e '.bad_kinds.truncated == 0 and .bad_kinds.type == 0 and
	    .bad_kinds.long == 0 and .bad_kinds.utf8 > 0 and
	    .bad_kinds.missing > 0' s.json
	assert_success
}

@test "ev-gen: noise leaves the well-formed events unchanged" {
	ev-gen --count 5000 --seed 9 > clean.ndjson
	ev-gen --count 5000 --seed 9 --late-frac 0.1 --dup-frac 0.1 \
	    --bad-frac 0.1 > noisy.ndjson
	# The well-formed, first-seen lines of the noisy run, in time order.
	LC_ALL=C grep -a '"event_id":"e-' noisy.ndjson | python3 -c '
import json, sys
seen = set()
out = []
for raw in sys.stdin.buffer:
    try:
        o = json.loads(raw.decode("utf-8"))
    except ValueError:
        continue
    if not isinstance(o, dict) or not isinstance(o.get("ts"), str) or \
       not o["ts"].startswith("2026") or \
       not isinstance(o.get("user_id"), str) or \
       not all(k in o for k in ("event_id", "event")) or \
       isinstance(o.get("properties", {}).get("amount"), str) or \
       o["event_id"] in seen:
        continue
    seen.add(o["event_id"])
    out.append(raw.decode())
sys.stdout.write("".join(sorted(out)))' > noisy.sorted
	sort clean.ndjson > clean.sorted
	cmp clean.sorted noisy.sorted
}

@test "ev-gen: the funnel is in order for every user" {
	ev-gen --count 8000 --rate 20 --users 1000 --funnel 0.3,0.6,0.3 > ev.ndjson
	run jq -e -s '
	    [to_entries[] | .value + {i: .key}] | group_by(.user_id) |
	    all(.[]; sort_by(.i) | map(.event) as $e |
	        ($e | index("page_view")) as $v |
	        ($e | index("signup")) as $s |
	        ($e | index("activation")) as $a |
	        ($e | index("purchase")) as $p |
	        ($s == null or ($v != null and $v < $s)) and
	        ($a == null or ($s != null and $s < $a)) and
	        ($p == null or ($a != null and $a < $p)) and
	        ([$e[] | select(. == "signup")] | length <= 1) and
	        ([$e[] | select(. == "activation")] | length <= 1))' ev.ndjson
	assert_success
	# The funnel narrows: more views than signups, signups than activations.
	run jq -e -s 'group_by(.event) | map({(.[0].event): length}) | add |
	    .page_view > .signup and .signup >= .activation and
	    .activation > 0 and .purchase > 0' ev.ndjson
	assert_success
}

@test "ev-gen: sessions hold several events of one user" {
	ev-gen --count 5000 > ev.ndjson
	run jq -e -s 'group_by(.session_id) |
	    (all(.[]; map(.user_id) | unique | length == 1)) and
	    (length < 2500) and (map(length) | max > 3)' ev.ndjson
	assert_success
}

@test "ev-gen: daily and weekly seasonality are visible, in --tz local time" {
	ev-gen --duration 7d --rate 0.1 > ev.ndjson
	hours_of ev.ndjson > hours
	night=$(awk '$2 == "04" { print $1 }' hours)
	peak=$(awk '$2 == "20" { print $1 }' hours)
	echo "04h $night, 20h $peak"
	[ "$((night * 4))" -lt "$peak" ]
	# Weekend dip: 2026-03-07 is a Saturday, 2026-03-04 a Wednesday.
	sat=$(grep -c '"ts":"2026-03-07' ev.ndjson)
	wed=$(grep -c '"ts":"2026-03-04' ev.ndjson)
	echo "sat $sat, wed $wed"
	[ "$((sat * 10))" -lt "$((wed * 9))" ]
	# Tokyo is UTC+9: the local 20h peak is 11h UTC, the night is 19h UTC.
	ev-gen --duration 2d --rate 0.2 --tz Asia/Tokyo > tokyo.ndjson
	hours_of tokyo.ndjson > hours
	night=$(awk '$2 == "19" { print $1 }' hours)
	peak=$(awk '$2 == "11" { print $1 }' hours)
	echo "tokyo: 19h UTC $night, 11h UTC $peak"
	[ "$((night * 4))" -lt "$peak" ]
	# --flat: no dip.
	ev-gen --duration 1d --rate 0.5 --flat > flat.ndjson
	hours_of flat.ndjson > hours
	night=$(awk '$2 == "04" { print $1 }' hours)
	peak=$(awk '$2 == "20" { print $1 }' hours)
	echo "flat: 04h $night, 20h $peak"
	between "$night" "$((peak * 7 / 10))" "$((peak * 13 / 10))"
}

@test "ev-gen: segment shares are as documented" {
	ev-gen --count 40000 --rate 10 > ev.ndjson
	share() {
		awk -v n="$(grep -c "$1" ev.ndjson)" 'BEGIN { print n / 40000 }'
	}
	between "$(share '"platform":"web"')" 0.40 0.60
	between "$(share '"platform":"android"')" 0.14 0.30
	between "$(share '"country":"US"')" 0.20 0.36
	between "$(share '"plan":"free"')" 0.62 0.82
	between "$(share '"app_version":"3.2.1"')" 0.35 0.55
}

@test "ev-gen: a drop takes exactly its segment's events out of its window" {
	base="--duration 1h --rate 2 --seed 11 --flat"
	ev-gen $base > without.ndjson
	ev-gen $base --anomaly 'drop:event=page_view,platform=android,at=2026-03-02T00:20Z,for=30m,factor=0.1' \
	    --summary s.json > with.ndjson
	# Every removed line is an android page view inside the window, and
	# nothing was added or changed.
	diff without.ndjson with.ndjson > d || true
	[ "$(grep -c '^>' d)" -eq 0 ]
	removed=$(grep -c '^<' d)
	[ "$removed" -eq "$(jq .anomaly_dropped s.json)" ]
	run jq -e -s -R 'split("\n") | map(select(startswith("< ")) | .[2:] | fromjson) |
	    all(.[]; .event == "page_view" and .context.platform == "android" and
	        .ts >= "2026-03-02T00:20:00" and .ts < "2026-03-02T00:50:00")' d
	assert_success
	# About 90% of the segment's events in the window are gone.
	in_window='.event == "page_view" and .context.platform == "android" and .ts >= "2026-03-02T00:20:00" and .ts < "2026-03-02T00:50:00"'
	a=$(count_where without.ndjson "$in_window")
	b=$(count_where with.ndjson "$in_window")
	echo "without $a, with $b"
	[ "$a" -gt 100 ]
	between "$b" "$((a * 4 / 100))" "$((a * 16 / 100))"
}

@test "ev-gen: a drop of signups reduces signups of that segment in its window" {
	base="--duration 2h --rate 3 --seed 4 --flat --funnel 0.5,0.5,0.1"
	spec='drop:event=signup,platform=android,at=2026-03-02T00:30Z,for=1h,factor=0.1'
	ev-gen $base > without.ndjson
	ev-gen $base --anomaly "$spec" > with.ndjson
	w='.event == "signup" and .context.platform == "android" and .ts >= "2026-03-02T00:30:00" and .ts < "2026-03-02T01:30:00"'
	a=$(count_where without.ndjson "$w")
	b=$(count_where with.ndjson "$w")
	echo "android signups without $a, with $b"
	[ "$a" -gt 50 ]
	[ "$((b * 4))" -lt "$a" ]
	# Before the window nothing differs.
	cmp <(jq -c 'select(.ts < "2026-03-02T00:30:00")' without.ndjson) \
	    <(jq -c 'select(.ts < "2026-03-02T00:30:00")' with.ndjson)
}

@test "ev-gen: spike, shift and outage change their segment as asked" {
	base="--duration 90m --rate 2 --seed 8 --flat"
	ev-gen $base > without.ndjson
	ev-gen $base --summary s.json \
	    --anomaly 'spike:event=page_view,country=DE,at=+10m,for=20m,factor=4' \
	    --anomaly 'outage:platform=ios,at=+40m,for=10m' \
	    --anomaly 'shift:plan=pro,at=+60m,factor=0.5' > with.ndjson
	spike='.event == "page_view" and .context.country == "DE" and .ts >= "2026-03-02T00:10:00" and .ts < "2026-03-02T00:30:00"'
	a=$(count_where without.ndjson "$spike")
	b=$(count_where with.ndjson "$spike")
	echo "spike: without $a, with $b"
	between "$b" "$((a * 3))" "$((a * 5))"
	outage='.context.platform == "ios" and .ts >= "2026-03-02T00:40:00" and .ts < "2026-03-02T00:50:00"'
	[ "$(count_where without.ndjson "$outage")" -gt 100 ]
	[ "$(count_where with.ndjson "$outage")" -eq 0 ]
	shift='.context.plan == "pro" and .ts >= "2026-03-02T01:00:00"'
	a=$(count_where without.ndjson "$shift")
	b=$(count_where with.ndjson "$shift")
	echo "shift: without $a, with $b"
	between "$b" "$((a * 3 / 10))" "$((a * 7 / 10))"
	# Spike events are new events (own ids), counted as added.
	run jq -e '.anomaly_added > 0 and .anomaly_dropped > 0' s.json
	assert_success
	run jq -e -s 'map(.event_id) | unique | length == (. | length)' with.ndjson
	assert_success
}

@test "ev-gen: --labels writes the ground truth of each anomaly" {
	ev-gen --duration 2d --rate 0.01 --labels labels.ndjson \
	    --anomaly 'drop:event=signup,platform=android,at=2026-03-02T10:00Z,for=30m,factor=0.1' \
	    --anomaly 'spike:country=DE,plan=pro,at=+1d2h,for=1h,factor=2.5' \
	    --anomaly 'shift:app_version=3.0.9,at=2026-03-03T06:00:00+01:00,factor=0.5' \
	    --anomaly 'outage:event=purchase,platform=ios,at=+36h,for=15m' > /dev/null
	cat > expected <<'EOF'
{"id":1,"kind":"drop","event":"signup","filters":{"platform":"android"},"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:30:00Z","factor":0.1}
{"id":2,"kind":"spike","event":null,"filters":{"country":"DE","plan":"pro"},"start":"2026-03-03T02:00:00Z","end":"2026-03-03T03:00:00Z","factor":2.5}
{"id":3,"kind":"shift","event":null,"filters":{"app_version":"3.0.9"},"start":"2026-03-03T05:00:00Z","end":"2026-03-04T00:00:00Z","factor":0.5}
{"id":4,"kind":"outage","event":"purchase","filters":{"platform":"ios"},"start":"2026-03-03T12:00:00Z","end":"2026-03-03T12:15:00Z","factor":0}
EOF
	diff expected labels.ndjson
	# Without anomalies the file is empty.
	ev-gen --count 10 --labels none.ndjson > /dev/null
	[ -f none.ndjson ] && [ ! -s none.ndjson ]
}

@test "ev-gen: an unwritable labels or summary file exits 2 before output" {
	run --separate-stderr ev-gen --count 10 --labels /nonexistent/dir/l
	assert_failure 2
	assert_output ""
	assert_equal "$stderr" "ev-gen: cannot open labels file '/nonexistent/dir/l': No such file or directory"
	run --separate-stderr ev-gen --count 10 --summary /nonexistent/dir/s
	assert_failure 2
}

@test "ev-gen: -v prints the summary line on stderr" {
	run --separate-stderr ev-gen --count 100 --dup-frac 0.5 -v
	assert_success
	[ "${#lines[@]}" -gt 100 ]
	[[ "$stderr" == "ev-gen: 100 events in "*" lines (page_view "*"; late 0, dup "*", bad 0 (truncated 0, type 0, missing 0, utf8 0, long 0); anomalies dropped 0, added 0" ]]
}

@test "ev-gen: writing to /dev/full exits 3" {
	run bash -c 'ev-gen --count 100000 > /dev/full'
	assert_failure 3
	assert_output --partial "write error"
}

@test "ev-gen: --follow | head -3 returns promptly with current timestamps" {
	run timeout 30 bash -c 'ev-gen --follow --rate 20 | head -3'
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	year=$(date -u +%Y)
	for l in "${lines[@]}"; do
		[[ "$(jq -r .ts <<< "$l")" == "$year-"* ]] || fail "old ts: $l"
	done
}

@test "ev-gen: --follow --count stops by itself at the rate asked" {
	start=$(date +%s)
	run --separate-stderr timeout 60 ev-gen --follow --rate 100 --count 150 --stats st.json
	assert_success
	[ "${#lines[@]}" -eq 150 ]
	[ "$(stat_of st.json out)" -eq 150 ]
	# 150 events at 100/s take about a second and a half, never none.
	[ "$(( $(date +%s) - start ))" -ge 1 ]
}

@test "ev-gen: --follow stops cleanly on SIGTERM" {
	ev-gen --follow --rate 50 --summary s.json > out.ndjson &
	pid=$!
	# Wait (generously) for some output before stopping it.
	for _ in $(seq 100); do
		[ -s out.ndjson ] && break
		sleep 0.1
	done
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 0 ]
	[ "$(jq .lines s.json)" -eq "$(wc -l < out.ndjson)" ]
}

@test "ev-gen: events validate against the schema registry; bad lines do not" {
	command -v ev-validate > /dev/null || skip "ev-validate is not built"
	ev-gen --count 5000 --rate 10 --bad-frac 0.05 \
	    --bad-kinds truncated,type,missing,utf8 --summary s.json > ev.ndjson
	st=0
	ev-validate -r "$EVKIT_TOP/schemas/registry" --stats st.json \
	    --rejects rej.ndjson < ev.ndjson > valid.ndjson || st=$?
	[ "$st" -eq 1 ]
	[ "$(stat_of st.json passed)" -eq "$(jq .events s.json)" ]
	[ "$(stat_of st.json rejected)" -eq "$(jq .bad s.json)" ]
	# Good events pass unchanged.
	cmp valid.ndjson <(ev-gen --count 5000 --rate 10)
	# Every record schema of the generic event accepts them.
	run ev-validate -s "$EVKIT_TOP/schemas/records/event.json" < valid.ndjson
	assert_success
}

@test "ev-gen: every EXAMPLES pipeline in the man page runs" {
	command -v ev-validate > /dev/null || skip "ev-validate is not built"
	ln -s "$EVKIT_TOP/schemas" schemas
	awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh / { on = 0 }
	    on && /^\.Bd -literal/ { ex = 1; n++; next }
	    on && /^\.Ed/ { ex = 0; next }
	    ex { gsub(/\\e/, "\\"); print > ("example" n ".sh") }' \
	    "$EVKIT_TOP/man/ev-gen.1"
	[ -f example4.sh ]
	for f in example*.sh; do
		run bash -e -o pipefail "$f"
		[ "$status" -eq 0 ] || fail "$f failed ($status): $(cat "$f") $output"
	done
	[ -s events.ndjson ] && [ -s labels.ndjson ] && [ -s valid.ndjson ]
	[ "$(wc -l < labels.ndjson)" -eq 2 ]
}
