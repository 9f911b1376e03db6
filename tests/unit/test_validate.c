/*
 * test_validate.c - unit tests of ev-validate's library modules: URI
 * resolution, schema keywords and dialects, error locations, formats,
 * SchemaVer, and the bounded dedupe set (eviction, window, state).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_dedupe.h"
#include "ev_format.h"
#include "ev_jset.h"
#include "ev_registry.h"
#include "ev_schema.h"

#include "check.h"

static int
resolves(const char *base, const char *ref, const char *want)
{
	char *got = ev_uri_resolve(base, ref);
	int ok = strcmp(got, want) == 0;

	if (!ok)
		fprintf(stderr, "resolve(%s, %s) = %s, want %s\n", base, ref,
		    got, want);
	free(got);
	return ok;
}

static void
test_uri(void)
{
	const char *b = "http://a/b/c/d;p?q";

	/* RFC 3986, section 5.4. */
	CHECK(resolves(b, "g", "http://a/b/c/g"));
	CHECK(resolves(b, "./g", "http://a/b/c/g"));
	CHECK(resolves(b, "g/", "http://a/b/c/g/"));
	CHECK(resolves(b, "/g", "http://a/g"));
	CHECK(resolves(b, "//g", "http://g"));
	CHECK(resolves(b, "?y", "http://a/b/c/d;p?y"));
	CHECK(resolves(b, "#s", "http://a/b/c/d;p?q#s"));
	CHECK(resolves(b, "", "http://a/b/c/d;p?q"));
	CHECK(resolves(b, "..", "http://a/b/"));
	CHECK(resolves(b, "../g", "http://a/b/g"));
	CHECK(resolves(b, "../../g", "http://a/g"));
	CHECK(resolves(b, "../../../g", "http://a/g"));
	CHECK(resolves(b, "g;x=1/../y", "http://a/b/c/y"));
	/* Section 5.4.2; a leading "/.." wrote through a null buffer. */
	CHECK(resolves(b, "/../g", "http://a/g"));
	CHECK(resolves(b, "/./g", "http://a/g"));
	CHECK(resolves(b, "../../../../g", "http://a/g"));
	CHECK(resolves("urn:x", "/..", "urn:/"));
	CHECK(resolves("urn:uuid:deadbeef", "#/$defs/a",
	    "urn:uuid:deadbeef#/$defs/a"));
}

/* Compile text as a schema and check inst (JSON text) against it. */
static int
valid(const char *schema, const char *inst, enum ev_schema_draft d)
{
	struct ev_schema_set *set = ev_schema_set_new(NULL, d);
	struct ev_schema_ctx *c = ev_schema_ctx_new();
	json_t *sj = json_loads(schema, 0, NULL);
	json_t *ij = json_loads(inst, JSON_DECODE_ANY, NULL);
	char err[256];
	struct ev_schema *s;
	int r = -1;

	s = ev_schema_set_add(set, sj, NULL, err, sizeof(err));
	if (s && ev_schema_set_link(set, err, sizeof(err)) == 0)
		r = ev_schema_valid(c, s, ij);
	json_decref(sj);
	json_decref(ij);
	ev_schema_ctx_free(c);
	ev_schema_set_free(set);
	return r;
}

