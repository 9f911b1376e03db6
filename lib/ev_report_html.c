/*
 * ev_report_html.c - the report as one self-contained HTML file: no
 * script, no network, no external style.  Per metric an inline SVG line
 * chart of the total and of each listed series, with the expected band
 * (when ev-detect annotated the series) and the anomalies marked, and the
 * anomaly and breakdown tables.  Colours come from CSS variables switched
 * by prefers-color-scheme and reset for print.
 *
 * The markup is XHTML-compatible (every element closed, attributes quoted,
 * only the XML entities) so xmllint can check it as XML as well as HTML.
 * The charts are drawn by ev_report_chart.c: long series at most 380
 * points wide (bucket means), anomalies at their exact time.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_rec.h"
#include "ev_report_chart.h"
#include "ev_report_fmt.h"
#include "ev_report_render.h"

static const char css[] =
":root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--mute:#59636e;"
"--grid:#d1d9e0;--line:#0969da;--band:rgba(9,105,218,.16);--exp:#59636e;"
"--anom:#cf222e;--up:#1a7f37;--down:#cf222e;--row:#f6f8fa}\n"
"@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;"
"--mute:#9198a1;--grid:#3d444d;--line:#4493f8;--band:rgba(68,147,248,.22);"
"--exp:#9198a1;--anom:#ff7b72;--up:#3fb950;--down:#ff7b72;--row:#151b23}}\n"
"@media print{:root{--bg:#fff;--fg:#000;--mute:#444;--grid:#bbb;"
"--line:#0550ae;--band:rgba(5,80,174,.15);--exp:#444;--anom:#c00;"
"--up:#060;--down:#c00;--row:#f3f3f3}section,figure,table{break-inside:"
"avoid}body{margin:0}}\n"
"body{background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,"
"-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1100px;"
"padding:0 16px}\n"
"h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 6px;"
"border-bottom:1px solid var(--grid);padding-bottom:4px}"
"h3{font-size:15px;margin:16px 0 6px}\n"
".meta{color:var(--mute);margin:2px 0}\n"
"table{border-collapse:collapse;margin:6px 0 12px;font-variant-numeric:"
"tabular-nums}th,td{padding:3px 10px;border-bottom:1px solid var(--grid);"
"text-align:left;vertical-align:top}th{font-weight:600}"
"td.n,th.n{text-align:right}td.t{white-space:nowrap}"
"td.x{min-width:12em}"
"table.anom{font-size:13px;width:100%}table.anom td,table.anom th{"
"padding:3px 6px}\n"
"tr:nth-child(even) td{background:var(--row)}\n"
".spark{font-family:ui-monospace,monospace;letter-spacing:-1px}\n"
".up{color:var(--up)}.down{color:var(--down)}.bad{color:var(--anom);"
"font-weight:600}\n"
"figure{margin:8px 0 14px}figcaption{font-weight:600;margin-bottom:2px}\n"
"svg{width:100%;height:auto;max-width:760px;display:block}\n"
"svg text{fill:var(--mute);font-size:11px}\n"
"svg .axis{stroke:var(--grid);stroke-width:1}\n"
"svg .band{fill:var(--band);stroke:none}\n"
"svg .exp{fill:none;stroke:var(--exp);stroke-width:1;"
"stroke-dasharray:4 3}\n"
"svg .line{fill:none;stroke:var(--line);stroke-width:1.6;"
"stroke-linejoin:round}\n"
"svg .anom{fill:var(--anom);stroke:var(--bg);stroke-width:1.5}\n"
".legend{color:var(--mute);font-size:12px}\n"
".partial{color:var(--mute);font-style:italic}\n"
"nav ul{margin:4px 0;padding-left:20px}nav li{margin:1px 0}\n"
"svg .inc{fill:var(--anom);fill-opacity:.12;stroke:none}\n"
".sm figure{display:inline-block;vertical-align:top;width:49%;"
"margin:4px 0}\n"
"h4{font-size:14px;margin:12px 0 2px}\n";

static void
esc(struct ev_buf *b, const char *s)
{
	ev_report_html_esc(b, s);
}

/* A series name that may wrap after its commas. */
static void
esc_series(struct ev_buf *b, const char *s)
{
	const char *c;

	while ((c = strchr(s, ',')) != NULL) {
		char *part = ev_xstrndup(s, (size_t)(c - s) + 1);

		esc(b, part);
		free(part);
		ev_buf_adds(b, "<wbr/>");
		s = c + 1;
	}
	esc(b, s);
}

