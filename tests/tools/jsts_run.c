/*
 * jsts_run - run the JSON-Schema-Test-Suite against ev_schema.
 *
 * usage: jsts_run [-v] SUITE_DIR METASCHEMA_DIR [DRAFT...]
 *
 * For each draft (draft7, draft2019-09, draft2020-12 unless named) it runs
 * every file of tests/<draft>/ (required), tests/<draft>/optional/ and
 * tests/<draft>/optional/format/ (printed, not required; formats asserted),
 * with the suite's remotes/ registered under http://localhost:1234/ and the
 * official meta-schemas from METASCHEMA_DIR.  It prints one line per draft
 * and part ("draft2020-12 required: 1299/1299 passed"), the names of failing
 * required cases (and optional ones with -v), and exits 1 when a required
 * test fails.  It also runs output-tests/<draft>/content: our flag, basic
 * and detailed output must satisfy each test's schema ("draft2020-12
 * output: 5/5 passed"); a failure there also makes the exit status 1.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_common.h"
#include "ev_rec.h"
#include "ev_schema.h"

struct tally {
	unsigned long	pass, total;
	unsigned long	indexed;	/* cases the index path judged */
};

/*
 * Which verdict counts (EVKIT_SCHEMA_PATH): "tree", the jansson walker
 * alone; "index", the index walker where it can judge and the tree where
 * it cannot (as ev-validate does); unset, both, and each must be right.
 */
enum path { PATH_BOTH, PATH_TREE, PATH_INDEX };

static enum path
path_of_env(void)
{
	const char *e = getenv("EVKIT_SCHEMA_PATH");

	if (e && strcmp(e, "tree") == 0)
		return PATH_TREE;
	if (e && strcmp(e, "index") == 0)
		return PATH_INDEX;
	return PATH_BOTH;
}

/*
 * The index walker's verdict on data written out as a line and read back
 * by the record layer: 1, 0, or -1 when it cannot judge.  The line is
 * [data], since the record layer indexes a lone scalar not at all: the
 * data is handle 1.
 */
static int
index_verdict(struct ev_schema_ctx *ctx, const struct ev_schema *s,
    const json_t *data)
{
	json_t *wrap = json_pack("[O]", data);
	char *text = json_dumps(wrap, JSON_COMPACT);
	struct ev_rec r;
	int v = -1;

	json_decref(wrap);
	if (text == NULL)
		return -1;
	ev_rec_init(&r);
	if (ev_rec_parse(&r, text, strlen(text)) == 0)
		v = ev_schema_check_rec(ctx, s, &r, 1);
	ev_rec_clear(&r);
	free(text);
	return v;
}

static json_t *
load(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, JSON_ALLOW_NUL, &je);

	/* Integers beyond 64 bits: read them as reals, as ev_rec does. */
	if (j == NULL)
		j = json_load_file(path, JSON_DECODE_INT_AS_REAL |
		    JSON_ALLOW_NUL, &je);
	if (j == NULL)
		fprintf(stderr, "jsts_run: %s:%d: %s\n", path, je.line,
		    je.text);
	return j;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in dir ending in suffix (or directories when suffix NULL). */
static char **
list_dir(const char *dir, const char *suffix, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		if (suffix && (l < strlen(suffix) ||
		    strcmp(e->d_name + l - strlen(suffix), suffix) != 0))
			continue;
		v = ev_xreallocarray(v, *n + 1, sizeof(*v));
		v[(*n)++] = ev_xstrdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), cmpstr);
	return v;
}

static void
add_remotes(struct ev_schema_set *set, const char *dir, const char *uri)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		struct ev_buf p = EV_BUF_INIT, u = EV_BUF_INIT;
		size_t l = strlen(e->d_name);
		char err[512];
		if (e->d_name[0] == '.')
			continue;
		ev_buf_printf(&p, "%s/%s", dir, e->d_name);
		ev_buf_printf(&u, "%s/%s", uri, e->d_name);
		if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0) {
			json_t *doc = load(p.data);
			if (doc && ev_schema_set_add(set, doc, u.data, err,
			    sizeof(err)) == NULL)
				fprintf(stderr, "jsts_run: remote %s: %s\n",
				    u.data, err);
			json_decref(doc);
		} else
			add_remotes(set, p.data, u.data);
		ev_buf_free(&p);
		ev_buf_free(&u);
	}
	closedir(d);
}

static void
run_file(struct ev_schema_set *base, enum ev_schema_draft draft,
    const char *file, const char *label, int assert_format, int show,
    struct tally *t)
{
	enum path path = path_of_env();
	json_t *groups = load(file), *g, *tc;
	size_t gi, ti;
	struct ev_schema_ctx *ctx = ev_schema_ctx_new();

