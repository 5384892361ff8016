/* bayesridge.h: Bayesian ridge regression exactly as scikit-learn 1.2's
 * BayesianRidge: evidence maximisation (MacKay) of the noise precision alpha
 * and the weight precision lambda under gamma priors, on the SVD of the
 * centred, sqrt(w)-scaled design (see ridge.h for the data layout). */
#ifndef MMM_BAYESRIDGE_H
#define MMM_BAYESRIDGE_H

#include <stddef.h>

#include "ridge.h"

typedef struct bayesridge_opts {
	int max_iter;		/* 300 (sklearn's n_iter) */
	double tol;		/* 1e-3: stop when sum |coef - previous| < tol */
	double alpha_1, alpha_2;	/* 1e-6: gamma prior on alpha */
	double lambda_1, lambda_2;	/* 1e-6: gamma prior on lambda */
	double alpha_init;	/* NAN: 1 / (var(y) + eps) */
	double lambda_init;	/* NAN: 1 */
	int compute_score;	/* 0: keep the log marginal likelihood path */
} bayesridge_opts;

/* The defaults above. */
void bayesridge_opts_default(bayesridge_opts *o);

/* A fitted model.  Owns coef, sigma, xmean and scores. */
typedef struct bayesridge {
	size_t p;
	double *coef;		/* p: posterior mean */
	double intercept;
	double alpha;		/* noise precision */
	double lambda;		/* weight precision */
	double *sigma;		/* p x p posterior covariance, see below */
	double *xmean;		/* p: the centring offsets */
	int n_iter;
	double *scores;		/* n_iter + 1 values with compute_score, else
				 * NULL */
	size_t nscores;
} bayesridge;

/*
 * Fit.  On error returns a static message and leaves m empty (safe to free).
 * Like sklearn, sigma = V diag(1 / (alpha s^2 + lambda)) V' over the thin
 * SVD: when p > n it is not the full posterior covariance (the null space of
 * the data, where the posterior is the prior 1/lambda, is left out), and the
 * last score uses the coefficients of the last iteration, not the final ones.
 */
const char *bayesridge_fit(bayesridge *m, const ridge_problem *pr,
    const bayesridge_opts *o);
void bayesridge_free(bayesridge *m);

/*
 * Predictive mean and standard deviation of nrow new rows (column-major
 * nrow x p, like the training data): mean = intercept + x' coef,
 * sd = sqrt(x' sigma x + 1/alpha).  As sklearn's predict(return_std=True),
 * the x in the variance is the raw row, not centred.  sd may be NULL.
 */
void bayesridge_predict(const bayesridge *m, const double *X, size_t nrow,
    double *mean, double *sd);

#endif
