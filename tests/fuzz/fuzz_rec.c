/*
 * libFuzzer harness: the lazy record layer against jansson on arbitrary
 * bytes.  Both must accept the same lines, and for an accepted object every
 * top-level member and the first member of each nested object must read
 * the same through the index (typed getters, decoded values, member
 * iteration) as through jansson's tree.  Any difference aborts.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ev_buf.h"
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
	}
	json_decref(doc);
	ev_rec_clear(&r);
	ev_buf_free(&spec);
	ev_buf_free(&top);
	return 0;
}