/* Escape the text another helper formats. */
static void
esc_buf(struct ev_buf *out, struct ev_buf *tmp)
{
	ev_report_html_esc_buf(out, tmp);
}

static void
td_num(struct ev_buf *out, struct ev_buf *tmp, double v, const char *cls)
{
	ev_report_fmt_value(tmp, v, "-");
	ev_buf_printf(out, "<td class=\"n%s%s\">", cls ? " " : "",
	    cls ? cls : "");
	esc_buf(out, tmp);
	ev_buf_adds(out, "</td>");
}

static const char *
change_cls(double v)
{
	if (isnan(v) || fabs(v) < 0.0005)
		return NULL;
	return v > 0 ? "up" : "down";
}

static void
td_change(struct ev_buf *out, struct ev_buf *tmp, double v)
{
	ev_report_fmt_change(tmp, v, "-");
	ev_buf_printf(out, "<td class=\"n%s%s\">", change_cls(v) ? " " : "",
	    change_cls(v) ? change_cls(v) : "");
	esc_buf(out, tmp);
	ev_buf_adds(out, "</td>");
}

static void
header(const json_t *m, const struct ev_tz *tz, struct ev_buf *out)
{
	const json_t *rc = json_object_get(m, "records");
	json_t *st = ev_report_get_arr(m, "stages"), *it;
	struct ev_buf tmp = EV_BUF_INIT;
	size_t i;

	ev_buf_adds(out, "<header>\n<h1>");
	ev_report_fmt_title(&tmp, m);
	esc_buf(out, &tmp);
	ev_buf_adds(out, "</h1>\n<p class=\"meta\">");
	ev_report_fmt_range(&tmp, m, tz);
	esc_buf(out, &tmp);
	ev_buf_adds(out, "</p>\n<p class=\"meta\">");
	ev_report_fmt_figures(&tmp, rc, 0, "{in} records in, {rejected} "
	    "rejected, {used} in range; {series} series; ");
	esc_buf(out, &tmp);
	ev_buf_printf(out, "<span class=\"%s\">",
	    ev_report_get_num(rc, "anomalies", 0) > 0 ? "bad" : "meta");
	ev_report_fmt_figures(&tmp, rc, 0, "{anomalies} anomalies");
	esc_buf(out, &tmp);
	ev_buf_adds(out, "</span>; generated ");
	esc(out, ev_report_get_str(m, "generated", ""));
	ev_buf_adds(out, "</p>\n");
	if (json_array_size(st) > 0) {
		size_t k;

		ev_buf_adds(out, "<table>\n<caption>Data quality</caption>\n"
		    "<tr><th>stage</th>");
		for (k = 0; k < EV_REPORT_NSTAGE_KEYS; k++)
			ev_buf_printf(out, "<th class=\"n\">%s</th>",
			    ev_report_stage_keys[k]);
		ev_buf_adds(out, "</tr>\n");
		json_array_foreach(st, i, it) {
			ev_buf_adds(out, "<tr><td>");
			esc(out, ev_report_get_str(it, "tool", "?"));
			ev_buf_adds(out, "</td>");
			for (k = 0; k < EV_REPORT_NSTAGE_KEYS; k++) {
				double v = ev_report_get_num(it,
				    ev_report_stage_keys[k], 0);

				td_num(out, &tmp, v, v > 0 && k >= 2 &&
				    k <= 4 ? "bad" : NULL);
			}
			ev_buf_adds(out, "</tr>\n");
		}
		ev_buf_adds(out, "</table>\n");
	}
	ev_buf_adds(out, "</header>\n");
	ev_buf_free(&tmp);
}

/* A top(field, N) metric: one ranked table per period and series. */
static void
top_metric(const json_t *me, size_t mi, const struct ev_tz *tz,
    struct ev_buf *out)
{
	json_t *pa = ev_report_get_arr(me, "periods"), *po, *it, *v;
	struct ev_buf tmp = EV_BUF_INIT;
	size_t i, k;

