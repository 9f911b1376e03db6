/*
 * ev_schema.c - schema sets: loading documents, compiling them into the
 * internal form of ev_schema_int.h, base-URI bookkeeping and reference
 * resolution.  Validation lives in ev_schema_eval.c.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_common.h"
#include "ev_dir.h"
#include "ev_jset.h"
#include "ev_path.h"
#include "ev_schema.h"
#include "ev_schema_int.h"

/* ---- URIs (RFC 3986) ---- */

struct uri_parts {
	const char	*scheme, *auth, *path, *query, *frag;
	size_t		 scheme_n, auth_n, path_n, query_n, frag_n;
	int		 has_scheme, has_auth, has_query, has_frag;
};

static void
uri_split(const char *s, struct uri_parts *u)
{
	const char *p = s, *q;

	memset(u, 0, sizeof(*u));
	for (q = s; *q && *q != ':' && *q != '/' && *q != '?' && *q != '#'; q++)
		;
	if (*q == ':' && q > s) {
		u->scheme = s;
		u->scheme_n = (size_t)(q - s);
		u->has_scheme = 1;
		p = q + 1;
	}
	if (p[0] == '/' && p[1] == '/') {
		p += 2;
		u->auth = p;
		while (*p && *p != '/' && *p != '?' && *p != '#')
			p++;
		u->auth_n = (size_t)(p - u->auth);
		u->has_auth = 1;
	}
	u->path = p;
	while (*p && *p != '?' && *p != '#')
		p++;
	u->path_n = (size_t)(p - u->path);
	if (*p == '?') {
		u->query = ++p;
		while (*p && *p != '#')
			p++;
		u->query_n = (size_t)(p - u->query);
		u->has_query = 1;
	}
	if (*p == '#') {
		u->frag = p + 1;
		u->frag_n = strlen(p + 1);
		u->has_frag = 1;
	}
}

static void
remove_dots(const char *in, size_t n, struct ev_buf *out)
{
	struct ev_buf b = EV_BUF_INIT;
	const char *p, *end;

	ev_buf_add(&b, in, n);
	p = b.data ? b.data : "";
	end = p + b.len;
	while (p < end) {
		size_t left = (size_t)(end - p);
		if (left >= 3 && strncmp(p, "../", 3) == 0)
			p += 3;
		else if (left >= 2 && strncmp(p, "./", 2) == 0)
			p += 2;
		else if (left >= 3 && strncmp(p, "/./", 3) == 0)
			p += 2;
		else if (left == 2 && strncmp(p, "/.", 2) == 0) {
			ev_buf_addc(out, '/');
			p += 2;
		} else if ((left >= 4 && strncmp(p, "/../", 4) == 0) ||
		    (left == 3 && strncmp(p, "/..", 3) == 0)) {
			char *slash;
			int last = left == 3;
			/* out is empty (data NULL) when the path starts so. */
			slash = strrchr(out->data ? out->data : "", '/');
			out->len = slash ? (size_t)(slash - out->data) : 0;
			if (out->data)
				out->data[out->len] = '\0';
			p += 3;
			if (last) {
				ev_buf_addc(out, '/');
				break;
			}
		} else if ((left == 1 && *p == '.') ||
		    (left == 2 && strncmp(p, "..", 2) == 0)) {
			break;
		} else {
			const char *s = p;
			if (*s == '/')
				s++;
			while (s < end && *s != '/')
				s++;
			ev_buf_add(out, p, (size_t)(s - p));
			p = s;
		}
	}
	ev_buf_free(&b);
}

char *
ev_uri_resolve(const char *base, const char *ref)
{
	struct uri_parts b, r;
	struct ev_buf out = EV_BUF_INIT;
	const char *scheme, *auth = NULL, *query = NULL;
	size_t scheme_n, auth_n = 0, query_n = 0;
	int has_auth = 0, has_query = 0;
	struct ev_buf path = EV_BUF_INIT;

	uri_split(base ? base : "", &b);
	uri_split(ref, &r);
	if (r.has_scheme) {
		scheme = r.scheme, scheme_n = r.scheme_n;
		has_auth = r.has_auth, auth = r.auth, auth_n = r.auth_n;
		remove_dots(r.path, r.path_n, &path);
		has_query = r.has_query, query = r.query, query_n = r.query_n;
	} else {
		scheme = b.scheme, scheme_n = b.scheme_n;
		if (r.has_auth) {
			has_auth = 1, auth = r.auth, auth_n = r.auth_n;
			remove_dots(r.path, r.path_n, &path);
			has_query = r.has_query, query = r.query,
			    query_n = r.query_n;
		} else {
			has_auth = b.has_auth, auth = b.auth, auth_n = b.auth_n;
			if (r.path_n == 0) {
				ev_buf_add(&path, b.path, b.path_n);
				if (r.has_query)
					has_query = 1, query = r.query,
					    query_n = r.query_n;
				else
					has_query = b.has_query,
					    query = b.query,
					    query_n = b.query_n;
			} else {
				if (r.path[0] == '/')
					remove_dots(r.path, r.path_n, &path);
				else {
					struct ev_buf m = EV_BUF_INIT;
					if (b.has_auth && b.path_n == 0)
						ev_buf_addc(&m, '/');
					else {
						size_t k = b.path_n;
						while (k > 0 &&
						    b.path[k - 1] != '/')
							k--;
						ev_buf_add(&m, b.path, k);
					}
					ev_buf_add(&m, r.path, r.path_n);
					remove_dots(m.data, m.len, &path);
					ev_buf_free(&m);
				}
				has_query = r.has_query, query = r.query,
				    query_n = r.query_n;
			}
		}
	}
	if (scheme) {
		ev_buf_add(&out, scheme, scheme_n);
		ev_buf_addc(&out, ':');
	}
	if (has_auth) {
		ev_buf_adds(&out, "//");
		ev_buf_add(&out, auth, auth_n);
	}
	ev_buf_add(&out, path.data ? path.data : "", path.len);
	if (has_query) {
		ev_buf_addc(&out, '?');
		ev_buf_add(&out, query, query_n);
	}
	if (r.has_frag) {
		ev_buf_addc(&out, '#');
		ev_buf_add(&out, r.frag, r.frag_n);
	}
	ev_buf_free(&path);
	if (out.data == NULL)
		ev_buf_adds(&out, "");
	return ev_buf_detach(&out, NULL);
}

