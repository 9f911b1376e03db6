/*
 * ev-validate - the ingest gate: every record against a JSON Schema (one
 * --schema, or a --registry of versioned schemas per event), valid lines out
 * byte for byte, invalid ones to the rejects with located errors; dedupe by
 * id within a window of event time; per-event quality stats and gates.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ev_common.h"
#include "ev_dedupe.h"
#include "ev_path.h"
#include "ev_filter.h"
#include "ev_rec.h"
#include "ev_registry.h"
#include "ev_run.h"
#include "ev_schema.h"
#include "ev_state.h"

#define PROG "ev-validate"
#define LAG_BUCKETS 1600
#define LAG_GAMMA 1.02
#define MAX_EVENT_NAMES 1000

static const char usage[] =
"usage: ev-validate (-s file | -r dir) [--assert-format] [--dedupe field]\n"
"                   [--dedupe-max n] [--dedupe-window dur] [--draft d]\n"
"                   [--duplicates file] [--event-field path]\n"
"                   [--max-errors n] [--output fmt] [--state file]\n"
"                   [--time-field path] [--track fields]\n"
"                   [--version-field path] [--where expr]\n"
"                   [common options]\n"
"Validate NDJSON records against JSON Schema; valid lines go to stdout\n"
"unchanged, invalid ones to the rejects.\n"
"\n"
"  --assert-format        enforce \"format\" (date-time, email, uuid, ...)\n"
"  --dedupe FIELD         drop repeats of FIELD's value within the window\n"
"  --dedupe-max N         remember at most N ids (1000000)\n"
"  --dedupe-window DUR    span of event time for --dedupe (10m)\n"
"  --draft D              dialect without $schema: 7, 2019-09, 2020-12\n"
"                         (2020-12)\n"
"  --duplicates FILE      write the records --dedupe drops to FILE, not to\n"
"                         the rejects\n"
"  --event-field PATH     event name field for --registry (event)\n"
"  --max-errors N         errors listed per rejected record, 0 all (10)\n"
"  --output FMT           errors as flag, basic or detailed output units\n"
"  -r, --registry DIR     schemas as DIR/<event>/<MODEL-REVISION-ADDITION>.json\n"
"  -s, --schema FILE      validate every record against this schema\n"
"  --state FILE           keep the --dedupe ids across runs\n"
"  --time-field PATH      event time for dedupe and ingest lag (ts)\n"
"  --track FIELDS         comma-separated fields whose completeness to count\n"
"  --version-field PATH   SchemaVer field for --registry (version)\n"
"  --where EXPR           pass on only the valid records where EXPR is\n"
"                         true; count the others as filtered (evkit(7))\n"
EV_RUN_HELP;

enum {
	OPT_ASSERT_FORMAT = EV_OPT_FIRST_TOOL,
	OPT_DEDUPE,
	OPT_DEDUPE_MAX,
	OPT_DEDUPE_WINDOW,
	OPT_DRAFT,
	OPT_DUPLICATES,
	OPT_EVENT_FIELD,
	OPT_MAX_ERRORS,
	OPT_OUTPUT,
	OPT_STATE,
	OPT_TIME_FIELD,
	OPT_TRACK,
	OPT_VERSION_FIELD,
	OPT_WHERE
};

static const struct option longopts[] = {
	{ "assert-format", no_argument, NULL, OPT_ASSERT_FORMAT },
	{ "dedupe", required_argument, NULL, OPT_DEDUPE },
	{ "dedupe-max", required_argument, NULL, OPT_DEDUPE_MAX },
	{ "dedupe-window", required_argument, NULL, OPT_DEDUPE_WINDOW },
	{ "draft", required_argument, NULL, OPT_DRAFT },
	{ "duplicates", required_argument, NULL, OPT_DUPLICATES },
	{ "event-field", required_argument, NULL, OPT_EVENT_FIELD },
	{ "max-errors", required_argument, NULL, OPT_MAX_ERRORS },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "registry", required_argument, NULL, 'r' },
	{ "schema", required_argument, NULL, 's' },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "time-field", required_argument, NULL, OPT_TIME_FIELD },
	{ "track", required_argument, NULL, OPT_TRACK },
	{ "version-field", required_argument, NULL, OPT_VERSION_FIELD },
	{ "where", required_argument, NULL, OPT_WHERE },
	EV_RUN_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

struct evstat {
	char		*name;
	uint64_t	 valid, invalid, duplicate, unknown, limit;
	json_t		*by_kw;
	uint64_t	*lag;		/* histogram of lag in ms */
	uint64_t	 lag_n;
	double		 lag_max;
	uint64_t	*present;	/* per --track field */
};

