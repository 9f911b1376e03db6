/*
 * ev_expr_eval.c - evaluation of a compiled expression against one record:
 * field paths read by handle from the record's index (or through
 * ev_rec_get once the record has changed), SQL's three-valued logic, and
 * type errors that name the field that held the bad value.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_expr_int.h"
#include "ev_run.h"

static const char *
type_name(const struct ev_expr *x, const struct ev_expr_val *v)
{
	switch (v->type) {
	case EV_EXPR_NULL:
		return "null";
	case EV_EXPR_BOOL:
		return "a bool";
	case EV_EXPR_NUM:
		return "a number";
	case EV_EXPR_STR:
		return "a string";
	default:
		if (v->h >= 0)
			return ev_rec_kind(x->rec, v->h) == 'o' ?
			    "an object" : "an array";
		return json_is_object(v->j) ? "an object" : "an array";
	}
}

static int	fail(struct ev_expr *x, int n, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * An error of this record, blamed on node n: the field it reads when it
 * is a path, else its column.
 */
static int
fail(struct ev_expr *x, int n, const char *fmt, ...)
{
	const struct node *k = &x->node[n];
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ev_buf_reset(&x->errpath);
	if (k->op == N_PATH) {
		ev_path_pointer(k->path, &x->errpath);
		snprintf(x->err, sizeof(x->err), "%s: %s", k->str, msg);
	} else
		snprintf(x->err, sizeof(x->err), "%s at column %d", msg,
		    k->col);
	return -1;
}

static void
set_null(struct ev_expr_val *v)
{
	memset(v, 0, sizeof(*v));
	v->type = EV_EXPR_NULL;
	v->h = -1;
}

static void
set_num(struct ev_expr_val *v, double d)
{
	set_null(v);
	v->type = EV_EXPR_NUM;
	v->n = d;
}

static void
set_bool(struct ev_expr_val *v, int b)
{
	set_null(v);
	v->type = EV_EXPR_BOOL;
	v->b = b != 0;
}

static void
set_str(struct ev_expr_val *v, const char *s, size_t len)
{
	set_null(v);
	v->type = EV_EXPR_STR;
	v->s = s;
	v->len = len;
}

/* A string made in the scratch: from off to its end. */
static void
set_scratch(struct ev_expr *x, struct ev_expr_val *v, size_t off)
{
	set_null(v);
	v->type = EV_EXPR_STR;
	v->off = off;
	v->len = x->scratch.len - off;
}

const char *
ev_expr_str(const struct ev_expr *x, const struct ev_expr_val *v,
    size_t *len)
{
	*len = v->len;
	return v->s != NULL ? v->s : x->scratch.data + v->off;
}

