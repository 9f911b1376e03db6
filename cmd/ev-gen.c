/*
 * ev-gen - deterministic synthetic product events as NDJSON.
 *
 * The model lives in lib/ev_gen.c; this file parses options, opens the
 * output through ev_run, paces lines to the wall clock with --follow, and
 * writes the labels and the summary.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ev_common.h"
#include "ev_gen.h"
#include "ev_run.h"
#include "ev_time.h"

static const char usage[] =
"usage: ev-gen [-fv] [-d dur] [-n n] [-r rate] [-s seed] [-u n]\n"
"              [--anomaly spec] [--bad-frac f] [--bad-kinds list]\n"
"              [--dup-frac f] [--flat] [--funnel s,a,p] [--labels file]\n"
"              [--late-frac f] [--late-max dur] [--start time]\n"
"              [--summary file] [--tz zone] [--zipf s] [common options]\n"
"Generate synthetic product events (page_view, signup, activation,\n"
"purchase) as NDJSON on standard output; deterministic for a --seed.\n"
"\n"
"  --anomaly SPEC         inject an anomaly (repeatable):\n"
"                         KIND:key=value,... with KIND drop, spike, shift or\n"
"                         outage and keys event, platform, country,\n"
"                         app_version, plan, at (time or +DUR), for, factor\n"
"  --bad-frac F           add a malformed line after this fraction of events (0)\n"
"  --bad-kinds LIST       kinds of malformed line: truncated,type,missing,\n"
"                         utf8,long (all)\n"
"  -d, --duration DUR     simulated time to cover (1d without --count/--follow)\n"
"  --dup-frac F           send this fraction of events twice, same event_id (0)\n"
"  -f, --follow           emit in wall-clock time, events stamped now\n"
"  --flat                 no daily or weekly seasonality\n"
"  --flush-interval DUR   flush output at most this long after a write (1s)\n"
"  --funnel S,A,P         chances per session to sign up, activate, purchase\n"
"                         (0.08,0.5,0.06)\n"
"  -h, --help             print this help and exit\n"
"  --labels FILE          write the anomalies' ground truth to FILE as NDJSON\n"
"  --late-frac F          emit this fraction of events late (0)\n"
"  --late-max DUR         the longest delay of a late event (5m)\n"
"  --max-line BYTES       accepted for uniformity; ev-gen reads no input\n"
"  --max-reject-rate R    accepted for uniformity; ev-gen rejects nothing\n"
"  -n, --count N          stop after N events\n"
"  -r, --rate N[/s|/m|/h] mean events per second (or per minute, hour) over\n"
"                         a week (1)\n"
"  --rejects FILE         accepted for uniformity; ev-gen rejects nothing\n"
"  -s, --seed N           random seed (1)\n"
"  --start TIME           simulated start time (2026-03-02T00:00:00Z)\n"
"  --stats FILE           write the run's counts to FILE as one JSON line\n"
"  --summary FILE         write counts of what was generated to FILE as JSON\n"
"  --tz ZONE              time zone of the seasonality's local time (UTC)\n"
"  -u, --users N          number of users (100000)\n"
"  -v, --verbose          print a summary of what was generated to stderr\n"
"  -V, --version          print the version and exit\n"
"  --zipf S               exponent of the users' Zipf-like activity (1.1)\n";

enum {
	OPT_ANOMALY = EV_OPT_FIRST_TOOL,
	OPT_BAD_FRAC,
	OPT_BAD_KINDS,
	OPT_DUP_FRAC,
	OPT_FLAT,
	OPT_FUNNEL,
	OPT_LABELS,
	OPT_LATE_FRAC,
	OPT_LATE_MAX,
	OPT_START,
	OPT_SUMMARY,
	OPT_TZ,
	OPT_ZIPF
};

static const struct option longopts[] = {
	{ "anomaly", required_argument, NULL, OPT_ANOMALY },
	{ "bad-frac", required_argument, NULL, OPT_BAD_FRAC },
	{ "bad-kinds", required_argument, NULL, OPT_BAD_KINDS },
	{ "count", required_argument, NULL, 'n' },
	{ "dup-frac", required_argument, NULL, OPT_DUP_FRAC },
	{ "duration", required_argument, NULL, 'd' },
	{ "flat", no_argument, NULL, OPT_FLAT },
	{ "follow", no_argument, NULL, 'f' },
	{ "funnel", required_argument, NULL, OPT_FUNNEL },
	{ "labels", required_argument, NULL, OPT_LABELS },
	{ "late-frac", required_argument, NULL, OPT_LATE_FRAC },
	{ "late-max", required_argument, NULL, OPT_LATE_MAX },
	{ "rate", required_argument, NULL, 'r' },
	{ "seed", required_argument, NULL, 's' },
	{ "start", required_argument, NULL, OPT_START },
	{ "summary", required_argument, NULL, OPT_SUMMARY },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "users", required_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "zipf", required_argument, NULL, OPT_ZIPF },
	EV_RUN_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

struct opts {
	struct ev_gen_opts	 gen;
	struct ev_gen_anomaly	*an;		/* --anomaly, parsed */
	struct ev_tz		*tz;
	const char		*labels_path, *summary_path;
	int			 follow, verbose;
};

