/*
 * ev_rec.c - records: simdjson validates and indexes (ev_jidx), jansson
 * decodes what is asked for, and the original bytes are written back when
 * nothing changed.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSMN_HEADER	/* the token type only: ev_jidx makes the tokens */
#include <jsmn.h>

#include "ev_common.h"
#include "ev_io.h"
#include "ev_jidx.h"
#include "ev_json.h"
#include "ev_rec.h"

/*
 * Above this many tokens the document may nest deeper than jansson allows
 * (2048 levels); such records take jansson's path so both agree.
 */
#define LAZY_MAX_TOK	2000

#define TOK(r)		((jsmntok_t *)(r)->tok)
#define MUT(r)		((struct ev_rec *)(uintptr_t)(r))

void
ev_rec_init(struct ev_rec *r)
{
	memset(r, 0, sizeof *r);
}

void
ev_rec_eager(struct ev_rec *r)
{
	r->eager = 1;
}

/* Forget the index's decoded values (the index memory is kept). */
static void
lazy_reset(struct ev_rec *r)
{
	int i;

	if (r->ndecoded > 0)
		for (i = 0; i < r->ntok; i++)
			if (r->tokval[i] != NULL) {
				json_decref(r->tokval[i]);
				r->tokval[i] = NULL;
			}
	if (r->nstr > 0)
		memset(r->tokstr, 0, (size_t)r->ntok * sizeof(size_t));
	r->ndecoded = 0;
	r->nstr = 0;
	r->dups = 0;
	r->escapes = 0;
	r->ntok = 0;
	r->ntop = 0;
	r->nnest = 0;
	r->lazy = 0;
	ev_buf_reset(&r->arena);
}

/* Release the document, keeping the index memory for the next line. */
static void
soft_clear(struct ev_rec *r)
{
	json_decref(r->root);
	json_decref(r->added);
	r->root = r->added = NULL;
	r->raw = NULL;
	r->rawlen = 0;
	r->dirty = 0;
	r->err[0] = '\0';
	while (r->nedit > 0)
		json_decref(r->edit_val[--r->nedit]);
	ev_buf_reset(&r->rawadd);
	r->nraw = 0;
	lazy_reset(r);
}

void
ev_rec_clear(struct ev_rec *r)
{
	soft_clear(r);
	free(r->tok);
	free(r->topkey);
	free(r->nestkey);
	r->topkey = r->nestkey = NULL;
	r->captop = r->capnest = 0;
	free(r->edit_tok);
	free(r->edit_val);
	ev_buf_free(&r->arena);
	ev_buf_free(&r->rawadd);
	r->edit_tok = NULL;
	r->edit_val = NULL;
	r->capedit = 0;
	r->tok = NULL;
	r->tokval = NULL;
	r->tokstr = NULL;
	r->captok = 0;
}

static json_t *
load(const char *s, size_t n, json_error_t *e)
{
	size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
	json_t *v = json_loadb(s, n, flags, e);

	if (v == NULL && strstr(e->text, "too big") != NULL)
		v = json_loadb(s, n, flags | JSON_DECODE_INT_AS_REAL, e);
	return v;
}

/* jansson's verdict: the document, or the error text and position. */
static int
parse_full(struct ev_rec *r)
{
	json_error_t e;

	r->root = load(r->raw, r->rawlen, &e);
	if (r->root == NULL) {
		snprintf(r->err, sizeof r->err, "invalid JSON at byte %d: %s",
		    e.position, e.text);
		r->err_pos = (size_t)(e.position > 0 ? e.position : 0);
		return -1;
	}
	return 0;
}

/*
 * One block holds the tokens, their decoded values and their string copies'
 * offsets; values and offsets are zero whenever no line is indexed.
 */
static void
grow_index(struct ev_rec *r, size_t cap)
{
	size_t each = sizeof(jsmntok_t) + sizeof(json_t *) + sizeof(size_t);
	char *blk = ev_xcalloc(cap, each);

	free(r->tok);
	r->tok = blk;
	r->tokval = (json_t **)(void *)(blk + cap * sizeof(jsmntok_t));
	r->tokstr = (size_t *)(void *)(blk + cap * (sizeof(jsmntok_t) +
	    sizeof(json_t *)));
	r->captok = cap;
}

/*
 * The checker's buffers (simdjson's parser, a padded copy of the line):
 * scratch for the length of one ev_rec_parse, since the tokens are copied
 * into the record, so one serves every record (ev-detect holds thousands)
 * and lives as long as the process.
 */
static struct ev_jidx *jidx;

/*
 * Index the line; 0, or -1 when jansson should judge it.  Unless judged is
 * set simdjson checks the line first (grammar, UTF-8, escapes, numbers
 * within a double's range) and documents of more than LAZY_MAX_TOK tokens
 * are left to jansson.  With judged set jansson has accepted the line
 * already, so it is only located and any number of tokens is fine.
 */
static int
tokenize(struct ev_rec *r, int judged)
{
	int bound, n;

	if (jidx == NULL)
		jidx = ev_jidx_new();
	bound = ev_jidx_scan(jidx, r->raw, r->rawlen, !judged);
	/* A token takes at most three structural characters. */
	if (bound <= 0 || (!judged && bound / 3 > LAZY_MAX_TOK))
		return -1;
	if ((size_t)bound > r->captok)
		grow_index(r, bound < 32 ? 32 : (size_t)bound);
	n = ev_jidx_tokens(jidx, r->tok);
	if (n <= 0 || (n > LAZY_MAX_TOK && !judged))
		return -1;
	r->ntok = n;
	r->ntop = 0;
	r->nnest = 0;
	return 0;
}

/* 1 when the line has a \u escape; *any tells whether it has a backslash. */
static int
has_u_escape(const char *s, size_t n, int *any)
{
	const char *p = s, *end = s + n;

	*any = 0;
	while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		*any = 1;
		if (p + 1 < end && p[1] == 'u')
			return 1;
		p += 2;		/* an escaped backslash is not an escape */
		if (p >= end)
			break;
	}
	return 0;
}

int
ev_rec_parse(struct ev_rec *r, const char *line, size_t len)
{
	soft_clear(r);
	r->raw = line;
	r->rawlen = len;
	/*
	 * One pass checks and indexes the line.  \u escapes (lone
	 * surrogates, \u0000) are where simdjson's reading and jansson's part
	 * ways: jansson judges those lines, and whatever simdjson refuses.
	 */
	if (!r->eager && !has_u_escape(line, len, &r->escapes) &&
	    tokenize(r, 0) == 0) {
		r->lazy = 1;
		return 0;
	}
	lazy_reset(r);
	if (parse_full(r) != 0)
		return -1;
	/*
	 * jansson has judged the line; index it all the same, so that reads
	 * and changes keep the line's own bytes (number spelling above all)
	 * as on the fast path.  jansson's tree is built again if asked for.
	 */
	if (!r->eager && tokenize(r, 1) == 0) {
		json_decref(r->root);
		r->root = NULL;
		r->escapes = memchr(line, '\\', len) != NULL;
		r->lazy = 1;
	} else
		lazy_reset(r);
	return 0;
}