static void
from_json(struct ev_expr_val *v, json_t *j)
{
	set_null(v);
	switch (json_typeof(j)) {
	case JSON_STRING:
		set_str(v, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
	case JSON_REAL:
		set_num(v, json_number_value(j));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		set_bool(v, json_is_true(j));
		break;
	case JSON_OBJECT:
	case JSON_ARRAY:
		v->type = EV_EXPR_JSON;
		v->j = j;
		break;
	default:
		break;
	}
}

/* The value at path p: 0 with *v (null for a JSON null), -1 when absent. */
static int
lookup(const struct ev_rec *r, const struct ev_path *p,
    struct ev_expr_val *v)
{
	int h = 0, it, k, c, e;
	size_t i;
	long j;
	json_t *jv;

	set_null(v);
	if (!ev_rec_h_ok(r)) {
		if ((jv = ev_rec_get(r, p)) == NULL)
			return -1;
		from_json(v, jv);
		return 0;
	}
	for (i = 0; i < p->nseg; i++) {
		c = ev_rec_kind(r, h);
		if (c == 'o')
			h = ev_rec_h_member(r, h, p->seg[i].key,
			    p->seg[i].keylen);
		else if (c == 'a' && p->seg[i].index >= 0) {
			if (p->seg[i].index >= ev_rec_h_size(r, h))
				return -1;
			it = 0;
			for (j = 0; ev_rec_h_next(r, h, &it, &k, &e) == 1 &&
			    j < p->seg[i].index; j++)
				;
			h = e;
		} else
			h = -1;
		if (h < 0)
			return -1;
	}
	switch (ev_rec_kind(r, h)) {
	case 's':
		v->type = EV_EXPR_STR;
		v->s = ev_rec_h_str(r, h, &v->len);
		break;
	case 'n':
		set_num(v, ev_rec_val_num(r, h));
		break;
	case 't':
	case 'f':
		set_bool(v, ev_rec_kind(r, h) == 't');
		break;
	case 'z':
		break;
	default:
		v->type = EV_EXPR_JSON;
		v->h = h;
		break;
	}
	return 0;
}

static int	eval(struct ev_expr *x, int n, struct ev_expr_val *v);

/*
 * Evaluate child i of n, which must give want (named wname) or null, else
 * an error blamed on it.
 */
static int
eval_as(struct ev_expr *x, int n, int i, const char *what,
    enum ev_expr_type want, const char *wname, struct ev_expr_val *v)
{
	int k = kid(x, n, i);

	if (eval(x, k, v) != 0)
		return -1;
	if (v->type != want && v->type != EV_EXPR_NULL)
		return fail(x, k, "%s needs %s, got %s", what, wname,
		    type_name(x, v));
	return 0;
}

static int
eval_num(struct ev_expr *x, int n, int i, const char *what,
    struct ev_expr_val *v)
{
	return eval_as(x, n, i, what, EV_EXPR_NUM, "a number", v);
}

static int
eval_str(struct ev_expr *x, int n, int i, const char *what,
    struct ev_expr_val *v)
{
	return eval_as(x, n, i, what, EV_EXPR_STR, "a string", v);
}

/* A condition: bool or null. */
static int
eval_cond(struct ev_expr *x, int n, int i, const char *what,
    struct ev_expr_val *v)
{
	return eval_as(x, n, i, what, EV_EXPR_BOOL, "true or false", v);
}

static int
finite_num(struct ev_expr *x, int n, struct ev_expr_val *v, double d)
{
	if (!isfinite(d))
		return fail(x, n, "the result is not a finite number");
	set_num(v, d);
	return 0;
}

static const char *const opname[] = {
	[N_ADD] = "+", [N_SUB] = "-", [N_MUL] = "*", [N_DIV] = "/",
	[N_MOD] = "%", [N_EQ] = "==", [N_NE] = "!=", [N_LT] = "<",
	[N_LE] = "<=", [N_GT] = ">", [N_GE] = ">=", [N_IN] = "in",
	[N_NOTIN] = "not in", [N_NEG] = "-", [N_NOT] = "not", [N_AND] = "and",
	[N_OR] = "or"
};

/*
 * Which of two operands a type error is blamed on: the one that is wrong
 * (want), unless only the other one reads a field, which is then the more
 * useful to name.
 */
static int
blame(const struct ev_expr *x, int want, int other)
{
	if (x->node[want].op != N_PATH && x->node[other].op == N_PATH)
		return other;
	return want;
}

static int
eval_arith(struct ev_expr *x, int n, struct ev_expr_val *v)
{
	const struct node *k = &x->node[n];
	struct ev_expr_val a, b;
	const char *sa, *sb;
	size_t la, lb, off;
	int ka = kid(x, n, 0), kb = kid(x, n, 1);

	if (eval(x, ka, &a) != 0 || eval(x, kb, &b) != 0)
		return -1;
	if (a.type == EV_EXPR_NULL || b.type == EV_EXPR_NULL) {
		set_null(v);
		return 0;
	}
	if (k->op == N_ADD && a.type == EV_EXPR_STR && b.type == EV_EXPR_STR) {
		off = x->scratch.len;
		ev_buf_reserve(&x->scratch, a.len + b.len);
		sa = ev_expr_str(x, &a, &la);
		sb = ev_expr_str(x, &b, &lb);
		memcpy(x->scratch.data + off, sa, la);
		memcpy(x->scratch.data + off + la, sb, lb);
		x->scratch.len += la + lb;
		x->scratch.data[x->scratch.len] = '\0';
		set_scratch(x, v, off);
		return 0;
	}
	if (a.type != EV_EXPR_NUM || b.type != EV_EXPR_NUM) {
		if (k->op == N_ADD && (a.type == EV_EXPR_STR ||
		    b.type == EV_EXPR_STR))
			return fail(x, a.type == EV_EXPR_STR ? blame(x, ka, kb) :
			    blame(x, kb, ka),
			    "'+' needs two numbers or two strings, got %s "
			    "and %s", type_name(x, &a), type_name(x, &b));
		return fail(x, a.type != EV_EXPR_NUM ? ka : kb,
		    "'%s' needs numbers, got %s", opname[k->op],
		    type_name(x, a.type != EV_EXPR_NUM ? &a : &b));
	}
	switch (k->op) {
	case N_ADD:
		return finite_num(x, n, v, a.n + b.n);
	case N_SUB:
		return finite_num(x, n, v, a.n - b.n);
	case N_MUL:
		return finite_num(x, n, v, a.n * b.n);
	case N_DIV:
		if (b.n == 0)
			return fail(x, kb, "division by zero");
		return finite_num(x, n, v, a.n / b.n);
	default:
		if (b.n == 0)
			return fail(x, kb, "division by zero");
		return finite_num(x, n, v, fmod(a.n, b.n));
	}
}

/*
 * Equality of two values that are not null: values of different types are
 * unequal; objects and arrays cannot be compared.  1, 0 or -1 (error).
 */
static int
equal(struct ev_expr *x, int na, const struct ev_expr_val *a, int nb,
    const struct ev_expr_val *b)
{
	const char *sa, *sb;
	size_t la, lb;

	if (a->type == EV_EXPR_JSON || b->type == EV_EXPR_JSON)
		return fail(x, a->type == EV_EXPR_JSON ? na : nb,
		    "cannot compare %s", type_name(x,
		    a->type == EV_EXPR_JSON ? a : b));
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case EV_EXPR_BOOL:
		return a->b == b->b;
	case EV_EXPR_NUM:
		return a->n == b->n;
	default:
		sa = ev_expr_str(x, a, &la);
		sb = ev_expr_str(x, b, &lb);
		return la == lb && memcmp(sa, sb, la) == 0;
	}
}

