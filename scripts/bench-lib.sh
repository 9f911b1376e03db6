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
