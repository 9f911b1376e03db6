/*
 * ev-detect - streaming anomaly detection over window records.
 *
 * Each record belongs to a series (the value field and the group columns);
 * each series has its own model (lib/ev_detect.h) and alert episode
 * (lib/ev_detect_alert.h).  Records are held until their window is complete
 * (a newer window started, input paused, or --evaluation-delay passed) so
 * that an alert on a total can be explained by the segments of the same
 * window; then they are scored in arrival order and written.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_common.h"
#include "ev_detect.h"
#include "ev_detect_alert.h"
#include "ev_detect_backtest.h"
#include "ev_explain.h"
#include "ev_path.h"
#include "ev_rec.h"
#include "ev_run.h"
#include "ev_state.h"
#include "ev_time.h"

#define PROG	"ev-detect"
#define NOW_MIN	INT64_MIN
#define RESOLVE_SPAN	(15 * EV_US_PER_MIN)	/* default --resolve-for, as time */

static const char usage[] =
"usage: ev-detect [options] < window-records\n"
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
"  --warmup N             points learned per series before scoring (0)\n"
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

enum out_mode { OUT_ANNOTATE, OUT_ALERTS, OUT_ALERTMANAGER, OUT_BACKTEST };

struct series {
	char		*key;		/* value field and group columns */
	size_t		 keylen;
	json_t		*cols;		/* the group columns present */
	char		 fp[17];	/* fingerprint of key */
	struct ev_detect_model *model;
	struct ev_alert	 alert;
	ev_us_t		 last_seen;	/* start of the newest record */
	ev_us_t		 last_end;
	ev_us_t		 max_start;	/* newest final start arrived */
	ev_us_t		 step;
	int		 absent;	/* a no_data alert is firing */
	long		 queued;	/* queue index of its newest entry */
	ev_us_t		 prev_start;	/* the last scored window's start */
	long		 btidx;		/* its labelled backtest series, or -1 */
};

struct entry {
	char		*raw;
	struct ev_rec	 rec;
	struct series	*s;
	ev_us_t		 start, end;
	double		 value;
	int		 final, superseded, anomalous;
	int		 gap;		/* the value is null: a missing point */
	int		 label;		/* --label-field says anomalous */
	struct ev_detect_score sc;
	enum ev_alert_event ev;
	/*
	 * The episode as this record left it: records are written after the
	 * whole flush is scored, when the series may have moved on.
	 */
	enum ev_alert_state st;
	ev_us_t		 since;
	json_t		*explain;	/* new reference or NULL */
	json_t		*explanation;	/* new reference or NULL */
	char		*summary;
	json_t		*total;		/* the total's figures (see context) */
	struct entry	*prev;		/* versions it replaced (owned) */
};

struct detect {
	struct ev_run	 run;
	struct ev_detect_params mp;
	struct ev_alert_params ap;
	enum out_mode	 mode;
	double		 threshold, resolve_below, min_value, critical_pct;
	ev_us_t		 absent_after, series_ttl, eval_delay;
	char		*by_spec, *value_spec, *time_spec, *tz_name;
	const char	*state_path, *labels_path, *label_spec;
	struct ev_path	*time_path, *end_path, *value_path, *final_path;
	struct ev_path	*label_path;
	struct ev_path	**by;
	size_t		 nby;
	struct ev_tz	*tz;
	ev_us_t		 tz_bucket;	/* cache of the zone offset */
	int		 tz_offset;
	/* series: an open-addressing table of indexes into ser */
	struct series	**ser;
	size_t		 nser, capser;
	long		*slot;
	size_t		 nslot;
	/* held records */
	struct entry	*q;
	size_t		 qhead, qlen, qcap;
	ev_us_t		 watermark;
	ev_us_t		 first_start;
	json_t		*am;		/* alertmanager alerts of one flush */
	struct ev_backtest *bt;
	struct ev_buf	 key, tmp;
};

/* Options. */

static double
num_arg(struct detect *d, const char *opt, const char *arg, double lo,
    double hi)
{
	double v;

	if (ev_strtod(arg, &v) != 0 || v < lo || v > hi)
		ev_run_usage_error(&d->run, "%s '%s' is not a number in "
		    "[%g,%g]", opt, arg, lo, hi);
	return v;
}

static int
int_arg(struct detect *d, const char *opt, const char *arg, int lo, int hi)
{
	const char *errstr;
	long long v = ev_strtonum(arg, lo, hi, &errstr);

	if (errstr)
		ev_run_usage_error(&d->run, "%s '%s' is %s", opt, arg, errstr);
	return (int)v;
}

static ev_us_t
dur_arg(struct detect *d, const char *opt, const char *arg)
{
	ev_us_t v;

	if (ev_duration_parse(arg, &v) != 0 || v < 0)
		ev_run_usage_error(&d->run, "%s '%s' is not a duration", opt,
		    arg);
	return v;
}

static struct ev_path *
path_arg(struct detect *d, const char *opt, const char *arg)
{
	const char *errstr;
	struct ev_path *p = ev_path_compile(arg, &errstr);

	if (p == NULL)
		ev_run_usage_error(&d->run, "%s '%s': %s", opt, arg, errstr);
	return p;
}

static void
parse_by(struct detect *d)
{
	char *s, *c, *comma;

	if (d->by_spec == NULL)
		return;
	s = ev_xstrdup(d->by_spec);
	for (c = s; ; c = comma + 1) {
		comma = strchr(c, ',');
		if (comma)
			*comma = '\0';
		if (*c == '\0')
			ev_run_usage_error(&d->run, "--by '%s' has an empty "
			    "column", d->by_spec);
		d->by = ev_xreallocarray(d->by, d->nby + 1, sizeof(*d->by));
		d->by[d->nby++] = path_arg(d, "--by", c);
		if (comma == NULL)
			break;
	}
	free(s);
}

