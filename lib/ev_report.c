/*
 * ev_report.c - from a format's name to its renderer: the top of the
 * report module, over the renderers (ev_report_render.h).
 */
#include <string.h>

#include "ev_rec.h"
#include "ev_report.h"

int
ev_report_format_parse(const char *name, enum ev_report_format *f)
{
	static const struct {
		const char *n;
		enum ev_report_format f;
	} t[] = {
		{ "csv", EV_REPORT_CSV }, { "html", EV_REPORT_HTML },
		{ "html-mail", EV_REPORT_HTML_MAIL },
		{ "json", EV_REPORT_JSON }, { "markdown", EV_REPORT_MARKDOWN },
		{ "md", EV_REPORT_MARKDOWN }, { "slack", EV_REPORT_SLACK },
		{ "text", EV_REPORT_TEXT },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(name, t[i].n) == 0) {
			*f = t[i].f;
			return 0;
		}
	return -1;
}

/* The renderers that take no options, in the shape of the others. */
static void
rep_csv(const json_t *model, const struct ev_report_render_opts *ro,
    struct ev_buf *out)
{
	(void)ro;
	ev_report_csv_render(model, out);
}

/* The model itself, one line. */
static void
rep_json(const json_t *model, const struct ev_report_render_opts *ro,
    struct ev_buf *out)
{
	(void)ro;
	ev_json_write(model, out);
	ev_buf_addc(out, '\n');
}

void
ev_report_render(const json_t *model, enum ev_report_format f,
    const struct ev_report_render_opts *ro, struct ev_buf *out)
{
	static void (*const render[])(const json_t *,
	    const struct ev_report_render_opts *, struct ev_buf *) = {
		[EV_REPORT_TEXT] = ev_report_text_render,
		[EV_REPORT_MARKDOWN] = ev_report_md_render,
		[EV_REPORT_CSV] = rep_csv,
		[EV_REPORT_JSON] = rep_json,
		[EV_REPORT_HTML] = ev_report_html_render,
		[EV_REPORT_HTML_MAIL] = ev_report_mail_render,
		[EV_REPORT_SLACK] = ev_report_slack_render,
	};

	render[f](model, ro, out);
}
