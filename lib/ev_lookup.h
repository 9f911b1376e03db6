/*
 * ev_lookup.h - CSV lookup tables for ev-enrich: a table read with libcsv,
 * typed columns, a hash index on one or more key columns, optional validity
 * ranges (valid_from / valid_to columns matched by event time), and atomic
 * reloading when the file changes.
 *
 * The first CSV row is the header.  A header cell may carry a type after a
 * colon ("ltv:number", "zip:string", "active:bool"); without one a column
 * whose non-empty cells are all JSON numbers is numeric, otherwise text.
 * Empty cells are null.  Columns named valid_from and valid_to (RFC 3339,
 * empty = open) bound the event times a row applies to; several rows may
 * then share a key, and the first one whose range holds the time wins.
 * Without them a key must be unique.
 *
 * Reloading is atomic: the new file is parsed completely into a new table
 * and swapped in only when it is sound; otherwise the old table stays and
 * the error text says why.  A table with a header and no rows is taken
 * for a half-written file too, unless allow_empty is set.
 *
 * Ownership: ev_lookup_new returns a new table (ev_lookup_free).  Rows
 * returned by ev_lookup_find are borrowed, valid until the next reload;
 * take a reference (json_incref) to keep one.
 */
#ifndef EV_LOOKUP_H
#define EV_LOOKUP_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "ev_buf.h"
#include "ev_path.h"
#include "ev_rec.h"
#include "ev_time.h"

#define EV_LOOKUP_MAXKEYS	8

struct ev_lookup_table;

struct ev_lookup {
	char		*name;		/* output member name */
	char		*file;
	size_t		 nkeys;
	struct ev_path	*key_path[EV_LOOKUP_MAXKEYS];	/* event fields */
	char		*key_col[EV_LOOKUP_MAXKEYS];	/* CSV columns */
	struct ev_lookup_table *tab;	/* the current good table */
	/* Identity of the file last tried, to notice changes. */
	int64_t		 st_mtime_ns, st_size, st_ino;
	ev_us_t		 next_check;	/* monotonic time of the next stat */
	ev_us_t		 check_every;	/* between stats (EV_US_PER_SEC) */
	uint64_t	 reloads, reload_failures;
	int		 allow_empty;	/* a reload may bring zero rows */
};

/* A table named name reading file; no keys yet, nothing loaded. */
struct ev_lookup *ev_lookup_new(const char *name, const char *file);
void	ev_lookup_free(struct ev_lookup *l);
/*
 * Add a key "field[=column]": the event field (dotted path or JSON Pointer)
 * matched against the CSV column (default: the field's last segment).
 * Returns 0, or -1 with err filled.
 */
int	ev_lookup_add_key(struct ev_lookup *l, const char *spec, char *err,
	    size_t errlen);
/* Load the file now.  Returns 0, or -1 with err filled (no table). */
int	ev_lookup_load(struct ev_lookup *l, char *err, size_t errlen);
/*
 * Reload when the file changed (looked at no more often than once every
 * check_every of monotonic time now, unless force).  Returns 1 when a new table was
 * swapped in, 0 when nothing changed, -1 when the changed file is broken
 * or, without allow_empty, holds no rows (err filled; the previous table
 * stays).  A broken file is reported once
 * until it changes again.
 */
int	ev_lookup_refresh(struct ev_lookup *l, ev_us_t now, int force,
	    char *err, size_t errlen);

enum ev_lookup_result {
	EV_LOOKUP_HIT,		/* *row set */
	EV_LOOKUP_MISS,		/* key present, no row (or none valid then) */
	EV_LOOKUP_NOKEY		/* a key field is absent or not a scalar */
};

/*
 * Find the row for rec; t is the event time (used only when the table has
 * validity ranges; have_time 0 means unknown: such rows then miss).
 * keytext receives the key as text (for diagnostics).  *bad receives the
 * index of the first missing key field on EV_LOOKUP_NOKEY.
 */
enum ev_lookup_result ev_lookup_find(const struct ev_lookup *l,
	    const struct ev_rec *rec, int have_time, ev_us_t t,
	    json_t **row, struct ev_buf *keytext, size_t *bad);
/* Rows in the current table. */
size_t	ev_lookup_rows(const struct ev_lookup *l);

#endif /* EV_LOOKUP_H */
