/*
 * ev-detect - streaming anomaly detection over window records.
 *
 * Each record belongs to a series (the value field and the group columns,
 * lib/ev_detect_series.h); each series has its own model (lib/ev_detect.h)
 * and alert episode (lib/ev_detect_alert.h).  Records are held
 * (lib/ev_detect_hold.h) until their window is complete (a newer window
 * started, input paused, or --evaluation-delay passed) so that an alert on
 * a total can be explained by the segments of the same window; then they
 * are scored in arrival order and written (lib/ev_detect_out.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_common.h"
#include "ev_detect.h"
#include "ev_detect_alert.h"
#include "ev_detect_backtest.h"
#include "ev_detect_hold.h"
#include "ev_detect_out.h"
#include "ev_detect_series.h"
#include "ev_path.h"
#include "ev_rec.h"
#include "ev_run.h"
#include "ev_time.h"

#define PROG	"ev-detect"
#define NOW_MIN	EV_DETECT_SERIES_NO_TIME
#define RESOLVE_SPAN	(15 * EV_US_PER_MIN)	/* default --resolve-for, as time */

static const char usage[] =
"usage: ev-detect [options]\n"
"       ev-detect --backtest --labels file [options]\n"
"       ev-detect --backtest --label-field field [options]\n"
"Score every series of window records against a learned baseline and write\n"
"the records with an \"anomaly\" object added (with --alerts: alert episodes).\n"
"\n"
"  --absent-after DUR     no_data alert when a series sends nothing for DUR\n"
"  -a, --alerts           write only alert records (fired, repeated, resolved)\n"
"  --alpha A              ewma: weight of the newest point (0.1)\n"
"  --backtest             score alerts against --labels or --label-field,\n"
"                         print metrics (NAB-style scores, F1, delays)\n"
"  -b, --by COLS          series columns, comma-separated (default: every\n"
"                         string member but the time fields)\n"
"  --confidence C         two-sided level of lower and upper (0.99)\n"
"  --cooldown DUR         no new episode this long after a resolution (0)\n"
"  --critical-pct P       severity critical from this |deviation| in % (50)\n"
"  --evaluation-delay DUR score a window only DUR after its end (0)\n"
"  --flush-interval DUR   flush output at most this long after a write (1s)\n"
"  --for N                anomalous points in a row before firing (1)\n"
"  --format FMT           ndjson or alertmanager (ndjson)\n"
"  -h, --help             print this help and exit\n"
"  --label-field FIELD    --backtest: the 0/1 label of each point (label)\n"
"  --labels FILE          ev-gen label file for --backtest\n"
"  --max-line BYTES       reject lines longer than this (1048576)\n"
"  --max-reject-rate R    exit 0 while rejected/in stays at or below R (0)\n"
"  -m, --method M         robust, ewma, seasonal, cusum or auto (robust)\n"
"  --min-value X          no anomaly while value and expected are below X\n"
"  --rejects FILE         write reject records to FILE (default: stderr)\n"
"  --repeat DUR           re-announce a firing episode every DUR (never)\n"
"  --resolve-below S      resolve once the score is below S (hysteresis)\n"
"  --resolve-for N        calm points in a row before resolving (as many\n"
"                         as 15 minutes, at least 1)\n"
"  --series-ttl DUR       forget a series that sent nothing for DUR\n"
"  --state FILE           keep models and episodes in FILE across runs\n"
"  --stats FILE           write the run's counts to FILE as one JSON line\n"
"  -t, --threshold S      a score at or above S is anomalous (0.9999)\n"
"  --time FIELD           window start field (start)\n"
"  --tz ZONE              time zone of the seasonal shape (UTC)\n"
"  -v, --value FIELD      the numeric field to watch (count)\n"
"  -V, --version          print the version and exit\n"
"  --warmup auto|N|DUR    no score for a series' first N points or DUR of\n"
"                         its time (auto: 1d; seasonal 2d)\n"
"  -w, --window N         robust, cusum: points in the rolling window (60)\n"
"\n"
"Counts are scored by their Poisson or negative binomial tail; with -m\n"
"seasonal or auto a CUSUM on a count's rate finds drops too, with p =\n"
"exp(-S), so --threshold 1-q allows at most q false alarms per window.  A\n"
"null value or a window with no record is a gap, neither a zero nor an\n"
"error.\n";

