/* ev_agg.c - named, mergeable aggregates; see ev_agg.h. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_agg.h"
#include "ev_common.h"
#include "ev_json.h"
#include "ev_map.h"

/*
 * Distinct values and top counts: an ev_map from the value's bytes to a
 * uint64_t count.
 */
static struct ev_map *
map_new(void)
{
	struct ev_map *m = ev_xmalloc(sizeof(*m));

	ev_map_init(m, sizeof(uint64_t), 8, 0);
	return m;
}

static void
map_free(struct ev_map *m)
{
	if (m == NULL)
		return;
	ev_map_release(m);
	free(m);
}

static uint64_t *
count_of(struct ev_map_ent *e)
{
	return ev_map_val(e);
}

static void
map_add(struct ev_map *m, const char *k, size_t klen, uint64_t hash,
    uint64_t c)
{
	*count_of(ev_map_put(m, k, klen, hash, NULL)) += c;
}

static int
ent_cmp_key(const void *a, const void *b)
{
	const struct ev_map_ent *x = *(const struct ev_map_ent *const *)a;
	const struct ev_map_ent *y = *(const struct ev_map_ent *const *)b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);

	return c ? c : (x->klen > y->klen) - (x->klen < y->klen);
}

static int
ent_cmp_top(const void *a, const void *b)
{
	struct ev_map_ent *x = *(struct ev_map_ent *const *)a;
	struct ev_map_ent *y = *(struct ev_map_ent *const *)b;

	if (*count_of(x) != *count_of(y))
		return *count_of(x) < *count_of(y) ? 1 : -1;
	return ent_cmp_key(a, b);
}

/* The entries in a deterministic order; caller frees the array. */
static struct ev_map_ent **
map_sorted(const struct ev_map *m, int top)
{
	struct ev_map_ent **v, *e;
	size_t i = 0, n = 0;

	v = ev_xcalloc(m ? m->n + 1 : 1, sizeof(*v));
	if (m == NULL)
		return v;
	while ((e = ev_map_next(m, &i)) != NULL)
		v[n++] = e;
	qsort(v, n, sizeof(*v), top ? ent_cmp_top : ent_cmp_key);
	return v;
}

void
ev_agg_set_init(struct ev_agg_set *s, int hll_p, double alpha)
{
	s->spec = NULL;
	s->n = 0;
	s->hll_p = hll_p;
	s->alpha = alpha;
	s->time_path = NULL;
}

void
ev_agg_set_free(struct ev_agg_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->spec[i].name);
		free(s->spec[i].text);
		ev_path_free(s->spec[i].field);
		json_decref(s->spec[i].lit);
		ev_expr_free(s->spec[i].expr);
		json_decref(s->spec[i].tmp);
		json_decref(s->spec[i].tmpstr);
	}
	free(s->spec);
	s->spec = NULL;
	s->n = 0;
}

int
ev_agg_find(const struct ev_agg_set *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->spec[i].name, name) == 0)
			return (int)i;
	return -1;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static const struct {
	const char *fn;
	enum ev_agg_kind kind;
} fns[] = {
	{ "count", EV_AGG_COUNT }, { "count_if", EV_AGG_COUNT_IF },
	{ "sum", EV_AGG_SUM }, { "avg", EV_AGG_AVG }, { "min", EV_AGG_MIN },
	{ "max", EV_AGG_MAX }, { "stddev", EV_AGG_STDDEV },
	{ "first", EV_AGG_FIRST }, { "last", EV_AGG_LAST },
	{ "distinct", EV_AGG_DISTINCT },
	{ "approx_distinct", EV_AGG_APPROX_DISTINCT }, { "top", EV_AGG_TOP },
};

