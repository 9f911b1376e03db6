/*
 * test_rec.c - lib/ev_rec: the record layer (lazy index against the full
 * jansson tree, edits, the fallback path and member iteration).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_path.h"
#include "ev_rec.h"
#include "ev_time.h"

#include "check.h"

static void
test_rec(void)
{
	struct ev_rec r;
	struct ev_buf b = EV_BUF_INIT;
	const char *line = "{\"b\":1.50,\"a\":{\"x\":1e2}}";
	const char *err;
	struct ev_path *p = ev_path_compile("a.x", &err);
	double v;

	ev_rec_init(&r);
	CHECK(ev_rec_parse(&r, line, strlen(line)) == 0);
	CHECK(ev_rec_num(&r, p, &v) == 0 && v == 100);
	ev_rec_write(&r, &b);
	CHECK(strcmp(b.data, line) == 0);	/* original bytes */
	ev_rec_add(&r, "z", json_string("new"));
	ev_buf_reset(&b);
	ev_rec_write(&r, &b);
	CHECK(strcmp(b.data, "{\"b\":1.50,\"a\":{\"x\":1e2},\"z\":\"new\"}") == 0);
	ev_rec_add(&r, "b", json_integer(2));	/* replaced in place */
	ev_buf_reset(&b);
	ev_rec_write(&r, &b);
	CHECK(strcmp(b.data, "{\"b\":2,\"a\":{\"x\":1e2},\"z\":\"new\"}") == 0);
	ev_rec_touch(&r);			/* the whole document */
	ev_buf_reset(&b);
	ev_rec_write(&r, &b);
	CHECK(strcmp(b.data, "{\"b\":2,\"a\":{\"x\":100.0},\"z\":\"new\"}") == 0);
	CHECK(ev_rec_parse(&r, "{}", 2) == 0);
	ev_rec_add(&r, "k", json_true());
	ev_buf_reset(&b);
	ev_rec_write(&r, &b);
	CHECK(strcmp(b.data, "{\"k\":true}") == 0);
	CHECK(ev_rec_parse(&r, "{\"a\":", 5) == -1 && r.err[0] != '\0');
	/* Found by fuzzing when yajl and jsmn checked: each let these through. */
	CHECK(ev_rec_parse(&r, "0\"Tb!TT ", 8) == -1);
	CHECK(ev_rec_parse(&r, "{\"a\":1} tru", 12) == -1);
	CHECK(ev_rec_parse(&r, "{\"a\":1} \"x", 11) == -1);
	CHECK(ev_rec_parse(&r, "{\"a\":01}", 8) == -1);
	CHECK(ev_rec_parse(&r, "{\"a\":1.}", 8) == -1);
	CHECK(ev_rec_parse(&r, "{\"a\":1e400}", 11) == -1);
	CHECK(ev_rec_parse(&r, "{\"a\":\"\xed\xa0\x80\"}", 10) == -1);
	{
		struct ev_buf big = EV_BUF_INIT;
		int k;

		ev_buf_adds(&big, "{\"a\":");
		for (k = 0; k < 400; k++)
			ev_buf_addc(&big, '9');
		ev_buf_addc(&big, '}');
		CHECK(ev_rec_parse(&r, big.data, big.len) == -1);
		ev_buf_free(&big);
	}
	CHECK(ev_rec_parse(&r, "123456789012345678901234567890", 30) == 0);
	CHECK(ev_rec_parse(&r, "\"s\"", 3) == 0);
	CHECK(ev_rec_get(&r, p) == NULL);
	ev_rec_clear(&r);
	ev_path_free(p);
	ev_buf_free(&b);
}