enum {
	OPT_ABSENT = EV_OPT_FIRST_TOOL, OPT_ALPHA, OPT_BACKTEST,
	OPT_CONFIDENCE, OPT_COOLDOWN, OPT_CRITICAL, OPT_EVAL_DELAY, OPT_FOR,
	OPT_FORMAT, OPT_LABEL_FIELD, OPT_LABELS, OPT_MIN_VALUE, OPT_REPEAT, OPT_RESOLVE_BELOW,
	OPT_RESOLVE_FOR, OPT_SERIES_TTL, OPT_STATE, OPT_TIME, OPT_TZ,
	OPT_WARMUP
};

static const struct option longopts[] = {
	{ "absent-after", required_argument, NULL, OPT_ABSENT },
	{ "alerts", no_argument, NULL, 'a' },
	{ "alpha", required_argument, NULL, OPT_ALPHA },
	{ "backtest", no_argument, NULL, OPT_BACKTEST },
	{ "by", required_argument, NULL, 'b' },
	{ "confidence", required_argument, NULL, OPT_CONFIDENCE },
	{ "cooldown", required_argument, NULL, OPT_COOLDOWN },
	{ "critical-pct", required_argument, NULL, OPT_CRITICAL },
	{ "evaluation-delay", required_argument, NULL, OPT_EVAL_DELAY },
	{ "for", required_argument, NULL, OPT_FOR },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "label-field", required_argument, NULL, OPT_LABEL_FIELD },
	{ "labels", required_argument, NULL, OPT_LABELS },
	{ "method", required_argument, NULL, 'm' },
	{ "min-value", required_argument, NULL, OPT_MIN_VALUE },
	{ "repeat", required_argument, NULL, OPT_REPEAT },
	{ "resolve-below", required_argument, NULL, OPT_RESOLVE_BELOW },
	{ "resolve-for", required_argument, NULL, OPT_RESOLVE_FOR },
	{ "series-ttl", required_argument, NULL, OPT_SERIES_TTL },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "threshold", required_argument, NULL, 't' },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "value", required_argument, NULL, 'v' },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "window", required_argument, NULL, 'w' },
	EV_RUN_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};


/* The command line, as parse_options leaves it. */
struct options {
	struct ev_detect_params mp;
	struct ev_alert_params ap;
	enum ev_detect_out_mode mode;
	double		 threshold, resolve_below, min_value, critical_pct;
	ev_us_t		 absent_after, series_ttl, eval_delay;
	char		*by_spec, *value_spec, *time_spec, *tz_name;
	const char	*state_path, *labels_path, *label_spec;
	struct ev_path	*time_path, *end_path, *value_path, *final_path;
	struct ev_path	*label_path;
	struct ev_detect_series_keys keys;	/* --by, --value, --time */
	struct ev_tz	*tz;
};

struct detect {
	struct ev_run	 run;
	struct options	 o;
	struct ev_detect_series_table series;
	struct ev_detect_hold hold;
	struct ev_detect_out out;
	struct ev_backtest *bt;
	ev_us_t		 watermark;	/* the newest window start */
	struct ev_buf	 key;
	struct ev_detect_hold_fields fields;	/* where a record's are */
};

/* Options. */

static double
num_arg(struct ev_run *run, const char *opt, const char *arg, double lo,
    double hi)
{
	double v;

	if (ev_strtod(arg, &v) != 0 || v < lo || v > hi)
		ev_run_usage_error(run, "%s '%s' is not a number in [%g,%g]",
		    opt, arg, lo, hi);
	return v;
}

static int
int_arg(struct ev_run *run, const char *opt, const char *arg, int lo, int hi)
{
	const char *errstr;
	long long v = ev_strtonum(arg, lo, hi, &errstr);

	if (errstr)
		ev_run_usage_error(run, "%s '%s' is %s", opt, arg, errstr);
	return (int)v;
}

