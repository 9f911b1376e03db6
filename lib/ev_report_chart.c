/*
 * ev_report_chart.c - the SVG line charts of the HTML report: a series'
 * points in buckets, its expected band and expected line, its anomalies
 * and the metric's incidents shaded, with axes and labels.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_report_chart.h"
#include "ev_report_fmt.h"

#define CHART_W		760
#define CHART_H		190
#define CHART_L		64	/* room for the y labels */
#define CHART_R		12
#define CHART_T		10
#define CHART_B		24	/* room for the x labels */
#define CHART_BUCKETS	380

/*
 * Bucket means of an array (NaN where a bucket has nothing).  With fill,
 * a missing value counts as 0 where fill has one: ev-window writes no
 * record for a group without events, so a segment of an additive metric
 * without a record while the metric has one at that point had none, and
 * only a point where no window exists at all is a gap.
 */
static void
bucket(const json_t *a, const json_t *fill, size_t n, size_t nb,
    double *out)
{
	size_t b, k;

	for (b = 0; b < nb; b++) {
		size_t lo = b * n / nb, hi = (b + 1) * n / nb, c = 0;
		double s = 0;

		for (k = lo; k < hi && a != NULL; k++) {
			double v = ev_report_arr_num(a, k);

			if (isnan(v) && fill != NULL &&
			    !isnan(ev_report_arr_num(fill, k)))
				v = 0;

			if (!isnan(v)) {
				s += v;
				c++;
			}
		}
		out[b] = c ? s / (double)c : NAN;
	}
}

/* A round tick: 1, 2, 2.5 or 5 times a power of ten, at least x. */
static double
nice(double x)
{
	static const double steps[] = { 1, 2, 2.5, 5, 10 };
	double p = pow(10, floor(log10(x)));
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i] * p >= x)
			return steps[i] * p;
	return 10 * p;
}

static double
ypos(double v, double lo, double hi)
{
	return CHART_T + (CHART_H - CHART_T - CHART_B) * (hi - v) / (hi - lo);
}

static double
xpos(double frac)
{
	return CHART_L + (CHART_W - CHART_L - CHART_R) * frac;
}

/* A path through the points, broken where a value is missing. */
static void
path(struct ev_buf *out, const char *cls, const double *v, size_t nb,
    double lo, double hi)
{
	size_t b;
	int pen = 0, any = 0;

	for (b = 0; b < nb; b++)
		if (!isnan(v[b]))
			any = 1;
	if (!any)
		return;
	ev_buf_printf(out, "<path class=\"%s\" d=\"", cls);
	for (b = 0; b < nb; b++) {
		if (isnan(v[b])) {
			pen = 0;
			continue;
		}
		ev_buf_printf(out, "%s%.1f %.1f", pen ? " L" : (b ? " M" : "M"),
		    xpos(((double)b + 0.5) / (double)nb), ypos(v[b], lo, hi));
		if (!pen && (b + 1 == nb || isnan(v[b + 1])))
			ev_buf_printf(out, " L%.1f %.1f", xpos(((double)b +
			    0.5) / (double)nb) + 0.5, ypos(v[b], lo, hi));
		pen = 1;
	}
	ev_buf_adds(out, "\"/>\n");
}

static void
band(struct ev_buf *out, const double *l, const double *h, size_t nb,
    double lo, double hi)
{
	size_t b = 0, a, k;

	while (b < nb) {
		while (b < nb && (isnan(l[b]) || isnan(h[b])))
			b++;
		if (b == nb)
			break;
		a = b;
		while (b < nb && !isnan(l[b]) && !isnan(h[b]))
			b++;
		ev_buf_adds(out, "<path class=\"band\" d=\"");
		for (k = a; k < b; k++)
			ev_buf_printf(out, "%s%.1f %.1f", k == a ? "M" : " L",
			    xpos(((double)k + (k == a ? 0 : 0.5)) /
			    (double)nb), ypos(h[k], lo, hi));
		for (k = b; k > a; k--)
			ev_buf_printf(out, " L%.1f %.1f", xpos(((double)k -
			    (k == b ? 0 : 0.5)) / (double)nb), ypos(l[k - 1],
			    lo, hi));
		ev_buf_adds(out, " Z\"/>\n");
	}
}

