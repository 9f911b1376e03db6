/*
 * ev-report - turn window records and ev-detect records into a report
 * people read: aligned text with sparklines (or a live view that redraws),
 * Markdown, CSV, the report's JSON model, or one self-contained HTML file.
 *
 * main: parse_options, setup (the store, --from-json, the output), the
 * loop (read_records), build the model (lib/ev_report_store.h), render and
 * write (write_report), and one cleanup path.  Every input record is
 * absorbed into the report (counted aggregated) or rejected.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ev_common.h"
#include "ev_filter.h"
#include "ev_report.h"
#include "ev_run.h"
#include "ev_state.h"

/* The SYNOPSIS of ev-report(1), then the options. */
static const char usage[] =
"usage: ev-report [-a] [--budget bytes] [--by cols] [--color when]\n"
"                 [--compare dur] [--fail-on-anomaly] [-f format]\n"
"                 [--last dur] [--live] [--max-anomalies n] [--metric name]\n"
"                 [--min-score s] [-o file] [--refresh dur] [--since time]\n"
"                 [--stage-stats file] [--step dur] [--time field]\n"
"                 [--title text] [--top n] [--tz zone] [--until time]\n"
"                 [--where expr] [common options]\n"
"       ev-report --from-json file [-a] [--budget bytes] [--color when]\n"
"                 [--fail-on-anomaly] [-f format] [--max-anomalies n]\n"
"                 [-o file] [--title text]\n"
"\n"
"  -a, --ascii            ASCII only: sparklines as _.:-=+*#\n"
"  --budget BYTES         markdown: cut whole sections to fit BYTES;\n"
"                         slack: characters instead of 12000\n"
"  --by COLS              group columns naming a series (default: every\n"
"                         string member)\n"
"  --color WHEN           text colour: auto, always, never (auto);\n"
"                         never when NO_COLOR is set\n"
"  --compare DUR          change against the same period DUR earlier\n"
"                         (1w: week over week), per point too\n"
"  --fail-on-anomaly      exit 1 when the report holds an anomaly\n"
"  -f, --format FMT       text, markdown, slack, csv, json, html,\n"
"                         html-mail (text)\n"
"  --from-json FILE       render a model written by --format json\n"
"  --last DUR             the range is the last DUR of the data\n"
"  --live                 redraw the text report every --refresh\n"
"  --max-anomalies N      anomaly rows per metric in text, markdown, html\n"
"                         (20; 0 all)\n"
"  --metric NAME          metric to report (repeatable; default: every\n"
"                         numeric member)\n"
"  --min-score S          anomaly score that counts without a status\n"
"                         (0.9999)\n"
"  -o, --output FILE      write the report to FILE atomically\n"
"  --refresh DUR          --live redraw interval (2s)\n"
"  --since TIME           the range starts at TIME (RFC 3339)\n"
"  --stage-stats FILE     --stats file of another stage (repeatable)\n"
"  --step DUR             points at least DUR apart (additive records\n"
"                         summed; others only from a record of DUR)\n"
"  --time FIELD           time field of the records (start)\n"
"  --title TEXT           the report's title (text and HTML)\n"
"  --top N                series in each breakdown (10)\n"
"  --tz ZONE              IANA time zone for times shown (UTC)\n"
"  --until TIME           the range ends before TIME (RFC 3339)\n"
"  --where EXPR           report only the records where EXPR is true;\n"
"                         count the others as filtered (evkit(7))\n"
EV_RUN_HELP;

enum {
	OPT_BUDGET = EV_OPT_FIRST_TOOL,
	OPT_BY,
	OPT_COLOR,
	OPT_COMPARE,
	OPT_FAIL,
	OPT_FROM_JSON,
	OPT_LAST,
	OPT_LIVE,
	OPT_MAX_ANOMALIES,
	OPT_METRIC,
	OPT_MIN_SCORE,
	OPT_REFRESH,
	OPT_SINCE,
	OPT_STAGE_STATS,
	OPT_STEP,
	OPT_TIME,
	OPT_TITLE,
	OPT_TOP,
	OPT_TZ,
	OPT_UNTIL,
	OPT_WHERE
};

