/*
 * ev_report_fmt.c - reading the report's model and writing its figures
 * for people: the layer every renderer and the builder share.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_rec.h"
#include "ev_report_fmt.h"

/* ---- shared helpers ---- */

const char *const ev_report_stage_keys[EV_REPORT_NSTAGE_KEYS] = { "in",
    "passed", "rejected", "late", "duplicate", "aggregated", "out" };

const char *
ev_report_get_str(const json_t *o, const char *key, const char *dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : dflt;
}

double
ev_report_get_num(const json_t *o, const char *key, double dflt)
{
	json_t *v = json_object_get(o, key);

	if (json_is_number(v))
		return json_number_value(v);
	return json_is_null(v) ? NAN : dflt;
}

json_t *
ev_report_get_arr(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_array(v) ? v : NULL;
}

double
ev_report_arr_num(const json_t *a, size_t i)
{
	json_t *v = json_array_get(a, i);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

struct ev_tz *
ev_report_tz(const json_t *model)
{
	struct ev_tz *tz = ev_tz_open(ev_report_get_str(model, "tz", "UTC"));

	return tz != NULL ? tz : ev_tz_open("UTC");
}

void
ev_report_grid(const json_t *model, ev_us_t *start, ev_us_t *step, size_t *n)
{
	const json_t *r = json_object_get(model, "range");
	const char *s = ev_report_get_str(r, "start", "");
	double np = ev_report_get_num(r, "points", 0);

	if (ev_time_parse(s, strlen(s), start) != 0)
		*start = 0;
	if (ev_duration_parse(ev_report_get_str(r, "step", ""), step) != 0 ||
	    *step <= 0)
		*step = EV_US_PER_MIN;
	*n = np > 0 && np < EV_REPORT_MAX_POINTS ? (size_t)np : 0;
}

void
ev_report_fmt_time(struct ev_buf *b, const struct ev_tz *tz, ev_us_t t,
    int with_sec)
{
	struct ev_tm tm;

	ev_tz_local(tz, t, &tm);
	ev_buf_printf(b, "%04d-%02d-%02d %02d:%02d", tm.year, tm.month,
	    tm.day, tm.hour, tm.min);
	if (with_sec)
		ev_buf_printf(b, ":%02d", tm.sec);
}

void
ev_report_fmt_timestr(struct ev_buf *b, const struct ev_tz *tz,
    const char *s, int with_sec)
{
	ev_us_t t;

	if (ev_time_parse(s, strlen(s), &t) == 0)
		ev_report_fmt_time(b, tz, t, with_sec);
	else
		ev_buf_adds(b, s);
}

static double
rep_severity(const json_t *a)
{
	double v = ev_report_get_num(a, "value", NAN);
	double e = ev_report_get_num(a, "expected", NAN);
	double lo = ev_report_get_num(a, "lower", NAN);
	double hi = ev_report_get_num(a, "upper", NAN);
	double half = v < e ? e - lo : hi - e;

	if (!isnan(v) && !isnan(e) && !isnan(half) && half > 0)
		return 1 + fabs(v - e) / half;	/* above any score */
	v = ev_report_get_num(a, "score", NAN);
	return isnan(v) ? 0 : v;
}

char *
ev_report_anomaly_shown(const json_t *aa, size_t max, size_t *hidden)
{
	size_t n = json_array_size(aa), i, j, *ord;
	double *sev;
	char *shown = ev_xcalloc(n ? n : 1, 1);

	*hidden = 0;
	if (max == 0 || n <= max) {
		memset(shown, 1, n);
		return shown;
	}
	sev = ev_xreallocarray(NULL, n, sizeof(*sev));
	ord = ev_xreallocarray(NULL, n, sizeof(*ord));
	for (i = 0; i < n; i++) {
		size_t k = i;

		sev[i] = rep_severity(json_array_get(aa, i));
		/* Insertion by severity, descending; stable for ties. */
		for (j = i; j > 0 && sev[ord[j - 1]] < sev[k]; j--)
			ord[j] = ord[j - 1];
		ord[j] = k;
	}
	for (i = 0; i < max; i++)
		shown[ord[i]] = 1;
	*hidden = n - max;
	free(sev);
	free(ord);
	return shown;
}

/* Digits of a non-negative decimal string with commas every three. */
static void
rep_group(struct ev_buf *b, const char *digits)
{
	size_t n = strspn(digits, "0123456789"), i;

	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			ev_buf_addc(b, ',');
		ev_buf_addc(b, digits[i]);
	}
	ev_buf_adds(b, digits + n);
}

