/* transform.c: adstock and saturation curves (see transform.h).
 *
 * Followed, for the facts (the code is our own):
 * - Robyn, R/R/transformation.R at commit dad1cfac9cab (3.x, whose
 *   saturation_hill takes the inflexion as c(range(x) %*% c(1 - gamma,
 *   gamma)); earlier versions used round(quantile(seq(min(x), max(x),
 *   length.out = 100), gamma), 4)).  adstock_weibull there: scaleTrans =
 *   round(quantile(1:windlen, scale), 0); cdf: cumprod(c(1, 1 -
 *   pweibull(1:(windlen-1), shape, scaleTrans))); pdf:
 *   .normalize(dweibull(1:windlen, shape, scaleTrans)); x_decayed =
 *   rowSums of the lagged products; shape == 0 | scale == 0 returns x.
 *   run_transformations() adstocks the whole series and saturates the
 *   adstocked series over the modelling window, the inflexion coming from
 *   that window.
 * - R's nmath pweibull.c, dweibull.c, fround.c (round(x, 0) is nearbyint),
 *   cum.c (cumprod multiplies in long double), quantile.R (type 7).
 * - PyMC-Marketing, pymc_marketing/mmm/transformers.py at commit ad351e2ae883
 *   (geometric_adstock, delayed_adstock, logistic_saturation,
 *   michaelis_menten) and mmm/components/adstock.py at b08457854d6f (the
 *   classes default to normalize = True).
 */
#include <math.h>
#include <string.h>

#include "transform.h"

static const char *const adstock_names[] = { "none", "geometric",
	"geometric_trunc", "weibull_cdf", "weibull_pdf", "delayed" };
static const char *const saturation_names[] = { "none", "hill", "logistic",
	"michaelis" };