/*
 * The token after the subtree of container token i.  Tokens are in
 * document order, so it is the first one starting at or after i's end,
 * found by bisection: member lookups step over every container they pass,
 * and a walk token by token made them grow with the size of those.
 */
static int
tok_skip(const struct ev_rec *r, int i)
{
	const jsmntok_t *t = TOK(r);
	int lo = i + 1, hi = r->ntok, mid;

	if (lo >= hi || t[lo].start >= t[i].end)
		return lo;
	/* t[lo] is inside i: find the first at or after its end in (lo, hi]. */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (t[mid].start < t[i].end)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/* The token after the subtree of token i: a scalar's is the next one. */
static inline int
tok_next(const struct ev_rec *r, int i)
{
	const jsmntok_t *t = TOK(r);

	if (t[i].type == JSMN_STRING || t[i].type == JSMN_PRIMITIVE)
		return i + 1;
	return tok_skip(r, i);
}

/* A value's bytes, with the quotes of a string. */
static const char *
tok_bytes(const struct ev_rec *r, int i, size_t *n)
{
	const jsmntok_t *t = &TOK(r)[i];

	if (t->type == JSMN_STRING) {
		*n = (size_t)(t->end - t->start) + 2;
		return r->raw + t->start - 1;
	}
	*n = (size_t)(t->end - t->start);
	return r->raw + t->start;
}

/* The decoded value of token i (cached, borrowed). */
static json_t *
tok_json(const struct ev_rec *r, int i)
{
	struct ev_rec *m = MUT(r);
	json_error_t e;
	const char *s;
	size_t n;

	if (m->tokval[i] == NULL) {
		s = tok_bytes(r, i, &n);
		m->tokval[i] = load(s, n, &e);
		m->ndecoded++;
	}
	return m->tokval[i];
}

/* String token i decoded: NUL-terminated, stable until the next parse. */
static void
tok_str(const struct ev_rec *r, int i, const char **s, size_t *n)
{
	struct ev_rec *m = MUT(r);
	const jsmntok_t *t = &TOK(r)[i];
	const char *b = r->raw + t->start;
	size_t len = (size_t)(t->end - t->start);
	json_t *v;

	if (r->escapes && memchr(b, '\\', len) != NULL) {
		v = tok_json(r, i);
		*s = json_string_value(v);
		*n = json_string_length(v);
		return;
	}
	if (m->tokstr[i] == 0) {
		/* Copies never exceed the line: the arena never moves. */
		if (m->nstr++ == 0)
			ev_buf_reserve(&m->arena, r->rawlen + (size_t)r->ntok +
			    1);
		m->tokstr[i] = m->arena.len + 1;
		ev_buf_add(&m->arena, b, len);
		ev_buf_addc(&m->arena, '\0');
	}
	*s = m->arena.data + m->tokstr[i] - 1;
	*n = len;
}

static int
key_eq(const struct ev_rec *r, int i, const char *key, size_t keylen)
{
	const jsmntok_t *t = &TOK(r)[i];
	const char *b = r->raw + t->start, *s;
	size_t len = (size_t)(t->end - t->start), n;

	if (!r->escapes || memchr(b, '\\', len) == NULL)
		return len == keylen && memcmp(b, key, len) == 0;
	tok_str(r, i, &s, &n);
	return n == keylen && memcmp(s, key, n) == 0;
}

/* Whether key tokens i and j name the same member (escapes decoded). */
static int
key_same(const struct ev_rec *r, int i, int j)
{
	const jsmntok_t *t = TOK(r);
	const char *s;
	size_t n = (size_t)(t[i].end - t[i].start);

	if (!r->escapes)
		return t[j].end - t[j].start == t[i].end - t[i].start &&
		    memcmp(r->raw + t[i].start, r->raw + t[j].start, n) == 0;
	if (memchr(r->raw + t[i].start, '\\', n) == NULL)
		return key_eq(r, j, r->raw + t[i].start, n);
	tok_str(r, i, &s, &n);
	return key_eq(r, j, s, n);
}

/* Whether a member after key token k of its object repeats the key. */
static int
later_dup(const struct ev_rec *r, int k, int objend)
{
	const jsmntok_t *t = TOK(r);
	int j;

	for (j = tok_next(r, k + 1); j < r->ntok && t[j].start < objend;
	    j = tok_next(r, j + 1))
		if (key_same(r, k, j))
			return 1;
	return 0;
}

static int	obj_dups(const struct ev_rec *r, int o);

/*
 * Whether key token i may name key: without escapes a key of another
 * length or first byte differs, so most members are passed over without a
 * call.
 */
static inline int
key_may_be(const struct ev_rec *r, int i, const char *key, size_t keylen)
{
	const jsmntok_t *t = &TOK(r)[i];

	return r->escapes || ((size_t)(t->end - t->start) == keylen &&
	    (keylen == 0 || r->raw[t->start] == key[0]));
}

/*
 * The key tokens of object o, in order, and their number: listed on the
 * first lookup of a line for the top-level object, and for the last nested
 * object looked into.  Every enrichment looks up members at the top and
 * under context, and each walk stepped over every member again.
 */
static const int *
obj_keys(const struct ev_rec *r, int o, int *n)
{
	struct ev_rec *m = MUT(r);
	const jsmntok_t *t = TOK(r);
	int **keys = o == 0 ? &m->topkey : &m->nestkey;
	int *count = o == 0 ? &m->ntop : &m->nnest;
	size_t *cap = o == 0 ? &m->captop : &m->capnest;
	int i = o + 1, k;

	if (*count == 0 || (o != 0 && m->nestobj != o)) {
		if ((size_t)t[o].size > *cap) {
			*cap = (size_t)t[o].size < 32 ? 32 : (size_t)t[o].size;
			free(*keys);
			*keys = ev_xreallocarray(NULL, *cap, sizeof(int));
		}
		for (k = 0; k < t[o].size && i + 1 < r->ntok; k++) {
			(*keys)[k] = i;
			i = tok_next(r, i + 1);
		}
		*count = k + 1;
		if (o != 0)
			m->nestobj = o;
	}
	*n = *count - 1;
	return *keys;
}

/* The value token of member key in object token o (the last one wins). */
static int
tok_member(const struct ev_rec *r, int o, const char *key, size_t keylen)
{
	const int *keys;
	int k, n;

	keys = obj_keys(r, o, &n);
	for (k = n - 1; k >= 0; k--)
		if (key_may_be(r, keys[k], key, keylen) &&
		    key_eq(r, keys[k], key, keylen))
			return keys[k] + 1;
	return -1;
}

/*
 * Whether object token o repeats a key: its keys compared pairwise, by
 * length and first byte before their bytes.
 */
static int
obj_dups(const struct ev_rec *r, int o)
{
	const jsmntok_t *t = TOK(r);
	const int *keys;
	int a, b, n;

	keys = obj_keys(r, o, &n);
	for (a = 0; a < n; a++)
		for (b = a + 1; b < n; b++)
			if ((r->escapes || (t[keys[a]].end - t[keys[a]].start ==
			    t[keys[b]].end - t[keys[b]].start &&
			    r->raw[t[keys[a]].start] == r->raw[t[keys[b]].start])) &&
			    key_same(r, keys[a], keys[b]))
				return 1;
	return 0;
}

static int	has_dups(const struct ev_rec *r);
static const char *raw_find(const struct ev_rec *r, const char *key,
	    size_t keylen);
static void	raw_settle(struct ev_rec *r);
static void	raw_settle_for(const struct ev_rec *r, const struct ev_path *p);
static void	raw_write(const struct ev_rec *r, struct ev_buf *b,
	    int *first);

/* The edit of token i, or -1. */
static int
edit_of(const struct ev_rec *r, int i)
{
	int e;

	for (e = 0; e < r->nedit; e++)
		if (r->edit_tok[e] == i)
			return e;
	return -1;
}

/* Whether value token i is deleted. */
static int
dropped(const struct ev_rec *r, int i)
{
	int e;

	return r->nedit > 0 && (e = edit_of(r, i)) >= 0 &&
	    r->edit_val[e] == NULL;
}

/* Whether an edit lies strictly inside token i's value. */
static int
edited_inside(const struct ev_rec *r, int i)
{
	const jsmntok_t *t = TOK(r);
	int e, j;

	for (e = 0; e < r->nedit; e++) {
		j = r->edit_tok[e];
		if (t[j].start > t[i].start && t[j].start < t[i].end)
			return 1;
	}
	return 0;
}

/*
 * The token of p's value; or -1, with *v the value when p leads into a
 * replaced value, NULL when absent or deleted.  With reedit, a value
 * replaced already at the end of p gives its token, to be replaced again.
 */
static int
tok_find(const struct ev_rec *r, const struct ev_path *p, json_t **v,
    int reedit)
{
	const jsmntok_t *t = TOK(r);
	int i = 0, k, c, j, e;
	size_t s;

	*v = NULL;
	if (p->nseg == 1 && r->nedit == 0 && t[0].type == JSMN_OBJECT)
		return tok_member(r, 0, p->seg[0].key, p->seg[0].keylen);
	for (s = 0; s < p->nseg; s++) {
		if (t[i].type == JSMN_OBJECT)
			i = tok_member(r, i, p->seg[s].key, p->seg[s].keylen);
		else if (t[i].type == JSMN_ARRAY && p->seg[s].index >= 0) {
			/* Deleted elements are gone: count the others. */
			for (k = -1, c = 0, j = i + 1; c < t[i].size; c++) {
				if (!dropped(r, j) && ++k == p->seg[s].index)
					break;
				j = tok_next(r, j);
			}
			if (c == t[i].size)
				return -1;
			i = j;
		} else
			return -1;
		if (i < 0)
			return -1;
		if (r->nedit > 0 && (e = edit_of(r, i)) >= 0) {
			if (reedit && s + 1 == p->nseg && r->edit_val[e] != NULL)
				return i;
			if (r->edit_val[e] != NULL)
				*v = ev_path_get_at(p, s + 1, r->edit_val[e]);
			return -1;
		}
	}
	return i;
}

/* Where value token i begins and ends in the line, quotes included. */
static int
tok_from(const struct ev_rec *r, int i)
{
	const jsmntok_t *t = &TOK(r)[i];

	return t->type == JSMN_STRING ? t->start - 1 : t->start;
}

static int
tok_to(const struct ev_rec *r, int i)
{
	const jsmntok_t *t = &TOK(r)[i];

	return t->type == JSMN_STRING ? t->end + 1 : t->end;
}

/*
 * Write token i with the edits applied: a changed value in evkit's form,
 * everything else as the line's bytes, spacing included.  In a container
 * holding a change, a deleted member goes with the separator before it (or
 * after it, for the first one); so does a member whose key comes again
 * later, as jansson keeps only the last.  At the top the added members go
 * in before the closing brace.
 */
static void
write_tok(const struct ev_rec *r, struct ev_buf *b, int i)
{
	const jsmntok_t *t = TOK(r);
	const char *g, *comma;
	int e, j, v, c, pos, first = 1, obj = t[i].type == JSMN_OBJECT;
	int dups;

	if ((e = edit_of(r, i)) >= 0) {
		ev_json_write(r->edit_val[e], b);
		return;
	}
	if (t[i].type == JSMN_STRING || t[i].type == JSMN_PRIMITIVE ||
	    (i != 0 && !edited_inside(r, i))) {
		ev_buf_add(b, r->raw + tok_from(r, i), (size_t)(tok_to(r, i) -
		    tok_from(r, i)));
		return;
	}
	/* has_dups is worked out once, for the top level only. */
	dups = obj && (i == 0 ? has_dups(r) : obj_dups(r, i));
	ev_buf_addc(b, obj ? '{' : '[');
	pos = t[i].start + 1;
	for (c = 0, j = i + 1; c < t[i].size; c++) {
		v = obj ? j + 1 : j;
		if (!dropped(r, v) && !(dups && later_dup(r, j, t[i].end))) {
			g = r->raw + pos;
			if (first && c > 0 && (comma = memchr(g, ',',
			    (size_t)(tok_from(r, j) - pos))) != NULL)
				g = comma + 1;
			ev_buf_add(b, g, (size_t)(r->raw + tok_from(r, j) - g));
			if (obj)
				ev_buf_add(b, r->raw + tok_from(r, j),
				    (size_t)(tok_from(r, v) - tok_from(r, j)));
			write_tok(r, b, v);
			first = 0;
		}
		pos = tok_to(r, v);
		j = tok_next(r, v);
	}
	ev_buf_add(b, r->raw + pos, (size_t)(t[i].end - 1 - pos));
	if (i == 0 && r->added != NULL)
		ev_json_write_members(r->added, b, &first);
	if (i == 0)
		raw_write(r, b, &first);
	ev_buf_addc(b, obj ? '}' : ']');
}

/*
 * Whether a change may be kept as an edit: a lazily indexed object (its
 * repeated keys are collapsed as jansson does when it is written).
 */
static int
can_edit(const struct ev_rec *r)
{
	return r->lazy && !r->dirty && TOK(r)[0].type == JSMN_OBJECT;
}

/* Record an edit of token i (steals val; NULL deletes). */
static void
edit_put(struct ev_rec *r, int i, json_t *val)
{
	int e = edit_of(r, i);

	if (e >= 0) {
		json_decref(r->edit_val[e]);
		r->edit_val[e] = val;
		return;
	}
	if (r->nedit == r->capedit) {
		r->capedit = r->capedit ? 2 * r->capedit : 8;
		r->edit_tok = ev_xreallocarray(r->edit_tok,
		    (size_t)r->capedit, sizeof(*r->edit_tok));
		r->edit_val = ev_xreallocarray(r->edit_val,
		    (size_t)r->capedit, sizeof(*r->edit_val));
	}
	r->edit_tok[r->nedit] = i;
	r->edit_val[r->nedit++] = val;
}

/* Build the whole document: the original plus the added members. */
static json_t *
build_root(const struct ev_rec *r)
{
	struct ev_rec *m = MUT(r);
	const char *k;
	json_t *v;

	if (!m->lazy)
		return m->root;
	raw_settle(m);
	if (m->nedit > 0) {
		/* The edited text is valid JSON: parse that. */
		struct ev_buf tmp = EV_BUF_INIT;
		json_error_t e;

		/*
		 * The record is still written from the index and its edits
		 * (the tokens stay valid), so this tree is only read.
		 */
		write_tok(m, &tmp, 0);
		m->root = load(tmp.data, tmp.len, &e);
		ev_buf_free(&tmp);
	} else if (parse_full(m) != 0)
		m->root = NULL;
	m->lazy = 0;
	if (m->root == NULL) {
		/* Validated above, so only memory can fail here. */
		m->root = json_object();
	}
	if (m->added != NULL && json_is_object(m->root))
		json_object_foreach(m->added, k, v)
			json_object_set(m->root, k, v);
	return m->root;
}

json_t *
ev_rec_root(const struct ev_rec *r)
{
	return build_root(r);
}

int
ev_rec_is_object(const struct ev_rec *r)
{
	if (r->lazy)
		return TOK(r)[0].type == JSMN_OBJECT;
	return json_is_object(r->root);
}

int
ev_rec_has(const struct ev_rec *r, const char *key)
{
	int i, e;

	if (!r->lazy)
		return json_is_object(r->root) &&
		    json_object_get(r->root, key) != NULL;
	if (TOK(r)[0].type != JSMN_OBJECT)
		return 0;
	if ((i = tok_member(r, 0, key, strlen(key))) >= 0 && ((e = edit_of(r,
	    i)) < 0 || r->edit_val[e] != NULL))
		return 1;
	return (r->added != NULL && json_object_get(r->added, key) != NULL) ||
	    raw_find(r, key, strlen(key)) != NULL;
}

/*
 * The lazy lookup: the token of p (>= 0), an added member's value (*v), or
 * absent (-1 with *v NULL).
 */
static int
lazy_find(const struct ev_rec *r, const struct ev_path *p, json_t **v)
{
	json_t *a;

	*v = NULL;
	if (TOK(r)[0].type != JSMN_OBJECT || p->nseg == 0)
		return -1;
	raw_settle_for(r, p);
	if (r->added != NULL && (a = json_object_getn(r->added,
	    p->seg[0].key, p->seg[0].keylen)) != NULL) {
		*v = ev_path_get_at(p, 1, a);
		return -1;
	}
	return tok_find(r, p, v, 0);
}

/*
 * p in either mode: the token of its value (>= 0, lazy only), or -1 with
 * *v the value (NULL when absent).
 */
static int
find(const struct ev_rec *r, const struct ev_path *p, json_t **v)
{
	if (r->lazy)
		return lazy_find(r, p, v);
	*v = r->root == NULL ? NULL : ev_path_get(p, r->root);
	return -1;
}

json_t *
ev_rec_get(const struct ev_rec *r, const struct ev_path *p)
{
	json_t *v;
	int i = find(r, p, &v);

	return i < 0 ? v : tok_json(r, i);
}

/* A primitive token's kind: 'n'umber, 't'rue, 'f'alse, 'z' null. */
static int
prim_kind(const struct ev_rec *r, int i)
{
	char c = r->raw[TOK(r)[i].start];

	if (c == 't' || c == 'f')
		return c;
	return c == 'n' ? 'z' : 'n';
}

int
ev_rec_str(const struct ev_rec *r, const struct ev_path *p, const char **s,
    size_t *len)
{
	json_t *v;
	size_t n;
	int i;

	if ((i = find(r, p, &v)) >= 0) {
		if (TOK(r)[i].type != JSMN_STRING)
			return TOK(r)[i].type == JSMN_PRIMITIVE &&
			    prim_kind(r, i) == 'z' ? -1 : -2;
		tok_str(r, i, s, &n);
		if (len)
			*len = n;
		return 0;
	}
	if (v == NULL || json_is_null(v))
		return -1;
	if (!json_is_string(v))
		return -2;
	*s = json_string_value(v);
	if (len)
		*len = json_string_length(v);
	return 0;
}

/* A value token that may be a number: 0 number, -1 absent/null, -2 other. */
static int
tok_num_kind(const struct ev_rec *r, int i)
{
	if (TOK(r)[i].type != JSMN_PRIMITIVE)
		return -2;
	switch (prim_kind(r, i)) {
	case 'n':
		return 0;
	case 'z':
		return -1;
	default:
		return -2;
	}
}

/*
 * A validated number token's value.  An integer of up to 15 digits is
 * exact in a double, so it is summed here (strtod would give the same
 * double, slower); anything else goes to strtod, which stops at the
 * delimiter after it.
 */
static double
num_of(const char *s, size_t n)
{
	size_t i = s[0] == '-';
	uint64_t u = 0;
	double v;

	if (n - i > 15)
		return strtod(s, NULL);
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return strtod(s, NULL);
		u = 10 * u + (uint64_t)(s[i] - '0');
	}
	v = (double)u;
	return s[0] == '-' ? -v : v;
}