struct opts {
	const char	*schema_file, *registry_dir, *state_file;
	const char	*dedupe_field, *dup_file;
	ev_us_t		 dedupe_window;
	size_t		 dedupe_max;
	size_t		 max_errors;
	int		 output;	/* -1 evkit errors, else ev_schema_outfmt */
	int		 assert_format;
	enum ev_schema_draft draft;
	struct ev_path	*event_path, *version_path, *time_path, *dedupe_path;
	struct ev_path	**track;
	size_t		 n_track;
	char		*track_spec;
};

struct gate {
	struct ev_run		 run;
	struct opts		 o;
	struct ev_filter	 where;		/* --where */
	struct ev_schema_set	*meta;
	struct ev_registry	*reg;
	struct ev_schema_ctx	*ctx;
	struct ev_dedupe	*dd;
	FILE			*dup_fp;	/* --duplicates */
	struct evstat		*st;
	size_t			 n_st;
	json_t			*by_kw;	/* all events */
	uint64_t		 valid, invalid, unknown, limit;
	char			 settings[256];
	/* Records judged on the index, or by the tree (EVKIT_SCHEMA_PATH). */
	int			 index;
	int			 path_note;
	uint64_t		 by_index[2], by_tree;	/* invalid, valid */
};

static struct ev_path *
compile_path(struct ev_run *run, const char *opt, const char *spec)
{
	const char *errstr;
	struct ev_path *p = ev_path_compile(spec, &errstr);

	if (p == NULL)
		ev_run_usage_error(run, "%s '%s': %s", opt, spec, errstr);
	return p;
}

static void
parse_track(struct gate *g, const char *spec)
{
	char *s, *p, *comma;

	free(g->o.track_spec);
	g->o.track_spec = ev_xstrdup(spec);
	s = ev_xstrdup(spec);
	for (p = s; p && *p; p = comma) {
		comma = strchr(p, ',');
		if (comma)
			*comma++ = '\0';
		if (*p == '\0')
			continue;
		g->o.track = ev_xreallocarray(g->o.track, g->o.n_track + 1,
		    sizeof(*g->o.track));
		g->o.track[g->o.n_track++] = compile_path(&g->run, "--track",
		    p);
	}
	free(s);
}

