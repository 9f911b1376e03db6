/*
 * ev_schema_eval.c - applying a compiled schema to an instance.
 *
 * One walker serves both modes: the flag check stops at the first failure
 * and builds nothing; the error mode (run only on an invalid instance)
 * keeps going, tracks the instance and keyword locations and builds the
 * error objects.  Annotations for unevaluatedProperties/unevaluatedItems
 * are a mark per object member (in iteration order) or array item, kept
 * only where such a keyword can see them.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_common.h"
#include "ev_format.h"
#include "ev_path.h"
#include "ev_schema.h"
#include "ev_schema_int.h"

#define MAX_DEPTH 300
#define ANN_SMALL 32

struct ann {
	size_t		 n;
	unsigned char	*m;
	unsigned char	 small[ANN_SMALL];
};

struct scope {
	const struct ev_sn	*res;
	const struct scope	*up;
};

struct vc {
	struct ev_schema_ctx *ctx;
	int		 collect;
	int		 track;		/* keep ip and kp (error mode) */
	json_t		*errors;
	size_t		 max_errors;
	struct ev_buf	 ip, kp;	/* instance and keyword locations */
	int		 depth;
	json_t		*annots;	/* output units of annotations, or NULL */
	int		 detailed;	/* nest errors by failing subschema */
};

/* An error in evkit's shape as a standard output unit (new reference). */
static json_t *
to_unit(json_t *e)
{
	if (json_object_get(e, "keywordLocation"))
		return json_incref(e);
	return json_pack("{s:b,s:O,s:O,s:O,s:O}", "valid", 0,
	    "keywordLocation", json_object_get(e, "keyword"),
	    "absoluteKeywordLocation", json_object_get(e, "absolute"),
	    "instanceLocation", json_object_get(e, "instance"),
	    "error", json_object_get(e, "message"));
}

/*
 * Detailed output: the errors a failing subschema produced (more than one)
 * become the children of one unit for that subschema.
 */
static void
nest_errors(struct vc *v, const struct ev_sn *n, size_t emark)
{
	json_t *kids, *unit;
	size_t i;

	if (json_array_size(v->errors) <= emark + 1)
		return;
	kids = json_array();
	for (i = emark; i < json_array_size(v->errors); i++)
		json_array_append_new(kids, to_unit(json_array_get(v->errors,
		    i)));
	while (json_array_size(v->errors) > emark)
		json_array_remove(v->errors, json_array_size(v->errors) - 1);
	unit = json_pack("{s:b,s:s%,s:s,s:s%,s:o}", "valid", 0,
	    "keywordLocation", v->kp.data ? v->kp.data : "", v->kp.len,
	    "absoluteKeywordLocation", n->abs,
	    "instanceLocation", v->ip.data ? v->ip.data : "", v->ip.len,
	    "errors", kids);
	json_array_append_new(v->errors, unit);
}

/* Annotation keywords reported in the standard output formats. */
static const char *const annot_kw[] = { "title", "description", "default",
	"deprecated", "readOnly", "writeOnly", "examples", "format",
	"contentEncoding", "contentMediaType", NULL };

static void
annots_add(struct vc *v, const struct ev_sn *n)
{
	size_t i;

	for (i = 0; annot_kw[i]; i++) {
		json_t *val = json_object_get(n->src, annot_kw[i]), *u;
		struct ev_buf k = EV_BUF_INIT, a = EV_BUF_INIT;
		if (val == NULL)
			continue;
		ev_buf_add(&k, v->kp.data ? v->kp.data : "", v->kp.len);
		ev_buf_printf(&k, "/%s", annot_kw[i]);
		ev_buf_printf(&a, "%s/%s", n->abs, annot_kw[i]);
		u = json_pack("{s:b,s:s,s:s,s:s%,s:O}", "valid", 1,
		    "keywordLocation", k.data, "absoluteKeywordLocation", a.data,
		    "instanceLocation", v->ip.data ? v->ip.data : "",
		    v->ip.len, "annotation", val);
		json_array_append_new(v->annots, u);
		ev_buf_free(&k);
		ev_buf_free(&a);
	}
}

static void
ann_init(struct ann *a, const json_t *inst)
{
	a->n = json_is_object(inst) ? json_object_size(inst) :
	    json_is_array(inst) ? json_array_size(inst) : 0;
	a->m = a->n <= ANN_SMALL ? a->small : ev_xcalloc(a->n, 1);
	memset(a->m, 0, a->n);
}

static void
ann_free(struct ann *a)
{
	if (a->m != a->small)
		free(a->m);
}

static void
ann_merge(struct ann *dst, const struct ann *src)
{
	size_t i;

	if (dst == NULL)
		return;
	for (i = 0; i < dst->n && i < src->n; i++)
		dst->m[i] |= src->m[i];
}

static void
ann_all(struct ann *a)
{
	if (a)
		memset(a->m, 1, a->n);
}

unsigned
ev_schema_type_of(const json_t *v)
{
	double d;

	switch (json_typeof(v)) {
	case JSON_NULL:
		return EV_ST_NULL;
	case JSON_TRUE:
	case JSON_FALSE:
		return EV_ST_BOOL;
	case JSON_OBJECT:
		return EV_ST_OBJ;
	case JSON_ARRAY:
		return EV_ST_ARR;
	case JSON_STRING:
		return EV_ST_STR;
	case JSON_INTEGER:
		return EV_ST_NUM | EV_ST_INT;
	case JSON_REAL:
		d = json_real_value(v);
		return EV_ST_NUM | (isfinite(d) && d == floor(d) ?
		    EV_ST_INT : 0);
	}
	return 0;
}

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL: return "null";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	}
	return "value";
}

