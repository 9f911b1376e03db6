/*
 * ev_detect_tail.h - a series' own tail probability of a deviation, by
 * peaks over threshold (Pickands-Balkema-de Haan).
 *
 * A noise model fitted to the middle of a real metric (bursts, batch jobs,
 * retries) says nothing true about its far tail.  Beyond a high threshold
 * u, though, the excess of almost any distribution is close to a
 * Generalized Pareto Distribution,
 *
 *     P(Z > u + y | Z > u) = (1 + xi y / sigma)^(-1 / xi),
 *
 * so the tail of the standardised residual z a series makes is the share
 * of its points beyond u times that fitted survival (Siffer et al., 2017,
 * "Anomaly detection in streams with extreme value theory").  This module
 * keeps, for each side (above and below expected), the last
 * EV_DETECT_TAIL_KEEP deviations beyond EV_DETECT_TAIL_BASE with the point
 * count at which each came, sorted by size; the points they span are all
 * the points since the oldest (or since the first, until the side is
 * full).  The threshold u is the side's (1 - EV_DETECT_TAIL_SHARE)
 * quantile over that span (its 98th percentile), never below the base;
 * there is a fit only once EV_DETECT_TAIL_FIT exceedances of u exist
 * (2,500 points), and xi and sigma are then Hosking and Wallis'
 * probability weighted moments, valid for xi < 1 (a tail with an
 * infinite mean excepted), xi held to [-0.5, 0.95].  The tail is never
 * lighter than the normal tail beyond u scaled to the same share (the
 * noise model is trusted for its shape until the data show a heavier
 * one), so a fitted bounded tail (xi < 0) cannot make a finite deviation
 * impossible.  Between the base and u the share is the empirical one.
 *
 * Memory is bounded: per side EV_DETECT_TAIL_KEEP (float, uint32) pairs,
 * 4 KiB, allocated with the side's first deviation beyond the base.
 * Learning a point is O(1) unless it is beyond the base (then O(KEEP):
 * the oldest leaves, the new one is inserted in order); a fit is
 * O(KEEP), and made only for a point beyond the base.
 *
 * Ownership: ev_detect_tail_save returns a new reference; _load borrows.
 */
#ifndef EV_DETECT_TAIL_H
#define EV_DETECT_TAIL_H

#include <stdint.h>
#include <jansson.h>

#define EV_DETECT_TAIL_KEEP	512	/* deviations kept per side */
#define EV_DETECT_TAIL_BASE	2.0	/* |z| kept from */
#define EV_DETECT_TAIL_SHARE	0.02	/* threshold: the 98% quantile */
#define EV_DETECT_TAIL_FIT	50	/* exceedances before a fit */

struct ev_detect_tail_side {
	float	z[EV_DETECT_TAIL_KEEP];		/* |z|, ascending */
	uint32_t at[EV_DETECT_TAIL_KEEP];	/* point count when seen */
	int	len;
};

struct ev_detect_tail {
	int64_t	n;			/* points learned */
	struct ev_detect_tail_side *side[2];	/* below, above; or NULL */
};

/* A fresh tail: no points. */
void	ev_detect_tail_init(struct ev_detect_tail *t);
void	ev_detect_tail_release(struct ev_detect_tail *t);

/*
 * The two-sided tail probability of the deviation z (twice the side's
 * one-sided tail) into *p, from the points learned so far: 1, or 0 when
 * |z| is within the base or the side has too little tail for a fit yet.
 */
int	ev_detect_tail_p(const struct ev_detect_tail *t, double z, double *p);

/* Learn the deviation z of one more point. */
void	ev_detect_tail_learn(struct ev_detect_tail *t, double z);

/* The fit of side (0 below, 1 above): threshold, share beyond it, xi,
 * sigma; returns the exceedances used, 0 when there is no fit. */
int	ev_detect_tail_fit(const struct ev_detect_tail *t, int side,
	    double *u, double *share, double *xi, double *sigma);

/* State as JSON, and back (0, or -1 on a malformed value). */
json_t	*ev_detect_tail_save(const struct ev_detect_tail *t);
int	ev_detect_tail_load(struct ev_detect_tail *t, const json_t *v);

#endif /* EV_DETECT_TAIL_H */
