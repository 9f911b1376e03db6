/*
 * ev_expr_int.h - what the two halves of the expression language share:
 * the compiled form (a flat array of nodes, children by index) that
 * ev_expr.c builds and ev_expr_eval.c walks.  Private to those two files.
 */
#ifndef EV_EXPR_INT_H
#define EV_EXPR_INT_H

#include <stddef.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "ev_buf.h"
#include "ev_expr.h"
#include "ev_path.h"
#include "ev_rec.h"
#include "ev_time.h"

/* Nesting deeper than this is refused, so evaluation stays in the stack. */
#define MAXDEPTH	200
#define MAXARGS		64

enum op {
	N_NUM, N_STR, N_BOOL, N_NULL, N_PATH,
	N_NEG, N_NOT, N_AND, N_OR,
	N_ADD, N_SUB, N_MUL, N_DIV, N_MOD,
	N_EQ, N_NE, N_LT, N_LE, N_GT, N_GE, N_IN, N_NOTIN,
	N_FUNC
};

enum fn {
	F_EXISTS, F_IS_NULL, F_IF, F_COALESCE,
	F_LOWER, F_UPPER, F_STARTS, F_ENDS, F_CONTAINS, F_LENGTH, F_SUBSTR,
	F_MATCH,
	F_ABS, F_ROUND, F_FLOOR, F_CEIL, F_LOG, F_MIN, F_MAX,
	F_TIME, F_HOUR, F_WEEKDAY, F_DATE
};

struct node {
	enum op		 op;
	enum fn		 fn;
	int		 col;		/* 1-based column in the option text */
	int		 k0, nk;	/* children: kids[k0 .. k0 + nk - 1] */
	int		 depth;
	double		 num;		/* N_NUM, N_BOOL */
	char		*str;		/* N_STR literal, N_PATH as written */
	size_t		 len;
	struct ev_path	*path;		/* N_PATH */
	pcre2_code	*re;		/* match */
	pcre2_match_data *md;
	struct ev_tz	*tz;		/* hour, weekday, date */
};

struct ev_expr {
	char		*text;
	const struct ev_path *time_path;
	struct node	*node;
	int		 nnode, capnode;
	int		*kids;
	int		 nkids, capkids;
	int		 root;
	/* per evaluation */
	const struct ev_rec *rec;
	struct ev_buf	 scratch;	/* strings made by the expression */
	char		 err[512];
	struct ev_buf	 errpath;
};

/* Child i of node n. */
static inline int
kid(const struct ev_expr *x, int n, int i)
{
	return x->kids[x->node[n].k0 + i];
}

#endif /* EV_EXPR_INT_H */