static void
parse_options(struct detect *d, int argc, char **argv)
{
	int c, resolve_set = 0;
	const char *meth = NULL;

	while ((c = getopt_long(argc, argv, "ab:hm:t:v:Vw:", longopts,
	    NULL)) != -1) {
		switch (c) {
		case OPT_ABSENT:
			d->absent_after = dur_arg(d, "--absent-after", optarg);
			break;
		case 'a':
			if (d->mode == OUT_ANNOTATE)
				d->mode = OUT_ALERTS;
			break;
		case OPT_ALPHA:
			d->mp.alpha = num_arg(d, "--alpha", optarg, 1e-6, 1);
			break;
		case OPT_BACKTEST:
			d->mode = OUT_BACKTEST;
			break;
		case 'b':
			free(d->by_spec);
			d->by_spec = ev_xstrdup(optarg);
			break;
		case OPT_CONFIDENCE:
			d->mp.confidence = num_arg(d, "--confidence", optarg,
			    1e-6, 1 - 1e-15);
			break;
		case OPT_COOLDOWN:
			d->ap.cooldown = dur_arg(d, "--cooldown", optarg);
			break;
		case OPT_CRITICAL:
			d->critical_pct = num_arg(d, "--critical-pct", optarg,
			    0, 1e9);
			break;
		case OPT_EVAL_DELAY:
			d->eval_delay = dur_arg(d, "--evaluation-delay",
			    optarg);
			break;
		case OPT_FOR:
			d->ap.for_n = int_arg(d, "--for", optarg, 1, 1000000);
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "alertmanager") == 0) {
				if (d->mode != OUT_BACKTEST)
					d->mode = OUT_ALERTMANAGER;
			} else if (strcmp(optarg, "ndjson") != 0)
				ev_run_usage_error(&d->run, "--format '%s' is "
				    "not ndjson or alertmanager", optarg);
			break;
		case OPT_LABEL_FIELD:
			d->label_spec = optarg;
			break;
		case OPT_LABELS:
			d->labels_path = optarg;
			break;
		case 'm':
			meth = optarg;
			if (ev_detect_method_parse(optarg) < 0)
				ev_run_usage_error(&d->run, "--method '%s' is "
				    "not robust, ewma, seasonal, cusum or auto",
				    optarg);
			d->mp.method = (enum ev_detect_method)
			    ev_detect_method_parse(optarg);
			break;
		case OPT_MIN_VALUE:
			d->min_value = num_arg(d, "--min-value", optarg,
			    -1e300, 1e300);
			break;
		case OPT_REPEAT:
			d->ap.repeat = dur_arg(d, "--repeat", optarg);
			break;
		case OPT_RESOLVE_BELOW:
			d->resolve_below = num_arg(d, "--resolve-below",
			    optarg, 0, 1);
			resolve_set = 1;
			break;
		case OPT_RESOLVE_FOR:
			d->ap.resolve_n = int_arg(d, "--resolve-for", optarg,
			    1, 1000000);
			break;
		case OPT_SERIES_TTL:
			d->series_ttl = dur_arg(d, "--series-ttl", optarg);
			break;
		case OPT_STATE:
			d->state_path = optarg;
			break;
		case 't':
			d->threshold = num_arg(d, "--threshold", optarg, 0, 1);
			break;
		case OPT_TIME:
			free(d->time_spec);
			d->time_spec = ev_xstrdup(optarg);
			break;
		case OPT_TZ:
			free(d->tz_name);
			d->tz_name = ev_xstrdup(optarg);
			break;
		case 'v':
			free(d->value_spec);
			d->value_spec = ev_xstrdup(optarg);
			break;
		case OPT_WARMUP:
			d->mp.warmup = int_arg(d, "--warmup", optarg, 0,
			    100000000);
			break;
		case 'w':
			d->mp.window = int_arg(d, "--window", optarg, 1,
			    100000);
			break;
		default:
			if (!ev_run_option(&d->run, c, optarg))
				ev_run_usage_error(&d->run, "unknown option");
		}
	}
	(void)meth;
	if (optind < argc)
		ev_run_usage_error(&d->run, "unexpected argument '%s'",
		    argv[optind]);
	if (d->mode == OUT_BACKTEST && (d->labels_path == NULL) ==
	    (d->label_spec == NULL))
		ev_run_usage_error(&d->run, "--backtest needs either --labels "
		    "FILE or --label-field FIELD");
	if ((d->labels_path || d->label_spec) && d->mode != OUT_BACKTEST)
		ev_run_usage_error(&d->run, "--labels and --label-field need "
		    "--backtest");
	if (d->label_spec)
		d->label_path = path_arg(d, "--label-field", d->label_spec);
	if (!resolve_set)
		d->resolve_below = ev_detect_score_of_z(2.0 / 3 *
		    ev_detect_z_of_conf(d->threshold));
	if (d->resolve_below > d->threshold)
		ev_run_usage_error(&d->run, "--resolve-below %g is above "
		    "--threshold %g", d->resolve_below, d->threshold);
	d->time_path = path_arg(d, "--time", d->time_spec);
	d->value_path = path_arg(d, "--value", d->value_spec);
	d->end_path = path_arg(d, "--time", "end");
	d->final_path = path_arg(d, "--time", "final");
	parse_by(d);
	d->tz = ev_tz_open(d->tz_name);
	if (d->tz == NULL)
		ev_run_usage_error(&d->run, "--tz '%s' is not a known time "
		    "zone", d->tz_name);
}

/* Series table. */

static json_t *series_cols(struct detect *, struct ev_rec *);

/* A deep copy that owns nothing of the record (steals cols). */
static json_t *
series_cols_copy(json_t *cols)
{
	json_t *c = json_deep_copy(cols);

	json_decref(cols);
	return c;
}

static void
table_rebuild(struct detect *d, size_t nslot)
{
	size_t i, j;

	free(d->slot);
	d->nslot = nslot;
	d->slot = ev_xreallocarray(NULL, nslot, sizeof(*d->slot));
	for (i = 0; i < nslot; i++)
		d->slot[i] = -1;
	for (i = 0; i < d->nser; i++) {
		const char *k = d->ser[i]->key;

		j = ev_hash_bytes(k, d->ser[i]->keylen) & (nslot - 1);
		while (d->slot[j] >= 0)
			j = (j + 1) & (nslot - 1);
		d->slot[j] = (long)i;
	}
}

static struct series *
series_find(struct detect *d, const char *key, size_t n, json_t *cols,
    struct ev_rec *rec)
{
	struct series *s;
	size_t j;

