/* mmm.h: the marketing-mix model of mmm-train --model mmm.
 *
 *   y_t = b0 + Z_t' g + sum_c beta_c sat_c(adstock_c(x_c)_t) + e_t
 *
 * Z holds the baseline terms (trend, Fourier pairs, holidays, controls),
 * x_c the spend of channel c.  For one set of transform parameters (a
 * "candidate") and a ridge penalty lambda the linear coefficients are the
 * exact solution of
 *
 *   min |yc - Zs g - Ms beta|^2 + lambda (|g|^2 + |beta|^2),  beta >= 0,
 *
 * on centred y and standardised columns (mean 0, population sd 1: the
 * penalty is scale-free, as glmnet's in Robyn), intercept unpenalised.  The
 * baseline never changes, so it is profiled out once through the
 * eigenvectors of its Gram matrix and each candidate builds only its K media
 * columns (PERFORMANCE.md: a candidate costs a few microseconds).
 *
 * Hyperparameters are named "CHANNEL.theta" (geometric, delayed),
 * ".shape" and ".scale" (weibull_*), ".peak" (delayed), ".alpha" (hill),
 * ".gamma" (the half-saturation point as a fraction of the range of the
 * adstocked series, Robyn's gammaTrans: hill, logistic, michaelis), and
 * "lambda" (the penalty as a fraction of n).  Functions return 0, or -1
 * with a one-line message in err. */
#ifndef MMM_MMM_H
#define MMM_MMM_H

#include <stddef.h>
#include <stdint.h>

#include "lift.h"
#include "transform.h"

enum { HP_THETA, HP_SHAPE, HP_SCALE, HP_PEAK, HP_ALPHA, HP_GAMMA, HP_NKINDS };

/* One searched hyperparameter: bounds and where it goes. */
typedef struct mmm_hyper {
	char name[96];
	double lo, hi;		/* lo == hi: fixed */
	int chan;		/* -1: lambda */
	int kind;		/* HP_* */
} mmm_hyper;

/* One media channel as configured. */
typedef struct mmm_channel {
	const char *name;
	adstock_kind ak;	/* NONE, GEOMETRIC, WEIBULL_CDF, WEIBULL_PDF,
				 * DELAYED */
	saturation_kind sk;
	double lo[HP_NKINDS], hi[HP_NKINDS];	/* bounds (NAN: unused) */
} mmm_channel;

/* The problem: data and configuration, built once.  With held-out rows
 * (nv > 0: time-series validation) the fit uses the first n rows; the
 * series run on for nv more, the first nval of them the validation part,
 * the rest the test part.  The transforms run over all n + nv rows (the
 * carryover crosses into the held-out rows as it does in mmm-predict);
 * everything fitted (saturation ranges, standardisation, coefficients,
 * spend shares) comes from the first n. */
typedef struct mmm_problem {
	size_t n, k, q;		/* rows, channels, baseline columns */
	size_t nv, nval;	/* held-out rows, validation rows among them */
	const double *y;	/* n + nv */
	const double *const *x;	/* k spend series, n + nv each */
	const double *const *z;	/* q baseline series, n + nv each */
	const char *const *zname;	/* q */
	mmm_channel *ch;	/* k */
	size_t lmax;		/* delayed: window (12) */
	double lambda_lo, lambda_hi;	/* fraction of n */
	const lift_set *lift;	/* lift tests scored as MAPE.LIFT, or NULL */
	int rssd_zero_penalty;	/* DECOMP.RSSD times 1 + the share of
				 * channels with no effect (Robyn's) */
	int const_zero;		/* a baseline term constant over the n rows
				 * gets coefficient 0 (else an error): for
				 * fits on part of the data */

	/* Derived by mmm_problem_init. */
	size_t nh;
	mmm_hyper *hp;		/* nh: the channels' in order, then lambda */
	double ymean, ycc, yrange;	/* ycc = |yc|^2 */
	double vrange, trange;	/* ranges of y in the held-out parts */
	double *yc;		/* n */
	double *zmean, *zsd;	/* q */
	unsigned char *zconst;	/* q: constant over the n rows (const_zero) */
	double *w;		/* n x q: Zs V, column-major */
	double *d;		/* q eigenvalues of Zs'Zs */
	double *v;		/* q x q eigenvectors, column-major */
	double *wy;		/* q: W' yc */
	double *spend, *spend_share;	/* k: totals and shares */
} mmm_problem;

/* Robyn's default bounds for a channel named name (by its type: tv, radio,
 * video: theta 0.3-0.8; print, ooh, newsletter, email: 0.1-0.4; search,
 * social, display, online channels: 0-0.3; others 0-0.9), alpha 0.5-3,
 * gamma 0.3-1, weibull shape 0.0001-2 (cdf) or -10 (pdf), scale 0-0.1,
 * delayed peak 0-3. */
void mmm_channel_defaults(mmm_channel *c, const char *name, adstock_kind ak,
    saturation_kind sk);

/* Check the data (finite, spend >= 0, y not constant, n > q + 2) and derive
 * the fixed parts.  The problem borrows y, x, z, names and channels. */
int mmm_problem_init(mmm_problem *p, char *err, size_t errsz);
void mmm_problem_free(mmm_problem *p);

