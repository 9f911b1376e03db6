/*
 * ev_evolve.c - structural comparison of two JSON Schemas (see ev_evolve.h).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "ev_buf.h"
#include "ev_common.h"
#include "ev_path.h"
#include "ev_evolve.h"
#include "ev_jset.h"
#include "ev_registry.h"
#include "ev_schema.h"

struct ev_evolve_doc {
	char			*path;
	char			*uri;	/* retrieval URI, as ev-validate's */
	char			*error;	/* why ev-validate cannot compile it */
	json_t			*root;
	struct ev_evolve_store	*store;
};

struct ev_evolve_store {
	struct ev_evolve_doc	**d;
	size_t			 n;
	struct ev_schema_set	*set;	/* ev-validate's resolver */
};

/* A schema node: its value, document and pointer (borrowed). */
struct side {
	json_t			*s;
	struct ev_evolve_doc	*doc;
	const char		*ptr;
};

struct pair {
	const json_t	*a, *b;
};

struct cmp {
	struct ev_evolve_changes *out;
	struct ev_evolve_store	*ost, *nst;
	struct pair		*seen;
	size_t			 nseen, capseen;
	char			*err;
	size_t			 errsize;
	int			 failed;
	int			 depth;
};

/* Polarity of the place being compared: inside "not" directions swap. */
enum pol { POS, NEG, MIX };

#define MAX_DEPTH 64

static const char *annotations[] = {
	"$anchor", "$comment", "$defs", "$dynamicAnchor", "$id", "$schema",
	"$vocabulary", "contentEncoding", "contentMediaType", "contentSchema",
	"default", "definitions", "deprecated", "description", "examples",
	"readOnly", "self", "title", "writeOnly", NULL
};

int
ev_evolve_keyword_in(const char *k, const char **list)
{
	for (; *list != NULL; list++)
		if (strcmp(k, *list) == 0)
			return 1;
	return 0;
}

/* ---- stores and documents ---- */

struct ev_evolve_store *
ev_evolve_store_new(struct ev_schema_set *meta)
{
	struct ev_evolve_store *st = ev_xcalloc(1, sizeof(*st));

	st->set = ev_schema_set_new(meta, EV_SCHEMA_2020_12);
	return st;
}

void
ev_evolve_store_free(struct ev_evolve_store *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n; i++) {
		free(st->d[i]->path);
		free(st->d[i]->uri);
		free(st->d[i]->error);
		json_decref(st->d[i]->root);
		free(st->d[i]);
	}
	free(st->d);
	ev_schema_set_free(st->set);
	free(st);
}

struct ev_evolve_doc *
ev_evolve_load(struct ev_evolve_store *st, const char *path, char *err,
    size_t errsize)
{
	char real[PATH_MAX], cerr[512];
	struct ev_evolve_doc *d;
	json_t *root;
	char *uri;
	size_t i;

	if (realpath(path, real) == NULL) {
		snprintf(err, errsize, "cannot open '%s': %s", path,
		    strerror(errno));
		return NULL;
	}
	for (i = 0; i < st->n; i++)
		if (strcmp(st->d[i]->path, real) == 0)
			return st->d[i];
	/* ev-validate's reader: the same duplicate keys and numbers. */
	root = ev_registry_read_json(path, err, errsize);
	if (root == NULL)
		return NULL;
	if (!json_is_object(root) && !json_is_boolean(root)) {
		snprintf(err, errsize, "'%s' is not a schema (an object or a "
		    "boolean)", path);
		json_decref(root);
		return NULL;
	}
	/*
	 * Compiled as ev-validate compiles it, under the same URI.  A
	 * document the compiler refuses is kept (lint says why), marked.
	 */
	uri = ev_registry_file_uri(path);
	d = ev_xcalloc(1, sizeof(*d));
	if (ev_schema_set_add(st->set, root, uri, cerr, sizeof(cerr)) ==
	    NULL) {
		size_t n = strlen(path) + strlen(cerr) + 3;
		d->error = ev_xmalloc(n);
		snprintf(d->error, n, "%s: %s", path, cerr);
	}
	d->path = ev_xstrdup(real);
	d->uri = uri;
	d->root = root;
	d->store = st;
	st->d = ev_xreallocarray(st->d, st->n + 1, sizeof(*st->d));
	st->d[st->n++] = d;
	return d;
}

int
ev_evolve_store_link(struct ev_evolve_store *st, char *err, size_t errsize)
{
	return ev_schema_set_link(st->set, err, errsize);
}

json_t *
ev_evolve_doc_root(const struct ev_evolve_doc *d)
{
	return d->root;
}

const char *
ev_evolve_doc_path(const struct ev_evolve_doc *d)
{
	return d->path;
}

const char *
ev_evolve_doc_error(const struct ev_evolve_doc *d)
{
	return d->error;
}

int
ev_evolve_doc_draft4(const struct ev_evolve_doc *d)
{
	static const char *uris[] = {
		"http://json-schema.org/draft-04/schema",
		"http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/"
		    "schema/jsonschema/1-0-0",
		NULL
	};
	const char *u = json_string_value(json_object_get(d->root,
	    "$schema"));
	size_t i, n;

	if (u == NULL)
		return 0;
	n = strlen(u);
	if (n > 0 && u[n - 1] == '#')
		n--;
	for (i = 0; uris[i] != NULL; i++)
		if (strlen(uris[i]) == n && strncmp(u, uris[i], n) == 0)
			return 1;
	return 0;
}

struct ev_evolve_store *
ev_evolve_doc_store(const struct ev_evolve_doc *d)
{
	return d->store;
}

/* ---- references ---- */

/*
 * Keywords whose array values are data, not schemas: no target lies
 * below (a property named "enum" holds an object, which is searched).
 */
static const char *data_keywords[] = {
	"enum", "examples", "required", NULL
};


/* The JSON Pointer of the node t below s (new string), or NULL. */
static char *
locate(const json_t *s, const json_t *t, const char *ptr, int depth)
{
	const char *k;
	json_t *v;
	char *r = NULL;
	size_t i;

	if (s == t)
		return ev_xstrdup(ptr);
	if (depth > 256)
		return NULL;
	if (json_is_object(s)) {
		json_object_foreach((json_t *)(uintptr_t)s, k, v) {
			char *sub;
			if (!json_is_object(v) && !json_is_array(v) && v != t)
				continue;
			if (json_is_array(v) &&
			    ev_evolve_keyword_in(k, data_keywords))
				continue;
			sub = ev_path_join(ptr, k);
			r = locate(v, t, sub, depth + 1);
			free(sub);
			if (r != NULL)
				return r;
		}
	} else if (json_is_array(s)) {
		json_array_foreach(s, i, v) {
			char *sub;
			if (!json_is_object(v) && !json_is_array(v) && v != t)
				continue;
			sub = ev_path_join_index(ptr, i);
			r = locate(v, t, sub, depth + 1);
			free(sub);
			if (r != NULL)
				return r;
		}
	}
	return NULL;
}

json_t *
ev_evolve_resolve(struct ev_evolve_store *st, struct ev_evolve_doc *doc,
    const json_t *from, struct ev_evolve_doc **tdoc, char **tptr, char *err,
    size_t errsize)
{
	const char *ref = json_string_value(json_object_get(from, "$ref"));
	const struct ev_schema *s, *t = NULL;
	const json_t *src;
	char lerr[8];
	size_t i;

	*tptr = NULL;
	if (ref == NULL) {
		snprintf(err, errsize, "no $ref to resolve");
		return NULL;
	}
	/*
	 * ev-validate's compiled set says where the reference points: the
	 * documents loaded (the registry, the files named) are all there is,
	 * nothing else is opened.
	 */
	(void)ev_schema_set_link(st->set, lerr, sizeof(lerr));
	s = ev_schema_set_find_source(st->set, from);
	if (s != NULL)
		t = ev_schema_ref_target(s);
	if (t == NULL) {
		snprintf(err, errsize, "cannot resolve $ref '%s' (only the "
		    "files of the registry and the files named are looked "
		    "at, as ev-validate does)", ref);
		return NULL;
	}
	/* Most references stay in their document: look there first. */
	src = ev_schema_source(t);
	for (i = 0; i < st->n && st->d[i] != doc; i++)
		;
	if (i == st->n || (*tptr = locate(doc->root, src, "", 0)) == NULL)
		for (i = 0; i < st->n; i++)
			if ((*tptr = locate(st->d[i]->root, src, "", 0)) != NULL)
				break;
	if (*tptr == NULL) {
		snprintf(err, errsize, "cannot resolve $ref '%s': it points "
		    "outside the compared documents", ref);
		return NULL;
	}
	*tdoc = st->d[i];
	if (st->d[i] != doc) {
		size_t n = strlen(st->d[i]->path) + strlen(*tptr) + 2;
		char *p = ev_xmalloc(n);
		const char *base = strrchr(st->d[i]->path, '/');

		snprintf(p, n, "%s#%s", base != NULL ? base + 1 :
		    st->d[i]->path, *tptr);
		free(*tptr);
		*tptr = p;
	}
	return (json_t *)(uintptr_t)src;
}

/* ---- change lists ---- */

void
ev_evolve_changes_free(struct ev_evolve_changes *ch)
{
	size_t i;

	for (i = 0; i < ch->n; i++) {
		free(ch->v[i].kind);
		free(ch->v[i].old_ptr);
		free(ch->v[i].new_ptr);
		free(ch->v[i].message);
	}
	free(ch->v);
	ch->v = NULL;
	ch->n = ch->cap = 0;
}

static enum ev_evolve_dir
polarize(enum ev_evolve_dir d, enum pol p)
{
	if (d == EV_EVOLVE_NONE || p == POS)
		return d;
	if (p == MIX)
		return EV_EVOLVE_BOTH;
	if (d == EV_EVOLVE_NARROW)
		return EV_EVOLVE_WIDEN;
	if (d == EV_EVOLVE_WIDEN)
		return EV_EVOLVE_NARROW;
	return d;
}

