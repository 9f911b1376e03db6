/*
 * ev_json.h - writing jansson values as compact JSON text in evkit's
 * number style, for records, state files and reports.  It depends on
 * ev_buf only, so modules that write JSON (ev_state) need not pull in the
 * record layer.
 *
 * Ownership: values are borrowed; text is appended to the caller's buffer.
 */
#ifndef EV_JSON_H
#define EV_JSON_H

#include <jansson.h>

#include "ev_buf.h"

/*
 * Serialise any JSON value compactly in evkit's number style (ev_buf_add_num
 * for reals, which keep a ".0" when they have no fraction), keys in
 * insertion order.
 */
void	ev_json_write(const json_t *v, struct ev_buf *b);

/* A real in that style, for writers that build no jansson tree. */
void	ev_json_write_real(double d, struct ev_buf *b);
/*
 * A real (finite) with `digits` significant digits (ev_buf_add_sig), and a
 * ".0" when that spelling has no fraction or exponent, so it stays a real.
 */
void	ev_json_write_real_sig(double d, int digits, struct ev_buf *b);

/*
 * An object's members as "k":v, separated by commas, without the braces;
 * *first is set when nothing was written before them and cleared once a
 * member is written.
 */
void	ev_json_write_members(const json_t *obj, struct ev_buf *b,
	    int *first);

#endif /* EV_JSON_H */
