/*
 * ev_schema_index.c - the flag check of a compiled schema against a
 * record's index (ev_rec handles), without building a jansson tree.
 *
 * It answers what ev_schema_valid would answer for the record's tree, and
 * nothing more: no error list, no annotations.  A caller that gets "not
 * valid" (or "cannot judge") asks the tree walker, which builds the errors;
 * so whatever is reported comes from one place.  Values are read as
 * jansson reads them: a number without fraction or exponent is an integer
 * when it fits 64 bits, else (and then every integer of the line, as
 * ev_rec's loader retries with JSON_DECODE_INT_AS_REAL) a real; a string
 * is its decoded bytes; of a repeated key only the last member counts.
 * Objects and arrays compared whole (enum, const, uniqueItems) are decoded
 * by jansson, that value only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_format.h"
#include "ev_rec.h"
#include "ev_schema.h"
#include "ev_schema_int.h"

#define MAX_DEPTH	300	/* as the tree walker */
#define PROPS_SEEN	256	/* "properties" marked in one pass, at most */
#define EXACT_MAX	9007199254740992.0	/* 2^53 */

struct ix {
	struct ev_schema_ctx	*ctx;
	const struct ev_rec	*r;
	int			 depth;
	int			 bail;		/* cannot judge: give up */
	int			 bigint;	/* -1 unknown, else 0/1 */
};

static int x_node(struct ix *x, const struct ev_sn *n, int h);

/* Whether the line's integers are jansson integers (no bigint in it). */
static int
ints_exact(struct ix *x)
{
	if (x->bigint < 0)
		x->bigint = ev_rec_h_bigint(x->r);
	return !x->bigint;
}

/*
 * Number handle h as jansson holds it.  An integer is read as such here;
 * fix_int turns it into a real when the line's integers are reals and the
 * difference can show.
 */
static void
h_num(const struct ix *x, int h, struct ev_snum *v)
{
	char tmp[64], *heap = NULL, *z;
	size_t n, i;
	const char *b = ev_rec_h_text(x->r, h, &n);
	uint64_t u = 0;

	i = b[0] == '-';
	v->is_int = memchr(b, '.', n) == NULL && memchr(b, 'e', n) == NULL &&
	    memchr(b, 'E', n) == NULL && n - i <= 19;
	for (; v->is_int && i < n; i++) {
		unsigned dg = (unsigned)(b[i] - '0');
		if (u > (UINT64_MAX - dg) / 10)
			v->is_int = 0;
		u = 10 * u + dg;
	}
	if (v->is_int && (b[0] == '-' ? u > (uint64_t)INT64_MAX + 1 :
	    u > (uint64_t)INT64_MAX))
		v->is_int = 0;
	if (v->is_int) {
		v->i = b[0] == '-' ? (json_int_t)(0 - u) : (json_int_t)u;
		v->d = (double)v->i;
		return;
	}
	/* The text ends at a delimiter, or at the end of the line: copy. */
	z = n < sizeof(tmp) ? tmp : (heap = ev_xmalloc(n + 1));
	memcpy(z, b, n);
	z[n] = '\0';
	v->i = 0;
	v->d = strtod(z, NULL);
	free(heap);
}

static int
big_int(json_int_t i)
{
	return fabs((double)i) > EXACT_MAX;
}

/*
 * Where an integer instance meets the integer schema value j and the two
 * readings could differ (beyond 2^53, or multipleOf's remainder), read the
 * instance as the tree would.
 */
static void
fix_int(struct ix *x, struct ev_snum *v, const json_t *j, int always)
{
	if (!v->is_int || !json_is_integer(j))
		return;
	if ((always || big_int(v->i) || big_int(json_integer_value(j))) &&
	    !ints_exact(x))
		v->is_int = 0;
}

/* The "type" bits of handle h; *v is filled for a number. */
static unsigned
h_type(const struct ix *x, int h, struct ev_snum *v)
{
	switch (ev_rec_kind(x->r, h)) {
	case 's':
		return EV_ST_STR;
	case 'o':
		return EV_ST_OBJ;
	case 'a':
		return EV_ST_ARR;
	case 't':
	case 'f':
		return EV_ST_BOOL;
	case 'z':
		return EV_ST_NULL;
	default:
		h_num(x, h, v);
		return ev_schema_snum_type(v);
	}
}

