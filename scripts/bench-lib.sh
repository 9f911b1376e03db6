# bench-lib.sh - sourced by scripts/bench*: time one command over a file.
#
# bench_run LABEL N CMD...   runs CMD with stdin as given, output discarded,
# and prints "LABEL: R ev/s (T s, peak RSS M MB)".  Sets BENCH_RATE to the
# rate so callers can print ratios.

bench_run() {
	_label=$1 _n=$2
	shift 2
	_t=$(mktemp)
	/usr/bin/time -f '%e %M' -o "$_t" "$@" > /dev/null 2>&1 || true
	set -- $(tail -1 "$_t")
	rm -f "$_t"
	BENCH_RATE=$(awk -v n="$_n" -v s="$1" 'BEGIN { if (s <= 0) s = 0.01; printf "%.0f", n / s }')
	printf '%-44s %10s ev/s  (%6.2f s, peak RSS %6.1f MB)\n' "$_label:" \
	    "$BENCH_RATE" "$1" "$(awk -v k="$2" 'BEGIN { printf "%.1f", k / 1024 }')"
}

# ratio A B: A / B with two decimals.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 1; printf "%.2f", a / b }'
}
