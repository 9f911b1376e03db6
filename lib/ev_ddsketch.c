/* ev_ddsketch.c - DDSketch; see ev_ddsketch.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_ddsketch.h"

void
ev_dds_init(struct ev_dds *d, double alpha)
{
	memset(d, 0, sizeof(*d));
	d->alpha = alpha;
	d->gamma = (1 + alpha) / (1 - alpha);
	d->lg = log(d->gamma);
	d->min = INFINITY;
	d->max = -INFINITY;
}

void
ev_dds_free(struct ev_dds *d)
{
	free(d->pos.bins);
	free(d->neg.bins);
	d->pos.bins = d->neg.bins = NULL;
	d->pos.n = d->neg.n = 0;
}

/* Make room for index i in s, collapsing the lowest buckets when needed. */
static void
store_add(struct ev_dds_store *s, int32_t i, uint64_t c)
{
	int32_t lo, hi, nlo, nhi, j;
	uint64_t *nb;

	if (s->n == 0) {
		s->bins = ev_xrealloc(s->bins, 8 * sizeof(*s->bins));
		memset(s->bins, 0, 8 * sizeof(*s->bins));
		s->offset = i;
		s->n = 1;
		s->bins[0] = c;
		return;
	}
	lo = s->offset;
	hi = s->offset + s->n - 1;
	if (i >= lo && i <= hi) {
		s->bins[i - lo] += c;
		return;
	}
	nlo = i < lo ? i : lo;
	nhi = i > hi ? i : hi;
	if ((int64_t)nhi - nlo + 1 > EV_DDS_MAX_BINS) {
		/* Fold everything below nhi - MAX + 1 into the lowest kept bin. */
		int32_t keep_lo = nhi - EV_DDS_MAX_BINS + 1;
		uint64_t folded = 0;

		nb = ev_xcalloc(EV_DDS_MAX_BINS, sizeof(*nb));
		for (j = 0; j < s->n; j++) {
			if (lo + j < keep_lo)
				folded += s->bins[j];
			else
				nb[lo + j - keep_lo] += s->bins[j];
		}
		if (i < keep_lo)
			folded += c;
		else
			nb[i - keep_lo] += c;
		nb[0] += folded;
		free(s->bins);
		s->bins = nb;
		s->offset = keep_lo;
		s->n = EV_DDS_MAX_BINS;
		return;
	}
	nb = ev_xcalloc((size_t)(nhi - nlo + 1), sizeof(*nb));
	memcpy(nb + (lo - nlo), s->bins, (size_t)s->n * sizeof(*nb));
	nb[i - nlo] += c;
	free(s->bins);
	s->bins = nb;
	s->offset = nlo;
	s->n = nhi - nlo + 1;
}

static int32_t
key_of(const struct ev_dds *d, double x)
{
	double k = ceil(log(x) / d->lg);

	if (k < -1e9)
		k = -1e9;
	if (k > 1e9)
		k = 1e9;
	return (int32_t)k;
}

void
ev_dds_add(struct ev_dds *d, double x)
{
	if (isnan(x))
		return;
	if (x > 0)
		store_add(&d->pos, key_of(d, x), 1);
	else if (x < 0)
		store_add(&d->neg, key_of(d, -x), 1);
	else
		d->zero++;
	d->count++;
	if (x < d->min)
		d->min = x;
	if (x > d->max)
		d->max = x;
}

int
ev_dds_merge(struct ev_dds *dst, const struct ev_dds *src)
{
	int32_t j;

	if (dst->alpha != src->alpha)
		return -1;
	for (j = 0; j < src->pos.n; j++)
		if (src->pos.bins[j])
			store_add(&dst->pos, src->pos.offset + j,
			    src->pos.bins[j]);
	for (j = 0; j < src->neg.n; j++)
		if (src->neg.bins[j])
			store_add(&dst->neg, src->neg.offset + j,
			    src->neg.bins[j]);
	dst->zero += src->zero;
	dst->count += src->count;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	return 0;
}

