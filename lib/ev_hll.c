/* ev_hll.c - HyperLogLog; see ev_hll.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_hll.h"

void
ev_hll_init(struct ev_hll *h, int p)
{
	h->reg = NULL;
	h->p = p;
}

void
ev_hll_free(struct ev_hll *h)
{
	free(h->reg);
	h->reg = NULL;
}

uint64_t
ev_hll_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = UINT64_C(14695981039346656037);
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= UINT64_C(1099511628211);
	}
	/* FNV alone mixes the high bits poorly; the finaliser fixes that. */
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

void
ev_hll_add_hash(struct ev_hll *h, uint64_t hash)
{
	size_t idx = (size_t)(hash >> (64 - h->p));
	uint64_t rest = hash << h->p;
	int rank;

	if (h->reg == NULL)
		h->reg = ev_xcalloc((size_t)1 << h->p, 1);
	/* Rank: position of the first 1 bit in the remaining 64 - p bits. */
	if (rest == 0)
		rank = 64 - h->p + 1;
	else
		rank = __builtin_clzll(rest) + 1;
	if (rank > h->reg[idx])
		h->reg[idx] = (uint8_t)rank;
}

void
ev_hll_add(struct ev_hll *h, const void *p, size_t n)
{
	ev_hll_add_hash(h, ev_hll_hash(p, n));
}

int
ev_hll_merge(struct ev_hll *dst, const struct ev_hll *src)
{
	size_t i, m;

	if (dst->p != src->p)
		return -1;
	if (src->reg == NULL)
		return 0;
	m = (size_t)1 << dst->p;
	if (dst->reg == NULL) {
		dst->reg = ev_xmalloc(m);
		memcpy(dst->reg, src->reg, m);
		return 0;
	}
	for (i = 0; i < m; i++)
		if (src->reg[i] > dst->reg[i])
			dst->reg[i] = src->reg[i];
	return 0;
}

double
ev_hll_estimate(const struct ev_hll *h)
{
	double pow2[66], sum = 0, m, alpha, e;
	size_t i, n, zeros = 0;

	if (h->reg == NULL)
		return 0;
	for (i = 0; i < 66; i++)
		pow2[i] = ldexp(1.0, -(int)i);
	n = (size_t)1 << h->p;
	m = (double)n;
	for (i = 0; i < n; i++) {
		sum += pow2[h->reg[i]];
		if (h->reg[i] == 0)
			zeros++;
	}
	if (h->p == 4)
		alpha = 0.673;
	else if (h->p == 5)
		alpha = 0.697;
	else if (h->p == 6)
		alpha = 0.709;
	else
		alpha = 0.7213 / (1 + 1.079 / m);
	e = alpha * m * m / sum;
	if (e <= 2.5 * m && zeros > 0)
		e = m * log(m / (double)zeros);	/* linear counting */
	return e;
}

double
ev_hll_std_error(int p)
{
	return 1.04 / sqrt(ldexp(1.0, p));
}

char *
ev_hll_to_hex(const struct ev_hll *h)
{
	static const char hx[] = "0123456789abcdef";
	size_t i, m;
	char *s;

	if (h->reg == NULL)
		return ev_xstrdup("");
	m = (size_t)1 << h->p;
	s = ev_xmalloc(2 * m + 1);
	for (i = 0; i < m; i++) {
		s[2 * i] = hx[h->reg[i] >> 4];
		s[2 * i + 1] = hx[h->reg[i] & 15];
	}
	s[2 * m] = '\0';
	return s;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
ev_hll_from_hex(struct ev_hll *h, int p, const char *hex)
{
	size_t i, m = (size_t)1 << p, n = strlen(hex);
	int a, b;

	ev_hll_free(h);
	h->p = p;
	if (n == 0)
		return 0;
	if (n != 2 * m)
		return -1;
	h->reg = ev_xmalloc(m);
	for (i = 0; i < m; i++) {
		a = hexval(hex[2 * i]);
		b = hexval(hex[2 * i + 1]);
		if (a < 0 || b < 0 || a * 16 + b > 64 - p + 1) {
			ev_hll_free(h);
			return -1;
		}
		h->reg[i] = (uint8_t)(a * 16 + b);
	}
	return 0;
}