static void
parse_options(struct gate *g, int argc, char **argv)
{
	static const char *const drafts[] = { "7", "draft-07", "2019-09",
	    "2020-12", NULL };
	static const enum ev_schema_draft draft_of[] = { EV_SCHEMA_DRAFT7,
	    EV_SCHEMA_DRAFT7, EV_SCHEMA_2019_09, EV_SCHEMA_2020_12 };
	static const char *const outputs[] = { "flag", "basic", "detailed",
	    NULL };
	static const enum ev_schema_outfmt output_of[] = { EV_SCHEMA_OUT_FLAG,
	    EV_SCHEMA_OUT_BASIC, EV_SCHEMA_OUT_DETAILED };
	struct ev_run *run = &g->run;
	const char *errstr, *event_field = "event", *version_field = "version";
	const char *time_field = "ts";
	char err[1024];
	struct stat st;
	int c, i;

	g->o.dedupe_window = 10 * EV_US_PER_MIN;
	g->o.dedupe_max = 1000000;
	g->o.max_errors = 10;
	g->o.output = -1;
	g->o.draft = EV_SCHEMA_2020_12;
	while ((c = ev_run_getopt(run, argc, argv, "hr:s:V", longopts)) != -1) {
		switch (c) {
		case OPT_ASSERT_FORMAT:
			g->o.assert_format = 1;
			break;
		case OPT_DEDUPE:
			g->o.dedupe_field = optarg;
			break;
		case OPT_DEDUPE_MAX:
			g->o.dedupe_max = (size_t)ev_strtonum(optarg, 1,
			    100000000, &errstr);
			if (errstr)
				ev_run_usage_error(run, "--dedupe-max '%s' is "
				    "%s", optarg, errstr);
			break;
		case OPT_DEDUPE_WINDOW:
			g->o.dedupe_window = ev_run_duration(run,
			    "--dedupe-window", optarg, 1);
			break;
		case OPT_DRAFT:
			if ((i = ev_word_index(optarg, drafts)) < 0)
				ev_run_usage_error(run, "--draft '%s' is not "
				    "7, 2019-09 or 2020-12", optarg);
			g->o.draft = draft_of[i];
			break;
		case OPT_DUPLICATES:
			g->o.dup_file = optarg;
			break;
		case OPT_EVENT_FIELD:
			event_field = optarg;
			break;
		case OPT_MAX_ERRORS:
			g->o.max_errors = (size_t)ev_strtonum(optarg, 0,
			    1000000, &errstr);
			if (errstr)
				ev_run_usage_error(run, "--max-errors '%s' is "
				    "%s", optarg, errstr);
			break;
		case OPT_OUTPUT:
			if ((i = ev_word_index(optarg, outputs)) < 0)
				ev_run_usage_error(run, "--output '%s' is not "
				    "flag, basic or detailed", optarg);
			g->o.output = (int)output_of[i];
			break;
		case 'r':
			g->o.registry_dir = optarg;
			break;
		case 's':
			g->o.schema_file = optarg;
			break;
		case OPT_STATE:
			g->o.state_file = optarg;
			break;
		case OPT_TIME_FIELD:
			time_field = optarg;
			break;
		case OPT_TRACK:
			parse_track(g, optarg);
			break;
		case OPT_VERSION_FIELD:
			version_field = optarg;
			break;
		case OPT_WHERE:
			if (ev_filter_add(&g->where, "--where", optarg, err,
			    sizeof(err)) != 0)
				ev_run_usage_error(run, "%s", err);
			run->filtering = 1;
			break;
		default:
			ev_run_usage_error(run, "unknown option");
		}
	}
	ev_run_no_operands(run, argc, argv);
	g->o.event_path = compile_path(run, "--event-field", event_field);
	g->o.version_path = compile_path(run, "--version-field",
	    version_field);
	g->o.time_path = compile_path(run, "--time-field", time_field);
	if (ev_filter_compile(&g->where, g->o.time_path, err, sizeof(err)) !=
	    0)
		ev_run_usage_error(run, "%s", err);
	if ((g->o.schema_file == NULL) == (g->o.registry_dir == NULL))
		ev_run_usage_error(run, "give one of --schema and --registry");
	/* A folder given to --schema is a registry. */
	if (g->o.schema_file && stat(g->o.schema_file, &st) == 0 &&
	    S_ISDIR(st.st_mode)) {
		g->o.registry_dir = g->o.schema_file;
		g->o.schema_file = NULL;
	}
	if (g->o.state_file && !g->o.dedupe_field)
		ev_run_usage_error(run, "--state needs --dedupe");
	if (g->o.dup_file && !g->o.dedupe_field)
		ev_run_usage_error(run, "--duplicates needs --dedupe");
	if (g->o.dedupe_field)
		g->o.dedupe_path = compile_path(run, "--dedupe",
		    g->o.dedupe_field);
}

