/*
 * ev_detect_hold.h - ev-detect's hold queue: records wait here, in arrival
 * order, until their window is complete; then they are scored and written
 * from the front.  A held final record that a newer version of the same
 * window replaces keeps that version chain (ev_detect_hold_entry.prev), so
 * the replaced versions are written too, unscored.
 *
 * Ownership: the queue owns its entries; an entry owns its line's bytes
 * (raw), its record (which borrows raw), its explanation JSON, summary,
 * total and the chain of versions it replaced.  The series is borrowed
 * from the series table.  Entry pointers are valid until the next push.
 */
#ifndef EV_DETECT_HOLD_H
#define EV_DETECT_HOLD_H

#include <stddef.h>
#include <jansson.h>

#include "ev_detect.h"
#include "ev_detect_alert.h"
#include "ev_detect_series.h"
#include "ev_rec.h"
#include "ev_time.h"

struct ev_detect_hold_entry {
	char		*raw;
	struct ev_rec	 rec;
	struct ev_detect_series *s;
	ev_us_t		 start, end;
	double		 value;
	int		 final, superseded, anomalous;
	int		 gap;		/* the value is null: a missing point */
	int		 label;		/* --label-field says anomalous */
	struct ev_detect_score sc;
	enum ev_alert_event ev;
	/*
	 * The episode as this record left it: records are written after the
	 * whole flush is scored, when the series may have moved on.
	 */
	enum ev_alert_state st;
	ev_us_t		 since;
	json_t		*explain;	/* new reference or NULL */
	json_t		*explanation;	/* new reference or NULL */
	char		*summary;
	json_t		*total;		/* the total's figures (see context) */
	struct ev_detect_hold_entry *prev;	/* versions it replaced */
};

/* Entries q[head] .. q[head + len - 1]. */
struct ev_detect_hold {
	struct ev_detect_hold_entry *q;
	size_t		 head, len, cap;
};

/*
 * A new zeroed entry at the back.  The queue may move: the series of t
 * have their queued indexes fixed.
 */
struct ev_detect_hold_entry *ev_detect_hold_push(struct ev_detect_hold *h,
	    struct ev_detect_series_table *t);
/* The held, final, current version of series s's window at start, or NULL. */
struct ev_detect_hold_entry *ev_detect_hold_find(struct ev_detect_hold *h,
	    const struct ev_detect_series *s, ev_us_t start);
/*
 * A newer version nw of held entry e's window, in raw and rec (stolen),
 * takes e's place; e's old version goes to the front of its chain.
 */
void	ev_detect_hold_replace(struct ev_detect_hold_entry *e, char *raw,
	    const struct ev_rec *rec, const struct ev_detect_hold_entry *nw);
/*
 * Take the oldest version e replaced out of its chain (the caller owns it:
 * release it, then free it), or NULL when e replaced none.
 */
struct ev_detect_hold_entry *ev_detect_hold_oldest(
	    struct ev_detect_hold_entry *e);
/* Release the first n entries (written) and drop them from the queue. */
void	ev_detect_hold_drop(struct ev_detect_hold *h, size_t n);
/* Release what an entry owns, and zero it. */
void	ev_detect_hold_entry_release(struct ev_detect_hold_entry *e);
void	ev_detect_hold_release(struct ev_detect_hold *h);

#endif /* EV_DETECT_HOLD_H */