struct list {
	char	**v;
	size_t	  n;
};

/* Append the comma-separated names of arg, skipping repeats. */
static void
list_add(struct ev_run *run, struct list *l, const char *arg,
    const char *opt)
{
	char *copy = ev_xstrdup(arg), *p = copy, *comma;

	do {
		size_t i;

		comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (*p == '\0')
			ev_run_usage_error(run, "%s '%s' has an empty name",
			    opt, arg);
		for (i = 0; i < l->n && strcmp(l->v[i], p) != 0; i++)
			;
		if (i == l->n) {
			l->v = ev_xreallocarray(l->v, l->n + 1,
			    sizeof(*l->v));
			l->v[l->n++] = ev_xstrdup(p);
		}
		p = comma + 1;
	} while (comma);
	free(copy);
}

static void
list_free(struct list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* Read a whole file ("-" is stdin) into b; 0 or -1 with errno. */
static int
slurp(const char *path, struct ev_buf *b)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char chunk[65536];
	size_t n;
	int bad;

	if (fp == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		ev_buf_add(b, chunk, n);
	bad = ferror(fp);
	if (fp != stdin)
		fclose(fp);
	if (bad)
		errno = EIO;
	return bad ? -1 : 0;
}

/*
 * Read the --stats file of another stage.  It is read when the input has
 * ended: in a pipeline the upstream stage writes it as it exits, just after
 * closing its output, so when the input is a pipe a missing file is waited
 * for (up to STATS_WAIT).  0, or -1 with a diagnostic given.
 */
#define STATS_WAIT	(5 * EV_US_PER_SEC)

static int
read_stage_stats(struct ev_report_store *s, const char *path, int wait)
{
	struct ev_buf b = EV_BUF_INIT;
	ev_us_t give_up = ev_time_mono() + (wait ? STATS_WAIT : 0);
	char *line, *save = NULL;
	int rc = 0;

	while (slurp(path, &b) != 0) {
		if (errno != ENOENT || ev_time_mono() >= give_up) {
			ev_warn("cannot read stats file '%s': %s", path,
			    strerror(errno));
			ev_buf_free(&b);
			return -1;
		}
		usleep(50000);
	}
	for (line = b.data ? strtok_r(b.data, "\n", &save) : NULL;
	    line != NULL; line = strtok_r(NULL, "\n", &save)) {
		json_error_t je;
		json_t *j = json_loads(line, 0, &je);

		if (!json_is_object(j) || !json_is_string(json_object_get(j,
		    "tool"))) {
			ev_warn("stats file '%s' has a line that is no stats "
			    "record", path);
			json_decref(j);
			rc = -1;
			break;
		}
		ev_report_store_add_stage(s, j);
		json_decref(j);
	}
	ev_buf_free(&b);
	return rc;
}

static json_t *
read_model(struct ev_run *run, const char *path)
{
	struct ev_buf b = EV_BUF_INIT;
	json_error_t je;
	json_t *m;
	char err[160];

	if (slurp(path, &b) != 0)
		ev_run_usage_error(run, "cannot read model '%s': %s", path,
		    strerror(errno));
	m = json_loadb(b.data ? b.data : "", b.len, 0, &je);
	ev_buf_free(&b);
	if (m == NULL)
		ev_run_usage_error(run, "model '%s' is not JSON: line %d: %s",
		    path, je.line, je.text);
	if (ev_report_check(m, err, sizeof(err)) != 0) {
		json_decref(m);
		ev_run_usage_error(run, "model '%s': %s", path, err);
	}
	return m;
}

static size_t
count_anomalies(const json_t *m)
{
	json_t *ma = ev_report_get_arr(m, "metrics"), *it;
	size_t i, n = 0;

	json_array_foreach(ma, i, it)
		n += json_array_size(ev_report_get_arr(it, "anomalies"));
	return n;
}

/*
 * The lines of the records in the store, kept in an unlinked temporary
 * file (in memory when none can be made): which records are too far from
 * the rest to report is known only at the end, and each becomes a reject
 * record with its original line.
 */
struct spool {
	FILE		*fp;		/* NULL: the lines are in mem */
	off_t		 end;		/* bytes written to fp */
	struct ev_buf	 mem;
	struct spool_line {
		off_t		off;	/* its end: the next line's offset */
		uint64_t	lineno;
	}		*v;		/* by arrival number in the store */
	size_t		 n, cap;
	int		 broken;	/* a write failed: lines are lost */
	int		 err;
	struct ev_run	*run;
	struct ev_buf	 buf;
};

static void
spool_open(struct ev_run *run, struct spool *sp)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	memset(sp, 0, sizeof(*sp));
	sp->run = run;
	snprintf(path, sizeof(path), "%s/ev-report.XXXXXX",
	    dir != NULL && *dir != '\0' ? dir : "/tmp");
	if ((fd = mkstemp(path)) < 0)
		return;
	unlink(path);
	if ((sp->fp = fdopen(fd, "w+")) == NULL)
		close(fd);
	else	/* few large writes: the spool costs little system time */
		setvbuf(sp->fp, NULL, _IOFBF, (size_t)1 << 20);
}

