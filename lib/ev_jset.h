/*
 * ev_jset.h - JSON values compared as JSON Schema compares them, hashed by
 * that comparison, and kept in a set for O(1) membership.
 *
 * Equality (JSON Schema, "instance equality"): numbers are equal when
 * their values are (1 equals 1.0 and 1e0; two integers compare exactly,
 * anything with a real as doubles), strings byte for byte, arrays item by
 * item, objects member by member whatever their order; nothing else is
 * equal across types.  ev_jset_hash is consistent with it: equal values
 * have equal hashes (numbers hash by their double value, object members
 * combine without order), so the hash may stand for the canonical JSON
 * text without building it.
 *
 * The set serves "enum" in the validator (one lookup instead of a scan of
 * every value), "uniqueItems", and is meant for comparing two enums
 * (ev-schema compat) in linear time.
 *
 * Ownership: a set borrows the values added to it; they must outlive the
 * set (or its next ev_jset_free).  The set itself is new
 * (ev_jset_new/ev_jset_free).
 */
#ifndef EV_JSET_H
#define EV_JSET_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct ev_jset;

/* 1 when a and b are equal as JSON Schema says, else 0. */
int		 ev_jset_equal(const json_t *a, const json_t *b);
/* A 64-bit hash of v; equal values (ev_jset_equal) hash the same. */
uint64_t	 ev_jset_hash(const json_t *v);

/* An empty set sized for about n values (it grows as needed). */
struct ev_jset	*ev_jset_new(size_t n);
void		 ev_jset_free(struct ev_jset *s);
/*
 * Add v (borrowed) with a tag of the caller's (an index, say).  Returns 0
 * when added; 1 when an equal value is already in the set, which is left
 * as it was, with *old_tag (may be NULL) set to that value's tag.
 */
int		 ev_jset_add(struct ev_jset *s, const json_t *v, size_t tag,
		    size_t *old_tag);
/* 1 when a value equal to v is in s (*tag, may be NULL, gets its tag). */
int		 ev_jset_find(const struct ev_jset *s, const json_t *v,
		    size_t *tag);
/* The number of distinct values in s. */
size_t		 ev_jset_count(const struct ev_jset *s);

#endif /* EV_JSET_H */
