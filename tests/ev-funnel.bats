#!/usr/bin/env bats
# ev-funnel: ordered funnels per period and breakdown (ev-funnel(1)).

load helper

# ev NAME TIME USER [EXTRA]: one event line.
ev() {
	printf '{"event":"%s","ts":"2026-03-02T%sZ","user_id":"%s"%s}\n' \
	    "$1" "$2" "$3" "${4:-}"
}

@test "ev-funnel: --help prints the usage and exits 0" {
	run --separate-stderr ev-funnel --help
	assert_success
	assert_line --index 0 --partial 'usage: ev-funnel (--step NAME[:EXPR] ... | --steps NAMES) --within D'
	assert_output --partial '--exclude NAME[:EXPR]'
}

@test "ev-funnel: --version prints one line" {
	run --separate-stderr ev-funnel --version
	assert_success
	assert_output --regexp '^ev-funnel \(evkit\) '
}

@test "ev-funnel: usage errors exit 2 before reading input" {
	run --separate-stderr ev-funnel --within 1h --bogus </dev/null
	assert_failure 2
	run --separate-stderr ev-funnel --within 1h </dev/null
	assert_failure 2
	assert_equal "$stderr" "$(printf '%s\n' "ev-funnel: give the steps: --step or --steps" "Try 'ev-funnel --help' for more information.")"
	run --separate-stderr ev-funnel --step a </dev/null
	assert_failure 2
	[[ "$stderr" == "ev-funnel: give the conversion window: --within"$'\n'* ]]
	run --separate-stderr ev-funnel --step 'a:x >' --within 1h </dev/null
	assert_failure 2
	[[ "$stderr" == "ev-funnel: --step 'a:x >': expected a value at column 6"$'\n'* ]]
	run --separate-stderr ev-funnel --step a --within 1h --mode loose </dev/null
	assert_failure 2
	[[ "$stderr" == "ev-funnel: --mode 'loose': use sequential, strict or any"$'\n'* ]]
	run --separate-stderr ev-funnel --step :x --within 1h </dev/null
	assert_failure 2
	# A --by column may not clash with a figure or another --by.
	run --separate-stderr ev-funnel --step a --within 1h --by properties.entered </dev/null
	assert_failure 2
	[[ "$stderr" == "ev-funnel: --by 'properties.entered': column 'entered' is used twice"$'\n'* ]]
	run --separate-stderr ev-funnel --step a --within 1h --by x.rate_2 </dev/null
	assert_failure 2
	run --separate-stderr ev-funnel --step a --within 1h --by a.k --by b.k </dev/null
	assert_failure 2
	run --separate-stderr ev-funnel --step a --within 1h --by a.rate --by b.reached_x </dev/null
	assert_success
}

@test "ev-funnel: empty input writes nothing and exits 0" {
	run --separate-stderr ev-funnel --steps a,b --within 1h </dev/null
	assert_success
	assert_output ''
}

# One user, steps a, b, c: a at 10:00, c at 10:01, b at 10:02, c at 10:03.
# sequential: a, b (+120 s), c (+60 s); strict: the c at 10:01 breaks it
# after a; any: c (+60 s), then b (+60 s).
@test "ev-funnel: the three modes on one attempt" {
	{ ev a 10:00:00 u1; ev c 10:01:00 u1; ev b 10:02:00 u1; ev c 10:03:00 u1; } >in
	run --separate-stderr ev-funnel --steps a,b,c --within 1h <in
	assert_success
	assert_output '{"start":"2026-03-02T00:00:00Z","end":"2026-03-03T00:00:00Z","steps":["a","b","c"],"entered":1,"excluded":0,"converted":1,"conversion_rate":1,"reached_1":1,"reached_2":1,"reached_3":1,"rate_2":1,"rate_prev_2":1,"drop_2":0,"median_s_2":120,"p90_s_2":120,"rate_3":1,"rate_prev_3":1,"drop_3":0,"median_s_3":60,"p90_s_3":60,"final":false}'
	run --separate-stderr ev-funnel --steps a,b,c --within 1h --mode strict <in
	assert_success
	assert_output --partial '"entered":1,"excluded":0,"converted":0,"conversion_rate":0,"reached_1":1,"reached_2":0,"reached_3":0,'
	run --separate-stderr ev-funnel --steps a,b,c --within 1h --mode any <in
	assert_success
	assert_output --partial '"converted":1,'
	assert_output --partial '"median_s_2":60,"p90_s_2":60,'
	assert_output --partial '"median_s_3":60,"p90_s_3":60,'
	# Outside the window: c at 10:03 is 3 minutes after a.
	run --separate-stderr ev-funnel --steps a,b,c --within 2m <in
	assert_output --partial '"reached_1":1,"reached_2":1,"reached_3":0,'
}

