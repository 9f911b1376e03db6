#!/usr/bin/env bats
# ev-window: event-time windows, watermark and lateness, aggregates and
# sketches, state, partial results and merge.

load helper

W=$DATA/window
KEYS='event,context.platform as platform'
AGGS='count,sum(properties.amount) as revenue,approx_distinct(user_id) as users'

# gen_events N SEED: N random events, about one a second from
# 2026-03-02T10:00:00Z, up to 20 s out of order, integer amounts.
gen_events() {
	awk -v n="$1" -v seed="$2" 'BEGIN {
		srand(seed)
		split("page_view signup activation purchase", ev, " ")
		split("web ios android", pf, " ")
		base = 1772445600	# 2026-03-02T10:00:00Z
		for (i = 0; i < n; i++) {
			t = base + i + int(rand() * 20)
			e = ev[1 + int(rand() * 4)]
			p = pf[1 + int(rand() * 3)]
			u = "u" int(rand() * 50)
			a = int(rand() * 1000)
			printf "{\"event\":\"%s\",\"ts\":\"%s\",\"user_id\":\"%s\",\"properties\":{\"amount\":%d},\"context\":{\"platform\":\"%s\"}}\n", \
			    e, strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), u, a, p
		}
	}'
}

@test "ev-window: --help prints usage to stdout" {
	run --separate-stderr ev-window --help
	assert_success
	assert_line --index 0 --partial "usage: ev-window"
	assert_output --partial "--tumble"
	assert_output --partial "--rejects"
	assert_equal "$stderr" ""
}

@test "ev-window: usage errors exit 2 before reading input" {
	for args in "" "--tumble 1m --hop 1h --every 1m" "--hop 1h" \
	    "--hop 1h --every 7m" "--tumble 0" "--tumble 1m --agg nope(x)" \
	    "--tumble 1m --agg sum" "--tumble 1m --tz Europe/Berlin" \
	    "--tumble 1d --tz Not/AZone" "--session 1m --fill-zero" \
	    "--tumble 1m --by event --agg count,count" \
	    "--tumble 1m --week-start someday" "--tumble 1m --hll-precision 30" \
	    "--cumulate 1h --every 7m" "--cumulate 1h --every 2h" "--cumulate 1h"; do
		run --separate-stderr ev-window $args </dev/null
		[ "$status" -eq 2 ] || fail "'$args' exited $status"
		[[ "$stderr" == *"Try 'ev-window --help'"* ]] || fail "'$args': $stderr"
	done
}

@test "ev-window: empty input exits 0 with no output" {
	run --separate-stderr ev-window --tumble 1m --by event </dev/null
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
}

@test "ev-window: tumbling golden by event and platform with count, sum, approx distinct" {
	run --separate-stderr ev-window --tumble 1m --lateness 30s --by "$KEYS" \
	    --agg "$AGGS" --stats st.json <"$W/events.ndjson"
	assert_failure 1	# two rejected lines
	assert_output "$(cat "$W/tumble.golden")"
	[[ "$stderr" == *"<stdin>:7: type: revenue: 'properties.amount' is not a number"* ]]
	[[ "$stderr" == *"<stdin>:8: time: 'ts' is missing"* ]]
	[[ "$stderr" == *"<stdin>:12: late: event time 2026-03-02T10:00:10Z is behind the watermark 2026-03-02T10:02:30Z"* ]]
	assert_equal "$(stat_of st.json in)" 14
	assert_equal "$(stat_of st.json aggregated)" 11
	assert_equal "$(stat_of st.json rejected)" 2
	assert_equal "$(stat_of st.json late)" 1
	assert_equal "$(stat_of st.json out)" 10
	assert_balanced st.json
}

@test "ev-window: --agg is repeatable and the same as a comma list" {
	ev-window --tumble 1m --by event --agg count --agg 'sum(properties.amount)' \
	    --rejects /dev/null <"$W/events.ndjson" >a || true
	ev-window --tumble 1m --by event --agg 'count,sum(properties.amount)' \
	    --rejects /dev/null <"$W/events.ndjson" >b || true
	[ -s a ]
	cmp a b
}

@test "ev-window: hopping golden (panes of --every)" {
	run --separate-stderr ev-window --hop 2m --every 1m --lateness 30s --by event \
	    --agg 'count,max(properties.amount)' <"$W/events.ndjson"
	assert_failure 1
	assert_output "$(cat "$W/hop.golden")"
}

@test "ev-window: cumulating golden" {
	run --separate-stderr ev-window --cumulate 2m --every 1m --lateness 30s \
	    --agg 'count,distinct(user_id) as users' <"$W/events.ndjson"
	assert_failure 1
	assert_output "$(cat "$W/cumulate.golden")"
}

@test "ev-window: session golden; a late bridging event merges two sessions" {
	run --separate-stderr ev-window --session 30s --lateness 2m --by user_id \
	    --agg 'count,first(event),last(event)' --late late.ndjson \
	    --stats st.json <"$W/sessions.ndjson"
	assert_success
	assert_output "$(cat "$W/session.golden")"
	# u9's 10:00:00 and 10:00:50 are 50 s apart; 10:00:25 joins them.
	assert_line --index 1 --partial '"user_id":"u9","count":3'
	run jq -r '[.reason, .line] | @tsv' late.ndjson
	assert_output "$(printf 'late\t7')"
	assert_balanced st.json
}

@test "ev-window: calendar days across DST in America/New_York (23 and 25 hours)" {
	run --separate-stderr ev-window --tumble 1d --tz America/New_York <"$W/dst.ndjson"
	assert_success
	assert_output "$(cat "$W/dst-new-york.golden")"
	run jq -r 'select(.start | startswith("2026-03-08") or startswith("2026-11-01")) |
	    ((.end | fromdate) - (.start | fromdate)) / 3600' "$W/dst-new-york.golden"
	assert_output "$(printf '23\n25')"
}

@test "ev-window: calendar days across DST in Europe/Berlin (23 and 25 hours)" {
	run --separate-stderr ev-window --tumble 1d --tz Europe/Berlin <"$W/dst.ndjson"
	assert_success
	assert_output "$(cat "$W/dst-berlin.golden")"
	run jq -r 'select(.start | startswith("2026-03-28T23") or startswith("2026-10-24")) |
	    ((.end | fromdate) - (.start | fromdate)) / 3600' "$W/dst-berlin.golden"
	assert_output "$(printf '23\n25')"
}

@test "ev-window: weekly windows start on --week-start" {
	printf '%s\n' '{"ts":"2026-03-04T12:00:00Z"}' '{"ts":"2026-03-08T12:00:00Z"}' >in
	run ev-window --tumble 1w --week-start sunday --agg count <in
	assert_success
	assert_line --index 0 '{"start":"2026-03-01T00:00:00Z","end":"2026-03-08T00:00:00Z","count":1,"final":true}'
	run ev-window --tumble 1w <in
	assert_output '{"start":"2026-03-02T00:00:00Z","end":"2026-03-09T00:00:00Z","count":2,"final":false}'
}

@test "ev-window: late events go to --late file at the window boundary" {
	printf '%s\n' '{"ts":"2026-03-02T10:00:30Z","event":"a"}' \
	    '{"ts":"2026-03-02T10:01:00Z","event":"a"}' \
	    '{"ts":"2026-03-02T10:00:59.999Z","event":"a"}' \
	    '{"ts":"2026-03-02T10:01:00Z","event":"a"}' >in
	run --separate-stderr ev-window --tumble 1m --late late.ndjson --stats st.json <in
	assert_success
	assert_equal "$stderr" ""
	assert_line --index 0 '{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","count":1,"final":true}'
	assert_line --index 1 '{"start":"2026-03-02T10:01:00Z","end":"2026-03-02T10:02:00Z","count":2,"final":false}'
	run jq -c '[.tool, .line, .reason, .raw]' late.ndjson
	assert_output '["ev-window",3,"late","{\"ts\":\"2026-03-02T10:00:59.999Z\",\"event\":\"a\"}"]'
	assert_equal "$(stat_of st.json late)" 1
	assert_equal "$(stat_of st.json rejected)" 0
	assert_balanced st.json
}