	if (d->nslot == 0)
		table_rebuild(d, 64);
	j = ev_hash_bytes(key, n) & (d->nslot - 1);
	while (d->slot[j] >= 0) {
		s = d->ser[d->slot[j]];
		if (s->keylen == n && memcmp(s->key, key, n) == 0)
			return s;
		j = (j + 1) & (d->nslot - 1);
	}
	s = ev_xcalloc(1, sizeof(*s));
	s->key = ev_xstrndup(key, n);
	s->keylen = n;
	s->cols = cols ? json_deep_copy(cols) :
	    series_cols_copy(series_cols(d, rec));
	ev_state_fingerprint(s->key, s->fp);
	s->model = ev_detect_model_new(&d->mp);
	ev_alert_init(&s->alert);
	s->last_seen = s->last_end = s->max_start = NOW_MIN;
	s->prev_start = NOW_MIN;
	s->queued = -1;
	s->btidx = -1;
	if (d->nser == d->capser) {
		d->capser = d->capser ? 2 * d->capser : 64;
		d->ser = ev_xreallocarray(d->ser, d->capser, sizeof(*d->ser));
	}
	d->slot[j] = (long)d->nser;
	d->ser[d->nser++] = s;
	if (2 * d->nser > d->nslot)
		table_rebuild(d, 2 * d->nslot);
	return s;
}

static void
series_free(struct series *s)
{
	free(s->key);
	json_decref(s->cols);
	ev_detect_model_free(s->model);
	free(s);
}

/* Text of a group column's value: strings as they are, others as JSON. */
static void
col_text(const json_t *v, struct ev_buf *b)
{
	if (json_is_string(v))
		ev_buf_add(b, json_string_value(v), json_string_length(v));
	else
		ev_json_write(v, b);
}

/* Whether member k of a record is a group column without --by. */
static int
auto_col(const struct detect *d, const char *k, const json_t *v)
{
	return json_is_string(v) && strcmp(k, "end") != 0 &&
	    strcmp(k, d->time_spec) != 0;
}

/*
 * The series key of a record into d->key: the value field, then each group
 * column present as name and value.  Absent --by columns are left out: that
 * record is a total over them.
 */
static void
series_key(struct detect *d, struct ev_rec *rec)
{
	const char *k;
	json_t *v;
	size_t i;

	ev_buf_reset(&d->key);
	ev_buf_adds(&d->key, d->value_spec);
	if (d->by) {
		for (i = 0; i < d->nby; i++) {
			const char *s;
			size_t n;
			int r = ev_rec_str(rec, d->by[i], &s, &n);

			if (r == -1)
				continue;
			ev_buf_addc(&d->key, '\x1e');
			ev_buf_adds(&d->key, d->by[i]->spec);
			ev_buf_addc(&d->key, '\x1f');
			if (r == 0)	/* a string: no decoding into jansson */
				ev_buf_add(&d->key, s, n);
			else
				col_text(ev_rec_get(rec, d->by[i]), &d->key);
		}
		return;
	}
	json_object_foreach(ev_rec_root(rec), k, v) {
		if (!auto_col(d, k, v))
			continue;
		ev_buf_addc(&d->key, '\x1e');
		ev_buf_adds(&d->key, k);
		ev_buf_addc(&d->key, '\x1f');
		col_text(v, &d->key);
	}
}

/* The group columns of a record as a new object (for a new series). */
static json_t *
series_cols(struct detect *d, struct ev_rec *rec)
{
	json_t *cols = json_object(), *v;
	const char *k;
	size_t i;

	if (d->by) {
		for (i = 0; i < d->nby; i++) {
			v = ev_rec_get(rec, d->by[i]);
			if (v != NULL && !json_is_null(v))
				json_object_set(cols, d->by[i]->spec, v);
		}
		return cols;
	}
	json_object_foreach(ev_rec_root(rec), k, v)
		if (auto_col(d, k, v))
			json_object_set(cols, k, v);
	return cols;
}

/* Local wall-clock hours since the epoch, with a cached zone offset. */
static double
local_hours(struct detect *d, ev_us_t t)
{
	ev_us_t bucket = ev_time_floor(t, 15 * EV_US_PER_MIN);
	struct ev_tm tm;

	if (bucket != d->tz_bucket) {
		ev_tz_local(d->tz, bucket, &tm);
		d->tz_offset = tm.utc_offset;
		d->tz_bucket = bucket;
	}
	return ((double)t / EV_US_PER_SEC + d->tz_offset) / 3600.0;
}

/* Formatting helpers. */

static void
add_time(struct ev_buf *b, ev_us_t t)
{
	char buf[EV_TIME_BUFSZ];

	ev_buf_addc(b, '"');
	ev_buf_adds(b, ev_time_format(t, -1, buf));
	ev_buf_addc(b, '"');
}

static json_t *
time_json(ev_us_t t)
{
	char buf[EV_TIME_BUFSZ];

	return json_string(ev_time_format(t, -1, buf));
}

/* A number for people: whole above 10, else two significant digits. */
static void
add_human(struct ev_buf *b, double v)
{
	if (fabs(v) >= 10)
		ev_buf_printf(b, "%.0f", v);
	else
		ev_buf_printf(b, "%.2g", v);
}

/* The series as people name it: "signup ios", or the value field. */
static void
add_series_name(struct detect *d, const struct series *s, struct ev_buf *b)
{
	const char *k;
	json_t *v;
	int first = 1;

	json_object_foreach(s->cols, k, v) {
		if (!first)
			ev_buf_addc(b, ' ');
		col_text(v, b);
		first = 0;
	}
	if (first)
		ev_buf_adds(b, d->value_spec);
}

static const char *
severity(const struct detect *d, const struct entry *e)
{
	double pct;

	if (e->sc.expected == 0)
		return "critical";
	pct = 100 * fabs(e->value - e->sc.expected) / fabs(e->sc.expected);
	return pct >= d->critical_pct ? "critical" : "warning";
}

/* Explanation of a total by the segments in the same flush. */

/*
 * Whether child's columns are all of parent's (same values) plus exactly
 * one more; returns that one's name.
 */
static const char *
extra_col(const json_t *parent, const json_t *child)
{
	const char *k, *extra = NULL;
	json_t *v, *pv;

	if (json_object_size(child) != json_object_size(parent) + 1)
		return NULL;
	json_object_foreach((json_t *)(uintptr_t)child, k, v) {
		pv = json_object_get(parent, k);
		if (pv == NULL) {
			if (extra != NULL)
				return NULL;	/* a parent column is missing */
			extra = k;
			continue;
		}
		if (!json_equal(pv, v))
			return NULL;
	}
	return extra;
}

/*
 * Explain an alert by the series of the same window nested in it
 * (lib/ev_explain.h): "…; by platform: android 97%; by country: US 95%".
 */