/* Keep the line of the record the store has just taken. */
static void
spool_add(struct spool *sp, const struct ev_line *line)
{
	struct spool_line *l;

	if (sp->n == sp->cap) {
		sp->cap = sp->cap ? 2 * sp->cap : 1024;
		sp->v = ev_xreallocarray(sp->v, sp->cap, sizeof(*sp->v));
	}
	l = &sp->v[sp->n++];
	l->lineno = line->lineno;
	if (sp->fp == NULL) {
		l->off = (off_t)sp->mem.len;
		ev_buf_add(&sp->mem, line->data, line->len);
		return;
	}
	/* The offset is counted here: ftello costs a system call a line. */
	l->off = sp->end;
	if (!sp->broken &&
	    fwrite(line->data, 1, line->len, sp->fp) != line->len) {
		sp->broken = 1;
		sp->err = errno;
	}
	sp->end += (off_t)line->len;
}

/* The length of the line of arrival number id. */
static size_t
spool_len(const struct spool *sp, uint64_t id)
{
	off_t end = id + 1 < sp->n ? sp->v[id + 1].off : sp->fp != NULL ?
	    sp->end : (off_t)sp->mem.len;

	return (size_t)(end - sp->v[id].off);
}

/* Read the line of arrival number id back into sp->buf; 0 or -1. */
static int
spool_read(struct spool *sp, uint64_t id)
{
	const struct spool_line *l = &sp->v[id];
	size_t len = spool_len(sp, id);

	ev_buf_reset(&sp->buf);
	if (sp->fp == NULL) {
		ev_buf_add(&sp->buf, sp->mem.data + l->off, len);
		return 0;
	}
	ev_buf_reserve(&sp->buf, len + 1);
	if (sp->broken || fflush(sp->fp) != 0 ||
	    fseeko(sp->fp, l->off, SEEK_SET) != 0 ||
	    fread(sp->buf.data, 1, len, sp->fp) != len ||
	    fseeko(sp->fp, sp->end, SEEK_SET) != 0)
		return -1;
	sp->buf.len = len;
	sp->buf.data[len] = '\0';
	return 0;
}

