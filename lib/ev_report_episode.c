/*
 * ev_report_episode.c - alert episodes of one metric: the points of an
 * episode grouped by series and by ev-detect's "since", closed by its
 * "resolved" record, and reported once with the peak of its points.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_report_fmt.h"
#include "ev_report_episode.h"

/* Series, then time; a resolution after a point of the same time. */
static int
ep_cmp_alert(const void *pa, const void *pb)
{
	const struct ev_report_alert *a = pa, *b = pb;

	if (a->series != b->series)
		return a->series < b->series ? -1 : 1;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->resolved - b->resolved;
}

/* One episode while it is being gathered. */
struct ep {
	const struct ev_report_alert *first, *peak, *expl;
	ev_us_t		 start, end, last_end;
	const char	*since;		/* ev-detect's key or NULL */
	size_t		 npoints;
	double		 score;
	int		 sevrank, resolved;
	const char	*severity;
};

static int
ep_sevrank(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	if (strcmp(s, "critical") == 0)
		return 3;
	if (strcmp(s, "warning") == 0)
		return 2;
	return 1;
}

/* Distance of a point from its expected value; NaN when unknown. */
static double
ep_dist(const struct ev_report_alert *p)
{
	return fabs(p->value - ev_report_get_num(p->a, "expected", NAN));
}

static void
ep_start(struct ep *e, const struct ev_report_alert *p)
{
	const char *since = ev_report_get_str(p->a, "since", NULL);
	ev_us_t st;

	memset(e, 0, sizeof(*e));
	e->first = e->peak = p;
	e->start = p->t;
	e->since = since;
	/* The episode started pending at "since", before it fired. */
	if (since != NULL && ev_time_parse(since, strlen(since), &st) == 0 &&
	    st < p->t)
		e->start = st;
	e->score = -INFINITY;
}

static void
ep_add(struct ep *e, const struct ev_report_alert *p)
{
	const char *sev = ev_report_get_str(p->a, "severity", NULL);
	double sc = ev_report_get_num(p->a, "score", NAN), d = ep_dist(p);
	double pd = ep_dist(e->peak);

	e->npoints++;
	e->last_end = p->end;
	if (!isnan(sc) && sc > e->score)
		e->score = sc;
	if (ep_sevrank(sev) > e->sevrank) {
		e->sevrank = ep_sevrank(sev);
		e->severity = sev;
	}
	/* The peak: farthest from expected; ties to the earlier point. */
	if (!isnan(d) && (isnan(pd) || d > pd))
		e->peak = p;
	if (e->expl == NULL && *ev_report_get_str(p->a, "summary", "") != '\0')
		e->expl = p;
}

static json_t *
ep_time(ev_us_t t)
{
	char buf[EV_TIME_BUFSZ];

	return json_string(ev_time_format(t, -1, buf));
}

