#!/usr/bin/env bats
# ev-enrich: lookups, calendar, campaign, referrer, user agent, geo, privacy.

load helper

E=$DATA/enrich
UAP=/usr/share/uap-core
REFDB=/usr/share/rubygems-integration/all/gems/referer-parser-0.3.0/data/referers.json
CONF=$EVKIT_BIN/tools/enrich_conformance

local_setup() {
	printf 'a-test-key-of-32-bytes-long-xxxx\n' >key.txt
}

# one_event JSON-MEMBERS: an event with the given extra top-level members.
ev() {
	printf '{"event_id":"e-%s","event":"page_view","ts":"%s","user_id":"%s"%s}\n' "$@"
}

# --- the contract -----------------------------------------------------

@test "ev-enrich: --help prints the usage to stdout" {
	run --separate-stderr ev-enrich --help
	assert_success
	assert_output --partial 'usage: ev-enrich'
	assert_output --partial '--lookup [NAME=]FILE'
	[ -z "$stderr" ]
}

@test "ev-enrich: empty input gives no output" {
	run --separate-stderr ev-enrich --calendar --campaign </dev/null
	assert_success
	assert_output ''
}

@test "ev-enrich: without enrichments events pass byte for byte" {
	printf '{"b":1.50,"a":"x"}\n{ "c" : [1, 2] }\n' >in.ndjson
	ev-enrich <in.ndjson >out.ndjson
	cmp in.ndjson out.ndjson
}

@test "ev-enrich: golden lookup, calendar, campaign and referrer" {
	run --separate-stderr ev-enrich --lookup users="$E/users.csv" \
	    --on user_id --tz Europe/Berlin --campaign --referrer \
	    --referer-db "$REFDB" <"$E/events.ndjson"
	assert_success
	diff <(echo "$output") "$E/golden.ndjson"
}

@test "ev-enrich: a line that is not JSON is rejected and counts balance" {
	{ cat "$E/events.ndjson"; echo '{"event": oops'; echo '[1]'; } >in.ndjson
	run --separate-stderr ev-enrich --calendar --rejects rej.ndjson \
	    --stats stats.json <in.ndjson
	assert_failure 1
	[ "$(echo "$output" | wc -l)" -eq 3 ]
	[ "$(jq -r .reason rej.ndjson | sort -u)" = parse ]
	[ "$(stat_of stats.json rejected)" -eq 2 ]
	[ "$(stat_of stats.json passed)" -eq 3 ]
	assert_balanced stats.json
}

@test "ev-enrich: writing to /dev/full is a runtime failure" {
	run --separate-stderr bash -c 'ev-enrich --calendar <"$1" >/dev/full' _ "$E/events.ndjson"
	assert_failure 3
	[[ $stderr == *"ev-enrich: "* ]]
}

@test "ev-enrich: counts balance with --strict rejects" {
	run --separate-stderr ev-enrich --strict --lookup "$E/users.csv" \
	    --on user_id --campaign --stats stats.json --rejects rej.ndjson \
	    <"$E/events.ndjson"
	assert_failure 1
	[ "$(stat_of stats.json in)" -eq 3 ]
	[ "$(stat_of stats.json rejected)" -eq 1 ]
	assert_balanced stats.json
}

# --- lookups ----------------------------------------------------------

@test "ev-enrich: lookup columns go under the table's name, typed" {
	run --separate-stderr ev-enrich --lookup "$E/users.csv" --on user_id \
	    <"$E/events.ndjson"
	assert_success
	run jq -c 'select(.users) | [.users.plan, (.users.ltv|type), .users.ltv, .users.zip]' <<<"$output"
	assert_line --index 0 '["pro","number",120.5,"01234"]'
	assert_line --index 1 '["free","number",0,null]'
}

@test "ev-enrich: NAME=FILE and --as name the member" {
	run --separate-stderr ev-enrich --lookup who="$E/users.csv" --on user_id \
	    --lookup "$E/users.csv" --on user_id --as again <"$E/events.ndjson"
	assert_success
	[ "$(head -1 <<<"$output" | jq -c '[.who.plan, .again.plan, has("users")]')" = '["pro","pro",false]' ]
}

@test "ev-enrich: new members are spliced in, the original bytes kept" {
	printf '{"user_id":"u1","n":1.50,"ts":"2026-03-02T10:00:00Z"}\n' >in.ndjson
	run --separate-stderr ev-enrich --lookup "$E/users.csv" --on user_id <in.ndjson
	assert_success
	assert_output '{"user_id":"u1","n":1.50,"ts":"2026-03-02T10:00:00Z","users":{"plan":"pro","ltv":120.5,"segment":"enterprise","zip":"01234"}}'
}

@test "ev-enrich: composite keys and validity ranges pick the row of the event time" {
	for t in 2026-02-15T00:00:00Z 2026-03-10T00:00:00Z 2026-04-02T00:00:00Z; do
		printf '{"ts":"%s","properties":{"sku":"sku-17","currency":"EUR"}}\n' "$t"
	done >in.ndjson
	printf '{"ts":"2026-03-10T00:00:00Z","properties":{"sku":"sku-17","currency":"USD"}}\n' >>in.ndjson
	run --separate-stderr ev-enrich --lookup "$E/prices.csv" \
	    --on properties.sku=sku --on properties.currency=currency \
	    --lookup-missing null <in.ndjson
	assert_success
	run jq -c '.prices' <<<"$output"
	assert_line --index 0 '{"price":49.99,"tier":"standard"}'
	assert_line --index 1 '{"price":44.99,"tier":"sale"}'
	assert_line --index 2 'null'
	assert_line --index 3 '{"price":54,"tier":"standard"}'
	printf '{"ts":"2026-03-10T00:00:00Z","properties":{"sku":"sku-17","currency":"GBP"}}\n' >in.ndjson
	run --separate-stderr ev-enrich --lookup "$E/prices.csv" \
	    --on properties.sku=sku --on properties.currency=currency \
	    --strict --rejects rej.ndjson <in.ndjson
	assert_failure 1
	[ "$(jq -c '.errors[0].value' rej.ndjson)" = '["sku-17","GBP"]' ]
}

@test "ev-enrich: --lookup-missing keep, null and reject" {
	run --separate-stderr ev-enrich --lookup "$E/users.csv" --on user_id \
	    <"$E/events.ndjson"
	assert_success
	[ "$(sed -n 3p <<<"$output" | jq 'has("users")')" = false ]
	run --separate-stderr ev-enrich --lookup "$E/users.csv" --on user_id \
	    --lookup-missing null <"$E/events.ndjson"
	[ "$(sed -n 3p <<<"$output" | jq -c '.users')" = null ]
	run --separate-stderr ev-enrich --lookup "$E/users.csv" --on user_id \
	    --lookup-missing reject --rejects rej.ndjson <"$E/events.ndjson"
	assert_failure 1
	[ "$(echo "$output" | wc -l)" -eq 2 ]
	run jq -c '.reason, .errors[0].enrichment, .errors[0].field, .errors[0].value' rej.ndjson
	assert_output "$(printf '"enrich"\n"lookup"\n"user_id"\n"u9"')"
}