/* ev_report_store_trim's callback: the record becomes a reject. */
static void
spool_drop(void *arg, uint64_t id, const char *msg)
{
	struct spool *sp = arg;
	struct spool_line *l = &sp->v[id];
	struct ev_line line;

	memset(&line, 0, sizeof(line));
	line.lineno = l->lineno;
	if (spool_read(sp, id) != 0) {
		ev_warn("cannot read back line %llu for its reject record: %s",
		    (unsigned long long)l->lineno, strerror(sp->broken ?
		    sp->err : errno ? errno : EIO));
		sp->run->failed = 1;
		line.data = "";
	} else {
		line.data = sp->buf.data ? sp->buf.data : "";
		line.len = line.full_len = sp->buf.len;
	}
	sp->run->n_aggregated--;
	ev_run_reject(sp->run, &line, "range", ev_run_error(NULL, "%s", msg));
}

static void
spool_close(struct spool *sp)
{
	if (sp->fp != NULL)
		fclose(sp->fp);
	free(sp->v);
	ev_buf_free(&sp->mem);
	ev_buf_free(&sp->buf);
}

/*
 * Build the model from the store, after taking out the records too far
 * from the rest (rejects) or widening the step.
 */
static json_t *
build(struct ev_run *run, struct ev_report_store *s, struct spool *sp)
{
	struct ev_report_counts c;
	char err[400];
	json_t *m;

	ev_report_store_trim(s, spool_drop, sp, err, sizeof(err));
	if (err[0] != '\0')
		ev_warn("%s", err);
	c.in = run->n_in;
	c.rejected = run->n_rejected + run->n_late + run->n_duplicate;
	m = ev_report_build(s, &c, err, sizeof(err));
	if (m == NULL)
		ev_die(EV_EXIT_RUNTIME, "%s", err);	/* trim prevents it */
	return m;
}

static void
redraw(struct ev_run *run, struct ev_report_store *s, struct spool *sp,
    const struct ev_report_render_opts *ro)
{
	struct ev_buf b = EV_BUF_INIT;
	json_t *m;

	if (ev_report_store_size(s) == 0)
		return;
	m = build(run, s, sp);
	ev_buf_adds(&b, "\033[H\033[2J");
	ev_report_text_render(m, ro, &b);
	ev_out_write(&run->out, b.data, b.len);
	ev_out_flush(&run->out);
	json_decref(m);
	ev_buf_free(&b);
}

/* What the command line asks for, filled by parse_options. */
struct options {
	struct ev_report_opts		 o;
	struct ev_report_render_opts	 ro;
	struct list			 metrics, by, stage_files;
	enum ev_report_format		 fmt;
	const char			*output;	/* NULL: stdout */
	const char			*from_json;	/* NULL: read records */
	const char			*title;
	ev_us_t				 refresh;	/* --live redraws */
	int				 live, fail_on_anomaly;
	struct ev_filter		*where;		/* --where */
	struct ev_path			*tpath;		/* --time, for it */
};

static void
options_free(struct options *op)
{
	list_free(&op->metrics);
	list_free(&op->by);
	list_free(&op->stage_files);
	ev_filter_free(op->where);
	free(op->where);
	ev_path_free(op->tpath);
}

/* A whole number in [lo, hi] given to option opt, or a usage error. */
static long long
opt_number(struct ev_run *run, const char *opt, const char *arg,
    long long lo, long long hi)
{
	const char *errstr;
	long long n = ev_strtonum(arg, lo, hi, &errstr);

	if (errstr)
		ev_run_usage_error(run, "%s '%s' is %s", opt, arg, errstr);
	return n;
}

/*
 * Parse the command line into op, checking everything that can be known
 * before any input is read; a usage error exits 2.
 */