/* Handle h decoded by jansson (borrowed from the record), or NULL. */
static const json_t *
h_json(struct ix *x, int h)
{
	const json_t *j;

	/* A value decoded alone would keep integers the line makes reals. */
	if (!ints_exact(x) || (j = ev_rec_val_json(x->r, h)) == NULL) {
		x->bail = 1;
		return NULL;
	}
	return j;
}

/* JSON Schema equality of handle h and value j (ev_jset_equal). */
static int
h_equal(struct ix *x, int h, const json_t *j)
{
	struct ev_snum v;
	const json_t *hv;
	const char *s;
	size_t n;

	switch (ev_rec_kind(x->r, h)) {
	case 's':
		s = ev_rec_h_str(x->r, h, &n);
		return json_is_string(j) && json_string_length(j) == n &&
		    memcmp(json_string_value(j), s, n) == 0;
	case 'n':
		if (!json_is_number(j))
			return 0;
		h_num(x, h, &v);
		fix_int(x, &v, j, 0);
		if (v.is_int && json_is_integer(j))
			return v.i == json_integer_value(j);
		return v.d == json_number_value(j);
	case 't':
		return json_is_true(j);
	case 'f':
		return json_is_false(j);
	case 'z':
		return json_is_null(j);
	default:
		if (!json_is_object(j) && !json_is_array(j))
			return 0;
		hv = h_json(x, h);
		return hv != NULL && ev_schema_equal(hv, j);
	}
}

static int
h_enum(struct ix *x, const struct ev_sn *n, int h)
{
	const json_t *hv;
	size_t i;

	if (n->enum_set) {
		if ((hv = h_json(x, h)) == NULL)
			return 0;
		return ev_jset_find(n->enum_set, hv, NULL);
	}
	for (i = 0; i < json_array_size(n->enum_v); i++)
		if (h_equal(x, h, json_array_get(n->enum_v, i)))
			return 1;
	return 0;
}

/* A pattern's verdict; a resource limit is left to the tree. */
static int
x_match(struct ix *x, pcre2_code *re, const char *s, size_t len)
{
	int m = ev_schema_re_match(x->ctx, re, s, len);

	if (m < 0) {
		x->bail = 1;
		return 0;
	}
	return m;
}

static int
x_number(struct ix *x, const struct ev_sn *n, struct ev_snum *v)
{
	int c;

	if (n->minimum) {
		fix_int(x, v, n->minimum, 0);
		c = ev_schema_num_cmp(v, n->minimum);
		if (c < 0 || (c == 0 && n->ex_min_bool))
			return 0;
	}
	if (n->maximum) {
		fix_int(x, v, n->maximum, 0);
		c = ev_schema_num_cmp(v, n->maximum);
		if (c > 0 || (c == 0 && n->ex_max_bool))
			return 0;
	}
	if (n->ex_minimum) {
		fix_int(x, v, n->ex_minimum, 0);
		if (ev_schema_num_cmp(v, n->ex_minimum) <= 0)
			return 0;
	}
	if (n->ex_maximum) {
		fix_int(x, v, n->ex_maximum, 0);
		if (ev_schema_num_cmp(v, n->ex_maximum) >= 0)
			return 0;
	}
	if (n->multiple_of) {
		fix_int(x, v, n->multiple_of, 1);
		if (!ev_schema_multiple_ok(v, n->multiple_of))
			return 0;
	}
	return 1;
}

static int
x_string(struct ix *x, const struct ev_sn *n, int h)
{
	size_t len, cl;
	const char *s = ev_rec_h_str(x->r, h, &len);

	/* A string of len bytes has (len + 3) / 4 to len code points. */
	if ((n->max_len >= 0 && len > (size_t)n->max_len) ||
	    (n->min_len >= 0 && (len + 3) / 4 < (size_t)n->min_len)) {
		cl = ev_schema_cp_len(s, len);
		if ((n->max_len >= 0 && cl > (size_t)n->max_len) ||
		    (n->min_len >= 0 && cl < (size_t)n->min_len))
			return 0;
	}
	if (n->pattern && !x_match(x, n->pattern, s, len))
		return 0;
	if (n->format && (x->ctx->assert_format ||
	    (n->vocab & EV_VOC_FORMAT_ASSERT)) &&
	    !ev_format_check(n->format, s, len))
		return 0;
	return 1;
}

