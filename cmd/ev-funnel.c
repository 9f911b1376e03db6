/*
 * ev-funnel - ordered funnels over event time: per period of the first
 * step's time and per breakdown, how many attempts entered, reached each
 * step within the conversion window, and how long each step took.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_evopt.h"
#include "ev_expr.h"
#include "ev_funnel.h"
#include "ev_run.h"

static const char usage[] =
"usage: ev-funnel (--step NAME[:EXPR] ... | --steps NAMES) --within D\n"
"                 [--by PATH ...] [--exclude NAME[:EXPR] ...] [--mode MODE]\n"
"                 [--period D] [--user PATH] [--where EXPR] [options]\n"
"Count ordered funnels over the NDJSON events read on stdin, per period\n"
"of the first step's time; write one record per period and breakdown.\n"
"\n"
"  -b, --by PATH          breakdown by this field of the first-step event\n"
"                         (repeatable; the column is the path's last name)\n"
"  -e, --event-field PATH the event name field (event)\n"
"  --exclude NAME[:EXPR]  an event that disqualifies an attempt when it\n"
"                         comes after its first step and before its\n"
"                         conversion (repeatable)\n"
"  --final-at-eof         at end of input write the open periods with\n"
"                         final:true (default false: the input cut them)\n"
"  --late FILE            write late events to FILE (default: --rejects)\n"
"  --lateness D           watermark = latest event time - D (0)\n"
"  --mode MODE            sequential (default), strict or any\n"
"  --period D             periods of the first step's time (1d, UTC)\n"
"  -s, --step NAME[:EXPR] the next step: events named NAME, where EXPR\n"
"                         holds if given (evkit(7)); repeat in order\n"
"  --steps NAMES          the steps as a comma list of names\n"
"  -t, --time-field PATH  event time field (ts)\n"
"  -u, --user PATH        the field naming the user (user_id)\n"
"  --where EXPR           take only the events where EXPR is true; the\n"
"                         others are counted as filtered (evkit(7))\n"
"  -w, --within D         conversion window from the first step\n"
EV_RUN_HELP;

enum {
	OPT_EXCLUDE = EV_EVOPT_NEXT, OPT_MODE, OPT_STEPS
};

static const struct option longopts[] = {
	{ "by", required_argument, NULL, 'b' },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "step", required_argument, NULL, 's' },
	{ "steps", required_argument, NULL, OPT_STEPS },
	{ "within", required_argument, NULL, 'w' },
	EV_EVOPT_LONGOPTS,
	EV_RUN_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

#define MAX_MATCH	(2 * EV_FUNNEL_MAX_STEPS)
#define MAX_BY		8

/* A step or an exclusion: an event name and an optional condition. */
struct match {
	char		*name;
	char		*cond_text;	/* NULL: none; else into text */
	char		*text;		/* the option's argument, copied */
	struct ev_expr	*cond;
	int		 excl;
	int		 step;		/* its index among the steps */
};

struct app {
	struct ev_run	 run;
	struct match	 m[MAX_MATCH];
	int		 nm, nsteps;
	const char	*step_names[EV_FUNNEL_MAX_STEPS];
	const char	*by_text[MAX_BY], *by_names[MAX_BY];
	struct ev_path	*by[MAX_BY];
	size_t		 nby;
	struct ev_evopt	 o;
	ev_us_t		 within;
	int		 has_within, mode;
	FILE		*late;
	struct ev_funnel *f;
	struct ev_buf	 key;
};

static void
emit_cb(void *arg, const char *p, size_t n)
{
	struct app *a = arg;

	ev_run_emit(&a->run, p, n);
}

static void
add_match(struct app *a, const char *arg, size_t n, int excl)
{
	struct match *m;
	const char *colon;

	if (a->nm == MAX_MATCH || (!excl && a->nsteps == EV_FUNNEL_MAX_STEPS))
		ev_run_usage_error(&a->run, "more than %d steps",
		    EV_FUNNEL_MAX_STEPS);
	m = &a->m[a->nm++];
	m->text = ev_xstrndup(arg, n);
	colon = strchr(m->text, ':');
	m->name = ev_xstrndup(m->text, colon ? (size_t)(colon - m->text) :
	    strlen(m->text));
	m->cond_text = colon ? m->text + (colon - m->text) + 1 : NULL;
	m->excl = excl;
	if (m->name[0] == '\0')
		ev_run_usage_error(&a->run, "%s '%s': the event name is empty",
		    excl ? "--exclude" : "--step", m->text);
	if (!excl) {
		m->step = a->nsteps;
		a->step_names[a->nsteps++] = m->name;
	}
}

