/*
 * ev_retention.h - the engine of ev-retention: cohorts of users by the
 * period of their start event, and per cohort and period n how many of
 * them returned, written as window-shaped records once the watermark has
 * passed the end of period n (bounded) or of the horizon (unbounded).
 *
 * The program tells the engine, per event, its time, input line (the
 * tie-break between equal times), user key and whether it is a start
 * event and/or a return event.  The engine buffers events until the
 * watermark passes them, then walks them in (time, line) order.
 * Definitions are in ev-retention(1).
 *
 * Memory: the events of the lateness span, one struct per user while the
 * user's cohort is within the horizon (ev_retention_user_bytes), and per
 * open cohort its counts.
 *
 * Ownership: the engine copies user keys.  The text given to the emit
 * callback is borrowed for the call.
 */
#ifndef EV_RETENTION_H
#define EV_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "ev_time.h"

#define EV_RETENTION_MAX_PERIODS	64

struct ev_retention_cfg {
	ev_us_t		 period;	/* cohort and return periods, UTC */
	int		 periods;	/* 1 .. EV_RETENTION_MAX_PERIODS */
	int		 unbounded;	/* retained in n: in n or later */
	int		 final_at_eof;	/* records cut by EOF say final:true */
};

struct ev_retention;

typedef void	(*ev_retention_emit_fn)(void *arg, const char *p, size_t n);

struct ev_retention *ev_retention_new(const struct ev_retention_cfg *cfg,
		    ev_retention_emit_fn emit, void *arg);
void		 ev_retention_free(struct ev_retention *r);
/* One event at or after the watermark; start/ret: what it matches. */
void		 ev_retention_add(struct ev_retention *r, ev_us_t t,
		    uint64_t line, const char *user, size_t ulen, int start,
		    int ret);
/* Move the watermark to wm (never back); write what it has closed. */
void		 ev_retention_watermark(struct ev_retention *r, ev_us_t wm);
/* Whether t is before the watermark (a late event); 0 before the first. */
int		 ev_retention_late(const struct ev_retention *r, ev_us_t t);
/* End of input: walk everything, write every record not yet written. */
void		 ev_retention_finish(struct ev_retention *r);
size_t		 ev_retention_peak_users(const struct ev_retention *r);
uint64_t	 ev_retention_cohort_users(const struct ev_retention *r);
/* Bytes one user in a cohort takes, before its key's bytes. */
size_t		 ev_retention_user_bytes(void);

#endif /* EV_RETENTION_H */
