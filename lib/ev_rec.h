/*
 * ev_rec.h - the record layer: one NDJSON line as a record.  It hides the JSON
 * libraries from the programs.
 *
 * Parsing is lazy.  ev_rec_parse checks and indexes the whole line in one
 * pass (ev_jidx: simdjson judges the grammar, UTF-8, escapes and numbers,
 * and its structural positions become jsmn-style tokens, one per value, no
 * allocation per value); a field is decoded only when a program asks for
 * it, and the typed getters read scalars at any depth straight from the
 * bytes.  Lines the fast path cannot judge exactly as jansson would (\u
 * escapes, documents of more than 2,000 values, anything simdjson refuses:
 * numbers beyond a double or 64 bits, nesting deeper than 1,024) are
 * judged by jansson, so the accepted language and the error messages are
 * jansson's (tests/fuzz/fuzz_rec.c holds the two to the same answers);
 * a line jansson accepts is then indexed the same way (ev_rec_eager
 * records excepted), so every path reads and writes the line's own bytes.
 *
 * Output: an unchanged record is its original bytes (key order and number
 * spelling kept); new top-level members are spliced in before the closing
 * brace; changes to existing values (ev_rec_set, ev_rec_del, ev_rec_add of
 * a member the line has, at any depth, array elements included) and to
 * added members are kept beside the index and written in place: every
 * byte around them, spacing included, is copied from the line.  A
 * container holding a change loses the separator of a deleted member and
 * the earlier occurrences of a repeated key (jansson keeps the last).
 * Only a change made through ev_rec_root (ev_rec_touch), or through the
 * tree of an ev_rec_eager record, re-serialises the whole record.
 *
 * Ownership: the record borrows the line's bytes until ev_rec_clear or the
 * next ev_rec_parse (copy them if they must outlive the reader's buffer).
 * ev_rec_root and getters return borrowed references owned by the record.
 * ev_rec_add/ev_rec_set steal the value passed.
 */
#ifndef EV_REC_H
#define EV_REC_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "ev_buf.h"
#include "ev_json.h"	/* ev_json_write, for the record layer's users */
#include "ev_path.h"
#include "ev_time.h"

struct ev_rec {
	const char	*raw;		/* original bytes (borrowed) */
	size_t		 rawlen;
	json_t		*root;		/* full document once built (owned) */
	json_t		*added;		/* new top-level members, in order */
	int		 dirty;		/* modified in place: re-serialise */
	char		 err[256];	/* parse error text */
	size_t		 err_pos;	/* byte offset of the parse error */
	/* The lazy index (private to ev_rec.c). */
	int		 eager;		/* always build the tree (ev_rec_eager) */
	int		 lazy;		/* tokens valid, root not built */
	int		 ntok;
	int		 ndecoded;	/* tokval entries set */
	int		 nstr;		/* tokstr entries set */
	int		 escapes;	/* the line has a backslash */
	int		 dups;		/* 0 unknown, 1 no, 2 maybe repeated keys */
	size_t		 captok;
	void		*tok;		/* jsmntok_t[captok], one block with: */
	json_t		**tokval;	/* decoded values by token (owned) */
	size_t		*tokstr;	/* string copies in arena, offset + 1 */
	struct ev_buf	 arena;		/* NUL-terminated string copies */
	/* Values replaced (or deleted: NULL) in place, by token. */
	int		 nedit;
	int		 capedit;
	int		*edit_tok;	/* owned, capedit of them */
	json_t		**edit_val;	/* owned, capedit of them */
	/*
	 * The key tokens of the top-level object and of the last nested
	 * object looked into, found once a line (private to ev_rec.c).
	 */
	int		*topkey;	/* owned, captop of them */
	int		 ntop;		/* their number + 1; 0 until found */
	size_t		 captop;
	int		*nestkey;	/* owned, capnest of them */
	int		 nnest;		/* their number + 1; 0 until found */
	int		 nestobj;	/* the object they belong to */
	size_t		 capnest;
	/* Members added as JSON text (ev_rec_add_raw), private to ev_rec.c. */
	struct ev_buf	 rawadd;
	int		 nraw;
};

