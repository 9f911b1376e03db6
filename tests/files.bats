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