/* "field OP literal" for count_if. */
static int
parse_pred(struct ev_agg_spec *sp, char *arg, char *err, size_t errlen)
{
	static const struct { const char *s; enum ev_agg_op op; } ops[] = {
		{ "==", EV_AGG_EQ }, { "!=", EV_AGG_NE }, { "<=", EV_AGG_LE },
		{ ">=", EV_AGG_GE }, { "<", EV_AGG_LT }, { ">", EV_AGG_GT },
	};
	const char *errstr;
	char *at = NULL, *lhs, *rhs;
	size_t i, oplen = 0;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if ((at = strstr(arg, ops[i].s)) != NULL) {
			sp->op = ops[i].op;
			oplen = strlen(ops[i].s);
			break;
		}
	if (at == NULL) {
		snprintf(err, errlen, "count_if needs 'field == value' in '%s'",
		    sp->text);
		return -1;
	}
	*at = '\0';
	lhs = trim(arg);
	rhs = trim(at + oplen);
	if ((sp->field = ev_path_compile(lhs, &errstr)) == NULL) {
		snprintf(err, errlen, "bad path '%s': %s", lhs, errstr);
		return -1;
	}
	sp->lit = json_loads(rhs, JSON_DECODE_ANY, NULL);
	if (sp->lit == NULL)	/* a bare word is a string */
		sp->lit = json_string(rhs);
	if (sp->lit == NULL) {
		snprintf(err, errlen, "bad literal '%s'", rhs);
		return -1;
	}
	if (sp->op != EV_AGG_EQ && sp->op != EV_AGG_NE &&
	    !json_is_number(sp->lit)) {
		snprintf(err, errlen, "'%s' compares with a number only",
		    sp->text);
		return -1;
	}
	return 0;
}

/*
 * Whether an argument is a plain field path, read as before expressions
 * came: a letter, '_' or '/' first, no space, and nothing else an
 * expression would read as an operator but '-' ("user-agent"; "a - b" is
 * a subtraction).
 */
static int
plain_path(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_' && *s != '/')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr("_.-/~$@:", *s) == NULL)
			return 0;
	return 1;
}

/*
 * count_if's older form: PATH OP JSON-literal, or PATH == or != a bare word
 * (a string).  Anything else, and a condition in parentheses, is an
 * expression.
 */
static int
old_pred(const char *arg)
{
	static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">" };
	char *buf = ev_xstrdup(arg), *at = NULL, *rhs;
	json_t *lit;
	size_t i;
	int ok = 0;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if ((at = strstr(buf, ops[i])) != NULL)
			break;
	if (at != NULL) {
		rhs = trim(at + strlen(ops[i]));
		*at = '\0';
		lit = json_loads(rhs, JSON_DECODE_ANY, NULL);
		ok = plain_path(trim(buf)) && (lit != NULL || (i < 2 &&
		    plain_path(rhs)));
		json_decref(lit);
	}
	free(buf);
	return ok;
}

static int
parse_expr(struct ev_agg_set *s, struct ev_agg_spec *sp, const char *fn,
    const char *arg, int alias, char *err, size_t errlen)
{
	char msg[256];

	if (sp->kind == EV_AGG_TOP) {
		snprintf(err, errlen, "top needs a field path: top(PATH, K)");
		return -1;
	}
	if ((sp->expr = ev_expr_compile(arg, 0, s->time_path, msg,
	    sizeof(msg))) == NULL) {
		snprintf(err, errlen, "%s(%s): %s", fn, arg, msg);
		return -1;
	}
	if (!alias) {
		snprintf(err, errlen, "%s(%s) needs a name: '%s(EXPR) as NAME'",
		    fn, arg, fn);
		return -1;
	}
	sp->tmp = json_real(0);
	sp->tmpstr = json_string("");
	return 0;
}

