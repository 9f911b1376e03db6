/*
 * ev_funnel.c - the funnel engine (see ev_funnel.h; the definitions are
 * in ev-funnel(1)).
 */
#include <stdlib.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_common.h"
#include "ev_funnel.h"
#include "ev_map.h"
#include "ev_theap.h"

/* A user with an open attempt or buffered events. */
struct fuser {
	const char	*id;		/* owned by the users map */
	size_t		 idlen;
	uint64_t	 hash;
	size_t		 npend;		/* buffered events */
	int		 open;		/* an attempt is open */
	/* The open attempt. */
	ev_us_t		 t0;
	int		 reached;	/* steps reached, 1..nsteps */
	int		 broken;	/* strict: another step came first */
	int		 excluded;
	uint32_t	 done;		/* any: the steps reached */
	char		*key;		/* breakdown key of its first step */
	size_t		 klen;
	ev_us_t		 at[];		/* nsteps: when each level was reached */
};

/* A buffered event. */
struct pend {
	struct ev_tkey	 k;		/* time, input line */
	uint32_t	 steps;
	int		 excl;
	struct fuser	*u;
	char		*key;		/* first-step events only */
	size_t		 klen;
};

struct durs {
	ev_us_t		*v;
	size_t		 n, cap;
};

/* The figures of one (period, breakdown). */
struct cell {
	ev_us_t		 period;
	char		*key;
	size_t		 klen;
	uint64_t	 entered, excluded;
	uint64_t	*reached;	/* nsteps */
	struct durs	*durs;		/* nsteps: [k] from step k to k+1 */
};

struct ev_funnel {
	struct ev_funnel_cfg cfg;
	ev_funnel_emit_fn emit;
	void		*arg;
	int		 has_wm;
	ev_us_t		 wm;
	struct ev_map	 users;		/* id -> struct fuser * */
	size_t		 peak;
	struct ev_theap	 heap;		/* struct pend */
	struct ev_tfifo	 q;		/* open attempts' deadlines */
	struct ev_map	 cells;		/* period + key -> struct cell * */
	ev_us_t		*periods;	/* open periods, ascending */
	size_t		 nper, capper;
	uint64_t	 attempts, excluded;
	struct ev_buf	 out, ckey;
};

size_t
ev_funnel_user_bytes(int nsteps)
{
	/* The struct, its levels, and a map slot (24 + 8) at 3/4 load. */
	return sizeof(struct fuser) + (size_t)nsteps * sizeof(ev_us_t) +
	    (24 + 8) * 4 / 3;
}

struct ev_funnel *
ev_funnel_new(const struct ev_funnel_cfg *cfg, ev_funnel_emit_fn emit,
    void *arg)
{
	struct ev_funnel *f = ev_xcalloc(1, sizeof(*f));

	f->cfg = *cfg;
	f->emit = emit;
	f->arg = arg;
	ev_map_init(&f->users, sizeof(struct fuser *), 1024, 0);
	ev_map_init(&f->cells, sizeof(struct cell *), 64, 0);
	ev_theap_init(&f->heap, sizeof(struct pend));
	ev_buf_init(&f->out);
	ev_buf_init(&f->ckey);
	return f;
}

static void
cell_free(struct cell *c, int nsteps)
{
	int k;

	for (k = 0; k < nsteps; k++)
		free(c->durs[k].v);
	free(c->durs);
	free(c->reached);
	free(c->key);
	free(c);
}

static struct cell *
cell_get(struct ev_funnel *f, ev_us_t period, const char *key, size_t klen)
{
	struct ev_map_ent *e;
	struct cell *c;
	int isnew;

	ev_buf_reset(&f->ckey);
	ev_buf_add(&f->ckey, &period, sizeof(period));
	ev_buf_add(&f->ckey, key, klen);
	e = ev_map_put(&f->cells, f->ckey.data, f->ckey.len,
	    ev_hash_bytes(f->ckey.data, f->ckey.len), &isnew);
	if (!isnew)
		return *(struct cell **)ev_map_val(e);
	c = ev_xcalloc(1, sizeof(*c));
	c->period = period;
	c->key = ev_xmalloc(klen + 1);
	memcpy(c->key, key, klen);
	c->klen = klen;
	c->reached = ev_xcalloc((size_t)f->cfg.nsteps, sizeof(*c->reached));
	c->durs = ev_xcalloc((size_t)f->cfg.nsteps, sizeof(*c->durs));
	*(struct cell **)ev_map_val(e) = c;
	if (f->nper == 0 || f->periods[f->nper - 1] < period) {
		if (f->nper == f->capper) {
			f->capper = f->capper ? 2 * f->capper : 16;
			f->periods = ev_xreallocarray(f->periods, f->capper,
			    sizeof(*f->periods));
		}
		f->periods[f->nper++] = period;
	}
	return c;
}

