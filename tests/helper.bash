# Shared set-up for every bats suite: load bats-support and bats-assert, put
# the programs under test first on PATH, give each test a scratch folder.

bats_require_minimum_version 1.5.0
# The libraries' load.bash files run dirname in a subshell per source line,
# for every test: sourcing their parts directly saves a tenth of a second of
# CPU a test, about a minute of the suite.  They only define functions, so
# the order does not matter.
for _f in /usr/lib/bats/bats-support/src/*.bash \
    /usr/lib/bats/bats-assert/src/*.bash; do
	# shellcheck disable=SC1090
	source "$_f"
done
unset _f
if ! declare -F assert_output >/dev/null; then
	load '/usr/lib/bats/bats-support/load'
	load '/usr/lib/bats/bats-assert/load'
fi

# bats gives the test folder as an absolute path.
EVKIT_TOP=${BATS_TEST_DIRNAME%/*}
EVKIT_BIN=${EVKIT_BIN:-$EVKIT_TOP/build}
PATH=$EVKIT_BIN:$PATH
DATA=$EVKIT_TOP/tests/data
export EVKIT_TOP EVKIT_BIN DATA PATH

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	if declare -F local_setup >/dev/null; then local_setup; fi
}

# stat_of FILE KEY: the value of KEY in a --stats file.
stat_of() {
	jq -r --arg k "$2" '.[$k]' "$1"
}

# assert_balanced FILE: in = passed + rejected + late + duplicate + aggregated
# (+ filtered, written by a run with --where).
assert_balanced() {
	run jq -e '.in == (.passed + .rejected + .late + .duplicate + .aggregated + (.filtered // 0))' "$1"
	if [ "$status" -ne 0 ]; then
		echo "unbalanced stats: $(cat "$1")" >&2
		return 1
	fi
}

# skip_unless_dir VAR: skip with a message when the folder named by the
# environment variable VAR is absent.
skip_unless_dir() {
	local v=$1
	local d=${!v:-}
	if [ -z "$d" ] || [ ! -d "$d" ]; then
		skip "$v is not set to a folder (got '${d}'); .ci/run sets it"
	fi
}
