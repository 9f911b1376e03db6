/*
 * ev-window - event-time windows: tumbling (fixed or calendar), hopping,
 * cumulating and session windows by group keys (or several grouping sets:
 * repeated --by, --rollup, --cube, in one pass), with named aggregates,
 * a watermark with bounded lateness, late events to a side output, an idle
 * timeout, zero-fill, state across runs and mergeable partial results.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ev_agg.h"
#include "ev_common.h"
#include "ev_filter.h"
#include "ev_run.h"
#include "ev_state.h"
#include "ev_wgroup.h"
#include "ev_window.h"

static const char usage[] =
"usage: ev-window (--tumble D | --hop D --every D | --cumulate D --every D |\n"
"                 --session D | --merge) [--by PATHS ...] [--rollup PATHS]\n"
"                 [--cube PATHS] [--agg SPECS] [--derive 'NAME = EXPR']\n"
"                 [--where EXPR] [options]\n"
"Aggregate NDJSON events read on stdin over windows of event time, by\n"
"group keys; write the window records to stdout.\n"
"\n"
"  -a, --agg SPECS        aggregates, e.g. 'count,sum(properties.amount) as\n"
"                         revenue'; count count_if(F == V) sum avg min max\n"
"                         stddev first last distinct approx_distinct pNN\n"
"                         top(F, K) (repeatable; default count); F may be\n"
"                         an expression: 'sum(a * b) as ab' (evkit(7))\n"
"  --allowed-lateness D   keep tumbling windows open D after they fire and\n"
"                         emit corrections (final:false, then final:true)\n"
"  -b, --by PATHS         group keys, 'context.platform as platform'\n"
"                         (comma list); repeated: one grouping set each\n"
"  --checkpoint D         with --state, also save every D of wall time\n"
"  --cube PATHS           grouping sets of every subset of PATHS\n"
"  --cumulate D           windows growing by --every from each D period\n"
"  --derive 'NAME = EXPR' a column computed from each window record's\n"
"                         columns: 'cr = purchases / users' (evkit(7))\n"
"  --emit MODE            final (records, default), changes (a changelog\n"
"                         with retractions) or partial (mergeable)\n"
"  --every D              the slide of --hop and --cumulate\n"
"  --fill-zero            emit empty aggregates for groups seen within\n"
"                         --group-ttl that had no event in a window\n"
"  --final-at-eof         at end of input write the open windows with\n"
"                         final:true (default false: the input cut them)\n"
"  --group-ttl D          how long a silent group is zero-filled (1h)\n"
"  --hll-precision P      HyperLogLog precision 4-18 (12: error 1.6%)\n"
"  --hop D                hopping windows of size D (with --every)\n"
"  --idle-timeout D       with no input for D, advance the watermark with\n"
"                         the wall clock so windows still close\n"
"  --late FILE            write late events to FILE (default: --rejects)\n"
"  --lateness D           watermark = latest event time - D (0)\n"
"  --max-groups N         reject events of new groups beyond N known\n"
"                         groups (1000000; 0: no limit)\n"
"  --max-key-bytes N      reject events of new groups once the known\n"
"                         groups' keys would take N bytes (134217728)\n"
"  --merge                merge --emit partial records from shards\n"
"  --quantile-accuracy A  DDSketch relative accuracy of pNN (0.01)\n"
"  --rollup PATHS         grouping sets of PATHS' prefixes: (a,b), (a), ()\n"
"  --session D            session windows per group, gap D\n"
"  --state FILE           keep open windows across runs in FILE\n"
"  -t, --time-field PATH  event time field (ts)\n"
"  --tumble D             tumbling windows of size D (1d, 1w: calendar)\n"
"  --tz ZONE              time zone of calendar windows (UTC)\n"
"  --week-start DAY       first day of 1w windows (monday)\n"
"  --where EXPR           aggregate only the events where EXPR is true;\n"
"                         count the others as filtered (evkit(7))\n"
EV_RUN_HELP;

enum {
	OPT_ALLOWED = EV_OPT_FIRST_TOOL, OPT_CHECKPOINT, OPT_CUBE, OPT_CUMULATE,
	OPT_DERIVE,
	OPT_EMIT, OPT_EVERY, OPT_FILL_ZERO, OPT_FINAL_AT_EOF, OPT_GROUP_TTL,
	OPT_HLL, OPT_HOP, OPT_IDLE, OPT_LATE, OPT_LATENESS, OPT_MAX_GROUPS,
	OPT_MAX_KEY_BYTES, OPT_MERGE, OPT_QACC, OPT_ROLLUP,
	OPT_SESSION, OPT_STATE, OPT_TUMBLE, OPT_TZ, OPT_WEEK_START, OPT_WHERE
};

static const struct option longopts[] = {
	{ "agg", required_argument, NULL, 'a' },
	{ "allowed-lateness", required_argument, NULL, OPT_ALLOWED },
	{ "by", required_argument, NULL, 'b' },
	{ "checkpoint", required_argument, NULL, OPT_CHECKPOINT },
	{ "cube", required_argument, NULL, OPT_CUBE },
	{ "cumulate", required_argument, NULL, OPT_CUMULATE },
	{ "derive", required_argument, NULL, OPT_DERIVE },
	{ "emit", required_argument, NULL, OPT_EMIT },
	{ "every", required_argument, NULL, OPT_EVERY },
	{ "fill-zero", no_argument, NULL, OPT_FILL_ZERO },
	{ "final-at-eof", no_argument, NULL, OPT_FINAL_AT_EOF },
	{ "group-ttl", required_argument, NULL, OPT_GROUP_TTL },
	{ "hll-precision", required_argument, NULL, OPT_HLL },
	{ "hop", required_argument, NULL, OPT_HOP },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "late", required_argument, NULL, OPT_LATE },
	{ "lateness", required_argument, NULL, OPT_LATENESS },
	{ "max-groups", required_argument, NULL, OPT_MAX_GROUPS },
	{ "max-key-bytes", required_argument, NULL, OPT_MAX_KEY_BYTES },
	{ "merge", no_argument, NULL, OPT_MERGE },
	{ "quantile-accuracy", required_argument, NULL, OPT_QACC },
	{ "rollup", required_argument, NULL, OPT_ROLLUP },
	{ "session", required_argument, NULL, OPT_SESSION },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "time-field", required_argument, NULL, 't' },
	{ "tumble", required_argument, NULL, OPT_TUMBLE },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "week-start", required_argument, NULL, OPT_WEEK_START },
	{ "where", required_argument, NULL, OPT_WHERE },
	EV_RUN_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

struct opts {
	enum ev_win_kind kind;
	int		 nkinds;
	ev_us_t		 size, every, gap, allowed, lateness, idle, checkpoint;
	ev_us_t		 group_ttl;
	int		 has_every, fill_zero, partial, changes, hll_p;
	int		 final_at_eof;
	double		 alpha;
	long long	 max_groups, max_key_bytes;
	const char	*late_path, *state_path, *tz_name, *time_field;
	int		 week_start;
	struct ev_wgroup grp;		/* group columns and grouping sets */
	struct ev_buf	 aggtext;	/* the --agg texts, for fingerprints */
	struct ev_filter where;		/* --where */
	struct ev_filter derive;	/* --derive */
};