/* "theta", "shape", ... for an HP_* kind; "lambda" for any other. */
const char *mmm_hyper_suffix(int kind);

/* Channel c's adstock for the hyperparameter values h (nh). */
void mmm_adstock_of(const mmm_problem *p, const double *h, size_t c,
    adstock *a);
/* Channel c's saturation for h, its half-saturation point (the gamma
 * fraction of the range) taken from the adstocked series (n). */
void mmm_saturation_of(const mmm_problem *p, const double *h, size_t c,
    const double *adstocked, saturation *s);

/* What one candidate scores.  NRMSE of a part: sqrt(mean residual^2) /
 * (max y - min y) over that part's rows (the training range when the
 * part's KPI is constant). */
typedef struct mmm_score {
	double nrmse;		/* of the n fitted rows */
	double nrmse_val, nrmse_test;	/* of the held-out parts (NAN
					 * without them) */
	double obj;		/* the NRMSE the search minimises:
				 * nrmse_val with held-out rows (Robyn's
				 * ts_validation), else nrmse */
	double rssd;		/* DECOMP.RSSD: |effect share - spend share|,
				 * times 1 + the share of channels with
				 * beta 0 under rssd_zero_penalty */
	double mape_lift;	/* MAPE.LIFT of the lift tests (NAN: none) */
	double r2;
	double lambda;		/* absolute penalty */
} mmm_score;

/* Scratch for mmm_eval, one per thread. */
typedef struct mmm_work mmm_work;
mmm_work *mmm_work_new(const mmm_problem *p);
void mmm_work_free(mmm_work *w);
/* on: compute the transforms through transform.c exactly as mmm-features
 * does (the final fit); off (the default): the search's faster path, equal
 * to a few ulps. */
void mmm_work_exact(mmm_work *w, int on);
/* The transformed media columns (k x (n + nv)) of the last mmm_eval. */
const double *mmm_work_media(const mmm_work *w);

/* Fit and score the candidate h.  coef (k + q + 1 on the original scale:
 * beta_1..k, g_1..q, intercept) may be NULL. */
void mmm_eval(const mmm_problem *p, mmm_work *w, const double *h,
    mmm_score *sc, double *coef);

/* The transformed media columns of h, sat(adstock(x_c)), k x (n + nv)
 * into s; each channel's transforms into ad and sat (k each; either may
 * be NULL).  wts and state: scratch of max(n + nv, lmax) doubles each. */
void mmm_media(const mmm_problem *p, const double *h, double *s, adstock *ad,
    saturation *sat, double *wts, double *state);

/* min z'Az - 2b'z over z >= 0 for a positive definite m x m A (row-major),
 * exactly (active set, Cholesky subproblems).  l: m x m scratch; tmp: m;
 * idx: m. */
void mmm_nnqp(const double *a, const double *b, size_t m, double *z,
    double *l, double *tmp, size_t *idx);

/* The search: differential evolution over the hyperparameter box. */
typedef struct mmm_search_opts {
	size_t iterations;	/* candidates per trial (2000) */
	size_t trials;		/* independent runs, own seeds (5) */
	uint64_t seed;
	int threads;		/* >= 1; results do not depend on it */
	double rssd_weight;	/* trial t minimises nrmse + wt * rssd with
				 * wt = rssd_weight * t / (trials - 1);
				 * trial 0 minimises NRMSE alone */
	double lift_weight;	/* with lift tests every trial adds
				 * lift_weight * MAPE.LIFT */
	double lift_quantile;	/* with lift tests the rules select among
				 * the candidates whose MAPE.LIFT is within
				 * this quantile of all (Robyn's
				 * calibration_constraint, 0.1) */
	void (*progress)(size_t done, size_t total);	/* or NULL */
} mmm_search_opts;

/* Every candidate evaluated, in a fixed order (trial, generation, member). */
typedef struct mmm_search {
	size_t nh, ncand;
	double *h;		/* ncand x nh */
	mmm_score *sc;		/* ncand */
	unsigned *trial;	/* ncand */
	size_t *front;		/* indices of the Pareto front of obj,
				 * DECOMP.RSSD (and MAPE.LIFT with lift
				 * tests), by obj */
	size_t nfront;
	int lift;		/* MAPE.LIFT is an objective */
	double lift_cut;	/* the calibration constraint: the
				 * lift_quantile of MAPE.LIFT */
} mmm_search;

/* The population (2 nh, at least 10, at most the iterations), the
 * generations (iterations rounded up to whole ones) and the candidates of
 * all trials. */
void mmm_search_size(size_t nh, const mmm_search_opts *o, size_t *np,
    size_t *gens, size_t *total);
void mmm_search_run(const mmm_problem *p, const mmm_search_opts *o,
    mmm_search *s);
void mmm_search_free(mmm_search *s);

enum { MMM_SELECT_PARETO, MMM_SELECT_NRMSE, MMM_SELECT_RSSD,
	MMM_SELECT_KNEE, MMM_SELECT_N };
extern const char *const mmm_select_names[MMM_SELECT_N];
/* The candidate the rule picks from the front (with lift tests: from its
 * members within the calibration constraint, normalised over the three
 * objectives).  Is candidate i within the calibration constraint? */
size_t mmm_select(const mmm_search *s, int rule);
int mmm_calibrated(const mmm_search *s, size_t i);

#endif