@test "ev-funnel: an exclusion before the conversion disqualifies the attempt, after it does not" {
	{
		ev a 10:00:00 u2; ev x 10:05:00 u2; ev b 10:10:00 u2; ev c 10:20:00 u2
		ev a 10:00:00 u3; ev b 10:10:00 u3; ev c 10:20:00 u3; ev x 10:30:00 u3
		ev a 10:00:00 u4; ev x 10:50:00 u4
		ev a 10:00:00 u5; ev x 11:30:00 u5
	} | sort -t'"' -k8 >in
	run --separate-stderr ev-funnel --steps a,b,c --exclude x --within 1h --stats st.json <in
	assert_success
	assert_output --partial '"entered":2,"excluded":2,"converted":1,"conversion_rate":0.5,"reached_1":2,"reached_2":1,"reached_3":1,'
	assert_equal "$(stat_of st.json attempts)" 4
	assert_balanced st.json
}

@test "ev-funnel: step conditions, --by from the first step, attempts one after another" {
	{
		ev view 10:00:00 u1 ',"context":{"platform":"ios"}'
		ev buy 10:10:00 u1 ',"properties":{"amount":0}'
		ev buy 10:20:00 u1 ',"properties":{"amount":5}'
		ev view 10:30:00 u1 ',"context":{"platform":"web"}'
		ev view 11:30:00 u1 ',"context":{"platform":"web"}'
		ev view 11:31:00 u2
	} >in
	run --separate-stderr ev-funnel --step view --step 'buy:properties.amount > 0' \
	    --within 1h --by context.platform --stats st.json <in
	assert_success
	assert_output "$(cat <<'OUT'
{"start":"2026-03-02T00:00:00Z","end":"2026-03-03T00:00:00Z","platform":"ios","steps":["view","buy"],"entered":1,"excluded":0,"converted":1,"conversion_rate":1,"reached_1":1,"reached_2":1,"rate_2":1,"rate_prev_2":1,"drop_2":0,"median_s_2":1200,"p90_s_2":1200,"final":false}
{"start":"2026-03-02T00:00:00Z","end":"2026-03-03T00:00:00Z","platform":"web","steps":["view","buy"],"entered":1,"excluded":0,"converted":0,"conversion_rate":0,"reached_1":1,"reached_2":0,"rate_2":0,"rate_prev_2":0,"drop_2":1,"median_s_2":null,"p90_s_2":null,"final":false}
{"start":"2026-03-02T00:00:00Z","end":"2026-03-03T00:00:00Z","platform":null,"steps":["view","buy"],"entered":1,"excluded":0,"converted":0,"conversion_rate":0,"reached_1":1,"reached_2":0,"rate_2":0,"rate_prev_2":0,"drop_2":1,"median_s_2":null,"p90_s_2":null,"final":false}
OUT
)"
	# The view at 10:30 falls in the first attempt's hour; 11:30 starts
	# the second (the window is [10:00, 11:00]).
	assert_equal "$(stat_of st.json attempts)" 3
	assert_equal "$(stat_of st.json filtered)" 1
	assert_balanced st.json
}

@test "ev-funnel: a period is final once the watermark reaches its end plus --within" {
	{ ev view 10:00:00 u1; printf '%s\n' '{"event":"view","ts":"2026-03-03T00:59:59Z","user_id":"u2"}'; } >in
	run --separate-stderr ev-funnel --steps view,buy --within 1h <in
	assert_success
	assert_line --index 0 --partial '"start":"2026-03-02T00:00:00Z"'
	assert_line --index 0 --partial '"final":false}'
	printf '%s\n' '{"event":"view","ts":"2026-03-03T01:00:00Z","user_id":"u3"}' >>in
	run --separate-stderr ev-funnel --steps view,buy --within 1h <in
	assert_success
	assert_line --index 0 --partial '"start":"2026-03-02T00:00:00Z"'
	assert_line --index 0 --partial '"entered":1,'
	assert_line --index 0 --partial '"final":true}'
	assert_line --index 1 --partial '"start":"2026-03-03T00:00:00Z"'
	assert_line --index 1 --partial '"entered":2,'
	assert_line --index 1 --partial '"final":false}'
	run --separate-stderr ev-funnel --steps view,buy --within 1h --final-at-eof <in
	assert_line --index 1 --partial '"final":true}'
}

