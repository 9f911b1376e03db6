/*
 * test_window.c - lib/ev_window on thousands of random events in time
 * order: tumbling and hopping windows by one key, count and sum, against
 * the windows counted here by brute force (every event tested against
 * every window it could belong to).  Each (window, group) must come out
 * exactly once, with the reference's figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_agg.h"
#include "ev_common.h"
#include "ev_rand.h"
#include "ev_rec.h"
#include "ev_time.h"
#include "ev_window.h"

#include "check.h"

#define NEV	4000
#define NGRP	23
#define MIN	INT64_C(60000000)
#define SPAN	(90 * MIN)		/* events fall in [T0, T0 + SPAN) */
#define T0	INT64_C(1772409600000000)	/* 2026-03-02T00:00:00Z */

struct event {
	ev_us_t		 t;
	int		 g;
	int		 v;
};

static struct event ev[NEV];

/* One output (or reference) cell: window start, group -> count, sum. */
struct cell {
	ev_us_t		 start, end;
	int		 g;
	long		 count, sum;
	int		 seen;
};

struct out {
	struct cell	*c;
	size_t		 n, cap;
	int		 bad;		/* records that did not parse */
};

static int
ev_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	return (x->t > y->t) - (x->t < y->t);
}

static void
make_events(void)
{
	struct ev_rand r;
	size_t i;

	ev_rand_seed(&r, 7, 0);
	for (i = 0; i < NEV; i++) {
		ev[i].t = T0 + (ev_us_t)ev_rand_below(&r, (uint64_t)SPAN);
		ev[i].g = (int)ev_rand_below(&r, NGRP);
		ev[i].v = (int)ev_rand_below(&r, 1000) - 300;
	}
	qsort(ev, NEV, sizeof(*ev), ev_cmp);
}

static void
collect(void *arg, const char *rec, size_t len)
{
	struct out *o = arg;
	json_t *j = json_loadb(rec, len, 0, NULL);
	const char *s, *e, *g;
	struct cell *c;

	if (j == NULL || json_unpack(j, "{s:s,s:s,s:s}", "start", &s, "end",
	    &e, "g", &g) < 0 || g[0] != 'g') {
		o->bad++;
		json_decref(j);
		return;
	}
	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 256;
		o->c = ev_xreallocarray(o->c, o->cap, sizeof(*o->c));
	}
	c = &o->c[o->n++];
	memset(c, 0, sizeof(*c));
	if (ev_time_parse(s, strlen(s), &c->start) != 0 ||
	    ev_time_parse(e, strlen(e), &c->end) != 0)
		o->bad++;
	c->g = atoi(g + 1);
	c->count = (long)json_integer_value(json_object_get(j, "count"));
	c->sum = (long)json_number_value(json_object_get(j, "sum_v"));
	if (!json_is_true(json_object_get(j, "final")))
		o->bad++;
	json_decref(j);
}

/*
 * Run the window over the events (watermark = each event's time, so none
 * is late) and compare with windows [e - size, e) for every e that is a
 * multiple of every (T0 is a multiple of each slide used).
 */
static void
run(enum ev_win_kind kind, ev_us_t size, ev_us_t every, const char *what)
{
	struct ev_agg_set aggs;
	struct ev_win_cfg cfg;
	struct ev_win *w;
	struct ev_rec rec;
	struct ev_buf scratch = EV_BUF_INIT;
	struct out o = { NULL, 0, 0, 0 };
	char gname[] = "g", *names[] = { gname };
	const json_t *x[4];
	char line[64], key[16], err[128];
	size_t i, k, bad, nref = 0, missing = 0, wrong = 0, twice = 0;
	ev_us_t s, e;
	int g;

	ev_agg_set_init(&aggs, 12, 0.01);
	CHECK(ev_agg_parse(&aggs, "count,sum(v)", err, sizeof(err)) == 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.kind = kind;
	cfg.size = size;
	cfg.every = every;
	cfg.aggs = &aggs;
	cfg.nby = 1;
	cfg.by_names = names;
	cfg.group_ttl = 60 * MIN;
	cfg.final_at_eof = 1;
	w = ev_win_new(&cfg, collect, &o);
	ev_rec_init(&rec);
	for (i = 0; i < NEV; i++) {
		int n = snprintf(line, sizeof(line), "{\"v\":%d}", ev[i].v);
		int kl = snprintf(key, sizeof(key), "\"g%d\"", ev[i].g);

		CHECK(ev_rec_parse(&rec, line, (size_t)n) == 0);
		CHECK(ev_agg_extract(&aggs, &rec, x, &bad, err,
		    sizeof(err)) == 0);
		CHECK(ev_win_add(w, ev[i].t, key, (size_t)kl, x) ==
		    EV_WIN_ADDED);
		ev_win_watermark(w, ev[i].t);
	}
	ev_win_close_all(w);
	CHECKF(o.bad == 0, "%s: %d bad records", what, o.bad);

	/* Every window end that can close over an event, every group. */
	for (e = T0; e - size < T0 + SPAN; e += every)
		for (g = 0, s = e - size; g < NGRP; g++) {
			long count = 0, sum = 0;

			for (i = 0; i < NEV; i++)
				if (ev[i].g == g && ev[i].t >= s &&
				    ev[i].t < s + size) {
					count++;
					sum += ev[i].v;
				}
			if (count == 0)
				continue;
			nref++;
			for (k = 0; k < o.n; k++)
				if (o.c[k].start == s && o.c[k].g == g)
					break;
			if (k == o.n) {
				missing++;
				continue;
			}
			if (o.c[k].seen++)
				twice++;
			if (o.c[k].end != s + size || o.c[k].count != count ||
			    o.c[k].sum != sum)
				wrong++;
		}
	CHECKF(missing == 0 && wrong == 0 && twice == 0, "%s: %zu missing, "
	    "%zu wrong, %zu twice", what, missing, wrong, twice);
	CHECKF(o.n == nref, "%s: %zu records, %zu windows", what, o.n, nref);
	CHECKF(nref > 500, "%s: only %zu windows", what, nref);

	ev_rec_clear(&rec);
	ev_buf_free(&scratch);
	ev_win_free(w);
	ev_agg_set_free(&aggs);
	free(o.c);
}

int
main(void)
{
	make_events();
	run(EV_WIN_TUMBLE, MIN, MIN, "tumble 1m");
	run(EV_WIN_HOP, 5 * MIN, MIN, "hop 5m every 1m");
	run(EV_WIN_HOP, 10 * MIN, 2 * MIN, "hop 10m every 2m");
	printf("test_window: %d checks, %d failures\n", checks, failures);
	return failures > 0;
}
