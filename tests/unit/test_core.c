/*
 * test_core.c - unit tests of the shared core: time, durations, zones, paths,
 * the record layer, UTF-8 checking and number formatting.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_common.h"
#include "ev_io.h"
#include "ev_path.h"
#include "ev_rec.h"
#include "ev_state.h"
#include "ev_time.h"
#include "ev_wgroup.h"

#include "check.h"

static ev_us_t
parse(const char *s)
{
	ev_us_t t = -1;

	if (ev_time_parse(s, strlen(s), &t) != 0)
		return INT64_MIN;
	return t;
}

static void
test_time_parse(void)
{
	char buf[EV_TIME_BUFSZ];

	CHECK(parse("1970-01-01T00:00:00Z") == 0);
	CHECK(parse("2026-03-02T10:15:04.120Z") == INT64_C(1772446504120000));
	CHECK(parse("2026-03-02T10:15:04.12Z") == INT64_C(1772446504120000));
	CHECK(parse("2026-03-02T11:15:04.120+01:00") == INT64_C(1772446504120000));
	CHECK(parse("2026-03-02t05:45:04.120-04:30") == INT64_C(1772446504120000));
	CHECK(parse("2026-03-02T10:15:04.1234567891Z") == INT64_C(1772446504123456));
	CHECK(parse("1969-12-31T23:59:59.5Z") == -500000);
	CHECK(parse("2016-12-31T23:59:60Z") == parse("2017-01-01T00:00:00Z"));
	CHECK(parse("2026-03-04T10:00Z") == parse("2026-03-04T10:00:00Z"));
	CHECK(parse("2026-03-04") == parse("2026-03-04T00:00:00Z"));
	CHECK(parse("2026-02-29T00:00:00Z") == INT64_MIN);
	CHECK(parse("2024-02-29T00:00:00Z") != INT64_MIN);
	CHECK(parse("2026-03-02T10:15:04") == INT64_MIN);
	CHECK(parse("2026-03-02T24:00:00Z") == INT64_MIN);
	CHECK(parse("2026-13-02T10:00:00Z") == INT64_MIN);
	CHECK(parse("2026-03-02T10:15:04.Z") == INT64_MIN);
	CHECK(parse("2026-03-02T10:15:04Zjunk") == INT64_MIN);
	CHECK(parse("") == INT64_MIN);

	/*
	 * Only instants whose UTC rendering has a four-digit year parse: what
	 * is accepted must format and parse back (issue 12, item 10).
	 */
	CHECK(parse("9999-12-31T23:59:60.5Z") == INT64_MIN);
	CHECK(parse("9999-12-31T23:59-2159") == INT64_MIN);
	CHECK(parse("9999-12-31T23:00:00-01:00") == INT64_MIN);
	CHECK(parse("0000-01-01T00:00:00+00:01") == INT64_MIN);
	CHECK(parse("0000-01-01T00:00:00Z") == EV_TIME_MIN);
	CHECK(parse("9999-12-31T23:59:59.999999Z") == EV_TIME_MAX);
	CHECK(parse("9999-12-31T23:59:59.9999999Z") == EV_TIME_MAX);
	CHECK(parse("0000-01-01T00:00:00-01:00") == EV_TIME_MIN +
	    EV_US_PER_HOUR);
	CHECK(strcmp(ev_time_format(EV_TIME_MIN, -1, buf),
	    "0000-01-01T00:00:00Z") == 0);
	CHECK(strcmp(ev_time_format(EV_TIME_MAX, -1, buf),
	    "9999-12-31T23:59:59.999999Z") == 0);

	CHECK(strcmp(ev_time_format(INT64_C(1772446504120000), -1, buf),
	    "2026-03-02T10:15:04.120Z") == 0);
	CHECK(strcmp(ev_time_format(INT64_C(1772446504000000), -1, buf),
	    "2026-03-02T10:15:04Z") == 0);
	CHECK(strcmp(ev_time_format(-1, 6, buf),
	    "1969-12-31T23:59:59.999999Z") == 0);
	CHECK(strcmp(ev_time_format(INT64_C(1772446504000001), -1, buf),
	    "2026-03-02T10:15:04.000001Z") == 0);
}

