/* ev_detect.c - streaming anomaly models (see ev_detect.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_common.h"
#include "ev_detect.h"
#include "ev_rollmed.h"
#include "ev_detect_count.h"
#include "ev_detect_tail.h"
#include "ev_detect_recur.h"

#define CLIP		3.0	/* residuals learned at most this many sigmas */
#define MAD_SIGMA	1.482602218505602	/* 1 / Phi^-1(3/4) */
#define MEANABS_SIGMA	1.2533141373155003	/* sqrt(pi / 2) */
#define NSUB		3	/* auto: robust, ewma, seasonal */
#define AUTO_MIN	20	/* auto: scored points before a model counts */
#define SEASONAL_MIN	10	/* seasonal: residuals before scoring */
#define SLOW_HALFLIFE	72	/* seasonal: hours, the slow level */
#define NOISE_HALFLIFE	48	/* seasonal: hours, the noise fit */
#define NOISE_CLIPPED	48	/* seasonal: residuals clipped, not skipped */
#define TRUNC_CLIP	0.973300316	/* E[z^2 | |z| < CLIP], standard normal */
#define EXACT_Z		1.5	/* seasonal: |z| from which tails are exact */
#define FREEZE_S	4	/* seasonal: CUSUM sum that holds the structure */
#define TAU2_MIN	1e-4	/* seasonal: (1% relative error)^2 */
#define TAU2_MAX	4
#define HIST_BINS	256	/* calibration: bins of |z| */
#define HIST_LO		2.0	/* calibration: |z| below this is not kept */
#define HIST_RATIO	1.05	/* calibration: each bin 5% wider in |z| */
#define HIST_MIN_K	3	/* calibration: past exceedances that count */
#define HIST_PER_DAY	0.5	/* calibration: ... and one every 2 days */
#define TAIL_KEEP_OUT	1e-3	/* calibration: rarer points are not noise */

#define MEMO_DAYS	7	/* routine: days of the same-time memory */
#define MEMO_BINS	96	/* routine: 15-minute bins of the day */
#define MEMO_MIN	2	/* routine: days at least as extreme */
#define MEMO_P		1e-3	/* routine: only for points rarer than this */

/*
 * The range of values of each quarter hour of the last MEMO_DAYS days: a
 * deviation the series made at the same time of day on MEMO_MIN of them
 * is its routine (a daily job, a daily peak), not an anomaly.
 */
struct memo {
	float	lo[MEMO_DAYS][MEMO_BINS], hi[MEMO_DAYS][MEMO_BINS];
	int32_t	day[MEMO_DAYS];
};

struct bin {
	double	v, n;
	int32_t	visits, last;
};

struct robust {
	struct ev_rollmed r;
};

struct ewma {
	double	m, v;
	int64_t	n;
};

/*
 * The seasonal model's factors of one step, 1 - 0.5^(step / half-life)
 * and the shape's rate: pow was a tenth of a seasonal point, and a
 * series' step rarely changes, so they are made again only when it does.
 * Zero for a step of zero, so the zeroed struct is right as it stands.
 */
struct rates {
	double	step;		/* hours they are for */
	double	noise, level, slow, season;
};

struct seasonal {
	double	S;		/* slow level */
	double	L;		/* fast level: the recent mean residual */
	double	ns;		/* points learned with a prediction */
	struct bin d[24];	/* daily shape, by local hour */
	struct bin w[7];	/* weekday offsets, by local day of week */
	double	acc, accw;	/* the current day's residuals and weight */
	int32_t	accday;		/* that day */
	/*
	 * Noise: weighted sums of the least-squares fit of the squared
	 * residual r^2 = phi * mu + tau2 * mu^2 (counts: Poisson noise times
	 * a dispersion phi, plus a relative error tau of the baseline).
	 */
	double	qaa, qab, qbb, qar, qbr;
	double	phi, tau2;
	double	cp, cn;		/* CUSUM of the residual z, up and down */
	int	dir;		/* the CUSUM's way when it made the score */
	int	np, nn;		/* their run lengths */
	/*
	 * Lag-1 autocorrelation of the residual z: weighted means of
	 * sign(z)^2 and of sign(z) times the previous sign, and that sign.
	 */
	double	azz, az1, zprev;
	struct rates rt;	/* of the last step */
};

struct cusum {
	struct ev_rollmed r;
	double	sp, sn;		/* upper and lower sums */
	int	np, nn;		/* run lengths */
	double	hold;		/* scale kept across a re-baseline */
	int	hold_left;
};

struct ev_detect_model {
	struct ev_detect_params p;
	enum ev_detect_method kind;
	int64_t	n;
	int	cont;		/* a value was not a non-negative integer */
	struct ev_detect_count cc;	/* counts: CUSUM on the rate */
	/*
	 * Calibration: how often this series' own scored points reached
	 * each |z| (log-spaced bins from HIST_LO), and how many were scored.
	 */
	uint32_t *hist;
	int64_t	nscored;
	double	t0;		/* local hours of the first window's start */
	double	peak;		/* largest |z| of the excursion under way */
	struct ev_detect_tail tail;	/* peaks over threshold of z */
	struct memo *memo;	/* same time of day, last days */
	struct ev_detect_recur *recur;	/* deviations of the last days */
	double	zc;		/* z of the confidence level */
	union {
		struct robust	rb;
		struct ewma	ew;
		struct seasonal	*se;
		struct cusum	cs;
	} u;
	/* auto */
	struct ev_detect_model *sub[NSUB];
	double	err[NSUB];
	int64_t	cnt[NSUB];
};

static const char *const method_names[] = {
	"robust", "ewma", "seasonal", "cusum", "auto"
};

void
ev_detect_params_default(struct ev_detect_params *p)
{
	memset(p, 0, sizeof(*p));
	p->method = EV_DETECT_ROBUST;
	p->window = 60;
	p->warmup = 0;
	p->warmup_hours = EV_DETECT_WARMUP_AUTO;
	p->confidence = 0.99;
	p->alpha = 0.1;
	p->level_halflife = 6;
	p->season_rate = 0.25;
	p->cusum_k = 0.5;
	p->cusum_h = 5;
	p->poisson = 1;
	p->min_scale = 0;
}

int
ev_detect_method_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++)
		if (strcmp(s, method_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
ev_detect_method_name(enum ev_detect_method m)
{
	return method_names[m];
}

/* Normal distribution helpers. */

double
ev_detect_score_of_z(double z)
{
	if (isnan(z))
		return 0;
	return erf(fabs(z) / M_SQRT2);
}

/* Two-sided tail probability of |z|, accurate far into the tail. */
static double
tail2(double z)
{
	return erfc(fabs(z) / M_SQRT2);
}

/* Lower-tail quantile of the standard normal for p in (0, 0.5]. */
static double
norm_ppf_low(double p)
{
	/* Acklam's rational approximation, then one Halley step. */
	static const double a[] = { -3.969683028665376e+01,
	    2.209460984245205e+02, -2.759285104469687e+02,
	    1.383577518672690e+02, -3.066479806614716e+01,
	    2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01,
	    1.615858368580409e+02, -1.556989798598866e+02,
	    6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03,
	    -3.223964580411365e-01, -2.400758277161838e+00,
	    -2.549732539343734e+00, 4.374664141464968e+00,
	    2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03,
	    3.224671290700398e-01, 2.445134137142996e+00,
	    3.754408661907416e+00 };
	double q, r, x, e, u;

	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q +
		    c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r +
		    a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r +
		    b[4]) * r + 1);
	}
	e = 0.5 * erfc(-x / M_SQRT2) - p;
	u = e * sqrt(2 * M_PI) * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

