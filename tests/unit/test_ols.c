/* test_ols: least squares against statsmodels 0.13, and the designs it
 * must refuse. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "metrics.h"
#include "ols.h"
#include "tap.h"

/* Data and statsmodels' numbers, written by tests/data/gen_ols_ref.py. */
#include "../data/ols_ref.h"

static const ols_case *const cases[] = { &mmm_case, &robyn_case, &wls_case,
    &noint_case, &tiny_case, &collin_case };

/* The scalar statistics in the order of ols_case.scal, with the relative
 * tolerance each is held to. */
enum { S_R2, S_R2ADJ, S_F, S_FP, S_LLF, S_AIC, S_BIC, S_DW, S_JB, S_JBP,
	S_SKEW, S_KURT, S_COND, S_SIGMA, S_DFM, S_DFR, S_NOBS, S_N };
static const char *const scal_names[S_N] = { "r2", "r2_adj", "F", "F p",
	"llf", "aic", "bic", "durbin-watson", "jarque-bera", "jb p", "skew",
	"kurtosis", "condition number", "sigma", "df_model", "df_resid",
	"nobs" };

/* Worst relative error per statistic over all cases, for the report. */
enum { V_COEF, V_SE, V_T, V_P, V_CI, V_COV, V_VIF, V_PRED, V_N };
static const char *const vec_names[V_N] = { "coef", "se", "t", "p", "ci",
	"cov", "vif", "prediction" };
static double worst_scal[S_N], worst_vec[V_N];

static double
relerr(double a, double b)
{
	if (a == b)
		return 0;
	return fabs(a - b) / fmax(fabs(a), fabs(b));
}

static double
scal_of(const ols_result *r, int i)
{
	switch (i) {
	case S_R2: return r->r2;
	case S_R2ADJ: return r->r2_adj;
	case S_F: return r->fvalue;
	case S_FP: return r->f_pval;
	case S_LLF: return r->llf;
	case S_AIC: return r->aic;
	case S_BIC: return r->bic;
	case S_DW: return r->dw;
	case S_JB: return r->jb;
	case S_JBP: return r->jb_pval;
	case S_SKEW: return r->skew;
	case S_KURT: return r->kurtosis;
	case S_COND: return r->cond;
	case S_SIGMA: return r->sigma;
	case S_DFM: return r->df_model;
	case S_DFR: return r->df_resid;
	default: return r->nobs;
	}
}

/* Worst relative error of got[0..n) against want, folded into *worst. */
static double
vec_err(const double *got, const double *want, size_t n, double *worst)
{
	double e = 0;

	for (size_t i = 0; i < n; i++)
		e = fmax(e, relerr(got[i], want[i]));
	*worst = fmax(*worst, e);
	return e;
}