static void add(struct cmp *c, const char *kind, enum ev_evolve_dir dir,
    enum pol pol, const char *optr, const char *nptr, int undeclared,
    const char *fmt, ...) __attribute__((format(printf, 8, 9)));

static void
add(struct cmp *c, const char *kind, enum ev_evolve_dir dir, enum pol pol,
    const char *optr, const char *nptr, int undeclared, const char *fmt, ...)
{
	struct ev_evolve_changes *o = c->out;
	struct ev_evolve_change *ch;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 16;
		o->v = ev_xreallocarray(o->v, o->cap, sizeof(*o->v));
	}
	ch = &o->v[o->n++];
	ch->kind = ev_xstrdup(kind);
	ch->dir = polarize(dir, pol);
	ch->old_ptr = ev_xstrdup(optr);
	ch->new_ptr = ev_xstrdup(nptr);
	ch->message = ev_xstrdup(msg);
	ch->undeclared = undeclared && pol == POS;
}

/* ---- the comparison ---- */

static void cmp_schema(struct cmp *c, struct side o, struct side n,
    const char *what, enum pol pol);

static int
is_false(const json_t *s)
{
	return json_is_false(s);
}

/* True, absent, or an object with nothing but annotations. */
static int
is_true(const json_t *s)
{
	const char *k;
	json_t *v;

	if (s == NULL || json_is_true(s))
		return 1;
	if (!json_is_object(s))
		return 0;
	json_object_foreach((json_t *)(uintptr_t)s, k, v) {
		if (!ev_evolve_keyword_in(k, annotations))
			return 0;
	}
	return 1;
}

/* Compare in a scratch list and return the combined direction. */
static enum ev_evolve_dir
sub_dir(struct cmp *c, struct side o, struct side n, int *nchanges)
{
	struct ev_evolve_changes tmp = { NULL, 0, 0 };
	struct cmp s = *c;
	enum ev_evolve_dir d = EV_EVOLVE_NONE;
	size_t i;

	s.out = &tmp;
	s.seen = NULL;
	s.nseen = s.capseen = 0;
	cmp_schema(&s, o, n, "schema", POS);
	for (i = 0; i < tmp.n; i++)
		d = (enum ev_evolve_dir)(d | tmp.v[i].dir);
	if (nchanges != NULL)
		*nchanges = (int)tmp.n;
	if (s.failed) {
		c->failed = 1;
	}
	free(s.seen);
	ev_evolve_changes_free(&tmp);
	return d;
}

/* 1 when o and n accept the same instances as far as we can tell. */
static int
same_schema(struct cmp *c, struct side o, struct side n)
{
	int k = 0;

	return sub_dir(c, o, n, &k) == EV_EVOLVE_NONE;
}

static double
num(const json_t *v)
{
	return json_number_value(v);
}

/* JSON equality as ev-validate judges it (1 equals 1.0): ev_jset. */
static int
jeq(const json_t *a, const json_t *b)
{
	return ev_jset_equal(a, b);
}

static int
in_array(const json_t *arr, const json_t *v)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++)
		if (jeq(json_array_get(arr, i), v))
			return 1;
	return 0;
}

/*
 * A hashed set of the values of a JSON array (borrowed from arr), so that
 * comparing two enums of n values costs O(n), not O(n^2).  New set.
 */
static struct ev_jset *
value_set(const json_t *arr)
{
	struct ev_jset *set = ev_jset_new(json_array_size(arr));
	size_t i;

	for (i = 0; i < json_array_size(arr); i++)
		ev_jset_add(set, json_array_get(arr, i), i, NULL);
	return set;
}

static int
in_set(const struct ev_jset *set, const json_t *v)
{
	return ev_jset_find(set, v, NULL);
}

static char *
brief(const json_t *v)
{
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

	if (s != NULL && strlen(s) > 60) {
		s[57] = '.';
		s[58] = '.';
		s[59] = '.';
		s[60] = '\0';
	}
	return s != NULL ? s : ev_xstrdup("?");
}

static int
type_bit(const char *t)
{
	static const struct { const char *n; int b; } tab[] = {
		{ "null", EV_EVOLVE_T_NULL }, { "boolean", EV_EVOLVE_T_BOOL },
		{ "object", EV_EVOLVE_T_OBJECT }, { "array", EV_EVOLVE_T_ARRAY },
		{ "number", EV_EVOLVE_T_FRACTION | EV_EVOLVE_T_INTEGER }, { "string", EV_EVOLVE_T_STRING },
		{ "integer", EV_EVOLVE_T_INTEGER }
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(tab[i].n, t) == 0)
			return tab[i].b;
	return 0;
}

int
ev_evolve_type_mask(const json_t *t)
{
	size_t i;
	int m = 0;

	if (t == NULL)
		return EV_EVOLVE_T_ALL;
	if (json_is_string(t))
		return type_bit(json_string_value(t));
	for (i = 0; i < json_array_size(t); i++)
		m |= type_bit(json_string_value(json_array_get(t, i)) ?
		    json_string_value(json_array_get(t, i)) : "");
	return m;
}

static json_t *
kw(const struct side *s, const char *k)
{
	return json_is_object(s->s) ? json_object_get(s->s, k) : NULL;
}

/* A keyword's side: its value and pointer (the parent's when absent). */
static struct side
kwside(const struct side *s, const char *k, char **buf)
{
	struct side r = { kw(s, k), s->doc, s->ptr };

	*buf = NULL;
	if (r.s != NULL) {
		*buf = ev_path_join(s->ptr, k);
		r.ptr = *buf;
	}
	return r;
}

/* 1 when s allows objects no member at all ("maxProperties": 0). */
static int
no_members(const struct side *s)
{
	json_t *mp = kw(s, "maxProperties");

	return json_is_number(mp) && num(mp) == 0;
}

int
ev_evolve_value_type(const json_t *v)
{
	unsigned t = ev_schema_type_of(v);

	return t & EV_ST_INT ? EV_EVOLVE_T_INTEGER : (int)t;
}

/*
 * The types of the instances s can accept judging by its own "type",
 * "enum" and "const" (an enum of strings accepts strings only, whatever
 * "type" says).  Other keywords may narrow further; never less than this.
 */
static int
eff_mask(const struct side *s)
{
	json_t *e = kw(s, "enum"), *cv = kw(s, "const"), *v;
	int m = ev_evolve_type_mask(kw(s, "type")), vm = 0;
	size_t i;

	if (is_false(s->s))
		return 0;
	if (!json_is_object(s->s))
		return EV_EVOLVE_T_ALL;
	if (json_is_array(e)) {
		json_array_foreach(e, i, v)
			vm |= ev_evolve_value_type(v);
		m &= vm;
	}
	if (cv != NULL)
		m &= ev_evolve_value_type(cv);
	return m;
}

static void
cmp_type(struct cmp *c, struct side *o, struct side *n, enum pol pol)
{
	int rom = ev_evolve_type_mask(kw(o, "type"));
	int rnm = ev_evolve_type_mask(kw(n, "type"));
	int om = eff_mask(o), nm = eff_mask(n);
	char *op, *np;

	if (rom == rnm)
		return;
	kwside(o, "type", &op);
	kwside(n, "type", &np);
	if (om == nm) {
		/* "type" restates what enum/const already said. */
		add(c, "type_restated", EV_EVOLVE_NONE, pol, op ? op : o->ptr,
		    np ? np : n->ptr, 0, "'type' changed, but 'enum' or "
		    "'const' already allowed only these types");
		free(op);
		free(np);
		return;
	}
	if ((nm & om) == nm)
		add(c, "type_narrowed", EV_EVOLVE_NARROW, pol, op ? op : o->ptr,
		    np ? np : n->ptr, 0, "fewer types are allowed");
	else if ((nm & om) == om)
		add(c, "type_widened", EV_EVOLVE_WIDEN, pol, op ? op : o->ptr,
		    np ? np : n->ptr, 0, "more types are allowed");
	else
		add(c, "type_changed", EV_EVOLVE_BOTH, pol, op ? op : o->ptr,
		    np ? np : n->ptr, 0, "the allowed types changed");
	free(op);
	free(np);
}

/* enum and const: sets of allowed values. */
static void
cmp_values(struct cmp *c, struct side *o, struct side *n, enum pol pol)
{
	json_t *oe = kw(o, "enum"), *ne = kw(n, "enum");
	json_t *oc = kw(o, "const"), *nc = kw(n, "const");
	char *op, *np;
	size_t i;
	int sub = 1, sup = 1;

	kwside(o, "enum", &op);
	kwside(n, "enum", &np);
	if (oe == NULL && ne != NULL)
		add(c, "enum_added", EV_EVOLVE_NARROW, pol, o->ptr, np, 0,
		    "values are now limited to an enum");
	else if (oe != NULL && ne == NULL)
		add(c, "enum_removed", EV_EVOLVE_WIDEN, pol, op, n->ptr, 0,
		    "values are no longer limited to an enum");
	else if (oe != NULL && ne != NULL) {
		struct ev_jset *os = value_set(oe), *ns = value_set(ne);

		for (i = 0; sup && i < json_array_size(ne); i++)
			if (!in_set(os, json_array_get(ne, i)))
				sup = 0;	/* new has a value old lacks */
		for (i = 0; sub && i < json_array_size(oe); i++)
			if (!in_set(ns, json_array_get(oe, i)))
				sub = 0;	/* old has a value new lacks */
		ev_jset_free(os);
		ev_jset_free(ns);
		if (sub && sup)
			;
		else if (sup)
			add(c, "enum_narrowed", EV_EVOLVE_NARROW, pol, op, np,
			    0, "values were removed from the enum");
		else if (sub)
			add(c, "enum_extended", EV_EVOLVE_WIDEN, pol, op, np, 0,
			    "values were added to the enum");
		else
			add(c, "enum_changed", EV_EVOLVE_BOTH, pol, op, np, 0,
			    "values were added to and removed from the enum");
	}
	free(op);
	free(np);
	kwside(o, "const", &op);
	kwside(n, "const", &np);
	if (oc == NULL && nc != NULL)
		add(c, "const_added", EV_EVOLVE_NARROW, pol, o->ptr, np, 0,
		    "the value is now fixed");
	else if (oc != NULL && nc == NULL)
		add(c, "const_removed", EV_EVOLVE_WIDEN, pol, op, n->ptr, 0,
		    "the value is no longer fixed");
	else if (oc != NULL && !jeq(oc, nc)) {
		char *a = brief(oc), *b = brief(nc);
		add(c, "const_changed", EV_EVOLVE_BOTH, pol, op, np, 0,
		    "the fixed value changed from %s to %s", a, b);
		free(a);
		free(b);
	}
	free(op);
	free(np);
}

