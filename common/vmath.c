/* vmath.c: column kernels on libmvec (see vmath.h).  Built with -O3
 * -fno-math-errno (Makefile) so that the loops below call the vector
 * variants that the declarations name; target_clones keeps one binary
 * that uses AVX2 where the CPU has it and SSE2 elsewhere. */
#include "vmath.h"

/* glibc declares these only under -ffast-math, which we do not want. */
double exp(double) __attribute__((simd("notinbranch")));
double log(double) __attribute__((simd("notinbranch")));

__attribute__((target_clones("avx2", "default")))
void
vm_hill(double *s, size_t n, double alpha, double log_gamma, double *tmp)
{
	/* Separate passes: each one a plain map the compiler vectorises. */
	for (size_t t = 0; t < n; t++)
		tmp[t] = alpha * (log_gamma - log(s[t]));
	for (size_t t = 0; t < n; t++)
		tmp[t] = exp(tmp[t]);
	for (size_t t = 0; t < n; t++)
		s[t] = s[t] > 0 ? 1 / (1 + tmp[t]) : 0;
}

__attribute__((target_clones("avx2", "default")))
void
vm_log(const double *x, double *y, size_t n)
{
	for (size_t t = 0; t < n; t++)
		y[t] = log(x[t]);
}

__attribute__((target_clones("avx2", "default")))
void
vm_logistic(const double *l, double alpha, double *y, size_t n)
{
	for (size_t t = 0; t < n; t++)
		y[t] = exp(-alpha * l[t]);
	for (size_t t = 0; t < n; t++)
		y[t] = 1 / (1 + y[t]);
}