static void
explain(struct detect *d, struct entry *e, size_t from, size_t to)
{
	struct ev_explain_series alerted, *ser;
	struct ev_explain_params ep;
	struct ev_buf *b = &d->tmp;
	size_t i, n = 0;

	ser = ev_xreallocarray(NULL, to - from, sizeof(*ser));
	for (i = from; i < to; i++) {
		struct entry *c = &d->q[i];

		if (c == e || !c->sc.scored || c->start != e->start)
			continue;
		ser[n].cols = c->s->cols;
		ser[n].observed = c->value;
		ser[n].expected = c->sc.expected;
		n++;
	}
	alerted.cols = e->s->cols;
	alerted.observed = e->value;
	alerted.expected = e->sc.expected;
	ev_explain_params_init(&ep);
	json_decref(e->explanation);
	e->explanation = ev_explain_build(&ep, &alerted, ser, n);
	free(ser);
	if (e->explanation == NULL)
		return;
	json_decref(e->explain);
	e->explain = ev_explain_headline(e->explanation);
	ev_buf_reset(b);
	ev_buf_adds(b, e->summary);
	ev_buf_adds(b, "; ");
	ev_explain_text(b, e->explanation);
	free(e->summary);
	e->summary = ev_xstrdup(b->data);
}

/* An entry against its baseline: "−38% vs expected 410±35". */
static void
add_deviation(struct ev_buf *b, const struct entry *e)
{
	double pct;

	if (e->sc.expected != 0) {
		pct = 100 * (e->value - e->sc.expected) / e->sc.expected;
		ev_buf_adds(b, pct < 0 ? "\xe2\x88\x92" : "+");
		ev_buf_printf(b, "%.0f%%", fabs(pct));
	} else {
		ev_buf_adds(b, "= ");
		add_human(b, e->value);
	}
	ev_buf_adds(b, " vs expected ");
	add_human(b, e->sc.expected);
	ev_buf_adds(b, "\xc2\xb1");
	add_human(b, (e->sc.upper - e->sc.lower) / 2);
}

/*
 * A segment that alerts while its total (the same columns but one, in the
 * same window) does not: say so, with the total's deviation,
 * so the alert is read in context ("signup ios −100% vs expected 9±7; the
 * signup total −26% vs expected 31±14 is inside its band").  A total that
 * alerts too names its segments itself (explain).
 */
static void
context(struct detect *d, struct entry *e, size_t from, size_t to)
{
	struct ev_buf *b = &d->tmp;
	struct entry *p = NULL;
	size_t i;

	for (i = from; i < to; i++) {
		struct entry *c = &d->q[i];

		if (c != e && c->sc.scored && c->start == e->start &&
		    extra_col(c->s->cols, e->s->cols) != NULL) {
			p = c;
			break;
		}
	}
	if (p == NULL || p->anomalous)
		return;
	ev_buf_reset(b);
	ev_buf_adds(b, e->summary);
	ev_buf_adds(b, "; the ");
	add_series_name(d, p->s, b);
	ev_buf_adds(b, " total ");
	add_deviation(b, p);
	/* The band is at --confidence; the alert at --threshold. */
	ev_buf_adds(b, p->value >= p->sc.lower && p->value <= p->sc.upper ?
	    " is inside its band" : " is outside its band but does not alert");
	free(e->summary);
	e->summary = ev_xstrdup(b->data);
	/* The same figures for machines (chat bots, routing). */
	json_decref(e->total);
	e->total = json_pack("{s:O,s:f,s:f,s:f,s:f}", "series", p->s->cols,
	    "value", p->value, "expected", p->sc.expected, "lower",
	    p->sc.lower, "upper", p->sc.upper);
}

/* "signup −38% vs expected 410±35" */
static char *
summary(struct detect *d, const struct entry *e)
{
	struct ev_buf *b = &d->tmp;

	ev_buf_reset(b);
	add_series_name(d, e->s, b);
	ev_buf_addc(b, ' ');
	add_deviation(b, e);
	return ev_xstrdup(b->data);
}

/* Output. */

static json_t *
anomaly_json(struct detect *d, const struct entry *e)
{
	json_t *a = json_object(), *mag;
	const char *status = NULL;

	if (!e->sc.scored) {
		json_object_set_new(a, "score", json_null());
		json_object_set_new(a, "reason", json_string(
		    e->superseded ? "superseded" : !e->final ? "not_final" :
		    e->gap ? "gap" : "warmup"));
		if (e->ev != EV_ALERT_RESOLVED)
			return a;
		goto status;
	}
	json_object_set_new(a, "score", json_real(e->sc.score));
	/* -log10 of the tail probability: the order far in the tail. */
	json_object_set_new(a, "surprise", json_real(e->sc.p > 0 ?
	    -log10(e->sc.p) : 300));
	json_object_set_new(a, "expected", json_real(e->sc.expected));
	json_object_set_new(a, "lower", json_real(e->sc.lower));
	json_object_set_new(a, "upper", json_real(e->sc.upper));
	json_object_set_new(a, "direction", json_string(
	    e->sc.direction > 0 ? "up" : e->sc.direction < 0 ? "down" :
	    "none"));
	json_object_set_new(a, "method", json_string(e->sc.method));
	mag = json_object();
	json_object_set_new(mag, "abs", json_real(e->value - e->sc.expected));
	json_object_set_new(mag, "pct", e->sc.expected != 0 ?
	    json_real(100 * (e->value - e->sc.expected) / e->sc.expected) :
	    json_null());
	json_object_set_new(mag, "sigma", json_real(e->sc.z));
	json_object_set_new(a, "magnitude", mag);
status:
	if (e->ev == EV_ALERT_RESOLVED)
		status = "resolved";
	else if (e->st == EV_ALERT_FIRING)
		status = "firing";
	else if (e->st == EV_ALERT_PENDING && e->anomalous)
		status = "pending";
	if (status == NULL)
		return a;
	json_object_set_new(a, "status", json_string(status));
	json_object_set_new(a, "alertname", json_string("anomaly"));
	json_object_set_new(a, "fingerprint", json_string(e->s->fp));
	json_object_set_new(a, "severity", json_string(e->sc.scored ?
	    severity(d, e) : "warning"));
	json_object_set_new(a, "since", time_json(e->since));
	if (e->explain)
		json_object_set(a, "explain", e->explain);
	if (e->explanation)
		json_object_set(a, "explanation", e->explanation);
	if (e->summary)
		json_object_set_new(a, "summary", json_string(e->summary));
	if (e->total)
		json_object_set(a, "total", e->total);
	return a;
}

