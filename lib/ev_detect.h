/*
 * ev_detect.h - streaming anomaly models for one metric series each.
 *
 * A model sees the points of one series in time order.  For each point it
 * first scores the value against what it learned so far (expected value,
 * bounds at the configured confidence, a robust z and a calibrated score in
 * [0,1]) and then learns from it.  Four baselines:
 *
 *   robust    rolling median and MAD over the last `window` points
 *   ewma      exponentially weighted mean and variance
 *   seasonal  log(1 + value) as a slow level, a daily shape (24 hour
 *             bins), a weekday offset (7 bins, learned from whole days)
 *             and a fast level, learned online from local wall-clock
 *             hours, so DST is followed by the caller's zone; noise
 *             phi*mu + tau2*mu^2 fitted to the residuals, and the score
 *             from the negative binomial tail of that mean and variance;
 *             a CUSUM of the residual z, discounted by their lag-1
 *             autocorrelation, for shifts smaller than a point alert
 *   cusum     two-sided CUSUM of robust z values for level shifts
 *   auto      runs robust, ewma and seasonal side by side and reports the
 *             one whose recent absolute prediction error is smallest
 *
 * The score is 1 - p where p is the two-sided normal tail probability of z
 * (for cusum: of the mean z since the change point, Bonferroni-corrected
 * for the candidate change points; for seasonal: the two-sided mid-p tail
 * of the count, and z the normal deviate with that tail), so a threshold
 * of 0.99999 means a one in 100,000 point under the model.  That p is then
 * calibrated by the series' own history: a |z| the series reached in
 * k >= 3 earlier excursions (runs beyond |z| = 2, counted once by their
 * peak), at least one every two days of history, has p at least
 * k / (n + 1) of its n scored points; p is at least the series' own
 * tail of z per point, by peaks over threshold (lib/ev_detect_tail.h),
 * once that has enough points; and (robust, ewma, cusum) a point
 * rarer than 1e-3 whose deviation the same quarter hour of the day made
 * at least half of on c >= 2 of the last seven days has p at least
 * c / (days + 1); and (all but auto) a point rarer than 1e-3 in a burst
 * of at most 15 minutes whose deviation, in value units, at least three
 * earlier days of the last week reached half of has p at least that
 * share of the days (lib/ev_detect_recur.h).  The score is
 * 1 - p, never exactly 1, and p is kept for -log10 p.  A series is a count
 * (Poisson floor, count tails) only while its values are non-negative
 * integers; a count's drops are also seen by a CUSUM on its rate against
 * the seasonal expected value (lib/ev_detect_count.h), which auto consults
 * whichever baseline it reports.  A point not stepped (a gap) is not
 * learned: levels and sums move by each point's own window length, not by
 * the time since the last point.
 *
 * The module uses no clock and no time zone: the caller passes the point's
 * local wall-clock time as hours since the epoch (see struct ev_detect_point).
 *
 * Ownership: ev_detect_model_new returns a new model (ev_detect_model_free).
 * ev_detect_model_save returns a new JSON reference; ev_detect_model_load
 * borrows its argument.  Method names returned are static strings.
 */
#ifndef EV_DETECT_H
#define EV_DETECT_H

#include <stdint.h>
#include <jansson.h>

enum ev_detect_method {
	EV_DETECT_ROBUST,
	EV_DETECT_EWMA,
	EV_DETECT_SEASONAL,
	EV_DETECT_CUSUM,
	EV_DETECT_AUTO
};

struct ev_detect_params {
	enum ev_detect_method method;
	int	window;		/* robust, cusum: points in the rolling window */
	int	warmup;		/* points learned before any score */
	double	warmup_hours;	/* series' own time before any score; < 0:
				   automatic (EV_DETECT_WARMUP_AUTO) */
	double	confidence;	/* two-sided level of lower/upper, e.g. 0.99 */
	double	alpha;		/* ewma: weight of the newest point */
	double	level_halflife;	/* seasonal: hours for the level to adapt */
	double	season_rate;	/* seasonal: weight of the newest day/week */
	double	cusum_k;	/* cusum: allowance in sigmas */
	double	cusum_h;	/* cusum: decision interval in sigmas */
	int	poisson;	/* floor the scale at Poisson noise (counts) */
	double	min_scale;	/* absolute floor of the scale, value units */
};

/*
 * Automatic warm-up, hours of the series' own time before its first score:
 * one day for robust, ewma, cusum and auto (the time-of-day memory and the
 * tail cannot know a daily job or a series' usual bursts before a day),
 * two days for seasonal (a daily shape seen once is one day's noise).
 * Seasonal never scores before two days, whatever warmup_hours says.
 */
#define EV_DETECT_WARMUP_AUTO	(-1.0)
#define EV_DETECT_WARMUP_DAY	24.0
#define EV_DETECT_WARMUP_SEASONAL	48.0

/* Defaults: robust, window 60, warmup 0 points and automatic time, 0.99. */
void	ev_detect_params_default(struct ev_detect_params *p);
/* "robust" … "auto" to a method; -1 when unknown. */
int	ev_detect_method_parse(const char *s);
const char *ev_detect_method_name(enum ev_detect_method m);

struct ev_detect_point {
	double	value;
	double	local_hours;	/* local wall-clock hours since 1970-01-01 */
	double	step_hours;	/* length of the window (or point spacing) */
};

struct ev_detect_score {
	int	scored;		/* 0 while learning: other fields unset */
	const char *method;	/* the baseline that produced it */
	double	score;		/* 1 - p, in [0,1) */
	double	p;		/* two-sided tail probability, calibrated */
	double	z;		/* signed deviation in model sigmas */
	double	expected, lower, upper;
	int	direction;	/* -1 below, +1 above expected, 0 equal */
	/* Unscored for warm-up: 1 time (hours), 2 points; how far along. */
	int	warming;
	double	warm_seen, warm_need;
};

struct ev_detect_model;

struct ev_detect_model *ev_detect_model_new(const struct ev_detect_params *p);
void	ev_detect_model_free(struct ev_detect_model *m);
/* Score pt against the model (into *out), then learn from it. */
void	ev_detect_model_step(struct ev_detect_model *m,
	    const struct ev_detect_point *pt, struct ev_detect_score *out);
/* Points seen so far. */
int64_t	ev_detect_model_points(const struct ev_detect_model *m);
/* The model as JSON, and back; load returns 0 or -1 on a malformed value. */
json_t	*ev_detect_model_save(const struct ev_detect_model *m);
int	ev_detect_model_load(struct ev_detect_model *m, const json_t *v);

/* erf(|z|/sqrt 2): 1 - two-sided normal tail probability of z. */
double	ev_detect_score_of_z(double z);
/* The z whose two-sided central probability is c (inverse of the above). */
double	ev_detect_z_of_conf(double c);

#endif /* EV_DETECT_H */
