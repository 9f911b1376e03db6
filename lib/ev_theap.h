/*
 * ev_theap.h - a binary min-heap of fixed-size items ordered by event time
 * and input line: the buffer in which the event-time engines (ev_funnel,
 * ev_retention) hold events until the watermark passes them.
 *
 * Every item begins with a struct ev_tkey; the heap copies items in and
 * out (it owns its array, not what the items point to).
 *
 * Also the FIFO of deadlines those engines expire in order (attempts'
 * windows, cohorts' horizons): pushed in nondecreasing time, popped from
 * the front; it owns its array, not the pointers it holds.
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

struct ev_tdue {
	ev_us_t		 at;
	void		*p;
};

struct ev_tfifo {
	struct ev_tdue	*v;		/* ring buffer */
	size_t		 head, n, cap;
};

/* Zeroed memory is an empty FIFO. */
void		 ev_tfifo_push(struct ev_tfifo *q, ev_us_t at, void *p);
/* The oldest entry, or NULL when empty; valid until the next push. */
struct ev_tdue	*ev_tfifo_front(const struct ev_tfifo *q);
void		 ev_tfifo_pop(struct ev_tfifo *q);
void		 ev_tfifo_release(struct ev_tfifo *q);

#endif /* EV_THEAP_H */
