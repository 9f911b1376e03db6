/* test_detect.c - unit tests of the anomaly models and alert episodes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_detect.h"
#include "ev_detect_alert.h"
#include "ev_detect_count.h"

#include "check.h"

/* A small deterministic generator (xorshift) and Poisson sampler. */
static unsigned long long rng = 88172645463325252ULL;

static double
unif(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static double
poisson(double mu)
{
	/* Normal approximation is enough for these tests (mu >= 50). */
	double u1 = unif(), u2 = unif();
	double n = sqrt(-2 * log(u1 + 1e-300)) * cos(2 * M_PI * u2);

	return fmax(0, round(mu + sqrt(mu) * n));
}

static void
test_calibration(void)
{
	CHECK(fabs(ev_detect_score_of_z(1.959963984540054) - 0.95) < 1e-12);
	CHECK(fabs(ev_detect_z_of_conf(0.99) - 2.5758293035489) < 1e-9);
	CHECK(fabs(ev_detect_score_of_z(ev_detect_z_of_conf(0.99999)) -
	    0.99999) < 1e-13);
	CHECK(ev_detect_score_of_z(0) == 0);
	CHECK(ev_detect_score_of_z(-3) == ev_detect_score_of_z(3));
}

static void
test_robust(void)
{
	struct ev_detect_params p;
	struct ev_detect_model *m;
	struct ev_detect_score s;
	struct ev_detect_point pt = { 0, 0, 1 };
	double v[] = { 10, 12, 11, 9, 10, 11, 10 };
	size_t i;

	ev_detect_params_default(&p);
	p.warmup_hours = 0;	/* every point at the same time */
	p.window = 7;
	p.poisson = 0;
	m = ev_detect_model_new(&p);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		pt.value = v[i];
		ev_detect_model_step(m, &pt, &s);
		CHECK(s.scored == (i >= 5));
	}
	pt.value = 30;
	ev_detect_model_step(m, &pt, &s);
	/* median 10, MAD 1: z = 20 / 1.4826. */
	CHECK(s.scored && s.expected == 10);
	CHECK(fabs(s.z - 20 / 1.482602218505602) < 1e-9);
	CHECK(s.direction == 1 && s.score > 0.99999);
	CHECK(fabs(s.upper - (10 + 2.5758293035489 * 1.482602218505602))
	    < 1e-6);
	ev_detect_model_free(m);
}

/* Hourly points with a daily and weekly shape; a drop on day 20. */
static void
test_seasonal(enum ev_detect_method meth)
{
	struct ev_detect_params p;
	struct ev_detect_model *m;
	struct ev_detect_score s;
	struct ev_detect_point pt;
	int h, fp = 0, scored = 0, hit = 0;

	ev_detect_params_default(&p);
	p.method = meth;
	m = ev_detect_model_new(&p);
	for (h = 0; h < 24 * 21; h++) {
		double t = 24 * 7 * 2900 + h;	/* a Sunday midnight */
		double mu = 400 * (1 + 0.6 * sin(2 * M_PI * (h % 24) / 24)) *
		    ((h / 24) % 7 == 0 || (h / 24) % 7 == 6 ? 0.6 : 1);
		int drop = h == 24 * 20 + 12;

		pt.local_hours = t;
		pt.step_hours = 1;
		pt.value = poisson(mu) * (drop ? 0.6 : 1);
		ev_detect_model_step(m, &pt, &s);
		if (!s.scored)
			continue;
		if (h >= 24 * 14)
			scored++;
		if (drop)
			hit = s.score > 0.9999 && s.direction < 0;
		else if (h >= 24 * 14 && s.score > 0.9999)
			fp++;
	}
	CHECK(scored > 160);
	if (scored <= 160)
		fprintf(stderr, "scored %d\n", scored);
	CHECK(hit);
	CHECK(fp <= 2);
	if (!hit || fp > 2)
		fprintf(stderr, "%s: hit %d fp %d\n",
		    ev_detect_method_name(meth), hit, fp);
	ev_detect_model_free(m);
}

