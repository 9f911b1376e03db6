/* ev_window.c - event-time windows; see ev_window.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_hll.h"
#include "ev_json.h"
#include "ev_map.h"
#include "ev_rec.h"
#include "ev_window.h"

/*
 * Groups and cells are ev_maps from the group key to a struct kval (for
 * groups only val is used, pointing to a struct group).
 */
struct kval {
	void		*val;
	char		*last;	/* --emit changes: the record last written */
	int		 open;	/* --merge: a shard wrote it "final":false */
};

#define KV(e)	((struct kval *)ev_map_val(e))

static void
kmap_init(struct ev_map *m)
{
	ev_map_init(m, sizeof(struct kval), 16, 0);
}

/* The entry for key, created (val NULL) when absent and create is set. */
static struct ev_map_ent *
kmap_find(struct ev_map *m, const char *key, size_t klen, uint64_t hash,
    int create)
{
	if (create)
		return ev_map_put(m, key, klen, hash, NULL);
	return ev_map_find(m, key, klen, hash);
}

struct session {
	ev_us_t		 first, last;
	struct ev_agg_val *v;
};

struct group {
	ev_us_t		 first, last;	/* event times seen */
	struct session	*sess;		/* open, sorted; ends increase too */
	size_t		 nsess;
	int		 has_written;	/* a session of the group was written */
	ev_us_t		 wlast;		/* then the last event time in it */
	const char	*key;		/* the registry's key (borrowed) */
	size_t		 klen;
	unsigned	 inheap;	/* entries in the session heap */
	ev_us_t		 heap_end;	/* the smallest end pushed */
};

/* Session heap entry: a group whose first session may end at end. */
struct hent {
	ev_us_t		 end;
	struct group	*g;
};

struct pane {
	ev_us_t		 start, end;
	int		 fired;		/* emitted (allowed lateness pending) */
	struct ev_map	 cells;		/* group key -> struct ev_agg_val */
};

struct ev_win {
	const struct ev_win_cfg *cfg;
	ev_win_emit_fn	 emit;
	void		*arg;
	struct pane	**panes;	/* sorted by (start, end) */
	size_t		 npanes, capp;
	struct ev_map	 groups;	/* group key -> struct group */
	size_t		 key_bytes;	/* of the keys in groups */
	int		 has_wm;
	ev_us_t		 wm;
	int		 has_fired;
	ev_us_t		 fired_upto;	/* hop/cumulate: ends <= this emitted */
	struct hent	*heap;		/* min-heap by end (sessions) */
	size_t		 nheap, capheap;
	size_t		 sweep_at;	/* sweep the registry at this size */
	struct ev_buf	 out, scratch, chg;
	struct ev_agg_val *empty;	/* for zero-filled records */
};

/* One record to emit: a window, a group and its values. */
struct item {
	ev_us_t		 start, end;
	const char	*key;
	size_t		 klen;
	const struct ev_agg_val *v;
	char		**last;		/* changes: where the last text lives */
	int		 open;		/* not final whatever the batch is */
};

static int
item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c;

	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	if ((c = memcmp(x->key, y->key, n)) != 0)
		return c;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

struct ev_win *
ev_win_new(const struct ev_win_cfg *cfg, ev_win_emit_fn fn, void *arg)
{
	struct ev_win *w = ev_xcalloc(1, sizeof(*w));

	w->cfg = cfg;
	w->emit = fn;
	w->arg = arg;
	kmap_init(&w->groups);
	w->sweep_at = 1024;
	ev_buf_init(&w->out);
	ev_buf_init(&w->scratch);
	ev_buf_init(&w->chg);
	w->empty = ev_agg_new(cfg->aggs);
	return w;
}

static void
cells_free(const struct ev_win *w, struct ev_map *m)
{
	struct ev_map_ent *e;
	size_t i = 0;

	while ((e = ev_map_next(m, &i)) != NULL) {
		free(KV(e)->last);
		ev_agg_free(w->cfg->aggs, KV(e)->val);
	}
	ev_map_release(m);
}

static void
pane_free(const struct ev_win *w, struct pane *p)
{
	cells_free(w, &p->cells);
	free(p);
}

static void
group_free(const struct ev_win *w, struct group *g)
{
	size_t i;

	for (i = 0; i < g->nsess; i++)
		ev_agg_free(w->cfg->aggs, g->sess[i].v);
	free(g->sess);
	free(g);
}

static void
heap_push(struct ev_win *w, struct group *g, ev_us_t end)
{
	size_t i, parent;
	struct hent t;

	if (w->nheap == w->capheap) {
		w->capheap = w->capheap ? 2 * w->capheap : 64;
		w->heap = ev_xreallocarray(w->heap, w->capheap,
		    sizeof(*w->heap));
	}
	i = w->nheap++;
	w->heap[i].end = end;
	w->heap[i].g = g;
	g->inheap++;
	if (g->inheap == 1 || end < g->heap_end)
		g->heap_end = end;
	while (i > 0) {
		parent = (i - 1) / 2;
		if (w->heap[parent].end <= w->heap[i].end)
			break;
		t = w->heap[parent];
		w->heap[parent] = w->heap[i];
		w->heap[i] = t;
		i = parent;
	}
}

static struct group *
heap_pop(struct ev_win *w)
{
	struct group *g = w->heap[0].g;
	size_t i = 0, c;
	struct hent t;

	w->heap[0] = w->heap[--w->nheap];
	for (;;) {
		c = 2 * i + 1;
		if (c >= w->nheap)
			break;
		if (c + 1 < w->nheap && w->heap[c + 1].end < w->heap[c].end)
			c++;
		if (w->heap[i].end <= w->heap[c].end)
			break;
		t = w->heap[c];
		w->heap[c] = w->heap[i];
		w->heap[i] = t;
		i = c;
	}
	g->inheap--;
	return g;
}

