/*
 * ev_report_md.c - the report as GitHub-flavoured Markdown: a header, then
 * per metric a trend line, a table of anomalies and a breakdown table.
 *
 * Each of those is a section.  With a byte budget (Slack caps a message
 * section at 3,000 characters, GitHub step summaries at 1 MiB) whole
 * sections are kept in order while they fit with room for a closing note
 * that says how many were left out; the header is always kept.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_rec.h"
#include "ev_report_fmt.h"
#include "ev_report_render.h"

static void	md_notes(const json_t *me, struct ev_buf *out);

/* Text from the data, safe in a table cell and in a heading. */
static void
cell(struct ev_buf *b, const char *s)
{
	ev_report_md_esc(b, s);
}

/* A time from the model (or its text when it is no time) as a cell. */
static void
timecell(struct ev_buf *b, const struct ev_tz *tz, const char *s,
    int with_sec)
{
	struct ev_buf t = EV_BUF_INIT;

	ev_report_fmt_timestr(&t, tz, s, with_sec);
	cell(b, t.data ? t.data : "");
	ev_buf_free(&t);
}

static void
spark(struct ev_buf *b, const char *s, int ascii)
{
	static const char ramp[] = "_.:-=+*#";

	ev_buf_addc(b, '`');
	while (*s) {
		const unsigned char *u = (const unsigned char *)s;

		if (ascii && u[0] == 0xE2 && u[1] == 0x96 && u[2] >= 0x81 &&
		    u[2] <= 0x88) {
			ev_buf_addc(b, ramp[u[2] - 0x81]);
			s += 3;
		} else if (*s == '`') {
			ev_buf_addc(b, '\'');
			s++;
		} else {
			ev_buf_addc(b, *s++);
		}
	}
	ev_buf_addc(b, '`');
}

static void
header(const json_t *m, const struct ev_tz *tz, struct ev_buf *out)
{
	const json_t *rc = json_object_get(m, "records");
	json_t *st = ev_report_get_arr(m, "stages"), *it;
	struct ev_buf b = EV_BUF_INIT;
	size_t i;

	/* The separators between the names and figures need no escaping. */
	ev_buf_adds(out, "# ev-report:");
	ev_report_fmt_names(&b, m);
	cell(out, b.data ? b.data : "");
	ev_buf_reset(&b);
	ev_buf_adds(out, "\n\n**Range** ");
	ev_report_fmt_range(&b, m, tz);
	cell(out, b.data);
	ev_report_fmt_figures(out, rc, 0, "  \n**Records** {in} in, {rejected} "
	    "rejected, {used} in range; {series} series; **{anomalies} "
	    "anomalies**  \n_generated ");
	cell(out, ev_report_get_str(m, "generated", ""));
	ev_buf_adds(out, "_\n");
	if (json_array_size(st) > 0) {
		size_t k;

		ev_buf_adds(out, "\n| stage |");
		for (k = 0; k < EV_REPORT_NSTAGE_KEYS; k++)
			ev_buf_printf(out, " %s |", ev_report_stage_keys[k]);
		ev_buf_adds(out, "\n|---|");
		for (k = 0; k < EV_REPORT_NSTAGE_KEYS; k++)
			ev_buf_adds(out, "--:|");
		ev_buf_addc(out, '\n');
		json_array_foreach(st, i, it) {
			ev_buf_adds(out, "| ");
			cell(out, ev_report_get_str(it, "tool", "?"));
			ev_buf_adds(out, " |");
			for (k = 0; k < EV_REPORT_NSTAGE_KEYS; k++) {
				ev_buf_addc(out, ' ');
				ev_report_fmt_value(out, ev_report_get_num(it,
				    ev_report_stage_keys[k], 0), "-");
				ev_buf_adds(out, " |");
			}
			ev_buf_addc(out, '\n');
		}
	}
	ev_buf_free(&b);
}

/* Without a range of its own, what the change figures compare. */
static void
md_basis(const json_t *m, const struct ev_tz *tz, struct ev_buf *out)
{
	const json_t *cb = json_object_get(m, "change_basis");
	struct ev_buf b = EV_BUF_INIT;

	if (strcmp(ev_report_get_str(cb, "kind", ""), "point") != 0)
		return;
	ev_report_fmt_basis(&b, m, tz);
	ev_buf_adds(out, "\n**Change** ");
	cell(out, b.data ? b.data : "");
	ev_buf_addc(out, '\n');
	ev_buf_free(&b);
}

