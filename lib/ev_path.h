/*
 * ev_path.h - field paths: dotted ("properties.amount", "items.0.sku") or
 * JSON Pointer ("/properties/amount", with ~0 and ~1).  A path is compiled
 * once and applied to many records.  A segment of digits also indexes an
 * array.
 *
 * Ownership: ev_path_compile returns a new path (ev_path_free).  ev_path_get
 * returns a borrowed reference into the document.
 */
#ifndef EV_PATH_H
#define EV_PATH_H

#include <stddef.h>
#include <jansson.h>

#include "ev_buf.h"

struct ev_path_seg {
	char	*key;		/* NUL-terminated member name */
	size_t	 keylen;
	long	 index;		/* >= 0 if the key is an array index, else -1 */
};

struct ev_path {
	char			*spec;	/* the text as given */
	size_t			 nseg;
	struct ev_path_seg	*seg;
};

/* Returns NULL and sets *errstr (static text) on a malformed path. */
struct ev_path	*ev_path_compile(const char *spec, const char **errstr);
void		 ev_path_free(struct ev_path *p);
/* The value at p, or NULL when absent.  Borrowed. */
json_t		*ev_path_get(const struct ev_path *p, const json_t *root);
/* The value at segments from..nseg-1 of p, starting at v.  Borrowed. */
json_t		*ev_path_get_at(const struct ev_path *p, size_t from,
		    const json_t *v);
/*
 * Set the value at p, creating intermediate objects; steals val.
 * Returns 0, or -1 when a non-object is in the way (val is released).
 */
int		 ev_path_set(const struct ev_path *p, json_t *root, json_t *val);
/* Remove the value at p; returns 1 if removed, 0 if absent. */
int		 ev_path_del(const struct ev_path *p, json_t *root);
/* Append "/" and one JSON Pointer segment, escaping ~ and / (RFC 6901). */
void		 ev_path_add_segment(struct ev_buf *buf, const char *seg,
		    size_t len);
/* The JSON Pointer spelling of p into buf ("/a/b"). */
void		 ev_path_pointer(const struct ev_path *p, struct ev_buf *buf);
/* The last segment's name (a good default column name). */
const char	*ev_path_leaf(const struct ev_path *p);

#endif /* EV_PATH_H */
