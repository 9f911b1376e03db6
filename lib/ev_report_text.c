/*
 * ev_report_text.c - the report as aligned text for a terminal: a header,
 * then per metric a trend line with a sparkline, a breakdown table of the
 * top series and a table of anomalies.  Columns are aligned by code points
 * (the sparkline blocks are one column each); colour codes, when asked for,
 * are added around cells after padding so they never shift the columns.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_rec.h"
#include "ev_report_fmt.h"
#include "ev_report_render.h"

#define C_BOLD	"\033[1m"
#define C_RED	"\033[31m"
#define C_GREEN	"\033[32m"
#define C_DIM	"\033[2m"
#define C_OFF	"\033[0m"

struct tbl {
	size_t		  ncol, nrow, cap;
	char		**cell;		/* nrow * ncol */
	const char	**color;	/* per cell, NULL none */
	const int	 *right;	/* per column */
};

static void
tbl_init(struct tbl *t, size_t ncol, const int *right)
{
	memset(t, 0, sizeof(*t));
	t->ncol = ncol;
	t->right = right;
}

static void
tbl_free(struct tbl *t)
{
	size_t i;

	for (i = 0; i < t->nrow * t->ncol; i++)
		free(t->cell[i]);
	free(t->cell);
	free(t->color);
}

/* Start a row; returns the index of its first cell. */
static size_t
tbl_row(struct tbl *t)
{
	size_t i;

	if (t->nrow == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->cell = ev_xreallocarray(t->cell, t->cap * t->ncol,
		    sizeof(*t->cell));
		t->color = ev_xreallocarray(t->color, t->cap * t->ncol,
		    sizeof(*t->color));
	}
	for (i = 0; i < t->ncol; i++) {
		t->cell[t->nrow * t->ncol + i] = NULL;
		t->color[t->nrow * t->ncol + i] = NULL;
	}
	return t->nrow++ * t->ncol;
}

/*
 * Text from the data with control characters turned into spaces: a label
 * must neither break the columns nor send escape codes to the terminal.
 */
static void
safe_adds(struct ev_buf *b, const char *s)
{
	for (; *s; s++)
		ev_buf_addc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' :
		    *s);
}