static void
trend(const json_t *me, const struct ev_report_render_opts *ro,
    struct ev_buf *out)
{
	ev_buf_adds(out, "\n## ");
	cell(out, ev_report_get_str(me, "name", "?"));
	ev_buf_adds(out, "\n\n**");
	ev_report_fmt_value(out, ev_report_get_num(me, "total", NAN), "-");
	ev_buf_adds(out, "** total, ");
	ev_report_fmt_change(out, ev_report_get_num(me, "change", NAN),
	    "no change figure");
	if (!isnan(ev_report_get_num(me, "change", NAN)))
		ev_buf_adds(out, " against the previous period");
	ev_buf_adds(out, " ");
	spark(out, ev_report_get_str(me, "sparkline", ""), ro->ascii);
	ev_buf_addc(out, '\n');
	md_notes(me, out);
}

/*
 * An incident's cells after its start (as the text report lists them):
 * end or "ongoing", duration, series, the peak and its deviation,
 * severity.
 */
static void
incident_row(struct ev_buf *out, struct ev_buf *b, const json_t *it,
    const struct ev_tz *tz, int sec)
{
	const char *sev = ev_report_get_str(it, "severity", "");

	if (json_is_true(json_object_get(it, "ongoing")))
		ev_buf_adds(out, "**ongoing**");
	else
		timecell(out, tz, ev_report_get_str(it, "end", ""), sec);
	ev_buf_adds(out, " | ");
	ev_buf_reset(b);
	ev_report_fmt_incident_duration(b, it);
	cell(out, b->data ? b->data : "");
	ev_buf_adds(out, " | ");
	cell(out, ev_report_get_str(it, "series", ""));
	ev_buf_adds(out, " | ");
	timecell(out, tz, ev_report_get_str(it, "peak_at", ""), sec);
	ev_report_fmt_figures(out, it, NAN, " | {value} | {expected} | ");
	ev_report_fmt_change(out, ev_report_get_num(it, "deviation", NAN),
	    "-");
	ev_buf_adds(out, " | ");
	cell(out, *sev ? sev : "-");
}

/* An anomaly's cells after its time: the figures, band and score. */
static void
anomaly_row(struct ev_buf *out, struct ev_buf *b, const json_t *it,
    const struct ev_tz *tz, int sec)
{
	(void)b;
	(void)tz;
	(void)sec;
	cell(out, ev_report_get_str(it, "series", ""));
	ev_report_fmt_figures(out, it, NAN, " | {value} | {expected} | "
	    "{lower} to {upper} | ");
	cell(out, ev_report_get_str(it, "direction", ""));
	ev_buf_adds(out, " | ");
	ev_report_fmt_score(out, ev_report_get_num(it, "score", NAN));
}

/*
 * A table of the metric's incidents or anomalies, one row each: the
 * start, the cells of row(), the explanation; the --max-anomalies most
 * severe.
 */
struct listing {
	const char	*key;		/* the metric's array, "incidents" */
	const char	*title;		/* "Incidents" */
	const char	*head;		/* the table's head */
	void		(*row)(struct ev_buf *, struct ev_buf *, const json_t *,
			    const struct ev_tz *, int);
};

static const struct listing incident_list = { "incidents", "Incidents",
    "| start | end | duration | series | peak at | value | expected | "
    "deviation | severity | explanation |\n"
    "|---|---|--:|---|---|--:|--:|--:|---|---|\n", incident_row };
static const struct listing anomaly_list = { "anomalies", "Anomalies",
    "| time | series | value | expected | band | direction | score | "
    "explanation |\n|---|---|--:|--:|--:|---|--:|---|\n", anomaly_row };

static void
listing(const json_t *me, const struct ev_tz *tz, ev_us_t step,
    size_t max, const struct listing *l, struct ev_buf *out)
{
	json_t *aa = ev_report_get_arr(me, l->key), *it;
	struct ev_buf b = EV_BUF_INIT;
	size_t i, hidden;
	char *shown;
	int sec = step % EV_US_PER_MIN != 0;

	ev_buf_printf(out, "\n### %s in ", l->title);
	cell(out, ev_report_get_str(me, "name", "?"));
	ev_buf_addc(out, '\n');
	if (json_array_size(aa) == 0) {
		ev_buf_adds(out, "\nNone.\n");
		return;
	}
	shown = ev_report_anomaly_shown(aa, max, &hidden);
	ev_buf_addc(out, '\n');
	ev_buf_adds(out, l->head);
	json_array_foreach(aa, i, it) {
		if (!shown[i])
			continue;
		ev_buf_adds(out, "| ");
		timecell(out, tz, ev_report_get_str(it, "start", ""), sec);
		ev_buf_adds(out, " | ");
		l->row(out, &b, it, tz, sec);
		ev_buf_adds(out, " | ");
		ev_buf_reset(&b);
		ev_report_fmt_summary(&b, it);
		cell(out, b.data ? b.data : "");
		ev_buf_adds(out, " |\n");
	}
	if (hidden > 0)
		ev_buf_printf(out, "\n_%zu less severe %s not shown._\n",
		    hidden, l->key);
	free(shown);
	ev_buf_free(&b);
}

