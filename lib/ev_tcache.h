/*
 * ev_tcache.h - a bounded cache of text by key, for the JSON text of
 * members ev-enrich adds again and again (page and campaign by URL,
 * referrer by URL and page host, geo by address).  Direct-mapped: a key
 * takes the slot of its hash, putting out whatever was there, so memory
 * stays within the slots given however many keys come.  What is cached
 * must be a function of the key alone.
 *
 * Ownership: ev_tcache_new returns a new cache (ev_tcache_free), which
 * owns copies of the keys and texts put in it.  ev_tcache_get returns
 * text borrowed from the cache, valid until the next ev_tcache_put.
 */
#ifndef EV_TCACHE_H
#define EV_TCACHE_H

#include <stddef.h>

struct ev_tcache;

/* slots is rounded up to a power of two. */
struct ev_tcache *ev_tcache_new(size_t slots);
void	ev_tcache_free(struct ev_tcache *c);
/* The text of key (*len bytes, NUL-terminated), or NULL. */
const char *ev_tcache_get(struct ev_tcache *c, const char *key,
	    size_t keylen, size_t *len);
void	ev_tcache_put(struct ev_tcache *c, const char *key, size_t keylen,
	    const char *text, size_t len);

#endif /* EV_TCACHE_H */
