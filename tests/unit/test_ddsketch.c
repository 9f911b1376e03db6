/*
 * test_ddsketch.c - relative accuracy and merge laws of lib/ev_ddsketch,
 * the DDSketch behind ev-window's pNN aggregates, against exact quantiles
 * of large pseudo-random sets (sorted copies).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_ddsketch.h"
#include "ev_rand.h"

#include "check.h"

/* Uniform in [0, 1) from splitmix64. */
static double
unif(uint64_t *s)
{
	return (double)(ev_rand_splitmix64(s) >> 11) * 0x1.0p-53;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* kind 0: lognormal, 1: uniform 0..1000 with zeros, 2: mixed signs. */
static void
dds_case(int kind, double alpha, int n, uint64_t seed)
{
	static const double qs[] = { 0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99,
	    0.999, 1 };
	struct ev_dds d;
	double *v = malloc((size_t)n * sizeof(*v));
	size_t k;
	int i;

	ev_dds_init(&d, alpha);
	for (i = 0; i < n; i++) {
		double u1 = unif(&seed), u2 = unif(&seed), x;

		if (kind == 0)
			x = exp(2 * sqrt(-2 * log(u1 + 1e-300)) *
			    cos(2 * M_PI * u2));
		else if (kind == 1)
			x = u1 < 0.05 ? 0 : 1000 * u2;
		else
			x = (u1 < 0.3 ? -1 : 1) * 50 * u2 * u2;
		v[i] = x;
		ev_dds_add(&d, x);
	}
	qsort(v, (size_t)n, sizeof(*v), cmpd);
	for (k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		double exact = v[(size_t)floor(qs[k] * (n - 1))];
		double got = ev_dds_quantile(&d, qs[k]);

		CHECKF(fabs(got - exact) <= alpha * fabs(exact) + 1e-12,
		    "kind %d alpha %g q %g: got %.9g exact %.9g", kind, alpha,
		    qs[k], got, exact);
	}
	free(v);
	ev_dds_free(&d);
}

static void
test_dds_accuracy(void)
{
	dds_case(0, 0.01, 200000, 1);
	dds_case(1, 0.01, 100000, 2);
	dds_case(2, 0.01, 100000, 3);
	dds_case(1, 0.001, 100000, 4);
	dds_case(0, 0.05, 100000, 5);
	{
		struct ev_dds d;

		ev_dds_init(&d, 0.01);
		CHECKF(isnan(ev_dds_quantile(&d, 0.5)), "empty quantile");
		ev_dds_add(&d, 42);
		CHECKF(ev_dds_quantile(&d, 0.99) == 42, "single value clamps");
		ev_dds_free(&d);
	}
}

static void
test_dds_merge(void)
{
	struct ev_dds a, b, u, r;
	uint64_t seed = 9;
	json_t *ja, *ju, *jr;
	int i;

	ev_dds_init(&a, 0.01);
	ev_dds_init(&b, 0.01);
	ev_dds_init(&u, 0.01);
	ev_dds_init(&r, 0.01);
	for (i = 0; i < 30000; i++) {
		double x = (unif(&seed) - 0.2) * 1e4;

		ev_dds_add(i % 2 ? &a : &b, x);
		ev_dds_add(&u, x);
	}
	CHECKF(ev_dds_merge(&a, &b) == 0, "dds merge");
	ja = ev_dds_to_json(&a);
	ju = ev_dds_to_json(&u);
	CHECKF(json_equal(ja, ju), "merged sketch differs from the union");
	CHECKF(ev_dds_from_json(&r, 0.01, ja) == 0, "from_json");
	jr = ev_dds_to_json(&r);
	CHECKF(json_equal(jr, ju), "json round trip");
	CHECKF(ev_dds_quantile(&r, 0.95) == ev_dds_quantile(&u, 0.95), "q95");
	json_object_set_new(ja, "n", json_integer(1));
	CHECKF(ev_dds_from_json(&r, 0.01, ja) == -1, "bad count accepted");
	json_decref(ja);
	json_decref(ju);
	json_decref(jr);
	ev_dds_free(&a);
	ev_dds_free(&b);
	ev_dds_free(&u);
	ev_dds_free(&r);
}


int
main(void)
{
	test_dds_accuracy();
	test_dds_merge();
	printf("test_ddsketch: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
