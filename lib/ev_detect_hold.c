/*
 * ev_detect_hold.c - ev-detect's hold queue (see ev_detect_hold.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_detect_hold.h"
#include "ev_run.h"

/*
 * ev_rec_time, answered from the memo when the value's bytes are those of
 * the last time read there.
 */
static int
memo_time(struct ev_detect_hold_memo *m, const struct ev_rec *rec,
    const struct ev_path *p, ev_us_t *t)
{
	const char *s;
	size_t n;
	int r, own = ev_rec_text(rec, p, &s, &n) == 0;

	if (own && n == m->len && memcmp(s, m->text, n) == 0) {
		*t = m->t;
		return 0;
	}
	if ((r = ev_rec_time(rec, p, t)) == 0 && own &&
	    n <= sizeof(m->text)) {
		memcpy(m->text, s, n);
		m->len = n;
		m->t = *t;
	}
	return r;
}

/* Anything but false is final; the line's bytes say so without jansson. */
static int
is_final(const struct ev_rec *rec, const struct ev_path *p)
{
	const char *s;
	size_t n;
	json_t *v;

	if (ev_rec_text(rec, p, &s, &n) == 0)
		return n != 5 || memcmp(s, "false", 5) != 0;
	v = ev_rec_get(rec, p);
	return !json_is_false(v);
}

const char *
ev_detect_hold_read(struct ev_detect_hold_fields *f, const struct ev_rec *rec,
    struct ev_detect_hold_entry *e, json_t **errors)
{
	double lv;
	json_t *lj;
	int r;

	if ((r = memo_time(&f->start_memo, rec, f->time, &e->start)) != 0) {
		*errors = ev_run_error(f->time->spec, "'%s' is %s",
		    f->time->spec, r == -1 ? "missing" : "not a valid time");
		return "time";
	}
	if ((r = ev_rec_num(rec, f->value, &e->value)) == -1 &&
	    json_is_null(ev_rec_get(rec, f->value))) {
		/* A null value is a missing point, not a zero. */
		e->gap = 1;
		e->value = NAN;
	} else if (r != 0) {
		*errors = ev_run_error(f->value->spec, "'%s' is %s",
		    f->value->spec, r == -1 ? "missing" : "not a number");
		return "value";
	}
	if (memo_time(&f->end_memo, rec, f->end, &e->end) != 0)
		e->end = e->start;
	if (f->label) {
		lj = ev_rec_get(rec, f->label);
		e->label = json_is_true(lj) || (ev_rec_num(rec, f->label,
		    &lv) == 0 && lv != 0);
	}
	e->final = is_final(rec, f->final);
	return NULL;
}

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
ev_detect_hold_take(struct ev_detect_hold *h, struct ev_rec *rec,
    struct ev_buf *raw)
{
	if (h->nspare == 0) {
		ev_rec_init(rec);
		ev_buf_init(raw);
		return;
	}
	h->nspare--;
	*rec = h->spare[h->nspare].rec;
	*raw = h->spare[h->nspare].raw;
}

void
ev_detect_hold_give(struct ev_detect_hold *h, struct ev_rec *rec,
    struct ev_buf *raw)
{
	if (h->nspare == h->capspare) {
		h->capspare = h->capspare ? 2 * h->capspare : 256;
		h->spare = ev_xreallocarray(h->spare, h->capspare,
		    sizeof(*h->spare));
	}
	h->spare[h->nspare].rec = *rec;
	h->spare[h->nspare].raw = *raw;
	h->nspare++;
}

void
ev_detect_hold_replace(struct ev_detect_hold_entry *e,
    const struct ev_buf *raw, const struct ev_rec *rec,
    const struct ev_detect_hold_entry *nw)
{
	struct ev_detect_hold_entry *old = ev_xmalloc(sizeof(*old));

	*old = *e;
	old->superseded = 1;
	e->prev = old;
	e->raw = *raw;
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

/* Release what an entry owns but its record and line. */
static void
entry_clear(struct ev_detect_hold_entry *e)
{
	if (e->prev) {
		ev_detect_hold_entry_release(e->prev);
		free(e->prev);
	}
	json_decref(e->explain);
	json_decref(e->explanation);
	json_decref(e->total);
	free(e->summary);
}

void
ev_detect_hold_entry_release(struct ev_detect_hold_entry *e)
{
	entry_clear(e);
	ev_rec_clear(&e->rec);
	ev_buf_free(&e->raw);
	memset(e, 0, sizeof(*e));
}

void
ev_detect_hold_drop(struct ev_detect_hold *h, size_t n)
{
	struct ev_detect_hold_entry *e;
	size_t i;

	for (i = h->head; i < h->head + n; i++) {
		e = &h->q[i];
		entry_clear(e);
		ev_detect_hold_give(h, &e->rec, &e->raw);
		memset(e, 0, sizeof(*e));
	}
	h->head += n;
	h->len -= n;
	if (h->len == 0)
		h->head = 0;
}

void
ev_detect_hold_release(struct ev_detect_hold *h)
{
	size_t i;

	for (i = h->head; i < h->head + h->len; i++)
		ev_detect_hold_entry_release(&h->q[i]);
	for (i = 0; i < h->nspare; i++) {
		ev_rec_clear(&h->spare[i].rec);
		ev_buf_free(&h->spare[i].raw);
	}
	free(h->spare);
	free(h->q);
	memset(h, 0, sizeof(*h));
}
