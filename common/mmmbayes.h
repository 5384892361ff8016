/* mmmbayes.h: the Bayesian marketing-mix model of mmm-train --model mmm
 * --method bayes — the posterior of the model mmm.h fits by ridge, sampled
 * by NUTS (nuts.h) with analytic gradients through geometric and delayed
 * adstock and every saturation kind.
 *
 * On y standardised (ys = (y - mean) / sd, population sd) and baseline
 * terms standardised as in mmm.h (zs):
 *
 *   ys_t ~ Normal(mu_t, sigma),
 *   mu_t = level + sum_j g_j zs_jt + sum_c beta_c (s_ct - mean_t s_ct),
 *   s_ct = sat_c(adstock_c(x_c)_t / max_t x_ct),
 *
 * the half-saturation point a fraction gamma_c of the range of the
 * adstocked series (Robyn's gammaTrans, as the ridge search).  Centring the
 * media terms makes level the mean of the fit, which decorrelates it from
 * the betas; the intercept on the original scale follows from it.
 *
 * Priors (defaults):
 *   theta_c    Beta(2, 2) on (theta - lo) / (hi - lo), [lo, hi] the
 *              channel's bounds (Robyn's by channel type, or --bounds)
 *   peak_c     Beta(1.5, 1.5) on (peak - lo) / (hi - lo), the channel's
 *              peak bounds (0-3 unless --bounds)         (delayed)
 *   alpha_c    LogNormal(log 1.5, 0.5)           (hill)
 *   gamma_c    LogNormal(log 0.6, 0.4)           (hill, logistic, michaelis)
 *   beta_c     HalfNormal(2), or with --roi-prior CH=lognormal:MU:SIGMA
 *              ROI_c ~ LogNormal(MU, SIGMA) and beta_c = ROI_c spend_c /
 *              (sd_y sum_t s_ct)   (Meridian's ROI parametrisation)
 *   g_j        Normal(0, 2)
 *   level      Normal(0, 1)
 *   sigma      HalfNormal(1)
 * and with lift tests (p->lift) each measured lift ~ Normal(the channel's
 * contribution over the test's rows, lift_sd);
 * all on the standardised scale; sampled on unconstrained coordinates
 * (logit, log) with their Jacobians.  Functions return 0, or -1 with a
 * one-line message in err. */
#ifndef MMM_MMMBAYES_H
#define MMM_MMMBAYES_H

#include <stddef.h>
#include <stdint.h>

#include "jsonw.h"
#include "mmm.h"
#include "model.h"

typedef struct mmm_bayes_opts {
	size_t chains, draws, warmup, keep;	/* 4, 1000, 1000, 500 */
	uint64_t seed;
	int threads;
	double target_accept;			/* 0.8 */
	int max_depth;				/* 10 */
	const char *roi_prior;			/* "CH=lognormal:MU:SIGMA,..." */
	/* Iterations done of all chains' (warm-up and draws), from the
	 * first thread only, or NULL. */
	void (*progress)(size_t done, size_t total);
} mmm_bayes_opts;

/* The priors' constants (above; mmm-train(1)). */
#define MMMB_THETA_A 2.0
#define MMMB_THETA_B 2.0
#define MMMB_PEAK_A 1.5
#define MMMB_PEAK_B 1.5
#define MMMB_ALPHA_MU 0.4054651081081644	/* log 1.5 */
#define MMMB_ALPHA_SD 0.5
#define MMMB_GFRAC_MU -0.5108256237659907	/* log 0.6 */
#define MMMB_GFRAC_SD 0.4
#define MMMB_BETA_SD 2.0
#define MMMB_BASE_SD 2.0
#define MMMB_LEVEL_SD 1.0
#define MMMB_SIGMA_SD 1.0

/* A channel's summarised quantities, in order, and their names ("theta",
 * "alpha", "gamma", "gamma_fraction", "coef", "roi", "contribution",
 * "carry", "peak"). */
enum { BQ_THETA, BQ_ALPHA, BQ_GAMMA, BQ_GFRAC, BQ_COEF, BQ_ROI, BQ_CONTRIB,
	BQ_CARRY, BQ_PEAK, BQ_N };
extern const char *const mmm_bayes_qnames[BQ_N];

typedef struct mmm_bayes {
	size_t k, q, dim, chains, draws, nd;	/* nd = chains x draws */
	/* Original-scale draws, chain after chain: */
	double *chq;		/* k x BQ_N x nd (NaN where not defined) */
	double *base;		/* q x nd baseline coefficients */
	double *state;		/* k x nd geometric adstock at the last row */
	double *icpt, *sigma;			/* nd */
	double *level;		/* nd: mean of the fit, original scale */
	double *roi_mu, *roi_sd;		/* k: NaN without an ROI prior */
	/* Diagnostics. */
	size_t nparam;
	char **pname;		/* nparam: "tv.theta", "sin1", "sigma" ... */
	double *rhat, *ess;	/* nparam */
	double rhat_max, ess_min;
	size_t divergent, depth_hits, leapfrogs;
	double *step, *accept;	/* chains */
} mmm_bayes;

/* Check that the problem's kinds can be sampled (adstock geometric,
 * delayed or none), that every lift test has its lift_sd, and parse the ROI priors;
 * -1 with err (a usage error). */
int mmm_bayes_check(const mmm_problem *p, const mmm_bayes_opts *o,
    char *err, size_t errsz);

/* Sample.  The result does not depend on o->threads. */
void mmm_bayes_run(const mmm_problem *p, const mmm_bayes_opts *o,
    mmm_bayes *b);
void mmm_bayes_free(mmm_bayes *b);

/* The point estimate, posterior means: the hyperparameters h (p->nh, the
 * gamma fractions, lambda NaN), the coefficients coef (k + q: media then
 * baseline, original scale) and the mean level of the fit (original
 * scale), from which the caller sets the intercept. */
void mmm_bayes_point(const mmm_problem *p, const mmm_bayes *b, double *h,
    double *coef, double *level);

/* Channel c's "posterior" member: {quantity: {mean, sd, p5, p50, p95}}. */
void mmm_bayes_write_channel(jsonw *w, const mmm_bayes *b, size_t c);
/* The members "bayes" (sampler, priors, baseline, intercept and sigma
 * summaries), "diagnostics", "draws" (keep thinned draws) and
 * "draws_state" (their adstock states at the end of the data) of the mmm
 * block. */
void mmm_bayes_write(jsonw *w, const mmm_bayes *b, const mmm_problem *p,
    const mmm_bayes_opts *o);

/* The diagnostics gates (NaN threshold: off) into g (2 entries at most):
 * "max-rhat" and "min-ess"; returns how many. */
size_t mmm_bayes_gates(const mmm_bayes *b, double max_rhat, double min_ess,
    model_gate *g);

/* For tests: the largest error of the analytic gradient against central
 * differences, relative to max(1, |gradient|), at a starting point drawn
 * from seed. */
double mmm_bayes_grad_error(const mmm_problem *p, const mmm_bayes_opts *o,
    uint64_t seed);
/* For tests: the largest difference, relative to max(1, |value|), between
 * the sampler's transformed media series at such a point and mmm_media's
 * (transform.c's) for the same parameters. */
double mmm_bayes_series_error(const mmm_problem *p, const mmm_bayes_opts *o,
    uint64_t seed);

#endif