/* The lazy index must answer exactly as the full jansson tree would. */
static void
test_rec_lazy(void)
{
	static const char *const lines[] = {
		"{\"s\":\"plain\",\"e\":\"a\\\"b\\\\c\",\"n\":-1.5e2,\"i\":42,"
		    "\"t\":true,\"z\":null,"
		    "\"o\":{\"k\":[10,{\"deep\":\"x\"},\"y\"]},"
		    "\"d\":1,\"d\":\"last\",\"k\\\"q\":7,\"ts\":\"2026-03-02T00:00:00Z\"}",
		"{\"s\":\"caf\\u00e9\",\"o\":{\"k\":[1,2]}}",	/* jansson path */
		"[1,{\"s\":2}]",
		"{\"big\":123456789012345678901234,\"i\":3}",
	};
	static const char *const paths[] = {
		"s", "e", "n", "i", "big", "t", "z", "o.k.0", "o.k.1.deep",
		"o.k.2", "o.k.3", "o.missing", "d", "k\"q", "ts", "nope", "o",
	};
	struct ev_rec r;
	json_t *full, *a, *b;
	const char *err, *s1, *s2;
	size_t i, k, n1, n2;
	double d1;
	int64_t i1, i2;
	ev_us_t t1, t2;

	ev_rec_init(&r);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		full = json_loadb(lines[i], strlen(lines[i]), JSON_DECODE_ANY,
		    NULL);
		if (full == NULL)	/* an integer beyond 64 bits */
			full = json_loadb(lines[i], strlen(lines[i]),
			    JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, NULL);
		CHECK(full != NULL);
		CHECK(ev_rec_parse(&r, lines[i], strlen(lines[i])) == 0);
		CHECK(ev_rec_is_object(&r) == json_is_object(full));
		for (k = 0; k < sizeof(paths) / sizeof(paths[0]); k++) {
			struct ev_path *p = ev_path_compile(paths[k], &err);
			int rs = ev_rec_str(&r, p, &s1, &n1);

			a = ev_rec_get(&r, p);
			b = ev_path_get(p, full);
			CHECK((a == NULL) == (b == NULL));
			if (a != NULL && b != NULL && !json_is_number(b))
				CHECK(json_equal(a, b));
			if (json_is_string(b)) {
				s2 = json_string_value(b);
				n2 = json_string_length(b);
				CHECK(rs == 0 && n1 == n2 &&
				    memcmp(s1, s2, n1) == 0 && s1[n1] == '\0');
			} else
				CHECK(rs == (b == NULL || json_is_null(b) ?
				    -1 : -2));
			if (json_is_number(b))
				CHECK(ev_rec_num(&r, p, &d1) == 0 &&
				    d1 == json_number_value(b));
			else
				CHECK(ev_rec_num(&r, p, &d1) != 0);
			if (json_is_integer(b) || (json_is_real(b) &&
			    fabs(json_real_value(b)) < 9e18 &&
			    json_real_value(b) == trunc(json_real_value(b)))) {
				CHECK(ev_rec_int(&r, p, &i1) == 0);
				i2 = json_is_integer(b) ? json_integer_value(b) :
				    (int64_t)json_real_value(b);
				CHECK(i1 == i2);
			} else
				CHECK(ev_rec_int(&r, p, &i1) != 0);
			if (b != NULL && ev_time_from_json(b, &t2) == 0)
				CHECK(ev_rec_time(&r, p, &t1) == 0 && t1 == t2);
			ev_path_free(p);
		}
		CHECK(ev_rec_has(&r, "s") == (json_is_object(full) &&
		    json_object_get(full, "s") != NULL));
		CHECK(ev_rec_has(&r, "k\"q") == (json_is_object(full) &&
		    json_object_get(full, "k\"q") != NULL));
		CHECK(json_equal(ev_rec_root(&r), full));
		json_decref(full);
	}
	ev_rec_clear(&r);
}

/* Added members are seen by the getters; deletes and sets re-serialise. */
static void
test_rec_edit(void)
{
	struct ev_rec r;
	struct ev_buf b = EV_BUF_INIT;
	const char *line = "{\"a\":{\"x\":1},\"b\":\"keep\"}", *err, *s;
	struct ev_path *ax = ev_path_compile("a.x", &err);
	struct ev_path *nz = ev_path_compile("new.z", &err);
	struct ev_path *bb = ev_path_compile("b", &err);
	double v;

	ev_rec_init(&r);
	CHECK(ev_rec_parse(&r, line, strlen(line)) == 0);
	ev_rec_add(&r, "new", json_pack("{s:i}", "z", 5));
	CHECK(ev_rec_num(&r, nz, &v) == 0 && v == 5);
	CHECK(ev_rec_has(&r, "new") && !ev_rec_has(&r, "other"));
	CHECK(ev_rec_changed(&r));
	CHECK(ev_rec_set(&r, ax, json_integer(2)) == 0);
	ev_rec_write(&r, &b);
	CHECK(strcmp(b.data,
	    "{\"a\":{\"x\":2},\"b\":\"keep\",\"new\":{\"z\":5}}") == 0);
	CHECK(ev_rec_parse(&r, line, strlen(line)) == 0);
	CHECK(ev_rec_del(&r, bb) == 1);
	CHECK(ev_rec_str(&r, bb, &s, NULL) == -1);
	ev_buf_reset(&b);
	ev_rec_write(&r, &b);
	CHECK(strcmp(b.data, "{\"a\":{\"x\":1}}") == 0);
	/* Edits in place keep every other byte, down into arrays. */
	line = "{ \"l\" : [1, {\"q\": 2}, 3], \"s\":\"t\" }";
	CHECK(ev_rec_parse(&r, line, strlen(line)) == 0);
	{
		struct ev_path *q = ev_path_compile("l.1.q", &err);
		struct ev_path *l2 = ev_path_compile("l.2", &err);

		CHECK(ev_rec_set(&r, q, json_string("x")) == 0);
		CHECK(ev_rec_set(&r, l2, json_null()) == 0);
		CHECK(ev_rec_str(&r, q, &s, NULL) == 0 && strcmp(s, "x") == 0);
		ev_buf_reset(&b);
		ev_rec_write(&r, &b);
		CHECK(strcmp(b.data,
		    "{ \"l\" : [1, {\"q\": \"x\"}, null], \"s\":\"t\" }") == 0);
		CHECK(json_is_null(json_array_get(json_object_get(
		    ev_rec_root(&r), "l"), 2)));
		ev_buf_reset(&b);
		ev_rec_write(&r, &b);	/* the same after the tree is built */
		CHECK(strcmp(b.data,
		    "{ \"l\" : [1, {\"q\": \"x\"}, null], \"s\":\"t\" }") == 0);
		ev_path_free(q);
		ev_path_free(l2);
	}
	ev_rec_clear(&r);
	ev_path_free(ax);
	ev_path_free(nz);
	ev_path_free(bb);
	ev_buf_free(&b);
}

