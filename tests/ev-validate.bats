#!/usr/bin/env bats
# ev-validate: JSON Schema gate, registry, reload, dedupe, stats and gates.

load helper

V=$DATA/validate

local_setup() {
	cp -R "$V/registry" reg
	cp "$V/events.ndjson" events.ndjson
}

# wait_for CMD...: poll until CMD succeeds (30 s at most).
wait_for() {
	local i
	for i in $(seq 300); do
		if "$@"; then return 0; fi
		sleep 0.1
	done
	echo "timed out waiting for: $*" >&2
	return 1
}

lines_in() { [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]; }

# start_gate ARGS...: ev-validate ARGS in the background reading the fifo
# "in", whose writer end is fd 5 (fd 3 is bats's own); output to
# out.ndjson, diagnostics to err, the process id in $pid.
start_gate() {
	mkfifo in
	ev-validate "$@" < in > out.ndjson 2> err 3>&- &
	pid=$!
	exec 5> in
}

@test "ev-validate: --help prints usage to stdout" {
	run --separate-stderr ev-validate --help
	assert_success
	assert_line --index 0 --partial 'usage: ev-validate'
	assert_output --partial '--registry DIR'
	[ -z "$stderr" ]
}

@test "ev-validate: --schema or --registry is required" {
	run --separate-stderr ev-validate < /dev/null
	assert_failure 2
	[[ "$stderr" == *"give one of --schema and --registry"* ]]
}

@test "ev-validate: empty input gives no output and exit 0" {
	run --separate-stderr ev-validate -r reg < /dev/null
	assert_success
	assert_output ''
}

@test "ev-validate: golden registry run" {
	run --separate-stderr ev-validate -r reg --dedupe event_id \
	    --rejects rej.ndjson < events.ndjson
	assert_failure 1
	diff <(printf '%s\n' "$output") "$V/expected.out"
	diff rej.ndjson "$V/expected.rejects"
}

@test "ev-validate: valid lines pass byte for byte" {
	printf '%s\n' '{ "event_id" : "e-1",  "event":"page_view","ts":"2026-03-02T10:15:05.000+01:00","user_id":"u1","properties":{"path":"/a","title":"\u00e9t\u00e9"},"n":1.50E+2}' > in.ndjson
	run --separate-stderr ev-validate -r reg < in.ndjson
	assert_success
	ev-validate -r reg < in.ndjson > out.ndjson
	cmp in.ndjson out.ndjson
}

@test "ev-validate: rejects carry instance, keyword, absolute and message" {
	sed -n 3p events.ndjson > in.ndjson
	run --separate-stderr ev-validate -r reg --rejects rej.ndjson < in.ndjson
	assert_failure 1
	assert_output ''
	run jq -c '{reason, e: .errors[0]}' rej.ndjson
	assert_output '{"reason":"schema","e":{"instance":"/properties/amount","keyword":"/properties/properties/properties/amount/type","absolute":"https://evkit.example/schemas/purchase/1-0-0#/properties/properties/properties/amount/type","message":"expected number, got string \"12\""}}'
	run jq -r .raw rej.ndjson
	assert_output "$(cat in.ndjson)"
}

@test "ev-validate: without --rejects a reject is one line on stderr" {
	sed -n 3p events.ndjson > in.ndjson
	run --separate-stderr ev-validate -r reg < in.ndjson
	assert_failure 1
	[ "$stderr" = 'ev-validate: <stdin>:1: schema: expected number, got string "12"' ]
}

@test "ev-validate: unknown event and unknown version have their own reason" {
	sed -n 5,6p events.ndjson > in.ndjson
	run --separate-stderr ev-validate -r reg --rejects rej.ndjson \
	    --stats st.json < in.ndjson
	assert_failure 1
	run jq -r '.reason + ": " + .errors[0].message' rej.ndjson
	assert_line --index 0 'unknown_schema: no schema for event "refund"'
	assert_line --index 1 'unknown_schema: no schema for version "9-0-0" of event "purchase"'
	[ "$(stat_of st.json unknown_schema)" = 2 ]
}