static struct ev_path *
path_arg(struct ev_run *run, const char *opt, const char *arg)
{
	const char *errstr;
	struct ev_path *p = ev_path_compile(arg, &errstr);

	if (p == NULL)
		ev_run_usage_error(run, "%s '%s': %s", opt, arg, errstr);
	return p;
}

static void
set_str(char **dst, const char *arg)
{
	free(*dst);
	*dst = ev_xstrdup(arg);
}

static void
parse_by(struct ev_run *run, struct options *o)
{
	struct ev_detect_series_keys *k = &o->keys;
	char *s, *c, *comma;

	if (o->by_spec == NULL)
		return;
	s = ev_xstrdup(o->by_spec);
	for (c = s; ; c = comma + 1) {
		comma = strchr(c, ',');
		if (comma)
			*comma = '\0';
		if (*c == '\0')
			ev_run_usage_error(run, "--by '%s' has an empty column",
			    o->by_spec);
		k->by = ev_xreallocarray(k->by, k->nby + 1, sizeof(*k->by));
		k->by[k->nby++] = path_arg(run, "--by", c);
		if (comma == NULL)
			break;
	}
	free(s);
}

/* Checks between options, and what follows from them. */
static void
check_options(struct ev_run *run, struct options *o, int resolve_set)
{
	if (o->mode == EV_DETECT_OUT_BACKTEST && (o->labels_path == NULL) ==
	    (o->label_spec == NULL))
		ev_run_usage_error(run, "--backtest needs either --labels "
		    "FILE or --label-field FIELD");
	if ((o->labels_path || o->label_spec) &&
	    o->mode != EV_DETECT_OUT_BACKTEST)
		ev_run_usage_error(run, "--labels and --label-field need "
		    "--backtest");
	if (o->label_spec)
		o->label_path = path_arg(run, "--label-field", o->label_spec);
	if (!resolve_set)
		o->resolve_below = ev_detect_score_of_z(2.0 / 3 *
		    ev_detect_z_of_conf(o->threshold));
	if (o->resolve_below > o->threshold)
		ev_run_usage_error(run, "--resolve-below %g is above "
		    "--threshold %g", o->resolve_below, o->threshold);
	o->time_path = path_arg(run, "--time", o->time_spec);
	o->value_path = path_arg(run, "--value", o->value_spec);
	o->end_path = path_arg(run, "--time", "end");
	o->final_path = path_arg(run, "--time", "final");
	parse_by(run, o);
	o->keys.value_spec = o->value_spec;
	o->keys.time_spec = o->time_spec;
	o->tz = ev_tz_open(o->tz_name);
	if (o->tz == NULL)
		ev_run_usage_error(run, "--tz '%s' is not a known time zone",
		    o->tz_name);
}