/* Parse line, make one change to path p (NULL val deletes), compare. */
static void
check_edit(const char *line, const char *path, json_t *val, const char *want)
{
	struct ev_rec r;
	struct ev_buf b = EV_BUF_INIT;
	const char *err;
	struct ev_path *p = ev_path_compile(path, &err);

	ev_rec_init(&r);
	CHECK(ev_rec_parse(&r, line, strlen(line)) == 0);
	if (val != NULL)
		CHECK(ev_rec_set(&r, p, val) == 0);
	else
		CHECK(ev_rec_del(&r, p) == 1);
	ev_rec_write(&r, &b);
	CHECK(b.data != NULL && strcmp(b.data, want) == 0);
	if (b.data != NULL && strcmp(b.data, want) != 0)
		fprintf(stderr, "  got  %s\n  want %s\n", b.data, want);
	ev_rec_clear(&r);
	ev_path_free(p);
	ev_buf_free(&b);
}

/*
 * Lines jansson judges (\u escapes, integers beyond 64 bits, many values)
 * are changed in place like the others: the numbers around keep their
 * spelling, where jansson's tree would write 1.5, 1000.0 and 1e-07.
 */
static void
test_rec_fallback(void)
{
	struct ev_rec r;
	struct ev_buf big = EV_BUF_INIT, out = EV_BUF_INIT;
	const char *line = "{\"s\":\"\\u0041\",\"n\":0,\"b\":12345678901234567890}";
	const char *err, *t;
	struct ev_path *n = ev_path_compile("n", &err);
	size_t len;
	int i;

	check_edit("{\"s\":\"\\u0041\",\"n\":1.50,\"m\":1e3}", "s", NULL,
	    "{\"n\":1.50,\"m\":1e3}");
	check_edit("{\"s\":\"a\",\"b\":12345678901234567890,\"x\":\"\\u00e9\"}",
	    "s", json_integer(1), "{\"s\":1,\"b\":12345678901234567890,"
	    "\"x\":\"\\u00e9\"}");
	check_edit("{\"ip\":\"1.2.3.\\u0034\",\"m\":1E-7}", "ip",
	    json_string("1.2.3.0"), "{\"ip\":\"1.2.3.0\",\"m\":1E-7}");
	/* Array elements: the others keep their bytes and their order. */
	check_edit("{\"a\":[1.0, \"\\u0041\", 2E+2]}", "a.1", NULL,
	    "{\"a\":[1.0, 2E+2]}");
	check_edit("{\"a\":[1.0, \"\\u0041\", 2E+2]}", "a.0", NULL,
	    "{\"a\":[ \"\\u0041\", 2E+2]}");
	/* A repeated key: the last is changed, the earlier ones go. */
	check_edit("{\"a\":1,\"n\":1.50,\"a\":2}", "a", json_integer(3),
	    "{\"n\":1.50,\"a\":3}");
	check_edit("{\"\\u0061\":1,\"n\":1.50,\"a\":2}", "n", NULL,
	    "{\"a\":2}");
	check_edit("{\"c\":{\"a\":1, \"a\":2},\"n\":1.50}", "c.a", NULL,
	    "{\"c\":{},\"n\":1.50}");
	/* More than 2,000 values and more than 16 changes. */
	ev_buf_adds(&big, "{");
	for (i = 0; i < 1500; i++) {
		char m[32];

		snprintf(m, sizeof m, "%s\"k%d\":[1.50,0]", i ? "," : "", i);
		ev_buf_adds(&big, m);
	}
	ev_buf_adds(&big, "}");
	ev_rec_init(&r);
	CHECK(ev_rec_parse(&r, big.data, big.len) == 0);
	for (i = 0; i < 40; i++) {
		char m[16];
		struct ev_path *p;

		snprintf(m, sizeof m, "k%d.1", i);
		p = ev_path_compile(m, &err);
		CHECK(ev_rec_set(&r, p, json_integer(7)) == 0);
		ev_path_free(p);
	}
	ev_rec_write(&r, &out);
	CHECK(strncmp(out.data, "{\"k0\":[1.50,7],", 15) == 0);
	CHECK(strstr(out.data, "\"k39\":[1.50,7],\"k40\":[1.50,0]") != NULL);
	CHECK(out.len == big.len);
	/* The text as written, whatever else the line holds. */
	CHECK(ev_rec_parse(&r, line, strlen(line)) == 0);
	CHECK(ev_rec_text(&r, n, &t, &len) == 0 && len == 1 && *t == '0');
	ev_rec_add(&r, "z", json_true());
	CHECK(ev_rec_text(&r, n, &t, &len) == 0 && len == 1 && *t == '0');
	CHECK(ev_rec_set(&r, n, json_integer(1)) == 0);
	CHECK(ev_rec_text(&r, n, &t, &len) == -1);
	/* A value changed twice is still changed in place. */
	CHECK(ev_rec_set(&r, n, json_integer(2)) == 0);
	ev_buf_reset(&out);
	ev_rec_write(&r, &out);
	CHECK(strcmp(out.data, "{\"s\":\"\\u0041\",\"n\":2,"
	    "\"b\":12345678901234567890,\"z\":true}") == 0);
	ev_rec_clear(&r);
	ev_path_free(n);
	ev_buf_free(&big);
	ev_buf_free(&out);
}