static void
test_time_json(void)
{
	json_t *v;
	ev_us_t t;

	v = json_integer(1772446504);
	CHECK(ev_time_from_json(v, &t) == 0 && t == INT64_C(1772446504000000));
	json_decref(v);
	v = json_integer(INT64_C(1772446504120));
	CHECK(ev_time_from_json(v, &t) == 0 && t == INT64_C(1772446504120000));
	json_decref(v);
	v = json_real(1772446504.25);
	CHECK(ev_time_from_json(v, &t) == 0 && t == INT64_C(1772446504250000));
	json_decref(v);
	v = json_true();
	CHECK(ev_time_from_json(v, &t) == -1);
	json_decref(v);

	/* Epoch numbers outside years 0000..9999 do not parse either. */
	v = json_integer(INT64_C(253402300799999));	/* ms, 9999-12-31 */
	CHECK(ev_time_from_json(v, &t) == 0 &&
	    t == INT64_C(253402300799999000));
	json_decref(v);
	v = json_integer(INT64_C(253402300800000));	/* ms, year 10000 */
	CHECK(ev_time_from_json(v, &t) == -1);
	json_decref(v);
	v = json_integer(INT64_C(99999999999999999));	/* ms, year 3e6 */
	CHECK(ev_time_from_json(v, &t) == -1);
	json_decref(v);
	v = json_integer(INT64_C(-62167219200));	/* s, 0000-01-01 */
	CHECK(ev_time_from_json(v, &t) == 0 && t == EV_TIME_MIN);
	json_decref(v);
	v = json_integer(INT64_C(-62167219201));	/* s, year -1 */
	CHECK(ev_time_from_json(v, &t) == -1);
	json_decref(v);
	v = json_real(-99999999999999.0);		/* ms, year -1199 */
	CHECK(ev_time_from_json(v, &t) == -1);
	json_decref(v);
	v = json_real(9.9e16);				/* ms, year 3e6 */
	CHECK(ev_time_from_json(v, &t) == -1);
	json_decref(v);
}

static void
test_duration(void)
{
	ev_us_t d;
	char buf[EV_TIME_BUFSZ];

	CHECK(ev_duration_parse("250ms", &d) == 0 && d == 250000);
	CHECK(ev_duration_parse("10s", &d) == 0 && d == 10 * EV_US_PER_SEC);
	CHECK(ev_duration_parse("5m", &d) == 0 && d == 5 * EV_US_PER_MIN);
	CHECK(ev_duration_parse("1h", &d) == 0 && d == EV_US_PER_HOUR);
	CHECK(ev_duration_parse("1d", &d) == 0 && d == EV_US_PER_DAY);
	CHECK(ev_duration_parse("1w", &d) == 0 && d == 7 * EV_US_PER_DAY);
	CHECK(ev_duration_parse("1h30m", &d) == 0 && d == 90 * EV_US_PER_MIN);
	CHECK(ev_duration_parse("1.5s", &d) == 0 && d == 1500000);
	CHECK(ev_duration_parse("30", &d) == 0 && d == 30 * EV_US_PER_SEC);
	CHECK(ev_duration_parse("0", &d) == 0 && d == 0);
	CHECK(ev_duration_parse("", &d) == -1);
	CHECK(ev_duration_parse("5x", &d) == -1);
	CHECK(ev_duration_parse("-5s", &d) == -1);
	CHECK(ev_duration_parse("1h30", &d) == -1);
	CHECK(strcmp(ev_duration_format(90 * EV_US_PER_MIN, buf), "1h30m") == 0);
	CHECK(strcmp(ev_duration_format(250000, buf), "250ms") == 0);
	CHECK(ev_time_floor(-1, 60) == -60);
	CHECK(ev_time_floor(61, 60) == 60);
}

