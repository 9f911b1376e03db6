/* ev_detect_backtest.c - alert episodes against ground truth labels. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_detect_backtest.h"
#include "ev_nab.h"

struct bt_label {
	json_t	*v;		/* the label object */
	const char *kind, *event;
	json_t	*filters;	/* borrowed from v */
	ev_us_t	 start, end;
	double	 factor;
};

struct bt_episode {
	json_t	*cols;
	ev_us_t	 fired, known;
	json_t	*top;
};

/* A labelled series: its points in order. */
struct bt_series {
	json_t	*cols;
	ev_us_t	*t;
	unsigned char *lab, *det;
	size_t	 n, cap;
};

struct ev_backtest {
	struct bt_series *ls;
	size_t	nls;
	struct bt_label *lab;
	size_t	nlab;
	struct bt_episode *ep;
	size_t	nep, capep;
	ev_us_t	span_start, span_end;
	int	have_span;
};

struct ev_backtest *
ev_backtest_new(void)
{
	return ev_xcalloc(1, sizeof(struct ev_backtest));
}

void
ev_backtest_free(struct ev_backtest *bt)
{
	size_t i;

	if (bt == NULL)
		return;
	for (i = 0; i < bt->nlab; i++)
		json_decref(bt->lab[i].v);
	for (i = 0; i < bt->nep; i++) {
		json_decref(bt->ep[i].cols);
		json_decref(bt->ep[i].top);
	}
	for (i = 0; i < bt->nls; i++) {
		json_decref(bt->ls[i].cols);
		free(bt->ls[i].t);
		free(bt->ls[i].lab);
		free(bt->ls[i].det);
	}
	free(bt->ls);
	free(bt->lab);
	free(bt->ep);
	free(bt);
}

static int
label_time(json_t *o, const char *k, ev_us_t *t)
{
	json_t *v = json_object_get(o, k);

	return v == NULL ? -1 : ev_time_from_json(v, t);
}

