#!/usr/bin/env bats
# The expression language (evkit(7), EXPRESSIONS): --where in ev-validate,
# ev-enrich, ev-window and ev-report, ev-enrich --set and --unset, the
# examples of the page, and a property test against a Python evaluator.

load helper

# events N: N events of ev-gen's traffic (an hour holds ~1500).
events() {
	ev-gen --seed 5 --duration 2h | head -n "$1"
}

@test "ev-expr: the ten examples of evkit(7) give what the page shows" {
	# Each example is a '$ command' line and the output after it, in the
	# literal blocks of "Expression examples"; \e is mdoc's backslash.
	awk '
		/^\.Ss Expression examples/ { on = 1; next }
		/^\.S[hs] / { on = 0 }
		on && /^\.Bd -literal/ { n++; blk = 1; next }
		on && /^\.Ed/ { blk = 0; next }
		on && blk {
			gsub(/\\e/, "\\")
			if (substr($0, 1, 2) == "$ ")
				print substr($0, 3) > ("cmd." n)
			else
				print > ("want." n)
		}
		END { print n > "count" }
	' "$EVKIT_TOP/man/evkit.7"
	assert_equal "$(cat count)" 10
	# Not i: bats's run uses it.
	for ex in $(seq 1 10); do
		run --separate-stderr bash "cmd.$ex"
		if [ "$output" != "$(cat "want.$ex")" ]; then
			echo "example $ex: $(cat "cmd.$ex")" >&2
			echo "got:  $output" >&2
			echo "want: $(cat "want.$ex")" >&2
			return 1
		fi
	done
}

@test "ev-expr: --set and --where agree with a Python evaluation on random expressions and records" {
	run python3 "$EVKIT_TOP/tests/expr_prop.py" "$EVKIT_BIN" 11 120
	assert_success
	assert_output --partial "120 expressions"
}

@test "ev-expr: a parse error names the option and the column, exit 2 before input" {
	run --separate-stderr ev-enrich --set 'x = a +' </dev/null
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" "ev-enrich: --set 'x = a +': expected a value at column 8"
	run --separate-stderr ev-validate -s /dev/null --where 'n >' </dev/null
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" "ev-validate: --where 'n >': expected a value at column 4"
	run --separate-stderr ev-window --tumble 1m --where 'lower(x' </dev/null
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" "ev-window: --where 'lower(x': expected ',' or ')' at column 8"
	run --separate-stderr ev-report --where 'a == "b' </dev/null
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" "ev-report: --where 'a == \"b': unterminated string at column 6"
	run --separate-stderr ev-enrich --where 'a' --where 'b' </dev/null
	assert_equal "$status" 2
	run --separate-stderr ev-window --merge --where 'a' </dev/null
	assert_equal "$status" 2
}

@test "ev-expr: every program's --help names --where, and ev-enrich's --set and --unset" {
	for p in ev-validate ev-enrich ev-window ev-report; do
		run --separate-stderr "$p" --help
		assert_success
		assert_output --partial '--where EXPR'
	done
	run --separate-stderr ev-enrich --help
	assert_output --partial "--set 'PATH = EXPR'"
	assert_output --partial '--unset PATH'
}

@test "ev-expr: every program's --help carries the grammar, and its examples hold on a record made to match them" {
	for p in ev-validate ev-enrich ev-window ev-report ev-funnel ev-retention; do
		run --separate-stderr "$p" --help
		assert_success
		assert_output --partial 'EXPR, the expression language (evkit(7), EXPRESSIONS):'
		assert_output --partial 'operators  from tightest:'
	done
	# The examples after "e.g.", one per line, between single quotes.
	ev-enrich --help | sed -n "/^  e\.g\./,\$p" |
	    sed -n "s/^[^']*'\(.*\)'\$/\1/p" >examples
	assert_equal "$(wc -l <examples)" 3
	rec='{"event":"purchase","ts":"2026-03-02T10:00:00Z","properties":{"amount":5},"context":{"platform":"ios"}}'
	miss='{"event":"view","ts":"2026-03-02T05:00:00Z","properties":{"amount":0},"context":{"platform":"web"}}'
	while IFS= read -r x; do
		run --separate-stderr ev-enrich --where "$x" --set 'hit = true' \
		    <<<"$rec"
		assert_success
		assert_output --partial '"hit":true'
		# 05:00Z is 06:00 in Berlin, a web view with no amount.
		run --separate-stderr ev-enrich --where "$x" --set 'hit = true' \
		    <<<"$miss"
		assert_success
		assert_output "$miss"
	done <examples
}

