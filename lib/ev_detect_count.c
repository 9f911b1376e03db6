/* ev_detect_count.c - CUSUM on the rate of a count (see ev_detect_count.h). */
#include <math.h>
#include <string.h>

#include "ev_detect_count.h"

#define MIN_EVENTS	20	/* dispersion: events before it is fitted */
#define DISP_HALFLIFE	24	/* hours: the dispersion fit */
#define DISP_CLIP	9	/* squared residual kept, in Poisson variances */
#define DISP_MAX	50
#define HOLD_NATS	4.605170185988091	/* log 100: p <= 0.01 */

void
ev_detect_count_init(struct ev_detect_count *c)
{
	memset(c, 0, sizeof(*c));
}

double
ev_detect_count_dispersion(const struct ev_detect_count *c)
{
	double phi;

	/* Poisson until the fit has seen enough events to say otherwise. */
	if (c->events < MIN_EVENTS || !(c->qmu > 0))
		return 1;
	phi = c->qrr / c->qmu;
	return phi < 1 ? 1 : phi > DISP_MAX ? DISP_MAX : phi;
}

double
ev_detect_count_evidence(const struct ev_detect_count *c)
{
	return c->sd;
}

double
ev_detect_count_step(struct ev_detect_count *c, double x, double mu,
    double step)
{
	double lam0 = fmax(mu, 0), phi, r2, g;

	if (!(step > 0))
		step = 1;
	phi = ev_detect_count_dispersion(c);
	/*
	 * The quasi-Poisson log-likelihood ratio of the window under a rate
	 * of EV_DETECT_COUNT_DOWN times the baseline, against the baseline.
	 */
	c->sd = fmax(0, c->sd + (x * log(EV_DETECT_COUNT_DOWN) -
	    (EV_DETECT_COUNT_DOWN - 1) * lam0) / phi);

	/*
	 * A drop under way does not teach the dispersion, and after
	 * EV_DETECT_COUNT_RELEARN hours it is the new level.
	 */
	if (c->sd >= HOLD_NATS)
		c->held += step;
	else
		c->held = 0;
	if (c->held >= EV_DETECT_COUNT_RELEARN) {
		c->held = 0;
		c->sd = 0;
	}
	if (c->held == 0) {
		/*
		 * Method of moments with exponential forgetting: phi is the
		 * mean squared residual over the mean, clipped so that one
		 * burst does not make the series noisy for a day.
		 */
		r2 = (x - lam0) * (x - lam0);
		if (r2 > DISP_CLIP * phi * fmax(lam0, 1))
			r2 = DISP_CLIP * phi * fmax(lam0, 1);
		if (step != c->g_step) {	/* steps rarely change */
			c->g_step = step;
			c->g = 1 - pow(0.5, step / DISP_HALFLIFE);
		}
		g = c->g;
		if (g < step / (c->hours + step))
			g = step / (c->hours + step);
		c->qrr += g * (r2 - c->qrr);
		c->qmu += g * (lam0 - c->qmu);
		c->hours += step;
		c->events += x;
	}
	return fmin(1, exp(-c->sd));
}

json_t *
ev_detect_count_save(const struct ev_detect_count *c)
{
	return json_pack("[f,f,f,f,f,f]", c->hours, c->events, c->qrr,
	    c->qmu, c->sd, c->held);
}

int
ev_detect_count_load(struct ev_detect_count *c, const json_t *v)
{
	ev_detect_count_init(c);
	if (json_unpack((json_t *)(uintptr_t)v, "[F,F,F,F,F,F]", &c->hours,
	    &c->events, &c->qrr, &c->qmu, &c->sd, &c->held) != 0 ||
	    !(c->hours >= 0) || !(c->sd >= 0))
		return -1;
	return 0;
}
