/*
 * ev_evopt.h - the options the event-time journey tools (ev-funnel,
 * ev-retention) share: the time, event and user fields, --period,
 * --lateness, --late, --final-at-eof and --where.  A program merges
 * EV_EVOPT_LONGOPTS into its option table, numbers its own options from
 * EV_EVOPT_NEXT, and hands every option to ev_evopt_option first.
 *
 * Ownership: the field names and --late path are borrowed from argv; the
 * compiled paths and the --where filter are owned until ev_evopt_release.
 */
#ifndef EV_EVOPT_H
#define EV_EVOPT_H

#include "ev_filter.h"
#include "ev_path.h"
#include "ev_run.h"
#include "ev_time.h"

enum {
	EV_EVOPT_FINAL_AT_EOF = EV_OPT_FIRST_TOOL, EV_EVOPT_LATE,
	EV_EVOPT_LATENESS, EV_EVOPT_PERIOD, EV_EVOPT_WHERE,
	EV_EVOPT_NEXT			/* the tool's own options from here */
};

#define EV_EVOPT_LONGOPTS \
	{ "event-field", required_argument, NULL, 'e' }, \
	{ "final-at-eof", no_argument, NULL, EV_EVOPT_FINAL_AT_EOF }, \
	{ "late", required_argument, NULL, EV_EVOPT_LATE }, \
	{ "lateness", required_argument, NULL, EV_EVOPT_LATENESS }, \
	{ "period", required_argument, NULL, EV_EVOPT_PERIOD }, \
	{ "time-field", required_argument, NULL, 't' }, \
	{ "user", required_argument, NULL, 'u' }, \
	{ "where", required_argument, NULL, EV_EVOPT_WHERE }

/* The short options it takes, for the program's getopt string. */
#define EV_EVOPT_SHORT	"e:t:u:"

struct ev_evopt {
	const char	*time_field, *event_field, *user_field, *late_path;
	struct ev_path	*tpath, *epath, *upath;
	ev_us_t		 period, lateness;
	int		 final_at_eof;
	int		 has_max;
	ev_us_t		 max_ts;	/* the latest event time seen */
	struct ev_filter where;		/* --where */
};

/* Defaults: ts, event, user_id, the given period, no lateness. */
void	ev_evopt_init(struct ev_evopt *o, ev_us_t period);
/* Take option opt (its argument arg): 1 if it is one of these, else 0. */
int	ev_evopt_option(struct ev_evopt *o, struct ev_run *run, int opt,
	    const char *arg);
/* Compile the paths and --where; a bad one is a usage error (exit 2). */
void	ev_evopt_compile(struct ev_evopt *o, struct ev_run *run);
void	ev_evopt_release(struct ev_evopt *o);
/*
 * After the event's time is read: 1 when --where left it out (counted as
 * filtered, or rejected when it failed on the event), else 0.
 */
int	ev_evopt_skip(struct ev_evopt *o, struct ev_run *run,
	    const struct ev_line *line, const struct ev_rec *rec);
/*
 * Note an event at t: 1 when it is the latest so far, with *wm set to the
 * new watermark (t - lateness) for the engine, else 0.
 */
int	ev_evopt_seen(struct ev_evopt *o, ev_us_t t, ev_us_t *wm);
/* The current watermark (for the late message); after the first event. */
ev_us_t	ev_evopt_watermark(const struct ev_evopt *o);

#endif /* EV_EVOPT_H */