int
ev_rec_num(const struct ev_rec *r, const struct ev_path *p, double *out)
{
	json_t *v;
	int i, k;

	if ((i = find(r, p, &v)) >= 0) {
		if ((k = tok_num_kind(r, i)) != 0)
			return k;
		*out = num_of(r->raw + TOK(r)[i].start,
		    (size_t)(TOK(r)[i].end - TOK(r)[i].start));
		return 0;
	}
	if (v == NULL || json_is_null(v))
		return -1;
	if (!json_is_number(v))
		return -2;
	*out = json_number_value(v);
	return 0;
}

static int
int_of(json_t *v, int64_t *out)
{
	double d;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (d == trunc(d) && fabs(d) < 9.2e18) {
			*out = (int64_t)d;
			return 0;
		}
	}
	return -2;
}

int
ev_rec_int(const struct ev_rec *r, const struct ev_path *p, int64_t *out)
{
	json_t *v;
	int i, k;

	if ((i = find(r, p, &v)) >= 0) {
		if ((k = tok_num_kind(r, i)) != 0)
			return k;
		v = tok_json(r, i);
	}
	if (v == NULL || json_is_null(v))
		return -1;
	return int_of(v, out);
}

int
ev_rec_time(const struct ev_rec *r, const struct ev_path *p, ev_us_t *t)
{
	const jsmntok_t *tk;
	json_t *v;
	int i;

	if ((i = find(r, p, &v)) >= 0) {
		tk = &TOK(r)[i];
		if (tk->type == JSMN_STRING &&
		    memchr(r->raw + tk->start, '\\',
		    (size_t)(tk->end - tk->start)) == NULL)
			return ev_time_parse(r->raw + tk->start,
			    (size_t)(tk->end - tk->start), t) == 0 ? 0 : -2;
		v = tok_json(r, i);
	}
	if (v == NULL || json_is_null(v))
		return -1;
	return ev_time_from_json(v, t) == 0 ? 0 : -2;
}