/* The meta-schemas: $EVKIT_METASCHEMAS, the installed copy, the source tree. */
static void
load_meta(struct gate *g)
{
	char err[512], exe[PATH_MAX];
	const char *env = getenv("EVKIT_METASCHEMAS");
	struct ev_buf b = EV_BUF_INIT;
	ssize_t n;

	g->meta = ev_schema_set_new(NULL, g->o.draft);
	if (env && *env) {
		ev_buf_adds(&b, env);
	} else if (access(EV_DATADIR "/schemas/metaschemas", R_OK) == 0) {
		ev_buf_adds(&b, EV_DATADIR "/schemas/metaschemas");
	} else if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		char *slash;
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		ev_buf_printf(&b, "%s/../schemas/metaschemas", exe);
	}
	if (b.data && access(b.data, R_OK) == 0 &&
	    ev_schema_set_add_metaschemas(g->meta, b.data, err,
	    sizeof(err)) != 0)
		ev_warn("meta-schemas: %s", err);
	ev_buf_free(&b);
}

static struct ev_registry *
load_registry(struct gate *g, char *err, size_t errlen)
{
	if (g->o.registry_dir)
		return ev_registry_load(g->o.registry_dir, g->meta, g->o.draft,
		    err, errlen);
	return ev_registry_load_file(g->o.schema_file, g->meta, g->o.draft,
	    err, errlen);
}

static void
reload(struct gate *g)
{
	char err[512];
	struct ev_registry *r = load_registry(g, err, sizeof(err));

	if (r == NULL) {
		ev_warn("reload failed, keeping the previous schemas: %s", err);
		return;
	}
	ev_registry_free(g->reg);
	g->reg = r;
	ev_warn("reloaded %zu schema%s from '%s'", ev_registry_count(r),
	    ev_registry_count(r) == 1 ? "" : "s",
	    g->o.registry_dir ? g->o.registry_dir : g->o.schema_file);
}

static struct evstat *
stat_for(struct gate *g, const char *name, size_t n)
{
	size_t i;
	struct evstat *s;

	for (i = 0; i < g->n_st; i++)
		if (strlen(g->st[i].name) == n &&
		    memcmp(g->st[i].name, name, n) == 0)
			return &g->st[i];
	if (g->n_st >= MAX_EVENT_NAMES) {
		/* Bounded memory: the rest share one entry. */
		name = "(other)";
		n = strlen(name);
		for (i = 0; i < g->n_st; i++)
			if (strcmp(g->st[i].name, name) == 0)
				return &g->st[i];
	}
	g->st = ev_xreallocarray(g->st, g->n_st + 1, sizeof(*g->st));
	s = &g->st[g->n_st++];
	memset(s, 0, sizeof(*s));
	s->name = ev_xstrndup(name, n);
	s->by_kw = json_object();
	s->lag = ev_xcalloc(LAG_BUCKETS, sizeof(*s->lag));
	s->present = ev_xcalloc(g->o.n_track + 1, sizeof(*s->present));
	return s;
}

static void
count_kw(json_t *obj, const char *kw)
{
	json_t *v = json_object_get(obj, kw);

	json_object_set_new(obj, kw, json_integer(v ?
	    json_integer_value(v) + 1 : 1));
}

/* The keyword name at the end of an error's keyword location. */
static const char *
keyword_of(const json_t *e)
{
	const char *k = json_string_value(json_object_get(e, "keyword"));
	const char *s;

	if (k == NULL)
		k = json_string_value(json_object_get(e, "keywordLocation"));
	if (k == NULL || (s = strrchr(k, '/')) == NULL || s[1] == '\0')
		return "schema";
	return s + 1;
}

static void
add_lag(struct evstat *s, double ms)
{
	size_t b = 0;

	if (ms > s->lag_max || s->lag_n == 0)
		s->lag_max = ms;
	if (ms > 1)
		b = 1 + (size_t)(log(ms) / log(LAG_GAMMA));
	if (b >= LAG_BUCKETS)
		b = LAG_BUCKETS - 1;
	s->lag[b]++;
	s->lag_n++;
}