static void
test_keywords(void)
{
	enum ev_schema_draft d20 = EV_SCHEMA_2020_12;

	CHECK(valid("{\"type\":\"integer\"}", "1.0", d20) == 1);
	CHECK(valid("{\"type\":\"integer\"}", "1.5", d20) == 0);
	CHECK(valid("{\"enum\":[1]}", "1.0", d20) == 1);
	CHECK(valid("{\"uniqueItems\":true}", "[1, 1.0]", d20) == 0);
	CHECK(valid("{\"maxLength\":2}", "\"\\u00e9\\u00e9\"", d20) == 1);
	CHECK(valid("{\"pattern\":\"^\\\\d+$\"}", "\"\\u0660\"", d20) == 0);
	CHECK(valid("{\"pattern\":\"^\\\\s$\"}", "\"\\u00a0\"", d20) == 1);
	CHECK(valid("{\"pattern\":\"a$\"}", "\"a\\n\"", d20) == 0);
	CHECK(valid("{\"multipleOf\":0.01}", "0.07", d20) == 1);
	CHECK(valid("{\"prefixItems\":[{\"type\":\"string\"}],"
	    "\"unevaluatedItems\":false}", "[\"a\",1]", d20) == 0);
	CHECK(valid("{\"allOf\":[{\"properties\":{\"a\":true}}],"
	    "\"unevaluatedProperties\":false}", "{\"a\":1}", d20) == 1);
	CHECK(valid("{\"allOf\":[{\"properties\":{\"a\":true}}],"
	    "\"unevaluatedProperties\":false}", "{\"a\":1,\"b\":2}", d20) == 0);
	CHECK(valid("{\"$ref\":\"#/$defs/missing\"}", "1", d20) == -1);
	CHECK(valid("{\"pattern\":\"(\"}", "1", d20) == -1);
	/* $schema picks the dialect over the set's default. */
	CHECK(valid("{\"$schema\":\"https://json-schema.org/draft/2019-09/"
	    "schema\",\"items\":[{\"type\":\"string\"}],"
	    "\"additionalItems\":false}", "[\"a\",1]", d20) == 0);
	CHECK(valid("{\"$schema\":\"http://json-schema.org/draft-07/schema#\","
	    "\"$ref\":\"#/definitions/s\",\"type\":\"integer\","
	    "\"definitions\":{\"s\":{\"type\":\"string\"}}}", "\"x\"",
	    d20) == 1);
	CHECK(valid("{\"dependentRequired\":{\"a\":[\"b\"]}}", "{\"a\":1}",
	    d20) == 0);
}

static void
test_errors(void)
{
	struct ev_schema_set *set = ev_schema_set_new(NULL, EV_SCHEMA_2020_12);
	struct ev_schema_ctx *c = ev_schema_ctx_new();
	json_t *sj = json_loads("{\"$id\":\"https://x.example/s\","
	    "\"properties\":{\"a/b\":{\"$ref\":\"#/$defs/n\"}},"
	    "\"$defs\":{\"n\":{\"type\":\"number\"}}}", 0, NULL);
	json_t *ij = json_loads("{\"a/b\":\"12\"}", 0, NULL), *e, *e0;
	char err[256];
	struct ev_schema *s = ev_schema_set_add(set, sj, NULL, err,
	    sizeof(err));

	CHECK(s != NULL && ev_schema_set_link(set, err, sizeof(err)) == 0);
	e = ev_schema_errors(c, s, ij, 0);
	CHECK(json_array_size(e) == 1);
	e0 = json_array_get(e, 0);
	CHECK(strcmp(json_string_value(json_object_get(e0, "instance")),
	    "/a~1b") == 0);
	CHECK(strcmp(json_string_value(json_object_get(e0, "keyword")),
	    "/properties/a~1b/$ref/type") == 0);
	CHECK(strcmp(json_string_value(json_object_get(e0, "absolute")),
	    "https://x.example/s#/$defs/n/type") == 0);
	CHECK(strcmp(json_string_value(json_object_get(e0, "message")),
	    "expected number, got string \"12\"") == 0);
	json_decref(e);
	json_decref(sj);
	json_decref(ij);
	ev_schema_ctx_free(c);
	ev_schema_set_free(set);
}