@test "ev-enrich: a broken table at start is a configuration error" {
	printf 'user_id,plan\nu1,pro,extra\n' >bad.csv
	run --separate-stderr ev-enrich --lookup bad.csv --on user_id </dev/null
	assert_failure 2
	[[ $stderr == *"bad.csv: row 2 has 3 columns, the header 2"* ]]
	printf 'user_id,plan\nu1,pro\nu1,free\n' >dup.csv
	run --separate-stderr ev-enrich --lookup dup.csv --on user_id </dev/null
	assert_failure 2
	[[ $stderr == *"duplicate key 'u1'"* ]]
	run --separate-stderr ev-enrich --lookup "$E/users.csv" --on nope </dev/null
	assert_failure 2
	[[ $stderr == *"no key column 'nope'"* ]]
	run --separate-stderr ev-enrich --lookup "$E/users.csv" </dev/null
	assert_failure 2
	[[ $stderr == *"needs --on"* ]]
}

# run_live TABLE-ACTION: start ev-enrich on a fifo, send one event, wait for
# its output, run the action, send a second event, finish.  Options in
# LIVE_OPTS are added to the command line.
run_live() {
	mkfifo in.fifo
	# shellcheck disable=SC2086
	ev-enrich --lookup users.csv --on user_id --stats stats.json ${LIVE_OPTS:-} \
	    <in.fifo >out.ndjson 2>err.txt &
	pid=$!
	exec 8>in.fifo
	echo '{"user_id":"u1"}' >&8
	for _ in $(seq 100); do
		[ -s out.ndjson ] && break
		sleep 0.1
	done
	"$@"
	echo '{"user_id":"u1"}' >&8
	exec 8>&-
	wait "$pid"
}

@test "ev-enrich: a changed table is reloaded at the next look (EVKIT_LOOKUP_CHECK_MS)" {
	printf 'user_id,plan\nu1,free\n' >users.csv
	change() {
		printf 'user_id,plan\nu1,pro\n' >users.tmp
		mv users.tmp users.csv
	}
	# Looked at on every event: no waiting for the once-a-second look.
	EVKIT_LOOKUP_CHECK_MS=0 run_live change
	run jq -r .users.plan out.ndjson
	assert_output "$(printf 'free\npro')"
	grep -q 'reloaded users.csv (1 rows)' err.txt
	[ "$(jq .enrich.lookup.users.reloads stats.json)" -eq 1 ]
}

@test "ev-enrich: a changed table waits for the next look" {
	printf 'user_id,plan\nu1,free\n' >users.csv
	change() {
		printf 'user_id,plan\nu1,pro\n' >users.tmp
		mv users.tmp users.csv
	}
	# An hour between looks: the second event still sees the old table.
	EVKIT_LOOKUP_CHECK_MS=3600000 run_live change
	run jq -r .users.plan out.ndjson
	assert_output "$(printf 'free\nfree')"
	[ "$(jq .enrich.lookup.users.reloads stats.json)" -eq 0 ]
}

@test "ev-enrich: a bad EVKIT_LOOKUP_CHECK_MS is a usage error" {
	printf 'user_id,plan\nu1,free\n' >users.csv
	EVKIT_LOOKUP_CHECK_MS=-1 run --separate-stderr ev-enrich \
	    --lookup users.csv --on user_id </dev/null
	assert_failure 2
	[[ $stderr == *"EVKIT_LOOKUP_CHECK_MS '-1'"* ]]
}

@test "ev-enrich: SIGHUP reloads the table" {
	printf 'user_id,plan\nu1,free\n' >users.csv
	# SIGHUP is pending when kill returns, so the next line sees it.
	hup() {
		printf 'user_id,plan\nu1,pro\n' >users.tmp
		mv users.tmp users.csv
		kill -HUP "$pid"
	}
	run_live hup
	run jq -r .users.plan out.ndjson
	assert_output "$(printf 'free\npro')"
}

@test "ev-enrich: a broken new table never replaces the good one" {
	printf 'user_id,plan\nu1,free\n' >users.csv
	breakit() {
		printf 'user_id,plan\nu1,"pro\n' >users.tmp
		mv users.tmp users.csv
	}
	EVKIT_LOOKUP_CHECK_MS=0 run_live breakit
	run jq -r .users.plan out.ndjson
	assert_output "$(printf 'free\nfree')"
	grep -q 'keeping the previous table of users.csv (1 rows)' err.txt
	[ "$(jq .enrich.lookup.users.reload_failures stats.json)" -eq 1 ]
}

@test "ev-enrich: an emptied table file keeps the good table" {
	printf 'user_id,plan\nu1,free\n' >users.csv
	empty() {
		: >users.csv
		kill -HUP "$pid"
	}
	run_live empty
	run jq -r .users.plan out.ndjson
	assert_output "$(printf 'free\nfree')"
	grep -q 'users.csv: empty file; keeping the previous table' err.txt
}

@test "ev-enrich: a header-only table on reload keeps the good one unless --lookup-allow-empty" {
	printf 'user_id,plan\nu1,free\n' >users.csv
	# SIGHUP is pending when kill returns, so the next line sees it.
	header_only() {
		printf 'user_id,plan\n' >users.tmp
		mv users.tmp users.csv
		kill -HUP "$pid"
	}
	run_live header_only
	run jq -r .users.plan out.ndjson
	assert_output "$(printf 'free\nfree')"
	grep -qF 'users.csv: no rows under the header (--lookup-allow-empty takes such a table); keeping the previous table of users.csv (1 rows)' err.txt
	[ "$(jq .enrich.lookup.users.reload_failures stats.json)" -eq 1 ]
	[ "$(jq .enrich.lookup.users.reloads stats.json)" -eq 0 ]

	rm -f in.fifo
	printf 'user_id,plan\nu1,free\n' >users.csv
	LIVE_OPTS=--lookup-allow-empty run_live header_only
	run jq -r .users.plan out.ndjson
	assert_output "$(printf 'free\nnull')"
	grep -qF 'reloaded users.csv (0 rows)' err.txt
	[ "$(jq .enrich.lookup.users.reloads stats.json)" -eq 1 ]
}

# --- calendar ---------------------------------------------------------

@test "ev-enrich: calendar parts are right across the spring DST change" {
	printf '{"ts":"2026-03-29T00:30:00Z"}\n{"ts":"2026-03-29T01:30:00Z"}\n' >in.ndjson
	run --separate-stderr ev-enrich --tz Europe/Berlin <in.ndjson
	assert_success
	run jq -c '.calendar | [.date, .hour, .weekday, .iso_week, .utc_offset, .dst]' <<<"$output"
	assert_line --index 0 '["2026-03-29",1,"Sunday",13,"+01:00",false]'
	assert_line --index 1 '["2026-03-29",3,"Sunday",13,"+02:00",true]'
}

@test "ev-enrich: calendar parts are right across the autumn DST change" {
	printf '{"ts":%s}\n' '"2026-11-01T05:30:00Z"' '"2026-11-01T06:30:00Z"' 1798776000 >in.ndjson
	run --separate-stderr ev-enrich --calendar --tz America/New_York <in.ndjson
	assert_success
	run jq -c '.calendar | [.date, .hour, .utc_offset, .iso_year, .iso_week]' <<<"$output"
	assert_line --index 0 '["2026-11-01",1,"-04:00",2026,44]'
	assert_line --index 1 '["2026-11-01",1,"-05:00",2026,44]'
	assert_line --index 2 '["2026-12-31",23,"-05:00",2026,53]'
}

