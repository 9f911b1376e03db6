/*
 * ev_hll.h - HyperLogLog approximate distinct counting (Flajolet, Fusy,
 * Gandouet, Meunier 2007) with a 64-bit hash, estimated with Ertl's improved
 * raw estimator (2017): one formula from 0 to far beyond 2^64 / 2^p values,
 * with no linear-counting switch and no bias where the classic estimator
 * switched over.
 *
 * With m = 2^precision registers the relative standard error of the
 * estimate is about 1.04 / sqrt(m): 1.63% at precision 12 (the default,
 * 4 KiB), 0.81% at 14; well below that for fewer than about m values, where
 * most registers are still empty.  test_sketch holds the estimator to both
 * (bias and spread) on a log grid from 1 to 20 m.
 * Two sketches of the same precision merge by register-wise maximum, and the
 * merge of the sketches of A and B is identical, register for register, to
 * the sketch of A union B: that is what makes shard results mergeable.
 *
 * A sketch starts sparse: a sorted list of (register, rank) pairs, until it
 * holds 2^p / 16 of them, then becomes the dense array of 2^p registers.
 * Small windows and groups (and merging many small panes) stay cheap; the
 * estimate, the hex form and merges do not depend on the representation.
 *
 * Ownership: the sketch owns its registers and list; ev_hll_free releases
 * them.
 */
#ifndef EV_HLL_H
#define EV_HLL_H

#include <stddef.h>
#include <stdint.h>

#define EV_HLL_MIN_P		4
#define EV_HLL_MAX_P		18
#define EV_HLL_DEFAULT_P	12

struct ev_hll {
	uint8_t		*reg;		/* 2^p registers, NULL while sparse */
	uint32_t	*sp;		/* sparse: index << 8 | rank, sorted */
	uint32_t	 nsp, capsp;
	int		 p;
};

void	ev_hll_init(struct ev_hll *h, int p);
void	ev_hll_free(struct ev_hll *h);
/* A 64-bit hash of bytes (FNV-1a with the murmur3 finaliser). */
uint64_t ev_hll_hash(const void *p, size_t n);
void	ev_hll_add_hash(struct ev_hll *h, uint64_t hash);
void	ev_hll_add(struct ev_hll *h, const void *p, size_t n);
/* dst = max(dst, src); returns -1 when precisions differ. */
int	ev_hll_merge(struct ev_hll *dst, const struct ev_hll *src);
double	ev_hll_estimate(const struct ev_hll *h);
/* The stated relative standard error 1.04 / sqrt(2^p). */
double	ev_hll_std_error(int p);
/*
 * Registers as text for state files and partial records: lowercase hex of
 * the 2^p registers ("" while empty) into a new string (free).  Parse back
 * with ev_hll_from_hex: 0, or -1 when the text does not fit precision p.
 */
char	*ev_hll_to_hex(const struct ev_hll *h);
int	ev_hll_from_hex(struct ev_hll *h, int p, const char *hex);

#endif /* EV_HLL_H */