/* ---- ECMA-262 regular expressions through PCRE2 ---- */

/* ECMA-262 white space and line terminators beyond ASCII. */
#define ECMA_SPACE "\\t\\n\\x{0b}\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}" \
	"\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}"

/* ECMA-262 long Unicode property names PCRE2 may not know. */
static const char *
prop_alias(const char *p, size_t n)
{
	static const char *const tab[][2] = {
		{ "Letter", "L" }, { "Lowercase_Letter", "Ll" },
		{ "Uppercase_Letter", "Lu" }, { "Titlecase_Letter", "Lt" },
		{ "Modifier_Letter", "Lm" }, { "Other_Letter", "Lo" },
		{ "Mark", "M" }, { "Number", "N" }, { "Decimal_Number", "Nd" },
		{ "digit", "Nd" }, { "Letter_Number", "Nl" },
		{ "Other_Number", "No" }, { "Punctuation", "P" },
		{ "punct", "P" }, { "Symbol", "S" }, { "Separator", "Z" },
		{ "Space_Separator", "Zs" }, { "Other", "C" },
		{ "Control", "Cc" }, { "cntrl", "Cc" },
	};
	size_t i;

	if (n > 19 && strncmp(p, "General_Category=", 17) == 0)
		p += 17, n -= 17;
	else if (n > 3 && strncmp(p, "gc=", 3) == 0)
		p += 3, n -= 3;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strlen(tab[i][0]) == n && strncmp(tab[i][0], p, n) == 0)
			return tab[i][1];
	return NULL;
}

/*
 * Translate the ECMA-262 spellings PCRE2 reads differently: \uXXXX and
 * \u{X...} become \x{...}; \s and \S take ECMA's Unicode white space; \d
 * and \w stay ASCII because the pattern is compiled without PCRE2_UCP
 * (which is ECMA's meaning of them); "$" matches only at the very end.
 */
pcre2_code *
ev_schema_regex(const char *pat, size_t len)
{
	struct ev_buf b = EV_BUF_INIT;
	size_t i;
	int in_class = 0, rc;
	PCRE2_SIZE off;
	pcre2_code *re;

	for (i = 0; i < len; i++) {
		char ch = pat[i];
		/*
		 * Syntax of other engines ECMA-262 lacks: (?P...) groups,
		 * (?#...) comments and global inline flags such as (?i).
		 */
		if (ch == '(' && !in_class && i + 2 < len && pat[i + 1] == '?') {
			size_t k = i + 2;
			if (pat[k] == 'P' || pat[k] == '#')
				goto bad;
			while (k < len && strchr("imsxnU-", pat[k]) &&
			    pat[k] != '\0')
				k++;
			if (k > i + 2 && k < len && pat[k] == ')')
				goto bad;
		}
		if (ch == '\\' && i + 1 < len) {
			char e = pat[i + 1];
			if (e == 'a')
				goto bad;	/* not an ECMA-262 escape */
			if (e == 'u' && i + 5 < len + 0 && pat[i + 2] != '{') {
				ev_buf_adds(&b, "\\x{");
				ev_buf_add(&b, pat + i + 2, 4);
				ev_buf_addc(&b, '}');
				i += 5;
				continue;
			}
			if (e == 'u' && i + 2 < len && pat[i + 2] == '{') {
				ev_buf_adds(&b, "\\x");
				i += 1;
				continue;
			}
			if ((e == 'p' || e == 'P') && i + 2 < len &&
			    pat[i + 2] == '{') {
				const char *end = memchr(pat + i + 3, '}',
				    len - i - 3);
				const char *nm;
				if (end && (nm = prop_alias(pat + i + 3,
				    (size_t)(end - pat - i - 3))) != NULL) {
					ev_buf_printf(&b, "\\%c{%s}", e, nm);
					i = (size_t)(end - pat);
					continue;
				}
			}
			if (e == 's') {
				ev_buf_adds(&b, in_class ? ECMA_SPACE :
				    "[" ECMA_SPACE "]");
				i++;
				continue;
			}
			if (e == 'S' && !in_class) {
				ev_buf_adds(&b, "[^" ECMA_SPACE "]");
				i++;
				continue;
			}
			ev_buf_add(&b, pat + i, 2);
			i++;
			continue;
		}
		if (ch == '[' && !in_class)
			in_class = 1;
		else if (ch == ']' && in_class)
			in_class = 0;
		ev_buf_addc(&b, ch);
	}
	if (b.data == NULL)
		ev_buf_adds(&b, "");
	re = pcre2_compile((PCRE2_SPTR)b.data, b.len,
	    PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALLOW_EMPTY_CLASS |
	    PCRE2_NO_UTF_CHECK, &rc, &off, NULL);
	ev_buf_free(&b);
	if (re != NULL)
		(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
bad:
	ev_buf_free(&b);
	return NULL;
}

int
ev_schema_regex_ok(const char *pattern, size_t len)
{
	pcre2_code *re = ev_schema_regex(pattern, len);

	if (re == NULL)
		return 0;
	pcre2_code_free(re);
	return 1;
}

/* ---- the set ---- */

struct ev_schema_set *
ev_schema_set_new(struct ev_schema_set *parent,
    enum ev_schema_draft default_draft)
{
	struct ev_schema_set *s = ev_xcalloc(1, sizeof(*s));

	s->parent = parent;
	s->default_draft = (int)default_draft;
	s->docs = json_array();
	s->uris = json_object();
	s->pm_cap = 256;
	s->pm_key = ev_xcalloc(s->pm_cap, sizeof(*s->pm_key));
	s->pm_val = ev_xcalloc(s->pm_cap, sizeof(*s->pm_val));
	return s;
}

static void
list_free(struct ev_sn_list *l)
{
	free(l->v);
}

static void
node_free(struct ev_sn *n)
{
	size_t i;

	free(n->abs);
	free(n->base);
	free(n->dyn_anchors);
	list_free(&n->all_of);
	list_free(&n->any_of);
	list_free(&n->one_of);
	list_free(&n->tuple);
	free(n->props);
	free(n->req_rest);
	for (i = 0; i < n->n_pprops; i++)
		pcre2_code_free(n->pprops[i].re);
	free(n->pprops);
	free(n->dep_schemas);
	free(n->dep_req);
	if (n->pattern)
		pcre2_code_free(n->pattern);
	ev_jset_free(n->enum_set);
	free(n);
}

void
ev_schema_set_free(struct ev_schema_set *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n_nodes; i++)
		node_free(s->nodes[i]);
	free(s->nodes);
	free(s->pm_key);
	free(s->pm_val);
	json_decref(s->uris);
	json_decref(s->docs);
	free(s);
}