/* Fill o from the command line; exits 2 on a usage error. */
static void
parse_options(struct ev_run *run, struct options *o, int argc, char **argv)
{
	int c, resolve_set = 0;

	ev_detect_params_default(&o->mp);
	o->ap.for_n = 1;
	o->ap.resolve_n = 0;	/* by the step: RESOLVE_SPAN */
	o->threshold = 0.9999;
	o->critical_pct = 50;
	o->value_spec = ev_xstrdup("count");
	o->time_spec = ev_xstrdup("start");
	o->tz_name = ev_xstrdup("UTC");
	while ((c = getopt_long(argc, argv, "ab:hm:t:v:Vw:", longopts,
	    NULL)) != -1) {
		switch (c) {
		case OPT_ABSENT:
			o->absent_after = ev_run_duration(run, "--absent-after",
			    optarg, 0);
			break;
		case 'a':
			if (o->mode == EV_DETECT_OUT_ANNOTATE)
				o->mode = EV_DETECT_OUT_ALERTS;
			break;
		case OPT_ALPHA:
			o->mp.alpha = num_arg(run, "--alpha", optarg, 1e-6, 1);
			break;
		case OPT_BACKTEST:
			o->mode = EV_DETECT_OUT_BACKTEST;
			break;
		case 'b':
			set_str(&o->by_spec, optarg);
			break;
		case OPT_CONFIDENCE:
			o->mp.confidence = num_arg(run, "--confidence", optarg,
			    1e-6, 1 - 1e-15);
			break;
		case OPT_COOLDOWN:
			o->ap.cooldown = ev_run_duration(run, "--cooldown",
			    optarg, 0);
			break;
		case OPT_CRITICAL:
			o->critical_pct = num_arg(run, "--critical-pct",
			    optarg, 0, 1e9);
			break;
		case OPT_EVAL_DELAY:
			o->eval_delay = ev_run_duration(run,
			    "--evaluation-delay", optarg, 0);
			break;
		case OPT_FOR:
			o->ap.for_n = int_arg(run, "--for", optarg, 1, 1000000);
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "alertmanager") == 0) {
				if (o->mode != EV_DETECT_OUT_BACKTEST)
					o->mode = EV_DETECT_OUT_ALERTMANAGER;
			} else if (strcmp(optarg, "ndjson") != 0)
				ev_run_usage_error(run, "--format '%s' is not "
				    "ndjson or alertmanager", optarg);
			break;
		case OPT_LABEL_FIELD:
			o->label_spec = optarg;
			break;
		case OPT_LABELS:
			o->labels_path = optarg;
			break;
		case 'm':
			if (ev_detect_method_parse(optarg) < 0)
				ev_run_usage_error(run, "--method '%s' is not "
				    "robust, ewma, seasonal, cusum or auto",
				    optarg);
			o->mp.method = (enum ev_detect_method)
			    ev_detect_method_parse(optarg);
			break;
		case OPT_MIN_VALUE:
			o->min_value = num_arg(run, "--min-value", optarg,
			    -1e300, 1e300);
			break;
		case OPT_REPEAT:
			o->ap.repeat = ev_run_duration(run, "--repeat",
			    optarg, 0);
			break;
		case OPT_RESOLVE_BELOW:
			o->resolve_below = num_arg(run, "--resolve-below",
			    optarg, 0, 1);
			resolve_set = 1;
			break;
		case OPT_RESOLVE_FOR:
			o->ap.resolve_n = int_arg(run, "--resolve-for", optarg,
			    1, 1000000);
			break;
		case OPT_SERIES_TTL:
			o->series_ttl = ev_run_duration(run, "--series-ttl",
			    optarg, 0);
			break;
		case OPT_STATE:
			o->state_path = optarg;
			break;
		case 't':
			o->threshold = num_arg(run, "--threshold", optarg, 0,
			    1);
			break;
		case OPT_TIME:
			set_str(&o->time_spec, optarg);
			break;
		case OPT_TZ:
			set_str(&o->tz_name, optarg);
			break;
		case 'v':
			set_str(&o->value_spec, optarg);
			break;
		case OPT_WARMUP:
			/* A bare number counts points, as it always did. */
			if (strcmp(optarg, "auto") == 0) {
				o->mp.warmup = 0;
				o->mp.warmup_hours = EV_DETECT_WARMUP_AUTO;
			} else if (strspn(optarg, "0123456789") ==
			    strlen(optarg)) {
				o->mp.warmup = int_arg(run, "--warmup",
				    optarg, 0, 100000000);
				o->mp.warmup_hours = 0;
			} else {
				o->mp.warmup = 0;
				o->mp.warmup_hours = (double)ev_run_duration(
				    run, "--warmup", optarg, 0) / 3.6e9;
			}
			break;
		case 'w':
			o->mp.window = int_arg(run, "--window", optarg, 1,
			    100000);
			break;
		default:
			if (!ev_run_option(run, c, optarg))
				ev_run_usage_error(run, "unknown option");
		}
	}
	if (optind < argc)
		ev_run_usage_error(run, "unexpected argument '%s'",
		    argv[optind]);
	check_options(run, o, resolve_set);
}

static void
options_free(struct options *o)
{
	size_t i;

	for (i = 0; i < o->keys.nby; i++)
		ev_path_free(o->keys.by[i]);
	free(o->keys.by);
	ev_path_free(o->time_path);
	ev_path_free(o->end_path);
	ev_path_free(o->value_path);
	ev_path_free(o->final_path);
	ev_path_free(o->label_path);
	free(o->by_spec);
	free(o->value_spec);
	free(o->time_spec);
	free(o->tz_name);
	ev_tz_free(o->tz);
}