/* The specification's own detailed-output example (polygon). */
static void
test_detailed(void)
{
	struct ev_schema_set *set = ev_schema_set_new(NULL, EV_SCHEMA_2020_12);
	struct ev_schema_ctx *c = ev_schema_ctx_new();
	json_t *sj = json_loads("{\"$id\":\"https://example.com/polygon\","
	    "\"$defs\":{\"point\":{\"type\":\"object\",\"properties\":"
	    "{\"x\":{\"type\":\"number\"},\"y\":{\"type\":\"number\"}},"
	    "\"additionalProperties\":false,\"required\":[\"x\",\"y\"]}},"
	    "\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/point\"},"
	    "\"minItems\":3}", 0, NULL);
	json_t *ij = json_loads("[{\"x\":2.5,\"y\":1.3},{\"x\":1,\"z\":6.7}]",
	    0, NULL), *out, *u;
	char err[256];
	struct ev_schema *s = ev_schema_set_add(set, sj, NULL, err,
	    sizeof(err));

	CHECK(s != NULL && ev_schema_set_link(set, err, sizeof(err)) == 0);
	out = ev_schema_output(c, s, ij, EV_SCHEMA_OUT_DETAILED);
	CHECK(json_is_false(json_object_get(out, "valid")));
	CHECK(json_array_size(json_object_get(out, "errors")) == 2);
	u = json_array_get(json_object_get(out, "errors"), 1);
	CHECK(strcmp(json_string_value(json_object_get(u, "keywordLocation")),
	    "/items/$ref") == 0);
	CHECK(strcmp(json_string_value(json_object_get(u,
	    "absoluteKeywordLocation")),
	    "https://example.com/polygon#/$defs/point") == 0);
	CHECK(strcmp(json_string_value(json_object_get(u, "instanceLocation")),
	    "/1") == 0);
	CHECK(json_array_size(json_object_get(u, "errors")) == 2);
	json_decref(out);
	out = ev_schema_output(c, s, ij, EV_SCHEMA_OUT_BASIC);
	CHECK(json_array_size(json_object_get(out, "errors")) == 3);
	json_decref(out);
	json_decref(sj);
	json_decref(ij);
	ev_schema_ctx_free(c);
	ev_schema_set_free(set);
}

/*
 * A pattern that gives up (PCRE2's match limit on catastrophic
 * backtracking) leaves the check undecided: never valid, whatever "not",
 * "anyOf" or "if" around it would make of a "no match", and the errors
 * are that one limit error.
 */
static void
test_limit(void)
{
	static const char *const schemas[] = {
		"{\"pattern\":\"^(a+)+$\"}",
		"{\"not\":{\"pattern\":\"^(a+)+$\"}}",
		"{\"anyOf\":[{\"pattern\":\"^(a+)+$\"},{\"type\":\"integer\"}]}",
		"{\"anyOf\":[{\"not\":{\"pattern\":\"^(a+)+$\"}},false]}",
		"{\"if\":{\"pattern\":\"^(a+)+$\"},\"else\":true,\"then\":true}",
		"{\"items\":{\"propertyNames\":{\"not\":{\"pattern\":\"^(a+)+$\"}}}}",
		"{\"contains\":{\"not\":{\"pattern\":\"^(a+)+$\"}}}",
	};
	static const char *const insts[] = {
		"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"",
		"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"",
		"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"",
		"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"",
		"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"",
		"[{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\":1}]",
		"[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"]",
	};
	size_t i;

	for (i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++) {
		struct ev_schema_set *set = ev_schema_set_new(NULL,
		    EV_SCHEMA_2020_12);
		struct ev_schema_ctx *c = ev_schema_ctx_new();
		json_t *sj = json_loads(schemas[i], 0, NULL);
		json_t *ij = json_loads(insts[i], JSON_DECODE_ANY, NULL);
		json_t *e, *out;
		const json_t *lim;
		char err[256];
		struct ev_schema *s = ev_schema_set_add(set, sj, NULL, err,
		    sizeof(err));

		CHECK(s != NULL && ev_schema_set_link(set, err,
		    sizeof(err)) == 0);
		CHECK(ev_schema_valid(c, s, ij) == 0);
		lim = ev_schema_ctx_limit(c);
		CHECK(lim != NULL && strstr(json_string_value(json_object_get(
		    lim, "message")), "match limit") != NULL);
		e = ev_schema_errors(c, s, ij, 1);
		CHECK(json_array_size(e) == 1 && ev_schema_ctx_limit(c) &&
		    json_equal(json_array_get(e, 0), ev_schema_ctx_limit(c)));
		json_decref(e);
		out = ev_schema_output(c, s, ij, EV_SCHEMA_OUT_BASIC);
		CHECK(json_is_false(json_object_get(out, "valid")));
		CHECK(json_array_size(json_object_get(out, "errors")) == 1);
		json_decref(out);
		/* The next check starts afresh. */
		json_decref(ij);
		ij = json_loads("[\"ab\"]", 0, NULL);
		(void)ev_schema_valid(c, s, ij);
		CHECK(ev_schema_ctx_limit(c) == NULL);
		json_decref(sj);
		json_decref(ij);
		ev_schema_ctx_free(c);
		ev_schema_set_free(set);
	}
}