static json_t *
ep_num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *
ep_json(const struct ep *e)
{
	const struct ev_report_alert *pk = e->peak, *ex;
	json_t *o = json_object(), *x;
	double exp = ev_report_get_num(pk->a, "expected", NAN);
	ev_us_t end = e->resolved ? e->end : e->last_end;
	const char *dir, *fp;
	char buf[EV_TIME_BUFSZ];

	/* The explanation of the peak when it has one. */
	ex = *ev_report_get_str(pk->a, "summary", "") != '\0' ||
	    e->expl == NULL ? pk : e->expl;
	json_object_set_new(o, "series", json_string(pk->name));
	json_object_set_new(o, "labels", json_deep_copy(pk->labels));
	json_object_set_new(o, "start", ep_time(e->start));
	json_object_set_new(o, "end", e->resolved || e->last_end < pk->last ?
	    ep_time(end) : json_null());
	json_object_set_new(o, "ongoing", json_boolean(!e->resolved &&
	    e->last_end >= pk->last));
	json_object_set_new(o, "duration", json_string(
	    ev_duration_format(end - e->start, buf)));
	json_object_set_new(o, "seconds", json_real((double)(end - e->start) /
	    EV_US_PER_SEC));
	json_object_set_new(o, "points", json_integer((json_int_t)e->npoints));
	json_object_set_new(o, "peak_at", ep_time(pk->t));
	json_object_set_new(o, "value", ep_num(pk->value));
	json_object_set_new(o, "expected", ep_num(exp));
	json_object_set_new(o, "lower", ep_num(ev_report_get_num(pk->a,
	    "lower", NAN)));
	json_object_set_new(o, "upper", ep_num(ev_report_get_num(pk->a,
	    "upper", NAN)));
	json_object_set_new(o, "deviation", ep_num(isnan(exp) || exp == 0 ?
	    NAN : (pk->value - exp) / fabs(exp)));
	dir = ev_report_get_str(pk->a, "direction", NULL);
	if (dir == NULL)
		dir = isnan(pk->value) || isnan(exp) ? "" : pk->value < exp ?
		    "down" : "up";
	json_object_set_new(o, "direction", json_string(dir));
	json_object_set_new(o, "score", ep_num(isinf(e->score) ? NAN :
	    e->score));
	json_object_set_new(o, "severity", json_string(e->severity ?
	    e->severity : ""));
	fp = ev_report_get_str(e->first->a, "fingerprint", "");
	json_object_set_new(o, "fingerprint", json_string(fp));
	json_object_set_new(o, "summary", json_string(ev_report_get_str(ex->a,
	    "summary", "")));
	x = json_object_get(ex->a, "explain");
	json_object_set_new(o, "explain", json_is_array(x) ?
	    json_deep_copy(x) : json_array());
	return o;
}

/* Start, then series name: the order incidents are listed in. */
static int
ep_cmp_json(const void *pa, const void *pb)
{
	const json_t *a = *(const json_t *const *)pa;
	const json_t *b = *(const json_t *const *)pb;
	int c = strcmp(ev_report_get_str(a, "start", ""),
	    ev_report_get_str(b, "start", ""));

	if (c != 0)
		return c;
	return strcmp(ev_report_get_str(a, "series", ""),
	    ev_report_get_str(b, "series", ""));
}

json_t *
ev_report_episodes(struct ev_report_alert *al, size_t n)
{
	json_t **ep = ev_xreallocarray(NULL, n ? n : 1, sizeof(*ep));
	json_t *out = json_array();
	struct ep cur;
	size_t i, nep = 0;
	int open = 0;

	if (n > 1)
		qsort(al, n, sizeof(*al), ep_cmp_alert);
	for (i = 0; i < n; i++) {
		const struct ev_report_alert *p = &al[i];
		const char *since;

		if (open && p->series != cur.first->series) {
			ep[nep++] = ep_json(&cur);
			open = 0;
		}
		if (p->resolved) {
			/* Ends the open episode; alone it has no points. */
			if (open) {
				cur.resolved = 1;
				cur.end = p->t;
				ep[nep++] = ep_json(&cur);
				open = 0;
			}
			continue;
		}
		since = ev_report_get_str(p->a, "since", NULL);
		/*
		 * A point joins the open episode when ev-detect says it is
		 * the same one (same "since"), or, without that key, when
		 * its window follows the last one without a gap.
		 */
		if (open && (cur.since != NULL || since != NULL ?
		    cur.since != NULL && since != NULL &&
		    strcmp(cur.since, since) == 0 : p->t <= cur.last_end)) {
			ep_add(&cur, p);
			continue;
		}
		if (open)
			ep[nep++] = ep_json(&cur);
		ep_start(&cur, p);
		ep_add(&cur, p);
		open = 1;
	}
	if (open)
		ep[nep++] = ep_json(&cur);
	if (nep > 1)
		qsort(ep, nep, sizeof(*ep), ep_cmp_json);
	for (i = 0; i < nep; i++)
		json_array_append_new(out, ep[i]);
	free(ep);
	return out;
}