@test "ev-window: with --lateness an out-of-order event still counts" {
	printf '%s\n' '{"ts":"2026-03-02T10:01:05Z"}' '{"ts":"2026-03-02T10:00:59Z"}' >in
	run ev-window --tumble 1m --lateness 10s <in
	assert_success
	assert_line --index 0 --partial '"end":"2026-03-02T10:01:00Z","count":1'
	run ev-window --tumble 1m --lateness 5s --rejects rej <in
	assert_success
	assert_equal "$(jq -r .reason rej)" late
}

@test "ev-window: the time field is read in each of its forms, null and escapes included" {
	# 1772445600 is 2026-03-02T10:00:00Z; 1772445600123 the same in ms,
	# and the third event spells its time with \u escapes.
	printf '%s\n' '{"ts":"2026-03-02T10:00:00Z","event":"a"}' \
	    '{"ts":1772445601,"event":"a"}' \
	    '{"ts":"2026-03-02T10:00:02\u005a","event":"a"}' \
	    '{"ts":1772445600123,"event":"a"}' '{"ts":1772445603.5,"event":"a"}' \
	    '{"ts":null,"event":"a"}' '{"ts":true,"event":"a"}' \
	    '{"t":{"s":"2026-03-02T10:00:04Z"},"event":"a"}' >in
	run --separate-stderr ev-window --tumble 1m --rejects rej <in
	assert_failure 1
	assert_output '{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","count":5,"final":false}'
	run jq -r '[.line, .reason, .errors[0].message] | @tsv' rej
	assert_line --index 0 "$(printf "6\ttime\t'ts' is not a valid time")"
	assert_line --index 1 "$(printf "7\ttime\t'ts' is not a valid time")"
	assert_line --index 2 "$(printf "8\ttime\t'ts' is missing")"
	run ev-window --tumble 1m -t t.s --rejects rej <in
	assert_output --partial '"count":1,'
}

@test "ev-window: a line of invalid UTF-8 is a utf8 reject, each form of it" {
	# A stray continuation byte, an overlong '/', a surrogate, a truncated
	# sequence, and valid two- and four-byte characters for contrast.
	printf '{"ts":"2026-03-02T10:00:00Z","event":"\x80"}\n' >in
	printf '{"ts":"2026-03-02T10:00:00Z","event":"\xc0\xaf"}\n' >>in
	printf '{"ts":"2026-03-02T10:00:00Z","event":"\xed\xa0\x80"}\n' >>in
	printf '{"ts":"2026-03-02T10:00:00Z","event":"\xe2\x82"}\n' >>in
	printf '{"ts":"2026-03-02T10:00:00Z","event":"\xc3\xa9"}\n' >>in
	printf '{"ts":"2026-03-02T10:00:00Z","event":"\xf0\x9f\x98\x80"}\n' >>in
	run --separate-stderr ev-window --tumble 1m --by event --rejects rej --stats st.json <in
	assert_failure 1
	assert_equal "$(jq -r '"\(.line) \(.reason)"' rej | tr '\n' ' ')" "1 utf8 2 utf8 3 utf8 4 utf8 "
	assert_equal "$(jq -r .event <<<"$output" | sort | tr '\n' ' ')" "é 😀 "
	assert_balanced st.json
}

@test "ev-window: a rejected record goes to --rejects in the shared shape" {
	printf '%s\n' '{"ts":"2026-03-02T10:00:00Z","event":"a"}' \
	    '{"event":"a"}' '{"ts":"yesterday","event":"a"}' \
	    '{"ts":"2026-03-02T10:00:01Z","event":{"x":1}}' 'not json' >in
	run --separate-stderr ev-window --tumble 1m --by event --rejects rej --stats st.json <in
	assert_failure 1
	assert_output '{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","event":"a","count":1,"final":false}'
	run jq -r '[.line, .reason, .errors[0].message] | @tsv' rej
	assert_line --index 0 "$(printf "2\ttime\t'ts' is missing")"
	assert_line --index 1 "$(printf "3\ttime\t'ts' is not a valid time")"
	assert_line --index 2 "$(printf "4\ttype\tgroup key 'event' is not a scalar")"
	assert_line --index 3 --partial "$(printf '5\tparse')"
	assert_equal "$(jq -r 'select(.line == 2) | .raw' rej)" '{"event":"a"}'
	assert_balanced st.json
}

@test "ev-window: writing to /dev/full exits 3" {
	run --separate-stderr sh -c 'ev-window --tumble 1m --by event <"$1" >/dev/full' sh "$W/sessions.ndjson"
	assert_failure 3
	[[ "$stderr" == *"ev-window: "* ]]
}

@test "ev-window: counts balance on generated events" {
	gen_events 3000 11 >in
	printf 'garbage\n{"event":"x"}\n' >>in
	run ev-window --hop 10m --every 1m --by event --agg "$AGGS" --stats st.json \
	    --rejects /dev/null <in
	assert_failure 1
	assert_balanced st.json
	assert_equal "$(stat_of st.json in)" 3002
	assert_equal "$(stat_of st.json rejected)" 2
}

@test "ev-window: every aggregate kind" {
	printf '%s\n' \
	    '{"ts":"2026-03-02T10:00:03Z","event":"purchase","user_id":"u1","properties":{"amount":2}}' \
	    '{"ts":"2026-03-02T10:00:01Z","event":"page_view","user_id":"u2","properties":{"amount":4}}' \
	    '{"ts":"2026-03-02T10:00:02Z","event":"purchase","user_id":"u1","properties":{"amount":4}}' \
	    '{"ts":"2026-03-02T10:00:04Z","event":"purchase","user_id":"u3","properties":{"amount":6}}' \
	    '{"ts":"2026-03-02T10:00:05Z","event":"purchase","user_id":"u1"}' >in
	run --separate-stderr ev-window --tumble 1m --lateness 1m --agg \
	    'count,count_if(event == purchase) as buys,count_if(properties.amount > 3) as big,sum(properties.amount),avg(properties.amount),min(properties.amount),max(properties.amount),stddev(properties.amount),first(user_id),last(user_id),distinct(user_id),approx_distinct(user_id),p50(properties.amount),top(user_id, 2)' <in
	assert_success
	assert_output '{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","count":5,"buys":4,"big":3,"sum_amount":16,"avg_amount":4,"min_amount":2,"max_amount":6,"stddev_amount":1.632993161855452,"first_user_id":"u2","last_user_id":"u1","distinct_user_id":3,"approx_distinct_user_id":3,"p50_amount":4.0148353330285875,"top_user_id":[{"value":"u1","count":3},{"value":"u2","count":1}],"final":false}'
}

@test "ev-window: approx_distinct stays within 3 standard errors (1.04/sqrt(m))" {
	# 60000 distinct users in one window, each seen twice.
	awk 'BEGIN { for (k = 0; k < 2; k++) for (i = 0; i < 60000; i++)
	    printf "{\"ts\":%d,\"user_id\":\"user-%d\"}\n", 1772445600 + (i % 50), i }' >in
	for p in 10 12 14; do
		run ev-window --tumble 1m --hll-precision $p \
		    --agg 'approx_distinct(user_id) as u,distinct(user_id) as exact' <in
		assert_success
		run jq -r --argjson p $p '(.u - .exact) / .exact | fabs < 3 * 1.04 / pow(2; $p / 2)' <<<"$output"
		assert_output true
	done
}