/* Member iteration: order, kinds, and a repeated key seen once (the last). */
static void
test_rec_members(void)
{
	const char *line = "{\"a\":\"x\",\"n\":2.5,\"a\":\"y\",\"o\":{},"
	    "\"l\":[1],\"t\":true,\"f\":false,\"z\":null}";
	const char *k, *s;
	char seen[16] = "", kinds[16] = "";
	struct ev_rec r;
	int it = 0, v;
	size_t n = 0, len;

	ev_rec_init(&r);
	CHECK(ev_rec_parse(&r, line, strlen(line)) == 0);
	CHECK(ev_rec_lazy(&r));
	while (ev_rec_next(&r, &it, &k, &v) && n < 15) {
		seen[n] = k[0];
		kinds[n++] = (char)ev_rec_kind(&r, v);
		if (k[0] == 'a') {
			s = ev_rec_val_str(&r, v, &len);
			CHECK(len == 1 && strcmp(s, "y") == 0);
		}
		if (k[0] == 'n')
			CHECK(ev_rec_val_num(&r, v) == 2.5);
		if (k[0] == 'o')
			CHECK(json_is_object(ev_rec_val_json(&r, v)));
	}
	CHECK(strcmp(seen, "naoltfz") == 0);
	CHECK(strcmp(kinds, "nsoatfz") == 0);
	CHECK(ev_rec_member(&r, "a") >= 0 && ev_rec_member(&r, "b") == -1);
	ev_rec_add(&r, "b", json_true());
	CHECK(!ev_rec_lazy(&r));	/* added members: use the document */
	CHECK(ev_rec_parse(&r, "[1]", 3) == 0 && !ev_rec_lazy(&r));
	ev_rec_clear(&r);
}

/*
 * Numbers and keys on ev_rec's short cuts: integers up to 15 digits are
 * summed without strtod (the sign of zero kept), longer ones and the rest
 * go to strtod; keys are passed over by length and first byte.  strtod on
 * the same text is the reference.
 */
static void
test_rec_short_cuts(void)
{
	static const char *nums[] = { "0", "-0", "7", "-7", "100",
	    "999999999999999", "-999999999999999", "1000000000000000",
	    "9007199254740993", "-12345678901234567", "1.5", "-0.0", "1e2",
	    "2E-3", "123456789012345" };
	struct ev_rec r;
	struct ev_buf line = EV_BUF_INIT;
	const char *err;
	struct ev_path *p = ev_path_compile("count", &err);
	struct ev_path *q = ev_path_compile("cound", &err);
	struct ev_path *c = ev_path_compile("c", &err);
	double v, want;
	size_t i;

	ev_rec_init(&r);
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		ev_buf_reset(&line);
		ev_buf_printf(&line, "{\"c\":1,\"cound\":2,\"count\":%s,"
		    "\"counts\":3}", nums[i]);
		CHECK(ev_rec_parse(&r, line.data, line.len) == 0);
		want = strtod(nums[i], NULL);
		CHECK(ev_rec_num(&r, p, &v) == 0 && v == want &&
		    signbit(v) == signbit(want));
		CHECK(ev_rec_num(&r, q, &v) == 0 && v == 2);
		CHECK(ev_rec_num(&r, c, &v) == 0 && v == 1);
	}
	/* The last of a repeated key, escaped or not. */
	CHECK(ev_rec_parse(&r, "{\"count\":1,\"co\\u0075nt\":2}", 26) == 0);
	CHECK(ev_rec_num(&r, p, &v) == 0 && v == 2);
	CHECK(ev_rec_parse(&r, "{\"co\\u0075nt\":1,\"count\":3}", 26) == 0);
	CHECK(ev_rec_num(&r, p, &v) == 0 && v == 3);
	ev_rec_clear(&r);
	ev_buf_free(&line);
	ev_path_free(p);
	ev_path_free(q);
	ev_path_free(c);
}