static void
set_kind(struct ev_run *run, struct opts *o, enum ev_win_kind k,
    const char *opt, const char *arg)
{
	o->kind = k;
	o->nkinds++;
	if (k == EV_WIN_SESSION)
		o->gap = ev_run_duration(run, opt, arg, 1);
	else if (k != EV_WIN_MERGE)
		o->size = ev_run_duration(run, opt, arg, 1);
}

static int
weekday(const char *s)
{
	static const char *const days[] = { "sunday", "monday", "tuesday",
	    "wednesday", "thursday", "friday", "saturday" };
	size_t n = strlen(s);
	int i;

	for (i = 0; i < 7; i++)
		if (n >= 3 && strncasecmp(s, days[i], n) == 0)
			return i;
	return -1;
}

/* The options that shape the state, for its fingerprint. */
static void
settings(const struct opts *o, const struct ev_agg_set *aggs,
    struct ev_buf *b)
{
	size_t i;

	ev_buf_printf(b, "kind=%d size=%lld every=%lld gap=%lld allowed=%lld "
	    "tz=%s week=%d time=%s partial=%d changes=%d fill=%d ttl=%lld p=%d "
	    "a=%.17g",
	    (int)o->kind, (long long)o->size, (long long)o->every,
	    (long long)o->gap, (long long)o->allowed,
	    o->tz_name ? o->tz_name : "UTC", o->week_start, o->time_field,
	    o->partial, o->changes, o->fill_zero, (long long)o->group_ttl,
	    o->hll_p,
	    o->alpha);
	ev_wgroup_settings(&o->grp, b);
	for (i = 0; i < aggs->n; i++)
		ev_buf_printf(b, " agg=%s", aggs->spec[i].text);
	/* Only with --where, so the states saved before it still load. */
	if (o->where.where_text != NULL)
		ev_buf_printf(b, " where=%s", o->where.where_text);
}

