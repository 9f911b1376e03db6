/* ev_rand.c - xoshiro256** seeded by splitmix64, and samplers over it. */
#include <math.h>
#include <stdlib.h>

#include "ev_common.h"
#include "ev_rand.h"

/* A 128-bit product for Lemire's unbiased range reduction (GCC, Clang). */
__extension__ typedef unsigned __int128 u128;

uint64_t
ev_rand_splitmix64(uint64_t *x)
{
	*x += UINT64_C(0x9e3779b97f4a7c15);
	return ev_rand_mix64(*x);
}

uint64_t
ev_rand_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void
ev_rand_seed(struct ev_rand *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ ev_rand_mix64(stream + UINT64_C(0x6a09e667f3bcc909));
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = ev_rand_splitmix64(&x);
	/* splitmix64 never yields four zero words, but be explicit. */
	if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
		r->s[0] = 1;
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
ev_rand_next(struct ev_rand *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
ev_rand_double(struct ev_rand *r)
{
	return (double)(ev_rand_next(r) >> 11) * 0x1.0p-53;
}

uint64_t
ev_rand_below(struct ev_rand *r, uint64_t n)
{
	u128 m;
	uint64_t lo, t;

	m = (u128)ev_rand_next(r) * n;
	lo = (uint64_t)m;
	if (lo < n) {
		t = -n % n;
		while (lo < t) {
			m = (u128)ev_rand_next(r) * n;
			lo = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

int
ev_rand_chance(struct ev_rand *r, double p)
{
	if (p <= 0)
		return 0;
	return ev_rand_double(r) < p;
}

double
ev_rand_exp(struct ev_rand *r, double mean)
{
	/* 1 - u is in (0, 1], so the logarithm is finite. */
	return -mean * log(1.0 - ev_rand_double(r));
}

static size_t
pick_at(double x, const double *cum, size_t n)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x < cum[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

size_t
ev_rand_pick(struct ev_rand *r, const double *cum, size_t n)
{
	return pick_at(ev_rand_double(r) * cum[n - 1], cum, n);
}

size_t
ev_rand_pick_u64(uint64_t u, const double *cum, size_t n)
{
	return pick_at((double)(u >> 11) * 0x1.0p-53 * cum[n - 1], cum, n);
}

void
ev_rand_cumulate(const double *w, double *cum, size_t n)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		sum += w[i];
		cum[i] = sum;
	}
}

void
ev_zipf_init(struct ev_zipf *z, size_t n, double s)
{
	size_t k;
	double sum = 0;

	z->n = n;
	z->cdf = ev_xreallocarray(NULL, n, sizeof(*z->cdf));
	for (k = 0; k < n; k++) {
		sum += pow((double)(k + 1), -s);
		z->cdf[k] = sum;
	}
}

void
ev_zipf_free(struct ev_zipf *z)
{
	free(z->cdf);
	z->cdf = NULL;
	z->n = 0;
}

size_t
ev_zipf_draw(const struct ev_zipf *z, struct ev_rand *r)
{
	return ev_rand_pick(r, z->cdf, z->n) + 1;
}