# Issue 12 item 3: every schema file was selectable, so a record naming the
# shared fragment as its event was checked against the fragment alone.
@test "ev-validate: a fragment under a _folder is referenced but never selected" {
	ctx='{"platform":"web","country":"DE","app_version":"1.0.0","plan":"free"}'
	{
		echo "{\"event\":\"_common/context\",\"version\":\"1-0-0\",\"context\":$ctx}"
		echo "{\"event\":\"_common/context\",\"platform\":\"web\"}"
		echo "{\"schema\":\"iglu:_common/context/1-0-0\",\"data\":$ctx}"
		echo '{"event_id":"e-1","event":"purchase","ts":"2026-03-02T10:15:10Z","user_id":"u6","properties":{"amount":1,"currency":"USD","sku":"s"},"context":{"platform":"tv"}}'
	} > in.ndjson
	run --separate-stderr ev-validate -r reg --rejects rej.ndjson < in.ndjson
	assert_failure 1
	assert_output ''
	run jq -c '[.reason, .errors[0].message]' rej.ndjson
	assert_line --index 0 '["unknown_schema","no schema for event \"_common/context\""]'
	assert_line --index 1 '["unknown_schema","no schema for event \"_common/context\""]'
	assert_line --index 2 '["unknown_schema","no schema for event \"iglu:_common/context/1-0-0\""]'
	# The fragment still checks the events that reference it.
	assert_line --index 3 '["schema","value is not one of the allowed values"]'
	# A folder of fragments alone holds no event schema.
	rm -r reg/purchase reg/signup reg/page_view reg/activation reg/com.acme
	run --separate-stderr ev-validate -r reg < /dev/null
	assert_failure 2
	[[ "$stderr" == *"no event schemas in registry folder 'reg'"* ]]
}

@test "ev-validate: without a version the latest schema applies" {
	# coupon exists only in purchase 1-1-0.
	line='{"event_id":"e-9","event":"purchase","ts":"2026-03-02T10:15:10Z","user_id":"u6","properties":{"amount":1,"currency":"USD","sku":"s","coupon":"X1"}}'
	run --separate-stderr ev-validate -r reg <<< "$line"
	assert_success
	assert_output "$line"
	old=$(jq -c '.version = "1-0-0"' <<< "$line")
	run --separate-stderr ev-validate -r reg --rejects rej.ndjson <<< "$old"
	assert_failure 1
	run jq -r '.errors[0].message' rej.ndjson
	assert_output 'property "coupon" is not allowed'
}

@test "ev-validate: --event-field and --version-field pick other fields" {
	line='{"name":"signup","v":"1-0-0","event_id":"x","event":"signup","ts":"2026-03-02T10:15:10Z","user_id":"u","properties":{"method":"email"}}'
	run --separate-stderr ev-validate -r reg --event-field name \
	    --version-field /v <<< "$line"
	assert_success
	assert_output "$line"
}

@test "ev-validate: --schema with a folder reads it as a registry" {
	run --separate-stderr ev-validate -s reg --dedupe event_id \
	    --rejects rej.ndjson < events.ndjson
	assert_failure 1
	diff <(printf '%s\n' "$output") "$V/expected.out"
	diff rej.ndjson "$V/expected.rejects"
}

@test "ev-validate: Snowplow self-describing events validate their data" {
	sed -n 8,9p events.ndjson > in.ndjson
	run --separate-stderr ev-validate -r reg --rejects rej.ndjson < in.ndjson
	assert_failure 1
	assert_output "$(sed -n 1p in.ndjson)"
	run jq -c '[.errors[] | .keyword]' rej.ndjson
	assert_output '["/required","/properties/plan/enum"]'
}

@test "ev-validate: --schema checks any JSON value" {
	printf '{"type":"integer","maximum":10}\n' > int.json
	printf '1\n"a"\n[1]\n12\n3.0\n' > in.ndjson
	run --separate-stderr ev-validate -s int.json --rejects rej.ndjson \
	    --stats st.json < in.ndjson
	assert_failure 1
	assert_output $'1\n3.0'
	run jq -r '.errors[0].message' rej.ndjson
	assert_output $'expected integer, got string "a"\nexpected integer, got array\nexpected <= 10, got 12'
	assert_balanced st.json
}

