/* ols.h: ordinary and weighted least squares with the statistics of
 * statsmodels' OLS/WLS results, and prediction intervals. */
#ifndef MMM_OLS_H
#define MMM_OLS_H

#include <stddef.h>

/* Numerical rank tolerance: a column whose part independent of the
 * others is below this fraction of its (centred, when an intercept is on)
 * norm makes the design rank deficient. */
#define OLS_RANK_TOL 1e-10

typedef struct ols_input {
	size_t n, p;		/* rows, features (without the constant) */
	const double *X;	/* column-major n x p: X[j * n + i] */
	const double *y;	/* n */
	const double *w;	/* n positive weights (WLS), or NULL for all 1 */
	const char *const *names; /* p names for messages, or NULL: x1, x2.. */
	int intercept;		/* add a constant column first */
	double level;		/* of the intervals; 0 means 0.95 */
	int threads;		/* for the per-column passes; 0 means 1.  The
				 * result does not depend on it: each column
				 * is one thread's alone. */
	struct metrics *train;	/* or NULL: the training metrics of the fit
				 * (metrics.h, unweighted, the mean of y the
				 * baseline), from the residual pass */
} ols_input;

/*
 * Everything is as statsmodels' OLS(y, add_constant(X)).fit() (or WLS with
 * weights w) defines it.  Arrays of k = p + intercept hold the constant
 * first.  Residual statistics (dw, jb, skew, kurtosis) are of the weighted
 * residuals sqrt(w) (y - X b), as statsmodels' summary computes them.
 * Without an intercept r2, r2_adj and F are uncentred.  P-values below
 * about 1e-300 are 0 (scipy would return a denormal).
 */
typedef struct ols_result {
	size_t n, p, k;
	int intercept;
	double level;
	double *coef, *se, *t, *pval, *ci_lo, *ci_hi;	/* k each */
	double *cov;		/* k x k row-major: sigma^2 (X'WX)^-1 */
	double *vif;		/* p: variance_inflation_factor of feature j
				 * in add_constant(X), unweighted */
	double r2, r2_adj, fvalue, f_pval;
	double llf, aic, bic;
	double dw;		/* Durbin-Watson */
	double jb, jb_pval, skew, kurtosis;	/* Jarque-Bera */
	double cond;		/* condition number: ratio of the extreme
				 * singular values of sqrt(W) [1 X] */
	double sigma;		/* residual sd: sqrt(SSR / df_resid) */
	double ssr;		/* weighted sum of squared residuals */
	double df_model, df_resid, nobs;
} ols_result;

/* Prediction for one new row, as get_prediction(x).summary_frame(obs=True)
 * with the new observation's weight 1. */
typedef struct ols_pred {
	double mean, se_mean;
	double mean_lo, mean_hi;	/* confidence interval of the mean */
	double obs_lo, obs_hi;		/* prediction interval of a new y */
} ols_pred;

/*
 * Fit y on X.  On success return 0 and set *res (free with ols_free).  On
 * failure return -1, leave *res NULL and write a one-line message into
 * err[errsize] ("columns tv and tv_copy are collinear", "column x is
 * constant", "2 rows are too few for 3 coefficients", a bad level or
 * weight).  Input must be finite: checking for NaN and infinity is the
 * caller's job.
 */
int ols_fit(const ols_input *in, ols_result **res, char *err,
    size_t errsize);
void ols_free(ols_result *r);

/* Predict at the p features x[0..p) (no constant) at the fit's level. */
void ols_predict(const ols_result *r, const double *x, ols_pred *out);

#endif