@test "ev-window: p50, p95 and p99 are within 1% of the exact quantiles" {
	awk 'BEGIN { srand(5); for (i = 0; i < 20000; i++)
	    printf "{\"ts\":%d,\"ms\":%.3f}\n", 1772445600 + (i % 50), exp(3 + 1.5 * (rand() + rand() + rand() - 1.5)) }' >in
	run ev-window --tumble 1m --agg 'p50(ms),p95(ms),p99(ms)' <in
	assert_success
	echo "$output" >got
	jq -s '[.[].ms] | sort' in >sorted
	for q in 50 95 99; do
		run jq -n --slurpfile s sorted --slurpfile g got --argjson q $q '
		    ($s[0] | .[(($q / 100) * (length - 1) | floor)]) as $exact |
		    $g[0]["p\($q)_ms"] as $got |
		    (($got - $exact) / $exact | fabs) <= 0.01'
		assert_output true
	done
}

@test "ev-window: property: tumbling results equal a jq group-by on random streams" {
	for seed in 1 2 3; do
		gen_events 1500 $seed >in
		ev-window --tumble 1m --lateness 1m --by 'event,context.platform as platform' \
		    --agg 'count,sum(properties.amount) as s,min(properties.amount) as lo,max(properties.amount) as hi' \
		    --stats st.json <in >got
		assert_equal "$(stat_of st.json late)" 0
		# The watermark at end of input: the latest time minus 1m.
		wm=$(jq -s 'map(.ts | fromdate) | max - 60' in)
		jq -s -c --argjson wm "$wm" 'group_by([(.ts | fromdate / 60 | floor), .event, .context.platform])[] |
		    (.[0].ts | fromdate / 60 | floor * 60) as $s |
		    {start: ($s | todate), end: ($s + 60 | todate), event: .[0].event,
		     platform: .[0].context.platform, count: length,
		     s: (map(.properties.amount) | add), lo: (map(.properties.amount) | min),
		     hi: (map(.properties.amount) | max), final: ($s + 60 <= $wm)}' in >want
		[ -s want ]
		diff want got || fail "seed $seed differs"
	done
}

@test "ev-window: --fill-zero emits count 0 for groups that went silent" {
	printf '%s\n' '{"ts":"2026-03-02T10:00:10Z","event":"a"}' \
	    '{"ts":"2026-03-02T10:00:20Z","event":"b"}' \
	    '{"ts":"2026-03-02T10:01:10Z","event":"a"}' \
	    '{"ts":"2026-03-02T10:05:10Z","event":"a"}' >in
	run ev-window --tumble 1m --by event --agg 'count,sum(v)' --fill-zero --group-ttl 2m <in
	assert_success
	assert_output "$(cat <<'EOF'
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","event":"a","count":1,"sum_v":0,"final":true}
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","event":"b","count":1,"sum_v":0,"final":true}
{"start":"2026-03-02T10:01:00Z","end":"2026-03-02T10:02:00Z","event":"a","count":1,"sum_v":0,"final":true}
{"start":"2026-03-02T10:01:00Z","end":"2026-03-02T10:02:00Z","event":"b","count":0,"sum_v":0,"final":true}
{"start":"2026-03-02T10:05:00Z","end":"2026-03-02T10:06:00Z","event":"a","count":1,"sum_v":0,"final":false}
EOF
)"
	# Without --fill-zero b has no record for 10:01.
	run ev-window --tumble 1m --by event <in
	refute_output --partial '"event":"b","count":0'
}

@test "ev-window: --idle-timeout closes windows while the input is silent" {
	mkfifo in
	# The writer keeps the pipe open until output appears (or 20 s pass).
	{
		echo '{"ts":"2026-03-02T10:00:05Z","event":"a"}'
		for i in $(seq 200); do [ -s out ] && break; sleep 0.1; done
		[ -s out ] && touch fired
	} >in &
	ev-window --tumble 1s --by event --idle-timeout 200ms <in >out
	wait
	[ -e fired ] || fail "no window was written before the end of input"
	run cat out
	assert_output '{"start":"2026-03-02T10:00:05Z","end":"2026-03-02T10:00:06Z","event":"a","count":1,"final":true}'
}

@test "ev-window: --allowed-lateness emits final:false updates then final:true" {
	printf '%s\n' '{"ts":"2026-03-02T10:00:10Z"}' '{"ts":"2026-03-02T10:01:05Z"}' \
	    '{"ts":"2026-03-02T10:00:30Z"}' '{"ts":"2026-03-02T10:03:10Z"}' \
	    '{"ts":"2026-03-02T10:00:40Z"}' >in
	run --separate-stderr ev-window --tumble 1m --allowed-lateness 2m --late late <in
	assert_success
	assert_output "$(cat <<'EOF'
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","count":1,"final":false}
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","count":2,"final":false}
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","count":2,"final":true}
{"start":"2026-03-02T10:01:00Z","end":"2026-03-02T10:02:00Z","count":1,"final":false}
{"start":"2026-03-02T10:03:00Z","end":"2026-03-02T10:04:00Z","count":1,"final":false}
EOF
)"
	assert_equal "$(jq -r .line late)" 5
}

@test "ev-window: --emit changes is a changelog that replays to the final records" {
	printf '%s\n' '{"ts":"2026-03-02T10:00:10Z","e":"a"}' '{"ts":"2026-03-02T10:01:05Z","e":"b"}' \
	    '{"ts":"2026-03-02T10:00:30Z","e":"a"}' '{"ts":"2026-03-02T10:00:31Z","e":"b"}' \
	    '{"ts":"2026-03-02T10:03:10Z","e":"a"}' >in
	run --separate-stderr ev-window --tumble 1m --by e --allowed-lateness 2m --emit changes <in
	assert_success
	assert_line --index 0 '{"op":"+","start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","e":"a","count":1,"final":false}'
	assert_line --index 1 '{"op":"-","start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","e":"a","count":1,"final":false}'
	assert_line --index 2 '{"op":"+","start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","e":"a","count":2,"final":false}'
	echo "$output" >changes
	# Apply: "+" inserts, "-" deletes an equal record; what is left must
	# be the last record of each window and group of a plain run.
	run jq -s -c 'reduce .[] as $r ([]; if $r.op == "+" then . + [$r | del(.op)]
	    else index([$r | del(.op)]) as $i | del(.[$i]) end) | .[]' changes
	assert_output "$(ev-window --tumble 1m --by e --allowed-lateness 2m <in |
	    jq -s -c '. as $a | to_entries[] | .key as $i | .value as $r |
	    select([$a[$i + 1:][] | select(.start == $r.start and .e == $r.e)] |
	    length == 0) | $r')"
}

@test "ev-window: --state carries open windows across runs with no loss or double count" {
	gen_events 1200 21 >in
	head -n 500 in >in1
	tail -n +501 in >in2
	args=(--tumble 5m --lateness 1m --by "$KEYS" --agg "$AGGS,p95(properties.amount),distinct(user_id)")
	ev-window "${args[@]}" <in >whole
	ev-window "${args[@]}" --state st <in1 >part1
	[ -s st ]
	ev-window "${args[@]}" --state st <in2 >part2
	ev-window "${args[@]}" --state st </dev/null >part3	# still open
	[ ! -s part3 ]
	# Without --state the last run would have written the open windows;
	# compare what the state runs wrote with the one run up to them.
	cat part1 part2 >parts
	n=$(wc -l <parts)
	[ "$n" -gt 10 ]
	head -n "$n" whole >whole_head
	diff whole_head parts
	assert_equal "$(jq -r .data.lines st)" 1200
}