/* The index of the "properties" entry named key (n bytes), or -1. */
static long
prop_index(const struct ev_sn *n, const char *key, size_t len)
{
	size_t j;

	for (j = 0; j < n->n_props; j++)
		if (n->props[j].len == len && (len == 0 ||
		    (n->props[j].name[0] == key[0] &&
		    memcmp(n->props[j].name, key, len) == 0)))
			return (long)j;
	return -1;
}

/*
 * One member of object h (key handle k, value handle val): the keywords
 * that look at every member.  seen marks the "properties" found.
 */
static int
x_member(struct ix *x, const struct ev_sn *n, int k, int val,
    unsigned char *seen)
{
	size_t klen, j;
	const char *key = ev_rec_h_str(x->r, k, &klen);
	long p = n->n_props ? prop_index(n, key, klen) : -1;
	int matched = p >= 0;

	if (p >= 0) {
		if (seen)
			seen[p] = 1;
		if (!x_node(x, n->props[p].node, val))
			return 0;
	}
	for (j = 0; j < n->n_pprops; j++) {
		if (!x_match(x, n->pprops[j].re, key, klen)) {
			if (x->bail)
				return 0;
			continue;
		}
		matched = 1;
		if (!x_node(x, n->pprops[j].node, val))
			return 0;
	}
	if (!matched && n->addl_props && !x_node(x, n->addl_props, val))
		return 0;
	if (n->prop_names && !x_node(x, n->prop_names, k))
		return 0;
	return 1;
}

static int
x_has(const struct ix *x, int h, const char *name)
{
	return ev_rec_h_member(x->r, h, name, strlen(name)) >= 0;
}

static int
x_object(struct ix *x, const struct ev_sn *n, int h)
{
	unsigned char seen[PROPS_SEEN];
	size_t size = (size_t)ev_rec_h_size(x->r, h), j, q;
	int it = 0, k, val, walk, mark;

	/* A repeated key counts once (jansson keeps the last). */
	if (n->max_props >= 0 && size > (size_t)n->max_props &&
	    !ev_rec_h_dups(x->r, h))
		return 0;
	if (n->min_props >= 0 && size < (size_t)n->min_props)
		return 0;
	if ((n->max_props >= 0 && size > (size_t)n->max_props) ||
	    (n->min_props >= 0 && ev_rec_h_dups(x->r, h))) {
		x->bail = 1;	/* the count of distinct keys decides */
		return 0;
	}
	for (j = 0; j < n->n_dep_req; j++) {
		const json_t *r = n->dep_req[j].req;
		if (!x_has(x, h, n->dep_req[j].name))
			continue;
		for (q = 0; q < json_array_size(r); q++) {
			const json_t *e = json_array_get(r, q);
			if (json_is_string(e) && !x_has(x, h,
			    json_string_value(e)))
				return 0;
		}
	}
	for (j = 0; j < n->n_dep_schemas; j++)
		if (x_has(x, h, n->dep_schemas[j].name) &&
		    !x_node(x, n->dep_schemas[j].node, h))
			return 0;
	/*
	 * One pass over the members serves every keyword; "properties"
	 * alone, when it is long, looks its names up instead.
	 */
	walk = n->n_pprops || n->addl_props || n->prop_names ||
	    (n->n_props && n->n_props <= PROPS_SEEN);
	mark = walk && n->n_props && n->n_props <= PROPS_SEEN;
	if (mark)
		memset(seen, 0, n->n_props);
	while (walk && ev_rec_h_next(x->r, h, &it, &k, &val))
		if (!x_member(x, n, k, val, mark ? seen : NULL)) {
			/* An earlier member of a repeated key is no member. */
			if (x->bail || !ev_rec_h_repeated(x->r, h, k))
				return 0;
		}
	for (j = 0; j < n->n_props; j++) {
		int pv;
		if (mark) {
			if (!seen[j] && n->props[j].required)
				return 0;
			continue;
		}
		pv = ev_rec_h_member(x->r, h, n->props[j].name,
		    n->props[j].len);
		if (pv < 0 ? n->props[j].required : !x_node(x,
		    n->props[j].node, pv))
			return 0;
	}
	for (j = 0; j < n->n_req_rest; j++)
		if (!x_has(x, h, n->req_rest[j]))
			return 0;
	return 1;
}

