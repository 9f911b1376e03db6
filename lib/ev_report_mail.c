/*
 * ev_report_mail.c - the report as HTML that survives mail clients.
 *
 * Gmail keeps only inline style attributes (it drops <style> blocks in
 * many of its clients, and CSS variables everywhere) and strips inline
 * SVG; Outlook for Windows renders with Word, which ignores most layout
 * CSS but honours tables, colours, borders and padding.  So this variant
 * puts every style on its element, uses only colours written out, lays
 * everything out in tables, and draws no chart: each series has its text
 * sparkline, and a note points to the full HTML report for the charts.
 * Light colours only: a mail client's dark mode inverts them itself.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_report_fmt.h"
#include "ev_report_render.h"

#define S_BODY	"margin:0;padding:16px;background:#ffffff;" \
		"color:#1f2328;" \
		"font-family:Arial,Helvetica,sans-serif;font-size:14px;" \
		"line-height:1.45"
#define S_H1	"font-size:22px;margin:0 0 4px;color:#1f2328"
#define S_H2	"font-size:18px;margin:24px 0 6px;color:#1f2328;" \
		"border-bottom:1px solid #d1d9e0;padding-bottom:4px"
#define S_H3	"font-size:15px;margin:14px 0 6px;color:#1f2328"
#define S_P	"margin:4px 0;color:#1f2328"
#define S_META	"margin:2px 0;color:#59636e"
#define S_TABLE	"border-collapse:collapse;margin:6px 0 12px;" \
		"font-size:13px"
#define S_TH	"padding:3px 8px;border-bottom:1px solid #d1d9e0;" \
		"text-align:left;font-weight:bold;color:#1f2328"
#define S_THN	"padding:3px 8px;border-bottom:1px solid #d1d9e0;" \
		"text-align:right;font-weight:bold;color:#1f2328"
#define S_TD	"padding:3px 8px;border-bottom:1px solid #d1d9e0;" \
		"text-align:left;vertical-align:top;color:#1f2328"
#define S_TDN	"padding:3px 8px;border-bottom:1px solid #d1d9e0;" \
		"text-align:right;vertical-align:top;color:#1f2328;" \
		"white-space:nowrap"
#define S_BAD	"padding:3px 8px;border-bottom:1px solid #d1d9e0;" \
		"text-align:left;vertical-align:top;color:#cf222e;" \
		"font-weight:bold;white-space:nowrap"
#define S_BADN	"padding:3px 8px;border-bottom:1px solid #d1d9e0;" \
		"text-align:right;vertical-align:top;color:#cf222e;" \
		"font-weight:bold;white-space:nowrap"
#define S_SPARK	"padding:3px 8px;border-bottom:1px solid #d1d9e0;" \
		"font-family:Consolas,'Courier New',monospace;color:#0969da;" \
		"white-space:nowrap"

/* A cell: text escaped, in the style given. */
static void
cell(struct ev_buf *out, const char *tag, const char *style, const char *s)
{
	ev_buf_printf(out, "<%s style=\"%s\">", tag, style);
	ev_report_html_esc(out, s);
	ev_buf_printf(out, "</%s>", tag);
}

/* A number cell from a formatter's buffer (reset after). */
static void
cell_buf(struct ev_buf *out, const char *style, struct ev_buf *tmp)
{
	cell(out, "td", style, tmp->data ? tmp->data : "");
	ev_buf_reset(tmp);
}

/* A paragraph of notes: label and text, escaped. */
static void
meta(struct ev_buf *out, const char *label, const char *text)
{
	struct ev_buf t = EV_BUF_INIT;

	ev_buf_adds(&t, label);
	ev_buf_adds(&t, text);
	cell(out, "p", S_META, t.data ? t.data : "");
	ev_buf_addc(out, '\n');
	ev_buf_free(&t);
}