/* State across runs. */

static char *
settings(const struct options *o)
{
	struct ev_buf b = EV_BUF_INIT;

	/*
	 * Version 2: the seasonal model (also inside auto) changed shape; a
	 * robust, ewma or cusum state of version 1 still loads.
	 */
	ev_buf_printf(&b, "ev-detect/%d;method=%s;window=%d;alpha=%.17g;"
	    "value=%s;by=%s;time=%s;tz=%s",
	    o->mp.method == EV_DETECT_SEASONAL ||
	    o->mp.method == EV_DETECT_AUTO ? 2 : 1,
	    ev_detect_method_name(o->mp.method), o->mp.window, o->mp.alpha,
	    o->value_spec, o->by_spec ? o->by_spec : "*", o->time_spec,
	    o->tz_name);
	return ev_buf_detach(&b, NULL);
}

/* Scoring and flushing held records. */

/*
 * Calm points before an episode resolves when --resolve-for is not given:
 * one, and at least RESOLVE_SPAN of them, so a metric of one-minute
 * windows that is back for a minute or two in the middle of an incident
 * does not split it into several pages, while an hourly one resolves at
 * its first calm hour.
 */
static int
resolve_points(ev_us_t step)
{
	int64_t n = (RESOLVE_SPAN + step - 1) / step;

	return n < 1 ? 1 : n > 1000000 ? 1000000 : (int)n;
}

static void
score_entry(struct detect *d, struct ev_detect_hold_entry *e)
{
	const struct options *o = &d->o;
	struct ev_detect_series *s = e->s;
	struct ev_alert_params ap;
	struct ev_detect_point pt;
	ev_us_t step;
	int calm, floor_ok;

	if (s->queued >= 0 && &d->hold.q[s->queued] == e)
		s->queued = -1;
	if (e->superseded || !e->final)
		return;
	step = ev_detect_series_point(&d->series, s, e->start, e->end, &pt);
	if (d->bt && o->label_path && s->btidx < 0)
		s->btidx = (long)ev_backtest_series(d->bt, s->cols);
	if (e->gap) {
		/* Neither a zero nor calm: the episode waits for data. */
		if (d->bt && o->label_path)
			ev_backtest_point(d->bt, (size_t)s->btidx, e->start,
			    e->label, 0);
		return;
	}
	pt.value = e->value;
	ev_detect_model_step(s->model, &pt, &e->sc);
	floor_ok = o->min_value <= 0 ||
	    fmax(e->value, e->sc.expected) >= o->min_value;
	e->anomalous = e->sc.scored && e->sc.score >= o->threshold && floor_ok;
	calm = !e->sc.scored || e->sc.score < o->resolve_below || !floor_ok;
	ap = o->ap;
	if (ap.resolve_n == 0)
		ap.resolve_n = resolve_points(step);
	e->ev = ev_alert_step(&s->alert, &ap, e->start, e->anomalous, calm);
	e->st = s->alert.state;
	e->since = s->alert.pending_since;
	if (e->sc.scored && (e->anomalous || e->ev != EV_ALERT_NONE))
		e->summary = ev_detect_out_summary(&d->out, e);
	if (d->bt && e->sc.scored)
		ev_backtest_span(d->bt, e->start, e->end > e->start ? e->end :
		    e->start + step);
	if (d->bt && o->label_path)
		ev_backtest_point(d->bt, (size_t)s->btidx, e->start, e->label,
		    e->ev == EV_ALERT_FIRED);
}

/* No_data alerts and forgetting idle series, at the stream time. */
static void
check_series(struct detect *d)
{
	if (d->watermark == NOW_MIN)
		return;
	if (d->o.absent_after > 0)
		ev_detect_out_absent(&d->out, d->watermark, d->o.absent_after);
	if (d->o.series_ttl > 0)
		ev_detect_series_forget(&d->series, d->watermark,
		    d->o.series_ttl);
}

/* Whether a held entry's window is complete at the stream time. */
static int
complete(const struct detect *d, const struct ev_detect_hold_entry *e)
{
	return e->start < d->watermark && (e->end > e->start ? e->end :
	    e->start) + d->o.eval_delay <= d->watermark;
}