@test "ev-window: --state lines counts blank lines, so a feeder resumes exactly" {
	# Issue 12 #5: a blank line every 100 lines; the feeder resumes after
	# the physical lines the state says were consumed.
	gen_events 600 23 | awk '{ print } NR % 100 == 0 { print "" }' >in
	args=(--tumble 5m --lateness 1m --by event --agg count)
	head -n 250 in | ev-window "${args[@]}" --state st >part1
	assert_equal "$(jq -r .data.lines st)" 250
	tail -n +"$(($(jq -r .data.lines st) + 1))" in |
	    ev-window "${args[@]}" --state st >part2
	assert_equal "$(jq -r .data.lines st)" "$(python3 -c 'import sys; print(len(open(sys.argv[1]).read().split("\n")) - 1)' in)"
	ev-window "${args[@]}" --state st </dev/null >part3
	assert_equal "$(jq -r .data.lines st)" 606
	# Whatever the state kept open comes out at the end of a run without it.
	ev-window "${args[@]}" <in | head -n "$(cat part1 part2 | wc -l)" >whole_head
	cat part1 part2 | diff whole_head -
}

@test "ev-window: a state file written with other settings or corrupt exits 3" {
	printf '%s\n' '{"ts":"2026-03-02T10:00:10Z","event":"a"}' >in
	ev-window --tumble 1m --by event --state st <in
	run --separate-stderr ev-window --tumble 5m --by event --state st <in
	assert_failure 3
	[[ "$stderr" == *"other settings"* ]]
	run --separate-stderr ev-window --tumble 1m --by event --agg 'sum(x)' --state st <in
	assert_failure 3
	echo '{"evkit_state":1' >st
	run --separate-stderr ev-window --tumble 1m --by event --state st <in
	assert_failure 3
}

@test "ev-window: kill -9 after a checkpoint, resume, and match an uninterrupted run" {
	gen_events 800 31 >in
	args=(--tumble 1m --lateness 30s --by event --agg "count,sum(properties.amount),approx_distinct(user_id)")
	ev-window "${args[@]}" --state whole.st <in >whole
	mkfifo fifo
	ev-window "${args[@]}" --state st --checkpoint 100ms <fifo >out1 &
	pid=$!
	exec 7>fifo
	head -n 400 in >&7
	for i in $(seq 200); do
		[ "$(jq -r .data.lines st 2>/dev/null)" = 400 ] && break
		sleep 0.1
	done
	kill -9 "$pid"
	wait "$pid" || true
	exec 7>&-
	assert_equal "$(jq -r .data.lines st)" 400
	tail -n +401 in | ev-window "${args[@]}" --state st >out2
	cat out1 out2 >resumed
	diff whole resumed
	assert_equal "$(jq -c .data.engine st)" "$(jq -c .data.engine whole.st)"
}

@test "ev-window: three shards by key hash merge into the single-process result" {
	gen_events 3000 41 >in
	aggs="$AGGS,avg(properties.amount),stddev(properties.amount),min(properties.amount),p95(properties.amount),distinct(user_id),top(user_id, 3),first(user_id),last(user_id)"
	ev-window --tumble 5m --lateness 1m --by "$KEYS" --agg "$aggs" <in >single
	for i in 0 1 2; do
		jq -c 'select(((.event + .context.platform) | explode | add) % 3 == '$i')' in |
		    ev-window --tumble 5m --lateness 1m --by "$KEYS" --agg "$aggs" \
		    --emit partial >part$i &
	done
	wait
	[ -s part0 ] && [ -s part1 ] && [ -s part2 ]
	cat part2 part0 part1 | ev-window --merge --by "event,platform" --agg "$aggs" \
	    --stats st.json >merged
	diff single merged
	assert_balanced st.json
}

@test "ev-window: --merge rejects records that are not partial" {
	printf '%s\n' '{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","count":1}' >in
	run --separate-stderr ev-window --merge --agg count <in
	assert_failure 1
	[[ "$stderr" == *"partial: not a partial record"* ]]
}

@test "ev-window: --max-groups rejects events of groups beyond the limit" {
	printf '%s\n' '{"ts":"2026-03-02T10:00:00Z","u":"a"}' '{"ts":"2026-03-02T10:00:01Z","u":"b"}' \
	    '{"ts":"2026-03-02T10:00:02Z","u":"c"}' '{"ts":"2026-03-02T10:00:03Z","u":"a"}' >in
	run --separate-stderr ev-window --tumble 1m --by u --max-groups 2 --stats st.json <in
	assert_failure 1
	assert_equal "$(echo "$output" | wc -l)" 2
	[[ "$stderr" == *"max-groups: more than 2 groups are open"* ]]
	assert_equal "$(stat_of st.json overflow)" 1
	assert_balanced st.json
}

@test "ev-window: --max-key-bytes bounds the bytes of the known groups' keys" {
	# Issue 12: --max-groups alone let 400 keys of 900 KB take 711 MB.
	# Keys of 40 bytes (quotes included) under a bound of 100: two fit, a
	# third does not until the first minute has closed (a's event at 10:02
	# closes it) and b, gone quiet, is forgotten.
	python3 -c 'import json
for t, u in (("10:00:00", "a"), ("10:00:01", "b"), ("10:00:02", "c"), ("10:00:03", "a"),
             ("10:02:00", "a"), ("10:02:01", "c")):
    print(json.dumps({"ts": "2026-03-02T%sZ" % t, "u": u * 38}))' >in
	run --separate-stderr ev-window --tumble 1m --by u --max-key-bytes 100 \
	    --stats st.json --rejects rej <in
	assert_failure 1
	assert_equal "$(jq -r .reason rej | sort -u)" max-key-bytes
	assert_equal "$(jq -r .line rej)" 3
	assert_equal "$(jq -r '.errors[0].message' rej | sort -u)" "the keys of the known groups would take more than 100 bytes"
	assert_equal "$(echo "$output" | jq -r '"\(.u[0:1]) \(.count)"' | tr '\n' ' ')" "a 2 b 1 a 1 c 1 "
	assert_equal "$(stat_of st.json overflow)" 1
	assert_balanced st.json
	# 0: no bound.
	run --separate-stderr ev-window --tumble 1m --by u --max-key-bytes 0 <in
	assert_success
	assert_equal "$(echo "$output" | jq -s 'map(.count) | add')" 6
	run --separate-stderr ev-window --tumble 1m --by u --max-key-bytes 1k <in
	assert_failure 2
}

