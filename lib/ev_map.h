/*
 * ev_map.h - one open-addressing hash map from byte strings to small
 * fixed-size values, for the tables of groups, cells, distinct values and
 * lookup rows.
 *
 * Keys are byte strings with a length; the caller hashes them (so a key
 * hashed once can be looked up in several maps) and any 64-bit hash works
 * whose low bits are well spread (ev_hash_bytes, ev_hll_hash).  Each slot
 * holds the hash, the key and its length, followed by the value: vsize
 * bytes, rounded up to a multiple of 8, aligned for any type up to 8 bytes.
 * A new entry's value is all zero bytes.
 *
 * Probing is linear from hash & (cap - 1); the table doubles before an
 * insert that would take it past three quarters full, and iteration walks
 * the slots in order.  So for the same sequence of operations and hashes
 * the layout and the iteration order are always the same: a state file
 * written by walking a map is reproducible.
 *
 * Users: ev_agg (value -> count), ev_window (group key -> group, cell),
 * ev_lookup (key -> first row, keys borrowed from the rows), and the series
 * tables of ev_report_store (key -> index into its array) and
 * ev_detect_series (key -> series), both borrowing the series' own copy of
 * the key and keeping their series in creation order in an array of their
 * own, which is what their output walks.  ev_jset (JSON values under
 * structural equality) and ev_geo's set of integers do not: their keys are
 * not byte strings.
 *
 * Memory per entry: a slot of 24 + vsize (rounded up to 8) bytes, times
 * 1.33 to 2.67 slots per entry (the load stays between 3/8 and 3/4 once
 * grown); plus, unless EV_MAP_BORROW, a copy of the key (klen + 1 bytes and
 * malloc's overhead).  A map with vsize 8 takes 43-85 bytes per entry
 * before its keys.
 *
 * Ownership: without EV_MAP_BORROW the map copies each key on insert (NUL
 * terminated, so key[klen] == '\0') and frees it on delete and release;
 * with EV_MAP_BORROW it keeps the caller's pointer, which must outlive the
 * entry.  Values are the caller's: the map never looks inside them, so
 * whatever they point to is released by the caller before ev_map_del,
 * ev_map_release or a refusal in ev_map_filter.  Entry pointers are
 * borrowed and stay valid only until the next insert, delete or filter.
 */
#ifndef EV_MAP_H
#define EV_MAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define EV_MAP_BORROW	0x1	/* keep the caller's key pointers */

/* A slot; the value follows it (ev_map_val). */
struct ev_map_ent {
	uint64_t	 hash;
	const char	*key;	/* NULL: an empty slot */
	size_t		 klen;
};

struct ev_map {
	char		*slot;		/* cap slots of stride bytes */
	size_t		 cap;		/* a power of two */
	size_t		 n;		/* entries */
	size_t		 stride;
	size_t		 cap0;		/* the size to start from */
	int		 flags;
};

/*
 * An empty map of values of vsize bytes, starting with cap slots (rounded
 * up to a power of two, at least 8).
 */
void	ev_map_init(struct ev_map *m, size_t vsize, size_t cap, int flags);

/* Free the slots and the owned keys (not what values point to). */
void	ev_map_release(struct ev_map *m);

/* The entry for key, or NULL (inline: it is the hot path of callers). */
static inline struct ev_map_ent *
ev_map_find(const struct ev_map *m, const void *key, size_t klen,
    uint64_t hash)
{
	/* Locals, not m->: memcmp could alias them for the compiler. */
	char *base = m->slot;
	size_t stride = m->stride, mask = m->cap - 1, j = hash & mask;
	struct ev_map_ent *e;

	if (key == NULL)	/* an empty key from an empty buffer */
		key = "";
	while ((e = (struct ev_map_ent *)(void *)(base + j * stride))->key !=
	    NULL) {
		if (e->hash == hash && e->klen == klen &&
		    memcmp(e->key, key, klen) == 0)
			return e;
		j = (j + 1) & mask;
	}
	return NULL;
}

/*
 * The entry for key, inserted with a zero value when absent; *isnew (if not
 * NULL) says which.  The table may grow first, even when the key is there.
 */
struct ev_map_ent *ev_map_put(struct ev_map *m, const void *key,
	    size_t klen, uint64_t hash, int *isnew);

/*
 * Remove an entry found by ev_map_find or ev_map_put (backward-shift
 * deletion: no tombstones, later lookups stay as short as before).  Not
 * while iterating.
 */
void	ev_map_del(struct ev_map *m, struct ev_map_ent *e);

/*
 * Iteration in slot order: start with *i = 0; returns the next entry, or
 * NULL at the end.
 */
static inline struct ev_map_ent *
ev_map_next(const struct ev_map *m, size_t *i)
{
	struct ev_map_ent *e;

	for (; *i < m->cap; (*i)++) {
		e = (struct ev_map_ent *)(void *)(m->slot + *i * m->stride);
		if (e->key != NULL) {
			(*i)++;
			return e;
		}
	}
	return NULL;
}

/*
 * Keep the entries keep() accepts (non-zero), visited in slot order, and
 * rebuild the table from its starting size around them, so it also shrinks.
 * When keep() refuses an entry it has released what the value holds.
 */
void	ev_map_filter(struct ev_map *m,
	    int (*keep)(struct ev_map_ent *, void *), void *arg);

/* The value of an entry. */
static inline void *
ev_map_val(struct ev_map_ent *e)
{
	return e + 1;
}

#endif /* EV_MAP_H */
