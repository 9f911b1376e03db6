/*
 * test_expr.c - unit tests of ev_expr: values, null and three-valued
 * logic, type errors naming the field, parse errors naming the column.
 * Every case is evaluated on the record read three ways (by handle from
 * the lazy index, from the tree of an eager record, and through
 * ev_rec_get after a member was added), which must agree.
 */
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_expr.h"
#include "ev_rec.h"

#include "check.h"

static const char rec_text[] =
    "{\"event\":\"purchase\",\"ts\":\"2026-03-02T23:15:04.5Z\","
    "\"user\":\"Ann \\u00e9\\\"x\\\"\",\"n\":null,\"t\":true,"
    "\"properties\":{\"amount\":12.5,\"qty\":3,\"cur\":\"EUR\","
    "\"big\":9007199254740993,\"neg\":-7,\"s\":\"abc\",\"zero\":0},"
    "\"items\":[{\"sku\":\"a\"},{\"sku\":\"b\"}],\"we\":\"h\\u00e9llo w\\u00f6rld\","
    "\"k.dot\":1,\"and\":\"kw\"}";

/* Evaluate text on rec; the JSON text of the value, or "!" + the error. */
static char *
run(const char *text, struct ev_rec *rec, const struct ev_path *tp)
{
	char err[256];
	struct ev_expr *x = ev_expr_compile(text, 0, tp, err, sizeof(err));
	struct ev_expr_val v;
	struct ev_buf b = EV_BUF_INIT;

	if (x == NULL) {
		ev_buf_printf(&b, "?%s", err);
		return ev_buf_detach(&b, NULL);
	}
	if (ev_expr_eval(x, rec, &v) != 0)
		ev_buf_printf(&b, "!%s|%s", ev_expr_error(x),
		    ev_expr_error_path(x));
	else
		ev_expr_write(x, rec, &v, &b);
	ev_expr_free(x);
	if (b.data == NULL)
		ev_buf_adds(&b, "");
	return ev_buf_detach(&b, NULL);
}

