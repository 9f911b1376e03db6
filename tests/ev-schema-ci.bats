#!/usr/bin/env bats
# scripts/schema-ci on a throwaway git repository: commit a registry, change
# it, and check the verdicts a CI job would act on.

load helper

CI=$EVKIT_TOP/scripts/schema-ci
CASES=$DATA/schema/cases

local_setup() {
	git init -q repo
	cd repo
	git config user.email ci@example.invalid
	git config user.name ci
	git config commit.gpgsign false
	mkdir -p schemas/ev
	cp "$CASES/required_added/old.json" schemas/ev/1-0-0.json
	git add schemas
	git commit -qm v1
}

@test "schema-ci: an unchanged registry passes" {
	run --separate-stderr "$CI" --bin "$EVKIT_BIN" schemas
	assert_success
	assert_line "== ev-schema lint schemas"
	assert_line --partial "passes lint, backward compatibility against HEAD"
}

@test "schema-ci: a breaking change with a too small bump fails, against the committed state" {
	cp "$CASES/required_added/new.json" schemas/ev/1-0-1.json
	run --separate-stderr "$CI" --bin "$EVKIT_BIN" schemas
	assert_failure 1
	assert_line "ev 1-0-0 -> 1-0-1 (backward): incompatible, 1 change"
	assert_line "ev 1-0-0 -> 1-0-1: needs model, bumps addition: too small (use 2-0-0)"
	assert_line --partial "fails: see above"
}

@test "schema-ci: the same change passes under forward with a model bump, checked against a revision" {
	cp "$CASES/required_added/new.json" schemas/ev/2-0-0.json
	git add schemas
	git commit -qm v2
	run --separate-stderr "$CI" --bin "$EVKIT_BIN" --rev HEAD~1 --mode forward schemas
	assert_success
	assert_line "ev 1-0-0 -> 2-0-0 (forward): compatible, 1 change"
	assert_line "ev 1-0-0 -> 2-0-0: needs model, bumps model: ok"
	# Backward is the default and SCHEMA_CI_REV names the revision.
	SCHEMA_CI_REV=HEAD~1 run --separate-stderr "$CI" --bin "$EVKIT_BIN" schemas
	assert_failure 1
}

@test "schema-ci: a compatible addition with an addition bump passes" {
	cp "$CASES/property_added_closed/old.json" schemas/ev/1-0-0.json
	git commit -qam closed
	cp "$CASES/property_added_closed/new.json" schemas/ev/1-0-1.json
	run --separate-stderr "$CI" --bin "$EVKIT_BIN" --mode backward-transitive schemas
	assert_success
	assert_line "ev 1-0-0 -> 1-0-1 (backward-transitive): compatible, 1 change"
}

@test "schema-ci: editing a published version in place fails" {
	cp "$CASES/required_added/new.json" schemas/ev/1-0-0.json
	run --separate-stderr "$CI" --bin "$EVKIT_BIN" schemas
	assert_failure 1
	assert_line "ev 1-0-0 -> 1-0-0 (backward): incompatible, 1 change"
}

@test "schema-ci: lint errors fail the job even when compatible" {
	mkdir schemas/other
	echo '{"type":"object","properties":{"a":{"type":"integer","minimum":3,"maximum":1}}}' >schemas/other/1-0-0.json
	run --separate-stderr "$CI" --bin "$EVKIT_BIN" schemas
	assert_failure 1
	assert_line --partial "schemas/other/1-0-0.json: error: unsatisfiable: /properties/a: minimum 3 is above maximum 1"
}

@test "schema-ci: a registry that did not exist at the revision is all new" {
	mkdir -p more/ev
	cp "$CASES/required_added/old.json" more/ev/1-0-0.json
	run --separate-stderr "$CI" --bin "$EVKIT_BIN" more
	assert_success
	assert_line --partial "'more' does not exist at HEAD; every schema is new"
}

@test "schema-ci: usage errors and unknown revisions exit 2" {
	run --separate-stderr "$CI" --bin "$EVKIT_BIN"
	assert_failure 2
	[[ "$stderr" == *"give one registry folder"* ]]
	run --separate-stderr "$CI" --bin "$EVKIT_BIN" --bogus schemas
	assert_failure 2
	run --separate-stderr "$CI" --bin "$EVKIT_BIN" --rev no-such-rev schemas
	assert_failure 2
	[[ "$stderr" == *"unknown revision 'no-such-rev'"* ]]
	run --separate-stderr "$CI" --bin "$EVKIT_BIN" --help
	assert_success
	assert_line --partial "usage: schema-ci"
}
