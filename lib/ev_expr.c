/*
 * ev_expr.c - the expression language's lexer and recursive-descent
 * parser, which compile an expression into the flat array of nodes of
 * ev_expr_int.h; ev_expr_eval.c evaluates it.  The grammar and the rules
 * for null and types are in evkit(7); ev_expr.h sums them up.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_expr_int.h"

static const struct fninfo {
	const char	*name;
	enum fn		 id;
	int		 min, max;
} fns[] = {
	{ "abs", F_ABS, 1, 1 },
	{ "ceil", F_CEIL, 1, 1 },
	{ "coalesce", F_COALESCE, 1, MAXARGS },
	{ "contains", F_CONTAINS, 2, 2 },
	{ "date", F_DATE, 1, 2 },
	{ "ends_with", F_ENDS, 2, 2 },
	{ "exists", F_EXISTS, 1, 1 },
	{ "floor", F_FLOOR, 1, 1 },
	{ "hour", F_HOUR, 1, 2 },
	{ "if", F_IF, 3, 3 },
	{ "is_null", F_IS_NULL, 1, 1 },
	{ "length", F_LENGTH, 1, 1 },
	{ "log", F_LOG, 1, 1 },
	{ "lower", F_LOWER, 1, 1 },
	{ "match", F_MATCH, 2, 2 },
	{ "max", F_MAX, 1, MAXARGS },
	{ "min", F_MIN, 1, MAXARGS },
	{ "round", F_ROUND, 1, 2 },
	{ "starts_with", F_STARTS, 2, 2 },
	{ "substr", F_SUBSTR, 2, 3 },
	{ "time", F_TIME, 0, 0 },
	{ "upper", F_UPPER, 1, 1 },
	{ "weekday", F_WEEKDAY, 1, 2 },
};

/* Lexer tokens. */
enum tok {
	T_END, T_NUM, T_STR, T_PATH, T_OP, T_BAD
};

struct parser {
	struct ev_expr	*x;
	const char	*s;
	size_t		 len;
	size_t		 pos;		/* where the lexer goes on */
	int		 col0;
	/* The current token. */
	enum tok	 tok;
	size_t		 tpos, tend;
	char		 op[3];		/* T_OP text */
	double		 num;
	int		 plain;		/* T_PATH of one plain identifier */
	struct ev_buf	 ptr;		/* T_PATH as a JSON Pointer */
	struct ev_buf	 str;		/* T_STR decoded */
	char		*err;
	size_t		 errlen;
	int		 failed;
};

