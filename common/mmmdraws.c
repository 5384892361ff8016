/* mmmdraws.c: posterior predictive intervals of a Bayesian mmm model from
 * its kept draws (see mmmdraws.h). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "err.h"
#include "mmmdraws.h"
#include "transform.h"

/* One media feature's draws. */
typedef struct dchan {
	size_t j;		/* feature index */
	saturation_kind sk;
	int geo;
	double *coef, *theta, *alpha, *gamma, *lambda, *vmax, *k, *state;
	double *a;		/* per draw: the carried adstock */
	/* delayed adstock: each draw's window, and the last len inputs
	 * (oldest first), the same for every draw */
	size_t len;
	double *peak, *w, *hist, *hstate;	/* n, n x len, len, len - 1 */
} dchan;

struct mmm_draws {
	size_t n, p, nch;
	double *sigma, *icpt;
	double **base;		/* p: draws of a baseline term, or NULL */
	dchan *ch;
	int started;
	double *mu;		/* n: this row's predictions */
};

/* A member array of exactly n numbers, copied; NULL when absent or bad. */
static double *
arr(json_t *o, const char *key, size_t n)
{
	json_t *a = json_object_get(o, key);

	if (!json_is_array(a) || json_array_size(a) != n)
		return NULL;
	double *v = emalloc((n ? n : 1) * sizeof *v);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(a, i);
		if (!json_is_number(e)) {
			free(v);
			return NULL;
		}
		v[i] = json_number_value(e);
	}
	return v;
}

static int
bad(char *err, size_t errsz, int *status, const char *path, const char *what)
{
	return err_fail(err, errsz, status, EXIT_DATAERR, "%s: not a valid "
	    "bayes mmm model: its draws (%s)", path, what);
}

/* A delayed channel's windows, one per draw, through transform.c, and the
 * inputs the point model saved at the end of the training rows (mch: the
 * channel's block); -1 when they do not make a valid window. */
static int
delayed_draws(dchan *h, json_t *mch, size_t n)
{
	json_t *ad = json_object_get(mch, "adstock");
	json_t *len = json_object_get(ad, "len");
	json_t *st = json_object_get(mch, "state");

	if (!json_is_number(len) || json_number_value(len) < 1 ||
	    json_number_value(len) > 1e6 || !json_is_array(st))
		return -1;
	h->len = (size_t)json_number_value(len);
	if (json_array_size(st) != h->len - 1)
		return -1;
	h->w = emalloc(n * h->len * sizeof *h->w);
	h->hist = ecalloc(h->len, sizeof *h->hist);
	h->hstate = ecalloc(h->len, sizeof *h->hstate);
	for (size_t i = 0; i + 1 < h->len; i++) {
		json_t *v = json_array_get(st, i);
		if (!json_is_number(v))
			return -1;
		h->hstate[i] = json_number_value(v);
	}
	for (size_t i = 0; i < n; i++) {
		adstock a = { .kind = ADSTOCK_DELAYED, .theta = h->theta[i],
			.peak = h->peak[i], .len = h->len, .normalize =
			json_is_true(json_object_get(ad, "normalize")) };
		if (adstock_check(&a))
			return -1;
		adstock_weights(&a, h->w + i * h->len);
	}
	return 0;
}

int
mmm_draws_new(mmm_draws **out, void *root, const char *const *features,
    size_t p, const char *path, char *err, size_t errsz, int *status)
{
	json_t *mm = json_object_get(root, "mmm");
	json_t *dr = json_object_get(mm, "draws");
	json_t *ds = json_object_get(mm, "draws_state");

	*out = NULL;
	if (!json_is_object(dr))
		return 0;
	json_t *jn = json_object_get(dr, "n");
	json_t *chans = json_object_get(dr, "channels");
	json_t *base = json_object_get(dr, "baseline");
	json_t *mch = json_object_get(mm, "channels");
	if (!json_is_integer(jn) || json_integer_value(jn) < 1 ||
	    !json_is_object(chans) || !json_is_object(base))
		return bad(err, errsz, status, path, "n, channels, baseline");
	mmm_draws *d = ecalloc(1, sizeof *d);
	*out = d;
	size_t n = d->n = (size_t)json_integer_value(jn);
	d->p = p;
	d->sigma = arr(dr, "sigma", n);
	d->icpt = arr(dr, "intercept", n);
	d->base = ecalloc(p + 1, sizeof *d->base);
	d->ch = ecalloc(p + 1, sizeof *d->ch);
	d->mu = emalloc(n * sizeof *d->mu);
	if (!d->sigma || !d->icpt)
		return bad(err, errsz, status, path, "sigma, intercept");
	for (size_t j = 0; j < p; j++) {
		json_t *c = json_object_get(chans, features[j]);
		if (!c) {
			if (!(d->base[j] = arr(base, features[j], n)))
				return bad(err, errsz, status, path,
				    features[j]);
			continue;
		}
		dchan *h = &d->ch[d->nch++];
		json_t *sat = json_object_get(json_object_get(mch,
		    features[j]), "saturation");
		int sk = saturation_kind_parse(json_string_value(
		    json_object_get(sat, "kind")) ? json_string_value(
		    json_object_get(sat, "kind")) : "");
		h->j = j;
		h->sk = (saturation_kind)sk;
		h->coef = arr(c, "coef", n);
		h->theta = arr(c, "theta", n);
		h->peak = arr(c, "peak", n);
		h->geo = h->theta != NULL && !h->peak;
		h->a = ecalloc(n, sizeof *h->a);
		int ok = sk >= 0 && h->coef;
		if (h->geo)
			ok &= (h->state = arr(ds, features[j], n)) != NULL;
		if (h->peak && (!h->theta || delayed_draws(h, json_object_get(
		    mch, features[j]), n) < 0))
			ok = 0;
		if (sk == SAT_HILL)
			ok &= (h->alpha = arr(c, "alpha", n)) != NULL &&
			    (h->gamma = arr(c, "gamma", n)) != NULL;
		if (sk == SAT_LOGISTIC)
			ok &= (h->lambda = arr(c, "lambda", n)) != NULL;
		if (sk == SAT_MICHAELIS)
			ok &= (h->vmax = arr(c, "vmax", n)) != NULL &&
			    (h->k = arr(c, "k", n)) != NULL;
		if (!ok)
			return bad(err, errsz, status, path, features[j]);
	}
	return 0;
}