static double
num(const json_t *v)
{
	return json_is_integer(v) ? (double)json_integer_value(v) :
	    json_real_value(v);
}

void
ev_schema_snum(const json_t *v, struct ev_snum *x)
{
	x->is_int = json_is_integer(v);
	x->i = x->is_int ? json_integer_value(v) : 0;
	x->d = num(v);
}

unsigned
ev_schema_snum_type(const struct ev_snum *x)
{
	return EV_ST_NUM | (x->is_int || (isfinite(x->d) &&
	    x->d == floor(x->d)) ? EV_ST_INT : 0);
}

int
ev_schema_num_cmp(const struct ev_snum *a, const json_t *b)
{
	if (a->is_int && json_is_integer(b)) {
		json_int_t y = json_integer_value(b);
		return a->i < y ? -1 : a->i > y;
	} else {
		double y = num(b);
		return a->d < y ? -1 : a->d > y;
	}
}

/* <0, 0, >0 as a compares to b (both numbers). */
static int
num_cmp(const json_t *a, const json_t *b)
{
	struct ev_snum x;

	ev_schema_snum(a, &x);
	return ev_schema_num_cmp(&x, b);
}

int
ev_schema_equal(const json_t *a, const json_t *b)
{
	return ev_jset_equal(a, b);
}

size_t
ev_schema_cp_len(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

int
ev_schema_re_match(struct ev_schema_ctx *c, pcre2_code *re, const char *s,
    size_t n)
{
	int rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK,
	    c->md, c->mctx);

	if (rc >= 0)
		return 1;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : rc;
}

/* ---- error building ---- */

static int
full(const struct vc *v)
{
	return v->max_errors && v->errors &&
	    json_array_size(v->errors) >= v->max_errors;
}

static void
short_value(struct ev_buf *b, const json_t *inst)
{
	char *s;
	size_t n;

	if (json_is_object(inst) || json_is_array(inst))
		return;
	s = json_dumps(inst, JSON_ENCODE_ANY | JSON_COMPACT);
	if (s == NULL)
		return;
	n = strlen(s);
	ev_buf_addc(b, ' ');
	if (n > 40) {
		ev_buf_add(b, s, 37);
		ev_buf_adds(b, "...");
	} else
		ev_buf_add(b, s, n);
	free(s);
}

