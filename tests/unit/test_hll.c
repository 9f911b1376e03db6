/*
 * test_hll.c - error bounds and merge laws of lib/ev_hll, the HyperLogLog
 * behind ev-window's approx_distinct, on large pseudo-random sets.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_hll.h"
#include "ev_rand.h"

#include "check.h"

/* n distinct 8-byte keys, each added twice, estimate vs n. */
static double
hll_trial(int p, int n, uint64_t seed)
{
	struct ev_hll h;
	uint64_t key;
	double e;
	int i, k;

	ev_hll_init(&h, p);
	for (k = 0; k < 2; k++)
		for (i = 0; i < n; i++) {
			key = seed << 32 | (uint64_t)i;
			ev_hll_add(&h, &key, sizeof(key));
		}
	e = ev_hll_estimate(&h);
	ev_hll_free(&h);
	return (e - n) / n;
}

static void
test_hll_error(void)
{
	static const int ps[] = { 10, 12, 14 };
	size_t k;
	int t, trials = 24;

	for (k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
		int p = ps[k];
		double se = ev_hll_std_error(p), ss = 0, worst = 0;

		/* Large range: n well above 5 m. */
		for (t = 0; t < trials; t++) {
			double r = hll_trial(p, 200000, (uint64_t)(t + 1));

			ss += r * r;
			if (fabs(r) > worst)
				worst = fabs(r);
		}
		/*
		 * The RMS of the relative error is the standard error; allow
		 * 40% for the sampling error of 24 trials, and no single
		 * trial beyond 4 standard errors.
		 */
		CHECKF(sqrt(ss / trials) < 1.4 * se,
		    "p=%d rms %.4f vs stated %.4f", p, sqrt(ss / trials), se);
		CHECKF(worst < 4 * se, "p=%d worst %.4f vs 4x%.4f", p, worst, se);
	}
	CHECKF(fabs(ev_hll_std_error(12) - 0.01625) < 1e-5, "se(12)");
	/* Small range (linear counting) is nearly exact. */
	CHECKF(fabs(hll_trial(12, 100, 7)) < 0.02, "n=100");
	CHECKF(fabs(hll_trial(14, 1000, 8)) < 0.02, "n=1000");
	{
		struct ev_hll h;

		ev_hll_init(&h, 12);
		CHECKF(ev_hll_estimate(&h) == 0, "empty estimate");
		ev_hll_free(&h);
	}
}

/*
 * The estimator against exact distinct counts, at every point of a log grid
 * (ratio 2^(1/4)) from 1 to 20 m values, over independent trials.  A trial
 * draws keys at random from a universe of 4 x the largest point, so keys
 * repeat; a bitmap of the universe gives the exact distinct count, and the
 * sketch is read each time that count reaches a grid point.  At each point:
 *
 *   bias:   the mean relative error is within 3.5 of its standard errors
 *           (sd / sqrt(trials)) of 0, give or take 2% of the stated standard
 *           error (the estimator's own bias, about +0.02% at precision 12
 *           below m values, is far below what trials can see elsewhere);
 *   spread: the RMS relative error is at most 1.1 x the stated standard
 *           error 1.04 / sqrt(m), and 1.1 x 0.8 / sqrt(m) up to m values
 *           (the man page's figures, with 10% for sampling error);
 *   tails:  from m / 8 values up, where registers collide often enough for
 *           the error to be near normal, no single estimate is beyond 5
 *           stated standard errors.  Below, one collision among a handful
 *           of values is a large relative error (2 values in 1 register
 *           read as 1) however rare, so only bias and RMS are checked;
 *           those points get many more trials, which are cheap there.
 */
#define GRID_MAX	128

struct grid {
	int	 p, npts;
	long	 pts[GRID_MAX];
	double	 sum[GRID_MAX], sum2[GRID_MAX], worst[GRID_MAX];
};

/*
 * The grid points 2^(k/4), rounded and without repeats, in [lo, hi]; the
 * one point lo when lo == hi.
 */