	ev_schema_ctx_assert_format(ctx, assert_format);
	json_array_foreach(groups, gi, g) {
		struct ev_schema_set *set = ev_schema_set_new(base, draft);
		char err[512] = "";
		struct ev_schema *s = ev_schema_set_add(set,
		    json_object_get(g, "schema"), NULL, err, sizeof(err));
		if (s && ev_schema_set_link(set, err, sizeof(err)) != 0)
			s = NULL;
		json_array_foreach(json_object_get(g, "tests"), ti, tc) {
			int want = json_is_true(json_object_get(tc, "valid"));
			int got = -1, iv = -1;
			json_t *data = json_object_get(tc, "data");
			if (s && path != PATH_TREE)
				iv = index_verdict(ctx, s, data);
			if (iv >= 0)
				t->indexed++;
			if (s && path == PATH_INDEX && iv >= 0)
				got = iv;
			else if (s) {
				got = ev_schema_valid(ctx, s, data);
				/* The two walkers must agree. */
				if (iv >= 0 && iv != got)
					got = -3;
				else if (!got) {
					/* So must the error walker. */
					json_t *e = ev_schema_errors(ctx, s,
					    data, 0);
					if (e == NULL ||
					    json_array_size(e) == 0)
						got = -2;
					json_decref(e);
				}
			}
			t->total++;
			if (got == want) {
				t->pass++;
				continue;
			}
			if (show)
				printf("  FAIL %s: %s / %s (expected %s%s%s%s)\n",
				    label,
				    json_string_value(json_object_get(g,
				    "description")),
				    json_string_value(json_object_get(tc,
				    "description")),
				    want ? "valid" : "invalid",
				    got == -3 ? "; the index and tree walkers disagree" :
				    "",
				    s ? "" : "; schema: ", s ? "" : err);
		}
		ev_schema_set_free(set);
	}
	ev_schema_ctx_free(ctx);
	json_decref(groups);
}

/*
 * output-tests/<draft>/content: each test gives, per output format, a schema
 * the validator's output must satisfy.  Formats evkit does not produce
 * (verbose) are skipped.
 */
static void
run_output_file(struct ev_schema_set *base, enum ev_schema_draft draft,
    const char *path, const char *label, struct tally *t)
{
	json_t *groups = load(path), *g, *tc, *fs, *osdoc;
	size_t gi, ti;
	const char *fmtname;
	struct ev_schema_ctx *ctx = ev_schema_ctx_new();
	struct ev_schema_set *obase = ev_schema_set_new(base, draft);
	struct ev_buf osp = EV_BUF_INIT;
	const char *slash = strrchr(path, '/');
	char e0[512];

	/*
	 * The suite's output-schema.json (beside content/) replaces the
	 * published 2019-09 one, whose "oneOf" no output can satisfy.
	 */
	ev_buf_add(&osp, path, slash ? (size_t)(slash - path) : 0);
	ev_buf_adds(&osp, "/../output-schema.json");
	if ((osdoc = load(osp.data)) != NULL) {
		if (ev_schema_set_add(obase, osdoc, NULL, e0, sizeof(e0)) ==
		    NULL || ev_schema_set_link(obase, e0, sizeof(e0)) != 0)
			fprintf(stderr, "jsts_run: %s: %s\n", osp.data, e0);
		json_decref(osdoc);
	}
	ev_buf_free(&osp);

	json_array_foreach(groups, gi, g) {
		struct ev_schema_set *set = ev_schema_set_new(base, draft);
		char err[512] = "";
		struct ev_schema *s = ev_schema_set_add(set,
		    json_object_get(g, "schema"), NULL, err, sizeof(err));
		if (s && ev_schema_set_link(set, err, sizeof(err)) != 0)
			s = NULL;
		json_array_foreach(json_object_get(g, "tests"), ti, tc) {
			json_object_foreach(json_object_get(tc, "output"),
			    fmtname, fs) {
				enum ev_schema_outfmt f;
				struct ev_schema_set *os;
				struct ev_schema *oschema;
				json_t *out;
				int ok = 0;
				if (strcmp(fmtname, "flag") == 0)
					f = EV_SCHEMA_OUT_FLAG;
				else if (strcmp(fmtname, "basic") == 0)
					f = EV_SCHEMA_OUT_BASIC;
				else if (strcmp(fmtname, "detailed") == 0)
					f = EV_SCHEMA_OUT_DETAILED;
				else
					continue;
				t->total++;
				if (s == NULL)
					goto report;
				out = ev_schema_output(ctx, s,
				    json_object_get(tc, "data"), f);
				os = ev_schema_set_new(obase, draft);
				oschema = ev_schema_set_add(os, fs, NULL, err,
				    sizeof(err));
				if (oschema && ev_schema_set_link(os, err,
				    sizeof(err)) == 0)
					ok = ev_schema_valid(ctx, oschema, out);
				ev_schema_set_free(os);
				if (!ok) {
					char *dump = json_dumps(out,
					    JSON_COMPACT);
					printf("  output: %s\n", dump);
					free(dump);
				}
				json_decref(out);
report:
				if (ok) {
					t->pass++;
					continue;
				}
				printf("  FAIL %s: %s / %s (%s output)\n", label,
				    json_string_value(json_object_get(g,
				    "description")),
				    json_string_value(json_object_get(tc,
				    "description")), fmtname);
			}
		}
		ev_schema_set_free(set);
	}
	ev_schema_set_free(obase);
	ev_schema_ctx_free(ctx);
	json_decref(groups);
}