@test "ev-validate: a broken schema at start is exit 2" {
	skip_unless_dir EVKIT_METASCHEMAS
	printf '{"type": "object",\n' > broken.json
	run --separate-stderr ev-validate -s broken.json < /dev/null
	assert_failure 2
	[[ "$stderr" == "ev-validate: broken.json:"* ]]
	printf '{"$ref": "#/$defs/missing"}\n' > dangling.json
	run --separate-stderr ev-validate -s dangling.json < /dev/null
	assert_failure 2
	[[ "$stderr" == *"cannot resolve reference '#/\$defs/missing'"* ]]
	printf '{"type": "strnig"}\n' > typo.json
	run --separate-stderr ev-validate -s typo.json < /dev/null
	assert_failure 2
	[[ "$stderr" == *"typo.json: not a valid schema: /type: "* ]]
	printf '{"pattern": "(unclosed"}\n' > badre.json
	run --separate-stderr ev-validate -s badre.json < /dev/null
	assert_failure 2
	[[ "$stderr" == *"bad pattern"* ]]
	echo '{' > reg/signup/1-0-0.json
	run --separate-stderr ev-validate -r reg < /dev/null
	assert_failure 2
	[[ "$stderr" == *"reg/signup/1-0-0.json"* ]]
}

@test "ev-validate: SIGHUP reloads the registry, a broken reload keeps it" {
	sso='{"event_id":"e-1","event":"signup","ts":"2026-03-02T10:15:07Z","user_id":"u3","properties":{"method":"sso"}}'
	email='{"event_id":"e-2","event":"signup","ts":"2026-03-02T10:15:07Z","user_id":"u3","properties":{"method":"email"}}'
	start_gate -r reg --rejects rej.ndjson
	echo "$sso" >&5
	wait_for lines_in rej.ndjson 1
	jq '.properties.properties.properties.method.enum += ["sso"]' \
	    "$V/registry/signup/1-0-0.json" > new.json
	mv new.json reg/signup/1-0-0.json
	kill -HUP "$pid"
	wait_for grep -q 'reloaded 7 schemas' err
	echo "$sso" >&5
	wait_for lines_in out.ndjson 1
	echo '{"broken":' > reg/signup/1-0-0.json
	kill -HUP "$pid"
	wait_for grep -q 'reload failed, keeping the previous schemas' err
	echo "$sso" >&5
	echo "$email" >&5
	exec 5>&-
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 1 ]
	[ "$(wc -l < rej.ndjson)" -eq 1 ]
	run cat out.ndjson
	assert_output "$(printf '%s\n%s\n%s' "$sso" "$sso" "$email")"
	grep -q 'signup/1-0-0.json' err
}

