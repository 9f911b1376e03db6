#!/usr/bin/env bats
# ev-retention: cohort retention per cohort period and period n
# (ev-retention(1)).

load helper

# ev NAME DAY TIME USER: one event line on 2026-03-DAY.
ev() {
	printf '{"event":"%s","ts":"2026-03-%sT%sZ","user_id":"%s"}\n' \
	    "$1" "$2" "$3" "$4"
}

@test "ev-retention: --help prints the usage and exits 0" {
	run --separate-stderr ev-retention --help
	assert_success
	assert_line --index 0 --partial 'usage: ev-retention [--start NAME] [--return any|NAME ...]'
	assert_output --partial '--mode MODE'
}

@test "ev-retention: usage errors exit 2 before reading input" {
	run --separate-stderr ev-retention --bogus </dev/null
	assert_failure 2
	run --separate-stderr ev-retention --mode loose </dev/null
	assert_failure 2
	[[ "$stderr" == "ev-retention: --mode 'loose': use bounded or unbounded"$'\n'* ]]
	run --separate-stderr ev-retention --periods 0 </dev/null
	assert_failure 2
	run --separate-stderr ev-retention --periods 65 </dev/null
	assert_failure 2
	run --separate-stderr ev-retention --period 0 </dev/null
	assert_failure 2
	run --separate-stderr ev-retention --start '' </dev/null
	assert_failure 2
}

@test "ev-retention: --where keeps the events it holds for, counts the others as filtered" {
	{
		ev signup 02 10:00:00 u1
		ev signup 02 10:00:00 u2
		ev view 10 10:00:00 u1
		ev view 10 11:00:00 u2
		ev view 17 10:00:00 u2
	} | sed 's/"user_id":"u2"/&,"test":true/' >in
	# The reference: the same run over the lines Python keeps (no test
	# flag, or test false).
	python3 -c '
import json, sys
for l in open("in"):
    if json.loads(l).get("test") is not True:
        sys.stdout.write(l)' >kept
	ev-retention --periods 3 <kept >want
	run --separate-stderr ev-retention --periods 3 \
	    --where 'coalesce(test, false) == false' --stats st.json <in
	assert_success
	assert_output "$(cat want)"
	assert_output --partial '"cohort_users":1,'
	assert_equal "$(stat_of st.json filtered)" 3
	assert_balanced st.json
}

@test "ev-retention: empty input writes nothing and exits 0" {
	run --separate-stderr ev-retention </dev/null
	assert_success
	assert_output ''
}