/* Keep a heap entry no later than the group's first session end. */
static void
heap_track(struct ev_win *w, struct group *g)
{
	ev_us_t end;

	if (g->nsess == 0)
		return;
	end = g->sess[0].last + w->cfg->gap;
	if (g->inheap == 0 || end < g->heap_end)
		heap_push(w, g, end);
}

void
ev_win_free(struct ev_win *w)
{
	struct ev_map_ent *e;
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->npanes; i++)
		pane_free(w, w->panes[i]);
	free(w->panes);
	i = 0;
	while ((e = ev_map_next(&w->groups, &i)) != NULL)
		group_free(w, KV(e)->val);
	ev_map_release(&w->groups);
	free(w->heap);
	ev_buf_free(&w->out);
	ev_buf_free(&w->scratch);
	ev_buf_free(&w->chg);
	ev_agg_free(w->cfg->aggs, w->empty);
	free(w);
}

/* The grouping set of a key (sets in use), and the key past its prefix. */
static const struct ev_win_set *
key_set(const struct ev_win_cfg *c, const char **k)
{
	size_t i = (size_t)((*k)[0] - '0') * 100 + (size_t)((*k)[1] - '0') * 10 +
	    (size_t)((*k)[2] - '0');

	*k += 3;
	return &c->sets[i];
}

/* Write and emit one record. */
static void
write_item(struct ev_win *w, const struct item *it, int final)
{
	const struct ev_win_cfg *c = w->cfg;
	struct ev_buf *b = &w->out;
	char tb[EV_TIME_BUFSZ];
	const char *k = it->key, *kend = it->key + it->klen, *sep;
	const struct ev_win_set *set = NULL;
	size_t i, ncol = c->nby;

	ev_buf_reset(b);
	ev_buf_adds(b, "{\"start\":\"");
	ev_buf_adds(b, ev_time_format(it->start, -1, tb));
	ev_buf_adds(b, "\",\"end\":\"");
	ev_buf_adds(b, ev_time_format(it->end, -1, tb));
	ev_buf_addc(b, '"');
	if (c->nsets) {
		set = key_set(c, &k);
		ncol = set->n;
		ev_buf_adds(b, ",\"grouping\":[");
		for (i = 0; i < ncol; i++) {
			const char *name = c->by_names[set->col[i]];

			if (i)
				ev_buf_addc(b, ',');
			ev_buf_add_jstr(b, name, strlen(name));
		}
		ev_buf_addc(b, ']');
	}
	for (i = 0; i < ncol; i++) {
		const char *name = c->by_names[set ? set->col[i] : i];

		sep = memchr(k, '\x1f', (size_t)(kend - k));
		if (sep == NULL)
			sep = kend;
		ev_buf_addc(b, ',');
		ev_buf_add_jstr(b, name, strlen(name));
		ev_buf_addc(b, ':');
		ev_buf_add(b, k, (size_t)(sep - k));
		k = sep < kend ? sep + 1 : kend;
	}
	if (c->partial) {
		json_t *st = ev_agg_to_json(c->aggs, it->v);

		ev_buf_adds(b, ",\"partial\":");
		ev_json_write(st, b);
		json_decref(st);
	} else
		ev_agg_write(c->aggs, it->v, b);
	ev_buf_adds(b, final && !it->open ? ",\"final\":true}" :
	    ",\"final\":false}");
	if (!c->changes) {
		w->emit(w->arg, b->data, b->len);
		return;
	}
	/* A changelog: retract what was written for this window and group,
	 * then add the new record. */
	if (it->last && *it->last) {
		ev_buf_reset(&w->chg);
		ev_buf_adds(&w->chg, "{\"op\":\"-\",");
		ev_buf_adds(&w->chg, *it->last);
		w->emit(w->arg, w->chg.data, w->chg.len);
	}
	ev_buf_reset(&w->chg);
	ev_buf_adds(&w->chg, "{\"op\":\"+\",");
	ev_buf_add(&w->chg, b->data + 1, b->len - 1);
	w->emit(w->arg, w->chg.data, w->chg.len);
	if (it->last) {
		free(*it->last);
		*it->last = ev_xstrndup(b->data + 1, b->len - 1);
	}
}

static void
emit_items(struct ev_win *w, struct item *it, size_t n, int final)
{
	size_t i;

	if (n == 0)
		return;
	qsort(it, n, sizeof(*it), item_cmp);
	for (i = 0; i < n; i++)
		write_item(w, &it[i], final);
}

/*
 * Items for the cells of m in window [start, end), plus zero-filled groups
 * when asked; returns the array (caller frees) and its length in *n.
 */
static struct item *
collect(struct ev_win *w, struct ev_map *m, ev_us_t start, ev_us_t end,
    size_t *n)
{
	const struct ev_win_cfg *c = w->cfg;
	size_t i = 0, k = 0;
	size_t cap = m->n + (c->fill_zero ? w->groups.n : 0) + 1;
	struct item *it = ev_xcalloc(cap, sizeof(*it));
	struct ev_map_ent *e, *ge;

	while ((e = ev_map_next(m, &i)) != NULL) {
		it[k].start = start;
		it[k].end = end;
		it[k].key = e->key;
		it[k].klen = e->klen;
		it[k].v = KV(e)->val;
		it[k].last = &KV(e)->last;
		k++;
	}
	i = 0;
	if (c->fill_zero)
		while ((ge = ev_map_next(&w->groups, &i)) != NULL) {
			const struct group *g = KV(ge)->val;

			if (g->first >= end ||
			    g->last < end - c->group_ttl ||
			    kmap_find(m, ge->key, ge->klen, ge->hash, 0))
				continue;
			it[k].start = start;
			it[k].end = end;
			it[k].key = ge->key;
			it[k].klen = ge->klen;
			it[k].v = w->empty;
			k++;
		}
	*n = k;
	return it;
}

