/*
 * ev_report_slack.c - the report as the standard Markdown of a Slack
 * "markdown" block: headings, bold, inline code and fenced code blocks,
 * no HTML and no Markdown tables (the block's reference lists tables among
 * what it does not render), so every table is a code block of aligned
 * columns.  The block holds at most 12,000 characters; a report that
 * would be longer loses whole sections, the least important first
 * (breakdowns and top lists, then --compare tables, then incident (or
 * anomaly) tables, last the metric headlines; the header stays), and a
 * closing line names what was left out.  A section is never cut inside.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_rec.h"
#include "ev_report_fmt.h"
#include "ev_report_render.h"

#define SLACK_LIMIT	12000	/* characters of a markdown block */

struct sec {
	struct ev_buf	 b;
	int		 prio;		/* 0 always kept; higher goes first */
	char		 name[160];	/* for the note of what was left out */
	int		 cut;
};

/*
 * Text from the data outside code: Markdown's and Slack's special
 * characters escaped with a backslash (so a label neither formats nor
 * links nor mentions), line breaks and control characters as spaces.
 */
static void
text(struct ev_buf *b, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\`*_~[]<>|&#", *s) != NULL)
			ev_buf_addc(b, '\\');
		ev_buf_addc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' :
		    *s);
	}
}

/* Text inside a code block: no backtick may close it. */
static void
code(struct ev_buf *b, const char *s)
{
	for (; *s; s++)
		ev_buf_addc(b, *s == '`' ? '\'' : (unsigned char)*s < 0x20 ||
		    *s == 0x7f ? ' ' : *s);
}

/* A table as a fenced code block of aligned columns (at most 12). */
struct grid {
	size_t	  ncol, n;
	char	**cell;
	int	  right[12];
};

/* A grid of one column per letter of align: 'l' left, 'r' right. */
static void
grid_init(struct grid *g, const char *align)
{
	size_t i, n = strlen(align);

	memset(g, 0, sizeof(*g));
	g->ncol = n < 12 ? n : 12;
	for (i = 0; i < g->ncol; i++)
		g->right[i] = align[i] == 'r';
}

static void
grid_add(struct grid *g, const char *s)
{
	struct ev_buf b = EV_BUF_INIT;

	code(&b, s);
	g->cell = ev_xreallocarray(g->cell, g->n + 1, sizeof(*g->cell));
	g->cell[g->n++] = b.data ? b.data : ev_xstrdup("");
}

static void
grid_write(struct grid *g, struct ev_buf *out)
{
	size_t w[12] = { 0 }, i, k, c;

	for (i = 0; i < g->n; i++) {
		size_t cw = ev_report_width(g->cell[i], strlen(g->cell[i]));

		if (cw > w[i % g->ncol])
			w[i % g->ncol] = cw;
	}
	ev_buf_adds(out, "```\n");
	for (i = 0; i < g->n; i++) {
		c = i % g->ncol;
		size_t cw = ev_report_width(g->cell[i], strlen(g->cell[i]));

		if (c > 0)
			ev_buf_adds(out, "  ");
		if (g->right[c])
			for (k = cw; k < w[c]; k++)
				ev_buf_addc(out, ' ');
		ev_buf_adds(out, g->cell[i]);
		if (!g->right[c] && c + 1 < g->ncol)
			for (k = cw; k < w[c]; k++)
				ev_buf_addc(out, ' ');
		if (c + 1 == g->ncol) {
			while (out->len > 0 && out->data[out->len - 1] == ' ')
				out->len--;
			ev_buf_addc(out, '\n');
		}
		free(g->cell[i]);
	}
	ev_buf_adds(out, "```\n");
	free(g->cell);
	g->cell = NULL;
	g->n = 0;
}

/* Add a formatted cell. */
static void
grid_val(struct grid *g, double v, const char *dash)
{
	struct ev_buf b = EV_BUF_INIT;

	ev_report_fmt_value(&b, v, dash);
	grid_add(g, b.data);
	ev_buf_free(&b);
}

static void
grid_change(struct grid *g, double v)
{
	struct ev_buf b = EV_BUF_INIT;

	ev_report_fmt_change(&b, v, "-");
	grid_add(g, b.data);
	ev_buf_free(&b);
}

static struct sec *
sec_new(struct sec **v, size_t *n, int prio, const char *what,
    const char *metric)
{
	struct sec *s;

	*v = ev_xreallocarray(*v, *n + 1, sizeof(**v));
	s = &(*v)[(*n)++];
	memset(s, 0, sizeof(*s));
	ev_buf_init(&s->b);
	s->prio = prio;
	snprintf(s->name, sizeof(s->name), "%s%s", what, metric);
	return s;
}

