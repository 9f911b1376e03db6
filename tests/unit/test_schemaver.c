/*
 * test_schemaver.c - unit tests of SchemaVer parsing, ordering and
 * bumps, and of the bump rule ev_evolve_required_part draws from changes.
 */
#include <stdio.h>
#include <string.h>

#include "ev_evolve.h"
#include "ev_schemaver.h"

#include "check.h"

static int
ok(const char *s)
{
	struct ev_schemaver v;

	return ev_schemaver_read(s, strlen(s), &v) == 0;
}

static void
test_parse(void)
{
	struct ev_schemaver v;
	char buf[64];

	CHECK(ok("1-0-0"));
	CHECK(ok("12-3-45"));
	CHECK(!ok("0-1-0"));		/* models start at 1 */
	CHECK(!ok("1-01-0"));		/* no leading zeros */
	CHECK(!ok("1-0"));
	CHECK(!ok("1-0-0-0"));
	CHECK(!ok("1.0.0"));
	CHECK(!ok("-1-0-0"));
	CHECK(!ok(""));
	CHECK(!ok("99999999999999999999-0-0"));
	CHECK(ev_schemaver_read("2-3-4", 5, &v) == 0 && v.model == 2 &&
	    v.revision == 3 && v.addition == 4);
	ev_schemaver_format(&v, buf, sizeof(buf));
	CHECK(strcmp(buf, "2-3-4") == 0);
}

static void
test_order_and_bump(void)
{
	struct ev_schemaver a = { 1, 2, 3 }, b = { 1, 10, 0 }, c;

	CHECK(ev_schemaver_cmp(&a, &b) < 0);	/* numeric, not text */
	CHECK(ev_schemaver_cmp(&b, &a) > 0);
	CHECK(ev_schemaver_cmp(&a, &a) == 0);
	CHECK(ev_schemaver_diff(&a, &b) == EV_SCHEMAVER_REVISION);
	CHECK(ev_schemaver_diff(&a, &a) == EV_SCHEMAVER_NONE);
	c = ev_schemaver_bump(&a, EV_SCHEMAVER_MODEL);
	CHECK(c.model == 2 && c.revision == 0 && c.addition == 0);
	c = ev_schemaver_bump(&a, EV_SCHEMAVER_REVISION);
	CHECK(c.model == 1 && c.revision == 3 && c.addition == 0);
	c = ev_schemaver_bump(&a, EV_SCHEMAVER_ADDITION);
	CHECK(c.model == 1 && c.revision == 2 && c.addition == 4);
	c = ev_schemaver_bump(&a, EV_SCHEMAVER_NONE);
	CHECK(ev_schemaver_cmp(&a, &c) == 0);
}

static void
test_required_part(void)
{
	struct ev_evolve_change v[2];
	struct ev_evolve_changes ch = { v, 0, 2 };

	memset(v, 0, sizeof(v));
	CHECK(ev_evolve_required_part(&ch) == EV_SCHEMAVER_NONE);
	ch.n = 1;
	v[0].dir = EV_EVOLVE_NONE;
	CHECK(ev_evolve_required_part(&ch) == EV_SCHEMAVER_ADDITION);
	v[0].dir = EV_EVOLVE_WIDEN;
	CHECK(ev_evolve_required_part(&ch) == EV_SCHEMAVER_ADDITION);
	v[0].dir = EV_EVOLVE_NARROW;
	v[0].undeclared = 1;
	CHECK(ev_evolve_required_part(&ch) == EV_SCHEMAVER_REVISION);
	v[0].undeclared = 0;
	CHECK(ev_evolve_required_part(&ch) == EV_SCHEMAVER_MODEL);
	v[0].dir = EV_EVOLVE_BOTH;
	v[0].undeclared = 1;
	CHECK(ev_evolve_required_part(&ch) == EV_SCHEMAVER_MODEL);
	ch.n = 2;
	v[0].dir = EV_EVOLVE_NARROW;
	v[1].dir = EV_EVOLVE_WIDEN;
	CHECK(ev_evolve_required_part(&ch) == EV_SCHEMAVER_REVISION);
}

static void
test_modes(void)
{
	enum ev_evolve_mode m;

	CHECK(ev_evolve_mode_parse("full-transitive", &m) == 0 &&
	    m == EV_EVOLVE_MODE_FULL_TRANSITIVE && ev_evolve_mode_transitive(m));
	CHECK(ev_evolve_mode_parse("sideways", &m) == -1);
	CHECK(ev_evolve_allowed(EV_EVOLVE_MODE_BACKWARD, EV_EVOLVE_WIDEN));
	CHECK(!ev_evolve_allowed(EV_EVOLVE_MODE_BACKWARD, EV_EVOLVE_NARROW));
	CHECK(ev_evolve_allowed(EV_EVOLVE_MODE_FORWARD, EV_EVOLVE_NARROW));
	CHECK(!ev_evolve_allowed(EV_EVOLVE_MODE_FORWARD, EV_EVOLVE_BOTH));
	CHECK(!ev_evolve_allowed(EV_EVOLVE_MODE_FULL, EV_EVOLVE_WIDEN));
	CHECK(ev_evolve_allowed(EV_EVOLVE_MODE_FULL, EV_EVOLVE_NONE));
	CHECK(ev_evolve_allowed(EV_EVOLVE_MODE_NONE, EV_EVOLVE_BOTH));
}

int
main(void)
{
	test_parse();
	test_order_and_bump();
	test_required_part();
	test_modes();
	printf("test_schemaver: %d checks, %d failures\n", checks, failures);
	return failures != 0;
}