static size_t
pm_hash(const json_t *k, size_t cap)
{
	uintptr_t x = (uintptr_t)k;

	x ^= x >> 17;
	x *= (uintptr_t)0x9E3779B97F4A7C15ull;
	x ^= x >> 29;
	return (size_t)x & (cap - 1);
}

static void
pm_put(struct ev_schema_set *s, const json_t *k, size_t v)
{
	size_t h;

	if ((s->pm_n + 1) * 2 > s->pm_cap) {
		const json_t **ok = s->pm_key;
		size_t *ov = s->pm_val, oc = s->pm_cap, i;
		s->pm_cap *= 2;
		s->pm_key = ev_xcalloc(s->pm_cap, sizeof(*s->pm_key));
		s->pm_val = ev_xcalloc(s->pm_cap, sizeof(*s->pm_val));
		s->pm_n = 0;
		for (i = 0; i < oc; i++)
			if (ok[i])
				pm_put(s, ok[i], ov[i]);
		free(ok);
		free(ov);
	}
	for (h = pm_hash(k, s->pm_cap); s->pm_key[h] && s->pm_key[h] != k;
	    h = (h + 1) & (s->pm_cap - 1))
		;
	if (s->pm_key[h] == NULL)
		s->pm_n++;
	s->pm_key[h] = k;
	s->pm_val[h] = v;
}

static struct ev_sn *
pm_get(const struct ev_schema_set *s, const json_t *k)
{
	size_t h;

	for (h = pm_hash(k, s->pm_cap); s->pm_key[h];
	    h = (h + 1) & (s->pm_cap - 1))
		if (s->pm_key[h] == k)
			return s->nodes[s->pm_val[h]];
	return NULL;
}

static void
uri_put(struct ev_schema_set *s, const char *uri, struct ev_sn *n)
{
	size_t len = strlen(uri);
	char *k = ev_xstrdup(uri);

	if (len > 0 && k[len - 1] == '#')
		k[len - 1] = '\0';
	if (json_object_get(s->uris, k) == NULL)
		json_object_set_new(s->uris, k, json_integer(
		    (json_int_t)n->idx));
	free(k);
}

static struct ev_sn *
uri_get(const struct ev_schema_set *s, const char *uri)
{
	for (; s; s = s->parent) {
		json_t *v = json_object_get(s->uris, uri);
		if (v)
			return s->nodes[json_integer_value(v)];
	}
	return NULL;
}

/* ---- compiling ---- */

struct cctx {
	struct ev_schema_set *set;
	struct ev_buf	 ptr;		/* JSON pointer from the resource root */
	char		*err;
	size_t		 errlen;
	int		 failed;
};

static void
cfail(struct cctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = 1;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
}

static int
draft_of_uri(const char *u)
{
	static const struct { const char *uri; int draft; } known[] = {
		{ "http://json-schema.org/draft-07/schema", EV_SCHEMA_DRAFT7 },
		{ "http://json-schema.org/draft-06/schema", EV_SCHEMA_DRAFT7 },
		{ "http://json-schema.org/draft-04/schema", EV_SCHEMA_DRAFT7 },
		{ "https://json-schema.org/draft/2019-09/schema",
		    EV_SCHEMA_2019_09 },
		{ "https://json-schema.org/draft/2020-12/schema",
		    EV_SCHEMA_2020_12 },
	};
	size_t n = strlen(u), i;

	if (n > 0 && u[n - 1] == '#')
		n--;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].uri) == n &&
		    strncmp(u, known[i].uri, n) == 0)
			return known[i].draft;
	return 0;
}

/* The dialect and vocabularies named by a $schema value. */
static void
dialect(struct cctx *c, const char *uri, int *draft, unsigned *vocab)
{
	struct ev_sn *m;
	const json_t *voc;
	const char *k;
	json_t *v;
	int d = draft_of_uri(uri);
	char *key;
	size_t n;

	*vocab = EV_VOC_VALIDATION;
	if (d) {
		*draft = d;
		return;
	}
	key = ev_xstrdup(uri);
	n = strlen(key);
	if (n > 0 && key[n - 1] == '#')
		key[n - 1] = '\0';
	m = uri_get(c->set, key);
	free(key);
	if (m == NULL || m->boolean >= 0)
		return;
	*draft = m->draft;
	voc = json_object_get(m->src, "$vocabulary");
	if (!json_is_object(voc) || m->draft == EV_SCHEMA_DRAFT7)
		return;
	*vocab = 0;
	json_object_foreach((json_t *)(uintptr_t)voc, k, v) {
		(void)v;
		if (strstr(k, "/vocab/validation"))
			*vocab |= EV_VOC_VALIDATION;
		if (strstr(k, "/vocab/format-assertion"))
			*vocab |= EV_VOC_FORMAT_ASSERT;
	}
}

