/*
 * ev_explain.c - Adtributor-style explanation of a deviation by the series
 * nested in the alerted one (see ev_explain.h for the rules).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_explain.h"
#include "ev_json.h"
#include "ev_rec.h"

/* One nested series: its dimension and figures. */
struct elem {
	const struct ev_explain_series *s;
	char	*dim;		/* extra label names, sorted, joined by ',' */
	size_t	 level;		/* how many extra labels */
	size_t	 idx;		/* input order, the last tie-break */
	double	 share, p, q, surprise;
	int	 taken;
};

void
ev_explain_params_init(struct ev_explain_params *p)
{
	p->min_share = 0.1;
	p->enough = 0.67;
	p->max_dims = 3;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Whether child is nested in parent (all of parent's labels with the same
 * values, and more); if so its extra label names, sorted and joined by ','
 * (new string) and their number.
 */
static char *
nested_dim(const json_t *parent, const json_t *child, size_t *level)
{
	const char *k, **names;
	json_t *v, *pv;
	size_t n = 0, i;
	struct ev_buf b = EV_BUF_INIT;

	if (!json_is_object(child) ||
	    json_object_size(child) <= json_object_size(parent))
		return NULL;
	json_object_foreach((json_t *)(uintptr_t)parent, k, pv) {
		v = json_object_get(child, k);
		if (v == NULL || !json_equal(v, pv))
			return NULL;
	}
	names = ev_xreallocarray(NULL, json_object_size(child),
	    sizeof(*names));
	json_object_foreach((json_t *)(uintptr_t)child, k, v)
		if (json_object_get(parent, k) == NULL)
			names[n++] = k;
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		if (i > 0)
			ev_buf_addc(&b, ',');
		ev_buf_adds(&b, names[i]);
	}
	free(names);
	*level = n;
	return ev_buf_detach(&b, NULL);
}

/* 0.5 * x log2(2x / (x + y)), with 0 log 0 = 0. */
static double
js_term(double x, double y)
{
	if (x <= 0)
		return 0;
	return 0.5 * x * log2(2 * x / (x + y));
}