static void
header(const json_t *m, const struct ev_tz *tz, struct ev_buf *out)
{
	const json_t *rc = json_object_get(m, "records");
	struct ev_buf b = EV_BUF_INIT;

	/* The separators between the names and figures need no escaping. */
	ev_buf_adds(out, "# ev-report:");
	ev_report_fmt_names(&b, m);
	text(out, b.data ? b.data : "");
	ev_buf_reset(&b);
	ev_buf_adds(out, "\n\n**Range** ");
	ev_report_fmt_range(&b, m, tz);
	text(out, b.data);
	ev_buf_reset(&b);
	ev_buf_adds(out, "\n\n**Records** ");
	ev_report_fmt_figures(&b, rc, 0, "{in} in, {rejected} rejected, {used} "
	    "in range; {anomalies} anomalies");
	text(out, b.data);
	ev_buf_reset(&b);
	if (strcmp(ev_report_get_str(json_object_get(m, "change_basis"),
	    "kind", ""), "point") == 0 && ev_report_fmt_basis(&b, m, tz)) {
		ev_buf_adds(out, "\n\n**Change** ");
		text(out, b.data);
	}
	ev_buf_printf(out, "\n\n_generated %s_\n", ev_report_get_str(m,
	    "generated", ""));
	ev_buf_free(&b);
}

static void
headline(const json_t *me, struct ev_buf *out)
{
	static const char *const key[] = { "total_note", "points_note" };
	struct ev_buf b = EV_BUF_INIT;
	size_t i;

	ev_buf_adds(out, "\n## ");
	text(out, ev_report_get_str(me, "name", "?"));
	ev_buf_adds(out, "\n\n**");
	ev_report_fmt_value(&b, ev_report_get_num(me, "total", NAN), "n/a");
	text(out, b.data);
	ev_buf_adds(out, "** total, change ");
	ev_buf_reset(&b);
	ev_report_fmt_change(&b, ev_report_get_num(me, "change", NAN), "-");
	text(out, b.data);
	ev_buf_adds(out, " `");
	code(out, ev_report_get_str(me, "sparkline", ""));
	ev_buf_adds(out, "`\n");
	for (i = 0; i < 2; i++)
		if (ev_report_get_str(me, key[i], NULL) != NULL && (i == 0 ||
		    strcmp(ev_report_get_str(me, key[0], ""),
		    ev_report_get_str(me, key[1], "")) != 0)) {
			ev_buf_adds(out, "\n_n/a: ");
			text(out, ev_report_get_str(me, key[i], ""));
			ev_buf_adds(out, "_\n");
		}
	ev_buf_free(&b);
}

/* An incident's row after its start, as in the text report. */
static void
incident_row(struct grid *g, struct ev_buf *b, const json_t *it,
    const struct ev_tz *tz)
{
	ev_buf_reset(b);
	ev_report_fmt_incident_end(b, tz, it, 0);
	grid_add(g, b->data);
	ev_buf_reset(b);
	ev_report_fmt_incident_duration(b, it);
	grid_add(g, b->data);
	grid_add(g, ev_report_get_str(it, "series", ""));
	ev_buf_reset(b);
	ev_report_fmt_change(b, ev_report_get_num(it, "deviation", NAN), "-");
	grid_add(g, b->data);
}

/* An anomaly's row after its start. */
static void
anomaly_row(struct grid *g, struct ev_buf *b, const json_t *it,
    const struct ev_tz *tz)
{
	(void)tz;
	grid_add(g, ev_report_get_str(it, "series", ""));
	grid_val(g, ev_report_get_num(it, "value", NAN), "-");
	grid_val(g, ev_report_get_num(it, "expected", NAN), "-");
	ev_buf_reset(b);
	ev_report_fmt_score(b, ev_report_get_num(it, "score", NAN));
	grid_add(g, b->data);
}

/*
 * A table of a metric's incidents or anomalies: the start, the columns
 * row() writes, the explanation.
 */
struct listing {
	const char	*key;		/* the metric's array, "incidents" */
	const char	*title;		/* "Incidents" */
	const char	*align;		/* of grid_init */
	const char	*cols[6];
	void		(*row)(struct grid *, struct ev_buf *, const json_t *,
			    const struct ev_tz *);
};

static const struct listing incident_list = { "incidents", "Incidents",
    "llrlrl", { "start", "end", "duration", "series", "deviation",
    "explanation" }, incident_row };
static const struct listing anomaly_list = { "anomalies", "Anomalies",
    "llrrrl", { "time", "series", "value", "expected", "score",
    "explanation" }, anomaly_row };