	ev_buf_printf(out, "<section id=\"m%zu\">\n<h2>", mi);
	esc(out, ev_report_get_str(me, "name", "?"));
	ev_buf_adds(out, "</h2>\n<p class=\"meta\">Top values per period; "
	    "lists are not summed.</p>\n");
	if (json_array_size(pa) == 0)
		ev_buf_adds(out, "<p>No values in the range.</p>\n");
	json_array_foreach(pa, i, po) {
		ev_buf_adds(out, "<h3>");
		ev_report_fmt_timestr(&tmp, tz, ev_report_get_str(po, "start",
		    ""), 0);
		ev_buf_adds(&tmp, " ");
		ev_buf_adds(&tmp, ev_report_get_str(po, "series", ""));
		esc_buf(out, &tmp);
		if (json_is_true(json_object_get(po, "partial")))
			ev_buf_adds(out, " <span class=\"partial\">partial"
			    "</span>");
		ev_buf_adds(out, "</h3>\n<table>\n<tr><th class=\"n\">#</th>"
		    "<th>value</th><th class=\"n\">count</th></tr>\n");
		json_array_foreach(ev_report_get_arr(po, "items"), k, it) {
			ev_buf_adds(out, "<tr>");
			td_num(out, &tmp, ev_report_get_num(it, "rank", NAN),
			    NULL);
			v = json_object_get(it, "value");
			if (json_is_string(v))
				ev_buf_adds(&tmp, json_string_value(v));
			else if (v != NULL)
				ev_json_write(v, &tmp);
			ev_buf_adds(out, "<td>");
			esc_buf(out, &tmp);
			ev_buf_adds(out, "</td>");
			td_num(out, &tmp, ev_report_get_num(it, "count", NAN),
			    NULL);
			ev_buf_adds(out, "</tr>\n");
		}
		ev_buf_adds(out, "</table>\n");
	}
	ev_buf_adds(out, "</section>\n");
	ev_buf_free(&tmp);
}

/* The periods cut by the end of input, which change figures leave out. */
static void
partial(struct ev_buf *out, const json_t *m, const struct ev_tz *tz)
{
	json_t *pa = ev_report_get_arr(m, "partial"), *it;
	struct ev_buf tmp = EV_BUF_INIT;
	size_t i;

	if (json_array_size(pa) == 0)
		return;
	ev_buf_adds(out, "<p class=\"partial\">Partial (not final, left out "
	    "of the change): ");
	json_array_foreach(pa, i, it) {
		if (i > 0)
			ev_buf_adds(out, ", ");
		ev_report_fmt_timestr(&tmp, tz, json_is_string(it) ?
		    json_string_value(it) : "", 0);
		esc_buf(out, &tmp);
	}
	ev_buf_adds(out, ".</p>\n");
	ev_buf_free(&tmp);
}

/* Without a range of its own, what the change figures compare. */
static void
html_basis(const json_t *m, const struct ev_tz *tz, struct ev_buf *out)
{
	struct ev_buf tmp = EV_BUF_INIT;

	if (strcmp(ev_report_get_str(json_object_get(m, "change_basis"),
	    "kind", ""), "point") != 0)
		return;
	ev_report_fmt_basis(&tmp, m, tz);
	ev_buf_adds(out, "<p class=\"meta\">Change: ");
	esc_buf(out, &tmp);
	ev_buf_adds(out, ".</p>\n");
	ev_buf_free(&tmp);
}

/* --compare: each point's total next to the one D earlier; the notes. */
static void
html_compare(const json_t *m, const json_t *me, const struct ev_tz *tz,
    struct ev_buf *out)
{
	struct ev_report_cmp c;
	struct ev_buf tmp = EV_BUF_INIT;
	size_t i;