static int
parse_one(struct ev_agg_set *s, const char *text, char *err, size_t errlen)
{
	struct ev_agg_spec sp;
	char *buf = ev_xstrdup(text), *expr, *alias = NULL, *open, *close;
	char *arg = NULL, *fn, *p, *comma;
	const char *errstr;
	size_t i;
	int ok = -1;

	memset(&sp, 0, sizeof(sp));
	sp.text = ev_xstrdup(trim(buf));
	expr = trim(buf);
	/* " as alias" after the closing parenthesis (or the bare name). */
	close = strrchr(expr, ')');
	p = close ? close + 1 : expr;
	for (; *p; p++)
		if (isspace((unsigned char)*p) && strncmp(p + 1, "as", 2) == 0 &&
		    (p[3] == '\0' || isspace((unsigned char)p[3]))) {
			*p = '\0';
			alias = trim(p + 3);
			break;
		}
	expr = trim(expr);
	if (alias != NULL && *alias == '\0') {
		snprintf(err, errlen, "empty alias in '%s'", sp.text);
		goto out;
	}
	open = strchr(expr, '(');
	if (open) {
		close = strrchr(expr, ')');
		if (close == NULL || close[1] != '\0' || close < open) {
			snprintf(err, errlen, "unbalanced parentheses in '%s'",
			    sp.text);
			goto out;
		}
		*open = '\0';
		*close = '\0';
		arg = trim(open + 1);
	}
	fn = trim(expr);
	sp.kind = (enum ev_agg_kind)-1;
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (strcmp(fn, fns[i].fn) == 0)
			sp.kind = fns[i].kind;
	if (fn[0] == 'p' && isdigit((unsigned char)fn[1])) {
		double q;

		if (ev_strtod(fn + 1, &q) < 0 || q < 0 || q > 100) {
			snprintf(err, errlen, "bad quantile '%s'", fn);
			goto out;
		}
		sp.kind = EV_AGG_QUANTILE;
		sp.q = q / 100;
	}
	if ((int)sp.kind == -1) {
		snprintf(err, errlen, "unknown aggregate '%s'", fn);
		goto out;
	}
	if (sp.kind == EV_AGG_COUNT) {
		if (arg && *arg) {
			snprintf(err, errlen, "count takes no argument");
			goto out;
		}
	} else if (arg == NULL || *arg == '\0') {
		snprintf(err, errlen, "%s needs a field: %s(PATH)", fn, fn);
		goto out;
	} else if (sp.kind == EV_AGG_COUNT_IF && old_pred(arg)) {
		if (parse_pred(&sp, arg, err, errlen) < 0)
			goto out;
	} else if (sp.kind == EV_AGG_COUNT_IF || (sp.kind != EV_AGG_TOP &&
	    !plain_path(arg))) {
		if (parse_expr(s, &sp, fn, arg, alias != NULL, err, errlen) < 0)
			goto out;
	} else {
		if (sp.kind == EV_AGG_TOP) {
			if ((comma = strrchr(arg, ',')) == NULL) {
				snprintf(err, errlen, "top needs top(PATH, K)");
				goto out;
			}
			*comma = '\0';
			sp.k = (int)ev_strtonum(trim(comma + 1), 1, 10000,
			    &errstr);
			if (errstr) {
				snprintf(err, errlen, "top: K is %s", errstr);
				goto out;
			}
			arg = trim(arg);
		}
		if ((sp.field = ev_path_compile(arg, &errstr)) == NULL) {
			snprintf(err, errlen, "bad path '%s': %s", arg, errstr);
			goto out;
		}
	}
	if (alias)
		sp.name = ev_xstrdup(alias);
	else if (sp.kind == EV_AGG_COUNT)
		sp.name = ev_xstrdup("count");
	else {
		struct ev_buf b = EV_BUF_INIT;

		ev_buf_printf(&b, "%s_%s", fn, ev_path_leaf(sp.field));
		sp.name = ev_buf_detach(&b, NULL);
	}
	if (ev_agg_find(s, sp.name) >= 0) {
		snprintf(err, errlen, "duplicate column '%s' (use 'as')",
		    sp.name);
		goto out;
	}
	s->spec = ev_xreallocarray(s->spec, s->n + 1, sizeof(*s->spec));
	s->spec[s->n++] = sp;
	memset(&sp, 0, sizeof(sp));
	ok = 0;
out:
	free(sp.name);
	free(sp.text);
	ev_path_free(sp.field);
	json_decref(sp.lit);
	ev_expr_free(sp.expr);
	json_decref(sp.tmp);
	json_decref(sp.tmpstr);
	free(buf);
	return ok;
}