static void
test_cusum(void)
{
	struct ev_detect_params p;
	struct ev_detect_model *m;
	struct ev_detect_score s;
	struct ev_detect_point pt = { 0, 0, 1 };
	int i, first = -1, last = -1;

	ev_detect_params_default(&p);
	p.warmup_hours = 0;	/* every point at the same time */
	p.method = EV_DETECT_CUSUM;
	p.window = 30;
	m = ev_detect_model_new(&p);
	for (i = 0; i < 200; i++) {
		pt.value = poisson(i < 100 ? 200 : 160);
		ev_detect_model_step(m, &pt, &s);
		if (s.scored && s.score > 0.999) {
			if (first < 0)
				first = i;
			last = i;
		}
	}
	/* 20% shift of about 3 sigma: found within a few points, then the
	 * baseline moves to the new level. */
	CHECK(first >= 100 && first <= 106);
	CHECK(last < 130);
	ev_detect_model_free(m);
}

static void
test_state(void)
{
	struct ev_detect_params p;
	struct ev_detect_model *a, *b;
	struct ev_detect_score sa, sb;
	struct ev_detect_point pt = { 0, 0, 1 };
	json_t *j;
	int i, meth;

	for (meth = 0; meth <= EV_DETECT_AUTO; meth++) {
		ev_detect_params_default(&p);
		p.method = (enum ev_detect_method)meth;
		a = ev_detect_model_new(&p);
		b = ev_detect_model_new(&p);
		for (i = 0; i < 100; i++) {
			pt.local_hours = i;
			pt.value = poisson(100);
			ev_detect_model_step(a, &pt, &sa);
		}
		j = ev_detect_model_save(a);
		CHECK(ev_detect_model_load(b, j) == 0);
		json_decref(j);
		pt.local_hours = 100;
		pt.value = 150;
		ev_detect_model_step(a, &pt, &sa);
		ev_detect_model_step(b, &pt, &sb);
		CHECK(sa.scored == sb.scored && sa.score == sb.score &&
		    sa.expected == sb.expected);
		ev_detect_model_free(a);
		ev_detect_model_free(b);
	}
}

static void
test_alert(void)
{
	struct ev_alert_params p = { 2, 2, 10, 0 };
	struct ev_alert a;

	ev_alert_init(&a);
	CHECK(ev_alert_step(&a, &p, 1, 1, 0) == EV_ALERT_NONE);
	CHECK(ev_alert_step(&a, &p, 2, 1, 0) == EV_ALERT_FIRED);
	CHECK(a.started == 2 && a.pending_since == 1);
	CHECK(ev_alert_step(&a, &p, 3, 1, 0) == EV_ALERT_ONGOING);
	CHECK(ev_alert_step(&a, &p, 4, 0, 1) == EV_ALERT_ONGOING);
	CHECK(ev_alert_step(&a, &p, 5, 0, 0) == EV_ALERT_ONGOING);
	CHECK(ev_alert_step(&a, &p, 6, 0, 1) == EV_ALERT_ONGOING);
	CHECK(ev_alert_step(&a, &p, 7, 0, 1) == EV_ALERT_RESOLVED);
	/* cooldown 10: anomalies at 8, 9 do not fire; at 17 they may */
	CHECK(ev_alert_step(&a, &p, 8, 1, 0) == EV_ALERT_NONE);
	CHECK(ev_alert_step(&a, &p, 9, 1, 0) == EV_ALERT_NONE);
	CHECK(ev_alert_step(&a, &p, 17, 1, 0) == EV_ALERT_FIRED);
	CHECK(a.episodes == 2);
	p.repeat = 5;
	CHECK(ev_alert_step(&a, &p, 20, 1, 0) == EV_ALERT_ONGOING);
	CHECK(ev_alert_step(&a, &p, 22, 1, 0) == EV_ALERT_REPEATED);
}

/* An exact Poisson draw by inversion (small means). */
static double
poisson_small(double mu)
{
	double u = unif(), p = exp(-mu), F = p;
	int k = 0;

	while (u > F && k < 1000) {
		k++;
		p *= mu / k;
		F += p;
	}
	return k;
}

