/* ev_rec.c - records over jansson, keeping the original bytes. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ev_common.h"
#include "ev_rec.h"

void
ev_rec_init(struct ev_rec *r)
{
	memset(r, 0, sizeof *r);
}

void
ev_rec_clear(struct ev_rec *r)
{
	json_decref(r->root);
	json_decref(r->added);
	r->root = r->added = NULL;
	r->raw = NULL;
	r->rawlen = 0;
	r->dirty = 0;
	r->err[0] = '\0';
}

int
ev_rec_parse(struct ev_rec *r, const char *line, size_t len)
{
	json_error_t e;
	size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;

	ev_rec_clear(r);
	r->raw = line;
	r->rawlen = len;
	r->root = json_loadb(line, len, flags, &e);
	if (r->root == NULL && strstr(e.text, "too big") != NULL)
		r->root = json_loadb(line, len,
		    flags | JSON_DECODE_INT_AS_REAL, &e);
	if (r->root == NULL) {
		snprintf(r->err, sizeof r->err, "invalid JSON at byte %d: %s",
		    e.position, e.text);
		r->err_pos = (size_t)(e.position > 0 ? e.position : 0);
		return -1;
	}
	return 0;
}

json_t *
ev_rec_root(const struct ev_rec *r)
{
	return r->root;
}

json_t *
ev_rec_get(const struct ev_rec *r, const struct ev_path *p)
{
	if (r->root == NULL)
		return NULL;
	return ev_path_get(p, r->root);
}

int
ev_rec_str(const struct ev_rec *r, const struct ev_path *p, const char **s,
    size_t *len)
{
	json_t *v = ev_rec_get(r, p);

	if (v == NULL || json_is_null(v))
		return -1;
	if (!json_is_string(v))
		return -2;
	*s = json_string_value(v);
	if (len)
		*len = json_string_length(v);
	return 0;
}

int
ev_rec_num(const struct ev_rec *r, const struct ev_path *p, double *out)
{
	json_t *v = ev_rec_get(r, p);

	if (v == NULL || json_is_null(v))
		return -1;
	if (!json_is_number(v))
		return -2;
	*out = json_number_value(v);
	return 0;
}

int
ev_rec_int(const struct ev_rec *r, const struct ev_path *p, int64_t *out)
{
	json_t *v = ev_rec_get(r, p);
	double d;

	if (v == NULL || json_is_null(v))
		return -1;
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
ev_rec_time(const struct ev_rec *r, const struct ev_path *p, ev_us_t *t)
{
	json_t *v = ev_rec_get(r, p);

	if (v == NULL || json_is_null(v))
		return -1;
	return ev_time_from_json(v, t) == 0 ? 0 : -2;
}

void
ev_rec_add(struct ev_rec *r, const char *key, json_t *val)
{
	if (!json_is_object(r->root)) {
		json_decref(val);
		return;
	}
	if (!r->dirty && json_object_get(r->root, key) != NULL &&
	    (r->added == NULL || json_object_get(r->added, key) == NULL))
		r->dirty = 1;	/* replaces an original member */
	if (!r->dirty) {
		if (r->added == NULL)
			r->added = json_object();
		json_object_set(r->added, key, val);
	}
	json_object_set_new(r->root, key, val);
}

int
ev_rec_set(struct ev_rec *r, const struct ev_path *p, json_t *val)
{
	r->dirty = 1;
	return ev_path_set(p, r->root, val);
}

int
ev_rec_del(struct ev_rec *r, const struct ev_path *p)
{
	int n = ev_path_del(p, r->root);

	if (n)
		r->dirty = 1;
	return n;
}

void
ev_rec_touch(struct ev_rec *r)
{
	r->dirty = 1;
}

int
ev_rec_changed(const struct ev_rec *r)
{
	return r->dirty || (r->added && json_object_size(r->added) > 0);
}

void
ev_json_write(const json_t *v, struct ev_buf *b)
{
	const char *k;
	json_t *m;
	size_t i;
	int first = 1;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		ev_buf_addc(b, '{');
		json_object_foreach((json_t *)(uintptr_t)v, k, m) {
			if (!first)
				ev_buf_addc(b, ',');
			first = 0;
			ev_buf_add_jstr(b, k, strlen(k));
			ev_buf_addc(b, ':');
			ev_json_write(m, b);
		}
		ev_buf_addc(b, '}');
		break;
	case JSON_ARRAY:
		ev_buf_addc(b, '[');
		for (i = 0; i < json_array_size(v); i++) {
			if (i)
				ev_buf_addc(b, ',');
			ev_json_write(json_array_get(v, i), b);
		}
		ev_buf_addc(b, ']');
		break;
	case JSON_STRING:
		ev_buf_add_jstr(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		ev_buf_add_int(b, json_integer_value(v));
		break;
	case JSON_REAL: {
		double d = json_real_value(v);

		ev_buf_add_num(b, d);
		/* Keep a real a real when it has no fraction. */
		if (isfinite(d) && d == trunc(d) && fabs(d) < 9007199254740992.0)
			ev_buf_add(b, ".0", 2);
		break;
	}
	case JSON_TRUE:
		ev_buf_add(b, "true", 4);
		break;
	case JSON_FALSE:
		ev_buf_add(b, "false", 5);
		break;
	case JSON_NULL:
		ev_buf_add(b, "null", 4);
		break;
	}
}

void
ev_rec_write(struct ev_rec *r, struct ev_buf *b)
{
	const char *k;
	json_t *m;
	size_t end;
	int empty;

	if (r->dirty || r->raw == NULL) {
		if (r->root)
			ev_json_write(r->root, b);
		return;
	}
	if (r->added == NULL || json_object_size(r->added) == 0) {
		ev_buf_add(b, r->raw, r->rawlen);
		return;
	}
	/* Splice the new members in before the closing brace. */
	end = r->rawlen;
	while (end > 0 && r->raw[end - 1] != '}')
		end--;
	if (end == 0) {
		ev_json_write(r->root, b);
		return;
	}
	end--;
	empty = json_object_size(r->root) == json_object_size(r->added);
	ev_buf_add(b, r->raw, end);
	json_object_foreach(r->added, k, m) {
		if (!empty)
			ev_buf_addc(b, ',');
		empty = 0;
		ev_buf_add_jstr(b, k, strlen(k));
		ev_buf_addc(b, ':');
		ev_json_write(m, b);
	}
	ev_buf_add(b, r->raw + end, r->rawlen - end);
}