struct ctx {
	struct ev_run	*run;
	int		 follow;
};

static double
frac_arg(struct ev_run *run, const char *opt, const char *arg)
{
	double d;

	if (ev_strtod(arg, &d) != 0 || d < 0 || d > 1)
		ev_run_usage_error(run, "%s '%s' is not a number in [0,1]",
		    opt, arg);
	return d;
}

/* "20", "20/s", "1200/m", "1200/min", "72000/h": events per second. */
static double
rate_arg(struct ev_run *run, const char *arg)
{
	const char *slash = strchr(arg, '/');
	char num[64];
	double d, per = 1;
	size_t n = slash ? (size_t)(slash - arg) : strlen(arg);

	if (n >= sizeof(num))
		goto bad;
	memcpy(num, arg, n);
	num[n] = '\0';
	if (slash != NULL) {
		if (strcmp(slash, "/s") == 0)
			per = 1;
		else if (strcmp(slash, "/m") == 0 ||
		    strcmp(slash, "/min") == 0)
			per = 60;
		else if (strcmp(slash, "/h") == 0)
			per = 3600;
		else
			goto bad;
	}
	if (ev_strtod(num, &d) != 0 || d <= 0 || d / per > 1e7)
		goto bad;
	return d / per;
bad:
	ev_run_usage_error(run, "--rate '%s' is not a positive rate "
	    "(N, N/s, N/m or N/h, at most 1e7/s)", arg);
}

static void
funnel_arg(struct ev_run *run, const char *arg, double *f)
{
	char buf[128], *p, *end;
	int i;

	if (strlen(arg) >= sizeof(buf))
		goto bad;
	memcpy(buf, arg, strlen(arg) + 1);
	p = buf;
	for (i = 0; i < 3; i++) {
		end = strchr(p, ',');
		if ((end == NULL) != (i == 2))
			goto bad;
		if (end != NULL)
			*end = '\0';
		if (ev_strtod(p, &f[i]) != 0 || f[i] < 0 || f[i] > 1)
			goto bad;
		p = end + 1;
	}
	return;
bad:
	ev_run_usage_error(run, "--funnel '%s' is not three chances in [0,1] "
	    "(signup,activation,purchase)", arg);
}

static unsigned
bad_kinds_arg(struct ev_run *run, const char *arg)
{
	const char *p = arg, *end;
	unsigned mask = 0;
	int k;

	for (;;) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		k = ev_gen_bad_lookup(p, (size_t)(end - p));
		if (k < 0)
			ev_run_usage_error(run, "--bad-kinds: unknown kind "
			    "'%.*s' (expected truncated, type, missing, utf8, "
			    "long)", (int)(end - p), p);
		mask |= 1u << k;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	return mask;
}

static FILE *
open_out(const char *path, const char *what)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		ev_warn("cannot open %s file '%s': %s", what, path,
		    strerror(errno));
	return f;
}

static int
close_out(FILE *f, const char *path, const char *what)
{
	if (ferror(f) | fclose(f)) {
		ev_warn("write error on %s file '%s'", what, path);
		return -1;
	}
	return 0;
}