/* The buckets of a chart: values, expected, lower and upper. */
static double *
chart_buckets(const struct ev_report_chart *c, size_t nb)
{
	double *v = ev_xreallocarray(NULL, 4 * nb, sizeof(double));

	bucket(c->pts, c->fill, c->n, nb, v);
	bucket(c->ex, NULL, c->n, nb, v + nb);
	bucket(c->lo, NULL, c->n, nb, v + 2 * nb);
	bucket(c->hi, NULL, c->n, nb, v + 3 * nb);
	return v;
}

/* Draw the series it next: its points, expected band and name. */
void
ev_report_chart_series(struct ev_report_chart *c, const json_t *it)
{
	c->pts = ev_report_get_arr(it, "points");
	c->ex = ev_report_get_arr(it, "expected");
	c->lo = ev_report_get_arr(it, "lower");
	c->hi = ev_report_get_arr(it, "upper");
	c->series = ev_report_get_str(it, "series", "");
}

/* The lowest and highest value a chart draws (lo starts at 0). */
void
ev_report_chart_extent(const struct ev_report_chart *c, double *lop,
    double *hip)
{
	size_t nb = c->n < CHART_BUCKETS ? c->n : CHART_BUCKETS, b, i;
	double *v, lo = 0, hi = -INFINITY;
	json_t *it;

	if (nb == 0) {
		*lop = 0;
		*hip = -INFINITY;
		return;
	}
	v = chart_buckets(c, nb);
	for (b = 0; b < 4 * nb; b++)
		if (!isnan(v[b])) {
			if (v[b] < lo)
				lo = v[b];
			if (v[b] > hi)
				hi = v[b];
		}
	if (c->series != NULL)
		json_array_foreach(c->anoms, i, it) {
			double av = ev_report_get_num(it, "value", NAN);

			if (strcmp(ev_report_get_str(it, "series", ""),
			    c->series) != 0 || isnan(av))
				continue;
			if (av < lo)
				lo = av;
			if (av > hi)
				hi = av;
		}
	free(v);
	*lop = lo;
	*hip = hi;
}

/* A time as an x position of the chart; -1 outside it. */
static double
chart_x(const struct ev_report_chart *c, ev_us_t t)
{
	if (t < c->t0 || (uint64_t)((t - c->t0) / c->step) > c->n)
		return -1;
	return xpos((double)(t - c->t0) / ((double)c->n * (double)c->step));
}

/* The incidents of the chart as shaded spans, each with its summary. */
static void
chart_incidents(struct ev_buf *out, const struct ev_report_chart *c)
{
	struct ev_buf tmp = EV_BUF_INIT;
	json_t *it;
	size_t i;

	json_array_foreach(c->incs, i, it) {
		const char *s = ev_report_get_str(it, "start", "");
		const char *e = ev_report_get_str(it, "end", "");
		ev_us_t ts, te;
		double x0, x1;

		if (ev_time_parse(s, strlen(s), &ts) != 0)
			continue;
		if (ev_time_parse(e, strlen(e), &te) != 0)
			te = c->t0 + (ev_us_t)c->n * c->step; /* ongoing */
		if (ts < c->t0)
			ts = c->t0;
		x0 = chart_x(c, ts);
		x1 = chart_x(c, te < c->t0 + (ev_us_t)c->n * c->step ? te :
		    c->t0 + (ev_us_t)c->n * c->step);
		if (x0 < 0 || x1 < 0)
			continue;
		if (x1 - x0 < 2)
			x1 = x0 + 2;
		ev_buf_printf(out, "<rect class=\"inc\" x=\"%.1f\" y=\"%d\" "
		    "width=\"%.1f\" height=\"%d\"><title>", x0, CHART_T,
		    x1 - x0, CHART_H - CHART_T - CHART_B);
		ev_buf_adds(&tmp, ev_report_get_str(it, "series", ""));
		ev_buf_adds(&tmp, ": ");
		ev_buf_adds(&tmp, ev_report_get_str(it, "summary", ""));
		ev_report_html_esc_buf(out, &tmp);
		ev_buf_adds(out, "</title></rect>\n");
	}
	ev_buf_free(&tmp);
}

