/*
 * libFuzzer harness for the expression language: the first line of the
 * input is an expression (and, as "x = ...", a --set), the other lines
 * records.  Compiling must never crash and must fail with a column; an
 * expression that compiles is evaluated on each record read by handle
 * (lazy) and from jansson's tree (eager), which must agree: both an error
 * (with the same message), or values whose JSON text is valid and equal.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ev_buf.h"
#include "ev_expr.h"
#include "ev_rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The value or error of x on r, as text into b; 0 value, 1 error. */
static int
outcome(struct ev_expr *x, const struct ev_rec *r, struct ev_buf *b)
{
	struct ev_expr_val v;

	ev_buf_reset(b);
	if (ev_expr_eval(x, r, &v) != 0) {
		ev_buf_adds(b, ev_expr_error(x));
		return 1;
	}
	ev_expr_write(x, r, &v, b);
	return 0;
}

static json_t *
load(const struct ev_buf *b)
{
	json_t *j = json_loadb(b->data, b->len, JSON_DECODE_ANY |
	    JSON_ALLOW_NUL, NULL);

	if (j == NULL)
		abort();	/* a value written is always JSON */
	return j;
}

static void
check(struct ev_expr *x, const char *line, size_t n)
{
	struct ev_rec lazy, eager;
	struct ev_buf a = EV_BUF_INIT, b = EV_BUF_INIT;
	json_t *ja, *jb;
	int ea, eb;

	ev_rec_init(&lazy);
	ev_rec_init(&eager);
	ev_rec_eager(&eager);
	if (ev_rec_parse(&lazy, line, n) == 0 &&
	    ev_rec_parse(&eager, line, n) == 0) {
		ea = outcome(x, &lazy, &a);
		eb = outcome(x, &eager, &b);
		if (ea != eb)
			abort();
		if (ea && strcmp(a.data, b.data) != 0)
			abort();
		if (!ea) {
			ja = load(&a);
			jb = load(&b);
			if (!json_equal(ja, jb))
				abort();
			json_decref(ja);
			json_decref(jb);
		}
		if (ev_expr_test(x, &lazy) != ev_expr_test(x, &eager))
			abort();
	}
	ev_rec_clear(&lazy);
	ev_rec_clear(&eager);
	ev_buf_free(&a);
	ev_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *nl, *line, *next, err[256], *set;
	struct ev_path *target, *tp;
	struct ev_expr *x;
	const char *es;
	size_t n;

	memcpy(s, data, size);
	s[size] = '\0';
	nl = memchr(s, '\n', size);
	if (nl != NULL)
		*nl = '\0';
	tp = ev_path_compile("ts", &es);
	x = ev_expr_compile(s, 0, tp, err, sizeof(err));
	if (x == NULL && strstr(err, " at column ") == NULL)
		abort();
	/* The same text as a --set. */
	n = strlen(s);
	set = malloc(n + 5);
	memcpy(set, "x = ", 4);
	memcpy(set + 4, s, n + 1);
	ev_expr_free(ev_expr_compile_set(set, tp, &target, err, sizeof(err)));
	ev_path_free(target);
	free(set);
	for (line = nl != NULL ? nl + 1 : NULL; x != NULL && line != NULL &&
	    line < s + size; line = next) {
		next = memchr(line, '\n', (size_t)(s + size - line));
		n = next != NULL ? (size_t)(next - line) : (size_t)(s + size -
		    line);
		check(x, line, n);
		if (next != NULL)
			next++;
	}
	ev_expr_free(x);
	ev_path_free(tp);
	free(s);
	return 0;
}
