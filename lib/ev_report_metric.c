/*
 * ev_report_metric.c - the model of one metric: its points, totals,
 * change, sparkline, breakdown by series, anomalies and incidents.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_report_episode.h"
#include "ev_report_fmt.h"
#include "ev_report_store.h"
#include "ev_report_store_int.h"

/* The value of metric name in an entry; 0 found, -1 not. */
static int
rep_entry_value(const struct ev_report_store *s,
    const struct ev_report_entry *e, int32_t name, double *v)
{
	uint32_t i;

	if (name < 0)
		return -1;
	for (i = 0; i < e->npairs; i++)
		if (s->pair[e->poff + i].name == (uint32_t)name) {
			*v = s->pair[e->poff + i].v;
			return 0;
		}
	return -1;
}

/*
 * Points per sparkline glyph.  A glyph whose span neither divides a day
 * nor is whole days samples the daily cycle at a drifting phase and draws
 * a beat that is not in the data (24 glyphs over a week of 10-minute
 * points are 7 hours each); so a glyph spans the fewest steps that divide
 * a day, or make whole days, with at most EV_REPORT_SPARK_WIDTH glyphs.
 * 0 when no such span exists (a step that is not a divisor or a multiple
 * of a day's divisors): the points are then split evenly.
 */
static size_t
rep_spark_per(ev_us_t step, size_t n)
{
	size_t k = (n + EV_REPORT_SPARK_WIDTH - 1) / EV_REPORT_SPARK_WIDTH;

	if (k == 0)
		k = 1;
	for (; k <= n && (ev_us_t)k <= EV_TIME_MAX / step; k++) {
		ev_us_t d = (ev_us_t)k * step;

		if (EV_US_PER_DAY % d == 0 || d % EV_US_PER_DAY == 0)
			return k;
	}
	return 0;
}

/*
 * Sparkline of n points (UTF-8 blocks), per points a glyph (the means),
 * or split evenly into at most EV_REPORT_SPARK_WIDTH glyphs when per is 0.
 */
static json_t *
rep_spark(const double *p, size_t n, size_t per)
{
	static const char *const bars[] = { "\u2581", "\u2582", "\u2583",
	    "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
	double val[EV_REPORT_SPARK_WIDTH], lo = INFINITY, hi = -INFINITY;
	size_t w = n < EV_REPORT_SPARK_WIDTH ? n : EV_REPORT_SPARK_WIDTH;
	struct ev_buf b = EV_BUF_INIT;
	json_t *r;
	size_t i, j;

	if (per > 0)
		w = (n + per - 1) / per;
	for (i = 0; i < w; i++) {
		size_t a = per ? i * per : i * n / w;
		size_t z = per ? (a + per < n ? a + per : n) : (i + 1) * n / w;
		size_t c = 0;
		double sum = 0;

		for (j = a; j < z; j++)
			if (!isnan(p[j])) {
				sum += p[j];
				c++;
			}
		val[i] = c ? sum / (double)c : NAN;
		if (c) {
			if (val[i] < lo)
				lo = val[i];
			if (val[i] > hi)
				hi = val[i];
		}
	}
	for (i = 0; i < w; i++) {
		int lv;

		if (isnan(val[i])) {
			ev_buf_addc(&b, ' ');
			continue;
		}
		if (hi > lo)
			lv = (int)lround((val[i] - lo) / (hi - lo) * 7);
		else
			lv = val[i] == 0 ? 0 : 3;
		ev_buf_adds(&b, bars[lv < 0 ? 0 : lv > 7 ? 7 : lv]);
	}
	r = json_stringn(b.data ? b.data : "", b.len);
	ev_buf_free(&b);
	return r;
}

/* ev_report_json_num of a point, from the build's shared numbers. */
static json_t *
rep_point_num(struct ev_report_numc *nc, double v)
{
	uint64_t bits, h;
	size_t i;

	if (isnan(v))
		return json_null();
	memcpy(&bits, &v, sizeof(bits));
	h = bits * UINT64_C(0x9e3779b97f4a7c15);
	i = (size_t)(h >> 52) % EV_REPORT_NUMC;
	if (nc->v[i] == NULL || nc->bits[i] != bits) {
		json_decref(nc->v[i]);
		nc->v[i] = json_real(v);
		nc->bits[i] = bits;
	}
	return json_incref(nc->v[i]);
}

static json_t *
rep_points(const struct ev_report_builder *B, const double *p, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, rep_point_num(B->numc, p[i]));
	return a;
}