static struct ev_sn *compile(struct cctx *c, const json_t *j,
    const char *base, int draft, unsigned vocab, struct ev_sn *resource);

static struct ev_sn *
sub(struct cctx *c, struct ev_sn *n, const json_t *j, const char *kw)
{
	size_t mark = c->ptr.len;
	struct ev_sn *r;

	ev_path_push(&c->ptr, kw);
	r = compile(c, j, n->base, n->draft, n->vocab, n->resource);
	ev_path_pop(&c->ptr, mark);
	return r;
}

static struct ev_sn *
sub2(struct cctx *c, struct ev_sn *n, const json_t *j, const char *kw,
    const char *key, size_t idx)
{
	size_t mark = c->ptr.len;
	struct ev_sn *r;

	ev_path_push(&c->ptr, kw);
	if (key)
		ev_path_push(&c->ptr, key);
	else
		ev_path_push_index(&c->ptr, idx);
	r = compile(c, j, n->base, n->draft, n->vocab, n->resource);
	ev_path_pop(&c->ptr, mark);
	return r;
}

static void
sub_list(struct cctx *c, struct ev_sn *n, const json_t *a, const char *kw,
    struct ev_sn_list *l)
{
	size_t i;

	if (!json_is_array(a))
		return;
	l->n = json_array_size(a);
	l->v = ev_xcalloc(l->n ? l->n : 1, sizeof(*l->v));
	for (i = 0; i < l->n; i++)
		l->v[i] = sub2(c, n, json_array_get(a, i), kw, NULL, i);
}

static long long
count_kw(const json_t *o, const char *kw)
{
	const json_t *v = json_object_get(o, kw);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return (long long)json_real_value(v);
	return -1;
}

static unsigned
type_bit(const char *t)
{
	static const struct { const char *n; unsigned b; } tab[] = {
		{ "null", EV_ST_NULL }, { "boolean", EV_ST_BOOL },
		{ "object", EV_ST_OBJ }, { "array", EV_ST_ARR },
		{ "number", EV_ST_NUM | EV_ST_INT }, { "string", EV_ST_STR },
		{ "integer", EV_ST_INT },
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(tab[i].n, t) == 0)
			return tab[i].b;
	return 0;
}

static struct ev_sn *
new_node(struct cctx *c, const json_t *j)
{
	struct ev_schema_set *s = c->set;
	struct ev_sn *n = ev_xcalloc(1, sizeof(*n));

	if (s->n_nodes == s->cap_nodes) {
		s->cap_nodes = s->cap_nodes ? s->cap_nodes * 2 : 64;
		s->nodes = ev_xreallocarray(s->nodes, s->cap_nodes,
		    sizeof(*s->nodes));
	}
	s->nodes[s->n_nodes] = n;
	n->idx = s->n_nodes;
	pm_put(s, j, s->n_nodes);
	s->n_nodes++;
	n->set = s;
	n->src = j;
	n->boolean = -1;
	n->min_len = n->max_len = n->min_items = n->max_items = -1;
	n->min_props = n->max_props = n->min_contains = n->max_contains = -1;
	return n;
}

static void
set_abs(struct cctx *c, struct ev_sn *n)
{
	struct ev_buf b = EV_BUF_INIT;

	ev_buf_adds(&b, n->resource ? n->resource->base : n->base);
	ev_buf_addc(&b, '#');
	if (c->ptr.len)
		ev_buf_add(&b, c->ptr.data, c->ptr.len);
	n->abs = ev_buf_detach(&b, NULL);
}

static void
named_list(struct cctx *c, struct ev_sn *n, const json_t *o, const char *kw,
    struct ev_sn_named **out, size_t *nout)
{
	const char *k;
	json_t *v;
	size_t i = 0;

	if (!json_is_object(o))
		return;
	*nout = json_object_size(o);
	*out = ev_xcalloc(*nout ? *nout : 1, sizeof(**out));
	json_object_foreach((json_t *)(uintptr_t)o, k, v) {
		(*out)[i].name = k;
		(*out)[i].len = strlen(k);
		(*out)[i].kw = kw;
		(*out)[i].node = sub2(c, n, v, kw, k, 0);
		i++;
	}
}