int
ev_rec_lazy(const struct ev_rec *r)
{
	return r->lazy && r->added == NULL && r->nraw == 0 && r->nedit == 0 &&
	    TOK(r)[0].type == JSMN_OBJECT;
}

int
ev_rec_member(const struct ev_rec *r, const char *key)
{
	return tok_member(r, 0, key, strlen(key));
}

/* Whether the top-level object repeats a key (worked out once a line). */
static int
has_dups(const struct ev_rec *r)
{
	struct ev_rec *m = MUT(r);

	if (m->dups == 0)
		m->dups = obj_dups(r, 0) ? 2 : 1;
	return m->dups == 2;
}

int
ev_rec_next(const struct ev_rec *r, int *it, const char **key, int *val)
{
	const jsmntok_t *t = TOK(r);
	size_t n;
	int i;

	for (;;) {
		i = *it == 0 ? 1 : *it;
		if (i >= r->ntok || t[i].start >= t[0].end)
			return 0;
		*it = tok_next(r, i + 1);
		tok_str(r, i, key, &n);
		/* A later duplicate wins, as in jansson. */
		if (!has_dups(r) || tok_member(r, 0, *key, n) == i + 1) {
			*val = i + 1;
			return 1;
		}
	}
}

int
ev_rec_kind(const struct ev_rec *r, int val)
{
	switch (TOK(r)[val].type) {
	case JSMN_STRING:
		return 's';
	case JSMN_OBJECT:
		return 'o';
	case JSMN_ARRAY:
		return 'a';
	default:
		return prim_kind(r, val);
	}
}

