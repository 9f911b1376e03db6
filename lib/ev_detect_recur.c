/*
 * ev_detect_recur.c - a series' recurring bursts (see ev_detect_recur.h).
 */
#include <math.h>
#include <string.h>

#include "ev_detect_recur.h"

#define NDAYS	EV_DETECT_RECUR_DAYS
#define SPAN	EV_DETECT_RECUR_SPAN
#define EPS	1e-9	/* hours as doubles: not exact */
#define FMAX	3e38	/* a deviation kept as a float */

void
ev_detect_recur_init(struct ev_detect_recur *r)
{
	int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < NDAYS; i++)
		r->day[i] = INT32_MIN;
	r->since = r->last = NAN;
}

int
ev_detect_recur_days(const struct ev_detect_recur *r, int32_t day,
    double dev, int *seen)
{
	double half = dev / 2;
	int i, c = 0;

	*seen = 0;
	for (i = 0; i < NDAYS; i++) {
		if (r->day[i] == INT32_MIN || r->day[i] >= day ||
		    r->day[i] < day - NDAYS)
			continue;
		(*seen)++;
		if (dev > 0 ? r->up[i] >= half : dev < 0 && r->down[i] <= half)
			c++;
	}
	return c;
}

static void
learn(struct ev_detect_recur *r, int32_t day, double dev)
{
	int s = (int)(((day % NDAYS) + NDAYS) % NDAYS);

	if (r->day[s] != day) {
		r->day[s] = day;
		r->up[s] = r->down[s] = 0;
	}
	if (dev > r->up[s])
		r->up[s] = (float)fmin(dev, FMAX);
	if (dev < r->down[s])
		r->down[s] = (float)fmax(dev, -FMAX);
}

double
ev_detect_recur_step(struct ev_detect_recur *r, double t0, double step,
    double dev, double p, int excuse)
{
	int32_t day = (int32_t)floor((t0 + step / 2) / 24);
	double t1 = t0 + step, share;
	int c, seen;

	if (!(p < EV_DETECT_RECUR_P) || isnan(dev))
		return p;
	/* A rare point: the burst it belongs to, a new one after a lull. */
	if (isnan(r->last) || t0 - r->last > SPAN + EPS)
		r->since = t0;
	r->last = t1;
	if (excuse && t1 - r->since <= SPAN + EPS) {
		c = ev_detect_recur_days(r, day, dev, &seen);
		share = (double)c / (double)(seen + 1);
		if (c >= EV_DETECT_RECUR_MIN && share > p)
			p = share;
	}
	learn(r, day, dev);
	return p;
}

json_t *
ev_detect_recur_save(const struct ev_detect_recur *r)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < NDAYS; i++)
		if (r->day[i] != INT32_MIN)
			json_array_append_new(a, json_pack("[i,f,f]",
			    (int)r->day[i], (double)r->up[i],
			    (double)r->down[i]));
	return json_pack("{s:o,s:[o,o]}", "days", a, "burst",
	    isnan(r->last) ? json_null() : json_real(r->since),
	    isnan(r->last) ? json_null() : json_real(r->last));
}

int
ev_detect_recur_load(struct ev_detect_recur *r, const json_t *v)
{
	json_t *a, *e, *since, *last;
	double up, down;
	size_t i;
	int day, s;

	ev_detect_recur_init(r);
	if (json_unpack((json_t *)(uintptr_t)v, "{s:o,s:[oo]}", "days", &a,
	    "burst", &since, &last) != 0 || !json_is_array(a) ||
	    json_array_size(a) > NDAYS)
		return -1;
	json_array_foreach(a, i, e) {
		if (json_unpack(e, "[i,F,F]", &day, &up, &down) != 0 ||
		    day == INT32_MIN || !(up >= 0) || !(down <= 0) ||
		    !(up <= FMAX) || !(down >= -FMAX))
			return -1;
		s = ((day % NDAYS) + NDAYS) % NDAYS;
		if (r->day[s] != INT32_MIN)
			return -1;
		r->day[s] = day;
		r->up[s] = (float)up;
		r->down[s] = (float)down;
	}
	if (json_is_null(since) && json_is_null(last))
		return 0;
	if (!json_is_number(since) || !json_is_number(last))
		return -1;
	r->since = json_number_value(since);
	r->last = json_number_value(last);
	return r->since <= r->last ? 0 : -1;
}