void
mmm_draws_free(mmm_draws *d)
{
	if (!d)
		return;
	for (size_t c = 0; c < d->nch; c++) {
		dchan *h = &d->ch[c];
		free(h->coef);
		free(h->theta);
		free(h->alpha);
		free(h->gamma);
		free(h->lambda);
		free(h->vmax);
		free(h->k);
		free(h->state);
		free(h->a);
		free(h->peak);
		free(h->w);
		free(h->hist);
		free(h->hstate);
	}
	for (size_t j = 0; j < d->p; j++)
		free(d->base[j]);
	free(d->base);
	free(d->ch);
	free(d->sigma);
	free(d->icpt);
	free(d->mu);
	free(d);
}

/* The mixture's CDF at y: the mean over draws of Phi((y - mu_i) /
 * sigma_i). */
static double
mix_cdf(const mmm_draws *d, double y)
{
	double s = 0;

	for (size_t i = 0; i < d->n; i++)
		s += gsl_cdf_ugaussian_P((y - d->mu[i]) / d->sigma[i]);
	return s / (double)d->n;
}

/* The mixture's quantile pr by bisection (to the doubles' resolution). */
static double
mix_quantile(const mmm_draws *d, double pr, double lo, double hi)
{
	for (int it = 0; it < 200 && hi - lo > 1e-13 * fmax(fabs(lo),
	    fabs(hi)); it++) {
		double mid = (lo + hi) / 2;
		if (mix_cdf(d, mid) < pr)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

void
mmm_draws_row(mmm_draws *d, int replay, const double *raw, const double *x,
    double level, double *lo, double *hi)
{
	size_t n = d->n;

	if (!d->started) {
		for (size_t c = 0; c < d->nch; c++) {
			dchan *h = &d->ch[c];
			for (size_t i = 0; i < n; i++)
				h->a[i] = replay || !h->geo ? 0 : h->state[i];
			/* hist[1..len) before the first row's shift */
			for (size_t l = 0; h->peak && l + 1 < h->len; l++)
				h->hist[l + 1] = replay ? 0 : h->hstate[l];
		}
		d->started = 1;
	}
	int missing = 0;
	for (size_t i = 0; i < n; i++)
		d->mu[i] = d->icpt[i];
	for (size_t j = 0; j < d->p; j++) {
		if (!d->base[j])
			continue;
		if (isnan(x[j]))
			missing = 1;
		for (size_t i = 0; i < n; i++)
			d->mu[i] += d->base[j][i] * x[j];
	}
	for (size_t c = 0; c < d->nch; c++) {
		dchan *h = &d->ch[c];
		double v = raw[h->j];
		if (h->peak) {
			memmove(h->hist, h->hist + 1, (h->len - 1) *
			    sizeof *h->hist);
			h->hist[h->len - 1] = v;
		}
		for (size_t i = 0; i < n; i++) {
			double a = v + (h->geo ? h->theta[i] * h->a[i] : 0);
			if (h->peak) {
				/* as adstock_apply: w_l times the input l
				 * rows back */
				const double *w = h->w + i * h->len;
				a = 0;
				for (size_t l = 0; l < h->len; l++)
					a += w[l] * h->hist[h->len - 1 - l];
			}
			h->a[i] = a;
			saturation s = { .kind = h->sk };
			if (h->sk == SAT_HILL)
				s.alpha = h->alpha[i], s.gamma = h->gamma[i];
			else if (h->sk == SAT_LOGISTIC)
				s.lambda = h->lambda[i];
			else if (h->sk == SAT_MICHAELIS)
				s.vmax = h->vmax[i], s.k = h->k[i];
			d->mu[i] += h->coef[i] * saturation_value(&s, a);
		}
	}
	*lo = *hi = NAN;
	if (missing || !(level > 0 && level < 1))
		return;
	double a = HUGE_VAL, b = -HUGE_VAL, smax = 0;
	for (size_t i = 0; i < n; i++) {
		a = fmin(a, d->mu[i]);
		b = fmax(b, d->mu[i]);
		smax = fmax(smax, d->sigma[i]);
	}
	/* Every quantile of the mixture lies within 40 sds of its means. */
	*lo = mix_quantile(d, (1 - level) / 2, a - 40 * smax, b + 40 * smax);
	*hi = mix_quantile(d, (1 + level) / 2, a - 40 * smax, b + 40 * smax);
}