static double
value_of(const struct ev_dds *d, int32_t k)
{
	return 2 * exp(k * d->lg) / (d->gamma + 1);
}

double
ev_dds_quantile(const struct ev_dds *d, double q)
{
	double rank, v;
	uint64_t seen = 0;
	int32_t j;

	if (d->count == 0 || q < 0 || q > 1)
		return NAN;
	rank = floor(q * (double)(d->count - 1));
	v = d->max;
	/* Negative values: the highest index is the most negative value. */
	for (j = d->neg.n - 1; j >= 0; j--) {
		seen += d->neg.bins[j];
		if ((double)seen > rank) {
			v = -value_of(d, d->neg.offset + j);
			goto out;
		}
	}
	seen += d->zero;
	if ((double)seen > rank) {
		v = 0;
		goto out;
	}
	for (j = 0; j < d->pos.n; j++) {
		seen += d->pos.bins[j];
		if ((double)seen > rank) {
			v = value_of(d, d->pos.offset + j);
			goto out;
		}
	}
out:
	if (v < d->min)
		v = d->min;
	if (v > d->max)
		v = d->max;
	return v;
}

static json_t *
store_json(const struct ev_dds_store *s)
{
	json_t *a = json_array();
	int32_t j;

	json_array_append_new(a, json_integer(s->offset));
	for (j = 0; j < s->n; j++)
		json_array_append_new(a, json_integer((json_int_t)s->bins[j]));
	return a;
}

json_t *
ev_dds_to_json(const struct ev_dds *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "n", json_integer((json_int_t)d->count));
	if (d->count > 0) {
		json_object_set_new(o, "min", json_real(d->min));
		json_object_set_new(o, "max", json_real(d->max));
	}
	json_object_set_new(o, "zero", json_integer((json_int_t)d->zero));
	json_object_set_new(o, "pos", store_json(&d->pos));
	json_object_set_new(o, "neg", store_json(&d->neg));
	return o;
}

static int
store_from(struct ev_dds_store *s, const json_t *a, uint64_t *total)
{
	size_t i, n;
	json_int_t off, c;

	if (!json_is_array(a) || json_array_size(a) < 1)
		return -1;
	n = json_array_size(a) - 1;
	if (n > EV_DDS_MAX_BINS || !json_is_integer(json_array_get(a, 0)))
		return -1;
	off = json_integer_value(json_array_get(a, 0));
	if (off < -1000000000 || off > 1000000000)
		return -1;
	for (i = 0; i < n; i++) {
		const json_t *v = json_array_get(a, i + 1);

		if (!json_is_integer(v) || (c = json_integer_value(v)) < 0)
			return -1;
		if (c > 0)
			store_add(s, (int32_t)(off + (json_int_t)i), (uint64_t)c);
		*total += (uint64_t)c;
	}
	return 0;
}

static double
num_of(const json_t *v, double dflt)
{
	return json_is_number(v) ? json_number_value(v) : dflt;
}

int
ev_dds_from_json(struct ev_dds *d, double alpha, const json_t *v)
{
	uint64_t total = 0;
	const json_t *z;

	ev_dds_free(d);
	ev_dds_init(d, alpha);
	z = json_object_get(v, "zero");
	if (!json_is_object(v) || !json_is_integer(z) ||
	    json_integer_value(z) < 0 ||
	    store_from(&d->pos, json_object_get(v, "pos"), &total) < 0 ||
	    store_from(&d->neg, json_object_get(v, "neg"), &total) < 0)
		goto bad;
	d->zero = (uint64_t)json_integer_value(z);
	total += d->zero;
	if (!json_is_integer(json_object_get(v, "n")) ||
	    (uint64_t)json_integer_value(json_object_get(v, "n")) != total)
		goto bad;
	d->count = total;
	if (total > 0) {
		d->min = num_of(json_object_get(v, "min"), NAN);
		d->max = num_of(json_object_get(v, "max"), NAN);
		if (isnan(d->min) || isnan(d->max))
			goto bad;
	}
	return 0;
bad:
	ev_dds_free(d);
	ev_dds_init(d, alpha);
	return -1;
}
