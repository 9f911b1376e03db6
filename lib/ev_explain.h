/*
 * ev_explain.h - which segments explain a deviation, in the manner of
 * Adtributor (Bhagwan et al., NSDI 2014).
 *
 * The alerted series has group columns (its labels) and a deviation
 * (observed - expected).  Only series nested in it count: their labels are
 * all of its labels, same values, plus at least one more.  Of those, only
 * the nearest level is used (one extra label if any series has one, else
 * two, ...).  Series with the same extra label names form one dimension;
 * each series is an element of it.  Per element:
 *
 *   share    its deviation in the alert's direction over the larger of the
 *            alerted deviation and the sum of its dimension's deviations in
 *            that direction: Adtributor's explanatory power, kept so that
 *            the shares of one dimension add up to at most 1;
 *   surprise the element's term of the Jensen-Shannon divergence (base 2)
 *            between the dimension's expected and observed distributions.
 *
 * An element qualifies when its share is at least min_share and more than
 * its part of the dimension's expected value (it moved more than the
 * alerted series did).  Per dimension, qualifying elements are taken in
 * order of surprise until their shares reach `enough`; a dimension that
 * never does explains nothing.  Dimensions are ranked by the summed
 * surprise of their elements, at most max_dims kept.
 *
 * Ownership: the series' cols are borrowed; results are new references.
 */
#ifndef EV_EXPLAIN_H
#define EV_EXPLAIN_H

#include <stddef.h>

#include <jansson.h>

#include "ev_buf.h"

struct ev_explain_series {
	const json_t	*cols;		/* borrowed: labels, an object */
	double		 observed;
	double		 expected;
};

struct ev_explain_params {
	double	min_share;	/* an element's least share (0.1) */
	double	enough;		/* a dimension's shares must reach (0.67) */
	size_t	max_dims;	/* dimensions kept (3) */
};

/* The defaults above (Adtributor's published thresholds). */
void	ev_explain_params_init(struct ev_explain_params *p);

/*
 * The explanation of `alerted` by those of series[0..n) nested in it, as a
 * new array of dimensions, best first:
 *
 *   {"dimension":"platform","share":0.97,"surprise":0.21,
 *    "elements":[{"element":{"platform":"android"},"share":0.97,
 *                 "expected":480,"observed":290,"surprise":0.21}]}
 *
 * "dimension" is the extra label names joined by ",", "element" the extra
 * labels; elements by share, largest first.  NULL when nothing explains
 * (no deviation, no nested series, no dimension qualifies).  Series equal
 * to `alerted` or not nested in it are skipped, so callers may pass all
 * the series of one window.
 */
json_t	*ev_explain_build(const struct ev_explain_params *p,
	    const struct ev_explain_series *alerted,
	    const struct ev_explain_series *series, size_t n);

/* Entries of ev_explain_headline at most. */
#define EV_EXPLAIN_HEADLINE_MAX	3

/*
 * The elements in the older flat form, dimension by dimension in rank
 * order, at most EV_EXPLAIN_HEADLINE_MAX, as a new array:
 * [{"platform":"android","delta":-190,"share":0.97},{"country":"US",…}].
 */
json_t	*ev_explain_headline(const json_t *explanation);

/*
 * Append the explanation for people to b:
 * "by platform: android 97%; by country: US 95%, CA 3%" (values of a
 * composite element joined by "\xc3\x97", as are the dimension's names).
 */
void	ev_explain_text(struct ev_buf *b, const json_t *explanation);

#endif /* EV_EXPLAIN_H */
