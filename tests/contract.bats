#!/usr/bin/env bats
# The contract of evkit(7) checked across every program in cmd/: help,
# version, usage errors, and that every option in --help is documented.

load helper

programs() {
	local c
	for c in "$EVKIT_TOP"/cmd/ev-*.c; do
		c=${c##*/}
		echo "${c%.c}"
	done
}

@test "contract: every program has a man page that mandoc passes" {
	for p in $(programs); do
		[ -f "$EVKIT_TOP/man/$p.1" ] || fail "no man page for $p"
		run mandoc -Tlint -W warning "$EVKIT_TOP/man/$p.1"
		[ -z "$output" ] || fail "mandoc on $p.1: $output"
	done
	run mandoc -Tlint -W warning "$EVKIT_TOP/man/evkit.7"
	assert_output ""
}

# Lint passes on macros that render wrongly: a quoting macro swallows the
# rest of its line, so ".Pq Ql a , Ql b" prints nested quotes.  Read the
# rendered text for the marks of that, and check that every source path a
# page names exists.
@test "contract: man pages render without nested quotes and name real paths" {
	local f bad=""
	for f in "$EVKIT_TOP"/man/*.[17]; do
		mandoc -Tutf8 "$f" | col -b >"$T/page.txt"
		# an opening quote inside an open one; a word, then two quotes;
		# a brace list whose quotes run together
		if grep -n -e "‘[^’]*‘" -e '[[:alnum:]_]""' -e '{"[[:alnum:]_]*, "' \
		    "$T/page.txt" >"$T/hits"; then
			bad="$bad ${f##*/}: $(cat "$T/hits")"
		fi
		# (URLs aside: their paths are not the tree's)
		for p in $(sed 's#[a-z]*://[^ ]*##g' "$T/page.txt" |
		    grep -o '\(schemas\|scripts\|tests\)/[[:alnum:]_./-]*[[:alnum:]_]' |
		    sort -u); do
			[ -e "$EVKIT_TOP/$p" ] || bad="$bad ${f##*/}: no file $p"
		done
	done
	[ -z "$bad" ] || fail "garbled or wrong:$bad"
}

@test "contract: --help prints usage on stdout and exits 0" {
	for p in $(programs); do
		run --separate-stderr "$p" --help
		[ "$status" -eq 0 ] || fail "$p --help exited $status"
		[[ "${lines[0]}" == *"$p"* ]] || fail "$p --help first line: ${lines[0]}"
		[ -z "$stderr" ] || fail "$p --help wrote to stderr"
	done
}

@test "contract: --version prints one line and exits 0" {
	for p in $(programs); do
		run --separate-stderr "$p" --version
		assert_success
		assert_output "$p (evkit) 0.1.0"
	done
}

@test "contract: an unknown option exits 2 with a Try line on stderr" {
	for p in $(programs); do
		run --separate-stderr "$p" --no-such-option
		[ "$status" -eq 2 ] || fail "$p exited $status"
		assert_equal "$output" ""
		[[ "$stderr" == *"Try '$p --help'"* ]] || fail "$p stderr: $stderr"
	done
}

