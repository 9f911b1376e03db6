/*
 * libFuzzer harness: the lazy record layer against jansson on arbitrary
 * bytes.  Both must accept the same lines, and for an accepted object every
 * top-level member and the first member of each nested object must read
 * the same through the index (typed getters, decoded values, member
 * iteration) as through jansson's tree.  Then the same changes (replace a
 * member, delete one, replace inside a nested object, add one) are made to
 * both, and the record's output must parse to the changed tree, as must
 * ev_rec_root.  A line either accepts is valid UTF-8 (ev_utf8_check): the
 * reader leaves the UTF-8 check of a line to this parse (ev_run.h).  Any
 * difference aborts.
 */
#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_io.h"
#include "ev_path.h"
#include "ev_rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *
jansson_load(const char *s, size_t n)
{
	size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
	json_error_t e;
	json_t *v = json_loadb(s, n, flags, &e);

	if (v == NULL && strstr(e.text, "too big") != NULL)
		v = json_loadb(s, n, flags | JSON_DECODE_INT_AS_REAL, &e);
	return v;
}

/* Same value; numbers compared by value (types may differ, see ev_rec.h). */
static int
same(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_is_object(a) || json_is_array(a))
		return json_typeof(a) == json_typeof(b);	/* shallow */
	return json_equal(a, b);
}

static void
check_path(struct ev_rec *r, const json_t *doc, struct ev_buf *spec)
{
	const char *err, *s;
	struct ev_path *p = ev_path_compile(spec->data, &err);
	json_t *want, *got;
	size_t n;
	double d;
	int rc;

	if (p == NULL)
		return;
	want = ev_path_get(p, doc);
	got = ev_rec_get(r, p);
	if ((want == NULL) != (got == NULL) || (want && !same(want, got)))
		abort();
	rc = ev_rec_str(r, p, &s, &n);
	if (json_is_string(want)) {
		if (rc != 0 || n != json_string_length(want) ||
		    memcmp(s, json_string_value(want), n) != 0 || s[n] != '\0')
			abort();
	} else if (rc != (want == NULL || json_is_null(want) ? -1 : -2))
		abort();
	rc = ev_rec_num(r, p, &d);
	if (json_is_number(want) ? rc != 0 || d != json_number_value(want) :
	    rc == 0)
		abort();
	ev_path_free(p);
}

static void	pointer(struct ev_buf *b, const char *prefix, const char *k);

/* Deep equality with numbers compared by value. */
static int
deep(const json_t *a, const json_t *b)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_typeof(a) != json_typeof(b))
		return 0;
	if (json_is_object(a)) {
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach((json_t *)(uintptr_t)a, k, v)
			if (json_object_get(b, k) == NULL ||
			    !deep(v, json_object_get(b, k)))
				return 0;
		return 1;
	}
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (i = 0; i < json_array_size(a); i++)
			if (!deep(json_array_get(a, i), json_array_get(b, i)))
				return 0;
		return 1;
	}
	return json_equal(a, b);
}

/* Make the same changes to the record and to jansson's tree. */
static void
edit_both(struct ev_rec *r, json_t *doc)
{
	struct ev_buf spec = EV_BUF_INIT, out = EV_BUF_INIT;
	const char *k, *err;
	struct ev_path *p;
	json_t *v, *back;
	int n = 0;
	char *first = NULL, *second = NULL, *nested = NULL;

	json_object_foreach(doc, k, v) {
		if (n == 0)
			first = strdup(k);
		else if (n == 1)
			second = strdup(k);
		if (nested == NULL && json_is_object(v) &&
		    json_object_size(v) > 0) {
			pointer(&spec, "", k);
			ev_path_add_segment(&spec, json_object_iter_key(
			    json_object_iter(v)), strlen(json_object_iter_key(
			    json_object_iter(v))));
			ev_buf_addc(&spec, '\0');
			nested = strdup(spec.data);
		}
		n++;
	}
	if (first != NULL) {
		pointer(&spec, "", first);
		if ((p = ev_path_compile(spec.data, &err)) != NULL) {
			if (ev_rec_set(r, p, json_integer(7)) != 0)
				abort();
			json_object_set_new(doc, first, json_integer(7));
			v = ev_rec_get(r, p);
			if (!json_is_integer(v) || json_integer_value(v) != 7)
				abort();
			ev_path_free(p);
		}
	}
	if (nested != NULL && (p = ev_path_compile(nested, &err)) != NULL) {
		json_t *obj = ev_path_get_at(p, 0, doc);

		/* Only if the first change did not replace its parent. */
		if (obj != NULL) {
			ev_rec_set(r, p, json_string("s"));
			ev_path_set(p, doc, json_string("s"));
		}
		ev_path_free(p);
	}
	if (second != NULL) {
		pointer(&spec, "", second);
		if ((p = ev_path_compile(spec.data, &err)) != NULL) {
			if (ev_rec_del(r, p) != 1)
				abort();
			json_object_del(doc, second);
			if (ev_rec_get(r, p) != NULL || ev_rec_has(r, second))
				abort();
			ev_path_free(p);
		}
	}
	ev_rec_add(r, "zz_added", json_true());
	json_object_set_new(doc, "zz_added", json_true());
	ev_rec_write(r, &out);
	back = jansson_load(out.data, out.len);
	if (back == NULL || !deep(back, doc))
		abort();
	if (!deep(ev_rec_root(r), doc))
		abort();
	json_decref(back);
	free(first);
	free(second);
	free(nested);
	ev_buf_free(&spec);
	ev_buf_free(&out);
}

/* A JSON Pointer to member k of the object at prefix. */
static void
pointer(struct ev_buf *b, const char *prefix, const char *k)
{
	ev_buf_reset(b);
	ev_buf_adds(b, prefix);
	ev_path_add_segment(b, k, strlen(k));
	ev_buf_addc(b, '\0');
	b->len--;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line = (const char *)data, *k, *k2;
	struct ev_buf spec = EV_BUF_INIT, top = EV_BUF_INIT;
	struct ev_rec r;
	json_t *doc, *v, *v2;
	int ok, it = 0, h;

	doc = jansson_load(line, size);
	ev_rec_init(&r);
	ok = ev_rec_parse(&r, line, size) == 0;
	if (ok != (doc != NULL))
		abort();
	if (ok && ev_utf8_check(line, size) != size)
		abort();
	if (ok && json_is_object(doc)) {
		if (ev_rec_lazy(&r))
			while (ev_rec_next(&r, &it, &k, &h))
				if (!same(json_object_get(doc, k),
				    ev_rec_val_json(&r, h)))
					abort();
		json_object_foreach(doc, k, v) {
			pointer(&spec, "", k);
			check_path(&r, doc, &spec);
			if (!ev_rec_has(&r, k))
				abort();
			if (json_is_object(v)) {
				ev_buf_reset(&top);
				ev_buf_add(&top, spec.data, spec.len);
				ev_buf_addc(&top, '\0');
				json_object_foreach(v, k2, v2) {
					pointer(&spec, top.data, k2);
					check_path(&r, doc, &spec);
					break;
				}
			}
		}
		ev_buf_reset(&spec);
		ev_rec_write(&r, &spec);
		if (spec.len != size || memcmp(spec.data, line, size) != 0)
			abort();
		edit_both(&r, doc);
	}
	json_decref(doc);
	ev_rec_clear(&r);
	ev_buf_free(&spec);
	ev_buf_free(&top);
	return 0;
}
