/* vmath.h: column kernels on glibc's vector maths library (libmvec), for
 * the inner loops of searches and samplers.  Each result is within a few
 * ulps of the scalar libm one, not equal to it: callers that must match
 * transform.c bit for bit use transform.c.  The sums are taken in four
 * lanes (element i into lane i mod 4, the tail into lane 0, then
 * (l0 + l2) + (l1 + l3)) on every CPU, so their bytes do not depend on the
 * clone that runs. */
#ifndef MMM_VMATH_H
#define MMM_VMATH_H

#include <stddef.h>

/* Hill in place: s[t] = 1 / (1 + exp(alpha (log_gamma - log s[t]))) for
 * s[t] > 0, else 0 (s^alpha / (s^alpha + gamma^alpha)); returns the sum
 * of the results, as vm_sum.  tmp: n doubles. */
double vm_hill(double *s, size_t n, double alpha, double log_gamma,
    double *tmp);

/* Geometric adstock of k series of n at once, out[c][t] = x[c][t] +
 * theta[c] out[c][t-1] (out[c][-1] = 0), with the minimum and maximum of
 * each output's first nr (<= n) into lo[c] and hi[c]: the channels'
 * recursions interleaved, so that they overlap instead of waiting on one
 * another.  junk: n doubles of scratch. */
void vm_adstock_geometric(const double *const *x, const double *theta,
    size_t k, size_t n, size_t nr, double *const *out, double *lo,
    double *hi, double *junk);

/* The sum of x (n). */
double vm_sum(const double *x, size_t n);
/* out = s - m (n). */
void vm_center(const double *s, size_t n, double m, double *out);

/* out[j] = x . r[j ld .. j ld + n) for j < m. */
void vm_dots(const double *x, const double *r, size_t ld, size_t m,
    size_t n, double *out);

/* y[t] = log(x[t]) (-inf at 0). */
void vm_log(const double *x, double *y, size_t n);
/* y[t] = 1 / (1 + exp(-alpha l[t])); y may not be l. */
void vm_logistic(const double *l, double alpha, double *y, size_t n);

#endif
