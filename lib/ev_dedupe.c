/*
 * ev_dedupe.c - a ring of (hash, time) in insertion order and a linear
 * probing table of ring positions (deletion by backward shift).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_dedupe.h"

struct ev_dedupe {
	ev_us_t		 window;
	size_t		 max, head, count;
	uint64_t	*hash;		/* ring */
	ev_us_t		*ts;
	uint32_t	*slot;		/* ring index + 1, 0 empty */
	size_t		 mask;
	ev_us_t		 newest;
	int		 any;
};

static uint64_t
hash64(const char *s, size_t n)
{
	uint64_t h = ev_hash_mix(ev_hash_bytes(s, n));

	return h ? h : 1;
}

struct ev_dedupe *
ev_dedupe_new(ev_us_t window, size_t max)
{
	struct ev_dedupe *d = ev_xcalloc(1, sizeof(*d));
	size_t cap = 16;

	if (max < 1)
		max = 1;
	if (max > UINT32_MAX / 4)
		max = UINT32_MAX / 4;
	while (cap < max * 2)
		cap *= 2;
	d->window = window;
	d->max = max;
	d->hash = ev_xcalloc(max, sizeof(*d->hash));
	d->ts = ev_xcalloc(max, sizeof(*d->ts));
	d->slot = ev_xcalloc(cap, sizeof(*d->slot));
	d->mask = cap - 1;
	return d;
}

void
ev_dedupe_free(struct ev_dedupe *d)
{
	if (d == NULL)
		return;
	free(d->hash);
	free(d->ts);
	free(d->slot);
	free(d);
}

size_t
ev_dedupe_count(const struct ev_dedupe *d)
{
	return d->count;
}

size_t
ev_dedupe_bytes(const struct ev_dedupe *d)
{
	return d->max * (sizeof(uint64_t) + sizeof(ev_us_t)) +
	    (d->mask + 1) * sizeof(uint32_t);
}

/* The table slot holding ring index ri (whose hash is h). */
static size_t
find_slot(const struct ev_dedupe *d, uint64_t h, size_t ri)
{
	size_t s;

	for (s = h & d->mask; d->slot[s]; s = (s + 1) & d->mask)
		if (d->slot[s] - 1 == ri)
			return s;
	return SIZE_MAX;
}

static void
del_slot(struct ev_dedupe *d, size_t i)
{
	size_t j = i, k;

	for (;;) {
		j = (j + 1) & d->mask;
		if (d->slot[j] == 0) {
			d->slot[i] = 0;
			return;
		}
		k = d->hash[d->slot[j] - 1] & d->mask;
		/* Move j into the hole at i unless its home lies in (i, j]. */
		if ((i <= j) ? (k <= i || k > j) : (k <= i && k > j)) {
			d->slot[i] = d->slot[j];
			i = j;
		}
	}
}

static void
evict_oldest(struct ev_dedupe *d)
{
	size_t s = find_slot(d, d->hash[d->head], d->head);

	if (s != SIZE_MAX)
		del_slot(d, s);
	d->head = (d->head + 1) % d->max;
	d->count--;
}

static void
insert(struct ev_dedupe *d, uint64_t h, ev_us_t t)
{
	size_t ri, s;

	if (d->count == d->max)
		evict_oldest(d);
	ri = (d->head + d->count) % d->max;
	d->hash[ri] = h;
	d->ts[ri] = t;
	d->count++;
	for (s = h & d->mask; d->slot[s]; s = (s + 1) & d->mask)
		;
	d->slot[s] = (uint32_t)(ri + 1);
}

int
ev_dedupe_check(struct ev_dedupe *d, const char *id, size_t n, ev_us_t t)
{
	uint64_t h = hash64(id, n);
	size_t s;

	if (!d->any || t > d->newest) {
		d->newest = t;
		d->any = 1;
	}
	while (d->count > 0 && d->ts[d->head] < d->newest - d->window)
		evict_oldest(d);
	for (s = h & d->mask; d->slot[s]; s = (s + 1) & d->mask) {
		size_t ri = d->slot[s] - 1;
		if (d->hash[ri] != h)
			continue;
		if (t - d->ts[ri] <= d->window && d->ts[ri] - t <= d->window)
			return 1;
		d->ts[ri] = t;	/* seen again after the window: renew */
		return 0;
	}
	insert(d, h, t);
	return 0;
}

json_t *
ev_dedupe_save(const struct ev_dedupe *d)
{
	json_t *ids = json_array();
	size_t i;

	for (i = 0; i < d->count; i++) {
		size_t ri = (d->head + i) % d->max;
		char hex[17];
		snprintf(hex, sizeof(hex), "%016" PRIx64, d->hash[ri]);
		json_array_append_new(ids, json_pack("[s,I]", hex,
		    (json_int_t)d->ts[ri]));
	}
	return json_pack("{s:o}", "ids", ids);
}

int
ev_dedupe_restore(struct ev_dedupe *d, const json_t *data)
{
	const json_t *ids = json_object_get(data, "ids"), *e;
	size_t i;

	if (!json_is_array(ids))
		return -1;
	json_array_foreach(ids, i, e) {
		const char *hex = json_string_value(json_array_get(e, 0));
		const json_t *t = json_array_get(e, 1);
		char *end;
		uint64_t h;
		if (hex == NULL || !json_is_integer(t))
			return -1;
		h = strtoull(hex, &end, 16);
		if (*end != '\0' || h == 0)
			return -1;
		if (!d->any || json_integer_value(t) > d->newest) {
			d->newest = json_integer_value(t);
			d->any = 1;
		}
		insert(d, h, json_integer_value(t));
	}
	return 0;
}