/* The handle API: children in order, repeats, lookups, strings, bigints. */
static void
test_rec_handles(void)
{
	struct ev_rec r;
	const char *line = "{\"a\":[1,{\"k\":\"v\"}],\"b\":\"x\\ty\","
	    "\"a\":true,\"c\":{}}";
	const char *big = "[1,123456789012345678901]";
	const char *top = "[-9223372036854775808,9223372036854775807]";
	const char *s;
	int it = 0, k, v, keys[8], vals[8], n = 0, a, o = 0;
	size_t len;

	ev_rec_init(&r);
	CHECK(ev_rec_parse(&r, line, strlen(line)) == 0);
	CHECK(ev_rec_h_ok(&r));
	CHECK(ev_rec_h_size(&r, 0) == 4);	/* the repeat counted */
	while (n < 8 && ev_rec_h_next(&r, 0, &it, &k, &v)) {
		keys[n] = k;
		vals[n++] = v;
	}
	CHECK(n == 4);
	s = ev_rec_h_str(&r, keys[0], &len);
	CHECK(len == 1 && s[0] == 'a');
	CHECK(ev_rec_kind(&r, vals[0]) == 'a');
	CHECK(ev_rec_kind(&r, vals[2]) == 't');
	CHECK(ev_rec_kind(&r, vals[3]) == 'o' && ev_rec_h_size(&r, vals[3]) == 0);
	/* The first "a" comes again; the last one is the member. */
	CHECK(ev_rec_h_repeated(&r, 0, keys[0]));
	CHECK(!ev_rec_h_repeated(&r, 0, keys[2]));
	CHECK(ev_rec_h_dups(&r, 0));
	CHECK(ev_rec_h_member(&r, 0, "a", 1) == vals[2]);
	CHECK(ev_rec_h_member(&r, 0, "z", 1) < 0);
	/* The escape is decoded; a plain string is the line's bytes. */
	s = ev_rec_h_str(&r, vals[1], &len);
	CHECK(len == 3 && memcmp(s, "x\ty", 3) == 0);
	s = ev_rec_h_text(&r, vals[1], &len);
	CHECK(len == 6 && memcmp(s, "\"x\\ty\"", 6) == 0);
	/* Items of the nested array, and a member of a nested object. */
	a = vals[0];
	it = 0;
	n = 0;
	while (ev_rec_h_next(&r, a, &it, &k, &v)) {
		CHECK(k == -1);
		if (n++ == 1)
			o = v;
	}
	CHECK(n == 2);
	CHECK(n == 2 && ev_rec_kind(&r, o) == 'o' &&
	    ev_rec_kind(&r, ev_rec_h_member(&r, o, "k", 1)) == 's');
	CHECK(!ev_rec_h_dups(&r, o));
	CHECK(!ev_rec_h_bigint(&r));
	CHECK(ev_rec_parse(&r, big, strlen(big)) == 0 && ev_rec_h_ok(&r));
	CHECK(ev_rec_h_bigint(&r));
	/* The ends of the 64-bit range still fit. */
	CHECK(ev_rec_parse(&r, top, strlen(top)) == 0 && !ev_rec_h_bigint(&r));
	/* A changed record is not read by handle. */
	CHECK(ev_rec_parse(&r, line, strlen(line)) == 0);
	ev_rec_add(&r, "n", json_integer(1));
	CHECK(!ev_rec_h_ok(&r));
	ev_rec_clear(&r);
}

/*
 * One script of changes, with the members added as text (raw) or as
 * values: the output and what is read back must not differ.
 */
static void
add_script(const char *line, int raw, int script, struct ev_buf *out,
    struct ev_buf *seen)
{
	static const char *const texts[] = { "{\"x\":[1,2.5,\"s\"],\"y\":null}",
	    "\"t\xc3\xa9\\n\"", "-3", "{}" };
	static const char *const keys[] = { "m1", "m2", "a", "m3" };
	struct ev_rec r;
	struct ev_path *p, *q, *o;
	json_error_t e;
	const char *es, *s;
	double v = 0;
	size_t i, n;