/* Code points in the UTF-8 string s. */
static long
utf8_len(const char *s)
{
	long n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

#define RE_UNBOUNDED	(-1L)
#define RE_CAP		1000000L

static long re_alt(const char **pp, int depth);

/* Skip a character class "[...]" at *pp ('[' included). */
static int
re_class(const char **pp)
{
	const char *p = *pp + 1;

	if (*p == '^')
		p++;
	if (*p == ']')
		return -1;	/* ECMA's empty class "[]" or any "[^]" */
	for (; *p != '\0' && *p != ']'; p++)
		if (*p == '\\' && p[1] != '\0')
			p++;
	if (*p != ']')
		return -1;
	*pp = p + 1;
	return 0;
}

/*
 * The longest string a sequence of atoms matches, in code points, or
 * RE_UNBOUNDED when it has no bound or the syntax is beyond this simple
 * reader (lookarounds, back-references).  Stops at '|', ')' or the end.
 */
static long
re_seq(const char **pp, int depth)
{
	const char *p = *pp;
	long sum = 0;

	while (*p != '\0' && *p != '|' && *p != ')') {
		long len = 1, lo, hi;
		char *e;

		if (*p == '(') {
			if (p[1] == '?' && p[2] == ':')
				p += 3;
			else if (p[1] == '?')
				return RE_UNBOUNDED;
			else
				p++;
			if (depth > 32 || (len = re_alt(&p, depth + 1)) < 0 ||
			    *p != ')')
				return RE_UNBOUNDED;
			p++;
		} else if (*p == '[') {
			if (re_class(&p) != 0)
				return RE_UNBOUNDED;
		} else if (*p == '\\') {
			p++;
			if (*p >= '1' && *p <= '9')
				return RE_UNBOUNDED;	/* back-reference */
			if (*p == 'b' || *p == 'B')
				len = 0;
			if (*p == 'u' && p[1] == '{') {
				while (*p != '\0' && *p != '}')
					p++;
			} else if (*p == 'u')
				p += 4;
			else if (*p == 'x')
				p += 2;
			else if (*p == 'c')
				p++;
			if (*p == '\0')
				return RE_UNBOUNDED;
			p++;
		} else if (*p == '^' || *p == '$') {
			len = 0;
			p++;
		} else {
			p++;
			while (((unsigned char)*p & 0xC0) == 0x80)
				p++;
		}
		/* A quantifier. */
		if (*p == '*' || *p == '+')
			return RE_UNBOUNDED;
		if (*p == '?')
			p++;
		else if (*p == '{' && p[1] >= '0' && p[1] <= '9') {
			lo = strtol(p + 1, &e, 10);
			hi = lo;
			if (*e == ',') {
				if (e[1] == '}')
					return RE_UNBOUNDED;
				hi = strtol(e + 1, &e, 10);
			}
			if (*e != '}' || hi < lo || hi > RE_CAP)
				return RE_UNBOUNDED;
			len *= hi;
			p = e + 1;
		}
		if (*p == '?')
			p++;	/* lazy */
		sum += len;
		if (sum > RE_CAP)
			return RE_UNBOUNDED;
	}
	*pp = p;
	return sum;
}

static long
re_alt(const char **pp, int depth)
{
	long best = re_seq(pp, depth), x;

	while (best >= 0 && **pp == '|') {
		(*pp)++;
		if ((x = re_seq(pp, depth)) < 0)
			return RE_UNBOUNDED;
		if (x > best)
			best = x;
	}
	return best;
}

/*
 * The longest string an anchored pattern "^...$" can match (ECMA-262
 * syntax, as ev-validate reads it with a '$' that matches only at the
 * end), or RE_UNBOUNDED when unanchored, unbounded or not understood.
 */
static long
pattern_maxlen(const char *pat)
{
	size_t n = strlen(pat), bs = 0;
	const char *p;
	char *body;
	long r;

	if (n < 2 || pat[0] != '^' || pat[n - 1] != '$')
		return RE_UNBOUNDED;
	while (bs + 2 <= n && pat[n - 2 - bs] == '\\')
		bs++;
	if (bs % 2 != 0)
		return RE_UNBOUNDED;	/* "\$" is a literal dollar */
	body = ev_xstrndup(pat + 1, n - 2);
	p = body;
	/* A top-level '|' would leave the anchors on one branch only. */
	r = re_seq(&p, 0);
	if (*p != '\0')
		r = RE_UNBOUNDED;
	free(body);
	return r;
}

/*
 * The longest string s accepts judging by its enum/const (the longest
 * string value; 0 when none is a string), its pattern and its maxLength;
 * RE_UNBOUNDED when none of them bounds it.
 */
static long
implied_maxlen(const struct side *s)
{
	json_t *e = kw(s, "enum"), *cv = kw(s, "const"), *v;
	json_t *pat = kw(s, "pattern"), *ml = kw(s, "maxLength");
	long best = RE_UNBOUNDED, x;
	size_t i;

	if (json_is_array(e) || cv != NULL) {
		long m = 0;
		if (json_is_array(e)) {
			json_array_foreach(e, i, v)
				if (json_is_string(v) &&
				    (x = utf8_len(json_string_value(v))) > m)
					m = x;
		} else if (json_is_string(cv))
			m = utf8_len(json_string_value(cv));
		best = m;
	}
	if (json_is_string(pat) && (x = pattern_maxlen(
	    json_string_value(pat))) >= 0 && (best < 0 || x < best))
		best = x;
	if (json_is_number(ml) && num(ml) >= 0 && num(ml) < RE_CAP &&
	    (best < 0 || (long)num(ml) < best))
		best = (long)num(ml);
	return best;
}

/*
 * The numeric bound of s on one side (lower: minimum, else maximum) as
 * (value, exclusive), from a draft-04 boolean exclusiveMaximum/Minimum
 * beside maximum/minimum or from the later numeric keywords; 0 when none.
 */
static int
bound_of(const struct side *s, int lower, double *v, int *excl)
{
	json_t *i = kw(s, lower ? "minimum" : "maximum");
	json_t *e = kw(s, lower ? "exclusiveMinimum" : "exclusiveMaximum");
	int have = 0;

	if (json_is_number(i)) {
		*v = num(i);
		*excl = json_is_true(e);
		have = 1;
	}
	if (json_is_number(e) && (!have || (lower ? num(e) >= *v :
	    num(e) <= *v))) {
		*v = num(e);
		*excl = 1;
		have = 1;
	}
	return have;
}

/*
 * Draft-04 (and Iglu) schemas say "exclusiveMaximum": true beside
 * "maximum": compare such bounds as one (value, exclusive) pair, so that
 * dropping the flag widens and adding it narrows.  Returns 1 when it
 * compared the bound (either side uses a boolean), else 0.
 */
static int
cmp_bound_draft4(struct cmp *c, struct side *o, struct side *n,
    enum pol pol, int lower)
{
	const char *ik = lower ? "minimum" : "maximum";
	const char *ek = lower ? "exclusiveMinimum" : "exclusiveMaximum";
	double ov = 0, nv = 0;
	int oe = 0, ne = 0, oh, nh, tighter;
	char kind[64], *op, *np;

	if (!json_is_boolean(kw(o, ek)) && !json_is_boolean(kw(n, ek)))
		return 0;
	oh = bound_of(o, lower, &ov, &oe);
	nh = bound_of(n, lower, &nv, &ne);
	if (!oh && !nh)
		return 1;
	if (oh && nh) {
		if (ov == nv && oe == ne)
			return 1;
		if (ov == nv)
			tighter = ne;
		else
			tighter = lower ? nv > ov : nv < ov;
	} else
		tighter = nh;
	kwside(o, json_is_number(kw(o, ik)) ? ik : ek, &op);
	kwside(n, json_is_number(kw(n, ik)) ? ik : ek, &np);
	snprintf(kind, sizeof(kind), "%s_%s", ik, tighter ? "tightened" :
	    "loosened");
	add(c, kind, tighter ? EV_EVOLVE_NARROW : EV_EVOLVE_WIDEN, pol,
	    op ? op : o->ptr, np ? np : n->ptr, 0, "%s %s (with a draft-04 "
	    "%s)", ik, tighter ? "tightened" : "loosened", ek);
	free(op);
	free(np);
	return 1;
}

static void
cmp_bounds(struct cmp *c, struct side *o, struct side *n, enum pol pol)
{
	static const struct { const char *k; int lower; } b[] = {
		{ "minimum", 1 }, { "exclusiveMinimum", 1 },
		{ "maximum", 0 }, { "exclusiveMaximum", 0 },
		{ "minLength", 1 }, { "maxLength", 0 },
		{ "minItems", 1 }, { "maxItems", 0 },
		{ "minProperties", 1 }, { "maxProperties", 0 },
		{ "minContains", 1 }, { "maxContains", 0 }
	};
	size_t i;
	int d4[2];

	d4[0] = cmp_bound_draft4(c, o, n, pol, 0);
	d4[1] = cmp_bound_draft4(c, o, n, pol, 1);
	for (i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		json_t *ov = kw(o, b[i].k), *nv = kw(n, b[i].k);
		char kind[64], *op, *np;
		int tighter;

		if (i < 4 && d4[b[i].lower])
			continue;	/* compared as one draft-04 bound */

		if (!json_is_number(ov))
			ov = NULL;
		if (!json_is_number(nv))
			nv = NULL;
		if (ov == NULL && nv == NULL)
			continue;
		if (ov != NULL && nv != NULL && num(ov) == num(nv))
			continue;
		if (ov == NULL)
			tighter = 1;
		else if (nv == NULL)
			tighter = 0;
		else
			tighter = b[i].lower ? num(nv) > num(ov) :
			    num(nv) < num(ov);
		kwside(o, b[i].k, &op);
		kwside(n, b[i].k, &np);
		if (tighter && strcmp(b[i].k, "maxLength") == 0) {
			long im = implied_maxlen(o);
			if (im >= 0 && (double)im <= num(nv)) {
				add(c, "maxLength_implied", EV_EVOLVE_NONE,
				    pol, op ? op : o->ptr, np, 0, "maxLength "
				    "%g, but the old pattern or enum already "
				    "kept strings within %ld characters",
				    num(nv), im);
				free(op);
				free(np);
				continue;
			}
		}
		snprintf(kind, sizeof(kind), "%s_%s", b[i].k,
		    tighter ? "tightened" : "loosened");
		add(c, kind, tighter ? EV_EVOLVE_NARROW : EV_EVOLVE_WIDEN, pol,
		    op ? op : o->ptr, np ? np : n->ptr, 0, "%s %s", b[i].k,
		    tighter ? "tightened" : "loosened");
		free(op);
		free(np);
	}
}

static void
cmp_misc(struct cmp *c, struct side *o, struct side *n, enum pol pol)
{
	json_t *ov, *nv;
	char *op, *np;

	/* pattern: a regular language's inclusion is not decided here. */
	ov = kw(o, "pattern");
	nv = kw(n, "pattern");
	kwside(o, "pattern", &op);
	kwside(n, "pattern", &np);
	if (ov == NULL && nv != NULL)
		add(c, "pattern_tightened", EV_EVOLVE_NARROW, pol, o->ptr, np,
		    0, "a pattern was added");
	else if (ov != NULL && nv == NULL)
		add(c, "pattern_loosened", EV_EVOLVE_WIDEN, pol, op, n->ptr, 0,
		    "the pattern was removed");
	else if (ov != NULL && !jeq(ov, nv))
		add(c, "pattern_changed", EV_EVOLVE_BOTH, pol, op, np, 0,
		    "the pattern changed");
	free(op);
	free(np);

	ov = kw(o, "multipleOf");
	nv = kw(n, "multipleOf");
	kwside(o, "multipleOf", &op);
	kwside(n, "multipleOf", &np);
	if (json_is_number(ov) && json_is_number(nv) && num(ov) > 0 &&
	    num(nv) > 0 && num(ov) != num(nv)) {
		double q = num(nv) / num(ov), r = num(ov) / num(nv);
		if (q == floor(q))
			add(c, "multipleOf_tightened", EV_EVOLVE_NARROW, pol,
			    op, np, 0, "multipleOf is now a multiple of the "
			    "old one");
		else if (r == floor(r))
			add(c, "multipleOf_loosened", EV_EVOLVE_WIDEN, pol, op,
			    np, 0, "multipleOf now divides the old one");
		else
			add(c, "multipleOf_changed", EV_EVOLVE_BOTH, pol, op,
			    np, 0, "multipleOf changed");
	} else if (ov == NULL && nv != NULL)
		add(c, "multipleOf_tightened", EV_EVOLVE_NARROW, pol, o->ptr,
		    np, 0, "multipleOf was added");
	else if (ov != NULL && nv == NULL)
		add(c, "multipleOf_loosened", EV_EVOLVE_WIDEN, pol, op, n->ptr,
		    0, "multipleOf was removed");
	free(op);
	free(np);

	ov = kw(o, "uniqueItems");
	nv = kw(n, "uniqueItems");
	if (json_is_true(ov) != json_is_true(nv)) {
		kwside(o, "uniqueItems", &op);
		kwside(n, "uniqueItems", &np);
		if (json_is_true(nv))
			add(c, "uniqueItems_tightened", EV_EVOLVE_NARROW, pol,
			    op ? op : o->ptr, np, 0, "items must now be "
			    "unique");
		else
			add(c, "uniqueItems_loosened", EV_EVOLVE_WIDEN, pol,
			    op, np ? np : n->ptr, 0, "items need no longer "
			    "be unique");
		free(op);
		free(np);
	}

	ov = kw(o, "format");
	nv = kw(n, "format");
	if ((ov == NULL) != (nv == NULL) || (ov != NULL && !jeq(ov, nv))) {
		kwside(o, "format", &op);
		kwside(n, "format", &np);
		add(c, "format_changed", EV_EVOLVE_NONE, pol, op ? op : o->ptr,
		    np ? np : n->ptr, 0, "format changed (an annotation "
		    "unless formats are asserted)");
		free(op);
		free(np);
	}
}

static void
cmp_required(struct cmp *c, struct side *o, struct side *n, enum pol pol)
{
	json_t *orq = kw(o, "required"), *nrq = kw(n, "required");
	char *op, *np, *p;
	size_t i;

	kwside(o, "required", &op);
	kwside(n, "required", &np);
	for (i = 0; i < json_array_size(nrq); i++) {
		json_t *v = json_array_get(nrq, i);
		if (orq != NULL && in_array(orq, v))
			continue;
		p = ev_path_join_index(np, i);
		add(c, "required_added", EV_EVOLVE_NARROW, pol,
		    op ? op : o->ptr, p, 0, "'%s' is now required",
		    json_string_value(v) ? json_string_value(v) : "?");
		free(p);
	}
	for (i = 0; i < json_array_size(orq); i++) {
		json_t *v = json_array_get(orq, i);
		if (nrq != NULL && in_array(nrq, v))
			continue;
		p = ev_path_join_index(op, i);
		add(c, "required_removed", EV_EVOLVE_WIDEN, pol, p,
		    np ? np : n->ptr, 0, "'%s' is no longer required",
		    json_string_value(v) ? json_string_value(v) : "?");
		free(p);
	}
	free(op);
	free(np);
}

/* 1 when the ECMA-262-ish regex pat matches name (0 if it cannot compile). */
int
ev_evolve_regex_match(const char *pat, const char *name)
{
	pcre2_code *re;
	pcre2_match_data *md;
	int ec, rc;
	PCRE2_SIZE eo;

	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF,
	    &ec, &eo, NULL);
	if (re == NULL)
		return 0;
	md = pcre2_match_data_create_from_pattern(re, NULL);
	rc = pcre2_match(re, (PCRE2_SPTR)name, strlen(name), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return rc >= 0;
}

/*
 * What s says about a member name that "properties" does not list: the
 * first matching patternProperties schema, else additionalProperties
 * (absent means true).  *ptr gets a new pointer, *how a word.
 */
static json_t *
cover(const struct side *s, const char *name, char **ptr, const char **how)
{
	json_t *pp = kw(s, "patternProperties"), *v;
	const char *k;

	if (no_members(s)) {
		/* No member at all: closed, whatever else it says. */
		*ptr = ev_path_join(s->ptr, "maxProperties");
		*how = "maxProperties";
		return json_false();
	}
	json_object_foreach(pp, k, v) {
		if (ev_evolve_regex_match(k, name)) {
			char *a = ev_path_join(s->ptr, "patternProperties");
			*ptr = ev_path_join(a, k);
			free(a);
			*how = "patternProperties";
			return v;
		}
	}
	v = kw(s, "additionalProperties");
	*how = "additionalProperties";
	*ptr = v != NULL ? ev_path_join(s->ptr, "additionalProperties") :
	    ev_xstrdup(s->ptr);
	return v != NULL ? v : json_true();
}

/*
 * 1 when the patternProperties entry at pointer cp of side a (the last
 * segment names the pattern) exists with the same schema in side b.
 */
static int
still_pattern(const struct side *a, const struct side *b, const char *cp)
{
	json_t *pa = kw(a, "patternProperties"), *pb = kw(b,
	    "patternProperties"), *v;
	const char *k;

	(void)cp;
	json_object_foreach(pa, k, v) {
		json_t *w = json_object_get(pb, k);
		const char *tail = strrchr(cp, '/');
		char *esc = ev_path_join("", k);

		if (tail != NULL && strcmp(tail, esc) == 0 && w != NULL &&
		    jeq(v, w)) {
			free(esc);
			return 1;
		}
		free(esc);
	}
	return 0;
}

static void
cmp_properties(struct cmp *c, struct side *o, struct side *n, enum pol pol)
{
	json_t *op = kw(o, "properties"), *np = kw(n, "properties"), *v;
	char *opp, *npp;
	const char *k, *how;
	struct side os, ns;

	kwside(o, "properties", &opp);
	kwside(n, "properties", &npp);
	json_object_foreach(np, k, v) {
		char *p = ev_path_join(npp, k), *cp;
		json_t *cv;

		if (json_object_get(op, k) != NULL) {
			char *q = ev_path_join(opp, k);
			os = (struct side){ json_object_get(op, k), o->doc, q };
			ns = (struct side){ v, n->doc, p };
			cmp_schema(c, os, ns, "property", pol);
			free(q);
			free(p);
			continue;
		}
		cv = cover(o, k, &cp, &how);
		if (is_false(cv)) {
			/* Still no member allowed in NEW: nothing changes. */
			int still = no_members(n);
			if (!is_false(v))
				add(c, "property_added_closed", still ?
				    EV_EVOLVE_NONE : EV_EVOLVE_WIDEN, pol, cp,
				    p, 0, "property '%s' was added where none "
				    "were allowed", k);
		} else if (is_true(cv)) {
			add(c, "property_added_open", is_true(v) ?
			    EV_EVOLVE_NONE : EV_EVOLVE_NARROW, pol, cp, p, 1,
			    "property '%s' was added to an open object", k);
		} else {
			enum ev_evolve_dir d;
			os = (struct side){ cv, o->doc, cp };
			ns = (struct side){ v, n->doc, p };
			d = sub_dir(c, os, ns, NULL);
			/*
			 * A pattern still in NEW applies beside the new
			 * property's schema: the result can only narrow.
			 */
			if (strcmp(how, "patternProperties") == 0 &&
			    still_pattern(o, n, cp))
				d = d == EV_EVOLVE_WIDEN ? EV_EVOLVE_NONE :
				    (enum ev_evolve_dir)(d & EV_EVOLVE_NARROW);
			add(c, "property_added_partial", d, pol, cp, p, 1,
			    "property '%s' was added; %s allowed it before",
			    k, how);
		}
		free(cp);
		free(p);
	}
	json_object_foreach(op, k, v) {
		char *p, *cp;
		json_t *cv;

		if (json_object_get(np, k) != NULL)
			continue;
		p = ev_path_join(opp, k);
		cv = cover(n, k, &cp, &how);
		if (is_false(cv)) {
			if (!is_false(v))
				add(c, "property_removed_closed",
				    EV_EVOLVE_NARROW, pol, p, cp, 0,
				    "property '%s' was removed and is no "
				    "longer allowed", k);
		} else if (is_true(cv)) {
			add(c, "property_removed_open", is_true(v) ?
			    EV_EVOLVE_NONE : EV_EVOLVE_WIDEN, pol, p, cp, 0,
			    "property '%s' was removed; any value is "
			    "allowed now", k);
		} else {
			enum ev_evolve_dir d;
			os = (struct side){ v, o->doc, p };
			ns = (struct side){ cv, n->doc, cp };
			d = sub_dir(c, os, ns, NULL);
			/* The pattern applied beside the old property too. */
			if (strcmp(how, "patternProperties") == 0 &&
			    still_pattern(n, o, cp))
				d = d == EV_EVOLVE_NARROW ? EV_EVOLVE_NONE :
				    (enum ev_evolve_dir)(d & EV_EVOLVE_WIDEN);
			add(c, "property_removed_partial", d, pol, p, cp, 0,
			    "property '%s' was removed; %s covers it now",
			    k, how);
		}
		free(cp);
		free(p);
	}
	free(opp);
	free(npp);
}

/* A keyword whose value is one schema (absent means true). */
static void
cmp_sub(struct cmp *c, struct side *o, struct side *n, const char *k,
    const char *what, enum pol pol)
{
	char *op, *np;
	struct side os = kwside(o, k, &op), ns = kwside(n, k, &np);

	if (os.s != NULL || ns.s != NULL)
		cmp_schema(c, os, ns, what, pol);
	free(op);
	free(np);
}

/*
 * A keyword whose absence is not the same as "true" ("contains", "not"):
 * adding it narrows, removing it widens, else compare the subschemas with
 * polarity inner.
 */
static void
cmp_present(struct cmp *c, struct side *o, struct side *n, const char *k,
    enum pol pol, enum pol inner)
{
	char *op, *np, kind[64];
	struct side os = kwside(o, k, &op), ns = kwside(n, k, &np);

	if (os.s == NULL && ns.s != NULL) {
		snprintf(kind, sizeof(kind), "%s_added", k);
		add(c, kind, EV_EVOLVE_NARROW, pol, o->ptr, np, 0,
		    "'%s' was added", k);
	} else if (os.s != NULL && ns.s == NULL) {
		snprintf(kind, sizeof(kind), "%s_removed", k);
		add(c, kind, EV_EVOLVE_WIDEN, pol, op, n->ptr, 0,
		    "'%s' was removed", k);
	} else if (os.s != NULL)
		cmp_schema(c, os, ns, k, inner);
	free(op);
	free(np);
}

static void
cmp_patterns(struct cmp *c, struct side *o, struct side *n, enum pol pol)
{
	json_t *opp = kw(o, "patternProperties"), *npp = kw(n,
	    "patternProperties"), *v;
	char *opt, *npt;
	const char *k;

	kwside(o, "patternProperties", &opt);
	kwside(n, "patternProperties", &npt);
	json_object_foreach(npp, k, v) {
		char *p = ev_path_join(npt, k);
		json_t *ov = json_object_get(opp, k);
		if (ov != NULL) {
			char *q = ev_path_join(opt, k);
			cmp_schema(c, (struct side){ ov, o->doc, q },
			    (struct side){ v, n->doc, p }, "pattern_property",
			    pol);
			free(q);
		} else {
			json_t *ap = kw(o, "additionalProperties");
			enum ev_evolve_dir d = sub_dir(c, (struct side){ ap ?
			    ap : json_true(), o->doc, o->ptr },
			    (struct side){ v, n->doc, p }, NULL);
			json_t *props = kw(n, "properties"), *pv;
			const char *pk;
			int undeclared = ap == NULL || json_is_true(ap);

			/* It constrains declared properties it matches too. */
			json_object_foreach(props, pk, pv) {
				if (ev_evolve_regex_match(k, pk))
					undeclared = 0;
			}
			add(c, "pattern_property_added", d, pol, opt ? opt :
			    o->ptr, p, undeclared,
			    "patternProperties '%s' was added", k);
		}
		free(p);
	}
	json_object_foreach(opp, k, v) {
		char *p;
		json_t *ap;
		enum ev_evolve_dir d;

		if (json_object_get(npp, k) != NULL)
			continue;
		p = ev_path_join(opt, k);
		ap = kw(n, "additionalProperties");
		d = sub_dir(c, (struct side){ v, o->doc, p },
		    (struct side){ ap ? ap : json_true(), n->doc, n->ptr },
		    NULL);
		add(c, "pattern_property_removed", d, pol, p, npt ? npt :
		    n->ptr, 0, "patternProperties '%s' was removed", k);
		free(p);
	}
	free(opt);
	free(npt);
}

/* dependentRequired (and draft-07 "dependencies" with arrays). */
static void
cmp_dependent(struct cmp *c, struct side *o, struct side *n, enum pol pol)
{
	static const char *kws[] = { "dependentRequired", "dependentSchemas",
	    "dependencies" };
	size_t w;

	for (w = 0; w < 3; w++) {
		json_t *om = kw(o, kws[w]), *nm = kw(n, kws[w]), *v;
		char *op, *np;
		const char *k;

		if (om == NULL && nm == NULL)
			continue;
		kwside(o, kws[w], &op);
		kwside(n, kws[w], &np);
		json_object_foreach(nm, k, v) {
			json_t *ov = json_object_get(om, k);
			char *p = ev_path_join(np, k);
			char *q = op ? ev_path_join(op, k) : NULL;
			int arr = json_is_array(v);

			if (ov == NULL)
				add(c, arr ? "dependent_required_added" :
				    "dependent_schema_added", EV_EVOLVE_NARROW,
				    pol, op ? op : o->ptr, p, 0,
				    "a dependency on '%s' was added", k);
			else if (arr && json_is_array(ov)) {
				size_t i;
				for (i = 0; i < json_array_size(v); i++)
					if (!in_array(ov, json_array_get(v, i)))
						break;
				if (i < json_array_size(v))
					add(c, "dependent_required_added",
					    EV_EVOLVE_NARROW, pol, q, p, 0,
					    "'%s' now requires more", k);
				for (i = 0; i < json_array_size(ov); i++)
					if (!in_array(v, json_array_get(ov, i)))
						break;
				if (i < json_array_size(ov))
					add(c, "dependent_required_removed",
					    EV_EVOLVE_WIDEN, pol, q, p, 0,
					    "'%s' now requires less", k);
			} else if (!arr && !json_is_array(ov))
				cmp_schema(c, (struct side){ ov, o->doc, q },
				    (struct side){ v, n->doc, p },
				    "dependent_schema", pol);
			else
				add(c, "dependent_changed", EV_EVOLVE_BOTH, pol,
				    q, p, 0, "the dependency on '%s' changed",
				    k);
			free(p);
			free(q);
		}
		json_object_foreach(om, k, v) {
			char *q;
			if (json_object_get(nm, k) != NULL)
				continue;
			q = ev_path_join(op, k);
			add(c, json_is_array(v) ? "dependent_required_removed"
			    : "dependent_schema_removed", EV_EVOLVE_WIDEN, pol,
			    q, np ? np : n->ptr, 0,
			    "the dependency on '%s' was removed", k);
			free(q);
		}
		free(op);
		free(np);
	}
}

static void
cmp_conditional(struct cmp *c, struct side *o, struct side *n, enum pol pol)
{
	json_t *oi = kw(o, "if"), *ni = kw(n, "if");
	char *op, *np;
	struct side os = kwside(o, "if", &op), ns = kwside(n, "if", &np);
	int has_o = oi != NULL && (kw(o, "then") || kw(o, "else"));
	int has_n = ni != NULL && (kw(n, "then") || kw(n, "else"));

	if (!has_o && has_n)
		add(c, "conditional_added", EV_EVOLVE_NARROW, pol, o->ptr, np,
		    0, "an if/then/else condition was added");
	else if (has_o && !has_n)
		add(c, "conditional_removed", EV_EVOLVE_WIDEN, pol, op, n->ptr,
		    0, "the if/then/else condition was removed");
	else if (has_o && has_n) {
		if (!same_schema(c, os, ns))
			add(c, "conditional_changed", EV_EVOLVE_BOTH, pol, op,
			    np, 0, "the if condition changed");
		else {
			cmp_sub(c, o, n, "then", "then", pol);
			cmp_sub(c, o, n, "else", "else", pol);
		}
	}
	free(op);
	free(np);
}

/* Positional schemas: prefixItems (or draft-07 items arrays) and the rest. */
static void
cmp_items(struct cmp *c, struct side *o, struct side *n, enum pol pol)
{
	json_t *ot = kw(o, "prefixItems"), *nt = kw(n, "prefixItems");
	const char *otk = "prefixItems", *ntk = "prefixItems";
	const char *ork = "items", *nrk = "items";
	char *otp, *ntp, *orp, *nrp;
	struct side orest, nrest;
	size_t i, on, nn;

	if (json_is_array(kw(o, "items"))) {
		ot = kw(o, "items");
		otk = "items";
		ork = "additionalItems";
	}
	if (json_is_array(kw(n, "items"))) {
		nt = kw(n, "items");
		ntk = "items";
		nrk = "additionalItems";
	}
	orest = kwside(o, ork, &orp);
	nrest = kwside(n, nrk, &nrp);
	kwside(o, otk, &otp);
	kwside(n, ntk, &ntp);
	on = json_array_size(ot);
	nn = json_array_size(nt);
	for (i = 0; i < on || i < nn; i++) {
		char *a = i < on ? ev_path_join_index(otp, i) : NULL;
		char *b = i < nn ? ev_path_join_index(ntp, i) : NULL;
		struct side os = i < on ? (struct side){ json_array_get(ot, i),
		    o->doc, a } : orest;
		struct side ns = i < nn ? (struct side){ json_array_get(nt, i),
		    n->doc, b } : nrest;

		if (i < on && i < nn)
			cmp_schema(c, os, ns, "prefix_item", pol);
		else if (i < nn)
			add(c, "prefix_item_added", sub_dir(c, os, ns, NULL),
			    pol, orest.ptr, b, 0, "a schema for item %zu was "
			    "added", i);
		else
			add(c, "prefix_item_removed", sub_dir(c, os, ns, NULL),
			    pol, a, nrest.ptr, 0, "the schema for item %zu "
			    "was removed", i);
		free(a);
		free(b);
	}
	if (orest.s != NULL || nrest.s != NULL)
		cmp_schema(c, orest, nrest, "items", pol);
	free(otp);
	free(ntp);
	free(orp);
	free(nrp);
}

/* Member i of the array a of side s, through "$ref"-only members. */
static struct side
member(const struct side *s, const json_t *a, size_t i, char **owned)
{
	struct side m = { json_array_get(a, i), s->doc, s->ptr };
	char err[256];
	int hops;

	*owned = NULL;
	for (hops = 0; hops < 8 && json_is_object(m.s) &&
	    json_object_size(m.s) == 1 && json_is_string(json_object_get(m.s,
	    "$ref")); hops++) {
		struct ev_evolve_doc *td;
		char *tp;
		json_t *t = ev_evolve_resolve(m.doc->store, m.doc, m.s, &td,
		    &tp, err, sizeof(err));
		if (t == NULL)
			break;
		free(*owned);
		*owned = tp;
		m = (struct side){ t, td, tp };
	}
	return m;
}

/* 1 when the values p and q allow (by const/enum, or type) never meet. */
static int
values_disjoint(const struct side *p, const struct side *q)
{
	json_t *pv, *qv;
	struct ev_jset *set;
	size_t i;
	int r = 1;

	if ((eff_mask(p) & eff_mask(q)) == 0)
		return 1;
	pv = kw(p, "const") ? json_pack("[O]", kw(p, "const")) :
	    json_incref(kw(p, "enum"));
	qv = kw(q, "const") ? json_pack("[O]", kw(q, "const")) :
	    json_incref(kw(q, "enum"));
	if (!json_is_array(pv) || !json_is_array(qv))
		r = 0;
	else {
		set = value_set(pv);
		for (i = 0; r && i < json_array_size(qv); i++)
			if (in_set(set, json_array_get(qv, i)))
				r = 0;
		ev_jset_free(set);
	}
	json_decref(pv);
	json_decref(qv);
	return r;
}

/*
 * 1 when no instance can be valid under both a and b, as far as it is
 * decided here: their types (with enum/const) do not meet, or they meet
 * on objects only and a property both require has disjoint const/enum
 * values or types there (a discriminator).  0 when not decided.
 */
static int
members_disjoint(const struct side *a, const struct side *b)
{
	int common = eff_mask(a) & eff_mask(b);
	json_t *ra = kw(a, "required"), *rb = kw(b, "required"), *v;
	json_t *pa = kw(a, "properties"), *pb = kw(b, "properties");
	size_t i;

	if (common == 0)
		return 1;
	if ((common & ~EV_EVOLVE_T_OBJECT) != 0)
		return 0;
	json_array_foreach(ra, i, v) {
		const char *name = json_string_value(v);
		struct side x, y;

		if (name == NULL || !in_array(rb, v))
			continue;
		x = (struct side){ json_object_get(pa, name), a->doc, a->ptr };
		y = (struct side){ json_object_get(pb, name), b->doc, b->ptr };
		if (json_is_object(x.s) && json_is_object(y.s) &&
		    values_disjoint(&x, &y))
			return 1;
	}
	return 0;
}

/* 1 when the members of the oneOf at side s exclude each other. */
static int
oneof_disjoint(const struct side *s, const json_t *arr)
{
	size_t i, j, n = json_array_size(arr);
	int r = 1;

	for (i = 0; r && i < n; i++)
		for (j = i + 1; r && j < n; j++) {
			char *oi, *oj;
			struct side a = member(s, arr, i, &oi);
			struct side b = member(s, arr, j, &oj);
			r = members_disjoint(&a, &b);
			free(oi);
			free(oj);
		}
	return r;
}

static void
cmp_combinator(struct cmp *c, struct side *o, struct side *n, const char *k,
    enum pol pol)
{
	json_t *oa = kw(o, k), *na = kw(n, k);
	size_t on = json_array_size(oa), nn = json_array_size(na), i, j;
	char *op, *np, kind[64];
	char *om, *nmt;
	size_t uo = 0, un = 0;
	/* allOf members narrow when added; anyOf widen; oneOf both. */
	enum ev_evolve_dir add_dir = strcmp(k, "allOf") == 0 ?
	    EV_EVOLVE_NARROW : strcmp(k, "anyOf") == 0 ? EV_EVOLVE_WIDEN :
	    EV_EVOLVE_BOTH;
	enum ev_evolve_dir rm_dir = add_dir == EV_EVOLVE_NARROW ?
	    EV_EVOLVE_WIDEN : add_dir == EV_EVOLVE_WIDEN ? EV_EVOLVE_NARROW :
	    EV_EVOLVE_BOTH;
	enum pol mpol = strcmp(k, "oneOf") == 0 ? MIX : pol;

	if (oa == NULL && na == NULL)
		return;
	/*
	 * A oneOf whose members exclude each other, in OLD and in NEW, is an
	 * anyOf: an instance matches at most one member either way.
	 */
	if (strcmp(k, "oneOf") == 0 && oa != NULL && na != NULL &&
	    oneof_disjoint(o, oa) && oneof_disjoint(n, na)) {
		add_dir = EV_EVOLVE_WIDEN;
		rm_dir = EV_EVOLVE_NARROW;
		mpol = pol;
	}
	kwside(o, k, &op);
	kwside(n, k, &np);
	if (oa == NULL || na == NULL) {
		snprintf(kind, sizeof(kind), "%s_%s", k, oa == NULL ? "added" :
		    "removed");
		add(c, kind, oa == NULL ? EV_EVOLVE_NARROW : EV_EVOLVE_WIDEN,
		    pol, op ? op : o->ptr, np ? np : n->ptr, 0, "%s was %s", k,
		    oa == NULL ? "added" : "removed");
		free(op);
		free(np);
		return;
	}
	om = ev_xcalloc(on + 1, 1);
	nmt = ev_xcalloc(nn + 1, 1);
	for (i = 0; i < on; i++) {
		char *a = ev_path_join_index(op, i);
		for (j = 0; j < nn; j++) {
			char *b;
			int same;
			if (nmt[j])
				continue;
			b = ev_path_join_index(np, j);
			same = same_schema(c, (struct side){
			    json_array_get(oa, i), o->doc, a }, (struct side){
			    json_array_get(na, j), n->doc, b });
			free(b);
			if (same) {
				om[i] = nmt[j] = 1;
				break;
			}
		}
		free(a);
	}
	for (i = 0; i < on; i++)
		uo += !om[i];
	for (j = 0; j < nn; j++)
		un += !nmt[j];
	if (uo == un) {
		/* Same count left over: the members were edited in place. */
		for (i = 0, j = 0; i < on; i++) {
			char *a, *b;
			if (om[i])
				continue;
			while (nmt[j])
				j++;
			a = ev_path_join_index(op, i);
			b = ev_path_join_index(np, j);
			cmp_schema(c, (struct side){ json_array_get(oa, i),
			    o->doc, a }, (struct side){ json_array_get(na, j),
			    n->doc, b }, "member", mpol);
			free(a);
			free(b);
			j++;
		}
	} else {
		for (j = 0; j < nn; j++) {
			char *b;
			if (nmt[j])
				continue;
			b = ev_path_join_index(np, j);
			snprintf(kind, sizeof(kind), "%s_member_added", k);
			add(c, kind, add_dir, pol, op, b, 0, "a %s member was "
			    "added", k);
			free(b);
		}
		for (i = 0; i < on; i++) {
			char *a;
			if (om[i])
				continue;
			a = ev_path_join_index(op, i);
			snprintf(kind, sizeof(kind), "%s_member_removed", k);
			add(c, kind, rm_dir, pol, a, np, 0, "a %s member was "
			    "removed", k);
			free(a);
		}
	}
	free(om);
	free(nmt);
	free(op);
	free(np);
}

static const char *known[] = {
	"$ref", "$dynamicRef", "$recursiveRef", "$recursiveAnchor",
	"additionalItems", "additionalProperties", "allOf", "anyOf", "const",
	"contains", "dependencies", "dependentRequired", "dependentSchemas",
	"else", "enum", "exclusiveMaximum", "exclusiveMinimum", "format", "if",
	"items", "maxContains", "maximum", "maxItems", "maxLength",
	"maxProperties", "minContains", "minimum", "minItems", "minLength",
	"minProperties", "multipleOf", "not", "oneOf", "pattern",
	"patternProperties", "prefixItems", "properties", "propertyNames",
	"required", "then", "type", "unevaluatedItems",
	"unevaluatedProperties", "uniqueItems", NULL
};

/* Draft-04's "id" is the base URI, like "$id": an annotation here. */
static int
is_draft4_id(const struct side *s, const char *k)
{
	return strcmp(k, "id") == 0 && ev_evolve_doc_draft4(s->doc);
}

static void
cmp_unknown(struct cmp *c, struct side *o, struct side *n, enum pol pol)
{
	const char *k;
	json_t *v;

	json_object_foreach(o->s, k, v) {
		json_t *nv = json_object_get(n->s, k);
		if (ev_evolve_keyword_in(k, known) ||
		    ev_evolve_keyword_in(k, annotations) || is_draft4_id(o, k))
			continue;
		if (nv == NULL || !jeq(v, nv)) {
			char *a = ev_path_join(o->ptr, k);
			char *b = nv ? ev_path_join(n->ptr, k) : NULL;
			add(c, "unknown_keyword_changed", EV_EVOLVE_NONE, pol,
			    a, b ? b : n->ptr, 0, "unknown keyword '%s' "
			    "changed (validators ignore it)", k);
			free(a);
			free(b);
		}
	}
	json_object_foreach(n->s, k, v) {
		if (ev_evolve_keyword_in(k, known) ||
		    ev_evolve_keyword_in(k, annotations) ||
		    is_draft4_id(n, k) || json_object_get(o->s, k) != NULL)
			continue;
		{
			char *b = ev_path_join(n->ptr, k);
			add(c, "unknown_keyword_changed", EV_EVOLVE_NONE, pol,
			    o->ptr, b, 0, "unknown keyword '%s' added "
			    "(validators ignore it)", k);
			free(b);
		}
	}
}

/*
 * Keywords that apply to one kind of instance only change what that kind
 * may be.  When OLD accepts no instance of the kind (its type, enum or
 * const exclude it), such a change cannot reject data valid under OLD:
 * it does not narrow.  When NEW accepts none, it does not widen.  The
 * changes from index mark on are filtered so (inside "not" the roles swap;
 * under a oneOf of overlapping members nothing is filtered).
 */
static void
drop_dirs(struct cmp *c, enum pol pol, size_t mark, int drop)
{
	size_t i;

	if (pol == MIX)
		return;
	drop = (int)polarize((enum ev_evolve_dir)drop, pol);
	for (i = mark; drop != 0 && i < c->out->n; i++)
		c->out->v[i].dir = (enum ev_evolve_dir)(c->out->v[i].dir &
		    ~drop);
}

static void
guard(struct cmp *c, const struct side *o, const struct side *n,
    enum pol pol, size_t mark, int kind)
{
	int drop = 0;

	if ((eff_mask(o) & kind) == 0)
		drop |= EV_EVOLVE_NARROW;
	if ((eff_mask(n) & kind) == 0)
		drop |= EV_EVOLVE_WIDEN;
	drop_dirs(c, pol, mark, drop);
}

/*
 * An object closed by "maxProperties": 0 has no member, so what its
 * member keywords say cannot narrow (OLD) or widen (NEW) anything.
 */
static void
guard_members(struct cmp *c, const struct side *o, const struct side *n,
    enum pol pol, size_t mark)
{
	drop_dirs(c, pol, mark, (no_members(o) ? EV_EVOLVE_NARROW : 0) |
	    (no_members(n) ? EV_EVOLVE_WIDEN : 0));
}

/* guard for the changes of cmp_bounds and cmp_misc: "<keyword>_...". */
static void
guard_by_keyword(struct cmp *c, const struct side *o, const struct side *n,
    enum pol pol, size_t mark)
{
	static const struct { const char *k; int kind; } tab[] = {
		{ "minimum", EV_EVOLVE_T_INTEGER | EV_EVOLVE_T_FRACTION },
		{ "maximum", EV_EVOLVE_T_INTEGER | EV_EVOLVE_T_FRACTION },
		{ "exclusiveMinimum", EV_EVOLVE_T_INTEGER |
		    EV_EVOLVE_T_FRACTION },
		{ "exclusiveMaximum", EV_EVOLVE_T_INTEGER |
		    EV_EVOLVE_T_FRACTION },
		{ "multipleOf", EV_EVOLVE_T_INTEGER | EV_EVOLVE_T_FRACTION },
		{ "minLength", EV_EVOLVE_T_STRING },
		{ "maxLength", EV_EVOLVE_T_STRING },
		{ "pattern", EV_EVOLVE_T_STRING },
		{ "minItems", EV_EVOLVE_T_ARRAY },
		{ "maxItems", EV_EVOLVE_T_ARRAY },
		{ "minContains", EV_EVOLVE_T_ARRAY },
		{ "maxContains", EV_EVOLVE_T_ARRAY },
		{ "uniqueItems", EV_EVOLVE_T_ARRAY },
		{ "minProperties", EV_EVOLVE_T_OBJECT },
		{ "maxProperties", EV_EVOLVE_T_OBJECT }
	};
	size_t i, t, end = c->out->n;

	for (i = mark; i < end; i++) {
		const char *kd = c->out->v[i].kind;
		const char *u = strrchr(kd, '_');
		for (t = 0; u != NULL && t < sizeof(tab) / sizeof(tab[0]); t++)
			if (strlen(tab[t].k) == (size_t)(u - kd) &&
			    strncmp(kd, tab[t].k, (size_t)(u - kd)) == 0) {
				/* Filter this one change alone. */
				struct ev_evolve_changes one = { &c->out->v[i],
				    1, 1 };
				struct ev_evolve_changes *save = c->out;
				c->out = &one;
				guard(c, o, n, pol, 0, tab[t].kind);
				c->out = save;
				break;
			}
	}
}

/* "$ref" beside other keywords: compare the targets as well. */
static void
cmp_siblingref(struct cmp *c, struct side *o, struct side *n, enum pol pol)
{
	json_t *a = json_object_get(o->s, "$ref");
	json_t *b = json_object_get(n->s, "$ref");
	struct ev_evolve_doc *ad, *bd;
	char *ap, *bp, *pa, *pb;
	json_t *at, *bt;

	if (!json_is_string(a) && !json_is_string(b))
		return;
	pa = json_is_string(a) ? ev_path_join(o->ptr, "$ref") : NULL;
	pb = json_is_string(b) ? ev_path_join(n->ptr, "$ref") : NULL;
	if (pa == NULL || pb == NULL) {
		add(c, pa ? "ref_removed" : "ref_added", EV_EVOLVE_BOTH, pol,
		    pa ? pa : o->ptr, pb ? pb : n->ptr, 0,
		    "a $ref beside other keywords was %s", pa ? "removed" :
		    "added");
		goto out;
	}
	at = ev_evolve_resolve(o->doc->store, o->doc, o->s, &ad, &ap, c->err,
	    c->errsize);
	if (at == NULL) {
		c->failed = 1;
		goto out;
	}
	bt = ev_evolve_resolve(n->doc->store, n->doc, n->s, &bd, &bp, c->err,
	    c->errsize);
	if (bt == NULL) {
		c->failed = 1;
		free(ap);
		goto out;
	}
	cmp_schema(c, (struct side){ at, ad, ap }, (struct side){ bt, bd, bp },
	    "ref", pol);
	free(ap);
	free(bp);
out:
	free(pa);
	free(pb);
}

/* Follow "$ref" while it is the only assertion of the node. */
static int
deref(struct cmp *c, struct side *s, char **owned, const char **refout)
{
	int hops = 0;

	*refout = NULL;
	while (json_is_object(s->s) && json_is_string(json_object_get(s->s,
	    "$ref"))) {
		const char *ref = json_string_value(json_object_get(s->s,
		    "$ref"));
		const char *k;
		json_t *v, *t;
		struct ev_evolve_doc *td;
		char *tp;
		int alone = 1;

		json_object_foreach(s->s, k, v) {
			if (strcmp(k, "$ref") != 0 &&
			    !ev_evolve_keyword_in(k, annotations))
				alone = 0;
		}
		if (!alone)
			return 0;
		if (++hops > 32) {
			snprintf(c->err, c->errsize, "$ref chain too long at "
			    "'%s'", ref);
			c->failed = 1;
			return -1;
		}
		t = ev_evolve_resolve(s->doc->store, s->doc, s->s, &td, &tp,
		    c->err, c->errsize);
		if (t == NULL) {
			c->failed = 1;
			return -1;
		}
		if (*refout == NULL)
			*refout = ref;
		free(*owned);
		*owned = tp;
		s->s = t;
		s->doc = td;
		s->ptr = tp;
	}
	return 0;
}

static void
cmp_schema(struct cmp *c, struct side o, struct side n, const char *what,
    enum pol pol)
{
	char *oown = NULL, *nown = NULL, kind[64];
	const char *oref, *nref;
	size_t i, before, mark, mark2;
	int ot, nt;

	if (c->failed || c->depth > MAX_DEPTH)
		return;
	if (o.s == NULL)
		o.s = json_true();
	if (n.s == NULL)
		n.s = json_true();
	if (deref(c, &o, &oown, &oref) == -1 ||
	    deref(c, &n, &nown, &nref) == -1)
		goto out;
	for (i = 0; i < c->nseen; i++)
		if (c->seen[i].a == o.s && c->seen[i].b == n.s)
			goto out;
	if (c->nseen == c->capseen) {
		c->capseen = c->capseen ? 2 * c->capseen : 32;
		c->seen = ev_xreallocarray(c->seen, c->capseen,
		    sizeof(*c->seen));
	}
	c->seen[c->nseen++] = (struct pair){ o.s, n.s };
	before = c->out->n;
	c->depth++;

	ot = is_true(o.s) || is_false(o.s);
	nt = is_true(n.s) || is_false(n.s);
	if (ot || nt) {
		if ((is_true(o.s) && is_true(n.s)) ||
		    (is_false(o.s) && is_false(n.s)))
			;
		else if (is_true(o.s) || is_false(n.s)) {
			snprintf(kind, sizeof(kind), "%s_narrowed", what);
			add(c, kind, EV_EVOLVE_NARROW, pol, o.ptr, n.ptr, 0,
			    "%s accepts less", what);
		} else {
			snprintf(kind, sizeof(kind), "%s_widened", what);
			add(c, kind, EV_EVOLVE_WIDEN, pol, o.ptr, n.ptr, 0,
			    "%s accepts more", what);
		}
		goto done;
	}
	cmp_siblingref(c, &o, &n, pol);
	cmp_type(c, &o, &n, pol);
	cmp_values(c, &o, &n, pol);
	mark = c->out->n;
	cmp_bounds(c, &o, &n, pol);
	cmp_misc(c, &o, &n, pol);
	guard_by_keyword(c, &o, &n, pol, mark);
	mark = c->out->n;
	cmp_required(c, &o, &n, pol);
	mark2 = c->out->n;
	cmp_properties(c, &o, &n, pol);
	cmp_patterns(c, &o, &n, pol);
	cmp_sub(c, &o, &n, "additionalProperties", "additional_properties",
	    pol);
	cmp_sub(c, &o, &n, "propertyNames", "property_names", pol);
	cmp_sub(c, &o, &n, "unevaluatedProperties", "unevaluated_properties",
	    pol);
	cmp_dependent(c, &o, &n, pol);
	guard_members(c, &o, &n, pol, mark2);
	guard(c, &o, &n, pol, mark, EV_EVOLVE_T_OBJECT);
	mark = c->out->n;
	cmp_sub(c, &o, &n, "unevaluatedItems", "unevaluated_items", pol);
	cmp_items(c, &o, &n, pol);
	cmp_present(c, &o, &n, "contains", pol, pol);
	guard(c, &o, &n, pol, mark, EV_EVOLVE_T_ARRAY);
	cmp_conditional(c, &o, &n, pol);
	cmp_combinator(c, &o, &n, "allOf", pol);
	cmp_combinator(c, &o, &n, "anyOf", pol);
	cmp_combinator(c, &o, &n, "oneOf", pol);
	cmp_present(c, &o, &n, "not", pol, pol == POS ? NEG : pol == NEG ?
	    POS : MIX);
	cmp_unknown(c, &o, &n, pol);
done:
	c->depth--;
	if ((oref != NULL || nref != NULL) && c->out->n > before &&
	    (oref == NULL || nref == NULL || strcmp(oref, nref) != 0)) {
		enum ev_evolve_dir d = EV_EVOLVE_NONE;
		for (i = before; i < c->out->n; i++)
			d = (enum ev_evolve_dir)(d | c->out->v[i].dir);
		/* Directions in the list are already polarized. */
		add(c, "ref_target_changed", d, POS, o.ptr, n.ptr, 0,
		    "$ref now points at a schema that accepts %s",
		    d == EV_EVOLVE_NARROW ? "less" : d == EV_EVOLVE_WIDEN ?
		    "more" : d == EV_EVOLVE_NONE ? "the same" : "different "
		    "values");
	}
out:
	free(oown);
	free(nown);
}

int
ev_evolve_compare(struct ev_evolve_store *ost, struct ev_evolve_doc *old,
    struct ev_evolve_store *nst, struct ev_evolve_doc *new,
    struct ev_evolve_changes *out, char *err, size_t errsize)
{
	struct cmp c;

	memset(&c, 0, sizeof(c));
	c.out = out;
	c.ost = ost;
	c.nst = nst;
	c.err = err;
	c.errsize = errsize;
	cmp_schema(&c, (struct side){ old->root, old, "" },
	    (struct side){ new->root, new, "" }, "schema", POS);
	free(c.seen);
	return c.failed ? -1 : 0;
}

int
ev_evolve_mode_parse(const char *s, enum ev_evolve_mode *mode)
{
	static const char *names[] = { "none", "backward", "forward", "full",
	    "backward-transitive", "forward-transitive", "full-transitive",
	    NULL };
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(s, names[i]) == 0) {
			*mode = (enum ev_evolve_mode)i;
			return 0;
		}
	return -1;
}