struct app;
static void	emit_cb(void *arg, const char *p, size_t n);

struct app {
	struct ev_run	 run;
	struct opts	 o;
	struct ev_agg_set aggs;
	struct ev_win	*win;
	char		 fp[17];
	int		 has_max;
	ev_us_t		 max_ts;
	uint64_t	 lines;		/* input lines over all runs (state) */
	uint64_t	 overflow;
	struct ev_win_cfg cfg;
	struct ev_tz	*tz;		/* of calendar windows */
	struct ev_path	*tpath;		/* --time-field */
	char		**names;	/* the group columns' names */
	FILE		*late;		/* --late, or NULL: the rejects */
	struct ev_rec	 drec;		/* a window record, for --derive */
	struct ev_path	*start_path;	/* its start, for time() */
	struct ev_buf	 dbuf;
	uint64_t	 derive_errors;
};

/* Write a window record, with the --derive columns added. */
static void
emit_cb(void *arg, const char *p, size_t n)
{
	struct app *a = arg;

	if (a->o.derive.nset == 0 || a->o.partial ||
	    ev_rec_parse(&a->drec, p, n) != 0) {
		ev_run_emit(&a->run, p, n);
		return;
	}
	a->derive_errors += ev_filter_derive(&a->o.derive, &a->drec);
	ev_buf_reset(&a->dbuf);
	ev_rec_write(&a->drec, &a->dbuf);
	ev_run_emit(&a->run, a->dbuf.data, a->dbuf.len);
}

/* Save the state; final: at the end of the run, not a checkpoint. */
static int
save_state(struct app *a, int final)
{
	char err[256];
	json_t *data;
	int rc;

	data = json_pack("{sososo}", "engine", ev_win_save(a->win), "max_ts",
	    a->has_max ? json_integer(a->max_ts) : json_null(), "lines",
	    json_integer((json_int_t)(a->lines +
	    ev_reader_lines(a->run.in))));
	rc = ev_state_save(a->o.state_path, "ev-window", a->fp, data, err,
	    sizeof(err));
	json_decref(data);
	if (rc != 0) {
		ev_warn("%s%s", err, rc == -2 && final ?
		    "; the open windows follow on standard output" : "");
		a->run.failed = 1;
	}
	/* Saved nowhere: the open windows go out, as without --state. */
	if (rc == -2 && final)
		ev_win_close_all(a->win);
	return rc;
}

