/* bayesridge.c: sklearn 1.2's BayesianRidge, step for step, on ridge.c's SVD
 * of the centred design. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bayesridge.h"
#include "err.h"
#include "gram.h"
#include "ridge.h"
#include "stats.h"

void
bayesridge_opts_default(bayesridge_opts *o)
{
	o->max_iter = 300;
	o->tol = 1e-3;
	o->alpha_1 = o->alpha_2 = 1e-6;
	o->lambda_1 = o->lambda_2 = 1e-6;
	o->alpha_init = NAN;
	o->lambda_init = NAN;
	o->compute_score = 0;
}

static const char *
check_opts(const bayesridge_opts *o)
{
	if (o->max_iter < 1)
		return "bayesridge: max_iter must be at least 1";
	if (!(o->tol > 0))
		return "bayesridge: tol must be positive";
	if (!(o->alpha_1 >= 0) || !(o->alpha_2 >= 0) || !(o->lambda_1 >= 0) ||
	    !(o->lambda_2 >= 0))
		return "bayesridge: gamma prior parameters must be >= 0";
	if ((!isnan(o->alpha_init) && !(o->alpha_init >= 0)) ||
	    (!isnan(o->lambda_init) && !(o->lambda_init >= 0)))
		return "bayesridge: alpha_init and lambda_init must be >= 0";
	return NULL;
}

/* Posterior mean V diag(s / (s^2 + lambda/alpha)) U'y and its residual sum
 * of squares (sklearn's _update_coef_).  The residual is (I - UU') yc +
 * U diag(r / (s^2 + r)) U'yc, two orthogonal parts, so its sum of squares
 * is rss0 = |(I - UU') yc|^2 plus a k-term sum: O(k) per iteration, not
 * O(n k). */
static double
update_coef(const ridge_svd *d, double alpha, double lambda, double *coef,
    double *t, double rss0)
{
	size_t p = d->p, k = d->k;
	double r = lambda / alpha, rss = rss0;

	for (size_t j = 0; j < p; j++)
		coef[j] = 0;
	for (size_t c = 0; c < k; c++) {
		double s2 = d->s[c] * d->s[c], h = r / (s2 + r);
		t[c] = d->uty[c] / (s2 + r);
		for (size_t j = 0; j < p; j++)
			coef[j] += d->v[c * p + j] * d->s[c] * t[c];
		rss += h * h * d->uty[c] * d->uty[c];
	}
	return rss;
}

static double
log_marginal(const ridge_svd *d, const bayesridge_opts *o, double alpha,
    double lambda, const double *coef, double rss)
{
	double logdet = 0, cc = 0, n = (double)d->n, p = (double)d->p;

	/* Eigenvalues of lambda I + alpha X'X: p - k of them are lambda. */
	for (size_t c = 0; c < d->k; c++)
		logdet -= log(lambda + alpha * d->s[c] * d->s[c]);
	logdet -= (double)(d->p - d->k) * log(lambda);
	for (size_t j = 0; j < d->p; j++)
		cc += coef[j] * coef[j];
	double score = o->lambda_1 * log(lambda) - o->lambda_2 * lambda;
	score += o->alpha_1 * log(alpha) - o->alpha_2 * alpha;
	score += 0.5 * (p * log(lambda) + n * log(alpha) - alpha * rss -
	    lambda * cc + logdet - n * log(2 * M_PI));
	return score;
}

/* The sum of squares, mean and squared deviations of yc (min and max
 * unused), by row blocks on the threads, merged in row order. */
typedef struct yc_moments {
	moments m;
	double ss;
} yc_moments;

typedef struct yc_pass {
	const double *yc;
	yc_moments *part;
} yc_pass;

static void
yc_merge(yc_moments *a, const yc_moments *b)
{
	mom_merge(&a->m, &b->m);
	a->ss += b->ss;
}

static void
yc_block(void *ctx, size_t b, size_t r0, size_t m, double *a)
{
	const yc_pass *y = ctx;
	const double *v = y->yc + r0;
	yc_moments t = { { (double)m, 0, 0, 0, 0 }, 0 };

	(void)a;
	for (size_t i = 0; i < m; i++) {
		t.m.mean += v[i];
		t.ss += v[i] * v[i];
	}
	t.m.mean /= t.m.n;
	for (size_t i = 0; i < m; i++)
		t.m.m2 += (v[i] - t.m.mean) * (v[i] - t.m.mean);
	yc_merge(&y->part[b], &t);
}

static yc_moments
yc_moments_of(const double *yc, size_t n, int threads)
{
	size_t rows, nb = gram_nblocks(n, &rows);
	yc_pass y = { yc, ecalloc(nb ? nb : 1, sizeof *y.part) };
	yc_moments t = { { 0, 0, 0, 0, 0 }, 0 };

	gram_each_rows(n, 0, threads, yc_block, &y);
	for (size_t b = 0; b < nb; b++)
		yc_merge(&t, &y.part[b]);
	free(y.part);
	return t;
}