static int
cmp_dim(const void *a, const void *b)
{
	const struct elem *x = a, *y = b;
	int c = strcmp(x->dim, y->dim);

	if (c != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Most surprising first; then larger share; then input order. */
static int
cmp_surprise(const void *a, const void *b)
{
	const struct elem *x = a, *y = b;

	if (x->surprise != y->surprise)
		return x->surprise > y->surprise ? -1 : 1;
	if (x->share != y->share)
		return x->share > y->share ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int
cmp_share(const void *a, const void *b)
{
	const struct elem *x = a, *y = b;

	if (x->share != y->share)
		return x->share > y->share ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The extra labels of e (those not in parent) as a new object. */
static json_t *
extra_labels(const json_t *parent, const struct elem *e)
{
	json_t *o = json_object(), *v;
	const char *k;

	json_object_foreach((json_t *)(uintptr_t)e->s->cols, k, v)
		if (json_object_get(parent, k) == NULL)
			json_object_set(o, k, v);
	return o;
}

/*
 * One dimension: elements el[0..n) of the same dim.  Returns its object,
 * or NULL when its qualifying elements never reach p->enough.
 */
static json_t *
dimension(const struct ev_explain_params *p,
    const struct ev_explain_series *alerted, struct elem *el, size_t n)
{
	double dev = alerted->observed - alerted->expected;
	double sign = dev < 0 ? -1 : 1, F = 0, A = 0, moved = 0, denom;
	double cum = 0, surp = 0;
	json_t *dim, *arr;
	size_t i, taken = 0;

	for (i = 0; i < n; i++) {
		double d = sign * (el[i].s->observed - el[i].s->expected);

		F += fmax(el[i].s->expected, 0);
		A += fmax(el[i].s->observed, 0);
		if (d > 0)
			moved += d;
	}
	denom = fmax(fabs(dev), moved);
	for (i = 0; i < n; i++) {
		struct elem *e = &el[i];

		e->share = sign * (e->s->observed - e->s->expected) / denom;
		e->p = F > 0 ? fmax(e->s->expected, 0) / F : 0;
		/* All observed at zero: no shape to compare with. */
		e->q = A > 0 ? fmax(e->s->observed, 0) / A : e->p;
		if (F <= 0)
			e->p = e->q;
		e->surprise = js_term(e->p, e->q) + js_term(e->q, e->p);
	}
	qsort(el, n, sizeof(*el), cmp_surprise);
	for (i = 0; i < n && cum < p->enough; i++) {
		if (el[i].share < p->min_share ||
		    el[i].share - el[i].p < p->min_share)
			continue;
		el[i].taken = 1;
		cum += el[i].share;
		surp += el[i].surprise;
		taken++;
	}
	if (taken == 0 || cum < p->enough)
		return NULL;
	qsort(el, n, sizeof(*el), cmp_share);
	arr = json_array();
	for (i = 0; i < n; i++) {
		if (!el[i].taken)
			continue;
		json_array_append_new(arr, json_pack("{s:o,s:f,s:f,s:f,s:f}",
		    "element", extra_labels(alerted->cols, &el[i]),
		    "share", el[i].share, "expected", el[i].s->expected,
		    "observed", el[i].s->observed,
		    "surprise", el[i].surprise));
	}
	dim = json_pack("{s:s,s:f,s:f,s:o}", "dimension", el[0].dim,
	    "share", cum, "surprise", surp, "elements", arr);
	return dim;
}

static int
cmp_dim_json(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a;
	const json_t *y = *(const json_t *const *)b;
	double sx = json_real_value(json_object_get(x, "surprise"));
	double sy = json_real_value(json_object_get(y, "surprise"));

	if (sx != sy)
		return sx > sy ? -1 : 1;
	sx = json_real_value(json_object_get(x, "share"));
	sy = json_real_value(json_object_get(y, "share"));
	if (sx != sy)
		return sx > sy ? -1 : 1;
	return strcmp(json_string_value(json_object_get(x, "dimension")),
	    json_string_value(json_object_get(y, "dimension")));
}

json_t *
ev_explain_build(const struct ev_explain_params *p,
    const struct ev_explain_series *alerted,
    const struct ev_explain_series *series, size_t n)
{
	struct elem *el;
	json_t **dims, *out = NULL;
	size_t i, j, ne = 0, nd = 0, minlev = SIZE_MAX;

	if (!isfinite(alerted->observed - alerted->expected) ||
	    alerted->observed == alerted->expected || n == 0 ||
	    !json_is_object(alerted->cols))
		return NULL;
	el = ev_xcalloc(n, sizeof(*el));
	for (i = 0; i < n; i++) {
		size_t lev;
		char *dim = nested_dim(alerted->cols, series[i].cols, &lev);

		if (dim == NULL || !isfinite(series[i].observed) ||
		    !isfinite(series[i].expected)) {
			free(dim);
			continue;
		}
		el[ne].s = &series[i];
		el[ne].dim = dim;
		el[ne].level = lev;
		el[ne].idx = i;
		if (lev < minlev)
			minlev = lev;
		ne++;
	}
	/* The nearest level only. */
	for (i = j = 0; i < ne; i++) {
		if (el[i].level == minlev)
			el[j++] = el[i];
		else
			free(el[i].dim);
	}
	ne = j;
	qsort(el, ne, sizeof(*el), cmp_dim);
	dims = ev_xcalloc(ne ? ne : 1, sizeof(*dims));
	for (i = 0; i < ne; i = j) {
		json_t *d;

		for (j = i + 1; j < ne && strcmp(el[j].dim, el[i].dim) == 0;
		    j++)
			;
		if ((d = dimension(p, alerted, el + i, j - i)) != NULL)
			dims[nd++] = d;
	}
	if (nd > 0) {
		qsort(dims, nd, sizeof(*dims), cmp_dim_json);
		out = json_array();
		for (i = 0; i < nd; i++) {
			if (i < p->max_dims)
				json_array_append(out, dims[i]);
			json_decref(dims[i]);
		}
	}
	for (i = 0; i < ne; i++)
		free(el[i].dim);
	free(dims);
	free(el);
	return out;
}

json_t *
ev_explain_headline(const json_t *explanation)
{
	json_t *out = json_array(), *d, *e, *o;
	size_t i, j;

	json_array_foreach(explanation, i, d) {
		json_array_foreach(json_object_get(d, "elements"), j, e) {
			if (json_array_size(out) == EV_EXPLAIN_HEADLINE_MAX)
				return out;
			o = json_deep_copy(json_object_get(e, "element"));
			json_object_set_new(o, "delta", json_real(
			    json_real_value(json_object_get(e, "observed")) -
			    json_real_value(json_object_get(e, "expected"))));
			json_object_set(o, "share", json_object_get(e,
			    "share"));
			json_array_append_new(out, o);
		}
	}
	return out;
}

/* A label value for people: strings as they are, others as JSON. */
static void
add_value(struct ev_buf *b, const json_t *v)
{
	if (json_is_string(v))
		ev_buf_add(b, json_string_value(v), json_string_length(v));
	else
		ev_json_write(v, b);
}

void
ev_explain_text(struct ev_buf *b, const json_t *explanation)
{
	json_t *d, *e, *v;
	const char *k;
	size_t i, j, n;

	json_array_foreach(explanation, i, d) {
		json_t *els = json_object_get(d, "elements");

		if (i > 0)
			ev_buf_adds(b, "; ");
		ev_buf_adds(b, "by ");
		/* The element's own names, in its order: not re-sorted. */
		n = 0;
		json_object_foreach(json_object_get(json_array_get(els, 0),
		    "element"), k, v) {
			if (n++ > 0)
				ev_buf_adds(b, "\xc3\x97");
			ev_buf_adds(b, k);
		}
		ev_buf_adds(b, ": ");
		json_array_foreach(els, j, e) {
			if (j > 0)
				ev_buf_adds(b, ", ");
			n = 0;
			json_object_foreach(json_object_get(e, "element"), k,
			    v) {
				if (n++ > 0)
					ev_buf_adds(b, "\xc3\x97");
				add_value(b, v);
			}
			ev_buf_printf(b, " %.0f%%", 100 *
			    json_real_value(json_object_get(e, "share")));
		}
	}
}