	p = ev_path_compile("m1.x[1]", &es);
	q = ev_path_compile("m1.y", &es);
	o = ev_path_compile("a", &es);
	ev_rec_init(&r);
	if (script == 3)
		ev_rec_eager(&r);
	CHECK(ev_rec_parse(&r, line, strlen(line)) == 0);
	if (script == 2)
		ev_rec_set(&r, o, json_integer(7));	/* an edit first */
	ev_rec_add(&r, "first", json_true());
	for (i = 0; i < 4; i++) {
		if (raw)
			ev_rec_add_raw(&r, keys[i], texts[i],
			    strlen(texts[i]));
		else
			ev_rec_add(&r, keys[i], json_loadb(texts[i],
			    strlen(texts[i]), JSON_DECODE_ANY, &e));
		ev_buf_addc(seen, (char)('0' + ev_rec_has(&r, keys[i])));
	}
	ev_buf_addc(seen, (char)('0' + ev_rec_changed(&r)));
	if (script == 1) {
		/* Read into an added member, change one, add after them. */
		ev_buf_addc(seen, (char)('0' - ev_rec_num(&r, p, &v)));
		ev_buf_addc(seen, (char)('0' + (v == 2.5)));
		ev_rec_set(&r, q, json_integer(1));
		ev_rec_add(&r, "last", json_false());
	}
	if (script == 4) {
		ev_buf_addc(seen, (char)('0' - ev_rec_str(&r, o, &s, &n)));
		ev_rec_del(&r, q);
	}
	if (script == 5)
		json_object_set_new(ev_rec_root(&r), "touched", json_null());
	if (script == 5)
		ev_rec_touch(&r);
	ev_rec_write(&r, out);
	ev_buf_addc(out, '\n');
	ev_rec_clear(&r);
	ev_path_free(p);
	ev_path_free(q);
	ev_path_free(o);
}

static void
test_rec_add_raw(void)
{
	static const char *const lines[] = { "{\"a\":1}", "{}", " { \"b\" : 2 } ",
	    "{\"a\":1,\"a\":2}", "{\"k\\u00e9\":1}", "[1]", "\"s\"" };
	struct ev_buf a = EV_BUF_INIT, b = EV_BUF_INIT, sa = EV_BUF_INIT,
	    sb = EV_BUF_INIT;
	size_t i;
	int script;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		for (script = 0; script <= 5; script++) {
			ev_buf_reset(&a);
			ev_buf_reset(&b);
			add_script(lines[i], 1, script, &a, &sa);
			add_script(lines[i], 0, script, &b, &sb);
			ev_buf_addc(&a, '\0');
			ev_buf_addc(&b, '\0');
			CHECKF(strcmp(a.data, b.data) == 0, "%s script %d: "
			    "raw %s, values %s", lines[i], script, a.data,
			    b.data);
		}
	CHECK(sa.len == sb.len && memcmp(sa.data, sb.data, sa.len) == 0);
	/* A plain splice, checked by hand once. */
	ev_buf_reset(&a);
	add_script("{\"a\":1}", 1, 0, &a, &sa);
	ev_buf_addc(&a, '\0');
	CHECKF(strcmp(a.data, "{\"a\":-3,\"first\":true,\"m1\":{\"x\":[1,2.5,"
	    "\"s\"],\"y\":null},\"m2\":\"t\xc3\xa9\\n\",\"m3\":{}}\n") == 0,
	    "%s", a.data);
	ev_buf_free(&a);
	ev_buf_free(&b);
	ev_buf_free(&sa);
	ev_buf_free(&sb);
}

/*
 * Top-level members found through the record's member index agree with
 * jansson's tree (the reference) for every key a line has and for keys of
 * the same length and first byte it lacks: the last of a repeated key,
 * escaped keys, members of nested objects not taken for top-level ones,
 * and the record read again after a line of another shape.
 */
static void
test_rec_top_index(void)
{
	static const char *const lines[] = {
		"{\"ab\":1,\"b\":2,\"ab\":3}",
		"{\"o\":{\"ab\":1,\"c\":[{\"ab\":2}]},\"ab\":4,\"ac\":5}",
		"{\"a\\nb\":1,\"a\\\\b\":2,\"a\\nb\":3,\"axb\":4}",
		"{\"k\u00e9\":1,\"k\":2,\"\\u006b\":3}",
		"{\"\":1,\"x\":[1,{\"\":2}],\"\":3}",
		"{}",
		"{\"ab\":null,\"abc\":true,\"ab\":[1,2]}",
	};
	static const char *const keys[] = { "ab", "ac", "ad", "b", "c", "o",
	    "a\nb", "a\\b", "axb", "k", "k\xc3\xa9", "", "x", "abc" };
	struct ev_rec r;
	const char *err;
	json_t *root, *want, *got;
	struct ev_path *p;
	size_t i, k;

	ev_rec_init(&r);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		root = json_loads(lines[i], 0, NULL);
		CHECKF(root != NULL, "%s", lines[i]);
		CHECK(ev_rec_parse(&r, lines[i], strlen(lines[i])) == 0);
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			want = json_object_get(root, keys[k]);
			CHECKF(ev_rec_has(&r, keys[k]) == (want != NULL),
			    "%s has %s", lines[i], keys[k]);
			if (keys[k][0] == '\0' || strchr(keys[k], '.'))
				continue;	/* no path names these */
			p = ev_path_compile(keys[k], &err);
			got = ev_rec_get(&r, p);
			CHECKF((got == NULL && want == NULL) ||
			    (got != NULL && want != NULL &&
			    json_equal(got, want)), "%s get %s", lines[i],
			    keys[k]);
			ev_path_free(p);
		}
		json_decref(root);
	}
	ev_rec_clear(&r);
}

/*
 * Member lookups step over nested containers of every shape (empty, one
 * value, nested to the end of their parent): each member of each line,
 * read through the index, is what jansson reads.
 */