/* The state of an earlier run, if any: -1 (said) when it is unusable. */
static int
load_state(struct app *a)
{
	char err[256];
	json_t *data = NULL, *m;
	enum ev_state_result r;

	r = ev_state_load(a->o.state_path, "ev-window", a->fp, &data, err,
	    sizeof(err));
	if (r == EV_STATE_MISSING)
		return 0;
	if (r == EV_STATE_BAD) {
		ev_warn("state '%s': %s", a->o.state_path, err);
		return -1;
	}
	m = json_object_get(data, "max_ts");
	if (json_is_integer(m)) {
		a->has_max = 1;
		a->max_ts = json_integer_value(m);
	}
	if (json_is_integer(json_object_get(data, "lines")))
		a->lines = (uint64_t)json_integer_value(json_object_get(data,
		    "lines"));
	if (ev_win_load(a->win, json_object_get(data, "engine"), err,
	    sizeof(err)) != 0) {
		json_decref(data);
		ev_warn("state '%s': %s", a->o.state_path, err);
		return -1;
	}
	json_decref(data);
	return 0;
}

static void
process(struct app *a, const struct ev_line *line, struct ev_rec *rec,
    struct ev_buf *key, const json_t **x)
{
	struct ev_run *run = &a->run;
	char msg[512], tb[EV_TIME_BUFSZ], wb[EV_TIME_BUFSZ];
	enum ev_win_add r;
	size_t bad;
	ev_us_t t, wm;
	int tr;

	if (ev_rec_parse(rec, line->data, line->len) != 0) {
		ev_run_reject_parse(run, line, rec->err);
		return;
	}
	if (a->o.kind == EV_WIN_MERGE) {
		if (ev_win_merge_partial(a->win, ev_rec_root(rec), msg,
		    sizeof(msg)) != 0)
			ev_run_reject(run, line, "partial",
			    ev_run_error(NULL, "%s", msg));
		else
			run->n_aggregated++;
		return;
	}
	if (ev_filter_skip(&a->o.where, run, line, rec))
		return;
	/* Read from the line's bytes; null is "not a valid time" too. */
	if ((tr = ev_rec_time(rec, a->tpath, &t)) == -1 &&
	    ev_rec_get(rec, a->tpath) == NULL) {
		ev_run_reject(run, line, "time", ev_run_error(a->o.time_field,
		    "'%s' is missing", a->o.time_field));
		return;
	}
	if (tr != 0) {
		ev_run_reject(run, line, "time", ev_run_error(a->o.time_field,
		    "'%s' is not a valid time", a->o.time_field));
		return;
	}
	if (ev_win_in_range(a->win, t) != 0) {
		ev_run_reject(run, line, "time", ev_run_error(a->o.time_field,
		    "'%s' falls in a window that cannot be written (before "
		    "year 0000 or after 9999)", a->o.time_field));
		return;
	}
	if (ev_wgroup_key(&a->o.grp, rec, key, msg, sizeof(msg)) != 0) {
		ev_run_reject(run, line, "type", ev_run_error(NULL, "%s", msg));
		return;
	}
	if (ev_agg_extract(&a->aggs, rec, x, &bad, msg, sizeof(msg)) != 0) {
		ev_run_reject(run, line, "type", ev_run_error(NULL, "%s", msg));
		return;
	}
	if (a->o.grp.grouping) {
		ev_wgroup_set_keys(&a->o.grp, key);
		r = ev_win_add_sets(a->win, t, a->o.grp.kptr, a->o.grp.klen,
		    a->o.grp.nsets, x);
	} else
		r = ev_win_add(a->win, t, key->data, key->len, x);
	switch (r) {
	case EV_WIN_LATE:
		ev_win_get_watermark(a->win, &wm);
		ev_run_reject_to(run, a->late, line, "late", ev_run_error(
		    a->o.time_field, "event time %s is behind the watermark %s",
		    ev_time_format(t, -1, tb), ev_time_format(wm, -1, wb)));
		return;
	case EV_WIN_FULL:
		a->overflow++;
		ev_run_reject(run, line, "max-groups", ev_run_error(NULL,
		    "more than %lld groups are open", a->o.max_groups));
		return;
	case EV_WIN_KEYS_FULL:
		a->overflow++;
		ev_run_reject(run, line, "max-key-bytes", ev_run_error(NULL,
		    "the keys of the known groups would take more than %lld "
		    "bytes", a->o.max_key_bytes));
		return;
	case EV_WIN_ADDED:
		break;
	}
	run->n_aggregated++;
	if (!a->has_max || t > a->max_ts) {
		a->has_max = 1;
		a->max_ts = t;
		ev_win_watermark(a->win, t - a->o.lateness);
	}
}