void
ev_report_fmt_value(struct ev_buf *b, double v, const char *dash)
{
	char tmp[64];

	if (isnan(v) || isinf(v)) {
		ev_buf_adds(b, dash);
		return;
	}
	if (v < 0 && (v == floor(v) ? v <= -1 : v <= -0.005))
		ev_buf_addc(b, '-');
	v = fabs(v);
	if (v == floor(v) && v < 1e15)
		snprintf(tmp, sizeof(tmp), "%.0f", v);
	else if (v < 1e15)
		snprintf(tmp, sizeof(tmp), "%.2f", v);
	else {
		snprintf(tmp, sizeof(tmp), "%.3e", v);
		ev_buf_adds(b, tmp);
		return;
	}
	rep_group(b, tmp);
}

void
ev_report_fmt_figures(struct ev_buf *b, const json_t *o, double dflt,
    const char *tmpl)
{
	char name[64], *bar;
	const char *p, *z;

	for (p = tmpl; *p != '\0'; p++) {
		if (*p != '{' || (z = strchr(p, '}')) == NULL ||
		    (size_t)(z - p) > sizeof(name)) {
			ev_buf_addc(b, *p);
			continue;
		}
		memcpy(name, p + 1, (size_t)(z - p - 1));
		name[z - p - 1] = '\0';
		if ((bar = strchr(name, '|')) != NULL)
			*bar++ = '\0';
		ev_report_fmt_value(b, ev_report_get_num(o, name, dflt),
		    bar != NULL ? bar : "-");
		p = z;
	}
}

void
ev_report_fmt_change(struct ev_buf *b, double v, const char *dash)
{
	if (isnan(v) || isinf(v)) {
		ev_buf_adds(b, dash);
		return;
	}
	v *= 100;
	if (fabs(v) < 0.05)
		ev_buf_adds(b, "0.0%");
	else
		ev_buf_printf(b, "%+.1f%%", v);
}

void
ev_report_fmt_score(struct ev_buf *b, double v)
{
	char tmp[64];
	size_t n;

	if (isnan(v) || isinf(v)) {
		ev_buf_adds(b, "-");
		return;
	}
	/* The 1e-6 keeps 0.99991 (stored as 0.9999099...) from losing a digit. */
	n = (size_t)snprintf(tmp, sizeof(tmp), "%.6f",
	    floor(v * 1e6 + 1e-6) / 1e6);
	while (n > 1 && tmp[n - 1] == '0' && tmp[n - 2] != '.')
		tmp[--n] = '\0';
	ev_buf_adds(b, tmp);
}

void
ev_report_fmt_share(struct ev_buf *b, double v)
{
	if (isnan(v) || isinf(v))
		ev_buf_adds(b, "-");
	else if (fabs(v) < 0.1)
		ev_buf_printf(b, "%.1f%%", v * 100);
	else
		ev_buf_printf(b, "%.0f%%", v * 100);
}

void
ev_report_fmt_explain(struct ev_buf *b, const json_t *a)
{
	json_t *ex = ev_report_get_arr(a, "explain"), *it;
	size_t i, n = 0;

	json_array_foreach(ex, i, it) {
		const char *k;
		json_t *v;
		size_t fields = 0;

		if (!json_is_object(it))
			continue;
		if (n++ > 0)
			ev_buf_adds(b, ", ");
		json_object_foreach(it, k, v) {
			/* Segment columns; figures other than share stay out. */
			if (!json_is_string(v))
				continue;
			if (fields++ > 0)
				ev_buf_addc(b, ',');
			ev_buf_adds(b, k);
			ev_buf_addc(b, '=');
			(void)ev_report_fmt_label(b, v);
		}
		if (json_is_number(json_object_get(it, "share"))) {
			ev_buf_addc(b, ' ');
			ev_report_fmt_share(b, ev_report_get_num(it, "share",
			    0));
		}
	}
}

void
ev_report_fmt_labels(struct ev_buf *b, const json_t *labels)
{
	const char *k;
	json_t *v;
	size_t n = 0;

	json_object_foreach((json_t *)(uintptr_t)labels, k, v) {
		if (n++ > 0)
			ev_buf_addc(b, ',');
		ev_buf_adds(b, k);
		ev_buf_addc(b, '=');
		(void)ev_report_fmt_label(b, v);
	}
	if (n == 0)
		ev_buf_adds(b, "(all)");
}

