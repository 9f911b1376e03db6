/*
 * test_common.c - lib/ev_common: checked number parsing.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ev_common.h"

#include "check.h"

static void
test_numbers(void)
{
	const char *err;
	double d;

	CHECK(ev_strtonum("42", 0, 100, &err) == 42 && err == NULL);
	ev_strtonum("101", 0, 100, &err);
	CHECK(err && strcmp(err, "too large") == 0);
	ev_strtonum("4x", 0, 100, &err);
	CHECK(err && strcmp(err, "invalid") == 0);
	CHECK(ev_strtod("0.25", &d) == 0 && d == 0.25);
	CHECK(ev_strtod("nan", &d) == -1);
	CHECK(ev_strtod("1e999", &d) == -1);
}

int
main(void)
{
	test_numbers();
	printf("test_common: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