	if (ev_report_get_str(me, "points_note", NULL) != NULL) {
		ev_buf_adds(out, "<p class=\"meta\">Points n/a: ");
		esc(out, ev_report_get_str(me, "points_note", ""));
		ev_buf_adds(out, ".</p>\n");
	}
	if (!ev_report_compare(m, me, &c))
		return;
	ev_buf_adds(out, "<h3>Against ");
	esc(out, c.off);
	ev_buf_adds(out, " earlier</h3>\n");
	if (c.n == 0) {
		ev_buf_adds(out, "<p class=\"meta\">Nothing to compare "
		    "with.</p>\n");
		return;
	}
	ev_buf_adds(out, "<table>\n<tr><th>period</th><th class=\"n\">"
	    "value</th><th class=\"n\">");
	esc(out, c.off);
	ev_buf_adds(out, " earlier</th><th class=\"n\">change</th></tr>\n");
	for (i = 0; i < c.n; i++) {
		ev_buf_adds(out, "<tr><td class=\"t\">");
		ev_report_fmt_time(&tmp, tz, c.row[i].t, 0);
		esc_buf(out, &tmp);
		if (c.row[i].partial)
			ev_buf_adds(out, " <span class=\"partial\">partial"
			    "</span>");
		ev_buf_adds(out, "</td>");
		td_num(out, &tmp, c.row[i].v, NULL);
		td_num(out, &tmp, c.row[i].prev, NULL);
		td_change(out, &tmp, c.row[i].change);
		ev_buf_adds(out, "</tr>\n");
	}
	ev_buf_adds(out, "</table>\n");
	ev_report_compare_free(&c);
	ev_buf_free(&tmp);
}

/* Index of the listed series named name in sa; -1 when not listed. */
static long
series_index(const json_t *sa, const char *name)
{
	json_t *it;
	size_t i;

	json_array_foreach(sa, i, it)
		if (strcmp(ev_report_get_str(it, "series", ""), name) == 0)
			return (long)i;
	return -1;
}

/*
 * The total row among the listed series: the only one with the fewest
 * group columns, when others have more.  Its band and anomalies go on the
 * metric's headline chart.  NULL when there is none.
 */
static const json_t *
total_row(const json_t *sa)
{
	const json_t *best = NULL;
	size_t i, minl = SIZE_MAX, maxl = 0, nmin = 0;
	json_t *it;

	json_array_foreach(sa, i, it) {
		size_t nl = json_object_size(json_object_get(it, "labels"));

		if (nl > maxl)
			maxl = nl;
		if (nl < minl) {
			minl = nl;
			nmin = 0;
			best = it;
		}
		if (nl == minl)
			nmin++;
	}
	return nmin == 1 && minl < maxl ? best : NULL;
}

/* Table of contents: each metric and the parts of its section. */
static void
toc(const json_t *m, struct ev_buf *out)
{
	json_t *ma = ev_report_get_arr(m, "metrics"), *it;
	size_t i;

	ev_buf_adds(out, "<nav>\n<h2>Contents</h2>\n<ul>\n");
	json_array_foreach(ma, i, it) {
		json_t *ia = json_object_get(it, "incidents");

		ev_buf_printf(out, "<li><a href=\"#m%zu\">", i);
		esc(out, ev_report_get_str(it, "name", "?"));
		ev_buf_adds(out, "</a>");
		if (strcmp(ev_report_get_str(it, "kind", ""), "top") != 0) {
			if (json_is_array(ia))
				ev_buf_printf(out, ": <a href=\"#m%zu-inc\">"
				    "%zu incident%s</a>", i,
				    json_array_size(ia),
				    json_array_size(ia) == 1 ? "" : "s");
			else
				ev_buf_printf(out, ": <a href=\"#m%zu-inc\">"
				    "anomalies</a>", i);
			ev_buf_printf(out, ", <a href=\"#m%zu-ser\">series</a>"
			    ", <a href=\"#m%zu-charts\">charts</a>", i, i);
		}
		ev_buf_adds(out, "</li>\n");
	}
	ev_buf_adds(out, "</ul>\n</nav>\n");
}

/*
 * An incident's cells after its start: end, duration, the series linked
 * to its chart, the peak, deviation and severity.
 */