const char *
ev_evolve_mode_name(enum ev_evolve_mode mode)
{
	static const char *names[] = { "none", "backward", "forward", "full",
	    "backward-transitive", "forward-transitive", "full-transitive" };

	return names[mode];
}

int
ev_evolve_mode_transitive(enum ev_evolve_mode mode)
{
	return mode >= EV_EVOLVE_MODE_BACKWARD_TRANSITIVE;
}

int
ev_evolve_allowed(enum ev_evolve_mode mode, enum ev_evolve_dir dir)
{
	switch (mode) {
	case EV_EVOLVE_MODE_NONE:
		return 1;
	case EV_EVOLVE_MODE_BACKWARD:
	case EV_EVOLVE_MODE_BACKWARD_TRANSITIVE:
		return (dir & EV_EVOLVE_NARROW) == 0;
	case EV_EVOLVE_MODE_FORWARD:
	case EV_EVOLVE_MODE_FORWARD_TRANSITIVE:
		return (dir & EV_EVOLVE_WIDEN) == 0;
	case EV_EVOLVE_MODE_FULL:
	case EV_EVOLVE_MODE_FULL_TRANSITIVE:
		return dir == EV_EVOLVE_NONE;
	}
	return 0;
}

const char *
ev_evolve_dir_name(enum ev_evolve_dir dir)
{
	static const char *names[] = { "none", "narrow", "widen", "both" };

	return names[dir];
}