static void
emit_map(struct ev_win *w, struct ev_map *m, ev_us_t start, ev_us_t end,
    int final)
{
	size_t n;
	struct item *it = collect(w, m, start, end, &n);

	emit_items(w, it, n, final);
	free(it);
}

/* Window of an event for tumbling kinds and panes of hop/cumulate. */
static void
assign(const struct ev_win *w, ev_us_t t, ev_us_t *s, ev_us_t *e)
{
	const struct ev_win_cfg *c = w->cfg;

	if (c->kind == EV_WIN_TUMBLE && c->calendar == 1) {
		*s = ev_tz_day_start(c->tz, t);
		*e = ev_tz_add_days(c->tz, *s, 1);
	} else if (c->kind == EV_WIN_TUMBLE && c->calendar == 7) {
		*s = ev_tz_week_start(c->tz, t, c->week_start);
		*e = ev_tz_add_days(c->tz, *s, 7);
	} else {
		ev_us_t step = c->kind == EV_WIN_TUMBLE ? c->size : c->every;

		*s = ev_time_floor(t, step);
		*e = *s + step;
	}
}

int
ev_win_in_range(const struct ev_win *w, ev_us_t t)
{
	const struct ev_win_cfg *c = w->cfg;
	ev_us_t lo, hi, s, e;

	/* Keep the arithmetic below clear of overflow. */
	if (t < EV_TIME_MIN || t > EV_TIME_MAX)
		return -1;
	switch (c->kind) {
	case EV_WIN_SESSION:
		lo = t;
		hi = c->gap > EV_TIME_MAX - t ? EV_TIME_MAX + 1 : t + c->gap;
		break;
	case EV_WIN_HOP:
		/* The first window holding t starts after t - size. */
		if (c->size > t - EV_TIME_MIN)
			return -1;
		lo = ev_time_floor(t - c->size, c->every) + c->every;
		hi = ev_time_floor(t, c->every) + c->size;
		break;
	case EV_WIN_CUMULATE:
		lo = ev_time_floor(t, c->size);
		hi = lo + c->size;
		break;
	default:
		assign(w, t, &s, &e);
		lo = s;
		hi = e;
		break;
	}
	return lo >= EV_TIME_MIN && hi <= EV_TIME_MAX ? 0 : -1;
}

/* The pane [s, e), created when absent. */
static struct pane *
pane_get(struct ev_win *w, ev_us_t s, ev_us_t e, int create)
{
	struct pane *p;
	size_t i;

	/* Most events land in the newest panes: search from the end. */
	for (i = w->npanes; i > 0; i--) {
		p = w->panes[i - 1];
		if (p->start == s && p->end == e)
			return p;
		if (p->start < s || (p->start == s && p->end < e))
			break;
	}
	if (!create)
		return NULL;
	if (w->npanes == w->capp) {
		w->capp = w->capp ? 2 * w->capp : 16;
		w->panes = ev_xreallocarray(w->panes, w->capp,
		    sizeof(*w->panes));
	}
	memmove(w->panes + i + 1, w->panes + i,
	    (w->npanes - i) * sizeof(*w->panes));
	p = ev_xcalloc(1, sizeof(*p));
	p->start = s;
	p->end = e;
	kmap_init(&p->cells);
	w->panes[i] = p;
	w->npanes++;
	return p;
}

static void
pane_remove(struct ev_win *w, size_t i)
{
	pane_free(w, w->panes[i]);
	memmove(w->panes + i, w->panes + i + 1,
	    (w->npanes - i - 1) * sizeof(*w->panes));
	w->npanes--;
}

static struct ev_map_ent *
cell_get(struct ev_win *w, struct pane *p, const char *key, size_t klen,
    uint64_t hash)
{
	struct ev_map_ent *e = kmap_find(&p->cells, key, klen, hash, 1);

	if (KV(e)->val == NULL)
		KV(e)->val = ev_agg_new(w->cfg->aggs);
	return e;
}

/*
 * Whether an event not late by the watermark alone (t + gap > wm) could
 * still touch the group's last written session (t < wlast + gap): the group
 * must be kept to call it late.  Once wm >= wlast + 2 gap it cannot.
 */
static int
written_touchable(const struct ev_win *w, const struct group *g)
{
	return w->cfg->kind == EV_WIN_SESSION && g->has_written &&
	    g->wlast + 2 * w->cfg->gap > w->wm;
}

/* Drop known groups that have nothing open and are past the group TTL. */
struct sweep {
	struct ev_win	*w;
	ev_us_t		 keep_after;
};

static int
sweep_keep(struct ev_map_ent *e, void *arg)
{
	struct sweep *sw = arg;
	struct group *g = KV(e)->val;

	if (g->nsess == 0 && g->inheap == 0 && g->last < sw->keep_after &&
	    !written_touchable(sw->w, g)) {
		sw->w->key_bytes -= e->klen;
		group_free(sw->w, g);
		return 0;
	}
	return 1;
}

static void
sweep_groups(struct ev_win *w)
{
	const struct ev_win_cfg *c = w->cfg;
	struct sweep sw;

	if (!w->has_wm)
		return;
	sw.w = w;
	/* Oldest time any open pane could still hold. */
	sw.keep_after = w->npanes ? w->panes[0]->start : w->wm;
	if (c->fill_zero && w->wm - c->group_ttl - c->size < sw.keep_after)
		sw.keep_after = w->wm - c->group_ttl - c->size;
	ev_map_filter(&w->groups, sweep_keep, &sw);
	w->sweep_at = 2 * w->groups.n > 1024 ? 2 * w->groups.n : 1024;
}