# Issue 12 item 16: loading a folder with no schema sorted a null array
# (qsort(NULL, 0, ...)), undefined behaviour that aborts the sanitizer
# build, at start and on a SIGHUP after the schemas were removed.
@test "ev-validate: an empty registry is exit 2 at start and a failed reload" {
	mkdir empty
	run --separate-stderr ev-validate -r empty < /dev/null
	assert_failure 2
	[[ "$stderr" == *"no schemas in registry folder 'empty'"* ]]
	sso='{"event_id":"e-1","event":"signup","ts":"2026-03-02T10:15:07Z","user_id":"u3","properties":{"method":"email"}}'
	start_gate -r reg
	echo "$sso" >&5
	wait_for lines_in out.ndjson 1
	rm -r reg/*
	kill -HUP "$pid"
	wait_for grep -q 'reload failed, keeping the previous schemas' err
	echo "$sso" >&5
	exec 5>&-
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 0 ]
	[ "$(wc -l < out.ndjson)" -eq 2 ]
	grep -q "no schemas in registry folder 'reg'" err
}

# Issue 12 item 2: a pattern that ran out of JIT stack counted as "no
# match", so this patternProperties check was skipped and the record passed.
@test "ev-validate: patternProperties holds on a long property name" {
	echo '{"type":"object","patternProperties":{"^(a|b)*$":{"type":"integer"}}}' > pp.json
	python3 -c "import json;print(json.dumps({'ab'*5000:'not an integer'}))" > in.ndjson
	run --separate-stderr ev-validate -s pp.json --rejects rej.ndjson < in.ndjson
	assert_failure 1
	assert_output ''
	run jq -c '[.reason, .errors[0].message]' rej.ndjson
	assert_output '["schema","expected integer, got string \"not an integer\""]'
}

@test "ev-validate: a pattern that gives up rejects with reason resource_limit" {
	bad=$(python3 -c "print('a' * 40 + 'b')")
	# Catastrophic backtracking in patternProperties and under "not" (a
	# "no match" would accept both records): PCRE2's match limit.
	echo '{"patternProperties":{"^(a+)+$":{"type":"integer"}}}' > pp.json
	echo '{"not":{"properties":{"k":{"pattern":"^(a+)+$"}}}}' > not.json
	printf '{"%s":"x"}\n' "$bad" > pp.ndjson
	printf '{"k":"%s"}\n' "$bad" > not.ndjson
	run --separate-stderr ev-validate -s pp.json --rejects rej.ndjson \
	    --stats st.json < pp.ndjson
	assert_failure 1
	assert_output ''
	run jq -c '[.reason, .errors[0].instance, .errors[0].keyword, .errors[0].message]' rej.ndjson
	assert_output '["resource_limit","/'"$bad"'","/patternProperties/^(a+)+$","patternProperties \"^(a+)+$\" gave up on a property name of 41 bytes: it hit the match limit (10000000 steps)"]'
	[ "$(stat_of st.json resource_limit)" -eq 1 ]
	[ "$(stat_of st.json invalid)" -eq 0 ]
	[ "$(jq '.events["-"].resource_limit' st.json)" -eq 1 ]
	assert_balanced st.json
	run --separate-stderr ev-validate -s not.json < not.ndjson
	assert_failure 1
	assert_output ''
	[[ "$stderr" == *"<stdin>:1: resource_limit: pattern \"^(a+)+\$\" gave up on a string of 41 bytes: it hit the match limit"* ]]
	run --separate-stderr ev-validate -s not.json --output basic \
	    --rejects rej2.ndjson < not.ndjson
	assert_failure 1
	run jq -c '.errors[0] | [.keywordLocation, .instanceLocation]' rej2.ndjson
	assert_output '["/not/properties/k/pattern","/k"]'
}

@test "ev-validate: a string past the JIT stack is a resource_limit, not a mismatch" {
	echo '{"pattern":"^(a|b)*$"}' > p.json
	python3 -c "print('\"' + 'ab' * 2000000 + '\"')" > in.ndjson
	run --separate-stderr ev-validate -s p.json --max-line 8000000 \
	    --rejects rej.ndjson < in.ndjson
	assert_failure 1
	run jq -c '[.reason, .errors[0].keyword, .errors[0].message]' rej.ndjson
	assert_output '["resource_limit","/pattern","pattern \"^(a|b)*$\" gave up on a string of 4000000 bytes: it hit the JIT stack limit (64 MiB)"]'
}

# Issue 12 item 12: a long enum is hashed and so is a long uniqueItems
# array; the verdicts must stay JSON Schema's (1 equals 1.0, member order
# is free, true is not 1), judged here by an independent Python reference.
@test "ev-validate: hashed enum and uniqueItems agree with a reference" {
	python3 "$V/enum_cases.py" .
	run --separate-stderr ev-validate -s enum.json --rejects rej.ndjson \
	    < enum.ndjson
	assert_failure 1
	diff <(printf '%s\n' "$output") enum.expected
	[ "$(wc -l < rej.ndjson)" -eq $(( $(wc -l < enum.ndjson) - $(wc -l < enum.expected) )) ]
	run --separate-stderr ev-validate -s unique.json --rejects rej2.ndjson \
	    < unique.ndjson
	assert_failure 1
	diff <(printf '%s\n' "$output") unique.expected
	jq -e 'select(.errors[0].message | test("^items [0-9]+ and [0-9]+ are equal$") | not)' \
	    rej2.ndjson && return 1
	true
}

@test "ev-validate: --dedupe drops repeats within the window only" {
	a='{"event_id":"e-1","event":"signup","ts":"2026-03-02T10:00:00Z","user_id":"u","properties":{"method":"email"}}'
	b=$(jq -c '.ts = "2026-03-02T10:05:00Z"' <<< "$a")
	c=$(jq -c '.ts = "2026-03-02T10:16:00Z"' <<< "$a")
	d=$(jq -c '.event_id = "e-2"' <<< "$b")
	printf '%s\n' "$a" "$b" "$c" "$d" > in.ndjson
	run --separate-stderr ev-validate -r reg --dedupe event_id \
	    --dedupe-window 10m --stats st.json --rejects rej.ndjson \
	    --duplicates dup.ndjson < in.ndjson
	assert_success
	assert_output "$(printf '%s\n%s\n%s' "$a" "$c" "$d")"
	[ "$(stat_of st.json duplicate)" = 1 ]
	[ "$(jq .events.signup.duplicate st.json)" = 1 ]
	# --duplicates takes them out of the reject stream.
	[ ! -s rej.ndjson ]
	run jq -c '[.line, .reason, .raw]' dup.ndjson
	assert_output "$(jq -cn --arg b "$b" '[2, "duplicate", $b]')"
	assert_balanced st.json
	# Without it they are reject records with reason "duplicate".
	run --separate-stderr ev-validate -r reg --dedupe event_id \
	    --stats st2.json --rejects rej2.ndjson < in.ndjson
	assert_success
	run jq -c '[.line, .reason]' rej2.ndjson
	assert_output '[2,"duplicate"]'
	[ "$(stat_of st2.json duplicate)" = 1 ]
	assert_balanced st2.json
	run --separate-stderr ev-validate -r reg --duplicates d.ndjson < in.ndjson
	assert_failure 2
}

@test "ev-validate: --state keeps the dedupe ids across runs" {
	a='{"event_id":"e-1","event":"signup","ts":"2026-03-02T10:00:00Z","user_id":"u","properties":{"method":"email"}}'
	echo "$a" > in.ndjson
	run --separate-stderr ev-validate -r reg --dedupe event_id \
	    --state dd.state < in.ndjson
	assert_success
	assert_output "$a"
	[ -s dd.state ]
	run --separate-stderr ev-validate -r reg --dedupe event_id \
	    --state dd.state --stats st.json < in.ndjson
	assert_success
	assert_output ''
	[ "$(stat_of st.json duplicate)" = 1 ]
	run --separate-stderr ev-validate -r reg --dedupe event_id \
	    --dedupe-window 1h --state dd.state < in.ndjson
	assert_failure 3
	[[ "$stderr" == *"dd.state"* ]]
}

@test "ev-validate: --max-reject-rate gates the exit status" {
	for i in 1 2 3 4 5 6 7 8 9; do sed -n 2p events.ndjson; done > in.ndjson
	sed -n 3p events.ndjson >> in.ndjson
	run --separate-stderr ev-validate -r reg --max-reject-rate 0.1 \
	    --rejects rej.ndjson < in.ndjson
	assert_success
	run --separate-stderr ev-validate -r reg --max-reject-rate 0.05 \
	    --rejects rej.ndjson < in.ndjson
	assert_failure 1
	[ "$(wc -l <<< "$output")" -eq 9 ]
}

@test "ev-validate: --max-errors limits the errors per record" {
	echo '{"event":"purchase","properties":{"amount":"x","currency":1}}' > in.ndjson
	run --separate-stderr ev-validate -r reg --rejects rej.ndjson < in.ndjson
	assert_failure 1
	[ "$(jq '.errors | length' rej.ndjson)" -eq 6 ]
	run --separate-stderr ev-validate -r reg --max-errors 2 \
	    --rejects rej.ndjson < in.ndjson
	[ "$(jq '.errors | length' rej.ndjson)" -eq 2 ]
}

@test "ev-validate: --output flag, basic and detailed" {
	sed -n 3p events.ndjson > in.ndjson
	ev-validate -r reg --output flag --rejects f.ndjson < in.ndjson || true
	run jq -c .errors f.ndjson
	assert_output '[{"valid":false}]'
	ev-validate -r reg --output basic --rejects b.ndjson < in.ndjson || true
	run jq -c '.errors[0] | [.keywordLocation, .instanceLocation, .absoluteKeywordLocation, .error]' b.ndjson
	assert_output '["/properties/properties/properties/amount/type","/properties/amount","https://evkit.example/schemas/purchase/1-0-0#/properties/properties/properties/amount/type","expected number, got string \"12\""]'
	ev-validate -r reg --output detailed --rejects d.ndjson < in.ndjson || true
	run jq -c '.errors[0] | [.valid, .keywordLocation, (.errors | length)]' d.ndjson
	assert_output '[false,"",1]'
	run --separate-stderr ev-validate -r reg --output verbose < in.ndjson
	assert_failure 2
}

@test "ev-validate: format is an annotation unless --assert-format" {
	line='{"event_id":"e","event":"signup","ts":"yesterday","user_id":"u","properties":{"method":"email"}}'
	run --separate-stderr ev-validate -r reg <<< "$line"
	assert_success
	run --separate-stderr ev-validate -r reg --assert-format \
	    --rejects rej.ndjson <<< "$line"
	assert_failure 1
	run jq -r '.errors[0] | .keyword + " " + .message' rej.ndjson
	assert_output '/properties/ts/format not a valid date-time'
}

@test "ev-validate: --stats counts per event, by keyword, lag and completeness" {
	run --separate-stderr ev-validate -r reg --dedupe event_id \
	    --track properties.amount,context.platform --stats st.json \
	    --rejects rej.ndjson < events.ndjson
	assert_failure 1
	assert_balanced st.json
	run jq -c '.events.purchase | [.valid, .invalid, .invalid_by_keyword, .duplicate, .unknown_schema, .completeness]' st.json
	assert_output '[2,1,{"type":1},1,1,{"properties.amount":1,"context.platform":0.5}]'
	run jq -c '[.valid, .invalid, .unknown_schema, .duplicate, .rejected]' st.json
	assert_output '[5,2,2,1,5]'
	run jq -e '.events.purchase.lag_ms | .p50 > 0 and .p95 >= .p50 and .max >= .p95' st.json
	assert_success
}

@test "ev-validate: writing to /dev/full is exit 3" {
	run --separate-stderr bash -c 'ev-validate -r reg < events.ndjson > /dev/full'
	assert_failure 3
	[[ "$stderr" == *"write error"* ]]
}

@test "ev-validate: counts balance" {
	printf '\n' >> events.ndjson
	head -c 3000 /dev/zero | tr '\0' 'x' >> events.ndjson
	printf '\n\xff\xfe\n' >> events.ndjson
	run --separate-stderr ev-validate -r reg --dedupe event_id \
	    --max-line 2048 --stats st.json --rejects rej.ndjson < events.ndjson
	assert_failure 1
	assert_balanced st.json
	[ "$(stat_of st.json in)" = 13 ]
	[ "$(stat_of st.json passed)" = 5 ]
	[ "$(stat_of st.json blank)" = 1 ]
	[ "$(wc -l < rej.ndjson)" = 8 ]
}

@test "ev-validate: every EXAMPLES pipeline of the man page runs" {
	grep '^\$ ' "$EVKIT_TOP/man/ev-validate.1" | sed 's/^\$ //' > examples.sh
	[ "$(wc -l < examples.sh)" -eq 3 ]
	cp "$V/event.json" event.json
	cp -R "$V/registry" registry
	sed -n '1,2p;4p;7p' "$V/events.ndjson" > events.ndjson
	while IFS= read -r cmd; do
		run bash -c "set -o pipefail; $cmd"
		if [ "$status" -ne 0 ]; then
			echo "example failed ($status): $cmd" >&2
			return 1
		fi
	done < examples.sh
	[ "$(wc -l < good.ndjson)" -eq 4 ]
	[ -s stats.json ] && [ -s dedupe.state ]
}

@test "ev-validate: JSON-Schema-Test-Suite required and output tests all pass" {
	skip_unless_dir EVKIT_JSTS
	skip_unless_dir EVKIT_METASCHEMAS
	run "$EVKIT_BIN/tools/jsts_run" "$EVKIT_JSTS" "$EVKIT_METASCHEMAS"
	echo "$output"
	assert_success
	assert_line 'draft7 required: 927/927 passed'
	assert_line 'draft2019-09 required: 1259/1259 passed'
	assert_line 'draft2020-12 required: 1299/1299 passed'
	assert_line 'draft2019-09 output: 4/4 passed'
	assert_line 'draft2020-12 output: 4/4 passed'
	# All of draft 7 takes the index path (no unevaluated*, no dynamic
	# references there).
	assert_line --regexp '^draft7 index path judged: 927/927 required'
}

@test "ev-validate: JSON-Schema-Test-Suite passes through each walker alone" {
	skip_unless_dir EVKIT_JSTS
	skip_unless_dir EVKIT_METASCHEMAS
	for p in tree index; do
		EVKIT_SCHEMA_PATH=$p run "$EVKIT_BIN/tools/jsts_run" \
		    "$EVKIT_JSTS" "$EVKIT_METASCHEMAS"
		echo "$output"
		assert_success
		assert_line 'draft7 required: 927/927 passed'
		assert_line 'draft2019-09 required: 1259/1259 passed'
		assert_line 'draft2020-12 required: 1299/1299 passed'
	done
}

@test "ev-validate: multipleOf -1 accepts the smallest 64-bit integer" {
	# The remainder of INT64_MIN by -1 overflows: it used to kill the
	# program with SIGFPE.  The meta-schema refuses a multipleOf of -1,
	# so this needs a setup without them.
	echo '{"items":{"multipleOf":-1}}' > m.json
	echo '[-9223372036854775808,-1,1]' > in.ndjson
	for p in index tree; do
		EVKIT_METASCHEMAS=/nonexistent EVKIT_SCHEMA_PATH=$p \
		    run --separate-stderr ev-validate -s m.json < in.ndjson
		assert_success
		assert_output '[-9223372036854775808,-1,1]'
	done
}

# same_both_paths ARGS...: ev-validate ARGS on in.ndjson with the index
# walker and with the tree alone; stdout, rejects and the stats but the
# wall-clock lag must be the same bytes.
same_both_paths() {
	local p
	for p in index tree; do
		EVKIT_SCHEMA_PATH=$p ev-validate "$@" --rejects "rej.$p" \
		    --stats "stats.$p" < in.ndjson > "out.$p" 2> "err.$p" || true
		sed 's/"lag_ms":{[^}]*}//g' "stats.$p" > "stats.$p.cmp"
	done
	cmp out.index out.tree
	cmp rej.index rej.tree
	cmp stats.index.cmp stats.tree.cmp
}

@test "ev-validate: the index walker and the tree give the same output, rejects and stats" {
	ev-gen -n 3000 -s 11 --bad-frac 0.3 > in.ndjson
	# Hand-made records: repeated keys, escapes, big and odd numbers.
	cat >> in.ndjson <<'EOT'
{"event_id":"e-1","event":"purchase","ts":"2026-03-02T10:00:00Z","user_id":"u1","session_id":"s-1","version":"1-0-0","properties":{"amount":"x","amount":5,"currency":"EUR","sku":"sku-1"},"context":{"platform":"web","country":"DE","app_version":"1.0.0","plan":"free"}}
{"event_id":"e-2","event":"purchase","ts":"2026-03-02T10:00:00Z","user_id":"u1","session_id":"s-1","version":"1-0-0","properties":{"amount":5,"amount":"x","currency":"EUR","sku":"sku-1"},"context":{"platform":"web","country":"DE","app_version":"1.0.0","plan":"free"}}
{"event_id":"e-3","event":"pur\u0063hase","ts":"2026-03-02T10:00:00Z","user_id":"u\u00e9","session_id":"s-1","version":"1-0-0","properties":{"amount":1e400,"currency":"E\u0055R","sku":"sku-1"},"context":{"platform":"w\u0065b","country":"DE","app_version":"1.0.0","plan":"free"}}
{"event_id":"e-4","event":"purchase","ts":"2026-03-02T10:00:00Z","user_id":"u1","session_id":"s-1","version":"1-0-0","properties":{"amount":-0.0,"currency":"EUR","sku":"sku-1"},"context":{"platform":"web","country":"DE","app_version":"1.0.0","plan":"free","n":123456789012345678901234567890}}
{"event_id":"e-5","event":"purchase","ts":"2026-03-02T10:00:00Z","user_id":"","session_id":"s-1","version":"1-0-0","properties":{"amount":-1,"currency":"eur","sku":"sku-1"},"context":{"platform":"web","country":"DE","app_version":"1.0.0","plan":"free"}}
{"schema":"iglu:com.example/purchase/jsonschema/1-0-0","data":{"event_id":"e-6"}}
EOT
	same_both_paths -r "$EVKIT_TOP/schemas/registry"
	same_both_paths -r "$EVKIT_TOP/schemas/registry" --output basic
	same_both_paths -r "$EVKIT_TOP/schemas/registry" --output detailed \
	    --assert-format --max-errors 0
	[ "$(wc -l < rej.index)" -gt 500 ]
	echo '{"type":"object","required":["ts"],"properties":{"ts":{"type":"string","format":"date-time"},"properties":{"type":"object","maxProperties":1,"minProperties":1}}}' > small.json
	same_both_paths -s small.json --assert-format
	[ -s rej.index ]
}

@test "ev-validate: generated events are judged valid on the index, without a tree" {
	ev-gen -n 2000 -s 5 > in.ndjson
	# An Iglu self-describing record: its "data" is judged by handle.
	printf '%s\n' '{"schema":"iglu:com.example/purchase/jsonschema/1-0-0","data":{"event_id":"e-1","event":"purchase","ts":"2026-03-02T10:00:00Z","user_id":"u1","session_id":"s-1","version":"1-0-0","properties":{"amount":5,"currency":"EUR","sku":"sku-1"},"context":{"platform":"web","country":"DE","app_version":"1.0.0","plan":"free"}}}' >> in.ndjson
	EVKIT_SCHEMA_PATH=index run --separate-stderr ev-validate \
	    -r "$EVKIT_TOP/schemas/registry" < in.ndjson
	assert_success
	[ "${#lines[@]}" -eq 2001 ]
	[ "$stderr" = "ev-validate: schema path: 2001 valid and 0 invalid on the index, 0 judged by the tree" ]
}

@test "ev-validate: a schema with unevaluatedProperties is judged by the tree" {
	echo '{"properties":{"a":true},"unevaluatedProperties":false}' > u.json
	printf '%s\n' '{"a":1}' '{"a":1,"b":2}' > in.ndjson
	EVKIT_SCHEMA_PATH=index run --separate-stderr ev-validate -s u.json \
	    --max-reject-rate 1 < in.ndjson
	assert_success
	assert_output '{"a":1}'
	[ "${stderr_lines[-1]}" = "ev-validate: schema path: 0 valid and 0 invalid on the index, 2 judged by the tree" ]
	same_both_paths -s u.json
}

@test "ev-validate: index and tree walkers agree on random instances of the suite's schemas" {
	skip_unless_dir EVKIT_JSTS
	skip_unless_dir EVKIT_METASCHEMAS
	run "$EVKIT_BIN/tools/schema_diff" "$EVKIT_JSTS" "$EVKIT_METASCHEMAS" \
	    7 100
	echo "$output"
	assert_success
	assert_line --regexp '^draft7: [0-9]+ instances, [0-9]+ judged on the index, all agree$'
	assert_line --regexp '^draft2020-12: [0-9]+ instances, [0-9]+ judged on the index, all agree$'
	refute_line --partial DISAGREE
}