static double
lag_quantile(const struct evstat *s, double q)
{
	uint64_t want = (uint64_t)ceil(q * (double)s->lag_n), acc = 0;
	size_t b;

	if (want == 0)
		want = 1;
	for (b = 0; b < LAG_BUCKETS; b++) {
		acc += s->lag[b];
		if (acc >= want) {
			double v = b == 0 ? 0 : pow(LAG_GAMMA, (double)b - 0.5);
			return v > s->lag_max ? s->lag_max : v;
		}
	}
	return s->lag_max;
}

static json_t *
round3(double v)
{
	return json_real(round(v * 1000) / 1000);
}

static void
write_stats(struct gate *g)
{
	json_t *events = json_object();
	size_t i, k;

	for (i = 0; i < g->n_st; i++) {
		struct evstat *s = &g->st[i];
		json_t *e = json_pack("{s:I,s:I,s:O,s:I,s:I,s:I}",
		    "valid", (json_int_t)s->valid,
		    "invalid", (json_int_t)s->invalid,
		    "invalid_by_keyword", s->by_kw,
		    "duplicate", (json_int_t)s->duplicate,
		    "unknown_schema", (json_int_t)s->unknown,
		    "resource_limit", (json_int_t)s->limit);
		if (s->lag_n)
			json_object_set_new(e, "lag_ms", json_pack("{s:o,s:o,"
			    "s:o}", "p50", round3(lag_quantile(s, 0.5)),
			    "p95", round3(lag_quantile(s, 0.95)),
			    "max", round3(s->lag_max)));
		if (g->o.n_track) {
			json_t *c = json_object();
			for (k = 0; k < g->o.n_track; k++)
				json_object_set_new(c, g->o.track[k]->spec,
				    s->valid ? round3((double)s->present[k] /
				    (double)s->valid) : json_null());
			json_object_set_new(e, "completeness", c);
		}
		json_object_set_new(events, s->name, e);
	}
	ev_run_stat(&g->run, "valid", json_integer((json_int_t)g->valid));
	ev_run_stat(&g->run, "invalid", json_integer((json_int_t)g->invalid));
	ev_run_stat(&g->run, "unknown_schema",
	    json_integer((json_int_t)g->unknown));
	ev_run_stat(&g->run, "resource_limit",
	    json_integer((json_int_t)g->limit));
	ev_run_stat(&g->run, "invalid_by_keyword", json_incref(g->by_kw));
	if (g->dd)
		ev_run_stat(&g->run, "dedupe_ids",
		    json_integer((json_int_t)ev_dedupe_count(g->dd)));
	ev_run_stat(&g->run, "events", events);
}

/* Errors for the reject record in the chosen shape.  New reference. */
static json_t *
errors_for(struct gate *g, const struct ev_schema *s, const json_t *inst,
    json_t **evkit)
{
	json_t *out, *list;

	*evkit = ev_schema_errors(g->ctx, s, inst, g->o.max_errors);
	if (g->o.output < 0 || g->run.rejects_path == NULL)
		return json_incref(*evkit);
	out = ev_schema_output(g->ctx, s, inst,
	    (enum ev_schema_outfmt)g->o.output);
	if (g->o.output == EV_SCHEMA_OUT_BASIC) {
		list = json_incref(json_object_get(out, "errors"));
		json_decref(out);
		if (g->o.max_errors)
			while (json_array_size(list) > g->o.max_errors)
				json_array_remove(list,
				    json_array_size(list) - 1);
		return list;
	}
	list = json_array();
	json_array_append_new(list, out);
	return list;
}

/*
 * The Iglu self-describing form {"schema":"iglu:...","data":{...}}: 1 with
 * the schema URI (*uri, *n) and the data, as the handle *dh of the index
 * or, without one, the member *data of the tree.
 */