@test "ev-enrich: a lookup row with a bad valid_from or valid_to is a usage error naming it" {
	printf 'id,v,valid_from,valid_to\na,1,2026-01-01T00:00:00Z,\na,2,,soon\n' >to.csv
	printf 'id,v,valid_from,valid_to\na,1,yesterday,\n' >from.csv
	run --separate-stderr ev-enrich --lookup to.csv --on id </dev/null
	assert_failure 2
	assert_equal "$stderr" "ev-enrich: to.csv: row 3: valid_to 'soon' is not an RFC 3339 time"
	run --separate-stderr ev-enrich --lookup from.csv --on id </dev/null
	assert_failure 2
	assert_equal "$stderr" "ev-enrich: from.csv: row 2: valid_from 'yesterday' is not an RFC 3339 time"
}

@test "ev-enrich: an unknown --tz is a usage error" {
	run --separate-stderr ev-enrich --tz Mars/Olympus </dev/null
	assert_failure 2
	[[ $stderr == *"unknown time zone"* ]]
}

@test "ev-enrich: a bad event time is counted, and rejected with --strict" {
	printf '{"ts":"yesterday"}\n{"x":1}\n' >in.ndjson
	run --separate-stderr ev-enrich --calendar --stats stats.json <in.ndjson
	assert_success
	[ "$(jq -c '.enrich.calendar | [.failed, .absent]' stats.json)" = '[1,1]' ]
	run --separate-stderr ev-enrich --calendar --strict --rejects rej.ndjson <in.ndjson
	assert_failure 1
	assert_output '{"x":1}'
	run jq -c '.errors[0] | [.enrichment, .instance, .value, .expected]' rej.ndjson
	assert_output '["calendar","/ts","yesterday","an RFC 3339 time or epoch seconds/milliseconds"]'
}

# --- idempotence ------------------------------------------------------

@test "ev-enrich: enriching an enriched event gives the same event" {
	opts=(--lookup "$E/users.csv" --on user_id --tz Europe/Berlin
	    --campaign --referrer --ua --ip-country "$E/ranges.csv"
	    --hash user_id,context.ip --key-file key.txt --anon-ip
	    --drop context.user_agent --fingerprint)
	ev-enrich "${opts[@]}" <"$E/events.ndjson" >once.ndjson
	ev-enrich "${opts[@]}" <once.ndjson >twice.ndjson
	cmp once.ndjson twice.ndjson
	[ "$(jq -r .user_id once.ndjson | grep -c '^hmac:')" -eq 3 ]
}

# --- URL, campaign, referrer ------------------------------------------

@test "ev-enrich: page URL parts and campaign with a click id" {
	run --separate-stderr ev-enrich --campaign <"$E/events.ndjson"
	assert_success
	run jq -c 'select(.campaign) | .campaign' <<<"$output"
	assert_output '{"source":"google","medium":"cpc","name":"spring","click_id":"abc123","network":"Google"}'
	printf '{"context":{"page_url":"http://a.example:8080/x%%20y?utm_term=red%%20shoes&msclkid=m1#top"}}\n' >in.ndjson
	run --separate-stderr ev-enrich --campaign <in.ndjson
	run jq -c '[.page, .campaign]' <<<"$output"
	assert_output '[{"scheme":"http","host":"a.example","port":8080,"path":"/x%20y","query":"utm_term=red%20shoes&msclkid=m1","fragment":"top"},{"term":"red shoes","click_id":"m1","network":"Microsoft"}]'
}

@test "ev-enrich: a page URL that is not one is counted as failed" {
	run --separate-stderr ev-enrich --campaign --stats stats.json <"$E/events.ndjson"
	assert_success
	[ "$(sed -n 3p <<<"$output" | jq 'has("page")')" = false ]
	[ "$(jq -c '.enrich.campaign | [.applied, .failed]' stats.json)" = '[2,1]' ]
}

@test "ev-enrich: referrer medium, source and term; internal domains" {
	[ -f "$REFDB" ] || skip "ruby-referer-parser is not installed"
	{
		echo '{"context":{"referrer":"https://www.google.de/search?q=laufschuhe+rot"}}'
		echo '{"context":{"referrer":"https://blog.example.com/post"}}'
		echo '{"context":{"referrer":"https://nowhere.invalid/"}}'
		echo '{"context":{"referrer":"https://mail.yahoo.com/"}}'
	} >in.ndjson
	run --separate-stderr ev-enrich --referrer --internal-domains example.com <in.ndjson
	assert_success
	run jq -c '.referrer | [.medium, .source, .term]' <<<"$output"
	assert_line --index 0 '["search","Google","laufschuhe rot"]'
	assert_line --index 1 '["internal",null,null]'
	assert_line --index 2 '["unknown",null,null]'
	assert_line --index 3 '["email","Yahoo! Mail",null]'
}

@test "ev-enrich: the referrer database may be YAML" {
	yml=${REFDB%.json}.yml
	[ -f "$yml" ] || skip "ruby-referer-parser is not installed"
	echo '{"context":{"referrer":"https://www.bing.com/search?q=evkit"}}' >in.ndjson
	run --separate-stderr ev-enrich --referer-db "$yml" <in.ndjson
	assert_success
	[ "$(jq -c '.referrer | [.medium, .source, .term]' <<<"$output")" = '["search","Bing","evkit"]' ]
}

@test "ev-enrich: a missing referrer database is a configuration error" {
	run --separate-stderr ev-enrich --referer-db nope.json </dev/null
	assert_failure 2
	[[ $stderr == *"nope.json"* ]]
}

@test "ev-enrich: referer-parser cases pass where the database has the source" {
	skip_unless_dir EVKIT_REFERER
	[ -f "$REFDB" ] || skip "ruby-referer-parser is not installed"
	run "$CONF" referer "$REFDB" "$EVKIT_REFERER/referer-tests.json"
	echo "$output" >&3
	assert_output --regexp 'referer-parser: [0-9]+/[0-9]+ cases pass'
	# Print the figure; the Debian database is older than the cases.
	n=$(sed -n 's/.*: \([0-9]*\)\/\([0-9]*\) cases.*/\1/p' <<<"$output")
	[ "$n" -ge 29 ]
}

# --- user agent -------------------------------------------------------

@test "ev-enrich: user agent browser, OS, device and the cache" {
	[ -f "$UAP/regexes.yaml" ] || skip "uap-core is not installed"
	{ cat "$E/events.ndjson"; cat "$E/events.ndjson"; } >in.ndjson
	run --separate-stderr ev-enrich --ua --stats stats.json <in.ndjson
	assert_success
	run jq -c '.ua | [.browser.family, .browser.major, .os.family, .os.major, .device.family, .device.brand, .bot]' <<<"$output"
	assert_line --index 0 '["Chrome","120","Windows","10","Other",null,false]'
	assert_line --index 1 '["Chrome Mobile","121","Android","14","Pixel 8","Google",false]'
	assert_line --index 2 '["Googlebot","2","Other",null,"Spider","Spider",true]'
	[ "$(jq -c '.enrich.ua | [.cache_hits, .cache_misses]' stats.json)" = '[3,3]' ]
}

@test "ev-enrich: --bot-patterns flags crawlers uap-core does not know" {
	[ -f "$UAP/regexes.yaml" ] || skip "uap-core is not installed"
	echo '{"context":{"user_agent":"Wget/1.21"}}' >in.ndjson
	run --separate-stderr ev-enrich --ua <in.ndjson
	[ "$(jq .ua.bot <<<"$output")" = false ]
	run --separate-stderr ev-enrich --bot-patterns "$E/crawlers.json" <in.ndjson
	assert_success
	[ "$(jq .ua.bot <<<"$output")" = true ]
}