static void
breakdown(const json_t *me, const struct ev_report_render_opts *ro,
    struct ev_buf *out)
{
	json_t *sa = ev_report_get_arr(me, "series"), *it;
	const json_t *oth = json_object_get(me, "other");
	int add = !json_is_false(json_object_get(me, "additive"));
	size_t i;

	ev_buf_adds(out, "\n### Series by ");
	cell(out, ev_report_get_str(me, "name", "?"));
	/* A share of a non-additive total means nothing: no column. */
	if (add)
		ev_buf_adds(out, "\n\n| # | series | total | share | change | "
		    "anomalies | trend |\n|--:|---|--:|--:|--:|--:|---|\n");
	else
		ev_buf_adds(out, "\n\n| # | series | total | change | "
		    "anomalies | trend |\n|--:|---|--:|--:|--:|---|\n");
	json_array_foreach(sa, i, it) {
		ev_buf_adds(out, "| ");
		ev_report_fmt_value(out, ev_report_get_num(it, "rank", NAN),
		    "-");
		ev_buf_adds(out, " | ");
		cell(out, ev_report_get_str(it, "series", ""));
		ev_buf_adds(out, " | ");
		ev_report_fmt_value(out, ev_report_get_num(it, "total", NAN),
		    "-");
		ev_buf_adds(out, " | ");
		if (add) {
			ev_report_fmt_share(out, ev_report_get_num(it, "share",
			    NAN));
			ev_buf_adds(out, " | ");
		}
		ev_report_fmt_change(out, ev_report_get_num(it, "change", NAN),
		    "-");
		ev_buf_adds(out, " | ");
		ev_report_fmt_value(out, ev_report_get_num(it, "anomalies", 0),
		    "-");
		ev_buf_adds(out, " | ");
		spark(out, ev_report_get_str(it, "sparkline", ""), ro->ascii);
		ev_buf_adds(out, " |\n");
	}
	if (ev_report_get_num(oth, "series", 0) > 0) {
		ev_report_fmt_figures(out, oth, 0, "| | other ({series} "
		    "series) | {total}");
		ev_buf_adds(out, add ? " | | | | |\n" : " | | | |\n");
	}
}

/* The notes of a metric whose total or points are n/a, in italics. */
static void
md_notes(const json_t *me, struct ev_buf *out)
{
	static const char *const key[] = { "total_note", "points_note" };
	static const char *const what[] = { "Total", "Points" };
	size_t i;

	for (i = 0; i < 2; i++)
		if (ev_report_get_str(me, key[i], NULL) != NULL && (i == 0 ||
		    strcmp(ev_report_get_str(me, key[0], ""),
		    ev_report_get_str(me, key[1], "")) != 0)) {
			ev_buf_printf(out, "\n_%s n/a: ", what[i]);
			cell(out, ev_report_get_str(me, key[i], ""));
			ev_buf_adds(out, "._\n");
		}
}

/* A top(field, N) metric: one ranked table per period and series. */
static void
md_top(const json_t *me, const struct ev_tz *tz, struct ev_buf *out)
{
	json_t *pa = ev_report_get_arr(me, "periods"), *po, *it, *v;
	struct ev_buf b = EV_BUF_INIT;
	size_t i, k;

	ev_buf_adds(out, "\n## ");
	cell(out, ev_report_get_str(me, "name", "?"));
	ev_buf_adds(out, "\n\nTop values per period; lists are not summed, "
	    "so there is no total.\n");
	if (json_array_size(pa) == 0)
		ev_buf_adds(out, "\nNo values in the range.\n");
	json_array_foreach(pa, i, po) {
		ev_buf_adds(out, "\n**");
		timecell(out, tz, ev_report_get_str(po, "start", ""), 0);
		ev_buf_adds(out, " ");
		cell(out, ev_report_get_str(po, "series", ""));
		ev_buf_adds(out, json_is_true(json_object_get(po, "partial")) ?
		    "** (partial)\n" : "**\n");
		ev_buf_adds(out, "\n| # | value | count |\n|--:|---|--:|\n");
		json_array_foreach(ev_report_get_arr(po, "items"), k, it) {
			ev_buf_adds(out, "| ");
			ev_report_fmt_value(out, ev_report_get_num(it, "rank",
			    NAN), "-");
			ev_buf_adds(out, " | ");
			ev_buf_reset(&b);
			v = json_object_get(it, "value");
			ev_report_fmt_item(&b, v);
			cell(out, b.data ? b.data : "");
			ev_buf_adds(out, " | ");
			ev_report_fmt_value(out, ev_report_get_num(it, "count",
			    NAN), "-");
			ev_buf_adds(out, " |\n");
		}
	}
	ev_buf_free(&b);
}