# Daily periods, 3 of them.  a signs up on day 2 and comes back the same
# day and on day 4; b signs up on day 2, only its signup; c signs up on
# day 3 and comes back on day 4 and 5 (period 2).  The last event, at
# the end of day 5, closes every period ending by then.
@test "ev-retention: bounded and unbounded on a small stream; the start event is not a return" {
	{
		ev signup 02 10:00:00 a; ev signup 02 11:00:00 b
		ev view 02 12:00:00 a; ev signup 03 09:00:00 c
		ev view 04 08:00:00 a; ev view 04 09:00:00 c
		ev view 05 23:59:59 c
	} >in
	run --separate-stderr ev-retention --period 1d --periods 3 <in
	assert_success
	assert_output "$(cat <<'OUT'
{"start":"2026-03-02T00:00:00Z","end":"2026-03-03T00:00:00Z","period":"0","cohort_users":2,"retained_users":1,"retention_rate":0.5,"final":true}
{"start":"2026-03-02T00:00:00Z","end":"2026-03-03T00:00:00Z","period":"1","cohort_users":2,"retained_users":0,"retention_rate":0,"final":true}
{"start":"2026-03-03T00:00:00Z","end":"2026-03-04T00:00:00Z","period":"0","cohort_users":1,"retained_users":0,"retention_rate":0,"final":true}
{"start":"2026-03-02T00:00:00Z","end":"2026-03-03T00:00:00Z","period":"2","cohort_users":2,"retained_users":1,"retention_rate":0.5,"final":true}
{"start":"2026-03-03T00:00:00Z","end":"2026-03-04T00:00:00Z","period":"1","cohort_users":1,"retained_users":1,"retention_rate":1,"final":true}
{"start":"2026-03-03T00:00:00Z","end":"2026-03-04T00:00:00Z","period":"2","cohort_users":1,"retained_users":1,"retention_rate":1,"final":false}
OUT
)"
	run --separate-stderr ev-retention --period 1d --periods 3 --mode unbounded --final-at-eof <in
	assert_success
	assert_output "$(cat <<'OUT'
{"start":"2026-03-02T00:00:00Z","end":"2026-03-03T00:00:00Z","period":"0","cohort_users":2,"retained_users":1,"retention_rate":0.5,"final":true}
{"start":"2026-03-02T00:00:00Z","end":"2026-03-03T00:00:00Z","period":"1","cohort_users":2,"retained_users":1,"retention_rate":0.5,"final":true}
{"start":"2026-03-02T00:00:00Z","end":"2026-03-03T00:00:00Z","period":"2","cohort_users":2,"retained_users":1,"retention_rate":0.5,"final":true}
{"start":"2026-03-03T00:00:00Z","end":"2026-03-04T00:00:00Z","period":"0","cohort_users":1,"retained_users":1,"retention_rate":1,"final":true}
{"start":"2026-03-03T00:00:00Z","end":"2026-03-04T00:00:00Z","period":"1","cohort_users":1,"retained_users":1,"retention_rate":1,"final":true}
{"start":"2026-03-03T00:00:00Z","end":"2026-03-04T00:00:00Z","period":"2","cohort_users":1,"retained_users":1,"retention_rate":1,"final":true}
OUT
)"
	# Only views of a second kind return: none.
	run --separate-stderr ev-retention --period 1d --periods 1 --return buy <in
	assert_success
	assert_output --partial '"period":"0","cohort_users":2,"retained_users":0,'
}

@test "ev-retention: a start event at the end of the horizon enters the user again" {
	{ ev signup 02 10:00:00 a; ev signup 04 00:00:00 a; ev view 04 01:00:00 a; } >in
	run --separate-stderr ev-retention --period 1d --periods 2 --final-at-eof <in
	assert_success
	assert_line --index 0 '{"start":"2026-03-02T00:00:00Z","end":"2026-03-03T00:00:00Z","period":"0","cohort_users":1,"retained_users":0,"retention_rate":0,"final":true}'
	assert_line --index 2 '{"start":"2026-03-04T00:00:00Z","end":"2026-03-05T00:00:00Z","period":"0","cohort_users":1,"retained_users":1,"retention_rate":1,"final":true}'
}

@test "ev-retention: late events go to --late; out-of-order events within --lateness count" {
	# c's return at 09:00 comes after a's 10:00 view, within 2h.
	{ ev signup 02 08:00:00 c; ev view 02 10:00:00 a; ev view 02 09:00:00 c; ev view 02 05:00:00 c; } >in
	run --separate-stderr ev-retention --period 1d --periods 1 --lateness 2h --late late.ndjson --stats st.json <in
	assert_success
	assert_output --partial '"cohort_users":1,"retained_users":1,'
	assert_equal "$(jq -c .reason late.ndjson)" '"late"'
	assert_equal "$(stat_of st.json late)" 1
	assert_equal "$(stat_of st.json aggregated)" 3
}

@test "ev-retention: rejects (parse, time, user) balance the stats and exit 1" {
	{
		echo '{"event":"signup","ts":"2026-03-02T10:00:00Z","user_id":"a"'
		echo '{"event":"signup","ts":"nope","user_id":"a"}'
		echo '{"event":"signup","ts":"2026-03-02T10:00:00Z"}'
		ev other 02 10:00:00 a
		ev signup 02 10:00:00 a
	} >in
	run --separate-stderr ev-retention --return view --stats st.json --rejects rej.ndjson <in
	assert_failure 1
	assert_equal "$(jq -r .reason rej.ndjson | tr '\n' ' ')" 'parse time user '
	assert_equal "$(stat_of st.json in)" 5
	assert_equal "$(stat_of st.json rejected)" 3
	assert_equal "$(stat_of st.json filtered)" 1
	assert_equal "$(stat_of st.json aggregated)" 1
}