int
ev_report_fmt_basis(struct ev_buf *b, const json_t *m, const struct ev_tz *tz)
{
	const json_t *cb = json_object_get(m, "change_basis");
	const json_t *cur = json_object_get(cb, "current");
	const json_t *pv = json_object_get(cb, "previous");
	const char *kind = ev_report_get_str(cb, "kind", "");
	int point = strcmp(kind, "point") == 0;

	if (!json_is_object(cur) || !json_is_object(pv) || (!point &&
	    strcmp(kind, "range") != 0))
		return 0;
	if (point) {
		ev_report_fmt_timestr(b, tz, ev_report_get_str(cur, "start",
		    ""), 0);
		ev_buf_adds(b, " against ");
		ev_report_fmt_timestr(b, tz, ev_report_get_str(pv, "start",
		    ""), 0);
		ev_buf_printf(b, " (the last complete %s point against the "
		    "one %s earlier)", ev_report_get_str(json_object_get(m,
		    "range"), "step", "?"), ev_report_get_str(cb, "offset",
		    "?"));
		return 1;
	}
	ev_buf_adds(b, "the range against ");
	ev_report_fmt_timestr(b, tz, ev_report_get_str(pv, "start", ""), 0);
	ev_buf_adds(b, " to ");
	ev_report_fmt_timestr(b, tz, ev_report_get_str(pv, "end", ""), 0);
	ev_buf_printf(b, " (%s earlier)", ev_report_get_str(cb, "offset",
	    "?"));
	return 1;
}

int
ev_report_compare(const json_t *m, const json_t *me, struct ev_report_cmp *c)
{
	const json_t *cmp = json_object_get(me, "compare");
	json_t *pts = ev_report_get_arr(me, "points");
	json_t *pv = ev_report_get_arr(cmp, "previous");
	json_t *ch = ev_report_get_arr(cmp, "change");
	json_t *pa = ev_report_get_arr(m, "partial"), *it;
	ev_us_t t0, step, t;
	size_t n, k, i;

	c->off = ev_report_offset(m);
	c->n = 0;
	c->row = NULL;
	if (cmp == NULL)
		return 0;
	ev_report_grid(m, &t0, &step, &n);
	for (k = 0; k < n; k++) {
		struct ev_report_cmp_row *r;
		double p = ev_report_arr_num(pv, k);

		if (isnan(p))
			continue;	/* nothing to compare with */
		t = t0 + (ev_us_t)k * step;
		c->row = ev_xreallocarray(c->row, c->n + 1, sizeof(*c->row));
		r = &c->row[c->n++];
		r->t = t;
		r->v = ev_report_arr_num(pts, k);
		r->prev = p;
		r->change = ev_report_arr_num(ch, k);
		r->partial = 0;
		json_array_foreach(pa, i, it) {
			ev_us_t pt;

			if (json_is_string(it) && ev_time_parse(
			    json_string_value(it), json_string_length(it),
			    &pt) == 0 && pt == t)
				r->partial = 1;
		}
	}
	return 1;
}

void
ev_report_compare_free(struct ev_report_cmp *c)
{
	free(c->row);
	c->row = NULL;
	c->n = 0;
}

const char *
ev_report_offset(const json_t *m)
{
	return ev_report_get_str(json_object_get(m, "change_basis"), "offset",
	    "?");
}

void
ev_report_fmt_item(struct ev_buf *b, const json_t *v)
{
	if (json_is_string(v))
		ev_buf_adds(b, json_string_value(v));
	else if (v != NULL)
		ev_json_write(v, b);
}

size_t
ev_report_width(const char *s, size_t n)
{
	size_t w = 0, i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			w++;
	return w;
}


json_t *
ev_report_json_time(ev_us_t t)
{
	char buf[EV_TIME_BUFSZ];

	return json_string(ev_time_format(t, -1, buf));
}

json_t *
ev_report_json_num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

int
ev_report_fmt_label(struct ev_buf *b, const json_t *v)
{
	if (json_is_string(v)) {
		ev_buf_add(b, json_string_value(v), json_string_length(v));
		return 1;
	}
	if (json_is_number(v) || json_is_boolean(v)) {
		ev_json_write(v, b);
		return 1;
	}
	return 0;
}

void
ev_report_fmt_summary(struct ev_buf *b, const json_t *a)
{
	const char *sum = ev_report_get_str(a, "summary", "");

	if (*sum)
		ev_buf_adds(b, sum);
	else
		ev_report_fmt_explain(b, a);
}