/* JSON Schema equality, the hash that agrees with it, and the set. */
static void
test_jset(void)
{
	static const char *const same[][2] = {
		{ "1", "1.0" }, { "0", "-0.0" }, { "1e2", "100" },
		{ "{\"a\":1,\"b\":[2,{\"c\":3}]}",
		  "{\"b\":[2.0,{\"c\":3}],\"a\":1.0}" },
		{ "\"\\u00e9\"", "\"\xc3\xa9\"" },
		{ "[]", "[]" }, { "{}", "{}" }, { "null", "null" },
	};
	static const char *const differ[][2] = {
		{ "1", "true" }, { "0", "false" }, { "null", "0" },
		{ "[1,2]", "[2,1]" }, { "{\"a\":1}", "{\"a\":1,\"b\":1}" },
		{ "\"1\"", "1" }, { "[]", "{}" }, { "1", "1.5" },
	};
	struct ev_jset *set;
	json_t *vals = json_array(), *v;
	size_t i, tag;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		json_t *a = json_loads(same[i][0], JSON_DECODE_ANY, NULL);
		json_t *b = json_loads(same[i][1], JSON_DECODE_ANY, NULL);
		CHECK(a && b && ev_jset_equal(a, b));
		CHECK(a && b && ev_jset_hash(a) == ev_jset_hash(b));
		json_decref(a);
		json_decref(b);
	}
	for (i = 0; i < sizeof(differ) / sizeof(differ[0]); i++) {
		json_t *a = json_loads(differ[i][0], JSON_DECODE_ANY, NULL);
		json_t *b = json_loads(differ[i][1], JSON_DECODE_ANY, NULL);
		CHECK(a && b && !ev_jset_equal(a, b));
		json_decref(a);
		json_decref(b);
	}
	/* Many values: the set grows and keeps every tag. */
	set = ev_jset_new(2);
	for (i = 0; i < 5000; i++)
		json_array_append_new(vals, i % 2 ? json_integer((json_int_t)i) :
		    json_pack("{s:i}", "k", (int)i));
	for (i = 0; i < 5000; i++)
		CHECK(ev_jset_add(set, json_array_get(vals, i), i, NULL) == 0);
	CHECK(ev_jset_count(set) == 5000);
	v = json_real(4999.0);
	CHECK(ev_jset_find(set, v, &tag) == 1 && tag == 4999);
	CHECK(ev_jset_add(set, v, 1, &tag) == 1 && tag == 4999);
	json_decref(v);
	v = json_pack("{s:f}", "k", 4998.0);
	CHECK(ev_jset_find(set, v, &tag) == 1 && tag == 4998);
	json_decref(v);
	v = json_integer(5000);
	CHECK(ev_jset_find(set, v, NULL) == 0);
	json_decref(v);
	CHECK(ev_jset_count(set) == 5000);
	ev_jset_free(set);
	json_decref(vals);
}

