/*
 * ev_report_trim.c - the report's range and step from the records in
 * the store, and the records taken out so that the range stays
 * writable and within EV_REPORT_MAX_POINTS points.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_report_fmt.h"
#include "ev_report_store.h"
#include "ev_report_store_int.h"


/*
 * qsort has no context argument in C11; sort ourselves (merge sort, stable
 * and without a global) by series (unless by_time), time and arrival.
 */
static int
rep_before(const struct ev_report_entry *ent, size_t ia, size_t ib, int by_time)
{
	const struct ev_report_entry *a = &ent[ia], *b = &ent[ib];

	if (!by_time && a->series != b->series)
		return a->series < b->series;
	if (a->t != b->t)
		return a->t < b->t;
	return ia < ib;
}

/* The merge sort itself (rep_before's order). */
static void
rep_merge_sort(const struct ev_report_entry *ent, size_t *v, size_t n,
    int by_time)
{
	size_t *tmp, w, i;

	if (n < 2)
		return;
	tmp = ev_xreallocarray(NULL, n, sizeof(*tmp));
	for (w = 1; w < n; w *= 2) {
		for (i = 0; i < n; i += 2 * w) {
			size_t lo = i, mid = i + w < n ? i + w : n;
			size_t hi = i + 2 * w < n ? i + 2 * w : n;
			size_t a = lo, b = mid, k = lo;

			while (a < mid && b < hi)
				tmp[k++] = rep_before(ent, v[b], v[a],
				    by_time) ?
				    v[b++] : v[a++];
			while (a < mid)
				tmp[k++] = v[a++];
			while (b < hi)
				tmp[k++] = v[b++];
		}
		memcpy(v, tmp, n * sizeof(*v));
	}
	free(tmp);
}

/* Whether v (n entries) is in rep_before's order already. */
static int
rep_sorted(const struct ev_report_entry *ent, const size_t *v, size_t n,
    int by_time)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (rep_before(ent, v[i], v[i - 1], by_time))
			return 0;
	return 1;
}

/*
 * rep_before is a total order (arrival breaks ties), so any sort gives
 * the same list: entries are bucketed by series first (a counting sort),
 * and a bucket, or a list by time, is merge-sorted only when it is not in
 * order already, as records mostly arrive in time order.
 */
void
ev_report_entry_sort(const struct ev_report_entry *ent, size_t *v, size_t n,
    int by_time)
{
	size_t *cnt, *tmp, i, nb = 0;

	if (n < 2)
		return;
	if (by_time) {
		if (!rep_sorted(ent, v, n, 1))
			rep_merge_sort(ent, v, n, 1);
		return;
	}
	for (i = 0; i < n; i++)
		if (ent[v[i]].series >= nb)
			nb = (size_t)ent[v[i]].series + 1;
	cnt = ev_xcalloc(nb + 1, sizeof(*cnt));
	tmp = ev_xreallocarray(NULL, n, sizeof(*tmp));
	for (i = 0; i < n; i++)
		cnt[ent[v[i]].series + 1]++;
	for (i = 1; i <= nb; i++)
		cnt[i] += cnt[i - 1];
	for (i = 0; i < n; i++)	/* cnt[b]: next place of bucket b */
		tmp[cnt[ent[v[i]].series]++] = v[i];
	memcpy(v, tmp, n * sizeof(*v));
	/* Now cnt[b] is the end of bucket b, cnt[b - 1] its start. */
	for (i = 0; i < nb; i++) {
		size_t lo = i == 0 ? 0 : cnt[i - 1], len = cnt[i] - lo;

		if (!rep_sorted(ent, v + lo, len, 1))
			rep_merge_sort(ent, v + lo, len, 1);
	}
	free(tmp);
	free(cnt);
}

/* ---- the range and its step ---- */

/* The end of an entry's window (its time when it has none). */
ev_us_t
ev_report_entry_end(const struct ev_report_entry *e)
{
	return e->end > e->t ? e->end : e->t;
}

/*
 * The records' first time, last end and the grid's step: the shortest
 * window, else the smallest gap between two records of a series, else a
 * minute; at least --step.  ord lists the entries by series and time; NULL
 * sorts them here when the gaps are needed.
 */
