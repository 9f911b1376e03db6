/*
 * ev_report_csv.c - the report's points as one RFC 4180 table for
 * spreadsheets: one row per metric, series and point with a value, the
 * metric's total first (series "(total)"), then the listed series in rank
 * order, with the expected band and the anomaly at that point if any.
 * Fields are quoted by libcsv when they hold a comma, quote or line break;
 * lines end in CRLF as RFC 4180 says.  Text from the data is neutralised
 * against formula injection first (see neutralise).  Numbers in evkit's JSON spelling,
 * times in RFC 3339 UTC.
 */
#include <csv.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_rec.h"
#include "ev_report_fmt.h"
#include "ev_report_render.h"

/* A whole cell that is a plain decimal number, such as "-12.5" or "+3". */
static int
plain_number(const char *s)
{
	int digits = 0;

	if (*s == '+' || *s == '-')
		s++;
	for (; isdigit((unsigned char)*s); s++)
		digits++;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			digits++;
	if (digits == 0)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!isdigit((unsigned char)*s))
			return 0;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return *s == '\0';
}

/*
 * The text of a cell as a spreadsheet may see it: OWASP's advice on CSV
 * injection, a cell that starts with = + - @ tab or CR gets a leading
 * single quote so it is text, not a formula (plain numbers stay as they
 * are); control bytes other than tab and line breaks become spaces, so
 * no ESC sequence reaches a terminal that shows the file.
 */
static void
neutralise(struct ev_buf *b, const char *s)
{
	ev_buf_reset(b);
	if (*s != '\0' && strchr("=+-@\t\r", *s) != NULL && !plain_number(s))
		ev_buf_addc(b, '\'');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		ev_buf_addc(b, (c < 0x20 && c != '\t' && c != '\n' &&
		    c != '\r') || c == 0x7f ? ' ' : *s);
	}
}

/* Whether a cell needs neutralise: a formula start or a control byte. */
static int
needs_neutralise(const char *s)
{
	if (*s != '\0' && strchr("=+-@\t\r", *s) != NULL)
		return 1;
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' &&
		    *s != '\r') || *s == 0x7f)
			return 1;
	return 0;
}

static void
field(struct ev_buf *b, const char *s, int first)
{
	struct ev_buf cell = EV_BUF_INIT;
	size_t n;

	if (needs_neutralise(s)) {
		neutralise(&cell, s);
		s = cell.data;
	}
	n = strlen(s);
	if (!first)
		ev_buf_addc(b, ',');
	if (strpbrk(s, ",\"\r\n") == NULL) {
		ev_buf_add(b, s, n);
	} else {
		ev_buf_reserve(b, 2 * n + 3);
		b->len += csv_write(b->data + b->len, b->cap - b->len, s, n);
		b->data[b->len] = '\0';
	}
	ev_buf_free(&cell);
}

static void
numfield(struct ev_buf *b, double v)
{
	ev_buf_addc(b, ',');
	if (!isnan(v))
		ev_buf_add_num(b, v);
}

/*
 * Columns after direction, present only when the model has them:
 * previous and change (--compare), rank and item (top(field, N)
 * metrics), note (a total or points that are n/a).
 */
struct cols {
	int	cmp, top, note;
};

static void
extra(struct ev_buf *out, const struct cols *c, double prev, double ch,
    double rank, const char *item, const char *note)
{
	if (c->cmp) {
		numfield(out, prev);
		numfield(out, ch);
	}
	if (c->top) {
		numfield(out, rank);
		field(out, item, 0);
	}
	if (c->note)
		field(out, note, 0);
	ev_buf_adds(out, "\r\n");
}