double
ev_detect_z_of_conf(double c)
{
	if (!(c > 0))
		return 0;
	if (c >= 1)
		return INFINITY;
	return -norm_ppf_low((1 - c) / 2);
}

/* Median and MAD of the rolling window (lib/ev_rollmed.c). */

/*
 * Median and MAD; when more than half the window is one value (MAD 0) the
 * mean absolute deviation stands in, scaled so that MAD_SIGMA times it is
 * the normal sigma, so a series that is mostly flat still has a spread.
 * That sum runs over the ring in slot order, as it always has, so the
 * scores do not move by a rounding.
 */
static void
ring_median_mad(const struct ev_rollmed *r, double *med, double *mad)
{
	double sum = 0;
	int i;

	*med = ev_rollmed_median(r);
	*mad = ev_rollmed_mad(r, *med);
	if (*mad == 0 && r->len > 0) {
		for (i = 0; i < r->len; i++)
			sum += fabs(r->v[i] - *med);
		*mad = sum / r->len * MEANABS_SIGMA / MAD_SIGMA;
	}
}

/* Shared pieces. */

static double
clip(double r, double lim)
{
	if (r > lim)
		return lim;
	if (r < -lim)
		return -lim;
	return r;
}

/*
 * Whether the series is counted as a count: --poisson (the default) and
 * every value so far a non-negative integer.  A rate, a latency or a ratio
 * has no Poisson noise: its spread is only what the data show.
 */
static int
is_count(const struct ev_detect_model *m)
{
	return m->p.poisson && !m->cont;
}

/* Floor of a scale in value units around the level lv. */
static double
floor_scale(const struct ev_detect_model *m, double lv, double s)
{
	const struct ev_detect_params *p = &m->p;
	double f;

	if (is_count(m)) {
		f = sqrt(fmax(fabs(lv), 1));
		if (s < f)
			s = f;
	}
	if (s < p->min_scale)
		s = p->min_scale;
	f = 1e-9 * fmax(1, fabs(lv));
	return s < f ? f : s;
}

static void
fill(struct ev_detect_model *m, struct ev_detect_score *o, double x,
    double expected, double scale)
{
	o->scored = 1;
	o->method = method_names[m->kind];
	o->expected = expected;
	o->z = (x - expected) / scale;
	o->score = ev_detect_score_of_z(o->z);
	o->lower = expected - m->zc * scale;
	o->upper = expected + m->zc * scale;
	o->direction = x > expected ? 1 : x < expected ? -1 : 0;
}

/* A flagged point always points somewhere: the way of the evidence. */
static void
set_direction(struct ev_detect_score *o, double x, double sum)
{
	o->direction = x > o->expected ? 1 : x < o->expected ? -1 :
	    sum > 0 ? 1 : sum < 0 ? -1 : 0;
}

/* robust */

static void
robust_step(struct ev_detect_model *m, double x, struct ev_detect_score *o)
{
	struct ev_rollmed *r = &m->u.rb.r;
	int need = m->p.window < 5 ? m->p.window : 5;
	double med, mad;

	if (r->len >= need && r->len >= 1) {
		ring_median_mad(r, &med, &mad);
		fill(m, o, x, med, floor_scale(m, med, MAD_SIGMA * mad));
	}
	ev_rollmed_push(r, x);
}

/* ewma */

static void
ewma_step(struct ev_detect_model *m, double x, struct ev_detect_score *o)
{
	struct ewma *e = &m->u.ew;
	double sc, r, a;

	sc = floor_scale(m, e->m, sqrt(e->v));
	if (e->n >= 5)
		fill(m, o, x, e->m, sc);
	if (e->n == 0) {
		e->m = x;
		e->v = 0;
		e->n = 1;
		return;
	}
	r = x - e->m;
	if (e->n >= 5)
		r = clip(r, CLIP * sc);
	e->n++;
	a = 1.0 / (double)e->n;
	if (a < m->p.alpha)
		a = m->p.alpha;
	e->m += a * r;
	e->v = (1 - a) * (e->v + a * r * r);
}

/* seasonal */

static int
bin_usable(const struct bin *b, int32_t cur)
{
	return b->visits >= 2 || (b->visits == 1 && b->last != cur);
}

static void
bin_learn(struct bin *b, double target, double wgt, double amin,
    double lim, int32_t cur)
{
	double r, a;

	if (wgt <= 0)
		return;
	if (b->last != cur || b->visits == 0) {
		b->visits++;
		b->last = cur;
	}
	if (b->n == 0) {
		b->v = target;
		b->n = wgt;
		return;
	}
	r = target - b->v;
	if (lim > 0)
		r = clip(r, lim);
	b->n += wgt;
	a = wgt / b->n;
	if (a < amin * wgt)
		a = amin * wgt;
	b->v += a * r;
}

/*
 * Tails of counts.  The regularized incomplete beta function I_x(a,b) by
 * its continued fraction (DLMF 8.17.22, evaluated with the modified Lentz
 * method), on the side of the mean where it converges fast; the other side
 * is its complement, so the smaller tail is always the one computed.
 */
/* One modified-Lentz step with coefficient t: the factor it multiplies by. */
static double
lentz_step(double t, double *c, double *d)
{
	const double tiny = 1e-300;

	*d = 1 + t * *d;
	if (fabs(*d) < tiny)
		*d = tiny;
	*c = 1 + t / *c;
	if (fabs(*c) < tiny)
		*c = tiny;
	*d = 1 / *d;
	return *d * *c;
}

