/*
 * ev_rollmed.h - the median and the median absolute deviation (MAD) of the
 * last `cap` values of a stream, kept up to date point by point.
 *
 * The window is held twice: as a ring in arrival order (which value leaves
 * next, and the order a saved state lists them in) and as a sorted array.
 * A push when the window is full finds the leaving value and the new value's
 * place by binary search and shifts the values between the two places by
 * one slot (one memmove of at most cap - 1 doubles).  The median is then
 * read off the middle of the sorted array; the MAD is found without sorting
 * the deviations: split at the median, the deviations of the values below
 * it grow leftwards and those of the values above it grow rightwards, so
 * they are two sorted sequences and their k-th smallest comes from a binary
 * search over how many of them each side gives, in O(log cap).
 *
 * Cost per push: O(log cap) comparisons plus the shift; median O(1); MAD
 * O(log cap).  Memory: two arrays of cap doubles, 16 * cap bytes.
 *
 * The results equal, bit for bit, those of sorting the window: the median
 * of an even count is (a + b) / 2 of the two middle values, and each
 * deviation is fabs(x - median) computed from the value itself.  Values
 * must not be NaN (infinities are fine).
 *
 * Ownership: a struct ev_rollmed owns its two arrays; ev_rollmed_release
 * frees them.
 */
#ifndef EV_ROLLMED_H
#define EV_ROLLMED_H

struct ev_rollmed {
	double	*v;		/* ring, arrival order: v[(pos - len + i) % cap] */
	double	*s;		/* the same len values, sorted */
	int	 cap, len, pos;	/* pos: the slot the next value goes to */
};

/* An empty window of cap values (cap < 1 counts as 1). */
void	ev_rollmed_init(struct ev_rollmed *r, int cap);
void	ev_rollmed_release(struct ev_rollmed *r);
/* Forget every value. */
void	ev_rollmed_clear(struct ev_rollmed *r);
/* Add x; when the window is full the oldest value leaves. */
void	ev_rollmed_push(struct ev_rollmed *r, double x);
/*
 * Keep only the newest k values; afterwards they sit in v[0..k) oldest
 * first, as after k pushes into an empty window.
 */
void	ev_rollmed_keep(struct ev_rollmed *r, int k);
/* The i-th oldest value, 0 <= i < len. */
double	ev_rollmed_at(const struct ev_rollmed *r, int i);
/* The median; NaN when empty. */
double	ev_rollmed_median(const struct ev_rollmed *r);
/* The median of fabs(x - med) over the window; NaN when empty. */
double	ev_rollmed_mad(const struct ev_rollmed *r, double med);

#endif /* EV_ROLLMED_H */
