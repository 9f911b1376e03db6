# bench-lib.sh - sourced by scripts/bench*: time one command over a file.
#
# bench_run LABEL N CMD...   runs CMD with stdin as given, output discarded,
# and prints "LABEL: C ev/s per CPU-second, W ev/s wall (T s, peak RSS M MB)".
# Sets BENCH_RATE to the rate per CPU-second (user + system time), which a
# loaded machine disturbs far less than wall time; ratios use it.  Every
# peer here (jq, mlr) is single-threaded, as evkit's programs are.

bench_run() {
	_label=$1 _n=$2
	shift 2
	_t=$(mktemp)
	/usr/bin/time -f '%e %U %S %M' -o "$_t" "$@" > /dev/null 2>&1 || true
	set -- $(tail -1 "$_t")
	rm -f "$_t"
	BENCH_RATE=$(awk -v n="$_n" -v u="$2" -v s="$3" 'BEGIN { c = u + s; if (c <= 0) c = 0.01; printf "%.0f", n / c }')
	_wall=$(awk -v n="$_n" -v e="$1" 'BEGIN { if (e <= 0) e = 0.01; printf "%.0f", n / e }')
	printf '%-44s %9s ev/cpu-s %9s ev/s wall (%6.2f s, peak RSS %6.1f MB)\n' \
	    "$_label:" "$BENCH_RATE" "$_wall" "$1" \
	    "$(awk -v k="$4" 'BEGIN { printf "%.1f", k / 1024 }')"
}

# ratio A B: A / B with two decimals.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 1; printf "%.2f", a / b }'
}

# bench_rounds JOBS ROUNDS: run the jobs listed in the file JOBS, one a
# line "KEY<TAB>N<TAB>INPUT<TAB>COMMAND" (COMMAND run by sh -c, standard
# input INPUT, output discarded), ROUNDS times interleaved: each round runs
# every job once, in order, so a slow spell of a shared machine falls on
# all of them alike.  Prints "KEY CPU_RATE WALL_RATE RSS_MB" a job, from
# the median CPU time (user + system, children included: every stage of a
# pipeline) and the median wall time of its rounds.
bench_rounds() {
	_jobs=$1 _rounds=$2
	_log=$(mktemp)
	_t=$(mktemp)
	_r=0
	while [ "$_r" -lt "$_rounds" ]; do
		while IFS='	' read -r _key _n _in _cmd; do
			/usr/bin/time -f '%e %U %S %M' -o "$_t" \
			    sh -c "$_cmd" < "$_in" > /dev/null 2>&1 || true
			echo "$_key $_n $(tail -1 "$_t")" >> "$_log"
		done < "$_jobs"
		_r=$((_r + 1))
	done
	sort -k1,1 -s "$_log" | awk '
	function med(s,   a, k, i, j, x) {
		k = split(s, a, " ")
		for (i = 2; i <= k; i++) {	# insertion sort: a few rounds
			x = a[i] + 0
			for (j = i - 1; j > 0 && a[j] + 0 > x; j--)
				a[j + 1] = a[j]
			a[j + 1] = x
		}
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	function flush() {
		if (key == "") return
		c = med(cpu); w = med(wall)
		if (c <= 0) c = 0.01
		if (w <= 0) w = 0.01
		printf "%s %.0f %.0f %.1f\n", key, n / c, n / w, med(rss) / 1024
	}
	$1 != key { flush(); key = $1; n = $2; cpu = wall = rss = "" }
	{ wall = wall " " $3; cpu = cpu " " ($4 + $5); rss = rss " " $6 }
	END { flush() }'
	rm -f "$_log" "$_t"
}

# bench_figure LABEL RATE TARGET JQ MLR [RSS_MB]: one figure beside its
# target and the rates of jq and Miller on the same input: "LABEL  RATE/s
# target TARGET  R x  A x jq  B x mlr  RSS".  A rate of 0 or empty is "-".
bench_figure() {
	awk -v l="$1" -v r="$2" -v t="$3" -v j="$4" -v m="$5" -v k="${6:-}" '
	function x(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
	BEGIN {
		printf "%-46s %8s/s  target %7s %5s x  %6s x jq %6s x mlr",
		    l, r, t, x(r, t), x(r, j), x(r, m)
		if (k != "")
			printf "  %6.1f MB", k
		printf "\n" }'
}

# bench_detect_windows FILE WEEKS: unless FILE exists, write to it WEEKS
# weeks of hourly window records of 1,000 series (event e0-e9 x platform
# p0-p99), daily cycle and noise: the input of the ev-detect figures.
bench_detect_windows() {
	[ -s "$1" ] && return 0
	_bh=$(($2 * 168))
	awk -v hours="$_bh" 'BEGIN {
		srand(1)
		t0 = 1772323200	# 2026-03-01T00:00:00Z
		for (h = 0; h < hours; h++) {
			s = strftime("%Y-%m-%dT%H:%M:%SZ", t0 + h * 3600, 1)
			e = strftime("%Y-%m-%dT%H:%M:%SZ", t0 + h * 3600 + 3600, 1)
			shape = 1 + 0.5 * sin(h * 3.14159265 / 12)
			for (i = 0; i < 1000; i++) {
				mu = (50 + i % 200) * shape
				v = int(mu + sqrt(mu) * (rand() + rand() + rand() - 1.5) * 2)
				printf "{\"start\":\"%s\",\"end\":\"%s\",\"event\":\"e%d\",\"platform\":\"p%d\",\"count\":%d,\"final\":true}\n", s, e, i % 10, int(i / 10), v
			}
		}
	}' > "$1"
}

# bench_report_windows FILE: unless FILE exists, write to it one week of
# 1-minute window records x 50 series, 1% of them with an anomaly object:
# the input of the ev-report figures.
bench_report_windows() {
	[ -s "$1" ] && return 0
	echo "bench-report: generating 504000 window records" >&2
	awk 'BEGIN {
		t0 = 1772409600	# 2026-03-02T00:00:00Z
		for (m = 0; m < 10080; m++) {
			t = t0 + 60 * m
			s = strftime("%Y-%m-%dT%H:%M:%SZ", t, 1)
			e = strftime("%Y-%m-%dT%H:%M:%SZ", t + 60, 1)
			day = 1 + 0.5 * sin(2 * 3.14159265 * ((m % 1440) - 360) / 1440)
			for (k = 0; k < 50; k++) {
				n = int((10 + 3 * k) * day + (m * 7 + k * 13) % 5)
				printf "{\"start\":\"%s\",\"end\":\"%s\",\"event\":\"e%d\",\"platform\":\"p%d\",\"count\":%d,\"users\":%d,\"final\":true", s, e, int(k / 5), k % 5, n, int(n * 0.8)
				if ((m + k) % 100 == 0) {
					ex = (10 + 3 * k) * day
					printf ",\"anomaly\":{\"score\":%s,\"expected\":%.1f,\"lower\":%.1f,\"upper\":%.1f,\"direction\":\"down\",\"method\":\"seasonal\",\"explain\":[]}", (m % 1000 == 0 ? "0.9999" : "0.5"), ex, ex * 0.8, ex * 1.2
				}
				printf "}\n"
			}
		}
	}' > "$1"
}