static int
eval_cmp(struct ev_expr *x, int n, struct ev_expr_val *v)
{
	const struct node *k = &x->node[n];
	struct ev_expr_val a, b;
	const char *sa, *sb;
	size_t la, lb;
	int ka = kid(x, n, 0), kb = kid(x, n, 1), c;

	if (eval(x, ka, &a) != 0 || eval(x, kb, &b) != 0)
		return -1;
	if (a.type == EV_EXPR_NULL || b.type == EV_EXPR_NULL) {
		set_null(v);
		return 0;
	}
	if (k->op == N_EQ || k->op == N_NE) {
		if ((c = equal(x, ka, &a, kb, &b)) < 0)
			return -1;
		set_bool(v, k->op == N_EQ ? c : !c);
		return 0;
	}
	if (a.type == EV_EXPR_NUM && b.type == EV_EXPR_NUM)
		c = a.n < b.n ? -1 : a.n > b.n;
	else if (a.type == EV_EXPR_STR && b.type == EV_EXPR_STR) {
		sa = ev_expr_str(x, &a, &la);
		sb = ev_expr_str(x, &b, &lb);
		c = memcmp(sa, sb, la < lb ? la : lb);
		if (c == 0)
			c = la < lb ? -1 : la > lb;
	} else {
		if (a.type == b.type || (a.type != EV_EXPR_NUM &&
		    a.type != EV_EXPR_STR))
			return fail(x, ka, "'%s' needs two numbers or two "
			    "strings, got %s", opname[k->op], type_name(x, &a));
		return fail(x, blame(x, kb, ka), "'%s' needs two numbers or "
		    "two strings, got %s and %s", opname[k->op], type_name(x, &a),
		    type_name(x, &b));
	}
	switch (k->op) {
	case N_LT:
		set_bool(v, c < 0);
		break;
	case N_LE:
		set_bool(v, c <= 0);
		break;
	case N_GT:
		set_bool(v, c > 0);
		break;
	default:
		set_bool(v, c >= 0);
		break;
	}
	return 0;
}