void
ev_report_chart(struct ev_buf *out, const struct ev_report_chart *c,
    const char *label)
{
	size_t nb = c->n < CHART_BUCKETS ? c->n : CHART_BUCKETS, i;
	double *v, *ex, *l, *h, lo, hi, tick;
	size_t nticks;
	struct ev_buf tmp = EV_BUF_INIT;
	json_t *it;

	if (nb == 0)
		return;
	v = chart_buckets(c, nb);
	ex = v + nb;
	l = ex + nb;
	h = l + nb;
	if (c->fixed) {
		lo = c->rlo;
		hi = c->rhi;
	} else {
		ev_report_chart_extent(c, &lo, &hi);
	}
	if (!(hi > lo))
		hi = lo + 1;
	/* Round ticks: two to four intervals from a multiple of the tick. */
	tick = nice((hi - lo) / 3);
	lo = floor(lo / tick) * tick;
	nticks = (size_t)ceil((hi - lo) / tick - 1e-9);
	if (nticks < 1)
		nticks = 1;
	hi = lo + (double)nticks * tick;

	ev_buf_adds(out, "<figure");
	if (c->id != NULL)
		ev_buf_printf(out, " id=\"%s\"", c->id);
	ev_buf_adds(out, ">\n<figcaption>");
	ev_report_html_esc(out, label);
	ev_buf_printf(out, "</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/"
	    "svg\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
	    CHART_W, CHART_H);
	ev_report_html_esc(out, label);
	ev_buf_adds(out, "\">\n");
	/* Grid lines and y labels at every tick. */
	for (i = 0; i <= nticks; i++) {
		double yv = lo + tick * (double)i;
		double y = ypos(yv, lo, hi);

		ev_buf_printf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" "
		    "x2=\"%d\" y2=\"%.1f\"/>\n", CHART_L, y, CHART_W - CHART_R,
		    y);
		ev_report_fmt_value(&tmp, round(yv * 100) / 100, "");
		ev_buf_printf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\""
		    ">", CHART_L - 6, y + 4);
		ev_report_html_esc_buf(out, &tmp);
		ev_buf_adds(out, "</text>\n");
	}
	/* Five time labels along the bottom. */
	for (i = 0; i < 5; i++) {
		double f = (double)i / 4;
		ev_us_t t = c->t0 + (ev_us_t)(f * (double)c->n *
		    (double)c->step);

		ev_report_fmt_time(&tmp, c->tz, t, 0);
		ev_buf_printf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">",
		    xpos(f), CHART_H - 6, i == 0 ? "start" : i == 4 ? "end" :
		    "middle");
		ev_report_html_esc_buf(out, &tmp);
		ev_buf_adds(out, "</text>\n");
	}
	chart_incidents(out, c);
	band(out, l, h, nb, lo, hi);
	path(out, "exp", ex, nb, lo, hi);
	path(out, "line", v, nb, lo, hi);
	if (c->series != NULL)
		json_array_foreach(c->anoms, i, it) {
			const char *s = ev_report_get_str(it, "start", "");
			double av = ev_report_get_num(it, "value", NAN);
			ev_us_t t;

			if (strcmp(ev_report_get_str(it, "series", ""),
			    c->series) != 0 || isnan(av) || ev_time_parse(s,
			    strlen(s), &t) != 0 || t < c->t0 ||
			    (uint64_t)((t - c->t0) / c->step) >= c->n)
				continue;
			ev_buf_printf(out, "<circle class=\"anom\" cx=\"%.1f\" "
			    "cy=\"%.1f\" r=\"4.5\"><title>", xpos(((double)((t -
			    c->t0) / c->step) + 0.5) / (double)c->n),
			    ypos(av, lo, hi));
			ev_report_fmt_time(&tmp, c->tz, t, 0);
			ev_buf_adds(&tmp, ": ");
			ev_report_fmt_value(&tmp, av, "-");
			ev_buf_adds(&tmp, ", expected ");
			ev_report_fmt_value(&tmp, ev_report_get_num(it,
			    "expected", NAN), "-");
			ev_buf_printf(&tmp, " (%s)", ev_report_get_str(it,
			    "direction", ""));
			ev_report_html_esc_buf(out, &tmp);
			ev_buf_adds(out, "</title></circle>\n");
		}
	ev_buf_adds(out, "</svg>\n</figure>\n");
	ev_buf_free(&tmp);
	free(v);
}