@test "ev-enrich: uap-core conformance: 100% of test_ua, test_os and test_device" {
	[ -d "$UAP/tests" ] || skip "uap-core is not installed"
	run "$CONF" ua "$UAP/regexes.yaml" "$UAP/tests"
	echo "$output" >&3
	assert_success
	assert_line --partial 'test_ua.yaml: 1'
	assert_output --partial '(100.00%)'
	refute_output --partial 'FAIL'
}

@test "ev-enrich: every crawler-user-agents instance is a bot" {
	skip_unless_dir EVKIT_CRAWLERS
	run "$CONF" bots "$UAP/regexes.yaml" "$EVKIT_CRAWLERS/crawler-user-agents.json"
	echo "$output" >&3
	assert_success
}

@test "ev-enrich: a broken regexes file is a configuration error" {
	printf 'user_agent_parsers:\n  - regex: "(unclosed"\n' >bad.yaml
	run --separate-stderr ev-enrich --ua-regexes bad.yaml </dev/null
	assert_failure 2
	[[ $stderr == *"bad.yaml"* ]]
}

# --- IP ---------------------------------------------------------------

@test "ev-enrich: MaxMind city and ASN conformance" {
	skip_unless_dir EVKIT_MAXMIND
	run "$CONF" geo "$EVKIT_MAXMIND/test-data/GeoIP2-City-Test.mmdb" \
	    "$EVKIT_MAXMIND/source-data/GeoIP2-City-Test.json"
	echo "$output" >&3
	assert_success
	run "$CONF" asn "$EVKIT_MAXMIND/test-data/GeoLite2-ASN-Test.mmdb" \
	    "$EVKIT_MAXMIND/source-data/GeoLite2-ASN-Test.json"
	echo "$output" >&3
	assert_success
}

@test "ev-enrich: --geoip and --asn-db add geo" {
	skip_unless_dir EVKIT_MAXMIND
	printf '{"context":{"ip":"%s"}}\n' 81.2.69.160 2600:7000::1 10.1.1.1 >in.ndjson
	run --separate-stderr ev-enrich --geoip "$EVKIT_MAXMIND/test-data/GeoIP2-City-Test.mmdb" \
	    --asn-db "$EVKIT_MAXMIND/test-data/GeoLite2-ASN-Test.mmdb" --stats stats.json <in.ndjson
	assert_success
	run jq -c '.geo' <<<"$output"
	assert_line --index 0 '{"country":"GB","region":"ENG","city":"London","latitude":51.5142,"longitude":-0.0931,"time_zone":"Europe/London"}'
	assert_line --index 1 '{"asn":6939,"as_org":"Hurricane Electric, Inc."}'
	assert_line --index 2 'null'
	[ "$(jq .enrich.geo.failed stats.json)" -eq 1 ]
}

