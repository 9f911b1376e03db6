/* ev_path.c - dotted paths and JSON Pointers over jansson documents. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_path.h"

static long
seg_index(const char *s, size_t n)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 9 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static void
add_seg(struct ev_path *p, const char *s, size_t n, int pointer)
{
	struct ev_path_seg *sg;
	char *k = ev_xmalloc(n + 1);
	size_t i, j = 0;

	for (i = 0; i < n; i++) {
		if (pointer && s[i] == '~' && i + 1 < n &&
		    (s[i + 1] == '0' || s[i + 1] == '1')) {
			k[j++] = s[i + 1] == '0' ? '~' : '/';
			i++;
		} else {
			k[j++] = s[i];
		}
	}
	k[j] = '\0';
	p->seg = ev_xreallocarray(p->seg, p->nseg + 1, sizeof *p->seg);
	sg = &p->seg[p->nseg++];
	sg->key = k;
	sg->keylen = j;
	sg->index = seg_index(k, j);
}

/* Compile n bytes of spec (which may hold NUL bytes when decoded). */
static struct ev_path *
compile(const char *spec, size_t n, const char **errstr)
{
	struct ev_path *p;
	const char *s, *e, *end = spec + n;
	int pointer;
	char sep;

	*errstr = NULL;
	if (n == 0) {
		*errstr = "empty path";
		return NULL;
	}
	p = ev_xcalloc(1, sizeof *p);
	p->spec = ev_xmalloc(n + 1);
	memcpy(p->spec, spec, n);
	p->spec[n] = '\0';
	pointer = spec[0] == '/';
	sep = pointer ? '/' : '.';
	s = pointer ? spec + 1 : spec;
	for (;;) {
		e = memchr(s, sep, (size_t)(end - s));
		if (e == NULL)
			e = end;
		if (e == s && !pointer) {
			*errstr = "empty segment in dotted path";
			ev_path_free(p);
			return NULL;
		}
		if (pointer) {
			const char *q;

			for (q = s; q < e; q++)
				if (*q == '~' && (q + 1 >= e ||
				    (q[1] != '0' && q[1] != '1'))) {
					*errstr = "bad ~ escape in JSON Pointer";
					ev_path_free(p);
					return NULL;
				}
		}
		add_seg(p, s, (size_t)(e - s), pointer);
		if (e == end)
			break;
		s = e + 1;
	}
	return p;
}

struct ev_path *
ev_path_compile(const char *spec, const char **errstr)
{
	return compile(spec, spec != NULL ? strlen(spec) : 0, errstr);
}

char *
ev_path_pct_decode(const char *s, size_t *len)
{
	struct ev_buf b = EV_BUF_INIT;

	for (; *s != '\0'; s++) {
		/* pct-encoded = "%" HEXDIG HEXDIG: no sign, no space. */
		if (*s == '%' && isxdigit((unsigned char)s[1]) &&
		    isxdigit((unsigned char)s[2])) {
			char hex[3] = { s[1], s[2], '\0' };
			ev_buf_addc(&b, (char)strtol(hex, NULL, 16));
			s += 2;
		} else
			ev_buf_addc(&b, *s);
	}
	return ev_buf_detach(&b, len);
}

struct ev_path *
ev_path_fragment(const char *frag, const char **errstr)
{
	struct ev_path *p;
	size_t n;
	char *d = ev_path_pct_decode(frag, &n);

	if (d[0] != '/') {
		*errstr = "a JSON Pointer fragment begins with '/'";
		free(d);
		return NULL;
	}
	p = compile(d, n, errstr);
	free(d);
	return p;
}

void
ev_path_free(struct ev_path *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nseg; i++)
		free(p->seg[i].key);
	free(p->seg);
	free(p->spec);
	free(p);
}

static json_t *
step(const json_t *v, const struct ev_path_seg *sg)
{
	if (json_is_object(v))
		return json_object_getn(v, sg->key, sg->keylen);
	if (json_is_array(v) && sg->index >= 0)
		return json_array_get(v, (size_t)sg->index);
	return NULL;
}

