/*
 * ev_detect_recur.h - a series' recurring bursts: how far from expected
 * its rare points went, above and below, on each of its last
 * EV_DETECT_RECUR_DAYS days (days of its own local time).
 *
 * An on-call engineer reads a short burst that the series has made on
 * several distinct days of the last week as what the series does (a batch
 * consumer's bursts, a retry storm every few hours), not as an incident.
 * The rule, for a point rarer than EV_DETECT_RECUR_P:
 *
 *   - the size is the deviation in the value's own units (value minus
 *     expected), not in model sigmas: a burst of the same size is the same
 *     burst whether the hour around it was quiet (small scale, large z) or
 *     busy;
 *   - a day counts when its largest rare deviation on the same side went
 *     at least half as far (a burst's size varies by its own noise);
 *   - with EV_DETECT_RECUR_MIN such days before today in the last week
 *     the point's p is at least that share of the days remembered plus one;
 *   - only while the burst is short: its rare points, none more than
 *     EV_DETECT_RECUR_SPAN from the one before, span at most
 *     EV_DETECT_RECUR_SPAN from the start of the first to the end of this
 *     one.  A deviation that lasts longer, or any point of an hourly
 *     series (one point is already an hour), is judged on its own.
 *
 * Counting distinct days, not points or excursions, and only short bursts
 * is what keeps a rare incident an alert: an outage of hours or a daily
 * crash spike of an hourly metric is never excused by this rule, and an
 * incident that comes back on a day or two of a week is still a page.
 *
 * Memory: EV_DETECT_RECUR_DAYS (day, up, down) triples and two times.
 * Ownership: plain struct; ev_detect_recur_save returns a new reference,
 * _load borrows.
 */
#ifndef EV_DETECT_RECUR_H
#define EV_DETECT_RECUR_H

#include <stdint.h>
#include <jansson.h>

#define EV_DETECT_RECUR_DAYS	7	/* days remembered: a week */
#define EV_DETECT_RECUR_MIN	3	/* earlier days that make it routine */
#define EV_DETECT_RECUR_P	1e-3	/* points rarer than this are bursts */
#define EV_DETECT_RECUR_SPAN	0.25	/* hours: a burst at most this long */

struct ev_detect_recur {
	int32_t	day[EV_DETECT_RECUR_DAYS];	/* INT32_MIN: unused slot */
	float	up[EV_DETECT_RECUR_DAYS];	/* largest rare deviation */
	float	down[EV_DETECT_RECUR_DAYS];	/* smallest (most negative) */
	double	since;		/* hours: the burst's first rare point */
	double	last;		/* hours: the end of its last; NAN: none */
};

void	ev_detect_recur_init(struct ev_detect_recur *r);
/*
 * Days before day (of the last EV_DETECT_RECUR_DAYS) whose rare deviation
 * on the side of dev reached at least dev / 2; the days remembered in
 * that span into *seen.
 */
int	ev_detect_recur_days(const struct ev_detect_recur *r, int32_t day,
	    double dev, int *seen);
/*
 * One point: the window [t0, t0 + step) in local hours, its deviation dev
 * (value - expected) and its p.  Returns p, raised by the rule above
 * unless excuse is 0 (the caller's other evidence, such as a CUSUM's run,
 * made the score); then a rare point joins its day and its burst.
 */
double	ev_detect_recur_step(struct ev_detect_recur *r, double t0,
	    double step, double dev, double p, int excuse);
/* State as {"days": [[day, up, down], ...], "burst": [since, last]}. */
json_t	*ev_detect_recur_save(const struct ev_detect_recur *r);
int	ev_detect_recur_load(struct ev_detect_recur *r, const json_t *v);

#endif /* EV_DETECT_RECUR_H */
