/* nuts.h: the No-U-Turn sampler as Stan runs it (Hoffman and Gelman 2014;
 * Betancourt 2017, "A conceptual introduction to Hamiltonian Monte Carlo"):
 * multinomial sampling of the trajectory's states, the generalised U-turn
 * criterion checked across and between subtrees, a diagonal mass matrix and
 * a step size learnt during warm-up — dual averaging (Nesterov; gamma 0.05,
 * t0 10, kappa 0.75) towards a target acceptance, the inverse metric from
 * the variance of the draws in doubling windows (buffers 75 / 25 / 50
 * iterations, scaled down to 15% / 75% / 10% for short warm-ups),
 * regularised as Stan does.  One chain per call; the caller runs chains in
 * threads, each with its own density context and random stream. */
#ifndef MMM_NUTS_H
#define MMM_NUTS_H

#include <stddef.h>
#include <stdint.h>

/* The log density at q (dim) up to a constant, and its gradient into grad;
 * -inf or NaN for a point outside the support. */
typedef double (*nuts_logp_fn)(void *ctx, const double *q, double *grad);

typedef struct nuts_opts {
	size_t warmup, draws;
	double target_accept;	/* (0, 1): 0.8 */
	int max_depth;		/* 10 */
	void (*each)(void *arg);	/* after every iteration, or NULL */
	void *each_arg;
} nuts_opts;

typedef struct nuts_chain {
	double *draws;		/* draws x dim, row by row: the caller's */
	size_t divergent;	/* divergent transitions after warm-up */
	size_t max_depth_hits;	/* transitions that hit max_depth */
	size_t leapfrogs;	/* gradient evaluations in all */
	double step;		/* the adapted step size */
	double accept;		/* mean acceptance statistic after warm-up */
} nuts_chain;

/* Standard normal draw from the stream *s (Box-Muller, one of the pair). */
double nuts_normal(uint64_t *s);

/* Run one chain from q0 (dim; a point of finite density) with the stream
 * *rng.  -1 when the density is not finite at q0. */
int nuts_run(const nuts_opts *o, size_t dim, nuts_logp_fn f, void *ctx,
    const double *q0, uint64_t *rng, nuts_chain *out);

#endif
