/*
 * ev_tcache.c - a direct-mapped cache of text by key (see ev_tcache.h).
 * A slot holds one block: the key's bytes, then the text and a NUL.
 */
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_tcache.h"

struct slot {
	uint64_t	 h;
	char		*block;		/* key then text (owned) */
	size_t		 keylen, len, cap;
};

struct ev_tcache {
	struct slot	*slot;
	size_t		 mask;
};

struct ev_tcache *
ev_tcache_new(size_t slots)
{
	struct ev_tcache *c = ev_xcalloc(1, sizeof(*c));
	size_t n = 1;

	while (n < slots)
		n *= 2;
	c->slot = ev_xcalloc(n, sizeof(*c->slot));
	c->mask = n - 1;
	return c;
}

void
ev_tcache_free(struct ev_tcache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i <= c->mask; i++)
		free(c->slot[i].block);
	free(c->slot);
	free(c);
}

const char *
ev_tcache_get(struct ev_tcache *c, const char *key, size_t keylen,
    size_t *len)
{
	uint64_t h = ev_hash_bytes(key, keylen);
	struct slot *s = &c->slot[h & c->mask];

	if (s->block != NULL && s->h == h && s->keylen == keylen &&
	    memcmp(s->block, key, keylen) == 0) {
		*len = s->len;
		return s->block + keylen;
	}
	return NULL;
}

void
ev_tcache_put(struct ev_tcache *c, const char *key, size_t keylen,
    const char *text, size_t len)
{
	uint64_t h = ev_hash_bytes(key, keylen);
	struct slot *s = &c->slot[h & c->mask];
	size_t need = keylen + len + 1;

	if (need > s->cap) {
		free(s->block);
		s->block = ev_xmalloc(need);
		s->cap = need;
	}
	memcpy(s->block, key, keylen);
	memcpy(s->block + keylen, text, len);
	s->block[keylen + len] = '\0';
	s->h = h;
	s->keylen = keylen;
	s->len = len;
}