static double
betacf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-13;
	double c = 1, d, h, del;
	int k;

	d = 1 - (a + b) * x / (a + 1);
	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (k = 1; k <= 2000; k++) {
		h *= lentz_step(k * (b - k) * x / ((a + 2 * k - 1) *
		    (a + 2 * k)), &c, &d);
		del = lentz_step(-(a + k) * (a + b + k) * x / ((a + 2 * k) *
		    (a + 2 * k + 1)), &c, &d);
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

/* I_x(a,b) into *lo and 1 - I_x(a,b) into *hi. */
static void
betai2(double a, double b, double x, double *lo, double *hi)
{
	double pre, v;

	if (x <= 0 || x >= 1) {
		*lo = x <= 0 ? 0 : 1;
		*hi = 1 - *lo;
		return;
	}
	pre = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
	    b * log1p(-x);
	if (x < (a + 1) / (a + b + 2)) {
		v = fmin(1, exp(pre) * betacf(a, b, x) / a);
		*lo = v;
		*hi = 1 - v;
	} else {
		v = fmin(1, exp(pre) * betacf(b, a, 1 - x) / b);
		*hi = v;
		*lo = 1 - v;
	}
}

/*
 * Mid-p tails of the count y when the mean is mu and the variance
 * phi*mu + tau2*mu^2: y/phi is taken as negative binomial with mean mu/phi
 * and size 1/tau2 (a Poisson count with dispersion phi whose mean is
 * itself uncertain by tau).  *lo is P(Y < y) + P(Y = y)/2, *hi the rest.
 */
static void
count_tails(double y, double mu, double phi, double tau2, double *lo,
    double *hi)
{
	double x = fmax(y, 0) / phi, k = 1 / tau2, p, f1lo, f1hi, f0lo, f0hi;

	p = k / (k + mu / phi);
	/* F(x) = P(X <= x) = I_p(k, x + 1); F(x - 1) below it. */
	betai2(k, x + 1, p, &f1lo, &f1hi);
	if (x >= 1)
		betai2(k, x, p, &f0lo, &f0hi);
	else {
		/* Between F(-1) = 0 and F(0) = p^k for a fractional x. */
		f0lo = x * exp(k * log(p));
		f0hi = 1 - f0lo;
	}
	*lo = (f1lo + f0lo) / 2;
	*hi = (f1hi + f0hi) / 2;
}

/*
 * The variance-stabilising transform of that variance (Anscombe's square
 * root for small counts, the logarithm for large ones), and its inverse:
 * the bounds are expected +- z in this scale.
 */
static double
vst(double v, double phi, double tau2)
{
	double t = sqrt(tau2);

	return 2 / t * asinh(t * sqrt((fmax(v, 0) + 0.375) / phi));
}

static double
vst_inv(double g, double phi, double tau2)
{
	double t = sqrt(tau2), s;

	if (g <= 0)
		return 0;
	s = sinh(t * g / 2) / t;
	return fmax(0, phi * s * s - 0.375);
}

/* s's factors of a step of step hours (struct rates). */
static const struct rates *
step_rates(const struct ev_detect_model *m, struct seasonal *s, double step)
{
	struct rates *rt = &s->rt;

	if (step != rt->step) {
		rt->step = step;
		rt->noise = 1 - pow(0.5, step / NOISE_HALFLIFE);
		rt->level = 1 - pow(0.5, step / m->p.level_halflife);
		rt->slow = 1 - pow(0.5, step / SLOW_HALFLIFE);
		rt->season = 1 - pow(1 - m->p.season_rate, fmin(step, 1));
	}
	return rt;
}

/*
 * A sustained shift smaller than the point threshold: a two-sided CUSUM of
 * the residual z with allowance k (clipped at CLIP so one spike does not
 * linger).  Without a shift S has a stationary tail P(S > s) ~ exp(-2ks),
 * which is the probability used when it says more than the point itself.
 * zlow bounds the evidence of the lower side (see count_zlow).
 */
static void
seasonal_cusum(const struct ev_detect_model *m, struct seasonal *s,
    struct ev_detect_score *o, double zslow, double zlow, double step)
{
	double k = 2 * m->p.cusum_k, z = o->z, S, p, zc, rho, g;

	/*
	 * A sustained shift must show against both baselines: the one with
	 * the fast level and the slow structure alone.  Once a shift ends,
	 * the fast level still remembers it for a few hours, and without
	 * this the return to normal would read as a second shift.
	 */
	if ((z > 0) != (zslow > 0))
		z = 0;
	else if (fabs(zslow) < fabs(z))
		z = zslow;
	z = clip(z, CLIP);
	/*
	 * Residuals of fine windows are autocorrelated (a minute is much
	 * like the minute before), and a sum of n such residuals varies
	 * (1 + rho) / (1 - rho) times more than n independent ones (AR(1)).
	 * Each residual counts as that much less evidence, so the CUSUM's
	 * tail stays what it says on hourly and on one-minute series alike.
	 */
	/*
	 * rho from the signs of consecutive residuals (for a normal pair
	 * E[sign sign] = 2/pi asin rho): each pair weighs the same, so a
	 * run of outage points, itself "autocorrelated", barely moves it
	 * and does not discount its own evidence, while a heavy-tailed
	 * series is read as well as a clean one.
	 */
	zc = o->z > 0 ? 1 : o->z < 0 ? -1 : 0;
	g = fmax(1 / (s->ns + 1), step_rates(m, s, step)->noise);
	s->azz += g * (zc * zc - s->azz);
	s->az1 += g * (zc * s->zprev - s->az1);
	s->zprev = zc;
	rho = s->azz > 0 ? sin(M_PI / 2 * clip(s->az1 / s->azz, 1)) : 0;
	if (rho > 0)
		z *= sqrt((1 - rho) / (1 + rho));

	s->cp = fmax(0, s->cp + z - k);
	s->np = s->cp > 0 ? s->np + 1 : 0;
	s->cn = fmax(0, s->cn - fmax(z, zlow) - k);
	s->nn = s->cn > 0 ? s->nn + 1 : 0;
	S = fmax(s->cp, s->cn);
	p = exp(-2 * k * S);
	if (1 - p > o->score) {
		o->score = 1 - p;
		s->dir = s->cp >= s->cn ? 1 : -1;
	} else
		s->dir = 0;
}

/*
 * The lower side of the CUSUM sees a count below a mean of one by its own
 * mid-p tail under that mean, not by its z against the Poisson floor of
 * one: there an empty window is about -1.1 sigmas however likely it is
 * (0.98 where 0.02 was expected), and a sparse count's empty windows would
 * add up to a drop.  Such a drop is the rate CUSUM's (count_step).
 */
static double
count_zlow(const struct ev_detect_model *m, double x, double mu)
{
	const struct seasonal *s = m->u.se;
	double lo, hi, r, z;

	if (!is_count(m) || mu >= 1)
		return -INFINITY;
	count_tails(x, mu, s->phi, s->tau2, &lo, &hi);
	r = fmin(lo, hi);
	z = r >= 0.5 ? 0 : r < 1e-300 ? 37.5 : -norm_ppf_low(r);
	return lo < hi ? -z : z;
}

/*
 * Learn the noise from one residual r (value units) at mean mu, where the
 * current fit says V: reweighted least squares of r^2 on mu and mu^2 with
 * exponential forgetting.  The weights are 1/V, not the 1/V^2 of the
 * squared residual's own variance, which would let the night's counts of
 * 0 to 2, where the log-space mean is least sure, decide the fit alone.
 */
static void
noise_learn(const struct ev_detect_model *m, struct seasonal *s, double r,
    double mu, double V, double step)
{
	double a = mu, b = mu * mu, r2 = r * r, w, g, det, phimin;
	double phi, tau2;

	if (s->ns < NOISE_CLIPPED) {
		if (r2 > CLIP * CLIP * V)
			r2 = CLIP * CLIP * V;
	} else {
		/*
		 * Once the fit has settled, a residual beyond CLIP sigmas is
		 * left out (an outage must not widen its own band while it
		 * lasts), and the rest scaled up for the truncation.
		 */
		if (r2 > CLIP * CLIP * V)
			return;
		r2 /= TRUNC_CLIP;
	}
	w = 1 / V;
	g = step_rates(m, s, step)->noise;
	if (g < 1 / (s->ns + 1))
		g = 1 / (s->ns + 1);
	s->qaa += g * (w * a * a - s->qaa);
	s->qab += g * (w * a * b - s->qab);
	s->qbb += g * (w * b * b - s->qbb);
	s->qar += g * (w * a * r2 - s->qar);
	s->qbr += g * (w * b * r2 - s->qbr);
	if (s->ns + 1 < SEASONAL_MIN)
		return;
	phimin = is_count(m) ? 1 : 1e-9;
	det = s->qaa * s->qbb - s->qab * s->qab;
	if (det > 1e-9 * s->qaa * s->qbb) {
		phi = (s->qar * s->qbb - s->qbr * s->qab) / det;
		tau2 = (s->qaa * s->qbr - s->qab * s->qar) / det;
	} else {
		/* One mean only: all of it is dispersion at that mean. */
		phi = (s->qar - s->qab * TAU2_MIN) / s->qaa;
		tau2 = TAU2_MIN;
	}
	if (!(phi >= phimin)) {
		phi = phimin;
		tau2 = (s->qbr - s->qab * phi) / s->qbb;
	}
	if (!(tau2 >= TAU2_MIN)) {
		tau2 = TAU2_MIN;
		phi = fmax(phimin, (s->qar - s->qab * tau2) / s->qaa);
	}
	if (tau2 > TAU2_MAX)
		tau2 = TAU2_MAX;
	if (isfinite(phi) && isfinite(tau2)) {
		s->phi = phi;
		s->tau2 = tau2;
	}
}

/*
 * Whether a shift is under way: the CUSUM of z beyond FREEZE_S, or for a
 * count the rate CUSUM beyond the same tail probability exp(-2 k FREEZE_S).
 */
static int
seasonal_held(const struct ev_detect_model *m)
{
	if (is_count(m) && ev_detect_count_evidence(&m->cc) >=
	    4 * m->p.cusum_k * FREEZE_S)
		return 1;
	return fmax(m->u.se->cp, m->u.se->cn) >= FREEZE_S;
}

static void
seasonal_step(struct ev_detect_model *m, const struct ev_detect_point *pt,
    struct ev_detect_score *o)
{
	struct seasonal *s = m->u.se;
	double y, u, f, how, step, D = 0, Wv, pred, mu0, mu, mus, V, sig, lim = 0,
	    amin, ah, r, lo, hi, g;
	int32_t day;
	int d0, d1, dow, ready;

	y = log1p(fmax(pt->value, 0));
	how = fmod(pt->local_hours + 96, 168);
	if (how < 0)
		how += 168;
	day = (int32_t)floor(pt->local_hours / 24);
	dow = (int)floor(how / 24) % 7;
	step = pt->step_hours > 0 ? fmin(pt->step_hours, 24) : 1;

	u = how - 0.5;
	if (u < 0)
		u += 168;
	d0 = (int)floor(u) % 24;
	d1 = (d0 + 1) % 24;
	f = u - floor(u);
	/*
	 * Blend neighbouring hours, but never across local midnight: weekday
	 * and weekend levels often change there in one step.
	 */
	if (d1 == 0) {
		if (f < 0.5)
			d1 = d0;
		else
			d0 = d1;
		f = 0;
	}

	/*
	 * log(1 + value) = slow level + daily shape + weekday offset + fast
	 * level.  The weekday offsets make the weekly shape: each is learned
	 * from whole days (24 hourly residuals a visit), so one week of
	 * history gives a usable weekly shape, where an hour-of-week bin
	 * would be a single noisy point.  At a new local day the last one's
	 * mean residual moves its weekday offset (a running mean of those
	 * days, then season_rate a week).
	 */
	if (day != s->accday) {
		if (s->accw > 0) {
			int ad = (int)(((s->accday + 4) % 7 + 7) % 7);
			struct bin *b = &s->w[ad];

			bin_learn(b, b->v + s->acc / s->accw, s->accw,
			    m->p.season_rate, 0, s->accday);
		}
		s->acc = s->accw = 0;
		s->accday = day;
	}
	ready = bin_usable(&s->d[d0], day) && bin_usable(&s->d[d1], day);
	if (ready)
		D = (1 - f) * s->d[d0].v + f * s->d[d1].v;
	Wv = s->w[dow].n > 0 ? s->w[dow].v : 0;
	pred = s->S + D + Wv + s->L;

	/* The mean of the count (log space predicts its geometric mean). */
	mu0 = fmax(0, expm1(pred));
	V = s->phi * mu0 + s->tau2 * mu0 * mu0;
	mu = fmax(0, expm1(pred + 0.5 * V / ((1 + mu0) * (1 + mu0))));
	V = s->phi * mu + s->tau2 * mu * mu;
	mus = fmax(0, expm1(pred - s->L + 0.5 * V / ((1 + mu0) * (1 + mu0))));
	if (V < m->p.min_scale * m->p.min_scale)
		V = m->p.min_scale * m->p.min_scale;
	if (V < 1e-18 * fmax(1, mu * mu))
		V = 1e-18 * fmax(1, mu * mu);
	sig = sqrt(V) / (1 + mu);

	if (ready && s->ns >= SEASONAL_MIN) {
		o->scored = 1;
		o->method = method_names[EV_DETECT_SEASONAL];
		o->expected = mu;
		if (is_count(m)) {
			/*
			 * The normal z with the same two-sided tail.  A count
			 * model never expects less than one (the Poisson floor
			 * of the scale): a 2 where 0.1 was expected is noise.
			 */
			g = vst(fmax(mu, 1), s->phi, s->tau2);
			o->z = vst(pt->value, s->phi, s->tau2) - g;
			/*
			 * Near the middle the variance-stabilised z is close
			 * to the exact one, and five times cheaper; the tails,
			 * where alerts are decided, are computed exactly.
			 */
			if (fabs(o->z) >= EXACT_Z) {
				count_tails(pt->value, fmax(mu, 1), s->phi,
				    s->tau2, &lo, &hi);
				r = fmin(lo, hi);
				o->z = r >= 0.5 ? 0 : r < 1e-300 ? 37.5 :
				    -norm_ppf_low(r);
				if (lo < hi)
					o->z = -o->z;
			}
			o->lower = vst_inv(g - m->zc, s->phi, s->tau2);
			o->upper = vst_inv(g + m->zc, s->phi, s->tau2);
		} else {
			o->z = (y - pred) / sig;
			o->lower = fmax(0, expm1(pred - m->zc * sig));
			o->upper = expm1(pred + m->zc * sig);
		}
		o->score = ev_detect_score_of_z(o->z);
		/* The slow structure's z, in the variance-stabilised scale. */
		if (is_count(m))
			r = o->z + vst(fmax(mu, 1), s->phi, s->tau2) -
			    vst(fmax(mus, 1), s->phi, s->tau2);
		else
			r = o->z + s->L / sig;
		seasonal_cusum(m, s, o, r, count_zlow(m, pt->value, mu),
		    step);
		/* When the CUSUM made the score, the way is the run's. */
		if (s->dir != 0)
			o->direction = s->dir;
		else
			set_direction(o, pt->value, o->z);
	}

	if (s->ns >= 5)
		lim = CLIP * sig;
	amin = step_rates(m, s, step)->season;
	if (ready) {
		r = y - pred;
		if (lim > 0)
			r = clip(r, lim);
		ah = step_rates(m, s, step)->level;
		s->L += ah * r;
		noise_learn(m, s, pt->value - mu, mu, V, step);
		s->ns += 1;
		/*
		 * The structure learns from what the other parts leave: the
		 * day's residual for its weekday offset (at the day's end),
		 * the daily shape net of the fast level (so a weekend that
		 * the level follows does not bend the shape), then the slow
		 * level.
		 */
		r = y - s->S - D - Wv;
		if (lim > 0)
			r = clip(r, lim);
		/*
		 * While the CUSUM holds the evidence of a shift in progress,
		 * only the fast level learns: a twelve-hour shift must not
		 * bend tomorrow's daily shape.  A lasting shift is learned by
		 * the structure once the fast level has followed it and the
		 * CUSUM has let go.  Not on a weekday seen for the first time:
		 * the first weekend is news, not a shift.
		 */
		if (seasonal_held(m) && s->w[dow].n > 0)
			return;
		s->acc += step / 24 * r;
		s->accw += step / 24;
		bin_learn(&s->d[d0], y - s->S - Wv - s->L, 1 - f, amin, lim,
		    day);
		bin_learn(&s->d[d1], y - s->S - Wv - s->L, f, amin, lim, day);
		D = (1 - f) * s->d[d0].v + f * s->d[d1].v;
		r = y - s->S - D - Wv;
		if (lim > 0)
			r = clip(r, lim);
		/*
		 * Not on a weekday seen for the first time: in the first week
		 * the weekend would pull the slow level down (the fast level
		 * follows it), and Monday would look like a shift.
		 */
		if (s->w[dow].n > 0)
			s->S += step_rates(m, s, step)->slow * r;
	} else {
		bin_learn(&s->d[d0], y - s->S - Wv, 1 - f, amin, lim, day);
		bin_learn(&s->d[d1], y - s->S - Wv, f, amin, lim, day);
	}
}

/* cusum */

static void
cusum_step(struct ev_detect_model *m, double x, struct ev_detect_score *o)
{
	struct cusum *c = &m->u.cs;
	struct ev_rollmed *r = &c->r;
	int need = m->p.window < 5 ? m->p.window : 5;
	double med, mad, sc, z, S, zs, p;
	int n;

	if (r->len < need || r->len < 1) {
		ev_rollmed_push(r, x);
		return;
	}
	ring_median_mad(r, &med, &mad);
	sc = MAD_SIGMA * mad;
	if (c->hold_left > 0) {
		if (sc < c->hold)
			sc = c->hold;
		c->hold_left--;
	}
	sc = floor_scale(m, med, sc);
	z = (x - med) / sc;
	c->sp = fmax(0, c->sp + z - m->p.cusum_k);
	c->np = c->sp > 0 ? c->np + 1 : 0;
	c->sn = fmax(0, c->sn - z - m->p.cusum_k);
	c->nn = c->sn > 0 ? c->nn + 1 : 0;

	fill(m, o, x, med, sc);
	if (c->sp >= c->sn && c->np > 0) {
		S = c->sp;
		n = c->np;
	} else if (c->nn > 0) {
		S = -c->sn;
		n = c->nn;
	} else {
		S = 0;
		n = 1;
	}
	/* Mean z since the change point, Bonferroni over n candidates. */
	zs = (S + (S >= 0 ? 1 : -1) * m->p.cusum_k * n) / sqrt(n);
	p = tail2(zs) * (n > 1 ? (double)n : 1);
	/* The point's own evidence counts too (o->score, from fill). */
	if (p < 1 && 1 - p > o->score) {
		o->score = 1 - p;
		set_direction(o, x, S);
	}

	ev_rollmed_push(r, x);
	/* A confirmed shift: the baseline restarts from the new level. */
	if (fabs(S) >= m->p.cusum_h && n >= 3) {
		c->hold = sc;
		c->hold_left = m->p.window / 2;
		ev_rollmed_keep(r, n > need ? n : need);
		c->sp = c->sn = 0;
		c->np = c->nn = 0;
	}
}

/* Life cycle. */

struct ev_detect_model *
ev_detect_model_new(const struct ev_detect_params *p)
{
	struct ev_detect_model *m = ev_xcalloc(1, sizeof(*m));
	struct ev_detect_params sp;
	int i;

	m->p = *p;
	m->kind = p->method;
	m->zc = ev_detect_z_of_conf(p->confidence);
	switch (m->kind) {
	case EV_DETECT_ROBUST:
		ev_rollmed_init(&m->u.rb.r, p->window);
		break;
	case EV_DETECT_CUSUM:
		ev_rollmed_init(&m->u.cs.r, p->window);
		break;
	case EV_DETECT_SEASONAL:
		m->u.se = ev_xcalloc(1, sizeof(*m->u.se));
		/* Poisson noise and a 10% baseline error until learned. */
		m->u.se->phi = 1;
		m->u.se->tau2 = 0.01;
		break;
	case EV_DETECT_EWMA:
		break;
	case EV_DETECT_AUTO:
		for (i = 0; i < NSUB; i++) {
			sp = *p;
			sp.method = (enum ev_detect_method)i;
			sp.warmup = 0;
			sp.warmup_hours = 0;
			m->sub[i] = ev_detect_model_new(&sp);
		}
		break;
	}
	return m;
}

void
ev_detect_model_free(struct ev_detect_model *m)
{
	int i;

	if (m == NULL)
		return;
	free(m->hist);
	ev_detect_tail_release(&m->tail);
	free(m->memo);
	free(m->recur);
	switch (m->kind) {
	case EV_DETECT_ROBUST:
		ev_rollmed_release(&m->u.rb.r);
		break;
	case EV_DETECT_CUSUM:
		ev_rollmed_release(&m->u.cs.r);
		break;
	case EV_DETECT_SEASONAL:
		free(m->u.se);
		break;
	case EV_DETECT_EWMA:
		break;
	case EV_DETECT_AUTO:
		for (i = 0; i < NSUB; i++)
			ev_detect_model_free(m->sub[i]);
		break;
	}
	free(m);
}

int64_t
ev_detect_model_points(const struct ev_detect_model *m)
{
	return m->n;
}

static void
auto_step(struct ev_detect_model *m, const struct ev_detect_point *pt,
    struct ev_detect_score *o)
{
	struct ev_detect_score s[NSUB];
	int i, best = -1;

	for (i = 0; i < NSUB; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		ev_detect_model_step(m->sub[i], pt, &s[i]);
	}
	/* Choose on the error before this point, then account for it. */
	for (i = 0; i < NSUB; i++) {
		if (!s[i].scored || m->cnt[i] < AUTO_MIN)
			continue;
		if (best < 0 || m->err[i] < m->err[best])
			best = i;
	}
	if (best < 0 && s[EV_DETECT_ROBUST].scored)
		best = EV_DETECT_ROBUST;
	if (best >= 0)
		*o = s[best];
	/*
	 * The median of a sparse count is 0, and its error the smallest:
	 * auto reports robust there, which sees no drop.  The seasonal
	 * baseline's rate CUSUM does; when it holds more evidence than the
	 * chosen point, the seasonal baseline is reported.
	 */
	if (best >= 0 && best != EV_DETECT_SEASONAL &&
	    s[EV_DETECT_SEASONAL].scored &&
	    exp(-ev_detect_count_evidence(&m->sub[EV_DETECT_SEASONAL]->cc)) <
	    1 - o->score)
		*o = s[EV_DETECT_SEASONAL];
	for (i = 0; i < NSUB; i++) {
		double e, a;

		if (!s[i].scored)
			continue;
		e = fabs(pt->value - s[i].expected);
		m->cnt[i]++;
		a = 1.0 / (double)m->cnt[i];
		if (a < 0.05)
			a = 0.05;
		m->err[i] += a * (e - m->err[i]);
	}
}

/*
 * A count's rate CUSUM (lib/ev_detect_count.h) against the seasonal mean
 * when there is one, else its own baseline: its evidence of a lasting
 * drop or rise raises the point's score when it says more, and gives the
 * direction.
 */
static void
count_step(struct ev_detect_model *m, const struct ev_detect_point *pt,
    struct ev_detect_score *o)
{
	double p;

	if (m->kind != EV_DETECT_SEASONAL || !o->scored)
		return;
	p = ev_detect_count_step(&m->cc, pt->value, o->expected,
	    pt->step_hours);
	if (p < 1 - o->score) {
		o->score = 1 - p;
		o->p = p;
		o->direction = -1;
	}
}

static int
hist_bin(double az)
{
	double b = log(az / HIST_LO) / log(HIST_RATIO);

	if (!(b >= 0))
		return -1;
	return b >= HIST_BINS - 1 ? HIST_BINS - 1 : (int)b;
}

/*
 * Calibrate a score by the series' own history: a deviation that this
 * series has reached k >= HIST_MIN_K times in n scored points is a
 * k / (n + 1) event, however rare the model says it is.  Real metrics
 * have heavier tails than any noise model fitted to their middle (bursts,
 * batch jobs, retries); the model's tail is trusted until the data show
 * otherwise, so a clean series keeps the model's sensitivity.  Then the
 * point joins the history.
 */
static int
calibrate(struct ev_detect_model *m, struct ev_detect_score *o, double step)
{
	int run = 0;
	double days = (double)m->nscored * step / 24;
	double az = fabs(o->z), p = 1 - o->score, pt;
	int b = hist_bin(az), i;
	int64_t k = 0;

	/*
	 * The model's own tail from z, without the cancellation of 1 - score,
	 * unless other evidence (a CUSUM) made the score higher than z does.
	 */
	if (p >= tail2(o->z) - 1e-12)
		p = tail2(o->z);
	else {
		run = 1;
		if (o->p > 0 && o->p < p + 1e-12)
			p = o->p;	/* the rate CUSUM's, without rounding */
	}
	if (b >= 0 && m->hist != NULL) {
		for (i = b; i < HIST_BINS; i++)
			k += m->hist[i];
		if (k >= HIST_MIN_K && (double)k >= HIST_PER_DAY * days &&
		    (double)k / (double)(m->nscored + 1) > p)
			p = (double)k / (double)(m->nscored + 1);
	}
	/*
	 * The series' own tail, peaks over threshold (lib/ev_detect_tail.h):
	 * the share of its points that went as far on this side.  It counts
	 * every point, where the excursions above count once, so a long or
	 * frequent excursion of one-minute noise is as ordinary as its
	 * points are many.  A point that is rarer than TAIL_KEEP_OUT by now
	 * is a candidate incident, not noise: it stays out of the tail (the
	 * excursions above still learn it), or one incident would hide the
	 * next one like it for as long as the tail remembers it.
	 */
	if (ev_detect_tail_p(&m->tail, o->z, &pt) && pt > p)
		p = pt;
	if (p >= TAIL_KEEP_OUT)
		ev_detect_tail_learn(&m->tail, o->z);
	if (p < 1e-300)
		p = 1e-300;
	o->p = p;
	/* A finite deviation never scores exactly 1. */
	o->score = fmin(1 - p, nextafter(1.0, 0.0));
	m->nscored++;
	/*
	 * An excursion (points in a row beyond HIST_LO) counts once, by its
	 * peak, when it ends: a long incident is one event of the history,
	 * and the one under way does not explain itself away.
	 */
	if (b >= 0) {
		if (az > m->peak)
			m->peak = az;
		return run;
	}
	if (m->peak > 0) {
		b = hist_bin(m->peak);
		if (m->hist == NULL)
			m->hist = ev_xcalloc(HIST_BINS, sizeof(*m->hist));
		if (m->hist[b] < UINT32_MAX)
			m->hist[b]++;
		m->peak = 0;
	}
	return run;
}

/*
 * The routine of the time of day: days of the last MEMO_DAYS whose value
 * at this quarter hour (or the one before or after, for a job's jitter)
 * went at least half as far from expected as x, on its side (a job's
 * level varies by its own noise from day to day); with MEMO_MIN of them the
 * point's p is at least that share of the days.  Not when a CUSUM's run
 * made the score (run): a lasting drop is not excused by one value that
 * is ordinary at this hour, such as an empty minute of a sparse count.
 * Then x joins today's bin.
 */
static void
routine(struct ev_detect_model *m, const struct ev_detect_point *pt,
    struct ev_detect_score *o, int run)
{
	struct memo *mm;
	double lh = pt->local_hours, x = pt->value, p;
	double half = o->expected + (x - o->expected) / 2;
	int32_t day = (int32_t)floor(lh / 24);
	int b = (int)((lh - 24.0 * day) * MEMO_BINS / 24), i, j, c = 0, seen = 0;
	int slot = (int)(((day % MEMO_DAYS) + MEMO_DAYS) % MEMO_DAYS);

	if (b < 0)
		b = 0;
	if (b >= MEMO_BINS)
		b = MEMO_BINS - 1;
	if (m->memo == NULL) {
		m->memo = ev_xcalloc(1, sizeof(*m->memo));
		for (i = 0; i < MEMO_DAYS; i++)
			m->memo->day[i] = INT32_MIN;
	}
	mm = m->memo;
	if (o->scored && o->direction != 0 && !run && o->p < MEMO_P) {
		for (i = 0; i < MEMO_DAYS; i++) {
			int hit = 0;

			if (mm->day[i] >= day || mm->day[i] < day - MEMO_DAYS)
				continue;
			seen++;
			for (j = b - 1; j <= b + 1; j++) {
				int k = (j + MEMO_BINS) % MEMO_BINS;

				if (o->direction > 0 ? mm->hi[i][k] >= half :
				    mm->lo[i][k] <= half)
					hit = 1;
			}
			c += hit;
		}
		if (c >= MEMO_MIN) {
			p = (double)c / (double)(seen + 1);
			if (p > o->p) {
				o->p = p;
				o->score = 1 - p;
			}
		}
	}
	if (mm->day[slot] != day) {
		mm->day[slot] = day;
		for (j = 0; j < MEMO_BINS; j++) {
			mm->lo[slot][j] = INFINITY;
			mm->hi[slot][j] = -INFINITY;
		}
	}
	if (x < mm->lo[slot][b])
		mm->lo[slot][b] = (float)x;
	if (x > mm->hi[slot][b])
		mm->hi[slot][b] = (float)x;
}

/*
 * Recurrence (lib/ev_detect_recur.h): a short burst rarer than
 * EV_DETECT_RECUR_P that the series made, at least half as far from
 * expected, on EV_DETECT_RECUR_MIN distinct earlier days of the last week
 * is what the series does.  Not when a CUSUM's run made the score (a
 * lasting drop is not excused by single points as far).
 */
static void
recurrence(struct ev_detect_model *m, const struct ev_detect_point *pt,
    struct ev_detect_score *o, int run)
{
	double p;

	if (!o->scored)
		return;
	if (m->recur == NULL) {
		m->recur = ev_xcalloc(1, sizeof(*m->recur));
		ev_detect_recur_init(m->recur);
	}
	p = ev_detect_recur_step(m->recur, pt->local_hours -
	    pt->step_hours / 2, pt->step_hours, pt->value - o->expected, o->p,
	    o->direction != 0 && !run);
	if (p > o->p) {
		o->p = p;
		o->score = 1 - p;
	}
}

/*
 * Warm-up: no score until the series has the history its method needs
 * (EV_DETECT_WARMUP_AUTO, ev_detect.h) or the caller asked for, in its own
 * time and in points.  The point is learned and calibrated all the same.
 * Seasonal needs two days whatever the caller says: a daily shape seen
 * once is one day's noise.  An auto model's baselines wait for none: the
 * auto model itself waits.
 */
static void
warmup(struct ev_detect_model *m, const struct ev_detect_point *pt,
    struct ev_detect_score *out)
{
	double need = m->p.warmup_hours;
	double seen = fmax(0, pt->local_hours - pt->step_hours / 2 - m->t0);

	if (need < 0)
		need = m->kind == EV_DETECT_SEASONAL ?
		    EV_DETECT_WARMUP_SEASONAL : EV_DETECT_WARMUP_DAY;
	if (m->kind == EV_DETECT_SEASONAL && need < EV_DETECT_WARMUP_SEASONAL)
		need = EV_DETECT_WARMUP_SEASONAL;
	if (seen < need - 1e-9) {	/* hours as doubles: not exact */
		out->scored = 0;
		out->warming = 1;
		out->warm_seen = seen;
		out->warm_need = need;
	} else if (out->scored && m->n <= m->p.warmup) {
		out->scored = 0;
		out->warming = 2;
		out->warm_seen = (double)(m->n - 1);
		out->warm_need = m->p.warmup;
	}
}

void
ev_detect_model_step(struct ev_detect_model *m,
    const struct ev_detect_point *pt, struct ev_detect_score *out)
{
	int run;

	memset(out, 0, sizeof(*out));
	if (!isfinite(pt->value))
		return;
	if (pt->value < 0 || pt->value != floor(pt->value))
		m->cont = 1;
	switch (m->kind) {
	case EV_DETECT_ROBUST:
		robust_step(m, pt->value, out);
		break;
	case EV_DETECT_EWMA:
		ewma_step(m, pt->value, out);
		break;
	case EV_DETECT_SEASONAL:
		seasonal_step(m, pt, out);
		break;
	case EV_DETECT_CUSUM:
		cusum_step(m, pt->value, out);
		break;
	case EV_DETECT_AUTO:
		auto_step(m, pt, out);
		break;
	}
	if (m->kind != EV_DETECT_AUTO && is_count(m))
		count_step(m, pt, out);
	/* The start of the first window: a first point's step is a guess. */
	if (m->n == 0)
		m->t0 = pt->local_hours - pt->step_hours / 2;
	run = out->scored && m->kind != EV_DETECT_AUTO &&
	    calibrate(m, out, pt->step_hours);
	/*
	 * Seasonal has its own daily and weekly shape; the memory of the
	 * time of day, which knows no weekday, is for the baselines that
	 * have no notion of time (a weekday's outage can look like Sunday).
	 */
	if (m->kind != EV_DETECT_AUTO && m->kind != EV_DETECT_SEASONAL)
		routine(m, pt, out, run);
	if (m->kind != EV_DETECT_AUTO)
		recurrence(m, pt, out, run);
	m->n++;
	warmup(m, pt, out);
}

/* State. */

static json_t *
ring_save(const struct ev_rollmed *r)
{
	json_t *a = json_array();
	int i;

	/* Oldest first, so a load with another capacity keeps the newest. */
	for (i = 0; i < r->len; i++)
		json_array_append_new(a, json_real(ev_rollmed_at(r, i)));
	return a;
}

static int
ring_load(struct ev_rollmed *r, const json_t *a)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a))
		return -1;
	ev_rollmed_clear(r);
	json_array_foreach(a, i, v) {
		if (!json_is_number(v))
			return -1;
		ev_rollmed_push(r, json_number_value(v));
	}
	return 0;
}