/* Sweep when the registry has doubled since the last sweep (amortized). */
static void
maybe_sweep(struct ev_win *w)
{
	if (w->groups.n >= w->sweep_at)
		sweep_groups(w);
}

static void
fire_tumble(struct ev_win *w)
{
	ev_us_t allowed = w->cfg->allowed;
	int any = 0;

	while (w->npanes > 0) {
		struct pane *p = w->panes[0];

		if (p->end > w->wm)
			break;
		if (!p->fired) {
			emit_map(w, &p->cells, p->start, p->end, allowed == 0);
			p->fired = 1;
		}
		if (p->end + allowed > w->wm) {
			/* Look further: later panes may also have ended. */
			size_t i;

			for (i = 1; i < w->npanes && w->panes[i]->end <= w->wm;
			    i++)
				if (!w->panes[i]->fired) {
					emit_map(w, &w->panes[i]->cells,
					    w->panes[i]->start,
					    w->panes[i]->end, 0);
					w->panes[i]->fired = 1;
				}
			break;
		}
		if (allowed > 0)
			emit_map(w, &p->cells, p->start, p->end, 1);
		pane_remove(w, 0);
		any = 1;
	}
	if (any)
		maybe_sweep(w);
}

/*
 * The end of the last hop/cumulate window that holds the pane starting at
 * s: the pane is in every window ending from s + every up to this.
 */
static ev_us_t
pane_last_end(const struct ev_win *w, ev_us_t s)
{
	const struct ev_win_cfg *c = w->cfg;

	if (c->kind == EV_WIN_HOP)
		return s + c->size;
	return ev_time_floor(s, c->size) + c->size;
}

/* Start of the hop/cumulate window that ends at e. */
static ev_us_t
win_start(const struct ev_win *w, ev_us_t e)
{
	if (w->cfg->kind == EV_WIN_HOP)
		return e - w->cfg->size;
	return ev_time_floor(e - w->cfg->every, w->cfg->size);
}

/* Emit the hop/cumulate window [s, e) from its panes; 0 if none. */
static int
emit_merged(struct ev_win *w, ev_us_t s, ev_us_t e, int final)
{
	struct ev_map tmp;
	struct ev_map_ent *c, *d;
	size_t i, j;
	int any = 0;

	kmap_init(&tmp);
	for (i = 0; i < w->npanes; i++) {
		struct pane *p = w->panes[i];

		if (p->start < s || p->start >= e)
			continue;
		any = 1;
		j = 0;
		while ((c = ev_map_next(&p->cells, &j)) != NULL) {
			d = kmap_find(&tmp, c->key, c->klen, c->hash, 1);
			if (KV(d)->val == NULL)
				KV(d)->val = ev_agg_new(w->cfg->aggs);
			ev_agg_merge(w->cfg->aggs, KV(d)->val, KV(c)->val);
		}
	}
	if (any)
		emit_map(w, &tmp, s, e, final);
	cells_free(w, &tmp);
	return any;
}

static void
fire_panes(struct ev_win *w, int all)
{
	const struct ev_win_cfg *c = w->cfg;
	ev_us_t e, limit = w->wm;
	size_t i;
	int freed = 0;

	if (w->npanes == 0) {
		w->fired_upto = w->wm;
		w->has_fired = 1;
		return;
	}
	if (all) {
		/* Every window that holds a pane. */
		limit = w->panes[w->npanes - 1]->start + c->size;
		if (c->kind == EV_WIN_CUMULATE)
			limit = ev_time_floor(w->panes[w->npanes - 1]->start,
			    c->size) + c->size;
	}
	e = w->has_fired ? ev_time_floor(w->fired_upto, c->every) + c->every :
	    w->panes[0]->end;
	if (e < w->panes[0]->end)
		e = w->panes[0]->end;
	while (e <= limit) {
		/* At end of input a window past the watermark is cut. */
		if (!emit_merged(w, win_start(w, e), e, !all ||
		    c->final_at_eof || e <= w->wm)) {
			/* No pane in this window: jump to the next pane. */
			for (i = 0; i < w->npanes && w->panes[i]->start < e; i++)
				;
			if (i == w->npanes)
				break;
			e = w->panes[i]->end;
			continue;
		}
		e += c->every;
	}
	if (!all && (!w->has_fired || w->fired_upto < w->wm))
		w->fired_upto = w->wm;
	w->has_fired = 1;
	/* Free panes whose last window has been emitted. */
	while (w->npanes > 0) {
		if (!all && pane_last_end(w, w->panes[0]->start) > w->wm)
			break;
		pane_remove(w, 0);
		freed = 1;
	}
	if (freed)
		maybe_sweep(w);
}

/* Move the sessions of g that end by wm (all: every one) into items. */
static void
take_sessions(struct ev_win *w, struct group *g, int all, struct item **it,
    size_t *n, size_t *cap)
{
	const struct ev_win_cfg *c = w->cfg;
	size_t j, k = 0;

	for (j = 0; j < g->nsess; j++) {
		struct session *s = &g->sess[j];

		if (!all && s->last + c->gap > w->wm)
			break;
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			*it = ev_xreallocarray(*it, *cap, sizeof(**it));
		}
		(*it)[*n].start = s->first;
		(*it)[*n].end = s->last + c->gap;
		(*it)[*n].key = g->key;
		(*it)[*n].klen = g->klen;
		(*it)[*n].v = s->v;	/* freed after emission */
		(*it)[*n].last = NULL;
		(*it)[*n].open = 0;
		(*n)++;
		k++;
		g->has_written = 1;
		g->wlast = s->last;
	}
	if (k == 0)
		return;
	memmove(g->sess, g->sess + k, (g->nsess - k) * sizeof(*g->sess));
	g->nsess -= k;
}