@test "ev-funnel: the day-1 record is written before the input ends" {
	# The writer keeps the input open until the record has come out (or
	# gives up after about ten seconds) and says which it was; a read
	# from a fifo nobody writes is its pause.
	mkfifo tick
	{
		ev view 10:00:00 u1
		ev view 11:00:00 u2
		printf '%s\n' '{"event":"view","ts":"2026-03-03T00:02:00Z","user_id":"u3"}'
		for _ in $(seq 100); do
			[ -s out ] && break
			read -r -t 0.1 _ <>"$T/tick" || true
		done
		[ -s out ] && echo early >seen
	} | ev-funnel --steps view,buy --within 1m >out
	assert_equal "$(cat seen)" early
	assert_equal "$(head -n 1 out)" '{"start":"2026-03-02T00:00:00Z","end":"2026-03-03T00:00:00Z","steps":["view","buy"],"entered":2,"excluded":0,"converted":0,"conversion_rate":0,"reached_1":2,"reached_2":0,"rate_2":0,"rate_prev_2":0,"drop_2":2,"median_s_2":null,"p90_s_2":null,"final":true}'
}

@test "ev-funnel: late events go to --late; out-of-order events within --lateness count" {
	{ ev a 10:05:00 u1; ev a 10:00:00 u2; ev b 10:04:00 u2; ev a 09:00:00 u3; } >in
	run --separate-stderr ev-funnel --steps a,b --within 1h --lateness 5m --late late.ndjson --stats st.json <in
	assert_success
	assert_output --partial '"entered":2,"excluded":0,"converted":1,'
	assert_equal "$(jq -r .reason late.ndjson)" late
	assert_equal "$(jq -r .line late.ndjson)" 4
	assert_equal "$(stat_of st.json late)" 1
	assert_balanced st.json
}

@test "ev-funnel: rejects (parse, time, user, a failing condition) balance the stats and exit 1" {
	{
		echo 'not json'
		echo '{"event":"a","user_id":"u1"}'
		echo '{"event":"a","ts":"2026-03-02T10:00:00Z","n":2}'
		echo '{"event":"a","ts":"2026-03-02T10:00:00Z","user_id":"u1","n":"x"}'
		echo '{"event":"a","ts":"2026-03-02T10:00:00Z","user_id":"u1","n":2}'
		echo '{"event":"z","ts":"2026-03-02T10:00:00Z"}'
	} >in
	run --separate-stderr ev-funnel --step 'a:n * 2 > 1' --step b --within 1h \
	    --rejects rej.ndjson --stats st.json <in
	assert_failure 1
	assert_output --partial '"entered":1,'
	assert_equal "$(jq -r .reason rej.ndjson | tr '\n' ' ')" "parse time user type "
	assert_equal "$(jq -r 'select(.reason == "type") | .errors[0].message' rej.ndjson)" \
	    "$(jq -r 'select(.reason == "type") | .errors[0].message' rej.ndjson | grep "^--step 'n \* 2 > 1'")"
	assert_equal "$(stat_of st.json rejected)" 4
	assert_equal "$(stat_of st.json filtered)" 1
	assert_balanced st.json
}

@test "ev-funnel: --where keeps the events it holds for, counts the others as filtered" {
	{
		ev view 10:00:00 u1 ',"country":"de"'
		ev buy 10:10:00 u1 ',"country":"fr"'
		ev buy 10:20:00 u1 ',"country":"de"'
		ev view 10:05:00 u2 ',"country":"fr"'
		ev buy 10:06:00 u2 ',"country":"fr"'
		ev view 10:07:00 u3
		ev buy 10:08:00 u3 ',"country":"de"'
		ev other 10:09:00 u3 ',"country":"de"'
	} >in
	# The reference: the same funnel over the lines Python keeps.
	python3 -c '
import json, sys
for l in open("in"):
    if json.loads(l).get("country") == "de":
        sys.stdout.write(l)' >kept
	ev-funnel --steps view,buy --within 1h <kept >want
	run --separate-stderr ev-funnel --steps view,buy --within 1h \
	    --where 'country == "de"' --stats st.json <in
	assert_success
	assert_output "$(cat want)"
	assert_output --partial '"entered":1,"excluded":0,"converted":1,'
	# 4 lines --where leaves out (one with no country: null is not true)
	# and the event of no step.
	assert_equal "$(stat_of st.json filtered)" 5
	assert_balanced st.json
	run --separate-stderr ev-funnel --steps view,buy --within 1h \
	    --where 'country * 2 > 1' --rejects rej.ndjson <in
	assert_failure 1
	assert_equal "$(jq -r .reason rej.ndjson | sort -u)" where
	assert_equal "$(jq -r '.errors[0].message' rej.ndjson | head -1 | cut -c1-25)" \
	    "--where 'country * 2 > 1'"
}

@test "ev-funnel: writing to /dev/full exits 3" {
	ev a 10:00:00 u1 >in
	run --separate-stderr sh -c 'ev-funnel --steps a,b --within 1h <in >/dev/full'
	assert_failure 3
	[[ "$stderr" == *"ev-funnel: "*"write error"* ]]
}

