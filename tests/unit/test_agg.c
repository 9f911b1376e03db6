/*
 * test_agg.c - lib/ev_agg on thousands of random records: count, sum, avg,
 * min, max, stddev, distinct and top(K) against the same figures computed
 * here by brute force over the input (two-pass variance, counts in an
 * array, a sort for the top list); then the same records split over three
 * shards, merged directly and through the JSON state, against the same
 * reference.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_agg.h"
#include "ev_common.h"
#include "ev_rand.h"
#include "ev_rec.h"

#include "check.h"

#define NREC	3000
#define NSTR	41		/* values of s: "x0" ... "x40" */
#define TOPK	3

struct input {
	int		 has_v;
	double		 v;		/* a multiple of 1/4: sums are exact */
	int		 s;
};

static struct input in[NREC];

struct reference {
	uint64_t	 count, nv;
	double		 sum, min, max, sd;
	uint64_t	 freq[NSTR];
	int		 ndistinct;
	int		 top[TOPK];	/* indexes into freq */
};

static void
make_input(void)
{
	struct ev_rand r;
	size_t i;

	ev_rand_seed(&r, 42, 0);
	for (i = 0; i < NREC; i++) {
		in[i].has_v = ev_rand_below(&r, 10) != 0;
		in[i].v = ((double)ev_rand_below(&r, 4001) - 2000.0) / 4.0;
		/* Skewed, so the top list has clear leaders and some ties. */
		in[i].s = (int)(ev_rand_below(&r, NSTR) * ev_rand_below(&r,
		    NSTR) / NSTR);
	}
}

static int
name_cmp(int a, int b)
{
	char x[16], y[16];

	snprintf(x, sizeof(x), "x%d", a);
	snprintf(y, sizeof(y), "x%d", b);
	return strcmp(x, y);
}

static void
reference(struct reference *ref)
{
	double mean, ss = 0;
	size_t i;
	int k, j, used[NSTR] = { 0 };

	memset(ref, 0, sizeof(*ref));
	for (i = 0; i < NREC; i++) {
		ref->count++;
		ref->freq[in[i].s]++;
		if (!in[i].has_v)
			continue;
		if (ref->nv == 0 || in[i].v < ref->min)
			ref->min = in[i].v;
		if (ref->nv == 0 || in[i].v > ref->max)
			ref->max = in[i].v;
		ref->nv++;
		ref->sum += in[i].v;
	}
	mean = ref->sum / (double)ref->nv;
	for (i = 0; i < NREC; i++)
		if (in[i].has_v)
			ss += (in[i].v - mean) * (in[i].v - mean);
	ref->sd = sqrt(ss / (double)(ref->nv - 1));
	for (k = 0; k < NSTR; k++)
		ref->ndistinct += ref->freq[k] > 0;
	/* Top K: highest count first, ties by the value's bytes. */
	for (j = 0; j < TOPK; j++) {
		int best = -1;

		for (k = 0; k < NSTR; k++)
			if (!used[k] && ref->freq[k] > 0 && (best < 0 ||
			    ref->freq[k] > ref->freq[best] ||
			    (ref->freq[k] == ref->freq[best] &&
			    name_cmp(k, best) < 0)))
				best = k;
		ref->top[j] = best;
		used[best] = 1;
	}
}

/* Apply records i with i % nshard == shard into v. */
static void
apply(const struct ev_agg_set *s, struct ev_agg_val *v, int shard,
    int nshard)
{
	struct ev_rec rec;
	struct ev_buf scratch = EV_BUF_INIT;
	const json_t *x[16];
	char line[128], err[128];
	size_t i, bad;
	int len;

	ev_rec_init(&rec);
	for (i = 0; i < NREC; i++) {
		if ((int)(i % (size_t)nshard) != shard)
			continue;
		if (in[i].has_v)
			len = snprintf(line, sizeof(line),
			    "{\"v\":%.2f,\"s\":\"x%d\"}", in[i].v, in[i].s);
		else
			len = snprintf(line, sizeof(line),
			    "{\"v\":null,\"s\":\"x%d\"}", in[i].s);
		CHECK(ev_rec_parse(&rec, line, (size_t)len) == 0);
		CHECK(ev_agg_extract(s, &rec, x, &bad, err, sizeof(err)) == 0);
		ev_agg_apply(s, v, x, (ev_us_t)i, &scratch);
	}
	ev_rec_clear(&rec);
	ev_buf_free(&scratch);
}

static int
near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * fmax(1, fabs(b));
}

