/*
 * ev_report.h - ev-report's module as one program uses it: the store and
 * the model (ev_report_store.h), the renderers (ev_report_render.h) and
 * the dispatch from a format's name to its renderer.
 *
 * The module is layered, each layer including only the ones below it:
 *
 *	ev_report.h		dispatch (this header; ev_report.c)
 *	ev_report_render.h	renderers: text, md, slack, csv, html, mail
 *	ev_report_store.h	store and model builder (+ ev_report_episode.h)
 *	ev_report_fmt.h		reading the model, formatting for people
 *
 * Ownership: as in the headers it includes; ev_report_render borrows the
 * model and appends to the caller's buffer.
 */
#ifndef EV_REPORT_H
#define EV_REPORT_H

#include <jansson.h>

#include "ev_buf.h"
#include "ev_report_fmt.h"
#include "ev_report_render.h"
#include "ev_report_store.h"

enum ev_report_format {
	EV_REPORT_TEXT,
	EV_REPORT_MARKDOWN,
	EV_REPORT_CSV,
	EV_REPORT_JSON,
	EV_REPORT_HTML,
	EV_REPORT_HTML_MAIL,
	EV_REPORT_SLACK
};

/* Parse a format name; 0 or -1. */
int	ev_report_format_parse(const char *name, enum ev_report_format *f);
/* Render the model in a format, appending to out. */
void	ev_report_render(const json_t *model, enum ev_report_format f,
	    const struct ev_report_render_opts *ro, struct ev_buf *out);

#endif /* EV_REPORT_H */
