/*
 * ev_ddsketch.h - DDSketch quantiles with relative accuracy (Masson, Rim,
 * Lee, VLDB 2019).
 *
 * A value x > 0 falls in bucket i = ceil(log_gamma x) with
 * gamma = (1 + alpha) / (1 - alpha), and the bucket is reported as
 * 2 gamma^i / (gamma + 1), which is within a relative error alpha of every
 * value in the bucket.  So the q-quantile returned is within alpha (relative)
 * of the exact value of rank floor(q (n - 1)) in the sorted input, as long
 * as no bucket was collapsed: at most EV_DDS_MAX_BINS buckets are kept per
 * sign, the lowest ones folded together beyond that (which spoils only the
 * lowest quantiles, and only when values span more than
 * gamma^EV_DDS_MAX_BINS, i.e. 10^35 at alpha = 1%).  Negative values use a
 * mirrored store, zero its own counter.  The returned value is clamped to
 * the exact minimum and maximum.
 *
 * Sketches with the same alpha merge by adding bucket counts; the merge of
 * the sketches of A and B equals the sketch of A union B bucket for bucket.
 *
 * Ownership: a sketch owns its bucket arrays; ev_dds_free releases them.
 * ev_dds_to_json returns a new reference.
 */
#ifndef EV_DDSKETCH_H
#define EV_DDSKETCH_H

#include <stdint.h>
#include <jansson.h>

#define EV_DDS_DEFAULT_ALPHA	0.01
#define EV_DDS_MAX_BINS		4096

struct ev_dds_store {
	uint64_t	*bins;
	int32_t		 offset;	/* bucket index of bins[0] */
	int32_t		 n;		/* bins in use */
};

struct ev_dds {
	double		 alpha, gamma, lg;	/* lg = log(gamma) */
	struct ev_dds_store pos, neg;
	uint64_t	 zero, count;
	double		 min, max;
};

void	ev_dds_init(struct ev_dds *d, double alpha);
void	ev_dds_free(struct ev_dds *d);
void	ev_dds_add(struct ev_dds *d, double x);
/* dst += src; -1 when alpha differs. */
int	ev_dds_merge(struct ev_dds *dst, const struct ev_dds *src);
/* The q-quantile (0 <= q <= 1); NaN when empty. */
double	ev_dds_quantile(const struct ev_dds *d, double q);
/*
 * {"n":count,"min":..,"max":..,"zero":..,"pos":[offset,c0,c1,..],
 *  "neg":[offset,..]} and back (0, or -1 on a malformed value; the sketch is
 * then empty).
 */
json_t	*ev_dds_to_json(const struct ev_dds *d);
int	ev_dds_from_json(struct ev_dds *d, double alpha, const json_t *v);

#endif /* EV_DDSKETCH_H */