static void
incident_row(struct ev_buf *out, struct ev_buf *tmp, const json_t *it,
    const struct ev_tz *tz, int sec, const json_t *me, size_t mi)
{
	const char *ser = ev_report_get_str(it, "series", "");
	const char *sev = ev_report_get_str(it, "severity", "");
	int on = json_is_true(json_object_get(it, "ongoing"));
	long k = series_index(ev_report_get_arr(me, "series"), ser);

	ev_buf_printf(out, "</td><td class=\"t%s\">", on ? " bad" : "");
	ev_report_fmt_incident_end(tmp, tz, it, sec);
	esc_buf(out, tmp);
	ev_buf_adds(out, "</td><td class=\"n\">");
	ev_report_fmt_incident_duration(tmp, it);
	esc_buf(out, tmp);
	ev_buf_adds(out, "</td><td>");
	if (k >= 0)
		ev_buf_printf(out, "<a href=\"#m%zu-s%ld\">", mi, k);
	esc_series(out, ser);
	if (k >= 0)
		ev_buf_adds(out, "</a>");
	ev_buf_adds(out, "</td><td class=\"t\">");
	ev_report_fmt_timestr(tmp, tz, ev_report_get_str(it, "peak_at", ""),
	    sec);
	esc_buf(out, tmp);
	ev_buf_adds(out, "</td>");
	td_num(out, tmp, ev_report_get_num(it, "value", NAN), "bad");
	td_num(out, tmp, ev_report_get_num(it, "expected", NAN), NULL);
	td_change(out, tmp, ev_report_get_num(it, "deviation", NAN));
	ev_buf_printf(out, "<td%s>", strcmp(sev, "critical") == 0 ?
	    " class=\"bad\"" : "");
	esc(out, *sev ? sev : "-");
	ev_buf_adds(out, "</td>");
}

/* An anomaly's cells after its time: series, figures, band, score. */
static void
anomaly_row(struct ev_buf *out, struct ev_buf *tmp, const json_t *it,
    const struct ev_tz *tz, int sec, const json_t *me, size_t mi)
{
	static const char *const num[] = { "expected", "lower", "upper" };
	size_t i;

	(void)tz;
	(void)sec;
	(void)me;
	(void)mi;
	ev_buf_adds(out, "</td><td>");
	esc_series(out, ev_report_get_str(it, "series", ""));
	ev_buf_adds(out, "</td>");
	td_num(out, tmp, ev_report_get_num(it, "value", NAN), "bad");
	for (i = 0; i < 3; i++)
		td_num(out, tmp, ev_report_get_num(it, num[i], NAN), NULL);
	ev_buf_adds(out, "<td>");
	esc(out, ev_report_get_str(it, "direction", ""));
	ev_buf_adds(out, "</td><td class=\"n\">");
	ev_report_fmt_score(out, ev_report_get_num(it, "score", NAN));
	ev_buf_adds(out, "</td><td>");
	esc(out, ev_report_get_str(it, "method", ""));
	ev_buf_adds(out, "</td>");
}

/*
 * A table of a metric's incidents or anomalies: the start, the cells of
 * row(), the explanation; the most severe max of them, in time order.
 */
struct listing {
	const char	*key;		/* the metric's array, "incidents" */
	const char	*title;		/* "Incidents" */
	const char	*head;		/* the table's head row */
	void		(*row)(struct ev_buf *, struct ev_buf *, const json_t *,
			    const struct ev_tz *, int, const json_t *, size_t);
};

static const struct listing incident_list = { "incidents", "Incidents",
    "<tr><th>start</th><th>end</th><th class=\"n\">duration</th>"
    "<th>series</th><th>peak at</th><th class=\"n\">value</th>"
    "<th class=\"n\">expected</th><th class=\"n\">deviation</th>"
    "<th>severity</th><th>explanation</th></tr>\n", incident_row };
static const struct listing anomaly_list = { "anomalies", "Anomalies",
    "<tr><th>time</th><th>series</th><th class=\"n\">value</th>"
    "<th class=\"n\">expected</th><th class=\"n\">lower</th>"
    "<th class=\"n\">upper</th><th>direction</th>"
    "<th class=\"n\">score</th><th>method</th><th>explanation</th>"
    "</tr>\n", anomaly_row };

static void
listing(const json_t *m, const json_t *me, size_t mi,
    const struct ev_tz *tz, size_t max, const struct listing *l,
    struct ev_buf *out)
{
	json_t *aa = ev_report_get_arr(me, l->key), *it;
	struct ev_buf tmp = EV_BUF_INIT;
	size_t i, np, hidden;
	ev_us_t t0, step;
	char *shown;
	int sec;