static void
header(const json_t *m, const struct ev_tz *tz, struct ev_buf *out)
{
	const json_t *rc = json_object_get(m, "records");
	json_t *st = ev_report_get_arr(m, "stages"), *it;
	struct ev_buf tmp = EV_BUF_INIT;
	size_t i, k;

	ev_report_fmt_title(&tmp, m);
	ev_buf_adds(out, "<h1 style=\"" S_H1 "\">");
	ev_report_html_esc(out, tmp.data);
	ev_buf_adds(out, "</h1>\n");
	ev_buf_reset(&tmp);
	ev_report_fmt_range(&tmp, m, tz);
	cell(out, "p", S_META, tmp.data);
	ev_buf_reset(&tmp);
	ev_report_fmt_figures(&tmp, rc, 0, "{in} records in, {rejected} "
	    "rejected; {series} series; generated ");
	ev_buf_adds(&tmp, ev_report_get_str(m, "generated", ""));
	ev_buf_addc(out, '\n');
	cell(out, "p", S_META, tmp.data);
	ev_buf_addc(out, '\n');
	ev_buf_reset(&tmp);
	if (json_array_size(st) > 0) {

		ev_buf_adds(out, "<h3 style=\"" S_H3 "\">Data quality</h3>\n"
		    "<table style=\"" S_TABLE "\">\n<tr>");
		cell(out, "th", S_TH, "stage");
		for (k = 0; k < EV_REPORT_NSTAGE_KEYS; k++)
			cell(out, "th", S_THN, ev_report_stage_keys[k]);
		ev_buf_adds(out, "</tr>\n");
		json_array_foreach(st, i, it) {
			ev_buf_adds(out, "<tr>");
			cell(out, "td", S_TD, ev_report_get_str(it, "tool",
			    "?"));
			for (k = 0; k < EV_REPORT_NSTAGE_KEYS; k++) {
				double v = ev_report_get_num(it,
				    ev_report_stage_keys[k], 0);

				ev_report_fmt_value(&tmp, v, "-");
				cell_buf(out, v > 0 && k >= 2 && k <= 4 ?
				    S_BADN : S_TDN, &tmp);
			}
			ev_buf_adds(out, "</tr>\n");
		}
		ev_buf_adds(out, "</table>\n");
	}
	ev_buf_free(&tmp);
}

/* The metric's alert episodes, the most severe max, in time order. */
static void
incidents(const json_t *m, const json_t *me, const struct ev_tz *tz,
    size_t max, struct ev_buf *out)
{
	static const char *const head[] = { "start", "end", "duration",
	    "series", "peak at", "value", "expected", "deviation",
	    "severity", "explanation" };
	json_t *ia = ev_report_get_arr(me, "incidents"), *it;
	struct ev_buf tmp = EV_BUF_INIT;
	size_t i, k, np, hidden;
	ev_us_t t0, step;
	char *shown;
	int sec;

	ev_report_grid(m, &t0, &step, &np);
	sec = step % EV_US_PER_MIN != 0;
	ev_buf_adds(out, "<h3 style=\"" S_H3 "\">Incidents</h3>\n");
	if (json_array_size(ia) == 0) {
		cell(out, "p", S_META, "None.");
		ev_buf_addc(out, '\n');
		return;
	}
	ev_buf_adds(out, "<table style=\"" S_TABLE "\">\n<tr>");
	for (k = 0; k < 10; k++)
		cell(out, "th", k == 2 || (k >= 5 && k <= 7) ? S_THN : S_TH,
		    head[k]);
	ev_buf_adds(out, "</tr>\n");
	shown = ev_report_anomaly_shown(ia, max, &hidden);
	json_array_foreach(ia, i, it) {
		const char *sev = ev_report_get_str(it, "severity", "");
		int on = json_is_true(json_object_get(it, "ongoing"));

		if (!shown[i])
			continue;
		ev_buf_adds(out, "<tr>");
		ev_report_fmt_timestr(&tmp, tz, ev_report_get_str(it, "start",
		    ""), sec);
		cell_buf(out, S_BAD, &tmp);
		ev_report_fmt_incident_end(&tmp, tz, it, sec);
		cell_buf(out, on ? S_BAD : S_TDN, &tmp);
		ev_report_fmt_incident_duration(&tmp, it);
		cell_buf(out, S_TDN, &tmp);
		cell(out, "td", S_TD, ev_report_get_str(it, "series", ""));
		ev_report_fmt_timestr(&tmp, tz, ev_report_get_str(it, "peak_at",
		    ""), sec);
		cell_buf(out, S_TDN, &tmp);
		ev_report_fmt_value(&tmp, ev_report_get_num(it, "value", NAN),
		    "-");
		cell_buf(out, S_BADN, &tmp);
		ev_report_fmt_value(&tmp, ev_report_get_num(it, "expected",
		    NAN), "-");
		cell_buf(out, S_TDN, &tmp);
		ev_report_fmt_change(&tmp, ev_report_get_num(it, "deviation",
		    NAN), "-");
		cell_buf(out, S_BADN, &tmp);
		cell(out, "td", strcmp(sev, "critical") == 0 ? S_BAD : S_TD,
		    *sev ? sev : "-");
		ev_report_fmt_summary(&tmp, it);
		cell_buf(out, S_TD, &tmp);
		ev_buf_adds(out, "</tr>\n");
	}
	ev_buf_adds(out, "</table>\n");
	if (hidden > 0) {
		ev_buf_printf(&tmp, "%zu less severe incidents not shown.",
		    hidden);
		cell(out, "p", S_META, tmp.data);
		ev_buf_addc(out, '\n');
	}
	free(shown);
	ev_buf_free(&tmp);
}