static void
test_rec_skip(void)
{
	static const char *const lines[] = {
		"{\"a\":{},\"b\":[],\"c\":1}",
		"{\"a\":{\"x\":{\"y\":[1,[2,[3]]]}},\"b\":[[],{}],\"c\":\"s\"}",
		"{\"a\":[{\"k\":[{}]}],\"b\":{\"k\":{\"k\":{}}},\"c\":[0]}",
		"{\"a\":1,\"b\":{\"a\":2,\"b\":[3,{\"c\":4}]},\"c\":{\"c\":[]}}",
		"{\"c\":[[[[[]]]]],\"a\":[[[[[1]]]]],\"b\":{\"b\":{\"b\":{}}}}",
	};
	static const char *const paths[] = { "a", "b", "c", "a.x", "a.x.y",
	    "b.a", "b.b", "b.k.k", "c.c", "b.b.b" };
	struct ev_rec r;
	const char *err;
	json_t *doc, *want, *got;
	struct ev_path *p;
	size_t i, k;

	ev_rec_init(&r);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		doc = json_loads(lines[i], 0, NULL);
		CHECK(ev_rec_parse(&r, lines[i], strlen(lines[i])) == 0);
		for (k = 0; k < sizeof(paths) / sizeof(paths[0]); k++) {
			p = ev_path_compile(paths[k], &err);
			want = ev_path_get(p, doc);
			got = ev_rec_get(&r, p);
			CHECK((want == NULL) == (got == NULL));
			if (want != NULL && got != NULL)
				CHECK(json_equal(want, got));
			ev_path_free(p);
		}
		json_decref(doc);
	}
	ev_rec_clear(&r);
}

/*
 * ev_rec_canon against what it stands for: jansson's json_dumps, sorted,
 * compact and ASCII, of the record's tree with the same members and
 * paths removed, after the same changes.
 */
static void
canon_case(const char *line, const char *set, const char *del,
    const char *excl)
{
	static const char *const skip[] = { "calendar", "skipme" };
	struct ev_rec r, t;
	struct ev_buf b = EV_BUF_INIT;
	struct ev_path *sp = NULL, *dp = NULL, *xp = NULL;
	const char *err;
	json_t *copy;
	char *want;
	size_t k;

	ev_rec_init(&r);
	ev_rec_init(&t);
	CHECK(ev_rec_parse(&r, line, strlen(line)) == 0);
	CHECK(ev_rec_parse(&t, line, strlen(line)) == 0);
	if (set != NULL) {
		sp = ev_path_compile(set, &err);
		ev_rec_set(&r, sp, json_string("h\xc3\xa9"));
		ev_rec_set(&t, sp, json_string("h\xc3\xa9"));
	}
	if (del != NULL) {
		dp = ev_path_compile(del, &err);
		ev_rec_del(&r, dp);
		ev_rec_del(&t, dp);
	}
	ev_rec_add_raw(&r, "calendar", "{\"x\":1}", 7);
	ev_rec_add_raw(&t, "calendar", "{\"x\":1}", 7);
	if (excl != NULL)
		xp = ev_path_compile(excl, &err);
	CHECK(ev_rec_canon(&r, skip, 2, &xp, xp != NULL, &b) == 0);
	ev_buf_addc(&b, '\0');
	copy = json_deep_copy(ev_rec_root(&t));
	for (k = 0; k < 2; k++)
		json_object_del(copy, skip[k]);
	if (xp != NULL)
		ev_path_del(xp, copy);
	want = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS |
	    JSON_ENSURE_ASCII);
	CHECK(want != NULL && strcmp(b.data, want) == 0);
	if (want == NULL || strcmp(b.data, want) != 0)
		fprintf(stderr, "  %s\n  got  %s\n  want %s\n", line, b.data,
		    want ? want : "(null)");
	free(want);
	json_decref(copy);
	ev_path_free(sp);
	ev_path_free(dp);
	ev_path_free(xp);
	ev_buf_free(&b);
	ev_rec_clear(&r);
	ev_rec_clear(&t);
}