	ev_report_grid(m, &t0, &step, &np);
	sec = step % EV_US_PER_MIN != 0;
	ev_buf_printf(out, "<h3 id=\"m%zu-inc\">%s</h3>\n", mi, l->title);
	if (json_array_size(aa) == 0) {
		ev_buf_adds(out, "<p class=\"meta\">None.</p>\n");
		return;
	}
	ev_buf_adds(out, "<table class=\"anom\">\n");
	ev_buf_adds(out, l->head);
	shown = ev_report_anomaly_shown(aa, max, &hidden);
	json_array_foreach(aa, i, it) {
		if (!shown[i])
			continue;
		ev_buf_adds(out, "<tr><td class=\"t bad\">");
		ev_report_fmt_timestr(&tmp, tz, ev_report_get_str(it, "start",
		    ""), sec);
		esc_buf(out, &tmp);
		l->row(out, &tmp, it, tz, sec, me, mi);
		ev_buf_adds(out, "<td class=\"x\">");
		ev_report_fmt_summary(&tmp, it);
		esc_buf(out, &tmp);
		ev_buf_adds(out, "</td></tr>\n");
	}
	ev_buf_adds(out, "</table>\n");
	if (hidden > 0)
		ev_buf_printf(out, "<p class=\"meta\">%zu less severe "
		    "%s not shown.</p>\n", hidden, l->key);
	free(shown);
	ev_buf_free(&tmp);
}

/*
 * The dimension a series breaks down and the group it belongs to: the
 * last --by column it has, and its other labels.  Series of one group
 * (page_view by platform) share one scale, drawn side by side.
 */
static char *
group_key(const json_t *series, const json_t *by, const char **dim)
{
	const json_t *lab = json_object_get(series, "labels");
	struct ev_buf b = EV_BUF_INIT;
	json_t *it;
	size_t i, last = SIZE_MAX;
	char *r;

	json_array_foreach(by, i, it)
		if (json_is_string(it) && json_object_get(lab,
		    json_string_value(it)) != NULL)
			last = i;
	*dim = last == SIZE_MAX ? "" : json_string_value(json_array_get(by,
	    last));
	ev_buf_adds(&b, *dim);
	ev_buf_addc(&b, '\x1f');
	json_array_foreach(by, i, it) {
		const char *k = json_string_value(it);

		if (i == last || k == NULL || json_object_get(lab, k) == NULL)
			continue;
		if (b.data[b.len - 1] != '\x1f')
			ev_buf_addc(&b, ',');
		ev_buf_adds(&b, k);
		ev_buf_addc(&b, '=');
		ev_buf_adds(&b, ev_report_get_str(lab, k, "?"));
	}
	r = ev_xstrdup(b.data);
	ev_buf_free(&b);
	return r;
}

/* The listed series' charts, grouped into small multiples on one scale. */
static void
series_charts(const json_t *m, const json_t *me, size_t mi,
    struct ev_report_chart *c, struct ev_buf *out)
{
	json_t *sa = ev_report_get_arr(me, "series"), *it;
	json_t *by = ev_report_get_arr(m, "by");
	const char *name = ev_report_get_str(me, "name", "?");
	size_t n = json_array_size(sa), i, j;
	char **key = ev_xcalloc(n ? n : 1, sizeof(*key));
	const char **dim = ev_xcalloc(n ? n : 1, sizeof(*dim));
	char *done = ev_xcalloc(n ? n : 1, 1), id[64];
	struct ev_buf tmp = EV_BUF_INIT;