static int
eval_in(struct ev_expr *x, int n, struct ev_expr_val *v)
{
	const struct node *k = &x->node[n];
	struct ev_expr_val a, b;
	int i, c, sawnull = 0, ka = kid(x, n, 0);

	if (eval(x, ka, &a) != 0)
		return -1;
	if (a.type == EV_EXPR_NULL) {
		set_null(v);
		return 0;
	}
	for (i = 1; i < k->nk; i++) {
		if (eval(x, kid(x, n, i), &b) != 0)
			return -1;
		if (b.type == EV_EXPR_NULL) {
			sawnull = 1;
			continue;
		}
		if ((c = equal(x, ka, &a, kid(x, n, i), &b)) < 0)
			return -1;
		if (c) {
			set_bool(v, k->op == N_IN);
			return 0;
		}
	}
	if (sawnull)
		set_null(v);
	else
		set_bool(v, k->op == N_NOTIN);
	return 0;
}

/* Kleene's and/or, left to right, the right side only when it matters. */
static int
eval_logic(struct ev_expr *x, int n, struct ev_expr_val *v)
{
	const struct node *k = &x->node[n];
	struct ev_expr_val a, b;
	int decisive = k->op == N_OR;	/* the value that settles it */
	const char *what = opname[k->op];

	if (eval_cond(x, n, 0, what, &a) != 0)
		return -1;
	if (a.type == EV_EXPR_BOOL && a.b == decisive) {
		set_bool(v, decisive);
		return 0;
	}
	if (eval_cond(x, n, 1, what, &b) != 0)
		return -1;
	if (b.type == EV_EXPR_BOOL && b.b == decisive)
		set_bool(v, decisive);
	else if (a.type == EV_EXPR_NULL || b.type == EV_EXPR_NULL)
		set_null(v);
	else
		set_bool(v, !decisive);
	return 0;
}

/* Count UTF-8 code points. */
static size_t
utf8_len(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* The byte offset of code point cp in s (n when past the end). */
static size_t
utf8_off(const char *s, size_t n, double cp)
{
	size_t i;
	double c = -1;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++c == cp)
			return i;
	return n;
}

/* An argument that must be a whole number >= 0 (or null). */
static int
eval_count(struct ev_expr *x, int n, int i, const char *what,
    struct ev_expr_val *v)
{
	if (eval_num(x, n, i, what, v) != 0)
		return -1;
	if (v->type == EV_EXPR_NUM && (v->n < 0 || v->n != floor(v->n)))
		return fail(x, kid(x, n, i), "%s needs a whole number not "
		    "below zero", what);
	return 0;
}

static int
fn_substr(struct ev_expr *x, int n, struct ev_expr_val *v)
{
	struct ev_expr_val s, a, b;
	const char *p;
	size_t len, from, to;

	if (eval_str(x, n, 0, "substr", &s) != 0 ||
	    eval_count(x, n, 1, "substr", &a) != 0)
		return -1;
	set_num(&b, HUGE_VAL);
	if (x->node[n].nk == 3 && eval_count(x, n, 2, "substr", &b) != 0)
		return -1;
	if (s.type == EV_EXPR_NULL || a.type == EV_EXPR_NULL ||
	    b.type == EV_EXPR_NULL) {
		set_null(v);
		return 0;
	}
	p = ev_expr_str(x, &s, &len);
	from = utf8_off(p, len, a.n);
	to = b.n >= (double)len ? len : from +
	    utf8_off(p + from, len - from, b.n);
	*v = s;
	if (s.s != NULL)
		v->s = s.s + from;
	else
		v->off = s.off + from;
	v->len = to - from;
	return 0;
}