static json_t *
bins_save(const struct bin *b, int n)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("[f,f,i,i]", b[i].v,
		    b[i].n, (json_int_t)b[i].visits, (json_int_t)b[i].last));
	return a;
}

static int
bins_load(struct bin *b, int n, const json_t *a)
{
	json_int_t visits, last;
	int i;

	if (!json_is_array(a) || json_array_size(a) != (size_t)n)
		return -1;
	for (i = 0; i < n; i++) {
		if (json_unpack(json_array_get(a, (size_t)i), "[F,F,I,I]",
		    &b[i].v, &b[i].n, &visits, &last) != 0)
			return -1;
		b[i].visits = (int32_t)visits;
		b[i].last = (int32_t)last;
	}
	return 0;
}

/* The same-time memory: per day [day, [lo...], [hi...]], none as null. */
static json_t *
memo_save(const struct memo *mm)
{
	json_t *a = json_array(), *lo, *hi;
	int i, j;

	for (i = 0; i < MEMO_DAYS; i++) {
		lo = json_array();
		hi = json_array();
		for (j = 0; j < MEMO_BINS; j++) {
			json_array_append_new(lo, isfinite(mm->lo[i][j]) ?
			    json_real(mm->lo[i][j]) : json_null());
			json_array_append_new(hi, isfinite(mm->hi[i][j]) ?
			    json_real(mm->hi[i][j]) : json_null());
		}
		json_array_append_new(a, json_pack("[i,o,o]",
		    (int)mm->day[i], lo, hi));
	}
	return a;
}