int
ev_backtest_load(struct ev_backtest *bt, const char *path, char *errbuf,
    size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int rc = 0;

	if (fp == NULL) {
		snprintf(errbuf, errlen, "cannot open labels '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, fp)) > 0) {
		json_error_t je;
		struct bt_label l;
		json_t *v;

		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		v = json_loadb(line, (size_t)n, 0, &je);
		memset(&l, 0, sizeof(l));
		l.v = v;
		if (v == NULL || !json_is_object(v) ||
		    (l.kind = json_string_value(json_object_get(v, "kind")))
		    == NULL ||
		    label_time(v, "start", &l.start) != 0 ||
		    label_time(v, "end", &l.end) != 0) {
			snprintf(errbuf, errlen, "%s:%zu: not a label (need "
			    "kind, start, end)", path, lineno);
			json_decref(v);
			rc = -1;
			break;
		}
		l.event = json_string_value(json_object_get(v, "event"));
		l.filters = json_object_get(v, "filters");
		if (!json_is_object(l.filters))
			l.filters = NULL;
		l.factor = json_is_number(json_object_get(v, "factor")) ?
		    json_number_value(json_object_get(v, "factor")) :
		    strcmp(l.kind, "outage") == 0 ? 0 : 1;
		bt->lab = ev_xreallocarray(bt->lab, bt->nlab + 1,
		    sizeof(*bt->lab));
		bt->lab[bt->nlab++] = l;
	}
	free(line);
	fclose(fp);
	return rc;
}

void
ev_backtest_episode(struct ev_backtest *bt, const json_t *cols,
    ev_us_t fired, ev_us_t known, const json_t *top)
{
	struct bt_episode *e;

	if (bt->nep == bt->capep) {
		bt->capep = bt->capep ? 2 * bt->capep : 64;
		bt->ep = ev_xreallocarray(bt->ep, bt->capep, sizeof(*bt->ep));
	}
	e = &bt->ep[bt->nep++];
	e->cols = json_deep_copy(cols);
	e->fired = fired;
	e->known = known;
	e->top = top ? json_deep_copy(top) : NULL;
}

void
ev_backtest_span(struct ev_backtest *bt, ev_us_t start, ev_us_t end)
{
	if (!bt->have_span || start < bt->span_start)
		bt->span_start = start;
	if (!bt->have_span || end > bt->span_end)
		bt->span_end = end;
	bt->have_span = 1;
}

/* Whether the series with columns cols is affected by label l. */
static int
affects(const struct bt_label *l, const json_t *cols)
{
	const char *k;
	json_t *v, *f;

	json_object_foreach((json_t *)(uintptr_t)cols, k, v) {
		if (strcmp(k, "event") == 0) {
			if (l->event && (!json_is_string(v) ||
			    strcmp(json_string_value(v), l->event) != 0))
				return 0;
			continue;
		}
		f = l->filters ? json_object_get(l->filters, k) : NULL;
		if (f && !json_equal(f, v))
			return 0;
	}
	return 1;
}

/* A total over the outage's segment column: the columns lack one filter. */
static int
is_total_of(const struct bt_label *l, const json_t *cols)
{
	const char *k;
	json_t *v;

	if (l->filters == NULL)
		return 0;
	json_object_foreach(l->filters, k, v)
		if (json_object_get(cols, k) == NULL)
			return 1;
	return 0;
}

/*
 * Whether an episode on cols (affected by outage l) names l's segment: an
 * episode on the segment itself (or on a narrower one inside it) does by
 * its own columns; one on a total does when its first explanation is it.
 */
static int top_names(const json_t *, const json_t *);

static int
names_segment(const struct bt_label *l, const struct bt_episode *e)
{
	if (is_total_of(l, e->cols))
		return top_names(e->top, l->filters);
	return 1;
}

static int
top_names(const json_t *top, const json_t *filters)
{
	const char *k;
	json_t *v;

	if (top == NULL || filters == NULL)
		return 0;
	json_object_foreach((json_t *)(uintptr_t)top, k, v) {
		if (strcmp(k, "share") == 0 || strcmp(k, "delta") == 0)
			continue;
		return json_equal(json_object_get(filters, k), v);
	}
	return 0;
}

json_t *
ev_backtest_report(struct ev_backtest *bt, double min_magnitude,
    ev_us_t grace)
{
	size_t i, j, nbig = 0, ndet = 0, ntrue = 0, nfalse = 0, nout = 0,
	    nout_alerted = 0, nout_total = 0, nout_ok = 0, nout_named = 0;
	double delay_sum = 0, days, prec, rec, f1;
	char *matched = ev_xcalloc(bt->nep + 1, 1);
	json_t *perlab = json_array();

	for (i = 0; i < bt->nlab; i++) {
		const struct bt_label *l = &bt->lab[i];
		int big = fabs(l->factor - 1) >= min_magnitude, det = 0;
		int total_seen = 0, total_ok = 0, named = 1;
		ev_us_t best = 0, first = 0;

		for (j = 0; j < bt->nep; j++) {
			const struct bt_episode *e = &bt->ep[j];

			if (e->fired < l->start - (e->known - e->fired) ||
			    e->fired > l->end + grace +
			    2 * (e->known - e->fired) ||
			    !affects(l, e->cols))
				continue;
			matched[j] = big ? 1 : matched[j] ? matched[j] : 2;
			if (!det || e->known - l->start < best)
				best = e->known - l->start;
			/* The first alert(s) the team gets about it. */
			if (!det || e->fired < first) {
				first = e->fired;
				named = names_segment(l, e);
			} else if (e->fired == first)
				named = named && names_segment(l, e);
			det = 1;
			if (is_total_of(l, e->cols) && !total_seen) {
				total_seen = 1;
				total_ok = top_names(e->top, l->filters);
			}
		}
		if (strcmp(l->kind, "outage") == 0) {
			nout++;
			nout_alerted += det;
			nout_named += det && named;
			nout_total += total_seen;
			nout_ok += total_ok;
		}
		json_array_append_new(perlab, json_pack("{s:O,s:b,s:o}",
		    "id", json_object_get(l->v, "id") ?
		    json_object_get(l->v, "id") : json_null(),
		    "detected", det, "delay_s", det ?
		    json_real((double)best / EV_US_PER_SEC) : json_null()));
		if (!big)
			continue;
		nbig++;
		if (det) {
			ndet++;
			delay_sum += (double)best / EV_US_PER_SEC;
		}
	}
	for (j = 0; j < bt->nep; j++) {
		if (matched[j] == 1)
			ntrue++;
		else if (matched[j] == 0)
			nfalse++;
	}
	free(matched);
	days = bt->have_span ? (double)(bt->span_end - bt->span_start) /
	    EV_US_PER_DAY : 0;
	prec = ntrue + nfalse ? (double)ntrue / (double)(ntrue + nfalse) : 1;
	rec = nbig ? (double)ndet / (double)nbig : 1;
	f1 = prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0;
	return json_pack("{s:{s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:f,s:o,s:f,s:o,"
	    "s:o,s:I,s:I,s:I,s:I,s:I,s:o}}", "backtest",
	    "labels", (json_int_t)nbig, "detected", (json_int_t)ndet,
	    "episodes", (json_int_t)bt->nep,
	    "true_episodes", (json_int_t)ntrue,
	    "false_episodes", (json_int_t)nfalse,
	    "precision", prec, "recall", rec, "f1", f1,
	    "mean_delay_s", ndet ? json_real(delay_sum / (double)ndet) :
	    json_null(),
	    "days", days,
	    "alerts_per_day", days > 0 ? json_real((double)bt->nep / days) :
	    json_null(),
	    "false_per_week", days > 0 ?
	    json_real((double)nfalse / days * 7) : json_null(),
	    "outages", (json_int_t)nout,
	    "outages_alerted", (json_int_t)nout_alerted,
	    "outage_named_right", (json_int_t)nout_named,
	    "outages_with_total_alert", (json_int_t)nout_total,
	    "outage_top_segment_right", (json_int_t)nout_ok,
	    "per_label", perlab);
}

/* Labelled series. */

size_t
ev_backtest_series(struct ev_backtest *bt, const json_t *cols)
{
	struct bt_series *ls;

	bt->ls = ev_xreallocarray(bt->ls, bt->nls + 1, sizeof(*bt->ls));
	ls = &bt->ls[bt->nls];
	memset(ls, 0, sizeof(*ls));
	ls->cols = json_deep_copy(cols);
	return bt->nls++;
}

void
ev_backtest_point(struct ev_backtest *bt, size_t idx, ev_us_t t, int label,
    int detected)
{
	struct bt_series *ls = &bt->ls[idx];

	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? 2 * ls->cap : 256;
		ls->t = ev_xreallocarray(ls->t, ls->cap, sizeof(*ls->t));
		ls->lab = ev_xreallocarray(ls->lab, ls->cap, 1);
		ls->det = ev_xreallocarray(ls->det, ls->cap, 1);
	}
	ls->t[ls->n] = t;
	ls->lab[ls->n] = label != 0;
	ls->det[ls->n] = detected != 0;
	ls->n++;
}