void	ev_rec_init(struct ev_rec *r);
/*
 * For a program that needs every line's whole tree (schema validation):
 * ev_rec_parse then goes straight to jansson, without the index.
 */
void	ev_rec_eager(struct ev_rec *r);
/* Release everything; ev_rec_parse reuses the memory of the last line. */
void	ev_rec_clear(struct ev_rec *r);
/*
 * Parse one JSON value (any type; integers beyond 64 bits are kept as
 * reals).  Returns 0, or -1 with r->err and r->err_pos set.
 */
int	ev_rec_parse(struct ev_rec *r, const char *line, size_t len);
/* The whole document (built on first use; borrowed). */
json_t	*ev_rec_root(const struct ev_rec *r);
/* Whether the record is a JSON object (cheap). */
int	ev_rec_is_object(const struct ev_rec *r);
/* Whether the object has a top-level member key (original or added). */
int	ev_rec_has(const struct ev_rec *r, const char *key);
/*
 * Field by path: borrowed, NULL when absent (or the record is no object).
 * Getters take a const record but may decode and cache on first use.
 */
json_t	*ev_rec_get(const struct ev_rec *r, const struct ev_path *p);
/* Typed getters: 0 on success, -1 absent, -2 wrong type. */
int	ev_rec_str(const struct ev_rec *r, const struct ev_path *p,
	    const char **s, size_t *len);
int	ev_rec_num(const struct ev_rec *r, const struct ev_path *p, double *v);
int	ev_rec_int(const struct ev_rec *r, const struct ev_path *p, int64_t *v);
int	ev_rec_time(const struct ev_rec *r, const struct ev_path *p, ev_us_t *t);
/*
 * Direct access to the top-level members of a lazily indexed object, for
 * programs that walk every member of every record (ev-report).  Values are
 * handles (>= 0), valid until the next parse.  ev_rec_lazy says whether the
 * record can be read this way (else use ev_rec_root).  Duplicate keys are
 * seen once, at their last occurrence, with jansson's value.
 */
int	ev_rec_lazy(const struct ev_rec *r);
/* The handle of member key, or -1. */
int	ev_rec_member(const struct ev_rec *r, const char *key);
/* Next member from *it (start at 0): 1 with key and handle, 0 at the end. */
int	ev_rec_next(const struct ev_rec *r, int *it, const char **key,
	    int *val);
/* 's'tring, 'n'umber, 'o'bject, 'a'rray, 't'rue, 'f'alse or 'z' null. */
int	ev_rec_kind(const struct ev_rec *r, int val);
const char *ev_rec_val_str(const struct ev_rec *r, int val, size_t *len);
double	ev_rec_val_num(const struct ev_rec *r, int val);
json_t	*ev_rec_val_json(const struct ev_rec *r, int val);	/* borrowed */
/*
 * The handle of member key of the object with handle obj (the last of a
 * repeated key, as in jansson), or -1: nested members read by handle.
 */
int	ev_rec_val_member(const struct ev_rec *r, int obj, const char *key);
/*
 * Add or replace a top-level member (steals val).  When the original has no
 * member of that name the output splices it in without re-serialising.
 */
void	ev_rec_add(struct ev_rec *r, const char *key, json_t *val);
/*
 * ev_rec_add of a value given as its JSON text in evkit's output form
 * (ev_json_write's: compact, keys in order), copied: the text is spliced
 * into the output as it is, and parsed only if the member is read, changed
 * or the whole tree is asked for.  text must be valid JSON.
 */
void	ev_rec_add_raw(struct ev_rec *r, const char *key, const char *text,
	    size_t len);