static void
durs_add(struct durs *d, ev_us_t v)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->v = ev_xreallocarray(d->v, d->cap, sizeof(*d->v));
	}
	d->v[d->n++] = v;
}

/* Free a user that holds nothing any more. */
static void
user_maybe_free(struct ev_funnel *f, struct fuser *u)
{
	struct ev_map_ent *e;

	if (u->open || u->npend > 0)
		return;
	e = ev_map_find(&f->users, u->id, u->idlen, u->hash);
	if (e != NULL)
		ev_map_del(&f->users, e);
	free(u->key);
	free(u);
}

/* Count the user's open attempt in its cell and close it. */
static void
attempt_count(struct ev_funnel *f, struct fuser *u)
{
	struct cell *c;
	int k;

	c = cell_get(f, ev_time_floor(u->t0, f->cfg.period), u->key,
	    u->klen);
	f->attempts++;
	if (u->excluded) {
		c->excluded++;
		f->excluded++;
	} else {
		c->entered++;
		for (k = 0; k < u->reached; k++)
			c->reached[k]++;
		for (k = 1; k < u->reached; k++)
			durs_add(&c->durs[k - 1], u->at[k] - u->at[k - 1]);
	}
	u->open = 0;
	free(u->key);
	u->key = NULL;
	u->klen = 0;
}

/* Close the attempts whose window ends before t. */
static void
expire(struct ev_funnel *f, ev_us_t t, int all)
{
	struct ev_tdue *d;
	struct fuser *u;

	while ((d = ev_tfifo_front(&f->q)) != NULL) {
		if (!all && d->at >= t)
			break;
		u = d->p;
		ev_tfifo_pop(&f->q);
		attempt_count(f, u);
		user_maybe_free(f, u);
	}
}