@test "contract: every long option in --help is in the man pages" {
	for p in $(programs); do
		for o in $("$p" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
			grep -qE -- "Fl (\\\\)?-${o#--}\\b" "$EVKIT_TOP/man/$p.1" "$EVKIT_TOP/man/evkit.7" ||
				fail "$p: option $o is not in man/$p.1"
		done
	done
}

@test "contract: every program's --help lists the common options" {
	for p in $(programs); do
		[ "$p" = ev-schema ] && continue	# one-shot CI checks, no stream
		run "$p" --help
		for o in --rejects --stats --max-line --flush-interval --max-reject-rate; do
			[[ "$output" == *"$o"* ]] || fail "$p --help lacks $o"
		done
	done
}

@test "contract: the EXAMPLES of evkit(7) run" {
	ln -s "$EVKIT_TOP/schemas" schemas
	# Each literal block of the EXAMPLES section, with mdoc's \e unescaped.
	awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh / { on = 0 }
	    on && /^\.Bd -literal/ { n++; blk = 1; next } /^\.Ed/ { blk = 0 }
	    on && blk { gsub(/\\e/, "\\"); print > ("ex" n ".sh") }' \
	    "$EVKIT_TOP/man/evkit.7"
	[ -s ex1.sh ] && [ -s ex2.sh ]
	run --separate-stderr bash -o pipefail ex1.sh
	assert_success
	assert_output --partial "page_view"
	run --separate-stderr bash -o pipefail ex2.sh
	assert_success
	[ "$(echo "$output" | wc -l)" -eq 2 ]
	assert_balanced v.json
	assert_balanced w.json
}

# The usage lines of --help ("usage: ..." and the lines indented under it)
# with the word "usage:" and runs of white space squeezed out.
usage_of() {
	"$EVKIT_BIN/$1" --help | awk 'NR == 1 && /^usage: / { on = 1 }
	    on && NR > 1 && !/^[ \t]/ { exit } on { print }' |
	    sed '1s/^usage: //' | tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'
}

# The SYNOPSIS section of a man page as mandoc renders it, squeezed alike.
synopsis_of() {
	mandoc -Tascii "$EVKIT_TOP/man/$1.1" | col -b |
	    awk '/^SYNOPSIS/ { on = 1; next } on && /^[A-Z]/ { exit } on' |
	    tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'
}

@test "contract: the usage in --help is the SYNOPSIS of the man page" {
	local p u s bad=""
	for p in $(programs); do
		u=$(usage_of "$p")
		s=$(synopsis_of "$p")
		[ -n "$s" ] || fail "$p: no SYNOPSIS in man/$p.1"
		[ "$u" = "$s" ] && continue
		bad="$bad
$p --help: $u
$p.1:      $s"
	done
	[ -z "$bad" ] || fail "usage and SYNOPSIS differ:$bad"
}

# Run by its full path: getopt_long names a program by argv[0].
@test "contract: a bad option's message names the program, not its path" {
	local p
	for p in $(programs); do
		run --separate-stderr "$EVKIT_BIN/$p" --no-such-option
		[ "$status" -eq 2 ] || fail "$p exited $status"
		[[ "${stderr_lines[0]}" == "$p: "* ]] ||
			fail "$p: first line of stderr: ${stderr_lines[0]}"
		assert_equal "${stderr_lines[-1]}" \
		    "Try '$p --help' for more information."
	done
}

@test "contract: a bad duration is one usage error in every program" {
	local p opt v want
	# program option value: the message, or "ok" when it is taken.
	while read -r p opt v want; do
		run --separate-stderr "$EVKIT_BIN/$p" "$opt" "$v" --help
		if [ "$want" = ok ]; then
			[ "$status" -eq 0 ] || fail "$p $opt $v: $stderr"
			continue
		fi
		[ "$status" -eq 2 ] || fail "$p $opt $v exited $status"
		assert_equal "${stderr_lines[0]}" \
		    "$p: $opt '$v' is not a ${want/-/ }"
	done <<-'LIST'
	ev-gen --duration 0 positive-duration
	ev-gen --late-max -5m positive-duration
	ev-gen --duration 1d ok
	ev-report --step 0 positive-duration
	ev-report --last 3x positive-duration
	ev-report --step 5m ok
	ev-window --every 0 positive-duration
	ev-window --lateness -1s duration
	ev-window --lateness 0 ok
	ev-detect --repeat -1s duration
	ev-detect --series-ttl soon duration
	ev-detect --repeat 0 ok
	ev-validate --dedupe-window 0 positive-duration
	ev-validate --dedupe-window -1h positive-duration
	ev-validate --dedupe-window 1h ok
	ev-funnel --period 0 positive-duration
	ev-funnel --within -1h duration
	ev-funnel --within 0 ok
	LIST
}

# The reader leaves a line's UTF-8 to the record layer, which checks it in
# the same pass as the grammar (issue 16: one check per line); a line it
# refuses is a "utf8" reject when it is not UTF-8 and a "parse" one when
# it is.  Python's strict decoder is the reference for the reason and the
# first bad byte, whichever way the line is parsed (\u escapes go to
# jansson, the rest to simdjson) and wherever the bad byte is.
@test "contract: every reading program rejects invalid UTF-8 as utf8, at the first bad byte" {
	local p args
	{
		printf '{"event":"a\xffb"}\n'
		printf '{"event":"\\u00e9\xc3"}\n'
		printf '{bad \xe2\x82\n'
		printf '"\xed\xa0\x80"\n'
		printf '{"event":"\xc0\xaf","n":1}\n'
		printf '{"a":"\xc3\xa9"\n'
		printf '[1,2\xf4\x90\x80\x80]\n'
	} > in
	python3 - > want <<-'PY'
	import base64
	for i, line in enumerate(open("in", "rb").read().split(b"\n")[:-1], 1):
	    try:
	        line.decode("utf-8")
	        print(i, "parse", "-", "-")
	    except UnicodeDecodeError as e:
	        print(i, "utf8", "invalid UTF-8 at byte %d" % e.start,
	              base64.b64encode(line).decode())
	PY
	echo '{}' > schema.json
	while IFS='|' read -r p args; do
		# shellcheck disable=SC2086
		run --separate-stderr "$EVKIT_BIN/$p" $args --rejects rej \
		    --stats st < in
		[ "$status" -eq 1 ] || fail "$p exited $status: $stderr"
		run jq -r '[.line, .reason, (.errors[0].message |
		    if test("^invalid UTF-8") then . else "-" end),
		    (.raw_base64 // "-")] | join(" ")' rej
		assert_output "$(cat want)"
		assert_equal "$(stat_of st rejected)" 7
		assert_balanced st
	done <<-'LIST'
	tools/ev_passthru|
	ev-validate|-s schema.json
	ev-enrich|--campaign
	ev-window|--tumble 1m --by event
	ev-detect|
	ev-report|-f text
	LIST
}
