/*
 * ev-retention - cohort retention over event time: users by the period of
 * their start event, and per cohort and period n how many came back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_evopt.h"
#include "ev_expr.h"
#include "ev_retention.h"
#include "ev_run.h"

static const char usage[] =
"usage: ev-retention [--start NAME] [--return any|NAME ...] [--period D]\n"
"                    [--periods N] [--mode bounded|unbounded] [--user PATH]\n"
"                    [--where EXPR] [options]\n"
"Count cohort retention over the NDJSON events read on stdin: users by\n"
"the period of their first start event, and per cohort and period n how\n"
"many returned; write one record per cohort and period.\n"
"\n"
"  -e, --event-field PATH the event name field (event)\n"
"  --final-at-eof         at end of input write the open records with\n"
"                         final:true (default false: the input cut them)\n"
"  --late FILE            write late events to FILE (default: --rejects)\n"
"  --lateness D           watermark = latest event time - D (0)\n"
"  --mode MODE            bounded (returned in period n, default) or\n"
"                         unbounded (in period n or later)\n"
"  --period D             cohort and return periods (1w, UTC)\n"
"  --periods N            periods 0 .. N-1 after the cohort's (8, <= 64)\n"
"  -r, --return NAME      a return event (repeatable; any: every event)\n"
"  --start NAME           the event that enters a cohort (signup)\n"
"  -t, --time-field PATH  event time field (ts)\n"
"  -u, --user PATH        the field naming the user (user_id)\n"
"  --where EXPR           take only the events where EXPR is true; the\n"
"                         others are counted as filtered (evkit(7))\n"
EV_RUN_HELP;

enum {
	OPT_MODE = EV_EVOPT_NEXT, OPT_PERIODS, OPT_START
};

static const struct option longopts[] = {
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "periods", required_argument, NULL, OPT_PERIODS },
	{ "return", required_argument, NULL, 'r' },
	{ "start", required_argument, NULL, OPT_START },
	EV_EVOPT_LONGOPTS,
	EV_RUN_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

#define MAX_RETURN	32

struct app {
	struct ev_run	 run;
	const char	*start;
	const char	*ret[MAX_RETURN];
	size_t		 nret;
	int		 ret_any;
	struct ev_evopt	 o;
	int		 periods, unbounded;
	FILE		*late;
	struct ev_retention *r;
};

static void
emit_cb(void *arg, const char *p, size_t n)
{
	struct app *a = arg;

	ev_run_emit(&a->run, p, n);
}

static void
parse_options(struct app *a, int argc, char **argv)
{
	static const char *const modes[] = { "bounded", "unbounded", NULL };
	struct ev_run *run = &a->run;
	const char *errstr;
	long long n;
	int opt;

	a->start = "signup";
	ev_evopt_init(&a->o, 7 * EV_US_PER_DAY);
	a->periods = 8;
	while ((opt = ev_run_getopt(run, argc, argv, "r:hV" EV_EVOPT_SHORT,
	    longopts)) != -1) {
		switch (opt) {
		case 'r':
			if (strcmp(optarg, "any") == 0)
				a->ret_any = 1;
			else if (a->nret == MAX_RETURN)
				ev_run_usage_error(run, "more than %d --return",
				    MAX_RETURN);
			else
				a->ret[a->nret++] = optarg;
			break;
		case OPT_MODE:
			if ((a->unbounded = ev_word_index(optarg, modes)) < 0)
				ev_run_usage_error(run, "--mode '%s': use "
				    "bounded or unbounded", optarg);
			break;
		case OPT_PERIODS:
			n = ev_strtonum(optarg, 1, EV_RETENTION_MAX_PERIODS,
			    &errstr);
			if (errstr != NULL)
				ev_run_usage_error(run, "--periods '%s': %s "
				    "(1 to %d)", optarg, errstr,
				    EV_RETENTION_MAX_PERIODS);
			a->periods = (int)n;
			break;
		case OPT_START:
			if (optarg[0] == '\0')
				ev_run_usage_error(run, "--start: the event "
				    "name is empty");
			a->start = optarg;
			break;
		default:
			if (!ev_evopt_option(&a->o, run, opt, optarg))
				ev_run_usage_error(run, "unknown option");
		}
	}
	ev_run_no_operands(run, argc, argv);
	if (a->nret == 0)
		a->ret_any = 1;
	ev_evopt_compile(&a->o, run);
}

static int
name_is(const char *s, const char *name, size_t len)
{
	return strlen(s) == len && memcmp(s, name, len) == 0;
}

static void
process(struct app *a, const struct ev_line *line, struct ev_rec *rec)
{
	struct ev_run *run = &a->run;
	const char *name, *u;
	size_t len = 0, ulen, i;
	ev_us_t t, wm;
	int start = 0, ret;

	if (ev_rec_parse(rec, line->data, line->len) != 0) {
		ev_run_reject_parse(run, line, rec->err);
		return;
	}
	if (ev_run_event_time(run, line, rec, a->o.tpath, a->o.time_field,
	    &t) != 0)
		return;
	if (ev_evopt_skip(&a->o, run, line, rec))
		return;
	ret = a->ret_any;
	if (ev_rec_str(rec, a->o.epath, &name, &len) == 0) {
		start = name_is(a->start, name, len);
		for (i = 0; !ret && i < a->nret; i++)
			ret = name_is(a->ret[i], name, len);
	}
	if (!start && !ret) {
		run->n_filtered++;
		return;
	}
	if (ev_run_event_user(run, line, rec, a->o.upath, a->o.user_field,
	    &u, &ulen) != 0)
		return;
	if (ev_retention_late(a->r, t)) {
		ev_run_reject_late(run, a->late, line, a->o.time_field, t,
		    ev_evopt_watermark(&a->o));
		return;
	}
	ev_retention_add(a->r, t, run->n_in, u, ulen, start, ret);
	run->n_aggregated++;
	if (ev_evopt_seen(&a->o, t, &wm))
		ev_retention_watermark(a->r, wm);
}

int
main(int argc, char **argv)
{
	static struct app app;
	struct app *a = &app;
	struct ev_run *run = &a->run;
	struct ev_retention_cfg cfg;
	struct ev_line line;
	struct ev_rec rec;
	int status;

	ev_set_argv0_base(argv);
	ev_run_init(run, "ev-retention", usage);
	run->usage_more = EV_EXPR_HELP;
	parse_options(a, argc, argv);
	run->filtering = 1;	/* events neither start nor return */
	if (a->o.late_path)
		a->late = ev_run_open_file(run, "late", a->o.late_path);
	ev_run_open(run);
	memset(&cfg, 0, sizeof(cfg));
	cfg.period = a->o.period;
	cfg.periods = a->periods;
	cfg.unbounded = a->unbounded;
	cfg.final_at_eof = a->o.final_at_eof;
	a->r = ev_retention_new(&cfg, emit_cb, a);
	ev_rec_init(&rec);
	while (ev_run_next(run, &line, -1) == EV_LINE_OK)
		process(a, &line, &rec);
	ev_rec_clear(&rec);
	ev_retention_finish(a->r);
	ev_run_stat(run, "cohort_users", json_integer(
	    (json_int_t)ev_retention_cohort_users(a->r)));
	ev_run_stat(run, "peak_users", json_integer(
	    (json_int_t)ev_retention_peak_users(a->r)));
	status = ev_run_finish(run);
	ev_run_release(run);
	ev_retention_free(a->r);
	ev_evopt_release(&a->o);
	return status;
}
