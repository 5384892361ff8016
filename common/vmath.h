/* vmath.h: column kernels on glibc's vector maths library (libmvec), for
 * the inner loops of searches and samplers.  Each result is within a few
 * ulps of the scalar libm one, not equal to it: callers that must match
 * transform.c bit for bit use transform.c. */
#ifndef MMM_VMATH_H
#define MMM_VMATH_H

#include <stddef.h>

/* Hill in place: s[t] = 1 / (1 + exp(alpha (log_gamma - log s[t]))) for
 * s[t] > 0, else 0 (s^alpha / (s^alpha + gamma^alpha)).  tmp: n doubles. */
void vm_hill(double *s, size_t n, double alpha, double log_gamma,
    double *tmp);

/* y[t] = log(x[t]) (-inf at 0). */
void vm_log(const double *x, double *y, size_t n);
/* y[t] = 1 / (1 + exp(-alpha l[t])); y may not be l. */
void vm_logistic(const double *l, double alpha, double *y, size_t n);

#endif
