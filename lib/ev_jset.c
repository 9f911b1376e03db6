/* ev_jset.c - JSON Schema equality, a hash consistent with it, and a set. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_jset.h"

struct jset_slot {
	uint64_t	 h;
	const json_t	*v;		/* NULL: empty */
	size_t		 tag;
};

struct ev_jset {
	struct jset_slot *slot;
	size_t		  cap;		/* a power of two */
	size_t		  n;
};

/* Tags that keep the hashes of different types apart. */
enum { H_NULL = 1, H_TRUE, H_FALSE, H_NUM, H_STR, H_ARR, H_OBJ };

static double
num(const json_t *v)
{
	return json_is_integer(v) ? (double)json_integer_value(v) :
	    json_real_value(v);
}

int
ev_jset_equal(const json_t *a, const json_t *b)
{
	size_t i;
	const char *k;
	json_t *v;

	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b))
			return json_integer_value(a) == json_integer_value(b);
		return num(a) == num(b);
	}
	if (json_typeof(a) != json_typeof(b))
		return 0;
	switch (json_typeof(a)) {
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		    memcmp(json_string_value(a), json_string_value(b),
		    json_string_length(a)) == 0;
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (i = 0; i < json_array_size(a); i++)
			if (!ev_jset_equal(json_array_get(a, i),
			    json_array_get(b, i)))
				return 0;
		return 1;
	case JSON_OBJECT:
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach((json_t *)(uintptr_t)a, k, v) {
			const json_t *w = json_object_get(b, k);
			if (w == NULL || !ev_jset_equal(v, w))
				return 0;
		}
		return 1;
	default:
		return 1;	/* null, true, false */
	}
}

uint64_t
ev_jset_hash(const json_t *v)
{
	uint64_t h, bits;
	double d;
	size_t i;
	const char *k;
	json_t *m;

	switch (json_typeof(v)) {
	case JSON_NULL:
		return ev_hash_mix(H_NULL);
	case JSON_TRUE:
		return ev_hash_mix(H_TRUE);
	case JSON_FALSE:
		return ev_hash_mix(H_FALSE);
	case JSON_INTEGER:
	case JSON_REAL:
		/*
		 * By the double value: 1 and 1.0 meet, and two integers equal
		 * as integers are equal as doubles.  -0 is 0.
		 */
		d = num(v);
		if (d == 0)
			d = 0;
		memcpy(&bits, &d, sizeof(bits));
		return ev_hash_mix(bits ^ ((uint64_t)H_NUM << 56));
	case JSON_STRING:
		return ev_hash_mix(ev_hash_bytes(json_string_value(v),
		    json_string_length(v)) ^ H_STR);
	case JSON_ARRAY:
		h = ev_hash_mix(H_ARR + json_array_size(v));
		for (i = 0; i < json_array_size(v); i++)
			h = ev_hash_mix(h ^ ev_jset_hash(json_array_get(v, i)));
		return h;
	case JSON_OBJECT:
		/* Members add up, so their order does not count. */
		h = 0;
		json_object_foreach((json_t *)(uintptr_t)v, k, m)
			h += ev_hash_mix(ev_hash_bytes(k, strlen(k)) ^
			    ev_hash_mix(ev_jset_hash(m)));
		return ev_hash_mix(h ^ ((uint64_t)H_OBJ << 56) ^
		    json_object_size(v));
	}
	return 0;
}

struct ev_jset *
ev_jset_new(size_t n)
{
	struct ev_jset *s = ev_xcalloc(1, sizeof(*s));

	s->cap = 16;
	while (s->cap < 2 * n)
		s->cap *= 2;
	s->slot = ev_xcalloc(s->cap, sizeof(*s->slot));
	return s;
}

void
ev_jset_free(struct ev_jset *s)
{
	if (s == NULL)
		return;
	free(s->slot);
	free(s);
}

/* The slot holding a value equal to v (hash h), or the empty one to use. */
static struct jset_slot *
probe(const struct ev_jset *s, const json_t *v, uint64_t h)
{
	size_t i = (size_t)h & (s->cap - 1);

	while (s->slot[i].v != NULL && (s->slot[i].h != h ||
	    !ev_jset_equal(s->slot[i].v, v)))
		i = (i + 1) & (s->cap - 1);
	return &s->slot[i];
}

static void
grow(struct ev_jset *s)
{
	struct jset_slot *old = s->slot;
	size_t i, oldcap = s->cap;

	s->cap *= 2;
	s->slot = ev_xcalloc(s->cap, sizeof(*s->slot));
	for (i = 0; i < oldcap; i++) {
		size_t j;
		if (old[i].v == NULL)
			continue;
		j = (size_t)old[i].h & (s->cap - 1);
		while (s->slot[j].v != NULL)
			j = (j + 1) & (s->cap - 1);
		s->slot[j] = old[i];
	}
	free(old);
}

int
ev_jset_add(struct ev_jset *s, const json_t *v, size_t tag, size_t *old_tag)
{
	uint64_t h = ev_jset_hash(v);
	struct jset_slot *e = probe(s, v, h);

	if (e->v != NULL) {
		if (old_tag)
			*old_tag = e->tag;
		return 1;
	}
	e->h = h;
	e->v = v;
	e->tag = tag;
	if (2 * ++s->n > s->cap)
		grow(s);
	return 0;
}

int
ev_jset_find(const struct ev_jset *s, const json_t *v, size_t *tag)
{
	const struct jset_slot *e = probe(s, v, ev_jset_hash(v));

	if (e->v == NULL)
		return 0;
	if (tag)
		*tag = e->tag;
	return 1;
}

size_t
ev_jset_count(const struct ev_jset *s)
{
	return s->n;
}