static void
test_values(void)
{
	static const struct {
		const char	*expr, *want;
	} t[] = {
		/* Literals and paths. */
		{ "1", "1" }, { "2.5e3", "2500" }, { "\"a\\u00e9\"", "\"a\xc3\xa9\"" },
		{ "true", "true" }, { "null", "null" },
		{ "event", "\"purchase\"" },
		{ "properties.amount", "12.5" },
		{ "items.1.sku", "\"b\"" }, { "items.2.sku", "null" },
		{ "user", "\"Ann \xc3\xa9\\\"x\\\"\"" },
		{ "`k.dot`", "1" }, { "`and`", "\"kw\"" },
		{ "properties.big", "9007199254740992" },
		{ "items.0", "{\"sku\":\"a\"}" },
		{ "nope.deeper", "null" },
		/* Arithmetic, exact integers, precedence. */
		{ "properties.amount * properties.qty", "37.5" },
		{ "1 + 2 * 3 - 4 / 2", "5" }, { "(1 + 2) * 3", "9" },
		{ "-properties.neg", "7" }, { "7 % 3", "1" }, { "-7 % 3", "-1" },
		{ "4503599627370496 * 2 - 1", "9007199254740991" },
		{ "0.1 + 0.2", "0.30000000000000004" },
		{ "\"a\" + \"b\" + event", "\"abpurchase\"" },
		{ "n + 1", "null" }, { "missing * 2", "null" },
		/* Comparisons and three-valued logic. */
		{ "properties.amount > 10", "true" },
		{ "event == \"purchase\"", "true" }, { "event != \"x\"", "true" },
		{ "event == 1", "false" }, { "t == true", "true" },
		{ "\"abc\" < \"abd\"", "true" }, { "\"ab\" < \"abc\"", "true" },
		{ "n == null", "null" }, { "n != 1", "null" },
		{ "missing > 1 and false", "false" },
		{ "missing > 1 and true", "null" },
		{ "missing > 1 or true", "true" },
		{ "missing > 1 or false", "null" },
		{ "not (missing > 1)", "null" }, { "not t", "false" },
		{ "false and 1", "false" }, { "true or \"x\" * 2", "true" },
		{ "event in [\"view\", \"purchase\"]", "true" },
		{ "event in [\"view\"]", "false" },
		{ "event in [\"view\", null]", "null" },
		{ "event not in [\"view\"]", "true" },
		{ "missing in [1]", "null" }, { "3 in [1, 1 + 2]", "true" },
		/* Functions. */
		{ "exists(n)", "true" }, { "exists(missing)", "false" },
		{ "exists(items.1.sku)", "true" },
		{ "is_null(n)", "true" }, { "is_null(missing)", "true" },
		{ "is_null(event)", "false" },
		{ "if(properties.qty > 2, \"many\", \"few\")", "\"many\"" },
		{ "if(missing > 2, 1, 2)", "2" },
		{ "coalesce(missing, n, properties.cur, 1)", "\"EUR\"" },
		{ "coalesce(missing, n)", "null" },
		{ "lower(user)", "\"ann \xc3\xa9\\\"x\\\"\"" },
		{ "upper(properties.cur + \"x\")", "\"EURX\"" },
		{ "starts_with(event, \"pur\")", "true" },
		{ "ends_with(event, \"chase\")", "true" },
		{ "contains(event, \"rch\")", "true" },
		{ "contains(event, \"\")", "true" },
		{ "length(we)", "11" }, { "length(items)", "2" },
		{ "length(properties)", "7" },
		{ "substr(we, 1, 4)", "\"\xc3\xa9llo\"" },
		{ "substr(we, 6)", "\"w\xc3\xb6rld\"" },
		{ "substr(we, 20, 2)", "\"\"" },
		{ "substr(upper(event), 1, 2)", "\"UR\"" },
		{ "match(we, \"^h.llo\")", "true" },
		{ "match(event, \"^view$\")", "false" },
		{ "abs(properties.neg)", "7" }, { "floor(-2.5)", "-3" },
		{ "ceil(2.1)", "3" }, { "round(2.5)", "3" }, { "round(-2.5)", "-3" },
		{ "round(2.345, 2)", "2.35" }, { "round(1234, -2)", "1200" },
		{ "log(1)", "0" }, { "min(3, 1, 2)", "1" }, { "max(3, 1, 2)", "3" },
		{ "max(1, missing)", "null" },
		{ "time()", "1772493304.5" },
		{ "hour(ts)", "23" }, { "hour(ts, \"Europe/Berlin\")", "0" },
		{ "hour(1772493304)", "23" }, { "hour(1772493304500)", "23" },
		{ "weekday(ts)", "\"Monday\"" },
		{ "weekday(ts, \"Asia/Tokyo\")", "\"Tuesday\"" },
		{ "date(ts, \"America/Los_Angeles\")", "\"2026-03-02\"" },
		{ "hour(missing)", "null" },
		/* Errors of the record, naming the field or the column. */
		{ "properties.s * 2", "!properties.s: '*' needs numbers, got a "
		    "string|/properties/s" },
		{ "2 * properties.s", "!properties.s: '*' needs numbers, got a "
		    "string|/properties/s" },
		{ "\"abc\" * 2", "!'*' needs numbers, got a string at column 1|" },
		{ "event + 1", "!event: '+' needs two numbers or two strings, got a "
		    "string and a number|/event" },
		{ "1 / properties.zero", "!properties.zero: division by zero|"
		    "/properties/zero" },
		{ "1 % 0", "!division by zero at column 5|" },
		{ "event < 1", "!event: '<' needs two numbers or two strings, got "
		    "a string and a number|/event" },
		{ "\"a\" < 1", "!'<' needs two numbers or two strings, got a "
		    "string and a number at column 7|" },
		{ "items == 1", "!items: cannot compare an array|/items" },
		{ "event and true", "!event: and needs true or false, got a "
		    "string|/event" },
		{ "log(0)", "!log needs a number above zero at column 5|" },
		{ "1e308 * 10", "!the result is not a finite number at column 7|" },
		{ "lower(properties.qty)", "!properties.qty: lower needs a string, "
		    "got a number|/properties/qty" },
		{ "substr(event, 1.5)", "!substr needs a whole number not below "
		    "zero at column 15|" },
		{ "hour(event)", "!event: hour needs an RFC 3339 time|/event" },
		{ "length(1)", "!length needs a string, array or object, got a "
		    "number at column 8|" },
		/* Parse errors. */
		{ "a +", "?expected a value at column 4" },
		{ "(a", "?expected ')' at column 3" },
		{ "nosuch(1)", "?unknown function 'nosuch' at column 1" },
		{ "if(1, 2)", "?if takes 3 arguments at column 1" },
		{ "a = 1", "?'=' compares nothing: write '==' at column 3" },
		{ "a ! b", "?unexpected '!' at column 3" },
		{ "\"abc", "?unterminated string at column 1" },
		{ "`abc", "?unterminated `name` at column 1" },
		{ "hour(ts, zone)", "?the time zone must be a name in quotes at "
		    "column 1" },
		{ "", "?expected a value at column 1" },
		{ "a.", "?expected a field name at column 3" },
		{ "1 2", "?unexpected '2' at column 3" },
		{ "a not b", "?expected 'in' at column 7" },
	};
	const char *es;
	struct ev_path *tp = ev_path_compile("ts", &es), *extra;
	struct ev_rec lazy, eager, added;
	char *g1, *g2, *g3;
	size_t i;

	extra = ev_path_compile("added", &es);
	ev_rec_init(&lazy);
	ev_rec_init(&eager);
	ev_rec_init(&added);
	ev_rec_eager(&eager);
	CHECK(ev_rec_parse(&lazy, rec_text, strlen(rec_text)) == 0);
	CHECK(ev_rec_parse(&eager, rec_text, strlen(rec_text)) == 0);
	CHECK(ev_rec_parse(&added, rec_text, strlen(rec_text)) == 0);
	ev_rec_add_raw(&added, "added", "1", 1);
	CHECK(ev_rec_h_ok(&lazy) && !ev_rec_h_ok(&added) &&
	    !ev_rec_h_ok(&eager));
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		g1 = run(t[i].expr, &lazy, tp);
		g2 = run(t[i].expr, &eager, tp);
		g3 = run(t[i].expr, &added, tp);
		CHECKF(strcmp(g1, t[i].want) == 0, "%s: got %s, want %s",
		    t[i].expr, g1, t[i].want);
		CHECKF(strcmp(g1, g2) == 0 && strcmp(g1, g3) == 0,
		    "%s: lazy %s, eager %s, after an add %s", t[i].expr, g1,
		    g2, g3);
		free(g1);
		free(g2);
		free(g3);
	}
	g1 = run("added + 1", &added, tp);
	CHECK(strcmp(g1, "2") == 0);
	free(g1);
	ev_rec_clear(&lazy);
	ev_rec_clear(&eager);
	ev_rec_clear(&added);
	ev_path_free(tp);
	ev_path_free(extra);
}