/* The listed series: figures and a text sparkline each. */
static void
series(const json_t *me, struct ev_buf *out)
{
	json_t *sa = ev_report_get_arr(me, "series"), *it;
	const json_t *oth = json_object_get(me, "other");
	int add = !json_is_false(json_object_get(me, "additive"));
	struct ev_buf tmp = EV_BUF_INIT;
	size_t i;

	ev_buf_adds(out, "<h3 style=\"" S_H3 "\">Series</h3>\n<table style=\""
	    S_TABLE "\">\n<tr>");
	cell(out, "th", S_THN, "#");
	cell(out, "th", S_TH, "series");
	cell(out, "th", S_THN, "total");
	if (add)
		cell(out, "th", S_THN, "share");
	cell(out, "th", S_THN, "change");
	cell(out, "th", S_THN, "anomalies");
	cell(out, "th", S_TH, "trend");
	ev_buf_adds(out, "</tr>\n");
	json_array_foreach(sa, i, it) {
		double na = ev_report_get_num(it, "anomalies", 0);

		ev_buf_adds(out, "<tr>");
		ev_report_fmt_value(&tmp, ev_report_get_num(it, "rank", NAN),
		    "-");
		cell_buf(out, S_TDN, &tmp);
		cell(out, "td", S_TD, ev_report_get_str(it, "series", ""));
		ev_report_fmt_value(&tmp, ev_report_get_num(it, "total", NAN),
		    "n/a");
		cell_buf(out, S_TDN, &tmp);
		if (add) {
			ev_report_fmt_share(&tmp, ev_report_get_num(it,
			    "share", NAN));
			cell_buf(out, S_TDN, &tmp);
		}
		ev_report_fmt_change(&tmp, ev_report_get_num(it, "change",
		    NAN), "-");
		cell_buf(out, S_TDN, &tmp);
		ev_report_fmt_value(&tmp, na, "-");
		cell_buf(out, na > 0 ? S_BADN : S_TDN, &tmp);
		cell(out, "td", S_SPARK, ev_report_get_str(it, "sparkline",
		    ""));
		ev_buf_adds(out, "</tr>\n");
	}
	ev_buf_adds(out, "</table>\n");
	if (ev_report_get_num(oth, "series", 0) > 0) {
		ev_report_fmt_figures(&tmp, oth, 0, "Other: {series} series, "
		    "total {total|n/a}.");
		meta(out, "", tmp.data);
	}
	ev_buf_free(&tmp);
}

/* --compare: each point next to the one D earlier (as the HTML report). */
static void
compare(const json_t *m, const json_t *me, const struct ev_tz *tz,
    struct ev_buf *out)
{
	struct ev_report_cmp c;
	struct ev_buf tmp = EV_BUF_INIT;
	size_t i;