const char *
bayesridge_fit(bayesridge *m, const ridge_problem *pr,
    const bayesridge_opts *o)
{
	ridge_svd d;
	const char *err;
	size_t n, p, k;
	double alpha, lambda, rss, rss0 = 0, *old, *t, *fit, *coef;
	int iter;

	memset(m, 0, sizeof *m);
	if ((err = check_opts(o)) != NULL)
		return err;
	if ((err = ridge_svd_init_nou(&d, pr)) != NULL)
		return err;
	yc_moments ym = yc_moments_of(d.yc, d.n, pr->threads);
	if (d.u == NULL) {
		/* The least-squares residual by difference: only when it keeps
		 * 6 digits of the target's sum of squares, else with U. */
		double yy = ym.ss, fy = 0;
		for (size_t c = 0; c < d.k; c++)
			fy += d.uty[c] * d.uty[c];
		rss0 = yy - fy;
		if (!(rss0 >= 1e-6 * yy)) {
			ridge_svd_free(&d);
			if ((err = ridge_svd_init(&d, pr)) != NULL)
				return err;
			ym = yc_moments_of(d.yc, d.n, pr->threads);
		}
	}
	n = d.n;
	p = d.p;
	k = d.k;
	m->p = p;
	m->coef = emalloc(p * sizeof *m->coef);
	m->sigma = emalloc(p * p * sizeof *m->sigma);
	m->xmean = emalloc(p * sizeof *m->xmean);
	memcpy(m->xmean, d.xmean, p * sizeof *m->xmean);
	if (o->compute_score)
		m->scores = emalloc(((size_t)o->max_iter + 1) *
		    sizeof *m->scores);
	coef = emalloc(p * sizeof *coef);
	old = emalloc(p * sizeof *old);
	t = emalloc(k * sizeof *t);
	if (d.u != NULL) {
		/* rss0 from the residual itself, computed once: a difference
		 * of sums of squares would lose the digits of a close fit. */
		fit = emalloc(n * sizeof *fit);
		for (size_t i = 0; i < n; i++)
			fit[i] = 0;
		for (size_t c = 0; c < k; c++)
			for (size_t i = 0; i < n; i++)
				fit[i] += d.u[c * n + i] * d.uty[c];
		rss0 = 0;
		for (size_t i = 0; i < n; i++)
			rss0 += (d.yc[i] - fit[i]) * (d.yc[i] - fit[i]);
		free(fit);
	}

	/* np.var of the (centred, scaled) target, about its own mean. */
	double vy = ym.m.m2 / (double)n;
	alpha = isnan(o->alpha_init) ? 1 / (vy + DBL_EPSILON) : o->alpha_init;
	lambda = isnan(o->lambda_init) ? 1 : o->lambda_init;

	for (iter = 0; iter < o->max_iter; iter++) {
		rss = update_coef(&d, alpha, lambda, coef, t, rss0);
		if (o->compute_score)
			m->scores[m->nscores++] = log_marginal(&d, o, alpha,
			    lambda, coef, rss);
		double gamma = 0, cc = 0, change = 0;
		for (size_t c = 0; c < k; c++) {
			double e = d.s[c] * d.s[c];
			gamma += alpha * e / (lambda + alpha * e);
		}
		for (size_t j = 0; j < p; j++)
			cc += coef[j] * coef[j];
		lambda = (gamma + 2 * o->lambda_1) / (cc + 2 * o->lambda_2);
		alpha = ((double)n - gamma + 2 * o->alpha_1) /
		    (rss + 2 * o->alpha_2);
		if (iter != 0) {
			for (size_t j = 0; j < p; j++)
				change += fabs(old[j] - coef[j]);
			if (change < o->tol)
				break;
		}
		memcpy(old, coef, p * sizeof *old);
	}
	m->n_iter = iter < o->max_iter ? iter + 1 : o->max_iter;
	m->alpha = alpha;
	m->lambda = lambda;
	rss = update_coef(&d, alpha, lambda, m->coef, t, rss0);
	/* sklearn scores the loop's last coefficients with the new rss. */
	if (o->compute_score)
		m->scores[m->nscores++] = log_marginal(&d, o, alpha, lambda,
		    coef, rss);

	for (size_t a = 0; a < p; a++)
		for (size_t b = 0; b < p; b++) {
			double sum = 0;
			for (size_t c = 0; c < k; c++)
				sum += d.v[c * p + a] * d.v[c * p + b] /
				    (d.s[c] * d.s[c] + lambda / alpha);
			m->sigma[b * p + a] = sum / alpha;
		}
	m->intercept = d.ymean;
	for (size_t j = 0; j < p; j++)
		m->intercept -= d.xmean[j] * m->coef[j];
	free(coef);
	free(old);
	free(t);
	ridge_svd_free(&d);
	return NULL;
}

void
bayesridge_free(bayesridge *m)
{
	free(m->coef);
	free(m->sigma);
	free(m->xmean);
	free(m->scores);
	memset(m, 0, sizeof *m);
}

void
bayesridge_predict(const bayesridge *m, const double *X, size_t nrow,
    double *mean, double *sd)
{
	size_t p = m->p;

	for (size_t i = 0; i < nrow; i++) {
		double mu = m->intercept, q = 0;
		for (size_t j = 0; j < p; j++)
			mu += X[j * nrow + i] * m->coef[j];
		mean[i] = mu;
		if (sd == NULL)
			continue;
		for (size_t a = 0; a < p; a++) {
			double r = 0;
			for (size_t b = 0; b < p; b++)
				r += m->sigma[b * p + a] * X[b * nrow + i];
			q += X[a * nrow + i] * r;
		}
		sd[i] = sqrt(q + 1 / m->alpha);
	}
}
