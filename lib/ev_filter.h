/*
 * ev_filter.h - the expression options of the programs that pass records
 * on: --where EXPR (which records a program works on), ev-enrich's --set
 * 'path = EXPR' and --unset path, and ev-window's --derive 'name = EXPR'
 * (a --set on each window record written, see ev_filter_derive).  The options are gathered while
 * the command line is read and compiled once it has been, so that they see
 * the final --time-field whatever the order of the options.
 *
 * A --set value is written as JSON text: a top-level member is spliced in
 * as bytes (ev_rec_add_raw), a nested one set in place (ev_rec_set).  An
 * error of a record (a type error, a path that cannot be set) comes back
 * as the errors member of its reject, naming the option, the expression
 * and the field.
 *
 * Ownership: the filter keeps copies of the option texts and owns the
 * compiled expressions and paths (ev_filter_free); time_path is borrowed.
 * Returned error arrays are new references.
 */
#ifndef EV_FILTER_H
#define EV_FILTER_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "ev_buf.h"
#include "ev_expr.h"
#include "ev_path.h"
#include "ev_rec.h"
#include "ev_run.h"

#define EV_FILTER_MAX	32

struct ev_filter {
	char		*where_text;
	struct ev_expr	*where;
	char		*set_text[EV_FILTER_MAX];
	struct ev_expr	*set[EV_FILTER_MAX];
	struct ev_path	*target[EV_FILTER_MAX];
	size_t		 nset;
	const char	*set_opt;	/* "--set" or "--derive" (static) */
	struct ev_path	*unset[EV_FILTER_MAX];
	size_t		 nunset;
	uint64_t	 n_filtered;	/* records --where did not keep */
	uint64_t	 n_set;		/* records --set/--unset changed */
	int		 warned;	/* a --derive error was said */
	struct ev_buf	 text;
};

void	ev_filter_init(struct ev_filter *f);
/*
 * Record an option's text: --where (once), --set or --derive (one or the
 * other), --unset.  -1 with err
 * ("more than 32 --set options", "--where given twice") when it cannot.
 */
int	ev_filter_add(struct ev_filter *f, const char *opt, const char *arg,
	    char *err, size_t errlen);
/*
 * Compile what was added; -1 with err naming the option and the column
 * ("--set 'x = a +': expected a value at column 8").
 */
int	ev_filter_compile(struct ev_filter *f, const struct ev_path *time_path,
	    char *err, size_t errlen);
/* Whether the filter changes records (any --set or --unset). */
int	ev_filter_changes(const struct ev_filter *f);
/*
 * --where on rec: 1 keep, 0 skip (counted in n_filtered), or -1 on an
 * error of the record with *errors its reject's errors.  1 without --where.
 */
int	ev_filter_where(struct ev_filter *f, const struct ev_rec *rec,
	    json_t **errors);
/*
 * --where for a program that leaves out what it does not keep: 0 when rec
 * goes on; 1 when it was dealt with, rejected (reason "where") or counted
 * in run->n_filtered.
 */
int	ev_filter_skip(struct ev_filter *f, struct ev_run *run,
	    const struct ev_line *line, const struct ev_rec *rec);
/* --set then --unset, in order, on rec: NULL, or its reject's errors. */
json_t	*ev_filter_apply(struct ev_filter *f, struct ev_rec *rec);
/*
 * The --derive assignments on a record the program made: a value that
 * fails is written as null.  Returns how many failed (the first error of
 * the run is said on stderr).
 */
size_t	ev_filter_derive(struct ev_filter *f, struct ev_rec *rec);
/* {"filtered": n} and, with --set/--unset, "changed" (new reference). */
json_t	*ev_filter_stats(const struct ev_filter *f);
void	ev_filter_free(struct ev_filter *f);

#endif /* EV_FILTER_H */
