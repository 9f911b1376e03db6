/*
 * ev_dedupe.h - "seen this id within the last WINDOW of event time?" in
 * bounded memory.
 *
 * Ids are kept as 64-bit hashes (a false duplicate needs a hash collision:
 * about n^2/2^65, 3e-8 for a million ids) with the event time they were
 * last seen at, in insertion order.  An id is a duplicate when it was seen
 * at an event time within the window of the new one.  Entries older than
 * the window (behind the newest event time seen) are dropped from the
 * oldest end, and at most max entries are kept: beyond that the oldest go
 * first.  Memory: at most 32 bytes per entry, allocated up front.
 *
 * Ownership: ev_dedupe_new returns a new set (ev_dedupe_free);
 * ev_dedupe_save returns a new reference.
 */
#ifndef EV_DEDUPE_H
#define EV_DEDUPE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "ev_time.h"

struct ev_dedupe;

struct ev_dedupe *ev_dedupe_new(ev_us_t window, size_t max);
void	ev_dedupe_free(struct ev_dedupe *d);
/* 1 when id was seen within the window of t; else remembers it, 0. */
int	ev_dedupe_check(struct ev_dedupe *d, const char *id, size_t n,
	    ev_us_t t);
size_t	ev_dedupe_count(const struct ev_dedupe *d);
/* Bytes the set may use at most. */
size_t	ev_dedupe_bytes(const struct ev_dedupe *d);
/* State: {"ids":[["<hex hash>",<us>],...]} oldest first. */
json_t	*ev_dedupe_save(const struct ev_dedupe *d);
/* 0, or -1 when data is malformed. */
int	ev_dedupe_restore(struct ev_dedupe *d, const json_t *data);

#endif /* EV_DEDUPE_H */
