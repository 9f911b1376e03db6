/*
 * ev_buf.h - a growable byte buffer, the one way evkit builds output text.
 *
 * Ownership: the buffer owns data; ev_buf_free releases it.  data is always
 * NUL-terminated after any ev_buf_* call (len does not count the NUL).
 */
#ifndef EV_BUF_H
#define EV_BUF_H

#include <stddef.h>
#include <stdint.h>

struct ev_buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

#define EV_BUF_INIT { NULL, 0, 0 }

void	ev_buf_init(struct ev_buf *b);
void	ev_buf_free(struct ev_buf *b);
void	ev_buf_reset(struct ev_buf *b);		/* len = 0, keeps memory */
void	ev_buf_reserve(struct ev_buf *b, size_t extra);
void	ev_buf_add(struct ev_buf *b, const void *p, size_t n);
void	ev_buf_adds(struct ev_buf *b, const char *s);
void	ev_buf_addc(struct ev_buf *b, char c);
void	ev_buf_printf(struct ev_buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Room for n more bytes at the end of b, for a writer that puts its bytes
 * there itself and then calls ev_buf_put_end: one capacity check for many
 * small pieces.  The pointer is valid until the next call that grows b.
 */
static inline char *
ev_buf_room(struct ev_buf *b, size_t n)
{
	if (b->len + n >= b->cap)
		ev_buf_reserve(b, n);
	return b->data + b->len;
}
/* What was put in ev_buf_room's room ends at p: b's length, its NUL. */
static inline void
ev_buf_put_end(struct ev_buf *b, char *p)
{
	b->len = (size_t)(p - b->data);
	*p = '\0';
}
/* A JSON string literal, quotes included, escaping as RFC 8259 requires. */
void	ev_buf_add_jstr(struct ev_buf *b, const char *s, size_t n);
/*
 * A JSON number: integers print without a fraction when exact below 2^53,
 * other values with the shortest %.*g spelling that reads back the same.
 * NaN and infinities print as null.
 */
void	ev_buf_add_num(struct ev_buf *b, double v);
/*
 * v (finite) with `digits` significant digits (1 to 17), byte for byte as
 * printf's "%.*g" writes it, zero as "0": for figures whose precision is a
 * stated choice, at a fraction of the cost of the shortest spelling.
 * Returns 1 when that spelling is a whole number (no point, no exponent).
 */
int	ev_buf_add_sig(struct ev_buf *b, double v, int digits);
/* Decimal digits of v, zero-padded to at least width (at most 24). */
void	ev_buf_add_dec(struct ev_buf *b, uint64_t v, int width);
void	ev_buf_add_int(struct ev_buf *b, int64_t v);
/* Steal the data (caller frees); the buffer is left empty. */
char	*ev_buf_detach(struct ev_buf *b, size_t *len);

#endif /* EV_BUF_H */
