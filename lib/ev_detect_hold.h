/*
 * ev_detect_hold.h - ev-detect's hold queue: records wait here, in arrival
 * order, until their window is complete; then they are scored and written
 * from the front.  A held final record that a newer version of the same
 * window replaces keeps that version chain (ev_detect_hold_entry.prev), so
 * the replaced versions are written too, unscored.
 *
 * A record and its line's bytes are read into memory the queue hands out
 * (ev_detect_hold_take): that of entries already written, so a steady
 * stream allocates nothing per record once the queue has grown to the
 * most windows held at once.
 *
 * Ownership: the queue owns its entries and the spare memory; an entry
 * owns its line's bytes (raw), its record (which borrows raw), its
 * explanation JSON, summary, total and the chain of versions it replaced.
 * The series is borrowed from the series table.  Entry pointers are valid
 * until the next push.
 */
#ifndef EV_DETECT_HOLD_H
#define EV_DETECT_HOLD_H

#include <stddef.h>
#include <jansson.h>

#include "ev_detect.h"
#include "ev_detect_alert.h"
#include "ev_detect_series.h"
#include "ev_path.h"
#include "ev_rec.h"
#include "ev_time.h"

struct ev_detect_hold_entry {
	struct ev_buf	 raw;
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

/* The last time read at a path, by its bytes in the line. */
struct ev_detect_hold_memo {
	char		 text[48];
	size_t		 len;		/* 0: nothing yet */
	ev_us_t		 t;
};

/* Where a record's fields are (paths borrowed; label may be NULL). */
struct ev_detect_hold_fields {
	const struct ev_path *time, *end, *value, *final, *label;
	struct ev_detect_hold_memo start_memo, end_memo;
};

/* A record and a line buffer, emptied, kept for the next line. */
struct ev_detect_hold_spare {
	struct ev_rec	 rec;
	struct ev_buf	 raw;
};

/* Entries q[head] .. q[head + len - 1]. */
struct ev_detect_hold {
	struct ev_detect_hold_entry *q;
	size_t		 head, len, cap;
	struct ev_detect_hold_spare *spare;
	size_t		 nspare, capspare;
};

/*
 * A record and a line buffer for the next line (the memory of a written
 * entry when there is one); they go to an entry with ev_detect_hold_push
 * or ev_detect_hold_replace, or back with ev_detect_hold_give.
 */
void	ev_detect_hold_take(struct ev_detect_hold *h, struct ev_rec *rec,
	    struct ev_buf *raw);
void	ev_detect_hold_give(struct ev_detect_hold *h, struct ev_rec *rec,
	    struct ev_buf *raw);

/*
 * Read a record's start, end (the start when it has none), value (a null
 * one is a gap), final flag (anything but false) and label into e: NULL,
 * or the reason to reject the line ("time", "value") with *errors the
 * reject's errors (a new reference).  A time whose bytes are those of the
 * last record's is not parsed again (a window's records come together).
 */
const char *ev_detect_hold_read(struct ev_detect_hold_fields *f,
	    const struct ev_rec *rec, struct ev_detect_hold_entry *e,
	    json_t **errors);
/*
 * A new entry at the back, for the caller to fill whole (it is not
 * zeroed: an entry is big, and the caller copies one in).  The queue may
 * move: the series of t have their queued indexes fixed.
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
void	ev_detect_hold_replace(struct ev_detect_hold_entry *e,
	    const struct ev_buf *raw, const struct ev_rec *rec,
	    const struct ev_detect_hold_entry *nw);
/*
 * Take the oldest version e replaced out of its chain (the caller owns it:
 * release it, then free it), or NULL when e replaced none.
 */
struct ev_detect_hold_entry *ev_detect_hold_oldest(
	    struct ev_detect_hold_entry *e);
/*
 * Drop the first n entries (written) from the queue: their records and
 * lines become spares, the rest they own is released.
 */
void	ev_detect_hold_drop(struct ev_detect_hold *h, size_t n);
/* Release all an entry owns (a replaced version), and zero it. */
void	ev_detect_hold_entry_release(struct ev_detect_hold_entry *e);
void	ev_detect_hold_release(struct ev_detect_hold *h);

#endif /* EV_DETECT_HOLD_H */