static void
test_set_and_test(void)
{
	char err[256];
	struct ev_path *target;
	struct ev_expr *x;
	struct ev_rec r;
	const char *es;
	struct ev_path *tp = ev_path_compile("ts", &es);

	/* The column counts from the start of the whole --set text. */
	x = ev_expr_compile_set("x = a +", tp, &target, err, sizeof(err));
	CHECK(x == NULL && target == NULL);
	CHECKF(strcmp(err, "expected a value at column 8") == 0, "%s", err);
	x = ev_expr_compile_set("x == 1", tp, &target, err, sizeof(err));
	CHECKF(x == NULL && strcmp(err, "expected '=' at column 3") == 0,
	    "%s", err);
	x = ev_expr_compile_set("a.`b c` = 1 + 1", tp, &target, err,
	    sizeof(err));
	CHECK(x != NULL && target != NULL && target->nseg == 2 &&
	    strcmp(target->seg[1].key, "b c") == 0);
	ev_expr_free(x);
	ev_path_free(target);
	/* Columns of a --where given after a prefix. */
	x = ev_expr_compile("a +", 10, tp, err, sizeof(err));
	CHECKF(x == NULL && strcmp(err, "expected a value at column 14") ==
	    0, "%s", err);

	ev_rec_init(&r);
	CHECK(ev_rec_parse(&r, "{\"a\":1}", 7) == 0);
	x = ev_expr_compile("a > 0", 0, tp, err, sizeof(err));
	CHECK(ev_expr_test(x, &r) == 1);
	ev_expr_free(x);
	x = ev_expr_compile("b > 0", 0, tp, err, sizeof(err));
	CHECK(ev_expr_test(x, &r) == 0);	/* null: not kept */
	ev_expr_free(x);
	x = ev_expr_compile("a + 1", 0, tp, err, sizeof(err));
	CHECK(ev_expr_test(x, &r) == -1);
	CHECKF(strcmp(ev_expr_error(x), "the condition is a number, not "
	    "true or false") == 0, "%s", ev_expr_error(x));
	ev_expr_free(x);
	/* A time field that is no time is an error naming it. */
	CHECK(ev_rec_parse(&r, "{\"ts\":\"soon\"}", 13) == 0);
	x = ev_expr_compile("time() > 0", 0, tp, err, sizeof(err));
	CHECK(ev_expr_test(x, &r) == -1);
	CHECK(strcmp(ev_expr_error_path(x), "/ts") == 0);
	ev_expr_free(x);
	ev_rec_clear(&r);
	ev_path_free(tp);
}

/* Deep nesting is refused when compiled, never overflowing the stack. */
static void
test_depth(void)
{
	struct ev_buf b = EV_BUF_INIT;
	char err[256];
	struct ev_expr *x;
	int i;

	for (i = 0; i < 5000; i++)
		ev_buf_adds(&b, "1 + ");
	ev_buf_adds(&b, "1");
	x = ev_expr_compile(b.data, 0, NULL, err, sizeof(err));
	CHECK(x == NULL && strstr(err, "nested too deeply") != NULL);
	ev_buf_reset(&b);
	for (i = 0; i < 5000; i++)
		ev_buf_adds(&b, "(");
	x = ev_expr_compile(b.data, 0, NULL, err, sizeof(err));
	CHECK(x == NULL);
	ev_buf_reset(&b);
	for (i = 0; i < 100; i++)
		ev_buf_adds(&b, "1 + ");
	ev_buf_adds(&b, "1");
	x = ev_expr_compile(b.data, 0, NULL, err, sizeof(err));
	CHECK(x != NULL);
	ev_expr_free(x);
	ev_buf_free(&b);
}

int
main(void)
{
	test_values();
	test_set_and_test();
	test_depth();
	printf("test_expr: %d checks, %d failures\n", checks, failures);
	return failures > 0;
}
