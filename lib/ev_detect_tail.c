/*
 * ev_detect_tail.c - peaks over threshold: a series' own tail of z
 * (see ev_detect_tail.h for the method).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_detect_tail.h"

#define XI_MIN	-0.5	/* a fitted bounded tail, at most this short */
#define XI_MAX	0.95	/* PWM's own limit is xi < 1 */
#define Z_MAX	1e30	/* |z| kept as a float */

void
ev_detect_tail_init(struct ev_detect_tail *t)
{
	memset(t, 0, sizeof(*t));
}

void
ev_detect_tail_release(struct ev_detect_tail *t)
{
	free(t->side[0]);
	free(t->side[1]);
	ev_detect_tail_init(t);
}

/* Points since the entry i was kept, the point itself included. */
static uint32_t
age(const struct ev_detect_tail *t, const struct ev_detect_tail_side *s,
    int i)
{
	return (uint32_t)((uint32_t)t->n - s->at[i]);
}

/* Points the kept deviations of s stand for. */
static double
span(const struct ev_detect_tail *t, const struct ev_detect_tail_side *s)
{
	uint32_t a, old = 0;
	int i;

	if (s->len < EV_DETECT_TAIL_KEEP)
		return (double)t->n;
	for (i = 0; i < s->len; i++)
		if ((a = age(t, s, i)) > old)
			old = a;
	return (double)old;
}

int
ev_detect_tail_fit(const struct ev_detect_tail *t, int side, double *u,
    double *share, double *xi, double *sigma)
{
	const struct ev_detect_tail_side *s = t->side[side != 0];
	double sp, a0 = 0, a1 = 0, d, y;
	int k, i, lo;

	if (s == NULL || s->len < EV_DETECT_TAIL_FIT)
		return 0;
	sp = span(t, s);
	k = (int)ceil(EV_DETECT_TAIL_SHARE * sp);
	if (k < EV_DETECT_TAIL_FIT)
		return 0;
	if (k >= s->len) {
		k = s->len;
		*u = EV_DETECT_TAIL_BASE;
	} else
		*u = s->z[s->len - k - 1];
	lo = s->len - k;
	/*
	 * Probability weighted moments of the excesses, ascending:
	 * a0 = E[Y], a1 = E[Y (1 - F(Y))] with the plotting positions
	 * (i - 0.35) / k; then xi = 2 - a0 / (a0 - 2 a1) and
	 * sigma = 2 a0 a1 / (a0 - 2 a1) (Hosking and Wallis, 1987).
	 */
	for (i = 0; i < k; i++) {
		y = s->z[lo + i] - *u;
		a0 += y;
		a1 += (1 - (i + 1 - 0.35) / k) * y;
	}
	a0 /= k;
	a1 /= k;
	d = a0 - 2 * a1;
	if (!(a0 > 0) || !(d > 0))
		return 0;
	*xi = 2 - a0 / d;
	*sigma = 2 * a0 * a1 / d;
	if (*xi < XI_MIN || *xi > XI_MAX) {
		/* The nearest allowed shape with the same mean excess. */
		*xi = *xi < XI_MIN ? XI_MIN : XI_MAX;
		*sigma = a0 * (1 - *xi);
	}
	*share = k / sp;
	return k;
}

/* P(Y > y) of the GPD (xi, sigma). */
static double
gpd_sf(double y, double xi, double sigma)
{
	double w;

	if (fabs(xi) < 1e-9)
		return exp(-y / sigma);
	w = 1 + xi * y / sigma;
	return w > 0 ? pow(w, -1 / xi) : 0;
}