static void
test_formats(void)
{
	CHECK(ev_format_check("date-time", "2026-03-02T10:15:04.120Z", 24));
	CHECK(!ev_format_check("date-time", "2026-02-30T10:15:04Z", 20));
	CHECK(ev_format_check("date", "2024-02-29", 10));
	CHECK(!ev_format_check("date", "2023-02-29", 10));
	CHECK(ev_format_check("time", "23:59:60Z", 9));
	CHECK(!ev_format_check("time", "22:59:60Z", 9));
	CHECK(ev_format_check("duration", "P1DT2H", 6));
	CHECK(!ev_format_check("duration", "PT", 2));
	CHECK(ev_format_check("ipv4", "192.168.0.1", 11));
	CHECK(!ev_format_check("ipv4", "192.168.0.01", 12));
	CHECK(ev_format_check("ipv6", "::ffff:1.2.3.4", 14));
	CHECK(ev_format_check("uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d16380",
	    36));
	CHECK(ev_format_check("email", "joe.bloggs@example.com", 22));
	CHECK(!ev_format_check("email", "2962", 4));
	CHECK(ev_format_check("uri", "http://example.com/a?b#c", 24));
	CHECK(!ev_format_check("uri", "//example.com", 13));
	CHECK(ev_format_check("json-pointer", "/a~0b", 5));
	CHECK(!ev_format_check("json-pointer", "/a~2", 4));
	CHECK(!ev_format_check("regex", "(", 1));
	CHECK(ev_format_check("no-such-format", "x", 1));
}

static void
test_dedupe(void)
{
	ev_us_t m = 60 * EV_US_PER_SEC;
	struct ev_dedupe *d = ev_dedupe_new(10 * m, 4), *d2;
	json_t *st;
	char id[16];
	int i;

	CHECK(ev_dedupe_check(d, "a", 1, 0) == 0);
	CHECK(ev_dedupe_check(d, "a", 1, 5 * m) == 1);
	CHECK(ev_dedupe_check(d, "b", 1, 5 * m) == 0);
	/* Out of the window of the first sighting: not a duplicate. */
	CHECK(ev_dedupe_check(d, "a", 1, 11 * m) == 0);
	/* The bound: at most 4 ids, the oldest go first. */
	for (i = 0; i < 4; i++) {
		snprintf(id, sizeof(id), "x%d", i);
		CHECK(ev_dedupe_check(d, id, strlen(id), 12 * m) == 0);
	}
	CHECK(ev_dedupe_count(d) == 4);
	CHECK(ev_dedupe_check(d, "x0", 2, 12 * m) == 1);
	CHECK(ev_dedupe_check(d, "x3", 2, 12 * m) == 1);
	/* Many inserts and evictions keep every live id findable. */
	for (i = 0; i < 10000; i++) {
		snprintf(id, sizeof(id), "y%d", i);
		CHECK(ev_dedupe_check(d, id, strlen(id), 13 * m) == 0);
		if (i > 2) {
			snprintf(id, sizeof(id), "y%d", i - 2);
			CHECK(ev_dedupe_check(d, id, strlen(id), 13 * m) == 1);
		}
	}
	CHECK(ev_dedupe_count(d) == 4);
	/* The window passes: everything is forgotten. */
	CHECK(ev_dedupe_check(d, "z", 1, 30 * m) == 0);
	CHECK(ev_dedupe_count(d) == 1);
	st = ev_dedupe_save(d);
	d2 = ev_dedupe_new(10 * m, 4);
	CHECK(ev_dedupe_restore(d2, st) == 0);
	CHECK(ev_dedupe_check(d2, "z", 1, 31 * m) == 1);
	json_decref(st);
	st = json_pack("{s:[[s,i]]}", "ids", "not-hex", 1);
	CHECK(ev_dedupe_restore(d2, st) == -1);
	json_decref(st);
	ev_dedupe_free(d);
	ev_dedupe_free(d2);
}

int
main(void)
{
	ev_set_progname("test_validate");
	test_uri();
	test_keywords();
	test_errors();
	test_detailed();
	test_limit();
	test_jset();
	test_formats();
	test_dedupe();
	printf("test_validate: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
