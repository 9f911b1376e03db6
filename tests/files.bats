#!/usr/bin/env bats
# The files every program writes besides stdout (evkit(7), FILES): temporary
# files that cannot be hijacked, modes, paths checked before input is read,
# nothing lost when a save fails, and a message for every exit 3.

load helper

PT=$EVKIT_BIN/tools/ev_passthru

# two_windows: three events, the first minute closes once the second minute
# begins (no lateness).
two_windows() {
	printf '%s\n' '{"ts":"2026-03-02T10:00:10Z","event":"a"}' \
	    '{"ts":"2026-03-02T10:00:20Z","event":"b"}' \
	    '{"ts":"2026-03-02T10:01:10Z","event":"a"}'
}

@test "files: a symlink at a temporary file's name is neither followed nor replaced" {
	# Issue 12 #7: the old temporary name was <path>.tmp.<pid>, which a
	# subshell knows before it execs the program.
	two_windows >in
	echo precious >victim
	(
		ln -s victim "st.tmp.$BASHPID"
		ln -s victim "stats.tmp.$BASHPID"
		exec ev-window --tumble 1m --by event --state st --stats stats <in >out
	)
	assert_equal "$(cat victim)" precious
	[ ! -L st ] && [ ! -L stats ]
	assert_equal "$(jq -r .tool st)" ev-window
	assert_equal "$(jq -r .in stats)" 3
	# The planted links are left alone, and no temporary file is left over.
	run find . -name 'st.tmp.*' -o -name 'stats.tmp.*'
	assert_equal "$(echo "$output" | wc -l)" 2
	run find . -name '*.tmp.*' ! -type l
	assert_output ""
}

@test "files: rejects, late, duplicates and state files are created 0600" {
	# Issue 12 #15: they hold raw input (before --hash); a save must not
	# widen the mode of a state file either.
	umask 022
	echo '{"type":"object","required":["id"]}' >s.json
	printf '%s\n' '{"id":"1","ts":"2026-03-02T10:00:00Z"}' '{"id":"1","ts":"2026-03-02T10:00:01Z"}' \
	    '{"x":2}' >in
	run ev-validate -s s.json --dedupe id --duplicates dup --state vst --rejects rej <in
	assert_failure 1
	two_windows >w
	echo '{"ts":"2026-03-02T09:00:00Z","event":"a"}' >>w
	ev-window --tumble 1m --by event --late late --state wst --stats wstats <w >/dev/null
	ev-window --tumble 1m --by event --agg count <w |
	    ev-detect --by event --state dst >/dev/null
	for f in dup vst rej late wst dst; do
		[ -s "$f" ] || fail "$f is empty"
		assert_equal "$f $(stat -c %a "$f")" "$f 600"
	done
	# Counts are no secret: the stats file follows the umask.
	assert_equal "$(stat -c %a wstats)" 644
	# An existing file keeps its mode, through a save too.
	chmod 640 wst rej
	chmod 604 wstats
	ev-window --tumble 1m --by event --late late --state wst --stats wstats </dev/null >/dev/null
	ev-validate -s s.json --rejects rej <in >/dev/null || true
	assert_equal "$(stat -c %a wst) $(stat -c %a rej) $(stat -c %a wstats)" "640 640 604"
}

@test "files: a --state or --stats path that can never be written exits 2 before input" {
	# Issue 12 #6: found at the start, not after all input was read.
	echo '{"type":"object"}' >s.json
	two_windows >in
	mkdir adir
	for args in "ev-window --tumble 1m --state /nonexistent/w.state" \
	    "ev-window --tumble 1m --state adir" \
	    "ev-detect --state /nonexistent/d.state" \
	    "ev-validate -s s.json --dedupe event --state /nonexistent/v.state" \
	    "ev-validate -s s.json --stats /nonexistent/st.json" \
	    "ev-enrich --stats /nonexistent/st.json" \
	    "ev-report --stats /nonexistent/st.json" \
	    "ev-gen --seed 1 --duration 1m --stats /nonexistent/st.json" \
	    "$PT --stats adir"; do
		run --separate-stderr $args <in
		[ "$status" -eq 2 ] || fail "$args: exit $status, stderr: $stderr"
		[ -z "$output" ] || fail "$args wrote output: $output"
		[[ "$stderr" == *"cannot write"*"/nonexistent/"*"No such file or directory"* ||
		    "$stderr" == *"cannot write"*"adir"*"Is a directory"* ]] ||
		    fail "$args: stderr: $stderr"
	done
}

@test "files: a --stats file that fails at the end is saved elsewhere and the message says where" {
	mkdir tmp
	echo '{"a":1}' >in
	TMPDIR=$T/tmp run --separate-stderr "$PT" --stats /dev/full <in
	assert_failure 3
	assert_output '{"a":1}'
	f=$(find tmp -type f)
	[ -n "$f" ]
	assert_equal "$stderr" "ev_passthru: cannot write stats file '/dev/full': No space left on device; saved to '$T/$f' instead"
	assert_equal "$(stat_of "$f" in) $(stat_of "$f" passed)" "1 1"
	assert_equal "$(stat -c %a "$f")" 600
}

# window_save_fails TMPDIR: run ev-window with --state d/st on two_windows,
# and remove d once the first window is out, so the save at the end fails.
window_save_fails() {
	mkdir -p d
	mkfifo fifo
	TMPDIR=$1 ev-window --tumble 1m --by event --state d/st <fifo >out 2>err &
	pid=$!
	exec 7>fifo
	two_windows >&7
	for _ in $(seq 300); do [ -s out ] && break; sleep 0.1; done
	[ -s out ] || return 1
	rm -r d
	exec 7>&-
	rc=0
	wait "$pid" || rc=$?
}