static void
compile_keywords(struct cctx *c, struct ev_sn *n)
{
	const json_t *o = n->src, *v;
	const char *k;
	json_t *jv;
	int d = n->draft;

	if (d == EV_SCHEMA_DRAFT7 && n->ref) {
		/* Siblings of $ref are ignored, but ids below still count. */
		if ((v = json_object_get(o, "definitions")) && json_is_object(v))
			json_object_foreach((json_t *)(uintptr_t)v, k, jv)
				(void)sub2(c, n, jv, "definitions", k, 0);
		return;
	}
	if ((v = json_object_get(o, "$defs")) && json_is_object(v))
		json_object_foreach((json_t *)(uintptr_t)v, k, jv)
			(void)sub2(c, n, jv, "$defs", k, 0);
	if ((v = json_object_get(o, "definitions")) && json_is_object(v))
		json_object_foreach((json_t *)(uintptr_t)v, k, jv)
			(void)sub2(c, n, jv, "definitions", k, 0);

	sub_list(c, n, json_object_get(o, "allOf"), "allOf", &n->all_of);
	sub_list(c, n, json_object_get(o, "anyOf"), "anyOf", &n->any_of);
	sub_list(c, n, json_object_get(o, "oneOf"), "oneOf", &n->one_of);
	if ((v = json_object_get(o, "not")))
		n->not_ = sub(c, n, v, "not");
	if ((v = json_object_get(o, "if")))
		n->if_ = sub(c, n, v, "if");
	/* Compiled even without "if": their ids can be referenced. */
	if ((v = json_object_get(o, "then")))
		n->then_ = sub(c, n, v, "then");
	if ((v = json_object_get(o, "else")))
		n->else_ = sub(c, n, v, "else");
	named_list(c, n, json_object_get(o, "properties"), "properties",
	    &n->props, &n->n_props);
	if ((v = json_object_get(o, "patternProperties")) && json_is_object(v)) {
		size_t i = 0;
		n->n_pprops = json_object_size(v);
		n->pprops = ev_xcalloc(n->n_pprops ? n->n_pprops : 1,
		    sizeof(*n->pprops));
		json_object_foreach((json_t *)(uintptr_t)v, k, jv) {
			n->pprops[i].src = k;
			n->pprops[i].re = ev_schema_regex(k, strlen(k));
			if (n->pprops[i].re == NULL)
				cfail(c, "%s: bad pattern '%s'", n->abs, k);
			n->pprops[i].node = sub2(c, n, jv,
			    "patternProperties", k, 0);
			i++;
		}
	}
	if ((v = json_object_get(o, "additionalProperties")))
		n->addl_props = sub(c, n, v, "additionalProperties");
	if ((v = json_object_get(o, "propertyNames")))
		n->prop_names = sub(c, n, v, "propertyNames");
	if (d != EV_SCHEMA_DRAFT7 &&
	    (v = json_object_get(o, "unevaluatedProperties")))
		n->uneval_props = sub(c, n, v, "unevaluatedProperties");
	if (d != EV_SCHEMA_DRAFT7 &&
	    (v = json_object_get(o, "unevaluatedItems")))
		n->uneval_items = sub(c, n, v, "unevaluatedItems");
	if (d != EV_SCHEMA_DRAFT7)
		named_list(c, n, json_object_get(o, "dependentSchemas"),
		    "dependentSchemas", &n->dep_schemas, &n->n_dep_schemas);
	if (d != EV_SCHEMA_DRAFT7 &&
	    (v = json_object_get(o, "dependentRequired")) &&
	    json_is_object(v) && (n->vocab & EV_VOC_VALIDATION)) {
		size_t i = 0;
		n->n_dep_req = json_object_size(v);
		n->dep_req = ev_xcalloc(n->n_dep_req ? n->n_dep_req : 1,
		    sizeof(*n->dep_req));
		json_object_foreach((json_t *)(uintptr_t)v, k, jv) {
			n->dep_req[i].name = k;
			n->dep_req[i].kw = "dependentRequired";
			n->dep_req[i].req = jv;
			i++;
		}
	}
	/* "dependencies" (draft-07; kept by later drafts for compatibility). */
	if ((v = json_object_get(o, "dependencies")) && json_is_object(v)) {
		size_t ns = n->n_dep_schemas, nr = n->n_dep_req;
		n->dep_schemas = ev_xreallocarray(n->dep_schemas,
		    ns + json_object_size(v) + 1, sizeof(*n->dep_schemas));
		n->dep_req = ev_xreallocarray(n->dep_req,
		    nr + json_object_size(v) + 1, sizeof(*n->dep_req));
		json_object_foreach((json_t *)(uintptr_t)v, k, jv) {
			if (json_is_array(jv)) {
				if (!(n->vocab & EV_VOC_VALIDATION))
					continue;
				n->dep_req[nr].name = k;
				n->dep_req[nr].kw = "dependencies";
				n->dep_req[nr++].req = jv;
			} else {
				n->dep_schemas[ns].name = k;
				n->dep_schemas[ns].kw = "dependencies";
				n->dep_schemas[ns++].node = sub2(c, n, jv,
				    "dependencies", k, 0);
			}
		}
		n->n_dep_schemas = ns;
		n->n_dep_req = nr;
	}
	/* Items per draft: a tuple part and the rest. */
	if (d == EV_SCHEMA_2020_12) {
		sub_list(c, n, json_object_get(o, "prefixItems"),
		    "prefixItems", &n->tuple);
		n->tuple_kw = "prefixItems";
		if ((v = json_object_get(o, "items"))) {
			n->rest = sub(c, n, v, "items");
			n->rest_kw = "items";
		}
	} else {
		v = json_object_get(o, "items");
		if (json_is_array(v)) {
			sub_list(c, n, v, "items", &n->tuple);
			n->tuple_kw = "items";
			if ((v = json_object_get(o, "additionalItems"))) {
				n->rest = sub(c, n, v, "additionalItems");
				n->rest_kw = "additionalItems";
			}
		} else if (v) {
			n->rest = sub(c, n, v, "items");
			n->rest_kw = "items";
		}
	}
	if ((v = json_object_get(o, "contains"))) {
		n->contains = sub(c, n, v, "contains");
		if (d != EV_SCHEMA_DRAFT7 && (n->vocab & EV_VOC_VALIDATION)) {
			n->min_contains = count_kw(o, "minContains");
			n->max_contains = count_kw(o, "maxContains");
		}
	}

	if (!(n->vocab & EV_VOC_VALIDATION))
		goto format;
	if ((v = json_object_get(o, "type"))) {
		if (json_is_string(v))
			n->types = type_bit(json_string_value(v));
		else if (json_is_array(v)) {
			size_t i;
			for (i = 0; i < json_array_size(v); i++)
				if (json_is_string(json_array_get(v, i)))
					n->types |= type_bit(json_string_value(
					    json_array_get(v, i)));
		}
		if (n->types == 0)
			n->types = 0x80;	/* matches nothing */
	}
	n->enum_v = json_object_get(o, "enum");
	if (!json_is_array(n->enum_v))
		n->enum_v = NULL;
	else if (json_array_size(n->enum_v) > EV_SCHEMA_ENUM_SCAN) {
		/* One lookup per instance instead of a scan of the values. */
		size_t i;
		n->enum_set = ev_jset_new(json_array_size(n->enum_v));
		for (i = 0; i < json_array_size(n->enum_v); i++)
			(void)ev_jset_add(n->enum_set,
			    json_array_get(n->enum_v, i), i, NULL);
	}
	if ((v = json_object_get(o, "const"))) {
		n->const_v = v;
		n->has_const = 1;
	}
	n->minimum = json_object_get(o, "minimum");
	n->maximum = json_object_get(o, "maximum");
	n->ex_minimum = json_object_get(o, "exclusiveMinimum");
	n->ex_maximum = json_object_get(o, "exclusiveMaximum");
	if (json_is_boolean(n->ex_minimum)) {
		n->ex_min_bool = json_is_true(n->ex_minimum);
		n->ex_minimum = NULL;
	}
	if (json_is_boolean(n->ex_maximum)) {
		n->ex_max_bool = json_is_true(n->ex_maximum);
		n->ex_maximum = NULL;
	}
	if (!json_is_number(n->minimum))
		n->minimum = NULL;
	if (!json_is_number(n->maximum))
		n->maximum = NULL;
	if (!json_is_number(n->ex_minimum))
		n->ex_minimum = NULL;
	if (!json_is_number(n->ex_maximum))
		n->ex_maximum = NULL;
	n->multiple_of = json_object_get(o, "multipleOf");
	if (!json_is_number(n->multiple_of))
		n->multiple_of = NULL;
	n->min_len = count_kw(o, "minLength");
	n->max_len = count_kw(o, "maxLength");
	n->min_items = count_kw(o, "minItems");
	n->max_items = count_kw(o, "maxItems");
	n->min_props = count_kw(o, "minProperties");
	n->max_props = count_kw(o, "maxProperties");
	n->unique = json_is_true(json_object_get(o, "uniqueItems"));
	n->required = json_object_get(o, "required");
	if (!json_is_array(n->required))
		n->required = NULL;
	if (n->required) {
		size_t i, j;
		n->req_rest = ev_xcalloc(json_array_size(n->required) + 1,
		    sizeof(*n->req_rest));
		for (i = 0; i < json_array_size(n->required); i++) {
			const char *r = json_string_value(json_array_get(
			    n->required, i));
			if (r == NULL)
				continue;
			for (j = 0; j < n->n_props; j++)
				if (strcmp(n->props[j].name, r) == 0) {
					n->props[j].required = 1;
					break;
				}
			if (j == n->n_props)
				n->req_rest[n->n_req_rest++] = r;
		}
	}
	if ((v = json_object_get(o, "pattern")) && json_is_string(v)) {
		n->pattern_src = json_string_value(v);
		n->pattern = ev_schema_regex(n->pattern_src,
		    json_string_length(v));
		if (n->pattern == NULL)
			cfail(c, "%s: bad pattern '%s'", n->abs,
			    n->pattern_src);
	}
format:
	if ((v = json_object_get(o, "format")) && json_is_string(v))
		n->format = json_string_value(v);
}

