/*
 * ev_rollmed.c - rolling median and MAD over a ring and a sorted copy of
 * it (see ev_rollmed.h for the method and its costs).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_rollmed.h"

void
ev_rollmed_init(struct ev_rollmed *r, int cap)
{
	r->cap = cap < 1 ? 1 : cap;
	r->v = ev_xcalloc((size_t)r->cap, sizeof(double));
	r->s = ev_xcalloc((size_t)r->cap, sizeof(double));
	r->len = r->pos = 0;
}

void
ev_rollmed_release(struct ev_rollmed *r)
{
	free(r->v);
	free(r->s);
	r->v = r->s = NULL;
	r->len = r->pos = 0;
}

void
ev_rollmed_clear(struct ev_rollmed *r)
{
	r->len = r->pos = 0;
}

/*
 * Equal values sit in the sorted copy in arrival order: a new value goes
 * after its equals (upper_bound) and the oldest leaves first, so the one
 * leaving is the first of its equals (lower_bound).  That keeps the copy
 * the very values of the ring, down to the sign of a zero (0 and -0
 * compare equal but print differently).
 */

/* The first index of s[0..n) whose value is > x. */
static int
upper_bound(const double *s, int n, double x)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (s[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first index of s[0..n) whose value is >= x. */
static int
lower_bound(const double *s, int n, double x)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (s[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Put x into the sorted copy, which has room for it. */
static void
insert_sorted(struct ev_rollmed *r, double x)
{
	int p = upper_bound(r->s, r->len, x);

	memmove(r->s + p + 1, r->s + p, (size_t)(r->len - p) * sizeof(double));
	r->s[p] = x;
	r->len++;
}

void
ev_rollmed_push(struct ev_rollmed *r, double x)
{
	int d, p;

	if (r->len < r->cap) {
		insert_sorted(r, x);
	} else {
		/*
		 * One shift moves the values between the leaving slot d and
		 * the new value's place p.
		 */
		d = lower_bound(r->s, r->len, r->v[r->pos]);
		p = upper_bound(r->s, r->len, x);
		if (p <= d) {
			memmove(r->s + p + 1, r->s + p,
			    (size_t)(d - p) * sizeof(double));
			r->s[p] = x;
		} else {
			memmove(r->s + d, r->s + d + 1,
			    (size_t)(p - 1 - d) * sizeof(double));
			r->s[p - 1] = x;
		}
	}
	r->v[r->pos] = x;
	r->pos = (r->pos + 1) % r->cap;
}

void
ev_rollmed_keep(struct ev_rollmed *r, int k)
{
	int i, n;

	if (k >= r->len)
		return;
	if (k < 0)
		k = 0;
	n = r->len;
	/* The sorted copy is free scratch space until it is rebuilt. */
	for (i = 0; i < k; i++)
		r->s[i] = ev_rollmed_at(r, n - k + i);
	memcpy(r->v, r->s, (size_t)k * sizeof(double));
	r->pos = k % r->cap;
	/* Insert in arrival order, which keeps equal values in it too. */
	r->len = 0;
	for (i = 0; i < k; i++)
		insert_sorted(r, r->v[i]);
}

double
ev_rollmed_at(const struct ev_rollmed *r, int i)
{
	return r->v[(r->pos - r->len + i + r->cap) % r->cap];
}

double
ev_rollmed_median(const struct ev_rollmed *r)
{
	int n = r->len;

	if (n == 0)
		return NAN;
	if (n % 2)
		return r->s[n / 2];
	return (r->s[n / 2 - 1] + r->s[n / 2]) / 2;
}

/*
 * The deviations split at h (s[i] < med for i < h, s[i] >= med from h on):
 * lo(t) = fabs(s[h - 1 - t] - med) for t < h and hi(t) = fabs(s[h + t] -
 * med) for t < n - h are each non-decreasing, rounding being monotone.
 */
static double
dev_lo(const struct ev_rollmed *r, int h, double med, int t)
{
	return fabs(r->s[h - 1 - t] - med);
}

static double
dev_hi(const struct ev_rollmed *r, int h, double med, int t)
{
	return fabs(r->s[h + t] - med);
}

/*
 * The k-th smallest (from 0) of the two sorted sequences: the smallest
 * count i taken from lo, with j = k + 1 - i from hi, such that lo(i) is
 * not below hi(j - 1); the answer is the larger of the last ones taken.
 */
static double
kth_dev(const struct ev_rollmed *r, int h, double med, int k)
{
	int a = h, b = r->len - h;
	int lo = k + 1 - b > 0 ? k + 1 - b : 0;
	int hi = a < k + 1 ? a : k + 1;
	int i, j;
	double x, y;

	while (lo < hi) {
		i = lo + (hi - lo) / 2;
		j = k + 1 - i;
		if (dev_lo(r, h, med, i) < dev_hi(r, h, med, j - 1))
			lo = i + 1;
		else
			hi = i;
	}
	i = lo;
	j = k + 1 - i;
	x = i > 0 ? dev_lo(r, h, med, i - 1) : -INFINITY;
	y = j > 0 ? dev_hi(r, h, med, j - 1) : -INFINITY;
	return x > y ? x : y;
}

double
ev_rollmed_mad(const struct ev_rollmed *r, double med)
{
	int n = r->len, h;

	if (n == 0)
		return NAN;
	h = lower_bound(r->s, n, med);
	if (n % 2)
		return kth_dev(r, h, med, n / 2);
	return (kth_dev(r, h, med, n / 2 - 1) + kth_dev(r, h, med, n / 2)) / 2;
}
