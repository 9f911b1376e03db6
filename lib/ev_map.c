/* ev_map.c - open-addressing hash map; see ev_map.h. */
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_map.h"

#define SLOT(m, i)	((struct ev_map_ent *)(void *)((m)->slot + \
			    (i) * (m)->stride))

void
ev_map_init(struct ev_map *m, size_t vsize, size_t cap, int flags)
{
	size_t c = 8;

	while (c < cap)
		c *= 2;
	m->cap = m->cap0 = c;
	m->n = 0;
	m->stride = sizeof(struct ev_map_ent) + (vsize + 7) / 8 * 8;
	m->flags = flags;
	m->slot = ev_xcalloc(c, m->stride);
}

void
ev_map_release(struct ev_map *m)
{
	size_t i;

	if (m->slot == NULL)
		return;
	if (!(m->flags & EV_MAP_BORROW))
		for (i = 0; i < m->cap; i++)
			free((void *)(uintptr_t)SLOT(m, i)->key);
	free(m->slot);
	m->slot = NULL;
	m->cap = m->n = 0;
}

/* Place a slot's bytes into the first free slot of its probe sequence. */
static void
place(struct ev_map *m, const struct ev_map_ent *e)
{
	size_t mask = m->cap - 1, j = e->hash & mask, k;
	size_t words = m->stride / 8;
	const uint64_t *s = (const uint64_t *)(const void *)e;
	uint64_t *d;

	while (SLOT(m, j)->key != NULL)
		j = (j + 1) & mask;
	/* Slots are whole words: a copy loop beats a call to memcpy. */
	d = (uint64_t *)(void *)SLOT(m, j);
	for (k = 0; k < words; k++)
		d[k] = s[k];
	m->n++;
}

/* Double the table, placing the entries in the old slot order. */
static void
grow(struct ev_map *m)
{
	char *old = m->slot;
	size_t i, oldcap = m->cap;

	m->cap *= 2;
	m->n = 0;
	m->slot = ev_xcalloc(m->cap, m->stride);
	for (i = 0; i < oldcap; i++) {
		const struct ev_map_ent *e = (const struct ev_map_ent *)
		    (const void *)(old + i * m->stride);

		if (e->key != NULL)
			place(m, e);
	}
	free(old);
}

struct ev_map_ent *
ev_map_put(struct ev_map *m, const void *key, size_t klen, uint64_t hash,
    int *isnew)
{
	char *base, *k;
	size_t stride = m->stride, mask, j;
	struct ev_map_ent *e;

	if (key == NULL)
		key = "";
	if ((m->n + 1) * 4 > m->cap * 3)
		grow(m);
	base = m->slot;
	mask = m->cap - 1;
	j = hash & mask;
	while ((e = (struct ev_map_ent *)(void *)(base + j * stride))->key !=
	    NULL) {
		if (e->hash == hash && e->klen == klen &&
		    memcmp(e->key, key, klen) == 0) {
			if (isnew != NULL)
				*isnew = 0;
			return e;
		}
		j = (j + 1) & mask;
	}
	if (m->flags & EV_MAP_BORROW)
		e->key = key;
	else {
		k = ev_xmalloc(klen + 1);
		memcpy(k, key, klen);
		k[klen] = '\0';
		e->key = k;
	}
	e->klen = klen;
	e->hash = hash;
	m->n++;
	if (isnew != NULL)
		*isnew = 1;
	return e;
}

void
ev_map_del(struct ev_map *m, struct ev_map_ent *e)
{
	size_t mask = m->cap - 1;
	size_t i = (size_t)((char *)e - m->slot) / m->stride, j = i, home;
	struct ev_map_ent *f;

	if (!(m->flags & EV_MAP_BORROW))
		free((void *)(uintptr_t)e->key);
	/*
	 * Shift back every later entry of the cluster whose home slot is not
	 * between the hole and itself (cyclically), so no probe sequence
	 * crosses an empty slot before reaching its key.
	 */
	for (;;) {
		j = (j + 1) & mask;
		f = SLOT(m, j);
		if (f->key == NULL)
			break;
		home = f->hash & mask;
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		memcpy(SLOT(m, i), f, m->stride);
		i = j;
	}
	memset(SLOT(m, i), 0, m->stride);
	m->n--;
}

void
ev_map_filter(struct ev_map *m, int (*keep)(struct ev_map_ent *, void *),
    void *arg)
{
	char *old = m->slot;
	size_t i, oldcap = m->cap;

	m->cap = m->cap0;
	m->n = 0;
	m->slot = ev_xcalloc(m->cap, m->stride);
	for (i = 0; i < oldcap; i++) {
		struct ev_map_ent *e = (struct ev_map_ent *)(void *)(old +
		    i * m->stride);

		if (e->key == NULL)
			continue;
		if (!keep(e, arg)) {
			if (!(m->flags & EV_MAP_BORROW))
				free((void *)(uintptr_t)e->key);
			continue;
		}
		/* The same growth as ev_map_put, so layouts match. */
		if ((m->n + 1) * 4 > m->cap * 3)
			grow(m);
		place(m, e);
	}
	free(old);
}