static void
test_count_cusum(void)
{
	struct ev_detect_count c;
	static const double mus[] = { 0.02, 0.2, 3 };
	double p, S, phi;
	int i, j, n2, n3, first;

	/* One step by hand: 0 where 0.02 was expected adds 0.8 * 0.02. */
	ev_detect_count_init(&c);
	p = ev_detect_count_step(&c, 0, 0.02, 1.0 / 60);
	CHECK(fabs(ev_detect_count_evidence(&c) - 0.016) < 1e-15);
	CHECK(fabs(p - exp(-0.016)) < 1e-15);
	ev_detect_count_step(&c, 1, 0.02, 1.0 / 60);
	CHECK(ev_detect_count_evidence(&c) == 0);

	/*
	 * Ville: with the rate unchanged, P(p <= q) <= q at every window.
	 * 200,000 windows per mean; the counts of p <= 1e-2 and <= 1e-3
	 * must stay below 2,000 and 200.
	 */
	for (j = 0; j < 3; j++) {
		ev_detect_count_init(&c);
		n2 = n3 = 0;
		for (i = 0; i < 200000; i++) {
			p = ev_detect_count_step(&c, poisson_small(mus[j]),
			    mus[j], 1.0 / 60);
			n2 += p <= 1e-2;
			n3 += p <= 1e-3;
		}
		CHECK(n2 < 2000 && n3 < 200);
		CHECK(ev_detect_count_dispersion(&c) < 1.1);
	}

	/*
	 * 12 an hour in 1-minute windows drops to a fifth: the CUSUM needs
	 * about log(1e4) / (0.2 * 0.478) = 96 windows to reach p = 1e-4.
	 */
	ev_detect_count_init(&c);
	for (i = 0; i < 3000; i++)
		ev_detect_count_step(&c, poisson_small(0.2), 0.2, 1.0 / 60);
	first = -1;
	for (i = 0; i < 600 && first < 0; i++)
		if (ev_detect_count_step(&c, poisson_small(0.04), 0.2,
		    1.0 / 60) <= 1e-4)
			first = i;
	CHECK(first >= 30 && first <= 300);

	/*
	 * Over-dispersion learned online: events in clusters of three
	 * (variance three times the mean) give phi near 3, and the sum
	 * grows three times slower.
	 */
	ev_detect_count_init(&c);
	for (i = 0; i < 20000; i++)
		ev_detect_count_step(&c, 3 * poisson_small(2.0 / 3), 2,
		    1.0 / 60);
	CHECK(ev_detect_count_dispersion(&c) > 2.4 &&
	    ev_detect_count_dispersion(&c) < 3.6);
	S = ev_detect_count_evidence(&c);
	phi = ev_detect_count_dispersion(&c);
	ev_detect_count_step(&c, 0, 2, 1.0 / 60);
	CHECK(fabs(ev_detect_count_evidence(&c) - S - 1.6 / phi) < 1e-9);

	/*
	 * A drop held for six hours (from the window where p <= 0.01) is
	 * the new level: the sum restarts.
	 */
	for (i = 0; i < 6 * 60 + 30; i++)
		ev_detect_count_step(&c, 0, 2, 1.0 / 60);
	CHECK(ev_detect_count_evidence(&c) < 20);
}

/*
 * Automatic warm-up: robust scores nothing in the first day of the series'
 * own time (30-minute points: the 48th is the first a day after the
 * first), and says how far along it is; seasonal waits two days.
 */
static void
test_warmup(void)
{
	struct ev_detect_params p;
	struct ev_detect_model *m;
	struct ev_detect_score s;
	struct ev_detect_point pt = { 0, 1000, 0.5 };
	int i, meth, first;

	for (meth = EV_DETECT_ROBUST; meth <= EV_DETECT_SEASONAL; meth++) {
		ev_detect_params_default(&p);
		p.method = (enum ev_detect_method)meth;
		m = ev_detect_model_new(&p);
		first = -1;
		for (i = 0; i < 200; i++) {
			pt.local_hours = 1000 + 0.5 * i;
			pt.value = 100 + i % 3;
			ev_detect_model_step(m, &pt, &s);
			if (s.scored && first < 0)
				first = i;
			if (i == 7)
				CHECK(s.warming == 1 && s.warm_seen == 3.5 &&
				    s.warm_need == (meth == EV_DETECT_SEASONAL ?
				    48 : 24));
		}
		CHECK(first == (meth == EV_DETECT_SEASONAL ? 96 : 48));
		CHECK(s.warming == 0);
		ev_detect_model_free(m);
	}
}

int
main(void)
{
	test_calibration();
	test_robust();
	test_warmup();
	test_seasonal(EV_DETECT_SEASONAL);
	test_seasonal(EV_DETECT_AUTO);
	test_cusum();
	test_count_cusum();
	test_state();
	test_alert();
	printf("test_detect: %d checks, %d failures\n", checks, failures);
	return failures != 0;
}