static void
parse_options(struct ev_run *run, int argc, char **argv, struct options *op)
{
	static const struct option longopts[] = {
		{ "ascii", no_argument, NULL, 'a' },
		{ "budget", required_argument, NULL, OPT_BUDGET },
		{ "by", required_argument, NULL, OPT_BY },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "compare", required_argument, NULL, OPT_COMPARE },
		{ "fail-on-anomaly", no_argument, NULL, OPT_FAIL },
		{ "format", required_argument, NULL, 'f' },
		{ "from-json", required_argument, NULL, OPT_FROM_JSON },
		{ "last", required_argument, NULL, OPT_LAST },
		{ "live", no_argument, NULL, OPT_LIVE },
		{ "max-anomalies", required_argument, NULL, OPT_MAX_ANOMALIES },
		{ "metric", required_argument, NULL, OPT_METRIC },
		{ "min-score", required_argument, NULL, OPT_MIN_SCORE },
		{ "output", required_argument, NULL, 'o' },
		{ "refresh", required_argument, NULL, OPT_REFRESH },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "stage-stats", required_argument, NULL, OPT_STAGE_STATS },
		{ "step", required_argument, NULL, OPT_STEP },
		{ "time", required_argument, NULL, OPT_TIME },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "tz", required_argument, NULL, OPT_TZ },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "where", required_argument, NULL, OPT_WHERE },
		EV_RUN_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *color = "auto", *sde, *nc;
	struct ev_tz *tz;
	const char *werrstr;
	char werr[1024];
	int c;

	memset(op, 0, sizeof(*op));
	op->o.time_field = "start";
	op->o.top = 10;
	op->o.tz = "UTC";
	op->o.min_score = 0.9999;
	op->ro.max_anomalies = 20;
	op->fmt = EV_REPORT_TEXT;
	op->refresh = 2 * EV_US_PER_SEC;
	op->where = ev_xcalloc(1, sizeof(*op->where));
	ev_filter_init(op->where);
	while ((c = getopt_long(argc, argv, "af:hVo:", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			op->ro.ascii = 1;
			break;
		case OPT_BUDGET:
			op->ro.budget = (size_t)opt_number(run, "--budget",
			    optarg, 1, (long long)1 << 40);
			break;
		case OPT_BY:
			list_add(run, &op->by, optarg, "--by");
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") != 0 && strcmp(optarg,
			    "always") != 0 && strcmp(optarg, "never") != 0)
				ev_run_usage_error(run, "--color '%s' is not "
				    "auto, always or never", optarg);
			color = optarg;
			break;
		case OPT_COMPARE:
			op->o.compare = ev_run_duration(run, "--compare",
			    optarg, 1);
			break;
		case OPT_FAIL:
			op->fail_on_anomaly = 1;
			break;
		case 'f':
			if (ev_report_format_parse(optarg, &op->fmt) != 0)
				ev_run_usage_error(run, "unknown format '%s'",
				    optarg);
			break;
		case OPT_FROM_JSON:
			op->from_json = optarg;
			break;
		case OPT_LAST:
			op->o.last = ev_run_duration(run, "--last", optarg, 1);
			break;
		case OPT_LIVE:
			op->live = 1;
			break;
		case OPT_MAX_ANOMALIES:
			op->ro.max_anomalies = (size_t)opt_number(run,
			    "--max-anomalies", optarg, 0, 1000000000);
			break;
		case OPT_METRIC:
			list_add(run, &op->metrics, optarg, "--metric");
			break;
		case OPT_MIN_SCORE:
			if (ev_strtod(optarg, &op->o.min_score) != 0 ||
			    op->o.min_score < 0 || op->o.min_score > 1)
				ev_run_usage_error(run, "--min-score '%s' is "
				    "not a number in [0,1]", optarg);
			break;
		case 'o':
			op->output = optarg;
			break;
		case OPT_REFRESH:
			op->refresh = ev_run_duration(run, "--refresh",
			    optarg, 1);
			break;
		case OPT_SINCE:
		case OPT_UNTIL:
			if (ev_time_parse(optarg, strlen(optarg), c ==
			    OPT_SINCE ? &op->o.since : &op->o.until) != 0)
				ev_run_usage_error(run, "%s '%s' is not an "
				    "RFC 3339 time", c == OPT_SINCE ?
				    "--since" : "--until", optarg);
			if (c == OPT_SINCE)
				op->o.has_since = 1;
			else
				op->o.has_until = 1;
			break;
		case OPT_STAGE_STATS:
			list_add(run, &op->stage_files, optarg,
			    "--stage-stats");
			break;
		case OPT_STEP:
			op->o.step = ev_run_duration(run, "--step", optarg, 1);
			break;
		case OPT_TIME:
			op->o.time_field = optarg;
			break;
		case OPT_TITLE:
			op->title = optarg;
			break;
		case OPT_TOP:
			op->o.top = (size_t)opt_number(run, "--top", optarg, 1,
			    1000000);
			break;
		case OPT_TZ:
			op->o.tz = optarg;
			break;
		case OPT_WHERE:
			if (ev_filter_add(op->where, "--where", optarg, werr,
			    sizeof(werr)) != 0)
				ev_run_usage_error(run, "%s", werr);
			run->filtering = 1;
			break;
		default:
			if (!ev_run_option(run, c, optarg))
				ev_run_usage_error(run, "unknown option");
		}
	}
	if (optind < argc)
		ev_run_usage_error(run, "unexpected argument '%s'",
		    argv[optind]);
	if (op->o.has_since && op->o.last > 0)
		ev_run_usage_error(run, "--since and --last exclude each "
		    "other");
	if (op->o.has_since && op->o.has_until && op->o.until <= op->o.since)
		ev_run_usage_error(run, "--until is not after --since");
	if (op->live && (op->fmt != EV_REPORT_TEXT || op->output != NULL ||
	    op->from_json != NULL))
		ev_run_usage_error(run, "--live draws text on standard "
		    "output; it takes no --format, --output or --from-json");
	if ((tz = ev_tz_open(op->o.tz)) == NULL)
		ev_run_usage_error(run, "unknown time zone '%s'", op->o.tz);
	/* NULL when --time is bad: ev_report_store_new says so. */
	if (op->where->where_text != NULL)
		op->tpath = ev_path_compile(op->o.time_field, &werrstr);
	if (ev_filter_compile(op->where, op->tpath, werr, sizeof(werr)) != 0)
		ev_run_usage_error(run, "%s", werr);
	ev_tz_free(tz);
	/* The generated-at stamp: SOURCE_DATE_EPOCH for reproducible runs. */
	if ((sde = getenv("SOURCE_DATE_EPOCH")) != NULL && *sde != '\0') {
		op->o.generated = (ev_us_t)opt_number(run, "SOURCE_DATE_EPOCH",
		    sde, 0, 253402300799LL) * EV_US_PER_SEC;
	} else {
		op->o.generated = ev_time_floor(ev_time_now(), EV_US_PER_SEC);
	}
	nc = getenv("NO_COLOR");
	if (op->fmt != EV_REPORT_TEXT || (nc != NULL && *nc != '\0'))
		op->ro.color = 0;
	else if (strcmp(color, "always") == 0)
		op->ro.color = 1;
	else if (strcmp(color, "auto") == 0)
		op->ro.color = op->output == NULL && isatty(STDOUT_FILENO);
	op->o.metrics = op->metrics.v;
	op->o.nmetrics = op->metrics.n;
	op->o.by = op->by.v;
	op->o.nby = op->by.n;
}

