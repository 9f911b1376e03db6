/*
 * ev_rand.h - small, fast, reproducible pseudo-random numbers for synthetic
 * data (ev-gen) and sampling.  Never rand(3): the same seed gives the same
 * sequence on every platform and libc.
 *
 * The generator is xoshiro256** (Blackman and Vigna, 2018), seeded through
 * splitmix64 so that any 64-bit seed, including 0, gives a good state.  A
 * "stream" number selects an independent sequence for the same seed, so a
 * program can keep one generator per concern (traffic, noise, anomalies)
 * and a change in one does not shift the others.
 *
 * Not for cryptography.
 *
 * Ownership: struct ev_rand is a plain value; ev_zipf_init allocates a table
 * released with ev_zipf_free.
 */
#ifndef EV_RAND_H
#define EV_RAND_H

#include <stddef.h>
#include <stdint.h>

struct ev_rand {
	uint64_t	s[4];
};

/* splitmix64: advance *x and return the next output. */
uint64_t	ev_rand_splitmix64(uint64_t *x);
/*
 * A bijective 64-bit mixing function (the splitmix64 finaliser): distinct
 * inputs give distinct outputs, so mix(counter) makes unique random-looking
 * identifiers.
 */
uint64_t	ev_rand_mix64(uint64_t x);
/* Seed from (seed, stream); different streams give independent sequences. */
void		ev_rand_seed(struct ev_rand *r, uint64_t seed, uint64_t stream);
/* Next 64 random bits (xoshiro256**). */
uint64_t	ev_rand_next(struct ev_rand *r);
/* Uniform double in [0, 1), 53 random bits. */
double		ev_rand_double(struct ev_rand *r);
/* Uniform integer in [0, n), unbiased (Lemire's method); n > 0. */
uint64_t	ev_rand_below(struct ev_rand *r, uint64_t n);
/* 1 with probability p, else 0. */
int		ev_rand_chance(struct ev_rand *r, double p);
/* Exponentially distributed with the given mean (> 0). */
double		ev_rand_exp(struct ev_rand *r, double mean);
/*
 * Index i in [0, n) drawn with probability w[i] / sum(w), given the
 * cumulative weights cum[i] = w[0] + ... + w[i] (so cum[n-1] is the sum).
 */
size_t		ev_rand_pick(struct ev_rand *r, const double *cum, size_t n);
/* The same from a fixed 64-bit value u (for attributes hashed from ids). */
size_t		ev_rand_pick_u64(uint64_t u, const double *cum, size_t n);
/* Fill cum[] with the running sums of w[] (n entries). */
void		ev_rand_cumulate(const double *w, double *cum, size_t n);

/*
 * Zipf-like ranks: rank k in [1, n] with probability proportional to
 * 1 / k^s.  A cumulative table and binary search: O(n) memory (8 bytes a
 * rank), O(log n) a draw.
 */
struct ev_zipf {
	double	*cdf;
	size_t	 n;
};

void	ev_zipf_init(struct ev_zipf *z, size_t n, double s);
void	ev_zipf_free(struct ev_zipf *z);
/* A rank in [1, n]. */
size_t	ev_zipf_draw(const struct ev_zipf *z, struct ev_rand *r);

#endif /* EV_RAND_H */