/* One Alertmanager alert (v4 webhook "alerts" member). */
static json_t *
am_alert(struct detect *d, const struct series *s, const char *name,
    const char *status, const char *sev, ev_us_t since, ev_us_t ends,
    const char *fp, const char *summ, const struct entry *e)
{
	json_t *labels = json_object(), *ann = json_object(), *v;
	const char *k;
	struct ev_buf *b = &d->tmp;

	json_object_set_new(labels, "alertname", json_string(name));
	json_object_set_new(labels, "metric", json_string(d->value_spec));
	json_object_set_new(labels, "severity", json_string(sev));
	json_object_foreach(s->cols, k, v) {
		ev_buf_reset(b);
		col_text(v, b);
		json_object_set_new(labels, k, json_string(b->data));
	}
	if (summ)
		json_object_set_new(ann, "summary", json_string(summ));
	if (e && e->sc.scored) {
		ev_buf_reset(b);
		ev_buf_add_num(b, e->sc.score);
		json_object_set_new(ann, "score", json_string(b->data));
		ev_buf_reset(b);
		ev_buf_add_num(b, e->value);
		json_object_set_new(ann, "value", json_string(b->data));
		ev_buf_reset(b);
		ev_buf_add_num(b, e->sc.expected);
		json_object_set_new(ann, "expected", json_string(b->data));
	}
	return json_pack("{s:s,s:o,s:o,s:o,s:o,s:s,s:s}",
	    "status", status, "labels", labels, "annotations", ann,
	    "startsAt", time_json(since),
	    "endsAt", ends == NOW_MIN ? json_string("0001-01-01T00:00:00Z") :
	    time_json(ends),
	    "generatorURL", "", "fingerprint", fp);
}

static void
am_flush(struct detect *d)
{
	json_t *msg;
	size_t i;
	json_t *a;
	const char *status = "resolved";

	if (json_array_size(d->am) == 0)
		return;
	json_array_foreach(d->am, i, a)
		if (strcmp(json_string_value(json_object_get(a, "status")),
		    "firing") == 0)
			status = "firing";
	msg = json_pack("{s:s,s:s,s:i,s:s,s:s,s:{},s:{s:s},s:{},s:s,s:O}",
	    "version", "4", "groupKey", "{}:{job=\"ev-detect\"}",
	    "truncatedAlerts", 0, "status", status, "receiver", "ev-detect",
	    "groupLabels", "commonLabels", "job", "ev-detect",
	    "commonAnnotations", "externalURL", "", "alerts", d->am);
	ev_buf_reset(&d->tmp);
	ev_json_write(msg, &d->tmp);
	ev_run_emit(&d->run, d->tmp.data, d->tmp.len);
	json_decref(msg);
	json_array_clear(d->am);
}