static int
find_name(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

int
adstock_kind_parse(const char *name)
{
	return find_name(adstock_names, sizeof adstock_names /
	    sizeof *adstock_names, name);
}

const char *
adstock_kind_name(adstock_kind kind)
{
	return (size_t)kind < sizeof adstock_names / sizeof *adstock_names ?
	    adstock_names[kind] : "?";
}

int
saturation_kind_parse(const char *name)
{
	return find_name(saturation_names, sizeof saturation_names /
	    sizeof *saturation_names, name);
}

const char *
saturation_kind_name(saturation_kind kind)
{
	return (size_t)kind < sizeof saturation_names /
	    sizeof *saturation_names ? saturation_names[kind] : "?";
}

static int
is_window(adstock_kind kind)
{
	return kind == ADSTOCK_GEOMETRIC_TRUNC || kind == ADSTOCK_WEIBULL_CDF ||
	    kind == ADSTOCK_WEIBULL_PDF || kind == ADSTOCK_DELAYED;
}

/* The weights of geometric_trunc and delayed before normalising. */
static double
power_weight(const adstock *a, size_t l)
{
	double d = (double)l - a->peak;

	if (a->kind == ADSTOCK_GEOMETRIC_TRUNC)
		return pow(a->theta, (double)l);
	return pow(a->theta, d * d);
}

const char *
adstock_check(const adstock *a)
{
	switch (a->kind) {
	case ADSTOCK_NONE:
		return NULL;
	case ADSTOCK_GEOMETRIC:
		if (!(a->theta >= 0 && a->theta < 1))
			return "THETA must be in [0, 1)";
		return NULL;
	case ADSTOCK_WEIBULL_CDF:
	case ADSTOCK_WEIBULL_PDF:
		if (!(a->shape >= 0 && isfinite(a->shape)))
			return "SHAPE must be a finite number >= 0";
		if (!(a->scale >= 0 && a->scale <= 1))
			return "SCALE must be in [0, 1]";
		break;
	case ADSTOCK_DELAYED:
		if (!(a->peak >= 0 && isfinite(a->peak)))
			return "PEAK must be a finite number >= 0";
		/* FALLTHROUGH */
	case ADSTOCK_GEOMETRIC_TRUNC:
		if (!(a->theta >= 0 && a->theta <= 1))
			return "THETA must be in [0, 1]";
		break;
	default:
		return "unknown adstock";
	}
	if (a->len == 0)
		return "the window length must be at least 1";
	if (a->len > ((size_t)-1 / 2) / sizeof(double))
		return "the window length is too large";
	if ((a->kind == ADSTOCK_GEOMETRIC_TRUNC || a->kind == ADSTOCK_DELAYED)
	    && a->normalize) {
		double sum = 0;
		for (size_t l = 0; l < a->len; l++)
			sum += power_weight(a, l);
		/* THETA 0 with a fractional PEAK, or PEAK far beyond the
		 * window: nothing to normalise. */
		if (!(sum > 0))
			return "every weight is 0 (THETA too small for PEAK)";
	}
	return NULL;
}

size_t
adstock_nweights(const adstock *a)
{
	return is_window(a->kind) ? a->len : 0;
}

size_t
adstock_state_len(const adstock *a)
{
	if (a->kind == ADSTOCK_GEOMETRIC)
		return 1;
	return is_window(a->kind) ? a->len - 1 : 0;
}

/* Robyn's scaleTrans: R's type 7 quantile of 1..len at p, rounded half to
 * even as R's round(q, 0) does. */
static double
weibull_scale(size_t len, double p)
{
	double index = 1 + (double)(len - 1) * p;
	double lo = floor(index), h = index - lo, q = lo;

	if (h > 0)
		q = (1 - h) * lo + h * (lo + 1);
	return nearbyint(q);
}

static void
weibull_weights(const adstock *a, double *w)
{
	size_t len = a->len;

	if (a->shape == 0 || a->scale == 0) {
		w[0] = 1;
		for (size_t l = 1; l < len; l++)
			w[l] = 0;
		return;
	}
	double s = weibull_scale(len, a->scale), k = a->shape;
	if (a->kind == ADSTOCK_WEIBULL_CDF) {
		/* R's cumprod keeps the running product in long double. */
		long double prod = 1;
		w[0] = 1;
		for (size_t l = 1; l < len; l++) {
			/* 1 - pweibull(l), pweibull being -expm1(-(l/s)^k) */
			prod *= 1 - -expm1(-pow((double)l / s, k));
			w[l] = (double)prod;
			if (prod == 0) {
				/* underflowed: the rest are 0 too */
				while (++l < len)
					w[l] = 0;
				break;
			}
		}
		return;
	}
	double lo = INFINITY, hi = -INFINITY;
	for (size_t l = 0; l < len; l++) {
		/* dweibull(l + 1) in R's order of operations */
		double q = (double)(l + 1) / s;
		double t1 = pow(q, k - 1), t2 = t1 * q;
		double d = k * t1 * exp(-t2) / s;
		/* inf * 0 where the density underflows (R gives NaN) */
		w[l] = isnan(d) ? 0 : d;
		lo = fmin(lo, w[l]);
		hi = fmax(hi, w[l]);
	}
	if (hi - lo == 0) {
		w[0] = 1;
		for (size_t l = 1; l < len; l++)
			w[l] = 0;
		return;
	}
	for (size_t l = 0; l < len; l++)
		w[l] = (w[l] - lo) / (hi - lo);
}

void
adstock_weights(const adstock *a, double *w)
{
	switch (a->kind) {
	case ADSTOCK_WEIBULL_CDF:
	case ADSTOCK_WEIBULL_PDF:
		weibull_weights(a, w);
		return;
	case ADSTOCK_GEOMETRIC_TRUNC:
	case ADSTOCK_DELAYED:
		break;
	default:
		return;
	}
	double sum = 0;
	for (size_t l = 0; l < a->len; l++) {
		w[l] = power_weight(a, l);
		sum += w[l];
	}
	if (a->normalize)
		for (size_t l = 0; l < a->len; l++)
			w[l] /= sum;
}

/* y[i] += a x[i], four at a time: gcc -O2 vectorises only loops that need
 * no scalar epilogue, as this one's main loop (a plain loop needs -O3). */
static void
axpy(double *restrict y, const double *restrict x, double a, size_t n)
{
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		y[i] += a * x[i];
		y[i + 1] += a * x[i + 1];
		y[i + 2] += a * x[i + 2];
		y[i + 3] += a * x[i + 3];
	}
	for (; i < n; i++)
		y[i] += a * x[i];
}

/*
 * y_t = sum_l w_l x_{t-l}, x_{-j} = h[len-1-j] for the len-1 inputs before
 * x[0].  One pass over y per lag, from the oldest lag down, so that every y_t
 * adds its terms oldest input first, as Robyn's rowSums does, and in the
 * same order whatever the split of the series into calls.  Terms that are 0
 * (zero weights, the zeros before a series starts) are skipped: y starts at
 * +0 and never becomes -0, so adding +-0 would change nothing.
 */
static void
convolve(const double *restrict w, size_t len, const double *restrict h,
    const double *restrict x, double *restrict y, size_t n)
{
	size_t z = 0;

	while (z < len - 1 && h[z] == 0)
		z++;
	for (size_t t = 0; t < n; t++)
		y[t] = 0;
	for (size_t l = len; l-- > 0;) {
		double wl = w[l];
		if (wl == 0)
			continue;
		/* y[t] for t < l reads h[len-1-l+t]: h[0..z) are zeros. */
		size_t first = len - 1 - l, t0 = z > first ? z - first : 0;
		size_t m = l < n ? l : n;
		if (t0 < m)
			axpy(y + t0, h + first + t0, wl, m - t0);
		if (l < n)
			axpy(y + l, x, wl, n - l);
	}
}

