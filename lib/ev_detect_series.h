/*
 * ev_detect_series.h - ev-detect's series: one model (lib/ev_detect.h) and
 * one alert episode (lib/ev_detect_alert.h) per value field and group
 * columns, found by key in an ev_map (lib/ev_map.h), and kept across runs
 * as the data of ev-detect's state file.
 *
 * A record's series key is the value field's name, then each group column
 * present as name and value (ev_detect_series_key); the columns are --by's
 * paths, or every string member but the time fields.  An absent --by
 * column is left out: that record is a total over it.
 *
 * Ownership: the table owns its series; a series owns its key, its
 * columns (a copy that shares nothing with any record) and its model.  A
 * series pointer stays valid until ev_detect_series_forget drops it or the
 * table is released.  The params and key spec are borrowed for the
 * table's life.
 */
#ifndef EV_DETECT_SERIES_H
#define EV_DETECT_SERIES_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "ev_buf.h"
#include "ev_detect.h"
#include "ev_detect_alert.h"
#include "ev_map.h"
#include "ev_path.h"
#include "ev_rec.h"
#include "ev_time.h"

/* A time not yet known (no record seen, no window scored). */
#define EV_DETECT_SERIES_NO_TIME	INT64_MIN

struct ev_detect_series {
	char		*key;		/* value field and group columns (in the
					   series' own allocation) */
	size_t		 keylen;
	json_t		*cols;		/* the group columns present */
	char		 fp[17];	/* fingerprint of key */
	struct ev_detect_model *model;
	struct ev_alert	 alert;
	ev_us_t		 last_seen;	/* start of the newest record */
	ev_us_t		 last_end;
	ev_us_t		 max_start;	/* newest final start arrived */
	ev_us_t		 step;
	int		 absent;	/* a no_data alert is firing */
	long		 queued;	/* hold queue index of its newest entry */
	ev_us_t		 prev_start;	/* the last scored window's start */
	long		 btidx;		/* its labelled backtest series, or -1 */
};

/* How a record names its series (all borrowed). */
struct ev_detect_series_keys {
	const char	*value_spec;	/* --value */
	const char	*time_spec;	/* --time: never a group column */
	struct ev_path	**by;		/* --by, or NULL: every string member */
	size_t		 nby;
};

struct ev_detect_series_table {
	struct ev_detect_series **ser;	/* in order of creation */
	size_t		 nser, capser;
	struct ev_map	 map;		/* key -> series (keys borrowed) */
	const struct ev_detect_params *mp;
	const struct ev_detect_series_keys *keys;
	const struct ev_tz *tz;		/* --tz, for the seasonal shape */
	ev_us_t		 tz_bucket;	/* cache of the zone offset */
	int		 tz_offset;
};

void	ev_detect_series_init(struct ev_detect_series_table *t,
	    const struct ev_detect_params *mp,
	    const struct ev_detect_series_keys *keys, const struct ev_tz *tz);
void	ev_detect_series_release(struct ev_detect_series_table *t);
/* The series key of rec into b (reset first). */
void	ev_detect_series_key(const struct ev_detect_series_keys *k,
	    const struct ev_rec *rec, struct ev_buf *b);
/*
 * The series of key (n bytes); a new one when unknown, with the columns
 * cols (borrowed, copied) or, when cols is NULL, the group columns of rec.
 */
struct ev_detect_series *ev_detect_series_get(
	    struct ev_detect_series_table *t, const char *key, size_t n,
	    const json_t *cols, const struct ev_rec *rec);
/*
 * Drop the series that hold no record and sent nothing for ttl up to
 * stream time now.
 */
void	ev_detect_series_forget(struct ev_detect_series_table *t,
	    ev_us_t now, ev_us_t ttl);
/*
 * The point the window [start, end) of series s stands for: its step (the
 * window's length; for points without an end, the smallest spacing seen
 * so far, as a gap is not a longer window), and in *pt the step in hours
 * and the local wall-clock hours of the window's middle.  Returns the step
 * in microseconds.  Called once per scored window, in time order.
 */
ev_us_t	ev_detect_series_point(struct ev_detect_series_table *t,
	    struct ev_detect_series *s, ev_us_t start, ev_us_t end,
	    struct ev_detect_point *pt);
/* A group column's value as text: strings as they are, others as JSON. */
void	ev_detect_series_col_text(const json_t *v, struct ev_buf *b);
/* The series as people name it: "signup ios", or the value field. */
void	ev_detect_series_name(const struct ev_detect_series_table *t,
	    const struct ev_detect_series *s, struct ev_buf *b);
/*
 * The table and the stream time in the state file path (lib/ev_state.h)
 * of program prog with the given settings, and back.  Both return 0, or
 * -1 after a warning on stderr; a missing file loads nothing (0), and
 * after a failed load the series read so far stay in the table.
 */
int	ev_detect_series_save(const struct ev_detect_series_table *t,
	    const char *path, const char *prog, const char *settings,
	    ev_us_t watermark);
int	ev_detect_series_load(struct ev_detect_series_table *t,
	    const char *path, const char *prog, const char *settings,
	    ev_us_t *watermark);

#endif /* EV_DETECT_SERIES_H */
