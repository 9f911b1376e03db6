/*
 * ev_retention.c - the retention engine (see ev_retention.h; the
 * definitions are in ev-retention(1)).
 */
#include <stdlib.h>
#include <string.h>

#include "ev_buf.h"
#include "ev_common.h"
#include "ev_map.h"
#include "ev_retention.h"
#include "ev_theap.h"

struct cohort {
	ev_us_t		 start;
	uint64_t	 size;
	int		 next;		/* the next period n to write */
	uint64_t	 ret[EV_RETENTION_MAX_PERIODS];
};

/* A user in a cohort, or with buffered events. */
struct ruser {
	const char	*id;		/* owned by the users map */
	size_t		 idlen;
	uint64_t	 hash;
	size_t		 npend;		/* buffered events */
	size_t		 ndue;		/* entries in the horizon FIFO */
	struct cohort	*c;		/* NULL: in no cohort */
	ev_us_t		 hend;		/* end of the cohort's horizon */
	uint64_t	 bits;		/* periods returned in */
	int		 maxn;		/* latest period returned in, or -1 */
};

struct pend {
	struct ev_tkey	 k;
	struct ruser	*u;
	int		 start, ret;
};

struct ev_retention {
	struct ev_retention_cfg cfg;
	ev_retention_emit_fn emit;
	void		*arg;
	int		 has_wm;
	ev_us_t		 wm;
	struct ev_map	 users;		/* id -> struct ruser * */
	size_t		 peak;
	uint64_t	 entered;
	struct ev_theap	 heap;		/* struct pend */
	struct ev_tfifo	 q;		/* users' horizon ends */
	struct cohort	**co;		/* open cohorts, by start */
	size_t		 nco, capco;
	struct ev_buf	 out;
};

size_t
ev_retention_user_bytes(void)
{
	/* The struct, a map slot (24 + 8) at 3/4 load, a FIFO entry. */
	return sizeof(struct ruser) + (24 + 8) * 4 / 3 + sizeof(struct ev_tdue);
}

struct ev_retention *
ev_retention_new(const struct ev_retention_cfg *cfg,
    ev_retention_emit_fn emit, void *arg)
{
	struct ev_retention *r = ev_xcalloc(1, sizeof(*r));

	r->cfg = *cfg;
	r->emit = emit;
	r->arg = arg;
	ev_map_init(&r->users, sizeof(struct ruser *), 1024, 0);
	ev_theap_init(&r->heap, sizeof(struct pend));
	ev_buf_init(&r->out);
	return r;
}

static void
user_maybe_free(struct ev_retention *r, struct ruser *u)
{
	struct ev_map_ent *e;

	if (u->npend > 0 || u->ndue > 0)
		return;
	e = ev_map_find(&r->users, u->id, u->idlen, u->hash);
	if (e != NULL)
		ev_map_del(&r->users, e);
	free(u);
}

static struct cohort *
cohort_get(struct ev_retention *r, ev_us_t start)
{
	struct cohort *c;

	/* Walked in time order: a new cohort is the latest. */
	if (r->nco > 0 && r->co[r->nco - 1]->start == start)
		return r->co[r->nco - 1];
	if (r->nco == r->capco) {
		r->capco = r->capco ? 2 * r->capco : 16;
		r->co = ev_xreallocarray(r->co, r->capco, sizeof(*r->co));
	}
	c = ev_xcalloc(1, sizeof(*c));
	c->start = start;
	r->co[r->nco++] = c;
	return c;
}

/* Forget the users whose horizon ends at or before t (all: every one). */
static void
expire(struct ev_retention *r, ev_us_t t, int all)
{
	struct ev_tdue *d;
	struct ruser *u;

	while ((d = ev_tfifo_front(&r->q)) != NULL) {
		if (!all && d->at > t)
			break;
		u = d->p;
		if (u->c != NULL && u->hend == d->at)
			u->c = NULL;
		u->ndue--;
		ev_tfifo_pop(&r->q);
		user_maybe_free(r, u);
	}
}

/* One event, in (time, line) order. */
static void
walk(struct ev_retention *r, const struct pend *p)
{
	struct ruser *u = p->u;
	ev_us_t P = r->cfg.period;
	int n, k;

	if (u->c != NULL && p->k.t >= u->hend)
		u->c = NULL;
	if (u->c == NULL) {
		if (p->start) {
			u->c = cohort_get(r, ev_time_floor(p->k.t, P));
			u->c->size++;
			r->entered++;
			u->hend = u->c->start + (ev_us_t)r->cfg.periods * P;
			u->bits = 0;
			u->maxn = -1;
			ev_tfifo_push(&r->q, u->hend, u);
			u->ndue++;
		}
	} else if (p->ret) {
		n = (int)((ev_time_floor(p->k.t, P) - u->c->start) / P);
		if (r->cfg.unbounded) {
			/* Retained in k for every k up to n. */
			for (k = u->maxn + 1; k <= n; k++)
				u->c->ret[k]++;
		} else if (!(u->bits & (UINT64_C(1) << n)))
			u->c->ret[n]++;
		u->bits |= UINT64_C(1) << n;
		if (n > u->maxn)
			u->maxn = n;
	}
	u->npend--;
	user_maybe_free(r, u);
}