const char *
ev_rec_val_str(const struct ev_rec *r, int val, size_t *len)
{
	const char *s;
	size_t n;

	tok_str(r, val, &s, &n);
	if (len)
		*len = n;
	return s;
}

double
ev_rec_val_num(const struct ev_rec *r, int val)
{
	return num_of(r->raw + TOK(r)[val].start,
	    (size_t)(TOK(r)[val].end - TOK(r)[val].start));
}

json_t *
ev_rec_val_json(const struct ev_rec *r, int val)
{
	return tok_json(r, val);
}

int
ev_rec_val_member(const struct ev_rec *r, int obj, const char *key)
{
	if (TOK(r)[obj].type != JSMN_OBJECT)
		return -1;
	return tok_member(r, obj, key, strlen(key));
}

void
ev_rec_add(struct ev_rec *r, const char *key, json_t *val)
{
	int orig, i, e;

	if (!ev_rec_is_object(r)) {
		json_decref(val);
		return;
	}
	raw_settle(r);		/* the members keep the order they came in */
	if (r->lazy) {
		i = tok_member(r, 0, key, strlen(key));
		orig = i >= 0;
		if (orig && (r->added == NULL ||
		    json_object_get(r->added, key) == NULL) && can_edit(r) &&
		    ((e = edit_of(r, i)) < 0 || r->edit_val[e] != NULL)) {
			edit_put(r, i, val);	/* in place, where it was */
			return;
		}
	} else
		orig = json_object_get(r->root, key) != NULL &&
		    (r->added == NULL || json_object_get(r->added, key) == NULL);
	if (!r->dirty && orig) {
		/* Replaces an original member: re-serialise. */
		build_root(r);
		r->dirty = 1;
	}
	if (!r->dirty) {
		if (r->added == NULL)
			r->added = json_object();
		json_object_set(r->added, key, val);
	}
	if (r->lazy)
		json_decref(val);	/* held by added */
	else
		json_object_set_new(r->root, key, val);
}

/*
 * Members added as text (ev_rec_add_raw) live in r->rawadd, after those of
 * r->added in output order, each an entry of: the key's and the text's
 * lengths (two size_t), the key, a NUL, the text, a NUL.  An ev_rec_add,
 * or anything that reads or changes one of them, parses them all into
 * r->added first (raw_settle).
 */
struct raw_entry {
	const char	*key, *text;
	size_t		 keylen, len;
};

/* The entry at *off, and *off moved past it. */
static void
raw_entry(const struct ev_rec *r, size_t *off, struct raw_entry *e)
{
	const char *s = r->rawadd.data + *off;

	memcpy(&e->keylen, s, sizeof(size_t));
	memcpy(&e->len, s + sizeof(size_t), sizeof(size_t));
	e->key = s + 2 * sizeof(size_t);
	e->text = e->key + e->keylen + 1;
	*off += 2 * sizeof(size_t) + e->keylen + e->len + 2;
}

static const char *
raw_find(const struct ev_rec *r, const char *key, size_t keylen)
{
	struct raw_entry e;
	size_t off = 0;
	int i;

	for (i = 0; i < r->nraw; i++) {
		raw_entry(r, &off, &e);
		if (e.keylen == keylen && memcmp(e.key, key, keylen) == 0)
			return e.text;
	}
	return NULL;
}

static void
raw_settle(struct ev_rec *r)
{
	struct raw_entry e;
	json_error_t err;
	size_t off = 0;
	int i, nraw = r->nraw;

	if (nraw == 0)
		return;
	r->nraw = 0;		/* ev_rec_add below would settle again */
	for (i = 0; i < nraw; i++) {
		raw_entry(r, &off, &e);
		ev_rec_add(r, e.key, load(e.text, e.len, &err));
	}
	ev_buf_reset(&r->rawadd);
}

/* Settle when p leads into a member added as text. */
static void
raw_settle_for(const struct ev_rec *r, const struct ev_path *p)
{
	if (r->nraw > 0 && p->nseg > 0 &&
	    raw_find(r, p->seg[0].key, p->seg[0].keylen) != NULL)
		raw_settle(MUT(r));
}

static void
raw_write(const struct ev_rec *r, struct ev_buf *b, int *first)
{
	struct raw_entry e;
	size_t off = 0;
	int i;

	for (i = 0; i < r->nraw; i++) {
		raw_entry(r, &off, &e);
		if (!*first)
			ev_buf_addc(b, ',');
		*first = 0;
		ev_buf_add_jstr(b, e.key, e.keylen);
		ev_buf_addc(b, ':');
		ev_buf_add(b, e.text, e.len);
	}
}

void
ev_rec_add_raw(struct ev_rec *r, const char *key, const char *text,
    size_t len)
{
	json_error_t e;
	size_t klen = strlen(key);

	if (!ev_rec_is_object(r))
		return;
	/*
	 * Text only where it is a plain splice: a new member of a clean,
	 * lazily indexed object.  Anything else is ev_rec_add's business.
	 */
	if (!r->lazy || r->dirty || tok_member(r, 0, key, klen) >= 0 ||
	    (r->added != NULL && json_object_get(r->added, key) != NULL) ||
	    raw_find(r, key, klen) != NULL) {
		ev_rec_add(r, key, load(text, len, &e));
		return;
	}
	ev_buf_add(&r->rawadd, &klen, sizeof(size_t));
	ev_buf_add(&r->rawadd, &len, sizeof(size_t));
	ev_buf_add(&r->rawadd, key, klen + 1);
	ev_buf_add(&r->rawadd, text, len);
	ev_buf_addc(&r->rawadd, '\0');
	r->nraw++;
}

/* Whether p leads into a member added to a lazily indexed record. */
static int
in_added(const struct ev_rec *r, const struct ev_path *p)
{
	raw_settle_for(r, p);
	return r->lazy && !r->dirty && p->nseg > 0 && r->added != NULL &&
	    json_object_getn(r->added, p->seg[0].key, p->seg[0].keylen) !=
	    NULL;
}