static void
grid_init(struct grid *g, int p, long lo, long hi)
{
	long n, last = 0;
	int k;

	memset(g, 0, sizeof(*g));
	g->p = p;
	if (lo == hi) {
		g->pts[g->npts++] = lo;
		return;
	}
	for (k = 0; g->npts < GRID_MAX; k++) {
		n = lround(pow(2, k / 4.0));
		if (n > hi)
			break;
		if (n >= lo && n != last)
			g->pts[g->npts++] = last = n;
	}
}

/* One trial: keys (trial << 40 | r), r uniform in the universe. */
static void
grid_trial(struct grid *g, uint64_t trial)
{
	uint64_t universe = (uint64_t)g->pts[g->npts - 1] * 4, key, r;
	uint64_t seed = trial * 7919 + (uint64_t)g->p;
	uint8_t *seen = calloc(universe / 8 + 1, 1);
	struct ev_hll h;
	long distinct = 0;
	double e;
	int k = 0;

	ev_hll_init(&h, g->p);
	while (k < g->npts) {
		r = ev_rand_splitmix64(&seed) % universe;
		key = trial << 40 | r;
		ev_hll_add(&h, &key, sizeof(key));
		if (seen[r / 8] & 1 << (r % 8))
			continue;
		seen[r / 8] |= (uint8_t)(1 << (r % 8));
		if (++distinct < g->pts[k])
			continue;
		e = (ev_hll_estimate(&h) - (double)distinct) / (double)distinct;
		g->sum[k] += e;
		g->sum2[k] += e * e;
		if (fabs(e) > g->worst[k])
			g->worst[k] = fabs(e);
		k++;
	}
	ev_hll_free(&h);
	free(seen);
}

/* Trials over the grid points of precision p in [lo, hi]; check them. */
static void
grid_check(int p, long lo, long hi, int trials, int verbose)
{
	struct grid g;
	double se = ev_hll_std_error(p), mean, sd, rms;
	long m = 1L << p, tails = m / 8;
	int k, t;

	grid_init(&g, p, lo, hi);
	if (g.npts == 0)
		return;
	for (t = 0; t < trials; t++)
		grid_trial(&g, (uint64_t)t + 1);
	for (k = 0; k < g.npts; k++) {
		mean = g.sum[k] / trials;
		rms = sqrt(g.sum2[k] / trials);
		sd = sqrt(fmax(0, g.sum2[k] / trials - mean * mean) *
		    trials / (trials - 1));
		if (verbose)
			printf("p=%d n=%ld mean %+.4f%% (+-%.4f%%) rms %.4f%% "
			    "worst %.4f%% stated %.4f%%\n", p, g.pts[k],
			    100 * mean, 100 * sd / sqrt(trials), 100 * rms,
			    100 * g.worst[k], 100 * se);
		CHECKF(fabs(mean) <= 3.5 * sd / sqrt(trials) + 0.02 * se,
		    "p=%d n=%ld bias %+.5f (%.1f standard errors)", p,
		    g.pts[k], mean, mean / (sd / sqrt(trials)));
		CHECKF(rms <= 1.1 * (g.pts[k] <= m ? 0.8 / 1.04 : 1) * se,
		    "p=%d n=%ld rms %.5f vs stated %.5f", p, g.pts[k], rms, se);
		CHECKF(g.pts[k] < tails || g.worst[k] <= 5 * se,
		    "p=%d n=%ld worst %.5f vs 5 x %.5f", p, g.pts[k],
		    g.worst[k], se);
	}
}

/* The default precision and 14, each from 1 to 20 m values. */
static void
test_hll_grid(void)
{
	static const struct {
		int p, small, large;	/* trials below and from m / 8 */
	} runs[] = { { EV_HLL_DEFAULT_P, 20000, 600 }, { 14, 10000, 300 } };
	size_t i;

	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		long m = 1L << runs[i].p;

		grid_check(runs[i].p, 1, m / 8 - 1, runs[i].small, 0);
		grid_check(runs[i].p, m / 8, 20 * m, runs[i].large, 0);
	}
}

