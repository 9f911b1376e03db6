/*
 * test_detect_recur.c - unit tests of the recurring-burst rule
 * (lib/ev_detect_recur.c): which earlier days count, when a rare point is
 * excused and by how much, the burst's length limit, and the state.  The
 * figures are worked by hand from the rule in ev_detect_recur.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ev_detect_recur.h"

#include "check.h"

#define MIN1	(1.0 / 60)	/* a one-minute window, in hours */
#define RARE	1e-6		/* a point's p far below EV_DETECT_RECUR_P */
#define SPANM	((int)(EV_DETECT_RECUR_SPAN * 60 + 0.5))	/* minutes */

/* A one-minute rare point of deviation dev at day d, minute mi. */
static double
point(struct ev_detect_recur *r, int d, int mi, double dev, int excuse)
{
	return ev_detect_recur_step(r, 24.0 * d + mi * MIN1, MIN1, dev, RARE,
	    excuse);
}

static void
test_days(void)
{
	struct ev_detect_recur r;
	int seen;

	ev_detect_recur_init(&r);
	/* Bursts of +100 on days 10, 11 and 13; a drop of -80 on day 12. */
	CHECK(point(&r, 10, 600, 100, 1) == RARE);
	CHECK(point(&r, 11, 300, 60, 1) == RARE);
	CHECK(point(&r, 11, 900, 100, 1) == RARE);	/* the day's largest */
	CHECK(point(&r, 12, 60, -80, 1) == RARE);
	CHECK(point(&r, 13, 60, 100, 1) == RARE);	/* two days: not yet */
	/* A point that is not rare is left alone and not learned. */
	CHECK(ev_detect_recur_step(&r, 24.0 * 13 + 2, MIN1, 500, 0.5, 1) ==
	    0.5);
	/* Day 14: three earlier days went at least half of +200 up. */
	CHECK(ev_detect_recur_days(&r, 14, 200, &seen) == 3 && seen == 4);
	CHECK(ev_detect_recur_days(&r, 14, 201, &seen) == 0);
	/* Down: one day only; a deviation of 0 has no side. */
	CHECK(ev_detect_recur_days(&r, 14, -160, &seen) == 1);
	CHECK(ev_detect_recur_days(&r, 14, 0, &seen) == 0);
	/* The point's p: 3 of the 4 days remembered, plus one: 3 / 5. */
	CHECK(fabs(point(&r, 14, 720, 150, 1) - 0.6) < 1e-12);
	/* Not when the caller's other evidence made the score. */
	CHECK(point(&r, 14, 800, 150, 0) == RARE);
	/* A week later (day 18) day 10 is out of the week: 2 + day 14. */
	CHECK(ev_detect_recur_days(&r, 18, 150, &seen) == 3 && seen == 4);
	CHECK(ev_detect_recur_days(&r, 19, 150, &seen) == 2 && seen == 3);
}

static void
test_burst_span(void)
{
	struct ev_detect_recur r;
	double p;
	int d, i, ok = 1;

	ev_detect_recur_init(&r);
	for (d = 0; d < 4; d++)
		point(&r, d, 100, 50, 1);
	/*
	 * Day 4: a burst of one-minute rare points from 10:00.  Excused while
	 * its start to its end spans at most SPANM minutes (the SPANM-th
	 * point), its own again from the next.
	 */
	for (i = 0; i < SPANM + 10; i++) {
		p = point(&r, 4, 600 + i, 50, 1);
		if ((i < SPANM) != (p > 0.5))
			ok = 0;
	}
	CHECK(ok);
	/* A lull longer than the span starts a new burst, excused again. */
	CHECK(point(&r, 4, 600 + SPANM + 10 + SPANM + 1, 50, 1) > 0.5);
	/* A rare point within the span of the last one goes on with it. */
	ev_detect_recur_init(&r);
	for (d = 0; d < 4; d++)
		point(&r, d, 100, 50, 1);
	CHECK(point(&r, 4, 600, 50, 1) > 0.5);
	CHECK(point(&r, 4, 600 + SPANM - 1, 50, 1) > 0.5);	/* SPANM min */
	CHECK(point(&r, 4, 600 + SPANM + 1, 50, 1) == RARE);
	/* An hourly point spans an hour: never a short burst. */
	ev_detect_recur_init(&r);
	for (d = 0; d < 5; d++)
		p = ev_detect_recur_step(&r, 24.0 * d + 10, 1, 50, RARE, 1);
	CHECK(p == RARE);
}

static void
test_state(void)
{
	struct ev_detect_recur r, u;
	json_t *v, *bad;
	int d, seen;

	ev_detect_recur_init(&r);
	for (d = 0; d < 9; d++)
		point(&r, d, 100 + d, d % 2 ? 40.0 + d : -30.0 - d, 1);
	point(&r, 9, 100, 40, 1);
	v = ev_detect_recur_save(&r);
	CHECK(ev_detect_recur_load(&u, v) == 0);
	for (d = 9; d < 20; d++)
		CHECK(ev_detect_recur_days(&u, d, 45, &seen) ==
		    ev_detect_recur_days(&r, d, 45, &seen) &&
		    ev_detect_recur_days(&u, d, -60, &seen) ==
		    ev_detect_recur_days(&r, d, -60, &seen));
	/* The burst under way goes on across the save. */
	CHECK(point(&u, 9, 100 + SPANM - 1, 40, 1) ==
	    point(&r, 9, 100 + SPANM - 1, 40, 1));
	CHECK(point(&u, 9, 100 + SPANM + 1, 40, 1) == RARE);
	json_decref(v);
	bad = json_pack("{s:[[i,f,f]],s:[n,n]}", "days", 3, -1.0, 0.0,
	    "burst");
	CHECK(ev_detect_recur_load(&u, bad) != 0);	/* up below 0 */
	json_decref(bad);
	bad = json_pack("{s:[[i,f,f],[i,f,f]],s:[n,n]}", "days", 3, 1.0, 0.0,
	    10, 2.0, 0.0, "burst");
	CHECK(ev_detect_recur_load(&u, bad) != 0);	/* one slot twice */
	json_decref(bad);
	bad = json_pack("{s:[],s:[f,f]}", "days", "burst", 5.0, 4.0);
	CHECK(ev_detect_recur_load(&u, bad) != 0);	/* ends before start */
	json_decref(bad);
}

int
main(void)
{
	test_days();
	test_burst_span();
	test_state();
	printf("test_detect_recur: %d checks, %d failures\n", checks,
	    failures);
	return failures != 0;
}