static void
check_options(struct app *a)
{
	struct opts *o = &a->o;
	struct ev_run *run = &a->run;

	if (o->nkinds == 0)
		ev_run_usage_error(run, "choose a window: --tumble, --hop, "
		    "--cumulate, --session or --merge");
	if (o->nkinds > 1)
		ev_run_usage_error(run, "choose one window kind");
	if ((o->kind == EV_WIN_HOP || o->kind == EV_WIN_CUMULATE) !=
	    o->has_every)
		ev_run_usage_error(run, "--every goes with --hop or --cumulate");
	if (o->has_every && (o->every > o->size || o->size % o->every != 0))
		ev_run_usage_error(run, "--every must divide the window size");
	if (o->allowed && o->kind != EV_WIN_TUMBLE)
		ev_run_usage_error(run, "--allowed-lateness goes with --tumble");
	if (o->fill_zero && (o->kind == EV_WIN_SESSION ||
	    o->kind == EV_WIN_MERGE))
		ev_run_usage_error(run, "--fill-zero needs fixed windows");
	if (o->tz_name && (o->kind != EV_WIN_TUMBLE ||
	    (o->size != EV_US_PER_DAY && o->size != 7 * EV_US_PER_DAY)))
		ev_run_usage_error(run, "--tz needs --tumble 1d or 1w");
	if (o->kind == EV_WIN_MERGE && (o->idle || o->state_path))
		ev_run_usage_error(run, "--merge reads partial records to the "
		    "end; no --idle-timeout or --state");
	if (o->changes && (o->kind != EV_WIN_TUMBLE || o->fill_zero))
		ev_run_usage_error(run, "--emit changes goes with --tumble "
		    "and without --fill-zero");
	if (o->checkpoint && !o->state_path)
		ev_run_usage_error(run, "--checkpoint needs --state");
	if (o->kind == EV_WIN_MERGE && o->where.where_text != NULL)
		ev_run_usage_error(run, "--merge reads partial records: "
		    "give --where to the shards");
	ev_wgroup_ready(&o->grp);
	if (o->grp.grouping && o->kind == EV_WIN_SESSION)
		ev_run_usage_error(run, "grouping sets need fixed windows, "
		    "not --session");
}