static int
memo_load(struct memo *mm, const json_t *a)
{
	const json_t *lo, *hi, *v;
	int i, j, day;

	if (!json_is_array(a) || json_array_size(a) != MEMO_DAYS)
		return -1;
	for (i = 0; i < MEMO_DAYS; i++) {
		if (json_unpack(json_array_get(a, (size_t)i), "[i,o,o]", &day,
		    &lo, &hi) != 0 || !json_is_array(lo) || !json_is_array(hi) ||
		    json_array_size(lo) != MEMO_BINS ||
		    json_array_size(hi) != MEMO_BINS)
			return -1;
		mm->day[i] = day;
		for (j = 0; j < MEMO_BINS; j++) {
			v = json_array_get(lo, (size_t)j);
			mm->lo[i][j] = json_is_number(v) ?
			    (float)json_number_value(v) : INFINITY;
			v = json_array_get(hi, (size_t)j);
			mm->hi[i][j] = json_is_number(v) ?
			    (float)json_number_value(v) : -INFINITY;
		}
	}
	return 0;
}

json_t *
ev_detect_model_save(const struct ev_detect_model *m)
{
	json_t *o, *a;
	int i;

	o = json_pack("{s:s,s:I,s:b,s:I,s:f,s:f}", "method",
	    method_names[m->kind], "n", (json_int_t)m->n, "cont", m->cont,
	    "nscored", (json_int_t)m->nscored, "peak", m->peak, "t0", m->t0);
	if (m->kind == EV_DETECT_SEASONAL && !m->cont)
		json_object_set_new(o, "count", ev_detect_count_save(&m->cc));
	if (m->hist) {
		a = json_array();
		for (i = 0; i < HIST_BINS; i++)
			json_array_append_new(a, json_integer(m->hist[i]));
		json_object_set_new(o, "hist", a);
	}
	if (m->memo)
		json_object_set_new(o, "memo", memo_save(m->memo));
	if (m->recur)
		json_object_set_new(o, "recur",
		    ev_detect_recur_save(m->recur));
	json_object_set_new(o, "tail", ev_detect_tail_save(&m->tail));
	switch (m->kind) {
	case EV_DETECT_ROBUST:
		json_object_set_new(o, "ring", ring_save(&m->u.rb.r));
		break;
	case EV_DETECT_EWMA:
		json_object_set_new(o, "ewma", json_pack("[f,f,I]",
		    m->u.ew.m, m->u.ew.v, (json_int_t)m->u.ew.n));
		break;
	case EV_DETECT_SEASONAL:
		json_object_set_new(o, "level", json_pack("[f,f,f]",
		    m->u.se->S, m->u.se->L, m->u.se->ns));
		json_object_set_new(o, "daily", bins_save(m->u.se->d, 24));
		json_object_set_new(o, "weekday", bins_save(m->u.se->w, 7));
		json_object_set_new(o, "today", json_pack("[f,f,i]",
		    m->u.se->acc, m->u.se->accw, (int)m->u.se->accday));
		json_object_set_new(o, "noise", json_pack("[f,f,f,f,f,f,f]",
		    m->u.se->qaa, m->u.se->qab, m->u.se->qbb, m->u.se->qar,
		    m->u.se->qbr, m->u.se->phi, m->u.se->tau2));
		json_object_set_new(o, "cusum", json_pack("[f,f,i,i]",
		    m->u.se->cp, m->u.se->cn, m->u.se->np, m->u.se->nn));
		json_object_set_new(o, "autocorr", json_pack("[f,f,f]",
		    m->u.se->azz, m->u.se->az1, m->u.se->zprev));
		break;
	case EV_DETECT_CUSUM:
		json_object_set_new(o, "ring", ring_save(&m->u.cs.r));
		json_object_set_new(o, "cusum", json_pack("[f,f,i,i,f,i]",
		    m->u.cs.sp, m->u.cs.sn, m->u.cs.np, m->u.cs.nn,
		    m->u.cs.hold, m->u.cs.hold_left));
		break;
	case EV_DETECT_AUTO:
		a = json_array();
		for (i = 0; i < NSUB; i++)
			json_array_append_new(a, json_pack("{s:o,s:f,s:I}",
			    "model", ev_detect_model_save(m->sub[i]),
			    "err", m->err[i], "cnt", (json_int_t)m->cnt[i]));
		json_object_set_new(o, "sub", a);
		break;
	}
	return o;
}