static void
fire_sessions(struct ev_win *w, int all)
{
	struct ev_map_ent *e;
	struct item *it = NULL;
	size_t i, n = 0, cap = 0;

	if (all) {
		i = 0;
		while ((e = ev_map_next(&w->groups, &i)) != NULL) {
			struct group *g = KV(e)->val;

			take_sessions(w, g, 1, &it, &n, &cap);
			g->inheap = 0;
		}
		w->nheap = 0;
	} else {
		while (w->nheap > 0 && w->heap[0].end <= w->wm) {
			struct group *g = heap_pop(w);

			take_sessions(w, g, 0, &it, &n, &cap);
			heap_track(w, g);
		}
	}
	/* At end of input an open session is cut: it is not final. */
	emit_items(w, it, n, !all || w->cfg->final_at_eof);
	for (i = 0; i < n; i++)
		ev_agg_free(w->cfg->aggs, (struct ev_agg_val *)(uintptr_t)it[i].v);
	free(it);
	if (n)
		maybe_sweep(w);
}

static void
fire(struct ev_win *w, int all)
{
	switch (w->cfg->kind) {
	case EV_WIN_TUMBLE:
		fire_tumble(w);
		break;
	case EV_WIN_HOP:
	case EV_WIN_CUMULATE:
		fire_panes(w, all);
		break;
	case EV_WIN_SESSION:
		fire_sessions(w, all);
		break;
	case EV_WIN_MERGE:
		break;
	}
}

void
ev_win_watermark(struct ev_win *w, ev_us_t wm)
{
	if (w->has_wm && wm <= w->wm)
		return;
	w->has_wm = 1;
	w->wm = wm;
	fire(w, 0);
}

int
ev_win_get_watermark(const struct ev_win *w, ev_us_t *wm)
{
	*wm = w->wm;
	return w->has_wm;
}

int
ev_win_next_close(const struct ev_win *w, ev_us_t *at)
{
	const struct ev_win_cfg *c = w->cfg;
	ev_us_t e;
	size_t i;

	switch (c->kind) {
	case EV_WIN_TUMBLE:
		for (i = 0; i < w->npanes; i++) {
			e = w->panes[i]->end;
			if (w->panes[i]->fired)
				e += c->allowed;
			if (i == 0 || e < *at)
				*at = e;
		}
		return w->npanes > 0;
	case EV_WIN_HOP:
	case EV_WIN_CUMULATE:
		if (w->npanes == 0)
			return 0;
		e = w->has_fired ? ev_time_floor(w->fired_upto, c->every) +
		    c->every : w->panes[0]->end;
		*at = e < w->panes[0]->end ? w->panes[0]->end : e;
		return 1;
	case EV_WIN_SESSION:
		if (w->nheap == 0)
			return 0;
		*at = w->heap[0].end;
		return 1;
	case EV_WIN_MERGE:
		break;
	}
	return 0;
}

/* Whether a new group of a klen-byte key would go over a bound: 1 groups, 2 bytes. */
static int
groups_full(const struct ev_win *w, size_t klen)
{
	const struct ev_win_cfg *c = w->cfg;

	if (c->max_groups && w->groups.n >= c->max_groups)
		return 1;
	if (c->max_key_bytes && w->key_bytes + klen > c->max_key_bytes)
		return 2;
	return 0;
}

static struct group *
group_get(struct ev_win *w, const char *key, size_t klen, uint64_t hash,
    ev_us_t t, int *full)
{
	struct ev_map_ent *e = kmap_find(&w->groups, key, klen, hash, 0);
	struct group *g;

	if (e == NULL) {
		if (groups_full(w, klen))
			sweep_groups(w);	/* drop closed groups first */
		if ((*full = groups_full(w, klen)) != 0)
			return NULL;
		e = kmap_find(&w->groups, key, klen, hash, 1);
		w->key_bytes += klen;
		g = KV(e)->val = ev_xcalloc(1, sizeof(*g));
		g->first = g->last = t;
		g->key = e->key;
		g->klen = e->klen;
	}
	g = KV(e)->val;
	return g;
}

static void
emit_update(struct ev_win *w, struct pane *p, struct ev_map_ent *e)
{
	struct item it = { p->start, p->end, e->key, e->klen, KV(e)->val,
	    &KV(e)->last, 0 };

	write_item(w, &it, 0);
}

/*
 * The open sessions of g that t touches (is less than gap from) are
 * sess[*lo .. *hi); they are contiguous.  1 when there is any.
 */
static int
touched_sessions(const struct ev_win *w, const struct group *g, ev_us_t t,
    size_t *lo, size_t *hi)
{
	ev_us_t gap = w->cfg->gap;

	for (*lo = 0; *lo < g->nsess && g->sess[*lo].last + gap <= t; (*lo)++)
		;
	for (*hi = *lo; *hi < g->nsess && g->sess[*hi].first - gap < t;
	    (*hi)++)
		;
	return *hi > *lo;
}

/*
 * A session event is late when it touches no open session of its group
 * and either its own session [t, t + gap) has already closed or it touches
 * the group's last written session.  An earlier written session need not
 * be checked: an event touching it has t + gap < wlast + gap <= wm.
 */
static int
session_late(const struct ev_win *w, const struct group *g, ev_us_t t)
{
	size_t lo, hi;

	if (!w->has_wm)
		return 0;
	if (g && touched_sessions(w, g, t, &lo, &hi))
		return 0;
	if (t + w->cfg->gap <= w->wm)
		return 1;
	return g && g->has_written && t < g->wlast + w->cfg->gap;
}

