/*
 * test_jidx.c - lib/ev_jidx, the one-pass check and index under the record
 * layer: its tokens against jsmn's (the index it replaced) and its
 * verdicts against jansson's, plus the record layer's answers on the lines
 * where simdjson and jansson part ways.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include "ev_buf.h"
#include "ev_jidx.h"
#include "ev_path.h"
#include "ev_rec.h"

#include "check.h"

#define LINE(s)	{ s, sizeof(s) - 1 }	/* with any NUL inside */

static json_t *
jansson(const char *s, size_t n)
{
	json_error_t e;

	return json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL |
	    JSON_DECODE_INT_AS_REAL, &e);
}

/* ev_jidx's tokens of s, checked or not, equal jsmn's. */
static int
same_as_jsmn(struct ev_jidx *j, const char *s, int check)
{
	size_t n = strlen(s);
	char *copy = malloc(n + 1);
	jsmntok_t want[64], *got;
	jsmn_parser p;
	int nw, ng, bound, ok;

	/* jsmn needs a byte after a top-level scalar. */
	memcpy(copy, s, n);
	copy[n] = ' ';
	jsmn_init(&p);
	nw = jsmn_parse(&p, copy, n + 1, want, 64);
	free(copy);
	if ((bound = ev_jidx_scan(j, s, n, check)) <= 0)
		return 0;
	got = calloc((size_t)bound, sizeof *got);
	ng = ev_jidx_tokens(j, got);
	ok = nw > 0 && ng == nw &&
	    memcmp(got, want, (size_t)ng * sizeof *got) == 0;
	free(got);
	return ok;
}

static void
test_jidx_tokens(void)
{
	static const char *docs[] = {
		"{}", "[]", "0", "-1.5e-3", "true", "null", "\"\"",
		"  \"s\"\t", " [ 1 , [ ] , { } , \"x\" ] \r\n",
		"{\"a\":1,\"b\":[1,2,{\"c\":\"x\\\"y\" , \"d\" : null }],"
		    "\"e\":{}}",
		"{\"\":{\"\":[[[\"\\\\\"]]]}}",
		"{\"k\\\"\\\\\":\"v\\\\\", \"k2\" :\"\\\"\" }",
		"[\"caf\xc3\xa9\",\"\xf0\x9f\x98\x80\"]",
		"{\"a\":[{},{\"b\":[true,false]}],\"c\":-0}",
	};
	struct ev_jidx *j = ev_jidx_new();
	size_t i;

	for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		CHECKF(same_as_jsmn(j, docs[i], 1), "checked %s\n", docs[i]);
		CHECKF(same_as_jsmn(j, docs[i], 0), "located %s\n", docs[i]);
	}
	ev_jidx_free(j);
}

/* Text simdjson refuses: jansson must refuse it as well (or judge it). */
static void
test_jidx_refused(void)
{
	static const char *bad[] = {
		"", " ", "[1,]", "{\"a\":1}x", "{\"a\":1} {}", "0123", "-",
		"1.", ".5", "\"\\q\"", "nul", "[tru]", "{\"a\" 1}", "{1:2}",
		"[\"\x01\"]", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
		"\"\xf4\x90\x80\x80\"", "1e309", "-1e309", "[1]]", "[[1]",
		"{\"a\":1,}", "'a'", "[1 2]",
	};
	struct ev_jidx *j = ev_jidx_new();
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *v = jansson(bad[i], strlen(bad[i]));

		CHECKF(ev_jidx_scan(j, bad[i], strlen(bad[i]), 1) == -1,
		    "%s\n", bad[i]);
		CHECKF(v == NULL, "jansson takes %s\n", bad[i]);
		json_decref(v);
	}
	/* jansson lets a NUL end a number; the index refuses such text. */
	CHECK(ev_jidx_scan(j, "[5\0\t]", 5, 0) == -1);
	CHECK(ev_jidx_scan(j, "[5\0\t]", 5, 1) == -1);
	ev_jidx_free(j);
}

/*
 * Lines where simdjson and jansson part ways, or that sit on a limit: the
 * record layer's verdict must be jansson's, and what it reads and writes
 * must be the line's own (or jansson's tree).
 */