@test "ev-window: --max-key-bytes with grouping sets takes an event into all its sets or none" {
	# Long keys under a small bound: some events find room for the key of
	# one set but not another; such an event is rejected whole, so every
	# set's counts add up to what --stats says was aggregated.
	python3 -c 'import json, random
r = random.Random(5)
for i in range(300):
    print(json.dumps({"ts": "2026-03-02T10:%02d:%02dZ" % (i // 60, i % 60),
        "u": "u%d" % r.randrange(40) * 9, "v": "v%d" % r.randrange(3)}))' >in
	run --separate-stderr ev-window --tumble 1m --rollup u,v \
	    --max-key-bytes 600 --stats st.json --rejects rej <in
	assert_failure 1
	out=$output
	assert_balanced st.json
	agg=$(stat_of st.json aggregated)
	[ "$(stat_of st.json overflow)" -gt 0 ]
	for set in '["u","v"]' '["u"]' '[]'; do
		assert_equal "$set $(echo "$out" | jq -s --argjson g "$set" \
		    'map(select(.grouping == $g) | .count) | add')" "$set $agg"
	done
}

@test "ev-window: an event whose window cannot be written is rejected as time" {
	# Issue 12: a window ending at 10000-01-01 or starting in year -1 was
	# written, and the next stage refused the record.
	printf '%s\n' '{"ts":"9999-12-31T23:59:30Z","e":"a"}' \
	    '{"ts":"9999-12-31T22:00:00Z","e":"a"}' > in
	run --separate-stderr ev-window --tumble 1m --by e --rejects rej --stats st <in
	assert_failure 1
	assert_equal "$(jq -r '"\(.line) \(.reason)"' rej)" "1 time"
	assert_equal "$(echo "$output" | jq -r .end)" "9999-12-31T22:01:00Z"
	assert_balanced st
	# A hop window of an event early in year 0 would start in year -1.
	echo '{"ts":"0000-01-01T00:10:00Z","e":"a"}' > in
	run --separate-stderr ev-window --hop 1h --every 10m --by e --rejects rej <in
	assert_failure 1
	assert_equal "$(jq -r .reason rej)" time
	assert_output ""
	# Every record written reads back as a time.
	echo '{"ts":"0000-01-01T01:10:00Z","e":"a"}' > in
	run --separate-stderr ev-window --hop 1h --every 10m --by e <in
	assert_success
	run jq -r '.start, .end' <<<"$output"
	[ "${#lines[@]}" -eq 12 ]
	! grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' <<<"$output"
}

@test "ev-window: SIGTERM writes the open windows and exits" {
	mkfifo fifo
	ev-window --tumble 1h --by event <fifo >out &
	pid=$!
	exec 7>fifo
	echo '{"ts":"2026-03-02T10:00:00Z","event":"a"}' >&7
	echo '{"ts":"2026-03-02T11:00:00Z","event":"a"}' >&7
	# The first window closes once both lines are read; then signal.
	for i in $(seq 200); do [ -s out ] && break; sleep 0.1; done
	kill -TERM "$pid"
	wait "$pid"
	exec 7>&-
	run cat out
	assert_line --index 0 '{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T11:00:00Z","event":"a","count":1,"final":true}'
	assert_line --index 1 '{"start":"2026-03-02T11:00:00Z","end":"2026-03-02T12:00:00Z","event":"a","count":1,"final":false}'
}

@test "ev-window: output records validate against schemas/records/window.json" {
	[ -x "$EVKIT_BIN/ev-validate" ] || skip "ev-validate is not built"
	ev-window --tumble 1m --lateness 30s --by "$KEYS" --agg "$AGGS,top(user_id, 2)" \
	    --rejects /dev/null <"$W/events.ndjson" >out || true
	run ev-validate --schema "$EVKIT_TOP/schemas/records/window.json" <out
	assert_success
	assert_output "$(cat out)"
}

@test "ev-window: the man page EXAMPLES run" {
	cp "$W/events.ndjson" events.ndjson
	run --separate-stderr ev-window --tumble 1m --lateness 30s \
	  --by 'event,context.platform as platform' \
	  --agg 'count,sum(properties.amount) as revenue' \
	  --agg 'approx_distinct(user_id) as users' < events.ndjson
	assert_output "$(cat "$W/tumble.golden")"

	run --separate-stderr ev-window --tumble 10m --rollup 'event,context.platform as platform' \
	  --agg 'count,approx_distinct(user_id) as users' < events.ndjson
	assert_failure 1
	# The grand total counts every event with a time and its distinct users.
	n=$(jq -s 'map(select(.ts)) | length' events.ndjson)
	u=$(jq -s 'map(select(.ts) | .user_id) | unique | length' events.ndjson)
	assert_line '{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:10:00Z","grouping":[],"count":'"$n"',"users":'"$u"',"final":false}'
	assert_equal "$(jq -s 'map(select(.grouping == ["event"]) | .count) | add' <<<"$output")" "$n"

	run --separate-stderr ev-window --tumble 1d --tz Europe/Berlin --late late.ndjson \
	  --agg 'count_if(event == purchase) as purchases,p95(properties.amount)' \
	  < events.ndjson
	assert_failure 1
	assert_output --partial '"purchases":5'

	run --separate-stderr ev-window --session 30m --by user_id --agg 'count,first(event),last(event)' \
	  < events.ndjson
	assert_line --partial '"user_id":"u1","count":4'

	for i in 0 1 2; do
	  jq -c 'select((.event | explode | add) % 3 == '$i')' events.ndjson |
	  ev-window --tumble 1m --lateness 5m --by event --agg count --emit partial \
	    > part$i &
	done; wait
	run --separate-stderr sh -c 'cat part0 part1 part2 | ev-window --merge --by event --agg count'
	assert_success
	assert_output "$(ev-window --tumble 1m --lateness 5m --by event --agg count < events.ndjson 2>/dev/null)"

	ev-window --tumble 5m --by event --state window.state \
	  < events.ndjson >> windows.ndjson || true
	[ -s window.state ]
}

# Session lateness (ev-window(1), "Session"): an event joins the open
# sessions it touches; it is late only when it touches no open session and
# either touches a written one or its own session would already be closed.

@test "ev-window: session: an event inside an open session behind the watermark joins it" {
	printf '%s\n' '{"ts":"2026-01-01T00:00:00Z","k":"a"}' '{"ts":"2026-01-01T00:01:50Z","k":"a"}' \
	    '{"ts":"2026-01-01T00:03:00Z","k":"b"}' '{"ts":"2026-01-01T00:00:30Z","k":"a"}' >in
	run --separate-stderr ev-window --session 2m --by k --late late.ndjson --stats st.json <in
	assert_success
	assert_output "$(cat <<'OUT'
{"start":"2026-01-01T00:00:00Z","end":"2026-01-01T00:03:50Z","k":"a","count":3,"final":false}
{"start":"2026-01-01T00:03:00Z","end":"2026-01-01T00:05:00Z","k":"b","count":1,"final":false}
OUT
)"
	[ ! -s late.ndjson ]
	assert_equal "$(stat_of st.json late)" 0
	assert_balanced st.json
}

@test "ev-window: session: an event extends an open session backwards" {
	printf '%s\n' '{"ts":"2026-01-01T00:03:00Z","k":"a"}' '{"ts":"2026-01-01T00:04:00Z","k":"b"}' \
	    '{"ts":"2026-01-01T00:01:30Z","k":"a"}' >in
	run --separate-stderr ev-window --session 2m --by k --late late.ndjson <in
	assert_success
	assert_output "$(cat <<'OUT'
{"start":"2026-01-01T00:01:30Z","end":"2026-01-01T00:05:00Z","k":"a","count":2,"final":false}
{"start":"2026-01-01T00:04:00Z","end":"2026-01-01T00:06:00Z","k":"b","count":1,"final":false}
OUT
)"
	[ ! -s late.ndjson ]
}

@test "ev-window: session: an event that touches only a written session is late" {
	# a's session [00:00, 02:00) is written at watermark 02:30; 01:00 is
	# less than the gap from it (and its own session would end at 03:00).
	printf '%s\n' '{"ts":"2026-01-01T00:00:00Z","k":"a"}' '{"ts":"2026-01-01T00:02:30Z","k":"b"}' \
	    '{"ts":"2026-01-01T00:01:00Z","k":"a"}' >in
	run --separate-stderr ev-window --session 2m --by k --late late.ndjson --stats st.json <in
	assert_success
	assert_output "$(cat <<'OUT'
{"start":"2026-01-01T00:00:00Z","end":"2026-01-01T00:02:00Z","k":"a","count":1,"final":true}
{"start":"2026-01-01T00:02:30Z","end":"2026-01-01T00:04:30Z","k":"b","count":1,"final":false}
OUT
)"
	assert_equal "$(jq -r '[.line, .reason] | @tsv' late.ndjson)" "$(printf '3\tlate')"
	assert_balanced st.json
}

@test "ev-window: session: an event whose own session is already closed is late" {
	# c has no session; [00:01, 00:03) ends before the watermark 00:05.
	printf '%s\n' '{"ts":"2026-01-01T00:00:00Z","k":"a"}' '{"ts":"2026-01-01T00:05:00Z","k":"b"}' \
	    '{"ts":"2026-01-01T00:01:00Z","k":"c"}' >in
	run --separate-stderr ev-window --session 2m --by k --late late.ndjson <in
	assert_success
	refute_output --partial '"k":"c"'
	assert_equal "$(jq -r .line late.ndjson)" 3
}

