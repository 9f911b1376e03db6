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

@test "ev-enrich: --version prints one line" {
	run --separate-stderr ev-enrich --version
	assert_success
	assert_output 'ev-enrich (evkit) 0.1.0'
}

@test "ev-enrich: a bad option is a usage error" {
	run --separate-stderr ev-enrich --no-such-option
	assert_failure 2
	[[ $stderr == *"Try 'ev-enrich --help'"* ]]
	assert_output ''
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

@test "ev-enrich: man page is clean under mandoc -Tlint" {
	run mandoc -Tlint -W warning "$EVKIT_TOP/man/ev-enrich.1"
	assert_success
	assert_output ''
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

@test "ev-enrich: a changed table is reloaded within a second" {
	printf 'user_id,plan\nu1,free\n' >users.csv
	change() {
		printf 'user_id,plan\nu1,pro\n' >users.tmp
		mv users.tmp users.csv
		sleep 1.5
	}
	run_live change
	run jq -r .users.plan out.ndjson
	assert_output "$(printf 'free\npro')"
	grep -q 'reloaded users.csv (1 rows)' err.txt
	[ "$(jq .enrich.lookup.users.reloads stats.json)" -eq 1 ]
}

@test "ev-enrich: SIGHUP reloads the table" {
	printf 'user_id,plan\nu1,free\n' >users.csv
	hup() {
		printf 'user_id,plan\nu1,pro\n' >users.tmp
		mv users.tmp users.csv
		kill -HUP "$pid"
		sleep 0.2
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
		sleep 1.5
	}
	run_live breakit
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
		sleep 0.2
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
