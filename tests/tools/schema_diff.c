/*
 * schema_diff - the index walker against the tree walker on random
 * instances.
 *
 * usage: schema_diff SUITE_DIR METASCHEMA_DIR SEED COUNT
 *
 * For every schema of the JSON-Schema-Test-Suite (the .json files of tests/<draft>/ and
 * optional/) that ev_schema_indexable accepts, it writes COUNT random
 * instances built from the schema's own words (its keys, strings and
 * numbers, nudged), with escapes, repeated keys, big integers and odd
 * number spellings thrown in, and asks both walkers: jansson's tree of
 * the text (read as ev_rec reads it) and the record layer's index of the
 * same text.  Any verdict the index gives must be the tree's.  Prints
 * how many instances each draft had and how many the index judged; exits
 * 1 at the first disagreement, printing schema and instance.
 */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_common.h"
#include "ev_rec.h"
#include "ev_schema.h"

struct words {
	const char	**s;
	size_t		  ns;
	double		 *d;
	size_t		  nd;
};

static uint64_t rng;

static uint64_t
next(void)
{
	/* splitmix64: small, seeded, the same on every machine */
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static size_t
pick(size_t n)
{
	return n ? (size_t)(next() % n) : 0;
}

static void
collect(const json_t *j, struct words *w)
{
	const char *k;
	json_t *v;
	size_t i;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		json_object_foreach((json_t *)(uintptr_t)j, k, v) {
			w->s = ev_xreallocarray(w->s, w->ns + 1,
			    sizeof(*w->s));
			w->s[w->ns++] = k;
			collect(v, w);
		}
		break;
	case JSON_ARRAY:
		json_array_foreach(j, i, v)
			collect(v, w);
		break;
	case JSON_STRING:
		w->s = ev_xreallocarray(w->s, w->ns + 1, sizeof(*w->s));
		w->s[w->ns++] = json_string_value(j);
		break;
	case JSON_INTEGER:
	case JSON_REAL:
		w->d = ev_xreallocarray(w->d, w->nd + 1, sizeof(*w->d));
		w->d[w->nd++] = json_number_value(j);
		break;
	default:
		break;
	}
}

/* A string's JSON text, sometimes with needless escapes. */
static void
gen_string(struct ev_buf *b, const char *s)
{
	const unsigned char *p;

	ev_buf_addc(b, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			ev_buf_printf(b, "\\%c", *p);
		else if (*p < 0x20 || (*p < 0x80 && pick(8) == 0))
			ev_buf_printf(b, "\\u%04x", *p);
		else
			ev_buf_addc(b, (char)*p);
	}
	ev_buf_addc(b, '"');
}

static void
gen_number(struct ev_buf *b, const struct words *w)
{
	static const char *const odd[] = { "0", "-0", "0.0", "-0.0", "1e2",
	    "1E-2", "1.5", "9007199254740993", "-9223372036854775808",
	    "9223372036854775807", "18446744073709551616",
	    "123456789012345678901234567890", "1e308", "2.5e-320" };
	double d;

	switch (pick(4)) {
	case 0:
		ev_buf_adds(b, odd[pick(sizeof(odd) / sizeof(odd[0]))]);
		return;
	case 1:
		ev_buf_printf(b, "%lld", (long long)pick(21) - 10);
		return;
	default:
		if (w->nd == 0) {
			ev_buf_adds(b, "3");
			return;
		}
		d = w->d[pick(w->nd)];
		switch (pick(4)) {
		case 0: d += 1; break;
		case 1: d -= 0.5; break;
		case 2: d *= 2; break;
		default: break;
		}
		if (!isfinite(d))
			d = 0;
		if (d == floor(d) && fabs(d) < 1e15 && pick(2))
			ev_buf_printf(b, "%.0f", d);
		else
			ev_buf_printf(b, "%.17g", d);
	}
}

static void
gen(struct ev_buf *b, const struct words *w, int depth)
{
	size_t i, n;
	int c = (int)pick(depth > 2 ? 6 : 9);

	switch (c) {
	case 0:
		ev_buf_adds(b, pick(2) ? "true" : "false");
		break;
	case 1:
		ev_buf_adds(b, "null");
		break;
	case 2:
	case 3:
		gen_number(b, w);
		break;
	case 4:
	case 5:
		gen_string(b, w->ns && pick(4) ? w->s[pick(w->ns)] :
		    pick(2) ? "" : "x\xc3\xa9y");
		break;
	case 6:
		n = pick(5);
		ev_buf_addc(b, '[');
		for (i = 0; i < n; i++) {
			if (i)
				ev_buf_addc(b, ',');
			gen(b, w, depth + 1);
		}
		ev_buf_addc(b, ']');
		break;
	default:
		n = pick(6);
		ev_buf_addc(b, '{');
		for (i = 0; i < n; i++) {
			if (i)
				ev_buf_addc(b, ',');
			gen_string(b, w->ns && pick(5) ? w->s[pick(w->ns)] :
			    "k");
			ev_buf_addc(b, ':');
			gen(b, w, depth + 1);
		}
		ev_buf_addc(b, '}');
	}
}

/* The tree's reading of text, as ev_rec reads a line. */
static json_t *
tree_of(const char *text, size_t n)
{
	json_error_t e;
	size_t f = JSON_DECODE_ANY | JSON_ALLOW_NUL;
	json_t *v = json_loadb(text, n, f, &e);

	if (v == NULL && strstr(e.text, "too big") != NULL)
		v = json_loadb(text, n, f | JSON_DECODE_INT_AS_REAL, &e);
	return v;
}