int
ev_agg_parse(struct ev_agg_set *s, const char *text, char *err, size_t errlen)
{
	char *buf = ev_xstrdup(text), *p, *start = buf;
	int depth = 0, quote = 0, rc = 0;

	/* Split at commas outside parentheses and quotes. */
	for (p = buf;; p++) {
		if (*p == '"' && (p == buf || p[-1] != '\\'))
			quote = !quote;
		else if (!quote && *p == '(')
			depth++;
		else if (!quote && *p == ')')
			depth--;
		if (*p == '\0' || (*p == ',' && depth == 0 && !quote)) {
			int end = *p == '\0';

			*p = '\0';
			if (*trim(start) == '\0') {
				snprintf(err, errlen, "empty aggregate in '%s'",
				    text);
				rc = -1;
				break;
			}
			if ((rc = parse_one(s, start, err, errlen)) < 0 || end)
				break;
			start = p + 1;
		}
	}
	free(buf);
	return rc;
}

struct ev_agg_val *
ev_agg_new(const struct ev_agg_set *s)
{
	struct ev_agg_val *v = ev_xcalloc(s->n ? s->n : 1, sizeof(*v));
	size_t i;

	for (i = 0; i < s->n; i++) {
		ev_hll_init(&v[i].hll, s->hll_p);
		v[i].v = NAN;
	}
	return v;
}

void
ev_agg_free(const struct ev_agg_set *s, struct ev_agg_val *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		json_decref(v[i].jv);
		map_free(v[i].map);
		ev_hll_free(&v[i].hll);
		if (v[i].dds) {
			ev_dds_free(v[i].dds);
			free(v[i].dds);
		}
	}
	free(v);
}

static int
needs_number(enum ev_agg_kind k)
{
	return k == EV_AGG_SUM || k == EV_AGG_AVG || k == EV_AGG_MIN ||
	    k == EV_AGG_MAX || k == EV_AGG_STDDEV || k == EV_AGG_QUANTILE;
}

/*
 * The value of an expression argument on rec, as JSON for the aggregate:
 * *x NULL for null (and for a count_if that is not true); -1 with err
 * when it fails or gives the wrong type.
 */
static int
expr_value(const struct ev_agg_spec *sp, const struct ev_rec *rec,
    const json_t **x, char *err, size_t errlen)
{
	struct ev_expr_val v;
	const char *s;
	size_t n;

	if (ev_expr_eval(sp->expr, rec, &v) != 0) {
		snprintf(err, errlen, "%s: %s", sp->name,
		    ev_expr_error(sp->expr));
		return -1;
	}
	if (v.type == EV_EXPR_NULL)
		return 0;
	if (sp->kind == EV_AGG_COUNT_IF) {
		if (v.type != EV_EXPR_BOOL) {
			snprintf(err, errlen, "%s: the condition is not true "
			    "or false", sp->name);
			return -1;
		}
		*x = v.b ? json_true() : NULL;
		return 0;
	}
	if ((needs_number(sp->kind) && v.type != EV_EXPR_NUM) ||
	    v.type == EV_EXPR_JSON) {
		snprintf(err, errlen, "%s: the expression gives no %s",
		    sp->name, needs_number(sp->kind) ? "number" : "scalar");
		return -1;
	}
	/* One value kept per aggregate, set again on every record. */
	if (v.type == EV_EXPR_NUM) {
		json_real_set(sp->tmp, v.n);
		*x = sp->tmp;
	} else if (v.type == EV_EXPR_BOOL)
		*x = v.b ? json_true() : json_false();
	else {
		s = ev_expr_str(sp->expr, &v, &n);
		json_string_setn_nocheck(sp->tmpstr, s, n);
		*x = sp->tmpstr;
	}
	return 0;
}