static void
test_hll_merge(void)
{
	struct ev_hll a, b, u, r;
	char key[32], *ha, *hu;
	int i, len;

	ev_hll_init(&a, 12);
	ev_hll_init(&b, 12);
	ev_hll_init(&u, 12);
	ev_hll_init(&r, 12);
	for (i = 0; i < 50000; i++) {
		len = snprintf(key, sizeof(key), "k%d", i);
		ev_hll_add(i % 3 ? &a : &b, key, (size_t)len);
		ev_hll_add(&u, key, (size_t)len);
	}
	CHECKF(ev_hll_merge(&a, &b) == 0, "merge");
	ha = ev_hll_to_hex(&a);
	hu = ev_hll_to_hex(&u);
	CHECKF(strcmp(ha, hu) == 0, "merge of shards differs from the union");
	CHECKF(ev_hll_from_hex(&r, 12, ha) == 0, "from_hex");
	CHECKF(ev_hll_estimate(&r) == ev_hll_estimate(&u), "hex round trip");
	CHECKF(ev_hll_from_hex(&r, 14, ha) == -1, "wrong precision accepted");
	CHECKF(ev_hll_from_hex(&r, 12, "zz") == -1, "bad hex accepted");
	ev_hll_free(&b);
	ev_hll_init(&b, 10);
	CHECKF(ev_hll_merge(&a, &b) == -1, "precision mismatch merged");
	free(ha);
	free(hu);
	ev_hll_free(&a);
	ev_hll_free(&b);
	ev_hll_free(&u);
	ev_hll_free(&r);
}

/* Sparse and dense forms give the same registers, hex and estimate. */
static void
test_hll_sparse(void)
{
	struct ev_hll s, d, u, z;
	char key[32], *hs, *hd;
	int i, len;

	ev_hll_init(&s, 12);
	ev_hll_init(&d, 12);
	ev_hll_init(&u, 12);
	ev_hll_init(&z, 12);
	for (i = 0; i < 100; i++) {
		len = snprintf(key, sizeof(key), "s%d", i);
		ev_hll_add(&s, key, (size_t)len);
		ev_hll_add(&u, key, (size_t)len);
	}
	CHECKF(s.reg == NULL && s.nsp > 0, "100 keys should stay sparse");
	hs = ev_hll_to_hex(&s);
	CHECKF(ev_hll_from_hex(&d, 12, hs) == 0 && d.reg != NULL, "dense copy");
	CHECKF(ev_hll_estimate(&s) == ev_hll_estimate(&d),
	    "sparse and dense estimates differ");
	CHECKF(fabs(ev_hll_estimate(&s) - 100) < 3, "sparse estimate %g",
	    ev_hll_estimate(&s));
	/* Many sparse merges into an empty sketch, then into a dense one. */
	for (i = 0; i < 3000; i++) {
		struct ev_hll t;

		ev_hll_init(&t, 12);
		len = snprintf(key, sizeof(key), "t%d", i);
		ev_hll_add(&t, key, (size_t)len);
		ev_hll_add(&u, key, (size_t)len);
		ev_hll_merge(&z, &t);
		ev_hll_free(&t);
	}
	ev_hll_merge(&z, &s);
	hs = (free(hs), ev_hll_to_hex(&z));
	hd = ev_hll_to_hex(&u);
	CHECKF(strcmp(hs, hd) == 0, "merged sparse sketches differ from union");
	CHECKF(ev_hll_estimate(&z) == ev_hll_estimate(&u), "estimates differ");
	free(hs);
	free(hd);
	ev_hll_free(&s);
	ev_hll_free(&d);
	ev_hll_free(&u);
	ev_hll_free(&z);
}

/*
 * test_hll --measure P LO HI TRIALS: print the bias, RMS and worst
 * relative error of the estimate at precision P on the grid points from LO
 * to HI distinct values (at LO alone when LO == HI), with the checks of the
 * grid test, then exit.
 */
int
main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "--measure") == 0) {
		grid_check(atoi(argv[2]), atol(argv[3]), atol(argv[4]),
		    atoi(argv[5]), 1);
		return failures ? 1 : 0;
	}
	test_hll_grid();
	test_hll_error();
	test_hll_merge();
	test_hll_sparse();
	printf("test_hll: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
