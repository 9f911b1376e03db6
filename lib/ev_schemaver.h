/*
 * ev_schemaver.h - SchemaVer versions (MODEL-REVISION-ADDITION, "1-0-2"):
 * parse, compare, format and bump.  Snowplow's SchemaVer numbers a schema
 * by the kind of change: MODEL for a change that breaks existing data,
 * REVISION for one that may break some of it, ADDITION for one that keeps
 * all of it valid.  ev_evolve.h says which change needs which part.
 *
 * Ownership: plain values; nothing is allocated.
 */
#ifndef EV_SCHEMAVER_H
#define EV_SCHEMAVER_H

#include <stddef.h>

struct ev_schemaver {
	long	model, revision, addition;
};

/* The part of a version a change bumps, in increasing order of weight. */
enum ev_schemaver_part {
	EV_SCHEMAVER_NONE = 0,
	EV_SCHEMAVER_ADDITION,
	EV_SCHEMAVER_REVISION,
	EV_SCHEMAVER_MODEL
};

/*
 * Parse "M-R-A" (model >= 1, revision and addition >= 0, no leading zeros
 * or signs) from the n bytes at s.  Returns 0, or -1 when malformed.
 */
int	ev_schemaver_read(const char *s, size_t n, struct ev_schemaver *v);
/* <0, 0, >0 as a is older than, equal to or newer than b. */
int	ev_schemaver_cmp(const struct ev_schemaver *a,
	    const struct ev_schemaver *b);
/* The highest part that differs from a to b (NONE when equal). */
enum ev_schemaver_part ev_schemaver_diff(const struct ev_schemaver *a,
	    const struct ev_schemaver *b);
/* v bumped at part p (lower parts reset to 0; NONE leaves v as it is). */
struct ev_schemaver ev_schemaver_bump(const struct ev_schemaver *v,
	    enum ev_schemaver_part p);
/* Write "M-R-A" into buf (at least 64 bytes). */
void	ev_schemaver_format(const struct ev_schemaver *v, char *buf,
	    size_t size);
/* "model", "revision", "addition" or "none". */
const char *ev_schemaver_part_name(enum ev_schemaver_part p);

#endif /* EV_SCHEMAVER_H */
