/* allocate.h: budget allocation over steady-state response curves — the
 * curves, the optimiser (global for concave and S-shaped curves) and the
 * check of its optimality conditions.  Pure functions: no I/O, no globals.
 *
 * A channel's steady-state response to spend x per period is
 *   f(x) = coef * sat(carry * x)
 * where sat is a saturation of transform.h (Hill GAMMA in spend units,
 * applied to the adstocked spend) and carry the adstock's steady-state
 * multiplier (1 / (1 - theta) for geometric adstock).
 *
 * The problem: maximise sum_c f_c(x_c) subject to lo_c <= x_c <= hi_c and
 * sum_c x_c = budget.  Every f_c is non-decreasing, so the answer spends
 * the whole budget unless the upper bounds sum to less (then every channel
 * is at its upper bound and alloc_result.capped says so).
 *
 * Method: the Lagrangian of the problem over each curve's concave envelope
 * (Newton and bisection on the multiplier mu; each channel's best response
 * to mu is its lower bound or the point of its concave part where
 * f' = mu).  When that answer lies on every true curve it is the global
 * optimum.  When it does not (an S-curve sits on the straight part of its
 * envelope: the budget falls where a channel switches on), the regimes of
 * the S-curves (off at the lower bound, or on the concave part from the
 * inflexion up) of a dynamic programme's grid answer, of the envelope's
 * two roundings and of the caller's start are solved exactly, then
 * improved one switch at a time where weak duality allows a gain; NLopt's
 * SLSQP polishes the answer when it misses the KKT conditions, and the
 * grid's basin when the grid puts an S-curve on its convex part; the best
 * is the answer.  Last, knapsack moves no regime makes (a curve convex on
 * its whole range between its bounds, another one left inside its range):
 * each S-curve flipped between its bounds while that gains. */
#ifndef MMM_ALLOCATE_H
#define MMM_ALLOCATE_H

#include <stddef.h>

#include "transform.h"

typedef struct alloc_curve {
	saturation sat;		/* of the adstocked spend */
	double carry;		/* steady-state adstock multiplier, > 0 */
	double coef;		/* >= 0 */
} alloc_curve;

/* f(x), f'(x) (the marginal response), f''(x). */
double alloc_response(const alloc_curve *c, double x);
double alloc_marginal(const alloc_curve *c, double x);
double alloc_curvature(const alloc_curve *c, double x);
/* The spend where f turns from convex to concave: 0 for concave curves,
 * the Hill inflexion / carry for Hill with alpha > 1. */
double alloc_inflexion(const alloc_curve *c);

typedef struct alloc_problem {
	size_t k;
	const alloc_curve *curve;	/* k */
	const double *lo, *hi;		/* k; hi may be INFINITY */
	double budget;			/* per period */
	const double *start;		/* k or NULL: a start for the polish
					 * (current spend) */
	const char *const *names;	/* k, for messages, or NULL */
} alloc_problem;

enum { ALLOC_FREE = 0, ALLOC_AT_MIN = 1, ALLOC_AT_MAX = 2 };

typedef struct alloc_result {
	double *x;		/* k: the allocation */
	signed char *at;	/* k: ALLOC_FREE, ALLOC_AT_MIN, ALLOC_AT_MAX */
	double response;	/* sum f_c(x_c) */
	double spent;		/* sum x_c */
	int capped;		/* the upper bounds sum to less than budget */
	int global;		/* envelope answer: provably global */
	double mu;		/* the multiplier: marginal response of the
				 * last unit of budget */
	double kkt_violation;	/* largest, relative to mu */
	int kkt_ok;		/* kkt_violation <= ALLOC_KKT_TOL */
} alloc_result;

#define ALLOC_KKT_TOL 1e-6

/*
 * Solve p into r (r's arrays are allocated here; free with
 * alloc_result_free).  0, or -1 with a message in err when the problem has
 * no feasible point: a channel's lo > hi, a negative or non-finite bound,
 * lower bounds that sum to more than the budget.
 */
int alloc_solve(const alloc_problem *p, alloc_result *r, char *err,
    size_t errsz);
void alloc_result_free(alloc_result *r);

/* The optimality conditions at x (spend sum_c x_c): mu, the largest
 * violation relative to mu, and which bound each channel is at (at: k, or
 * NULL).  Interior channels need f' = mu, those at lo f' <= mu, those at
 * hi f' >= mu. */
double alloc_kkt(const alloc_problem *p, const double *x, double *mu,
    signed char *at);

/*
 * Target ROAS: the largest spend whose marginal response stays >= target
 * (each channel spends up to where f' falls to target on its concave part;
 * an S-curve whose envelope never reaches target stays at lo), or, with
 * average, the largest budget whose optimal allocation returns >= target
 * per unit of spend.  r as alloc_solve; -1 with err when the spend has no
 * upper end (a straight or unbounded curve above target with hi infinite)
 * or when even the lower bounds do not reach the target (average).
 */
int alloc_target(const alloc_problem *p, double target, int average,
    alloc_result *r, char *err, size_t errsz);

#endif