/* The options into a->o, checked; a bad one ends the run (exit 2). */
static void
parse_options(struct app *a, int argc, char **argv)
{
	static const char *const emits[] = { "final", "changes", "partial",
	    NULL };
	struct opts *o = &a->o;
	struct ev_run *run = &a->run;
	const char *errstr;
	char err[256];
	size_t i;
	int c, e;

	o->time_field = "ts";
	o->hll_p = EV_HLL_DEFAULT_P;
	o->alpha = EV_DDS_DEFAULT_ALPHA;
	o->week_start = 1;
	o->group_ttl = EV_US_PER_HOUR;
	o->max_groups = 1000000;
	o->max_key_bytes = 128 * 1024 * 1024;
	ev_buf_init(&o->aggtext);
	while ((c = ev_run_getopt(run, argc, argv, "a:b:t:hV", longopts)) != -1) {
		switch (c) {
		case 'a':
			if (o->aggtext.len)
				ev_buf_addc(&o->aggtext, ',');
			ev_buf_adds(&o->aggtext, optarg);
			break;
		case 'b':
		case OPT_CUBE:
		case OPT_ROLLUP:
			if (ev_wgroup_add(&o->grp, optarg, c == 'b' ? -1 :
			    c == OPT_CUBE, err, sizeof(err)) != 0)
				ev_run_usage_error(run, "%s", err);
			break;
		case 't':
			o->time_field = optarg;
			break;
		case OPT_ALLOWED:
			o->allowed = ev_run_duration(run, "--allowed-lateness",
			    optarg, 0);
			break;
		case OPT_CHECKPOINT:
			o->checkpoint = ev_run_duration(run, "--checkpoint",
			    optarg, 1);
			break;
		case OPT_CUMULATE:
			set_kind(run, o, EV_WIN_CUMULATE, "--cumulate", optarg);
			break;
		case OPT_EMIT:
			if ((e = ev_word_index(optarg, emits)) < 0)
				ev_run_usage_error(run, "--emit '%s': use final, "
				    "changes or partial", optarg);
			o->changes = e == 1;
			o->partial = e == 2;
			break;
		case OPT_EVERY:
			o->every = ev_run_duration(run, "--every", optarg, 1);
			o->has_every = 1;
			break;
		case OPT_FILL_ZERO:
			o->fill_zero = 1;
			break;
		case OPT_FINAL_AT_EOF:
			o->final_at_eof = 1;
			break;
		case OPT_GROUP_TTL:
			o->group_ttl = ev_run_duration(run, "--group-ttl",
			    optarg, 1);
			break;
		case OPT_HLL:
			o->hll_p = (int)ev_strtonum(optarg, EV_HLL_MIN_P,
			    EV_HLL_MAX_P, &errstr);
			if (errstr)
				ev_run_usage_error(run, "--hll-precision '%s' is "
				    "%s (4-18)", optarg, errstr);
			break;
		case OPT_HOP:
			set_kind(run, o, EV_WIN_HOP, "--hop", optarg);
			break;
		case OPT_IDLE:
			o->idle = ev_run_duration(run, "--idle-timeout",
			    optarg, 1);
			break;
		case OPT_LATE:
			o->late_path = optarg;
			break;
		case OPT_LATENESS:
			o->lateness = ev_run_duration(run, "--lateness",
			    optarg, 0);
			break;
		case OPT_MAX_GROUPS:
			o->max_groups = ev_strtonum(optarg, 0, 1000000000000LL,
			    &errstr);
			if (errstr)
				ev_run_usage_error(run, "--max-groups '%s' is %s",
				    optarg, errstr);
			break;
		case OPT_MAX_KEY_BYTES:
			o->max_key_bytes = ev_strtonum(optarg, 0,
			    (long long)(SIZE_MAX / 2), &errstr);
			if (errstr)
				ev_run_usage_error(run,
				    "--max-key-bytes '%s' is %s", optarg, errstr);
			break;
		case OPT_MERGE:
			set_kind(run, o, EV_WIN_MERGE, "--merge", NULL);
			break;
		case OPT_QACC:
			if (ev_strtod(optarg, &o->alpha) != 0 ||
			    !(o->alpha > 0 && o->alpha < 1))
				ev_run_usage_error(run, "--quantile-accuracy '%s' "
				    "is not in (0, 1)", optarg);
			break;
		case OPT_SESSION:
			set_kind(run, o, EV_WIN_SESSION, "--session", optarg);
			break;
		case OPT_STATE:
			o->state_path = optarg;
			break;
		case OPT_TUMBLE:
			set_kind(run, o, EV_WIN_TUMBLE, "--tumble", optarg);
			break;
		case OPT_TZ:
			o->tz_name = optarg;
			break;
		case OPT_WEEK_START:
			if ((o->week_start = weekday(optarg)) < 0)
				ev_run_usage_error(run, "--week-start '%s' is not "
				    "a day of the week", optarg);
			break;
		case OPT_WHERE:
			if (ev_filter_add(&o->where, "--where", optarg, err,
			    sizeof(err)) != 0)
				ev_run_usage_error(run, "%s", err);
			run->filtering = 1;
			break;
		case OPT_DERIVE:
			if (ev_filter_add(&o->derive, "--derive", optarg, err,
			    sizeof(err)) != 0)
				ev_run_usage_error(run, "%s", err);
			break;
		default:
			ev_run_usage_error(run, "unknown option");
		}
	}
	ev_run_no_operands(run, argc, argv);
	check_options(a);
	if ((a->tpath = ev_path_compile(o->time_field, &errstr)) == NULL)
		ev_run_usage_error(run, "--time-field: %s", errstr);
	ev_agg_set_init(&a->aggs, o->hll_p, o->alpha);
	a->aggs.time_path = a->tpath;	/* time() in --agg expressions */
	if (ev_agg_parse(&a->aggs, o->aggtext.len ? o->aggtext.data : "count",
	    err, sizeof(err)) != 0)
		ev_run_usage_error(run, "--agg: %s", err);
	for (i = 0; i < o->grp.nkeys; i++) {
		const char *name = o->grp.keys[i].name;

		if (ev_agg_find(&a->aggs, name) >= 0 ||
		    strcmp(name, "start") == 0 || strcmp(name, "end") == 0 ||
		    strcmp(name, "final") == 0 ||
		    (o->grp.grouping && strcmp(name, "grouping") == 0))
			ev_run_usage_error(run, "column '%s' is used twice",
			    name);
	}
	/* time() in a --derive is the window's start. */
	a->start_path = ev_path_compile("start", &errstr);
	if (ev_filter_compile(&o->where, a->tpath, err, sizeof(err)) != 0 ||
	    ev_filter_compile(&o->derive, a->start_path, err, sizeof(err)) !=
	    0)
		ev_run_usage_error(run, "%s", err);
	for (i = 0; i < o->derive.nset; i++)
		if (o->derive.target[i]->nseg != 1)
			ev_run_usage_error(run, "--derive '%s': the name is one "
			    "column, not a path", o->derive.set_text[i]);
	if (o->kind == EV_WIN_TUMBLE && (o->size == EV_US_PER_DAY ||
	    o->size == 7 * EV_US_PER_DAY) &&
	    (a->tz = ev_tz_open(o->tz_name ? o->tz_name : "UTC")) == NULL)
		ev_run_usage_error(run, "--tz '%s' is not a known time zone",
		    o->tz_name);
}