static struct ev_sn *
compile(struct cctx *c, const json_t *j, const char *base, int draft,
    unsigned vocab, struct ev_sn *resource)
{
	struct ev_sn *n;
	const json_t *v;
	char *nb = NULL;
	size_t mark = c->ptr.len;
	struct ev_buf saved = EV_BUF_INIT;

	if ((n = pm_get(c->set, j)) != NULL)
		return n;
	n = new_node(c, j);
	n->draft = draft;
	n->vocab = vocab;
	if (json_is_boolean(j) || !json_is_object(j)) {
		n->boolean = !json_is_false(j);
		n->base = ev_xstrdup(base);
		n->resource = resource;
		set_abs(c, n);
		return n;
	}
	if ((v = json_object_get(j, "$ref")) && json_is_string(v))
		n->ref = json_string_value(v);
	v = json_object_get(j, "$id");
	if (draft == EV_SCHEMA_DRAFT7 && n->ref)
		v = NULL;
	if (json_is_string(v) && json_string_value(v)[0] == '#' &&
	    draft == EV_SCHEMA_DRAFT7) {
		char *a = ev_uri_resolve(base, json_string_value(v));
		n->base = ev_xstrdup(base);
		n->resource = resource;
		uri_put(c->set, a, n);
		free(a);
	} else if (json_is_string(v) || resource == NULL) {
		char *h;
		nb = json_is_string(v) ? ev_uri_resolve(base,
		    json_string_value(v)) : ev_xstrdup(base);
		if ((h = strchr(nb, '#')) != NULL)
			*h = '\0';
		n->base = nb;
		n->is_resource = 1;
		n->resource = n;
		resource = n;
		if ((v = json_object_get(j, "$schema")) && json_is_string(v))
			dialect(c, json_string_value(v), &n->draft, &n->vocab);
		uri_put(c->set, nb, n);
		/* Pointers restart at a new resource. */
		ev_buf_add(&saved, c->ptr.data ? c->ptr.data : "", c->ptr.len);
		ev_path_pop(&c->ptr, 0);
	} else {
		n->base = ev_xstrdup(base);
		n->resource = resource;
	}
	set_abs(c, n);
	if (n->draft != EV_SCHEMA_DRAFT7) {
		if ((v = json_object_get(j, "$anchor")) && json_is_string(v)) {
			struct ev_buf b = EV_BUF_INIT;
			ev_buf_printf(&b, "%s#%s", n->base,
			    json_string_value(v));
			uri_put(c->set, b.data, n);
			ev_buf_free(&b);
		}
		if (n->draft == EV_SCHEMA_2020_12 &&
		    (v = json_object_get(j, "$dynamicAnchor")) &&
		    json_is_string(v)) {
			struct ev_buf b = EV_BUF_INIT;
			struct ev_sn *r = n->resource;
			n->dyn_anchor = json_string_value(v);
			ev_buf_printf(&b, "%s#%s", n->base, n->dyn_anchor);
			uri_put(c->set, b.data, n);
			ev_buf_free(&b);
			r->dyn_anchors = ev_xreallocarray(r->dyn_anchors,
			    r->n_dyn_anchors + 1, sizeof(*r->dyn_anchors));
			r->dyn_anchors[r->n_dyn_anchors].name = n->dyn_anchor;
			r->dyn_anchors[r->n_dyn_anchors++].node = n;
		}
		if (n->draft == EV_SCHEMA_2020_12 &&
		    (v = json_object_get(j, "$dynamicRef")) &&
		    json_is_string(v))
			n->dynref = json_string_value(v);
		if (n->draft == EV_SCHEMA_2019_09) {
			n->rec_anchor = json_is_true(json_object_get(j,
			    "$recursiveAnchor"));
			n->recref = json_is_string(json_object_get(j,
			    "$recursiveRef"));
		}
	}
	compile_keywords(c, n);
	if (saved.data || n->is_resource) {
		ev_path_pop(&c->ptr, 0);
		ev_buf_add(&c->ptr, saved.data ? saved.data : "", saved.len);
	}
	ev_buf_free(&saved);
	ev_path_pop(&c->ptr, mark);
	return n;
}

