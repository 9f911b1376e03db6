/*
 * ev_report_store.h - the records ev-report is given, and the report's
 * data model built from them.
 *
 * Window records and ev-detect records go into a store
 * (ev_report_store_add); ev_report_build turns the store into the report's
 * data model, a JSON document (described in ev-report(1), RECORDS) that
 * every renderer works from alone, so a model written with --format json
 * and read back renders to the same bytes in any format.
 *
 * The options it is built with are in ev_report_opts.h.  The store
 * lives in ev_report_store.c (records in), ev_report_trim.c
 * (the range and its step), ev_report_metric.c and ev_report_build.c (the
 * model); they share ev_report_store_int.h.  This layer reads the model
 * through ev_report_fmt.h and knows no renderer.
 *
 * Ownership: the store copies what it keeps from the records it is given
 * (the caller's record stays the caller's).  ev_report_build returns a new
 * reference.
 */
#ifndef EV_REPORT_STORE_H
#define EV_REPORT_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "ev_report_opts.h"

struct ev_rec;

struct ev_report_store;

/*
 * A new store for the options (borrowed: they, and the names they point
 * to, must outlive the store), or NULL with err filled when the time
 * field or a --by column is not a valid path.
 */
struct ev_report_store *ev_report_store_new(const struct ev_report_opts *o,
	    char *err, size_t errlen);
/* Free the store; NULL is fine. */
void	ev_report_store_free(struct ev_report_store *s);
/*
 * Add one record (borrowed), parsed by ev_rec_parse: the one way records
 * come in.  What the report needs is read from the record's index,
 * anomaly objects included (one is decoded only when the store keeps it);
 * a record the index cannot answer alone (an "additive" member, a
 * top(field, N) list, more than 64 members, a repeated key, a record
 * parsed as a tree) is read from its document.  Returns 0, or -1 with a reason ("time" or "type") and a
 * message in err when the record cannot be used.
 */
int	ev_report_store_add(struct ev_report_store *s,
	    const struct ev_rec *rec, const char **reason, char *err,
	    size_t errlen);
/* Add one stats line of another stage (borrowed; copied). */
void	ev_report_store_add_stage(struct ev_report_store *s,
	    const json_t *stats);
/*
 * Keep the report's range writable and within EV_REPORT_MAX_POINTS
 * points, before ev_report_build.  Records whose point would end past
 * 9999-12-31 are removed; so, when the range is too long and has an end
 * the records set (no --since with --until, no --last), are the records
 * far from the rest: outside --since + limit, before --until - limit, or
 * outside the stretch of half the limit that holds the most records,
 * provided that stretch holds most of them.  drop(arg, id, message) is
 * called for each record removed, id its arrival number (0 for the first
 * record stored).  When the range is still too long the step grows to
 * fit and note says so (else note is "").  Returns the records removed.
 */
size_t	ev_report_store_trim(struct ev_report_store *s,
	    void (*drop)(void *arg, uint64_t id, const char *msg), void *arg,
	    char *note, size_t notelen);
/* Records stored so far. */
size_t	ev_report_store_size(const struct ev_report_store *s);
/*
 * Build the model.  Returns a new reference, or NULL with err filled when
 * the range would hold more than EV_REPORT_MAX_POINTS points (never after
 * ev_report_store_trim).
 */
json_t	*ev_report_build(struct ev_report_store *s,
	    const struct ev_report_counts *c, char *err, size_t errlen);
/*
 * Whether an aggregate column may be summed across segments and periods,
 * judged from its name as ev-window writes it: count, sum, count_* and
 * sum_* are; distinct, approx_distinct, pNN, avg, min, max, stddev, first,
 * last, ratios, rates and distinct users (users, dau, ...) are not; other
 * names are taken as additive.  1 or 0.
 */
int	ev_report_additive(const char *name);
/* Check that a document read back is a report model; 0 or -1 with err. */
int	ev_report_check(const json_t *model, char *err, size_t errlen);

#endif /* EV_REPORT_STORE_H */
