/* vmath.c: column kernels on libmvec (see vmath.h).  Built with -O3
 * -fno-math-errno (Makefile) so that the loops below call the vector
 * variants that the declarations name; target_clones keeps one binary
 * that uses AVX2 where the CPU has it and SSE2 elsewhere.  ISO C mode
 * keeps a * b + c as two roundings (no FMA contraction), so the clones
 * give the same bytes. */
#include <math.h>
#include <string.h>

#include "vmath.h"

/* glibc declares these only under -ffast-math, which we do not want. */
double exp(double) __attribute__((simd("notinbranch")));
double log(double) __attribute__((simd("notinbranch")));

#define CLONES __attribute__((target_clones("avx2", "default")))

/* Four doubles in a vector register (two halves without AVX); the
 * alignment of one double, so that loads may be unaligned. */
typedef double v4d __attribute__((vector_size(32), aligned(8)));
typedef long long v4i __attribute__((vector_size(32), aligned(8)));

/* The lanes of a where m is set, of b elsewhere (a macro: a function
 * returning a vector would change the ABI between the clones). */
#define PICK(m, a, b) ((v4d)(((v4i)(a) & (m)) | ((v4i)(b) & ~(m))))


CLONES
double
vm_hill(double *s, size_t n, double alpha, double log_gamma, double *tmp)
{
	/* Separate passes: each one a plain map the compiler vectorises. */
	for (size_t t = 0; t < n; t++)
		tmp[t] = alpha * (log_gamma - log(s[t]));
	for (size_t t = 0; t < n; t++)
		tmp[t] = exp(tmp[t]);
	/* Spelled out in vectors: the compiler keeps a conditional
	 * quotient scalar. */
	size_t t = 0;
	const v4d one = { 1, 1, 1, 1 }, zero = { 0, 0, 0, 0 };
	v4d acc = zero;
	for (; t + 4 <= n; t += 4) {
		v4d sv = *(const v4d *)(s + t);
		v4d r = one / (one + *(const v4d *)(tmp + t));
		r = PICK(sv > zero, r, zero);
		*(v4d *)(s + t) = r;
		acc += r;
	}
	for (; t < n; t++) {
		s[t] = s[t] > 0 ? 1 / (1 + tmp[t]) : 0;
		acc[0] += s[t];
	}
	return (acc[0] + acc[2]) + (acc[1] + acc[3]);
}


/* Eight lanes in two vectors: a recursion costs a multiply and an add of
 * latency a step, eight independent ones fill the pipeline.  Unused lanes
 * read x[0] with theta 0 and write to junk. */
CLONES
void
vm_adstock_geometric(const double *const *x, const double *theta,
    size_t k, size_t n, size_t nr, double *const *out, double *lo,
    double *hi, double *junk)
{
	for (size_t c0 = 0; c0 < k; c0 += 8) {
		const double *px[8];
		double *po[8], th[8];
		for (size_t l = 0; l < 8; l++) {
			int on = c0 + l < k;
			px[l] = on ? x[c0 + l] : x[0];
			po[l] = on ? out[c0 + l] : junk;
			th[l] = on ? theta[c0 + l] : 0;
		}
		v4d t0 = { th[0], th[1], th[2], th[3] };
		v4d t1 = { th[4], th[5], th[6], th[7] };
		v4d a0 = { 0, 0, 0, 0 }, a1 = a0;
		v4d mn0 = { HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL }, mn1 = mn0;
		v4d mx0 = -mn0, mx1 = -mn0;
		for (size_t t = 0; t < n; t++) {
			v4d x0 = { px[0][t], px[1][t], px[2][t], px[3][t] };
			v4d x1 = { px[4][t], px[5][t], px[6][t], px[7][t] };
			a0 = x0 + t0 * a0;
			a1 = x1 + t1 * a1;
			if (t < nr) {
				mn0 = PICK(a0 < mn0, a0, mn0);
				mn1 = PICK(a1 < mn1, a1, mn1);
				mx0 = PICK(a0 > mx0, a0, mx0);
				mx1 = PICK(a1 > mx1, a1, mx1);
			}
			for (size_t l = 0; l < 4; l++) {
				po[l][t] = a0[l];
				po[4 + l][t] = a1[l];
			}
		}
		for (size_t l = 0; l < 8 && c0 + l < k; l++) {
			lo[c0 + l] = l < 4 ? mn0[l] : mn1[l - 4];
			hi[c0 + l] = l < 4 ? mx0[l] : mx1[l - 4];
		}
	}
}

/* The sum of x in four lanes (vmath.h). */
static inline double
sum4(const double *x, size_t n)
{
	v4d acc = { 0, 0, 0, 0 };
	size_t i = 0;

	for (; i + 4 <= n; i += 4)
		acc += *(const v4d *)(x + i);
	for (; i < n; i++)
		acc[0] += x[i];
	return (acc[0] + acc[2]) + (acc[1] + acc[3]);
}

CLONES
double
vm_sum(const double *x, size_t n)
{
	return sum4(x, n);
}

CLONES
void
vm_center(const double *s, size_t n, double m, double *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = s[i] - m;
}

/* B dot products against x at once: B accumulators of four lanes each,
 * x loaded once per four rows. */
static inline __attribute__((always_inline)) void
dots_block(const double *x, const double *r, size_t ld, size_t n,
    double *out, size_t B)
{
	v4d acc[8];
	size_t i = 0;

	for (size_t b = 0; b < B; b++)
		acc[b] = (v4d){ 0, 0, 0, 0 };
	for (; i + 4 <= n; i += 4) {
		v4d xv = *(const v4d *)(x + i);
		for (size_t b = 0; b < B; b++)
			acc[b] += xv * *(const v4d *)(r + b * ld + i);
	}
	for (; i < n; i++)
		for (size_t b = 0; b < B; b++)
			acc[b][0] += x[i] * r[b * ld + i];
	for (size_t b = 0; b < B; b++)
		out[b] = (acc[b][0] + acc[b][2]) + (acc[b][1] + acc[b][3]);
}

CLONES
void
vm_dots(const double *x, const double *r, size_t ld, size_t m, size_t n,
    double *out)
{
	size_t j = 0;

	for (; j + 8 <= m; j += 8)
		dots_block(x, r + j * ld, ld, n, out + j, 8);
	for (; j + 4 <= m; j += 4)
		dots_block(x, r + j * ld, ld, n, out + j, 4);
	for (; j < m; j++)
		dots_block(x, r + j * ld, ld, n, out + j, 1);
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