struct ev_schema *
ev_schema_set_add(struct ev_schema_set *set, json_t *doc, const char *uri,
    char *err, size_t errlen)
{
	struct cctx c;
	struct ev_sn *n;
	char anon[64];
	char *base;
	const json_t *v;
	int draft = set->default_draft;
	unsigned vocab = EV_VOC_VALIDATION;

	memset(&c, 0, sizeof(c));
	c.set = set;
	c.err = err;
	c.errlen = errlen;
	if (uri == NULL) {
		snprintf(anon, sizeof(anon), "urn:evkit:schema:%lu",
		    ++set->anon);
		uri = anon;
	}
	base = ev_xstrdup(uri);
	if (strchr(base, '#'))
		*strchr(base, '#') = '\0';
	json_array_append(set->docs, doc);
	if (json_is_object(doc) && (v = json_object_get(doc, "$schema")) &&
	    json_is_string(v))
		dialect(&c, json_string_value(v), &draft, &vocab);
	n = compile(&c, doc, base, draft, vocab, NULL);
	uri_put(set, base, n);
	free(base);
	ev_buf_free(&c.ptr);
	if (c.failed)
		return NULL;
	return (struct ev_schema *)n;
}

/* ---- resolving references ---- */

static struct ev_sn *
lookup(struct ev_schema_set *set, const char *uri)
{
	const char *h = strchr(uri, '#');
	struct ev_sn *r, *n;
	struct ev_path *frag;
	const char *es;
	char *doc;
	const json_t *j;
	struct cctx c;

	if (h == NULL || h[1] == '\0') {
		char *k = ev_xstrndup(uri, h ? (size_t)(h - uri) : strlen(uri));
		n = uri_get(set, k);
		free(k);
		return n;
	}
	if (h[1] != '/')
		return uri_get(set, uri);
	doc = ev_xstrndup(uri, (size_t)(h - uri));
	r = uri_get(set, doc);
	free(doc);
	if (r == NULL)
		return NULL;
	/* RFC 6901 section 6: decoded, then read as a JSON Pointer. */
	if ((frag = ev_path_fragment(h + 1, &es)) == NULL)
		return NULL;
	j = ev_path_get(frag, r->src);
	if (j == NULL || (n = pm_get(r->set, j)) != NULL) {
		ev_path_free(frag);
		return j != NULL ? n : NULL;
	}
	/* A location no keyword compiled: compile it now. */
	memset(&c, 0, sizeof(c));
	c.set = r->set;
	ev_buf_adds(&c.ptr, frag->spec);
	n = compile(&c, j, r->base, r->draft, r->vocab, r->resource);
	ev_buf_free(&c.ptr);
	ev_path_free(frag);
	return n;
}

/* Whether node n needs the tree walker by itself (see ev_sn.slow). */
static int
own_slow(const struct ev_sn *n)
{
	return n->uneval_props || n->uneval_items || n->dynref ||
	    n->recref || (n->ref && !n->ref_node);
}

static int
list_slow(const struct ev_sn_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i]->slow)
			return 1;
	return 0;
}

/* Whether a subschema that n applies is slow. */
static int
kids_slow(const struct ev_sn *n)
{
	size_t i;

	if (list_slow(&n->all_of) || list_slow(&n->any_of) ||
	    list_slow(&n->one_of) || list_slow(&n->tuple))
		return 1;
	if ((n->ref_node && n->ref_node->slow) ||
	    (n->not_ && n->not_->slow) || (n->if_ && n->if_->slow) ||
	    (n->then_ && n->then_->slow) || (n->else_ && n->else_->slow) ||
	    (n->addl_props && n->addl_props->slow) ||
	    (n->prop_names && n->prop_names->slow) ||
	    (n->rest && n->rest->slow) ||
	    (n->contains && n->contains->slow))
		return 1;
	for (i = 0; i < n->n_props; i++)
		if (n->props[i].node->slow)
			return 1;
	for (i = 0; i < n->n_pprops; i++)
		if (n->pprops[i].node->slow)
			return 1;
	for (i = 0; i < n->n_dep_schemas; i++)
		if (n->dep_schemas[i].node->slow)
			return 1;
	return 0;
}

/*
 * Mark the nodes of set that reach a slow one, through any subschema or
 * reference (nodes of parent sets are marked already): the fixpoint of
 * "slow when a subschema is", starting from the nodes slow by themselves.
 */
static void
mark_slow(struct ev_schema_set *set)
{
	size_t i;
	int changed = 1;

	for (i = 0; i < set->n_nodes; i++)
		set->nodes[i]->slow = own_slow(set->nodes[i]);
	while (changed) {
		changed = 0;
		for (i = 0; i < set->n_nodes; i++) {
			struct ev_sn *n = set->nodes[i];
			if (!n->slow && kids_slow(n)) {
				n->slow = 1;
				changed = 1;
			}
		}
	}
}

