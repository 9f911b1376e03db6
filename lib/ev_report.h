/*
 * ev_report.h - ev-report's data model and its renderers.
 *
 * Window records and ev-detect records go into a store
 * (ev_report_store_add); ev_report_build turns the store into the report's
 * data model, a JSON document (described in ev-report(1), RECORDS).  Every
 * renderer works from that document alone, so a model written with
 * --format json and read back renders to the same bytes in any format.
 *
 * Renderers live one per file: ev_report_text.c (text and the live view),
 * ev_report_md.c (Markdown), ev_report_csv.c (CSV), ev_report_html.c
 * (HTML); ev_report.c holds the store, the builder and the helpers they
 * share (ev_report_get_*, ev_report_fmt_*).
 *
 * Ownership: the store copies what it keeps from the records it is given
 * (the caller's json_t stays the caller's).  ev_report_build returns a new
 * reference.  Renderers borrow the model and append to the caller's buffer.
 */
#ifndef EV_REPORT_H
#define EV_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "ev_buf.h"
#include "ev_time.h"

#define EV_REPORT_MODEL_VERSION	1
#define EV_REPORT_SPARK_WIDTH	48	/* most characters in a sparkline */
#define EV_REPORT_MAX_POINTS	2000000	/* points a range may hold */

struct ev_report_opts {
	const char	 *time_field;	/* "start" */
	char		**metrics;	/* borrowed; nmetrics == 0: discover */
	size_t		  nmetrics;
	char		**by;		/* borrowed; nby == 0: discover */
	size_t		  nby;
	size_t		  top;		/* series per breakdown table */
	ev_us_t		  since, until;	/* used when has_since / has_until */
	int		  has_since, has_until;
	ev_us_t		  last;		/* > 0: the range is the last D of data */
	ev_us_t		  step;		/* > 0: at least this point spacing */
	ev_us_t		  compare;	/* > 0: change against D earlier */
	const char	 *tz;		/* IANA name, "UTC" by default */
	double		  min_score;	/* anomaly score that counts as one */
	ev_us_t		  generated;	/* the generated-at stamp */
};

/* Counts of the run that built the report, for the header. */
struct ev_report_counts {
	uint64_t	in, rejected;
};

struct ev_report_store;

struct ev_report_store *ev_report_store_new(const struct ev_report_opts *o);
void	ev_report_store_free(struct ev_report_store *s);
/*
 * Add one record (borrowed).  Returns 0, or -1 with a reason ("time" or
 * "type") and a message in err when the record cannot be used.
 */
int	ev_report_store_add(struct ev_report_store *s, const json_t *rec,
	    const char **reason, char *err, size_t errlen);
/* The same from a record, reading only what the report needs. */
struct ev_rec;
int	ev_report_store_add_rec(struct ev_report_store *s,
	    const struct ev_rec *rec, const char **reason, char *err,
	    size_t errlen);
/* Add one stats line of another stage (borrowed; copied). */
void	ev_report_store_add_stage(struct ev_report_store *s,
	    const json_t *stats);
/*
 * Keep the report's range writable and within EV_REPORT_MAX_POINTS
 * points, before ev_report_build.  Records whose point would end past
 * 9999-12-31 are removed; so, when the range is too long and has an end
 * the records set (no --since with --until, no --last), are the records
 * far from the rest: outside --since + limit, before --until - limit, or
 * outside the stretch of half the limit that holds the most records,
 * provided that stretch holds most of them.  drop(arg, id, message) is
 * called for each record removed, id its arrival number (0 for the first
 * record stored).  When the range is still too long the step grows to
 * fit and note says so (else note is "").  Returns the records removed.
 */
size_t	ev_report_store_trim(struct ev_report_store *s,
	    void (*drop)(void *arg, uint64_t id, const char *msg), void *arg,
	    char *note, size_t notelen);
/* Records stored so far. */
size_t	ev_report_store_size(const struct ev_report_store *s);
/*
 * Build the model.  Returns a new reference, or NULL with err filled when
 * the range would hold more than EV_REPORT_MAX_POINTS points (never after
 * ev_report_store_trim).
 */
json_t	*ev_report_build(struct ev_report_store *s,
	    const struct ev_report_counts *c, char *err, size_t errlen);