void
ev_report_store_span(const struct ev_report_store *s, const size_t *ord,
    ev_us_t *tminp, ev_us_t *tmaxp, ev_us_t *stepp)
{
	ev_us_t tmin = INT64_MAX, tmax = INT64_MIN, step = 0;
	size_t i, *own = NULL;

	for (i = 0; i < s->nent; i++) {
		const struct ev_report_entry *e = &s->ent[i];

		if (e->t < tmin)
			tmin = e->t;
		if (ev_report_entry_end(e) > tmax)
			tmax = ev_report_entry_end(e);
		if (e->end > e->t && (step == 0 || e->end - e->t < step))
			step = e->end - e->t;
	}
	if (step == 0 && s->nent > 1) {
		if (ord == NULL) {
			own = ev_xreallocarray(NULL, s->nent, sizeof(*own));
			for (i = 0; i < s->nent; i++)
				own[i] = i;
			ev_report_entry_sort(s->ent, own, s->nent, 0);
			ord = own;
		}
		for (i = 1; i < s->nent; i++) {
			const struct ev_report_entry *a = &s->ent[ord[i - 1]];
			const struct ev_report_entry *b = &s->ent[ord[i]];

			if (a->series == b->series && b->t > a->t &&
			    (step == 0 || b->t - a->t < step))
				step = b->t - a->t;
		}
		free(own);
	}
	if (step == 0)
		step = EV_US_PER_MIN;
	if (s->o.step > step)
		step = s->o.step;
	if (s->nent > 0 && tmax < tmin + step)
		tmax = tmin + step;
	*tminp = tmin;
	*tmaxp = tmax;
	*stepp = step;
}

/* The report's range from the records' span and the options. */
void
ev_report_store_range(const struct ev_report_store *s, ev_us_t tmin,
    ev_us_t tmax, ev_us_t *since, ev_us_t *until)
{
	*until = s->o.has_until ? s->o.until : tmax;
	if (s->o.has_since)
		*since = s->o.since;
	else if (s->o.last > 0)
		*since = *until - s->o.last;
	else
		*since = s->nent > 0 ? tmin : 0;
	if (s->nent == 0 && !s->o.has_until)
		*until = *since;
	if (*until < *since)
		*until = *since;
}

static int
rep_fits(ev_us_t since, ev_us_t until, ev_us_t step)
{
	return (uint64_t)(until - since) / (uint64_t)step <
	    EV_REPORT_MAX_POINTS;
}

/*
 * Mark (keep[i] = 0) the entries outside the densest stretch of w/2 by
 * time: the stretch holding the most records (the latest of equals).
 * Entries whose own window is longer than w/2 fit in no stretch.  So
 * every kept record starts within w/2 of the first and ends within w of
 * it.  Returns the number marked.
 */
static size_t
rep_densest(const struct ev_report_store *s, ev_us_t w, char *keep)
{
	size_t *v = ev_xreallocarray(NULL, s->nent, sizeof(*v));
	size_t i, n = 0, lo = 0, best = 0, bestlo = 0, besthi = 0, dropped = 0;
	ev_us_t half = w / 2;

	for (i = 0; i < s->nent; i++) {
		if (!keep[i])
			continue;
		if (ev_report_entry_end(&s->ent[i]) - s->ent[i].t > half) {
			keep[i] = 0;
			dropped++;
			continue;
		}
		v[n++] = i;
	}
	ev_report_entry_sort(s->ent, v, n, 1);
	for (i = 0; i < n; i++) {
		while (s->ent[v[i]].t - s->ent[v[lo]].t > half)
			lo++;
		if (i + 1 - lo >= best) {
			best = i + 1 - lo;
			bestlo = lo;
			besthi = i + 1;
		}
	}
	for (i = 0; i < n; i++)
		if (i < bestlo || i >= besthi) {
			keep[v[i]] = 0;
			dropped++;
		}
	free(v);
	return dropped;
}

/*
 * Keep the objects of the entries kept, renumbered by map; release the
 * others'.  Returns how many are left.
 */
static size_t
rep_compact_objs(struct ev_report_obj *v, size_t n, const char *keep,
    const size_t *map)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (!keep[v[i].entry]) {
			json_decref(v[i].a);
			continue;
		}
		v[k] = v[i];
		v[k++].entry = map[v[i].entry];
	}
	return k;
}

/*
 * Remove the entries not kept, renumbering what refers to them: the
 * anomalies, the resolutions and the top lists.
 */