/*
 * Score and write the held records that are complete (all when `all`),
 * from the front of the queue.
 */
static void
flush(struct detect *d, int all)
{
	struct ev_detect_hold_entry *q = d->hold.q + d->hold.head, *p;
	size_t n = 0, i;

	while (n < d->hold.len && (all || complete(d, &q[n])))
		n++;
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		score_entry(d, &q[i]);
	for (i = 0; i < n; i++)
		ev_detect_out_explain(&d->out, &q[i], q, n);
	for (i = 0; i < n; i++) {
		/* Replaced versions first, oldest first, unscored. */
		while ((p = ev_detect_hold_oldest(&q[i])) != NULL) {
			ev_detect_out_entry(&d->out, p);
			ev_detect_hold_entry_release(p);
			free(p);
		}
		ev_detect_out_entry(&d->out, &q[i]);
	}
	ev_detect_hold_drop(&d->hold, n);
	check_series(d);
	ev_detect_out_flush(&d->out);
}

/* Reading records. */

/*
 * A final record of series s not newer than its last: a new version of a
 * window still held replaces it (0); else it is rejected as late or as a
 * duplicate (-1).
 */
static int
take_old(struct detect *d, const struct ev_line *line,
    struct ev_detect_series *s, struct ev_buf *raw, struct ev_rec *rec,
    const struct ev_detect_hold_entry *nw)
{
	struct ev_detect_hold_entry *e;
	char b1[EV_TIME_BUFSZ], b2[EV_TIME_BUFSZ];

	if ((e = ev_detect_hold_find(&d->hold, s, nw->start)) != NULL) {
		ev_detect_hold_replace(e, raw, rec, nw);
		return 0;
	}
	if (nw->start < s->max_start)
		/* Name both windows: the newer one may still be held. */
		ev_run_reject(&d->run, line, "late",
		    ev_run_error(d->o.time_spec, "window %s is older than its "
		    "series' last, %s", ev_time_format(nw->start, -1, b1),
		    ev_time_format(s->max_start, -1, b2)));
	else
		ev_run_reject(&d->run, line, "duplicate",
		    ev_run_error(d->o.time_spec, "window was already scored "
		    "for its series"));
	return -1;
}

/* One input line: reject it or hold it. */
static void
take_line(struct detect *d, const struct ev_line *line)
{
	struct ev_detect_hold_entry nw, *e;
	struct ev_detect_series *s;
	struct ev_rec rec;
	struct ev_buf raw;
	const char *why;
	json_t *errors;

	memset(&nw, 0, sizeof(nw));
	ev_detect_hold_take(&d->hold, &rec, &raw);
	ev_buf_reset(&raw);
	ev_buf_add(&raw, line->data, line->len);
	if (ev_rec_parse(&rec, raw.data, raw.len) != 0)
		ev_run_reject_parse(&d->run, line, rec.err);
	else if (!ev_rec_is_object(&rec))
		ev_run_reject(&d->run, line, "type",
		    ev_run_error(NULL, "record is not an object"));
	else if ((why = ev_detect_hold_read(&d->fields, &rec, &nw,
	    &errors)) == NULL)
		goto good;
	else
		ev_run_reject(&d->run, line, why, errors);
	ev_detect_hold_give(&d->hold, &rec, &raw);
	return;
good:
	ev_detect_series_key(&d->o.keys, &rec, &d->key);
	s = ev_detect_series_get(&d->series, d->key.data, d->key.len, NULL,
	    &rec);
	if (nw.final && s->max_start != NOW_MIN && nw.start <= s->max_start) {
		if (take_old(d, line, s, &raw, &rec, &nw) != 0)
			ev_detect_hold_give(&d->hold, &rec, &raw);
		return;
	}
	if (nw.start > d->watermark || d->watermark == NOW_MIN) {
		d->watermark = nw.start;
		flush(d, 0);
		/*
		 * The flush may have forgotten s under --series-ttl (it was
		 * quiet for the TTL up to this window): look it up again, so
		 * the window starts the series afresh.
		 */
		s = ev_detect_series_get(&d->series, d->key.data, d->key.len,
		    NULL, &rec);
	}
	e = ev_detect_hold_push(&d->hold, &d->series);
	*e = nw;
	e->raw = raw;
	e->rec = rec;
	e->s = s;
	if (s->last_seen == NOW_MIN || nw.start > s->last_seen)
		s->last_seen = nw.start;
	if (nw.end > s->last_end || s->last_end == NOW_MIN)
		s->last_end = nw.end > nw.start ? nw.end : nw.start;
	if (nw.final) {
		s->max_start = nw.start;
		s->queued = (long)(e - d->hold.q);
	}
}