static int
fn_case(struct ev_expr *x, int n, struct ev_expr_val *v, int upper)
{
	struct ev_expr_val s;
	const char *p;
	size_t len, off, i;
	char c;

	if (eval_str(x, n, 0, upper ? "upper" : "lower", &s) != 0)
		return -1;
	if (s.type == EV_EXPR_NULL) {
		set_null(v);
		return 0;
	}
	off = x->scratch.len;
	ev_buf_reserve(&x->scratch, s.len);
	p = ev_expr_str(x, &s, &len);
	for (i = 0; i < len; i++) {
		c = p[i];
		if (upper && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (!upper && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		x->scratch.data[off + i] = c;
	}
	x->scratch.len += len;
	x->scratch.data[x->scratch.len] = '\0';
	set_scratch(x, v, off);
	return 0;
}

/* starts_with, ends_with, contains, match. */
static int
fn_strtest(struct ev_expr *x, int n, struct ev_expr_val *v)
{
	static const char *const names[] = { [F_STARTS] = "starts_with",
	    [F_ENDS] = "ends_with", [F_CONTAINS] = "contains",
	    [F_MATCH] = "match" };
	const struct node *k = &x->node[n];
	struct ev_expr_val a, b;
	const char *sa, *sb;
	size_t la, lb;
	int r;

	if (eval_str(x, n, 0, names[k->fn], &a) != 0 ||
	    eval_str(x, n, 1, names[k->fn], &b) != 0)
		return -1;
	if (a.type == EV_EXPR_NULL || b.type == EV_EXPR_NULL) {
		set_null(v);
		return 0;
	}
	sa = ev_expr_str(x, &a, &la);
	sb = ev_expr_str(x, &b, &lb);
	switch (k->fn) {
	case F_STARTS:
		set_bool(v, la >= lb && memcmp(sa, sb, lb) == 0);
		break;
	case F_ENDS:
		set_bool(v, la >= lb && memcmp(sa + la - lb, sb, lb) == 0);
		break;
	case F_CONTAINS:
		set_bool(v, lb == 0 || memmem(sa, la, sb, lb) != NULL);
		break;
	default:
		r = pcre2_match(k->re, (PCRE2_SPTR)sa, la, 0, 0, k->md, NULL);
		if (r < 0 && r != PCRE2_ERROR_NOMATCH)
			return fail(x, kid(x, n, 0), "match failed (pcre2 "
			    "error %d)", r);
		set_bool(v, r >= 0);
		break;
	}
	return 0;
}

static int
fn_math(struct ev_expr *x, int n, struct ev_expr_val *v)
{
	static const char *const names[] = { [F_ABS] = "abs",
	    [F_FLOOR] = "floor", [F_CEIL] = "ceil", [F_LOG] = "log",
	    [F_ROUND] = "round" };
	const struct node *k = &x->node[n];
	struct ev_expr_val a, d;
	double p, r;

	if (eval_num(x, n, 0, names[k->fn], &a) != 0)
		return -1;
	set_num(&d, 0);
	if (k->nk == 2 && eval_num(x, n, 1, "round", &d) != 0)
		return -1;
	if (a.type == EV_EXPR_NULL || d.type == EV_EXPR_NULL) {
		set_null(v);
		return 0;
	}
	switch (k->fn) {
	case F_ABS:
		return finite_num(x, n, v, fabs(a.n));
	case F_FLOOR:
		return finite_num(x, n, v, floor(a.n));
	case F_CEIL:
		return finite_num(x, n, v, ceil(a.n));
	case F_LOG:
		if (a.n <= 0)
			return fail(x, kid(x, n, 0), "log needs a number "
			    "above zero");
		return finite_num(x, n, v, log(a.n));
	default:
		if (d.n != floor(d.n) || d.n < -15 || d.n > 15)
			return fail(x, kid(x, n, 1), "round needs a whole "
			    "number of digits from -15 to 15");
		if (d.n == 0)
			return finite_num(x, n, v, round(a.n));
		p = pow(10, d.n);
		r = round(a.n * p) / p;
		/* Past 2^53 there is no fraction left to round. */
		return finite_num(x, n, v, isfinite(r) ? r : a.n);
	}
}

static int
fn_minmax(struct ev_expr *x, int n, struct ev_expr_val *v)
{
	const struct node *k = &x->node[n];
	struct ev_expr_val a;
	int i, isnull = 0;
	double m = 0;

	for (i = 0; i < k->nk; i++) {
		if (eval_num(x, n, i, k->fn == F_MIN ? "min" : "max", &a) != 0)
			return -1;
		if (a.type == EV_EXPR_NULL)
			isnull = 1;
		else if (i == 0 || (k->fn == F_MIN ? a.n < m : a.n > m))
			m = a.n;
	}
	if (isnull)
		set_null(v);
	else
		set_num(v, m);
	return 0;
}

/* A time argument: 0 with *t, 1 for null, -1 on an error. */
static int
eval_time(struct ev_expr *x, int n, const char *what, ev_us_t *t)
{
	struct ev_expr_val a;
	const char *s;
	size_t len;
	double us;
	int k = kid(x, n, 0);

	if (eval(x, k, &a) != 0)
		return -1;
	if (a.type == EV_EXPR_NULL)
		return 1;
	if (a.type == EV_EXPR_STR) {
		s = ev_expr_str(x, &a, &len);
		if (ev_time_parse(s, len, t) != 0)
			return fail(x, k, "%s needs an RFC 3339 time", what);
		return 0;
	}
	if (a.type != EV_EXPR_NUM)
		return fail(x, k, "%s needs a time, got %s", what,
		    type_name(x, &a));
	/* Epoch seconds or milliseconds, as the time field is read. */
	us = fabs(a.n) < 1e11 ? a.n * 1e6 : a.n * 1e3;
	if (!(us >= (double)EV_TIME_MIN && us <= (double)EV_TIME_MAX))
		return fail(x, k, "%s: time out of range", what);
	*t = (ev_us_t)floor(us);
	return 0;
}

static int
fn_time(struct ev_expr *x, int n, struct ev_expr_val *v)
{
	static const char *const days[] = { "Sunday", "Monday", "Tuesday",
	    "Wednesday", "Thursday", "Friday", "Saturday" };
	const struct node *k = &x->node[n];
	struct ev_tm tm;
	char buf[16];
	size_t off;
	ev_us_t t;
	int r;

	if (k->fn == F_TIME) {
		set_null(v);
		if (x->time_path == NULL)
			return 0;
		r = ev_rec_time(x->rec, x->time_path, &t);
		if (r == -2) {
			snprintf(x->err, sizeof(x->err), "%s: time() needs an "
			    "RFC 3339 time or epoch seconds/milliseconds",
			    x->time_path->spec);
			ev_buf_reset(&x->errpath);
			ev_path_pointer(x->time_path, &x->errpath);
			return -1;
		}
		if (r == 0)
			set_num(v, (double)t / 1e6);
		return 0;
	}
	r = eval_time(x, n, k->fn == F_HOUR ? "hour" : k->fn == F_WEEKDAY ?
	    "weekday" : "date", &t);
	if (r != 0) {
		set_null(v);
		return r < 0 ? -1 : 0;
	}
	ev_tz_local(k->tz, t, &tm);
	switch (k->fn) {
	case F_HOUR:
		set_num(v, tm.hour);
		break;
	case F_WEEKDAY:
		set_str(v, days[tm.wday], strlen(days[tm.wday]));
		break;
	default:
		ev_tz_date(k->tz, t, buf);
		off = x->scratch.len;
		ev_buf_adds(&x->scratch, buf);
		set_scratch(x, v, off);
		break;
	}
	return 0;
}

static int
fn_length(struct ev_expr *x, int n, struct ev_expr_val *v)
{
	struct ev_expr_val a;
	const char *s;
	size_t len;
	int k = kid(x, n, 0);

	if (eval(x, k, &a) != 0)
		return -1;
	switch (a.type) {
	case EV_EXPR_NULL:
		set_null(v);
		return 0;
	case EV_EXPR_STR:
		s = ev_expr_str(x, &a, &len);
		set_num(v, (double)utf8_len(s, len));
		return 0;
	case EV_EXPR_JSON:
		if (a.h >= 0)
			set_num(v, ev_rec_h_size(x->rec, a.h));
		else
			set_num(v, (double)(json_is_array(a.j) ?
			    json_array_size(a.j) : json_object_size(a.j)));
		return 0;
	default:
		return fail(x, k, "length needs a string, array or object, "
		    "got %s", type_name(x, &a));
	}
}

static int
eval_fn(struct ev_expr *x, int n, struct ev_expr_val *v)
{
	const struct node *k = &x->node[n];
	struct ev_expr_val a;
	int i;

	switch (k->fn) {
	case F_EXISTS:
		set_bool(v, lookup(x->rec, x->node[kid(x, n, 0)].path, &a) ==
		    0);
		return 0;
	case F_IS_NULL:
		if (eval(x, kid(x, n, 0), &a) != 0)
			return -1;
		set_bool(v, a.type == EV_EXPR_NULL);
		return 0;
	case F_IF:
		if (eval_cond(x, n, 0, "if", &a) != 0)
			return -1;
		return eval(x, kid(x, n, a.type == EV_EXPR_BOOL && a.b ? 1 :
		    2), v);
	case F_COALESCE:
		for (i = 0; i < k->nk; i++) {
			if (eval(x, kid(x, n, i), v) != 0)
				return -1;
			if (v->type != EV_EXPR_NULL)
				return 0;
		}
		return 0;
	case F_LOWER:
	case F_UPPER:
		return fn_case(x, n, v, k->fn == F_UPPER);
	case F_STARTS:
	case F_ENDS:
	case F_CONTAINS:
	case F_MATCH:
		return fn_strtest(x, n, v);
	case F_LENGTH:
		return fn_length(x, n, v);
	case F_SUBSTR:
		return fn_substr(x, n, v);
	case F_MIN:
	case F_MAX:
		return fn_minmax(x, n, v);
	case F_TIME:
	case F_HOUR:
	case F_WEEKDAY:
	case F_DATE:
		return fn_time(x, n, v);
	default:
		return fn_math(x, n, v);
	}
}

static int
eval(struct ev_expr *x, int n, struct ev_expr_val *v)
{
	const struct node *k = &x->node[n];
	struct ev_expr_val a;

	switch (k->op) {
	case N_NUM:
		set_num(v, k->num);
		return 0;
	case N_STR:
		set_str(v, k->str, k->len);
		return 0;
	case N_BOOL:
		set_bool(v, k->num != 0);
		return 0;
	case N_NULL:
		set_null(v);
		return 0;
	case N_PATH:
		(void)lookup(x->rec, k->path, v);
		return 0;
	case N_NEG:
		if (eval_num(x, n, 0, "'-'", &a) != 0)
			return -1;
		if (a.type == EV_EXPR_NULL)
			set_null(v);
		else
			set_num(v, -a.n);
		return 0;
	case N_NOT:
		if (eval_cond(x, n, 0, "not", &a) != 0)
			return -1;
		if (a.type == EV_EXPR_NULL)
			set_null(v);
		else
			set_bool(v, !a.b);
		return 0;
	case N_AND:
	case N_OR:
		return eval_logic(x, n, v);
	case N_ADD:
	case N_SUB:
	case N_MUL:
	case N_DIV:
	case N_MOD:
		return eval_arith(x, n, v);
	case N_IN:
	case N_NOTIN:
		return eval_in(x, n, v);
	case N_FUNC:
		return eval_fn(x, n, v);
	default:
		return eval_cmp(x, n, v);
	}
}

int
ev_expr_eval(struct ev_expr *x, const struct ev_rec *rec,
    struct ev_expr_val *v)
{
	x->rec = rec;
	ev_buf_reset(&x->scratch);
	x->err[0] = '\0';
	ev_buf_reset(&x->errpath);
	if (eval(x, x->root, v) != 0) {
		set_null(v);
		return -1;
	}
	return 0;
}

int
ev_expr_test(struct ev_expr *x, const struct ev_rec *rec)
{
	struct ev_expr_val v;

	if (ev_expr_eval(x, rec, &v) != 0)
		return -1;
	if (v.type == EV_EXPR_BOOL)
		return v.b;
	if (v.type == EV_EXPR_NULL)
		return 0;
	snprintf(x->err, sizeof(x->err), "the condition is %s, not true or "
	    "false", type_name(x, &v));
	return -1;
}

void
ev_expr_write(const struct ev_expr *x, const struct ev_rec *rec,
    const struct ev_expr_val *v, struct ev_buf *b)
{
	const char *s;
	size_t len;

	switch (v->type) {
	case EV_EXPR_NULL:
		ev_buf_adds(b, "null");
		break;
	case EV_EXPR_BOOL:
		ev_buf_adds(b, v->b ? "true" : "false");
		break;
	case EV_EXPR_NUM:
		ev_buf_add_num(b, v->n);
		break;
	case EV_EXPR_STR:
		s = ev_expr_str(x, v, &len);
		ev_buf_add_jstr(b, s, len);
		break;
	default:
		ev_json_write(v->h >= 0 ? ev_rec_val_json(rec, v->h) : v->j,
		    b);
		break;
	}
}

const char *
ev_expr_error(const struct ev_expr *x)
{
	return x->err;
}

const char *
ev_expr_error_path(const struct ev_expr *x)
{
	return x->errpath.len > 0 ? x->errpath.data : "";
}

json_t *
ev_expr_reject(const struct ev_expr *x, const char *opt)
{
	json_t *a = json_array();

	json_array_append_new(a, ev_run_error(x->errpath.len > 0 ?
	    x->errpath.data : NULL, "%s '%s': %s", opt, x->text, x->err));
	return a;
}