/*
 * Read the records into the store, redrawing with --live, then the other
 * stages' stats.  Each record is aggregated or rejected.
 */
static void
read_records(struct ev_run *run, const struct options *op,
    struct ev_report_store *store, struct spool *sp)
{
	struct ev_line line;
	struct ev_rec rec;
	struct stat st;
	ev_us_t next_draw = op->live ? ev_time_mono() + op->refresh : 0;
	int pipe_in;
	size_t i;

	ev_rec_init(&rec);
	for (;;) {
		enum ev_line_kind k;
		const char *reason;
		char err[200];

		k = ev_run_next(run, &line, op->live ? (next_draw >
		    ev_time_mono() ? next_draw - ev_time_mono() : 0) : -1);
		if (op->live && ev_time_mono() >= next_draw) {
			redraw(run, store, sp, &op->ro);
			next_draw = ev_time_mono() + op->refresh;
		}
		if (k == EV_LINE_TIMEOUT)
			continue;
		if (k != EV_LINE_OK)
			break;
		if (ev_rec_parse(&rec, line.data, line.len) != 0) {
			ev_run_reject_parse(run, &line, rec.err);
			continue;
		}
		if (ev_filter_skip(op->where, run, &line, &rec))
			continue;
		if (ev_report_store_add(store, &rec, &reason, err,
		    sizeof(err)) != 0) {
			ev_run_reject(run, &line, reason, ev_run_error(
			    strcmp(reason, "time") == 0 ? op->o.time_field :
			    NULL, "%s", err));
			continue;
		}
		spool_add(sp, &line);
		run->n_aggregated++;
	}
	ev_rec_clear(&rec);
	if (ev_report_store_size(store) == 0)
		return;
	pipe_in = fstat(STDIN_FILENO, &st) == 0 && S_ISFIFO(st.st_mode);
	for (i = 0; i < op->stage_files.n; i++)
		if (read_stage_stats(store, op->stage_files.v[i], pipe_in) != 0)
			run->failed = 1;
}