static void
test_tz(void)
{
	struct ev_tz *ny = ev_tz_open("America/New_York");
	struct ev_tz *be = ev_tz_open("Europe/Berlin");
	struct ev_tz *utc = ev_tz_open("UTC");
	struct ev_tm tm;
	ev_us_t d0, d1;
	char buf[16];

	CHECK(ev_tz_open("Mars/Olympus") == NULL);
	CHECK(ev_tz_open("../etc/passwd") == NULL);
	CHECK(ny && be && utc);
	if (!ny || !be || !utc)
		return;
	/* 2026-03-08 is 23 hours long in New York, 2026-11-01 is 25. */
	d0 = ev_tz_day_start(ny, parse("2026-03-08T12:00:00Z"));
	d1 = ev_tz_add_days(ny, d0, 1);
	CHECK(d0 == parse("2026-03-08T05:00:00Z"));
	CHECK(d1 - d0 == 23 * EV_US_PER_HOUR);
	d0 = ev_tz_day_start(ny, parse("2026-11-01T12:00:00Z"));
	CHECK(ev_tz_add_days(ny, d0, 1) - d0 == 25 * EV_US_PER_HOUR);
	/* Berlin changes on 2026-03-29. */
	d0 = ev_tz_day_start(be, parse("2026-03-29T10:00:00Z"));
	CHECK(ev_tz_add_days(be, d0, 1) - d0 == 23 * EV_US_PER_HOUR);
	ev_tz_local(be, parse("2026-03-29T01:30:00Z"), &tm);
	CHECK(tm.hour == 3 && tm.min == 30 && tm.dst == 1 &&
	    tm.utc_offset == 7200);
	/* A skipped local time maps to the end of the gap. */
	CHECK(ev_tz_mktime(be, 2026, 3, 29, 2, 30, 0) ==
	    parse("2026-03-29T01:00:00Z"));
	/* A repeated local time maps to the earlier instant. */
	CHECK(ev_tz_mktime(be, 2026, 10, 25, 2, 30, 0) ==
	    parse("2026-10-25T00:30:00Z"));
	/* ISO weeks. */
	ev_tz_local(utc, parse("2021-01-03T12:00:00Z"), &tm);
	CHECK(tm.iso_year == 2020 && tm.iso_week == 53);
	ev_tz_local(utc, parse("2024-12-30T12:00:00Z"), &tm);
	CHECK(tm.iso_year == 2025 && tm.iso_week == 1);
	ev_tz_local(utc, parse("2026-03-02T12:00:00Z"), &tm);
	CHECK(tm.iso_year == 2026 && tm.iso_week == 10 && tm.wday == 1);
	/* Weeks starting Monday. */
	CHECK(ev_tz_week_start(utc, parse("2026-03-04T12:00:00Z"), 1) ==
	    parse("2026-03-02T00:00:00Z"));
	CHECK(strcmp(ev_tz_date(ny, parse("2026-03-02T03:00:00Z"), buf),
	    "2026-03-01") == 0);
	ev_tz_free(ny);
	ev_tz_free(be);
	ev_tz_free(utc);
}

static void
test_path(void)
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
	/* Found by fuzzing: yajl and jsmn each let these through. */
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