static int
iglu_of(const struct gate *g, struct ev_rec *rec, const char **uri,
    size_t *n, int *dh, const json_t **data)
{
	const json_t *root, *schema;
	int sh, d;

	*dh = -1;
	*data = NULL;
	if (g->index && ev_rec_h_ok(rec)) {
		if (ev_rec_kind(rec, 0) != 'o')
			return 0;
		/* Most records have no "data": one look for the usual case. */
		if ((d = ev_rec_h_member(rec, 0, "data", 4)) < 0 ||
		    ev_rec_kind(rec, d) != 'o' ||
		    (sh = ev_rec_h_member(rec, 0, "schema", 6)) < 0 ||
		    ev_rec_kind(rec, sh) != 's')
			return 0;
		*uri = ev_rec_h_str(rec, sh, n);
		*dh = d;
		return *n >= 5 && memcmp(*uri, "iglu:", 5) == 0;
	}
	root = ev_rec_root(rec);
	schema = json_object_get(root, "schema");
	*data = json_object_get(root, "data");
	if (!json_is_string(schema) || !json_is_object(*data))
		return 0;
	*uri = json_string_value(schema);
	*n = json_string_length(schema);
	return strncmp(*uri, "iglu:", 5) == 0;
}

static void
validate(struct gate *g, struct ev_line *line, struct ev_rec *rec)
{
	const json_t *inst = NULL, *data, *v;
	const struct ev_schema *s;
	enum ev_registry_res res = EV_REG_OK;
	const char *name = "-", *key = NULL, *ver = NULL, *uri;
	size_t name_n = 1, ver_n = 0, uri_n;
	struct evstat *st;
	ev_us_t t;
	int have_t, iglu = 0, ih = 0, dh, verdict = -1;

	if (g->o.registry_dir) {
		if ((iglu = iglu_of(g, rec, &uri, &uri_n, &dh, &data))) {
			inst = data;
			ih = dh;
			s = ev_registry_find_iglu(g->reg, uri, uri_n, &res,
			    &key);
			name = key ? key : uri;
			name_n = key ? strlen(key) : strnlen(uri, uri_n);
		} else {
			if (ev_rec_str(rec, g->o.event_path, &name,
			    &name_n) != 0) {
				name = "-";
				name_n = 1;
				s = NULL;
				res = EV_REG_NO_EVENT;
			} else {
				if (ev_rec_str(rec, g->o.version_path, &ver,
				    &ver_n) != 0)
					ver = NULL;
				s = ev_registry_find(g->reg, name, name_n, ver,
				    ver_n, &res, NULL);
			}
		}
	} else {
		s = ev_registry_find(g->reg, "", 0, NULL, 0, &res, NULL);
		if (ev_rec_str(rec, g->o.event_path, &name, &name_n) != 0) {
			name = "-";
			name_n = 1;
		}
	}
	st = stat_for(g, name, name_n);
	if (s == NULL) {
		st->unknown++;
		g->unknown++;
		if (res == EV_REG_NO_VERSION && ver)
			ev_run_reject(&g->run, line, "unknown_schema",
			    ev_run_error(NULL, "no schema for version \"%.*s\" "
			    "of event \"%.*s\"", (int)ver_n, ver, (int)name_n,
			    name));
		else if (name_n == 1 && name[0] == '-')
			ev_run_reject(&g->run, line, "unknown_schema",
			    ev_run_error(NULL, "no event name in '%s'",
			    g->o.event_path->spec));
		else
			ev_run_reject(&g->run, line, "unknown_schema",
			    ev_run_error(NULL, "no schema for event \"%.*s\"",
			    (int)name_n, name));
		return;
	}
	/*
	 * The index judges when it can; "invalid" and "cannot judge" go to
	 * the tree, which alone builds errors, so both paths report alike.
	 */
	if (g->index && ih >= 0)
		verdict = ev_schema_check_rec(g->ctx, s, rec, ih);
	if (verdict >= 0)
		g->by_index[verdict]++;
	else
		g->by_tree++;
	if (verdict != 1 && inst == NULL)
		inst = iglu ? json_object_get(ev_rec_root(rec), "data") :
		    ev_rec_root(rec);
	if (verdict != 1 && !ev_schema_valid(g->ctx, s, inst)) {
		json_t *evkit, *errs, *e;
		size_t i;
		if (ev_schema_ctx_limit(g->ctx) != NULL) {
			/*
			 * A pattern gave up (stack, match or heap limit): the
			 * schema could not decide, which is no verdict of
			 * "valid" nor of "does not match".
			 */
			errs = errors_for(g, s, inst, &evkit);
			json_decref(evkit);
			st->limit++;
			g->limit++;
			ev_run_reject(&g->run, line, "resource_limit", errs);
			return;
		}
		errs = errors_for(g, s, inst, &evkit);
		st->invalid++;
		g->invalid++;
		json_array_foreach(evkit, i, e) {
			count_kw(st->by_kw, keyword_of(e));
			count_kw(g->by_kw, keyword_of(e));
		}
		json_decref(evkit);
		ev_run_reject(&g->run, line, "schema", errs);
		return;
	}
	/* --where after validation: a filtered record is counted apart. */
	if (ev_filter_skip(&g->where, &g->run, line, rec))
		return;
	have_t = ev_rec_time(rec, g->o.time_path, &t) == 0;
	if (g->dd) {
		const char *id;
		size_t idn;
		char num[64];
		const json_t *idv = ev_rec_get(rec, g->o.dedupe_path);
		id = NULL;
		if (json_is_string(idv)) {
			id = json_string_value(idv);
			idn = json_string_length(idv);
		} else if (json_is_integer(idv)) {
			idn = (size_t)snprintf(num, sizeof(num), "%lld",
			    (long long)json_integer_value(idv));
			id = num;
		}
		if (id && ev_dedupe_check(g->dd, id, idn, have_t ? t :
		    ev_time_now())) {
			st->duplicate++;
			/* To --duplicates, else the reject stream. */
			ev_run_reject_to(&g->run, g->dup_fp, line, "duplicate",
			    ev_run_error(NULL, "%s \"%.*s\" seen within the "
			    "window", g->o.dedupe_field, (int)idn, id));
			return;
		}
	}
	st->valid++;
	g->valid++;
	if (have_t)
		add_lag(st, (double)(ev_time_now() - t) / 1000.0);
	if (g->o.n_track) {
		size_t k;
		for (k = 0; k < g->o.n_track; k++) {
			v = ev_rec_get(rec, g->o.track[k]);
			if (v && !json_is_null(v))
				st->present[k]++;
		}
	}
	ev_run_pass(&g->run, rec);
}

