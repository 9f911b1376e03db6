/* ev_nab.c - NAB-style scoring of detections (see ev_nab.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_nab.h"

const struct ev_nab_profile ev_nab_profiles[EV_NAB_NPROFILES] = {
	{ "standard", 1.0, 0.11, 1.0 },
	{ "reward_low_fp", 1.0, 0.22, 1.0 },
	{ "reward_low_fn", 1.0, 0.11, 2.0 },
};

double
ev_nab_sigmoid(double y)
{
	if (y > 3)
		return -1;
	return 2 / (1 + exp(5 * y)) - 1;
}

size_t
ev_nab_windows(const unsigned char *label, size_t n,
    struct ev_nab_window **out)
{
	struct ev_nab_window *w;
	size_t i, a, runs = 0, nw = 0, len, want, lo, hi, extra;

	*out = NULL;
	for (i = 0; i < n; i++)
		if (label[i] && (i == 0 || !label[i - 1]))
			runs++;
	if (runs == 0)
		return 0;
	want = (size_t)floor(0.1 * (double)n / (double)runs);
	w = ev_xreallocarray(NULL, runs, sizeof(*w));
	for (i = 0; i < n; ) {
		if (!label[i]) {
			i++;
			continue;
		}
		for (a = i; i < n && label[i]; i++)
			;
		len = i - a;
		extra = want > len ? want - len : 0;
		/* Centred on the run: half the extra points on each side. */
		lo = a >= extra / 2 ? a - extra / 2 : 0;
		hi = (i - 1) + (extra - extra / 2);
		if (hi > n - 1)
			hi = n - 1;
		if (nw > 0 && lo <= w[nw - 1].hi) {
			/* Overlapping windows are one. */
			if (hi > w[nw - 1].hi)
				w[nw - 1].hi = hi;
			continue;
		}
		w[nw].lo = lo;
		w[nw].hi = hi;
		w[nw].first = a;
		nw++;
	}
	*out = w;
	return nw;
}

void
ev_nab_score(const unsigned char *label, const unsigned char *det, size_t n,
    struct ev_nab_result *r)
{
	struct ev_nab_window *w;
	size_t nw, i, k = 0, p;
	double top = ev_nab_sigmoid(-1), y, s;
	int prev = 0;

	memset(r, 0, sizeof(*r));
	nw = ev_nab_windows(label, n, &w);
	r->windows = nw;
	r->first_det = ev_xreallocarray(NULL, nw + 1, sizeof(size_t));
	for (k = 0; k < nw; k++)
		r->first_det[k] = (size_t)-1;
	k = 0;
	for (i = 0; i < n; i++) {
		while (k < nw && w[k].hi < i) {
			k++;
			prev = 1;
		}
		if (!det[i])
			continue;
		r->detections++;
		if (k < nw && i >= w[k].lo) {
			r->true_det++;
			if (r->first_det[k] != (size_t)-1)
				continue;	/* only the first one counts */
			r->first_det[k] = i;
			y = -(double)(w[k].hi - i + 1) /
			    (double)(w[k].hi - w[k].lo + 1);
			s = ev_nab_sigmoid(y) / top;
			for (p = 0; p < EV_NAB_NPROFILES; p++)
				r->raw[p] += ev_nab_profiles[p].tp * s;
			r->detected++;
			r->delay_pts += i > w[k].first ?
			    (double)(i - w[k].first) : 0;
			continue;
		}
		r->false_det++;
		if (!prev)
			s = -1;
		else {
			const struct ev_nab_window *pw = &w[k - 1];

			s = pw->hi > pw->lo ? ev_nab_sigmoid(
			    (double)(i - pw->hi) / (double)(pw->hi - pw->lo)) :
			    -1;
		}
		for (p = 0; p < EV_NAB_NPROFILES; p++)
			r->raw[p] += ev_nab_profiles[p].fp * s;
	}
	for (p = 0; p < EV_NAB_NPROFILES; p++) {
		r->raw[p] -= ev_nab_profiles[p].fn *
		    (double)(nw - r->detected);
		r->null[p] = -ev_nab_profiles[p].fn * (double)nw;
		r->perfect[p] = ev_nab_profiles[p].tp * (double)nw;
	}
	free(w);
}

double
ev_nab_normalise(double raw, double null, double perfect)
{
	if (!(perfect > null))
		return 0;
	return 100 * (raw - null) / (perfect - null);
}