@test "ev-window: session: an event touching a written and an open session joins the open one" {
	# a: [00:00, 02:00) is written at watermark 03:00; 01:30 touches it and
	# the open session from 03:00, joins the open one, and the two records
	# overlap in time.
	printf '%s\n' '{"ts":"2026-01-01T00:00:00Z","k":"a"}' '{"ts":"2026-01-01T00:03:00Z","k":"a"}' \
	    '{"ts":"2026-01-01T00:01:30Z","k":"a"}' >in
	run --separate-stderr ev-window --session 2m --by k --late late.ndjson <in
	assert_success
	assert_output "$(cat <<'OUT'
{"start":"2026-01-01T00:00:00Z","end":"2026-01-01T00:02:00Z","k":"a","count":1,"final":true}
{"start":"2026-01-01T00:01:30Z","end":"2026-01-01T00:05:00Z","k":"a","count":2,"final":false}
OUT
)"
	[ ! -s late.ndjson ]
}

# oracle_check SEED MODE ARGS -- EV-WINDOW-ARGS: the records and late lines
# of ev-window equal those of tests/tools/window_oracle.py (the man page
# rules in python) on 4000 random keyed events with up to 180 s disorder,
# and there are late lines to compare.
oracle_check() {
	local oracle="$EVKIT_TOP/tests/tools/window_oracle.py" seed=$1 oargs=()
	shift
	while [ "$1" != -- ]; do oargs+=("$1"); shift; done
	shift
	python3 "$oracle" gen "$seed" 4000 >in
	python3 "$oracle" "${oargs[@]}" <in >want
	ev-window "$@" --by k --late late.ndjson --stats st.json <in >got
	jq -r '"late \(.line)"' late.ndjson >>got
	grep -q '^late ' want || fail "seed $seed: no late events to compare"
	diff want got || fail "${oargs[*]}: seed $seed differs"
	assert_balanced st.json
}

@test "ev-window: property: sessions and late lines equal an oracle of the man page rule on random streams" {
	oracle_check 1 session 120 0 -- --session 2m
	oracle_check 2 session 120 30 -- --session 2m --lateness 30s
	oracle_check 3 session 120 90 -- --session 2m --lateness 90s
}

@test "ev-window: property: hop and cumulate windows and late lines equal an oracle of the man page rule" {
	oracle_check 1 hop 120 60 0 -- --hop 2m --every 1m
	oracle_check 2 hop 180 60 30 -- --hop 3m --every 1m --lateness 30s
	oracle_check 3 cumulate 600 120 30 -- --cumulate 10m --every 2m --lateness 30s
}

@test "ev-window: session: --state keeps the written sessions' reach across runs" {
	printf '%s\n' '{"ts":"2026-01-01T00:00:00Z","k":"a"}' '{"ts":"2026-01-01T00:02:30Z","k":"b"}' >in1
	printf '%s\n' '{"ts":"2026-01-01T00:01:00Z","k":"a"}' >in2
	ev-window --session 2m --by k --state st <in1 >out1
	run --separate-stderr ev-window --session 2m --by k --state st --late late.ndjson <in2
	assert_success
	assert_output ""
	assert_equal "$(jq -r .line late.ndjson)" 1
}

# Window semantics as ev-window(1) states them, one test per statement.

@test "ev-window: semantics: windows are [start, end): an event at the end is in the next window" {
	printf '%s\n' '{"ts":"2026-03-02T10:00:00Z"}' '{"ts":"2026-03-02T10:01:00Z"}' >in
	run ev-window --tumble 1m <in
	assert_output "$(cat <<'OUT'
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","count":1,"final":true}
{"start":"2026-03-02T10:01:00Z","end":"2026-03-02T10:02:00Z","count":1,"final":false}
OUT
)"
	run ev-window --hop 2m --every 1m <in
	assert_output "$(cat <<'OUT'
{"start":"2026-03-02T09:59:00Z","end":"2026-03-02T10:01:00Z","count":1,"final":true}
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:02:00Z","count":2,"final":false}
{"start":"2026-03-02T10:01:00Z","end":"2026-03-02T10:03:00Z","count":1,"final":false}
OUT
)"
	run ev-window --cumulate 2m --every 1m <in
	assert_output "$(cat <<'OUT'
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","count":1,"final":true}
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:02:00Z","count":2,"final":false}
OUT
)"
}