int
ev_agg_extract(const struct ev_agg_set *s, const struct ev_rec *rec,
    const json_t **x, size_t *bad, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct ev_agg_spec *sp = &s->spec[i];
		const json_t *v;

		x[i] = NULL;
		if (sp->expr != NULL) {
			if (expr_value(sp, rec, &x[i], err, errlen) != 0) {
				*bad = i;
				return -1;
			}
			continue;
		}
		if (sp->field == NULL)
			continue;
		v = ev_rec_get(rec, sp->field);
		if (v == NULL || json_is_null(v))
			continue;
		if (needs_number(sp->kind) && !json_is_number(v)) {
			snprintf(err, errlen, "%s: '%s' is not a number",
			    sp->name, sp->field->spec);
			*bad = i;
			return -1;
		}
		if ((sp->kind == EV_AGG_DISTINCT || sp->kind == EV_AGG_TOP ||
		    sp->kind == EV_AGG_APPROX_DISTINCT) &&
		    (json_is_object(v) || json_is_array(v))) {
			snprintf(err, errlen, "%s: '%s' is not a scalar",
			    sp->name, sp->field->spec);
			*bad = i;
			return -1;
		}
		x[i] = v;
	}
	return 0;
}

/* The identity of a scalar: a string's bytes, else \1 and its JSON. */
static void
value_key(const json_t *v, struct ev_buf *b)
{
	ev_buf_reset(b);
	if (json_is_string(v)) {
		ev_buf_add(b, json_string_value(v), json_string_length(v));
		return;
	}
	ev_buf_addc(b, '\1');
	ev_json_write(v, b);
}

static int
pred(const struct ev_agg_spec *sp, const json_t *v)
{
	double a, b;
	int eq;

	if (v == NULL)
		return sp->op == EV_AGG_NE;
	if (json_is_number(v) && json_is_number(sp->lit)) {
		a = json_number_value(v);
		b = json_number_value(sp->lit);
		switch (sp->op) {
		case EV_AGG_EQ: return a == b;
		case EV_AGG_NE: return a != b;
		case EV_AGG_LT: return a < b;
		case EV_AGG_LE: return a <= b;
		case EV_AGG_GT: return a > b;
		case EV_AGG_GE: return a >= b;
		}
	}
	eq = json_equal(v, sp->lit);
	if (sp->op == EV_AGG_EQ)
		return eq;
	if (sp->op == EV_AGG_NE)
		return !eq;
	return 0;
}

void
ev_agg_apply(const struct ev_agg_set *s, struct ev_agg_val *v,
    const json_t *const *x, ev_us_t t, struct ev_buf *scratch)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct ev_agg_spec *sp = &s->spec[i];
		struct ev_agg_val *a = &v[i];
		double d = 0, delta;

		if (sp->kind == EV_AGG_COUNT) {
			a->n++;
			continue;
		}
		if (sp->kind == EV_AGG_COUNT_IF) {
			if (sp->expr != NULL)
				a->n += x[i] != NULL;
			else
				a->n += pred(sp, x[i]) ? 1 : 0;
			continue;
		}
		if (x[i] == NULL)
			continue;
		if (needs_number(sp->kind))
			d = json_number_value(x[i]);
		switch (sp->kind) {
		case EV_AGG_SUM:
		case EV_AGG_AVG:
			a->n++;
			a->sum += d;
			break;
		case EV_AGG_MIN:
			if (a->n++ == 0 || d < a->v)
				a->v = d;
			break;
		case EV_AGG_MAX:
			if (a->n++ == 0 || d > a->v)
				a->v = d;
			break;
		case EV_AGG_STDDEV:
			a->n++;
			delta = d - a->mean;
			a->mean += delta / (double)a->n;
			a->m2 += delta * (d - a->mean);
			break;
		case EV_AGG_FIRST:
			if (a->jv == NULL || t < a->t) {
				json_decref(a->jv);
				a->jv = json_deep_copy(x[i]);
				a->t = t;
			}
			break;
		case EV_AGG_LAST:
			if (a->jv == NULL || t >= a->t) {
				json_decref(a->jv);
				a->jv = json_deep_copy(x[i]);
				a->t = t;
			}
			break;
		case EV_AGG_DISTINCT:
		case EV_AGG_TOP:
			value_key(x[i], scratch);
			if (a->map == NULL)
				a->map = map_new();
			map_add(a->map, scratch->data, scratch->len,
			    ev_hll_hash(scratch->data, scratch->len), 1);
			break;
		case EV_AGG_APPROX_DISTINCT:
			value_key(x[i], scratch);
			ev_hll_add(&a->hll, scratch->data, scratch->len);
			break;
		case EV_AGG_QUANTILE:
			if (a->dds == NULL) {
				a->dds = ev_xmalloc(sizeof(*a->dds));
				ev_dds_init(a->dds, s->alpha);
			}
			ev_dds_add(a->dds, d);
			break;
		default:
			break;
		}
	}
}

