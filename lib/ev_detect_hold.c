/*
 * ev_detect_hold.c - ev-detect's hold queue (see ev_detect_hold.h).
 */
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_detect_hold.h"

struct ev_detect_hold_entry *
ev_detect_hold_push(struct ev_detect_hold *h, struct ev_detect_series_table *t)
{
	struct ev_detect_hold_entry *e;
	size_t i;

	if (h->head + h->len == h->cap) {
		if (h->head > 0) {
			/* Compact; fix the series' indexes. */
			memmove(h->q, h->q + h->head, h->len * sizeof(*h->q));
			for (i = 0; i < t->nser; i++)
				if (t->ser[i]->queued >= 0)
					t->ser[i]->queued -= (long)h->head;
			h->head = 0;
		}
		if (h->len == h->cap) {
			h->cap = h->cap ? 2 * h->cap : 256;
			h->q = ev_xreallocarray(h->q, h->cap, sizeof(*h->q));
		}
	}
	e = &h->q[h->head + h->len++];
	memset(e, 0, sizeof(*e));
	return e;
}

struct ev_detect_hold_entry *
ev_detect_hold_find(struct ev_detect_hold *h, const struct ev_detect_series *s,
    ev_us_t start)
{
	size_t i;

	for (i = h->head + h->len; i > h->head; i--) {
		struct ev_detect_hold_entry *e = &h->q[i - 1];

		if (e->s == s && e->start == start && e->final)
			return e;
	}
	return NULL;
}

void
ev_detect_hold_replace(struct ev_detect_hold_entry *e, char *raw,
    const struct ev_rec *rec, const struct ev_detect_hold_entry *nw)
{
	struct ev_detect_hold_entry *old = ev_xmalloc(sizeof(*old));

	*old = *e;
	old->superseded = 1;
	e->prev = old;
	e->raw = raw;
	e->rec = *rec;
	e->end = nw->end;
	e->value = nw->value;
	e->gap = nw->gap;
	e->label = nw->label;
}

struct ev_detect_hold_entry *
ev_detect_hold_oldest(struct ev_detect_hold_entry *e)
{
	struct ev_detect_hold_entry *p;

	if (e->prev == NULL)
		return NULL;
	while (e->prev->prev)
		e = e->prev;
	p = e->prev;
	e->prev = NULL;
	return p;
}

void
ev_detect_hold_entry_release(struct ev_detect_hold_entry *e)
{
	if (e->prev) {
		ev_detect_hold_entry_release(e->prev);
		free(e->prev);
	}
	ev_rec_clear(&e->rec);
	free(e->raw);
	json_decref(e->explain);
	json_decref(e->explanation);
	json_decref(e->total);
	free(e->summary);
	memset(e, 0, sizeof(*e));
}

void
ev_detect_hold_drop(struct ev_detect_hold *h, size_t n)
{
	size_t i;

	for (i = h->head; i < h->head + n; i++)
		ev_detect_hold_entry_release(&h->q[i]);
	h->head += n;
	h->len -= n;
	if (h->len == 0)
		h->head = 0;
}

void
ev_detect_hold_release(struct ev_detect_hold *h)
{
	ev_detect_hold_drop(h, h->len);
	free(h->q);
	memset(h, 0, sizeof(*h));
}