/* --compare: each point's total next to the one D earlier. */
static void
md_compare(const json_t *m, const json_t *me, const struct ev_tz *tz,
    struct ev_buf *out)
{
	struct ev_report_cmp c;
	struct ev_buf tb = EV_BUF_INIT;
	size_t i;

	if (!ev_report_compare(m, me, &c))
		return;
	ev_buf_adds(out, "\n### ");
	cell(out, ev_report_get_str(me, "name", "?"));
	ev_buf_adds(out, " against ");
	cell(out, c.off);
	ev_buf_adds(out, " earlier\n");
	if (c.n == 0) {
		ev_buf_adds(out, "\nNothing to compare with.\n");
		return;
	}
	ev_buf_adds(out, "\n| period | value | ");
	cell(out, c.off);
	ev_buf_adds(out, " earlier | change |\n|---|--:|--:|--:|\n");
	for (i = 0; i < c.n; i++) {
		ev_buf_reset(&tb);
		ev_report_fmt_time(&tb, tz, c.row[i].t, 0);
		ev_buf_adds(out, "| ");
		cell(out, tb.data);
		ev_buf_adds(out, c.row[i].partial ? " (partial) | " : " | ");
		ev_report_fmt_value(out, c.row[i].v, "n/a");
		ev_buf_adds(out, " | ");
		ev_report_fmt_value(out, c.row[i].prev, "n/a");
		ev_buf_adds(out, " | ");
		ev_report_fmt_change(out, c.row[i].change, "-");
		ev_buf_adds(out, " |\n");
	}
	ev_report_compare_free(&c);
	ev_buf_free(&tb);
}

static void
note(struct ev_buf *b, size_t left, size_t all, size_t budget)
{
	ev_buf_reset(b);
	ev_buf_printf(b, "\n_Cut to fit %zu bytes: %zu of %zu sections left "
	    "out._\n", budget, left, all);
}

void
ev_report_md_render(const json_t *m, const struct ev_report_render_opts *ro,
    struct ev_buf *out)
{
	struct ev_tz *tz = ev_report_tz(m);
	json_t *ma = ev_report_get_arr(m, "metrics"), *it;
	size_t nm = json_array_size(ma), nsec = 4 * nm, i, j, used;
	struct ev_buf *sec = ev_xcalloc(nsec ? nsec : 1, sizeof(*sec));
	struct ev_buf hd = EV_BUF_INIT, nt = EV_BUF_INIT;
	ev_us_t t0, step;
	size_t np;
	int cut;

	ev_report_grid(m, &t0, &step, &np);
	header(m, tz, &hd);
	md_basis(m, tz, &hd);
	json_array_foreach(ma, i, it) {
		if (strcmp(ev_report_get_str(it, "kind", ""), "top") == 0) {
			md_top(it, tz, &sec[4 * i]);
			continue;
		}
		trend(it, ro, &sec[4 * i]);
		md_compare(m, it, tz, &sec[4 * i + 1]);
		/* A model written before incidents: its points. */
		if (json_is_array(json_object_get(it, "incidents")))
			listing(it, tz, step, ro->max_anomalies,
			    &incident_list, &sec[4 * i + 2]);
		else
			listing(it, tz, step, ro->max_anomalies,
			    &anomaly_list, &sec[4 * i + 2]);
		breakdown(it, ro, &sec[4 * i + 3]);
	}
	/* Only sections with something in them count. */
	for (i = j = 0; i < nsec; i++)
		if (sec[i].len > 0)
			sec[j++] = sec[i];
		else
			ev_buf_free(&sec[i]);
	nsec = j;
	ev_buf_add(out, hd.data, hd.len);
	used = hd.len;
	for (i = 0; i < nsec; i++)
		used += sec[i].len;
	cut = ro->budget > 0 && used > ro->budget;
	used = hd.len;
	for (i = 0; i < nsec; i++) {
		size_t need = used + sec[i].len;

		if (cut) {
			if (i + 1 < nsec) {
				note(&nt, nsec - i - 1, nsec, ro->budget);
				need += nt.len;
			}
			if (need > ro->budget)
				break;
		}
		ev_buf_add(out, sec[i].data, sec[i].len);
		used += sec[i].len;
	}
	if (i < nsec) {
		note(&nt, nsec - i, nsec, ro->budget);
		ev_buf_add(out, nt.data, nt.len);
	}
	for (i = 0; i < nsec; i++)
		ev_buf_free(&sec[i]);
	free(sec);
	ev_buf_free(&hd);
	ev_buf_free(&nt);
	ev_tz_free(tz);
}