static int	perr(struct parser *p, size_t pos, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

static int
perr(struct parser *p, size_t pos, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (p->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ev_errf(p->err, p->errlen, "%s at column %zu", msg,
	    pos + 1 + (size_t)p->col0);
	p->failed = 1;
	return -1;
}

static int
is_ident0(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_ident(int c)
{
	return is_ident0(c) || is_digit(c);
}

/* One path segment at p->pos: an identifier, digits (not first) or `text`. */
static int
lex_seg(struct parser *p, int first)
{
	const char *s = p->s;
	size_t b = p->pos, e;

	if (s[b] == '`') {
		for (e = b + 1; e < p->len && s[e] != '`'; e++)
			;
		if (e >= p->len)
			return perr(p, b, "unterminated `name`");
		ev_path_add_segment(&p->ptr, s + b + 1, e - b - 1);
		p->plain = 0;
		p->pos = e + 1;
		return 0;
	}
	if (!is_ident0(s[b]) && (first || !is_digit(s[b])))
		return perr(p, b, "expected a field name");
	for (e = b; e < p->len && is_ident(s[e]); e++)
		;
	ev_path_add_segment(&p->ptr, s + b, e - b);
	p->pos = e;
	return 0;
}

static int
lex_string(struct parser *p)
{
	const char *s = p->s;
	size_t e;
	json_error_t je;
	json_t *v;

	for (e = p->pos + 1; e < p->len && s[e] != '"'; e++)
		if (s[e] == '\\' && e + 1 < p->len)
			e++;
	if (e >= p->len)
		return perr(p, p->pos, "unterminated string");
	v = json_loadb(s + p->pos, e + 1 - p->pos, JSON_DECODE_ANY |
	    JSON_ALLOW_NUL, &je);
	if (v == NULL || !json_is_string(v)) {
		json_decref(v);
		return perr(p, p->pos, "bad string");
	}
	ev_buf_reset(&p->str);
	ev_buf_add(&p->str, json_string_value(v), json_string_length(v));
	json_decref(v);
	p->pos = e + 1;
	return 0;
}

static int
lex_number(struct parser *p)
{
	const char *s = p->s;
	size_t e = p->pos;
	char *t;
	int r;

	while (e < p->len && is_digit(s[e]))
		e++;
	if (e < p->len && s[e] == '.') {
		e++;
		if (e >= p->len || !is_digit(s[e]))
			return perr(p, e, "expected a digit");
		while (e < p->len && is_digit(s[e]))
			e++;
	}
	if (e < p->len && (s[e] == 'e' || s[e] == 'E')) {
		e++;
		if (e < p->len && (s[e] == '+' || s[e] == '-'))
			e++;
		if (e >= p->len || !is_digit(s[e]))
			return perr(p, e, "expected a digit");
		while (e < p->len && is_digit(s[e]))
			e++;
	}
	if (e < p->len && is_ident(s[e]))
		return perr(p, e, "unexpected '%c'", s[e]);
	t = ev_xstrndup(s + p->pos, e - p->pos);
	r = ev_strtod(t, &p->num);
	free(t);
	if (r != 0)
		return perr(p, p->pos, "number out of range");
	p->pos = e;
	return 0;
}

/* Read the next token into p. */
static void
lex(struct parser *p)
{
	static const char *const ops2[] = { "==", "!=", "<=", ">=", NULL };
	const char *s = p->s;
	size_t i;
	int c;

	while (p->pos < p->len && (s[p->pos] == ' ' || s[p->pos] == '\t' ||
	    s[p->pos] == '\n' || s[p->pos] == '\r'))
		p->pos++;
	p->tpos = p->pos;
	if (p->failed) {
		p->tok = T_BAD;
		return;
	}
	if (p->pos >= p->len) {
		p->tok = T_END;
		p->tend = p->pos;
		return;
	}
	c = (unsigned char)s[p->pos];
	if (is_digit(c)) {
		p->tok = lex_number(p) == 0 ? T_NUM : T_BAD;
	} else if (c == '"') {
		p->tok = lex_string(p) == 0 ? T_STR : T_BAD;
	} else if (is_ident0(c) || c == '`') {
		ev_buf_reset(&p->ptr);
		p->plain = c != '`';
		p->tok = T_PATH;
		if (lex_seg(p, 1) != 0)
			p->tok = T_BAD;
		while (p->tok == T_PATH && p->pos < p->len &&
		    s[p->pos] == '.') {
			p->plain = 0;
			p->pos++;
			if (lex_seg(p, 0) != 0)
				p->tok = T_BAD;
		}
	} else {
		p->tok = T_OP;
		for (i = 0; ops2[i] != NULL; i++)
			if (p->pos + 1 < p->len &&
			    strncmp(s + p->pos, ops2[i], 2) == 0)
				break;
		if (ops2[i] != NULL) {
			memcpy(p->op, ops2[i], 3);
			p->pos += 2;
		} else if (strchr("+-*/%()[],<>=", c) != NULL) {
			p->op[0] = (char)c;
			p->op[1] = '\0';
			p->pos++;
		} else {
			if (c >= 0x20 && c < 0x7f)
				perr(p, p->pos, "unexpected '%c'", c);
			else
				perr(p, p->pos, "unexpected byte 0x%02x", c);
			p->tok = T_BAD;
		}
	}
	p->tend = p->pos;
}

static int
is_op(const struct parser *p, const char *op)
{
	return p->tok == T_OP && strcmp(p->op, op) == 0;
}

/* Whether the token is the bare word w (a keyword, not a path). */
static int
is_word(const struct parser *p, const char *w)
{
	size_t n = strlen(w);

	return p->tok == T_PATH && p->plain && p->tend - p->tpos == n &&
	    memcmp(p->s + p->tpos, w, n) == 0;
}

static int
new_node(struct parser *p, enum op op, size_t pos, const int *kids, int nk)
{
	struct ev_expr *x = p->x;
	struct node *n;
	int i, d = 0;

	for (i = 0; i < nk; i++)
		if (x->node[kids[i]].depth > d)
			d = x->node[kids[i]].depth;
	if (d + 1 > MAXDEPTH)
		return perr(p, pos, "expression nested too deeply");
	if (x->nnode == x->capnode) {
		x->capnode = x->capnode ? 2 * x->capnode : 16;
		x->node = ev_xreallocarray(x->node, (size_t)x->capnode,
		    sizeof(*x->node));
	}
	if (x->nkids + nk > x->capkids) {
		x->capkids = 2 * (x->nkids + nk) + 16;
		x->kids = ev_xreallocarray(x->kids, (size_t)x->capkids,
		    sizeof(*x->kids));
	}
	n = &x->node[x->nnode];
	memset(n, 0, sizeof(*n));
	n->op = op;
	n->col = (int)pos + 1 + p->col0;
	n->k0 = x->nkids;
	n->nk = nk;
	n->depth = d + 1;
	for (i = 0; i < nk; i++)
		x->kids[x->nkids++] = kids[i];
	return x->nnode++;
}

static int	parse_or(struct parser *p);


/* A literal string argument i of a function node, or NULL. */
static const struct node *
lit_arg(const struct ev_expr *x, int n, int i)
{
	const struct node *k = &x->node[kid(x, n, i)];

	return k->op == N_STR ? k : NULL;
}

/* What a function needs settled when it is compiled. */
static int
fn_setup(struct parser *p, int n, size_t pos)
{
	struct ev_expr *x = p->x;
	struct node *f = &x->node[n];
	const struct node *a;
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE eo;
	int ec;

	switch (f->fn) {
	case F_EXISTS:
		if (x->node[kid(x, n, 0)].op != N_PATH)
			return perr(p, pos, "exists needs a field path");
		break;
	case F_MATCH:
		if ((a = lit_arg(x, n, 1)) == NULL)
			return perr(p, pos, "match needs a pattern in quotes");
		f->re = pcre2_compile((PCRE2_SPTR)a->str, a->len, PCRE2_UTF,
		    &ec, &eo, NULL);
		if (f->re == NULL) {
			pcre2_get_error_message(ec, msg, sizeof(msg));
			return perr(p, pos, "bad pattern: %s",
			    (const char *)msg);
		}
		(void)pcre2_jit_compile(f->re, PCRE2_JIT_COMPLETE);
		f->md = pcre2_match_data_create_from_pattern(f->re, NULL);
		break;
	case F_HOUR:
	case F_WEEKDAY:
	case F_DATE:
		if (f->nk < 2) {
			f->tz = ev_tz_open("UTC");
			break;
		}
		if ((a = lit_arg(x, n, 1)) == NULL)
			return perr(p, pos, "the time zone must be a name in "
			    "quotes");
		if (strlen(a->str) != a->len ||
		    (f->tz = ev_tz_open(a->str)) == NULL)
			return perr(p, pos, "unknown time zone '%s'", a->str);
		break;
	default:
		break;
	}
	return 0;
}

static int
parse_call(struct parser *p, size_t pos, const char *name, size_t nlen)
{
	const struct fninfo *fi = NULL;
	int args[MAXARGS], na = 0, a, n;
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (strlen(fns[i].name) == nlen &&
		    memcmp(fns[i].name, name, nlen) == 0)
			fi = &fns[i];
	if (fi == NULL)
		return perr(p, pos, "unknown function '%.*s'", (int)nlen,
		    name);
	lex(p);		/* ( */
	lex(p);
	if (!is_op(p, ")")) {
		for (;;) {
			if (na == MAXARGS)
				return perr(p, p->tpos, "too many arguments");
			if ((a = parse_or(p)) < 0)
				return -1;
			args[na++] = a;
			if (!is_op(p, ","))
				break;
			lex(p);
		}
		if (!is_op(p, ")"))
			return perr(p, p->tpos, "expected ',' or ')'");
	}
	if (na < fi->min || na > fi->max) {
		if (fi->min == fi->max)
			return perr(p, pos, "%s takes %d argument%s", fi->name,
			    fi->min, fi->min == 1 ? "" : "s");
		return perr(p, pos, "%s takes %d to %d arguments", fi->name,
		    fi->min, fi->max);
	}
	lex(p);
	if ((n = new_node(p, N_FUNC, pos, args, na)) < 0)
		return -1;
	p->x->node[n].fn = fi->id;
	return fn_setup(p, n, pos) < 0 ? -1 : n;
}

static int
parse_primary(struct parser *p)
{
	struct ev_expr *x = p->x;
	const char *errstr;
	size_t pos = p->tpos, q;
	int n;

	switch (p->tok) {
	case T_NUM:
		if ((n = new_node(p, N_NUM, pos, NULL, 0)) >= 0)
			x->node[n].num = p->num;
		lex(p);
		return n;
	case T_STR:
		if ((n = new_node(p, N_STR, pos, NULL, 0)) < 0)
			return -1;
		x->node[n].len = p->str.len;
		x->node[n].str = ev_xmalloc(p->str.len + 1);
		memcpy(x->node[n].str, p->str.data, p->str.len + 1);
		lex(p);
		return n;
	case T_PATH:
		if (is_word(p, "true") || is_word(p, "false")) {
			if ((n = new_node(p, N_BOOL, pos, NULL, 0)) >= 0)
				x->node[n].num = is_word(p, "true");
			lex(p);
			return n;
		}
		if (is_word(p, "null")) {
			n = new_node(p, N_NULL, pos, NULL, 0);
			lex(p);
			return n;
		}
		if (is_word(p, "and") || is_word(p, "or") ||
		    is_word(p, "not") || is_word(p, "in"))
			break;
		for (q = p->pos; q < p->len && (p->s[q] == ' ' ||
		    p->s[q] == '\t'); q++)
			;
		if (p->plain && q < p->len && p->s[q] == '(')
			return parse_call(p, pos, p->s + pos, p->tend - pos);
		if ((n = new_node(p, N_PATH, pos, NULL, 0)) < 0)
			return -1;
		x->node[n].path = ev_path_compile(p->ptr.data, &errstr);
		x->node[n].str = ev_xstrndup(p->s + pos, p->tend - pos);
		x->node[n].len = p->tend - pos;
		if (x->node[n].path == NULL)
			return perr(p, pos, "bad field path: %s", errstr);
		lex(p);
		return n;
	case T_OP:
		if (is_op(p, "(")) {
			lex(p);
			if ((n = parse_or(p)) < 0)
				return -1;
			if (!is_op(p, ")"))
				return perr(p, p->tpos, "expected ')'");
			lex(p);
			return n;
		}
		break;
	case T_BAD:
		return -1;
	default:
		break;
	}
	return perr(p, pos, "expected a value");
}

static int
parse_unary(struct parser *p)
{
	size_t pos = p->tpos;
	int a;

	if (is_op(p, "-")) {
		lex(p);
		if ((a = parse_unary(p)) < 0)
			return -1;
		return new_node(p, N_NEG, pos, &a, 1);
	}
	return parse_primary(p);
}

/* One level of left-associative binary operators. */
static int
parse_binary(struct parser *p, int (*next)(struct parser *),
    const char *const *ops, const enum op *codes)
{
	int k[2], i;
	size_t pos;

	if ((k[0] = next(p)) < 0)
		return -1;
	for (;;) {
		for (i = 0; ops[i] != NULL; i++)
			if (is_op(p, ops[i]) || is_word(p, ops[i]))
				break;
		if (ops[i] == NULL)
			return k[0];
		pos = p->tpos;
		lex(p);
		if ((k[1] = next(p)) < 0)
			return -1;
		if ((k[0] = new_node(p, codes[i], pos, k, 2)) < 0)
			return -1;
	}
}

static int
parse_mul(struct parser *p)
{
	static const char *const ops[] = { "*", "/", "%", NULL };
	static const enum op codes[] = { N_MUL, N_DIV, N_MOD };

	return parse_binary(p, parse_unary, ops, codes);
}

static int
parse_add(struct parser *p)
{
	static const char *const ops[] = { "+", "-", NULL };
	static const enum op codes[] = { N_ADD, N_SUB };

	return parse_binary(p, parse_mul, ops, codes);
}

/* x [not] in [a, b, ...] */
static int
parse_in(struct parser *p, int left, enum op op, size_t pos)
{
	int k[MAXARGS + 1], nk = 1;

	k[0] = left;
	if (!is_op(p, "["))
		return perr(p, p->tpos, "expected '['");
	lex(p);
	if (!is_op(p, "]")) {
		for (;;) {
			if (nk == MAXARGS + 1)
				return perr(p, p->tpos, "too many items");
			if ((k[nk++] = parse_add(p)) < 0)
				return -1;
			if (!is_op(p, ","))
				break;
			lex(p);
		}
		if (!is_op(p, "]"))
			return perr(p, p->tpos, "expected ',' or ']'");
	}
	lex(p);
	return new_node(p, op, pos, k, nk);
}

static int
parse_cmp(struct parser *p)
{
	static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">",
	    NULL };
	static const enum op codes[] = { N_EQ, N_NE, N_LE, N_GE, N_LT, N_GT };
	int k[2], i;
	size_t pos;

	if ((k[0] = parse_add(p)) < 0)
		return -1;
	pos = p->tpos;
	if (is_word(p, "in")) {
		lex(p);
		return parse_in(p, k[0], N_IN, pos);
	}
	if (is_word(p, "not")) {
		lex(p);
		if (!is_word(p, "in"))
			return perr(p, p->tpos, "expected 'in'");
		lex(p);
		return parse_in(p, k[0], N_NOTIN, pos);
	}
	for (i = 0; ops[i] != NULL; i++)
		if (is_op(p, ops[i]))
			break;
	if (ops[i] == NULL) {
		if (is_op(p, "="))
			return perr(p, pos, "'=' compares nothing: write '=='");
		return k[0];
	}
	lex(p);
	if ((k[1] = parse_add(p)) < 0)
		return -1;
	return new_node(p, codes[i], pos, k, 2);
}

static int
parse_not(struct parser *p)
{
	size_t pos = p->tpos;
	int a;

	if (is_word(p, "not")) {
		lex(p);
		if ((a = parse_not(p)) < 0)
			return -1;
		return new_node(p, N_NOT, pos, &a, 1);
	}
	return parse_cmp(p);
}

static int
parse_and(struct parser *p)
{
	static const char *const ops[] = { "and", NULL };
	static const enum op codes[] = { N_AND };

	return parse_binary(p, parse_not, ops, codes);
}

static int
parse_or(struct parser *p)
{
	static const char *const ops[] = { "or", NULL };
	static const enum op codes[] = { N_OR };

	return parse_binary(p, parse_and, ops, codes);
}

static struct ev_expr *
compile(const char *text, size_t start, int col0,
    const struct ev_path *time_path, char *err, size_t errlen)
{
	struct ev_expr *x = ev_xcalloc(1, sizeof(*x));
	struct parser p;

	x->text = ev_xstrdup(text);
	x->time_path = time_path;
	memset(&p, 0, sizeof(p));
	p.x = x;
	p.s = x->text;
	p.len = strlen(text);
	p.pos = start;
	p.col0 = col0;
	p.err = err;
	p.errlen = errlen;
	lex(&p);
	x->root = parse_or(&p);
	if (x->root >= 0 && p.tok != T_END)
		perr(&p, p.tpos, "unexpected '%.*s'", (int)(p.tend - p.tpos >
		    20 ? 20 : p.tend - p.tpos), p.s + p.tpos);
	ev_buf_free(&p.ptr);
	ev_buf_free(&p.str);
	if (p.failed || x->root < 0) {
		if (!p.failed)
			ev_errf(err, errlen, "expected a value at column %d",
			    1 + col0);
		ev_expr_free(x);
		return NULL;
	}
	return x;
}

struct ev_expr *
ev_expr_compile(const char *text, int col0, const struct ev_path *time_path,
    char *err, size_t errlen)
{
	return compile(text, 0, col0, time_path, err, errlen);
}

struct ev_expr *
ev_expr_compile_set(const char *text, const struct ev_path *time_path,
    struct ev_path **target, char *err, size_t errlen)
{
	struct parser p;
	struct ev_expr *x;
	const char *errstr;

	*target = NULL;
	memset(&p, 0, sizeof(p));
	p.s = text;
	p.len = strlen(text);
	p.err = err;
	p.errlen = errlen;
	lex(&p);
	if (p.tok != T_PATH) {
		if (!p.failed)
			perr(&p, p.tpos, "expected a field name");
	} else if ((*target = ev_path_compile(p.ptr.data, &errstr)) == NULL)
		perr(&p, p.tpos, "bad field path: %s", errstr);
	else {
		lex(&p);
		if (!is_op(&p, "="))
			perr(&p, p.tpos, "expected '='");
	}
	ev_buf_free(&p.ptr);
	ev_buf_free(&p.str);
	if (p.failed ||
	    (x = compile(text, p.pos, 0, time_path, err, errlen)) == NULL) {
		ev_path_free(*target);
		*target = NULL;
		return NULL;
	}
	return x;
}

void
ev_expr_free(struct ev_expr *x)
{
	int i;

	if (x == NULL)
		return;
	for (i = 0; i < x->nnode; i++) {
		free(x->node[i].str);
		ev_path_free(x->node[i].path);
		pcre2_match_data_free(x->node[i].md);
		pcre2_code_free(x->node[i].re);
		ev_tz_free(x->node[i].tz);
	}
	free(x->node);
	free(x->kids);
	free(x->text);
	ev_buf_free(&x->scratch);
	ev_buf_free(&x->errpath);
	free(x);
}

const char *
ev_expr_text(const struct ev_expr *x)
{
	return x->text;
}