static void
listing(const json_t *me, const struct ev_tz *tz, size_t max,
    const struct listing *l, struct ev_buf *out)
{
	json_t *aa = ev_report_get_arr(me, l->key), *it;
	struct ev_buf b = EV_BUF_INIT;
	struct grid g;
	size_t i, hidden;
	char *shown;

	if (json_array_size(aa) == 0)
		return;
	shown = ev_report_anomaly_shown(aa, max, &hidden);
	ev_buf_printf(out, "\n**%s in ", l->title);
	text(out, ev_report_get_str(me, "name", "?"));
	ev_buf_adds(out, "**\n");
	grid_init(&g, l->align);
	for (i = 0; i < 6; i++)
		grid_add(&g, l->cols[i]);
	json_array_foreach(aa, i, it) {
		if (!shown[i])
			continue;
		ev_buf_reset(&b);
		ev_report_fmt_timestr(&b, tz, ev_report_get_str(it, "start",
		    ""), 0);
		grid_add(&g, b.data);
		l->row(&g, &b, it, tz);
		ev_buf_reset(&b);
		ev_report_fmt_summary(&b, it);
		grid_add(&g, b.data ? b.data : "");
	}
	grid_write(&g, out);
	if (hidden > 0)
		ev_buf_printf(out, "_%zu less severe %s not shown._\n",
		    hidden, l->key);
	free(shown);
	ev_buf_free(&b);
}

static void
compare(const json_t *m, const json_t *me, const struct ev_tz *tz,
    struct ev_buf *out)
{
	struct ev_report_cmp c;
	struct ev_buf h = EV_BUF_INIT;
	struct grid g;
	size_t i;

	if (!ev_report_compare(m, me, &c))
		return;
	ev_buf_printf(&h, "%s earlier", c.off);
	ev_buf_adds(out, "\n**");
	text(out, ev_report_get_str(me, "name", "?"));
	ev_buf_adds(out, " against ");
	text(out, h.data);
	ev_buf_adds(out, "**\n");
	if (c.n == 0) {
		ev_buf_adds(out, "Nothing to compare with.\n");
		ev_buf_free(&h);
		return;
	}
	grid_init(&g, "lrrr");
	grid_add(&g, "period");
	grid_add(&g, "value");
	grid_add(&g, h.data);
	grid_add(&g, "change");
	for (i = 0; i < c.n; i++) {
		ev_buf_reset(&h);
		ev_report_fmt_time(&h, tz, c.row[i].t, 0);
		if (c.row[i].partial)
			ev_buf_adds(&h, " partial");
		grid_add(&g, h.data);
		grid_val(&g, c.row[i].v, "n/a");
		grid_val(&g, c.row[i].prev, "n/a");
		grid_change(&g, c.row[i].change);
	}
	grid_write(&g, out);
	ev_report_compare_free(&c);
	ev_buf_free(&h);
}

static void
breakdown(const json_t *me, struct ev_buf *out)
{
	json_t *sa = ev_report_get_arr(me, "series"), *it;
	int add = !json_is_false(json_object_get(me, "additive"));
	struct ev_buf b = EV_BUF_INIT;
	struct grid g;
	size_t i;

	if (json_array_size(sa) == 0)
		return;
	ev_buf_adds(out, "\n**Series by ");
	text(out, ev_report_get_str(me, "name", "?"));
	ev_buf_adds(out, "**\n");
	grid_init(&g, add ? "rlrrrl" : "rlrrl");
	grid_add(&g, "#");
	grid_add(&g, "series");
	grid_add(&g, "total");
	if (add)
		grid_add(&g, "share");
	grid_add(&g, "change");
	grid_add(&g, "trend");
	json_array_foreach(sa, i, it) {
		grid_val(&g, ev_report_get_num(it, "rank", NAN), "-");
		grid_add(&g, ev_report_get_str(it, "series", ""));
		grid_val(&g, ev_report_get_num(it, "total", NAN), "n/a");
		if (add) {
			ev_buf_reset(&b);
			ev_report_fmt_share(&b, ev_report_get_num(it, "share",
			    NAN));
			grid_add(&g, b.data);
		}
		grid_change(&g, ev_report_get_num(it, "change", NAN));
		grid_add(&g, ev_report_get_str(it, "sparkline", ""));
	}
	grid_write(&g, out);
	ev_buf_free(&b);
}

