/* transform.h: media transforms — adstock (carryover along time) and
 * saturation (diminishing returns) — as Robyn and PyMC-Marketing define them,
 * allocation-free so a hyperparameter search can call them in its inner loop.
 *
 * Adstock of a series x_0, x_1, ... (t counts rows from the first row that
 * was ever applied; inputs before it are 0):
 *
 *   geometric THETA          Robyn's adstock_geometric, infinite recursion:
 *                            y_t = x_t + THETA y_{t-1}, 0 <= THETA < 1.
 *   geometric_trunc THETA    PyMC-Marketing's geometric_adstock: the window
 *                            kinds below with w_l = THETA^l, l < len
 *                            (l_max), divided by their sum when normalize.
 *   weibull_cdf SHAPE SCALE  Robyn's adstock_weibull(type = "cdf") with
 *                            windlen = len:  s = round(quantile(1:len,
 *                            SCALE)) (R's type 7 and round half to even),
 *                            w_0 = 1, w_l = prod_{i=1..l} exp(-(i/s)^SHAPE).
 *   weibull_pdf SHAPE SCALE  ... type = "pdf": d_l = dweibull(l + 1, SHAPE,
 *                            s), w_l = (d_l - min d) / (max d - min d)
 *                            (w = 1, 0, 0 ... when every d_l is equal).
 *                            For both Weibull kinds SHAPE == 0 or SCALE == 0
 *                            is no carryover (Robyn returns x unchanged).
 *   delayed THETA PEAK       PyMC-Marketing's delayed_adstock: w_l =
 *                            THETA^((l - PEAK)^2), l < len (l_max), divided by
 *                            their sum when normalize.
 *
 * Every window kind computes y_t = sum_{l=0}^{min(t, len-1)} w_l x_{t-l}.
 * Robyn uses windlen = the length of the modelling series, so with len fixed
 * at fit time the rows after the training rows continue the carryover that
 * Robyn would have computed on the longer series, truncated at len - 1 lags.
 *
 * Saturation of one value x >= 0:
 *
 *   hill ALPHA GAMMA    x^ALPHA / (x^ALPHA + GAMMA^ALPHA), GAMMA absolute (in
 *                       x's units); Robyn's saturation_hill takes a fraction
 *                       of the range instead: see hill_inflexion().
 *   logistic LAMBDA     PyMC-Marketing's logistic_saturation:
 *                       (1 - exp(-LAMBDA x)) / (1 + exp(-LAMBDA x)).
 *   michaelis VMAX K    VMAX x / (K + x) (Robyn's mic_men, PyMC-Marketing's
 *                       michaelis_menten).
 *
 * Missing values are the caller's business: it rejects them before.
 */
#ifndef MMM_TRANSFORM_H
#define MMM_TRANSFORM_H

#include <stddef.h>

typedef enum adstock_kind {
	ADSTOCK_NONE,		/* y = x */
	ADSTOCK_GEOMETRIC,
	ADSTOCK_GEOMETRIC_TRUNC,
	ADSTOCK_WEIBULL_CDF,
	ADSTOCK_WEIBULL_PDF,
	ADSTOCK_DELAYED
} adstock_kind;

typedef struct adstock {
	adstock_kind kind;
	double theta;		/* decay (geometric*, delayed) */
	double peak;		/* delayed: lag of the top weight, >= 0 */
	double shape, scale;	/* weibull_*: >= 0, in [0, 1] */
	size_t len;		/* window kinds: number of weights
				 * (windlen, l_max), >= 1 */
	int normalize;		/* geometric_trunc, delayed: sum to 1 */
} adstock;

/* PyMC-Marketing's defaults for l_max (delayed_adstock's) and normalize (its
 * DelayedAdstock and GeometricAdstock classes', which need l_max given). */
#define ADSTOCK_LMAX_DEFAULT 12
#define ADSTOCK_NORMALIZE_DEFAULT 1

/* The kind named "none", "geometric", "geometric_trunc", "weibull_cdf",
 * "weibull_pdf" or "delayed"; -1 for any other name. */
int adstock_kind_parse(const char *name);
const char *adstock_kind_name(adstock_kind kind);

/* NULL when a's parameters are valid, else a message naming the parameter
 * ("THETA must be in [0, 1)"). */
const char *adstock_check(const adstock *a);

/* Number of weights adstock_weights() writes: len for the window kinds, 0 for
 * none and geometric. */
size_t adstock_nweights(const adstock *a);
/* Write the adstock_nweights(a) lag weights of a valid a to w, w[0] for the
 * current row.  Costs len calls of pow or exp: compute them once per
 * parameter set and pass them to every adstock_apply(). */
void adstock_weights(const adstock *a, double *w);

/* Number of doubles of the carried state: len - 1 for the window kinds (the
 * last inputs, oldest first), 1 for geometric (y_{t-1}), 0 for none.  The
 * state is plain doubles so that a spec can save and restore it as is. */
size_t adstock_state_len(const adstock *a);

/*
 * Adstock x[0..n) into y[0..n), continuing from state (adstock_state_len(a)
 * doubles, all zero to start a series), which is updated so that the next
 * call continues where this one ended: applying to x[0..k) then x[k..n)
 * gives the same doubles as applying to x[0..n).  w is adstock_weights(a)
 * (unused by none and geometric).  x and y must not overlap.
 */
void adstock_apply(const adstock *a, const double *w, double *state,
    const double *x, double *y, size_t n);

typedef enum saturation_kind {
	SAT_NONE,		/* y = x */
	SAT_HILL,
	SAT_LOGISTIC,
	SAT_MICHAELIS
} saturation_kind;

typedef struct saturation {
	saturation_kind kind;
	double alpha, gamma;	/* hill: exponent > 0, inflexion > 0 */
	double lambda;		/* logistic: > 0 */
	double vmax, k;		/* michaelis: > 0 */
} saturation;

/* The kind named "none", "hill", "logistic" or "michaelis"; -1 otherwise. */
int saturation_kind_parse(const char *name);
const char *saturation_kind_name(saturation_kind kind);

/* NULL when s's parameters are valid, else a message naming the parameter. */
const char *saturation_check(const saturation *s);

/*
 * Robyn's inflexion point of the Hill curve ("gammaTrans"): the point a
 * fraction gamma (0..1) of the way from min(x) to max(x), (1 - gamma) min +
 * gamma max, where x is the adstocked series over the modelling window.  Fit
 * it once, save it, and use it as the hill GAMMA.  NaN when n == 0.
 */
double hill_inflexion(const double *x, size_t n, double gamma);

/* The saturation of one value, and its derivative with respect to x (the
 * marginal response; +inf for hill with ALPHA < 1 at x = 0). */
double saturation_value(const saturation *s, double x);
double saturation_deriv(const saturation *s, double x);
/* y[i] = saturation_value(s, x[i]); y may be x. */
void saturation_apply(const saturation *s, const double *x, double *y,
    size_t n);

#endif