/* The token an edit of p may replace (> 0), or -1. */
static int
edit_target(const struct ev_rec *r, const struct ev_path *p)
{
	json_t *v;

	if (!can_edit(r) || p->nseg == 0 || in_added(r, p))
		return -1;
	return tok_find(r, p, &v, 1);
}

int
ev_rec_set(struct ev_rec *r, const struct ev_path *p, json_t *val)
{
	int i = edit_target(r, p);

	if (i > 0) {
		edit_put(r, i, val);
		return 0;
	}
	/* An added member is changed where it is, still spliced in. */
	if (in_added(r, p))
		return ev_path_set(p, r->added, val);
	build_root(r);
	r->dirty = 1;
	return ev_path_set(p, r->root, val);
}

int
ev_rec_del(struct ev_rec *r, const struct ev_path *p)
{
	int n, i = edit_target(r, p);

	if (i > 0) {
		edit_put(r, i, NULL);
		return 1;
	}
	if (in_added(r, p))
		return ev_path_del(p, r->added);
	if (r->lazy && ev_rec_get(r, p) == NULL)
		return 0;	/* absent: nothing to build */
	n = ev_path_del(p, build_root(r));
	if (n)
		r->dirty = 1;
	return n;
}

void
ev_rec_touch(struct ev_rec *r)
{
	build_root(r);
	r->dirty = 1;
}

int
ev_rec_text(const struct ev_rec *r, const struct ev_path *p, const char **s,
    size_t *len)
{
	json_t *v;
	int i;

	raw_settle_for(r, p);
	/* The index outlives build_root until the tree itself is changed. */
	if (r->ntok == 0 || r->dirty || TOK(r)[0].type != JSMN_OBJECT ||
	    p->nseg == 0 || (r->added != NULL && json_object_getn(r->added,
	    p->seg[0].key, p->seg[0].keylen) != NULL) ||
	    (i = tok_find(r, p, &v, 0)) < 0)
		return -1;
	*s = tok_bytes(r, i, len);
	return 0;
}

int
ev_rec_changed(const struct ev_rec *r)
{
	return r->dirty || r->nedit > 0 || r->nraw > 0 ||
	    (r->added && json_object_size(r->added) > 0);
}

/*
 * What write_tok writes, when every edit replaces a value (none deletes),
 * no edit lies inside another and no object around one repeats a key:
 * the line with each edited value's bytes swapped for its new text and
 * the added members before the closing brace.  Written to b: 1; else 0
 * and b untouched, for write_tok to walk the record.
 */
static int
splice_edits(const struct ev_rec *r, struct ev_buf *b)
{
	const jsmntok_t *t = TOK(r);
	int ord[16], n = r->nedit, k, h, x, c, pos, first;

	if (n > 16 || has_dups(r))
		return 0;
	for (k = 0; k < n; k++) {
		x = r->edit_tok[k];
		if (r->edit_val[k] == NULL || x == 0)
			return 0;
		/* The objects around it, the record's own checked above. */
		for (c = 1; c < x; c++)
			if (t[c].type == JSMN_OBJECT && t[c].end > t[x].start &&
			    obj_dups(r, c))
				return 0;
		for (h = k; h > 0 && t[ord[h - 1]].start > t[x].start; h--)
			ord[h] = ord[h - 1];
		ord[h] = x;
	}
	for (k = 1; k < n; k++)
		if (tok_from(r, ord[k]) < tok_to(r, ord[k - 1]))
			return 0;	/* one inside another */
	pos = 0;
	for (k = 0; k < n; k++) {
		ev_buf_add(b, r->raw + pos, (size_t)(tok_from(r, ord[k]) - pos));
		ev_json_write(r->edit_val[edit_of(r, ord[k])], b);
		pos = tok_to(r, ord[k]);
	}
	ev_buf_add(b, r->raw + pos, (size_t)(t[0].end - 1 - pos));
	first = t[0].size == 0;
	if (r->added != NULL)
		ev_json_write_members(r->added, b, &first);
	raw_write(r, b, &first);
	ev_buf_add(b, r->raw + t[0].end - 1, r->rawlen - (size_t)t[0].end + 1);
	return 1;
}

void
ev_rec_write(struct ev_rec *r, struct ev_buf *b)
{
	size_t end;
	int empty;

	if (r->dirty || r->raw == NULL) {
		if (build_root(r) != NULL)
			ev_json_write(r->root, b);
		return;
	}
	if (r->nedit > 0 && splice_edits(r, b))
		return;
	if (r->nedit > 0) {
		/* The spacing around the document is kept too. */
		ev_buf_add(b, r->raw, (size_t)TOK(r)[0].start);
		write_tok(r, b, 0);
		ev_buf_add(b, r->raw + TOK(r)[0].end, r->rawlen -
		    (size_t)TOK(r)[0].end);
		return;
	}
	if ((r->added == NULL || json_object_size(r->added) == 0) &&
	    r->nraw == 0) {
		ev_buf_add(b, r->raw, r->rawlen);
		return;
	}
	/* Splice the new members in before the closing brace. */
	end = r->rawlen;
	while (end > 0 && r->raw[end - 1] != '}')
		end--;
	if (end == 0) {
		ev_json_write(build_root(r), b);
		return;
	}
	end--;
	if (r->lazy)
		empty = TOK(r)[0].size == 0;
	else
		empty = json_object_size(r->root) == json_object_size(r->added);
	ev_buf_add(b, r->raw, end);
	if (r->added != NULL)
		ev_json_write_members(r->added, b, &empty);
	raw_write(r, b, &empty);
	ev_buf_add(b, r->raw + end, r->rawlen - end);
}

/* ---- Handles: the index read value by value ---- */

int
ev_rec_h_ok(const struct ev_rec *r)
{
	return r->lazy && r->ntok > 0 && r->added == NULL && r->nraw == 0 &&
	    r->nedit == 0 && !r->dirty;
}

int
ev_rec_h_size(const struct ev_rec *r, int h)
{
	return TOK(r)[h].size;
}

int
ev_rec_h_next(const struct ev_rec *r, int h, int *it, int *key, int *val)
{
	const jsmntok_t *t = TOK(r);
	int i = *it == 0 ? h + 1 : *it;

	if (i >= r->ntok || t[i].start >= t[h].end)
		return 0;
	if (t[h].type == JSMN_OBJECT) {
		*key = i;
		*val = i + 1;
		*it = tok_next(r, i + 1);
	} else {
		*key = -1;
		*val = i;
		*it = tok_next(r, i);
	}
	return 1;
}

int
ev_rec_h_repeated(const struct ev_rec *r, int h, int k)
{
	return later_dup(r, k, TOK(r)[h].end);
}

int
ev_rec_h_dups(const struct ev_rec *r, int h)
{
	return obj_dups(r, h);
}

int
ev_rec_h_member(const struct ev_rec *r, int h, const char *key, size_t len)
{
	return tok_member(r, h, key, len);
}