/* Sleep until the wall clock reaches when, flushing first. */
static void
pace(struct ev_run *run, ev_us_t when)
{
	struct timespec ts;
	ev_us_t now, d;

	for (;;) {
		now = ev_time_now();
		if (now >= when || ev_run_stopping(run))
			return;
		ev_out_flush(&run->out);
		d = when - now;
		if (d > 200000)
			d = 200000;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)d * 1000;
		nanosleep(&ts, NULL);
	}
}

static int
emit_line(void *arg, const char *line, size_t len, ev_us_t when)
{
	struct ctx *c = arg;

	if (c->follow)
		pace(c->run, when);
	if (ev_run_stopping(c->run))
		return -1;
	ev_run_emit(c->run, line, len);
	return ev_run_stopping(c->run) ? 1 : 0;
}

static void
print_summary(const struct ev_gen_counts *c)
{
	int i;

	fprintf(stderr, "%s: %llu events in %llu lines (page_view %llu, "
	    "signup %llu, activation %llu, purchase %llu); late %llu, "
	    "dup %llu, bad %llu (", ev_progname(),
	    (unsigned long long)c->events, (unsigned long long)c->lines,
	    (unsigned long long)c->by_event[EV_GEN_PAGE_VIEW],
	    (unsigned long long)c->by_event[EV_GEN_SIGNUP],
	    (unsigned long long)c->by_event[EV_GEN_ACTIVATION],
	    (unsigned long long)c->by_event[EV_GEN_PURCHASE],
	    (unsigned long long)c->late, (unsigned long long)c->dup,
	    (unsigned long long)c->bad);
	for (i = 0; i < EV_GEN_NBAD; i++)
		fprintf(stderr, "%s%s %llu", i ? ", " : "", ev_gen_bad_name(i),
		    (unsigned long long)c->bad_kind[i]);
	fprintf(stderr, "); anomalies dropped %llu, added %llu\n",
	    (unsigned long long)c->anomaly_dropped,
	    (unsigned long long)c->anomaly_added);
}

/* The options into o; a bad one ends the run (exit 2). */
static void
parse_options(struct ev_run *run, struct opts *o, int argc, char **argv)
{
	struct ev_gen_opts *g = &o->gen;
	const char *errstr, *tz_name = "UTC";
	const char **specs = NULL;
	size_t nspec = 0, i;
	int ch, have_start = 0;
	char err[256];

	ev_gen_opts_init(g);
	while ((ch = ev_run_getopt(run, argc, argv, "d:fhn:r:s:u:vV",
	    longopts)) != -1) {
		switch (ch) {
		case OPT_ANOMALY:
			specs = ev_xreallocarray(specs, nspec + 1,
			    sizeof(*specs));
			specs[nspec++] = optarg;
			break;
		case OPT_BAD_FRAC:
			g->bad_frac = frac_arg(run, "--bad-frac", optarg);
			break;
		case OPT_BAD_KINDS:
			g->bad_kinds = bad_kinds_arg(run, optarg);
			break;
		case 'd':
			g->duration = ev_run_duration(run, "--duration",
			    optarg, 1);
			break;
		case OPT_DUP_FRAC:
			g->dup_frac = frac_arg(run, "--dup-frac", optarg);
			break;
		case 'f':
			o->follow = 1;
			break;
		case OPT_FLAT:
			g->flat = 1;
			break;
		case OPT_FUNNEL:
			funnel_arg(run, optarg, g->funnel);
			break;
		case OPT_LABELS:
			o->labels_path = optarg;
			break;
		case OPT_LATE_FRAC:
			g->late_frac = frac_arg(run, "--late-frac", optarg);
			break;
		case OPT_LATE_MAX:
			g->late_max = ev_run_duration(run, "--late-max",
			    optarg, 1);
			break;
		case 'n':
			g->count = (uint64_t)ev_strtonum(optarg, 1,
			    INT64_C(1000000000000), &errstr);
			if (errstr)
				ev_run_usage_error(run, "--count '%s' is %s",
				    optarg, errstr);
			break;
		case 'r':
			g->rate = rate_arg(run, optarg);
			break;
		case 's':
			g->seed = (uint64_t)ev_strtonum(optarg, 0, LLONG_MAX,
			    &errstr);
			if (errstr)
				ev_run_usage_error(run, "--seed '%s' is %s",
				    optarg, errstr);
			break;
		case OPT_START:
			if (ev_time_parse(optarg, strlen(optarg), &g->start) != 0)
				ev_run_usage_error(run, "--start '%s' is not "
				    "an RFC 3339 time", optarg);
			have_start = 1;
			break;
		case OPT_SUMMARY:
			o->summary_path = optarg;
			break;
		case OPT_TZ:
			tz_name = optarg;
			break;
		case 'u':
			g->users = (size_t)ev_strtonum(optarg, 1, 10000000,
			    &errstr);
			if (errstr)
				ev_run_usage_error(run, "--users '%s' is %s "
				    "(1 to 10000000)", optarg, errstr);
			break;
		case 'v':
			o->verbose = 1;
			break;
		case OPT_ZIPF:
			if (ev_strtod(optarg, &g->zipf_s) != 0 ||
			    g->zipf_s < 0 || g->zipf_s > 10)
				ev_run_usage_error(run, "--zipf '%s' is not a "
				    "number in [0,10]", optarg);
			break;
		default:
			ev_run_usage_error(run, "unknown option");
		}
	}
	ev_run_no_operands(run, argc, argv);
	if (o->follow && have_start)
		ev_run_usage_error(run, "--start cannot be used with "
		    "--follow (events are stamped with the current time)");
	if ((o->tz = ev_tz_open(tz_name)) == NULL)
		ev_run_usage_error(run, "--tz '%s' is not a known time zone",
		    tz_name);
	g->tz = o->tz;
	if (o->follow) {
		/* Wall-clock time at a steady rate: no seasonality. */
		g->start = ev_time_floor(ev_time_now(), 1000);
		g->flat = 1;
	} else if (g->duration == 0 && g->count == 0) {
		g->duration = EV_US_PER_DAY;
	}
	if (nspec > 0) {
		o->an = ev_xreallocarray(NULL, nspec, sizeof(*o->an));
		for (i = 0; i < nspec; i++)
			if (ev_gen_anomaly_parse(specs[i], g->start, &o->an[i],
			    err, sizeof(err)) != 0)
				ev_run_usage_error(run, "bad --anomaly '%s': %s",
				    specs[i], err);
	}
	g->anomalies = o->an;
	g->nanomalies = nspec;
	free(specs);
}