/* Which of the extra columns the model needs. */
static void
cols_of(const json_t *ma, struct cols *c)
{
	json_t *me;
	size_t i;

	memset(c, 0, sizeof(*c));
	json_array_foreach(ma, i, me) {
		if (json_object_get(me, "compare") != NULL)
			c->cmp = 1;
		if (strcmp(ev_report_get_str(me, "kind", ""), "top") == 0) {
			json_t *po;
			size_t k;

			c->top = 1;
			json_array_foreach(ev_report_get_arr(me, "periods"), k,
			    po)
				if (json_is_true(json_object_get(po,
				    "partial")))
					c->note = 1;
		}
		if (ev_report_get_str(me, "total_note", NULL) != NULL ||
		    ev_report_get_str(me, "points_note", NULL) != NULL)
			c->note = 1;
	}
}

/* The group columns of a row from its labels. */
static void
labels(struct ev_buf *out, const json_t *by, const json_t *lab)
{
	json_t *it;
	size_t i;

	json_array_foreach(by, i, it) {
		const char *col = json_string_value(it);

		field(out, ev_report_get_str(lab, col ? col : "", ""), 0);
	}
}

/*
 * A metric whose total is n/a: one "(total)" row with no time and no
 * value that says why, so a spreadsheet never shows a sum instead.
 */
static void
note_row(struct ev_buf *out, const json_t *me, const json_t *by,
    const struct cols *c)
{
	const char *note = ev_report_get_str(me, "total_note", NULL);

	if (note == NULL)
		note = ev_report_get_str(me, "points_note", NULL);
	if (note == NULL)
		return;
	field(out, ev_report_get_str(me, "name", ""), 1);
	field(out, "(total)", 0);
	labels(out, by, NULL);
	ev_buf_adds(out, ",,,,,,,");
	extra(out, c, NAN, NAN, NAN, "", note);
}

/* A top(field, N) metric: one row per period, series and rank. */
static void
top_rows(struct ev_buf *out, const json_t *me, const json_t *by,
    const struct cols *c)
{
	json_t *pa = ev_report_get_arr(me, "periods"), *po, *it, *v;
	struct ev_buf b = EV_BUF_INIT;
	size_t i, k;

	json_array_foreach(pa, i, po) {
		json_array_foreach(ev_report_get_arr(po, "items"), k, it) {
			field(out, ev_report_get_str(me, "name", ""), 1);
			field(out, ev_report_get_str(po, "series", ""), 0);
			labels(out, by, json_object_get(po, "labels"));
			field(out, ev_report_get_str(po, "start", ""), 0);
			numfield(out, ev_report_get_num(it, "count", NAN));
			ev_buf_adds(out, ",,,,,");
			ev_buf_reset(&b);
			v = json_object_get(it, "value");
			ev_report_fmt_item(&b, v);
			extra(out, c, NAN, NAN, ev_report_get_num(it, "rank",
			    NAN), b.data ? b.data : "", json_is_true(
			    json_object_get(po, "partial")) ? "partial" : "");
		}
	}
	ev_buf_free(&b);
}

/*
 * The times of the grid's points as rows show them, formatted once for
 * every series when the grid has at most CSV_TIMES points (tt; else NULL
 * and each row formats its own).
 */
#define CSV_TIMES	16384

static char *
grid_times(ev_us_t t0, ev_us_t step, size_t n)
{
	char *tt;
	size_t k;

	if (n == 0 || n > CSV_TIMES)
		return NULL;
	tt = ev_xreallocarray(NULL, n, EV_TIME_BUFSZ);
	for (k = 0; k < n; k++)
		ev_time_format(t0 + (ev_us_t)k * step, -1,
		    tt + k * EV_TIME_BUFSZ);
	return tt;
}

