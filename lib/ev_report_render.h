/*
 * ev_report_render.h - ev-report's renderers, one per file: the report's
 * model (ev-report(1), RECORDS) in a format people read.
 *
 * ev_report_text.c (text and the live view), ev_report_md.c (Markdown),
 * ev_report_slack.c (a Slack markdown block), ev_report_csv.c (CSV),
 * ev_report_html.c (HTML) and ev_report_mail.c (HTML for mail).  Each
 * reads the model through ev_report_fmt.h alone: no renderer knows the
 * store, the dispatch (ev_report.h) or another renderer.
 *
 * Ownership: renderers borrow the model and append to the caller's
 * buffer.
 */
#ifndef EV_REPORT_RENDER_H
#define EV_REPORT_RENDER_H

#include <stddef.h>
#include <jansson.h>

#include "ev_buf.h"

struct ev_report_render_opts {
	int	color;		/* ANSI colour in text */
	int	ascii;		/* ASCII only in text (and Markdown) */
	size_t	budget;		/* Markdown: at most this many bytes; 0 = any;
				   Slack: characters, 0 = 12,000 */
	size_t	max_anomalies;	/* rows of anomalies per metric; 0 = all */
};

/* Aligned text with sparklines, for a terminal. */
void	ev_report_text_render(const json_t *model,
	    const struct ev_report_render_opts *ro, struct ev_buf *out);
/*
 * GitHub-flavoured Markdown; with ro->budget whole sections are cut to
 * fit and a closing line says so.
 */
void	ev_report_md_render(const json_t *model,
	    const struct ev_report_render_opts *ro, struct ev_buf *out);
/* One CSV row per metric, series and point. */
void	ev_report_csv_render(const json_t *model, struct ev_buf *out);
/*
 * Markdown for a Slack markdown block: no HTML, tables as code blocks,
 * at most ro->budget characters (UTF-16 units; 0: Slack's 12,000), whole
 * sections cut by priority and named in a closing line.
 */
void	ev_report_slack_render(const json_t *model,
	    const struct ev_report_render_opts *ro, struct ev_buf *out);
/* One self-contained HTML file with SVG charts. */
void	ev_report_html_render(const json_t *model,
	    const struct ev_report_render_opts *ro, struct ev_buf *out);
/*
 * HTML for mail clients: inline styles only, no <style>, no CSS
 * variables, no SVG; tables and text sparklines.
 */
void	ev_report_mail_render(const json_t *model,
	    const struct ev_report_render_opts *ro, struct ev_buf *out);

#endif /* EV_REPORT_RENDER_H */
