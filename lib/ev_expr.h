/*
 * ev_expr.h - evkit's one expression language (--where, ev-enrich --set),
 * documented for users in evkit(7).  An expression is compiled once into a
 * flat array of nodes and evaluated against the record layer: field paths
 * are looked up by handle in the record's index (or, for a record already
 * changed, through ev_rec_get), strings are slices of the line's bytes, and
 * no tree is built per record.
 *
 * Values: null (a JSON null and a missing field alike), bool, number (a
 * double: integers exact up to 2^53), string, and object/array (only
 * passed through, tested with exists/is_null or measured with length).
 * Null follows SQL's three-valued logic: an operator or function of a null
 * is null (a comparison too), "and"/"or" are Kleene's, and a condition
 * holds only when it is true.  exists, is_null, if and coalesce are the
 * ways to look at null.  A value of the wrong type (a string times two, a
 * division by zero, a result that is no finite number) is an error of that
 * record, never a null: ev_expr_eval fails with a message naming the field
 * path that held the value.
 *
 * Ownership: ev_expr_compile returns a new expression (ev_expr_free) that
 * borrows time_path for its whole life.  Values returned by ev_expr_eval
 * borrow from the record and from the expression; they are valid until the
 * next evaluation or the record's next parse.  Error texts are owned by the
 * expression.
 */
#ifndef EV_EXPR_H
#define EV_EXPR_H

#include <stddef.h>
#include <jansson.h>

#include "ev_buf.h"
#include "ev_path.h"
#include "ev_rec.h"

/*
 * The language in brief, for the --help of every program that takes an
 * expression (after EV_RUN_HELP); evkit(7) EXPRESSIONS is the whole of it.
 */
#define EV_EXPR_HELP \
"\n" \
"EXPR, the expression language (evkit(7), EXPRESSIONS):\n" \
"  values     field paths (properties.amount, items.0, `user-agent`),\n" \
"             numbers, \"strings\", true, false, null\n" \
"  operators  from tightest: unary -; * / %; + -; == != < <= > >=,\n" \
"             in [..], not in [..]; not; and; or\n" \
"  null       a missing field is null; an operation on null is null (SQL's\n" \
"             three-valued logic); --where keeps a record only when true\n" \
"  errors     a wrong type or a division by zero rejects the record\n" \
"  functions  exists(path) is_null(x) if(c,a,b) coalesce(x,...)\n" \
"             lower upper length starts_with ends_with contains\n" \
"             substr(s,start[,len]) match(s,\"pcre2\") abs floor ceil log\n" \
"             round(x[,digits]) min max time() hour(t[,zone])\n" \
"             weekday(t[,zone]) date(t[,zone])\n" \
"  e.g.       'event == \"purchase\" and properties.amount > 0'\n" \
"             'coalesce(context.platform, \"unknown\") in [\"ios\", \"android\"]'\n" \
"             'hour(time(), \"Europe/Berlin\") >= 9'\n"

enum ev_expr_type {
	EV_EXPR_NULL,
	EV_EXPR_BOOL,
	EV_EXPR_NUM,
	EV_EXPR_STR,
	EV_EXPR_JSON		/* an object or array of the record */
};

struct ev_expr_val {
	enum ev_expr_type type;
	int		 b;		/* EV_EXPR_BOOL */
	double		 n;		/* EV_EXPR_NUM */
	const char	*s;		/* EV_EXPR_STR: borrowed, or NULL when */
	size_t		 off;		/* the text is in the scratch at off */
	size_t		 len;
	int		 h;		/* EV_EXPR_JSON: a handle, or -1 and */
	json_t		*j;		/* a borrowed value */
};

struct ev_expr;

/*
 * Compile text.  time_path (borrowed) is the field time() reads.  NULL on
 * a syntax error, with err holding e.g. "expected a value at column 8";
 * columns count from 1 at the first byte of text plus col0.
 */
struct ev_expr	*ev_expr_compile(const char *text, int col0,
		    const struct ev_path *time_path, char *err, size_t errlen);
/*
 * Compile an assignment "path = EXPR" (ev-enrich --set): the target path
 * (dotted; a new path, ev_path_free) into *target.  Columns as above.
 */
struct ev_expr	*ev_expr_compile_set(const char *text,
		    const struct ev_path *time_path, struct ev_path **target,
		    char *err, size_t errlen);
void		 ev_expr_free(struct ev_expr *x);
/* The text the expression was compiled from (borrowed). */
const char	*ev_expr_text(const struct ev_expr *x);
/*
 * Evaluate on rec: 0 with *v, or -1 on an error of this record
 * (ev_expr_error, ev_expr_error_path).
 */
int		 ev_expr_eval(struct ev_expr *x, const struct ev_rec *rec,
		    struct ev_expr_val *v);
/*
 * A condition on rec (--where): 1 when true, 0 when false or null, -1 on
 * an error (a result that is neither bool nor null is one).
 */
int		 ev_expr_test(struct ev_expr *x, const struct ev_rec *rec);
/* The text of a string value (*len bytes, not NUL-terminated). */
const char	*ev_expr_str(const struct ev_expr *x,
		    const struct ev_expr_val *v, size_t *len);
/* Append v as JSON text in evkit's output form to b. */
void		 ev_expr_write(const struct ev_expr *x, const struct ev_rec *rec,
		    const struct ev_expr_val *v, struct ev_buf *b);
/* The last evaluation error: a message, and the JSON Pointer of the field
 * that held the bad value ("" when no field is to blame). */
const char	*ev_expr_error(const struct ev_expr *x);
const char	*ev_expr_error_path(const struct ev_expr *x);
/*
 * The errors member of a reject for the last error: [{"instance": path,
 * "message": "<opt> '<text>': <error>"}] (new reference).
 */
json_t		*ev_expr_reject(const struct ev_expr *x, const char *opt);

#endif /* EV_EXPR_H */
