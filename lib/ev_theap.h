/*
 * ev_theap.h - a binary min-heap of fixed-size items ordered by event time
 * and input line: the buffer in which the event-time engines (ev_funnel,
 * ev_retention) hold events until the watermark passes them.
 *
 * Every item begins with a struct ev_tkey; the heap copies items in and
 * out (it owns its array, not what the items point to).
 */
#ifndef EV_THEAP_H
#define EV_THEAP_H

#include <stddef.h>
#include <stdint.h>

#include "ev_time.h"

struct ev_tkey {
	ev_us_t		 t;
	uint64_t	 line;		/* tie-break between equal times */
};

struct ev_theap {
	unsigned char	*v;
	size_t		 n, cap, size;
	unsigned char	*tmp;		/* one item, for swaps */
};

void		 ev_theap_init(struct ev_theap *h, size_t size);
void		 ev_theap_release(struct ev_theap *h);
void		 ev_theap_push(struct ev_theap *h, const void *item);
/* The least item, or NULL when empty; valid until the next push or pop. */
void		*ev_theap_top(const struct ev_theap *h);
/* Copy the least item to out and remove it; the heap must not be empty. */
void		 ev_theap_pop(struct ev_theap *h, void *out);

#endif /* EV_THEAP_H */
