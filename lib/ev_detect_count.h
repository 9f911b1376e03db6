/*
 * ev_detect_count.h - detection of a drop in the rate of a count series.
 *
 * An empty window of a sparse count is never surprising on its own: with
 * 12 events an hour, a minute without one has probability 0.82.  A drop
 * shows only as a run of windows with too few events, which this module
 * adds up: a one-sided CUSUM of the quasi-Poisson log-likelihood ratio of
 * a rate EV_DETECT_COUNT_DOWN times the baseline mu against mu,
 *
 *     S = max(0, S + (x log rho - (rho - 1) mu) / phi),
 *
 * where x is the window's count and phi >= 1 the over-dispersion (the
 * variance is phi * mu), learned online as the mean squared residual over
 * the mean.  The sum drifts upward once the true rate is below
 * (1 - rho) / log(1 / rho) = 0.497 of mu (about half) at any level of the
 * rate, and one empty window where 0.02 was expected adds only 0.016.
 * Under an unchanged rate exp(S) is a likelihood ratio of mean one (for
 * phi = 1), so by Ville's maximal inequality P(S >= h) <= exp(-h) at every
 * point: p = exp(-S) is a tail probability, and a score threshold 1 - q
 * is a false alarm rate of at most q per point, an average run length of
 * at least 1 / q windows between false alarms.
 *
 * The baseline mu is the caller's (a model that knows the daily shape: a
 * rate that falls fourfold every evening is no drop).  A drop held
 * (S >= log 100) for EV_DETECT_COUNT_RELEARN hours is taken as the new
 * level: the sum restarts.  A gap (no value) is not a window: the caller
 * does not step the module.
 *
 * Ownership: ev_detect_count_save returns a new reference; _load borrows.
 */
#ifndef EV_DETECT_COUNT_H
#define EV_DETECT_COUNT_H

#include <stdint.h>
#include <jansson.h>

#define EV_DETECT_COUNT_DOWN	0.2	/* design: a fifth of the rate */
#define EV_DETECT_COUNT_RELEARN	6.0	/* hours held: the new level */

struct ev_detect_count {
	double	hours;		/* hours learned */
	double	events;		/* events learned */
	double	qrr, qmu;	/* dispersion: weighted r^2 and mean */
	double	sd;		/* the CUSUM sum, nats */
	double	held;		/* hours the sum has held evidence */
	/* 1 - 0.5^(step / DISP_HALFLIFE) of the last step (0 of step 0). */
	double	g_step, g;
};

/* A fresh detector. */
void	ev_detect_count_init(struct ev_detect_count *c);

/*
 * Score the count x of a window of step hours against the expected mean
 * mu, then learn from it.  Returns the tail probability p = exp(-S) of a
 * drop under way (1 when there is no evidence of one).
 */
double	ev_detect_count_step(struct ev_detect_count *c, double x, double mu,
	    double step);

/* The sum S, in nats: the evidence of a drop under way. */
double	ev_detect_count_evidence(const struct ev_detect_count *c);

/* The over-dispersion phi >= 1 currently used. */
double	ev_detect_count_dispersion(const struct ev_detect_count *c);

/* State as a JSON array, and back (0, or -1 on a malformed value). */
json_t	*ev_detect_count_save(const struct ev_detect_count *c);
int	ev_detect_count_load(struct ev_detect_count *c, const json_t *v);

#endif /* EV_DETECT_COUNT_H */
