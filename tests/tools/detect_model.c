/*
 * detect_model - time the anomaly models alone (no JSON): N series of P
 * hourly points with a daily shape, one method; prints points per second.
 * Used by scripts/bench-detect.  usage: detect_model METHOD SERIES POINTS
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ev_common.h"
#include "ev_detect.h"

int
main(int argc, char **argv)
{
	struct ev_detect_params p;
	struct ev_detect_model **m;
	struct ev_detect_point pt;
	struct ev_detect_score sc;
	struct timespec t0, t1;
	const char *errstr;
	long long ns, np, i, j, alerts = 0;
	double secs;
	int meth;

	if (argc != 4 || (meth = ev_detect_method_parse(argv[1])) < 0) {
		fprintf(stderr, "usage: detect_model METHOD SERIES POINTS\n");
		return 2;
	}
	ns = ev_strtonum(argv[2], 1, 1000000, &errstr);
	if (errstr == NULL)
		np = ev_strtonum(argv[3], 1, 100000000, &errstr);
	if (errstr) {
		fprintf(stderr, "detect_model: bad number: %s\n", errstr);
		return 2;
	}
	ev_detect_params_default(&p);
	p.method = (enum ev_detect_method)meth;
	m = ev_xcalloc((size_t)ns, sizeof(*m));
	for (i = 0; i < ns; i++)
		m[i] = ev_detect_model_new(&p);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (j = 0; j < np; j++) {
		pt.local_hours = 490000 + (double)j + 0.5;
		pt.step_hours = 1;
		for (i = 0; i < ns; i++) {
			pt.value = 100 * (1 + 0.5 * sin((double)j * M_PI / 12)) +
			    (double)((i * 7919 + j * 104729) % 21) - 10;
			ev_detect_model_step(m[i], &pt, &sc);
			alerts += sc.scored && sc.score > 0.9999;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.0f points/s (%lld series x %lld points in %.2f s, %lld "
	    "anomalous)\n", (double)(ns * np) / secs, ns, np, secs, alerts);
	for (i = 0; i < ns; i++)
		ev_detect_model_free(m[i]);
	free(m);
	return 0;
}
