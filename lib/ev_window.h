/*
 * ev_window.h - the event-time window engine behind ev-window.
 *
 * Events arrive with an event time, a group key and extracted aggregate
 * inputs (ev_agg_extract).  The engine assigns them to windows, keeps one
 * set of aggregate values per open window and group, and emits a window
 * record through a callback when the watermark passes the window's end:
 *
 *   tumbling  fixed windows of size, aligned to the epoch; or calendar days
 *             or weeks in a time zone (23 or 25 hours across DST)
 *   hopping   windows of size every slide, built from panes of slide; an
 *             event updates one pane, so its cost does not depend on
 *             size/slide (a window is the merge of its panes when it fires)
 *   cumulate  windows growing by slide from the start of each size period
 *   session   per group, events closer than gap; an event joins the open
 *             sessions it touches (is less than gap from), merging those
 *             it bridges, even behind the watermark
 *
 * The watermark is the largest event time seen minus lateness (or anything
 * the caller sets, e.g. from the wall clock when input is idle).  An event
 * whose window has already been emitted (end + allowed lateness <= the
 * watermark) is late: the engine says so and the caller routes it.  A
 * session event is late when it touches no open session and either touches
 * a written one or its own session [t, t + gap) has ended.
 *
 * Group keys are the group columns' JSON texts joined by 0x1f (which JSON
 * text never contains raw), so records are written without re-serialising
 * and sort deterministically.  Records come out in (end, group, start) order;
 * with grouping sets the key starts with the set's index, so within an end
 * by set, then group.
 *
 * Memory: O(open windows x groups of all grouping sets) aggregate values,
 * plus the known-group
 * registry (bounded by max_groups) and, per value, the sketches' sizes.
 *
 * Ownership: the engine borrows cfg (and what it points to) for its
 * lifetime; ev_win_save returns a new reference; records passed to the
 * callback are borrowed for the call.
 */
#ifndef EV_WINDOW_H
#define EV_WINDOW_H

#include <stddef.h>
#include <jansson.h>

#include "ev_agg.h"
#include "ev_time.h"

/*
 * A grouping set: n of the by_names columns, by index, in output order.
 * With grouping sets an engine key is the set's index in three decimal
 * digits followed by the set's column texts joined by 0x1f, so keys sort
 * by set, then by group; records name the set ("grouping":[...]).
 */
struct ev_win_set {
	size_t		 n;
	const size_t	*col;
};

#define EV_WIN_MAX_SETS	999

enum ev_win_kind { EV_WIN_TUMBLE, EV_WIN_HOP, EV_WIN_CUMULATE, EV_WIN_SESSION,
	EV_WIN_MERGE };

struct ev_win_cfg {
	enum ev_win_kind kind;
	ev_us_t		 size;		/* tumble, hop, cumulate */
	ev_us_t		 every;		/* hop, cumulate: the slide */
	ev_us_t		 gap;		/* session */
	const struct ev_tz *tz;		/* calendar windows when calendar > 0 */
	int		 calendar;	/* 0, 1 (days) or 7 (weeks) */
	int		 week_start;	/* 0 Sunday ... 6 Saturday */
	ev_us_t		 allowed;	/* allowed lateness (tumble) */
	const struct ev_agg_set *aggs;
	size_t		 nby;
	char *const	*by_names;	/* output column names of the keys */
	size_t		 nsets;		/* 0: one set, all nby columns, and
					   no "grouping" member */
	const struct ev_win_set *sets;
	int		 partial;	/* write mergeable partial records */
	int		 changes;	/* a changelog: "op":"-" then "+" */
	int		 fill_zero;
	ev_us_t		 group_ttl;
	size_t		 max_groups;	/* 0: unlimited */
	size_t		 max_key_bytes;	/* of the known groups' keys; 0: unlimited */
	int		 final_at_eof;	/* close_all writes "final":true */
};

typedef void (*ev_win_emit_fn)(void *arg, const char *rec, size_t len);

/* EV_WIN_FULL: over max_groups; EV_WIN_KEYS_FULL: over max_key_bytes. */
enum ev_win_add { EV_WIN_ADDED, EV_WIN_LATE, EV_WIN_FULL, EV_WIN_KEYS_FULL };

struct ev_win;

struct ev_win	*ev_win_new(const struct ev_win_cfg *cfg, ev_win_emit_fn fn,
		    void *arg);
void		 ev_win_free(struct ev_win *w);
/*
 * 0 when every window an event at t belongs to starts and ends inside
 * EV_TIME_MIN..EV_TIME_MAX, so its records can be written and read back;
 * -1 otherwise (an event in the last minutes of year 9999, say).
 */
int		 ev_win_in_range(const struct ev_win *w, ev_us_t t);
/* Add an event; x as filled by ev_agg_extract. */
enum ev_win_add	 ev_win_add(struct ev_win *w, ev_us_t t, const char *key,
		    size_t klen, const json_t *const *x);
/*
 * Add an event to n groups at once, one per grouping set (fixed windows
 * only): all or none, so --max-groups and lateness treat it as one event.
 */
enum ev_win_add	 ev_win_add_sets(struct ev_win *w, ev_us_t t,
		    const char *const *key, const size_t *klen, size_t n,
		    const json_t *const *x);
/* Raise the watermark to wm (never lowers it) and emit what closes. */
void		 ev_win_watermark(struct ev_win *w, ev_us_t wm);
/* 1 and *wm when a watermark is set. */
int		 ev_win_get_watermark(const struct ev_win *w, ev_us_t *wm);
/*
 * The watermark at which the next window closes (1), or 0 when nothing is
 * open.
 */
int		 ev_win_next_close(const struct ev_win *w, ev_us_t *at);
/*
 * Emit every open window (end of input): "final":false, as the input cut
 * them, unless cfg->final_at_eof; a fired tumbling window awaiting late
 * events is not written again.  --merge: final unless a shard's record of
 * that window and group was not.
 */
void		 ev_win_close_all(struct ev_win *w);
/* Open windows, sessions, known groups and the watermark as JSON. */
json_t		*ev_win_save(const struct ev_win *w);
/* Restore a saved engine into a fresh one: 0, or -1 with err. */
int		 ev_win_load(struct ev_win *w, const json_t *data, char *err,
		    size_t errlen);
/*
 * EV_WIN_MERGE: fold one partial record (parsed) into the windows; they
 * are emitted by ev_win_close_all.  0, or -1 with err.
 */
int		 ev_win_merge_partial(struct ev_win *w, const json_t *rec,
		    char *err, size_t errlen);
/* Windows and groups open now (for --stats). */
size_t		 ev_win_open_cells(const struct ev_win *w);
size_t		 ev_win_groups(const struct ev_win *w);

#endif /* EV_WINDOW_H */
