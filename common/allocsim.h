/* allocsim.h: Monte Carlo over a response model's uncertainty — the
 * curves per draw (the model's posterior draws, its coefficient
 * covariance, or a response CSV's beta_sd), the interval of an
 * allocation's response, and spend scenarios against the current plan.
 * Seeded: the same seed gives the same numbers. */
#ifndef MMM_ALLOCSIM_H
#define MMM_ALLOCSIM_H

#include <stddef.h>
#include <stdint.h>

#include "allocio.h"
#include "jsonw.h"

typedef struct alloc_unc alloc_unc;

/*
 * The uncertainty of in's curves: a model's "mmm.draws" (each draw's
 * curve parameters; those a draw lacks keep the point estimate), else its
 * "mmm.coef_cov" (coefficients ~ N(coef, cov), clipped at 0), else the
 * CSV's beta_sd (independent normals, clipped at 0).  *u NULL when there
 * is none (every draw is then the point estimate).  0, or -1 with err
 * (a malformed block: EXIT_DATAERR).
 */
int alloc_unc_new(const alloc_input *in, alloc_unc **u, char *err,
    size_t errsz);
void alloc_unc_free(alloc_unc *u);
/* "draws", "coef_cov", "beta_sd" or "none". */
const char *alloc_unc_source(const alloc_unc *u);

/* ndraw sets of curves (ndraw x k, draw-major) from seed. */
alloc_curve *alloc_unc_sample(const alloc_unc *u, const alloc_input *in,
    size_t ndraw, uint64_t seed);

/* The total response of spends x (k) under each draw into y (ndraw). */
void alloc_sim_responses(const alloc_curve *draws, size_t ndraw, size_t k,
    const double *x, double *y);
/* The p-quantile of y[0..n) (sorted in place), linear between order
 * statistics (numpy's default). */
double alloc_quantile(double *y, size_t n, double p);

/* A scenario: a name and a spend multiplier per channel. */
typedef struct alloc_scenario {
	char *name;
	double *mult;		/* k */
} alloc_scenario;

/* "+20%,-20%,+50%": every channel's current spend times 1 + X/100. */
int alloc_scenarios_parse(const char *spec, size_t k, alloc_scenario **sc,
    size_t *n, char *err, size_t errsz);
/* A CSV scenario,channel,change (change in percent; channels a scenario
 * does not name keep their spend), scenarios in order of appearance. */
int alloc_scenarios_read(const char *path, const alloc_input *in,
    alloc_scenario **sc, size_t *n, char *err, size_t errsz, int *status);
void alloc_scenarios_free(alloc_scenario *sc, size_t n);

/* "scenarios": the current plan ("current"), then each scenario: spend,
 * revenue mean, its Monte Carlo standard error, p5, p95, ROAS, marginal
 * ROAS against the current plan, conversions when aov > 0. */
void alloc_sim_write(jsonw *w, const alloc_input *in,
    const alloc_curve *draws, size_t ndraw, const alloc_scenario *sc,
    size_t nsc, double aov);

#endif
