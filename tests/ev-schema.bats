#!/usr/bin/env bats
# ev-schema: compatibility verdicts, SchemaVer bumps and lint.  The change
# cases live in tests/data/schema/cases/<name>/{old.json,new.json,expect}
# (made by tests/data/schema/make-cases.py, directions decided by hand).

load helper

CASES=$DATA/schema/cases

# expect_of CASE KEY: the value written for KEY in the case's expect file.
expect_of() {
	awk -v k="$2" '$1 == k { print $2 }' "$CASES/$1/expect"
}

# verdict STATUS: compatible (0), incompatible (1), else error.
verdict() {
	case $1 in
	0) echo compatible ;;
	1) echo incompatible ;;
	*) echo "error $1" ;;
	esac
}

# make_registries CASE: $T/reg-CASE/{old,new}/ev with the case as 1-0-0
# (old) and 1-0-1 (new); files the schemas refer to go beside them.
make_registries() {
	local c=$1 r=$T/reg-$1
	mkdir -p "$r/old/ev" "$r/new/ev"
	cp "$CASES/$c"/*.json "$r/old/ev/"
	cp "$CASES/$c"/*.json "$r/new/ev/"
	mv "$r/old/ev/old.json" "$r/old/ev/1-0-0.json"
	rm "$r/old/ev/new.json"
	mv "$r/new/ev/old.json" "$r/new/ev/1-0-0.json"
	mv "$r/new/ev/new.json" "$r/new/ev/1-0-1.json"
}

# make_big_registries: $T/big/{old,new}/<case>/ with every case as
# 1-0-0 (old) and 1-0-1 (new), one event per case, in one process.
make_big_registries() {
	python3 - "$CASES" "$T/big" <<'PY'
import os, shutil, sys
cases, big = sys.argv[1], sys.argv[2]
for c in sorted(os.listdir(cases)):
    for side in ("old", "new"):
        d = os.path.join(big, side, c)
        os.makedirs(d)
        for f in os.listdir(os.path.join(cases, c)):
            if os.path.isdir(os.path.join(cases, c, f)):
                shutil.copytree(os.path.join(cases, c, f), os.path.join(d, f))
        shutil.copy(os.path.join(cases, c, "old.json"), os.path.join(d, "1-0-0.json"))
    shutil.copy(os.path.join(cases, c, "new.json"), os.path.join(big, "new", c, "1-0-1.json"))
PY
}

# judge MODE FILE...: each case's verdict in the compat --json FILEs (a case
# is compatible when all its comparisons are) against its expect file.
judge() {
	python3 - "$CASES" "$@" <<'PY'
import json, os, sys
cases, mode, files = sys.argv[1], sys.argv[2], sys.argv[3:]
bad = []
for f in files:
    got = {}
    for line in open(f):
        # "CASE<TAB>output" from check_mode; a registry's output names
        # each comparison's event itself.
        name, _, doc = line.rpartition("\t")
        for c in json.loads(doc)["comparisons"]:
            ev = name or c["event"]
            got[ev] = got.get(ev, True) and c["compatible"]
    for c in sorted(os.listdir(cases)):
        want = dict(l.split() for l in open(os.path.join(cases, c, "expect")))[mode]
        g = "compatible" if got.get(c) else "incompatible"
        if c not in got:
            bad.append("%s(not compared in %s)" % (c, f))
        elif g != want:
            bad.append("%s(want %s, got %s in %s)" % (c, want, g, f))
if len(os.listdir(cases)) < 90 or bad:
    sys.exit("wrong verdicts under %s: %s" % (mode, " ".join(bad)))
PY
}

# check_mode MODE: every case gets the verdict its expect file gives.
check_mode() {
	local m=$1 c rc
	case $m in
	*-transitive)
		make_big_registries
		rc=0
		ev-schema compat --json --mode "$m" "$T/big/old" "$T/big/new" \
		    >"$T/changed.json" || rc=$?
		[ $rc -le 1 ] || return 1
		# The whole history of the new folder, too.
		rc=0
		ev-schema compat --json --mode "$m" "$T/big/new" \
		    >"$T/history.json" || rc=$?
		[ $rc -le 1 ] || return 1
		judge "$m" "$T/changed.json" "$T/history.json"
		return
		;;
	esac
	# (No subshell or sed per case: 98 cases in four modes, and a fork
	# costs more than ev-schema's comparison.)
	local reg sub
	: >"$T/all.json"
	for d in "$CASES"/*/; do
		d=${d%/}
		c=${d##*/}
		# --registry CASEDIR when the case refers to files of a registry
		# beside it (ev-schema, like ev-validate, looks at no other file)
		reg=()
		for sub in "$d"/*/; do
			[ -d "$sub" ] && reg=(--registry "$d")
			break
		done
		rc=0
		# Name the comparison after its case for judge.
		printf '%s\t' "$c" >>"$T/all.json"
		ev-schema compat --json --mode "$m" "${reg[@]}" "$d/old.json" \
		    "$d/new.json" >>"$T/all.json" || rc=$?
		[ $rc -le 1 ] || { echo "$c: exit $rc" >&2; return 1; }
	done
	judge "$m" "$T/all.json"
}

@test "ev-schema: --help prints usage to stdout" {
	run --separate-stderr ev-schema --help
	assert_success
	assert_line --index 0 --partial "usage: ev-schema compat"
	assert_output --partial "--mode MODE"
	[ -z "$stderr" ]
}

@test "ev-schema: a bad option is a usage error" {
	run --separate-stderr ev-schema compat --bogus a b
	assert_failure 2
	[[ "$stderr" == *"Try 'ev-schema --help'"* ]]
	[ -z "$output" ]
}

@test "ev-schema: a missing or unknown command is a usage error" {
	run --separate-stderr ev-schema
	assert_failure 2
	[[ "$stderr" == *"missing command"* ]]
	run --separate-stderr ev-schema frobnicate a b
	assert_failure 2
	[[ "$stderr" == *"unknown command 'frobnicate'"* ]]
}

@test "ev-schema: an unknown mode or a misplaced option is a usage error" {
	run --separate-stderr ev-schema compat --mode sideways a b
	assert_failure 2
	[[ "$stderr" == *"unknown mode 'sideways'"* ]]
	run --separate-stderr ev-schema bump --mode full a b
	assert_failure 2
	run --separate-stderr ev-schema compat "$CASES/type_changed/old.json"
	assert_failure 2
	[[ "$stderr" == *"one argument must be a registry folder"* ]]
}

@test "ev-schema: unreadable schemas exit 2 with the reason" {
	run --separate-stderr ev-schema compat nope.json "$CASES/type_changed/new.json"
	assert_failure 2
	[[ "$stderr" == *"cannot open 'nope.json'"* ]]
	printf '{"type": "object",\n' >broken.json
	run --separate-stderr ev-schema compat broken.json "$CASES/type_changed/new.json"
	assert_failure 2
	[[ "$stderr" == *"broken.json:2: "* ]]
	run --separate-stderr ev-schema lint broken.json
	assert_failure 2
}

@test "ev-schema: an unresolvable \$ref in compat exits 2" {
	echo '{"properties":{"a":{"$ref":"#/$defs/missing"}}}' >a.json
	run --separate-stderr ev-schema compat a.json a.json
	assert_failure 2
	[[ "$stderr" == *"cannot resolve reference '#/\$defs/missing'"* ]]
}

@test "ev-schema: an empty registry folder has nothing to compare" {
	mkdir empty
	run --separate-stderr ev-schema compat empty
	assert_success
	assert_output "0 comparisons, 0 incompatible (backward)"
	run --separate-stderr ev-schema lint empty
	assert_success
	assert_output --partial "0 errors, 0 warnings"
}

@test "ev-schema: every case gets its verdict under backward" {
	check_mode backward
}

@test "ev-schema: every case gets its verdict under forward" {
	check_mode forward
}

@test "ev-schema: every case gets its verdict under full" {
	check_mode full
}

@test "ev-schema: every case gets its verdict under none" {
	check_mode none
}

@test "ev-schema: every case gets its verdict under backward-transitive on a registry" {
	check_mode backward-transitive
}

@test "ev-schema: every case gets its verdict under forward-transitive on a registry" {
	check_mode forward-transitive
}

@test "ev-schema: every case gets its verdict under full-transitive on a registry" {
	check_mode full-transitive
}

@test "ev-schema: every case reports its kind and direction at pointers that exist" {
	python3 - "$CASES" <<'PY'
import json, os, subprocess, sys
cases = sys.argv[1]
bad = []
def get(doc, ptr):
    for seg in ptr.split("/")[1:]:
        seg = seg.replace("~1", "/").replace("~0", "~")
        doc = doc[int(seg)] if isinstance(doc, list) else doc[seg]
    return doc
for c in sorted(os.listdir(cases)):
    d = os.path.join(cases, c)
    exp = dict(l.split() for l in open(os.path.join(d, "expect")))
    reg = ["--registry", d] if any(os.path.isdir(os.path.join(d, f)) for f in os.listdir(d)) else []
    r = subprocess.run(["ev-schema", "compat", "--json", "--mode", "none"] + reg +
                       [d + "/old.json", d + "/new.json"], capture_output=True)
    if r.returncode != 0:
        bad.append("%s(exit %d)" % (c, r.returncode))
        continue
    ch = json.loads(r.stdout)["comparisons"][0]["changes"]
    if exp["kind"] == "-":
        if ch:
            bad.append("%s(changes where none expected)" % c)
        continue
    if not any(x["kind"] == exp["kind"] and x["direction"] == exp["direction"] for x in ch):
        bad.append("%s(no %s/%s)" % (c, exp["kind"], exp["direction"]))
    docs = {s: json.load(open(os.path.join(d, s + ".json"))) for s in ("old", "new")}
    for x in ch:
        for s in ("old", "new"):
            if "#" in x[s]:
                continue
            try:
                get(docs[s], x[s])
            except (KeyError, IndexError, ValueError, TypeError):
                bad.append("%s(%s pointer %s)" % (c, s, x[s]))
if bad:
    sys.exit("wrong: " + " ".join(bad))
PY
}

@test "ev-schema: bump requires the part each case's expect file names" {
	make_big_registries
	local rc=0
	ev-schema bump --json "$T/big/old" "$T/big/new" >"$T/bump.json" || rc=$?
	[ $rc -le 1 ]
	python3 - "$CASES" "$T/bump.json" <<'PY'
import json, os, sys
cases, out = sys.argv[1], json.load(open(sys.argv[2]))
got = {c["event"]: c["required"] for c in out["checks"]}
bad = []
for c in sorted(os.listdir(cases)):
    want = dict(l.split() for l in open(os.path.join(cases, c, "expect")))["bump"]
    if got.get(c) != want:
        bad.append("%s(want %s, got %s)" % (c, want, got.get(c)))
if len(got) < 90 or bad:
    sys.exit("wrong bumps: " + " ".join(bad))
PY
}

@test "ev-schema: bump fails when the version bump is too small and --suggest names the right one" {
	make_registries required_added
	local r=$T/reg-required_added/new/ev
	run --separate-stderr ev-schema bump "$r/1-0-0.json" "$r/1-0-1.json"
	assert_failure 1
	assert_line --index 0 "1-0-0 -> 1-0-1: needs model, bumps addition: too small (use 2-0-0)"
	assert_line --index 1 "  required_added (narrow): 'n' is now required"
	run --separate-stderr ev-schema bump --suggest "$r/1-0-0.json" "$r/1-0-1.json"
	assert_success
	assert_output "2-0-0"
	mv "$r/1-0-1.json" "$r/2-0-0.json"
	run --separate-stderr ev-schema bump "$r/1-0-0.json" "$r/2-0-0.json"
	assert_success
	assert_output "1-0-0 -> 2-0-0: needs model, bumps model: ok"
}

@test "ev-schema: a property added to an open object needs a revision" {
	make_registries property_added_open
	local r=$T/reg-property_added_open/new/ev
	run --separate-stderr ev-schema bump --suggest "$r/1-0-0.json" "$r/1-0-1.json"
	assert_output "1-1-0"
	run --separate-stderr ev-schema bump "$r/1-0-0.json" "$r/1-0-1.json"
	assert_failure 1
	mv "$r/1-0-1.json" "$r/1-1-0.json"
	run --separate-stderr ev-schema bump "$r/1-0-0.json" "$r/1-1-0.json"
	assert_success
}

@test "ev-schema: bump reads versions from self.version and \$id and refuses a version that goes back" {
	jq '. + {"self": {"vendor": "com.acme", "name": "x", "format": "jsonschema", "version": "1-2-0"}}' \
	    "$CASES/required_removed/old.json" >a.json
	jq '. + {"$id": "iglu:com.acme/x/jsonschema/1-1-0"}' \
	    "$CASES/required_removed/new.json" >b.json
	run --separate-stderr ev-schema bump --json a.json b.json
	assert_failure 1
	[ "$(jq -r '.checks[0] | "\(.old_version) \(.new_version) \(.required) \(.ok) \(.suggest)"' <<<"$output")" = "1-2-0 1-1-0 addition false 1-2-1" ]
	cp "$CASES/required_removed/old.json" noversion.json
	run --separate-stderr ev-schema bump noversion.json b.json
	assert_failure 2
	[[ "$stderr" == *"cannot tell the SchemaVer version of 'noversion.json'"* ]]
}

@test "ev-schema: compat prints every change with kind, direction, both locations and the verdict" {
	run --separate-stderr ev-schema compat "$CASES/property_added_closed/old.json" \
	    "$CASES/property_added_closed/new.json"
	assert_success
	assert_line --index 0 --partial "(backward): compatible, 1 change"
	assert_line --index 1 "  allowed     property_added_closed (widen): old /additionalProperties new /properties/extra: property 'extra' was added where none were allowed"
	run --separate-stderr ev-schema compat --mode forward --json \
	    "$CASES/property_added_closed/old.json" "$CASES/property_added_closed/new.json"
	assert_failure 1
	[ "$(jq -c '.comparisons[0].changes[0] | [.kind, .direction, .old, .new, .allowed]' <<<"$output")" = \
	    '["property_added_closed","widen","/additionalProperties","/properties/extra",false]' ]
	[ "$(jq -r '"\(.mode) \(.compatible)"' <<<"$output")" = "forward false" ]
}

@test "ev-schema: \$ref targets are compared after resolution, cycles included" {
	cat >tree1.json <<'J'
{"$defs":{"node":{"type":"object","properties":{"kids":{"type":"array","items":{"$ref":"#/$defs/node"}}}}},"$ref":"#/$defs/node"}
J
	cat >tree2.json <<'J'
{"$defs":{"t":{"type":"object","properties":{"kids":{"type":"array","items":{"$ref":"#"}}}}},"$ref":"#/$defs/t"}
J
	run --separate-stderr ev-schema compat --mode full tree1.json tree2.json
	assert_success
	assert_output --partial "compatible, 0 changes"
}

@test "ev-schema: the transitive modes check against every earlier version" {
	local t=$DATA/schema/transitive m want
	for m in backward backward-transitive forward forward-transitive full full-transitive none; do
		want=$(awk -v k="$m" '$1 == k { print $2 }' "$t/expect")
		run ev-schema compat --mode "$m" "$t/old" "$t/new"
		[ "$(verdict "$status")" = "$want" ] || { echo "$m: got $status" >&2; return 1; }
	done
	run --separate-stderr ev-schema compat --mode backward-transitive "$t/old" "$t/new"
	assert_line "ev 1-0-0 -> 2-0-1 (backward-transitive): incompatible, 2 changes"
	assert_line "ev 2-0-0 -> 2-0-1 (backward-transitive): compatible, 1 change"
	# The history of one folder: 2-0-0 broke 1-0-0 even non-transitively.
	run --separate-stderr ev-schema compat --mode backward "$t/new"
	assert_failure 1
	assert_line "2 comparisons, 1 incompatible (backward)"
}

@test "ev-schema: a version removed from the registry is incompatible unless the mode is none" {
	make_registries required_added
	local r=$T/reg-required_added
	rm "$r/new/ev/1-0-0.json"
	run --separate-stderr ev-schema compat --json "$r/old" "$r/new"
	assert_failure 1
	jq -e 'any(.comparisons[].changes[]; .kind == "version_removed" and .allowed == false)' <<<"$output"
	run --separate-stderr ev-schema compat --mode none "$r/old" "$r/new"
	assert_success
}

@test "ev-schema: an edited published version is compared with what it was" {
	make_registries type_changed
	local r=$T/reg-type_changed
	cp "$CASES/type_changed/new.json" "$r/new/ev/1-0-0.json"
	rm "$r/new/ev/1-0-1.json"
	run --separate-stderr ev-schema compat "$r/old" "$r/new"
	assert_failure 1
	assert_line --partial "ev 1-0-0 -> 1-0-0 (backward): incompatible"
	run --separate-stderr ev-schema bump "$r/old" "$r/new"
	assert_failure 1
	assert_line --partial "needs model, bumps none: too small (use 2-0-0)"
}

@test "ev-schema: compat resolves \$id references through --registry" {
	local reg=$EVKIT_TOP/schemas/registry
	jq '.properties.properties.required += ["coupon"] | .properties.properties.properties.coupon = {"type": "string"}' \
	    "$reg/purchase/1-0-0.json" >new.json
	run --separate-stderr ev-schema compat "$reg/purchase/1-0-0.json" new.json
	assert_failure 2
	[[ "$stderr" == *"cannot resolve reference 'https://evkit.example/schemas/common/context/1-0-0'"* ]]
	run --separate-stderr ev-schema compat --registry "$reg" "$reg/purchase/1-0-0.json" new.json
	assert_failure 1
	assert_line "  NOT ALLOWED required_added (narrow): old /properties/properties/required new /properties/properties/required/3: 'coupon' is now required"
}

@test "ev-schema: lint finds errors and warnings and exits 1 on errors" {
	skip_unless_dir EVKIT_METASCHEMAS
	cat >bad.json <<'J'
{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","description":"bad",
 "properties":{"a":{"type":"integer","minimum":5,"maximum":1,"description":"a"},
  "b":{"type":"string","minLength":"x","description":"b"},"c":false,
  "d":{"$ref":"#/$defs/nope"},"e":{"type":"string","const":3,"description":"e"},
  "f":{"enum":[],"description":"f"},"g":{"type":"string","pattern":"(","description":"g"},"h":{"type":"string"}},
 "required":["c","zz"],"additionalProperties":false,"requried":["a"]}
J
	run --separate-stderr ev-schema lint --json bad.json
	assert_failure 1
	local rules
	rules=$(jq -r '[.findings[] | "\(.severity):\(.rule):\(.location)"] | sort | join(" ")' <<<"$output")
	for want in error:metaschema:/properties/b/minLength error:unsatisfiable:/properties/a \
	    error:unresolvable-ref:/properties/d/\$ref error:unsatisfiable:/properties/e \
	    error:unsatisfiable:/properties/f error:bad-pattern:/properties/g/pattern \
	    error:unknown-keyword:/requried error:unsatisfiable:/required/0 \
	    error:unsatisfiable:/required/1 warning:missing-description:/properties/h; do
		[[ " $rules " == *" $want "* ]] || { echo "missing $want in: $rules" >&2; return 1; }
	done
	[ "$(jq .metaschema <<<"$output")" = true ]
}

@test "ev-schema: lint passes a schema with warnings only, in text" {
	skip_unless_dir EVKIT_METASCHEMAS
	echo '{"type":"object","properties":{"a":{"type":"string"}},"x-owner":"team"}' >warn.json
	run --separate-stderr ev-schema lint warn.json
	assert_success
	assert_line "warn.json: warning: open-object: (root): object is open without saying so: set 'additionalProperties' (true keeps it open)"
	assert_line "warn.json: warning: missing-description: /properties/a: no 'description'"
	assert_line "0 errors, 3 warnings"
}

@test "ev-schema: lint checks contradictory types and required beyond maxProperties" {
	echo '{"description":"x","type":"string","allOf":[{"type":"integer"}],"enum":["a",1]}' >t.json
	echo '{"description":"x","type":"object","additionalProperties":true,"required":["a","b"],"maxProperties":1}' >m.json
	run --separate-stderr ev-schema lint t.json m.json
	assert_failure 1
	assert_line --partial "t.json: error: unsatisfiable: (root): 'type' and the types of 'allOf' contradict"
	assert_line --partial "t.json: warning: enum-type: (root): 1 'enum' values"
	assert_line --partial "m.json: error: unsatisfiable: /required: 2 properties are required but 'maxProperties' is 1"
}

@test "ev-schema: lint of a registry checks layout and declared versions" {
	mkdir -p reg/ev
	echo '{"description":"x","$id":"https://x.example/ev/1-0-1","type":"string"}' >reg/ev/1-0-0.json
	echo '{}' >reg/ev/notes.json
	run --separate-stderr ev-schema lint reg
	assert_failure 1
	assert_line --partial "reg/ev/1-0-0.json: error: version-mismatch: (root): the schema says version 1-0-1 but the file is named 1-0-0.json"
	assert_line --partial "reg/ev/notes.json: warning: layout"
}

# refusals: how each program that reads registry reg ends: its exit status
# and its message without the program's name, one line each.
REFUSERS=("ev-validate -r reg" "ev-schema compat reg" "ev-schema lint reg"
    "ev-schema compat reg reg" "ev-schema bump reg reg"
    "ev-schema compat --registry reg reg/ev/1-0-0.json reg/ev/1-0-0.json")
refusals() {
	local cmd
	for cmd in "${REFUSERS[@]}"; do
		# shellcheck disable=SC2086
		run --separate-stderr $cmd </dev/null
		echo "$status ${stderr#*: }"
	done
}

# refused MESSAGE: what refusals prints when every program exits 2 with it.
refused() {
	local i
	for ((i = 0; i < ${#REFUSERS[@]}; i++)); do
		echo "2 $1"
	done
}

@test "ev-schema: a registry sub-folder that cannot be opened is the same error in ev-validate and ev-schema" {
	if [ "$(id -u)" -eq 0 ]; then
		skip "root opens any folder; the link-loop case covers the scan"
	fi
	mkdir -p reg/ev reg/locked/inner
	echo '{"type":"object","additionalProperties":true}' >reg/ev/1-0-0.json
	echo '{"type":"object","additionalProperties":true}' >reg/locked/inner/1-0-0.json
	chmod 000 reg/locked
	got=$(refusals)
	chmod 755 reg/locked
	assert_equal "$got" "$(refused "cannot open registry folder 'reg/locked': Permission denied")"
}

@test "ev-schema: a registry entry that cannot be examined is the same error in ev-validate and ev-schema" {
	mkdir -p reg/ev
	echo '{"type":"object","additionalProperties":true}' >reg/ev/1-0-0.json
	ln -s loop reg/loop
	assert_equal "$(refusals)" "$(refused "cannot open 'reg/loop': Too many levels of symbolic links")"
	rm reg/loop
	ln -s nowhere reg/ev/1-0-1.json
	assert_equal "$(refusals)" "$(refused "cannot open 'reg/ev/1-0-1.json': No such file or directory")"
}

@test "ev-schema: the shipped registry lints clean" {
	run --separate-stderr ev-schema lint "$EVKIT_TOP/schemas/registry"
	assert_success
	assert_line --partial "0 errors"
}

@test "ev-schema: writing to /dev/full exits 3" {
	run --separate-stderr bash -c 'ev-schema compat "$1" "$2" >/dev/full' _ \
	    "$CASES/type_changed/old.json" "$CASES/type_changed/new.json"
	assert_failure 3
	[[ "$stderr" == *"write error"* ]]
}

# samples: generated variants of the seeds plus some ev-gen events.
make_samples() {
	python3 "$EVKIT_TOP/tests/tools/schema_variants.py" \
	    "$DATA/schema/seeds.ndjson" >"$T/samples.ndjson"
	ev-gen -n 40 -s 7 >>"$T/samples.ndjson"
	[ "$(wc -l <"$T/samples.ndjson")" -gt 1000 ]
}

# holds MODE A B: every sample valid under A is valid under B, for every
# case ev-schema judges compatible under MODE (A, B = old/new or new/old).
holds() {
	local m=$1 a=$2 b=$3 c bad="" pairs=0 witnesses=0 n rc
	make_samples
	for d in "$CASES"/*/; do
		c=$(basename "$d")
		# ev-validate --schema resolves no references to other files.
		ls "$d" | grep -qv -e '^old.json$' -e '^new.json$' -e '^expect$' && continue
		ev-schema compat --mode "$m" "$d/old.json" "$d/new.json" >/dev/null || continue
		pairs=$((pairs + 1))
		rc=0
		ev-validate -s "$d/$a.json" --rejects /dev/null \
		    <"$T/samples.ndjson" >"$T/valid" || rc=$?
		[ $rc -le 1 ] || { bad="$bad $c(ev-validate failed)"; continue; }
		n=$(wc -l <"$T/valid")
		witnesses=$((witnesses + n))
		ev-validate -s "$d/$b.json" --rejects "$T/rej" <"$T/valid" >/dev/null ||
		    bad="$bad $c($(head -c 300 "$T/rej"))"
	done
	echo "$pairs pairs, $witnesses instances" >&3
	[ "$pairs" -ge 30 ] || { echo "only $pairs pairs" >&2; return 1; }
	[ "$witnesses" -ge 1000 ] || { echo "only $witnesses instances" >&2; return 1; }
	[ -z "$bad" ] || { echo "property broken:$bad" >&2; return 1; }
}

@test "ev-schema: property: for every backward-compatible pair, what OLD accepts NEW accepts" {
	holds backward old new
}

@test "ev-schema: property: for every forward-compatible pair, what NEW accepts OLD accepts" {
	holds forward new old
}

@test "ev-schema: the EXAMPLES of the man page run" {
	local ex
	ex=$(sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$EVKIT_TOP/man/ev-schema.1" |
	    sed -n '/^\.Bd/,/^\.Ed/p' | grep -v '^\.' | sed 's/\\e/\\/g')
	[ -n "$ex" ]
	# The examples run from the top of a source tree that is a git work
	# tree (schema-ci compares with a revision).  A release tarball is
	# none, so they run in a copy of the parts they name, committed to a
	# repository of its own.
	mkdir -p top/tests/data
	cp -R "$EVKIT_TOP/schemas" "$EVKIT_TOP/scripts" top/
	cp -R "$EVKIT_TOP/tests/data/schema" top/tests/data/
	cd top
	git init -q . && git add -A &&
	    git -c user.name=t -c user.email=t@example.com commit -qm t
	run bash -c "set -e; $ex"
	assert_success
}

@test "ev-schema: lint without meta-schemas checks keyword types itself and says so" {
	echo '{"description":"x","minLength":"x","type":"strin"}' >k.json
	EVKIT_METASCHEMAS=/nonexistent run --separate-stderr ev-schema lint k.json
	assert_failure 1
	assert_line "k.json: error: keyword-type: /minLength: 'minLength' must be a non-negative integer"
	assert_line "k.json: error: unsatisfiable: (root): 'type' names no known type"
	assert_line "2 errors, 0 warnings (no meta-schemas found: keyword types checked structurally)"
}

@test "ev-schema: draft-07 tuples and definitions lint and compare" {
	skip_unless_dir EVKIT_METASCHEMAS
	cat >a.json <<'J'
{"$schema":"http://json-schema.org/draft-07/schema#","description":"d","type":"object","additionalProperties":false,
 "definitions":{"s":{"type":"string"}},
 "properties":{"p":{"description":"p","type":"array","items":[{"$ref":"#/definitions/s"}],"additionalItems":false}}}
J
	jq '.properties.p.items += [{"type": "integer"}]' a.json >b.json
	run --separate-stderr ev-schema lint a.json
	assert_success
	assert_output "0 errors, 0 warnings"
	run --separate-stderr ev-schema compat --json a.json b.json
	assert_success
	[ "$(jq -c '[.comparisons[0].changes[] | [.kind, .direction, .old, .new]]' <<<"$output")" = \
	    '[["prefix_item_added","widen","/properties/p/additionalItems","/properties/p/items/1"]]' ]
	run --separate-stderr ev-schema compat --mode forward a.json b.json
	assert_failure 1
}

# self_desc VERSION PROPERTIES: an Iglu self-describing schema of an object.
self_desc() {
	printf '{"self":{"vendor":"v","name":"n","format":"jsonschema","version":"%s"},"description":"d","type":"object","additionalProperties":false,"properties":%s}\n' "$1" "$2"
}

@test "ev-schema: duplicate keys are read as ev-validate reads them, last one wins, and lint names them" {
	self_desc 1-0-0 '{"a":{"type":"integer","description":"a"}}' >old.json
	self_desc 1-0-1 '{"a":{"type":"string","description":"a"},"a":{"type":"integer","description":"a"}}' >new.json
	# The independent reader: ev-validate keeps the last "a".
	run --separate-stderr ev-validate -s new.json <<<'{"a":1}'
	assert_success
	run --separate-stderr ev-schema bump --json old.json new.json
	assert_success
	[ "$(jq -r '.checks[0].required' <<<"$output")" = none ]
	run --separate-stderr ev-schema lint new.json
	assert_success
	assert_line "new.json: warning: duplicate-key: /properties/a: key 'a' appears 2 times in one object; the last value is used"
	# The reproducer of the issue, as it was filed.
	printf '{"self":{"vendor":"v","name":"n","format":"jsonschema","version":"1-0-1"},"type":"object","properties":{"a":{"type":"integer"},"a":{"type":"integer"}}}' >repro.json
	run --separate-stderr ev-schema lint repro.json
	assert_success
	assert_line --partial "repro.json: warning: duplicate-key: /properties/a: key 'a'"
}

@test "ev-schema: an integer above int64 is read as ev-validate reads it" {
	self_desc 1-0-0 '{"a":{"type":"integer","maximum":100,"description":"a"}}' >old.json
	self_desc 1-0-1 '{"a":{"type":"integer","maximum":9223372036854776000,"description":"a"}}' >new.json
	run --separate-stderr ev-validate -s new.json <<<'{"a":9000000000000000000}'
	assert_success
	run --separate-stderr ev-schema bump --json old.json new.json
	assert_success
	[ "$(jq -r '.checks[0].required' <<<"$output")" = addition ]
	[ "$(jq -r '.checks[0].changes[0].kind' <<<"$output")" = maximum_loosened ]
	run --separate-stderr ev-schema lint new.json
	assert_success
	# And the other way round the bound tightens.
	self_desc 1-0-0 '{"a":{"type":"integer","maximum":9223372036854776000,"description":"a"}}' >old2.json
	self_desc 1-0-1 '{"a":{"type":"integer","maximum":100,"description":"a"}}' >new2.json
	run --separate-stderr ev-schema bump --json old2.json new2.json
	assert_failure 1
	[ "$(jq -r '.checks[0].required' <<<"$output")" = model ]
}

@test "ev-schema: lint of a folder reports every file, then exits with the worst status" {
	skip_unless_dir EVKIT_METASCHEMAS
	mkdir -p reg/a reg/b reg/c
	printf '{"type": "object",\n' >reg/a/1-0-0.json
	echo '{"description":"x","type":"integer","minimum":5,"maximum":1}' >reg/b/1-0-0.json
	echo '{"description":"x","type":"string"}' >reg/c/1-0-0.json
	printf '{"description":"x","type":"integer","type":"string"}' >reg/c/1-0-1.json
	run --separate-stderr ev-schema lint reg
	assert_failure 2
	assert_line --partial "reg/a/1-0-0.json: error: unreadable: (root): reg/a/1-0-0.json:2: "
	assert_line --partial "reg/b/1-0-0.json: error: unsatisfiable"
	assert_line --partial "reg/c/1-0-1.json: warning: duplicate-key: /type"
	assert_line "2 errors, 1 warning"
	run --separate-stderr ev-schema lint --json reg
	assert_failure 2
	[ "$(jq -r '[.findings[].file] | unique | join(" ")' <<<"$output")" = "reg/a/1-0-0.json reg/b/1-0-0.json reg/c/1-0-1.json" ]
	# Files named on the command line are all reported too.
	run --separate-stderr ev-schema lint reg/a/1-0-0.json reg/b/1-0-0.json
	assert_failure 2
	assert_line --partial "reg/b/1-0-0.json: error: unsatisfiable"
	# Lint errors alone exit 1.
	run --separate-stderr ev-schema lint reg/b/1-0-0.json reg/c/1-0-1.json
	assert_failure 1
}

@test "ev-schema: a \$ref to a file outside the registry is refused, as ev-validate refuses it" {
	mkdir -p reg/ev secretdir
	# A readable, valid schema outside the registry: if it were read, both
	# versions would resolve and compare equal.
	echo '{"description":"secret","type":"integer"}' >secretdir/creds.json
	for v in 1-0-0 1-0-1; do
		echo '{"description":"x","type":"object","additionalProperties":false,"properties":{"a":{"description":"a","$ref":"../../secretdir/creds.json"}}}' >reg/ev/$v.json
	done
	run --separate-stderr ev-validate -r reg <<<'{}'
	assert_failure 2
	run --separate-stderr ev-schema compat reg
	assert_failure 2
	[[ "$stderr" == *"registry 'reg' is refused by ev-validate: "*"cannot resolve reference '../../secretdir/creds.json'"* ]]
	[ -z "$output" ]
	run --separate-stderr ev-schema bump reg/ev/1-0-0.json reg/ev/1-0-1.json
	assert_failure 2
	[[ "$stderr" == *"cannot resolve reference '../../secretdir/creds.json'"* ]]
	run --separate-stderr ev-schema compat --registry reg reg/ev/1-0-0.json reg/ev/1-0-1.json
	assert_failure 2
	cp -r reg reg2
	run --separate-stderr ev-schema compat reg reg2
	assert_failure 2
	run --separate-stderr ev-schema lint reg
	assert_failure 1
	assert_line --partial "reg/ev/1-0-0.json: error: unresolvable-ref: /properties/a/\$ref: cannot resolve \$ref '../../secretdir/creds.json'"
	# Inside the registry the same reference resolves, for both programs.
	mkdir -p reg3/ev reg3/secretdir
	cp reg/ev/*.json reg3/ev/
	cp secretdir/creds.json reg3/secretdir/1-0-0.json
	sed -i 's|../../secretdir/creds.json|../secretdir/1-0-0.json|' reg3/ev/*.json
	run --separate-stderr ev-validate -r reg3 <<<'{"event":"ev","a":1}'
	[ "$status" -ne 2 ]
	run --separate-stderr ev-schema compat reg3
	assert_success
}

# big_enum FILE N SKIP EXTRA: a schema whose property "v" has the enum of
# strings "v0".."v(N-1)" without "vSKIP", plus the JSON value EXTRA if given.
big_enum() {
	python3 - "$@" <<'PY'
import json, sys
f, n, skip = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
vals = ["v%d" % i for i in range(n) if i != skip]
if len(sys.argv) > 4:
    vals.append(json.loads(sys.argv[4]))
json.dump({"description": "d", "type": "object", "additionalProperties": False,
           "properties": {"v": {"description": "v", "enum": vals}}}, open(f, "w"))
PY
}

@test "ev-schema: a 200k-value enum is compared by value: one removed needs a model bump" {
	big_enum 1-0-0.json 200000 -1 1
	big_enum 1-0-1.json 200000 123456 1.0
	run --separate-stderr ev-schema bump --json 1-0-0.json 1-0-1.json
	assert_failure 1
	[ "$(jq -r '.checks[0].required' <<<"$output")" = model ]
	[ "$(jq -r '[.checks[0].changes[].kind] | join(" ")' <<<"$output")" = enum_narrowed ]
	# 1 and 1.0 are one value; a value added is an addition.
	big_enum 1-0-2.json 200000 -1 1.0
	run --separate-stderr ev-schema bump --json 1-0-1.json 1-0-2.json
	assert_success
	[ "$(jq -r '.checks[0].required' <<<"$output")" = addition ]
	[ "$(jq -r '[.checks[0].changes[].kind] | join(" ")' <<<"$output")" = enum_extended ]
	run --separate-stderr ev-schema compat 1-0-0.json 1-0-2.json
	assert_success
	assert_output --partial "compatible, 0 changes"
	# Objects are equal whatever their key order, numbers by value.
	echo '{"enum":[{"a":1,"b":[1,2e0]},"x",0]}' >o.json
	echo '{"enum":["x",{"b":[1.0,2],"a":1},-0.0]}' >n.json
	run --separate-stderr ev-schema compat --mode full o.json n.json
	assert_success
	assert_output --partial "compatible, 0 changes"
	echo '{"enum":["x",{"b":[1.5,2],"a":1},0]}' >n.json
	run --separate-stderr ev-schema compat --mode full o.json n.json
	assert_failure 1
	assert_output --partial "enum_changed"
}

# iglu VERSION PROPERTIES: a draft-04 Iglu self-describing schema.
iglu() {
	printf '{"$schema":"http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#","description":"d","self":{"vendor":"com.acme","name":"n","format":"jsonschema","version":"%s"},"type":"object","additionalProperties":false,"properties":%s}\n' "$1" "$2"
}

@test "ev-schema: draft-04 and Iglu self-describing schemas lint against their meta-schemas" {
	skip_unless_dir EVKIT_METASCHEMAS
	iglu 1-0-0 '{"a":{"description":"a","type":"number","maximum":5,"exclusiveMaximum":true}}' >ig.json
	echo '{"$schema":"http://json-schema.org/draft-04/schema#","id":"http://x.example/a#","description":"d","type":"object","additionalProperties":false,"properties":{"a":{"description":"a","type":"integer","minimum":0,"exclusiveMinimum":true}}}' >d4.json
	run --separate-stderr ev-schema lint --json ig.json d4.json
	assert_success
	[ "$(jq -c '[.errors, .metaschema]' <<<"$output")" = '[0,true]' ]
	# The meta-schemas apply: Iglu's needs a full "self", draft-04 a
	# boolean exclusiveMaximum.
	sed 's/,"version":"1-0-0"//' ig.json >noself.json
	sed 's/"exclusiveMinimum":true/"exclusiveMinimum":0/' d4.json >bad4.json
	run --separate-stderr ev-schema lint noself.json bad4.json
	assert_failure 1
	assert_line --partial "noself.json: error: metaschema: /self: "
	assert_line --partial "bad4.json: error: metaschema: /properties/a/exclusiveMinimum: "
}

@test "ev-schema: draft-04 boolean exclusiveMaximum and id are compared in draft-04 terms" {
	iglu 1-0-0 '{"a":{"description":"a","type":"number","maximum":5,"exclusiveMaximum":true}}' >1-0-0.json
	iglu 1-0-1 '{"a":{"description":"a","type":"number","maximum":5}}' >1-0-1.json
	# The independent reader: 5 was refused and is now valid.
	run --separate-stderr ev-validate -s 1-0-0.json <<<'{"a":5}'
	assert_failure 1
	run --separate-stderr ev-validate -s 1-0-1.json <<<'{"a":5}'
	assert_success
	run --separate-stderr ev-schema bump --json 1-0-0.json 1-0-1.json
	assert_success
	[ "$(jq -r '.checks[0].required + " " + .checks[0].changes[0].kind' <<<"$output")" = "addition maximum_loosened" ]
	# Adding the flag narrows: a model bump.
	iglu 2-0-0 '{"a":{"description":"a","type":"number","maximum":5,"exclusiveMaximum":true}}' >2-0-0.json
	run --separate-stderr ev-schema bump --json 1-0-1.json 2-0-0.json
	assert_success
	[ "$(jq -r '.checks[0].required' <<<"$output")" = model ]
	run --separate-stderr ev-schema bump 1-0-1.json 1-0-0.json
	assert_failure 1
	# A lower maximum with the flag dropped still narrows (4 < 5).
	iglu 1-0-2 '{"a":{"description":"a","type":"number","maximum":4}}' >1-0-2.json
	run --separate-stderr ev-schema bump --json 1-0-0.json 1-0-2.json
	assert_failure 1
	[ "$(jq -r '.checks[0].required' <<<"$output")" = model ]
	# A changed draft-04 "id" is a base URI, not an unknown keyword.
	echo '{"$schema":"http://json-schema.org/draft-04/schema#","id":"http://x.example/a/1-0-0#","type":"string"}' >a.json
	echo '{"$schema":"http://json-schema.org/draft-04/schema#","id":"http://x.example/b/1-0-0#","type":"string"}' >b.json
	run --separate-stderr ev-schema compat --mode full a.json b.json
	assert_success
	assert_output --partial "compatible, 0 changes"
}

@test "ev-schema: a schema ev-validate cannot compile is linted, never approved" {
	echo '{"description":"d","type":"string","pattern":"("}' >bad.json
	run --separate-stderr ev-validate -s bad.json <<<'"x"'
	assert_failure 2
	run --separate-stderr ev-schema compat bad.json bad.json
	assert_failure 2
	[[ "$stderr" == *"bad.json: "*"bad pattern"* ]]
	run --separate-stderr ev-schema lint bad.json
	assert_failure 1
	assert_line --partial "bad.json: error: bad-pattern: /pattern"
}

# Safe changes that look breaking, and their breaking look-alikes: each
# pair's bump needs the part its expect file names, and ev-validate agrees
# (every instance stays valid for an addition; the first is rejected by
# NEW otherwise).
@test "ev-schema: changes no instance valid under OLD fails need an addition, their look-alikes more" {
	local d name want got bad="" n=0
	for d in "$DATA"/schema/pairs/*/; do
		name=$(basename "$d")
		want=$(cat "$d/expect")
		got=$(ev-schema bump --json "$d/1-0-0.json" "$d/1-0-1.json" |
		    jq -r '.checks[0].required')
		[ "$got" = "$want" ] || bad="$bad $name(want $want, got $got)"
		ev-validate -s "$d/1-0-0.json" --rejects /dev/null \
		    <"$d/instances.ndjson" >valid.ndjson || true
		cmp -s valid.ndjson "$d/instances.ndjson" ||
		    bad="$bad $name(instances not valid under 1-0-0)"
		ev-validate -s "$d/1-0-1.json" --rejects /dev/null \
		    <"$d/instances.ndjson" >valid.ndjson || true
		if [ "$want" = addition ]; then
			cmp -s valid.ndjson "$d/instances.ndjson" ||
			    bad="$bad $name(1-0-1 rejects an instance)"
		else
			! grep -qxF "$(head -n 1 "$d/instances.ndjson")" valid.ndjson ||
			    bad="$bad $name(1-0-1 accepts the counterexample)"
		fi
		n=$((n + 1))
	done
	[ "$n" -ge 16 ]
	[ -z "$bad" ] || { echo "wrong:$bad" >&2; return 1; }
}

@test "ev-schema: a \$ref to a property named like a keyword resolves" {
	echo '{"type":"object","properties":{"enum":{"type":"string"},"b":{"$ref":"#/properties/enum"}}}' >o.json
	echo '{"type":"object","properties":{"enum":{"type":"integer"},"b":{"$ref":"#/properties/enum"}}}' >n.json
	run --separate-stderr ev-schema compat --json --mode none o.json n.json
	assert_success
	[ "$(jq -r '[.comparisons[0].changes[] | .kind + " " + .new] | join(",")' <<<"$output")" = "type_changed /properties/enum/type" ]
}