int
ev_report_fmt_incident_end(struct ev_buf *b, const struct ev_tz *tz,
    const json_t *inc, int with_sec)
{
	if (json_is_true(json_object_get(inc, "ongoing"))) {
		ev_buf_adds(b, "ongoing");
		return 1;
	}
	ev_report_fmt_timestr(b, tz, ev_report_get_str(inc, "end", ""),
	    with_sec);
	return 0;
}

void
ev_report_fmt_incident_duration(struct ev_buf *b, const json_t *inc)
{
	ev_buf_adds(b, ev_report_get_str(inc, "duration", ""));
	if (json_is_true(json_object_get(inc, "ongoing")))
		ev_buf_adds(b, " so far");
}

void
ev_report_fmt_title(struct ev_buf *b, const json_t *m)
{
	const char *t = ev_report_get_str(m, "title", NULL);

	if (t != NULL) {
		ev_buf_adds(b, t);
		return;
	}
	ev_buf_adds(b, "ev-report:");
	ev_report_fmt_names(b, m);
}

void
ev_report_fmt_names(struct ev_buf *b, const json_t *m)
{
	json_t *ma = ev_report_get_arr(m, "metrics"), *it;
	size_t i;

	json_array_foreach(ma, i, it) {
		ev_buf_adds(b, i ? ", " : " ");
		ev_buf_adds(b, ev_report_get_str(it, "name", "?"));
	}
}

void
ev_report_fmt_range(struct ev_buf *b, const json_t *m, const struct ev_tz *tz)
{
	const json_t *r = json_object_get(m, "range");
	const json_t *pv = json_object_get(m, "previous");

	ev_report_fmt_timestr(b, tz, ev_report_get_str(r, "start", ""), 0);
	ev_buf_adds(b, " to ");
	ev_report_fmt_timestr(b, tz, ev_report_get_str(r, "end", ""), 0);
	ev_buf_printf(b, " (%s), step %s", ev_report_get_str(m, "tz", "UTC"),
	    ev_report_get_str(r, "step", "?"));
	if (json_is_object(pv)) {
		ev_buf_adds(b, "; compared with ");
		ev_report_fmt_timestr(b, tz, ev_report_get_str(pv, "start",
		    ""), 0);
		ev_buf_adds(b, " to ");
		ev_report_fmt_timestr(b, tz, ev_report_get_str(pv, "end", ""),
		    0);
	}
}

/*
 * The one escaper of text from the data: & < > as entities in both
 * targets (many Markdown renderers pass raw HTML through); in HTML also
 * " and ' (attribute values), control characters but tab and line feed
 * blank (XML 1.0 allows no others); in Markdown a backslash before \\
 * and | (a cell keeps its text, the table its columns), every control
 * character and DEL blank (a line break would end the row).
 */
static void
rep_esc(struct ev_buf *b, const char *s, int md)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		const char *ent = c == '&' ? "&amp;" : c == '<' ? "&lt;" :
		    c == '>' ? "&gt;" : NULL;

		if (ent == NULL && !md)
			ent = c == '"' ? "&quot;" : c == '\'' ? "&#39;" : NULL;
		if (ent != NULL)
			ev_buf_adds(b, ent);
		else if (md && (c == '|' || c == '\\')) {
			ev_buf_addc(b, '\\');
			ev_buf_addc(b, (char)c);
		} else if (c < 0x20 ? md || (c != '\n' && c != '\t') :
		    md && c == 0x7f)
			ev_buf_addc(b, ' ');
		else
			ev_buf_addc(b, (char)c);
	}
}

void
ev_report_html_esc(struct ev_buf *b, const char *s)
{
	rep_esc(b, s, 0);
}

void
ev_report_html_esc_buf(struct ev_buf *out, struct ev_buf *tmp)
{
	ev_report_html_esc(out, tmp->data ? tmp->data : "");
	ev_buf_reset(tmp);
}

void
ev_report_html_head(struct ev_buf *b, const json_t *model, const char *meta)
{
	struct ev_buf t = EV_BUF_INIT;

	ev_buf_adds(b, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/"
	    "1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
	ev_buf_adds(b, meta);
	ev_buf_adds(b, "<meta name=\"generator\" content=\"ev-report (evkit) "
	    EV_VERSION "\"/>\n<title>");
	ev_report_fmt_title(&t, model);
	ev_report_html_esc(b, t.data ? t.data : "");
	ev_buf_adds(b, "</title>\n");
	ev_buf_free(&t);
}

void
ev_report_md_esc(struct ev_buf *b, const char *s)
{
	rep_esc(b, s, 1);
}