const char *
ev_rec_h_str(const struct ev_rec *r, int h, size_t *len)
{
	const jsmntok_t *t = &TOK(r)[h];
	const char *b = r->raw + t->start, *s;

	*len = (size_t)(t->end - t->start);
	if (!r->escapes || memchr(b, '\\', *len) == NULL)
		return b;
	tok_str(r, h, &s, len);
	return s;
}

const char *
ev_rec_h_text(const struct ev_rec *r, int h, size_t *len)
{
	return tok_bytes(r, h, len);
}

int
ev_rec_h_bigint(const struct ev_rec *r)
{
	const jsmntok_t *t = TOK(r);
	const char *b;
	size_t n, i;
	int k;

	for (k = 0; k < r->ntok; k++) {
		if (t[k].type != JSMN_PRIMITIVE)
			continue;
		b = r->raw + t[k].start;
		n = (size_t)(t[k].end - t[k].start);
		i = b[0] == '-';
		/* Up to 18 digits always fit; look closer at longer ones. */
		if (n - i < 19 || memchr(b, '.', n) || memchr(b, 'e', n) ||
		    memchr(b, 'E', n))
			continue;
		if (n - i > 19 || memcmp(b + i, i ? "9223372036854775808" :
		    "9223372036854775807", 19) > 0)
			return 1;
	}
	return 0;
}

/* ---- The canonical text: jansson's sorted, compact, ASCII form ---- */

/* A member of an object being written: its decoded key and its tokens. */
struct canon_member {
	const char	*key;
	size_t		 keylen;
	int		 ktok;		/* the key's token: document order */
	int		 vtok;
};

struct canon {
	const struct ev_rec	*r;
	const char *const	*skip;	/* top-level names left out */
	size_t			 nskip;
	const int		*excl;	/* tokens left out, nexcl of them */
	size_t			 nexcl;
	struct canon_member	*m;	/* a stack of objects' members */
	size_t			 nm, capm;
	int			 bigint;
};

/*
 * A string as jansson's dump writes it with JSON_ENSURE_ASCII: '"', '\\'
 * and the control characters escaped (\b \f \n \r \t by name, the others
 * as \u00XX), everything above 0x7F as \uXXXX in upper-case hex (a UTF-16
 * surrogate pair above the BMP), '/' and 0x7F as they are.  s is valid
 * UTF-8 (the record layer checked it).
 */
static void
canon_str(struct ev_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	const unsigned char *run = p;
	uint32_t cp, hi, lo;
	char esc[12];
	int k;

	ev_buf_addc(b, '"');
	while (p < end) {
		if (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
			p++;
			continue;
		}
		ev_buf_add(b, (const char *)run, (size_t)(p - run));
		switch (*p) {
		case '"': ev_buf_add(b, "\\\"", 2); p++; run = p; continue;
		case '\\': ev_buf_add(b, "\\\\", 2); p++; run = p; continue;
		case '\b': ev_buf_add(b, "\\b", 2); p++; run = p; continue;
		case '\f': ev_buf_add(b, "\\f", 2); p++; run = p; continue;
		case '\n': ev_buf_add(b, "\\n", 2); p++; run = p; continue;
		case '\r': ev_buf_add(b, "\\r", 2); p++; run = p; continue;
		case '\t': ev_buf_add(b, "\\t", 2); p++; run = p; continue;
		default:
			break;
		}
		if (*p < 0x80) {
			cp = *p++;
		} else if (*p < 0xe0) {
			cp = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
			p += 2;
		} else if (*p < 0xf0) {
			cp = (uint32_t)(p[0] & 0x0f) << 12 |
			    (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
			p += 3;
		} else {
			cp = (uint32_t)(p[0] & 0x07) << 18 |
			    (uint32_t)(p[1] & 0x3f) << 12 |
			    (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
			p += 4;
		}
		run = p;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			hi = 0xd800 | (cp >> 10);
			lo = 0xdc00 | (cp & 0x3ff);
		} else {
			hi = cp;
			lo = 0;
		}
		for (k = 0; k < (lo ? 2 : 1); k++) {
			cp = k == 0 ? hi : lo;
			esc[6 * k] = '\\';
			esc[6 * k + 1] = 'u';
			esc[6 * k + 2] = hex[cp >> 12 & 15];
			esc[6 * k + 3] = hex[cp >> 8 & 15];
			esc[6 * k + 4] = hex[cp >> 4 & 15];
			esc[6 * k + 5] = hex[cp & 15];
		}
		ev_buf_add(b, esc, lo ? 12 : 6);
	}
	ev_buf_add(b, (const char *)run, (size_t)(p - run));
	ev_buf_addc(b, '"');
}

/*
 * A real as jansson's dump writes it: "%.17g", then ".0" when that shows
 * neither a point nor an exponent, and the exponent without '+' or
 * leading zeros.
 */
static void
canon_real(struct ev_buf *b, double d)
{
	char t[40], *e, *from, *to;
	int n = snprintf(t, sizeof(t) - 2, "%.17g", d);

	if (n < 0 || (size_t)n >= sizeof(t) - 2)
		ev_die(EV_EXIT_RUNTIME, "cannot write a number");
	if (strchr(t, '.') == NULL && strchr(t, 'e') == NULL) {
		memcpy(t + n, ".0", 3);
		n += 2;
	}
	if ((e = strchr(t, 'e')) != NULL) {
		/* As jansson: keep a '-', drop a '+' and the zeros after it. */
		to = e + 1;
		from = to + 1;
		if (*to == '-')
			to++;
		while (*from == '0')
			from++;
		if (from != to)
			memmove(to, from, strlen(from) + 1);
		n = (int)strlen(t);
	}
	ev_buf_add(b, t, (size_t)n);
}

/*
 * Whether n bytes of a string token as the line spells it are its
 * canonical text already: no escape and nothing above 0x7F (the line
 * holds no raw control character or quote), eight bytes at a time.
 */
static int
canon_plain(const char *s, size_t n)
{
	const uint64_t high = 0x8080808080808080ULL;
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t bsl = 0x5c5c5c5c5c5c5c5cULL;
	uint64_t w, x;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		x = w ^ bsl;	/* a zero byte where w has a backslash */
		if ((w & high) != 0 || ((x - ones) & ~x & high) != 0)
			return 0;
	}
	for (; i < n; i++)
		if ((unsigned char)s[i] >= 0x80 || s[i] == '\\')
			return 0;
	return 1;
}

static int
canon_cmp(const void *a, const void *b)
{
	const struct canon_member *x = a, *y = b;
	size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	if (x->keylen != y->keylen)
		return x->keylen < y->keylen ? -1 : 1;
	return x->ktok < y->ktok ? -1 : x->ktok > y->ktok;
}

/* Whether two members name the same key. */
static int
canon_same_key(const struct canon_member *x, const struct canon_member *y)
{
	return x->keylen == y->keylen && memcmp(x->key, y->key, x->keylen) ==
	    0;
}

static int
canon_left_out(const struct canon *c, int i)
{
	size_t k;

	if (dropped(c->r, i))
		return 1;
	for (k = 0; k < c->nexcl; k++)
		if (c->excl[k] == i)
			return 1;
	return 0;
}

