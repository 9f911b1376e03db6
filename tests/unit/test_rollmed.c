/*
 * test_rollmed.c - the rolling median and MAD (lib/ev_rollmed.c) against a
 * reference that sorts a copy of the window at every point, on random
 * streams (ties, runs of one value, even and odd windows, eviction, the
 * newest-k cut of ev-detect's change points), and against Python's
 * statistics.median on a fixed case.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_rollmed.h"
#include "check.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
unif(void)
{
	return (double)(next() >> 11) * 0x1.0p-53;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The reference: sort the window, then sort the deviations. */
static void
ref_median_mad(const double *w, int n, double *med, double *mad)
{
	double *t = malloc((size_t)n * sizeof(double));
	int i;

	memcpy(t, w, (size_t)n * sizeof(double));
	qsort(t, (size_t)n, sizeof(double), cmp);
	*med = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	for (i = 0; i < n; i++)
		t[i] = fabs(w[i] - *med);
	qsort(t, (size_t)n, sizeof(double), cmp);
	*mad = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	free(t);
}

static int
same(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

/*
 * The ring holds the window in arrival order, and the sorted copy is the
 * window sorted stably (equal values in arrival order), bit for bit: the
 * invariant that lets the oldest of equal values be the one to leave.
 */
static int
consistent(const struct ev_rollmed *r, const double *w, int n)
{
	double *t = malloc((size_t)n * sizeof(double));
	int i, j, ok = r->len == n;

	for (i = 0; ok && i < n; i++)
		ok = same(ev_rollmed_at(r, i), w[i]);
	for (i = 0; i < n; i++) {
		for (j = i; j > 0 && t[j - 1] > w[i]; j--)
			t[j] = t[j - 1];
		t[j] = w[i];
	}
	for (i = 0; ok && i < n; i++)
		ok = same(r->s[i], t[i]);
	free(t);
	return ok;
}

/* A value from one of several kinds of stream. */
static double
draw(int kind)
{
	switch (kind) {
	case 0:		/* continuous */
		return unif() * 100 - 50;
	case 1:		/* small integers: many ties */
		return (double)(next() % 5);
	case 2:		/* sparse counts: mostly 0, so the MAD is often 0 */
		return unif() < 0.8 ? 0 : (double)(next() % 3);
	case 3:		/* tenths, whose differences round */
		return (double)(next() % 200) / 10;
	default:	/* a few signed zeros among small values */
		return unif() < 0.3 ? (next() % 2 ? -0.0 : 0.0) :
		    (double)(int)(next() % 7) - 3;
	}
}

/*
 * Push a stream through windows of cap values, keeping a plain copy of
 * the window alongside, and compare after every push; now and then cut to
 * the newest k as ev-detect's CUSUM does after a change point.
 */
static void
test_random(int cap, int kind, int npts, int cuts)
{
	struct ev_rollmed r;
	double *w = malloc((size_t)cap * sizeof(double));
	double med, mad, rmed, rmad;
	int i, n = 0, bad = 0, k;

	ev_rollmed_init(&r, cap);
	for (i = 0; i < npts; i++) {
		double x = draw(kind);

		if (n == cap) {
			memmove(w, w + 1, (size_t)(n - 1) * sizeof(double));
			n--;
		}
		w[n++] = x;
		ev_rollmed_push(&r, x);
		if (cuts && next() % 17 == 0) {
			k = (int)(next() % (uint64_t)(n + 1));
			if (k < n) {
				memmove(w, w + n - k, (size_t)k * sizeof(double));
				n = k;
			}
			ev_rollmed_keep(&r, k);
		}
		if (!consistent(&r, w, n)) {
			bad++;
			continue;
		}
		if (n == 0)
			continue;
		ref_median_mad(w, n, &rmed, &rmad);
		med = ev_rollmed_median(&r);
		mad = ev_rollmed_mad(&r, med);
		/* With 0 and -0 in the window either may be the middle one. */
		if (!(same(med, rmed) || (med == 0 && rmed == 0)) ||
		    !same(mad, rmad)) {
			if (bad++ == 0)
				fprintf(stderr, "cap %d kind %d point %d: "
				    "median %.17g/%.17g mad %.17g/%.17g\n",
				    cap, kind, i, med, rmed, mad, rmad);
		}
	}
	CHECK(bad == 0);
	ev_rollmed_release(&r);
	free(w);
}

/*
 * Values and results from Python 3: m = statistics.median(window), then
 * statistics.median([abs(x - m) for x in window]), for the last 7 and the
 * last 8 values.
 */
static void
test_python(void)
{
	static const double a[] = { 10.3, 9.7, 12.1, 10.0, 55.0, 9.9, 10.2,
	    10.2, 8.8, 11.4, 0.1, 10.7, 9.3 };
	struct ev_rollmed r7, r8;
	double m;
	size_t i;

	ev_rollmed_init(&r7, 7);
	ev_rollmed_init(&r8, 8);
	for (i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
		ev_rollmed_push(&r7, a[i]);
		ev_rollmed_push(&r8, a[i]);
	}
	m = ev_rollmed_median(&r7);
	CHECK(m == 10.2);
	CHECK(ev_rollmed_mad(&r7, m) == 0.8999999999999986);
	m = ev_rollmed_median(&r8);
	CHECK(m == 10.05);
	CHECK(ev_rollmed_mad(&r8, m) == 0.6999999999999993);
	ev_rollmed_release(&r7);
	ev_rollmed_release(&r8);
}

static void
test_edges(void)
{
	struct ev_rollmed r;

	ev_rollmed_init(&r, 0);		/* counts as one */
	CHECK(r.cap == 1);
	CHECK(isnan(ev_rollmed_median(&r)));
	CHECK(isnan(ev_rollmed_mad(&r, 0)));
	ev_rollmed_push(&r, 4);
	ev_rollmed_push(&r, 7);
	CHECK(r.len == 1 && ev_rollmed_median(&r) == 7);
	CHECK(ev_rollmed_mad(&r, 7) == 0);
	ev_rollmed_release(&r);

	ev_rollmed_init(&r, 4);
	ev_rollmed_push(&r, -INFINITY);
	ev_rollmed_push(&r, 1);
	ev_rollmed_push(&r, 2);
	CHECK(ev_rollmed_median(&r) == 1);
	CHECK(ev_rollmed_mad(&r, 1) == 1);
	ev_rollmed_clear(&r);
	CHECK(r.len == 0);
	ev_rollmed_push(&r, 5);
	CHECK(ev_rollmed_median(&r) == 5 && ev_rollmed_at(&r, 0) == 5);
	ev_rollmed_release(&r);
}

int
main(void)
{
	static const int caps[] = { 1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 60, 61,
	    168 };
	size_t c;
	int kind;

	test_python();
	test_edges();
	for (c = 0; c < sizeof(caps) / sizeof(caps[0]); c++)
		for (kind = 0; kind < 5; kind++) {
			test_random(caps[c], kind, 3000, 0);
			test_random(caps[c], kind, 3000, 1);
		}
	printf("test_rollmed: %d checks, %d failures\n", checks, failures);
	return failures > 0;
}
