/*
 * test_detect_tail.c - unit tests of the peaks-over-threshold tail
 * (lib/ev_detect_tail.c): the tail probability it gives a deviation,
 * against the exact tail of the distribution the deviations were drawn
 * from (a Pareto tail, whose excesses are exactly a GPD, and a normal
 * one), its bounded memory, and its state.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_detect.h"
#include "ev_detect_tail.h"

#include "check.h"

#define N	30011	/* a prime: i * 7919 mod N visits every stratum */

/*
 * The deviations: a stratified uniform v in a scrambled order (no trend
 * in time), |z| = the quantile of the tail at v, the sign alternating.
 * pareto: P(|Z| > x) = x^-3 for x >= 1; normal: P(|Z| > x) = erfc(x/V2).
 */
static double
draw(int i, int pareto)
{
	double v = ((double)((long)i * 7919 % N) + 0.5) / N;
	double a = pareto ? pow(v, -1.0 / 3) : ev_detect_z_of_conf(1 - v);

	return i % 2 ? a : -a;
}

static void
feed(struct ev_detect_tail *t, int pareto, int n)
{
	int i;

	ev_detect_tail_init(t);
	for (i = 0; i < n; i++)
		ev_detect_tail_learn(t, draw(i, pareto));
}

/* p within a factor f of the truth. */
static int
near(double p, double truth, double f)
{
	return p <= truth * f && p >= truth / f;
}

static void
test_pareto(void)
{
	struct ev_detect_tail t;
	double xs[] = { 2.5, 4, 8, 20, 40 }, p, u, share, xi, sigma, last = 1;
	size_t i;
	int k;

	feed(&t, 1, N);
	/*
	 * Within a factor 1.5 where the kept span (512 points beyond 2 of
	 * one in 16 on a side: about 8,000 points) has seen such deviations,
	 * 2 at its edge (z 20: 1 in 8,000), 3 eight times beyond it (z 40).
	 */
	for (i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
		double f = xs[i] < 10 ? 1.5 : xs[i] < 30 ? 2 : 3;

		CHECK(ev_detect_tail_p(&t, xs[i], &p));
		CHECKF(near(p, pow(xs[i], -3), f), "z %g: p %g, exact %g",
		    xs[i], p, pow(xs[i], -3));
		CHECK(ev_detect_tail_p(&t, -xs[i], &p));
		CHECKF(near(p, pow(xs[i], -3), f), "z -%g: p %g, exact %g",
		    xs[i], p, pow(xs[i], -3));
	}
	/*
	 * The fit: u about the one-sided 2% quantile, 0.5 u^-3 = 0.02, and
	 * a Pareto tail of index 3 is a GPD of shape 1/3 and scale u / 3.
	 */
	k = ev_detect_tail_fit(&t, 1, &u, &share, &xi, &sigma);
	CHECKF(k >= EV_DETECT_TAIL_FIT, "%d exceedances", k);
	CHECKF(fabs(u - pow(25, 1.0 / 3)) < 0.15, "u %g", u);
	CHECKF(fabs(xi - 1.0 / 3) < 0.12, "xi %g", xi);
	CHECKF(fabs(sigma / u - 1.0 / 3) < 0.1, "sigma / u %g", sigma / u);
	CHECKF(fabs(share - 0.02) < 0.002, "share %g", share);
	/* p falls as |z| grows, across u, and never reaches 0. */
	for (i = 0; i < 400; i++) {
		double z = 2.05 + i * 0.25;

		CHECK(ev_detect_tail_p(&t, z, &p));
		CHECKF(p <= last && p > 0, "z %g: p %g after %g", z, p, last);
		last = p;
	}
	CHECK(ev_detect_tail_p(&t, 1e300, &p) && p > 0);
	/* Memory is bounded. */
	CHECK(t.side[0]->len <= EV_DETECT_TAIL_KEEP &&
	    t.side[1]->len == EV_DETECT_TAIL_KEEP);
	ev_detect_tail_release(&t);
}

static void
test_normal(void)
{
	struct ev_detect_tail t;
	double xs[] = { 2.5, 3, 3.5, 4 }, p;
	size_t i;

	feed(&t, 0, N);
	for (i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
		CHECK(ev_detect_tail_p(&t, xs[i], &p));
		CHECKF(near(p, erfc(xs[i] / M_SQRT2), 1.5),
		    "z %g: p %g, exact %g", xs[i], p, erfc(xs[i] / M_SQRT2));
	}
	/* Within the base there is nothing to say. */
	CHECK(!ev_detect_tail_p(&t, 1.9, &p));
	ev_detect_tail_release(&t);
	/* Too little tail for a fit: 50 exceedances of the 98% quantile. */
	feed(&t, 1, 2000);
	CHECK(!ev_detect_tail_p(&t, 10, &p));
	ev_detect_tail_release(&t);
}

static void
test_state(void)
{
	struct ev_detect_tail t, u;
	double z, p, q;
	json_t *v, *bad;
	int ok = 1;

	feed(&t, 1, N);
	ev_detect_tail_init(&u);
	v = ev_detect_tail_save(&t);
	CHECK(ev_detect_tail_load(&u, v) == 0);
	for (z = -30; z < 30; z += 0.7)
		if (ev_detect_tail_p(&t, z, &p) != ev_detect_tail_p(&u, z, &q) ||
		    (fabs(z) > EV_DETECT_TAIL_BASE && p != q))
			ok = 0;
	CHECK(ok);
	/* Out of order or out of range: malformed. */
	bad = json_deep_copy(v);
	json_array_insert_new(json_object_get(bad, "above"), 0,
	    json_pack("[f,I]", 99.0, (json_int_t)1));
	CHECK(ev_detect_tail_load(&u, bad) != 0);
	json_decref(bad);
	bad = json_pack("{s:I,s:[[f,I]]}", "n", (json_int_t)5, "below",
	    1.0, (json_int_t)1);
	CHECK(ev_detect_tail_load(&u, bad) != 0);
	json_decref(bad);
	json_decref(v);
	ev_detect_tail_release(&t);
	ev_detect_tail_release(&u);
}

int
main(void)
{
	test_pareto();
	test_normal();
	test_state();
	printf("test_detect_tail: %d checks, %d failures\n", checks, failures);
	return failures != 0;
}
