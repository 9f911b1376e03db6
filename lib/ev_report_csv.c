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
#include "ev_report.h"

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

static void
rows(struct ev_buf *out, const json_t *me, const json_t *by,
    const json_t *se, const char *series, ev_us_t t0, ev_us_t step,
    size_t n)
{
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
		json_array_foreach(by, i, it) {
			const char *col = json_string_value(it);

			field(out, ev_report_get_str(lab, col ? col : "", ""),
			    0);
		}
		field(out, ev_time_format(t0 + (ev_us_t)k * step, -1, buf), 0);
		numfield(out, v);
		numfield(out, ex ? ev_report_arr_num(ex, k) : NAN);
		numfield(out, lo ? ev_report_arr_num(lo, k) : NAN);
		numfield(out, hi ? ev_report_arr_num(hi, k) : NAN);
		a = anom[k] >= 0 ? json_array_get(aa, (size_t)anom[k]) : NULL;
		numfield(out, a ? ev_report_get_num(a, "score", NAN) : NAN);
		field(out, a ? ev_report_get_str(a, "direction", "") : "", 0);
		ev_buf_adds(out, "\r\n");
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

	ev_report_grid(m, &t0, &step, &n);
	field(out, "metric", 1);
	field(out, "series", 0);
	json_array_foreach(by, i, it)
		field(out, json_string_value(it) ? json_string_value(it) : "",
		    0);
	ev_buf_adds(out, ",start,value,expected,lower,upper,anomaly_score,"
	    "direction\r\n");
	json_array_foreach(ma, i, me) {
		json_t *sa = ev_report_get_arr(me, "series");

		rows(out, me, by, me, "(total)", t0, step, n);
		json_array_foreach(sa, j, it)
			rows(out, me, by, it, ev_report_get_str(it, "series",
			    ""), t0, step, n);
	}
}