void
adstock_apply(const adstock *a, const double *w, double *state,
    const double *x, double *y, size_t n)
{
	if (n == 0)
		return;
	if (a->kind == ADSTOCK_NONE) {
		memcpy(y, x, n * sizeof *y);
		return;
	}
	if (a->kind == ADSTOCK_GEOMETRIC) {
		double prev = state[0], theta = a->theta;
		for (size_t t = 0; t < n; t++)
			y[t] = prev = x[t] + theta * prev;
		state[0] = prev;
		return;
	}
	convolve(w, a->len, state, x, y, n);
	/* Keep the last len - 1 inputs, oldest first. */
	size_t m = a->len - 1;
	if (m == 0)
		return;
	if (n >= m) {
		memcpy(state, x + (n - m), m * sizeof *state);
	} else {
		memmove(state, state + n, (m - n) * sizeof *state);
		memcpy(state + (m - n), x, n * sizeof *state);
	}
}

const char *
saturation_check(const saturation *s)
{
	switch (s->kind) {
	case SAT_NONE:
		return NULL;
	case SAT_HILL:
		if (!(s->alpha > 0 && isfinite(s->alpha)))
			return "ALPHA must be a finite number > 0";
		if (!(s->gamma > 0 && isfinite(s->gamma)))
			return "GAMMA must be a finite number > 0";
		return NULL;
	case SAT_LOGISTIC:
		if (!(s->lambda > 0 && isfinite(s->lambda)))
			return "LAMBDA must be a finite number > 0";
		return NULL;
	case SAT_MICHAELIS:
		if (!(s->vmax > 0 && isfinite(s->vmax)))
			return "VMAX must be a finite number > 0";
		if (!(s->k > 0 && isfinite(s->k)))
			return "K must be a finite number > 0";
		return NULL;
	}
	return "unknown saturation";
}

double
hill_inflexion(const double *x, size_t n, double gamma)
{
	if (n == 0)
		return NAN;
	double lo = x[0], hi = x[0];
	for (size_t i = 1; i < n; i++) {
		lo = fmin(lo, x[i]);
		hi = fmax(hi, x[i]);
	}
	/* Robyn's range(x) %*% c(1 - gamma, gamma) */
	return lo * (1 - gamma) + hi * gamma;
}

/* x^a / (x^a + g^a) written as 1 / (1 + (g/x)^a): one pow, and neither
 * power can overflow into inf / inf; x = 0 gives 1 / (1 + inf) = 0. */
static double
hill(double x, double a, double g)
{
	return 1 / (1 + pow(g / x, a));
}

/* (1 - e) / (1 + e), e = exp(-lam x), as PyMC-Marketing writes it; odd in x,
 * so that a negative x cannot overflow e into inf / inf. */
static double
logistic(double x, double lam)
{
	double e = exp(-lam * fabs(x));

	return copysign((1 - e) / (1 + e), x);
}

double
saturation_value(const saturation *s, double x)
{
	switch (s->kind) {
	case SAT_HILL:
		return hill(x, s->alpha, s->gamma);
	case SAT_LOGISTIC:
		return logistic(x, s->lambda);
	case SAT_MICHAELIS:
		return s->vmax * x / (s->k + x);
	default:
		return x;
	}
}

double
saturation_deriv(const saturation *s, double x)
{
	switch (s->kind) {
	case SAT_HILL: {
		double a = s->alpha, g = s->gamma;
		if (x == 0)
			return a < 1 ? INFINITY : a == 1 ? 1 / g : 0;
		/* a/x u/(1+u)^2, u = (x/g)^a; through 1/u past 1 so that
		 * the square cannot overflow. */
		double u = pow(x / g, a);
		if (u > 1)
			u = 1 / u;
		return a / x * u / ((1 + u) * (1 + u));
	}
	case SAT_LOGISTIC: {
		double e = exp(-s->lambda * fabs(x));
		return 2 * s->lambda * e / ((1 + e) * (1 + e));
	}
	case SAT_MICHAELIS:
		return s->vmax * s->k / ((s->k + x) * (s->k + x));
	default:
		return 1;
	}
}

void
saturation_apply(const saturation *s, const double *x, double *y, size_t n)
{
	/* One loop per kind, so that no switch sits in the loop. */
	switch (s->kind) {
	case SAT_HILL: {
		double a = s->alpha, g = s->gamma;
		for (size_t i = 0; i < n; i++)
			y[i] = hill(x[i], a, g);
		return;
	}
	case SAT_LOGISTIC: {
		double lam = s->lambda;
		for (size_t i = 0; i < n; i++)
			y[i] = logistic(x[i], lam);
		return;
	}
	case SAT_MICHAELIS: {
		double v = s->vmax, k = s->k;
		for (size_t i = 0; i < n; i++)
			y[i] = v * x[i] / (k + x[i]);
		return;
	}
	default:
		if (y != x && n > 0)
			memmove(y, x, n * sizeof *y);
		return;
	}
}