static void
merge_one(const struct ev_agg_set *s, size_t i, struct ev_agg_val *a,
    const struct ev_agg_val *b)
{
	const struct ev_agg_spec *sp = &s->spec[i];
	struct ev_map_ent *e;
	size_t j;
	double n, delta;

	switch (sp->kind) {
	case EV_AGG_COUNT:
	case EV_AGG_COUNT_IF:
		a->n += b->n;
		break;
	case EV_AGG_SUM:
	case EV_AGG_AVG:
		if (a->n == 0)
			a->sum = b->sum;	/* exact copy, not 0 + x */
		else if (b->n > 0)
			a->sum += b->sum;
		a->n += b->n;
		break;
	case EV_AGG_MIN:
	case EV_AGG_MAX:
		if (b->n > 0 && (a->n == 0 || (sp->kind == EV_AGG_MIN ?
		    b->v < a->v : b->v > a->v)))
			a->v = b->v;
		a->n += b->n;
		break;
	case EV_AGG_STDDEV:
		if (b->n == 0)
			break;
		if (a->n == 0) {
			a->n = b->n;
			a->mean = b->mean;
			a->m2 = b->m2;
			break;
		}
		/* Chan et al.'s pairwise update. */
		n = (double)(a->n + b->n);
		delta = b->mean - a->mean;
		a->m2 += b->m2 + delta * delta * (double)a->n *
		    (double)b->n / n;
		a->mean += delta * (double)b->n / n;
		a->n += b->n;
		break;
	case EV_AGG_FIRST:
	case EV_AGG_LAST:
		if (b->jv && (a->jv == NULL || (sp->kind == EV_AGG_FIRST ?
		    b->t < a->t : b->t >= a->t))) {
			json_decref(a->jv);
			a->jv = json_deep_copy(b->jv);
			a->t = b->t;
		}
		break;
	case EV_AGG_DISTINCT:
	case EV_AGG_TOP:
		if (b->map == NULL)
			break;
		if (a->map == NULL)
			a->map = map_new();
		j = 0;
		while ((e = ev_map_next(b->map, &j)) != NULL)
			map_add(a->map, e->key, e->klen, e->hash,
			    *count_of(e));
		break;
	case EV_AGG_APPROX_DISTINCT:
		ev_hll_merge(&a->hll, &b->hll);
		break;
	case EV_AGG_QUANTILE:
		if (b->dds == NULL)
			break;
		if (a->dds == NULL) {
			a->dds = ev_xmalloc(sizeof(*a->dds));
			ev_dds_init(a->dds, s->alpha);
		}
		ev_dds_merge(a->dds, b->dds);
		break;
	}
}

void
ev_agg_merge(const struct ev_agg_set *s, struct ev_agg_val *dst,
    const struct ev_agg_val *src)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		merge_one(s, i, &dst[i], &src[i]);
}

/* A map key back as JSON text (strings quoted, others as stored). */
static void
write_key(const struct ev_map_ent *e, struct ev_buf *b)
{
	if (e->klen > 0 && e->key[0] == '\1')
		ev_buf_add(b, e->key + 1, e->klen - 1);
	else
		ev_buf_add_jstr(b, e->key, e->klen);
}

void
ev_agg_write(const struct ev_agg_set *s, const struct ev_agg_val *v,
    struct ev_buf *b)
{
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		const struct ev_agg_spec *sp = &s->spec[i];
		const struct ev_agg_val *a = &v[i];