int
ev_detect_model_load(struct ev_detect_model *m, const json_t *v)
{
	const char *meth;
	json_int_t n, en;
	json_t *sub, *e;
	size_t i;

	if (json_unpack((json_t *)(uintptr_t)v, "{s:s,s:I}", "method", &meth,
	    "n", &n) != 0 || strcmp(meth, method_names[m->kind]) != 0)
		return -1;
	m->n = n;
	/* Absent in states of earlier versions: counts, as then. */
	m->cont = json_is_true(json_object_get(v, "cont"));
	m->nscored = json_integer_value(json_object_get(v, "nscored"));
	m->peak = json_number_value(json_object_get(v, "peak"));
	/* Absent in earlier states and for non-counts: a fresh detector. */
	if ((e = json_object_get(v, "count")) != NULL &&
	    ev_detect_count_load(&m->cc, e) != 0)
		return -1;
	/* Absent in states of earlier versions: long warmed up. */
	m->t0 = json_object_get(v, "t0") != NULL ?
	    json_number_value(json_object_get(v, "t0")) : -1e9;
	if ((e = json_object_get(v, "hist")) != NULL) {
		if (!json_is_array(e) || json_array_size(e) != HIST_BINS)
			return -1;
		if (m->hist == NULL)
			m->hist = ev_xcalloc(HIST_BINS, sizeof(*m->hist));
		for (i = 0; i < HIST_BINS; i++)
			m->hist[i] = (uint32_t)json_integer_value(
			    json_array_get(e, i));
	}
	/* Absent in states of earlier versions: learned afresh. */
	if ((e = json_object_get(v, "tail")) != NULL &&
	    ev_detect_tail_load(&m->tail, e) != 0)
		return -1;
	if ((e = json_object_get(v, "memo")) != NULL) {
		if (m->memo == NULL)
			m->memo = ev_xcalloc(1, sizeof(*m->memo));
		if (memo_load(m->memo, e) != 0)
			return -1;
	}
	if ((e = json_object_get(v, "recur")) != NULL) {
		if (m->recur == NULL)
			m->recur = ev_xcalloc(1, sizeof(*m->recur));
		if (ev_detect_recur_load(m->recur, e) != 0)
			return -1;
	}
	switch (m->kind) {
	case EV_DETECT_ROBUST:
		return ring_load(&m->u.rb.r, json_object_get(v, "ring"));
	case EV_DETECT_EWMA:
		if (json_unpack(json_object_get(v, "ewma"), "[F,F,I]",
		    &m->u.ew.m, &m->u.ew.v, &en) != 0)
			return -1;
		m->u.ew.n = en;
		return 0;
	case EV_DETECT_SEASONAL:
		if (json_unpack(json_object_get(v, "level"), "[F,F,F]",
		    &m->u.se->S, &m->u.se->L, &m->u.se->ns) != 0)
			return -1;
		if (bins_load(m->u.se->d, 24, json_object_get(v, "daily")) ||
		    bins_load(m->u.se->w, 7, json_object_get(v, "weekday")))
			return -1;
		if (json_unpack(json_object_get(v, "today"), "[F,F,i]",
		    &m->u.se->acc, &m->u.se->accw, &m->u.se->accday) != 0)
			return -1;
		if (json_unpack(json_object_get(v, "noise"), "[F,F,F,F,F,F,F]",
		    &m->u.se->qaa, &m->u.se->qab, &m->u.se->qbb, &m->u.se->qar,
		    &m->u.se->qbr, &m->u.se->phi, &m->u.se->tau2) != 0 ||
		    !(m->u.se->phi > 0) || !(m->u.se->tau2 > 0))
			return -1;
		if (json_unpack(json_object_get(v, "cusum"), "[F,F,i,i]",
		    &m->u.se->cp, &m->u.se->cn, &m->u.se->np,
		    &m->u.se->nn) != 0)
			return -1;
		/* Absent in states of earlier versions: learned afresh. */
		e = json_object_get(v, "autocorr");
		if (e != NULL && json_unpack(e, "[F,F,F]", &m->u.se->azz,
		    &m->u.se->az1, &m->u.se->zprev) != 0)
			return -1;
		return 0;
	case EV_DETECT_CUSUM:
		if (json_unpack(json_object_get(v, "cusum"), "[F,F,i,i,F,i]",
		    &m->u.cs.sp, &m->u.cs.sn, &m->u.cs.np, &m->u.cs.nn,
		    &m->u.cs.hold, &m->u.cs.hold_left) != 0)
			return -1;
		return ring_load(&m->u.cs.r, json_object_get(v, "ring"));
	case EV_DETECT_AUTO:
		sub = json_object_get(v, "sub");
		if (!json_is_array(sub) || json_array_size(sub) != NSUB)
			return -1;
		json_array_foreach(sub, i, e) {
			json_int_t cnt;
			json_t *mv;

			if (json_unpack(e, "{s:o,s:F,s:I}", "model", &mv,
			    "err", &m->err[i], "cnt", &cnt) != 0 ||
			    ev_detect_model_load(m->sub[i], mv) != 0)
				return -1;
			m->cnt[i] = cnt;
		}
		return 0;
	}
	return -1;
}