size_t
ev_backtest_nseries(const struct ev_backtest *bt)
{
	return bt->nls;
}

/* The figures of one labelled series. */
struct bt_eval {
	struct ev_nab_result r;
	double	delay_s;	/* summed over detected windows */
	double	weeks;
};

static void
series_eval(const struct bt_series *ls, struct bt_eval *ev)
{
	struct ev_nab_window *w;
	size_t nw, k;

	ev_nab_score(ls->lab, ls->det, ls->n, &ev->r);
	nw = ev_nab_windows(ls->lab, ls->n, &w);
	ev->delay_s = 0;
	for (k = 0; k < nw; k++) {
		size_t i = ev->r.first_det[k];

		if (i != (size_t)-1 && ls->t[i] > ls->t[w[k].first])
			ev->delay_s += (double)(ls->t[i] - ls->t[w[k].first]) /
			    EV_US_PER_SEC;
	}
	free(w);
	free(ev->r.first_det);
	ev->r.first_det = NULL;
	/* The span, with the mean spacing for the last point's own step. */
	ev->weeks = ls->n > 1 ? (double)(ls->t[ls->n - 1] - ls->t[0]) *
	    (double)ls->n / (double)(ls->n - 1) / (7.0 * EV_US_PER_DAY) : 0;
}

/* precision, recall, F1 of events; a null for what has no denominator. */
static void
add_prf(json_t *o, size_t tp_ep, size_t ep, size_t det, size_t win)
{
	double p = ep ? (double)tp_ep / (double)ep : NAN,
	    r = win ? (double)det / (double)win : NAN;

	json_object_set_new(o, "precision", ep ? json_real(p) : json_null());
	json_object_set_new(o, "recall", win ? json_real(r) : json_null());
	json_object_set_new(o, "f1", ep && win ? json_real(p + r > 0 ?
	    2 * p * r / (p + r) : 0) : json_null());
}