static int
x_array(struct ix *x, const struct ev_sn *n, int h)
{
	size_t len = (size_t)ev_rec_h_size(x->r, h), i = 0, first, second;
	size_t count = 0;
	int it = 0, k, val;

	if (n->max_items >= 0 && len > (size_t)n->max_items)
		return 0;
	if (n->min_items >= 0 && len < (size_t)n->min_items)
		return 0;
	if (n->unique && len > 1) {
		const json_t *a = h_json(x, h);
		if (a == NULL || !ev_schema_unique(a, &first, &second))
			return 0;
	}
	for (; ev_rec_h_next(x->r, h, &it, &k, &val); i++) {
		if (i < n->tuple.n) {
			if (!x_node(x, n->tuple.v[i], val))
				return 0;
		} else if (n->rest && !x_node(x, n->rest, val))
			return 0;
		if (n->contains && x_node(x, n->contains, val))
			count++;
		if (x->bail)
			return 0;
	}
	if (n->contains) {
		long long minc = n->min_contains >= 0 ? n->min_contains : 1;
		if (count < (size_t)minc || (n->max_contains >= 0 &&
		    count > (size_t)n->max_contains))
			return 0;
	}
	return 1;
}

static int
x_list_count(struct ix *x, const struct ev_sn_list *l, int h, size_t enough)
{
	size_t i, count = 0;

	for (i = 0; i < l->n && count < enough && !x->bail; i++)
		if (x_node(x, l->v[i], h))
			count++;
	return (int)count;
}

static int
x_apply(struct ix *x, const struct ev_sn *n, int h)
{
	struct ev_snum v;
	unsigned t = h_type(x, h, &v);
	size_t i;

	if (n->ref_node) {
		if (!x_node(x, n->ref_node, h))
			return 0;
		if (n->draft == EV_SCHEMA_DRAFT7)
			return 1;
	}
	if (n->types && !(n->types & t))
		return 0;
	if (n->has_const && !h_equal(x, h, n->const_v))
		return 0;
	if ((n->enum_set || n->enum_v) && !h_enum(x, n, h))
		return 0;
	if (t & EV_ST_NUM) {
		if (!x_number(x, n, &v))
			return 0;
	} else if (t & EV_ST_STR) {
		if (!x_string(x, n, h))
			return 0;
	} else if (t & EV_ST_OBJ) {
		if (!x_object(x, n, h))
			return 0;
	} else if (t & EV_ST_ARR) {
		if (!x_array(x, n, h))
			return 0;
	}
	for (i = 0; i < n->all_of.n; i++)
		if (!x_node(x, n->all_of.v[i], h))
			return 0;
	if (n->any_of.n && x_list_count(x, &n->any_of, h, 1) == 0)
		return 0;
	if (n->one_of.n && x_list_count(x, &n->one_of, h, 2) != 1)
		return 0;
	if (n->not_ && x_node(x, n->not_, h))
		return 0;
	if (n->if_) {
		if (x_node(x, n->if_, h)) {
			if (n->then_ && !x_node(x, n->then_, h))
				return 0;
		} else if (n->else_ && !x_node(x, n->else_, h))
			return 0;
	}
	return 1;
}

static int
x_node(struct ix *x, const struct ev_sn *n, int h)
{
	int ok;

	if (x->bail)
		return 0;
	if (n->boolean >= 0)
		return n->boolean;
	if (x->depth > MAX_DEPTH) {
		x->bail = 1;	/* the tree says why */
		return 0;
	}
	x->depth++;
	ok = x_apply(x, n, h);
	x->depth--;
	return ok && !x->bail;
}

int
ev_schema_check_rec(struct ev_schema_ctx *c, const struct ev_schema *s,
    const struct ev_rec *r, int h)
{
	struct ix x;
	int ok;

	if (!ev_schema_indexable(s) || !ev_rec_h_ok(r))
		return -1;
	memset(&x, 0, sizeof(x));
	x.ctx = c;
	x.r = r;
	x.bigint = -1;
	ok = x_node(&x, (const struct ev_sn *)s, h);
	return x.bail ? -1 : ok;
}