static void
test_rec_canon(void)
{
	struct ev_rec r;
	struct ev_buf b = EV_BUF_INIT;
	struct ev_path *ix;
	const char *err, *skip = "calendar";

	canon_case("{\"b\":1,\"a\":2,\"c\":{\"z\":[3,{\"y\":1,\"x\":2}],"
	    "\"a\":null}}", NULL, NULL, NULL);
	/* Escapes, non-ASCII, a pair above the BMP, control characters. */
	canon_case("{\"s\":\"\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80/\x7f\","
	    "\"q\":\"a\\\"b\\\\c\\/d\\n\\t\\b\\f\\r\\u0001\\u001f\","
	    "\"\xc3\xa9k\":1,\"ek\":2,\"e\\u00e9\":\"\\ud83d\\ude00\"}",
	    NULL, NULL, NULL);
	/* Numbers: reals as %.17g, "-0", exponents, integers as written. */
	canon_case("{\"a\":0.1,\"b\":1e3,\"c\":1E-7,\"d\":-0,\"e\":-0.0,"
	    "\"f\":1e22,\"g\":123.456e+5,\"h\":9007199254740993,"
	    "\"i\":-9223372036854775808,\"j\":2.5e-300,\"k\":1e100}",
	    NULL, NULL, NULL);
	/* An integer beyond 64 bits makes every integer of the line real. */
	canon_case("{\"a\":1,\"b\":123456789012345678901234,\"c\":[-0,7]}",
	    NULL, NULL, NULL);
	/* Repeated keys: the last one, with or without a change. */
	canon_case("{\"a\":1,\"b\":{\"k\":1,\"k\":[2]},\"a\":3}", NULL, NULL,
	    NULL);
	canon_case("{\"a\":1,\"b\":{\"k\":1,\"k\":[2]},\"a\":3}", "a", NULL,
	    NULL);
	canon_case("{\"a\":1,\"b\":{\"k\":1,\"j\":0,\"k\":[2]},\"a\":3}", NULL,
	    "b.k", NULL);
	/* Changes, deletions, members left out and excluded paths. */
	canon_case("{\"u\":\"x\",\"c\":{\"ip\":\"1.2.3.4\",\"n\":[1,2]},"
	    "\"skipme\":1,\"calendar\":0}", "c.ip", "u", "c.n");
	canon_case("{\"u\":\"x\",\"c\":{\"ip\":\"1.2.3.4\",\"n\":[1,2]}}",
	    "u", NULL, "c");
	canon_case("{\"u\":\"x\",\"c\":{\"ip\":\"1.2.3.4\"}}", "c.ip", "c",
	    "c.ip");
	canon_case("{\"l\":[{\"b\":1,\"a\":[]},{}],\"e\":{},\"f\":[]}", NULL,
	    NULL, "nothing.here");
	canon_case("{ \"sp\" : [ 1 , \"x\" ] , \"t\" : true , \"n\" : null }",
	    NULL, NULL, NULL);
	/* What the index cannot say is left to the tree. */
	ev_rec_init(&r);
	CHECK(ev_rec_parse(&r, "{\"l\":[1,2]}", 11) == 0);
	ix = ev_path_compile("l.0", &err);
	CHECK(ev_rec_canon(&r, &skip, 1, &ix, 1, &b) == -1 && b.len == 0);
	ev_rec_add_raw(&r, "other", "1", 1);
	CHECK(ev_rec_canon(&r, &skip, 1, NULL, 0, &b) == -1 && b.len == 0);
	ev_path_free(ix);
	ev_rec_clear(&r);
	ev_buf_free(&b);
}

/*
 * Replacing values keeps every other byte, however many and in whatever
 * order they are set, with members added at the end; a repeated key
 * around a change still loses its earlier occurrence.
 */
static void
test_rec_splice(void)
{
	static const struct {
		const char *line, *want;
	} cases[] = {
		{ " { \"a\" : 1 , \"c\" : { \"ip\" : \"x\" } , \"n\":1.50 } ",
		  " { \"a\" : \"A\" , \"c\" : { \"ip\" : \"B\" } , \"n\":1.50 "
		  ",\"new\":7} " },
		{ "{\"c\":{\"ip\":\"x\",\"ip\":\"y\"},\"a\":[]}",
		  "{\"c\":{\"ip\":\"B\"},\"a\":\"A\",\"new\":7}" },
		{ "{\"a\":0,\"c\":{\"ip\":0},\"a\":1}",
		  "{\"c\":{\"ip\":\"B\"},\"a\":\"A\",\"new\":7}" },
	};
	struct ev_rec r;
	struct ev_buf b = EV_BUF_INIT;
	struct ev_path *ip, *a;
	const char *err;
	size_t i;

	ip = ev_path_compile("c.ip", &err);
	a = ev_path_compile("a", &err);
	ev_rec_init(&r);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(ev_rec_parse(&r, cases[i].line, strlen(cases[i].line)) ==
		    0);
		ev_rec_set(&r, ip, json_string("B"));	/* the later one first */
		ev_rec_set(&r, a, json_string("A"));
		ev_rec_add_raw(&r, "new", "7", 1);
		ev_buf_reset(&b);
		ev_rec_write(&r, &b);
		ev_buf_addc(&b, '\0');
		CHECK(strcmp(b.data, cases[i].want) == 0);
	}
	ev_path_free(ip);
	ev_path_free(a);
	ev_rec_clear(&r);
	ev_buf_free(&b);
}

int
main(void)
{
	test_rec();
	test_rec_lazy();
	test_rec_edit();
	test_rec_fallback();
	test_rec_members();
	test_rec_short_cuts();
	test_rec_handles();
	test_rec_add_raw();
	test_rec_top_index();
	test_rec_skip();
	test_rec_canon();
	test_rec_splice();
	printf("test_rec: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