/*
 * Whether an aggregate column may be summed across segments and periods,
 * judged from its name as ev-window writes it: count, sum, count_* and
 * sum_* are; distinct, approx_distinct, pNN, avg, min, max, stddev, first,
 * last, ratios, rates and distinct users (users, dau, ...) are not; other
 * names are taken as additive.  1 or 0.
 */
int	ev_report_additive(const char *name);
/* Check that a document read back is a report model; 0 or -1 with err. */
int	ev_report_check(const json_t *model, char *err, size_t errlen);

enum ev_report_format {
	EV_REPORT_TEXT,
	EV_REPORT_MARKDOWN,
	EV_REPORT_CSV,
	EV_REPORT_JSON,
	EV_REPORT_HTML,
	EV_REPORT_HTML_MAIL,
	EV_REPORT_SLACK
};

struct ev_report_render_opts {
	int	color;		/* ANSI colour in text */
	int	ascii;		/* ASCII only in text (and Markdown) */
	size_t	budget;		/* Markdown: at most this many bytes; 0 = any;
				   Slack: characters, 0 = 12,000 */
	size_t	max_anomalies;	/* rows of anomalies per metric; 0 = all */
};

/*
 * Which anomalies of a metric to show when at most max (> 0) rows fit: the
 * most severe (distance from expected in units of the band's half width,
 * else the score; ties to the earlier), in their time order.  Returns a
 * new array of flags (free(3)) with one char per anomaly, and in *hidden
 * the number left out.
 */
char		*ev_report_anomaly_shown(const json_t *anomalies, size_t max,
		    size_t *hidden);

/* Parse a format name; 0 or -1. */
int	ev_report_format_parse(const char *name, enum ev_report_format *f);
/* Render the model in a format, appending to out. */
void	ev_report_render(const json_t *model, enum ev_report_format f,
	    const struct ev_report_render_opts *ro, struct ev_buf *out);
void	ev_report_text_render(const json_t *model,
	    const struct ev_report_render_opts *ro, struct ev_buf *out);
void	ev_report_md_render(const json_t *model,
	    const struct ev_report_render_opts *ro, struct ev_buf *out);
void	ev_report_csv_render(const json_t *model, struct ev_buf *out);
/*
 * Markdown for a Slack markdown block: no HTML, tables as code blocks,
 * at most ro->budget characters (UTF-16 units; 0: Slack's 12,000), whole
 * sections cut by priority and named in a closing line.
 */
void	ev_report_slack_render(const json_t *model,
	    const struct ev_report_render_opts *ro, struct ev_buf *out);
void	ev_report_html_render(const json_t *model,
	    const struct ev_report_render_opts *ro, struct ev_buf *out);
/* Text as HTML and XML: & < > " ' as entities, control characters blank. */
void	ev_report_html_esc(struct ev_buf *b, const char *s);
/*
 * HTML for mail clients (ev_report_mail.c): inline styles only, no
 * <style>, no CSS variables, no SVG; tables and text sparklines.
 */
void	ev_report_mail_render(const json_t *model,
	    const struct ev_report_render_opts *ro, struct ev_buf *out);

/*
 * Helpers the renderers share.  Getters never fail: a member that is absent
 * or of another type gives the default (a model read back with --from-json
 * may be anything).  Returned strings and values are borrowed.
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
/*
 * The rows of a metric's --compare table: calls fn for each point that
 * has an earlier value, with the point's time, both values,
 * the change (NaN when either point is partial or missing) and whether
 * the point is partial.  Returns the number of rows.
 */
size_t		 ev_report_compare_rows(const json_t *model, const json_t *me,
		    void (*fn)(void *arg, ev_us_t t, double v, double prev,
		    double change, int partial), void *arg);
/* The change figures' offset ("1w", "1h"), "?" when none. */
const char	*ev_report_offset(const json_t *model);
/* A top(field, N) item's value: a string as it is, anything else JSON. */
void		 ev_report_fmt_item(struct ev_buf *b, const json_t *v);
/* Columns shown per cell: UTF-8 code points, not bytes. */
size_t		 ev_report_width(const char *s, size_t n);

#endif /* EV_REPORT_H */
