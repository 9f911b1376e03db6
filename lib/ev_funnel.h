/*
 * ev_funnel.h - the engine of ev-funnel: ordered funnels over event time,
 * one attempt at a time per user, counted per period of the attempt's
 * first-step time and per breakdown key, emitted as window-shaped records
 * once the watermark has passed the period's end plus the conversion
 * window.
 *
 * The program matches each event against the steps and exclusions (names,
 * conditions) and hands the engine only the result: the event's time, its
 * input line number (the tie-break between equal times), the user key, a
 * mask of the steps it matches, whether it matches an exclusion, and for a
 * first-step event its breakdown key.  The engine buffers the events until
 * the watermark passes them (an event at or after the watermark is never
 * late, so until then an earlier one may still come), then walks them in
 * (time, line) order through each user's attempt.  Definitions (attempts,
 * modes, exclusions, quantiles) are in ev-funnel(1).
 *
 * Memory: the events of the lateness span, one struct per user with an open
 * attempt or buffered events (freed when both are gone), and per cell
 * (period, breakdown) the counts and the exact step-to-step durations of
 * its attempts until the cell is written.
 *
 * Ownership: the engine copies user keys and breakdown keys; step_names and
 * by_names in the configuration are borrowed for the engine's life.  The
 * text given to the emit callback is borrowed for the call.
 */
#ifndef EV_FUNNEL_H
#define EV_FUNNEL_H

#include <stddef.h>
#include <stdint.h>

#include "ev_time.h"

#define EV_FUNNEL_MAX_STEPS	32

enum ev_funnel_mode {
	EV_FUNNEL_SEQUENTIAL,	/* other events may come between steps */
	EV_FUNNEL_STRICT,	/* the next step-matching event is the next step */
	EV_FUNNEL_ANY		/* steps after the first in any order */
};

struct ev_funnel_cfg {
	int		 nsteps;	/* 1 .. EV_FUNNEL_MAX_STEPS */
	enum ev_funnel_mode mode;
	ev_us_t		 within;	/* conversion window (inclusive) */
	ev_us_t		 period;	/* of the first-step time, UTC-aligned */
	const char *const *step_names;	/* nsteps names for "steps" */
	const char *const *by_names;	/* nby breakdown column names */
	size_t		 nby;
	int		 final_at_eof;	/* records cut by EOF say final:true */
};

struct ev_funnel;

typedef void	(*ev_funnel_emit_fn)(void *arg, const char *p, size_t n);

/* A new engine writing its records through emit (arg passed back). */
struct ev_funnel *ev_funnel_new(const struct ev_funnel_cfg *cfg,
		    ev_funnel_emit_fn emit, void *arg);
void		 ev_funnel_free(struct ev_funnel *f);
/*
 * One event, at or after the watermark (the caller sends late events
 * elsewhere).  steps: bit i set when it matches step i+1; excl: it matches
 * an exclusion.  key (klen bytes) is the breakdown key, read only when bit
 * 0 is set: the JSON texts of the --by values, each followed by a NUL.
 */
void		 ev_funnel_add(struct ev_funnel *f, ev_us_t t, uint64_t line,
		    const char *user, size_t ulen, uint32_t steps, int excl,
		    const char *key, size_t klen);
/*
 * Move the watermark to wm (never back): the events before it are walked,
 * the attempts whose window ends before it counted, and the periods it
 * has passed by their end plus the window written with final:true.
 */
void		 ev_funnel_watermark(struct ev_funnel *f, ev_us_t wm);
/* Whether t is before the watermark (a late event); 0 before the first. */
int		 ev_funnel_late(const struct ev_funnel *f, ev_us_t t);
/* End of input: walk and count everything, write every open period. */
void		 ev_funnel_finish(struct ev_funnel *f);
/* Users held (open attempts or buffered events) and their peak. */
size_t		 ev_funnel_users(const struct ev_funnel *f);
size_t		 ev_funnel_peak_users(const struct ev_funnel *f);
/* Attempts counted so far, and the excluded ones among them. */
uint64_t	 ev_funnel_attempts(const struct ev_funnel *f);
uint64_t	 ev_funnel_excluded(const struct ev_funnel *f);
/* Bytes one user with an open attempt takes, before its key's bytes. */
size_t		 ev_funnel_user_bytes(int nsteps);

#endif /* EV_FUNNEL_H */