@test "ev-window: semantics: tumbling, hopping and cumulating windows are aligned to the Unix epoch" {
	# 7 and 14 minutes do not divide a day, and 2026-03-02 is not a
	# multiple of 7 days from the epoch, so only epoch alignment gives
	# these starts (computed here by jq from the epoch seconds).  Every
	# window ends past the watermark (the one event's time): not final.
	echo '{"ts":"2026-03-02T10:00:00Z"}' >in
	t=$(jq -n '"2026-03-02T10:00:00Z" | fromdate')
	want=$(jq -n -c --argjson t "$t" '($t / 420 | floor * 420) as $s |
	    {start: ($s | todate), end: ($s + 420 | todate), count: 1, final: false}')
	assert_equal "$(ev-window --tumble 7m <in)" "$want"
	want=$(jq -n -c --argjson t "$t" '($t / 420 | floor * 420 + 420) as $e |
	    ($e, $e + 420) | {start: (. - 840 | todate), end: todate, count: 1, final: false}')
	assert_equal "$(ev-window --hop 14m --every 7m <in)" "$want"
	want=$(jq -n -c --argjson t "$t" '($t / 840 | floor * 840) as $p |
	    ($t / 420 | floor * 420 + 420) as $e |
	    ($e, $p + 840) | {start: ($p | todate), end: todate, count: 1, final: false}' | uniq)
	assert_equal "$(ev-window --cumulate 14m --every 7m <in)" "$want"
	[ "$(jq -n --argjson t "$t" '$t % 840')" != 0 ]
}

@test "ev-window: semantics: a window is written once the watermark reaches its end" {
	# With --state, windows still open are saved, not written: what is
	# written is exactly what closed, and the watermark (10:01:00, then
	# 10:02:00 for sessions) equals the end of the closed window.
	printf '%s\n' '{"ts":"2026-03-02T10:00:30Z"}' '{"ts":"2026-03-02T10:01:00Z"}' >in
	run ev-window --tumble 1m --state st <in
	assert_output '{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","count":1,"final":true}'
	rm st
	run ev-window --hop 2m --every 1m --state st <in
	assert_output '{"start":"2026-03-02T09:59:00Z","end":"2026-03-02T10:01:00Z","count":1,"final":true}'
	rm st
	run ev-window --cumulate 2m --every 1m --state st <in
	assert_output '{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","count":1,"final":true}'
	rm st
	printf '%s\n' '{"ts":"2026-03-02T10:00:00Z","k":"a"}' '{"ts":"2026-03-02T10:02:00Z","k":"b"}' >in
	run ev-window --session 2m --by k --state st <in
	assert_output '{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:02:00Z","k":"a","count":1,"final":true}'
}

@test "ev-window: semantics: an event of a closed window is late whether or not its group has a record" {
	# Group c never had a record in [10:00, 10:01); the window is closed.
	printf '%s\n' '{"ts":"2026-03-02T10:00:10Z","k":"a"}' '{"ts":"2026-03-02T10:01:00Z","k":"a"}' \
	    '{"ts":"2026-03-02T10:00:20Z","k":"c"}' '{"ts":"2026-03-02T10:00:30Z","k":"a"}' >in
	run --separate-stderr ev-window --tumble 1m --by k --late late.ndjson <in
	assert_success
	refute_output --partial '"k":"c"'
	assert_equal "$(jq -r .line late.ndjson | paste -sd,)" 3,4
}

@test "ev-window: semantics: a hop or cumulate event counts in its windows still open; late when all are closed" {
	# At watermark 10:01:30 the window ending 10:01 is written; 10:00:20
	# still belongs to the open window ending 10:02 (and is not late);
	# 09:59:50 belongs only to closed windows and is late.
	printf '%s\n' '{"ts":"2026-03-02T10:00:10Z"}' '{"ts":"2026-03-02T10:01:30Z"}' \
	    '{"ts":"2026-03-02T10:00:20Z"}' '{"ts":"2026-03-02T09:59:50Z"}' >in
	run --separate-stderr ev-window --hop 2m --every 1m --late late.ndjson --stats st.json <in
	assert_success
	assert_output "$(cat <<'OUT'
{"start":"2026-03-02T09:59:00Z","end":"2026-03-02T10:01:00Z","count":1,"final":true}
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:02:00Z","count":3,"final":false}
{"start":"2026-03-02T10:01:00Z","end":"2026-03-02T10:03:00Z","count":1,"final":false}
OUT
)"
	assert_equal "$(jq -r .line late.ndjson)" 4
	assert_equal "$(stat_of st.json aggregated)" 3
	assert_balanced st.json
	run --separate-stderr ev-window --cumulate 2m --every 1m --late late.ndjson <in
	assert_output "$(cat <<'OUT'
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","count":1,"final":true}
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:02:00Z","count":3,"final":false}
OUT
)"
	assert_equal "$(jq -r .line late.ndjson)" 4
}

@test "ev-window: semantics: start and end keep microseconds, with 0, 3 or 6 fraction digits" {
	printf '%s\n' '{"ts":"2026-03-02T10:00:00.3Z","k":"a"}' >in
	run ev-window --tumble 250ms <in
	assert_output '{"start":"2026-03-02T10:00:00.250Z","end":"2026-03-02T10:00:00.500Z","count":1,"final":false}'
	printf '%s\n' '{"ts":"2026-03-02T10:00:00.123456Z","k":"a"}' >in
	run ev-window --session 1s --by k <in
	assert_output '{"start":"2026-03-02T10:00:00.123456Z","end":"2026-03-02T10:00:01.123456Z","k":"a","count":1,"final":false}'
	run ev-window --tumble 1s <in
	assert_output '{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:00:01Z","count":1,"final":false}'
}

@test "ev-window: semantics: records come by window end, then grouping set, then group key in byte order of its JSON text" {
	# One window closes with six groups and the next with one; the key
	# texts sort "a" < "b" < 10 < 9 < null < true ('"' < digits < letters),
	# and two columns sort column by column ("a","z" before "ab","a").
	printf '%s\n' '{"ts":"2026-03-02T10:00:01Z","k":true}' '{"ts":"2026-03-02T10:00:02Z","k":9}' \
	    '{"ts":"2026-03-02T10:00:03Z","k":"b"}' '{"ts":"2026-03-02T10:00:04Z"}' \
	    '{"ts":"2026-03-02T10:00:05Z","k":10}' '{"ts":"2026-03-02T10:00:06Z","k":"a"}' \
	    '{"ts":"2026-03-02T10:01:06Z","k":"0"}' >in
	run ev-window --tumble 1m --by k <in
	assert_success
	assert_equal "$(jq -c '[.end[11:16], .k]' <<<"$output" | paste -sd' ')" \
	    '["10:01","a"] ["10:01","b"] ["10:01",10] ["10:01",9] ["10:01",null] ["10:01",true] ["10:02","0"]'
	printf '%s\n' '{"ts":"2026-03-02T10:00:01Z","k":"ab","j":"a"}' \
	    '{"ts":"2026-03-02T10:00:02Z","k":"a","j":"z"}' >in
	run ev-window --tumble 1m --by k,j <in
	assert_equal "$(jq -r '.k + .j' <<<"$output" | paste -sd' ')" 'az aba'
	# Grouping sets: within a window end by set in command-line order
	# (j before k, though "a" < "z"), then by group key.
	run ev-window --tumble 1m --by j --by k <in
	assert_equal "$(jq -r '.grouping[0] + "=" + .[.grouping[0]]' <<<"$output" |
	    paste -sd' ')" 'j=a j=z k=a k=ab'
}

# Partial windows (ev-window(1), "When a record is final"): the end of input
# cuts the windows still open; they are written "final":false.

@test "ev-window: W1: a log cut at 10:19 writes the 10:00-11:00 window final:false" {
	for m in 05 07 19; do
		echo "{\"ts\":\"2026-03-02T09:${m}:00Z\",\"event\":\"a\"}"
	done >in
	for m in 01 10 19; do
		echo "{\"ts\":\"2026-03-02T10:${m}:00Z\",\"event\":\"a\"}"
	done >>in
	run --separate-stderr ev-window --tumble 1h --by event <in
	assert_success
	assert_output - <<'X'
{"start":"2026-03-02T09:00:00Z","end":"2026-03-02T10:00:00Z","event":"a","count":3,"final":true}
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T11:00:00Z","event":"a","count":3,"final":false}
X
	# --final-at-eof asks for the old behaviour.
	run --separate-stderr ev-window --tumble 1h --by event --final-at-eof <in
	assert_line --index 1 '{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T11:00:00Z","event":"a","count":3,"final":true}'
	# With --state the cut window is saved, not written, and the next run
	# writes it final once the watermark passes its end.
	run --separate-stderr ev-window --tumble 1h --by event --state st <in
	assert_output '{"start":"2026-03-02T09:00:00Z","end":"2026-03-02T10:00:00Z","event":"a","count":3,"final":true}'
	echo '{"ts":"2026-03-02T11:00:00Z","event":"a"}' |
	    ev-window --tumble 1h --by event --state st >out
	assert_equal "$(head -1 out)" '{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T11:00:00Z","event":"a","count":3,"final":true}'
}

@test "ev-window: end of input: hop, cumulate and session windows past the watermark are final:false" {
	printf '{"ts":"2026-03-02T10:00:30Z"}\n{"ts":"2026-03-02T10:02:10Z"}\n' >in
	run --separate-stderr ev-window --hop 2m --every 1m <in
	assert_output - <<'X'
{"start":"2026-03-02T09:59:00Z","end":"2026-03-02T10:01:00Z","count":1,"final":true}
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:02:00Z","count":1,"final":true}
{"start":"2026-03-02T10:01:00Z","end":"2026-03-02T10:03:00Z","count":1,"final":false}
{"start":"2026-03-02T10:02:00Z","end":"2026-03-02T10:04:00Z","count":1,"final":false}
X
	run --separate-stderr ev-window --cumulate 4m --every 1m <in
	assert_output - <<'X'
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","count":1,"final":true}
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:02:00Z","count":1,"final":true}
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:03:00Z","count":2,"final":false}
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:04:00Z","count":2,"final":false}
X
	run --separate-stderr ev-window --session 1m <in
	assert_output - <<'X'
{"start":"2026-03-02T10:00:30Z","end":"2026-03-02T10:01:30Z","count":1,"final":true}
{"start":"2026-03-02T10:02:10Z","end":"2026-03-02T10:03:10Z","count":1,"final":false}
X
	run --separate-stderr ev-window --session 1m --final-at-eof <in
	assert_line --index 1 '{"start":"2026-03-02T10:02:10Z","end":"2026-03-02T10:03:10Z","count":1,"final":true}'
}