static void
rows(struct ev_buf *out, const json_t *me, const json_t *by,
    const json_t *se, const char *series, ev_us_t t0, ev_us_t step,
    size_t n, const char *tt, const struct cols *c)
{
	const json_t *cmp = json_object_get(se, "compare");
	json_t *pv = ev_report_get_arr(cmp, "previous");
	json_t *ch = ev_report_get_arr(cmp, "change");
	json_t *pts = ev_report_get_arr(se, "points");
	json_t *ex = ev_report_get_arr(se, "expected");
	json_t *lo = ev_report_get_arr(se, "lower");
	json_t *hi = ev_report_get_arr(se, "upper");
	json_t *aa = ev_report_get_arr(me, "anomalies"), *it;
	const json_t *lab = json_object_get(se, "labels");
	const char *mname = ev_report_get_str(me, "name", "");
	long *anom = NULL;
	size_t i, k;
	char buf[EV_TIME_BUFSZ];

	if (n > json_array_size(pts))
		n = json_array_size(pts);
	if (n == 0)
		return;
	anom = ev_xreallocarray(NULL, n, sizeof(*anom));
	for (k = 0; k < n; k++)
		anom[k] = -1;
	if (lab != NULL)
		json_array_foreach(aa, i, it) {
			const char *s = ev_report_get_str(it, "start", "");
			ev_us_t t;

			if (strcmp(ev_report_get_str(it, "series", ""),
			    series) != 0 || ev_time_parse(s, strlen(s), &t) !=
			    0 || t < t0 || (uint64_t)((t - t0) / step) >= n)
				continue;
			anom[(t - t0) / step] = (long)i;
		}
	for (k = 0; k < n; k++) {
		double v = ev_report_arr_num(pts, k);
		json_t *a;

		if (isnan(v) && anom[k] < 0)
			continue;
		field(out, mname, 1);
		field(out, series, 0);
		labels(out, by, lab);
		field(out, tt != NULL ? tt + k * EV_TIME_BUFSZ :
		    ev_time_format(t0 + (ev_us_t)k * step, -1, buf), 0);
		numfield(out, v);
		numfield(out, ex ? ev_report_arr_num(ex, k) : NAN);
		numfield(out, lo ? ev_report_arr_num(lo, k) : NAN);
		numfield(out, hi ? ev_report_arr_num(hi, k) : NAN);
		a = anom[k] >= 0 ? json_array_get(aa, (size_t)anom[k]) : NULL;
		numfield(out, a ? ev_report_get_num(a, "score", NAN) : NAN);
		field(out, a ? ev_report_get_str(a, "direction", "") : "", 0);
		extra(out, c, pv ? ev_report_arr_num(pv, k) : NAN, ch ?
		    ev_report_arr_num(ch, k) : NAN, NAN, "", "");
	}
	free(anom);
}

void
ev_report_csv_render(const json_t *m, struct ev_buf *out)
{
	json_t *ma = ev_report_get_arr(m, "metrics"), *me, *it;
	json_t *by = ev_report_get_arr(m, "by");
	ev_us_t t0, step;
	size_t n, i, j;
	struct cols c;
	char *tt;

	ev_report_grid(m, &t0, &step, &n);
	tt = grid_times(t0, step, n);
	cols_of(ma, &c);
	field(out, "metric", 1);
	field(out, "series", 0);
	json_array_foreach(by, i, it)
		field(out, json_string_value(it) ? json_string_value(it) : "",
		    0);
	ev_buf_adds(out, ",start,value,expected,lower,upper,anomaly_score,"
	    "direction");
	ev_buf_adds(out, c.cmp ? ",previous,change" : "");
	ev_buf_adds(out, c.top ? ",rank,item" : "");
	ev_buf_adds(out, c.note ? ",note\r\n" : "\r\n");
	json_array_foreach(ma, i, me) {
		json_t *sa = ev_report_get_arr(me, "series");

		if (strcmp(ev_report_get_str(me, "kind", ""), "top") == 0) {
			top_rows(out, me, by, &c);
			continue;
		}
		note_row(out, me, by, &c);
		rows(out, me, by, me, "(total)", t0, step, n, tt, &c);
		json_array_foreach(sa, j, it)
			rows(out, me, by, it, ev_report_get_str(it, "series",
			    ""), t0, step, n, tt, &c);
	}
	free(tt);
}