@test "ev-retention: writing to /dev/full exits 3" {
	ev signup 02 10:00:00 a >in
	run --separate-stderr sh -c 'ev-retention <in >/dev/full'
	assert_failure 3
}

@test "ev-retention: users are held only while their cohort is within the horizon" {
	python3 -c '
import json
for i in range(2000):
    print(json.dumps({"event": "signup", "ts": 1772409600 + 3600 * i, "user_id": "u%d" % i}))
' >in
	run --separate-stderr ev-retention --period 1h --periods 2 --stats st.json <in
	assert_success
	assert_equal "$(stat_of st.json cohort_users)" 2000
	assert_equal "${#lines[@]}" 4000
	# The users of the last two hours, and the newest event's.
	[ "$(stat_of st.json peak_users)" -le 3 ]
}

@test "ev-retention: every figure equals an SQL retention (sqlite3) on random streams" {
	command -v sqlite3 >/dev/null || skip "sqlite3 is not installed (scripts/install-deps --test)"
	run python3 "$EVKIT_TOP/tests/retention_prop.py" "$EVKIT_BIN" 7 200
	assert_success
	assert_output '200 streams agree'
}

@test "ev-retention: the man page EXAMPLES run" {
	# Ten weeks of signups; a user comes back in week k with chance 0.5^k.
	python3 -c '
import json, random
r = random.Random(5)
evs = []
for u in range(300):
    t = 1772409600 + r.randint(0, 10 * 7 * 86400)
    evs.append({"event": "signup", "ts": t, "user_id": "u%d" % u})
    for k in range(1, 9):
        if r.random() < 0.5 ** k:
            evs.append({"event": r.choice(["view", "purchase"]), "ts": t + k * 7 * 86400,
                        "user_id": "u%d" % u})
evs.sort(key=lambda e: e["ts"])
for e in evs:
    print(json.dumps(e))
' >events.ndjson
	run --separate-stderr ev-retention < events.ndjson
	assert_success
	assert_equal "$(jq -s 'map(select(.period == "0") | .cohort_users) | add' <<<"$output")" 300
	assert_equal "$(jq -s 'length' <<<"$output")" "$(( 8 * $(jq -s 'map(.start) | unique | length' <<<"$output") ))"

	run --separate-stderr ev-retention --period 1d --periods 14 --return purchase \
	  --mode unbounded --lateness 1h < events.ndjson
	assert_success
	assert_equal "$(jq -s 'map(select(.period == "0") | .cohort_users) | add' <<<"$output")" 300
	# Unbounded: never growing with the period.
	assert_equal "$(jq -s 'group_by(.start) | map(map(.retained_users) | . == (sort | reverse)) | all' <<<"$output")" true
}

@test "ev-retention: records are window records: the schema holds, ev-report never sums a figure" {
	[ -x "$EVKIT_BIN/ev-validate" ] && [ -x "$EVKIT_BIN/ev-report" ] ||
		skip "ev-validate or ev-report is not built"
	{ ev signup 02 10:00:00 a; ev view 03 10:00:00 a; ev signup 03 11:00:00 b; } >in
	ev-retention --period 1d --periods 2 <in >out
	run --separate-stderr ev-validate --schema "$EVKIT_TOP/schemas/records/window.json" <out
	assert_success
	assert_output "$(cat out)"
	run --separate-stderr sh -c 'ev-report -f json <out |
	    jq -c "[.. | objects | select(has(\"additive\")) | [.name, .additive]]"'
	assert_success
	assert_output '[["cohort_users",false],["retained_users",false],["retention_rate",false]]'
}

@test "ev-retention: a line of invalid UTF-8 is a utf8 reject, as in every tool" {
	printf '{"event":"signup","ts":"2026-03-02T10:00:00Z","user_id":"\x80"}\n' >in
	printf '{"event":"signup","ts":"2026-03-02T10:00:00Z","user_id":"\xc3\xa9"}\n' >>in
	run --separate-stderr ev-retention --period 1d --periods 1 --return any --rejects rej --stats st.json <in
	assert_failure 1
	assert_equal "$(jq -r '"\(.line) \(.reason)"' rej)" "1 utf8"
	assert_equal "$(stat_of st.json rejected)" 1
	assert_balanced st.json
}