@test "ev-expr: ev-enrich --where passes the other events on byte for byte and enriches only the matching ones" {
	printf '%s\n' '{"a": 1,  "b":"x"}' '{"a":3,"b":"y"}' '{"b":"z"}' '{"a":"s"}' >in.ndjson
	run --separate-stderr ev-enrich --where 'a >= 2' --set 'c = b + "!"' \
	    --stats st.json --rejects rej.ndjson <in.ndjson
	assert_equal "$status" 1
	assert_equal "${lines[0]}" '{"a": 1,  "b":"x"}'
	assert_equal "${lines[1]}" '{"a":3,"b":"y","c":"y!"}'
	assert_equal "${lines[2]}" '{"b":"z"}'
	assert_equal "${#lines[@]}" 3
	run jq -c '[.line, .reason, .errors[0].instance, .errors[0].message]' rej.ndjson
	assert_output '[4,"where","/a","--where '"'a >= 2'"': a: '"'>='"' needs two numbers or two strings, got a string and a number"]'
	assert_balanced st.json
	assert_equal "$(stat_of st.json passed)" 3
	assert_equal "$(jq -c .expr st.json)" '{"filtered":2,"changed":1}'
}

@test "ev-expr: ev-enrich --set replaces a member, sets a nested one, sees an earlier --set; --unset removes" {
	echo '{"a":1,"p":{"x":2,"y":3},"old":true}' >in.ndjson
	run --separate-stderr ev-enrich --set 'a = a + 10' --set 'p.x = p.x * p.y' \
	    --set 'n = a * 2' --set 'p.z = "new"' --unset old <in.ndjson
	assert_success
	run jq -cS . <<<"$output"
	assert_output '{"a":11,"n":22,"p":{"x":6,"y":3,"z":"new"}}'
	# A value in the way of a nested --set is a reject, not a crash.
	echo '{"p":5}' | ev-enrich --set 'p.x = 1' --rejects rej.ndjson || true
	run jq -r '.errors[0].message' rej.ndjson
	assert_output --partial "--set 'p.x = 1'"
}

@test "ev-expr: ev-validate --where counts what it leaves out as filtered, after validation" {
	echo '{"type":"object","required":["event"]}' >s.json
	printf '%s\n' '{"event":"a","n":1}' '{"event":"b","n":5}' '{"n":9}' \
	    '{"event":"c","n":"x"}' '{"event":"d"}' >in.ndjson
	run --separate-stderr ev-validate -s s.json --where 'n > 2' \
	    --stats st.json --rejects rej.ndjson <in.ndjson
	assert_equal "$status" 1
	assert_output '{"event":"b","n":5}'
	run jq -c '[.reason, .line]' rej.ndjson
	assert_output $'["schema",3]\n["where",4]'
	assert_balanced st.json
	assert_equal "$(stat_of st.json filtered)" 2
}

@test "ev-expr: ev-window --where sums what a Python filter of the same events sums" {
	events 1500 >in.ndjson
	ev-window --tumble 1h --by event --final-at-eof --stats st.json \
	    --where 'event in ["purchase", "add_to_cart"] and properties.amount > 20 or starts_with(user_id, "u1")' \
	    --agg 'count,sum(properties.amount) as amount' <in.ndjson >out.ndjson
	python3 - in.ndjson out.ndjson <<'EOF'
import json, sys
from collections import defaultdict
want = defaultdict(lambda: [0, 0.0])
for line in open(sys.argv[1]):
    e = json.loads(line)
    amt = e.get("properties", {}).get("amount")
    keep = (e["event"] in ("purchase", "add_to_cart") and amt is not None
            and amt > 20) or e["user_id"].startswith("u1")
    if keep:
        w = want[(e["ts"][:13], e["event"])]
        w[0] += 1
        w[1] += amt if isinstance(amt, (int, float)) else 0
got = {}
for line in open(sys.argv[2]):
    r = json.loads(line)
    got[(r["start"][:13], r["event"])] = [r["count"], r.get("amount") or 0]
assert set(got) == set(want), (sorted(got), sorted(want))
for k in want:
    assert got[k][0] == want[k][0], (k, got[k], want[k])
    assert abs(got[k][1] - want[k][1]) < 1e-6, (k, got[k], want[k])
print(len(want), "windows agree")
EOF
	assert_balanced st.json
	[ "$(stat_of st.json filtered)" -gt 0 ]
}

@test "ev-expr: ev-report --where reports only the matching result records" {
	printf '%s\n' \
	    '{"start":"2026-01-01T00:00:00Z","end":"2026-01-01T00:01:00Z","event":"a","count":3}' \
	    '{"start":"2026-01-01T00:00:00Z","end":"2026-01-01T00:01:00Z","event":"b","count":5}' \
	    '{"start":"2026-01-01T00:01:00Z","end":"2026-01-01T00:02:00Z","event":"b","count":7}' >in.ndjson
	run --separate-stderr ev-report --format csv --where 'event == "b" and time() > 1767225600' \
	    --stats st.json <in.ndjson
	assert_success
	assert_line --partial 'count,event=b,b,2026-01-01T00:01:00Z,7,'
	refute_output --partial 'event=a'
	assert_balanced st.json
	assert_equal "$(stat_of st.json filtered)" 2
}

