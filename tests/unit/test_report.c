/*
 * test_report.c - unit tests of ev-report's model helpers: number, change,
 * share and score formatting, display width, anomaly selection, and a
 * model built from a few records (totals, replacement of a window, the
 * finest level summed, the range and the previous period), and the order
 * of the store's entries against qsort.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_common.h"
#include "ev_rec.h"
#include "ev_report.h"
#include "ev_report_store_int.h"

#include "check.h"

#define CHECK_FMT(call, want) do { \
	struct ev_buf b_ = EV_BUF_INIT; \
	call; \
	checks++; \
	if (strcmp(b_.data ? b_.data : "", want) != 0) { \
		failures++; \
		fprintf(stderr, "%s:%d: got '%s', want '%s'\n", __FILE__, \
		    __LINE__, b_.data ? b_.data : "", want); \
	} \
	ev_buf_free(&b_); \
} while (0)

static void
test_format(void)
{
	CHECK_FMT(ev_report_fmt_value(&b_, 0, "-"), "0");
	CHECK_FMT(ev_report_fmt_value(&b_, 999, "-"), "999");
	CHECK_FMT(ev_report_fmt_value(&b_, 1000, "-"), "1,000");
	CHECK_FMT(ev_report_fmt_value(&b_, 1234567, "-"), "1,234,567");
	CHECK_FMT(ev_report_fmt_value(&b_, -1234.5, "-"), "-1,234.50");
	CHECK_FMT(ev_report_fmt_value(&b_, -0.001, "-"), "0.00");
	CHECK_FMT(ev_report_fmt_value(&b_, NAN, "n/a"), "n/a");
	CHECK_FMT(ev_report_fmt_change(&b_, 0.163, "-"), "+16.3%");
	CHECK_FMT(ev_report_fmt_change(&b_, -0.38, "-"), "-38.0%");
	CHECK_FMT(ev_report_fmt_change(&b_, -0.0001, "-"), "0.0%");
	CHECK_FMT(ev_report_fmt_change(&b_, NAN, "-"), "-");
	CHECK_FMT(ev_report_fmt_share(&b_, 0.86), "86%");
	CHECK_FMT(ev_report_fmt_share(&b_, 0.016), "1.6%");
	CHECK_FMT(ev_report_fmt_score(&b_, 0.99991), "0.99991");
	CHECK_FMT(ev_report_fmt_score(&b_, 0.9999999), "0.999999");
	CHECK_FMT(ev_report_fmt_score(&b_, 1), "1.0");
	CHECK_FMT(ev_report_fmt_score(&b_, 0.5), "0.5");
	CHECK_FMT(ev_report_html_esc(&b_, "a<b>&\"'|\\\t\n\x01\x7f"),
	    "a&lt;b&gt;&amp;&quot;&#39;|\\\t\n \x7f");
	CHECK_FMT(ev_report_md_esc(&b_, "a<b>&\"'|\\\t\n\x01\x7f"),
	    "a&lt;b&gt;&amp;\"'\\|\\\\    ");
	{
		json_t *o = json_loads("{\"in\":12345,\"rejected\":null,"
		    "\"x\":\"s\"}", 0, NULL);

		CHECK_FMT(ev_report_fmt_figures(&b_, o, 0, "{in} in, {rejected} "
		    "rejected, {used} used, {x} {"), "12,345 in, - rejected, "
		    "0 used, 0 {");
		CHECK_FMT(ev_report_fmt_figures(&b_, o, NAN, "{used}"), "-");
		CHECK_FMT(ev_report_fmt_figures(&b_, o, NAN, "({used|n/a})"),
		    "(n/a)");
		json_decref(o);
	}
	CHECK(ev_report_width("\u2581\u2582ab", strlen("\u2581\u2582ab")) == 4);
}

static void
test_shown(void)
{
	json_t *aa = json_loads("[{\"score\":0.99},"
	    "{\"value\":10,\"expected\":50,\"lower\":40,\"upper\":60},"
	    "{\"value\":55,\"expected\":50,\"lower\":40,\"upper\":60},"
	    "{\"score\":0.999}]", 0, NULL);
	size_t hidden;
	char *s;

	s = ev_report_anomaly_shown(aa, 2, &hidden);
	CHECK(hidden == 2);
	CHECK(!s[0] && s[1] && s[2] && !s[3]);
	free(s);
	s = ev_report_anomaly_shown(aa, 0, &hidden);
	CHECK(hidden == 0 && s[0] && s[3]);
	free(s);
	json_decref(aa);
}

static void
test_build(void)
{
#define W(h0, h1) "{\"start\":\"2026-03-02T0" #h0 ":00:00Z\"," \
	    "\"end\":\"2026-03-02T0" #h1 ":00:00Z\",\"event\":\"a\","
	static const char *const recs[] = {
		W(0, 1) "\"platform\":\"x\",\"count\":1}",
		W(0, 1) "\"platform\":\"y\",\"count\":2}",
		W(0, 1) "\"count\":3}",
		W(1, 2) "\"platform\":\"x\",\"count\":4}",
		W(1, 2) "\"platform\":\"x\",\"count\":5,\"anomaly\":"
		    "{\"score\":1,\"expected\":1,\"lower\":0,\"upper\":2}}",
	};
#undef W
	struct ev_report_opts o;
	struct ev_report_counts c = { 5, 0 };
	struct ev_report_store *s;
	struct ev_rec rec;
	json_t *m, *me, *se;
	char err[200];
	const char *reason;
	size_t i;

	memset(&o, 0, sizeof(o));
	o.time_field = "start";
	o.top = 10;
	o.tz = "UTC";
	o.min_score = 0.9999;
	s = ev_report_store_new(&o, err, sizeof(err));
	CHECK(s != NULL);
	ev_rec_init(&rec);
	for (i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		CHECK(ev_rec_parse(&rec, recs[i], strlen(recs[i])) == 0);
		CHECK(ev_report_store_add(s, &rec, &reason, err,
		    sizeof(err)) == 0);
	}
	ev_rec_clear(&rec);
	m = ev_report_build(s, &c, err, sizeof(err));
	CHECK(m != NULL && ev_report_check(m, err, sizeof(err)) == 0);
	me = json_array_get(json_object_get(m, "metrics"), 0);
	/* The finest level: 1 + 2 + 5 (the later record replaced 4). */
	CHECK(ev_report_get_num(me, "total", 0) == 8);
	CHECK(json_array_size(ev_report_get_arr(me, "points")) == 2);
	CHECK(json_array_size(ev_report_get_arr(me, "anomalies")) == 1);
	se = json_array_get(ev_report_get_arr(me, "series"), 0);
	CHECK(strcmp(ev_report_get_str(se, "series", ""),
	    "event=a,platform=x") == 0);
	CHECK(ev_report_get_num(se, "total", 0) == 6);
	/*
	 * No range of its own: the last complete point (5) against the one
	 * before (1 + 2).
	 */
	CHECK(fabs(ev_report_get_num(me, "change", 0) - 2.0 / 3) < 1e-12);
	CHECK(strcmp(ev_report_get_str(json_object_get(m, "change_basis"),
	    "kind", ""), "point") == 0);
	CHECK(strcmp(ev_report_get_str(json_object_get(m, "range"), "step",
	    ""), "1h") == 0);
	json_decref(m);
	ev_report_store_free(s);
}

