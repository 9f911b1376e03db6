/*
 * test_nab.c - NAB-style scoring (lib/ev_nab.c) on small series whose
 * windows and scores were worked out by hand from the published rules.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ev_nab.h"

#define NEAR(a, b)	(fabs((a) - (b)) < 1e-6)

/*
 * 40 points, one labelled run at 18-19: the window is 10% of 40 = 4 points,
 * centred on the run: 17-20.  Detections at 5 (no window before it: -1 x
 * A_FP), 18 (first in the window: position -(20-18+1)/4 = -0.75, scaled
 * sigmoid 2/(1+e^-3.75)-1 = 0.9540446 over its value at -1, 0.9866143:
 * 0.9669891), 19 (same window: ignored) and 23 (3 points past a window of
 * 4: y = 3/3 = 1, sigmoid 2/(1+e^5)-1 = -0.9866143, times A_FP).
 * standard: 0.9669891 - 0.11 - 0.11 x 0.9866143 = 0.7484615, null -1,
 * perfect 1: 100 x 1.7484615 / 2 = 87.423076.
 * reward_low_fp: 0.9669891 - 0.22 - 0.2170551 = 0.5299339: 76.496697.
 * reward_low_fn: raw as standard, null -2: 100 x 2.7484615 / 3 = 91.615384.
 */
static void
test_one_window(void)
{
	unsigned char lab[40], det[40];
	struct ev_nab_window *w;
	struct ev_nab_result r;
	size_t nw;

	memset(lab, 0, sizeof(lab));
	memset(det, 0, sizeof(det));
	lab[18] = lab[19] = 1;
	det[5] = det[18] = det[19] = det[23] = 1;
	nw = ev_nab_windows(lab, 40, &w);
	CHECK(nw == 1);
	CHECK(w[0].lo == 17 && w[0].hi == 20 && w[0].first == 18);
	free(w);
	ev_nab_score(lab, det, 40, &r);
	CHECK(r.windows == 1 && r.detected == 1);
	CHECK(r.detections == 4 && r.true_det == 2 && r.false_det == 2);
	CHECK(r.first_det[0] == 18);
	CHECK(r.delay_pts == 0);
	CHECK(NEAR(r.raw[0], 0.7484615150));
	CHECK(NEAR(r.raw[1], 0.5299339422));
	CHECK(NEAR(r.raw[2], 0.7484615150));
	CHECK(NEAR(ev_nab_normalise(r.raw[0], r.null[0], r.perfect[0]),
	    87.4230757502));
	CHECK(NEAR(ev_nab_normalise(r.raw[1], r.null[1], r.perfect[1]),
	    76.4966971104));
	CHECK(NEAR(ev_nab_normalise(r.raw[2], r.null[2], r.perfect[2]),
	    91.6153838334));
	free(r.first_det);
}

/*
 * Two runs in 40 points share 10%: 2 points each.  The run at 2 (one
 * point) gets 2-3 (the odd extra point goes after it); the run at 30-31
 * is already 2 long: 30-31.  Nothing detected: the null score, 0.  A
 * detection at 31, the window's last point: -(31-31+1)/2 = -0.5, sigmoid
 * 2/(1+e^-2.5)-1 = 0.8482836 / 0.9866143 = 0.8597926; the other window
 * missed: -1.  A delay of one point.
 */
static void
test_two_windows(void)
{
	unsigned char lab[40], det[40];
	struct ev_nab_window *w;
	struct ev_nab_result r;

	memset(lab, 0, sizeof(lab));
	memset(det, 0, sizeof(det));
	lab[2] = lab[30] = lab[31] = 1;
	CHECK(ev_nab_windows(lab, 40, &w) == 2);
	CHECK(w[0].lo == 2 && w[0].hi == 3);
	CHECK(w[1].lo == 30 && w[1].hi == 31);
	free(w);
	ev_nab_score(lab, det, 40, &r);
	CHECK(r.raw[0] == -2 && r.null[0] == -2 && r.perfect[0] == 2);
	CHECK(ev_nab_normalise(r.raw[0], r.null[0], r.perfect[0]) == 0);
	free(r.first_det);
	det[31] = 1;
	ev_nab_score(lab, det, 40, &r);
	CHECK(r.detected == 1 && r.delay_pts == 1);
	CHECK(NEAR(r.raw[0], 0.85979257 - 1));
	CHECK(NEAR(r.raw[2], 0.85979257 - 2));
	free(r.first_det);
}

/* Overlapping windows merge; no labels: every detection costs A_FP. */
static void
test_merge_and_unlabelled(void)
{
	unsigned char lab[100], det[100];
	struct ev_nab_window *w;
	struct ev_nab_result r;

	memset(lab, 0, sizeof(lab));
	memset(det, 0, sizeof(det));
	/* 2 runs: 5 points each; 50-50 and 53-53 overlap: 48-52, 51-55. */
	lab[50] = lab[53] = 1;
	CHECK(ev_nab_windows(lab, 100, &w) == 1);
	CHECK(w[0].lo == 48 && w[0].hi == 55 && w[0].first == 50);
	free(w);
	memset(lab, 0, sizeof(lab));
	det[10] = det[90] = 1;
	ev_nab_score(lab, det, 100, &r);
	CHECK(r.windows == 0 && r.false_det == 2);
	CHECK(NEAR(r.raw[0], -0.22) && NEAR(r.raw[1], -0.44));
	CHECK(r.null[0] == 0 && r.perfect[0] == 0);
	free(r.first_det);
	CHECK(ev_nab_sigmoid(3.5) == -1);
	CHECK(NEAR(ev_nab_sigmoid(0), 0));
}

int
main(void)
{
	test_one_window();
	test_two_windows();
	test_merge_and_unlabelled();
	printf("test_nab: %d checks, %d failures\n", checks, failures);
	return failures > 0;
}
