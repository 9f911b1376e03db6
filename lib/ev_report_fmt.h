/*
 * ev_report_fmt.h - what every ev-report renderer shares: reading the
 * report's model (a JSON document, ev-report(1) RECORDS) without failing,
 * and writing its numbers, times, changes, labels and explanations for
 * people, escaped for the target where one is needed.
 *
 * This is the bottom layer of the report module: it knows the model's
 * shape but neither the store that builds it (ev_report_store.h) nor any
 * renderer (ev_report_render.h), and includes no other ev_report header.
 *
 * Ownership: models, arrays and objects passed in are borrowed; returned
 * strings and values are borrowed from them.  Writers append to the
 * caller's buffer.  ev_report_json_* return new references.
 */
#ifndef EV_REPORT_FMT_H
#define EV_REPORT_FMT_H

#include <stddef.h>
#include <jansson.h>

#include "ev_buf.h"
#include "ev_time.h"

#define EV_REPORT_MODEL_VERSION	1
#define EV_REPORT_SPARK_WIDTH	48	/* most characters in a sparkline */
#define EV_REPORT_MAX_POINTS	2000000	/* points a range may hold */

/* The counts of another stage's stats line, in the order reports list them. */
#define EV_REPORT_NSTAGE_KEYS	7
extern const char *const ev_report_stage_keys[EV_REPORT_NSTAGE_KEYS];

/*
 * Getters never fail: a member that is absent or of another type gives
 * the default (a model read back with --from-json may be anything).
 */
const char	*ev_report_get_str(const json_t *o, const char *key,
		    const char *dflt);
double		 ev_report_get_num(const json_t *o, const char *key,
		    double dflt);	/* NaN for null */
json_t		*ev_report_get_arr(const json_t *o, const char *key);
/* Number of an array element; NaN when null or not a number. */
double		 ev_report_arr_num(const json_t *a, size_t i);
/* The model's time zone (opened; ev_tz_free), and its range. */
struct ev_tz	*ev_report_tz(const json_t *model);
/* Range start, step (> 0) and point count of the model. */
void		 ev_report_grid(const json_t *model, ev_us_t *start,
		    ev_us_t *step, size_t *n);
/* The change figures' offset ("1w", "1h"), "?" when none. */
const char	*ev_report_offset(const json_t *model);

/* A time as the model writes it: RFC 3339 UTC (new reference). */
json_t		*ev_report_json_time(ev_us_t t);
/* A number as the model writes it: null for NaN (new reference). */
json_t		*ev_report_json_num(double v);

/*
 * Which anomalies of a metric to show when at most max (> 0) rows fit: the
 * most severe (distance from expected in units of the band's half width,
 * else the score; ties to the earlier), in their time order.  Returns a
 * new array of flags (free(3)) with one char per anomaly, and in *hidden
 * the number left out.
 */
char		*ev_report_anomaly_shown(const json_t *anomalies, size_t max,
		    size_t *hidden);

/* Local time "YYYY-MM-DD HH:MM" (":SS" when with_sec). */
void		 ev_report_fmt_time(struct ev_buf *b, const struct ev_tz *tz,
		    ev_us_t t, int with_sec);
/* Same from an RFC 3339 string; the string itself if it does not parse. */
void		 ev_report_fmt_timestr(struct ev_buf *b,
		    const struct ev_tz *tz, const char *s, int with_sec);
/*
 * A value for people: integers with thousands separators ("12,345"), other
 * values with two decimals ("61.20"); NaN as dash.
 */
void		 ev_report_fmt_value(struct ev_buf *b, double v,
		    const char *dash);
/*
 * Figures of an object in a sentence: each "{name}" of tmpl is the
 * member name as ev_report_fmt_value writes it (dflt when absent, "-"
 * when null or NaN, or what follows a bar: "{total|n/a}"); the rest of
 * tmpl is copied.  "{in} in, {rejected} rejected".
 */
void		 ev_report_fmt_figures(struct ev_buf *b, const json_t *o,
		    double dflt, const char *tmpl);
/* A change as "+4.1%" / "-38.0%"; NaN as dash. */
void		 ev_report_fmt_change(struct ev_buf *b, double v,
		    const char *dash);
/*
 * A score cut (not rounded) to six decimals, trailing zeros dropped, so
 * 0.9999996 shows as 0.999999 and never as 1; NaN as "-".
 */
