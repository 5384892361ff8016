/* ridge.h: ridge regression as scikit-learn's Ridge, RidgeCV (efficient
 * leave-one-out over a grid) and Ridge(positive=True), through one SVD of
 * the centred design.
 *
 * Data: n rows, p features column-major (X[j*n + i]), y[n], sample weights
 * w[n] or NULL for all 1.  With fit_intercept the intercept is not
 * penalised: X and y are centred by their weighted means, rows are scaled by
 * sqrt(w) (sklearn's _preprocess_data and _rescale_data), and
 *   beta = argmin |sqrt(W)(Xc beta - yc)|^2 + lambda |beta|^2,
 *   intercept = ybar - xbar' beta.
 * Every function returns NULL on success or a static message on bad input;
 * none prints or exits.  A constant column with an intercept centres to zero:
 * its coefficient is 0 (the penalty decides it), not an error.
 */
#ifndef MMM_RIDGE_H
#define MMM_RIDGE_H

#include <stddef.h>

typedef struct ridge_problem {
	const double *X;	/* n x p, column-major */
	const double *y;	/* n */
	const double *w;	/* n positive weights, or NULL */
	size_t n, p;
	int fit_intercept;
	int threads;		/* for the blocked decomposition; 0: one */
} ridge_problem;

/* The centred, weighted design and its thin SVD: one per data set, then any
 * number of lambdas at O(np) each.  Owns every array. */
typedef struct ridge_svd {
	size_t n, p, k;		/* k = min(n, p) */
	double *xmean;		/* p weighted column means (0 without intercept) */
	double ymean;
	double *s;		/* k singular values, descending */
	double *u;		/* n x k, column-major */
	double *v;		/* p x k, column-major */
	double *uty;		/* k: U' yc */
	double *yc;		/* n: sqrt(w) (y - ymean) */
	double *hw;		/* n: w_i / sum w with an intercept, else 0 */
} ridge_svd;

/* Validate (n >= 2, p >= 1, finite values, weights > 0) and decompose. */
const char *ridge_svd_init(ridge_svd *d, const ridge_problem *pr);
/* The same, except that u is left NULL when the decomposition comes from
 * the Gram matrix (large, well-conditioned designs): for callers that never
 * read u. */
const char *ridge_svd_init_nou(ridge_svd *d, const ridge_problem *pr);
void ridge_svd_free(ridge_svd *d);
/* Coefficients (p) and intercept at lambda > 0. */
const char *ridge_svd_coef(const ridge_svd *d, double lambda, double *coef,
    double *intercept);
/* Mean squared leave-one-out error at lambda > 0, in sklearn's _RidgeGCV
 * sense: residuals of the sqrt(w)-scaled problem, the intercept refitted in
 * each fold (its hat value w_i / sum w added to the diagonal). */
double ridge_svd_loo(const ridge_svd *d, double lambda);
/* Largest eigenvalue of Xc' W Xc (s[0]^2). */
double ridge_svd_maxeig(const ridge_svd *d);

/* sklearn Ridge(alpha=lambda): coef (p), *intercept. */
const char *ridge_fit(const ridge_problem *pr, double lambda, double *coef,
    double *intercept);

/* Number of values in the default lambda grid. */
#define RIDGE_GRID_N 50

/*
 * sklearn RidgeCV(alphas=grid) with its default gcv_mode and scoring: the
 * lambda of least mean squared LOO error (the first of equals, in grid
 * order), and the fit there.  grid NULL means the default: RIDGE_GRID_N
 * values logspace(-4, 4) times the largest eigenvalue of Xc' W Xc (ascending).
 * loo (ngrid, or RIDGE_GRID_N with the default grid) receives the LOO MSE
 * path and lambdas (same length) the grid used; either may be NULL.
 */
const char *ridge_cv(const ridge_problem *pr, const double *grid,
    size_t ngrid, double *best, double *lambdas, double *loo, double *coef,
    double *intercept);

/*
 * Ridge with coef[j] >= 0 for every j with positive[j] != 0, the others free
 * (positive NULL: all constrained, sklearn's Ridge(positive=True)).  Exact
 * active-set solution (Lawson-Hanson on the augmented least squares,
 * subproblems by SVD).  *kkt (may be NULL) receives the scaled KKT residual:
 * max over j of the violation of g_j = 0 (free or positive) or g_j >= 0 (at
 * zero), with g the gradient of the objective / 2, divided by
 * |Xc'W yc|_inf + max_j (|Xc_j|^2 + lambda) |coef|_inf.
 */
const char *ridge_fit_nonneg(const ridge_problem *pr, double lambda,
    const unsigned char *positive, double *coef, double *intercept,
    double *kkt);

#endif