/*
 * EVKIT_SCHEMA_PATH, a test hook: "tree" builds every line's tree and
 * checks it as before the index walker; "index" is the default path plus
 * a count on stderr at the end of how many records each path judged.
 */
static void
schema_path(struct gate *g)
{
	const char *e = getenv("EVKIT_SCHEMA_PATH");

	g->index = e == NULL || strcmp(e, "tree") != 0;
	g->path_note = e != NULL && strcmp(e, "index") == 0;
}

static int
dedupe_open(struct gate *g)
{
	char err[256], w[EV_TIME_BUFSZ];
	json_t *data = NULL;
	enum ev_state_result r;

	g->dd = ev_dedupe_new(g->o.dedupe_window, g->o.dedupe_max);
	snprintf(g->settings, sizeof(g->settings), "dedupe=%s window=%s",
	    g->o.dedupe_field, ev_duration_format(g->o.dedupe_window, w));
	if (!g->o.state_file)
		return 0;
	r = ev_state_load(g->o.state_file, PROG, g->settings, &data, err,
	    sizeof(err));
	if (r == EV_STATE_BAD) {
		ev_warn("state file '%s': %s", g->o.state_file, err);
		return -1;
	}
	if (r == EV_STATE_OK && ev_dedupe_restore(g->dd, data) != 0) {
		ev_warn("state file '%s': malformed dedupe ids",
		    g->o.state_file);
		json_decref(data);
		return -1;
	}
	json_decref(data);
	return 0;
}