static void
top(const json_t *me, const struct ev_tz *tz, struct ev_buf *out)
{
	json_t *pa = ev_report_get_arr(me, "periods"), *po, *it, *v;
	struct ev_buf b = EV_BUF_INIT;
	struct grid g;
	size_t i, k;

	ev_buf_adds(out, "\n## ");
	text(out, ev_report_get_str(me, "name", "?"));
	ev_buf_adds(out, "\nTop values per period (lists are not summed).\n");
	grid_init(&g, "llrlr");
	grid_add(&g, "period");
	grid_add(&g, "series");
	grid_add(&g, "#");
	grid_add(&g, "value");
	grid_add(&g, "count");
	json_array_foreach(pa, i, po) {
		json_array_foreach(ev_report_get_arr(po, "items"), k, it) {
			ev_buf_reset(&b);
			ev_report_fmt_timestr(&b, tz, ev_report_get_str(po,
			    "start", ""), 0);
			if (json_is_true(json_object_get(po, "partial")))
				ev_buf_adds(&b, " partial");
			grid_add(&g, b.data);
			grid_add(&g, ev_report_get_str(po, "series", ""));
			grid_val(&g, ev_report_get_num(it, "rank", NAN), "-");
			ev_buf_reset(&b);
			v = json_object_get(it, "value");
			ev_report_fmt_item(&b, v);
			grid_add(&g, b.data ? b.data : "");
			grid_val(&g, ev_report_get_num(it, "count", NAN), "-");
		}
	}
	grid_write(&g, out);
	ev_buf_free(&b);
}

/* Characters as Slack counts them: UTF-16 code units. */
static size_t
chars(const char *s, size_t n)
{
	size_t c = 0, i;

	for (i = 0; i < n; i++) {
		unsigned char u = (unsigned char)s[i];

		if ((u & 0xC0) != 0x80)
			c += u >= 0xF0 ? 2 : 1;
	}
	return c;
}

/* The closing line naming the sections left out. */
static void
left_out(const struct sec *v, size_t n, size_t limit, struct ev_buf *b)
{
	size_t i, k = 0;

	ev_buf_reset(b);
	ev_buf_printf(b, "\n_Left out to fit %zu characters:", limit);
	for (i = 0; i < n; i++)
		if (v[i].cut) {
			ev_buf_adds(b, k++ ? ", " : " ");
			text(b, v[i].name);
		}
	ev_buf_adds(b, "._\n");
}

void
ev_report_slack_render(const json_t *m, const struct ev_report_render_opts *ro,
    struct ev_buf *out)
{
	struct ev_tz *tz = ev_report_tz(m);
	json_t *ma = ev_report_get_arr(m, "metrics"), *it;
	size_t limit = ro->budget > 0 ? ro->budget : SLACK_LIMIT;
	struct sec *v = NULL;
	struct ev_buf nt = EV_BUF_INIT;
	size_t n = 0, i, used = 0;
	int ncut = 0;

	header(m, tz, &sec_new(&v, &n, 0, "header", "")->b);
	json_array_foreach(ma, i, it) {
		const char *name = ev_report_get_str(it, "name", "?");

		if (strcmp(ev_report_get_str(it, "kind", ""), "top") == 0) {
			top(it, tz, &sec_new(&v, &n, 4, "top values of ",
			    name)->b);
			continue;
		}
		headline(it, &sec_new(&v, &n, 1, "", name)->b);
		compare(m, it, tz, &sec_new(&v, &n, 3, "comparison of ",
		    name)->b);
		/* A model written before incidents: its points. */
		if (json_is_array(json_object_get(it, "incidents")))
			listing(it, tz, ro->max_anomalies, &incident_list,
			    &sec_new(&v, &n, 2, "incidents in ", name)->b);
		else
			listing(it, tz, ro->max_anomalies, &anomaly_list,
			    &sec_new(&v, &n, 2, "anomalies in ", name)->b);
		breakdown(it, &sec_new(&v, &n, 4, "series by ", name)->b);
	}
	for (i = 0; i < n; i++)
		used += chars(v[i].b.data ? v[i].b.data : "", v[i].b.len);
	/*
	 * Cut the least important section left (the later of equals) until
	 * what is left and the note naming the cut ones fit.
	 */
	while (used + (ncut > 0 ? chars(nt.data, nt.len) : 0) > limit) {
		size_t pick = n;

		for (i = 0; i < n; i++)
			if (!v[i].cut && v[i].prio > 0 && v[i].b.len > 0 &&
			    (pick == n || v[i].prio >= v[pick].prio))
				pick = i;
		if (pick == n)
			break;	/* only the header is left */
		v[pick].cut = 1;
		ncut++;
		used -= chars(v[pick].b.data, v[pick].b.len);
		left_out(v, n, limit, &nt);
	}
	for (i = 0; i < n; i++) {
		if (!v[i].cut)
			ev_buf_add(out, v[i].b.data ? v[i].b.data : "",
			    v[i].b.len);
		ev_buf_free(&v[i].b);
	}
	if (ncut > 0)
		ev_buf_add(out, nt.data, nt.len);
	free(v);
	ev_buf_free(&nt);
	ev_tz_free(tz);
}