static int
link_set(struct ev_schema_set *set, char *err, size_t errlen)
{
	size_t i;
	int rc = 0;

	for (i = set->linked; i < set->n_nodes; i++) {
		struct ev_sn *n = set->nodes[i];
		char *u;
		if (n->ref) {
			u = ev_uri_resolve(n->base, n->ref);
			n->ref_node = lookup(set, u);
			if (n->ref_node == NULL && rc == 0) {
				snprintf(err, errlen,
				    "%s: cannot resolve reference '%s'",
				    n->abs, n->ref);
				rc = -1;
			}
			free(u);
		}
		if (n->dynref) {
			const char *h;
			u = ev_uri_resolve(n->base, n->dynref);
			n->dynref_node = lookup(set, u);
			if (n->dynref_node == NULL && rc == 0) {
				snprintf(err, errlen,
				    "%s: cannot resolve reference '%s'",
				    n->abs, n->dynref);
				rc = -1;
			}
			h = strchr(n->dynref, '#');
			if (n->dynref_node && h && h[1] && h[1] != '/' &&
			    n->dynref_node->dyn_anchor &&
			    strcmp(n->dynref_node->dyn_anchor, h + 1) == 0)
				n->dynref_name = n->dynref_node->dyn_anchor;
			free(u);
		}
		if (n->recref)
			n->recref_node = n->resource;
	}
	set->linked = set->n_nodes;
	/* Lazily compiled nodes may have landed in a parent set. */
	if (set->parent && set->parent->linked < set->parent->n_nodes) {
		char e2[8];
		(void)link_set(set->parent, e2, sizeof(e2));
	}
	mark_slow(set);
	return rc;
}

int
ev_schema_set_link(struct ev_schema_set *set, char *err, size_t errlen)
{
	return link_set(set, err, errlen);
}

const struct ev_schema *
ev_schema_set_find(struct ev_schema_set *set, const char *uri)
{
	struct ev_sn *n = lookup(set, uri);

	if (n != NULL && n->set->linked < n->set->n_nodes) {
		char e[8];
		(void)link_set(n->set, e, sizeof(e));
	}
	return (const struct ev_schema *)n;
}

const struct ev_schema *
ev_schema_set_find_source(struct ev_schema_set *set, const json_t *j)
{
	struct ev_sn *n = set->pm_cap > 0 ? pm_get(set, j) : NULL;

	if (n != NULL && n->set->linked < n->set->n_nodes) {
		char e[8];
		(void)link_set(n->set, e, sizeof(e));
	}
	return (const struct ev_schema *)n;
}

int
ev_schema_indexable(const struct ev_schema *s)
{
	return !((const struct ev_sn *)s)->slow;
}

const struct ev_schema *
ev_schema_ref_target(const struct ev_schema *s)
{
	return (const struct ev_schema *)((const struct ev_sn *)s)->ref_node;
}

const json_t *
ev_schema_source(const struct ev_schema *s)
{
	return ((const struct ev_sn *)s)->src;
}

const char *
ev_schema_meta_uri(const struct ev_schema *s)
{
	const struct ev_sn *n = (const struct ev_sn *)s;
	const json_t *v = json_is_object(n->src) ?
	    json_object_get(n->src, "$schema") : NULL;

	if (json_is_string(v))
		return json_string_value(v);
	switch (n->draft) {
	case EV_SCHEMA_DRAFT7:
		return "http://json-schema.org/draft-07/schema";
	case EV_SCHEMA_2019_09:
		return "https://json-schema.org/draft/2019-09/schema";
	default:
		return "https://json-schema.org/draft/2020-12/schema";
	}
}

enum ev_schema_draft
ev_schema_draft_of(const struct ev_schema *s)
{
	return (enum ev_schema_draft)((const struct ev_sn *)s)->draft;
}

struct meta_walk {
	struct ev_schema_set	*set;
	const char		*uriprefix;
};

/* An ev_dir_walk visitor: DIR/a/b.json is registered as PREFIX/a/b. */
static int
add_meta(const char *path, const char *rel, void *arg, char *err,
    size_t errlen)
{
	struct meta_walk *m = arg;
	struct ev_buf uri = EV_BUF_INIT;
	size_t n = strlen(rel);
	json_error_t je;
	json_t *doc;
	int rc = 0;

	if (n <= 5 || strcmp(rel + n - 5, ".json") != 0)
		return 0;
	if ((doc = json_load_file(path, 0, &je)) == NULL) {
		snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
		return -1;
	}
	ev_buf_printf(&uri, "%s/%.*s", m->uriprefix, (int)(n - 5), rel);
	if (ev_schema_set_add(m->set, doc, uri.data, err, errlen) == NULL)
		rc = -1;
	json_decref(doc);
	ev_buf_free(&uri);
	return rc;
}

static int
add_dir(struct ev_schema_set *set, const char *dir, const char *uriprefix,
    char *err, size_t errlen)
{
	struct meta_walk m = { set, uriprefix };

	return ev_dir_walk(dir, "meta-schema folder", add_meta, &m, err,
	    errlen);
}

int
ev_schema_set_add_metaschemas(struct ev_schema_set *set, const char *dir,
    char *err, size_t errlen)
{
	struct ev_buf p = EV_BUF_INIT;
	int rc;

	/* draft-07 lives at http, the newer drafts at https. */
	ev_buf_printf(&p, "%s/draft-07", dir);
	rc = add_dir(set, p.data, "http://json-schema.org/draft-07", err,
	    errlen);
	ev_buf_reset(&p);
	ev_buf_printf(&p, "%s/draft", dir);
	if (rc == 0)
		rc = add_dir(set, p.data, "https://json-schema.org/draft",
		    err, errlen);
	ev_buf_free(&p);
	if (rc == 0)
		rc = ev_schema_set_link(set, err, errlen);
	return rc;
}