enum ev_schemaver_part
ev_evolve_required_part(const struct ev_evolve_changes *ch)
{
	enum ev_schemaver_part p = EV_SCHEMAVER_NONE;
	size_t i;

	for (i = 0; i < ch->n; i++) {
		enum ev_schemaver_part q = EV_SCHEMAVER_ADDITION;
		const struct ev_evolve_change *c = &ch->v[i];

		if (c->dir & EV_EVOLVE_NARROW)
			q = c->dir == EV_EVOLVE_NARROW && c->undeclared ?
			    EV_SCHEMAVER_REVISION : EV_SCHEMAVER_MODEL;
		if (q > p)
			p = q;
	}
	return p;
}

/* The last M-R-A in s (after '/', ':' or at the start), or -1. */
static int
trailing_version(const char *s, struct ev_schemaver *v)
{
	size_t n = strlen(s);
	const char *end, *start;

	if (n > 5 && strcmp(s + n - 5, ".json") == 0)
		n -= 5;
	while (n > 0 && s[n - 1] == '#')
		n--;
	end = s + n;
	start = end;
	while (start > s && start[-1] != '/' && start[-1] != ':')
		start--;
	return ev_schemaver_read(start, (size_t)(end - start), v);
}

int
ev_evolve_version_of(const char *path, const json_t *root,
    struct ev_schemaver *v)
{
	json_t *self = json_object_get(root, "self");
	const char *s;