struct tally {
	unsigned long	 total, indexed;
};

/* 0, or -1 when the walkers disagree on text. */
static int
compare(struct ev_schema_ctx *c, const struct ev_schema *s, const char *text,
    size_t n, const char *where, struct tally *t)
{
	struct ev_buf wrap = EV_BUF_INIT;
	struct ev_rec r;
	json_t *tree = tree_of(text, n);
	int tv, iv = -1, iv0 = -1;

	if (tree == NULL)
		return 0;
	tv = ev_schema_valid(c, s, tree);
	json_decref(tree);
	ev_rec_init(&r);
	/* In an array (a lone scalar is not indexed), and alone. */
	ev_buf_addc(&wrap, '[');
	ev_buf_add(&wrap, text, n);
	ev_buf_addc(&wrap, ']');
	if (ev_rec_parse(&r, wrap.data, wrap.len) == 0)
		iv = ev_schema_check_rec(c, s, &r, 1);
	if (text[0] == '{' && ev_rec_parse(&r, text, n) == 0)
		iv0 = ev_schema_check_rec(c, s, &r, 0);
	ev_rec_clear(&r);
	ev_buf_free(&wrap);
	t->total++;
	if (iv >= 0)
		t->indexed++;
	if ((iv >= 0 && iv != tv) || (iv0 >= 0 && iv0 != tv)) {
		printf("DISAGREE %s: tree %d, index %d/%d: %.*s\n", where, tv,
		    iv, iv0, (int)n, text);
		return -1;
	}
	return 0;
}

static int
run_file(struct ev_schema_set *base, int draft, const char *path,
    unsigned long count, struct tally *t)
{
	json_error_t je;
	json_t *groups = json_load_file(path, JSON_ALLOW_NUL, &je), *g;
	struct ev_schema_ctx *c = ev_schema_ctx_new();
	size_t gi;
	int rc = 0;

	json_array_foreach(groups, gi, g) {
		struct ev_schema_set *set = ev_schema_set_new(base,
		    (enum ev_schema_draft)draft);
		json_t *doc = json_object_get(g, "schema");
		char err[512];
		struct ev_schema *s = ev_schema_set_add(set, doc, NULL, err,
		    sizeof(err));
		struct words w = { NULL, 0, NULL, 0 };
		unsigned long k;
		if (s && ev_schema_set_link(set, err, sizeof(err)) == 0 &&
		    ev_schema_indexable(s)) {
			collect(doc, &w);
			for (k = 0; k < count && rc == 0; k++) {
				struct ev_buf b = EV_BUF_INIT;
				gen(&b, &w, 0);
				ev_schema_ctx_assert_format(c, (int)(k & 1));
				rc = compare(c, s, b.data, b.len, path, t);
				if (rc) {
					char *d = json_dumps(doc, JSON_COMPACT);
					printf("  schema: %s\n", d);
					free(d);
				}
				ev_buf_free(&b);
			}
		}
		free(w.s);
		free(w.d);
		ev_schema_set_free(set);
		if (rc)
			break;
	}
	ev_schema_ctx_free(c);
	json_decref(groups);
	return rc;
}

static int
run_dir(struct ev_schema_set *base, int draft, const char *dir,
    unsigned long count, struct tally *t)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (d == NULL)
		return 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		struct ev_buf p = EV_BUF_INIT;
		if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0)
			continue;
		ev_buf_printf(&p, "%s/%s", dir, e->d_name);
		rc = run_file(base, draft, p.data, count, t);
		ev_buf_free(&p);
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct { const char *name; int d; } drafts[] = {
		{ "draft7", EV_SCHEMA_DRAFT7 },
		{ "draft2019-09", EV_SCHEMA_2019_09 },
		{ "draft2020-12", EV_SCHEMA_2020_12 },
	};
	const char *errstr;
	unsigned long count;
	size_t k;
	int rc = 0;

	ev_set_progname("schema_diff");
	if (argc != 5) {
		fprintf(stderr, "usage: schema_diff SUITE_DIR METASCHEMA_DIR "
		    "SEED COUNT\n");
		return 2;
	}
	rng = (uint64_t)ev_strtonum(argv[3], 0, INT64_MAX, &errstr);
	count = (unsigned long)ev_strtonum(argv[4], 1, 100000, &errstr);
	if (errstr) {
		fprintf(stderr, "schema_diff: bad SEED or COUNT\n");
		return 2;
	}
	for (k = 0; k < sizeof(drafts) / sizeof(drafts[0]) && rc == 0; k++) {
		struct ev_schema_set *base = ev_schema_set_new(NULL,
		    (enum ev_schema_draft)drafts[k].d);
		struct ev_buf dir = EV_BUF_INIT;
		struct tally t = { 0, 0 };
		char err[512];
		if (ev_schema_set_add_metaschemas(base, argv[2], err,
		    sizeof(err)) != 0 || ev_schema_set_link(base, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "schema_diff: %s\n", err);
			return 2;
		}
		ev_buf_printf(&dir, "%s/tests/%s", argv[1], drafts[k].name);
		rc = run_dir(base, drafts[k].d, dir.data, count, &t);
		ev_buf_adds(&dir, "/optional");
		if (rc == 0)
			rc = run_dir(base, drafts[k].d, dir.data, count, &t);
		printf("%s: %lu instances, %lu judged on the index, %s\n",
		    drafts[k].name, t.total, t.indexed, rc ? "DISAGREE" :
		    "all agree");
		ev_buf_free(&dir);
		ev_schema_set_free(base);
	}
	return rc ? 1 : 0;
}