	if (!ev_report_compare(m, me, &c))
		return;
	ev_buf_adds(out, "<h3 style=\"" S_H3 "\">Against ");
	ev_report_html_esc(out, c.off);
	ev_buf_adds(out, " earlier</h3>\n");
	if (c.n == 0) {
		meta(out, "", "Nothing to compare with.");
		return;
	}
	ev_buf_adds(out, "<table style=\"" S_TABLE "\">\n<tr>");
	cell(out, "th", S_TH, "period");
	cell(out, "th", S_THN, "value");
	ev_buf_printf(&tmp, "%s earlier", c.off);
	cell(out, "th", S_THN, tmp.data);
	ev_buf_reset(&tmp);
	cell(out, "th", S_THN, "change");
	ev_buf_adds(out, "</tr>\n");
	for (i = 0; i < c.n; i++) {
		ev_buf_adds(out, "<tr>");
		ev_report_fmt_time(&tmp, tz, c.row[i].t, 0);
		if (c.row[i].partial)
			ev_buf_adds(&tmp, " (partial)");
		cell_buf(out, S_TD, &tmp);
		ev_report_fmt_value(&tmp, c.row[i].v, "-");
		cell_buf(out, S_TDN, &tmp);
		ev_report_fmt_value(&tmp, c.row[i].prev, "-");
		cell_buf(out, S_TDN, &tmp);
		ev_report_fmt_change(&tmp, c.row[i].change, "-");
		cell_buf(out, S_TDN, &tmp);
		ev_buf_adds(out, "</tr>\n");
	}
	ev_buf_adds(out, "</table>\n");
	ev_report_compare_free(&c);
	ev_buf_free(&tmp);
}

static void
metric(const json_t *m, const json_t *me, const struct ev_tz *tz,
    size_t max, struct ev_buf *out)
{
	struct ev_buf tmp = EV_BUF_INIT;
	double ch = ev_report_get_num(me, "change", NAN);

	ev_buf_adds(out, "<h2 style=\"" S_H2 "\">");
	ev_report_html_esc(out, ev_report_get_str(me, "name", "?"));
	ev_buf_adds(out, "</h2>\n");
	if (strcmp(ev_report_get_str(me, "kind", ""), "top") == 0) {
		cell(out, "p", S_META, "Top values per period are in the "
		    "full HTML report.");
		ev_buf_addc(out, '\n');
		return;
	}
	ev_buf_adds(out, "<p style=\"" S_P "\"><strong style=\"font-weight:"
	    "bold\">");
	ev_report_fmt_value(&tmp, ev_report_get_num(me, "total", NAN), "n/a");
	ev_report_html_esc(out, tmp.data);
	ev_buf_reset(&tmp);
	ev_buf_adds(out, "</strong> total");
	if (!isnan(ch)) {
		ev_buf_printf(out, ", <span style=\"color:%s\">", ch > 0 ?
		    "#1a7f37" : ch < 0 ? "#cf222e" : "#59636e");
		ev_report_fmt_change(&tmp, ch, "-");
		ev_report_html_esc(out, tmp.data);
		ev_buf_reset(&tmp);
		ev_buf_adds(out, "</span> against the previous period");
	}
	ev_buf_adds(out, "</p>\n");
	if (ev_report_get_str(me, "total_note", NULL) != NULL)
		meta(out, "Total n/a: ", ev_report_get_str(me, "total_note",
		    ""));
	if (json_array_size(ev_report_get_arr(m, "partial")) > 0)
		meta(out, "", "Some periods are partial (not final) and left "
		    "out of the change.");
	if (ev_report_get_str(me, "points_note", NULL) != NULL)
		meta(out, "Points n/a: ", ev_report_get_str(me, "points_note",
		    ""));
	compare(m, me, tz, out);
	incidents(m, me, tz, max, out);
	series(me, out);
	ev_buf_free(&tmp);
}

void
ev_report_mail_render(const json_t *m, const struct ev_report_render_opts *ro,
    struct ev_buf *out)
{
	struct ev_tz *tz = ev_report_tz(m);
	json_t *ma = ev_report_get_arr(m, "metrics"), *it;
	struct ev_buf tmp = EV_BUF_INIT;
	size_t i;

	ev_report_html_head(out, m, "");
	ev_buf_adds(out, "</head>\n<body style=\"" S_BODY "\">\n");
	header(m, tz, out);
	/* Without a range of its own, what the change figures compare. */
	if (strcmp(ev_report_get_str(json_object_get(m, "change_basis"),
	    "kind", ""), "point") == 0) {
		ev_report_fmt_basis(&tmp, m, tz);
		ev_buf_addc(&tmp, '.');
		meta(out, "Change: ", tmp.data);
	}
	json_array_foreach(ma, i, it)
		metric(m, it, tz, ro->max_anomalies, out);
	ev_buf_adds(out, "<p style=\"" S_META "\">Charts are in the full "
	    "HTML report (ev-report -f html): mail clients such as Gmail "
	    "remove inline SVG.</p>\n</body>\n</html>\n");
	ev_buf_free(&tmp);
	ev_tz_free(tz);
}