/* Set or delete at any depth (steals val); marks the record dirty. */
int	ev_rec_set(struct ev_rec *r, const struct ev_path *p, json_t *val);
int	ev_rec_del(struct ev_rec *r, const struct ev_path *p);
/*
 * The JSON text of the value at p as the line spells it (a number's digits
 * and exponent, a string's quotes and escapes): 0 with *s and *len
 * borrowed from the line; -1 when absent, or when the value is not the
 * line's own (changed, inside an added member, or the tree was changed).
 */
int	ev_rec_text(const struct ev_rec *r, const struct ev_path *p,
	    const char **s, size_t *len);
/* Mark modified through ev_rec_root so the record is re-serialised. */
void	ev_rec_touch(struct ev_rec *r);
int	ev_rec_changed(const struct ev_rec *r);
/* Append the record's output form (no newline) to b. */
void	ev_rec_write(struct ev_rec *r, struct ev_buf *b);

/*
 * Handles: the index read value by value, for checks that walk a record
 * without building its tree (ev_schema_check_rec).  A handle is a value's
 * place in the index (the whole record is handle 0); handles and the
 * strings returned are valid until the next parse.  Keys are handles too
 * (of strings).  The tokens are jsmn's (start, end, size, type), whoever
 * produces them.
 *
 * Whether the record's own index may be read by handle: a lazily indexed
 * record (any JSON value) that nothing has changed or added to.
 */
int	ev_rec_h_ok(const struct ev_rec *r);
/* Members of an object or items of an array as written (repeats counted). */
int	ev_rec_h_size(const struct ev_rec *r, int h);
/*
 * The next child of object or array h after *it (start at 0): 1 with *val
 * and, for an object, *key the key's handle (-1 for an array); 0 at the
 * end.  Every member is seen, a repeated key at each of its places.
 */
int	ev_rec_h_next(const struct ev_rec *r, int h, int *it, int *key,
	    int *val);
/*
 * Whether key handle k of object h comes again later in h: jansson keeps
 * only the last, so the earlier member is not part of the value.
 */
int	ev_rec_h_repeated(const struct ev_rec *r, int h, int k);
/* Whether object h repeats a key. */
int	ev_rec_h_dups(const struct ev_rec *r, int h);
/* The value handle of member key (len bytes) of object h, the last one; -1. */
int	ev_rec_h_member(const struct ev_rec *r, int h, const char *key,
	    size_t len);
/*
 * A string handle's value: borrowed from the line when it has no escape
 * (not NUL-terminated then), else decoded (NUL-terminated); *len bytes.
 */
const char *ev_rec_h_str(const struct ev_rec *r, int h, size_t *len);
/* A value's JSON text as the line spells it (a string with its quotes). */
const char *ev_rec_h_text(const struct ev_rec *r, int h, size_t *len);
/*
 * Whether the line holds an integer beyond 64 bits: jansson then reads
 * every integer of the line as a real (see load in ev_rec.c).
 */
int	ev_rec_h_bigint(const struct ev_rec *r);

/*
 * The canonical text of an object record, as the fingerprint hashes it:
 * what jansson's json_dumps writes for ev_rec_root with JSON_COMPACT |
 * JSON_SORT_KEYS | JSON_ENSURE_ASCII (keys in byte order, the last of a
 * repeated key, non-ASCII as upper-case \uXXXX, integers as written but
 * "-0" as 0, reals as "%.17g"), without the top-level members named in
 * skip (nskip of them) and the values at the paths excl (at most
 * EV_REC_CANON_MAX_EXCL), read from the index without building a tree.
 * Appended to b: 0; or -1, b untouched, when the index cannot say it (no
 * lazy index, the tree changed, a member added under a name not in skip,
 * a path through an array index or into a changed value): then build it
 * from ev_rec_root.
 */
#define EV_REC_CANON_MAX_EXCL	64
int	ev_rec_canon(const struct ev_rec *r, const char *const *skip,
	    size_t nskip, struct ev_path *const *excl, size_t nexcl,
	    struct ev_buf *b);

#endif /* EV_REC_H */