static void
test_case(const ols_case *c)
{
	metrics tm, ref;
	ols_input in = { (size_t)c->n, (size_t)c->p, c->X, c->y, c->w,
		c->names, c->intercept, c->level, 2, &tm };
	ols_result *r;
	ols_pred pr;
	char err[256];
	size_t k = (size_t)(c->p + c->intercept);
	/* 1e-8 relative everywhere.  What is left of it is statsmodels' own
	 * error: its confidence and prediction intervals carry scipy 1.10's
	 * t.ppf, up to 2e-10 off (mpmath at 40 digits agrees with GSL's
	 * gsl_cdf_tdist_Qinv, e.g. df 2: 4.3026527297494637 vs scipy's
	 * 4.3026527299112765), and its pinv-based covariance and VIF lose
	 * cond^2 eps (7e-11 on the near-collinear case). */
	double tol = 1e-8, e;

	if (!TAP_OK(ols_fit(&in, &r, err, sizeof err) == 0, "%s: fits",
	    c->name)) {
		TAP_DIAG("%s", err);
		return;
	}
	e = vec_err(r->coef, c->params, k, &worst_vec[V_COEF]);
	TAP_OK(e <= tol, "%s: coefficients (%.2g)", c->name, e);
	e = vec_err(r->se, c->bse, k, &worst_vec[V_SE]);
	TAP_OK(e <= tol, "%s: standard errors (%.2g)", c->name, e);
	e = vec_err(r->t, c->t, k, &worst_vec[V_T]);
	TAP_OK(e <= tol, "%s: t (%.2g)", c->name, e);
	e = vec_err(r->pval, c->p_, k, &worst_vec[V_P]);
	TAP_OK(e <= tol, "%s: p-values (%.2g)", c->name, e);
	e = fmax(vec_err(r->ci_lo, c->ci_lo, k, &worst_vec[V_CI]),
	    vec_err(r->ci_hi, c->ci_hi, k, &worst_vec[V_CI]));
	TAP_OK(e <= tol, "%s: confidence intervals (%.2g)", c->name, e);
	e = vec_err(r->cov, c->cov, k * k, &worst_vec[V_COV]);
	TAP_OK(e <= tol, "%s: covariance (%.2g)", c->name, e);
	e = vec_err(r->vif, c->vif, (size_t)c->p, &worst_vec[V_VIF]);
	TAP_OK(e <= tol, "%s: VIF (%.2g)", c->name, e);
	for (int i = 0; i < S_N; i++) {
		double got = scal_of(r, i);
		e = relerr(got, c->scal[i]);
		worst_scal[i] = fmax(worst_scal[i], e);
		TAP_OK(e <= tol, "%s: %s %.17g vs %.17g (%.2g)", c->name,
		    scal_names[i], got, c->scal[i], e);
	}
	ols_predict(r, c->xnew, &pr);
	double p6[6] = { pr.mean, pr.se_mean, pr.mean_lo, pr.mean_hi,
		pr.obs_lo, pr.obs_hi };
	e = vec_err(p6, c->pred, 6, &worst_vec[V_PRED]);
	TAP_OK(e <= tol, "%s: prediction and intervals (%.2g)", c->name, e);
	/* The training metrics of the residual pass: those of the
	 * predictions from the coefficients, to rounding (1e-12: the
	 * residuals come from the centred form). */
	{
		size_t n = (size_t)c->n, p = (size_t)c->p, off = c->intercept;
		double *yhat = emalloc(n * sizeof *yhat), ybar = 0, v[2][METRICS_N];
		for (size_t i = 0; i < n; i++) {
			yhat[i] = off ? r->coef[0] : 0;
			for (size_t j = 0; j < p; j++)
				yhat[i] += r->coef[j + off] * c->X[j * n + i];
			ybar += c->y[i];
		}
		metrics_compute(c->y, yhat, n, ybar / (double)n, &ref);
		metrics_values(&tm, v[0]);
		metrics_values(&ref, v[1]);
		e = 0;
		for (int m = 0; m < METRICS_N; m++)
			e = fmax(e, fabs(v[0][m] - v[1][m]) /
			    fmax(fabs(v[1][m]), 1e-3));
		TAP_OK(tm.n == n && e <= 1e-12, "%s: training metrics from the "
		    "residual pass (%.2g)", c->name, e);
		free(yhat);
	}
	ols_free(r);
}

/* Fit a design that must be refused; check the message. */
static void
refused(const char *what, size_t n, size_t p, const double *X,
    const double *y, const char *const *names, int intercept,
    const char *want)
{
	ols_input in = { n, p, X, y, NULL, names, intercept, 0, 1, NULL };
	ols_result *r = (ols_result *)1;
	char err[256] = "";
	int rc = ols_fit(&in, &r, err, sizeof err);

	if (!TAP_OK(rc == -1 && r == NULL && strcmp(err, want) == 0,
	    "%s: \"%s\"", what, want))
		TAP_DIAG("got %d \"%s\"", rc, err);
	if (rc == 0)
		ols_free(r);
}