static json_t *
nab_json(const double *raw, const double *null, const double *perfect)
{
	json_t *o = json_object();
	int p;

	for (p = 0; p < EV_NAB_NPROFILES; p++)
		json_object_set_new(o, ev_nab_profiles[p].name,
		    perfect[p] > null[p] ? json_real(ev_nab_normalise(raw[p],
		    null[p], perfect[p])) : json_null());
	return o;
}

json_t *
ev_backtest_series_report(struct ev_backtest *bt, size_t idx)
{
	const struct bt_series *ls = &bt->ls[idx];
	struct bt_eval ev;
	json_t *o, *raw;
	int p;

	series_eval(ls, &ev);
	o = json_pack("{s:O,s:I,s:I,s:I,s:I,s:I,s:I,s:f}", "series", ls->cols,
	    "points", (json_int_t)ls->n, "windows", (json_int_t)ev.r.windows,
	    "detected", (json_int_t)ev.r.detected,
	    "episodes", (json_int_t)ev.r.detections,
	    "true_episodes", (json_int_t)ev.r.true_det,
	    "false_episodes", (json_int_t)ev.r.false_det, "weeks", ev.weeks);
	json_object_set_new(o, "false_per_week", ev.weeks > 0 ?
	    json_real((double)ev.r.false_det / ev.weeks) : json_null());
	add_prf(o, ev.r.true_det, ev.r.detections, ev.r.detected,
	    ev.r.windows);
	json_object_set_new(o, "mean_delay_s", ev.r.detected ?
	    json_real(ev.delay_s / (double)ev.r.detected) : json_null());
	json_object_set_new(o, "nab", nab_json(ev.r.raw, ev.r.null,
	    ev.r.perfect));
	raw = json_object();
	for (p = 0; p < EV_NAB_NPROFILES; p++)
		json_object_set_new(raw, ev_nab_profiles[p].name,
		    json_real(ev.r.raw[p]));
	json_object_set_new(o, "nab_raw", raw);
	return json_pack("{s:o}", "backtest_series", o);
}

json_t *
ev_backtest_labelled_report(struct ev_backtest *bt)
{
	double raw[EV_NAB_NPROFILES] = { 0 }, null[EV_NAB_NPROFILES] = { 0 },
	    perfect[EV_NAB_NPROFILES] = { 0 }, delay = 0, weeks = 0,
	    worst = 0;
	size_t i, win = 0, det = 0, ep = 0, tp = 0, fp = 0, nlab = 0;
	int p;
	json_t *o;

	for (i = 0; i < bt->nls; i++) {
		struct bt_eval ev;

		series_eval(&bt->ls[i], &ev);
		for (p = 0; p < EV_NAB_NPROFILES; p++) {
			raw[p] += ev.r.raw[p];
			null[p] += ev.r.null[p];
			perfect[p] += ev.r.perfect[p];
		}
		win += ev.r.windows;
		det += ev.r.detected;
		ep += ev.r.detections;
		tp += ev.r.true_det;
		fp += ev.r.false_det;
		delay += ev.delay_s;
		weeks += ev.weeks;
		if (ev.r.windows > 0)
			nlab++;
		else if (ev.weeks > 0 &&
		    (double)ev.r.false_det / ev.weeks > worst)
			worst = (double)ev.r.false_det / ev.weeks;
	}
	o = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f}",
	    "series", (json_int_t)bt->nls, "labelled_series", (json_int_t)nlab,
	    "windows", (json_int_t)win, "detected", (json_int_t)det,
	    "episodes", (json_int_t)ep, "true_episodes", (json_int_t)tp,
	    "false_episodes", (json_int_t)fp, "weeks", weeks);
	add_prf(o, tp, ep, det, win);
	json_object_set_new(o, "mean_delay_s", det ?
	    json_real(delay / (double)det) : json_null());
	json_object_set_new(o, "false_per_week", weeks > 0 ?
	    json_real((double)fp / weeks) : json_null());
	json_object_set_new(o, "unlabelled_worst_false_per_week",
	    bt->nls > nlab ? json_real(worst) : json_null());
	json_object_set_new(o, "nab", nab_json(raw, null, perfect));
	return json_pack("{s:o}", "backtest", o);
}
