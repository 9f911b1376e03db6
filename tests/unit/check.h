/*
 * check.h - the one assertion of the C unit tests: CHECK(cond) counts the
 * check and, when cond is false, counts a failure and says where.
 * CHECKF(cond, fmt, ...) is the same check with a printf-style message
 * giving the figures compared.  Each test's main prints the counts and
 * exits 1 when failures > 0.
 */
#ifndef EV_TEST_CHECK_H
#define EV_TEST_CHECK_H

#include <stdio.h>

static int failures, checks;

#define CHECK(cond) do { \
	checks++; \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
		    __LINE__, #cond); \
	} \
} while (0)

#define CHECKF(cond, ...) do { \
	checks++; \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, \
		    __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
	} \
} while (0)

#endif /* EV_TEST_CHECK_H */