/* Whether --by i's column is a figure's or an earlier --by's. */
static int
column_taken(const struct app *a, size_t i)
{
	static const char *const fixed[] = { "start", "end", "steps",
	    "entered", "excluded", "converted", "conversion_rate", "final",
	    NULL };
	static const char *const numbered[] = { "reached_", "rate_",
	    "rate_prev_", "drop_", "median_s_", "p90_s_", NULL };
	const char *name = a->by_names[i];
	size_t j, n;

	for (j = 0; fixed[j] != NULL; j++)
		if (strcmp(name, fixed[j]) == 0)
			return 1;
	for (j = 0; numbered[j] != NULL; j++) {
		n = strlen(numbered[j]);
		if (strncmp(name, numbered[j], n) == 0 && name[n] >= '0' &&
		    name[n] <= '9')
			return 1;
	}
	for (j = 0; j < i; j++)
		if (strcmp(name, a->by_names[j]) == 0)
			return 1;
	return 0;
}

static void
parse_options(struct app *a, int argc, char **argv)
{
	static const char *const modes[] = { "sequential", "strict", "any",
	    NULL };
	struct ev_run *run = &a->run;
	const char *errstr, *s, *c;
	char err[256];
	int i, opt;

	ev_evopt_init(&a->o, EV_US_PER_DAY);
	while ((opt = ev_run_getopt(run, argc, argv, "b:s:w:hV" EV_EVOPT_SHORT,
	    longopts)) != -1) {
		switch (opt) {
		case 'b':
			if (a->nby == MAX_BY)
				ev_run_usage_error(run, "more than %d --by",
				    MAX_BY);
			a->by_text[a->nby++] = optarg;
			break;
		case 's':
			add_match(a, optarg, strlen(optarg), 0);
			break;
		case 'w':
			a->within = ev_run_duration(run, "--within", optarg, 0);
			a->has_within = 1;
			break;
		case OPT_EXCLUDE:
			add_match(a, optarg, strlen(optarg), 1);
			break;
		case OPT_MODE:
			if ((a->mode = ev_word_index(optarg, modes)) < 0)
				ev_run_usage_error(run, "--mode '%s': use "
				    "sequential, strict or any", optarg);
			break;
		case OPT_STEPS:
			for (s = optarg; ; s = c + 1) {
				c = strchr(s, ',');
				add_match(a, s, c ? (size_t)(c - s) : strlen(s),
				    0);
				if (c == NULL)
					break;
			}
			break;
		default:
			if (!ev_evopt_option(&a->o, run, opt, optarg))
				ev_run_usage_error(run, "unknown option");
		}
	}
	ev_run_no_operands(run, argc, argv);
	if (a->nsteps == 0)
		ev_run_usage_error(run, "give the steps: --step or --steps");
	if (!a->has_within)
		ev_run_usage_error(run, "give the conversion window: --within");
	ev_evopt_compile(&a->o, run);
	for (i = 0; i < (int)a->nby; i++) {
		if ((a->by[i] = ev_path_compile(a->by_text[i], &errstr)) ==
		    NULL)
			ev_run_usage_error(run, "--by '%s': %s", a->by_text[i],
			    errstr);
		a->by_names[i] = ev_path_leaf(a->by[i]);
		if (a->by_names[i] == NULL)
			ev_run_usage_error(run, "--by '%s': no column name",
			    a->by_text[i]);
		if (column_taken(a, i))
			ev_run_usage_error(run, "--by '%s': column '%s' is used "
			    "twice", a->by_text[i], a->by_names[i]);
	}
	for (i = 0; i < a->nm; i++) {
		struct match *m = &a->m[i];

		if (m->cond_text == NULL)
			continue;
		m->cond = ev_expr_compile(m->cond_text, (int)strlen(m->name) +
		    1, a->o.tpath, err, sizeof(err));
		if (m->cond == NULL)
			ev_run_usage_error(run, "%s '%s': %s", m->excl ?
			    "--exclude" : "--step", m->text, err);
	}
}

/*
 * Which steps (mask) and exclusions the record matches: 0, or -1 after
 * rejecting it for a condition that failed on it.
 */
