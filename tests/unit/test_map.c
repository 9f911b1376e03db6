/*
 * test_map.c - unit tests of lib/ev_map: thousands of random inserts,
 * updates, deletes and filters, each followed by a comparison with a plain
 * array searched linearly (the reference), under a good hash and under
 * deliberately bad ones that pile keys into long, wrapping clusters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_map.h"
#include "ev_rand.h"

#include "check.h"

#define NKEYS	3000		/* distinct keys drawn from */

struct ref {
	char		 key[16];
	size_t		 klen;
	int		 present;
	uint64_t	 val;
};

static struct ref refs[NKEYS];

/* Hash functions: a good one and two that collide on purpose. */
static uint64_t
hash_good(const char *k, size_t n)
{
	return ev_hash_bytes(k, n);
}

static uint64_t
hash_few(const char *k, size_t n)
{
	return ev_hash_bytes(k, n) % 37;	/* 37 home slots at most */
}

static uint64_t
hash_high(const char *k, size_t n)
{
	/* Every key's home is near the end of the table: clusters wrap. */
	return (ev_hash_bytes(k, n) % 5) + UINT64_C(0xfffffffffffffff0);
}

static void
make_keys(struct ev_rand *r)
{
	size_t i, j;

	for (i = 0; i < NKEYS; i++) {
		/*
		 * Two bytes naming the key make each one unique; then up to
		 * 13 bytes from {0, 1, 2, 3}, NUL included, so that keys
		 * share prefixes and only the lengths tell some apart.
		 */
		refs[i].klen = 2 + (size_t)ev_rand_below(r, 14);
		refs[i].key[0] = (char)(i & 0xff);
		refs[i].key[1] = (char)(i >> 8);
		for (j = 2; j < refs[i].klen; j++)
			refs[i].key[j] = (char)ev_rand_below(r, 4);
		refs[i].present = 0;
		refs[i].val = 0;
	}
	/* One empty key, once. */
	refs[0].klen = 0;
}

/* The map holds exactly the reference's present keys with their values. */
static int
same_as_ref(const struct ev_map *m, uint64_t (*h)(const char *, size_t))
{
	size_t i, n = 0, seen = 0;
	struct ev_map_ent *e;
	int ok = 1;

	for (i = 0; i < NKEYS; i++) {
		e = ev_map_find(m, refs[i].key, refs[i].klen,
		    h(refs[i].key, refs[i].klen));
		if (refs[i].present) {
			n++;
			if (e == NULL || *(uint64_t *)ev_map_val(e) !=
			    refs[i].val || e->klen != refs[i].klen ||
			    memcmp(e->key, refs[i].key, e->klen) != 0)
				ok = 0;
		} else if (e != NULL)
			ok = 0;
	}
	/* Iteration visits every entry once, and only entries. */
	i = 0;
	while ((e = ev_map_next(m, &i)) != NULL) {
		size_t k;

		seen++;
		for (k = 0; k < NKEYS; k++)
			if (refs[k].present && refs[k].klen == e->klen &&
			    memcmp(refs[k].key, e->key, e->klen) == 0)
				break;
		if (k == NKEYS)
			ok = 0;
	}
	return ok && n == m->n && seen == n;
}

static int
keep_odd(struct ev_map_ent *e, void *arg)
{
	(void)arg;
	return (int)(*(uint64_t *)ev_map_val(e) & 1);
}

