/*
 * test_path.c - unit tests of ev_path: dotted paths and JSON Pointers,
 * pointer joins, percent-decoding (RFC 3986) and the JSON Pointer of a URI
 * fragment (RFC 6901), also as "$ref" resolution in ev_schema reads it.
 */
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_path.h"
#include "ev_schema.h"

#include "check.h"

static void
test_pct_decode(void)
{
	static const struct {
		const char	*in, *out;
		size_t		 n;
	} t[] = {
		{ "", "", 0 },
		{ "a%20b", "a b", 3 },
		{ "%2f%2F", "//", 2 },
		{ "%25", "%", 1 },
		{ "%00x", "\0x", 2 },
		/* Not "%" HEXDIG HEXDIG: kept as written (strtol took these). */
		{ "%+1", "%+1", 3 },
		{ "%-1", "%-1", 3 },
		{ "% f", "% f", 3 },
		{ "%1g", "%1g", 3 },
		{ "%4", "%4", 2 },
		{ "%", "%", 1 },
		{ "%%41", "%A", 2 },
	};
	size_t i, len;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *got = ev_path_pct_decode(t[i].in, &len);
		CHECK(len == t[i].n && memcmp(got, t[i].out, len) == 0);
		if (len != t[i].n || memcmp(got, t[i].out, len) != 0)
			fprintf(stderr, "pct_decode(%s) gave %zu bytes '%s'\n",
			    t[i].in, len, got);
		free(got);
	}
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

/*
 * The "const" of the node ev_schema resolves urn:t#frag to in doc (a
 * schema whose $defs are {"const": N}), -1 when nothing, -2 when the set
 * does not link (a "$ref" in doc that does not resolve).
 */
static long long
target(const char *doc, const char *frag)
{
	struct ev_schema_set *set = ev_schema_set_new(NULL, EV_SCHEMA_2020_12);
	json_t *d = json_loads(doc, 0, NULL);
	const struct ev_schema *s = NULL;
	char err[256], uri[256];
	long long r = -2;

	snprintf(uri, sizeof(uri), "urn:t#%s", frag);
	if (ev_schema_set_add(set, d, "urn:t", err, sizeof(err)) != NULL &&
	    ev_schema_set_link(set, err, sizeof(err)) == 0) {
		s = ev_schema_set_find(set, uri);
		r = s != NULL ? json_integer_value(json_object_get(
		    ev_schema_source(s), "const")) : -1;
	}
	json_decref(d);
	ev_schema_set_free(set);
	return r;
}

/*
 * Fragments as ev-validate resolves a "$ref" (the same lookup).  The
 * marked cases failed with the pointer walk ev_schema had of its own:
 * strtol decoded "%+1" into byte 1, a C string ended "a%00b" at "a", and
 * ev_strtonum read "01" as index 1.
 */
static void
test_schema_refs(void)
{
	const char *d = "{\"$defs\":{\"%+1\":{\"const\":1},"
	    "\"\\u0001\":{\"const\":2},\"a\":{\"const\":3},"
	    "\"l\":[{\"const\":4},{\"const\":5}],\"a/b\":{\"const\":6},"
	    "\"a b\":{\"const\":7}}}";

	CHECK(target(d, "/$defs/%+1") == 1);		/* was 2 */
	CHECK(target(d, "/$defs/a%00b") == -1);		/* was 3 */
	CHECK(target(d, "/$defs/l/01") == -1);		/* was 5 */
	CHECK(target(d, "/$defs/l/1") == 5);
	CHECK(target(d, "/$defs/a~1b") == 6);
	CHECK(target(d, "/$defs/a%20b") == 7);
	CHECK(target(d, "/$defs/a") == 3);
	CHECK(target("{\"$ref\":\"#/$defs/l/01\",\"$defs\":{\"l\":["
	    "{\"const\":4},{\"const\":5}]}}", "") == -2);	/* was linked */
	CHECK(target("{\"$ref\":\"#/$defs/l/1\",\"$defs\":{\"l\":["
	    "{\"const\":4},{\"const\":5}]}}", "/$defs/l/0") == 4);
}

static void
test_dotted(void)
{
	json_error_t e;
	json_t *doc = json_loads("{\"a\":{\"b\":[10,{\"c\":\"x\"}]},"
	    "\"d/e\":1,\"f~g\":2,\"\":3}", 0, &e);
	const char *err;
	struct ev_path *p;
	struct ev_buf b = EV_BUF_INIT;

	p = ev_path_compile("a.b.1.c", &err);
	CHECK(p && strcmp(json_string_value(ev_path_get(p, doc)), "x") == 0);
	ev_path_pointer(p, &b);
	CHECK(strcmp(b.data, "/a/b/1/c") == 0);
	ev_path_free(p);
	p = ev_path_compile("/a/b/0", &err);
	CHECK(p && json_integer_value(ev_path_get(p, doc)) == 10);
	ev_path_free(p);
	p = ev_path_compile("/d~1e", &err);
	CHECK(p && json_integer_value(ev_path_get(p, doc)) == 1);
	ev_path_free(p);
	p = ev_path_compile("/f~0g", &err);
	CHECK(p && json_integer_value(ev_path_get(p, doc)) == 2);
	ev_path_free(p);
	p = ev_path_compile("/", &err);
	CHECK(p && json_integer_value(ev_path_get(p, doc)) == 3);
	ev_path_free(p);
	CHECK(ev_path_compile("a..b", &err) == NULL && err != NULL);
	CHECK(ev_path_compile("/a~2", &err) == NULL);
	CHECK(ev_path_compile("", &err) == NULL);
	p = ev_path_compile("x.y", &err);
	CHECK(ev_path_get(p, doc) == NULL);
	CHECK(ev_path_set(p, doc, json_integer(5)) == 0);
	CHECK(json_integer_value(ev_path_get(p, doc)) == 5);
	CHECK(strcmp(ev_path_leaf(p), "y") == 0);
	CHECK(ev_path_del(p, doc) == 1 && ev_path_get(p, doc) == NULL);
	ev_path_free(p);
	ev_buf_free(&b);
	json_decref(doc);
}

int
main(void)
{
	ev_set_progname("test_path");
	test_dotted();
	test_pct_decode();
	test_join();
	test_paths();
	test_fragment();
	test_schema_refs();
	printf("test_path: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