static int
match(struct app *a, const struct ev_line *line, const struct ev_rec *rec,
    uint32_t *steps, int *excl)
{
	const char *name;
	size_t len;
	int i, r;

	*steps = 0;
	*excl = 0;
	if (ev_rec_str(rec, a->o.epath, &name, &len) != 0)
		return 0;
	for (i = 0; i < a->nm; i++) {
		struct match *m = &a->m[i];

		if (strlen(m->name) != len || memcmp(m->name, name, len) != 0)
			continue;
		r = m->cond ? ev_expr_test(m->cond, rec) : 1;
		if (r < 0) {
			ev_run_reject(&a->run, line, "type", ev_expr_reject(
			    m->cond, m->excl ? "--exclude" : "--step"));
			return -1;
		}
		if (r == 0)
			continue;
		if (m->excl)
			*excl = 1;
		else
			*steps |= UINT32_C(1) << m->step;
	}
	return 0;
}

static void
process(struct app *a, const struct ev_line *line, struct ev_rec *rec)
{
	struct ev_run *run = &a->run;
	const char *u, *v;
	size_t ulen, vlen, i;
	uint32_t steps;
	ev_us_t t, wm;
	int excl;

	if (ev_rec_parse(rec, line->data, line->len) != 0) {
		ev_run_reject_parse(run, line, rec->err);
		return;
	}
	if (ev_run_event_time(run, line, rec, a->o.tpath, a->o.time_field,
	    &t) != 0)
		return;
	if (ev_evopt_skip(&a->o, run, line, rec))
		return;
	if (match(a, line, rec, &steps, &excl) != 0)
		return;
	if (steps == 0 && !excl) {
		run->n_filtered++;
		return;
	}
	if (ev_run_event_user(run, line, rec, a->o.upath, a->o.user_field,
	    &u, &ulen) != 0)
		return;
	if (ev_funnel_late(a->f, t)) {
		ev_run_reject_late(run, a->late, line, a->o.time_field, t,
		    ev_evopt_watermark(&a->o));
		return;
	}
	ev_buf_reset(&a->key);
	for (i = 0; (steps & 1) && i < a->nby; i++) {
		if (ev_rec_text(rec, a->by[i], &v, &vlen) != 0) {
			v = "null";
			vlen = 4;
		}
		ev_buf_add(&a->key, v, vlen);
		ev_buf_addc(&a->key, '\0');
	}
	ev_funnel_add(a->f, t, run->n_in, u, ulen, steps, excl, a->key.data,
	    a->key.len);
	run->n_aggregated++;
	if (ev_evopt_seen(&a->o, t, &wm))
		ev_funnel_watermark(a->f, wm);
}

int
main(int argc, char **argv)
{
	static struct app app;
	struct app *a = &app;
	struct ev_run *run = &a->run;
	struct ev_funnel_cfg cfg;
	struct ev_line line;
	struct ev_rec rec;
	size_t i;
	int status;

	ev_set_argv0_base(argv);
	ev_run_init(run, "ev-funnel", usage);
	run->usage_more = EV_EXPR_HELP;
	parse_options(a, argc, argv);
	run->filtering = 1;	/* events of no step: "filtered" */
	if (a->o.late_path)
		a->late = ev_run_open_file(run, "late", a->o.late_path);
	ev_run_open(run);
	memset(&cfg, 0, sizeof(cfg));
	cfg.nsteps = a->nsteps;
	cfg.mode = (enum ev_funnel_mode)a->mode;
	cfg.within = a->within;
	cfg.period = a->o.period;
	cfg.step_names = a->step_names;
	cfg.by_names = a->by_names;
	cfg.nby = a->nby;
	cfg.final_at_eof = a->o.final_at_eof;
	a->f = ev_funnel_new(&cfg, emit_cb, a);
	ev_buf_init(&a->key);
	ev_rec_init(&rec);
	while (ev_run_next(run, &line, -1) == EV_LINE_OK)
		process(a, &line, &rec);
	ev_rec_clear(&rec);
	ev_funnel_finish(a->f);
	ev_run_stat(run, "attempts", json_integer(
	    (json_int_t)ev_funnel_attempts(a->f)));
	ev_run_stat(run, "excluded", json_integer(
	    (json_int_t)ev_funnel_excluded(a->f)));
	ev_run_stat(run, "peak_users", json_integer(
	    (json_int_t)ev_funnel_peak_users(a->f)));
	status = ev_run_finish(run);
	ev_run_release(run);
	ev_funnel_free(a->f);
	ev_buf_free(&a->key);
	for (i = 0; i < (size_t)a->nm; i++) {
		ev_expr_free(a->m[i].cond);
		free(a->m[i].name);
		free(a->m[i].text);
	}
	for (i = 0; i < a->nby; i++)
		ev_path_free(a->by[i]);
	ev_evopt_release(&a->o);
	return status;
}
