/*
 * ev_jidx.h - one pass that checks a JSON text and indexes it, for the
 * record layer.
 *
 * The checking is simdjson's (Debian libsimdjson-dev), reached through the
 * C++ file ev_jidx.cc: its DOM parser judges the full grammar, the UTF-8,
 * the escapes and the numbers of the text.  The index is read from the
 * positions simdjson's first stage finds (every bracket, brace, colon,
 * comma, opening quote and start of a scalar), laid out as jsmn's tokens
 * (jsmn.h, no parent links): one per value and per key, in document order;
 * start and end are byte offsets (end exclusive; a string's exclude its
 * quotes); size is the number of members of an object, of elements of an
 * array, 1 for a key and 0 for any other scalar.
 */
#ifndef EV_JIDX_H
#define EV_JIDX_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ev_jidx;		/* a checker and its buffers, reused line to line */

/* A new checker (never NULL: exits on memory exhaustion).  Owned. */
struct ev_jidx *ev_jidx_new(void);
void	ev_jidx_free(struct ev_jidx *j);

/*
 * Scan s[0..n): with check set, the whole text must be one JSON value as
 * simdjson accepts it; without, the text is taken to be JSON already (a
 * caller's other parser accepted it) and only located.  Returns an upper
 * bound on the number of tokens, or -1 when the text is refused (or,
 * unchecked, cannot be located, or has a NUL byte: jansson lets one end a
 * number).  s is copied; nothing is borrowed.
 */
int	ev_jidx_scan(struct ev_jidx *j, const char *s, size_t n, int check);
/*
 * The tokens of the last successful scan into tok, which has room for the
 * bound it returned (tok is a jsmntok_t array).  Returns their number, or
 * -1 when unchecked text turns out not to be one value.
 */
int	ev_jidx_tokens(struct ev_jidx *j, void *tok);

#ifdef __cplusplus
}
#endif

#endif /* EV_JIDX_H */