@test "ev-enrich: every corrupt MaxMind database is an error at start" {
	skip_unless_dir EVKIT_MAXMIND
	n=0
	for db in "$EVKIT_MAXMIND"/bad-data/*/*.mmdb; do
		run --separate-stderr ev-enrich --geoip "$db" </dev/null
		[ "$status" -eq 2 ] || { echo "$db: status $status: $stderr"; return 1; }
		[[ $stderr == "ev-enrich: $db: "* ]] || { echo "$db: $stderr"; return 1; }
		n=$((n + 1))
	done
	echo "# $n corrupt databases refused at start" >&3
	[ "$n" -ge 20 ]
}

@test "ev-enrich: --ip-country reads tor-geoipdb style ranges" {
	printf '{"context":{"ip":"%s"}}\n' 81.2.69.160 1.0.0.7 2001:218::9 192.0.2.1 nonsense >in.ndjson
	run --separate-stderr ev-enrich --ip-country "$E/ranges.csv" --stats stats.json <in.ndjson
	assert_success
	run jq -c '.geo.country' <<<"$output"
	assert_output "$(printf '"GB"\n"AU"\n"JP"\nnull\nnull')"
	[ "$(jq .enrich.geo.failed stats.json)" -eq 2 ]
	if [ -f /usr/share/tor/geoip ]; then
		run --separate-stderr ev-enrich --ip-country /usr/share/tor/geoip \
		    --ip-country /usr/share/tor/geoip6 <in.ndjson
		assert_success
		[ "$(head -1 <<<"$output" | jq -r .geo.country)" = GB ]
	fi
}

# --- privacy ----------------------------------------------------------

@test "ev-enrich: --hash uses HMAC-SHA256 with the key file or EVKIT_HASH_KEY" {
	run --separate-stderr ev-enrich --hash user_id --key-file key.txt <"$E/events.ndjson"
	assert_success
	want=$(printf '%s' u1 | openssl dgst -sha256 -hmac 'a-test-key-of-32-bytes-long-xxxx' | sed 's/.*= //')
	[ "$(head -1 <<<"$output" | jq -r .user_id)" = "hmac:$want" ]
	a=$(head -1 <<<"$output")
	run --separate-stderr env EVKIT_HASH_KEY=a-test-key-of-32-bytes-long-xxxx \
	    ev-enrich --hash user_id <"$E/events.ndjson"
	[ "$(head -1 <<<"$output")" = "$a" ]
	run --separate-stderr env EVKIT_HASH_KEY=another-key-of-32-bytes-long-yyy \
	    ev-enrich --hash user_id <"$E/events.ndjson"
	[ "$(head -1 <<<"$output")" != "$a" ]
}

@test "ev-enrich: --hash without a key or with a short key is refused" {
	run --separate-stderr env -u EVKIT_HASH_KEY ev-enrich --hash user_id </dev/null
	assert_failure 2
	[[ $stderr == *"--key-file FILE or the EVKIT_HASH_KEY variable"* ]]
	echo short >short.key
	run --separate-stderr ev-enrich --hash user_id --key-file short.key </dev/null
	assert_failure 2
	[[ $stderr == *"key too short"* ]]
	run --separate-stderr ev-enrich --hash user_id --key secret </dev/null
	assert_failure 2
}

@test "ev-enrich: --anon-ip masks IPv4 octets and IPv6 segments" {
	printf '{"context":{"ip":"%s"}}\n' 203.0.113.77 2001:db8:1:2:3:4:5:6 >in.ndjson
	run --separate-stderr ev-enrich --anon-ip <in.ndjson
	assert_success
	run jq -r .context.ip <<<"$output"
	assert_output "$(printf '203.0.113.0\n2001:db8:1::')"
	run --separate-stderr ev-enrich --anon-ip --anon-octets 2 --anon-segments 4 <in.ndjson
	run jq -r .context.ip <<<"$output"
	assert_output "$(printf '203.0.0.0\n2001:db8:1:2::')"
}

@test "ev-enrich: an IPv4-mapped address takes the IPv4 mask; a zone id is no address" {
	printf '{"context":{"ip":"%s"}}\n' ::ffff:203.0.113.77 ::FFFF:cb00:714d \
	    2001:db8:1:2:3:4:5:6 fe80::1%eth0 >in.ndjson
	for n in 1 2 3 4; do
		run --separate-stderr ev-enrich --anon-ip --anon-octets "$n" \
		    --anon-segments 3 --stats stats.json <in.ndjson
		assert_success
		got=$(jq -r '.context.ip // "removed"' <<<"$output")
		want=$(python3 - "$n" <<'PY'
import ipaddress, sys
n = int(sys.argv[1])
for text in ['::ffff:203.0.113.77', '::FFFF:cb00:714d', '2001:db8:1:2:3:4:5:6',
             'fe80::1%eth0']:
    a = ipaddress.ip_address(text.split('%')[0])
    if '%' in text:
        print('removed')
    elif a.ipv4_mapped is not None:
        net = ipaddress.ip_network('%s/%d' % (a.ipv4_mapped, 32 - 8 * n), strict=False)
        print('::ffff:%s' % net.network_address)
    else:
        print(ipaddress.ip_network('%s/80' % a, strict=False).network_address.compressed)
PY
)
		[ "$got" = "$want" ] || { echo "octets $n: got $got, want $want"; return 1; }
		[ "$(jq -c '.enrich.anon_ip | [.applied, .failed]' stats.json)" = '[3,1]' ]
	done
}

@test "ev-enrich: geo sees the full address, the output only the masked one" {
	printf '{"context":{"ip":"81.2.69.160"}}\n' >in.ndjson
	run --separate-stderr ev-enrich --ip-country "$E/ranges.csv" --anon-ip --anon-octets 2 <in.ndjson
	assert_success
	assert_output '{"context":{"ip":"81.2.0.0"},"geo":{"country":"GB"}}'
}

@test "ev-enrich: --drop removes fields" {
	run --separate-stderr ev-enrich --drop context.ip,context.user_agent,nope <"$E/events.ndjson"
	assert_success
	[ "$(jq -c '[.context | has("ip"), has("user_agent"), has("platform")]' <<<"$output" | sort -u)" = '[false,false,true]' ]
}

@test "ev-enrich: privacy transforms inside added members leave the table and cache alone" {
	[ -f "$UAP/regexes.yaml" ] || skip "uap-core is not installed"
	head -1 "$E/events.ndjson" >one.ndjson
	cat one.ndjson one.ndjson >in.ndjson
	run --separate-stderr ev-enrich --lookup "$E/users.csv" --on user_id --ua \
	    --drop users.ltv,ua.os --hash users.plan --key-file key.txt \
	    --stats stats.json <in.ndjson
	assert_success
	[ "$(jq -c '.enrich | [.drop.applied, .hash.applied, .hash.present]' stats.json)" = '[4,2,0]' ]
	[ "$(jq -c '[(.users | has("ltv")), (.ua | has("os")), (.users.plan | startswith("hmac:"))]' <<<"$output" | sort -u)" = '[false,false,true]' ]
}

@test "ev-enrich: --fingerprint is equal for equal events and ignores excluded fields" {
	{
		ev 1 2026-03-02T10:00:00Z u1 ',"n":1'
		ev 2 2026-03-02T10:00:00Z u1 ',"n":1'
		ev 3 2026-03-02T10:00:00Z u1 ',"n":2'
	} >in.ndjson
	run --separate-stderr ev-enrich --fingerprint <in.ndjson
	assert_success
	[ "$(jq -r .fingerprint <<<"$output" | sort -u | wc -l)" -eq 3 ]
	run --separate-stderr ev-enrich --fingerprint-exclude event_id <in.ndjson
	run jq -r .fingerprint <<<"$output"
	[ "${lines[0]}" = "${lines[1]}" ]
	[ "${lines[0]}" != "${lines[2]}" ]
	[[ ${lines[0]} =~ ^[0-9a-f]{64}$ ]]
}

@test "ev-enrich: --strict rejects name the enrichment, field, value and expectation" {
	run --separate-stderr ev-enrich --strict --campaign --ip-country "$E/ranges.csv" \
	    --rejects rej.ndjson --stats stats.json <"$E/events.ndjson"
	assert_failure 1
	[ "$(echo "$output" | wc -l)" -eq 2 ]
	run jq -c '.errors[] | [.enrichment, .field, .value, .expected]' rej.ndjson
	assert_line --index 0 '["campaign","context.page_url","not a url","an absolute URL scheme://host/path?query"]'
	assert_line --index 1 '["geo","context.ip","10.0.0.1","an address the IP databases know"]'
	assert_balanced stats.json
}

# --- bytes kept and pseudonyms of their own value --------------------

# hmac_of KEYFILE TEXT: "hmac:" and Python's HMAC-SHA256 of TEXT under the
# key the page describes (the whole file, one final LF removed).
hmac_of() {
	python3 - "$1" "$2" <<'PY'
import hashlib, hmac, sys
k = open(sys.argv[1], 'rb').read()
if k.endswith(b'\n'):
    k = k[:-1]
print('hmac:' + hmac.new(k, sys.argv[2].encode(), hashlib.sha256).hexdigest())
PY
}

@test "ev-enrich: the key file loses exactly one final newline, as Python's hmac is given" {
	printf '{"user_id":"u1"}\n' >in.ndjson
	k=abcdefghijklmnopqrstuvwxyz
	# (Not i: bats' run sets it.)
	n=0
	for tail in '' '\n' '\n\n' '\r\n' '\r' '\n\r\n'; do
		printf "$k$tail" >k$n
		run --separate-stderr ev-enrich --hash user_id --key-file k$n <in.ndjson
		assert_success
		got=$(jq -r .user_id <<<"$output")
		want=$(hmac_of k$n u1)
		assert_equal "$got" "$want"
		n=$((n + 1))
	done
	# So 'k' and 'k\n' agree, 'k\n\n' does not.
	[ "$(hmac_of k0 u1)" = "$(hmac_of k1 u1)" ]
	[ "$(hmac_of k0 u1)" != "$(hmac_of k2 u1)" ]
	# EVKIT_HASH_KEY follows the same rule.
	run --separate-stderr env EVKIT_HASH_KEY="$(cat k2)
" ev-enrich --hash user_id <in.ndjson
	[ "$(jq -r .user_id <<<"$output")" = "$(hmac_of k0 u1)" ]
}

@test "ev-enrich: a key file of 4096 bytes is taken, one of 4097 refused" {
	printf '{"user_id":"u1"}\n' >in.ndjson
	python3 -c 'import sys; sys.stdout.write("k" * 4096)' >k4096
	python3 -c 'import sys; sys.stdout.write("k" * 4095 + "\n")' >k4095nl
	python3 -c 'import sys; sys.stdout.write("k" * 4097)' >k4097
	run --separate-stderr ev-enrich --hash user_id --key-file k4096 <in.ndjson
	assert_success
	[ "$(jq -r .user_id <<<"$output")" = "$(hmac_of k4096 u1)" ]
	run --separate-stderr ev-enrich --hash user_id --key-file k4095nl <in.ndjson
	assert_success
	[ "$(jq -r .user_id <<<"$output")" = "$(hmac_of k4095nl u1)" ]
	run --separate-stderr ev-enrich --hash user_id --key-file k4097 <in.ndjson
	assert_failure 2
	[[ $stderr == *"key file longer than 4096 bytes"* ]]
}

@test "ev-enrich: --lookup-missing counts are a partition of the events" {
	{
		printf '%s\n' '{"user_id":"u1"}' '{"user_id":"u2"}' '{"user_id":"u9"}' \
		    '{"x":1}' '{"user_id":null}' '{"user_id":{"a":1}}' \
		    '{"user_id":"u1","users":{}}' '{"user_id":"\u0075\u0039"}' 'not json'
	} >in.ndjson
	for how in keep null reject; do
		run --separate-stderr ev-enrich --lookup "$E/users.csv" --on user_id \
		    --lookup-missing "$how" --stats stats.json --rejects rej.ndjson <in.ndjson
		want=$(python3 - "$E/users.csv" "$how" <<'PY'
import csv, json, sys
keys = {row['user_id'] for row in csv.DictReader(open(sys.argv[1]))}
c = dict(applied=0, present=0, absent=0, failed=0)
rejected = 0
for line in open('in.ndjson'):
    try:
        ev = json.loads(line)
    except ValueError:
        rejected += 1
        continue
    k = ev.get('user_id')
    if 'users' in ev:
        c['present'] += 1
    elif k is None:
        c['absent'] += 1
        rejected += sys.argv[2] == 'reject'
    elif not isinstance(k, (str, int, float)):
        c['failed'] += 1
        rejected += sys.argv[2] == 'reject'
    elif k in keys:
        c['applied'] += 1
    else:
        c['failed'] += 1
        rejected += sys.argv[2] == 'reject'
print(json.dumps([c['applied'], c['present'], c['absent'], c['failed'],
                  rejected], separators=(',', ':')))
PY
)
		got=$(jq -c '[.enrich.lookup.users | .applied, .present, .absent, .failed] + [.rejected]' stats.json)
		assert_equal "$got" "$want"
		assert_balanced stats.json
		# The four counts add up to the events the lookup saw.
		jq -e '(.enrich.lookup.users | .applied + .present + .absent + .failed) == .in - 1' stats.json
	done
}

@test "ev-enrich: a number lookup key matches the cell of its shortest form" {
	printf 'id:string,v\n1,one\n1.5,onefive\n1.2345678901234567e+19,big\n1000,thousand\n1e3,e3\n0,zero\n1e-07,tiny\n9007199254740993,exact\ntrue,yes\n' >t.csv
	keys='1 1.0 1e0 1.50 1.5 12345678901234567890 1000 1e3 -0 -0.0 1E-7 9007199254740993 true "1e3" "1.0"'
	for k in $keys; do printf '{"id":%s,"s":"\\u0041"}\n' "$k"; done >in.ndjson
	# Nor does the key depend on the rest of the record.
	printf '{"id":9007199254740993,"b":12345678901234567890,"s":"\\u0041"}\n' >>in.ndjson
	run --separate-stderr ev-enrich --lookup t.csv --on id --lookup-missing null <in.ndjson
	assert_success
	got=$(jq -r '.t.v // "none"' <<<"$output")
	want=$(python3 - <<'PY'
import csv, json
rows = {r['id:string']: r['v'] for r in csv.DictReader(open('t.csv'))}
for line in open('in.ndjson'):
    k = json.loads(line)['id']
    if isinstance(k, bool):
        text = 'true' if k else 'false'
    elif isinstance(k, str):
        text = k
    elif isinstance(k, int) and -2**63 <= k < 2**63:
        text = str(k)
    else:
        f = float(k)
        text = str(int(f)) if f == int(f) and abs(f) < 2**53 else repr(f)
    print(rows.get(text, 'none'))
PY
)
	assert_equal "$got" "$want"
}

@test "ev-enrich: loose time forms and leap seconds as the page says" {
	forms='2026-03-02T10:00:00+0100 2026-03-02T10:00Z 2026-03-02t10:00:00z
	    2026-03-02T10:00:00.123456789-05:30 2026-03-02 2026-12-31T23:59:60Z
	    2026-06-30T23:59:60+00:00 2026-03-02T10:30:60+01:00 2026-03-02T10:00:00
	    2026-03-02T25:00:00Z 2026-02-30T10:00:00Z'
	for t in $forms; do printf '{"ts":"%s"}\n' "$t"; done >in.ndjson
	printf '{"ts":"2026-03-02 10:00:00Z"}\n' >>in.ndjson
	run --separate-stderr ev-enrich --calendar --tz UTC --rejects rej.ndjson \
	    --strict <in.ndjson
	got=$(jq -r '"\(.calendar.date) \(.calendar.hour)"' <<<"$output")
	want=$(python3 - <<'PY'
import json, re
from datetime import datetime, timedelta, timezone
for line in open('in.ndjson'):
    t = json.loads(line)['ts'].upper()
    leap = re.search(r':60(?=[.Z+-]|$)', t)
    if leap:
        t = t[:leap.start()] + ':59' + t[leap.end():]
    t = re.sub(r'(\.\d{6})\d+', r'\1', t)
    try:
        d = datetime.fromisoformat(t)
    except ValueError:
        continue
    if len(t) == 10:
        d = d.replace(tzinfo=timezone.utc)
    if d.tzinfo is None:
        continue
    if leap:
        d += timedelta(seconds=1)
    d = d.astimezone(timezone.utc)
    print(d.strftime('%Y-%m-%d'), d.hour)
PY
)
	assert_equal "$got" "$want"
	# The rejected: no offset, hour 25, 30 February.
	[ "$(jq -r .errors[0].value rej.ndjson | tr '\n' ' ')" = "2026-03-02T10:00:00 2026-03-02T25:00:00Z 2026-02-30T10:00:00Z " ]
}

@test "ev-enrich: campaign parameters decode as Python's urllib does" {
	queries='utm_source=a+b utm_source=%zz%4 utm_source=%41%20b
	    utm_source=x&utm_source=y UTM_SOURCE=x&utm_medium=m
	    utm_source=&utm_source=x utm_source=+&utm_medium=m utm%5Fsource=x
	    utm_source=%E2%82%AC utm_source=%ff&utm_source=ok
	    utm_source=a;utm_medium=c utm_source=a=b gclid=&msclkid=m
	    utm_campaign=c&utm_term=t&utm_content=k&utm_id=9&dclid=d'
	for q in $queries; do
		printf '{"context":{"page_url":"https://x.example/p?%s"}}\n' "$q"
	done >in.ndjson
	run --separate-stderr ev-enrich --campaign <in.ndjson
	assert_success
	got=$(jq -c '.campaign // {}' <<<"$output")
	want=$(python3 - <<'PY'
import json
from urllib.parse import parse_qsl, urlsplit
names = [('utm_source', 'source'), ('utm_medium', 'medium'),
         ('utm_campaign', 'name'), ('utm_term', 'term'),
         ('utm_content', 'content'), ('utm_id', 'id')]
clicks = [('gclid', 'Google'), ('msclkid', 'Microsoft'),
          ('dclid', 'DoubleClick')]
for line in open('in.ndjson'):
    q = urlsplit(json.loads(line)['context']['page_url']).query
    pairs = parse_qsl(q, keep_blank_values=True, errors='surrogateescape')
    def first(name):
        """The first value of name not blank; None if it is no UTF-8."""
        for k, v in pairs:
            if k == name and v.strip():
                try:
                    v.encode('utf-8')
                except UnicodeEncodeError:
                    return None
                return v
        return None
    out = {}
    for p, m in names:
        v = first(p)
        if v is not None:
            out[m] = v
    for p, net in clicks:
        v = first(p)
        if v is not None:
            out['click_id'] = v
            out['network'] = net
            break
    print(json.dumps(out, separators=(',', ':'), ensure_ascii=False))
PY
)
	assert_equal "$got" "$want"
}

@test "ev-enrich: --stats names one member per enrichment with its counts" {
	[ -f "$UAP/regexes.yaml" ] || skip "uap-core is not installed"
	run --separate-stderr ev-enrich --lookup "$E/users.csv" --on user_id \
	    --calendar --campaign --referrer --ua --ip-country "$E/ranges.csv" \
	    --hash user_id --key-file key.txt --anon-ip --drop event_id \
	    --fingerprint --stats stats.json <"$E/events.ndjson"
	assert_success
	run jq -c '.enrich | [keys, (.lookup | keys), (.lookup.users | keys),
	    (.ua | keys), (.calendar | keys)]' stats.json
	assert_output '[["anon_ip","calendar","campaign","drop","fingerprint","geo","hash","lookup","referrer","ua"],["users"],["absent","applied","failed","present","reload_failures","reloads","rows"],["absent","applied","cache_hits","cache_misses","failed","present"],["absent","applied","failed","present"]]'
}

@test "ev-enrich: a number is hashed from its bytes as written, whatever the rest of the record" {
	{
		printf '%s\n' '{"n":0}' '{"s":"a\nb","n":0}' \
		    '{"s":"\u0041","n":0,"b":12345678901234567890}' \
		    '{"s":"a\nb","n":0,"b":12345678901234567890}' \
		    '{"s":"a\nb","n":1.50}' '{"n":1e3,"x":"\u00e9"}' \
		    '{"n":-0,"b":12345678901234567890}' \
		    '{"n":12345678901234567890}'
	} >in.ndjson
	run --separate-stderr ev-enrich --hash s,n --key-file key.txt <in.ndjson
	assert_success
	run jq -r .n <<<"$output"
	for i in 0 1 2 3; do
		assert_line --index "$i" "$(hmac_of key.txt 0)"
	done
	assert_line --index 4 "$(hmac_of key.txt 1.50)"
	assert_line --index 5 "$(hmac_of key.txt 1e3)"
	assert_line --index 6 "$(hmac_of key.txt -0)"
	assert_line --index 7 "$(hmac_of key.txt 12345678901234567890)"
}

@test "ev-enrich: a string is hashed as its decoded text, escapes or not" {
	printf '%s\n' '{"s":"Ab"}' '{"s":"\u0041b","n":1E-7}' '{"s":"\u0041\u0062","b":12345678901234567890}' >in.ndjson
	run --separate-stderr ev-enrich --hash s --key-file key.txt <in.ndjson
	run jq -r .s <<<"$output"
	want=$(hmac_of key.txt Ab)
	assert_line --index 0 "$want"
	assert_line --index 1 "$want"
}

@test "ev-enrich: --drop splices the change and keeps every other byte" {
	printf '%s\n' '{"s":"a\nb","n":1.50,"m":1e3}' \
	    '{"s":"\u0041","b":12345678901234567890,"x":"\u00e9"}' \
	    '{"a":[1.0,{"s":1}, 2E+2],"s":"\u00e9","c":{"s":true,"k":-0}}' >in.ndjson
	run --separate-stderr ev-enrich --drop s,a.1.s,c.s <in.ndjson
	assert_success
	assert_line --index 0 '{"n":1.50,"m":1e3}'
	assert_line --index 1 '{"b":12345678901234567890,"x":"\u00e9"}'
	assert_line --index 2 '{"a":[1.0,{}, 2E+2],"c":{"k":-0}}'
}

@test "ev-enrich: --drop of an array element keeps the other elements' bytes" {
	printf '%s\n' '{"a":[1.0,"\u0041",2E+2],"n":1.50}' >in.ndjson
	run --separate-stderr ev-enrich --drop a.1,a.0 <in.ndjson
	assert_success
	# As in jansson: after a.1 goes, a.0 is still the first element.
	assert_output '{"a":[2E+2],"n":1.50}'
}

@test "ev-enrich: --anon-ip on an escaped address keeps the other bytes" {
	printf '%s\n' '{"context":{"ip":"1.2.3.\u0034"},"m":1E-7}' >in.ndjson
	run --separate-stderr ev-enrich --anon-ip <in.ndjson
	assert_success
	assert_output '{"context":{"ip":"1.2.3.0"},"m":1E-7}'
}

@test "ev-enrich: a lookup with a dropped column keeps the event's bytes" {
	printf '%s\n' '{"user_id":"u1","n":1.50,"s":"a\nb"}' '{"user_id":"\u0075\u0031","n":1.50}' >in.ndjson
	run --separate-stderr ev-enrich --lookup "$E/users.csv" --on user_id \
	    --drop users.ltv <in.ndjson
	assert_success
	assert_line --index 0 '{"user_id":"u1","n":1.50,"s":"a\nb","users":{"plan":"pro","segment":"enterprise","zip":"01234"}}'
	assert_line --index 1 '{"user_id":"\u0075\u0031","n":1.50,"users":{"plan":"pro","segment":"enterprise","zip":"01234"}}'
}

@test "ev-enrich: re-enriching an enriched event keeps its bytes" {
	h=$(hmac_of key.txt u1)
	printf '{"user_id":"%s","n":1.50,"x":"\\u00e9","b":12345678901234567890,"context":{"ip":"1.2.3.0"}}\n' "$h" >in.ndjson
	run --separate-stderr ev-enrich --hash user_id --anon-ip --key-file key.txt <in.ndjson
	assert_success
	assert_output "$(cat in.ndjson)"
	# With a change beside them the re-enriched values keep their bytes too.
	printf '{"user_id":"%s","n":1.50,"x":"\\u00e9","tmp":1,"b":12345678901234567890}\n' "$h" >in.ndjson
	run --separate-stderr ev-enrich --hash user_id --drop tmp --key-file key.txt <in.ndjson
	assert_success
	assert_output "{\"user_id\":\"$h\",\"n\":1.50,\"x\":\"\\u00e9\",\"b\":12345678901234567890}"
}

@test "ev-enrich: --anon-ip then --hash of the same field keeps the other bytes" {
	printf '%s\n' '{"context":{"ip":"1.2.3.4"},"n":1.50}' >in.ndjson
	run --separate-stderr ev-enrich --anon-ip --hash context.ip --key-file key.txt <in.ndjson
	assert_success
	assert_output "{\"context\":{\"ip\":\"$(hmac_of key.txt 1.2.3.0)\"},\"n\":1.50}"
}

@test "ev-enrich: --fingerprint is the SHA-256 of the canonical text, as Python computes it" {
	# Repeated keys, escapes, non-ASCII, reals and integers of every
	# shape, after --anon-ip and --hash changed the event, with paths left
	# out: tests/enrich_fingerprint.py says how the text is made.
	python3 "$EVKIT_TOP/tests/enrich_fingerprint.py" gen 7 2000 >in.ndjson
	run --separate-stderr ev-enrich --fingerprint --anon-ip --ip-field c.ip \
	    --hash u --key-file key.txt --fingerprint-exclude c.n,a <in.ndjson
	assert_success
	printf '%s\n' "$output" >out.ndjson
	[ "$(wc -l <out.ndjson)" -eq 2000 ]
	run python3 "$EVKIT_TOP/tests/enrich_fingerprint.py" check c.n,a out.ndjson
	assert_success
	assert_output "2000 fingerprints checked"
}

@test "ev-enrich: --fingerprint after a change keeps the other bytes" {
	printf '%s\n' '{"n":1.50,"u":"x","m":1e3}' >in.ndjson
	run --separate-stderr ev-enrich --hash u --fingerprint --key-file key.txt <in.ndjson
	assert_success
	# The fingerprint: SHA-256 of the sorted compact event, as Python writes it.
	fp=$(python3 -c 'import hashlib, json, sys
e = {"n": 1.5, "u": sys.argv[1], "m": 1000.0}
print(hashlib.sha256(json.dumps(e, sort_keys=True, separators=(",", ":")).encode()).hexdigest())' "$(hmac_of key.txt x)")
	assert_output "{\"n\":1.50,\"u\":\"$(hmac_of key.txt x)\",\"m\":1e3,\"fingerprint\":\"$fp\"}"
}

@test "ev-enrich: a repeated key is hashed at its last occurrence and the clear text goes" {
	printf '%s\n' '{"a":"x","n":1.50,"a":"y"}' '{"c":{"a":"x","a":"y"},"n":1.50}' >in.ndjson
	run --separate-stderr ev-enrich --hash a,c.a --key-file key.txt <in.ndjson
	assert_success
	h=$(hmac_of key.txt y)
	assert_line --index 0 "{\"n\":1.50,\"a\":\"$h\"}"
	assert_line --index 1 "{\"c\":{\"a\":\"$h\"},\"n\":1.50}"
}

@test "ev-enrich: every byte outside the named fields is kept (random records)" {
	python3 "$EVKIT_TOP/tests/enrich_bytes.py" gen 2026 400 >in.ndjson
	run --separate-stderr ev-enrich --hash h,o.h,arr.1 --drop d,o.d,o.p.d \
	    --anon-ip --ip-field o.ip --key-file key.txt <in.ndjson
	assert_success
	printf '%s\n' "$output" >out.ndjson
	run python3 "$EVKIT_TOP/tests/enrich_bytes.py" check key.txt in.ndjson out.ndjson
	assert_success
	assert_output --partial 'checked 400 records'
}

@test "ev-enrich: added members are spliced in as Python computes them, cached or not (generated events)" {
	[ -f "$UAP/regexes.yaml" ] || skip "uap-core is not installed"
	python3 "$EVKIT_TOP/tests/enrich_members.py" gen 16 3000 >in.ndjson
	for tz in Europe/Berlin America/New_York Asia/Kathmandu; do
		ev-enrich --calendar --tz "$tz" --campaign --referrer --ua \
		    --max-reject-rate 1 --rejects /dev/null <in.ndjson >out.ndjson
		run python3 "$EVKIT_TOP/tests/enrich_members.py" check "$tz" \
		    in.ndjson out.ndjson
		assert_success
		assert_output --partial '3000 lines, 0 failures'
	done
	# Through the privacy steps too: a member read and changed after it
	# was added as text is the member the steps see (python's hmac).
	ev-enrich --campaign --ua --hash page.host,ua.device.family \
	    --key-file key.txt --drop page.port --max-reject-rate 1 \
	    --rejects /dev/null <in.ndjson >priv.ndjson
	run python3 - <<'PY'
import hmac, hashlib, json
key = open('key.txt', 'rb').read().strip()
def h(s):
    return 'hmac:' + hmac.new(key, s.encode(), hashlib.sha256).hexdigest()
bad = 0
for a, b in zip(open('out.ndjson'), open('priv.ndjson')):
    a, b = json.loads(a), json.loads(b)
    for k in ('page', 'ua'):
        if k in a and a[k] != {'kept': True}:
            want = a[k]
            if k == 'page':
                want.pop('port', None)
                want['host'] = h(want['host'])
            elif isinstance(want['device']['family'], str):
                want['device']['family'] = h(want['device']['family'])
            bad += b.get(k) != want
print('bad', bad)
PY
	assert_output 'bad 0'
}

# --- the man page's examples ------------------------------------------

@test "ev-enrich: every EXAMPLES pipeline of the man page runs" {
	[ -f "$UAP/regexes.yaml" ] || skip "uap-core is not installed"
	cp "$E/events.ndjson" events.ndjson
	cp "$E/users.csv" users.csv
	cp "$E/prices.csv" prices.csv
	cp "$E/users.csv" new-users.csv
	cp "$E/crawlers.json" crawler-user-agents.json
	mkdir -p etc
	# A stand-in for the running ev-enrich the reload example signals.
	sleep 300 &
	enrich_pid=$!
	disown "$enrich_pid"
	if [ -n "${EVKIT_MAXMIND:-}" ] && [ -d "$EVKIT_MAXMIND" ]; then
		cp "$EVKIT_MAXMIND/test-data/GeoIP2-City-Test.mmdb" GeoIP2-City.mmdb
		cp "$EVKIT_MAXMIND/test-data/GeoLite2-ASN-Test.mmdb" GeoLite2-ASN.mmdb
	fi
	# Extract the literal displays of EXAMPLES, joining continued lines.
	awk '/^\.Sh EXAMPLES/ {on=1; next} /^\.Sh/ {on=0}
	    on && /^\.Bd/ {lit=1; next} on && /^\.Ed/ {lit=0; print "#--"; next}
	    on && lit {print}' "$EVKIT_TOP/man/ev-enrich.1" |
	    sed 's/\\e/\\/g' >examples.sh
	n=0
	while IFS= read -r -d '#' block; do
		block=${block%--}
		block=${block#--}
		[ -n "${block//[[:space:]]/}" ] || continue
		case $block in
		*GeoIP2-City.mmdb*) [ -f GeoIP2-City.mmdb ] || continue ;;
		esac
		block=${block//\/etc\/evkit\/key/key.txt}
		run --separate-stderr bash -c "set -e -o pipefail; export enrich_pid=$enrich_pid; $block"
		[ "$status" -le 1 ] || { echo "example failed ($status): $block $stderr"; kill "$enrich_pid"; return 1; }
		n=$((n + 1))
	done <examples.sh
	kill "$enrich_pid" 2>/dev/null || true
	[ "$n" -ge 5 ]
}

# --- secret options (issue 12, item 14) ----------------------------------

@test "ev-enrich: an abbreviated --key-file is refused and its argument never echoed" {
	for args in "--key SECRET-abc123" "--key=SECRET-abc123" "--key-f SECRET-abc123" \
		"--k=SECRET-abc123" "--key-fil=SECRET-abc123"; do
		# shellcheck disable=SC2086
		run --separate-stderr ev-enrich --hash user_id $args </dev/null
		assert_failure 2
		assert_output ""
		[[ $stderr != *SECRET* ]] || { echo "echoed: $stderr"; return 1; }
		[[ $stderr == *"--key-file"*"in full"* ]] || { echo "$stderr"; return 1; }
	done
	# Nor is the argument echoed when it names no readable file, or when
	# an unknown option carries it after '='.
	run --separate-stderr ev-enrich --hash user_id --key-file SECRET-abc123 </dev/null
	assert_failure 2
	[[ $stderr != *SECRET* ]] || { echo "echoed: $stderr"; return 1; }
	[[ $stderr == *"--key-file"*"No such file"* ]]
	run --separate-stderr ev-enrich --hash user_id --keyfile=SECRET-abc123 </dev/null
	assert_failure 2
	[[ $stderr != *SECRET* ]] || { echo "echoed: $stderr"; return 1; }
	[[ $stderr == *"'--keyfile'"* ]]
}

@test "ev-enrich: a key file readable by group or others draws a warning" {
	chmod 600 key.txt
	run --separate-stderr ev-enrich --hash user_id --key-file key.txt <"$E/events.ndjson"
	assert_success
	assert_equal "$stderr" ""
	for mode in 640 604 644; do
		chmod "$mode" key.txt
		run --separate-stderr ev-enrich --hash user_id --key-file key.txt <"$E/events.ndjson"
		assert_success
		[[ $stderr == *"--key-file is readable by group or others"*"0$mode"* ]] || { echo "$stderr"; return 1; }
		[[ $stderr != *key.txt* ]]
	done
}