		ev_buf_addc(b, ',');
		ev_buf_add_jstr(b, sp->name, strlen(sp->name));
		ev_buf_addc(b, ':');
		switch (sp->kind) {
		case EV_AGG_COUNT:
		case EV_AGG_COUNT_IF:
			ev_buf_add_int(b, (int64_t)a->n);
			break;
		case EV_AGG_SUM:
			ev_buf_add_num(b, a->n ? a->sum : 0);
			break;
		case EV_AGG_AVG:
			if (a->n)
				ev_buf_add_num(b, a->sum / (double)a->n);
			else
				ev_buf_adds(b, "null");
			break;
		case EV_AGG_MIN:
		case EV_AGG_MAX:
			if (a->n)
				ev_buf_add_num(b, a->v);
			else
				ev_buf_adds(b, "null");
			break;
		case EV_AGG_STDDEV:
			if (a->n > 1)
				ev_buf_add_num(b,
				    sqrt(a->m2 / (double)(a->n - 1)));
			else
				ev_buf_adds(b, "null");
			break;
		case EV_AGG_FIRST:
		case EV_AGG_LAST:
			if (a->jv)
				ev_json_write(a->jv, b);
			else
				ev_buf_adds(b, "null");
			break;
		case EV_AGG_DISTINCT:
			ev_buf_add_int(b, a->map ? (int64_t)a->map->n : 0);
			break;
		case EV_AGG_APPROX_DISTINCT:
			ev_buf_add_int(b,
			    (int64_t)llround(ev_hll_estimate(&a->hll)));
			break;
		case EV_AGG_QUANTILE:
			if (a->dds && a->dds->count)
				ev_buf_add_num(b,
				    ev_dds_quantile(a->dds, sp->q));
			else
				ev_buf_adds(b, "null");
			break;
		case EV_AGG_TOP: {
			struct ev_map_ent **e = map_sorted(a->map, 1);

			ev_buf_addc(b, '[');
			for (j = 0; e[j] && j < (size_t)sp->k; j++) {
				if (j)
					ev_buf_addc(b, ',');
				ev_buf_adds(b, "{\"value\":");
				write_key(e[j], b);
				ev_buf_adds(b, ",\"count\":");
				ev_buf_add_int(b, (int64_t)*count_of(e[j]));
				ev_buf_addc(b, '}');
			}
			ev_buf_addc(b, ']');
			free(e);
			break;
		}
		}
	}
}

json_t *
ev_agg_to_json(const struct ev_agg_set *s, const struct ev_agg_val *v)
{
	json_t *o = json_object(), *x, *arr;
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		const struct ev_agg_spec *sp = &s->spec[i];
		const struct ev_agg_val *a = &v[i];

		switch (sp->kind) {
		case EV_AGG_COUNT:
		case EV_AGG_COUNT_IF:
			x = json_integer((json_int_t)a->n);
			break;
		case EV_AGG_SUM:
		case EV_AGG_AVG:
			x = json_pack("[If]", (json_int_t)a->n, a->n ? a->sum : 0.0);
			break;
		case EV_AGG_MIN:
		case EV_AGG_MAX:
			x = json_pack("[If]", (json_int_t)a->n, a->n ? a->v : 0.0);
			break;
		case EV_AGG_STDDEV:
			x = json_pack("[Iff]", (json_int_t)a->n, a->mean, a->m2);
			break;
		case EV_AGG_FIRST:
		case EV_AGG_LAST:
			x = a->jv ? json_pack("[IO]", (json_int_t)a->t, a->jv) :
			    json_null();
			break;
		case EV_AGG_DISTINCT:
		case EV_AGG_TOP: {
			struct ev_map_ent **e = map_sorted(a->map, 0);

			x = json_array();
			for (j = 0; e[j]; j++) {
				arr = json_stringn(e[j]->key, e[j]->klen);
				if (sp->kind == EV_AGG_TOP)
					arr = json_pack("[oI]", arr,
					    (json_int_t)*count_of(e[j]));
				json_array_append_new(x, arr);
			}
			free(e);
			break;
		}
		case EV_AGG_APPROX_DISTINCT: {
			char *hex = ev_hll_to_hex(&a->hll);

			x = json_string(hex);
			free(hex);
			break;
		}
		case EV_AGG_QUANTILE:
			if (a->dds)
				x = ev_dds_to_json(a->dds);
			else
				x = json_null();
			break;
		default:
			x = json_null();
		}
		json_object_set_new(o, sp->name, x);
	}
	return o;
}

