/*
 * test_rand.c - unit tests of lib/ev_rand (splitmix64, xoshiro256**,
 * samplers).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ev_rand.h"

#include "check.h"

static void
test_reference_values(void)
{
	struct ev_rand r;
	uint64_t x = 0;

	/* splitmix64 from 0: the published first outputs. */
	CHECK(ev_rand_splitmix64(&x) == UINT64_C(0xe220a8397b1dcdaf));
	CHECK(ev_rand_splitmix64(&x) == UINT64_C(0x6e789e6aa1b965f4));
	/* xoshiro256** from state {1, 2, 3, 4}: rotl(2 * 5, 7) * 9. */
	r.s[0] = 1;
	r.s[1] = 2;
	r.s[2] = 3;
	r.s[3] = 4;
	CHECK(ev_rand_next(&r) == 11520);
	CHECK(ev_rand_next(&r) == 0);
	CHECK(ev_rand_next(&r) == 1509978240);
}

static void
test_streams(void)
{
	struct ev_rand a, b, c;

	ev_rand_seed(&a, 42, 1);
	ev_rand_seed(&b, 42, 1);
	ev_rand_seed(&c, 42, 2);
	CHECK(ev_rand_next(&a) == ev_rand_next(&b));
	CHECK(ev_rand_next(&a) != ev_rand_next(&c));
	/* Seed 0 is a good seed too. */
	ev_rand_seed(&a, 0, 0);
	CHECK((a.s[0] | a.s[1] | a.s[2] | a.s[3]) != 0);
	/* mix64 is a bijection: distinct on a run of inputs. */
	CHECK(ev_rand_mix64(1) != ev_rand_mix64(2));
}

static void
test_samplers(void)
{
	struct ev_rand r;
	double sum = 0, d, cum[3], w[3] = { 1, 0, 3 };
	size_t counts[3] = { 0, 0, 0 }, i, n = 200000, hist[10] = { 0 };
	struct ev_zipf z;

	ev_rand_seed(&r, 7, 0);
	for (i = 0; i < n; i++) {
		d = ev_rand_double(&r);
		CHECK(d >= 0 && d < 1);
		uint64_t k = ev_rand_below(&r, 10);
		CHECK(k < 10);
		hist[k]++;
		sum += ev_rand_exp(&r, 2.0);
	}
	/* Means within a few standard errors. */
	CHECK(fabs(sum / n - 2.0) < 0.05);
	for (i = 0; i < 10; i++)
		CHECK(hist[i] > n / 10 - 1000 && hist[i] < n / 10 + 1000);
	/* Weighted picks never choose a zero weight. */
	ev_rand_cumulate(w, cum, 3);
	for (i = 0; i < n; i++)
		counts[ev_rand_pick(&r, cum, 3)]++;
	CHECK(counts[1] == 0);
	CHECK(fabs((double)counts[2] / n - 0.75) < 0.01);
	CHECK(ev_rand_chance(&r, 0) == 0);
	/* Zipf: rank 1 most frequent, ranks in range. */
	ev_zipf_init(&z, 100, 1.1);
	memset(hist, 0, sizeof(hist));
	for (i = 0; i < n; i++) {
		size_t k = ev_zipf_draw(&z, &r);
		CHECK(k >= 1 && k <= 100);
		if (k <= 10)
			hist[k - 1]++;
	}
	CHECK(hist[0] > hist[1] && hist[1] > hist[9]);
	/* P(1)/P(2) = 2^1.1 = 2.14. */
	CHECK(fabs((double)hist[0] / hist[1] - 2.14) < 0.1);
	ev_zipf_free(&z);
}

int
main(void)
{
	test_reference_values();
	test_streams();
	test_samplers();
	printf("test_rand: %d checks, %d failed\n", checks, failures);
	return failures != 0;
}