/* The written aggregates equal the reference. */
static void
compare(const struct ev_agg_set *s, const struct ev_agg_val *v,
    const struct reference *ref, const char *what)
{
	struct ev_buf b = EV_BUF_INIT;
	json_t *o, *top;
	json_error_t je;
	char want[16];
	int j;

	ev_buf_adds(&b, "{\"_\":0");
	ev_agg_write(s, v, &b);
	ev_buf_addc(&b, '}');
	o = json_loadb(b.data, b.len, 0, &je);
	CHECKF(o != NULL, "%s: %s", what, je.text);
	if (o == NULL) {
		ev_buf_free(&b);
		return;
	}
	CHECKF(json_integer_value(json_object_get(o, "count")) ==
	    (json_int_t)ref->count, "%s: count", what);
	CHECKF(json_number_value(json_object_get(o, "sum_v")) == ref->sum,
	    "%s: sum %.17g, want %.17g", what,
	    json_number_value(json_object_get(o, "sum_v")), ref->sum);
	CHECKF(near(json_number_value(json_object_get(o, "avg_v")),
	    ref->sum / (double)ref->nv), "%s: avg", what);
	CHECKF(json_number_value(json_object_get(o, "min_v")) == ref->min,
	    "%s: min", what);
	CHECKF(json_number_value(json_object_get(o, "max_v")) == ref->max,
	    "%s: max", what);
	CHECKF(near(json_number_value(json_object_get(o, "stddev_v")),
	    ref->sd), "%s: stddev %.17g, want %.17g", what,
	    json_number_value(json_object_get(o, "stddev_v")), ref->sd);
	CHECKF(json_integer_value(json_object_get(o, "distinct_s")) ==
	    ref->ndistinct, "%s: distinct", what);
	top = json_object_get(o, "top_s");
	CHECKF(json_array_size(top) == TOPK, "%s: top size", what);
	for (j = 0; j < TOPK && j < (int)json_array_size(top); j++) {
		json_t *e = json_array_get(top, j);

		snprintf(want, sizeof(want), "x%d", ref->top[j]);
		CHECKF(strcmp(json_string_value(json_object_get(e, "value")),
		    want) == 0 && json_integer_value(json_object_get(e,
		    "count")) == (json_int_t)ref->freq[ref->top[j]],
		    "%s: top[%d] is %s, want %s", what, j,
		    json_string_value(json_object_get(e, "value")), want);
	}
	json_decref(o);
	ev_buf_free(&b);
}

/*
 * An argument that is no plain path is an expression, named with "as";
 * count_if keeps its older form, a bare word after == being a string.
 */
static void
test_expr_args(void)
{
	static const struct {
		const char	*spec;
		int		 ok, expr;
	} t[] = {
		{ "sum(properties.amount)", 1, 0 },
		{ "sum(user-agent)", 1, 0 },
		{ "sum(a * b) as ab", 1, 1 },
		{ "sum(-a) as na", 1, 1 },
		{ "sum(a * b)", 0, 0 },		/* needs a name */
		{ "sum(a *) as x", 0, 0 },
		{ "count_if(event == purchase)", 1, 0 },
		{ "count_if(amount > 3)", 1, 0 },
		{ "count_if(a == b and c > 1) as n", 1, 1 },
		{ "count_if((a == b)) as n", 1, 1 },
		{ "count_if(a > b) as n", 1, 1 },
	};
	struct ev_agg_set s;
	char err[256];
	size_t i;
	int r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ev_agg_set_init(&s, 12, 0.01);
		r = ev_agg_parse(&s, t[i].spec, err, sizeof(err));
		CHECKF((r == 0) == t[i].ok, "%s: %s", t[i].spec, err);
		if (r == 0)
			CHECKF((s.spec[0].expr != NULL) == t[i].expr, "%s",
			    t[i].spec);
		ev_agg_set_free(&s);
	}
}

int
main(void)
{
	struct ev_agg_set s;
	struct ev_agg_val *whole, *merged, *viajson, *shard[3];
	struct reference ref;
	char err[128];
	int k;

	test_expr_args();
	make_input();
	reference(&ref);
	ev_agg_set_init(&s, 12, 0.01);
	CHECK(ev_agg_parse(&s, "count,sum(v),avg(v),min(v),max(v),stddev(v),"
	    "distinct(s),top(s, 3)", err, sizeof(err)) == 0);

	whole = ev_agg_new(&s);
	apply(&s, whole, 0, 1);
	compare(&s, whole, &ref, "one pass");

	merged = ev_agg_new(&s);
	viajson = ev_agg_new(&s);
	for (k = 0; k < 3; k++) {
		json_t *st;

		shard[k] = ev_agg_new(&s);
		apply(&s, shard[k], k, 3);
		ev_agg_merge(&s, merged, shard[k]);
		st = ev_agg_to_json(&s, shard[k]);
		CHECK(ev_agg_merge_json(&s, viajson, st, err,
		    sizeof(err)) == 0);
		json_decref(st);
		ev_agg_free(&s, shard[k]);
	}
	compare(&s, merged, &ref, "three shards merged");
	compare(&s, viajson, &ref, "three shards through JSON state");

	ev_agg_free(&s, whole);
	ev_agg_free(&s, merged);
	ev_agg_free(&s, viajson);
	ev_agg_set_free(&s);
	printf("test_agg: %d checks, %d failures\n", checks, failures);
	return failures > 0;
}
