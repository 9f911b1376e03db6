/*
 * test_ev_path.c - unit tests of ev_path: dotted paths and JSON Pointers,
 * pointer joins, percent-decoding (RFC 3986) and the JSON Pointer of a URI
 * fragment (RFC 6901), also as "$ref" resolution in ev_schema reads it.
 */
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_path.h"
#include "ev_schema.h"

#include "check.h"

/* Whether s percent-decodes to the n bytes want. */
static int
decodes(const char *s, const char *want, size_t n)
{
	size_t len;
	char *got = ev_path_pct_decode(s, &len);
	int ok = len == n && memcmp(got, want, n) == 0;

	if (!ok)
		fprintf(stderr, "pct_decode(%s) gave %zu bytes '%s'\n", s, len,
		    got);
	free(got);
	return ok;
}

static void
test_pct_decode(void)
{
	CHECK(decodes("", "", 0));
	CHECK(decodes("a%20b", "a b", 3));
	CHECK(decodes("%2f%2F", "//", 2));
	CHECK(decodes("%25", "%", 1));
	CHECK(decodes("%00x", "\0x", 2));
	/* Not "%" HEXDIG HEXDIG: kept as written (strtol took these). */
	CHECK(decodes("%+1", "%+1", 3));
	CHECK(decodes("%-1", "%-1", 3));
	CHECK(decodes("% f", "% f", 3));
	CHECK(decodes("%1g", "%1g", 3));
	CHECK(decodes("%4", "%4", 2));
	CHECK(decodes("%", "%", 1));
	CHECK(decodes("%%41", "%A", 2));
}

static void
test_join(void)
{
	struct ev_buf b = EV_BUF_INIT;
	char *s;

	s = ev_path_join("/a", "b/c~d");
	CHECK(strcmp(s, "/a/b~1c~0d") == 0);
	free(s);
	s = ev_path_join("", "");
	CHECK(strcmp(s, "/") == 0);
	free(s);
	s = ev_path_join_index("/items", 12);
	CHECK(strcmp(s, "/items/12") == 0);
	free(s);
	ev_path_push(&b, "properties");
	ev_path_push_index(&b, 3);
	CHECK(strcmp(b.data, "/properties/3") == 0);
	ev_path_pop(&b, 11);
	CHECK(strcmp(b.data, "/properties") == 0);
	ev_buf_free(&b);
}

static void
test_paths(void)
{
	json_t *doc = json_loads("{\"a\":{\"b/c\":[10,20]},\"x~y\":1,"
	    "\"items\":[{\"sku\":\"k\"}]}", 0, NULL);
	struct ev_path *p;
	const char *es;

	p = ev_path_compile("/a/b~1c/1", &es);
	CHECK(p != NULL && json_integer_value(ev_path_get(p, doc)) == 20);
	ev_path_free(p);
	p = ev_path_compile("/x~0y", &es);
	CHECK(p != NULL && json_integer_value(ev_path_get(p, doc)) == 1);
	ev_path_free(p);
	p = ev_path_compile("items.0.sku", &es);
	CHECK(p != NULL && strcmp(json_string_value(ev_path_get(p, doc)),
	    "k") == 0);
	CHECK(strcmp(ev_path_leaf(p), "sku") == 0);
	ev_path_free(p);
	CHECK(ev_path_compile("/a~2", &es) == NULL && es != NULL);
	CHECK(ev_path_compile("a..b", &es) == NULL && es != NULL);
	CHECK(ev_path_compile("", &es) == NULL && es != NULL);
	json_decref(doc);
}

/* The value the fragment frag points at in the JSON text doc, or NULL. */
static json_t *
at(const char *doc, const char *frag)
{
	static json_t *d;
	struct ev_path *p;
	const char *es;
	json_t *v;

	json_decref(d);
	d = doc ? json_loads(doc, JSON_ALLOW_NUL, NULL) : NULL;
	if (d == NULL || (p = ev_path_fragment(frag, &es)) == NULL)
		return NULL;
	v = ev_path_get(p, d);
	ev_path_free(p);
	return v;
}

static void
test_fragment(void)
{
	const char *d = "{\"a b\":1,\"c/d\":2,\"%+1\":3,\"\\u0001\":4,"
	    "\"n\":6,\"arr\":[7,8],\"\":9,\"~\":10}";

	CHECK(json_integer_value(at(d, "/a%20b")) == 1);
	CHECK(json_integer_value(at(d, "/c~1d")) == 2);
	CHECK(json_integer_value(at(d, "/%+1")) == 3);
	CHECK(json_integer_value(at(d, "/arr/1")) == 8);
	CHECK(json_integer_value(at(d, "/")) == 9);
	CHECK(json_integer_value(at(d, "/%7E0")) == 10);
	/* RFC 6901: an array index has no leading zero, sign or space. */
	CHECK(at(d, "/arr/01") == NULL);
	CHECK(at(d, "/arr/+1") == NULL);
	CHECK(at(d, "/arr/%201") == NULL);
	CHECK(at(d, "/arr/-") == NULL);
	CHECK(at(d, "/arr/2") == NULL);
	CHECK(at(d, "/nope") == NULL);
	/* A key holds no NUL (jansson): "n%00m" names none, not "n". */
	CHECK(at(d, "/n%00m") == NULL);
	CHECK(at(d, "/~2") == NULL);
	CHECK(at(d, "a") == NULL);
	at(NULL, "");
}

/* Whether schema (JSON text) links, and then accepts inst. */
static int
valid(const char *schema, const char *inst)
{
	struct ev_schema_set *set = ev_schema_set_new(NULL, EV_SCHEMA_2020_12);
	struct ev_schema_ctx *c = ev_schema_ctx_new();
	json_t *sj = json_loads(schema, JSON_ALLOW_NUL, NULL);
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

/*
 * "$ref" fragments as ev-validate resolves them.  Each case failed with
 * the pointer walk ev_schema had of its own: strtol decoded "%+1" into
 * byte 1, a C string ended "a%00b" at "a", and ev_strtonum read "01"
 * as index 1.
 */
static void
test_schema_refs(void)
{
	CHECK(valid("{\"$defs\":{\"%+1\":{\"type\":\"integer\"},"
	    "\"\\u0001\":{\"type\":\"string\"}},\"$ref\":\"#/$defs/%+1\"}",
	    "5") == 1);
	CHECK(valid("{\"$defs\":{\"a\":{\"type\":\"integer\"}},"
	    "\"$ref\":\"#/$defs/a%00b\"}", "5") == -1);
	CHECK(valid("{\"$defs\":{\"l\":[{\"type\":\"string\"},"
	    "{\"type\":\"integer\"}]},\"$ref\":\"#/$defs/l/1\"}", "5") == 1);
	CHECK(valid("{\"$defs\":{\"l\":[{\"type\":\"string\"},"
	    "{\"type\":\"integer\"}]},\"$ref\":\"#/$defs/l/01\"}", "5") == -1);
	CHECK(valid("{\"$defs\":{\"a/b\":{\"type\":\"integer\"}},"
	    "\"$ref\":\"#/$defs/a~1b\"}", "\"x\"") == 0);
	CHECK(valid("{\"$defs\":{\"a b\":{\"type\":\"integer\"}},"
	    "\"$ref\":\"#/$defs/a%20b\"}", "\"x\"") == 0);
}

int
main(void)
{
	ev_set_progname("test_ev_path");
	test_pct_decode();
	test_join();
	test_paths();
	test_fragment();
	test_schema_refs();
	printf("test_ev_path: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