/* Render the model and write it to the output or standard output. */
static void
write_report(struct ev_run *run, const struct options *op, json_t *model)
{
	struct ev_buf out = EV_BUF_INIT;
	size_t na = count_anomalies(model);
	char err[1024];

	if (op->live)
		ev_buf_adds(&out, "\033[H\033[2J");
	/* Part of the model, so --from-json keeps or replaces it. */
	if (op->title != NULL)
		json_object_set_new(model, "title", json_string(op->title));
	ev_report_render(model, op->fmt, &op->ro, &out);
	if (op->output == NULL)
		ev_out_write(&run->out, out.data, out.len);
	else if (ev_file_save(op->output, "report", "ev-report", out.data,
	    out.len, 0666, err, sizeof(err)) != 0) {
		ev_warn("%s", err);
		run->failed = 1;
	}
	ev_run_stat(run, "anomalies", json_integer((json_int_t)na));
	if (op->fail_on_anomaly && na > 0) {
		ev_warn("the report holds %zu anomal%s", na,
		    na == 1 ? "y" : "ies");
		run->gate_failed = 1;
	}
	ev_buf_free(&out);
}

int
main(int argc, char **argv)
{
	struct ev_run run;
	struct options op;
	struct ev_report_store *store;
	struct spool spool;
	json_t *model = NULL;
	char err[400];

	ev_set_argv0_base(argv);
	ev_run_init(&run, "ev-report", usage);
	run.usage_more = EV_EXPR_HELP;
	parse_options(&run, argc, argv, &op);

	if ((store = ev_report_store_new(&op.o, err, sizeof(err))) == NULL)
		ev_run_usage_error(&run, "%s", err);
	if (op.from_json != NULL)
		model = read_model(&run, op.from_json);
	if (op.output != NULL)
		ev_run_check_writable(&run, "report", op.output);
	memset(&spool, 0, sizeof(spool));
	if (model == NULL)
		spool_open(&run, &spool);
	ev_run_open(&run);

	if (model == NULL) {
		read_records(&run, &op, store, &spool);
		if (ev_report_store_size(store) == 0)
			goto out;	/* no records: no report */
		model = build(&run, store, &spool);
	}
	write_report(&run, &op, model);

out:
	json_decref(model);
	spool_close(&spool);
	ev_report_store_free(store);
	options_free(&op);
	return ev_run_finish(&run);
}