static void
test_errors(void)
{
	/* Eight rows of three features, perturbed below. */
	enum { N = 8 };
	double y[N] = { 3, 1, 4, 1, 5, 9, 2, 6 };
	double X[4 * N];
	const char *const names[] = { "tv", "radio", "tv_copy", "search" };
	ols_input in = { N, 2, X, y, NULL, names, 0, 0, 1, NULL };
	ols_result *r;
	char err[256];

	for (int i = 0; i < N; i++) {
		X[i] = i * 1.5 + (i % 3);
		X[N + i] = (i * 7) % 5 + 0.25;
		X[2 * N + i] = X[i];
		X[3 * N + i] = sin(i);
	}
	refused("copy", N, 3, X, y, names, 1,
	    "columns tv and tv_copy are collinear");
	refused("copy, no intercept", N, 3, X, y, names, 0,
	    "columns tv and tv_copy are collinear");
	/* tv_copy = 2 tv - 3 radio + 1: collinear given the constant. */
	for (int i = 0; i < N; i++)
		X[2 * N + i] = 2 * X[i] - 3 * X[N + i] + 1;
	refused("combination", N, 4, X, y, names, 1,
	    "columns tv, radio and tv_copy are collinear");
	for (int i = 0; i < N; i++)
		X[N + i] = 7.5;
	refused("constant", N, 2, X, y, names, 1, "column radio is constant");
	for (int i = 0; i < N; i++)
		X[N + i] = 0;
	refused("zero, no intercept", N, 2, X, y, names, 0,
	    "column radio is zero");
	refused("n = p + 1", 3, 2, X, y, names, 1,
	    "3 rows are too few for 3 coefficients");
	refused("n = p", 2, 2, X, y, names, 0,
	    "2 rows are too few for 2 coefficients");
	refused("n < p", 2, 4, X, y, NULL, 1,
	    "2 rows are too few for 5 coefficients");

	in.level = 1;
	TAP_OK(ols_fit(&in, &r, err, sizeof err) == -1 && strcmp(err,
	    "confidence level 1 is not between 0 and 1") == 0,
	    "a level of 1 is refused");
	in.level = 0;
	double w[N] = { 1, 1, 1, 0, 1, 1, 1, 1 };
	in.w = w;
	TAP_OK(ols_fit(&in, &r, err, sizeof err) == -1 && strcmp(err,
	    "weight 0 of row 4 is not positive") == 0,
	    "a zero weight is refused");

	/* The constant stays usable as a feature without an intercept. */
	for (int i = 0; i < N; i++)
		X[N + i] = 1;
	in.w = NULL;
	TAP_OK(ols_fit(&in, &r, err, sizeof err) == 0 && isnan(r->vif[1]),
	    "a constant feature without an intercept fits; its VIF is NaN");
	ols_free(r);
}

/* A fit through every point (p-values at 0, no GSL underflow abort) and
 * one with t near 1e9. */
