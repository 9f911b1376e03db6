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