static void
add_session(struct ev_win *w, struct group *g, ev_us_t t,
    const json_t *const *x)
{
	const struct ev_win_cfg *c = w->cfg;
	size_t i, lo, hi;
	struct session *s;

	touched_sessions(w, g, t, &lo, &hi);
	if (lo == hi) {
		g->sess = ev_xreallocarray(g->sess, g->nsess + 1,
		    sizeof(*g->sess));
		memmove(g->sess + lo + 1, g->sess + lo,
		    (g->nsess - lo) * sizeof(*g->sess));
		g->nsess++;
		s = &g->sess[lo];
		s->first = s->last = t;
		s->v = ev_agg_new(c->aggs);
	} else {
		s = &g->sess[lo];
		/* A bridging event merges the sessions it touches. */
		for (i = lo + 1; i < hi; i++) {
			ev_agg_merge(c->aggs, s->v, g->sess[i].v);
			ev_agg_free(c->aggs, g->sess[i].v);
			if (g->sess[i].last > s->last)
				s->last = g->sess[i].last;
		}
		memmove(g->sess + lo + 1, g->sess + hi,
		    (g->nsess - hi) * sizeof(*g->sess));
		g->nsess -= hi - lo - 1;
		if (t < s->first)
			s->first = t;
		if (t > s->last)
			s->last = t;
	}
	ev_agg_apply(c->aggs, s->v, x, t, &w->scratch);
	heap_track(w, g);
}

/*
 * Whether an event at t of fixed windows is late: every window it belongs
 * to is closed.  A hop or cumulate event still counts in those of its
 * windows that are open (its pane lives until the last of them is
 * written).  Its pane or tumbling window is [*s, *e).
 */
static int
fixed_late(const struct ev_win *w, ev_us_t t, ev_us_t *s, ev_us_t *e)
{
	const struct ev_win_cfg *c = w->cfg;

	assign(w, t, s, e);
	return w->has_wm && (c->kind == EV_WIN_TUMBLE ? *e + c->allowed :
	    pane_last_end(w, *s)) <= w->wm;
}

enum ev_win_add
ev_win_add(struct ev_win *w, ev_us_t t, const char *key, size_t klen,
    const json_t *const *x)
{
	const struct ev_win_cfg *c = w->cfg;
	uint64_t hash = ev_hll_hash(key, klen);
	struct group *g;
	struct pane *p;
	struct ev_map_ent *ce;
	ev_us_t s, e;
	int full = 0;

	if (c->kind == EV_WIN_SESSION) {
		ce = kmap_find(&w->groups, key, klen, hash, 0);
		if (session_late(w, ce ? KV(ce)->val : NULL, t))
			return EV_WIN_LATE;
		if ((g = group_get(w, key, klen, hash, t, &full)) == NULL)
			return full == 2 ? EV_WIN_KEYS_FULL : EV_WIN_FULL;
		add_session(w, g, t, x);
	} else {
		if (fixed_late(w, t, &s, &e))
			return EV_WIN_LATE;
		if ((g = group_get(w, key, klen, hash, t, &full)) == NULL)
			return full == 2 ? EV_WIN_KEYS_FULL : EV_WIN_FULL;
		p = pane_get(w, s, e, 1);
		ce = cell_get(w, p, key, klen, hash);
		ev_agg_apply(c->aggs, KV(ce)->val, x, t, &w->scratch);
		if (p->fired)
			emit_update(w, p, ce);
	}
	if (t < g->first)
		g->first = t;
	if (t > g->last)
		g->last = t;
	return EV_WIN_ADDED;
}

/* 1 when fresh new groups of fresh_bytes key bytes pass a bound. */
static int
sets_over(const struct ev_win *w, size_t fresh, size_t fresh_bytes)
{
	const struct ev_win_cfg *c = w->cfg;

	return (c->max_groups && w->groups.n + fresh > c->max_groups) ||
	    (c->max_key_bytes && w->key_bytes + fresh_bytes > c->max_key_bytes);
}

enum ev_win_add
ev_win_add_sets(struct ev_win *w, ev_us_t t, const char *const *key,
    const size_t *klen, size_t n, const json_t *const *x)
{
	const struct ev_win_cfg *c = w->cfg;
	size_t i, fresh = 0;
	ev_us_t s, e;
	enum ev_win_add r;

	if (n == 1 || c->kind == EV_WIN_SESSION)
		return ev_win_add(w, t, key[0], klen[0], x);
	/* Late or full for one set is late or full for all: check first. */
	if (fixed_late(w, t, &s, &e))
		return EV_WIN_LATE;
	if (c->max_groups || c->max_key_bytes) {
		size_t fresh_bytes = 0;

		for (i = 0; i < n; i++)
			if (!kmap_find(&w->groups, key[i], klen[i],
			    ev_hll_hash(key[i], klen[i]), 0)) {
				fresh++;
				fresh_bytes += klen[i];
			}
		if (fresh && sets_over(w, fresh, fresh_bytes))
			sweep_groups(w);
		if (fresh && c->max_groups &&
		    w->groups.n + fresh > c->max_groups)
			return EV_WIN_FULL;
		if (fresh && c->max_key_bytes &&
		    w->key_bytes + fresh_bytes > c->max_key_bytes)
			return EV_WIN_KEYS_FULL;
	}
	for (i = 0; i < n; i++)
		if ((r = ev_win_add(w, t, key[i], klen[i], x)) != EV_WIN_ADDED)
			return r;	/* not reached: checked above */
	return EV_WIN_ADDED;
}