static int
canon_skipped(const struct canon *c, const char *key, size_t n)
{
	size_t k;

	for (k = 0; k < c->nskip; k++)
		if (strlen(c->skip[k]) == n && memcmp(c->skip[k], key, n) == 0)
			return 1;
	return 0;
}

static void	canon_tok(struct canon *c, struct ev_buf *b, int i);

static void
canon_obj(struct canon *c, struct ev_buf *b, int i)
{
	const struct ev_rec *r = c->r;
	const jsmntok_t *t = TOK(r);
	struct canon_member *m;
	const char *kraw;
	char *o;
	size_t base = c->nm, n, k, kn;
	int j, cnt, first = 1;

	for (cnt = 0, j = i + 1; cnt < t[i].size; cnt++) {
		if (c->nm == c->capm) {
			c->capm = c->capm ? 2 * c->capm : 32;
			c->m = ev_xreallocarray(c->m, c->capm, sizeof(*c->m));
		}
		m = &c->m[c->nm++];
		tok_str(r, j, &m->key, &m->keylen);
		m->ktok = j;
		m->vtok = j + 1;
		j = tok_next(r, j + 1);
	}
	n = c->nm - base;
	if (n > 16)
		qsort(c->m + base, n, sizeof(*c->m), canon_cmp);
	else	/* an event's objects are small: insertion is cheaper */
		for (k = 1; k < n; k++) {
			struct canon_member x = c->m[base + k];
			size_t h = k;

			for (; h > 0 && canon_cmp(&c->m[base + h - 1], &x) > 0;
			    h--)
				c->m[base + h] = c->m[base + h - 1];
			c->m[base + h] = x;
		}
	ev_buf_addc(b, '{');
	for (k = 0; k < n; k++) {
		m = &c->m[base + k];
		/* jansson keeps the last of a repeated key, and only it. */
		if (k + 1 < n && canon_same_key(m, m + 1))
			continue;
		if (canon_left_out(c, m->vtok) || (i == 0 &&
		    canon_skipped(c, m->key, m->keylen)))
			continue;
		kraw = r->raw + t[m->ktok].start;
		kn = (size_t)(t[m->ktok].end - t[m->ktok].start);
		if (canon_plain(kraw, kn)) {
			/* ,"key": written at once, the common case */
			ev_buf_reserve(b, kn + 4);
			o = b->data + b->len;
			if (!first)
				*o++ = ',';
			*o++ = '"';
			memcpy(o, kraw, kn);
			o += kn;
			*o++ = '"';
			*o++ = ':';
			b->len = (size_t)(o - b->data);
			b->data[b->len] = '\0';
		} else {
			if (!first)
				ev_buf_addc(b, ',');
			canon_str(b, m->key, m->keylen);
			ev_buf_addc(b, ':');
		}
		first = 0;
		/* c->m may move while the value is written: index it again. */
		canon_tok(c, b, c->m[base + k].vtok);
	}
	ev_buf_addc(b, '}');
	c->nm = base;
}

static void
canon_tok(struct canon *c, struct ev_buf *b, int i)
{
	const struct ev_rec *r = c->r;
	const jsmntok_t *t = &TOK(r)[i];
	const char *s;
	char *text;
	size_t n;
	int e, j, cnt, first = 1;

	if (r->nedit > 0 && (e = edit_of(r, i)) >= 0) {
		if (json_is_string(r->edit_val[e])) {
			canon_str(b, json_string_value(r->edit_val[e]),
			    json_string_length(r->edit_val[e]));
			return;
		}
		text = json_dumps(r->edit_val[e], JSON_COMPACT |
		    JSON_SORT_KEYS | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
		if (text == NULL)
			ev_die(EV_EXIT_RUNTIME, "out of memory");
		ev_buf_adds(b, text);
		free(text);
		return;
	}
	switch (t->type) {
	case JSMN_OBJECT:
		canon_obj(c, b, i);
		return;
	case JSMN_ARRAY:
		ev_buf_addc(b, '[');
		for (cnt = 0, j = i + 1; cnt < t->size; cnt++) {
			if (!canon_left_out(c, j)) {
				if (!first)
					ev_buf_addc(b, ',');
				first = 0;
				canon_tok(c, b, j);
			}
			j = tok_next(r, j);
		}
		ev_buf_addc(b, ']');
		return;
	case JSMN_STRING:
		s = r->raw + t->start;
		n = (size_t)(t->end - t->start);
		if (canon_plain(s, n)) {
			ev_buf_add(b, s - 1, n + 2);	/* with its quotes */
			return;
		}
		tok_str(r, i, &s, &n);
		canon_str(b, s, n);
		return;
	default:
		break;
	}
	s = r->raw + t->start;
	n = (size_t)(t->end - t->start);
	if (prim_kind(r, i) != 'n') {
		ev_buf_add(b, s, n);
		return;
	}
	/*
	 * jansson reads an integer as a json_int_t ("-0" is 0) unless the
	 * line holds one beyond 64 bits: then every integer is a real.
	 */
	if (!c->bigint && memchr(s, '.', n) == NULL && memchr(s, 'e', n) ==
	    NULL && memchr(s, 'E', n) == NULL) {
		if (n == 2 && s[0] == '-' && s[1] == '0')
			ev_buf_addc(b, '0');
		else
			ev_buf_add(b, s, n);
		return;
	}
	canon_real(b, strtod(s, NULL));
}

/* Whether the path leads through an array index (kept for the tree). */
static int
has_index(const struct ev_path *p)
{
	size_t s;

	for (s = 0; s < p->nseg; s++)
		if (p->seg[s].index >= 0)
			return 1;
	return 0;
}

int
ev_rec_canon(const struct ev_rec *r, const char *const *skip, size_t nskip,
    struct ev_path *const *excl, size_t nexcl, struct ev_buf *b)
{
	struct canon c;
	struct raw_entry re;
	json_t *v;
	const char *k;
	size_t off = 0, i;
	int tok[EV_REC_CANON_MAX_EXCL], nt = 0, x;

	if (!r->lazy || r->dirty || r->ntok == 0 ||
	    TOK(r)[0].type != JSMN_OBJECT || nexcl > EV_REC_CANON_MAX_EXCL)
		return -1;
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.skip = skip;
	c.nskip = nskip;
	/* Every added member must be one left out: they have no tokens. */
	if (r->added != NULL)
		json_object_foreach(r->added, k, v)
			if (!canon_skipped(&c, k, strlen(k)))
				return -1;
	for (x = 0; x < r->nraw; x++) {
		raw_entry(r, &off, &re);
		if (!canon_skipped(&c, re.key, re.keylen))
			return -1;
	}
	for (i = 0; i < nexcl; i++) {
		if (excl[i]->nseg == 0 || has_index(excl[i]))
			return -1;
		if (canon_skipped(&c, excl[i]->seg[0].key,
		    excl[i]->seg[0].keylen))
			continue;
		if ((x = tok_find(r, excl[i], &v, 0)) >= 0)
			tok[nt++] = x;
		else if (v != NULL)
			return -1;	/* inside a changed value */
	}
	c.excl = tok;
	c.nexcl = (size_t)nt;
	c.bigint = ev_rec_h_bigint(r);
	canon_tok(&c, b, 0);
	free(c.m);
	return 0;
}
