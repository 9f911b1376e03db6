/*
 * ev_report_chart.h - SVG line charts for the HTML renderer
 * (ev_report_html.c), drawn from the report's model.
 *
 * Ownership: a chart borrows every array and string it points to (parts
 * of the model); the drawing appends to the caller's buffer.
 */
#ifndef EV_REPORT_CHART_H
#define EV_REPORT_CHART_H

#include <stddef.h>
#include <jansson.h>

#include "ev_buf.h"
#include "ev_time.h"

/* What one chart draws: a series over the model's grid. */
struct ev_report_chart {
	const json_t	*pts, *ex, *lo, *hi;
	size_t		 n;
	ev_us_t		 t0, step;
	const struct ev_tz *tz;
	const json_t	*anoms;		/* the metric's anomalies */
	const char	*series;	/* anomalies to mark or NULL */
	const json_t	*fill;		/* has one: a gap is 0 */
	const json_t	*incs;		/* incidents to shade */
	const char	*id;		/* anchor or NULL */
	int		 fixed;		/* scale rlo..rhi given */
	double		 rlo, rhi;
};

/* Draw the series it next: its points, expected band and name. */
void	ev_report_chart_series(struct ev_report_chart *c, const json_t *it);
/* The lowest and highest value the chart would draw. */
void	ev_report_chart_extent(const struct ev_report_chart *c, double *lo,
	    double *hi);
/* The chart as an SVG figure captioned label. */
void	ev_report_chart(struct ev_buf *out, const struct ev_report_chart *c,
	    const char *label);

#endif /* EV_REPORT_CHART_H */