/* Set-up and the run. */

/* Everything before the input is read: EV_EXIT_OK or the exit status. */
static int
setup(struct detect *d)
{
	char err[512], *set;
	int rc;

	ev_detect_series_init(&d->series, &d->o.mp, &d->o.keys, d->o.tz);
	ev_detect_out_init(&d->out);
	d->out.mode = d->o.mode;
	d->out.run = &d->run;
	d->out.series = &d->series;
	d->out.value_spec = d->o.value_spec;
	d->out.time_spec = d->o.time_spec;
	d->out.critical_pct = d->o.critical_pct;
	d->watermark = NOW_MIN;
	d->fields.time = d->o.time_path;
	d->fields.end = d->o.end_path;
	d->fields.value = d->o.value_path;
	d->fields.final = d->o.final_path;
	d->fields.label = d->o.label_path;
	if (d->o.mode == EV_DETECT_OUT_BACKTEST) {
		d->out.bt = d->bt = ev_backtest_new();
		if (d->o.labels_path && ev_backtest_load(d->bt,
		    d->o.labels_path, err, sizeof(err)) != 0) {
			ev_warn("%s", err);
			return EV_EXIT_USAGE;
		}
	}
	if (d->o.state_path == NULL)
		return EV_EXIT_OK;
	ev_run_check_writable(&d->run, "state", d->o.state_path);
	set = settings(&d->o);
	rc = ev_detect_series_load(&d->series, d->o.state_path, PROG, set,
	    &d->watermark);
	free(set);
	return rc == 0 ? EV_EXIT_OK : EV_EXIT_RUNTIME;
}

/* After the input: the backtest's report, the state, the stats. */
static int
finish(struct detect *d)
{
	char *set;

	flush(d, 1);
	if (d->bt)
		ev_detect_out_backtest(&d->out, d->o.label_path != NULL);
	ev_run_stat(&d->run, "series", json_integer((json_int_t)
	    d->series.nser));
	if (d->o.state_path) {
		set = settings(&d->o);
		if (ev_detect_series_save(&d->series, d->o.state_path, PROG,
		    set, d->watermark) != 0)
			d->run.failed = 1;
		free(set);
	}
	return ev_run_finish(&d->run);
}

int
main(int argc, char **argv)
{
	struct detect d;
	struct ev_line line;
	enum ev_line_kind k;
	int status;

	ev_set_argv0_base(argv);
	memset(&d, 0, sizeof(d));
	ev_buf_init(&d.key);
	ev_run_init(&d.run, PROG, usage);
	parse_options(&d.run, &d.o, argc, argv);
	if ((status = setup(&d)) != EV_EXIT_OK)
		goto out;
	ev_run_open(&d.run);
	for (;;) {
		/* Without a delay, a pause in the input completes a window. */
		k = ev_run_next(&d.run, &line,
		    d.hold.len > 0 && d.o.eval_delay == 0 ? 0 : -1);
		if (k == EV_LINE_TIMEOUT) {
			flush(&d, 1);
			continue;
		}
		if (k != EV_LINE_OK)
			break;
		take_line(&d, &line);
	}
	status = finish(&d);
out:
	json_decref(d.run.extra);	/* when ev_run_finish was not reached */
	ev_detect_hold_release(&d.hold);
	ev_detect_out_release(&d.out);
	ev_detect_series_release(&d.series);
	ev_backtest_free(d.bt);
	options_free(&d.o);
	ev_buf_free(&d.key);
	return status;
}
