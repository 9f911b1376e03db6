/*
 * ev_nab.h - scoring of detections against labelled series by the published
 * rules of the Numenta Anomaly Benchmark (NAB), written from its
 * description, plus event-level counts.
 *
 * A series is n points in time order; label[i] marks a point judged
 * anomalous and det[i] a detection (the first point of an alert episode).
 * Each maximal run of labelled points is one anomaly; it gets a window
 * centred on the run's middle, of 10% of n divided by the number of runs
 * (never shorter than the run itself), clipped to the series; overlapping
 * or touching windows are merged into one.
 *
 * Scores, for a profile with weights A_TP, A_FP, A_FN, and the scaled
 * sigmoid sig(y) = 2 / (1 + exp(5y)) - 1 (and -1 for y > 3):
 *   - the first detection inside a window [lo, hi] of length L scores
 *     A_TP * sig(-(hi - i + 1) / L) / sig(-1), so 1 * A_TP at the window's
 *     first point falling to about 0 at its end; later detections in the
 *     same window are ignored;
 *   - a detection outside every window scores A_FP * sig(y), where y is its
 *     distance past the end of the last window before it in units of that
 *     window's length less one (slightly late is penalised less), and -A_FP
 *     when no window precedes it;
 *   - a window without a detection scores -A_FN.
 * The null detector (no detection) scores -A_FN per window, the perfect one
 * A_TP per window; a dataset's score is 100 (raw - null) / (perfect - null)
 * with raw, null and perfect summed over its series.
 *
 * Ownership: plain structs; ev_nab_windows returns a new array (free).
 */
#ifndef EV_NAB_H
#define EV_NAB_H

#include <stddef.h>

#define EV_NAB_NPROFILES	3

struct ev_nab_profile {
	const char *name;
	double	tp, fp, fn;
};

/* standard (1, 0.11, 1), reward_low_fp (1, 0.22, 1), reward_low_fn (1, 0.11, 2) */
extern const struct ev_nab_profile ev_nab_profiles[EV_NAB_NPROFILES];

struct ev_nab_window {
	size_t	lo, hi;		/* inclusive point indexes */
	size_t	first;		/* first labelled point inside it */
};

struct ev_nab_result {
	size_t	windows;	/* after merging */
	size_t	detected;	/* windows with a detection */
	size_t	detections;	/* detections in all */
	size_t	true_det;	/* detections inside a window */
	size_t	false_det;	/* detections outside every window */
	double	delay_pts;	/* sum over detected windows of the points from
				   the first labelled point to the first
				   detection (0 when it came earlier) */
	double	raw[EV_NAB_NPROFILES];
	double	null[EV_NAB_NPROFILES];
	double	perfect[EV_NAB_NPROFILES];
	size_t	*first_det;	/* per window: index of its first detection,
				   or (size_t)-1; new array (free) */
};

/* The scaled sigmoid of NAB. */
double	ev_nab_sigmoid(double y);
/* The windows of label[0..n); returns their number, *out a new array. */
size_t	ev_nab_windows(const unsigned char *label, size_t n,
	    struct ev_nab_window **out);
/* Score det[0..n) against label[0..n) into *r (r->first_det is new). */
void	ev_nab_score(const unsigned char *label, const unsigned char *det,
	    size_t n, struct ev_nab_result *r);
/* 100 (raw - null) / (perfect - null); 0 when perfect == null. */
double	ev_nab_normalise(double raw, double null, double perfect);

#endif /* EV_NAB_H */
