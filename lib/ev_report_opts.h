/*
 * ev_report_opts.h - what a report's store is built with: the options
 * of ev-report(1) that shape the model, and the counts of the run.
 * Apart from ev_report_store.h so that the store's inside
 * (ev_report_store_int.h) needs nothing of its interface.
 *
 * Ownership: the strings and arrays are borrowed; they must outlive the
 * store they are given to.
 */
#ifndef EV_REPORT_OPTS_H
#define EV_REPORT_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include "ev_time.h"

struct ev_report_opts {
	const char	 *time_field;	/* "start" */
	char		**metrics;	/* borrowed; nmetrics == 0: discover */
	size_t		  nmetrics;
	char		**by;		/* borrowed; nby == 0: discover */
	size_t		  nby;
	size_t		  top;		/* series per breakdown table */
	ev_us_t		  since, until;	/* used when has_since / has_until */
	int		  has_since, has_until;
	ev_us_t		  last;		/* > 0: the range is the last D of data */
	ev_us_t		  step;		/* > 0: at least this point spacing */
	ev_us_t		  compare;	/* > 0: change against D earlier */
	const char	 *tz;		/* IANA name, "UTC" by default */
	double		  min_score;	/* anomaly score that counts as one */
	ev_us_t		  generated;	/* the generated-at stamp */
};

/* Counts of the run that built the report, for the header. */
struct ev_report_counts {
	uint64_t	in, rejected;
};

#endif /* EV_REPORT_OPTS_H */