	s = json_string_value(json_object_get(self, "version"));
	if (s != NULL && ev_schemaver_read(s, strlen(s), v) == 0)
		return 0;
	s = json_string_value(json_object_get(root, "$id"));
	if (s != NULL && trailing_version(s, v) == 0)
		return 0;
	return path != NULL ? trailing_version(path, v) : -1;
}

static int
cmp_version(const void *a, const void *b)
{
	return ev_schemaver_cmp(&((const struct ev_evolve_version *)a)->ver,
	    &((const struct ev_evolve_version *)b)->ver);
}

static int
cmp_event(const void *a, const void *b)
{
	return strcmp(((const struct ev_evolve_event *)a)->name,
	    ((const struct ev_evolve_event *)b)->name);
}

struct scan {
	struct ev_evolve_registry	*r;
	json_t				*stray;
};

/* An ev_registry_scan visitor: versions by event, the rest as strays. */
static int
scan_file(const struct ev_registry_file *f, void *arg, char *err,
    size_t errlen)
{
	struct scan *sc = arg;
	struct ev_evolve_registry *r = sc->r;
	struct ev_evolve_event *ev;
	size_t i;

	(void)err;
	(void)errlen;
	if (!f->versioned) {
		if (sc->stray != NULL)
			json_array_append_new(sc->stray, json_string(f->path));
		return 0;
	}
	for (i = r->n; i > 0 && strcmp(r->ev[i - 1].name, f->key) != 0; i--)
		;
	if (i == 0) {
		r->ev = ev_xreallocarray(r->ev, r->n + 1, sizeof(*r->ev));
		r->ev[r->n] = (struct ev_evolve_event){ ev_xstrdup(f->key),
		    NULL, 0 };
		i = ++r->n;
	}
	ev = &r->ev[i - 1];
	ev->v = ev_xreallocarray(ev->v, ev->n + 1, sizeof(*ev->v));
	ev->v[ev->n].ver = f->ver;
	ev->v[ev->n++].path = ev_xstrdup(f->path);
	return 0;
}