static void
test_exact(void)
{
	enum { N = 50 };
	double X[2 * N], y[N];
	ols_input in = { N, 2, X, y, NULL, NULL, 1, 0, 1, NULL };
	ols_result *r;
	char err[256];

	for (int i = 0; i < N; i++) {
		X[i] = i;
		X[N + i] = (i * 7) % 11;
		y[i] = 1 + 2 * X[i] - 3 * X[N + i];
	}
	if (TAP_OK(ols_fit(&in, &r, err, sizeof err) == 0, "exact fit")) {
		TAP_OK(fabs(r->coef[0] - 1) < 1e-12 && fabs(r->coef[1] - 2) <
		    1e-12 && fabs(r->coef[2] + 3) < 1e-12 && r->pval[1] == 0 &&
		    r->f_pval == 0, "exact fit: coefficients, p-values 0");
		ols_free(r);
	}
	for (int i = 0; i < N; i++)
		y[i] += 1e-9 * ((i * 13) % 5 - 2);
	if (TAP_OK(ols_fit(&in, &r, err, sizeof err) == 0, "near-exact fit")) {
		TAP_OK(r->pval[1] == 0 && r->t[1] > 1e8, "t %.3g gives p 0",
		    r->t[1]);
		ols_free(r);
	}
	/* Condition number ~1e8 (the second column the first and 1e-8
	 * noise): Householder QR of the stored design; weighted.  Its
	 * training metrics are those of the coefficients' predictions,
	 * which cancel ~7 digits here. */
	double w[N], yhat[N], v[2][METRICS_N], e = 0, ybar = 0;
	metrics tm, ref;
	for (int i = 0; i < N; i++) {
		X[i] = (i * 17) % 23;
		X[N + i] = X[i] + 1e-8 * ((i * 7) % 11 - 5);
		y[i] = 1 + 2 * X[i] + 0.5 * ((i * 13) % 5 - 2);
		w[i] = 1 + (i % 3);
	}
	in.w = w;
	in.train = &tm;
	if (TAP_OK(ols_fit(&in, &r, err, sizeof err) == 0, "ill-conditioned "
	    "weighted fit")) {
		for (int i = 0; i < N; i++) {
			yhat[i] = r->coef[0] + r->coef[1] * X[i] +
			    r->coef[2] * X[N + i];
			ybar += y[i];
		}
		metrics_compute(y, yhat, N, ybar / N, &ref);
		metrics_values(&tm, v[0]);
		metrics_values(&ref, v[1]);
		for (int m = 0; m < METRICS_N; m++)
			e = fmax(e, fabs(v[0][m] - v[1][m]) /
			    fmax(fabs(v[1][m]), 1e-3));
		TAP_OK(r->cond > 1e7 && tm.n == N && e <= 1e-6, "ill-conditioned "
		    "weighted fit (cond %.2g): training metrics from the "
		    "residual pass (%.2g)", r->cond, e);
		ols_free(r);
	}
}

/* Units do not matter: the Robyn fit with revenue in cents and
 * competitor sales in millions gives the same t values, and coefficients
 * rescaled exactly as the units are. */
static void
test_units(void)
{
	const ols_case *c = &robyn_case;
	size_t n = (size_t)c->n, p = (size_t)c->p;
	double *X = emalloc(n * p * sizeof *X), *y = emalloc(n * sizeof *y);
	ols_input in = { n, p, X, y, NULL, c->names, 1, 0, 1, NULL };
	ols_result *r;
	char err[256];
	double e = 0;

	memcpy(X, c->X, n * p * sizeof *X);
	for (size_t i = 0; i < n; i++) {
		y[i] = c->y[i] * 100;
		X[5 * n + i] = c->X[5 * n + i] / 1e6;
	}
	if (TAP_OK(ols_fit(&in, &r, err, sizeof err) == 0, "rescaled fit")) {
		for (size_t j = 0; j <= p; j++)
			e = fmax(e, relerr(r->t[j], c->t[j]));
		e = fmax(e, relerr(r->coef[6], c->params[6] * 1e8));
		e = fmax(e, relerr(r->coef[0], c->params[0] * 100));
		TAP_OK(e <= 1e-8, "t and coefficients follow the units (%.2g)",
		    e);
		ols_free(r);
	}
	free(X);
	free(y);
}

/* The same fit on 1, 2 and 3 threads: byte-identical coefficients,
 * covariance and residual statistics (each column is one thread's). */