void
ev_win_close_all(struct ev_win *w)
{
	size_t i, j, n = 0, cap = 0;
	struct ev_map_ent *e;
	struct item *it = NULL;

	switch (w->cfg->kind) {
	case EV_WIN_TUMBLE:
		/*
		 * Every pane left ends past the watermark or is fired and
		 * awaiting late events; either is cut by the end of input and
		 * not final.  A fired pane's last record ("final":false) is
		 * already up to date, so it is not written again.
		 */
		for (i = 0; i < w->npanes; i++) {
			struct pane *p = w->panes[i];

			if (w->cfg->final_at_eof)
				emit_map(w, &p->cells, p->start, p->end, 1);
			else if (!p->fired)
				emit_map(w, &p->cells, p->start, p->end, 0);
		}
		while (w->npanes)
			pane_remove(w, 0);
		break;
	case EV_WIN_HOP:
	case EV_WIN_CUMULATE:
		fire_panes(w, 1);
		break;
	case EV_WIN_SESSION:
		fire_sessions(w, 1);
		break;
	case EV_WIN_MERGE:
		for (i = 0; i < w->npanes; i++)
			cap += w->panes[i]->cells.n;
		it = ev_xcalloc(cap + 1, sizeof(*it));
		for (i = 0; i < w->npanes; i++) {
			struct pane *p = w->panes[i];

			j = 0;
			while ((e = ev_map_next(&p->cells, &j)) != NULL) {
				it[n].start = p->start;
				it[n].end = p->end;
				it[n].key = e->key;
				it[n].klen = e->klen;
				it[n].v = KV(e)->val;
				it[n].open = KV(e)->open &&
				    !w->cfg->final_at_eof;
				n++;
			}
		}
		emit_items(w, it, n, 1);
		free(it);
		while (w->npanes)
			pane_remove(w, 0);
		break;
	}
}

/*
 * The grouping set a partial record names in "grouping" (NULL without
 * grouping sets); -1 with err when it names none of ours, or names one and
 * we have none.
 */
static int
partial_set(const struct ev_win_cfg *c, const json_t *rec,
    const struct ev_win_set **set, char *err, size_t errlen)
{
	const json_t *g = json_object_get(rec, "grouping");
	size_t i, j;

	*set = NULL;
	if (c->nsets == 0) {
		if (g == NULL)
			return 0;
		snprintf(err, errlen, "a grouping set record; give the "
		    "shards' grouping sets");
		return -1;
	}
	if (!json_is_array(g)) {
		snprintf(err, errlen, "partial record without \"grouping\"");
		return -1;
	}
	for (i = 0; i < c->nsets; i++) {
		if (json_array_size(g) != c->sets[i].n)
			continue;
		for (j = 0; j < c->sets[i].n; j++)
			if (!json_is_string(json_array_get(g, j)) ||
			    strcmp(json_string_value(json_array_get(g, j)),
			    c->by_names[c->sets[i].col[j]]) != 0)
				break;
		if (j == c->sets[i].n) {
			*set = &c->sets[i];
			return 0;
		}
	}
	snprintf(err, errlen, "a grouping set that is not among ours");
	return -1;
}

int
ev_win_merge_partial(struct ev_win *w, const json_t *rec, char *err,
    size_t errlen)
{
	const struct ev_win_cfg *c = w->cfg;
	const json_t *st = json_object_get(rec, "partial");
	const struct ev_win_set *set;
	char num[8];
	ev_us_t s, e;
	struct pane *p;
	struct ev_map_ent *ce;
	size_t i;

	if (!json_is_object(rec) || !json_is_object(st)) {
		snprintf(err, errlen, "not a partial record (no \"partial\")");
		return -1;
	}
	if (!json_is_string(json_object_get(rec, "start")) ||
	    !json_is_string(json_object_get(rec, "end")) ||
	    ev_time_from_json(json_object_get(rec, "start"), &s) < 0 ||
	    ev_time_from_json(json_object_get(rec, "end"), &e) < 0) {
		snprintf(err, errlen, "partial record without start and end");
		return -1;
	}
	ev_buf_reset(&w->scratch);
	if (partial_set(c, rec, &set, err, errlen) != 0)
		return -1;
	if (set) {
		snprintf(num, sizeof(num), "%03zu", (size_t)(set - c->sets));
		ev_buf_adds(&w->scratch, num);
	}
	for (i = 0; i < (set ? set->n : c->nby); i++) {
		const char *name = c->by_names[set ? set->col[i] : i];
		const json_t *v = json_object_get(rec, name);

		if (v == NULL) {
			snprintf(err, errlen, "partial record without '%s'",
			    name);
			return -1;
		}
		if (i)
			ev_buf_addc(&w->scratch, '\x1f');
		ev_json_write(v, &w->scratch);
	}
	p = pane_get(w, s, e, 1);
	ce = kmap_find(&p->cells, w->scratch.data, w->scratch.len,
	    ev_hll_hash(w->scratch.data, w->scratch.len), 1);
	if (KV(ce)->val == NULL)
		KV(ce)->val = ev_agg_new(c->aggs);
	/* A window one shard cut at its end of input is not final. */
	if (json_is_false(json_object_get(rec, "final")))
		KV(ce)->open = 1;
	return ev_agg_merge_json(c->aggs, KV(ce)->val, st, err, errlen);
}

size_t
ev_win_open_cells(const struct ev_win *w)
{
	struct ev_map_ent *e;
	size_t i, n = 0;

	for (i = 0; i < w->npanes; i++)
		n += w->panes[i]->cells.n;
	i = 0;
	while ((e = ev_map_next(&w->groups, &i)) != NULL)
		n += ((struct group *)KV(e)->val)->nsess;
	return n;
}

size_t
ev_win_groups(const struct ev_win *w)
{
	return w->groups.n;
}