/* The printf-and-strtod loop ev_buf_add_num used to be: the oracle. */
static void
num_oracle(double v, char *out, size_t n)
{
	int prec;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(out, n, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

/* ev_buf_add_num through double-conversion spells every double as before. */
static void
test_num_shortest(void)
{
	static const double edge[] = {
		0.1, 1.0 / 3, 2.0 / 3, 1e-4, 1.5e-4, 9.99e-5, 1e-5, 123.456,
		1e15 + 0.5, 9007199254740993.0, 1e16, 1.5e16, 1e17, 1e21,
		1e22, 1e23, 5e-324, 1.7976931348623157e308, 2.2250738585072014e-308,
		0.30000000000000004, 100.0 / 7, 4.35, 0.000123456789012345678,
		12345678901234567890.0, -0.5, -1e-7, 987654321.125,
	};
	struct ev_buf b = EV_BUF_INIT;
	char want[64];
	uint64_t x = 88172645463325252ULL, bits;
	double v;
	size_t i, bad = 0;

	for (i = 0; i < sizeof(edge) / sizeof(edge[0]) + 400000; i++) {
		if (i < sizeof(edge) / sizeof(edge[0]))
			v = edge[i];
		else {
			/* xorshift64: every bit pattern, and decimal-ish values */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (i % 2) {
				bits = x;
				memcpy(&v, &bits, sizeof v);
			} else
				v = (double)(int64_t)(x % 2000000001) /
				    pow(10, (double)(x >> 59));
			if (!isfinite(v) || v == 0 || (fabs(v) <
			    9007199254740992.0 && v == trunc(v)))
				continue;
		}
		ev_buf_reset(&b);
		ev_buf_add_num(&b, v);
		num_oracle(v, want, sizeof want);
		/*
		 * Below DBL_MIN a double has fewer digits than 15, and %.15g
		 * pads them: there the new spelling must read back and be no
		 * longer.  Everywhere else, the same bytes.
		 */
		if (fabs(v) < DBL_MIN ? strtod(b.data, NULL) != v ||
		    b.len > strlen(want) : strcmp(b.data, want) != 0)
			if (bad++ < 5)
				fprintf(stderr, "num %.17g: got %s, want %s\n",
				    v, b.data, want);
	}
	CHECK(bad == 0);
	ev_buf_free(&b);
}

static void
test_utf8_and_numbers(void)
{
	struct ev_buf b = EV_BUF_INIT;

	CHECK(ev_utf8_check("plain", 5) == 5);
	CHECK(ev_utf8_check("caf\xc3\xa9", 5) == 5);
	CHECK(ev_utf8_check("\xf0\x9f\x98\x80", 4) == 4);
	CHECK(ev_utf8_check("ab\xc3", 3) == 2);		/* truncated */
	CHECK(ev_utf8_check("\xc0\xaf", 2) == 0);	/* overlong */
	CHECK(ev_utf8_check("\xed\xa0\x80", 3) == 0);	/* surrogate */
	CHECK(ev_utf8_check("\xf4\x90\x80\x80", 4) == 0);	/* > U+10FFFF */
	CHECK(ev_utf8_check("abcdefgh\xff", 9) == 8);
	ev_buf_add_num(&b, 0.1);
	ev_buf_addc(&b, ' ');
	ev_buf_add_num(&b, 42);
	ev_buf_addc(&b, ' ');
	ev_buf_add_num(&b, 0.998999999999);
	ev_buf_addc(&b, ' ');
	ev_buf_add_num(&b, 1.0 / 0.0);
	CHECK(strcmp(b.data, "0.1 42 0.998999999999 null") == 0);
	ev_buf_reset(&b);
	ev_buf_add_jstr(&b, "a\"b\\\n\x01", 6);
	CHECK(strcmp(b.data, "\"a\\\"b\\\\\\n\\u0001\"") == 0);
	ev_buf_free(&b);
}

static void
test_numbers(void)
{
	const char *err;
	double d;

	CHECK(ev_strtonum("42", 0, 100, &err) == 42 && err == NULL);
	ev_strtonum("101", 0, 100, &err);
	CHECK(err && strcmp(err, "too large") == 0);
	ev_strtonum("4x", 0, 100, &err);
	CHECK(err && strcmp(err, "invalid") == 0);
	CHECK(ev_strtod("0.25", &d) == 0 && d == 0.25);
	CHECK(ev_strtod("nan", &d) == -1);
	CHECK(ev_strtod("1e999", &d) == -1);
}

static void
test_argv0_words(void)
{
	static const char *const words[] = { "keep", "null", "reject", NULL };
	char path[] = "/work/build/ev-window", bare[] = "ev-gen", dir[] = "x/";
	char *argv[] = { path, NULL }, *argv2[] = { bare, NULL };
	char *argv3[] = { dir, NULL }, *none[] = { NULL };

	ev_set_argv0_base(argv);
	CHECK(strcmp(argv[0], "ev-window") == 0 && argv[0] == path + 12);
	ev_set_argv0_base(argv2);
	CHECK(argv2[0] == bare);
	ev_set_argv0_base(argv3);	/* no name after the slash: kept */
	CHECK(argv3[0] == dir);
	ev_set_argv0_base(none);
	CHECK(none[0] == NULL);
	CHECK(ev_word_index("keep", words) == 0);
	CHECK(ev_word_index("reject", words) == 2);
	CHECK(ev_word_index("rejec", words) == -1);
	CHECK(ev_word_index("", words) == -1);
}

/* The sets of a grouping as "a,b|a|" (column names, sets by '|'). */
static void
sets_text(const struct ev_wgroup *g, struct ev_buf *b)
{
	size_t i, j;

	ev_buf_reset(b);
	for (i = 0; i < g->nsets; i++) {
		if (i)
			ev_buf_addc(b, '|');
		for (j = 0; j < g->sets[i].n; j++)
			ev_buf_printf(b, "%s%s", j ? "," : "",
			    g->keys[g->sets[i].col[j]].name);
	}
	ev_buf_addc(b, '\0');
}

static void
test_wgroup(void)
{
	struct ev_wgroup g;
	struct ev_buf b = EV_BUF_INIT, key = EV_BUF_INIT;
	struct ev_rec r;
	const char *line = "{\"e\":\"x\",\"c\":{\"p\":\"ios\"},\"n\":3}";
	char err[256];

	/* --rollup: the prefixes, longest first; SQL's ROLLUP(e, p). */
	memset(&g, 0, sizeof(g));
	CHECK(ev_wgroup_add(&g, "e, c.p as p", 0, err, sizeof(err)) == 0);
	ev_wgroup_ready(&g);
	sets_text(&g, &b);
	CHECK(strcmp(b.data, "e,p|e|") == 0 && g.grouping);
	/* A set given again, by --by, is refused. */
	CHECK(ev_wgroup_add(&g, "e", -1, err, sizeof(err)) == -1);
	CHECK(strcmp(err, "a grouping set is given twice") == 0);
	ev_wgroup_free(&g);

	/* --cube: larger sets first, then those with earlier columns. */
	CHECK(ev_wgroup_add(&g, "e,c.p as p,n", 1, err, sizeof(err)) == 0);
	ev_wgroup_ready(&g);
	sets_text(&g, &b);
	CHECK(strcmp(b.data, "e,p,n|e,p|e,n|p,n|e|p|n|") == 0);
	ev_rec_init(&r);
	CHECK(ev_rec_parse(&r, line, strlen(line)) == 0);
	CHECK(ev_wgroup_key(&g, &r, &key, err, sizeof(err)) == 0);
	CHECK(key.len == 11 && memcmp(key.data, "\"x\"\x1f\"ios\"\x1f" "3",
	    11) == 0);
	ev_wgroup_set_keys(&g, &key);
	CHECK(g.klen[1] == 3 + 3 + 1 + 5 &&
	    memcmp(g.kptr[1], "001\"x\"\x1f\"ios\"", 12) == 0);
	CHECK(g.klen[7] == 3 && memcmp(g.kptr[7], "007", 3) == 0);
	ev_wgroup_free(&g);

	/* One --by: one set, no grouping; the same name for two paths fails. */
	CHECK(ev_wgroup_add(&g, "e", -1, err, sizeof(err)) == 0);
	ev_wgroup_ready(&g);
	CHECK(!g.grouping && g.nsets == 1 && g.col == NULL);
	CHECK(ev_wgroup_add(&g, "c.e", -1, err, sizeof(err)) == -1);
	CHECK(strcmp(err, "--by: column 'e' names two paths (use 'as')") == 0);
	CHECK(ev_wgroup_add(&g, "a,", -1, err, sizeof(err)) == -1);
	CHECK(strcmp(err, "--by 'a,' has an empty key") == 0);
	ev_wgroup_free(&g);
	ev_rec_clear(&r);
	ev_buf_free(&b);
	ev_buf_free(&key);
}

int
main(void)
{
	test_argv0_words();
	test_wgroup();
	test_time_parse();
	test_time_json();
	test_duration();
	test_tz();
	test_path();
	test_rec();
	test_rec_lazy();
	test_rec_edit();
	test_rec_fallback();
	test_rec_members();
	test_rec_short_cuts();
	test_num_shortest();
	test_utf8_and_numbers();
	test_numbers();
	printf("test_core: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