static void
test_threads(const ols_case *c)
{
	ols_result *r[3];
	char err[256];
	int same = 1;

	for (int t = 0; t < 3; t++) {
		ols_input in = { (size_t)c->n, (size_t)c->p, c->X, c->y, c->w,
			c->names, c->intercept, c->level, t + 1, NULL };
		if (ols_fit(&in, &r[t], err, sizeof err) < 0) {
			TAP_OK(0, "%s: threads: %s", c->name, err);
			return;
		}
	}
	for (int t = 1; t < 3; t++) {
		size_t k = r[0]->k;
		same &= memcmp(r[0]->coef, r[t]->coef, k * sizeof(double)) == 0;
		same &= memcmp(r[0]->cov, r[t]->cov, k * k * sizeof(double))
		    == 0;
		same &= memcmp(&r[0]->ssr, &r[t]->ssr, sizeof(double)) == 0;
		same &= memcmp(&r[0]->jb, &r[t]->jb, sizeof(double)) == 0;
	}
	TAP_OK(same, "%s: 1, 2 and 3 threads give identical bytes", c->name);
	for (int t = 0; t < 3; t++)
		ols_free(r[t]);
}

/* The one-pass means shift each column by a mean of 1,024 evenly spread
 * rows.  Here those rows are all outliers (1e9 in every 128th row of a
 * column of small noise), too far from the mean for the shift's
 * correction, so the fit falls back to exact means; rotated by one row,
 * the sample misses them and the shift is used.  Both orders: the same
 * fit to rounding, on 1 and 2 threads. */
static void
test_shift(void)
{
	size_t n = 131072, p = 2;
	double *X[2], *y[2], e = 0;
	ols_result *r[2][2];
	char err[256];
	uint64_t s = 99;

	for (int o = 0; o < 2; o++) {
		X[o] = emalloc(n * p * sizeof *X[o]);
		y[o] = emalloc(n * sizeof *y[o]);
	}
	for (size_t i = 0; i < n; i++) {
		double u[3];
		for (int j = 0; j < 3; j++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			u[j] = (double)(s >> 11) / 9007199254740992.0 - 0.5;
		}
		size_t q = (i + 1) % n;		/* the rotated row */
		X[0][i] = i % 128 == 0 ? 1e9 + u[0] : u[0];
		X[0][n + i] = u[1];
		y[0][i] = 1 + 2e-9 * X[0][i] + 3 * u[1] + u[2];
		X[1][q] = X[0][i];
		X[1][n + q] = X[0][n + i];
		y[1][q] = y[0][i];
	}
	for (int o = 0; o < 2; o++)
		for (int t = 0; t < 2; t++) {
			ols_input in = { n, p, X[o], y[o], NULL, NULL, 1, 0,
				t + 1, NULL };
			if (ols_fit(&in, &r[o][t], err, sizeof err) < 0) {
				TAP_OK(0, "outlying sample: %s", err);
				return;
			}
		}
	for (size_t j = 0; j < 3; j++)
		e = fmax(e, relerr(r[0][0]->coef[j], r[1][0]->coef[j]));
	e = fmax(e, relerr(r[0][0]->se[1], r[1][0]->se[1]));
	e = fmax(e, relerr(r[0][0]->jb, r[1][0]->jb));
	TAP_OK(e <= 1e-9, "outlying sampled rows (exact means) and rotated "
	    "(shifted means): the same fit (%.2g)", e);
	TAP_OK(memcmp(r[0][0]->coef, r[0][1]->coef, 3 * sizeof(double)) == 0 &&
	    memcmp(r[1][0]->coef, r[1][1]->coef, 3 * sizeof(double)) == 0 &&
	    r[0][0]->jb == r[0][1]->jb && r[1][0]->jb == r[1][1]->jb,
	    "outlying sampled rows: the same bytes on 1 and 2 threads");
	for (int o = 0; o < 2; o++) {
		ols_free(r[o][0]);
		ols_free(r[o][1]);
		free(X[o]);
		free(y[o]);
	}
}

int
main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		test_case(cases[i]);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		test_threads(cases[i]);
	test_errors();
	test_units();
	test_exact();
	test_shift();
	for (int i = 0; i < V_N; i++)
		TAP_DIAG("worst %-16s %.2g", vec_names[i], worst_vec[i]);
	for (int i = 0; i < S_N; i++)
		TAP_DIAG("worst %-16s %.2g", scal_names[i], worst_scal[i]);
	return tap_done();
}