static void
run_dir(struct ev_schema_set *base, enum ev_schema_draft draft,
    const char *dir, const char *label, int assert_format, int show,
    struct tally *t)
{
	size_t n, i;
	char **names = list_dir(dir, ".json", &n);

	for (i = 0; i < n; i++) {
		struct ev_buf p = EV_BUF_INIT, l = EV_BUF_INIT;
		ev_buf_printf(&p, "%s/%s", dir, names[i]);
		ev_buf_printf(&l, "%s/%s", label, names[i]);
		run_file(base, draft, p.data, l.data, assert_format, show, t);
		ev_buf_free(&p);
		ev_buf_free(&l);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	static const struct { const char *name; enum ev_schema_draft d; }
	    drafts[] = {
		{ "draft7", EV_SCHEMA_DRAFT7 },
		{ "draft2019-09", EV_SCHEMA_2019_09 },
		{ "draft2020-12", EV_SCHEMA_2020_12 },
	};
	const char *suite, *meta;
	int verbose = 0, status = 0, a = 1;
	size_t k;

	ev_set_progname("jsts_run");
	if (argc > 1 && strcmp(argv[1], "-v") == 0)
		verbose = 1, a++;
	if (argc - a < 2) {
		fprintf(stderr, "usage: jsts_run [-v] SUITE_DIR "
		    "METASCHEMA_DIR [DRAFT...]\n");
		return 2;
	}
	suite = argv[a];
	meta = argv[a + 1];
	for (k = 0; k < sizeof(drafts) / sizeof(drafts[0]); k++) {
		struct ev_schema_set *base;
		struct tally req = { 0, 0, 0 }, opt = { 0, 0, 0 },
		    fmt = { 0, 0, 0 }, out = { 0, 0, 0 };
		struct ev_buf dir = EV_BUF_INIT, rem = EV_BUF_INIT,
		    lab = EV_BUF_INIT;
		char err[512];
		int i, want = argc - a == 2;
		for (i = a + 2; i < argc; i++)
			if (strcmp(argv[i], drafts[k].name) == 0)
				want = 1;
		if (!want)
			continue;
		base = ev_schema_set_new(NULL, drafts[k].d);
		if (ev_schema_set_add_metaschemas(base, meta, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "jsts_run: %s\n", err);
			return 2;
		}
		ev_buf_printf(&rem, "%s/remotes", suite);
		add_remotes(base, rem.data, "http://localhost:1234");
		(void)ev_schema_set_link(base, err, sizeof(err));
		ev_buf_printf(&dir, "%s/tests/%s", suite, drafts[k].name);
		run_dir(base, drafts[k].d, dir.data, drafts[k].name, 0, 1,
		    &req);
		ev_buf_adds(&dir, "/optional");
		ev_buf_printf(&lab, "%s/optional", drafts[k].name);
		run_dir(base, drafts[k].d, dir.data, lab.data, 0, verbose,
		    &opt);
		ev_buf_adds(&dir, "/format");
		ev_buf_adds(&lab, "/format");
		run_dir(base, drafts[k].d, dir.data, lab.data, 1, verbose,
		    &fmt);
		{
			struct ev_buf od = EV_BUF_INIT;
			size_t nf, f;
			char **names;
			ev_buf_printf(&od, "%s/output-tests/%s/content", suite,
			    drafts[k].name);
			names = list_dir(od.data, ".json", &nf);
			for (f = 0; f < nf; f++) {
				struct ev_buf p = EV_BUF_INIT, l = EV_BUF_INIT;
				ev_buf_printf(&p, "%s/%s", od.data, names[f]);
				ev_buf_printf(&l, "%s/output/%s",
				    drafts[k].name, names[f]);
				run_output_file(base, drafts[k].d, p.data,
				    l.data, &out);
				ev_buf_free(&p);
				ev_buf_free(&l);
				free(names[f]);
			}
			free(names);
			ev_buf_free(&od);
		}
		printf("%s required: %lu/%lu passed\n", drafts[k].name,
		    req.pass, req.total);
		printf("%s optional: %lu/%lu passed\n", drafts[k].name,
		    opt.pass, opt.total);
		printf("%s optional/format: %lu/%lu passed\n", drafts[k].name,
		    fmt.pass, fmt.total);
		printf("%s index path judged: %lu/%lu required, %lu/%lu "
		    "optional, %lu/%lu format\n", drafts[k].name, req.indexed,
		    req.total, opt.indexed, opt.total, fmt.indexed, fmt.total);
		if (out.total)
			printf("%s output: %lu/%lu passed\n", drafts[k].name,
			    out.pass, out.total);
		fflush(stdout);
		if (req.total == 0 || req.pass != req.total ||
		    out.pass != out.total)
			status = 1;
		ev_schema_set_free(base);
		ev_buf_free(&dir);
		ev_buf_free(&rem);
		ev_buf_free(&lab);
	}
	return status;
}