static void
tbl_set(struct tbl *t, size_t at, const char *s, const char *color)
{
	char *p;

	free(t->cell[at]);
	t->cell[at] = p = ev_xstrdup(s);
	for (; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	t->color[at] = color;
}

/*
 * A table of ncol columns, right-aligned where right[i], and its head
 * row: head[i] over column i (none where NULL).
 */
static void
tbl_head(struct tbl *t, size_t ncol, const int *right,
    const char *const *head)
{
	size_t at, k;

	tbl_init(t, ncol, right);
	at = tbl_row(t);
	for (k = 0; k < ncol; k++)
		if (head[k] != NULL)
			tbl_set(t, at + k, head[k], NULL);
}

/* A cell of a value as ev_report_fmt_value writes it; b is scratch. */
static void
tbl_value(struct tbl *t, size_t at, struct ev_buf *b, double v,
    const char *dash, const char *color)
{
	ev_buf_reset(b);
	ev_report_fmt_value(b, v, dash);
	tbl_set(t, at, b->data, color);
}

static void
tbl_write(const struct tbl *t, const char *indent, int color,
    struct ev_buf *out)
{
	size_t *w = ev_xcalloc(t->ncol, sizeof(*w));
	size_t r, c, k;

	for (r = 0; r < t->nrow; r++)
		for (c = 0; c < t->ncol; c++) {
			const char *s = t->cell[r * t->ncol + c];
			size_t cw = s ? ev_report_width(s, strlen(s)) : 0;

			if (cw > w[c])
				w[c] = cw;
		}
	for (r = 0; r < t->nrow; r++) {
		size_t line_start = out->len;

		ev_buf_adds(out, indent);
		for (c = 0; c < t->ncol; c++) {
			const char *s = t->cell[r * t->ncol + c];
			const char *col = t->color[r * t->ncol + c];
			size_t cw = s ? ev_report_width(s, strlen(s)) : 0;

			if (c > 0)
				ev_buf_adds(out, "  ");
			if (t->right[c])
				for (k = cw; k < w[c]; k++)
					ev_buf_addc(out, ' ');
			if (color && col)
				ev_buf_adds(out, col);
			ev_buf_adds(out, s ? s : "");
			if (color && col)
				ev_buf_adds(out, C_OFF);
			if (!t->right[c] && c + 1 < t->ncol)
				for (k = cw; k < w[c]; k++)
					ev_buf_addc(out, ' ');
		}
		/* No trailing blanks: golden files and diffs stay clean. */
		while (out->len > line_start && out->data[out->len - 1] == ' ')
			out->len--;
		ev_buf_addc(out, '\n');
	}
	free(w);
}

/* A sparkline, its blocks mapped to ASCII when asked. */
static void
spark(struct ev_buf *b, const char *s, int ascii)
{
	static const char ramp[] = "_.:-=+*#";

	if (!ascii) {
		ev_buf_adds(b, s);
		return;
	}
	while (*s) {
		const unsigned char *u = (const unsigned char *)s;

		if (u[0] == 0xE2 && u[1] == 0x96 && u[2] >= 0x81 &&
		    u[2] <= 0x88) {
			ev_buf_addc(b, ramp[u[2] - 0x81]);
			s += 3;
		} else if (u[0] < 0x80) {
			ev_buf_addc(b, *s++);
		} else {
			ev_buf_addc(b, '?');
			s++;
			while (((unsigned char)*s & 0xC0) == 0x80)
				s++;
		}
	}
}

static const char *
change_color(double v)
{
	if (isnan(v) || fabs(v) < 0.0005)
		return NULL;
	return v > 0 ? C_GREEN : C_RED;
}

static void
header(const json_t *m, const struct ev_tz *tz, int color,
    struct ev_buf *out)
{
	const json_t *r = json_object_get(m, "range");
	const json_t *pv = json_object_get(m, "previous");
	const json_t *rc = json_object_get(m, "records");
	json_t *st = ev_report_get_arr(m, "stages"), *it;
	struct ev_buf b = EV_BUF_INIT;
	size_t i;

	if (ev_report_get_str(m, "title", NULL) != NULL) {
		if (color)
			ev_buf_adds(out, C_BOLD);
		safe_adds(out, ev_report_get_str(m, "title", ""));
		if (color)
			ev_buf_adds(out, C_OFF);
		ev_buf_addc(out, '\n');
	}
	if (color)
		ev_buf_adds(out, C_BOLD);
	ev_buf_adds(out, "ev-report  ");
	ev_report_fmt_timestr(out, tz, ev_report_get_str(r, "start", ""), 0);
	ev_buf_adds(out, " .. ");
	ev_report_fmt_timestr(out, tz, ev_report_get_str(r, "end", ""), 0);
	ev_buf_addc(out, ' ');
	safe_adds(out, ev_report_get_str(m, "tz", "UTC"));
	if (color)
		ev_buf_adds(out, C_OFF);
	ev_buf_printf(out, "\nstep %s, %.0f points", ev_report_get_str(r,
	    "step", "?"), ev_report_get_num(r, "points", 0));
	if (json_is_object(pv)) {
		ev_buf_adds(out, "; previous period ");
		ev_report_fmt_timestr(out, tz, ev_report_get_str(pv, "start",
		    ""), 0);
		ev_buf_adds(out, " .. ");
		ev_report_fmt_timestr(out, tz, ev_report_get_str(pv, "end",
		    ""), 0);
	}
	ev_buf_printf(out, "\ngenerated %s\n", ev_report_get_str(m,
	    "generated", ""));
	ev_report_fmt_figures(out, rc, 0, "records: {in} in, {rejected} "
	    "rejected, {used} in range, {outside} outside; {series} series; "
	    "{anomalies} anomalies\n");
	if (json_array_size(st) > 0) {
		static const int right[] = { 0, 1, 1, 1, 1, 1, 1, 1 };
		struct tbl t;
		size_t at, k;

		tbl_init(&t, 8, right);
		at = tbl_row(&t);
		tbl_set(&t, at, "stage", NULL);
		for (k = 0; k < EV_REPORT_NSTAGE_KEYS; k++)
			tbl_set(&t, at + 1 + k, ev_report_stage_keys[k], NULL);
		json_array_foreach(st, i, it) {
			at = tbl_row(&t);
			tbl_set(&t, at, ev_report_get_str(it, "tool", "?"),
			    NULL);
			for (k = 0; k < EV_REPORT_NSTAGE_KEYS; k++) {
				double v = ev_report_get_num(it,
				    ev_report_stage_keys[k], 0);

				tbl_value(&t, at + 1 + k, &b, v, "-", v > 0 &&
				    k >= 2 && k <= 4 ? C_RED : NULL);
			}
		}
		ev_buf_adds(out, "data quality:\n");
		tbl_write(&t, "  ", color, out);
		tbl_free(&t);
	}
	ev_buf_free(&b);
}

/* The periods cut by the end of input, which change figures leave out. */
static void
partial(const json_t *m, const struct ev_tz *tz, struct ev_buf *out)
{
	json_t *pa = ev_report_get_arr(m, "partial"), *it;
	size_t i;

	if (json_array_size(pa) == 0)
		return;
	ev_buf_adds(out, "  partial: ");
	json_array_foreach(pa, i, it) {
		if (i > 0)
			ev_buf_adds(out, ", ");
		ev_report_fmt_timestr(out, tz, json_is_string(it) ?
		    json_string_value(it) : "", 0);
	}
	ev_buf_adds(out, " (not final; left out of the change)\n");
}

/* Without a range of its own, what the change column compares. */
static void
basis(const json_t *m, const struct ev_tz *tz, struct ev_buf *out)
{
	const json_t *cb = json_object_get(m, "change_basis");

	if (strcmp(ev_report_get_str(cb, "kind", ""), "point") != 0 &&
	    json_object_get(ev_report_get_arr(m, "metrics") ?
	    json_array_get(ev_report_get_arr(m, "metrics"), 0) : NULL,
	    "compare") == NULL)
		return;
	ev_buf_adds(out, "change: ");
	if (!ev_report_fmt_basis(out, m, tz))
		ev_buf_adds(out, "none (no complete point to compare)");
	ev_buf_addc(out, '\n');
}

/* --compare: each point's total next to the one D earlier. */
static void
compare_table(const json_t *m, const json_t *me, const struct ev_tz *tz,
    int color, struct ev_buf *out)
{
	static const int right[] = { 0, 1, 1, 1, 0 };
	const char *head[] = { "period", "value", NULL, "change", NULL };
	struct ev_report_cmp c;
	struct ev_buf b = EV_BUF_INIT;
	struct tbl t;
	size_t at, i;

	if (!ev_report_compare(m, me, &c))
		return;
	ev_buf_printf(&b, "%s earlier", c.off);
	head[2] = b.data;
	tbl_head(&t, 5, right, head);
	ev_buf_printf(out, "  compared with %s earlier (points with nothing "
	    "%s earlier left out; partial points have no change):\n", c.off,
	    c.off);
	for (i = 0; i < c.n; i++) {
		at = tbl_row(&t);
		ev_buf_reset(&b);
		ev_report_fmt_time(&b, tz, c.row[i].t, 0);
		tbl_set(&t, at, b.data, NULL);
		tbl_value(&t, at + 1, &b, c.row[i].v, "n/a", NULL);
		tbl_value(&t, at + 2, &b, c.row[i].prev, "n/a", NULL);
		ev_buf_reset(&b);
		ev_report_fmt_change(&b, c.row[i].change, "-");
		tbl_set(&t, at + 3, b.data, change_color(c.row[i].change));
		tbl_set(&t, at + 4, c.row[i].partial ? "partial" : "", NULL);
	}
	if (c.n == 0)
		ev_buf_adds(out, "  no values to compare\n");
	else
		tbl_write(&t, "    ", color, out);
	ev_report_compare_free(&c);
	tbl_free(&t);
	ev_buf_free(&b);
}

/* A blank line and the metric's name, bold in colour. */
static void
metric_name(const json_t *me, int color, struct ev_buf *out)
{
	ev_buf_addc(out, '\n');
	if (color)
		ev_buf_adds(out, C_BOLD);
	safe_adds(out, ev_report_get_str(me, "name", "?"));
	if (color)
		ev_buf_adds(out, C_OFF);
}

/* A top(field, N) value as text: a string as it is, anything else JSON. */
static void
top_value(struct ev_buf *b, const json_t *v)
{
	if (json_is_string(v))
		ev_buf_adds(b, json_string_value(v));
	else if (v != NULL)
		ev_json_write(v, b);
}

/* A top(field, N) metric: one ranked table per period and series. */
static void
top_metric(const json_t *me, const struct ev_tz *tz,
    const struct ev_report_render_opts *ro, struct ev_buf *out)
{
	static const int right[] = { 1, 0, 1 };
	static const char *const head[] = { "rank", "value", "count" };
	json_t *pa = ev_report_get_arr(me, "periods"), *po, *it;
	struct ev_buf b = EV_BUF_INIT;
	struct tbl t;
	size_t i, k, at;

	metric_name(me, ro->color, out);
	ev_buf_adds(out, "  top values per period\n");
	if (json_array_size(pa) == 0) {
		ev_buf_adds(out, "  no values in the range\n");
		return;
	}
	json_array_foreach(pa, i, po) {
		ev_buf_adds(out, "  ");
		ev_report_fmt_timestr(out, tz, ev_report_get_str(po, "start",
		    ""), 0);
		ev_buf_adds(out, "  ");
		safe_adds(out, ev_report_get_str(po, "series", ""));
		if (json_is_true(json_object_get(po, "partial")))
			ev_buf_adds(out, "  partial");
		ev_buf_addc(out, '\n');
		tbl_head(&t, 3, right, head);
		json_array_foreach(ev_report_get_arr(po, "items"), k, it) {
			at = tbl_row(&t);
			tbl_value(&t, at, &b, ev_report_get_num(it, "rank",
			    NAN), "-", NULL);
			ev_buf_reset(&b);
			top_value(&b, json_object_get(it, "value"));
			tbl_set(&t, at + 1, b.data ? b.data : "", NULL);
			tbl_value(&t, at + 2, &b, ev_report_get_num(it, "count",
			    NAN), "-", NULL);
		}
		tbl_write(&t, "    ", ro->color, out);
		tbl_free(&t);
	}
	ev_buf_free(&b);
}

/*
 * An incident's columns 1 to 8: when it ended (or that it goes on), how
 * long, its series, its peak and deviation, its severity.
 */
static void
incident_row(struct tbl *t, size_t at, struct ev_buf *b, const json_t *it,
    const struct ev_tz *tz, int sec)
{
	const char *sev = ev_report_get_str(it, "severity", "");
	int on = json_is_true(json_object_get(it, "ongoing"));

	ev_buf_reset(b);
	ev_report_fmt_incident_end(b, tz, it, sec);
	tbl_set(t, at + 1, b->data, on ? C_RED : NULL);
	ev_buf_reset(b);
	ev_report_fmt_incident_duration(b, it);
	tbl_set(t, at + 2, b->data, NULL);
	tbl_set(t, at + 3, ev_report_get_str(it, "series", ""), NULL);
	ev_buf_reset(b);
	ev_report_fmt_timestr(b, tz, ev_report_get_str(it, "peak_at", ""),
	    sec);
	tbl_set(t, at + 4, b->data, NULL);
	tbl_value(t, at + 5, b, ev_report_get_num(it, "value", NAN), "-",
	    C_RED);
	tbl_value(t, at + 6, b, ev_report_get_num(it, "expected", NAN), "-",
	    NULL);
	ev_buf_reset(b);
	ev_report_fmt_change(b, ev_report_get_num(it, "deviation", NAN), "-");
	tbl_set(t, at + 7, b->data, C_RED);
	tbl_set(t, at + 8, *sev ? sev : "-", strcmp(sev, "critical") == 0 ?
	    C_RED : NULL);
}

/* An anomaly's columns 1 to 8: series, figures, band, score, method. */
static void
anomaly_row(struct tbl *t, size_t at, struct ev_buf *b, const json_t *it,
    const struct ev_tz *tz, int sec)
{
	static const char *const num[] = { "expected", "lower", "upper" };
	size_t k;

	(void)tz;
	(void)sec;
	tbl_set(t, at + 1, ev_report_get_str(it, "series", ""), NULL);
	tbl_value(t, at + 2, b, ev_report_get_num(it, "value", NAN), "-",
	    C_RED);
	for (k = 0; k < 3; k++)
		tbl_value(t, at + 3 + k, b, ev_report_get_num(it, num[k], NAN),
		    "-", NULL);
	tbl_set(t, at + 6, ev_report_get_str(it, "direction", ""), NULL);
	ev_buf_reset(b);
	ev_report_fmt_score(b, ev_report_get_num(it, "score", NAN));
	tbl_set(t, at + 7, b->data, NULL);
	tbl_set(t, at + 8, ev_report_get_str(it, "method", ""), NULL);
}

/*
 * A table of the metric's incidents (alert episodes, one row each) or,
 * in a model written before incidents, its anomalies point by point:
 * the start, the columns of row(), the explanation; the most severe
 * --max-anomalies of them, in time order.
 */
struct listing {
	const char	 *key;		/* the metric's array, "incidents" */
	const int	 *right;	/* of the 10 columns */
	const char *const *head;	/* of the 10 columns */
	void		(*row)(struct tbl *, size_t, struct ev_buf *,
			    const json_t *, const struct ev_tz *, int);
};

static const int incident_right[] = { 0, 0, 1, 0, 0, 1, 1, 1, 0, 0 };
static const char *const incident_head[] = { "start", "end", "duration",
    "series", "peak at", "value", "expected", "deviation", "severity",
    "explanation" };
static const struct listing incident_list = { "incidents", incident_right,
    incident_head, incident_row };
static const int anomaly_right[] = { 0, 0, 1, 1, 1, 1, 0, 1, 0, 0 };
static const char *const anomaly_head[] = { "anomaly at", "series", "value",
    "expected", "lower", "upper", "dir", "score", "method",
    "explanation" };
static const struct listing anomaly_list = { "anomalies", anomaly_right,
    anomaly_head, anomaly_row };

static void
listing(const json_t *m, const json_t *me, const struct ev_tz *tz,
    const struct ev_report_render_opts *ro, const struct listing *l,
    struct ev_buf *out)
{
	json_t *aa = ev_report_get_arr(me, l->key), *it;
	struct ev_buf b = EV_BUF_INIT;
	size_t i, at, np, hidden;
	ev_us_t t0, step;
	struct tbl t;
	char *shown;
	int sec;

	if (json_array_size(aa) == 0) {
		ev_buf_printf(out, "  no %s\n", l->key);
		return;
	}
	ev_report_grid(m, &t0, &step, &np);
	sec = step % EV_US_PER_MIN != 0;
	ev_buf_printf(out, "  %s:\n", l->key);
	tbl_head(&t, 10, l->right, l->head);
	shown = ev_report_anomaly_shown(aa, ro->max_anomalies, &hidden);
	json_array_foreach(aa, i, it) {
		if (!shown[i])
			continue;
		at = tbl_row(&t);
		ev_buf_reset(&b);
		ev_report_fmt_timestr(&b, tz, ev_report_get_str(it, "start",
		    ""), sec);
		tbl_set(&t, at, b.data, C_RED);
		l->row(&t, at, &b, it, tz, sec);
		ev_buf_reset(&b);
		ev_report_fmt_summary(&b, it);
		tbl_set(&t, at + 9, b.data ? b.data : "", NULL);
	}
	tbl_write(&t, "  ", ro->color, out);
	tbl_free(&t);
	if (hidden > 0)
		ev_buf_printf(out, "  (%zu less severe %s not shown; see "
		    "--max-anomalies)\n", hidden, l->key);
	free(shown);
	ev_buf_free(&b);
}

static void
metric(const json_t *m, const json_t *me, const json_t *by,
    const struct ev_tz *tz, const struct ev_report_render_opts *ro,
    struct ev_buf *out)
{
	json_t *sa = ev_report_get_arr(me, "series");
	const json_t *oth = json_object_get(me, "other");
	size_t nby = json_array_size(by), i, k, at, ncol;
	struct ev_buf b = EV_BUF_INIT;
	json_t *it;
	int *right;
	struct tbl t;
	int add;

	if (strcmp(ev_report_get_str(me, "kind", ""), "top") == 0) {
		top_metric(me, tz, ro, out);
		return;
	}
	metric_name(me, ro->color, out);
	ev_buf_adds(out, "  total ");
	ev_report_fmt_value(out, ev_report_get_num(me, "total", NAN), "n/a");
	ev_buf_adds(out, "  change ");
	if (ro->color && change_color(ev_report_get_num(me, "change", NAN)))
		ev_buf_adds(out, change_color(ev_report_get_num(me, "change",
		    NAN)));
	ev_report_fmt_change(out, ev_report_get_num(me, "change", NAN), "-");
	if (ro->color && change_color(ev_report_get_num(me, "change", NAN)))
		ev_buf_adds(out, C_OFF);
	ev_buf_adds(out, "  ");
	spark(out, ev_report_get_str(me, "sparkline", ""), ro->ascii);
	while (out->len > 0 && out->data[out->len - 1] == ' ')
		out->len--;
	ev_buf_addc(out, '\n');
	if (ev_report_get_str(me, "total_note", NULL) != NULL) {
		ev_buf_adds(out, "  total n/a: ");
		safe_adds(out, ev_report_get_str(me, "total_note", ""));
		ev_buf_addc(out, '\n');
	}
	if (ev_report_get_str(me, "points_note", NULL) != NULL) {
		ev_buf_adds(out, "  points n/a: ");
		safe_adds(out, ev_report_get_str(me, "points_note", ""));
		ev_buf_addc(out, '\n');
	}
	partial(m, tz, out);
	compare_table(m, me, tz, ro->color, out);

	/* Breakdown: one column per group column, then the figures. */
	add = !json_is_false(json_object_get(me, "additive"));
	ncol = (nby ? nby : 1) + 5 + add;
	right = ev_xcalloc(ncol, sizeof(*right));
	for (k = nby ? nby : 1; k < ncol - 1; k++)
		right[k] = 1;
	tbl_init(&t, ncol, right);
	at = tbl_row(&t);
	if (nby == 0)
		tbl_set(&t, at, "series", NULL);
	for (k = 0; k < nby; k++)
		tbl_set(&t, at + k, json_string_value(json_array_get(by, k)) ?
		    json_string_value(json_array_get(by, k)) : "?", NULL);
	k = nby ? nby : 1;
	tbl_set(&t, at + k, "rank", NULL);
	tbl_set(&t, at + k + 1, "total", NULL);
	if (add)
		tbl_set(&t, at + k + 2, "share", NULL);
	k += add;	/* the columns after share move by one */
	tbl_set(&t, at + k + 2, "change", NULL);
	tbl_set(&t, at + k + 3, "anom", NULL);
	tbl_set(&t, at + k + 4, "trend", NULL);
	json_array_foreach(sa, i, it) {
		const json_t *lab = json_object_get(it, "labels");
		double na = ev_report_get_num(it, "anomalies", 0);
		double ch = ev_report_get_num(it, "change", NAN);

		at = tbl_row(&t);
		if (nby == 0)
			tbl_set(&t, at, ev_report_get_str(it, "series", ""),
			    NULL);
		for (k = 0; k < nby; k++)
			tbl_set(&t, at + k, ev_report_get_str(lab,
			    json_string_value(json_array_get(by, k)) ?
			    json_string_value(json_array_get(by, k)) : "",
			    "*"), NULL);
		k = nby ? nby : 1;
		tbl_value(&t, at + k, &b, ev_report_get_num(it, "rank", NAN),
		    "-", NULL);
		tbl_value(&t, at + k + 1, &b, ev_report_get_num(it, "total",
		    NAN), "n/a", NULL);
		if (add) {
			ev_buf_reset(&b);
			ev_report_fmt_share(&b, ev_report_get_num(it, "share",
			    NAN));
			tbl_set(&t, at + k + 2, b.data, NULL);
		}
		k += add;
		ev_buf_reset(&b);
		ev_report_fmt_change(&b, ch, "-");
		tbl_set(&t, at + k + 2, b.data, change_color(ch));
		tbl_value(&t, at + k + 3, &b, na, "-", na > 0 ? C_RED : NULL);
		ev_buf_reset(&b);
		spark(&b, ev_report_get_str(it, "sparkline", ""), ro->ascii);
		tbl_set(&t, at + k + 4, b.data, NULL);
	}
	tbl_write(&t, "  ", ro->color, out);
	tbl_free(&t);
	free(right);
	if (ev_report_get_num(oth, "series", 0) > 0) {
		ev_report_fmt_figures(out, oth, 0, "  other: {series} series, "
		    "total {total|n/a}\n");
	}

	/* A model written before incidents: its anomalies point by point. */
	listing(m, me, tz, ro, json_is_array(json_object_get(me,
	    "incidents")) ? &incident_list : &anomaly_list, out);
	ev_buf_free(&b);
}

void
ev_report_text_render(const json_t *m, const struct ev_report_render_opts *ro,
    struct ev_buf *out)
{
	struct ev_tz *tz = ev_report_tz(m);
	json_t *ma = ev_report_get_arr(m, "metrics"), *it;
	json_t *by = ev_report_get_arr(m, "by");
	size_t i;

	header(m, tz, ro->color, out);
	basis(m, tz, out);
	json_array_foreach(ma, i, it)
		metric(m, it, by, tz, ro, out);
	ev_tz_free(tz);
}