int
ev_agg_merge_json(const struct ev_agg_set *s, struct ev_agg_val *v,
    const json_t *state, char *err, size_t errlen)
{
	struct ev_agg_val *b;
	size_t i, j;
	int rc = -1;

	if (!json_is_object(state)) {
		snprintf(err, errlen, "aggregate state is not an object");
		return -1;
	}
	b = ev_agg_new(s);
	for (i = 0; i < s->n; i++) {
		const struct ev_agg_spec *sp = &s->spec[i];
		json_t *x = json_object_get(state, sp->name), *e;
		struct ev_agg_val *a = &b[i];
		json_int_t n = 0, t = 0;
		double d1 = 0, d2 = 0;
		json_t *val = NULL;

		if (x == NULL) {
			snprintf(err, errlen, "no state for '%s'", sp->name);
			goto out;
		}
		switch (sp->kind) {
		case EV_AGG_COUNT:
		case EV_AGG_COUNT_IF:
			if (!json_is_integer(x) || json_integer_value(x) < 0)
				goto bad;
			a->n = (uint64_t)json_integer_value(x);
			break;
		case EV_AGG_SUM:
		case EV_AGG_AVG:
		case EV_AGG_MIN:
		case EV_AGG_MAX:
			if (json_unpack(x, "[IF]", &n, &d1) < 0 || n < 0)
				goto bad;
			a->n = (uint64_t)n;
			if (sp->kind == EV_AGG_SUM || sp->kind == EV_AGG_AVG)
				a->sum = d1;
			else
				a->v = d1;
			break;
		case EV_AGG_STDDEV:
			if (json_unpack(x, "[IFF]", &n, &d1, &d2) < 0 || n < 0)
				goto bad;
			a->n = (uint64_t)n;
			a->mean = d1;
			a->m2 = d2;
			break;
		case EV_AGG_FIRST:
		case EV_AGG_LAST:
			if (json_is_null(x))
				break;
			if (json_unpack(x, "[IO]", &t,
			    &val) < 0)
				goto bad;
			a->t = t;
			a->jv = val;
			break;
		case EV_AGG_DISTINCT:
		case EV_AGG_TOP:
			if (!json_is_array(x))
				goto bad;
			a->map = map_new();
			json_array_foreach(x, j, e) {
				const json_t *k = e;
				json_int_t c = 1;

				if (sp->kind == EV_AGG_TOP) {
					k = json_array_get(e, 0);
					if (!json_is_integer(json_array_get(e, 1)))
						goto bad;
					c = json_integer_value(
					    json_array_get(e, 1));
				}
				if (!json_is_string(k) || c < 1)
					goto bad;
				map_add(a->map, json_string_value(k),
				    json_string_length(k),
				    ev_hll_hash(json_string_value(k),
				    json_string_length(k)), (uint64_t)c);
			}
			break;
		case EV_AGG_APPROX_DISTINCT:
			if (!json_is_string(x) || ev_hll_from_hex(&a->hll,
			    s->hll_p, json_string_value(x)) < 0)
				goto bad;
			break;
		case EV_AGG_QUANTILE:
			if (json_is_null(x))
				break;
			a->dds = ev_xmalloc(sizeof(*a->dds));
			ev_dds_init(a->dds, s->alpha);
			if (ev_dds_from_json(a->dds, s->alpha, x) < 0)
				goto bad;
			break;
		}
		continue;
bad:
		snprintf(err, errlen, "bad state for '%s'", sp->name);
		goto out;
	}
	ev_agg_merge(s, v, b);
	rc = 0;
out:
	ev_agg_free(s, b);
	return rc;
}