@test "ev-window: end of input: a window awaiting --allowed-lateness is not rewritten as final" {
	printf '{"ts":"2026-03-02T10:00:10Z"}\n{"ts":"2026-03-02T10:01:05Z"}\n' >in
	run --separate-stderr ev-window --tumble 1m --allowed-lateness 2m <in
	assert_output - <<'X'
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","count":1,"final":false}
{"start":"2026-03-02T10:01:00Z","end":"2026-03-02T10:02:00Z","count":1,"final":false}
X
}

@test "ev-window: end of input: --merge keeps a shard's final:false; closes by the watermark stay final" {
	printf '{"ts":"2026-03-02T10:00:10Z","k":"a"}\n{"ts":"2026-03-02T10:01:05Z","k":"a"}\n' |
	    ev-window --tumble 1m --by k --emit partial >p0
	printf '{"ts":"2026-03-02T10:00:20Z","k":"b"}\n{"ts":"2026-03-02T10:03:00Z","k":"b"}\n' |
	    ev-window --tumble 1m --by k --emit partial >p1
	run --separate-stderr sh -c 'cat p0 p1 | ev-window --merge --by k'
	assert_success
	assert_output - <<'X'
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","k":"a","count":1,"final":true}
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","k":"b","count":1,"final":true}
{"start":"2026-03-02T10:01:00Z","end":"2026-03-02T10:02:00Z","k":"a","count":1,"final":false}
{"start":"2026-03-02T10:03:00Z","end":"2026-03-02T10:04:00Z","k":"b","count":1,"final":false}
X
}

# Grouping sets (ev-window(1), --by, --rollup, --cube): one pass, one record
# per window, grouping set and group, checked against sqlite3.

GS_AGGS='count,sum(properties.amount) as s,distinct(user_id) as u'
GS_BY='event,context.platform as platform'

@test "ev-window: --rollup equals a sqlite3 UNION ALL of GROUP BYs, in the stated order" {
	for seed in 1 2; do
		gen_events 1500 $seed >in
		ev-window --tumble 1m --lateness 1m --rollup "$GS_BY" --agg "$GS_AGGS" \
		    --stats st.json <in >got
		assert_equal "$(stat_of st.json late)" 0
		python3 "$EVKIT_TOP/tests/tools/grouping_ref.py" 60 event,platform event '' \
		    <in >want
		[ "$(grep -c '"grouping":\[\]' want)" -gt 20 ]
		diff want got || fail "seed $seed differs"
		# Absent dimensions are absent, never "".
		run jq -c 'select(.grouping == []) | keys' got
		refute_output --partial '"event"'
		assert_balanced st.json
	done
}

@test "ev-window: --cube and repeated --by equal sqlite3 over every grouping set" {
	gen_events 1200 7 >in
	ev-window --tumble 1m --lateness 1m --cube "$GS_BY" --agg "$GS_AGGS" <in >got
	python3 "$EVKIT_TOP/tests/tools/grouping_ref.py" 60 event,platform event platform '' \
	    <in >want
	diff want got
	ev-window --tumble 1m --lateness 1m --by 'context.platform as platform' \
	    --by event --agg "$GS_AGGS" <in >got
	python3 "$EVKIT_TOP/tests/tools/grouping_ref.py" 60 platform event <in >want
	diff want got
}

@test "ev-window: a total's approx_distinct is the union's count, not the segments' sum" {
	gen_events 3000 3 >in
	ev-window --tumble 1m --lateness 1m --rollup "$GS_BY" \
	    --agg 'distinct(user_id) as u,approx_distinct(user_id) as au' <in >got
	# Per window: the total's estimate within 3 standard errors
	# (1.04/sqrt(4096)) of the exact union, and the segments' sum of exact
	# distinct counts far outside that (in full windows: 20 users or more).
	run jq -s -r 'group_by(.start)[] |
	    (map(select(.grouping == [])) | .[0]) as $t |
	    (map(select(.grouping == ["event","platform"]) | .u) | add) as $sum |
	    [$t.u, $t.au, $sum] | @tsv' got
	assert_success
	echo "$output" | awk -F'\t' '
	    { tol = 3 * 1.04 / 64 * $1 + 0.5
	      if (($2 - $1) > tol || ($1 - $2) > tol) { print "bad " $0; bad = 1 }
	      if ($1 >= 20 && $3 - $1 <= tol) { print "sum too close " $0; bad = 1 }
	      n++ }
	    END { if (n < 40) { print "only " n " windows"; bad = 1 }; exit bad }'
}

@test "ev-window: grouping sets merge from shards and carry across --state" {
	gen_events 1500 5 >in
	ev-window --tumble 1m --lateness 1m --rollup "$GS_BY" \
	    --agg "$GS_AGGS,approx_distinct(user_id) as au,p50(properties.amount)" <in >one
	for i in 0 1 2; do
		jq -c 'select((.event | explode | add) % 3 == '$i')' in |
		ev-window --tumble 1m --lateness 1m --rollup "$GS_BY" \
		    --agg "$GS_AGGS,approx_distinct(user_id) as au,p50(properties.amount)" \
		    --emit partial >part$i
	done
	grep -q '"grouping":\[\]' part0
	cat part0 part1 part2 | ev-window --merge --rollup "$GS_BY" \
	    --agg "$GS_AGGS,approx_distinct(user_id) as au,p50(properties.amount)" >merged
	# The shards' watermarks differ, so only the final flags may differ.
	diff <(jq -c 'del(.final)' one) <(jq -c 'del(.final)' merged)
	# A merge without the grouping sets refuses the records.
	run --separate-stderr sh -c 'ev-window --merge --by event --agg count <part0'
	assert_failure 1
	[[ "$stderr" == *"grouping set"* ]]
	# Two runs with --state write the final records of one run (the
	# windows the input cut stay in the state).
	head -700 in | ev-window --tumble 1m --lateness 1m --rollup "$GS_BY" \
	    --agg "$GS_AGGS" --state st >two
	tail -n +701 in | ev-window --tumble 1m --lateness 1m --rollup "$GS_BY" \
	    --agg "$GS_AGGS" --state st >>two
	ev-window --tumble 1m --lateness 1m --rollup "$GS_BY" --agg "$GS_AGGS" <in |
	    jq -c 'select(.final)' >want
	[ "$(wc -l <want)" -gt 400 ]
	diff want two
	# Other grouping sets are other settings: the state is refused.
	run --separate-stderr sh -c "ev-window --tumble 1m --lateness 1m --by event \
	    --by platform --agg '$GS_AGGS' --state st </dev/null"
	assert_failure 3
}

@test "ev-window: --max-groups counts the groups of every grouping set; an event is all or none" {
	printf '%s\n' '{"ts":"2026-03-02T10:00:00Z","e":"a"}' '{"ts":"2026-03-02T10:00:01Z","e":"b"}' \
	    '{"ts":"2026-03-02T10:00:02Z","e":"a"}' >in
	# (e) a, () total and (e) b: the third group fits only with 3.
	run --separate-stderr ev-window --tumble 1m --rollup e --max-groups 2 --stats st.json <in
	assert_failure 1
	assert_output - <<'X'
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","grouping":["e"],"e":"a","count":2,"final":false}
{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T10:01:00Z","grouping":[],"count":2,"final":false}
X
	assert_equal "$(stat_of st.json overflow)" 1
	assert_balanced st.json
}

@test "ev-window: grouping set usage errors exit 2" {
	run ev-window --tumble 1m --by a --by a </dev/null
	assert_failure 2
	run ev-window --tumble 1m --by a,b --by b,a </dev/null
	assert_failure 2
	run ev-window --tumble 1m --rollup a --by a </dev/null
	assert_failure 2
	run ev-window --session 1m --rollup a </dev/null
	assert_failure 2
	run ev-window --tumble 1m --by x.a --by y.a </dev/null
	assert_failure 2
	run ev-window --tumble 1m --rollup grouping </dev/null
	assert_failure 2
}