/* Kept deviations of s at least d. */
static int
at_least(const struct ev_detect_tail_side *s, double d)
{
	int lo = 0, hi = s->len, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((double)s->z[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return s->len - lo;
}

int
ev_detect_tail_p(const struct ev_detect_tail *t, double z, double *p)
{
	const struct ev_detect_tail_side *s;
	double d = fabs(z), u, share, xi, sigma, one, nu, nd;

	if (!(d > EV_DETECT_TAIL_BASE) ||
	    ev_detect_tail_fit(t, z > 0, &u, &share, &xi, &sigma) == 0)
		return 0;
	s = t->side[z > 0];
	if (d <= u)
		one = at_least(s, d) / span(t, s);
	else {
		one = share * gpd_sf(d - u, xi, sigma);
		/* Never lighter than the normal tail beyond u. */
		nu = erfc(u / M_SQRT2);
		nd = erfc(d / M_SQRT2);
		if (nu > 0 && share * nd / nu > one)
			one = share * nd / nu;
	}
	/* A finite deviation is never impossible. */
	*p = fmin(1, fmax(2 * one, 1e-300));
	return 1;
}

void
ev_detect_tail_learn(struct ev_detect_tail *t, double z)
{
	struct ev_detect_tail_side *s;
	double d = fabs(z);
	uint32_t a, old = 0;
	int i, j = 0;

	if (d > EV_DETECT_TAIL_BASE) {
		if (d > Z_MAX)
			d = Z_MAX;
		if (t->side[z > 0] == NULL)
			t->side[z > 0] = ev_xcalloc(1, sizeof(*s));
		s = t->side[z > 0];
		if (s->len == EV_DETECT_TAIL_KEEP) {
			/* The oldest makes room. */
			for (i = 0; i < s->len; i++)
				if ((a = age(t, s, i)) >= old) {
					old = a;
					j = i;
				}
			memmove(&s->z[j], &s->z[j + 1],
			    (size_t)(s->len - j - 1) * sizeof(s->z[0]));
			memmove(&s->at[j], &s->at[j + 1],
			    (size_t)(s->len - j - 1) * sizeof(s->at[0]));
			s->len--;
		}
		j = s->len - at_least(s, d);
		memmove(&s->z[j + 1], &s->z[j],
		    (size_t)(s->len - j) * sizeof(s->z[0]));
		memmove(&s->at[j + 1], &s->at[j],
		    (size_t)(s->len - j) * sizeof(s->at[0]));
		s->z[j] = (float)d;
		s->at[j] = (uint32_t)t->n;
		s->len++;
	}
	t->n++;
}

/* State: {"n": N, "below": [[|z|, age], ...], "above": [...]}. */

static const char *const side_names[] = { "below", "above" };

json_t *
ev_detect_tail_save(const struct ev_detect_tail *t)
{
	json_t *o = json_pack("{s:I}", "n", (json_int_t)t->n), *a;
	const struct ev_detect_tail_side *s;
	int k, i;

	for (k = 0; k < 2; k++) {
		if ((s = t->side[k]) == NULL)
			continue;
		a = json_array();
		for (i = 0; i < s->len; i++)
			json_array_append_new(a, json_pack("[f,I]",
			    (double)s->z[i], (json_int_t)age(t, s, i)));
		json_object_set_new(o, side_names[k], a);
	}
	return o;
}

int
ev_detect_tail_load(struct ev_detect_tail *t, const json_t *v)
{
	json_int_t n, ag;
	json_t *a, *e;
	double z;
	size_t i;
	int k;

	ev_detect_tail_release(t);
	if (json_unpack((json_t *)(uintptr_t)v, "{s:I}", "n", &n) != 0 ||
	    n < 0)
		return -1;
	t->n = n;
	for (k = 0; k < 2; k++) {
		if ((a = json_object_get(v, side_names[k])) == NULL)
			continue;
		if (!json_is_array(a) ||
		    json_array_size(a) > EV_DETECT_TAIL_KEEP)
			return -1;
		t->side[k] = ev_xcalloc(1, sizeof(*t->side[k]));
		json_array_foreach(a, i, e) {
			if (json_unpack(e, "[F,I]", &z, &ag) != 0 ||
			    !(z > EV_DETECT_TAIL_BASE) || !(z <= Z_MAX) ||
			    ag < 1 || ag > n ||
			    (i > 0 && z < t->side[k]->z[i - 1]))
				return -1;
			t->side[k]->z[i] = (float)z;
			t->side[k]->at[i] = (uint32_t)(n - ag);
			t->side[k]->len++;
		}
	}
	return 0;
}
