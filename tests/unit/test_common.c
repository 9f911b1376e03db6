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

static void
test_argv0_words(void)
{
	static const char *const words[] = { "keep", "null", "reject", NULL };
	char path[] = "/work/build/ev-window", bare[] = "ev-gen", dir[] = "x/";
	char *argv[] = { path, NULL }, *argv2[] = { bare, NULL };
	char *argv3[] = { dir, NULL }, *none[] = { NULL };

	ev_set_argv0_base(argv);
	CHECK(strcmp(argv[0], "ev-window") == 0 && argv[0] == path + 12);
	ev_set_argv0_base(argv2);
	CHECK(argv2[0] == bare);
	ev_set_argv0_base(argv3);	/* no name after the slash: kept */
	CHECK(argv3[0] == dir);
	ev_set_argv0_base(none);
	CHECK(none[0] == NULL);
	CHECK(ev_word_index("keep", words) == 0);
	CHECK(ev_word_index("reject", words) == 2);
	CHECK(ev_word_index("rejec", words) == -1);
	CHECK(ev_word_index("", words) == -1);
}

int
main(void)
{
	test_numbers();
	test_argv0_words();
	printf("test_common: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