static int
popcount32(uint32_t x)
{
	int n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

/* The steps an event of the open attempt reaches, by the mode. */
static void
advance(const struct ev_funnel *f, struct fuser *u, const struct pend *p)
{
	uint32_t fresh;
	int k, got;

	switch (f->cfg.mode) {
	case EV_FUNNEL_SEQUENTIAL:
		if (p->steps & (UINT32_C(1) << u->reached))
			u->at[u->reached++] = p->k.t;
		break;
	case EV_FUNNEL_STRICT:
		if (p->steps & (UINT32_C(1) << u->reached))
			u->at[u->reached++] = p->k.t;
		else if (p->steps != 0)
			u->broken = 1;
		break;
	case EV_FUNNEL_ANY:
		/* One event may reach several steps at once. */
		fresh = p->steps & ~u->done;
		got = popcount32(fresh);
		for (k = 0; k < got; k++)
			u->at[u->reached++] = p->k.t;
		u->done |= fresh;
		break;
	}
}

/* One event, in (time, line) order, through its user's attempt. */
static void
walk(struct ev_funnel *f, struct pend *p)
{
	struct fuser *u = p->u;
	int n = f->cfg.nsteps;

	if (u->open) {
		if (u->reached < n && !u->broken)
			advance(f, u, p);
		/* Before the conversion (not the event that makes it). */
		if (p->excl && u->reached < n)
			u->excluded = 1;
	} else if (p->steps & 1) {
		u->open = 1;
		u->t0 = p->k.t;
		u->reached = 1;
		u->broken = 0;
		u->excluded = 0;
		u->done = 1;
		u->at[0] = p->k.t;
		u->key = p->key;
		u->klen = p->klen;
		p->key = NULL;
		ev_tfifo_push(&f->q, p->k.t + f->cfg.within, u);
	}
	free(p->key);
	u->npend--;
	user_maybe_free(f, u);
}

void
ev_funnel_add(struct ev_funnel *f, ev_us_t t, uint64_t line,
    const char *user, size_t ulen, uint32_t steps, int excl,
    const char *key, size_t klen)
{
	struct ev_map_ent *e;
	struct fuser *u;
	struct pend p;
	uint64_t h = ev_hash_bytes(user, ulen);
	int isnew;

	e = ev_map_put(&f->users, user, ulen, h, &isnew);
	if (isnew) {
		u = ev_xcalloc(1, sizeof(*u) +
		    (size_t)f->cfg.nsteps * sizeof(ev_us_t));
		u->id = e->key;
		u->idlen = ulen;
		u->hash = h;
		*(struct fuser **)ev_map_val(e) = u;
		if (f->users.n > f->peak)
			f->peak = f->users.n;
	} else
		u = *(struct fuser **)ev_map_val(e);
	memset(&p, 0, sizeof(p));
	p.k.t = t;
	p.k.line = line;
	p.steps = steps;
	p.excl = excl;
	p.u = u;
	if (steps & 1) {
		p.key = ev_xmalloc(klen + 1);
		if (klen > 0)	/* without --by, key may be NULL */
			memcpy(p.key, key, klen);
		p.klen = klen;
	}
	u->npend++;
	ev_theap_push(&f->heap, &p);
}

/* Write the cells of the first open period, sorted by key. */
static int
cell_cmp(const void *a, const void *b)
{
	const struct cell *x = *(const struct cell *const *)a;
	const struct cell *y = *(const struct cell *const *)b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int r = memcmp(x->key, y->key, n);

	if (r != 0)
		return r;
	return x->klen < y->klen ? -1 : x->klen > y->klen;
}

static int
durs_cmp(const void *a, const void *b)
{
	ev_us_t x = *(const ev_us_t *)a, y = *(const ev_us_t *)b;

	return x < y ? -1 : x > y;
}

static void
add_ratio(struct ev_buf *b, const char *name, int k, uint64_t num,
    uint64_t den)
{
	ev_buf_printf(b, ",\"%s_%d\":", name, k);
	if (den == 0)
		ev_buf_adds(b, "null");
	else
		ev_buf_add_num(b, (double)num / (double)den);
}

static void
write_cell(struct ev_funnel *f, const struct cell *c, int final)
{
	struct ev_buf *b = &f->out;
	char tb[EV_TIME_BUFSZ];
	const char *kp = c->key, *ke;
	struct durs *d;
	size_t i;
	int k, n = f->cfg.nsteps;

	ev_buf_reset(b);
	ev_buf_adds(b, "{\"start\":\"");
	ev_buf_adds(b, ev_time_format(c->period, -1, tb));
	ev_buf_adds(b, "\",\"end\":\"");
	ev_buf_adds(b, ev_time_format(c->period + f->cfg.period, -1, tb));
	ev_buf_addc(b, '"');
	for (i = 0; i < f->cfg.nby; i++) {
		ke = memchr(kp, '\0', (size_t)(c->key + c->klen - kp));
		ev_buf_addc(b, ',');
		ev_buf_add_jstr(b, f->cfg.by_names[i],
		    strlen(f->cfg.by_names[i]));
		ev_buf_addc(b, ':');
		ev_buf_add(b, kp, (size_t)(ke - kp));
		kp = ke + 1;
	}
	ev_buf_adds(b, ",\"steps\":[");
	for (k = 0; k < n; k++) {
		if (k)
			ev_buf_addc(b, ',');
		ev_buf_add_jstr(b, f->cfg.step_names[k],
		    strlen(f->cfg.step_names[k]));
	}
	ev_buf_adds(b, "],\"entered\":");
	ev_buf_add_dec(b, c->entered, 0);
	ev_buf_adds(b, ",\"excluded\":");
	ev_buf_add_dec(b, c->excluded, 0);
	ev_buf_adds(b, ",\"converted\":");
	ev_buf_add_dec(b, c->reached[n - 1], 0);
	ev_buf_adds(b, ",\"conversion_rate\":");
	if (c->entered == 0)
		ev_buf_adds(b, "null");
	else
		ev_buf_add_num(b, (double)c->reached[n - 1] /
		    (double)c->entered);
	for (k = 1; k <= n; k++) {
		ev_buf_printf(b, ",\"reached_%d\":", k);
		ev_buf_add_dec(b, c->reached[k - 1], 0);
	}
	for (k = 2; k <= n; k++) {
		add_ratio(b, "rate", k, c->reached[k - 1], c->entered);
		add_ratio(b, "rate_prev", k, c->reached[k - 1],
		    c->reached[k - 2]);
		ev_buf_printf(b, ",\"drop_%d\":", k);
		ev_buf_add_dec(b, c->reached[k - 2] - c->reached[k - 1], 0);
		/* Nearest rank: the ceil(q n)-th smallest. */
		d = &c->durs[k - 2];
		if (d->n > 1)
			qsort(d->v, d->n, sizeof(*d->v), durs_cmp);
		ev_buf_printf(b, ",\"median_s_%d\":", k);
		if (d->n == 0)
			ev_buf_adds(b, "null");
		else
			ev_buf_add_num(b, (double)d->v[(d->n + 1) / 2 - 1] /
			    1e6);
		ev_buf_printf(b, ",\"p90_s_%d\":", k);
		if (d->n == 0)
			ev_buf_adds(b, "null");
		else
			ev_buf_add_num(b, (double)d->v[(9 * d->n + 9) / 10 -
			    1] / 1e6);
	}
	ev_buf_adds(b, final ? ",\"final\":true}" : ",\"final\":false}");
	f->emit(f->arg, b->data, b->len);
}

static void
emit_first_period(struct ev_funnel *f, int final)
{
	struct ev_map_ent *e;
	struct cell **v = NULL, *c;
	size_t i = 0, n = 0, j;
	ev_us_t p = f->periods[0];

	while ((e = ev_map_next(&f->cells, &i)) != NULL) {
		c = *(struct cell **)ev_map_val(e);
		if (c->period != p)
			continue;
		v = ev_xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = c;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cell_cmp);
	for (j = 0; j < n; j++) {
		write_cell(f, v[j], final);
		ev_buf_reset(&f->ckey);
		ev_buf_add(&f->ckey, &p, sizeof(p));
		ev_buf_add(&f->ckey, v[j]->key, v[j]->klen);
		e = ev_map_find(&f->cells, f->ckey.data, f->ckey.len,
		    ev_hash_bytes(f->ckey.data, f->ckey.len));
		ev_map_del(&f->cells, e);
		cell_free(v[j], f->cfg.nsteps);
	}
	free(v);
	memmove(f->periods, f->periods + 1, (f->nper - 1) *
	    sizeof(*f->periods));
	f->nper--;
}

int
ev_funnel_late(const struct ev_funnel *f, ev_us_t t)
{
	return f->has_wm && t < f->wm;
}

void
ev_funnel_watermark(struct ev_funnel *f, ev_us_t wm)
{
	struct pend *top, p;

	if (f->has_wm && wm <= f->wm)
		return;
	f->has_wm = 1;
	f->wm = wm;
	while ((top = ev_theap_top(&f->heap)) != NULL && top->k.t < wm) {
		ev_theap_pop(&f->heap, &p);
		expire(f, p.k.t, 0);
		walk(f, &p);
	}
	expire(f, wm, 0);
	while (f->nper > 0 && wm - f->cfg.period - f->cfg.within >=
	    f->periods[0])
		emit_first_period(f, 1);
}

void
ev_funnel_finish(struct ev_funnel *f)
{
	struct pend p;

	while (f->heap.n > 0) {
		ev_theap_pop(&f->heap, &p);
		expire(f, p.k.t, 0);
		walk(f, &p);
	}
	expire(f, 0, 1);
	while (f->nper > 0)
		emit_first_period(f, f->cfg.final_at_eof);
}

size_t
ev_funnel_users(const struct ev_funnel *f)
{
	return f->users.n;
}

size_t
ev_funnel_peak_users(const struct ev_funnel *f)
{
	return f->peak;
}

uint64_t
ev_funnel_attempts(const struct ev_funnel *f)
{
	return f->attempts;
}

uint64_t
ev_funnel_excluded(const struct ev_funnel *f)
{
	return f->excluded;
}

void
ev_funnel_free(struct ev_funnel *f)
{
	struct ev_map_ent *e;
	struct pend p;
	size_t i = 0;

	if (f == NULL)
		return;
	while ((e = ev_map_next(&f->users, &i)) != NULL) {
		struct fuser *u = *(struct fuser **)ev_map_val(e);

		free(u->key);
		free(u);
	}
	ev_map_release(&f->users);
	i = 0;
	while ((e = ev_map_next(&f->cells, &i)) != NULL)
		cell_free(*(struct cell **)ev_map_val(e), f->cfg.nsteps);
	ev_map_release(&f->cells);
	while (f->heap.n > 0) {
		ev_theap_pop(&f->heap, &p);
		free(p.key);
	}
	ev_theap_release(&f->heap);
	ev_tfifo_release(&f->q);
	free(f->periods);
	ev_buf_free(&f->out);
	ev_buf_free(&f->ckey);
	free(f);
}