json_t *
ev_win_save(const struct ev_win *w)
{
	const struct ev_agg_set *a = w->cfg->aggs;
	json_t *o = json_object(), *panes = json_array(), *groups = json_array();
	struct ev_map_ent *e;
	size_t i, j;

	json_object_set_new(o, "wm", w->has_wm ? json_integer(w->wm) :
	    json_null());
	json_object_set_new(o, "fired_upto", w->has_fired ?
	    json_integer(w->fired_upto) : json_null());
	for (i = 0; i < w->npanes; i++) {
		const struct pane *p = w->panes[i];
		json_t *cells = json_array();

		j = 0;
		while ((e = ev_map_next(&p->cells, &j)) != NULL) {
			json_t *cell = json_pack("[s%o]", e->key, e->klen,
			    ev_agg_to_json(a, KV(e)->val));

			if (KV(e)->last)
				json_array_append_new(cell, json_string(
				    KV(e)->last));
			json_array_append_new(cells, cell);
		}
		json_array_append_new(panes, json_pack("{sIsIsbso}", "start",
		    (json_int_t)p->start, "end", (json_int_t)p->end, "fired",
		    p->fired, "cells", cells));
	}
	i = 0;
	while ((e = ev_map_next(&w->groups, &i)) != NULL) {
		const struct group *g = KV(e)->val;
		json_t *ss = json_array();

		for (j = 0; j < g->nsess; j++)
			json_array_append_new(ss, json_pack("[IIo]",
			    (json_int_t)g->sess[j].first,
			    (json_int_t)g->sess[j].last,
			    ev_agg_to_json(a, g->sess[j].v)));
		/* The last written session's last event time comes last, so
		 * a state of an older build (without it) still loads. */
		json_array_append_new(groups, json_pack("[s%IIoo]", e->key,
		    e->klen, (json_int_t)g->first, (json_int_t)g->last, ss,
		    g->has_written ? json_integer(g->wlast) : json_null()));
	}
	json_object_set_new(o, "panes", panes);
	json_object_set_new(o, "groups", groups);
	return o;
}

int
ev_win_load(struct ev_win *w, const json_t *data, char *err, size_t errlen)
{
	const struct ev_agg_set *a = w->cfg->aggs;
	json_t *wm, *fu, *panes, *groups, *x, *y;
	size_t i, j;

	wm = json_object_get(data, "wm");
	fu = json_object_get(data, "fired_upto");
	panes = json_object_get(data, "panes");
	groups = json_object_get(data, "groups");
	if (!json_is_array(panes) || !json_is_array(groups) ||
	    !(json_is_null(wm) || json_is_integer(wm)) ||
	    !(json_is_null(fu) || json_is_integer(fu)))
		goto bad;
	if (json_is_integer(wm)) {
		w->has_wm = 1;
		w->wm = json_integer_value(wm);
	}
	if (json_is_integer(fu)) {
		w->has_fired = 1;
		w->fired_upto = json_integer_value(fu);
	}
	json_array_foreach(panes, i, x) {
		json_int_t s, e;
		int fired;
		json_t *cells;
		struct pane *p;

		if (json_unpack(x, "{sIsIsbso}", "start", &s, "end", &e,
		    "fired", &fired, "cells", &cells) < 0 || e <= s ||
		    !json_is_array(cells))
			goto bad;
		p = pane_get(w, s, e, 1);
		p->fired = fired;
		json_array_foreach(cells, j, y) {
			const char *k, *last;
			size_t kl;
			json_t *st;
			struct ev_map_ent *ce;

			if (json_unpack(y, "[s%o!]", &k, &kl, &st) < 0 &&
			    json_unpack(y, "[s%os]", &k, &kl, &st, &last) < 0)
				goto bad;
			ce = kmap_find(&p->cells, k, kl, ev_hll_hash(k, kl), 1);
			if (KV(ce)->val == NULL)
				KV(ce)->val = ev_agg_new(a);
			if (json_array_size(y) == 3 && KV(ce)->last == NULL)
				KV(ce)->last = ev_xstrdup(json_string_value(
				    json_array_get(y, 2)));
			if (ev_agg_merge_json(a, KV(ce)->val, st, err, errlen) < 0)
				return -1;
		}
	}
	json_array_foreach(groups, i, x) {
		const char *k;
		size_t kl;
		json_int_t first, last;
		json_t *ss, *z, *wl;
		struct ev_map_ent *ge;
		struct group *g;

		if (json_unpack(x, "[s%IIo]", &k, &kl, &first, &last, &ss) < 0 ||
		    !json_is_array(ss))
			goto bad;
		wl = json_array_get(x, 4);
		if (wl && !json_is_null(wl) && !json_is_integer(wl))
			goto bad;
		ge = kmap_find(&w->groups, k, kl, ev_hll_hash(k, kl), 1);
		if (KV(ge)->val)
			goto bad;
		w->key_bytes += kl;
		g = KV(ge)->val = ev_xcalloc(1, sizeof(*g));
		g->first = first;
		g->last = last;
		g->key = ge->key;
		g->klen = ge->klen;
		if (json_is_integer(wl)) {
			g->has_written = 1;
			g->wlast = json_integer_value(wl);
		}
		json_array_foreach(ss, j, z) {
			json_int_t f, l;
			json_t *st;
			struct session *s;

			if (json_unpack(z, "[IIo]", &f, &l, &st) < 0 || l < f)
				goto bad;
			g->sess = ev_xreallocarray(g->sess, g->nsess + 1,
			    sizeof(*g->sess));
			s = &g->sess[g->nsess++];
			s->first = f;
			s->last = l;
			s->v = ev_agg_new(a);
			if (ev_agg_merge_json(a, s->v, st, err, errlen) < 0)
				return -1;
		}
		heap_track(w, g);
	}
	return 0;
bad:
	snprintf(err, errlen, "malformed window state");
	return -1;
}