/* The engine's configuration from the options, and the state's fingerprint. */
static void
configure(struct app *a)
{
	struct ev_win_cfg *cfg = &a->cfg;
	struct opts *o = &a->o;
	struct ev_buf fpbuf = EV_BUF_INIT;
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->kind = o->kind;
	if (a->tz != NULL)
		cfg->calendar = o->size == EV_US_PER_DAY ? 1 : 7;
	cfg->size = o->size;
	cfg->every = o->every;
	cfg->gap = o->gap;
	cfg->tz = a->tz;
	cfg->week_start = o->week_start;
	cfg->allowed = o->allowed;
	cfg->aggs = &a->aggs;
	cfg->nby = o->grp.nkeys;
	a->names = ev_xcalloc(o->grp.nkeys + 1, sizeof(*a->names));
	for (i = 0; i < o->grp.nkeys; i++)
		a->names[i] = o->grp.keys[i].name;
	cfg->by_names = a->names;
	if (o->grp.grouping) {
		cfg->nsets = o->grp.nsets;
		cfg->sets = o->grp.sets;
	}
	cfg->partial = o->partial;
	cfg->changes = o->changes;
	cfg->fill_zero = o->fill_zero;
	cfg->group_ttl = o->group_ttl;
	cfg->max_groups = (size_t)o->max_groups;
	cfg->max_key_bytes = (size_t)o->max_key_bytes;
	cfg->final_at_eof = o->final_at_eof;
	settings(o, &a->aggs, &fpbuf);
	ev_state_fingerprint(fpbuf.data, a->fp);
	ev_buf_free(&fpbuf);
}

/*
 * How long to wait for input: until the idle timeout would close a window
 * or a checkpoint is due; -1: for ever.
 */