static void
rep_grid_add(double *g, double v)
{
	*g = isnan(*g) ? v : *g + v;
}

static double
rep_change(double total, double prev)
{
	if (isnan(prev) || prev == 0)
		return NAN;
	return (total - prev) / fabs(prev);
}

struct rep_rank {
	uint32_t	series;
	double		total, prev;
	double		ctot;		/* total of the complete periods */
	int		has, has_prev, has_c;
	size_t		nper, nprev;	/* periods in the range, previous */
	size_t		nanom;
};

static int
rep_rank_before(const struct ev_report_store *s, const struct rep_rank *a,
    const struct rep_rank *b)
{
	/* A non-additive total may be unknown (NaN): it ranks last. */
	if (isnan(a->total) != isnan(b->total))
		return isnan(b->total);
	if (!isnan(a->total) && a->total != b->total)
		return a->total > b->total;
	return strcmp(s->ser[a->series].key, s->ser[b->series].key) < 0;
}

static void
rep_rank_sort(const struct ev_report_store *s, struct rep_rank *r, size_t n)
{
	size_t i, j;
	struct rep_rank x;

	/* Insertion sort: a report has tens of series, rarely thousands. */
	for (i = 1; i < n; i++) {
		x = r[i];
		for (j = i; j > 0 && rep_rank_before(s, &x, &r[j - 1]); j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

/*
 * Whether a record's value may stand for the point it falls in.  An
 * additive value always may (points sum their records); a non-additive
 * one (a distinct count, a percentile) only when the record's window is
 * as long as a point: a day's distinct users are not the sum of its
 * hours', so with --step coarser than the windows only a record of the
 * step's own length gives the point.  A record without an end is as
 * long as the records' own spacing.  A shorter record of a series that
 * also has the step's record for that time is left out whatever the
 * metric: the longer record already holds it.
 */
static int
rep_point_ok(const struct ev_report_builder *B, const struct ev_report_entry *e)
{
	ev_us_t len = e->end > e->t ? e->end - e->t : B->nat;

	if (B->shadow != NULL && B->shadow[e - B->s->ent])
		return 0;
	if (B->cur_add || len == B->step)
		return 1;
	if (B->nskip != NULL)
		(*B->nskip)++;
	return 0;
}

/*
 * Walk the records of series se in time order, one value per time (the
 * last record's), and call fn for each.
 */
static void
rep_walk(const struct ev_report_builder *B, uint32_t se, int32_t name,
    void (*fn)(void *, const struct ev_report_entry *, double), void *arg)
{
	const struct ev_report_store *s = B->s;
	size_t i = B->soff[se], z = B->soff[se + 1];

	while (i < z) {
		const struct ev_report_entry *e = &s->ent[B->ord[i]];
		const struct ev_report_entry *last = NULL;
		double v = NAN, x;
		size_t j = i;

		while (j < z && s->ent[B->ord[j]].t == e->t) {
			if (rep_entry_value(s, &s->ent[B->ord[j]], name,
			    &x) == 0 && rep_point_ok(B, &s->ent[B->ord[j]])) {
				v = x;
				last = &s->ent[B->ord[j]];
			}
			j++;
		}
		if (last != NULL)
			fn(arg, last, v);
		i = j;
	}
}

/*
 * A record of the earlier period (off before the range): into the
 * earlier grid at the point it is compared with, and into the series'
 * previous total when the range has one (--since, --last), only against
 * a complete point of the range and when complete itself.
 */
static void
rep_prev_fn(const struct ev_report_builder *B,
    const struct ev_report_entry *e, double v, double *pgrid,
    struct rep_rank *r)
{
	size_t k;

	if (B->off <= 0 || e->t < B->since - B->off ||
	    e->t >= B->until - B->off)
		return;
	k = (size_t)((e->t + B->off - B->since) / B->step);
	if (k >= B->n)
		return;
	if (pgrid != NULL)
		rep_grid_add(&pgrid[k], v);
	if (r == NULL || !B->has_prev)
		return;
	r->nprev++;
	if (!e->partial && !B->part[k] && !B->ppart[k]) {
		r->prev += v;
		r->has_prev = 1;
	}
}

struct rep_tot {
	const struct ev_report_builder	*B;
	struct rep_rank		*r;
	double			*grid;	/* total grid, or NULL */
	double			*pgrid;	/* the same, off earlier, or NULL */
};

static void
rep_tot_fn(void *arg, const struct ev_report_entry *e, double v)
{
	struct rep_tot *T = arg;
	const struct ev_report_builder *B = T->B;

	if (e->t >= B->since && e->t < B->until) {
		size_t k = (size_t)((e->t - B->since) / B->step);

		T->r->total += v;
		T->r->has = 1;
		T->r->nper++;
		if (!B->part[k] && !B->ppart[k]) {
			T->r->ctot += v;
			T->r->has_c = 1;
		}
		if (T->grid != NULL)
			rep_grid_add(&T->grid[k], v);
	}
	rep_prev_fn(B, e, v, T->pgrid, T->r);
}

struct rep_pts {
	const struct ev_report_builder	*B;
	double			*p, *ex, *lo, *hi;
	double			*pp;	/* points off earlier */
	int32_t			 name;
	int			 band;
};

static void
rep_pts_fn(void *arg, const struct ev_report_entry *e, double v)
{
	struct rep_pts *P = arg;
	const struct ev_report_builder *B = P->B;
	const struct ev_report_band *bd;
	size_t k;

	rep_prev_fn(B, e, v, P->pp, NULL);
	if (e->t < B->since || e->t >= B->until)
		return;
	k = (size_t)((e->t - B->since) / B->step);
	rep_grid_add(&P->p[k], v);
	if (e->band < 0)
		return;
	bd = &B->s->band[e->band];
	if (bd->name == P->name || (bd->name < 0 && P->name ==
	    B->metric[0])) {
		if (!isnan(bd->exp)) {
			rep_grid_add(&P->ex[k], bd->exp);
			P->band = 1;
		}
		if (!isnan(bd->lo))
			rep_grid_add(&P->lo[k], bd->lo);
		if (!isnan(bd->hi))
			rep_grid_add(&P->hi[k], bd->hi);
	}
}

static void
rep_labels_str(struct ev_buf *b, const json_t *labels)
{
	ev_buf_reset(b);
	ev_report_fmt_labels(b, labels);
}

/* The metric an anomaly belongs to: the one it names, else the first. */
static int
rep_anom_for(const struct ev_report_builder *B, const struct ev_report_obj *an,
    size_t m)
{
	size_t i;

	if (an->name >= 0)
		for (i = 0; i < B->nmetric; i++)
			if (B->metric[i] == an->name)
				return i == m;
	return m == 0;
}

/* Entry a before entry b: by time, then series, then arrival. */
static int
rep_ent_before(const struct ev_report_builder *B, size_t a, size_t b)
{
	const struct ev_report_entry *ea = &B->s->ent[a];
	const struct ev_report_entry *eb = &B->s->ent[b];
	int c;

	if (ea->t != eb->t)
		return ea->t < eb->t;
	c = strcmp(B->s->ser[ea->series].key, B->s->ser[eb->series].key);
	if (c != 0)
		return c < 0;
	return a < b;
}

static int
rep_anom_before(const struct ev_report_builder *B,
    const struct ev_report_obj *a, const struct ev_report_obj *b)
{
	return rep_ent_before(B, a->entry, b->entry);
}

static json_t *
rep_anom_json(const struct ev_report_builder *B,
    const struct ev_report_obj *an, size_t m)
{
	const struct ev_report_store *s = B->s;
	const struct ev_report_entry *e = &s->ent[an->entry];
	const json_t *a = an->a;
	struct ev_buf lb = EV_BUF_INIT;
	json_t *o = json_object(), *x;
	double v = NAN, exp;
	const char *dir;

	(void)rep_entry_value(s, e, B->metric[m], &v);
	exp = ev_report_get_num(a, "expected", NAN);
	rep_labels_str(&lb, s->ser[e->series].labels);
	json_object_set_new(o, "start", ev_report_json_time(e->t));
	json_object_set_new(o, "series", json_string(lb.data));
	json_object_set_new(o, "labels", json_deep_copy(
	    s->ser[e->series].labels));
	json_object_set_new(o, "value", ev_report_json_num(v));
	json_object_set_new(o, "score", ev_report_json_num(
	    ev_report_get_num(a, "score", NAN)));
	json_object_set_new(o, "expected", ev_report_json_num(exp));
	json_object_set_new(o, "lower", ev_report_json_num(
	    ev_report_get_num(a, "lower", NAN)));
	json_object_set_new(o, "upper", ev_report_json_num(
	    ev_report_get_num(a, "upper", NAN)));
	dir = ev_report_get_str(a, "direction", NULL);
	if (dir == NULL)
		dir = isnan(v) || isnan(exp) ? "" : v < exp ? "down" : "up";
	json_object_set_new(o, "direction", json_string(dir));
	json_object_set_new(o, "method", json_string(ev_report_get_str(a,
	    "method", "")));
	json_object_set_new(o, "summary", json_string(ev_report_get_str(a,
	    "summary", "")));
	x = json_object_get(a, "explain");
	json_object_set_new(o, "explain", json_is_array(x) ?
	    json_deep_copy(x) : json_array());
	ev_buf_free(&lb);
	return o;
}

/* The end of a window for an episode: a record without one lasts a step. */
static ev_us_t
rep_ep_end(const struct ev_report_builder *B, const struct ev_report_entry *e)
{
	return e->end > e->t ? e->end : e->t + B->step;
}

/*
 * The episodes of metric m: its anomalies in the range (al, the later of
 * two records of one series and time replacing the earlier) and the
 * "resolved" records that close them, wherever they fall.
 */
static json_t *
rep_incidents(const struct ev_report_builder *B, size_t m,
    struct ev_report_obj **al, size_t nal)
{
	const struct ev_report_store *s = B->s;
	struct ev_report_alert *v = ev_xreallocarray(NULL, nal + s->nres + 1,
	    sizeof(*v));
	char **names = ev_xcalloc(s->nser + 1, sizeof(*names));
	struct ev_buf lb = EV_BUF_INIT;
	size_t i, n = 0;
	json_t *r;

	for (i = 0; i < nal + s->nres; i++) {
		const struct ev_report_obj *an = i < nal ? al[i] :
		    &s->res[i - nal];
		const struct ev_report_entry *e = &s->ent[an->entry];
		const struct ev_report_entry *last;
		double val = NAN;

		if (i < nal && i + 1 < nal &&
		    s->ent[al[i + 1]->entry].t == e->t &&
		    s->ent[al[i + 1]->entry].series == e->series)
			continue;	/* a later record replaces it */
		if (i >= nal && !rep_anom_for(B, an, m))
			continue;
		if (names[e->series] == NULL) {
			rep_labels_str(&lb, s->ser[e->series].labels);
			names[e->series] = ev_xstrdup(lb.data);
		}
		last = &s->ent[B->ord[B->soff[e->series + 1] - 1]];
		(void)rep_entry_value(s, e, B->metric[m], &val);
		v[n].t = e->t;
		v[n].end = rep_ep_end(B, e);
		v[n].series = e->series;
		v[n].name = names[e->series];
		v[n].labels = s->ser[e->series].labels;
		v[n].value = val;
		v[n].a = an->a;
		v[n].resolved = i >= nal;
		v[n].last = rep_ep_end(B, last);
		n++;
	}
	r = ev_report_episodes(v, n);
	for (i = 0; i < s->nser; i++)
		free(names[i]);
	free(names);
	free(v);
	ev_buf_free(&lb);
	return r;
}

/*
 * A series' sparkline.  ev-window writes no record for a group without
 * events, so for an additive metric a point the series lacks while the
 * metric has one is 0; only a point without any record is a gap.
 */
static json_t *
rep_series_spark(const struct ev_report_builder *B, int add, const double *p,
    const double *grid, size_t per)
{
	double *f;
	json_t *r;
	size_t i;

	if (!add)
		return rep_spark(p, B->n, per);
	f = ev_xreallocarray(NULL, B->n ? B->n : 1, sizeof(*f));
	for (i = 0; i < B->n; i++)
		f[i] = isnan(p[i]) && !isnan(grid[i]) ? 0 : p[i];
	r = rep_spark(f, B->n, per);
	free(f);
	return r;
}

/* ---- change figures: a point against the point off earlier ---- */

/* The earlier value of the last complete point; NaN when not complete. */
static double
rep_point_prev(const struct ev_report_builder *B, const double *pp)
{
	size_t k = (size_t)B->lastpt;

	return B->lastpt < 0 || B->ppart[k] ? NAN : pp[k];
}

/* The change of the last complete point against the earlier one. */
static double
rep_point_change(const struct ev_report_builder *B, const double *p,
    const double *pp)
{
	if (B->lastpt < 0 || isnan(p[B->lastpt]))
		return NAN;
	return rep_change(p[B->lastpt], rep_point_prev(B, pp));
}

/*
 * --compare: per point the value off earlier and the change, null where
 * either point is partial or has no value.
 */
static json_t *
rep_compare_json(const struct ev_report_builder *B, const double *p,
    const double *pp)
{
	json_t *o = json_object(), *ch = json_array();
	size_t k;

	for (k = 0; k < B->n; k++)
		json_array_append_new(ch, ev_report_json_num(B->part[k] ||
		    B->ppart[k] ? NAN : rep_change(p[k], pp[k])));
	json_object_set_new(o, "previous", rep_points(B, pp, B->n));
	json_object_set_new(o, "change", ch);
	return o;
}

/* Why a non-additive metric has points without a value. */
static const char rep_step_text[] = "not additive: a point takes only a "
    "record as long as the step, never a sum of shorter windows; points "
    "without one are n/a";

/*
 * A non-additive metric whose records are shorter than the step: its
 * points are those of records of the step's length only, and its total
 * is unknown when no such record is left.
 */
static void
rep_step_note(const struct ev_report_builder *B, const char **note,
    double *total, const double *grid)
{
	size_t k, n = 0;

	for (k = 0; k < B->n; k++)
		if (!isnan(grid[k]))
			n++;
	if (n == 0) {
		*total = NAN;
		if (*note == NULL)
			*note = rep_step_text;
	}
}

json_t *
ev_report_build_metric(struct ev_report_builder *B, size_t m,
    size_t *nanom_total)
{
	struct ev_report_store *s = B->s;
	int32_t name = B->metric[m];
	struct rep_rank *r = ev_xcalloc(s->nser ? s->nser : 1, sizeof(*r));
	double *grid = ev_xreallocarray(NULL, B->n ? 2 * B->n : 1,
	    sizeof(double));
	double *pgrid = grid + B->n;
	double total = 0, prev = 0, ctot = 0, other = 0, change;
	size_t nskip = 0;
	int has_prev = 0, has_c = 0, add = B->add[m];
	size_t sper = rep_spark_per(B->step, B->n);
	size_t i, nr = 0, nother = 0, ntop, minl = SIZE_MAX, nmin = 0;
	int64_t trow = -1;
	const char *note = NULL;
	struct ev_report_obj **al;
	size_t nal = 0;
	json_t *o = json_object(), *sa, *aa;
	struct ev_buf lb = EV_BUF_INIT;

	for (i = 0; i < 2 * B->n; i++)
		grid[i] = NAN;
	B->cur_add = add;
	B->nskip = &nskip;
	/*
	 * A non-additive metric is never summed: its total is the total
	 * row's, the one series with the fewest group columns.
	 */
	if (!add) {
		for (i = 0; i < s->nser; i++) {
			if (s->ser[i].nlabels < minl) {
				minl = s->ser[i].nlabels;
				nmin = 0;
			}
			if (s->ser[i].nlabels == minl) {
				nmin++;
				trow = (int64_t)i;
			}
		}
		if (nmin != 1)
			trow = -1;
	}
	for (i = 0; i < s->nser; i++) {
		struct rep_tot T;
		int top = add ? s->ser[i].nlabels == B->maxlabels :
		    (int64_t)i == trow;

		memset(&r[nr], 0, sizeof(r[nr]));
		r[nr].series = (uint32_t)i;
		T.B = B;
		T.r = &r[nr];
		T.grid = top ? grid : NULL;
		T.pgrid = top ? pgrid : NULL;
		rep_walk(B, (uint32_t)i, name, rep_tot_fn, &T);
		if (top && r[nr].has_prev) {
			prev += r[nr].prev;
			has_prev = 1;
		}
		if (top && r[nr].has_c) {
			ctot += r[nr].ctot;
			has_c = 1;
		}
		if (!add && top) {
			/* One value per period: only a single one is a total. */
			has_prev = has_prev && r[nr].nprev == 1;
			has_c = has_c && r[nr].nper == 1;
			if (r[nr].nper > 1)
				note = "not additive: one value per period, "
				    "not summed across periods";
		}
		if (!add && r[nr].nper > 1)
			r[nr].total = NAN;
		if (r[nr].has)
			nr++;
	}
	for (i = 0; i < B->n; i++)
		if (!isnan(grid[i]))
			total += grid[i];
	if (!add && trow < 0) {
		total = NAN;
		note = "not additive: no total row (a record without the "
		    "segment columns), and segments are never summed";
	} else if (note != NULL)
		total = NAN;
	if (!add && nskip > 0)
		rep_step_note(B, &note, &total, grid);
	change = has_prev && has_c ? rep_change(ctot, prev) : NAN;
	if (!B->has_prev && B->lastpt >= 0) {
		prev = rep_point_prev(B, pgrid);
		has_prev = !isnan(prev);
		change = rep_point_change(B, grid, pgrid);
	}

	/* Anomalies of this metric in the range, one per series and time. */
	al = ev_xreallocarray(NULL, s->nanom ? s->nanom : 1, sizeof(*al));
	for (i = 0; i < s->nanom; i++) {
		const struct ev_report_entry *e = &s->ent[s->anom[i].entry];
		size_t j;

		if (e->t < B->since || e->t >= B->until ||
		    !rep_anom_for(B, &s->anom[i], m))
			continue;
		j = nal++;
		while (j > 0 && rep_anom_before(B, &s->anom[i], al[j - 1])) {
			al[j] = al[j - 1];
			j--;
		}
		al[j] = &s->anom[i];
	}
	aa = json_array();
	for (i = 0; i < nal; i++) {
		const struct ev_report_entry *e = &s->ent[al[i]->entry];
		size_t k;

		if (i + 1 < nal) {
			const struct ev_report_entry *f =
			    &s->ent[al[i + 1]->entry];

			if (f->t == e->t && f->series == e->series)
				continue;	/* a later record replaces it */
		}
		json_array_append_new(aa, rep_anom_json(B, al[i], m));
		for (k = 0; k < nr; k++)
			if (r[k].series == e->series)
				r[k].nanom++;
	}
	*nanom_total += json_array_size(aa);

	rep_rank_sort(s, r, nr);
	ntop = nr < s->o.top ? nr : s->o.top;

	json_object_set_new(o, "name", json_string(B->mname[m]));
	json_object_set_new(o, "additive", json_boolean(add));
	json_object_set_new(o, "total", ev_report_json_num(total));
	if (note != NULL)
		json_object_set_new(o, "total_note", json_string(note));
	json_object_set_new(o, "previous", has_prev ? json_real(prev) :
	    json_null());
	json_object_set_new(o, "change", ev_report_json_num(change));
	json_object_set_new(o, "sparkline", rep_spark(grid, B->n, sper));
	json_object_set_new(o, "points", rep_points(B, grid, B->n));
	if (s->o.compare > 0)
		json_object_set_new(o, "compare", rep_compare_json(B, grid,
		    pgrid));
	if (nskip > 0)
		json_object_set_new(o, "points_note",
		    json_string(rep_step_text));

	sa = json_array();
	for (i = 0; i < nr; i++) {
		const struct ev_report_series *se = &s->ser[r[i].series];
		struct rep_pts P;
		json_t *so;
		size_t k;

		if (i >= ntop && r[i].nanom == 0) {
			nother++;
			if (se->nlabels == B->maxlabels)
				other += add ? r[i].total : NAN;
			continue;
		}
		P.B = B;
		P.name = name;
		P.band = 0;
		P.p = ev_xreallocarray(NULL, 5 * (B->n ? B->n : 1),
		    sizeof(double));
		P.ex = P.p + B->n;
		P.lo = P.ex + B->n;
		P.hi = P.lo + B->n;
		P.pp = P.hi + B->n;
		for (k = 0; k < 5 * B->n; k++)
			P.p[k] = NAN;
		rep_walk(B, r[i].series, name, rep_pts_fn, &P);
		so = json_object();
		rep_labels_str(&lb, se->labels);
		json_object_set_new(so, "series", json_string(lb.data));
		json_object_set_new(so, "labels", json_deep_copy(se->labels));
		json_object_set_new(so, "rank", json_integer((json_int_t)i + 1));
		json_object_set_new(so, "total",
		    ev_report_json_num(r[i].total));
		if (B->has_prev || B->lastpt < 0) {
			json_object_set_new(so, "previous", r[i].has_prev ?
			    json_real(r[i].prev) : json_null());
			json_object_set_new(so, "change", ev_report_json_num(
			    r[i].has_prev && r[i].has_c && (add ||
			    (r[i].nper == 1 && r[i].nprev == 1)) ?
			    rep_change(r[i].ctot, r[i].prev) : NAN));
		} else {
			json_object_set_new(so, "previous", ev_report_json_num(
			    rep_point_prev(B, P.pp)));
			json_object_set_new(so, "change", ev_report_json_num(
			    rep_point_change(B, P.p, P.pp)));
		}
		if (add)
			json_object_set_new(so, "share",
			    ev_report_json_num(total != 0 ? r[i].total /
			    total : NAN));
		json_object_set_new(so, "anomalies",
		    json_integer((json_int_t)r[i].nanom));
		json_object_set_new(so, "sparkline", rep_series_spark(B, add,
		    P.p, grid, sper));
		json_object_set_new(so, "points", rep_points(B, P.p, B->n));
		if (s->o.compare > 0)
			json_object_set_new(so, "compare",
			    rep_compare_json(B, P.p, P.pp));
		if (P.band) {
			json_object_set_new(so, "expected",
			    rep_points(B, P.ex, B->n));
			json_object_set_new(so, "lower",
			    rep_points(B, P.lo, B->n));
			json_object_set_new(so, "upper",
			    rep_points(B, P.hi, B->n));
		}
		json_array_append_new(sa, so);
		free(P.p);
	}
	json_object_set_new(o, "series", sa);
	json_object_set_new(o, "other", json_pack("{s:I,s:o}", "series",
	    (json_int_t)nother, "total", ev_report_json_num(other)));
	json_object_set_new(o, "anomalies", aa);
	json_object_set_new(o, "incidents", rep_incidents(B, m, al, nal));
	ev_buf_free(&lb);
	free(al);
	free(r);
	free(grid);
	B->nskip = NULL;
	return o;
}

/*
 * A top(field, N) metric: a ranked list per period and series, in time and
 * then series order (the last record of a series and period replaces the
 * earlier ones).  Lists are never summed, so the metric has no total.
 */
json_t *
ev_report_build_top(const struct ev_report_builder *B, size_t m)
{
	const struct ev_report_store *s = B->s;
	const struct ev_report_obj **tl;
	struct ev_buf lb = EV_BUF_INIT;
	json_t *o = json_object(), *pa = json_array(), *it;
	size_t i, j, k, n = 0;

	tl = ev_xreallocarray(NULL, s->ntop ? s->ntop : 1, sizeof(*tl));
	for (i = 0; i < s->ntop; i++) {
		const struct ev_report_entry *e = &s->ent[s->tops[i].entry];

		if (s->tops[i].name != B->metric[m] || e->t < B->since ||
		    e->t >= B->until)
			continue;
		/* Insertion: records mostly arrive in time order. */
		for (j = n++; j > 0 && rep_ent_before(B, s->tops[i].entry,
		    tl[j - 1]->entry); j--)
			tl[j] = tl[j - 1];
		tl[j] = &s->tops[i];
	}
	for (i = 0; i < n; i++) {
		const struct ev_report_entry *e = &s->ent[tl[i]->entry];
		json_t *po, *items;

		if (i + 1 < n && s->ent[tl[i + 1]->entry].t == e->t &&
		    s->ent[tl[i + 1]->entry].series == e->series)
			continue;	/* a later record replaces it */
		items = json_array();
		json_array_foreach(tl[i]->a, k, it)
			json_array_append_new(items, json_pack("{s:I,s:O,s:o}",
			    "rank", (json_int_t)k + 1, "value",
			    json_object_get(it, "value"), "count",
			    json_real(ev_report_get_num(it, "count", 0))));
		rep_labels_str(&lb, s->ser[e->series].labels);
		po = json_object();
		json_object_set_new(po, "start", ev_report_json_time(e->t));
		json_object_set_new(po, "partial", json_boolean(e->partial));
		json_object_set_new(po, "series", json_string(lb.data));
		json_object_set_new(po, "labels", json_deep_copy(
		    s->ser[e->series].labels));
		json_object_set_new(po, "items", items);
		json_array_append_new(pa, po);
	}
	json_object_set_new(o, "name", json_string(B->mname[m]));
	json_object_set_new(o, "kind", json_string("top"));
	json_object_set_new(o, "additive", json_false());
	json_object_set_new(o, "total", json_null());
	json_object_set_new(o, "previous", json_null());
	json_object_set_new(o, "change", json_null());
	json_object_set_new(o, "sparkline", json_string(""));
	json_object_set_new(o, "points", json_array());
	json_object_set_new(o, "series", json_array());
	json_object_set_new(o, "other", json_pack("{s:I,s:n}", "series",
	    (json_int_t)0, "total"));
	json_object_set_new(o, "anomalies", json_array());
	json_object_set_new(o, "periods", pa);
	ev_buf_free(&lb);
	free(tl);
	return o;
}