@test "ev-expr: ev-window sums an expression per window and counts a condition, as Python does" {
	events 1500 >in.ndjson
	ev-window --tumble 1h --by event --final-at-eof --stats st.json \
	    --agg 'count,sum(coalesce(properties.amount, 0) * 2 + 1) as s,count_if(starts_with(user_id, "u1") or hour(ts, "Asia/Kolkata") == 6) as c' \
	    <in.ndjson >out.ndjson
	python3 - in.ndjson out.ndjson <<'PY'
import json, sys
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo
want = defaultdict(lambda: [0, 0.0, 0])
for line in open(sys.argv[1]):
    e = json.loads(line)
    w = want[(e["ts"][:13], e["event"])]
    w[0] += 1
    w[1] += e.get("properties", {}).get("amount", 0) * 2 + 1
    t = datetime.fromisoformat(e["ts"].replace("Z", "+00:00"))
    w[2] += e["user_id"].startswith("u1") or \
        t.astimezone(ZoneInfo("Asia/Kolkata")).hour == 6
got = {(r["start"][:13], r["event"]): [r["count"], r["s"], r["c"]]
       for r in map(json.loads, open(sys.argv[2]))}
assert set(got) == set(want)
for k, w in want.items():
    g = got[k]
    assert g[0] == w[0] and g[2] == w[2], (k, g, w)
    assert abs(g[1] - w[1]) < 1e-6 * max(1, abs(w[1])), (k, g, w)
PY
	assert_balanced st.json
	# An expression needs a name, and a failing one is a reject.
	run --separate-stderr ev-window --tumble 1h --agg 'sum(a * 2)' </dev/null
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" "ev-window: --agg: sum(a * 2) needs a name: 'sum(EXPR) as NAME'"
	echo '{"ts":"2026-01-01T00:00:00Z","a":"x"}' |
	    ev-window --tumble 1h --agg 'sum(a * 2) as s' --rejects rej.ndjson || true
	run jq -r '[.reason, .errors[0].message] | @tsv' rej.ndjson
	assert_output $'type\ts: a: \'*\' needs numbers, got a string'
}

@test "ev-expr: ev-window --derive computes a ratio per window, after --merge, and counts what fails" {
	printf '%s\n' '{"event":"view","ts":"2026-01-01T00:00:01Z","u":"x"}' \
	    '{"event":"purchase","ts":"2026-01-01T00:00:03Z","u":"y"}' >a.ndjson
	printf '%s\n' '{"event":"purchase","ts":"2026-01-01T00:00:05Z","u":"z"}' \
	    '{"event":"view","ts":"2026-01-01T00:01:05Z","u":"z"}' >b.ndjson
	aggs='count_if(event == purchase) as purchases,distinct(u) as users'
	for s in a b; do
		ev-window --tumble 1m --final-at-eof --emit partial --agg "$aggs" \
		    --derive 'cr = purchases / users' <"$s.ndjson" >"$s.part"
	done
	# Partial records carry no derived column: it is computed after merging.
	run grep -c '"cr"' a.part b.part
	assert_output $'a.part:0\nb.part:0'
	run --separate-stderr bash -c 'cat a.part b.part | ev-window --merge \
	    --agg "$1" --derive "cr = round(purchases / users, 3)" \
	    --derive "per_user = 1 / purchases" --stats st.json' _ "$aggs"
	assert_success
	assert_line --index 0 '{"start":"2026-01-01T00:00:00Z","end":"2026-01-01T00:01:00Z","purchases":2,"users":3,"final":true,"cr":0.667,"per_user":0.5}'
	assert_line --index 1 '{"start":"2026-01-01T00:01:00Z","end":"2026-01-01T00:02:00Z","purchases":0,"users":1,"final":true,"cr":0,"per_user":null}'
	[[ $stderr == *"--derive 'per_user = 1 / purchases': purchases: division by zero (written as null"* ]]
	assert_equal "$(stat_of st.json derive_errors)" 1
	run --separate-stderr ev-window --tumble 1m --derive 'a.b = 1' </dev/null
	assert_equal "$status" 2
}

@test "ev-expr: an ev-window state belongs to its --where, and a state saved before --where still loads without one" {
	echo '{"ts":"2026-01-01T00:00:01Z","event":"a"}' >one.ndjson
	# The second run's later event closes the first hour, with both events.
	cat one.ndjson - >two.ndjson <<<'{"ts":"2026-01-01T02:00:00Z","event":"a"}'
	ev-window --tumble 1h --state s.json --where 'event == "a"' <one.ndjson
	run --separate-stderr ev-window --tumble 1h --state s.json --where 'event == "b"' <one.ndjson
	assert_equal "$status" 3
	[[ $stderr == *"written with other settings"* ]]
	run --separate-stderr ev-window --tumble 1h --state s.json --where 'event == "a"' <two.ndjson
	assert_success
	assert_output --partial '"start":"2026-01-01T00:00:00Z","end":"2026-01-01T01:00:00Z","count":2'
	ev-window --tumble 1h --state t.json <one.ndjson
	run --separate-stderr ev-window --tumble 1h --state t.json <two.ndjson
	assert_success
	assert_output --partial '"start":"2026-01-01T00:00:00Z","end":"2026-01-01T01:00:00Z","count":2'
}
