/*
 * ev_agg.h - named aggregates over the records of a group and window, for
 * ev-window: count, count_if(PATH OP LITERAL), sum, avg, min, max, stddev,
 * first, last, distinct (exact), approx_distinct (HyperLogLog), pNN
 * (DDSketch quantile, e.g. p95 or p99.9) and top(PATH, K).
 *
 * An aggregate is written "sum(properties.amount) as revenue"; without "as"
 * its column is the function and the path's last segment ("sum_amount",
 * "p95_load_ms", or "count").  An argument that is not a plain path is an
 * expression (ev_expr.h), "sum(properties.amount * rate) as revenue_eur",
 * "count_if(event == \"purchase\" and properties.amount > 10) as big",
 * and then "as" is required; top takes a path only, and count_if keeps
 * its older form "PATH OP LITERAL" (after == or != a bare word is a
 * string: "count_if(event == purchase)"), unless in parentheses.  Values of every kind merge, and their state
 * round-trips through JSON (partial records, state files); merging a state
 * with an empty one copies it exactly, so results of key-sharded runs are
 * identical to one process.
 *
 * Updating is in two steps so a record with a field of the wrong type is
 * rejected before any aggregate changes: ev_agg_extract collects borrowed
 * values from the record, ev_agg_apply folds them in.
 *
 * Ownership: ev_agg_set owns its specs; ev_agg_new returns a new array of
 * values released with ev_agg_free; extracted values are borrowed from the
 * record; ev_agg_to_json returns a new reference.
 */
#ifndef EV_AGG_H
#define EV_AGG_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "ev_buf.h"
#include "ev_ddsketch.h"
#include "ev_expr.h"
#include "ev_hll.h"
#include "ev_path.h"
#include "ev_rec.h"
#include "ev_time.h"

enum ev_agg_kind {
	EV_AGG_COUNT, EV_AGG_COUNT_IF, EV_AGG_SUM, EV_AGG_AVG, EV_AGG_MIN,
	EV_AGG_MAX, EV_AGG_STDDEV, EV_AGG_FIRST, EV_AGG_LAST, EV_AGG_DISTINCT,
	EV_AGG_APPROX_DISTINCT, EV_AGG_QUANTILE, EV_AGG_TOP
};

enum ev_agg_op { EV_AGG_EQ, EV_AGG_NE, EV_AGG_LT, EV_AGG_LE, EV_AGG_GT,
	EV_AGG_GE };

struct ev_agg_spec {
	enum ev_agg_kind kind;
	char		*name;		/* output column */
	char		*text;		/* as given, for fingerprints */
	struct ev_path	*field;		/* NULL for count */
	enum ev_agg_op	 op;		/* count_if */
	json_t		*lit;		/* count_if literal (owned) */
	double		 q;		/* quantile in [0, 1] */
	int		 k;		/* top */
	struct ev_expr	*expr;		/* an expression argument (owned) */
	json_t		*tmp, *tmpstr;	/* its number or string on this
					   record, set in place (owned) */
};

struct ev_agg_set {
	struct ev_agg_spec *spec;
	size_t		 n;
	int		 hll_p;		/* HyperLogLog precision */
	double		 alpha;		/* DDSketch relative accuracy */
	const struct ev_path *time_path; /* time() in expressions (borrowed) */
};

struct ev_map;		/* value -> count, for distinct and top */

struct ev_agg_val {
	uint64_t	 n;
	double		 sum, mean, m2, v;
	ev_us_t		 t;
	json_t		*jv;		/* first/last value (owned) */
	struct ev_map	*map;
	struct ev_hll	 hll;
	struct ev_dds	*dds;
};

void	ev_agg_set_init(struct ev_agg_set *s, int hll_p, double alpha);
void	ev_agg_set_free(struct ev_agg_set *s);
/*
 * Add one aggregate, or a comma-separated list of them.  Returns 0, or -1
 * with a message in err.
 */
int	ev_agg_parse(struct ev_agg_set *s, const char *text, char *err,
	    size_t errlen);
/* Index of the column name, or -1. */
int	ev_agg_find(const struct ev_agg_set *s, const char *name);

struct ev_agg_val *ev_agg_new(const struct ev_agg_set *s);
void	ev_agg_free(const struct ev_agg_set *s, struct ev_agg_val *v);
/*
 * Fill x[0..n) with the record's values for each aggregate (borrowed; NULL
 * when absent or null, which every aggregate ignores).  Returns 0, or -1
 * with err set when a field has the wrong type (message and *bad the
 * index of the aggregate).
 */
int	ev_agg_extract(const struct ev_agg_set *s, const struct ev_rec *rec,
	    const json_t **x, size_t *bad, char *err, size_t errlen);
/* Fold extracted values of an event at time t into v. */
void	ev_agg_apply(const struct ev_agg_set *s, struct ev_agg_val *v,
	    const json_t *const *x, ev_us_t t, struct ev_buf *scratch);
/* dst += src. */
void	ev_agg_merge(const struct ev_agg_set *s, struct ev_agg_val *dst,
	    const struct ev_agg_val *src);
/* Append ,"name":value for every aggregate. */
void	ev_agg_write(const struct ev_agg_set *s, const struct ev_agg_val *v,
	    struct ev_buf *b);
/* The mergeable state: an object keyed by column name. */
json_t	*ev_agg_to_json(const struct ev_agg_set *s, const struct ev_agg_val *v);
/* Merge a state object into v: 0, or -1 with err (v may be partly merged). */
int	ev_agg_merge_json(const struct ev_agg_set *s, struct ev_agg_val *v,
	    const json_t *state, char *err, size_t errlen);

#endif /* EV_AGG_H */