@test "files: ev-window keeps the open windows when the state save fails at the end" {
	# Issue 12 #6: the windows still open went nowhere before.
	two_windows | ev-window --tumble 1m --by event --state good >good_out
	mkdir tmp
	window_save_fails "$T/tmp"
	assert_equal "$rc" 3
	f=$(find tmp -type f)
	[ -n "$f" ]
	assert_equal "$(cat err)" "ev-window: cannot write state file 'd/st': No such file or directory; saved to '$T/$f' instead"
	diff good_out out
	assert_equal "$(jq -c .data "$f")" "$(jq -c .data good)"
	# With nowhere to save them, the open windows come out as at the end
	# of a run without --state.
	rm -f fifo out err
	window_save_fails /nonexistent
	assert_equal "$rc" 3
	[[ "$(cat err)" == *"cannot write state file 'd/st': No such file or directory; no copy in '/nonexistent' either: No such file or directory; the open windows follow on standard output" ]]
	two_windows | ev-window --tumble 1m --by event | diff - out
	assert_equal "$(wc -l <out)" 3
}

@test "files: every exit 3 from a record stream says what failed" {
	# Issue 12 #9: a record larger than the stdio buffer failed in fwrite
	# and nothing was said.
	big=$(python3 -c 'print("x" * 100000)')
	printf '{"ts":"%s"\n' "$big" >bad
	for f in /dev/full /proc/version; do
		run --separate-stderr "$PT" --rejects "$f" <bad
		assert_failure 3
		[[ "$stderr" == "ev_passthru: write error on rejects file '$f': "* ]] ||
		    fail "--rejects $f: stderr: '$stderr'"
	done
	# A late event too large for the buffer, to a late file that fails.
	two_windows >in
	printf '{"ts":"2026-03-02T09:00:00Z","event":"%s"}\n' "$big" >>in
	run --separate-stderr ev-window --tumble 1m --by event --late /dev/full <in
	assert_failure 3
	assert_equal "$stderr" "ev-window: write error on late file '/dev/full': No space left on device"
	# A duplicate, likewise.
	echo '{"type":"object"}' >s.json
	printf '{"id":"1","p":"%s"}\n' "$big" "$big" >dups
	run --separate-stderr ev-validate -s s.json --dedupe id --duplicates /dev/full <dups
	assert_failure 3
	assert_equal "$stderr" "ev-validate: write error on duplicates file '/dev/full': No space left on device"
}

# closed_pipe CMD ARGS...: run CMD with its stdout on a pipe whose reader
# has already gone, so every write fails with EPIPE (SIGPIPE at default);
# prints the exit status, then what CMD wrote to stderr.
closed_pipe() {
	python3 -c 'import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
print(p.returncode)
sys.stdout.write(p.stderr.decode())' "$@"
}

@test "files: ev-schema ends quietly when its reader goes away, like the others" {
	# Issue 12 #19: it died of SIGPIPE (141) while every other program
	# ends quietly.
	reg=$EVKIT_TOP/schemas/registry
	ev-schema lint "$reg" >/dev/null && want=0 || want=$?
	run closed_pipe ev-schema lint "$reg"
	assert_output "$want"
	ev-schema compat "$reg" >/dev/null && want=0 || want=$?
	run closed_pipe ev-schema compat "$reg"
	assert_output "$want"
	for p in ev-schema ev-window ev-gen; do
		run closed_pipe "$p" --help
		assert_output 0
	done
}

@test "files: --help and --version to a full disk say so and exit 3, in every program" {
	for c in "$EVKIT_TOP"/cmd/ev-*.c; do
		p=${c##*/}
		p=${p%.c}
		for o in --help --version; do
			run --separate-stderr bash -c "$p $o >/dev/full"
			[ "$status" -eq 3 ] || fail "$p $o: exit $status"
			[ "$stderr" = "$p: write error on standard output: No space left on device" ] ||
			    fail "$p $o: stderr: '$stderr'"
		done
	done
}

@test "files: a SIGHUP that arrives before the handlers is a reload, not a kill" {
	# Issue 12 #17.  Blocked and pending across exec, the signal stands for
	# one sent before the program could install its handlers.
	echo '{"type":"object"}' >s.json
	echo '{"a":1}' >in
	run --separate-stderr python3 -c 'import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGHUP])
os.kill(os.getpid(), signal.SIGHUP)
os.execvp(sys.argv[1], sys.argv[1:])' ev-validate -s s.json <in
	assert_success
	assert_output '{"a":1}'
	assert_equal "$stderr" "ev-validate: reloaded 1 schema from 's.json'"
}

@test "files: a failed stream of rejects does not cost ev-window its open windows" {
	# Issue 12 #6: with the run failed (exit 3), the state was not saved
	# and the open windows were not written either.
	two_windows >in
	printf '{"ts":"%s"}\n' "$(python3 -c 'print("x" * 100000)')" >>in
	run --separate-stderr ev-window --tumble 1m --by event --rejects /dev/full --state st <in
	assert_failure 3
	assert_equal "$(jq -r .data.lines st)" 4
	run --separate-stderr ev-window --tumble 1m --by event --rejects /dev/full <in
	assert_failure 3
	two_windows | ev-window --tumble 1m --by event | diff - <(echo "$output")
}
