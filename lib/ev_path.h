/*
 * ev_path.h - field paths: dotted ("properties.amount", "items.0.sku") or
 * JSON Pointer ("/properties/amount", with ~0 and ~1).  A path is compiled
 * once and applied to many records.  A segment of digits also indexes an
 * array.
 *
 * This module is also evkit's one JSON Pointer toolkit (RFC 6901): joining
 * pointers while a document is walked, and reading the pointer a URI
 * fragment holds (percent-decoded first, RFC 3986, then split: RFC 6901
 * section 6), as "$ref" resolution and the schema tools need.
 *
 * Ownership: ev_path_compile and ev_path_fragment return a new path
 * (ev_path_free).  ev_path_get returns a borrowed reference into the
 * document.  ev_path_join, ev_path_join_index and ev_path_pct_decode return
 * new strings (free).
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
/*
 * The JSON Pointer of a URI fragment (the text after '#', which must begin
 * with '/'), percent-decoded first, so "%25" is a '%' and "%2F" a '/'.  A
 * segment indexes an array only when RFC 6901 spells an index ("0", or
 * digits without a leading zero).  NULL with *errstr (static) when it is
 * no pointer or a '~' is not followed by 0 or 1.
 */
struct ev_path	*ev_path_fragment(const char *frag, const char **errstr);
/*
 * Percent-decode s (RFC 3986): "%" and two hex digits are one byte, any
 * other '%' stays as it is.  The result may hold NUL bytes: *len (may be
 * NULL) gets its length.
 */
char		*ev_path_pct_decode(const char *s, size_t *len);
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
/* The same for a NUL-terminated segment, and for the array index i. */
void		 ev_path_push(struct ev_buf *buf, const char *seg);
void		 ev_path_push_index(struct ev_buf *buf, size_t i);
/*
 * Cut a pointer being built in buf back to len bytes (its length before
 * the segments pushed since), keeping it NUL-terminated.
 */
void		 ev_path_pop(struct ev_buf *buf, size_t len);
/* The pointer base followed by the segment key (escaped), or index i. */
char		*ev_path_join(const char *base, const char *key);
char		*ev_path_join_index(const char *base, size_t i);
/* The JSON Pointer spelling of p into buf ("/a/b"). */
void		 ev_path_pointer(const struct ev_path *p, struct ev_buf *buf);
/* The last segment's name (a good default column name). */
const char	*ev_path_leaf(const struct ev_path *p);

#endif /* EV_PATH_H */