void
ev_retention_add(struct ev_retention *r, ev_us_t t, uint64_t line,
    const char *user, size_t ulen, int start, int ret)
{
	struct ev_map_ent *e;
	struct ruser *u;
	struct pend p;
	uint64_t h = ev_hash_bytes(user, ulen);
	int isnew;

	e = ev_map_put(&r->users, user, ulen, h, &isnew);
	if (isnew) {
		u = ev_xcalloc(1, sizeof(*u));
		u->id = e->key;
		u->idlen = ulen;
		u->hash = h;
		u->maxn = -1;
		*(struct ruser **)ev_map_val(e) = u;
		if (r->users.n > r->peak)
			r->peak = r->users.n;
	} else
		u = *(struct ruser **)ev_map_val(e);
	memset(&p, 0, sizeof(p));
	p.k.t = t;
	p.k.line = line;
	p.u = u;
	p.start = start;
	p.ret = ret;
	u->npend++;
	ev_theap_push(&r->heap, &p);
}

static void
write_rec(struct ev_retention *r, const struct cohort *c, int n, int final)
{
	struct ev_buf *b = &r->out;
	char tb[EV_TIME_BUFSZ];

	ev_buf_reset(b);
	ev_buf_adds(b, "{\"start\":\"");
	ev_buf_adds(b, ev_time_format(c->start, -1, tb));
	ev_buf_adds(b, "\",\"end\":\"");
	ev_buf_adds(b, ev_time_format(c->start + r->cfg.period, -1, tb));
	/* A string: a label, so that ev-report keeps one series per n. */
	ev_buf_adds(b, "\",\"period\":\"");
	ev_buf_add_dec(b, (uint64_t)n, 0);
	ev_buf_adds(b, "\",\"cohort_users\":");
	ev_buf_add_dec(b, c->size, 0);
	ev_buf_adds(b, ",\"retained_users\":");
	ev_buf_add_dec(b, c->ret[n], 0);
	ev_buf_adds(b, ",\"retention_rate\":");
	ev_buf_add_num(b, (double)c->ret[n] / (double)c->size);
	ev_buf_adds(b, final ? ",\"final\":true}" : ",\"final\":false}");
	r->emit(r->arg, b->data, b->len);
}

/* Write the records the watermark has closed (all: every one left). */
static void
emit_closed(struct ev_retention *r, int all, int final)
{
	struct cohort *c;
	ev_us_t P = r->cfg.period, end;
	size_t i, j = 0;
	int N = r->cfg.periods;

	for (i = 0; i < r->nco; i++) {
		c = r->co[i];
		while (c->next < N) {
			end = c->start + (ev_us_t)(r->cfg.unbounded ? N :
			    c->next + 1) * P;
			if (!all && !(r->has_wm && r->wm >= end))
				break;
			write_rec(r, c, c->next++, final);
		}
		if (c->next == N)
			free(c);
		else
			r->co[j++] = c;
	}
	r->nco = j;
}

int
ev_retention_late(const struct ev_retention *r, ev_us_t t)
{
	return r->has_wm && t < r->wm;
}

void
ev_retention_watermark(struct ev_retention *r, ev_us_t wm)
{
	struct pend *top, p;

	if (r->has_wm && wm <= r->wm)
		return;
	r->has_wm = 1;
	r->wm = wm;
	while ((top = ev_theap_top(&r->heap)) != NULL && top->k.t < wm) {
		ev_theap_pop(&r->heap, &p);
		walk(r, &p);
	}
	expire(r, wm, 0);
	emit_closed(r, 0, 1);
}

void
ev_retention_finish(struct ev_retention *r)
{
	struct pend p;

	while (r->heap.n > 0) {
		ev_theap_pop(&r->heap, &p);
		walk(r, &p);
	}
	if (r->has_wm)
		emit_closed(r, 0, 1);
	emit_closed(r, 1, r->cfg.final_at_eof);
	expire(r, 0, 1);
}

size_t
ev_retention_peak_users(const struct ev_retention *r)
{
	return r->peak;
}

uint64_t
ev_retention_cohort_users(const struct ev_retention *r)
{
	return r->entered;
}

void
ev_retention_free(struct ev_retention *r)
{
	struct ev_map_ent *e;
	size_t i = 0;

	if (r == NULL)
		return;
	while ((e = ev_map_next(&r->users, &i)) != NULL)
		free(*(struct ruser **)ev_map_val(e));
	ev_map_release(&r->users);
	for (i = 0; i < r->nco; i++)
		free(r->co[i]);
	free(r->co);
	ev_tfifo_release(&r->q);
	ev_theap_release(&r->heap);
	ev_buf_free(&r->out);
	free(r);
}