void		 ev_report_fmt_score(struct ev_buf *b, double v);
/* A share as "86%" (or "0.4%" below 10%). */
void		 ev_report_fmt_share(struct ev_buf *b, double v);
/*
 * A label value as text: a string as it is, a number or boolean as JSON;
 * anything else writes nothing and returns 0 (else 1).
 */
int		 ev_report_fmt_label(struct ev_buf *b, const json_t *v);
/* An anomaly's explanation as "platform=android 86%, ..." */
void		 ev_report_fmt_explain(struct ev_buf *b, const json_t *anomaly);
/* The series' labels as "event=signup,platform=android" ("(all)" if none). */
void		 ev_report_fmt_labels(struct ev_buf *b, const json_t *labels);
/*
 * What the change figures compare, from the model's change_basis: "the
 * range against 2026-03-02 00:00 to 2026-03-03 00:00" or "2026-03-07
 * 22:00 against 2026-03-07 21:00 (the last complete point against the
 * one before)"; nothing when the model has no basis.  Returns 1 when
 * something was written.
 */
int		 ev_report_fmt_basis(struct ev_buf *b, const json_t *model,
		    const struct ev_tz *tz);
/* A row of a metric's --compare table. */
struct ev_report_cmp_row {
	ev_us_t	t;		/* the point */
	double	v, prev;	/* its value and the value off earlier */
	double	change;		/* NaN when either point is partial */
	int	partial;	/* the point is partial */
};
/* A metric's --compare table. */
struct ev_report_cmp {
	const char		 *off;	/* D of --compare: "1w" (borrowed) */
	size_t			  n;
	struct ev_report_cmp_row *row;	/* n rows (ev_report_compare_free) */
};
/*
 * Metric me's --compare table into c: a row per point that has an
 * earlier value.  Returns 0 when the metric has no --compare figures
 * (c empty), else 1, with no rows when nothing can be compared.
 */
int		 ev_report_compare(const json_t *model, const json_t *me,
		    struct ev_report_cmp *c);
void		 ev_report_compare_free(struct ev_report_cmp *c);
/* A top(field, N) item's value: a string as it is, anything else JSON. */
void		 ev_report_fmt_item(struct ev_buf *b, const json_t *v);
/* Columns shown per cell: UTF-8 code points, not bytes. */
size_t		 ev_report_width(const char *s, size_t n);

/*
 * An anomaly's or incident's "summary", else its explanation
 * (ev_report_fmt_explain).
 */
void	ev_report_fmt_summary(struct ev_buf *b, const json_t *a);
/*
 * An incident's end as the report shows times, or "ongoing" (returns 1
 * then); its duration, with " so far" while it goes on.
 */
int	ev_report_fmt_incident_end(struct ev_buf *b, const struct ev_tz *tz,
	    const json_t *inc, int with_sec);
void	ev_report_fmt_incident_duration(struct ev_buf *b, const json_t *inc);
/*
 * The model's "title" (--title), else "ev-report: " and the metrics'
 * names.
 */
void	ev_report_fmt_title(struct ev_buf *b, const json_t *model);
/* The metrics' names, each after a space, separated by commas. */
void	ev_report_fmt_names(struct ev_buf *b, const json_t *model);
/*
 * "START to END (TZ), step S" and the previous period ("; compared with
 * ...") when the model has one.
 */
void	ev_report_fmt_range(struct ev_buf *b, const json_t *model,
	    const struct ev_tz *tz);

/*
 * Text as HTML and XML: & < > " ' as entities, control characters but
 * tab and line feed blank.
 */
void	ev_report_html_esc(struct ev_buf *b, const char *s);
/* The same of what a formatter wrote in tmp; tmp is emptied after. */
void	ev_report_html_esc_buf(struct ev_buf *out, struct ev_buf *tmp);
/*
 * The start of an HTML document up to its title: doctype, <html>,
 * <head>, the charset, the elements in meta ("" for none), the
 * generator and the model's title (ev_report_fmt_title), escaped.
 */
void	ev_report_html_head(struct ev_buf *b, const json_t *model,
	    const char *meta);
/*
 * Text for a Markdown table cell or heading: & < > as entities, \ and |
 * after a backslash, control characters and DEL blank.
 */
void	ev_report_md_esc(struct ev_buf *b, const char *s);

#endif /* EV_REPORT_FMT_H */