	json_array_foreach(sa, i, it)
		key[i] = group_key(it, by, &dim[i]);
	ev_buf_printf(out, "<h3 id=\"m%zu-charts\">Charts</h3>\n", mi);
	for (i = 0; i < n; i++) {
		double lo = 0, hi = -INFINITY;
		size_t members = 0;
		const char *rest;

		if (done[i])
			continue;
		/* One scale for the group: the union of the extents. */
		for (j = i; j < n; j++) {
			double l, h;

			if (strcmp(key[j], key[i]) != 0)
				continue;
			ev_report_chart_series(c, json_array_get(sa, j));
			ev_report_chart_extent(c, &l, &h);
			if (l < lo)
				lo = l;
			if (h > hi)
				hi = h;
			members++;
		}
		rest = strchr(key[i], '\x1f') + 1;
		ev_buf_adds(&tmp, name);
		if (*dim[i] != '\0') {
			ev_buf_adds(&tmp, " by ");
			ev_buf_adds(&tmp, dim[i]);
		}
		if (*rest != '\0') {
			ev_buf_adds(&tmp, ", ");
			ev_buf_adds(&tmp, rest);
		}
		ev_buf_adds(out, "<h4>");
		esc_buf(out, &tmp);
		ev_buf_adds(out, members > 1 ? " (one scale)</h4>\n<div "
		    "class=\"sm\">\n" : "</h4>\n<div>\n");
		c->fixed = 1;
		c->rlo = lo;
		c->rhi = hi;
		for (j = i; j < n; j++) {
			if (strcmp(key[j], key[i]) != 0)
				continue;
			done[j] = 1;
			ev_report_chart_series(c, json_array_get(sa, j));
			snprintf(id, sizeof(id), "m%zu-s%zu", mi, j);
			c->id = id;
			ev_buf_adds(&tmp, name);
			ev_buf_adds(&tmp, ", ");
			ev_buf_adds(&tmp, c->series);
			ev_report_chart(out, c, tmp.data);
			ev_buf_reset(&tmp);
		}
		ev_buf_adds(out, "</div>\n");
	}
	c->fixed = 0;
	c->id = NULL;
	for (i = 0; i < n; i++)
		free(key[i]);
	free(key);
	free(dim);
	free(done);
	ev_buf_free(&tmp);
}