/* Which column names are summed: ev-window's default names and a few. */
static void
test_additive(void)
{
	static const char *const yes[] = { "count", "sum", "count_signup",
	    "sum_amount", "purchases", "revenue" };
	static const char *const no[] = { "distinct_user_id",
	    "approx_distinct_user_id", "users", "active_users", "dau", "p50",
	    "p95_load_ms", "p99.9_load_ms", "avg_amount", "min_amount",
	    "max", "stddev_amount", "first_path", "last_path",
	    "conversion_ratio", "error_rate" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		CHECK(ev_report_additive(yes[i]) == 1);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CHECK(ev_report_additive(no[i]) == 0);
	/* A word is a whole word: "minutes" and "counter" are not min/count. */
	CHECK(ev_report_additive("minutes") == 1);
	CHECK(ev_report_additive("maxwell") == 1);
}

/* The reference order for qsort: series (unless by time), time, number. */
static const struct ev_report_entry *sort_ent;
static int sort_by_time;

static int
sort_cmp(const void *pa, const void *pb)
{
	const struct ev_report_entry *a = &sort_ent[*(const size_t *)pa];
	const struct ev_report_entry *b = &sort_ent[*(const size_t *)pb];

	if (!sort_by_time && a->series != b->series)
		return a->series < b->series ? -1 : 1;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return *(const size_t *)pa < *(const size_t *)pb ? -1 :
	    *(const size_t *)pa > *(const size_t *)pb;
}

/*
 * ev_report_entry_sort against qsort: entries in time order (the usual
 * input, the fast path), shuffled, and with many ties, over all entries
 * and over a subset listed backwards.
 */
static void
test_entry_sort(void)
{
	enum { N = 3000 };
	static struct ev_report_entry ent[N];
	static size_t v[N], want[N];
	unsigned x = 16;
	size_t i, n;
	int shape, by_time, sub, same;

	for (shape = 0; shape < 3; shape++)
		for (by_time = 0; by_time < 2; by_time++)
			for (sub = 0; sub < 2; sub++) {
				for (i = 0; i < N; i++) {
					x = x * 1103515245u + 12345u;
					ent[i].series = (x >> 16) % 7;
					ent[i].t = shape == 0 ? (ev_us_t)(i / 7) :
					    shape == 1 ? (ev_us_t)((x >> 8) % 100000) :
					    (ev_us_t)((x >> 12) % 3);
				}
				for (i = n = 0; i < N; i++)
					if (!sub || i % 3 != 0)
						v[n++] = sub ? N - 1 - i : i;
				memcpy(want, v, n * sizeof(*v));
				sort_ent = ent;
				sort_by_time = by_time;
				qsort(want, n, sizeof(*want), sort_cmp);
				ev_report_entry_sort(ent, v, n, by_time);
				same = memcmp(v, want, n * sizeof(*v)) == 0;
				CHECKF(same, "shape %d, by_time %d, subset %d\n",
				    shape, by_time, sub);
			}
}

int
main(void)
{
	test_format();
	test_shown();
	test_build();
	test_additive();
	test_entry_sort();
	printf("test_report: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