static void
err_add(struct vc *v, const struct ev_sn *n, const char *kw,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
err_add(struct vc *v, const struct ev_sn *n, const char *kw,
    const char *fmt, ...)
{
	struct ev_buf m = EV_BUF_INIT, k = EV_BUF_INIT, a = EV_BUF_INIT;
	json_t *e;
	va_list ap;

	if (!v->collect || full(v))
		return;
	va_start(ap, fmt);
	{
		char tmp[512];
		vsnprintf(tmp, sizeof(tmp), fmt, ap);
		ev_buf_adds(&m, tmp);
	}
	va_end(ap);
	ev_buf_add(&k, v->kp.data ? v->kp.data : "", v->kp.len);
	ev_buf_adds(&a, n->abs);
	if (kw) {
		ev_buf_addc(&k, '/');
		ev_buf_adds(&k, kw);
		ev_buf_addc(&a, '/');
		ev_buf_adds(&a, kw);
	}
	e = json_object();
	json_object_set_new(e, "instance", json_stringn(v->ip.data ?
	    v->ip.data : "", v->ip.len));
	json_object_set_new(e, "keyword", json_stringn(k.data ? k.data : "",
	    k.len));
	json_object_set_new(e, "absolute", json_string(a.data));
	json_object_set_new(e, "message", json_stringn(m.data ? m.data : "",
	    m.len));
	json_array_append_new(v->errors, e);
	ev_buf_free(&m);
	ev_buf_free(&k);
	ev_buf_free(&a);
}

static void
errs_truncate(struct vc *v, size_t mark)
{
	if (!v->collect)
		return;
	while (json_array_size(v->errors) > mark)
		json_array_remove(v->errors, json_array_size(v->errors) - 1);
}

static size_t
errs_mark(const struct vc *v)
{
	return v->collect ? json_array_size(v->errors) : 0;
}

/* An error located at a member or item below the current instance. */
static void
err_below(struct vc *v, const struct ev_sn *n, const char *kw,
    const char *ikey, long iidx)
{
	size_t im = v->ip.len;

	if (!v->collect)
		return;
	if (ikey)
		ev_path_push(&v->ip, ikey);
	else
		ev_buf_printf(&v->ip, "/%ld", iidx);
	if (ikey)
		err_add(v, n, kw, "property \"%s\" is not allowed", ikey);
	else
		err_add(v, n, kw, "item %ld is not allowed", iidx);
	ev_path_pop(&v->ip, im);
}

/* The limit a PCRE2 match error code stands for, in words. */
static void
limit_words(struct ev_buf *b, int rc)
{
	PCRE2_UCHAR msg[256];

	switch (rc) {
	case PCRE2_ERROR_JIT_STACKLIMIT:
		ev_buf_printf(b, "the JIT stack limit (%u MiB)",
		    EV_SCHEMA_JIT_STACK_MAX / (1024 * 1024));
		break;
	case PCRE2_ERROR_MATCHLIMIT:
		ev_buf_printf(b, "the match limit (%u steps)",
		    EV_SCHEMA_MATCH_LIMIT);
		break;
	case PCRE2_ERROR_DEPTHLIMIT:
		ev_buf_printf(b, "the depth limit (%u)", EV_SCHEMA_MATCH_LIMIT);
		break;
	case PCRE2_ERROR_HEAPLIMIT:
		ev_buf_printf(b, "the heap limit (%u MiB)",
		    EV_SCHEMA_HEAP_LIMIT / 1024);
		break;
	default:
		if (pcre2_get_error_message(rc, msg, sizeof(msg)) < 0)
			ev_buf_printf(b, "PCRE2 error %d", rc);
		else
			ev_buf_printf(b, "an error (%s)", (const char *)msg);
	}
}

/*
 * A pattern of keyword kw (patternProperties: the member src) gave up with
 * rc on a subject of n bytes: keep the first such error for
 * ev_schema_ctx_limit.  The check cannot decide, so from here on every
 * node fails (see v_node), whatever "not" or "anyOf" would make of it.
 */
static void
limit_hit(struct vc *v, const struct ev_sn *n, const char *kw,
    const char *src, const char *subject, size_t len, int rc)
{
	struct ev_buf m = EV_BUF_INIT, k = EV_BUF_INIT, a = EV_BUF_INIT;

	if (v->ctx->limit != NULL)
		return;
	ev_buf_printf(&m, "%s \"", kw);
	ev_buf_adds(&m, src);
	ev_buf_printf(&m, "\" gave up on %s of %zu bytes: %s", subject, len,
	    "it hit ");
	limit_words(&m, rc);
	ev_buf_add(&k, v->kp.data ? v->kp.data : "", v->kp.len);
	ev_buf_adds(&a, n->abs);
	if (v->track) {
		ev_path_push(&k, kw);
		if (strcmp(kw, "pattern") != 0)
			ev_path_push(&k, src);
	}
	ev_path_push(&a, kw);
	if (strcmp(kw, "pattern") != 0)
		ev_path_push(&a, src);
	v->ctx->limit = json_pack("{s:s%,s:s%,s:s,s:s%}",
	    "instance", v->ip.data ? v->ip.data : "", v->ip.len,
	    "keyword", k.data ? k.data : "", k.len,
	    "absolute", a.data,
	    "message", m.data, m.len);
	ev_buf_free(&m);
	ev_buf_free(&k);
	ev_buf_free(&a);
}

/* ---- the walker ---- */

static int v_node(struct vc *v, const struct ev_sn *n, const json_t *inst,
    struct ann *ann, const struct scope *sc);

/* A subschema applied in place (same instance), under keyword path kw[/i]. */
static int
v_inplace(struct vc *v, const struct ev_sn *n, const char *kw, long idx,
    const json_t *inst, struct ann *ann, const struct scope *sc)
{
	size_t km = v->kp.len;
	int ok;

	if (v->track) {
		ev_path_push(&v->kp, kw);
		if (idx >= 0)
			ev_buf_printf(&v->kp, "/%ld", idx);
	}
	ok = v_node(v, n, inst, ann, sc);
	if (v->track)
		ev_path_pop(&v->kp, km);
	return ok;
}

/* A subschema applied to a child instance (member key or item index). */
static int
v_child(struct vc *v, const struct ev_sn *n, const char *kw,
    const char *kwkey, const char *ikey, long iidx, const json_t *inst,
    const struct scope *sc)
{
	size_t km = v->kp.len, im = v->ip.len;
	int ok;

	if (v->track) {
		ev_path_push(&v->kp, kw);
		if (kwkey)
			ev_path_push(&v->kp, kwkey);
		if (ikey)
			ev_path_push(&v->ip, ikey);
		else
			ev_buf_printf(&v->ip, "/%ld", iidx);
	}
	ok = v_node(v, n, inst, NULL, sc);
	if (v->track) {
		ev_path_pop(&v->kp, km);
		ev_path_pop(&v->ip, im);
	}
	return ok;
}

/*
 * Flag-only evaluation inside error mode (not, if, contains: keyword kw,
 * on item iidx when iidx >= 0).  The locations are still tracked, for the
 * error of a pattern that gives up in there.
 */
static int
v_quiet(struct vc *v, const struct ev_sn *n, const char *kw, long iidx,
    const json_t *inst, struct ann *ann, const struct scope *sc)
{
	size_t km = v->kp.len, im = v->ip.len;
	int saved = v->collect, ok;

	if (v->track) {
		ev_path_push(&v->kp, kw);
		if (iidx >= 0)
			ev_buf_printf(&v->ip, "/%ld", iidx);
	}
	v->collect = 0;
	ok = v_node(v, n, inst, ann, sc);
	v->collect = saved;
	if (v->track) {
		ev_path_pop(&v->kp, km);
		ev_path_pop(&v->ip, im);
	}
	return ok;
}

#define FAIL() do { ok = 0; if (!v->collect || full(v)) goto done; } while (0)

int
ev_schema_multiple_ok(const struct ev_snum *x, const json_t *m)
{
	double a, b, q;

	if (x->is_int && json_is_integer(m)) {
		json_int_t d = json_integer_value(m);
		return d != 0 && (d == -1 || x->i % d == 0);
	}
	a = x->d;
	b = num(m);
	if (b == 0)
		return 0;
	q = a / b;
	if (!isfinite(q))
		return a == floor(a) && 1 / b == floor(1 / b);
	return fabs(q - nearbyint(q)) < 1e-9;
}

static int
multiple_ok(const json_t *x, const json_t *m)
{
	struct ev_snum v;

	ev_schema_snum(x, &v);
	return ev_schema_multiple_ok(&v, m);
}

static int
v_object(struct vc *v, const struct ev_sn *n, const json_t *inst,
    struct ann *ann, const struct scope *sc)
{
	const char *k;
	json_t *val;
	size_t i = 0, j;
	int ok = 1, fast;

	if (n->max_props >= 0 &&
	    json_object_size(inst) > (size_t)n->max_props) {
		err_add(v, n, "maxProperties", "expected at most %lld "
		    "properties, got %zu", n->max_props, json_object_size(inst));
		FAIL();
	}
	if (n->min_props >= 0 &&
	    json_object_size(inst) < (size_t)n->min_props) {
		err_add(v, n, "minProperties", "expected at least %lld "
		    "properties, got %zu", n->min_props, json_object_size(inst));
		FAIL();
	}
	fast = n->n_props && !ann && !n->n_pprops && !n->addl_props &&
	    !n->prop_names;
	if (fast) {
		/* Required properties are checked in the properties loop. */
		for (j = 0; j < n->n_req_rest; j++)
			if (!json_object_get(inst, n->req_rest[j])) {
				err_add(v, n, "required", "missing required "
				    "property \"%s\"", n->req_rest[j]);
				FAIL();
			}
	} else if (n->required) {
		for (j = 0; j < json_array_size(n->required); j++) {
			const json_t *r = json_array_get(n->required, j);
			if (json_is_string(r) &&
			    !json_object_get(inst, json_string_value(r))) {
				err_add(v, n, "required", "missing required "
				    "property \"%s\"", json_string_value(r));
				FAIL();
			}
		}
	}
	for (j = 0; j < n->n_dep_req; j++) {
		const json_t *r = n->dep_req[j].req;
		size_t q;
		if (!json_object_get(inst, n->dep_req[j].name))
			continue;
		for (q = 0; q < json_array_size(r); q++) {
			const json_t *e = json_array_get(r, q);
			if (json_is_string(e) &&
			    !json_object_get(inst, json_string_value(e))) {
				err_add(v, n, n->dep_req[j].kw,
				    "property \"%s\" requires property \"%s\"",
				    n->dep_req[j].name, json_string_value(e));
				FAIL();
			}
		}
	}
	for (j = 0; j < n->n_dep_schemas; j++) {
		if (!json_object_get(inst, n->dep_schemas[j].name))
			continue;
		{
			size_t km = v->kp.len;
			int r;
			if (v->track) {
				ev_path_push(&v->kp, n->dep_schemas[j].kw);
				ev_path_push(&v->kp, n->dep_schemas[j].name);
			}
			r = v_node(v, n->dep_schemas[j].node, inst, ann, sc);
			if (v->track)
				ev_path_pop(&v->kp, km);
			if (!r)
				FAIL();
		}
	}
	if (fast) {
		/* Nothing needs the other members: look the names up. */
		for (j = 0; j < n->n_props; j++) {
			const json_t *pv = json_object_get(inst,
			    n->props[j].name);
			if (pv == NULL) {
				if (n->props[j].required) {
					err_add(v, n, "required", "missing "
					    "required property \"%s\"",
					    n->props[j].name);
					FAIL();
				}
				continue;
			}
			if (!v_child(v, n->props[j].node, "properties",
			    n->props[j].name, n->props[j].name, 0, pv, sc))
				FAIL();
		}
	} else if (n->n_props || n->n_pprops || n->addl_props ||
	    n->prop_names) {
		json_object_foreach((json_t *)(uintptr_t)inst, k, val) {
			int matched = 0;
			for (j = 0; j < n->n_props; j++) {
				if (n->props[j].name[0] != k[0] ||
				    strcmp(n->props[j].name, k) != 0)
					continue;
				matched = 1;
				if (ann)
					ann->m[i] = 1;
				if (!v_child(v, n->props[j].node, "properties",
				    k, k, 0, val, sc))
					FAIL();
				break;
			}
			for (j = 0; j < n->n_pprops; j++) {
				int m = ev_schema_re_match(v->ctx,
				    n->pprops[j].re, k, strlen(k));
				if (m < 0) {
					/* Located at the member named. */
					size_t im = v->ip.len;
					if (v->track)
						ev_path_push(&v->ip, k);
					limit_hit(v, n, "patternProperties",
					    n->pprops[j].src, "a property name",
					    strlen(k), m);
					if (v->track)
						ev_path_pop(&v->ip, im);
					ok = 0;
					goto done;
				}
				if (m == 0)
					continue;
				matched = 1;
				if (ann)
					ann->m[i] = 1;
				if (!v_child(v, n->pprops[j].node,
				    "patternProperties", n->pprops[j].src, k,
				    0, val, sc))
					FAIL();
			}
			if (!matched && n->addl_props) {
				if (ann)
					ann->m[i] = 1;
				if (n->addl_props->boolean == 0) {
					err_below(v, n, "additionalProperties",
					    k, 0);
					FAIL();
				} else if (!v_child(v, n->addl_props,
				    "additionalProperties", NULL, k, 0, val,
				    sc))
					FAIL();
			}
			if (n->prop_names) {
				json_t *ks = json_string(k);
				int r = v_child(v, n->prop_names,
				    "propertyNames", NULL, k, 0, ks, sc);
				json_decref(ks);
				if (!r) {
					err_add(v, n, "propertyNames",
					    "property name \"%s\" is not "
					    "allowed", k);
					FAIL();
				}
			}
			i++;
		}
	}
done:
	return ok;
}

int
ev_schema_unique(const json_t *arr, size_t *first, size_t *second)
{
	size_t len = json_array_size(arr), i, j;

	if (len > EV_SCHEMA_ENUM_SCAN) {
		/* Hashed: a long array is not compared pair by pair. */
		struct ev_jset *seen = ev_jset_new(len);
		for (i = 0; i < len; i++)
			if (ev_jset_add(seen, json_array_get(arr, i), i, first))
				break;
		ev_jset_free(seen);
		*second = i;
		return i == len;
	}
	for (i = 0; i < len; i++)
		for (j = i + 1; j < len; j++)
			if (ev_schema_equal(json_array_get(arr, i),
			    json_array_get(arr, j))) {
				*first = i;
				*second = j;
				return 0;
			}
	return 1;
}

static int
v_array(struct vc *v, const struct ev_sn *n, const json_t *inst,
    struct ann *ann, const struct scope *sc)
{
	size_t len = json_array_size(inst), i, j;
	int ok = 1;

	if (n->max_items >= 0 && len > (size_t)n->max_items) {
		err_add(v, n, "maxItems", "expected at most %lld items, got "
		    "%zu", n->max_items, len);
		FAIL();
	}
	if (n->min_items >= 0 && len < (size_t)n->min_items) {
		err_add(v, n, "minItems", "expected at least %lld items, got "
		    "%zu", n->min_items, len);
		FAIL();
	}
	if (n->unique && !ev_schema_unique(inst, &i, &j)) {
		err_add(v, n, "uniqueItems", "items %zu and %zu are equal", i,
		    j);
		FAIL();
	}
	for (i = 0; i < len && i < n->tuple.n; i++) {
		if (ann)
			ann->m[i] = 1;
		if (!v_child(v, n->tuple.v[i], n->tuple_kw, NULL, NULL,
		    (long)i, json_array_get(inst, i), sc)) {
			FAIL();
		}
	}
	if (n->rest) {
		for (i = n->tuple.n; i < len; i++) {
			size_t km = v->kp.len, im = v->ip.len;
			int r;
			if (ann)
				ann->m[i] = 1;
			if (v->track) {
				ev_path_push(&v->kp, n->rest_kw);
				ev_buf_printf(&v->ip, "/%zu", i);
			}
			if (n->rest->boolean == 0) {
				ev_path_pop(&v->kp, km);
				ev_path_pop(&v->ip, im);
				err_below(v, n, n->rest_kw, NULL, (long)i);
				FAIL();
				continue;
			}
			r = v_node(v, n->rest, json_array_get(inst, i), NULL,
			    sc);
			if (v->track) {
				ev_path_pop(&v->kp, km);
				ev_path_pop(&v->ip, im);
			}
			if (!r)
				FAIL();
		}
	}
	if (n->contains) {
		size_t count = 0;
		long long minc = n->min_contains >= 0 ? n->min_contains : 1;
		for (i = 0; i < len; i++)
			if (v_quiet(v, n->contains, "contains", (long)i,
			    json_array_get(inst, i), NULL, sc)) {
				count++;
				if (ann && n->draft == EV_SCHEMA_2020_12)
					ann->m[i] = 1;
			}
		if (count < (size_t)minc) {
			if (n->min_contains >= 0)
				err_add(v, n, "minContains", "expected at least "
				    "%lld matching items, got %zu", minc, count);
			else
				err_add(v, n, "contains", "no item matches");
			FAIL();
		}
		if (n->max_contains >= 0 && count > (size_t)n->max_contains) {
			err_add(v, n, "maxContains", "expected at most %lld "
			    "matching items, got %zu", n->max_contains, count);
			FAIL();
		}
	}
done:
	return ok;
}

static int
v_string(struct vc *v, const struct ev_sn *n, const json_t *inst)
{
	const char *s = json_string_value(inst);
	size_t len = json_string_length(inst), cl;
	int ok = 1;

	/*
	 * Count code points only when the byte length cannot decide: a
	 * string of len bytes has between (len + 3) / 4 and len of them.
	 */
	if ((n->max_len >= 0 && len > (size_t)n->max_len) ||
	    (n->min_len >= 0 && (len + 3) / 4 < (size_t)n->min_len)) {
		cl = ev_schema_cp_len(s, len);
		if (n->max_len >= 0 && cl > (size_t)n->max_len) {
			err_add(v, n, "maxLength", "expected at most %lld "
			    "characters, got %zu", n->max_len, cl);
			FAIL();
		}
		if (n->min_len >= 0 && cl < (size_t)n->min_len) {
			err_add(v, n, "minLength", "expected at least %lld "
			    "characters, got %zu", n->min_len, cl);
			FAIL();
		}
	}
	if (n->pattern) {
		int m = ev_schema_re_match(v->ctx, n->pattern, s, len);
		if (m < 0) {
			limit_hit(v, n, "pattern", n->pattern_src, "a string",
			    len, m);
			ok = 0;
			goto done;
		}
		if (m == 0) {
			err_add(v, n, "pattern", "does not match pattern "
			    "\"%s\"", n->pattern_src);
			FAIL();
		}
	}
	if (n->format && (v->ctx->assert_format ||
	    (n->vocab & EV_VOC_FORMAT_ASSERT)) &&
	    !ev_format_check(n->format, s, len)) {
		err_add(v, n, "format", "not a valid %s", n->format);
		FAIL();
	}
done:
	return ok;
}

static int
v_number(struct vc *v, const struct ev_sn *n, const json_t *inst)
{
	int ok = 1;

	if (n->minimum) {
		int c = num_cmp(inst, n->minimum);
		if (c < 0 || (c == 0 && n->ex_min_bool)) {
			err_add(v, n, "minimum", "expected %s %g, got %g",
			    n->ex_min_bool ? ">" : ">=", num(n->minimum),
			    num(inst));
			FAIL();
		}
	}
	if (n->maximum) {
		int c = num_cmp(inst, n->maximum);
		if (c > 0 || (c == 0 && n->ex_max_bool)) {
			err_add(v, n, "maximum", "expected %s %g, got %g",
			    n->ex_max_bool ? "<" : "<=", num(n->maximum),
			    num(inst));
			FAIL();
		}
	}
	if (n->ex_minimum && num_cmp(inst, n->ex_minimum) <= 0) {
		err_add(v, n, "exclusiveMinimum", "expected > %g, got %g",
		    num(n->ex_minimum), num(inst));
		FAIL();
	}
	if (n->ex_maximum && num_cmp(inst, n->ex_maximum) >= 0) {
		err_add(v, n, "exclusiveMaximum", "expected < %g, got %g",
		    num(n->ex_maximum), num(inst));
		FAIL();
	}
	if (n->multiple_of && !multiple_ok(inst, n->multiple_of)) {
		err_add(v, n, "multipleOf", "expected a multiple of %g, got %g",
		    num(n->multiple_of), num(inst));
		FAIL();
	}
done:
	return ok;
}

static void
type_list(struct ev_buf *b, unsigned t)
{
	static const struct { unsigned bit; const char *name; } tab[] = {
		{ EV_ST_NULL, "null" }, { EV_ST_BOOL, "boolean" },
		{ EV_ST_OBJ, "object" }, { EV_ST_ARR, "array" },
		{ EV_ST_NUM, "number" }, { EV_ST_STR, "string" },
	};
	size_t i;
	int first = 1;

	if ((t & EV_ST_INT) && !(t & EV_ST_NUM)) {
		ev_buf_adds(b, "integer");
		first = 0;
	}
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (t & tab[i].bit) {
			if (!first)
				ev_buf_adds(b, " or ");
			ev_buf_adds(b, tab[i].name);
			first = 0;
		}
}

static const struct ev_sn *
dyn_target(const struct ev_sn *n, const struct scope *sc)
{
	const struct ev_sn *found = NULL;
	size_t i;

	for (; sc; sc = sc->up)
		for (i = 0; i < sc->res->n_dyn_anchors; i++)
			if (strcmp(sc->res->dyn_anchors[i].name,
			    n->dynref_name) == 0) {
				found = sc->res->dyn_anchors[i].node;
				break;
			}
	return found ? found : n->dynref_node;
}

static const struct ev_sn *
rec_target(const struct ev_sn *n, const struct scope *sc)
{
	const struct ev_sn *t = n->recref_node, *found = NULL;

	if (t == NULL || !t->rec_anchor)
		return t;
	for (; sc; sc = sc->up) {
		if (sc->res->rec_anchor)
			found = sc->res;
		else
			break;
	}
	return found ? found : t;
}

/*
 * How many members of list (anyOf, oneOf) the instance matches; the
 * annotations of those that match are merged into ann.  The count stops at
 * enough when no error list is collected (and, for anyOf's enough of 1,
 * no annotation either: every member that matches annotates).
 */
static size_t
v_matches(struct vc *v, const struct ev_sn_list *list, const char *kw,
    const json_t *inst, struct ann *ann, const struct scope *sc,
    size_t enough)
{
	size_t i, count = 0;

	for (i = 0; i < list->n; i++) {
		struct ann a;
		int r;
		if (ann)
			ann_init(&a, inst);
		r = v_inplace(v, list->v[i], kw, (long)i, inst,
		    ann ? &a : NULL, sc);
		if (ann) {
			if (r)
				ann_merge(ann, &a);
			ann_free(&a);
		}
		if (r)
			count++;
		if (count >= enough && !v->collect && (enough > 1 || !ann))
			break;
	}
	return count;
}

static int
v_node(struct vc *v, const struct ev_sn *n, const json_t *inst,
    struct ann *ann_out, const struct scope *sc)
{
	struct scope here;
	struct ann local, *ann = ann_out;
	unsigned t;
	size_t i, amark, emark;
	int ok = 1;

	if (v->ctx->limit != NULL)
		return 0;	/* undecided: nothing may pass */
	if (n->boolean >= 0) {
		if (n->boolean == 0)
			err_add(v, n, NULL, "no value is allowed here");
		return n->boolean;
	}
	if (v->depth > MAX_DEPTH) {
		err_add(v, n, NULL, "schema recursion too deep");
		return 0;
	}
	v->depth++;
	amark = v->annots ? json_array_size(v->annots) : 0;
	emark = v->collect ? json_array_size(v->errors) : 0;
	if (sc == NULL || sc->res != n->resource) {
		here.res = n->resource;
		here.up = sc;
		sc = &here;
	}
	if ((n->uneval_props && json_is_object(inst)) ||
	    (n->uneval_items && json_is_array(inst))) {
		ann_init(&local, inst);
		ann = &local;
	}
	t = ev_schema_type_of(inst);

	if (n->ref_node) {
		if (!v_inplace(v, n->ref_node, "$ref", -1, inst, ann, sc))
			FAIL();
		if (n->draft == EV_SCHEMA_DRAFT7)
			goto done;
	}
	if (n->dynref_node) {
		const struct ev_sn *tg = n->dynref_name ? dyn_target(n, sc) :
		    n->dynref_node;
		if (!v_inplace(v, tg, "$dynamicRef", -1, inst, ann, sc))
			FAIL();
	}
	if (n->recref_node) {
		if (!v_inplace(v, rec_target(n, sc), "$recursiveRef", -1, inst,
		    ann, sc))
			FAIL();
	}
	if (n->types && !(n->types & t)) {
		struct ev_buf b = EV_BUF_INIT;
		if (v->collect) {
			ev_buf_adds(&b, "expected ");
			type_list(&b, n->types);
			ev_buf_printf(&b, ", got %s", type_name(inst));
			short_value(&b, inst);
		}
		err_add(v, n, "type", "%s", b.data ? b.data : "");
		ev_buf_free(&b);
		FAIL();
	}
	if (n->has_const && !ev_schema_equal(inst, n->const_v)) {
		err_add(v, n, "const", "value is not the required constant");
		FAIL();
	}
	if (n->enum_set) {
		if (!ev_jset_find(n->enum_set, inst, NULL)) {
			err_add(v, n, "enum", "value is not one of the allowed "
			    "values");
			FAIL();
		}
	} else if (n->enum_v) {
		for (i = 0; i < json_array_size(n->enum_v); i++)
			if (ev_schema_equal(inst, json_array_get(n->enum_v, i)))
				break;
		if (i == json_array_size(n->enum_v)) {
			err_add(v, n, "enum", "value is not one of the allowed "
			    "values");
			FAIL();
		}
	}
	if (t & EV_ST_NUM) {
		if (!v_number(v, n, inst))
			FAIL();
	} else if (t & EV_ST_STR) {
		if (!v_string(v, n, inst))
			FAIL();
	} else if (t & EV_ST_OBJ) {
		if (!v_object(v, n, inst, ann, sc))
			FAIL();
	} else if (t & EV_ST_ARR) {
		if (!v_array(v, n, inst, ann, sc))
			FAIL();
	}
	for (i = 0; i < n->all_of.n; i++)
		if (!v_inplace(v, n->all_of.v[i], "allOf", (long)i, inst, ann,
		    sc))
			FAIL();
	if (n->any_of.n) {
		size_t mark = errs_mark(v);
		if (v_matches(v, &n->any_of, "anyOf", inst, ann, sc, 1) > 0)
			errs_truncate(v, mark);
		else {
			err_add(v, n, "anyOf", "no subschema of anyOf matches");
			FAIL();
		}
	}
	if (n->one_of.n) {
		size_t mark = errs_mark(v);
		size_t count = v_matches(v, &n->one_of, "oneOf", inst, ann, sc,
		    2);
		if (count == 1)
			errs_truncate(v, mark);
		else {
			if (count > 1)
				errs_truncate(v, mark);
			err_add(v, n, "oneOf", count ? "more than one subschema "
			    "of oneOf matches" : "no subschema of oneOf matches");
			FAIL();
		}
	}
	if (n->not_ && v_quiet(v, n->not_, "not", -1, inst, NULL, sc)) {
		err_add(v, n, "not", "value matches a schema it must not");
		FAIL();
	}
	if (n->if_) {
		struct ann a;
		int r;
		if (ann)
			ann_init(&a, inst);
		r = v_quiet(v, n->if_, "if", -1, inst, ann ? &a : NULL,
		    sc);
		if (ann) {
			if (r)
				ann_merge(ann, &a);
			ann_free(&a);
		}
		if (r && n->then_) {
			if (!v_inplace(v, n->then_, "then", -1, inst, ann, sc))
				FAIL();
		} else if (!r && n->else_) {
			if (!v_inplace(v, n->else_, "else", -1, inst, ann, sc))
				FAIL();
		}
	}
	/* Last: everything else has had its say. */
	if (n->uneval_props && json_is_object(inst)) {
		const char *k;
		json_t *val;
		i = 0;
		json_object_foreach((json_t *)(uintptr_t)inst, k, val) {
			if (!ann->m[i] && n->uneval_props->boolean == 0) {
				err_below(v, n, "unevaluatedProperties", k, 0);
				FAIL();
			} else if (!ann->m[i] && !v_child(v, n->uneval_props,
			    "unevaluatedProperties", NULL, k, 0, val, sc))
				FAIL();
			i++;
		}
		ann_all(ann);
	}
	if (n->uneval_items && json_is_array(inst)) {
		for (i = 0; i < json_array_size(inst); i++) {
			if (ann->m[i])
				continue;
			if (n->uneval_items->boolean == 0) {
				err_below(v, n, "unevaluatedItems", NULL,
				    (long)i);
				FAIL();
			} else if (!v_child(v, n->uneval_items,
			    "unevaluatedItems", NULL, NULL, (long)i,
			    json_array_get(inst, i), sc))
				FAIL();
		}
		ann_all(ann);
	}
done:
	if (v->ctx->limit != NULL)
		ok = 0;
	if (v->detailed && v->collect && !ok && v->depth > 1)
		nest_errors(v, n, emark);
	if (v->annots && v->collect) {
		/* A failed subschema keeps no annotations. */
		if (ok)
			annots_add(v, n);
		else
			while (json_array_size(v->annots) > amark)
				json_array_remove(v->annots,
				    json_array_size(v->annots) - 1);
	}
	if (ann != ann_out) {
		if (ok && ann_out)
			ann_merge(ann_out, ann);
		ann_free(ann);
	}
	v->depth--;
	return ok;
}

/* ---- public ---- */

struct ev_schema_ctx *
ev_schema_ctx_new(void)
{
	struct ev_schema_ctx *c = ev_xcalloc(1, sizeof(*c));

	c->md = pcre2_match_data_create(1, NULL);
	c->mctx = pcre2_match_context_create(NULL);
	c->jstack = pcre2_jit_stack_create(32 * 1024,
	    EV_SCHEMA_JIT_STACK_MAX, NULL);
	if (c->md == NULL || c->mctx == NULL || c->jstack == NULL)
		ev_die(EV_EXIT_RUNTIME, "out of memory");
	pcre2_jit_stack_assign(c->mctx, NULL, c->jstack);
	pcre2_set_match_limit(c->mctx, EV_SCHEMA_MATCH_LIMIT);
	pcre2_set_depth_limit(c->mctx, EV_SCHEMA_MATCH_LIMIT);
	pcre2_set_heap_limit(c->mctx, EV_SCHEMA_HEAP_LIMIT);
	return c;
}

void
ev_schema_ctx_free(struct ev_schema_ctx *c)
{
	if (c == NULL)
		return;
	pcre2_match_data_free(c->md);
	pcre2_match_context_free(c->mctx);
	pcre2_jit_stack_free(c->jstack);
	json_decref(c->limit);
	free(c);
}

const json_t *
ev_schema_ctx_limit(const struct ev_schema_ctx *c)
{
	return c->limit;
}

/* A new check with c: forget the limit the last one hit. */
static void
limit_clear(struct ev_schema_ctx *c)
{
	json_decref(c->limit);
	c->limit = NULL;
}

void
ev_schema_ctx_assert_format(struct ev_schema_ctx *c, int on)
{
	c->assert_format = on;
}

int
ev_schema_valid(struct ev_schema_ctx *c, const struct ev_schema *s,
    const json_t *inst)
{
	struct vc v;

	limit_clear(c);
	memset(&v, 0, sizeof(v));
	v.ctx = c;
	return v_node(&v, (const struct ev_sn *)s, inst, NULL, NULL);
}

/*
 * The errors of a check that hit a limit: that one error.  The error mode
 * runs the same matches as the flag check and usually hits the same limit
 * with the locations known; when it stops short of it (a full error list),
 * the flag check's error stays.  New reference.
 */
static json_t *
limit_errors(struct ev_schema_ctx *c, json_t *flag_limit)
{
	json_t *a = json_array();

	if (c->limit == NULL)
		c->limit = json_incref(flag_limit);
	json_array_append(a, c->limit);
	json_decref(flag_limit);
	return a;
}

json_t *
ev_schema_errors(struct ev_schema_ctx *c, const struct ev_schema *s,
    const json_t *inst, size_t max_errors)
{
	struct vc v;

	json_t *flag_limit;

	if (ev_schema_valid(c, s, inst))
		return NULL;
	flag_limit = c->limit;
	c->limit = NULL;
	memset(&v, 0, sizeof(v));
	v.ctx = c;
	v.collect = 1;
	v.track = 1;
	v.errors = json_array();
	v.max_errors = max_errors;
	ev_buf_adds(&v.ip, "");
	ev_buf_adds(&v.kp, "");
	(void)v_node(&v, (const struct ev_sn *)s, inst, NULL, NULL);
	ev_buf_free(&v.ip);
	ev_buf_free(&v.kp);
	if (c->limit != NULL || flag_limit != NULL) {
		json_decref(v.errors);
		return limit_errors(c, flag_limit);
	}
	if (json_array_size(v.errors) == 0)
		json_array_append_new(v.errors, json_pack("{s:s,s:s,s:s,s:s}",
		    "instance", "", "keyword", "", "absolute",
		    ((const struct ev_sn *)s)->abs, "message",
		    "value is not valid"));
	return v.errors;
}

json_t *
ev_schema_output(struct ev_schema_ctx *c, const struct ev_schema *s,
    const json_t *inst, enum ev_schema_outfmt fmt)
{
	const struct ev_sn *root = (const struct ev_sn *)s;
	json_t *out, *list, *e;
	struct vc v;
	size_t i;
	int ok;

	if (fmt == EV_SCHEMA_OUT_FLAG)
		return json_pack("{s:b}", "valid", ev_schema_valid(c, s, inst));
	limit_clear(c);
	memset(&v, 0, sizeof(v));
	v.ctx = c;
	v.collect = 1;
	v.track = 1;
	v.errors = json_array();
	v.annots = json_array();
	v.detailed = fmt == EV_SCHEMA_OUT_DETAILED;
	ev_buf_adds(&v.ip, "");
	ev_buf_adds(&v.kp, "");
	ok = v_node(&v, root, inst, NULL, NULL);
	ev_buf_free(&v.ip);
	ev_buf_free(&v.kp);
	out = json_pack("{s:b,s:s,s:s,s:s}", "valid", ok, "keywordLocation", "",
	    "absoluteKeywordLocation", root->abs, "instanceLocation", "");
	if (c->limit != NULL) {
		/* Undecided: the limit is the one error. */
		json_array_clear(v.errors);
		json_array_append(v.errors, c->limit);
	}
	if (!ok) {
		list = json_array();
		json_array_foreach(v.errors, i, e)
			json_array_append_new(list, to_unit(e));
		if (json_array_size(list) == 0)
			json_array_append_new(list, json_pack(
			    "{s:b,s:s,s:s,s:s,s:s}", "valid", 0,
			    "keywordLocation", "", "absoluteKeywordLocation",
			    root->abs, "instanceLocation", "", "error",
			    "value is not valid"));
		json_object_set_new(out, "errors", list);
	} else if (json_array_size(v.annots) > 0)
		json_object_set(out, "annotations", v.annots);
	json_decref(v.errors);
	json_decref(v.annots);
	return out;
}