static void
dedupe_save(struct gate *g)
{
	char err[256];
	json_t *data;

	if (!g->dd || !g->o.state_file)
		return;
	data = ev_dedupe_save(g->dd);
	if (ev_state_save(g->o.state_file, PROG, g->settings, data, err,
	    sizeof(err)) != 0) {
		ev_warn("%s", err);
		g->run.failed = 1;
	}
	json_decref(data);
}

static void
gate_free(struct gate *g)
{
	size_t i;

	for (i = 0; i < g->n_st; i++) {
		free(g->st[i].name);
		json_decref(g->st[i].by_kw);
		free(g->st[i].lag);
		free(g->st[i].present);
	}
	free(g->st);
	json_decref(g->by_kw);
	for (i = 0; i < g->o.n_track; i++)
		ev_path_free(g->o.track[i]);
	free(g->o.track);
	free(g->o.track_spec);
	ev_path_free(g->o.event_path);
	ev_path_free(g->o.version_path);
	ev_path_free(g->o.time_path);
	ev_path_free(g->o.dedupe_path);
	ev_filter_free(&g->where);
	ev_dedupe_free(g->dd);
	ev_schema_ctx_free(g->ctx);
	ev_registry_free(g->reg);
	ev_schema_set_free(g->meta);
}

int
main(int argc, char **argv)
{
	static struct gate g;
	struct ev_line line;
	struct ev_rec rec;
	enum ev_line_kind k;
	char err[512];
	int status;

	ev_set_argv0_base(argv);
	ev_run_init(&g.run, PROG, usage);
	g.run.usage_more = EV_EXPR_HELP;
	parse_options(&g, argc, argv);

	load_meta(&g);
	g.reg = load_registry(&g, err, sizeof(err));
	if (g.reg == NULL) {
		ev_warn("%s", err);
		status = EV_EXIT_USAGE;
		goto out;
	}
	g.ctx = ev_schema_ctx_new();
	ev_schema_ctx_assert_format(g.ctx, g.o.assert_format);
	g.by_kw = json_object();
	if (g.o.state_file)
		ev_run_check_writable(&g.run, "state", g.o.state_file);
	if (g.o.dedupe_path && dedupe_open(&g) != 0) {
		status = EV_EXIT_RUNTIME;
		goto out;
	}
	if (g.o.dup_file)
		g.dup_fp = ev_run_open_file(&g.run, "duplicates", g.o.dup_file);
	ev_run_open(&g.run);

	ev_rec_init(&rec);
	schema_path(&g);
	if (!g.index)
		ev_rec_eager(&rec);	/* every line's whole tree */
	for (;;) {
		/* Wake up now and then so a SIGHUP reloads promptly. */
		k = ev_run_next(&g.run, &line, EV_US_PER_SEC / 4);
		if (ev_run_take_reload())
			reload(&g);
		if (k == EV_LINE_TIMEOUT) {
			if (g.dup_fp)
				fflush(g.dup_fp);
			continue;
		}
		if (k != EV_LINE_OK)
			break;
		if (ev_rec_parse(&rec, line.data, line.len) != 0) {
			ev_run_reject_parse(&g.run, &line, rec.err);
			continue;
		}
		validate(&g, &line, &rec);
	}
	ev_rec_clear(&rec);
	if (g.path_note)
		ev_warn("schema path: %llu valid and %llu invalid on the "
		    "index, %llu judged by the tree",
		    (unsigned long long)g.by_index[1],
		    (unsigned long long)g.by_index[0],
		    (unsigned long long)g.by_tree);
	g.dup_fp = NULL;	/* ev_run_finish closes it */
	dedupe_save(&g);
	write_stats(&g);
	status = ev_run_finish(&g.run);
out:
	ev_run_release(&g.run);
	gate_free(&g);
	return status;
}