int
main(int argc, char *argv[])
{
	struct ev_run run;
	struct opts o;
	struct ev_gen *g = NULL;
	struct ev_buf lb = EV_BUF_INIT;
	struct ctx c;
	FILE *labels = NULL, *summary = NULL;
	json_t *sum;
	char *s;
	int status;

	ev_set_argv0_base(argv);
	ev_run_init(&run, "ev-gen", usage);
	memset(&o, 0, sizeof(o));
	parse_options(&run, &o, argc, argv);

	ev_run_open(&run);
	if (o.labels_path != NULL &&
	    (labels = open_out(o.labels_path, "labels")) == NULL) {
		status = EV_EXIT_USAGE;
		goto out;
	}
	if (o.summary_path != NULL &&
	    (summary = open_out(o.summary_path, "summary")) == NULL) {
		status = EV_EXIT_USAGE;
		goto out;
	}

	g = ev_gen_new(&o.gen);
	c.run = &run;
	c.follow = o.follow;
	ev_gen_run(g, emit_line, &c);

	sum = ev_gen_summary(g);
	if (labels != NULL) {
		ev_gen_labels(g, &lb);
		fwrite(lb.data ? lb.data : "", 1, lb.len, labels);
		if (close_out(labels, o.labels_path, "labels") != 0)
			run.failed = 1;
		labels = NULL;
	}
	if (summary != NULL) {
		s = json_dumps(sum, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fprintf(summary, "%s\n", s);
		free(s);
		if (close_out(summary, o.summary_path, "summary") != 0)
			run.failed = 1;
		summary = NULL;
	}
	if (o.verbose)
		print_summary(ev_gen_counts(g));
	ev_run_stat(&run, "generated", sum);
	status = ev_run_finish(&run);
out:
	ev_run_release(&run);
	if (labels != NULL)
		fclose(labels);
	ev_gen_free(g);
	ev_buf_free(&lb);
	free(o.an);
	ev_tz_free(o.tz);
	return status;
}