static void
test_jidx_rec_limits(void)
{
	static const struct {
		const char	*s;
		size_t		 n;
	} lines[] = {
		LINE("[1.7976931348623157e308]"),
		LINE("[1.7976931348623159e308]"),
		LINE("[4.9e-324]"),
		LINE("[2.4e-324]"),
		LINE("[1e-400]"),
		LINE("[-0.0]"),
		LINE("[18446744073709551615]"),
		LINE("[18446744073709551616]"),
		LINE("[-9223372036854775809]"),
		LINE("[123456789012345678901234567890]"),
		LINE("[\"\\u0000\"]"),
		LINE("[\"\\ud800\"]"),
		LINE("[\"\\ud83d\\ude00\"]"),
		LINE("[1.797693134862315807e308]"),
		LINE("[1.797693134862315808e308]"),
		/* Either side of the midpoint between DBL_MAX and 2^1024. */
		LINE("[1.797693134862315807937289714053034150799341327100378269"
		    "36173778980444968292764750946649017977e308]"),
		LINE("[1.797693134862315807937289714053034150799341327100378269"
		    "36173778980444968292764750946649017978e308]"),
		LINE("[0e99999999999]"),
		LINE("[1e-99999999999]"),
		LINE("[-0]"),
		LINE("\xef\xbb\xbf{}"),
		LINE("[5\0\t]"),
		LINE("1\0"),
	};
	struct ev_buf out = EV_BUF_INIT;
	struct ev_rec r;
	size_t i;

	ev_rec_init(&r);
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		json_t *want = jansson(lines[i].s, lines[i].n), *back;
		int rc = ev_rec_parse(&r, lines[i].s, lines[i].n);

		CHECKF(rc == (want == NULL ? -1 : 0), "%s: %d\n", lines[i].s,
		    rc);
		if (rc == 0 && want != NULL) {
			ev_buf_reset(&out);
			ev_rec_write(&r, &out);
			back = jansson(out.data, out.len);
			CHECKF(back != NULL && json_equal(back, want), "%s\n",
			    lines[i].s);
			json_decref(back);
		}
		json_decref(want);
	}
	ev_rec_clear(&r);
	ev_buf_free(&out);
}

/*
 * Nesting deeper than simdjson's 1,024 levels but within jansson's 2,048,
 * in fewer than 2,000 tokens: jansson judges, the index still serves.
 */
static void
test_jidx_rec_deep(void)
{
	struct ev_buf b = EV_BUF_INIT;
	struct ev_rec r;
	const char *err, *s;
	struct ev_path *p = ev_path_compile("k", &err);
	size_t n;
	int k;

	ev_buf_adds(&b, "{\"k\":\"v\",\"d\":");
	for (k = 0; k < 1500; k++)
		ev_buf_addc(&b, '[');
	for (k = 0; k < 1500; k++)
		ev_buf_addc(&b, ']');
	ev_buf_addc(&b, '}');
	ev_rec_init(&r);
	CHECK(ev_rec_parse(&r, b.data, b.len) == 0);
	CHECK(ev_rec_lazy(&r));
	CHECK(ev_rec_str(&r, p, &s, &n) == 0 && n == 1 && s[0] == 'v');
	ev_rec_clear(&r);
	ev_path_free(p);
	ev_buf_free(&b);
}

/*
 * One checker serves every record: a record's index must not change when
 * another record parses a line (ev-detect holds many records at once).
 */
static void
test_jidx_rec_shared(void)
{
	static const char a[] = "{\"k\":\"first\",\"n\":[1,2]}";
	static const char b[] = "[{\"k\":2},\"second line, longer\",{}]";
	struct ev_rec r1, r2;
	struct ev_buf out = EV_BUF_INIT;
	const char *err, *s;
	struct ev_path *p = ev_path_compile("k", &err);
	size_t n;

	ev_rec_init(&r1);
	ev_rec_init(&r2);
	CHECK(ev_rec_parse(&r1, a, sizeof a - 1) == 0);
	CHECK(ev_rec_parse(&r2, b, sizeof b - 1) == 0);
	CHECK(ev_rec_str(&r1, p, &s, &n) == 0 && n == 5 &&
	    memcmp(s, "first", 5) == 0);
	ev_rec_add(&r1, "z", json_true());
	ev_rec_write(&r1, &out);
	CHECK(out.len == sizeof a - 1 + 9 && memcmp(out.data,
	    "{\"k\":\"first\",\"n\":[1,2],\"z\":true}", out.len) == 0);
	ev_rec_clear(&r1);
	ev_rec_clear(&r2);
	ev_path_free(p);
	ev_buf_free(&out);
}

int
main(void)
{
	test_jidx_tokens();
	test_jidx_refused();
	test_jidx_rec_limits();
	test_jidx_rec_deep();
	test_jidx_rec_shared();
	printf("test_jidx: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