static void
test_random(uint64_t (*h)(const char *, size_t), int flags, uint64_t seed)
{
	struct ev_map m;
	struct ev_rand r;
	size_t op, i, maxn = 0;
	int isnew, bad = 0;

	ev_rand_seed(&r, seed, 0);
	make_keys(&r);
	ev_map_init(&m, sizeof(uint64_t), 0, flags);
	for (op = 0; op < 20000; op++) {
		struct ref *x = &refs[ev_rand_below(&r, NKEYS)];
		uint64_t hv = h(x->key, x->klen);
		struct ev_map_ent *e;

		/* Mostly inserts early, mostly deletes late: grow and empty. */
		if (ev_rand_below(&r, 20000) > op) {
			e = ev_map_put(&m, x->key, x->klen, hv, &isnew);
			if (isnew != !x->present)
				bad++;
			if (isnew && *(uint64_t *)ev_map_val(e) != 0)
				bad++;	/* a new value starts zero */
			*(uint64_t *)ev_map_val(e) = op + 1;
			x->present = 1;
			x->val = op + 1;
		} else if ((e = ev_map_find(&m, x->key, x->klen, hv)) !=
		    NULL) {
			if (!x->present)
				bad++;
			ev_map_del(&m, e);
			x->present = 0;
		} else if (x->present)
			bad++;
		if (m.n > maxn)
			maxn = m.n;
		if (op % 500 == 0 && !same_as_ref(&m, h))
			bad++;
	}
	CHECK(bad == 0);
	CHECK(same_as_ref(&m, h));
	CHECK(maxn > 1000);	/* the table grew several times */
	CHECK(m.n * 4 <= m.cap * 3);

	/* Filter: the odd values stay, the table shrinks around them. */
	ev_map_filter(&m, keep_odd, NULL);
	for (i = 0; i < NKEYS; i++)
		if (refs[i].present && !(refs[i].val & 1))
			refs[i].present = 0;
	CHECK(same_as_ref(&m, h));
	CHECK(m.n * 4 <= m.cap * 3);

	/* Delete what is left, one by one; the map ends empty. */
	for (i = 0; i < NKEYS; i++)
		if (refs[i].present) {
			struct ev_map_ent *e = ev_map_find(&m, refs[i].key,
			    refs[i].klen, h(refs[i].key, refs[i].klen));

			CHECK(e != NULL);
			if (e != NULL)
				ev_map_del(&m, e);
			refs[i].present = 0;
		}
	CHECK(m.n == 0);
	CHECK(same_as_ref(&m, h));
	ev_map_release(&m);
}

/* Owned keys are copies, NUL terminated; borrowed keys are the caller's. */
static void
test_ownership(void)
{
	struct ev_map m;
	struct ev_map_ent *e;
	char k[] = "abc";
	int isnew;

	ev_map_init(&m, 1, 0, 0);
	e = ev_map_put(&m, k, 3, ev_hash_bytes(k, 3), &isnew);
	CHECK(isnew && e->key != k && strcmp(e->key, "abc") == 0);
	CHECK(m.stride == sizeof(struct ev_map_ent) + 8);
	ev_map_release(&m);

	ev_map_init(&m, 24, 100, EV_MAP_BORROW);
	CHECK(m.cap == 128);
	e = ev_map_put(&m, k, 3, ev_hash_bytes(k, 3), &isnew);
	CHECK(isnew && e->key == k);
	CHECK(ev_map_put(&m, "abc", 3, ev_hash_bytes("abc", 3), &isnew) ==
	    e && !isnew);
	CHECK(ev_map_find(&m, "abd", 3, ev_hash_bytes("abd", 3)) == NULL);
	/* A NULL key of length 0 is the empty key. */
	e = ev_map_put(&m, NULL, 0, ev_hash_bytes("", 0), &isnew);
	CHECK(isnew && ev_map_find(&m, "", 0, ev_hash_bytes("", 0)) == e);
	ev_map_release(&m);
}

/* The same operations give the same layout: iteration order is stable. */
static void
test_layout(void)
{
	struct ev_map a, b;
	size_t i, ia = 0, ib = 0;
	struct ev_map_ent *ea, *eb;
	char k[8];
	int same = 1;

	ev_map_init(&a, 8, 16, 0);
	ev_map_init(&b, 8, 16, 0);
	for (i = 0; i < 500; i++) {
		snprintf(k, sizeof(k), "k%zu", i);
		ev_map_put(&a, k, strlen(k), ev_hash_bytes(k, strlen(k)),
		    NULL);
		ev_map_put(&b, k, strlen(k), ev_hash_bytes(k, strlen(k)),
		    NULL);
	}
	while ((ea = ev_map_next(&a, &ia)) != NULL) {
		eb = ev_map_next(&b, &ib);
		if (eb == NULL || ia != ib || strcmp(ea->key, eb->key) != 0)
			same = 0;
	}
	CHECK(same && ev_map_next(&b, &ib) == NULL);
	ev_map_release(&a);
	ev_map_release(&b);
}

int
main(void)
{
	test_random(hash_good, 0, 1);
	test_random(hash_few, 0, 2);
	test_random(hash_high, 0, 3);
	test_random(hash_few, EV_MAP_BORROW, 4);
	test_ownership();
	test_layout();
	printf("test_map: %d checks, %d failures\n", checks, failures);
	return failures > 0;
}
