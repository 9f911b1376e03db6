/*
 * ev_wgroup.h - the group columns of ev-window and its grouping sets:
 * parsing --by, --rollup and --cube, and the group key of a record, in
 * the form the window engine (ev_window.h) takes.
 *
 * Columns are named ("context.platform as platform", or the path's leaf);
 * a column of the same name and path in two lists is one column.  Each
 * --by is one grouping set; --rollup adds the prefixes of its list,
 * longest first; --cube every subset, larger sets first, then those with
 * earlier columns first.  Several sets make "grouping" true, and the
 * engine then keys a record once per set.
 *
 * Ownership: a struct ev_wgroup owns its columns, sets and scratch space;
 * ev_wgroup_free releases them.  The strings given to ev_wgroup_add_* are
 * copied.  ev_wgroup_set_keys leaves the keys in g->kptr/g->klen,
 * borrowed until the next call.
 */
#ifndef EV_WGROUP_H
#define EV_WGROUP_H

#include <stddef.h>

#include "ev_buf.h"
#include "ev_path.h"
#include "ev_rec.h"
#include "ev_window.h"

struct ev_wgroup_col {
	struct ev_path	*path;
	char		*name;
};

struct ev_wgroup {
	struct ev_wgroup_col *keys;	/* every column of every set */
	size_t		 nkeys;
	struct ev_win_set *sets;	/* grouping sets; none: keys, as one */
	size_t		 nsets;
	int		 grouping;	/* several --by, --rollup or --cube */
	/* scratch of ev_wgroup_set_keys: each column's text, each set's key */
	const char	**col;
	size_t		*collen, *koff, *klen;
	const char	**kptr;
	struct ev_buf	 setkey;
};

/*
 * One --by list as one grouping set (rollup < 0), or --rollup (0) or
 * --cube (1) as the sets they stand for.  0, or -1 with err (the whole
 * message of a usage error) when the list is not one.
 */
int	ev_wgroup_add(struct ev_wgroup *g, const char *arg, int rollup,
	    char *err, size_t errlen);
/*
 * After the last ev_wgroup_add: settle "grouping" (several sets) and make
 * the scratch space of ev_wgroup_set_keys.
 */
void	ev_wgroup_ready(struct ev_wgroup *g);
/*
 * The group key of a record into b: every column's JSON text joined by
 * 0x1f.  -1 with msg when a column is an object or an array.
 */
int	ev_wgroup_key(const struct ev_wgroup *g, const struct ev_rec *rec,
	    struct ev_buf *b, char *msg, size_t len);
/*
 * The engine key of each grouping set from a full key (ev_wgroup_key):
 * the set's index in three digits and its columns' texts, into
 * g->kptr[i] and g->klen[i] for set i.
 */
void	ev_wgroup_set_keys(struct ev_wgroup *g, const struct ev_buf *full);
/* The columns and sets, for a state file's fingerprint, appended to b. */
void	ev_wgroup_settings(const struct ev_wgroup *g, struct ev_buf *b);
void	ev_wgroup_free(struct ev_wgroup *g);

#endif /* EV_WGROUP_H */
