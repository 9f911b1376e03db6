/*
 * test_theap.c - the (time, line) heap and the FIFO of deadlines
 * (lib/ev_theap.c): random pushes and pops against qsort of the same
 * items (equal times ordered by line, items carried whole), and the FIFO
 * in order across its ring's growth and wrap-around.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_theap.h"
#include "check.h"

struct item {
	struct ev_tkey	 k;
	uint32_t	 tag;
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int
item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->k.t != y->k.t)
		return x->k.t < y->k.t ? -1 : 1;
	return x->k.line < y->k.line ? -1 : x->k.line > y->k.line;
}

static void
test_heap(void)
{
	struct ev_theap h;
	struct item *ref, it, *top;
	size_t nref = 0, i, round;
	uint64_t line = 0;

	ref = calloc(4096, sizeof(*ref));
	ev_theap_init(&h, sizeof(struct item));
	CHECK(ev_theap_top(&h) == NULL);
	for (round = 0; round < 20000; round++) {
		if (nref < 4096 && (nref == 0 || next() % 3 != 0)) {
			/* Few distinct times: many ties, broken by line. */
			it.k.t = (ev_us_t)(next() % 50) - 10;
			it.k.line = ++line;
			it.tag = (uint32_t)next();
			ev_theap_push(&h, &it);
			ref[nref++] = it;
			continue;
		}
		qsort(ref, nref, sizeof(*ref), item_cmp);
		top = ev_theap_top(&h);
		CHECK(top != NULL && top->k.line == ref[0].k.line);
		ev_theap_pop(&h, &it);
		CHECKF(it.k.t == ref[0].k.t && it.k.line == ref[0].k.line &&
		    it.tag == ref[0].tag, "popped t=%lld line=%llu, want "
		    "t=%lld line=%llu", (long long)it.k.t,
		    (unsigned long long)it.k.line, (long long)ref[0].k.t,
		    (unsigned long long)ref[0].k.line);
		memmove(ref, ref + 1, (nref - 1) * sizeof(*ref));
		nref--;
	}
	qsort(ref, nref, sizeof(*ref), item_cmp);
	for (i = 0; i < nref; i++) {
		ev_theap_pop(&h, &it);
		CHECK(it.k.line == ref[i].k.line);
	}
	CHECK(h.n == 0 && ev_theap_top(&h) == NULL);
	ev_theap_release(&h);
	free(ref);
}

static void
test_fifo(void)
{
	struct ev_tfifo q;
	struct ev_tdue *d;
	static int obj[1000];
	size_t pushed = 0, popped = 0, round;

	memset(&q, 0, sizeof(q));
	CHECK(ev_tfifo_front(&q) == NULL);
	/* Push more than pop, so the ring grows while wrapped. */
	for (round = 0; round < 5000; round++) {
		if (pushed < 1000 && next() % 5 < 3) {
			ev_tfifo_push(&q, (ev_us_t)pushed, &obj[pushed]);
			pushed++;
		} else if (popped < pushed) {
			d = ev_tfifo_front(&q);
			CHECKF(d != NULL && d->at == (ev_us_t)popped &&
			    d->p == &obj[popped], "front at %lld, want %zu",
			    d ? (long long)d->at : -1LL, popped);
			ev_tfifo_pop(&q);
			popped++;
		}
	}
	CHECK(q.n == pushed - popped);
	ev_tfifo_release(&q);
	CHECK(ev_tfifo_front(&q) == NULL);
}

int
main(void)
{
	test_heap();
	test_fifo();
	printf("test_theap: %d checks, %d failures\n", checks, failures);
	return failures > 0;
}