/* A no_data alert (firing or resolved) as a new record. */
static void
no_data(struct detect *d, struct series *s, int firing, ev_us_t at)
{
	char fp[17];
	struct ev_buf b = EV_BUF_INIT;
	const char *k;
	json_t *v, *a;

	ev_buf_adds(&b, s->key);
	ev_buf_adds(&b, "\x1fno_data");
	ev_state_fingerprint(b.data, fp);
	ev_buf_reset(&b);
	add_series_name(d, s, &b);
	ev_buf_adds(&b, firing ? ": no data since " : ": data again since ");
	{
		char tb[EV_TIME_BUFSZ];

		ev_buf_adds(&b, ev_time_format(firing ? s->last_end : at, -1,
		    tb));
	}
	if (d->mode == OUT_BACKTEST) {
		ev_buf_free(&b);
		return;
	}
	if (d->mode == OUT_ALERTMANAGER) {
		json_array_append_new(d->am, am_alert(d, s, "no_data",
		    firing ? "firing" : "resolved", "warning", s->last_end,
		    firing ? NOW_MIN : at, fp, b.data, NULL));
		ev_buf_free(&b);
		return;
	}
	a = json_pack("{s:n,s:s,s:s,s:s,s:s,s:o,s:s}", "score",
	    "status", firing ? "firing" : "resolved", "alertname", "no_data",
	    "fingerprint", fp, "severity", "warning",
	    "since", time_json(s->last_end), "summary", b.data);
	ev_buf_reset(&b);
	ev_buf_addc(&b, '{');
	ev_buf_add_jstr(&b, d->time_spec, strlen(d->time_spec));
	ev_buf_addc(&b, ':');
	add_time(&b, firing ? s->last_end : at);
	json_object_foreach(s->cols, k, v) {
		ev_buf_addc(&b, ',');
		ev_buf_add_jstr(&b, k, strlen(k));
		ev_buf_addc(&b, ':');
		ev_json_write(v, &b);
	}
	ev_buf_adds(&b, ",\"anomaly\":");
	ev_json_write(a, &b);
	ev_buf_addc(&b, '}');
	ev_run_emit(&d->run, b.data, b.len);
	json_decref(a);
	ev_buf_free(&b);
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
score_entry(struct detect *d, struct entry *e)
{
	struct series *s = e->s;
	struct ev_alert_params ap;
	struct ev_detect_point pt;
	ev_us_t step;
	int calm, floor_ok;

	if (s->queued >= 0 && &d->q[s->queued] == e)
		s->queued = -1;
	if (e->superseded || !e->final)
		return;
	/*
	 * Points without an end: the step is the smallest spacing seen so
	 * far (a gap is not a longer window).
	 */
	if (e->end > e->start)
		step = e->end - e->start;
	else {
		step = s->step;
		if (s->prev_start != NOW_MIN && e->start > s->prev_start &&
		    (step <= 0 || e->start - s->prev_start < step))
			step = e->start - s->prev_start;
	}
	if (step <= 0)
		step = EV_US_PER_HOUR;
	s->step = step;
	s->prev_start = e->start;
	if (d->bt && d->label_path) {
		if (s->btidx < 0)
			s->btidx = (long)ev_backtest_series(d->bt, s->cols);
	}
	if (e->gap) {
		/* Neither a zero nor calm: the episode waits for data. */
		if (d->bt && d->label_path)
			ev_backtest_point(d->bt, (size_t)s->btidx, e->start,
			    e->label, 0);
		return;
	}
	pt.value = e->value;
	/* The middle of the window is the time its value stands for. */
	pt.local_hours = local_hours(d, e->start + step / 2);
	pt.step_hours = (double)step / EV_US_PER_HOUR;
	ev_detect_model_step(s->model, &pt, &e->sc);
	floor_ok = d->min_value <= 0 ||
	    fmax(e->value, e->sc.expected) >= d->min_value;
	e->anomalous = e->sc.scored && e->sc.score >= d->threshold && floor_ok;
	calm = !e->sc.scored || e->sc.score < d->resolve_below || !floor_ok;
	ap = d->ap;
	if (ap.resolve_n == 0)
		ap.resolve_n = resolve_points(step);
	e->ev = ev_alert_step(&s->alert, &ap, e->start, e->anomalous, calm);
	e->st = s->alert.state;
	e->since = s->alert.pending_since;
	if (e->sc.scored && (e->anomalous || e->ev != EV_ALERT_NONE))
		e->summary = summary(d, e);
	if (d->bt && e->sc.scored)
		ev_backtest_span(d->bt, e->start, e->end > e->start ? e->end :
		    e->start + step);
	if (d->bt && d->label_path)
		ev_backtest_point(d->bt, (size_t)s->btidx, e->start, e->label,
		    e->ev == EV_ALERT_FIRED);
}

static void
output_entry(struct detect *d, struct entry *e)
{
	struct series *s = e->s;
	int announce = e->ev == EV_ALERT_FIRED || e->ev == EV_ALERT_REPEATED ||
	    e->ev == EV_ALERT_RESOLVED;

	if (s->absent && e->final) {
		s->absent = 0;
		no_data(d, s, 0, e->start);
	}
	switch (d->mode) {
	case OUT_ANNOTATE:
		ev_rec_add(&e->rec, "anomaly", anomaly_json(d, e));
		ev_run_pass(&d->run, &e->rec);
		return;
	case OUT_ALERTS:
		if (announce) {
			ev_rec_add(&e->rec, "anomaly", anomaly_json(d, e));
			ev_run_pass(&d->run, &e->rec);
			return;
		}
		break;
	case OUT_ALERTMANAGER:
		if (announce)
			json_array_append_new(d->am, am_alert(d, s, "anomaly",
			    e->ev == EV_ALERT_RESOLVED ? "resolved" : "firing",
			    severity(d, e), e->since,
			    e->ev == EV_ALERT_RESOLVED ? e->start : NOW_MIN,
			    s->fp, e->summary, e));
		break;
	case OUT_BACKTEST:
		if (e->ev == EV_ALERT_FIRED)
			ev_backtest_episode(d->bt, s->cols, e->start,
			    e->end > e->start ? e->end : e->start,
			    json_array_get(e->explain, 0));
		break;
	}
	d->run.n_aggregated++;
}

static void
entry_release(struct entry *e)
{
	if (e->prev) {
		entry_release(e->prev);
		free(e->prev);
	}
	ev_rec_clear(&e->rec);
	free(e->raw);
	json_decref(e->explain);
	json_decref(e->explanation);
	json_decref(e->total);
	free(e->summary);
	memset(e, 0, sizeof(*e));
}

/* No_data alerts and forgetting idle series, at stream time W. */
static void
check_series(struct detect *d)
{
	ev_us_t w = d->watermark;
	size_t i, j;
	int removed = 0;

	if (w == NOW_MIN)
		return;
	for (i = 0; i < d->nser; i++) {
		struct series *s = d->ser[i];

		if (d->absent_after > 0 && !s->absent &&
		    s->last_seen != NOW_MIN && s->queued < 0 &&
		    w - s->last_seen >= d->absent_after) {
			s->absent = 1;
			no_data(d, s, 1, w);
		}
	}
	if (d->series_ttl <= 0)
		return;
	for (i = j = 0; i < d->nser; i++) {
		struct series *s = d->ser[i];

		if (s->queued < 0 && s->last_seen != NOW_MIN &&
		    w - s->last_seen >= d->series_ttl) {
			series_free(s);
			removed = 1;
			continue;
		}
		d->ser[j++] = s;
	}
	d->nser = j;
	if (removed)
		table_rebuild(d, d->nslot);
}

/*
 * Score and write the held records that are complete: all when `all`, else
 * those whose window ended at least --evaluation-delay before the stream
 * time and that are older than the newest window.
 */
static void
flush(struct detect *d, int all)
{
	size_t from = d->qhead, to = d->qhead, i;

	while (to < d->qhead + d->qlen) {
		struct entry *e = &d->q[to];

		if (!all && !(e->start < d->watermark &&
		    (e->end > e->start ? e->end : e->start) + d->eval_delay <=
		    d->watermark))
			break;
		to++;
	}
	if (to == from)
		return;
	for (i = from; i < to; i++)
		score_entry(d, &d->q[i]);
	for (i = from; i < to; i++)
		if (d->q[i].anomalous && d->q[i].summary &&
		    (d->q[i].ev == EV_ALERT_FIRED ||
		    d->q[i].ev == EV_ALERT_REPEATED ||
		    d->q[i].ev == EV_ALERT_ONGOING ||
		    d->mode == OUT_ANNOTATE)) {
			explain(d, &d->q[i], from, to);
			context(d, &d->q[i], from, to);
		}
	for (i = from; i < to; i++) {
		struct entry *p;

		/* Replaced versions first, oldest first, unscored. */
		while ((p = d->q[i].prev) != NULL) {
			struct entry *pp = &d->q[i];

			while (pp->prev->prev)
				pp = pp->prev;
			p = pp->prev;
			pp->prev = NULL;
			output_entry(d, p);
			entry_release(p);
			free(p);
		}
		output_entry(d, &d->q[i]);
		entry_release(&d->q[i]);
	}
	d->qhead = to;
	d->qlen -= to - from;
	if (d->qlen == 0)
		d->qhead = 0;
	check_series(d);
	if (d->mode == OUT_ALERTMANAGER)
		am_flush(d);
}

static struct entry *
queue_push(struct detect *d)
{
	struct entry *e;
	size_t i;

	if (d->qhead + d->qlen == d->qcap) {
		if (d->qhead > 0) {
			/* Compact; fix the series' indexes. */
			memmove(d->q, d->q + d->qhead,
			    d->qlen * sizeof(*d->q));
			for (i = 0; i < d->nser; i++)
				if (d->ser[i]->queued >= 0)
					d->ser[i]->queued -= (long)d->qhead;
			d->qhead = 0;
		}
		if (d->qlen == d->qcap) {
			d->qcap = d->qcap ? 2 * d->qcap : 256;
			d->q = ev_xreallocarray(d->q, d->qcap, sizeof(*d->q));
		}
	}
	e = &d->q[d->qhead + d->qlen++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* The held, final, current version of series s's window at start. */
static struct entry *
find_held(struct detect *d, const struct series *s, ev_us_t start)
{
	size_t i;

	for (i = d->qhead + d->qlen; i > d->qhead; i--) {
		struct entry *e = &d->q[i - 1];

		if (e->s == s && e->start == start && e->final)
			return e;
	}
	return NULL;
}

/* One input line: reject it or hold it. */
static void
take_line(struct detect *d, const struct ev_line *line)
{
	struct ev_rec rec;
	struct entry *e;
	struct series *s;
	json_t *fin;
	ev_us_t start, end;
	double value, lv;
	int final, r, gap = 0, label = 0;
	char *raw;

	raw = ev_xstrndup(line->data, line->len);
	ev_rec_init(&rec);
	if (ev_rec_parse(&rec, raw, line->len) != 0) {
		ev_run_reject(&d->run, line, "parse",
		    ev_run_error(NULL, "%s", rec.err));
		ev_rec_clear(&rec);
		free(raw);
		return;
	}
	if (!ev_rec_is_object(&rec)) {
		ev_run_reject(&d->run, line, "type",
		    ev_run_error(NULL, "record is not an object"));
		ev_rec_clear(&rec);
		free(raw);
		return;
	}
	if ((r = ev_rec_time(&rec, d->time_path, &start)) != 0) {
		ev_run_reject(&d->run, line, "time",
		    ev_run_error(d->time_spec, "'%s' is %s", d->time_spec,
		    r == -1 ? "missing" : "not a valid time"));
		ev_rec_clear(&rec);
		free(raw);
		return;
	}
	if ((r = ev_rec_num(&rec, d->value_path, &value)) == -1 &&
	    json_is_null(ev_rec_get(&rec, d->value_path))) {
		/* A null value is a missing point, not a zero. */
		gap = 1;
		value = NAN;
	} else if (r != 0) {
		ev_run_reject(&d->run, line, "value",
		    ev_run_error(d->value_spec, "'%s' is %s", d->value_spec,
		    r == -1 ? "missing" : "not a number"));
		ev_rec_clear(&rec);
		free(raw);
		return;
	}
	if (ev_rec_time(&rec, d->end_path, &end) != 0)
		end = start;
	if (d->label_path) {
		json_t *lj = ev_rec_get(&rec, d->label_path);

		label = json_is_true(lj) || (ev_rec_num(&rec, d->label_path,
		    &lv) == 0 && lv != 0);
	}
	fin = ev_rec_get(&rec, d->final_path);
	final = !json_is_false(fin);
	series_key(d, &rec);
	s = series_find(d, d->key.data, d->key.len, NULL, &rec);
	if (final && s->max_start != NOW_MIN && start <= s->max_start) {
		/* A new version of a window still held replaces it there. */
		if ((e = find_held(d, s, start)) != NULL) {
			struct entry *old = ev_xmalloc(sizeof(*old));

			*old = *e;
			old->superseded = 1;
			e->prev = old;
			e->raw = raw;
			e->rec = rec;
			e->end = end;
			e->value = value;
			e->gap = gap;
			e->label = label;
			return;
		}
		if (start < s->max_start) {
			/* Name both windows: the newer one may still be
			 * held, not yet scored. */
			char b1[EV_TIME_BUFSZ], b2[EV_TIME_BUFSZ];

			ev_run_reject(&d->run, line, "late",
			    ev_run_error(d->time_spec, "window %s is older "
			    "than its series' last, %s",
			    ev_time_format(start, -1, b1),
			    ev_time_format(s->max_start, -1, b2)));
		} else
			ev_run_reject(&d->run, line, "duplicate",
			    ev_run_error(d->time_spec, "window was already "
			    "scored for its series"));
		ev_rec_clear(&rec);
		free(raw);
		return;
	}
	if (start > d->watermark || d->watermark == NOW_MIN) {
		d->watermark = start;
		flush(d, 0);
		/*
		 * The flush may have forgotten s under --series-ttl (it was
		 * quiet for the TTL up to this window): look it up again, so
		 * the window starts the series afresh.
		 */
		s = series_find(d, d->key.data, d->key.len, NULL, &rec);
	}
	e = queue_push(d);
	e->raw = raw;
	e->rec = rec;
	e->s = s;
	e->start = start;
	e->end = end;
	e->value = value;
	e->final = final;
	e->gap = gap;
	e->label = label;
	if (s->last_seen == NOW_MIN || start > s->last_seen)
		s->last_seen = start;
	if (end > s->last_end || s->last_end == NOW_MIN)
		s->last_end = end > start ? end : start;
	if (final) {
		s->max_start = start;
		s->queued = (long)(e - d->q);
	}
	if (d->first_start == NOW_MIN)
		d->first_start = start;
}

/* Write one JSON value as a line (steals v). */
static void
emit_json(struct detect *d, json_t *v)
{
	ev_buf_reset(&d->tmp);
	ev_json_write(v, &d->tmp);
	ev_run_emit(&d->run, d->tmp.data, d->tmp.len);
	json_decref(v);
}

/* State across runs. */

static char *
settings(const struct detect *d)
{
	struct ev_buf b = EV_BUF_INIT;

	/*
	 * Version 2: the seasonal model (also inside auto) changed shape; a
	 * robust, ewma or cusum state of version 1 still loads.
	 */
	ev_buf_printf(&b, "ev-detect/%d;method=%s;window=%d;alpha=%.17g;"
	    "value=%s;by=%s;time=%s;tz=%s",
	    d->mp.method == EV_DETECT_SEASONAL ||
	    d->mp.method == EV_DETECT_AUTO ? 2 : 1,
	    ev_detect_method_name(d->mp.method), d->mp.window, d->mp.alpha,
	    d->value_spec, d->by_spec ? d->by_spec : "*", d->time_spec,
	    d->tz_name);
	return ev_buf_detach(&b, NULL);
}

static json_t *
tjson(ev_us_t t)
{
	return t == NOW_MIN ? json_null() : json_integer(t);
}

static int
tload(const json_t *v, ev_us_t *t)
{
	if (json_is_null(v)) {
		*t = NOW_MIN;
		return 0;
	}
	if (!json_is_integer(v))
		return -1;
	*t = json_integer_value(v);
	return 0;
}

static int
state_save(struct detect *d)
{
	json_t *data, *arr;
	char err[256], *set;
	size_t i;
	int rc;

	arr = json_array();
	for (i = 0; i < d->nser; i++) {
		struct series *s = d->ser[i];
		struct ev_alert *a = &s->alert;

		json_array_append_new(arr, json_pack(
		    "{s:s,s:O,s:o,s:[i,i,i,I,I,I,I,I],s:o,s:o,s:o,s:I,s:b}",
		    "key", s->key, "cols", s->cols,
		    "model", ev_detect_model_save(s->model),
		    "alert", (int)a->state, a->pending, a->calm,
		    (json_int_t)a->pending_since, (json_int_t)a->started,
		    (json_int_t)a->last_sent, (json_int_t)a->resolved_at,
		    (json_int_t)a->episodes,
		    "last_seen", tjson(s->last_seen),
		    "last_end", tjson(s->last_end),
		    "max_start", tjson(s->max_start),
		    "step", (json_int_t)s->step, "absent", s->absent));
	}
	data = json_pack("{s:o,s:o}", "watermark", tjson(d->watermark),
	    "series", arr);
	set = settings(d);
	rc = ev_state_save(d->state_path, PROG, set, data, err, sizeof(err));
	if (rc != 0)
		ev_warn("%s", err);
	free(set);
	json_decref(data);
	return rc;
}

static int
state_load(struct detect *d)
{
	json_t *data = NULL, *arr, *v;
	char err[256], *set;
	enum ev_state_result r;
	size_t i;

	set = settings(d);
	r = ev_state_load(d->state_path, PROG, set, &data, err, sizeof(err));
	free(set);
	if (r == EV_STATE_MISSING)
		return 0;
	if (r == EV_STATE_BAD) {
		ev_warn("state '%s': %s", d->state_path, err);
		return -1;
	}
	arr = json_object_get(data, "series");
	if (tload(json_object_get(data, "watermark"), &d->watermark) != 0 ||
	    !json_is_array(arr))
		goto bad;
	json_array_foreach(arr, i, v) {
		const char *key;
		json_t *cols, *model, *ls, *le, *ms;
		json_int_t ps, st, lsent, ra, ep, step;
		int state, pend, calm, absent;
		struct series *s;

		if (json_unpack(v, "{s:s,s:o,s:o,s:[i,i,i,I,I,I,I,I],s:o,s:o,"
		    "s:o,s:I,s:b}", "key", &key, "cols", &cols,
		    "model", &model, "alert", &state, &pend, &calm, &ps, &st,
		    &lsent, &ra, &ep, "last_seen", &ls, "last_end", &le,
		    "max_start", &ms, "step", &step, "absent", &absent) != 0 ||
		    !json_is_object(cols) || state < 0 ||
		    state > EV_ALERT_FIRING)
			goto bad;
		s = series_find(d, key, strlen(key), cols, NULL);
		if (ev_detect_model_load(s->model, model) != 0 ||
		    tload(ls, &s->last_seen) || tload(le, &s->last_end) ||
		    tload(ms, &s->max_start))
			goto bad;
		s->alert.state = (enum ev_alert_state)state;
		s->alert.pending = pend;
		s->alert.calm = calm;
		s->alert.pending_since = ps;
		s->alert.started = st;
		s->alert.last_sent = lsent;
		s->alert.resolved_at = ra;
		s->alert.episodes = ep;
		s->step = step;
		s->absent = absent;
	}
	json_decref(data);
	return 0;
bad:
	ev_warn("state '%s': malformed data", d->state_path);
	json_decref(data);
	return -1;
}

static void
detect_free(struct detect *d)
{
	size_t i;

	for (i = 0; i < d->nser; i++)
		series_free(d->ser[i]);
	free(d->ser);
	free(d->slot);
	for (i = d->qhead; i < d->qhead + d->qlen; i++)
		entry_release(&d->q[i]);
	free(d->q);
	for (i = 0; i < d->nby; i++)
		ev_path_free(d->by[i]);
	free(d->by);
	ev_path_free(d->time_path);
	ev_path_free(d->end_path);
	ev_path_free(d->value_path);
	ev_path_free(d->final_path);
	ev_path_free(d->label_path);
	free(d->by_spec);
	free(d->value_spec);
	free(d->time_spec);
	free(d->tz_name);
	ev_tz_free(d->tz);
	json_decref(d->am);
	ev_backtest_free(d->bt);
	ev_buf_free(&d->key);
	ev_buf_free(&d->tmp);
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
	ev_run_init(&d.run, PROG, usage);
	ev_detect_params_default(&d.mp);
	d.ap.for_n = 1;
	d.ap.resolve_n = 0;	/* by the step: RESOLVE_SPAN */
	d.threshold = 0.9999;
	d.critical_pct = 50;
	d.value_spec = ev_xstrdup("count");
	d.time_spec = ev_xstrdup("start");
	d.tz_name = ev_xstrdup("UTC");
	d.watermark = d.first_start = NOW_MIN;
	d.tz_bucket = NOW_MIN;
	d.am = json_array();
	ev_buf_init(&d.key);
	ev_buf_init(&d.tmp);
	parse_options(&d, argc, argv);
	if (d.mode == OUT_BACKTEST && d.label_path)
		d.bt = ev_backtest_new();
	else if (d.mode == OUT_BACKTEST) {
		char err[512];

		d.bt = ev_backtest_new();
		if (ev_backtest_load(d.bt, d.labels_path, err,
		    sizeof(err)) != 0) {
			ev_warn("%s", err);
			detect_free(&d);
			json_decref(d.run.extra);
			return EV_EXIT_USAGE;
		}
	}
	if (d.state_path)
		ev_run_check_writable(&d.run, "state", d.state_path);
	if (d.state_path && state_load(&d) != 0) {
		detect_free(&d);
		json_decref(d.run.extra);	/* ev_run_finish is not reached */
		return EV_EXIT_RUNTIME;
	}

	ev_run_open(&d.run);
	for (;;) {
		/* Without a delay, a pause in the input completes a window. */
		k = ev_run_next(&d.run, &line,
		    d.qlen > 0 && d.eval_delay == 0 ? 0 : -1);
		if (k == EV_LINE_TIMEOUT) {
			flush(&d, 1);
			continue;
		}
		if (k != EV_LINE_OK)
			break;
		take_line(&d, &line);
	}
	flush(&d, 1);
	if (d.mode == OUT_BACKTEST && d.label_path) {
		size_t i;

		for (i = 0; i < ev_backtest_nseries(d.bt); i++)
			emit_json(&d, ev_backtest_series_report(d.bt, i));
		emit_json(&d, ev_backtest_labelled_report(d.bt));
	} else if (d.mode == OUT_BACKTEST)
		emit_json(&d, ev_backtest_report(d.bt, 0.3, 0));
	ev_run_stat(&d.run, "series", json_integer((json_int_t)d.nser));
	if (d.state_path && state_save(&d) != 0)
		d.run.failed = 1;
	status = ev_run_finish(&d.run);
	detect_free(&d);
	return status;
}