@test "ev-funnel: users are held only while their attempt is open" {
	python3 -c '
import json
for i in range(2000):
    print(json.dumps({"event": "a", "ts": 1772409600 + 600 * i, "user_id": "u%d" % i}))
' >in
	run --separate-stderr ev-funnel --steps a,b --within 1m --period 1h --stats st.json <in
	assert_success
	assert_equal "$(stat_of st.json attempts)" 2000
	# The user of the newest event, and the one whose window it closes.
	[ "$(stat_of st.json peak_users)" -le 2 ]
}

@test "ev-funnel: every figure equals an SQL funnel (sqlite3) on random streams" {
	command -v sqlite3 >/dev/null || skip "sqlite3 is not installed (scripts/install-deps --test)"
	run python3 "$EVKIT_TOP/tests/funnel_prop.py" "$EVKIT_BIN" 7 200
	assert_success
	assert_output '200 streams agree'
}

@test "ev-funnel: the man page EXAMPLES run" {
	# Thirty days of 60 users; on day 26 few add to the cart.
	python3 -c '
import json, random
r = random.Random(3)
evs = []
for d in range(30):
    for u in range(60):
        t = 1772409600 + d * 86400 + r.randint(0, 80000)
        evs.append({"event": "view", "ts": t, "user_id": "u%d" % u,
                    "context": {"platform": r.choice(["ios", "web"])}})
        if r.random() < (0.5 if d != 25 else 0.05):
            evs.append({"event": "add_to_cart", "ts": t + 60, "user_id": "u%d" % u})
            if r.random() < 0.6:
                evs.append({"event": "purchase", "ts": t + 600, "user_id": "u%d" % u,
                            "properties": {"amount": 5}})
evs.sort(key=lambda e: e["ts"])
for e in evs:
    print(json.dumps(e))
' >events.ndjson
	run --separate-stderr ev-funnel --step view --step add_to_cart \
	  --step 'purchase:properties.amount > 0' --within 1h \
	  --by context.platform < events.ndjson
	assert_success
	assert_equal "${#lines[@]}" 60
	assert_equal "$(jq -s 'map(.entered) | add' <<<"$output")" 1800

	run --separate-stderr ev-funnel --steps view,add_to_cart,purchase --mode strict --within 1h \
	  --period 1h --lateness 5m --exclude refund < events.ndjson
	assert_success
	assert_equal "$(jq -s 'map(.entered) | add' <<<"$output")" 1800

	[ -x "$EVKIT_BIN/ev-detect" ] || skip "ev-detect is not built"
	run --separate-stderr sh -c 'ev-funnel --steps view,add_to_cart,purchase --within 1h < events.ndjson |
	  ev-detect --value conversion_rate --alerts'
	assert_success
	assert_line --index 0 --partial '"start":"2026-03-27T00:00:00Z"'
	assert_line --index 0 --partial '"direction":"down"'
}

@test "ev-funnel: records are window records: the schema holds, ev-report never sums a rate" {
	[ -x "$EVKIT_BIN/ev-validate" ] && [ -x "$EVKIT_BIN/ev-report" ] ||
		skip "ev-validate or ev-report is not built"
	{
		ev view 10:00:00 u2 ',"context":{"platform":"web"}'
		ev view 10:00:00 u1 ',"context":{"platform":"ios"}'; ev buy 10:10:00 u1
		printf '%s\n' '{"event":"view","ts":"2026-03-03T10:00:00Z","user_id":"u3"}'
	} >in
	ev-funnel --steps view,buy --within 1h --by context.platform <in >out
	run --separate-stderr ev-validate --schema "$EVKIT_TOP/schemas/records/window.json" <out
	assert_success
	assert_output "$(cat out)"
	run --separate-stderr sh -c 'ev-report -f json <out |
	    jq -c "[.. | objects | select(has(\"additive\")) | [.name, .additive]]"'
	assert_success
	assert_output '[["entered",true],["excluded",true],["converted",true],["conversion_rate",false],["reached_1",true],["reached_2",true],["rate_2",false],["rate_prev_2",false],["drop_2",true],["median_s_2",false],["p90_s_2",false]]'
}

@test "ev-funnel: a line of invalid UTF-8 is a utf8 reject, as in every tool" {
	printf '{"event":"signup","ts":"2026-03-02T10:00:00Z","user_id":"\x80"}\n' >in
	printf '{"event":"signup","ts":"2026-03-02T10:00:00Z","user_id":"\xc3\xa9"}\n' >>in
	run --separate-stderr ev-funnel --steps signup --within 1h --rejects rej --stats st.json <in
	assert_failure 1
	assert_equal "$(jq -r '"\(.line) \(.reason)"' rej)" "1 utf8"
	assert_equal "$(stat_of st.json rejected)" 1
	assert_balanced st.json
}