int
ev_evolve_registry_scan(const char *dir, struct ev_evolve_registry *r,
    json_t **stray, char *err, size_t errsize)
{
	struct scan sc = { r, NULL };
	size_t i;

	memset(r, 0, sizeof(*r));
	if (stray != NULL)
		*stray = sc.stray = json_array();
	r->root = ev_xstrdup(dir);
	if (ev_registry_scan(dir, scan_file, &sc, err, errsize) != 0) {
		ev_evolve_registry_free(r);
		if (stray != NULL) {
			json_decref(*stray);
			*stray = NULL;
		}
		return -1;
	}
	for (i = 0; i < r->n; i++)
		qsort(r->ev[i].v, r->ev[i].n, sizeof(*r->ev[i].v),
		    cmp_version);
	if (r->n > 0)
		qsort(r->ev, r->n, sizeof(*r->ev), cmp_event);
	return 0;
}

void
ev_evolve_registry_free(struct ev_evolve_registry *r)
{
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		for (j = 0; j < r->ev[i].n; j++)
			free(r->ev[i].v[j].path);
		free(r->ev[i].v);
		free(r->ev[i].name);
	}
	free(r->ev);
	free(r->root);
	memset(r, 0, sizeof(*r));
}

const struct ev_evolve_event *
ev_evolve_registry_event(const struct ev_evolve_registry *r,
    const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->ev[i].name, name) == 0)
			return &r->ev[i];
	return NULL;
}
