#!/usr/bin/env bats
# The shared core's contract, driven through ev_passthru (tests/tools/): the
# reader, rejects, stats, exit statuses and flushing every program inherits.

load helper

PT=$EVKIT_BIN/tools/ev_passthru

@test "core: valid lines pass byte for byte, CRLF and blank lines handled" {
	printf '{"b":1.50,"a":[1, 2]}\r\n\n \t\n{"z":"\\u00e9"}\n' > in
	run --separate-stderr "$PT" --stats st < in
	assert_success
	assert_equal "$output" $'{"b":1.50,"a":[1, 2]}\n{"z":"\\u00e9"}'
	assert_equal "$(stat_of st blank)" 2
	assert_equal "$(stat_of st in)" 2
	assert_balanced st
}

@test "core: a last line without newline is read" {
	printf '{"a":1}\n{"a":2}' > in
	run --separate-stderr "$PT" < in
	assert_success
	assert_equal "${#lines[@]}" 2
}

@test "core: bad JSON, bad UTF-8 and over-long lines go to rejects, counted" {
	{ echo '{"ok":1}'; echo '{bad'; printf '{"x":"\xff"}\n';
	  head -c 5000 /dev/zero | tr '\0' 'x'; echo; echo '{"ok":2}'; } > in
	run --separate-stderr "$PT" --max-line 1000 --rejects rej --stats st < in
	assert_failure 1
	assert_equal "${#lines[@]}" 2
	assert_equal "$(wc -l < rej)" 3
	run jq -r '[.tool,.line,.reason]|@tsv' rej
	assert_output $'ev_passthru\t2\tparse\nev_passthru\t3\tutf8\nev_passthru\t4\ttoo_long'
	# The invalid UTF-8 line is kept byte for byte in base64.
	run jq -r 'select(.reason=="utf8").raw_base64' rej
	assert_equal "$(echo "$output" | base64 -d | od -An -tx1 | tr -d ' \n')" \
	    "$(printf '{"x":"\xff"}' | od -An -tx1 | tr -d ' \n')"
	run jq -r 'select(.reason=="too_long")|[.bytes,.truncated,(.raw_prefix|length)]|@tsv' rej
	assert_output $'5000\ttrue\t4096'
	run jq -r 'select(.reason=="parse").raw' rej
	assert_output '{bad'
	assert_equal "$(stat_of st rejected)" 3
	assert_balanced st
}

@test "core: an over-long line is not held in memory whole" {
	case $EVKIT_BIN in *asan*) skip "peak memory is not meaningful under ASan" ;; esac
	# A 64 MiB line: peak RSS stays far below the line's size.
	{ head -c 67108864 /dev/zero | tr '\0' 'y'; echo; echo '{"a":1}'; } > in
	run --separate-stderr /usr/bin/time -f '%M' -o rss "$PT" --rejects rej < in
	assert_failure 1
	assert_output '{"a":1}'
	run jq -r '.bytes' rej
	assert_output 67108864
	[ "$(tail -1 rss)" -lt 16384 ]
}

@test "core: rejects without --rejects are one-line diagnostics on stderr" {
	run --separate-stderr "$PT" <<< '{bad'
	assert_failure 1
	assert_equal "$stderr" "ev_passthru: <stdin>:1: parse: invalid JSON at byte 4: string or '}' expected near 'bad'"
}

@test "core: --max-reject-rate tolerates rejects up to the rate" {
	printf '{"a":1}\n{"a":2}\n{"a":3}\n{bad\n' > in
	run --separate-stderr "$PT" --max-reject-rate 0.25 < in
	assert_success
	run --separate-stderr "$PT" --max-reject-rate 0.2 < in
	assert_failure 1
	run --separate-stderr "$PT" --max-reject-rate 2 < in
	assert_failure 2
}

@test "core: spliced members keep the original bytes" {
	run --separate-stderr "$PT" --add k=v <<< '{"n":1.0,"s":"x"}'
	assert_success
	assert_output '{"n":1.0,"s":"x","k":"v"}'
}

@test "core: writing to /dev/full exits 3 with a diagnostic" {
	run --separate-stderr bash -c "echo '{\"a\":1}' | $PT > /dev/full"
	assert_failure 3
	assert_equal "$stderr" "ev_passthru: write error on standard output: No space left on device"
}

@test "core: a closed downstream pipe ends the run quietly" {
	run --separate-stderr bash -c "yes '{\"a\":1}' | head -200000 | $PT | head -1"
	assert_success
	assert_output '{"a":1}'
	assert_equal "$stderr" ""
}

@test "core: output is flushed while the input is idle" {
	# The writer must not wait for more input or a full buffer: the first
	# record reaches the reader of the pipe while stdin is still open.
	# The test shell holds the write end open (fd 8) instead of a
	# sleeping feeder, which would keep bats' fd 3 and stall the suite.
	mkfifo fifo
	"$PT" < fifo | cat > out &
	exec 8> fifo
	echo '{"a":1}' >&8
	for _ in $(seq 300); do [ -s out ] && break; sleep 0.1; done
	got=$(cat out)		# read before the input closes
	exec 8>&-
	wait
	assert_equal "$got" '{"a":1}'
}

@test "core: output is flushed within --flush-interval while input never pauses" {
	# The input never runs dry, so the flush before waiting never comes:
	# the record must come out by --flush-interval.  The feeder keeps the
	# pipe full of rejected lines until it sees the record on the output
	# (or gives up after 20 s) and says which came first.
	run python3 - "$PT" <<-'PY'
	import os, select, subprocess, sys, time
	p = subprocess.Popen([sys.argv[1], "--flush-interval", "50ms",
	                      "--rejects", "/dev/null"], stdin=subprocess.PIPE,
	                     stdout=subprocess.PIPE)
	os.set_blocking(p.stdout.fileno(), False)
	bad = b"{bad\n" * 20000
	p.stdin.write(b'{"a":1}\n')
	got, end = b"", time.monotonic() + 20
	while b"\n" not in got and time.monotonic() < end:
	    p.stdin.write(bad)
	    p.stdin.flush()
	    if select.select([p.stdout], [], [], 0)[0]:
	        got += p.stdout.read() or b""
	print("while input flowed:", got.decode().strip() or "nothing")
	p.stdin.close()
	p.stdout.close()
	p.wait()
	PY
	assert_success
	assert_output 'while input flowed: {"a":1}'
}

@test "core: SIGTERM ends the run cleanly with stats written" {
	mkfifo fifo
	"$PT" --stats st < fifo > out &
	pid=$!
	exec 8> fifo
	echo '{"a":1}' >&8
	for _ in $(seq 100); do [ -s out ] && break; sleep 0.1; done
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	exec 8>&-
	assert_equal "$rc" 0
	assert_equal "$(cat out)" '{"a":1}'
	assert_equal "$(stat_of st in)" 1
}

@test "core: usage errors exit 2 with a Try line" {
	run --separate-stderr "$PT" --max-line abc
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "ev_passthru: --max-line 'abc' is invalid"
	run --separate-stderr "$PT" --nope
	assert_failure 2
	assert_equal "${stderr_lines[1]}" "Try 'ev_passthru --help' for more information."
	run --separate-stderr "$PT" --flush-interval 5x
	assert_failure 2
}