json_t *
ev_path_get(const struct ev_path *p, const json_t *root)
{
	return ev_path_get_at(p, 0, root);
}

json_t *
ev_path_get_at(const struct ev_path *p, size_t from, const json_t *v)
{
	size_t i;

	for (i = from; i < p->nseg && v != NULL; i++)
		v = step(v, &p->seg[i]);
	return (json_t *)(uintptr_t)v;
}

int
ev_path_set(const struct ev_path *p, json_t *root, json_t *val)
{
	json_t *v = root, *next;
	size_t i;

	if (p->nseg == 0 || !json_is_object(root)) {
		json_decref(val);
		return -1;
	}
	for (i = 0; i + 1 < p->nseg; i++) {
		next = step(v, &p->seg[i]);
		if (next == NULL) {
			if (!json_is_object(v)) {
				json_decref(val);
				return -1;
			}
			next = json_object();
			json_object_setn_new(v, p->seg[i].key,
			    p->seg[i].keylen, next);
		}
		if (!json_is_object(next) && !json_is_array(next)) {
			json_decref(val);
			return -1;
		}
		v = next;
	}
	if (json_is_object(v))
		return json_object_setn_new(v, p->seg[i].key,
		    p->seg[i].keylen, val) == 0 ? 0 : -1;
	if (json_is_array(v) && p->seg[i].index >= 0 &&
	    (size_t)p->seg[i].index < json_array_size(v))
		return json_array_set_new(v, (size_t)p->seg[i].index, val);
	json_decref(val);
	return -1;
}

int
ev_path_del(const struct ev_path *p, json_t *root)
{
	json_t *v = root;
	size_t i;

	if (p->nseg == 0)
		return 0;
	for (i = 0; i + 1 < p->nseg && v != NULL; i++)
		v = step(v, &p->seg[i]);
	if (v == NULL)
		return 0;
	if (json_is_object(v))
		return json_object_deln(v, p->seg[i].key,
		    p->seg[i].keylen) == 0;
	if (json_is_array(v) && p->seg[i].index >= 0)
		return json_array_remove(v, (size_t)p->seg[i].index) == 0;
	return 0;
}

void
ev_path_add_segment(struct ev_buf *buf, const char *seg, size_t len)
{
	size_t i;

	ev_buf_addc(buf, '/');
	for (i = 0; i < len; i++) {
		if (seg[i] == '~')
			ev_buf_add(buf, "~0", 2);
		else if (seg[i] == '/')
			ev_buf_add(buf, "~1", 2);
		else
			ev_buf_addc(buf, seg[i]);
	}
}

void
ev_path_push(struct ev_buf *buf, const char *seg)
{
	ev_path_add_segment(buf, seg, strlen(seg));
}

void
ev_path_push_index(struct ev_buf *buf, size_t i)
{
	ev_buf_printf(buf, "/%zu", i);
}

void
ev_path_pop(struct ev_buf *buf, size_t len)
{
	buf->len = len;
	if (buf->data != NULL)
		buf->data[len] = '\0';
}

char *
ev_path_join(const char *base, const char *key)
{
	struct ev_buf b = EV_BUF_INIT;

	ev_buf_adds(&b, base);
	ev_path_push(&b, key);
	return ev_buf_detach(&b, NULL);
}

char *
ev_path_join_index(const char *base, size_t i)
{
	struct ev_buf b = EV_BUF_INIT;

	ev_buf_adds(&b, base);
	ev_path_push_index(&b, i);
	return ev_buf_detach(&b, NULL);
}

void
ev_path_pointer(const struct ev_path *p, struct ev_buf *buf)
{
	size_t i;

	for (i = 0; i < p->nseg; i++)
		ev_path_add_segment(buf, p->seg[i].key, p->seg[i].keylen);
}

const char *
ev_path_leaf(const struct ev_path *p)
{
	return p->nseg ? p->seg[p->nseg - 1].key : "";
}
