/*
 * ev_theap.c - the (time, line) min-heap and the FIFO of deadlines (see
 * ev_theap.h).
 */
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_theap.h"

#define ITEM(h, i)	((h)->v + (i) * (h)->size)

static int
tkey_less(const void *a, const void *b)
{
	struct ev_tkey x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x.t < y.t || (x.t == y.t && x.line < y.line);
}

static void
swap(struct ev_theap *h, size_t i, size_t j)
{
	memcpy(h->tmp, ITEM(h, i), h->size);
	memcpy(ITEM(h, i), ITEM(h, j), h->size);
	memcpy(ITEM(h, j), h->tmp, h->size);
}

void
ev_theap_init(struct ev_theap *h, size_t size)
{
	memset(h, 0, sizeof(*h));
	h->size = size;
	h->tmp = ev_xmalloc(size);
}

void
ev_theap_release(struct ev_theap *h)
{
	free(h->v);
	free(h->tmp);
	memset(h, 0, sizeof(*h));
}

void
ev_theap_push(struct ev_theap *h, const void *item)
{
	size_t i, up;

	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 256;
		h->v = ev_xreallocarray(h->v, h->cap, h->size);
	}
	i = h->n++;
	memcpy(ITEM(h, i), item, h->size);
	while (i > 0) {
		up = (i - 1) / 2;
		if (!tkey_less(ITEM(h, i), ITEM(h, up)))
			break;
		swap(h, i, up);
		i = up;
	}
}

void *
ev_theap_top(const struct ev_theap *h)
{
	return h->n > 0 ? h->v : NULL;
}

void
ev_theap_pop(struct ev_theap *h, void *out)
{
	size_t i = 0, l, r, m;

	memcpy(out, ITEM(h, 0), h->size);
	if (--h->n > 0)
		memcpy(ITEM(h, 0), ITEM(h, h->n), h->size);
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < h->n && tkey_less(ITEM(h, l), ITEM(h, m)))
			m = l;
		if (r < h->n && tkey_less(ITEM(h, r), ITEM(h, m)))
			m = r;
		if (m == i)
			break;
		swap(h, i, m);
		i = m;
	}
}

void
ev_tfifo_push(struct ev_tfifo *q, ev_us_t at, void *p)
{
	struct ev_tdue *nv;
	size_t i, ncap;

	if (q->n == q->cap) {
		ncap = q->cap ? 2 * q->cap : 256;
		nv = ev_xcalloc(ncap, sizeof(*nv));
		for (i = 0; i < q->n; i++)
			nv[i] = q->v[(q->head + i) % q->cap];
		free(q->v);
		q->v = nv;
		q->head = 0;
		q->cap = ncap;
	}
	q->v[(q->head + q->n) % q->cap].at = at;
	q->v[(q->head + q->n) % q->cap].p = p;
	q->n++;
}

struct ev_tdue *
ev_tfifo_front(const struct ev_tfifo *q)
{
	return q->n > 0 ? &q->v[q->head] : NULL;
}

void
ev_tfifo_pop(struct ev_tfifo *q)
{
	q->head = (q->head + 1) % q->cap;
	q->n--;
}

void
ev_tfifo_release(struct ev_tfifo *q)
{
	free(q->v);
	memset(q, 0, sizeof(*q));
}