static void
rep_compact(struct ev_report_store *s, const char *keep)
{
	size_t *map = ev_xreallocarray(NULL, s->nent ? s->nent : 1,
	    sizeof(*map));
	size_t i, n = 0;

	for (i = 0; i < s->nent; i++) {
		map[i] = n;
		if (keep[i])
			s->ent[n++] = s->ent[i];
	}
	s->nanom = rep_compact_objs(s->anom, s->nanom, keep, map);
	s->nres = rep_compact_objs(s->res, s->nres, keep, map);
	s->ntop = rep_compact_objs(s->tops, s->ntop, keep, map);
	s->nent = n;
	free(map);
}

size_t
ev_report_store_trim(struct ev_report_store *s,
    void (*drop)(void *arg, uint64_t id, const char *msg), void *arg,
    char *note, size_t notelen)
{
	ev_us_t tmin, tmax, step, since, until, w;
	char *keep, tbuf[EV_TIME_BUFSZ], sbuf[EV_TIME_BUFSZ], msg[400];
	size_t i, nlate = 0, nfar = 0, nkept;

	if (notelen > 0)
		note[0] = '\0';
	if (s->nent == 0)
		return 0;
	keep = ev_xmalloc(s->nent);
	memset(keep, 1, s->nent);
	ev_report_store_span(s, NULL, &tmin, &tmax, &step);

	/* A point must end by 9999-12-31T23:59:59.999999Z to be written. */
	for (i = 0; i < s->nent; i++)
		if (s->ent[i].t > EV_TIME_MAX - step) {
			keep[i] = 0;
			nlate++;
		}

	/*
	 * Too many points: drop the records far from the rest, when the
	 * range has a free end and most records lie close together.
	 */
	ev_report_store_range(s, tmin, tmax, &since, &until);
	if (!rep_fits(since, until, step) && s->o.last == 0 &&
	    !(s->o.has_since && s->o.has_until)) {
		/* No overflow: the range, under 2^59, is over 2e6 steps. */
		w = (ev_us_t)(EV_REPORT_MAX_POINTS - 2) * step;
		for (i = 0; i < s->nent; i++) {
			const struct ev_report_entry *e = &s->ent[i];
			int out;

			if (!keep[i])
				continue;
			if (s->o.has_since)
				out = ev_report_entry_end(e) > s->o.since + w;
			else if (s->o.has_until)
				out = e->t < s->o.until - w;
			else
				continue;
			if (out) {
				keep[i] = 0;
				nfar++;
			}
		}
		if (!s->o.has_since && !s->o.has_until)
			nfar = rep_densest(s, w, keep);
		nkept = s->nent - nlate - nfar;
		if (nfar > nkept) {
			/* No stretch holds most records: keep them all. */
			for (i = 0; i < s->nent; i++)
				keep[i] = s->ent[i].t <= EV_TIME_MAX - step;
			nfar = 0;
		}
	}
	ev_duration_format(step, sbuf);
	for (i = 0; i < s->nent; i++) {
		if (keep[i])
			continue;
		ev_time_format(s->ent[i].t, -1, tbuf);
		if (s->ent[i].t > EV_TIME_MAX - step)
			snprintf(msg, sizeof(msg), "'%s' %s leaves no room for "
			    "a point of %s before the year 10000",
			    s->o.time_field, tbuf, sbuf);
		else
			snprintf(msg, sizeof(msg), "'%s' %s lies too far "
			    "from the other records: a report holds at most "
			    "%d points of %s", s->o.time_field, tbuf,
			    EV_REPORT_MAX_POINTS, sbuf);
		drop(arg, s->ent[i].id, msg);
	}
	rep_compact(s, keep);
	free(keep);

	/* Still too many points: the points grow apart. */
	if (s->nent > 0) {
		ev_report_store_span(s, NULL, &tmin, &tmax, &step);
		ev_report_store_range(s, tmin, tmax, &since, &until);
		if (!rep_fits(since, until, step)) {
			uint64_t k = (uint64_t)(until - since) /
			    ((uint64_t)(EV_REPORT_MAX_POINTS - 1) *
			    (uint64_t)step) + 1;

			s->o.step = (ev_us_t)k * step;
			ev_duration_format(s->o.step, tbuf);
			snprintf(note, notelen, "the range holds more than %d "
			    "points of %s; points are %s apart instead",
			    EV_REPORT_MAX_POINTS, sbuf, tbuf);
		}
	}
	return nlate + nfar;
}