static void
metric(const json_t *m, const json_t *me, size_t mi, const struct ev_tz *tz,
    size_t max, struct ev_buf *out)
{
	const json_t *trow;
	json_t *sa = ev_report_get_arr(me, "series");
	json_t *aa = ev_report_get_arr(me, "anomalies"), *it;
	const json_t *oth = json_object_get(me, "other");
	const char *name = ev_report_get_str(me, "name", "?");
	int add = !json_is_false(json_object_get(me, "additive"));
	struct ev_buf tmp = EV_BUF_INIT;
	struct ev_report_chart c;
	size_t i;

	ev_report_grid(m, &c.t0, &c.step, &c.n);
	c.tz = tz;
	c.anoms = aa;
	c.fill = NULL;
	c.incs = NULL;
	c.id = NULL;
	c.fixed = 0;
	ev_buf_printf(out, "<section id=\"m%zu\">\n<h2>", mi);
	esc(out, name);
	ev_buf_adds(out, "</h2>\n<p><strong>");
	ev_report_fmt_value(&tmp, ev_report_get_num(me, "total", NAN), "n/a");
	esc_buf(out, &tmp);
	ev_buf_adds(out, "</strong> total");
	if (!isnan(ev_report_get_num(me, "change", NAN))) {
		ev_buf_printf(out, ", <span class=\"%s\">",
		    change_cls(ev_report_get_num(me, "change", NAN)) ?
		    change_cls(ev_report_get_num(me, "change", NAN)) : "meta");
		ev_report_fmt_change(&tmp, ev_report_get_num(me, "change",
		    NAN), "-");
		esc_buf(out, &tmp);
		ev_buf_adds(out, "</span> against the previous period");
	}
	ev_buf_adds(out, "</p>\n");
	if (ev_report_get_str(me, "total_note", NULL) != NULL) {
		ev_buf_adds(out, "<p class=\"meta\">Total n/a: ");
		esc(out, ev_report_get_str(me, "total_note", ""));
		ev_buf_adds(out, ".</p>\n");
	}
	partial(out, m, tz);
	html_compare(m, me, tz, out);
	/*
	 * The headline: the metric's points, the total row's band and
	 * anomalies when the input has one, every incident shaded.
	 */
	c.pts = ev_report_get_arr(me, "points");
	trow = total_row(sa);
	c.ex = trow ? ev_report_get_arr(trow, "expected") : NULL;
	c.lo = trow ? ev_report_get_arr(trow, "lower") : NULL;
	c.hi = trow ? ev_report_get_arr(trow, "upper") : NULL;
	c.series = trow ? ev_report_get_str(trow, "series", "") : NULL;
	c.incs = json_object_get(me, "incidents");
	c.id = NULL;
	ev_buf_adds(&tmp, name);
	ev_buf_adds(&tmp, ", all series");
	ev_report_chart(out, &c, tmp.data);
	ev_buf_reset(&tmp);
	c.incs = NULL;
	if (json_array_size(json_object_get(me, "incidents")) > 0)
		ev_buf_adds(out, "<p class=\"legend\">Shaded spans: "
		    "incidents; band and dots: the total row's expected range "
		    "and anomalies.</p>\n");

	/* A model written before incidents: its points. */
	listing(m, me, mi, tz, max, json_is_array(json_object_get(me,
	    "incidents")) ? &incident_list : &anomaly_list, out);

	ev_buf_printf(out, "<h3 id=\"m%zu-ser\">Series</h3>\n<table>\n"
	    "<tr><th class=\"n\">#"
	    "</th><th>series</th><th class=\"n\">total</th>%s<th class=\"n\">"
	    "change</th><th class=\"n\">anomalies</th><th>trend</th></tr>\n",
	    mi, add ? "<th class=\"n\">share</th>" : "");
	json_array_foreach(sa, i, it) {
		double na = ev_report_get_num(it, "anomalies", 0);

		ev_buf_adds(out, "<tr>");
		td_num(out, &tmp, ev_report_get_num(it, "rank", NAN), NULL);
		ev_buf_printf(out, "<td><a href=\"#m%zu-s%zu\">", mi, i);
		esc(out, ev_report_get_str(it, "series", ""));
		ev_buf_adds(out, "</a></td>");
		td_num(out, &tmp, ev_report_get_num(it, "total", NAN), NULL);
		if (add) {
			ev_report_fmt_share(&tmp, ev_report_get_num(it,
			    "share", NAN));
			ev_buf_adds(out, "<td class=\"n\">");
			esc_buf(out, &tmp);
			ev_buf_adds(out, "</td>");
		}
		td_change(out, &tmp, ev_report_get_num(it, "change", NAN));
		td_num(out, &tmp, na, na > 0 ? "bad" : NULL);
		ev_buf_adds(out, "<td class=\"spark\">");
		esc(out, ev_report_get_str(it, "sparkline", ""));
		ev_buf_adds(out, "</td></tr>\n");
	}
	if (ev_report_get_num(oth, "series", 0) > 0) {
		ev_buf_adds(out, "<tr><td></td><td>");
		ev_report_fmt_figures(&tmp, oth, 0, "other ({series} series)");
		esc_buf(out, &tmp);
		ev_buf_adds(out, "</td>");
		td_num(out, &tmp, ev_report_get_num(oth, "total", 0), NULL);
		ev_buf_adds(out, add ? "<td></td><td></td><td></td><td></td>"
		    "</tr>\n" : "<td></td><td></td><td></td></tr>\n");
	}
	ev_buf_adds(out, "</table>\n");
	if (json_array_size(sa) > 0)
		ev_buf_adds(out, "<p class=\"legend\">Line: value; shaded: "
		    "expected band; dashed: expected; dots: anomalies.</p>\n");
	/* A segment without a record where the metric has one had none. */
	c.fill = add ? ev_report_get_arr(me, "points") : NULL;
	if (json_array_size(sa) > 0)
		series_charts(m, me, mi, &c, out);
	ev_buf_adds(out, "</section>\n");
	ev_buf_free(&tmp);
}

void
ev_report_html_render(const json_t *m, const struct ev_report_render_opts *ro,
    struct ev_buf *out)
{
	struct ev_tz *tz = ev_report_tz(m);
	json_t *ma = ev_report_get_arr(m, "metrics"), *it;
	struct ev_buf tmp = EV_BUF_INIT;
	size_t i;

	ev_report_html_head(out, m, "<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\"/>\n"
	    "<meta name=\"color-scheme\" content=\"light dark\"/>\n");
	ev_buf_adds(out, "<style>\n");
	ev_buf_adds(out, css);
	ev_buf_adds(out, "</style>\n</head>\n<body>\n");
	header(m, tz, out);
	html_basis(m, tz, out);
	toc(m, out);
	json_array_foreach(ma, i, it)
		if (strcmp(ev_report_get_str(it, "kind", ""), "top") == 0)
			top_metric(it, i, tz, out);
		else
			metric(m, it, i, tz, ro->max_anomalies, out);
	ev_buf_adds(out, "</body>\n</html>\n");
	ev_buf_free(&tmp);
	ev_tz_free(tz);
}