static ev_us_t
wait_for(const struct app *a, ev_us_t now, ev_us_t last_input,
    ev_us_t last_save)
{
	const struct opts *o = &a->o;
	ev_us_t wait = -1, at, t;

	if (o->idle && a->has_max && ev_win_next_close(a->win, &at)) {
		/* Wall time after the last input at which it closes. */
		t = at - (a->max_ts - o->lateness);
		if (t < o->idle)
			t = o->idle;
		wait = last_input + t - now;
		if (wait < 1000)
			wait = 1000;
	}
	if (o->checkpoint) {
		t = last_save + o->checkpoint - now;
		if (t < 1000)
			t = 1000;
		if (wait < 0 || t < wait)
			wait = t;
	}
	return wait;
}

int
main(int argc, char **argv)
{
	static struct app app;
	struct app *a = &app;
	struct opts *o = &a->o;
	struct ev_run *run = &a->run;
	struct ev_line line;
	struct ev_rec rec;
	struct ev_buf key = EV_BUF_INIT;
	const json_t **x = NULL;
	enum ev_line_kind k;
	ev_us_t last_input, last_save, now;
	int timed, status;

	ev_set_argv0_base(argv);
	ev_run_init(run, "ev-window", usage);
	run->usage_more = EV_EXPR_HELP;
	parse_options(a, argc, argv);

	configure(a);
	if (o->late_path)
		a->late = ev_run_open_file(run, "late", o->late_path);
	if (o->state_path)
		ev_run_check_writable(run, "state", o->state_path);
	ev_run_open(run);
	a->win = ev_win_new(&a->cfg, emit_cb, a);
	ev_rec_init(&a->drec);
	if (o->state_path && load_state(a) != 0) {
		status = EV_EXIT_RUNTIME;
		goto out;
	}

	ev_rec_init(&rec);
	x = ev_xcalloc(a->aggs.n + 1, sizeof(*x));
	/*
	 * The wall clock matters only to --idle-timeout and --checkpoint:
	 * without them it is never read, so no line pays for a clock call.
	 */
	timed = o->idle || o->checkpoint;
	now = last_input = last_save = timed ? ev_time_mono() : 0;
	for (;;) {
		k = ev_run_next(run, &line, timed ? wait_for(a, now,
		    last_input, last_save) : -1);
		if (timed)
			now = ev_time_mono();
		if (k == EV_LINE_OK) {
			last_input = now;
			process(a, &line, &rec, &key, x);
		} else if (k == EV_LINE_TIMEOUT) {
			if (o->idle && a->has_max && now - last_input >= o->idle)
				ev_win_watermark(a->win, a->max_ts - o->lateness +
				    (now - last_input));
			ev_out_flush(&run->out);
		} else
			break;
		if (o->checkpoint && now - last_save >= o->checkpoint) {
			save_state(a, 0);
			last_save = now;
		}
	}
	ev_rec_clear(&rec);
	/* Even after a failure (exit 3): what is open is not dropped. */
	if (o->state_path)
		save_state(a, 1);
	else
		ev_win_close_all(a->win);
	ev_run_stat(run, "groups", json_integer((json_int_t)ev_win_groups(a->win)));
	ev_run_stat(run, "open", json_integer(
	    (json_int_t)ev_win_open_cells(a->win)));
	ev_run_stat(run, "overflow", json_integer((json_int_t)a->overflow));
	if (o->derive.nset > 0)
		ev_run_stat(run, "derive_errors",
		    json_integer((json_int_t)a->derive_errors));
	status = ev_run_finish(run);	/* closes late too */
out:
	ev_run_release(run);
	ev_win_free(a->win);
	free(x);
	free(a->names);
	ev_wgroup_free(&o->grp);
	ev_path_free(a->tpath);
	ev_agg_set_free(&a->aggs);
	ev_tz_free(a->tz);
	ev_buf_free(&key);
	ev_buf_free(&o->aggtext);
	ev_filter_free(&o->where);
	ev_filter_free(&o->derive);
	ev_path_free(a->start_path);
	ev_rec_clear(&a->drec);
	ev_buf_free(&a->dbuf);
	return status;
}
