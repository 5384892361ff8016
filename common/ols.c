/* ols.c: least squares by column-pivoted QR of the centred, unit-norm
 * design, with statsmodels' summary statistics on the original scale. */
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_vector.h>

#include "err.h"
#include "gram.h"
#include "metrics.h"
#include "ols.h"

/* Coefficients of the dependent column on the others below this (in the
 * unit-norm basis) are rounding, not partners in a collinearity. */
#define PARTNER_TOL 1e-6

/* The unit-norm design is factored from its Gram matrix (one level-3 pass)
 * when the Cholesky factor's condition number is at most this, so that the
 * squaring costs at most ~1e-10 relative; otherwise, and for every rank
 * deficient design, by blocked Householder QR. */
#define GRAM_MAX_COND 1e3

/* Above that and up to this, the design is factored by CholeskyQR2 (the
 * Gram factor R1 as a preconditioner, then the Gram of A R1^-1, whose
 * condition number is then near 1): two level-3 passes over row blocks,
 * never the whole centred design in memory, with the accuracy of
 * Householder QR while cond is well below 1/sqrt(eps) (Yamamoto et al.,
 * ETNA 44, 2015).  Above it, and for rank-deficient designs, Householder
 * QR of the stored design. */
#define CHOLQR2_MAX_COND 1e6

/* LAPACK from OpenBLAS; the trailing length is gfortran's hidden argument
 * for the character option. */
extern void dgeqrf_(const int *m, const int *n, double *a, const int *lda,
    double *tau, double *work, const int *lwork, int *info);
extern void dpotrf_(const char *uplo, const int *n, double *a,
    const int *lda, int *info, size_t uplo_len);

static int
fail(char *err, size_t errsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;

	if (err && errsize > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errsize, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The name of feature j for messages. */
static const char *
colname(const ols_input *in, size_t j, char *buf, size_t size)
{
	if (in->names && in->names[j])
		return in->names[j];
	snprintf(buf, size, "x%zu", j + 1);
	return buf;
}

/* Weighted mean by two passes, so that a large offset costs nothing. */
static double
wmean(const double *x, const double *w, size_t n)
{
	double s[4] = { 0 }, sw[4] = { 0 }, c[4] = { 0 }, m, sws;
	size_t i;

	/* Four partial sums: the second pass recovers what the first lost. */
	if (w) {
		for (i = 0; i + 4 <= n; i += 4)
			for (int l = 0; l < 4; l++) {
				s[l] += w[i + l] * x[i + l];
				sw[l] += w[i + l];
			}
		for (; i < n; i++) {
			s[0] += w[i] * x[i];
			sw[0] += w[i];
		}
	} else {
		for (i = 0; i + 4 <= n; i += 4)
			for (int l = 0; l < 4; l++)
				s[l] += x[i + l];
		for (; i < n; i++)
			s[0] += x[i];
		sw[0] = (double)n;
	}
	sws = (sw[0] + sw[1]) + (sw[2] + sw[3]);
	m = ((s[0] + s[1]) + (s[2] + s[3])) / sws;
	if (w) {
		for (i = 0; i + 4 <= n; i += 4)
			for (int l = 0; l < 4; l++)
				c[l] += w[i + l] * (x[i + l] - m);
		for (; i < n; i++)
			c[0] += w[i] * (x[i] - m);
	} else {
		for (i = 0; i + 4 <= n; i += 4)
			for (int l = 0; l < 4; l++)
				c[l] += x[i + l] - m;
		for (; i < n; i++)
			c[0] += x[i] - m;
	}
	return m + ((c[0] + c[1]) + (c[2] + c[3])) / sws;
}

/*
 * I_x(a, b), the regularized incomplete beta function, without GSL's error
 * handler: GSL aborts when the result underflows (Student t beyond ~300 at
 * 200 df), so a result below ~1e-300 is 0 here, and NaN input gives NaN.
 * The leading factor x^a (1-x)^b / (a B(a, b)) bounds the exponent.
 */
static double
beta_inc(double a, double b, double x)
{
	if (!(x >= 0 && x <= 1))
		return NAN;
	if (x == 0)
		return 0;
	if (x < 1 && a * log(x) + b * log1p(-x) - log(a) -
	    gsl_sf_lnbeta(a, b) < -690)
		return 0;
	return gsl_sf_beta_inc(a, b, x);
}

/* Two-sided p-value of Student's t with df degrees of freedom.  Not
 * gsl_cdf_tdist_Q: it loses up to 1e-6 relative in the far tail (p <
 * 1e-50) where scipy's stdtr keeps 1e-14.  x carries full relative
 * accuracy whatever t is, and p near 1 needs only absolute accuracy. */
static double
t_two_sided(double t, double df)
{
	return beta_inc(df / 2, 0.5, df / (df + t * t));
}

/* Upper tail of F(d1, d2) at f, by the same route. */
static double
f_upper(double f, double d1, double d2)
{
	return beta_inc(d2 / 2, d1 / 2, d2 / (d2 + d1 * f));
}

/* Invert the leading k x k upper triangle of R into U (row-major). */
static void
tri_upper_inverse(const gsl_matrix *R, size_t k, double *U)
{
	memset(U, 0, k * k * sizeof *U);
	for (size_t c = 0; c < k; c++) {
		U[c * k + c] = 1 / gsl_matrix_get(R, c, c);
		for (size_t i = c; i-- > 0;) {
			long double s = 0;
			for (size_t l = i + 1; l <= c; l++)
				s += (long double)gsl_matrix_get(R, i, l) *
				    U[l * k + c];
			U[i * k + c] = (double)(-s / gsl_matrix_get(R, i, i));
		}
	}
}

/* Ratio of the extreme singular values of the k x k row-major b (kept),
 * by one-sided Jacobi for relative accuracy. */
static double
small_cond(const double *b, size_t k)
{
	double *a = emalloc(k * k * sizeof *a);
	double *v = emalloc(k * k * sizeof *v), *s = emalloc(k * sizeof *s);
	double smax = 0, smin = INFINITY;

	memcpy(a, b, k * k * sizeof *a);
	gsl_matrix_view A = gsl_matrix_view_array(a, k, k);
	gsl_matrix_view V = gsl_matrix_view_array(v, k, k);
	gsl_vector_view S = gsl_vector_view_array(s, k);
	gsl_linalg_SV_decomp_jacobi(&A.matrix, &V.matrix, &S.vector);
	for (size_t j = 0; j < k; j++) {
		smax = fmax(smax, s[j]);
		smin = fmin(smin, s[j]);
	}
	free(a);
	free(v);
	free(s);
	return smin > 0 ? smax / smin : INFINITY;
}

/*
 * The Gram matrix g (kk x kk, upper, column-major: k columns, then y when
 * kk > k) scaled to unit column norms (the norms into s, y's column by
 * them too), and its Cholesky factor: c (k x k workspace) and R
 * (row-major, upper).  LAPACK's info: 0, or R is not set.
 */
static int
gram_cholesky(double *g, size_t k, size_t kk, double *s, double *c,
    double *R)
{
	int ik = (int)k, info = 0;

	for (size_t j = 0; j < k; j++)
		s[j] = sqrt(g[j * kk + j]);
	for (size_t j = 0; j < kk; j++)
		for (size_t i = 0; i <= j && i < k; i++)
			g[j * kk + i] /= j < k ? s[i] * s[j] : s[i];
	for (size_t j = 0; j < k; j++)
		for (size_t i = 0; i <= j; i++)
			c[j * k + i] = g[j * kk + i];
	dpotrf_("U", &ik, c, &ik, &info, 1);
	if (info == 0)
		for (size_t i = 0; i < k; i++)
			for (size_t j = 0; j < k; j++)
				R[i * k + j] = j >= i ? c[j * k + i] : 0;
	return info;
}

/*
 * Upper triangular R (k x k, row-major) with R'R = A'A for A the first k
 * columns of the n x (k + with_y) column-major a scaled to unit norm
 * (norms into s[0..k)), and with with_y the projection qty[0..k) =
 * R^-T A' a[k] (Q'y).  From the Gram matrix when it is well conditioned
 * (a kept, return 0), else by Householder QR of the scaled a (a
 * overwritten, return 1).
 */
static int
factor(double *a, size_t n, size_t k, int with_y, double *s, double *R,
    double *qty, int threads)
{
	size_t kk = k + (with_y != 0);
	int in = (int)n, ikk = (int)kk, info = 0, lwork = -1;
	double *g = emalloc(kk * kk * sizeof *g), *c = ecalloc(k * k, sizeof *c);
	double *tau, *work, wq;

	gram_upper(a, n, n, kk, threads, g);
	info = gram_cholesky(g, k, kk, s, c, R);
	if (info == 0) {
		if (small_cond(R, k) <= GRAM_MAX_COND) {
			for (size_t i = 0; with_y && i < k; i++) {
				long double t = g[k * kk + i];
				for (size_t l = 0; l < i; l++)
					t -= (long double)R[l * k + i] * qty[l];
				qty[i] = (double)(t / R[i * k + i]);
			}
			free(g);
			free(c);
			return 0;
		}
	}
	free(g);
	free(c);
	for (size_t j = 0; j < k; j++)
		for (size_t i = 0; i < n; i++)
			a[j * n + i] /= s[j];
	tau = emalloc(kk * sizeof *tau);
	dgeqrf_(&in, &ikk, a, &in, tau, &wq, &lwork, &info);
	lwork = (int)wq + 1;
	work = emalloc((size_t)lwork * sizeof *work);
	dgeqrf_(&in, &ikk, a, &in, tau, work, &lwork, &info);
	for (size_t i = 0; i < k; i++) {
		for (size_t j = 0; j < k; j++)
			R[i * k + j] = j >= i ? a[j * n + i] : 0;
		if (with_y)
			qty[i] = a[k * n + i];
	}
	free(work);
	free(tau);
	return 1;
}

/* The centred design [sqrt(w), sqrt(w) (X - m), sqrt(w) y] (without the
 * first column when there is no constant) by row blocks: the same values
 * prep writes, never stored whole. */
typedef struct design_src {
	const ols_input *in;
	const double *m;	/* k means; m[0] unused with a constant */
	size_t k, off;
} design_src;

static void
design_fill(const void *ctx, size_t r0, size_t mr, double *a)
{
	const design_src *d = ctx;
	const ols_input *in = d->in;
	size_t n = in->n, k = d->k, off = d->off;
	const double *w = in->w ? in->w + r0 : NULL, *y = in->y + r0;
	double *sw = a + k * mr;	/* sqrt(w) here until y's turn */

	for (size_t i = 0; w && i < mr; i++)
		sw[i] = sqrt(w[i]);
	for (size_t c = 0; c < k; c++) {
		double *ac = a + c * mr;
		if (off && c == 0) {
			for (size_t i = 0; i < mr; i++)
				ac[i] = w ? sw[i] : 1;
			continue;
		}
		const double *x = in->X + (c - off) * n + r0;
		double mc = d->m[c];
		if (w)
			for (size_t i = 0; i < mr; i++)
				ac[i] = sw[i] * (x[i] - mc);
		else
			for (size_t i = 0; i < mr; i++)
				ac[i] = x[i] - mc;
	}
	if (w)
		for (size_t i = 0; i < mr; i++)
			sw[i] *= y[i];
	else
		memcpy(sw, y, mr * sizeof *sw);
}

/* Rows sampled, evenly spread, for the shift of the one-pass centring. */
#define SHIFT_ROWS 1024
/* The one-pass centring corrects the Gram matrix of the shifted design by
 * terms of the size of sw d^2 (d the mean's offset from the shift): fall
 * back to exact means when that exceeds the centred diagonal by more than
 * this (cancellation would cost more than ~2 digits). */
#define SHIFT_MAX 1e2

/*
 * The means m[1..k) (weighted) and the upper Gram matrix g (kk = k + 1) of
 * the design source centred at them, in one pass over the rows: the Gram
 * matrix of the design shifted by sampled means c, whose constant column
 * gives the sums, corrected for the shift e = m - c (the parallel axis
 * theorem, exact in exact arithmetic).  -1 when the shift is too far from
 * the means for the correction to keep its digits: m and g are then to be
 * computed again from exact means.
 */
static int
shifted_gram(const ols_input *in, design_src *ds, const gram_src *src,
    double *m, double *g, int threads)
{
	size_t n = in->n, k = ds->k, kk = k + 1, step, cnt = 0;
	double *c = ecalloc(k, sizeof *c), *e = ecalloc(k, sizeof *e), sw;
	int rc = 0;

	step = n > SHIFT_ROWS ? n / SHIFT_ROWS : 1;
	for (size_t i = 0; i < n; i += step)
		cnt++;
	for (size_t j = 1; j < k; j++) {
		const double *x = in->X + (j - 1) * n;
		double t = 0;
		for (size_t i = 0; i < n; i += step)
			t += x[i];
		c[j] = t / (double)cnt;
	}
	ds->m = c;
	gram_upper_src(src, NULL, 0, threads, g);
	sw = g[0];
	for (size_t j = 1; j < k; j++) {
		m[j] = c[j] + g[j * kk] / sw;
		e[j] = m[j] - c[j];
	}
	/* sum w (xi - ci - ei)(xj - cj - ej) from the shifted sums: the
	 * shifted Gram, less ei Sj + ej Si, plus sw ei ej (S the shifted
	 * column sums, row 0); the constant's column and y's likewise. */
	for (size_t j = 1; j < kk && rc == 0; j++) {
		double sj = j < k ? g[j * kk] : 0, ej = j < k ? e[j] : 0;
		for (size_t i = 1; i <= j && i < k; i++) {
			double si = g[i * kk];
			if (j < k)
				g[j * kk + i] += -e[i] * sj - ej * si +
				    sw * e[i] * ej;
			else
				g[j * kk + i] -= e[i] * g[j * kk];
		}
		if (j < k) {
			if (!(g[j * kk + j] > 0) ||
			    sw * ej * ej > SHIFT_MAX * g[j * kk + j])
				rc = -1;
		}
	}
	/* Row 0 last: the loop above read it. */
	for (size_t j = 1; j < k; j++)
		g[j * kk] -= sw * e[j];
	ds->m = m;
	free(c);
	free(e);
	return rc;
}

/*
 * factor() for the design source src (k columns and y): R (row-major) and
 * qty from the Gram matrix when it is well conditioned (return 0), or by
 * CholeskyQR2 (return 1); -1 when neither is safe, for Householder QR of
 * the stored design.  g0 (kk x kk, upper, destroyed) is the source's Gram
 * matrix when the caller has it, or NULL.
 */
static int
factor_src(const gram_src *src, size_t k, double *s, double *R,
    double *qty, int threads, double *g0)
{
	size_t kk = k + 1;
	int ik = (int)k, info = 0, how = -1;
	double *g = emalloc(kk * kk * sizeof *g), *c = ecalloc(k * k, sizeof *c);
	double *c2 = ecalloc(k * k, sizeof *c2), cond;

	if (g0)
		memcpy(g, g0, kk * kk * sizeof *g);
	else
		gram_upper_src(src, NULL, 0, threads, g);
	info = gram_cholesky(g, k, kk, s, c, R);
	if (info != 0)
		goto out;
	cond = small_cond(R, k);
	if (cond <= GRAM_MAX_COND) {
		how = 0;
	} else if (cond <= CHOLQR2_MAX_COND) {
		/* Q1 = A D^-1 R1^-1 = A (R1 D)^-1 (one triangular solve, no
		 * division per value) and Q1'y; then Q1 = Q R2, R = R2 R1 and
		 * Q'y = R2^-T Q1'y. */
		double *rd = emalloc(k * k * sizeof *rd);
		for (size_t j = 0; j < k; j++)
			for (size_t i = 0; i < k; i++)
				rd[j * k + i] = c[j * k + i] * s[j];
		gram_upper_src(src, rd, k, threads, g);
		free(rd);
		for (size_t j = 0; j < k; j++)
			for (size_t i = 0; i <= j; i++)
				c2[j * k + i] = g[j * kk + i];
		dpotrf_("U", &ik, c2, &ik, &info, 1);
		if (info != 0)
			goto out;
		for (size_t i = 0; i < k; i++)
			for (size_t j = i; j < k; j++) {
				long double t = 0;
				for (size_t l = i; l <= j; l++)
					t += (long double)c2[l * k + i] *
					    c[j * k + l];
				R[i * k + j] = (double)t;
			}
		for (size_t i = 0; i < k; i++)
			for (size_t j = 0; j < k; j++)
				c[j * k + i] = c2[j * k + i];
		how = 1;
	} else {
		goto out;
	}
	/* qty = C^-T g[., k] with C the last Cholesky factor. */
	for (size_t i = 0; i < k; i++) {
		long double t = g[k * kk + i];
		for (size_t l = 0; l < i; l++)
			t -= (long double)c[i * k + l] * qty[l];
		qty[i] = (double)(t / c[i * k + i]);
	}
out:
	free(g);
	free(c);
	free(c2);
	return how;
}

/*
 * What the statistics need of the rows, gathered by row blocks and merged
 * in row order: the weighted residuals' moments about their mean (merged
 * as Pebay, SAND2008-6212, merges central moments), their sum of squares
 * and of successive differences (Durbin-Watson; the first and last
 * residual join the blocks), and y's weighted mean and squared deviations
 * (merged as Chan et al.), or its uncentred sum of squares, for the total
 * sum of squares; the sum of the log weights for the likelihood.
 */
typedef struct resid_part {
	double n, mean, m2, m3, m4;	/* of e */
	double ssr, d2, first, last;
	double sw, my, m2y, syy;	/* of y, weighted */
	double slw;
} resid_part;

static void
part_merge(resid_part *a, const resid_part *b)
{
	double na = a->n, nb = b->n, n = na + nb, d, dn, w;

	if (nb == 0)
		return;
	if (na == 0) {
		*a = *b;
		return;
	}
	d = b->mean - a->mean;
	dn = d / n;
	a->m4 += b->m4 + d * dn * dn * dn * na * nb * (na * na - na * nb +
	    nb * nb) + 6 * dn * dn * (na * na * b->m2 + nb * nb * a->m2) +
	    4 * dn * (na * b->m3 - nb * a->m3);
	a->m3 += b->m3 + d * dn * dn * na * nb * (na - nb) +
	    3 * dn * (na * b->m2 - nb * a->m2);
	a->m2 += b->m2 + d * dn * na * nb;
	a->mean += nb * dn;
	a->n = n;
	a->ssr += b->ssr;
	a->d2 += b->d2 + (b->first - a->last) * (b->first - a->last);
	a->last = b->last;
	w = a->sw + b->sw;
	d = b->my - a->my;
	a->my += d * (b->sw / w);
	a->m2y += b->m2y + d * d * (a->sw * b->sw / w);
	a->sw = w;
	a->syy += b->syy;
	a->slw += b->slw;
}

/* The residuals e[0..m) of rows whose targets are y and weights w (or
 * NULL) into a part of their own, then merged into *acc. */
static void
part_add(resid_part *acc, const double *e, const double *y,
    const double *w, size_t m)
{
	resid_part b = { 0 };
	double s = 0, sy = 0;

	if (m == 0)
		return;
	b.n = (double)m;
	for (size_t i = 0; i < m; i++) {
		s += e[i];
		b.ssr += e[i] * e[i];
		sy += (w ? w[i] : 1) * y[i];
		b.sw += w ? w[i] : 1;
		b.slw += w ? log(w[i]) : 0;
	}
	b.mean = s / b.n;
	b.my = sy / b.sw;
	for (size_t i = 0; i < m; i++) {
		double d = e[i] - b.mean, dd = d * d, dy = y[i] - b.my;
		b.m2 += dd;
		b.m3 += dd * d;
		b.m4 += dd * dd;
		b.m2y += (w ? w[i] : 1) * dy * dy;
		b.syy += (w ? w[i] : 1) * y[i] * y[i];
		if (i > 0)
			b.d2 += (e[i] - e[i - 1]) * (e[i] - e[i - 1]);
	}
	b.first = e[0];
	b.last = e[m - 1];
	part_merge(acc, &b);
}

/* Residuals sqrt(W) y - A ac of the design source, block by block, in
 * place of y's column, into the block's part. */
typedef struct resid_job {
	const ols_input *in;
	const double *ac;
	size_t k;
	resid_part *part;
	metrics_acc *mpart;	/* or NULL */
} resid_job;

/* The training metrics of the rows' fits y - e / sqrt(w), yhat[m] a
 * scratch array. */
static void
metrics_add(metrics_acc *acc, const double *e, const double *y,
    const double *w, size_t m, double *yhat)
{
	for (size_t i = 0; i < m; i++)
		yhat[i] = y[i] - (w ? e[i] / sqrt(w[i]) : e[i]);
	metrics_acc_add(acc, y, yhat, m);
}

static void
resid_block(void *ctx, size_t b, size_t r0, size_t mr, double *a)
{
	const resid_job *j = ctx;
	const double *y = j->in->y + r0, *w = j->in->w ? j->in->w + r0 : NULL;
	double *e = a + j->k * mr;

	cblas_dgemv(CblasColMajor, CblasNoTrans, (int)mr, (int)j->k, -1.0,
	    a, (int)mr, j->ac, 1, 1.0, e, 1);
	part_add(&j->part[b], e, y, w, mr);
	/* The design's columns are spent: the first holds the fits. */
	if (j->mpart)
		metrics_add(&j->mpart[b], e, y, w, mr, a);
}

/* The columns of the centred design a (n x (k + 1), y last), or with a
 * NULL only the means m, split over threads by column: column c goes to
 * thread c mod T, and each column's arithmetic is the same whatever T
 * is. */
typedef struct prep_job {
	const ols_input *in;
	const double *sw;
	double *m, *a;
	size_t k, off, t, nt;
} prep_job;

static void *
prep_columns(void *arg)
{
	const prep_job *j = arg;
	const ols_input *in = j->in;
	size_t n = in->n, k = j->k, off = j->off;

	for (size_t c = j->t; c <= k; c += j->nt) {
		double *ac = j->a ? j->a + c * n : NULL;
		if (c == k) {
			for (size_t i = 0; ac && i < n; i++)
				ac[i] = j->sw[i] * in->y[i];
		} else if (off && c == 0) {
			if (ac)
				memcpy(ac, j->sw, n * sizeof *ac);
		} else {
			const double *x = in->X + (c - off) * n;
			double m = off ? wmean(x, in->w, n) : 0;
			j->m[c] = m;
			if (!ac)
				continue;	/* the means alone */
			if (in->w)
				for (size_t i = 0; i < n; i++)
					ac[i] = j->sw[i] * (x[i] - m);
			else
				for (size_t i = 0; i < n; i++)
					ac[i] = x[i] - m;
		}
	}
	return NULL;
}

static void
prep(const ols_input *in, const double *sw, double *m, double *a, size_t k,
    size_t off)
{
	size_t nt = in->threads > 1 ? (size_t)in->threads : 1;
	pthread_t *tid;
	prep_job *job;
	size_t started = 1;

	if (nt > k + 1)
		nt = k + 1;
	tid = emalloc(nt * sizeof *tid);
	job = emalloc(nt * sizeof *job);
	for (size_t t = 0; t < nt; t++)
		job[t] = (prep_job){ in, sw, m, a, k, off, t, nt };
	/* A thread that cannot start leaves its columns to this one. */
	for (size_t t = 1; t < nt; t++, started++)
		if (pthread_create(&tid[t], NULL, prep_columns, &job[t]) != 0)
			break;
	for (size_t t = started; t < nt; t++)
		prep_columns(&job[t]);
	prep_columns(&job[0]);
	for (size_t t = 1; t < started; t++)
		pthread_join(tid[t], NULL);
	free(tid);
	free(job);
}

/*
 * Write the message for a design of numerical rank r < k: the first column
 * QRPT left out, with the columns it is a combination of.  A[0..r) of the
 * factor hold R11 and R12.
 */
static int
collinear(const ols_input *in, const gsl_matrix *QR,
    const gsl_permutation *perm, size_t r, char *err, size_t errsize)
{
	size_t k = in->p + (in->intercept != 0), off = in->intercept != 0;
	size_t d = gsl_permutation_get(perm, r);
	double *z = emalloc((r + 1) * sizeof *z);
	char *in_set = ecalloc(k, 1);
	char buf[32], *msg;
	size_t cnt = 0, seen = 0;
	size_t len = 0, cap = 64;

	/* Solve R11 z = R12[:, r]: the dependent column in the others. */
	for (size_t i = r; i-- > 0;) {
		long double s = gsl_matrix_get(QR, i, r);
		for (size_t l = i + 1; l < r; l++)
			s -= (long double)gsl_matrix_get(QR, i, l) * z[l];
		z[i] = (double)(s / gsl_matrix_get(QR, i, i));
	}
	in_set[d] = 1;
	for (size_t i = 0; i < r; i++)
		if (fabs(z[i]) > PARTNER_TOL)
			in_set[gsl_permutation_get(perm, i)] = 1;
	/* The centred columns are orthogonal to the constant: name only
	 * features. */
	if (off)
		in_set[0] = 0;
	for (size_t c = 0; c < k; c++)
		cnt += in_set[c];
	if (cnt <= 1) {
		size_t j = (off && d == 0 ? 0 : d - off);
		free(z);
		free(in_set);
		return fail(err, errsize, "column %s is %s",
		    colname(in, j, buf, sizeof buf),
		    in->intercept ? "constant" : "zero");
	}
	msg = emalloc(cap);
	for (size_t c = 0; c < k; c++) {
		const char *name, *sep;
		size_t need;
		if (!in_set[c])
			continue;
		name = colname(in, c - off, buf, sizeof buf);
		seen++;
		sep = seen == 1 ? "" : seen == cnt ? " and " : ", ";
		need = len + strlen(sep) + strlen(name) + 1;
		if (need > cap) {
			cap = 2 * need;
			msg = erealloc(msg, cap);
		}
		len += (size_t)snprintf(msg + len, cap - len, "%s%s", sep, name);
	}
	fail(err, errsize, "columns %s are collinear", msg);
	free(msg);
	free(z);
	free(in_set);
	return -1;
}

/* Variance inflation factors of the features in [1 X] (unweighted, as
 * statsmodels' variance_inflation_factor): the diagonal of the inverse of
 * the correlation matrix, from the factor of the centred unit-norm
 * columns. */
static void
vif_compute(const ols_input *in, double *vif)
{
	size_t n = in->n, p = in->p, q = 0;
	size_t *idx = emalloc((p + 1) * sizeof *idx);
	double *a, *R, *U;

	for (size_t j = 0; j < p; j++) {
		const double *x = in->X + j * n;
		size_t i;
		for (i = 1; i < n && x[i] == x[0]; i++)
			;
		/* A constant column explains nothing and gets NaN, as
		 * statsmodels' 0/0 R-squared. */
		if (i == n)
			vif[j] = NAN;
		else
			idx[q++] = j;
	}
	if (q == 0) {
		free(idx);
		return;
	}
	a = emalloc(n * q * sizeof *a);
	R = emalloc(q * q * sizeof *R);
	U = emalloc(q * q * sizeof *U);
	for (size_t c = 0; c < q; c++) {
		const double *x = in->X + idx[c] * n;
		double *ac = a + c * n;
		double m = wmean(x, NULL, n);
		for (size_t i = 0; i < n; i++)
			ac[i] = x[i] - m;
	}
	factor(a, n, q, 0, U, R, NULL, in->threads);
	gsl_matrix_view A = gsl_matrix_view_array(R, q, q);
	for (size_t c = 0; c < q; c++)
		if (gsl_matrix_get(&A.matrix, c, c) == 0)
			gsl_matrix_set(&A.matrix, c, c, 1e-300);
	tri_upper_inverse(&A.matrix, q, U);
	for (size_t c = 0; c < q; c++) {
		long double s = 0;
		for (size_t l = c; l < q; l++)
			s += (long double)U[c * q + l] * U[c * q + l];
		vif[idx[c]] = (double)s;
	}
	free(idx);
	free(a);
	free(R);
	free(U);
}

/* Ratio of the extreme singular values of sqrt(W) [1 X], unscaled, as
 * statsmodels' condition_number, from the factor R of the centred
 * unit-norm design A: sqrt(W) [1 X] = A diag(s) M with M = [1 m'; 0 I]
 * (or I without a constant), so its singular values are those of the
 * k x k R diag(s) M. */
static double
cond_number(const double *R, const double *s, const double *m, size_t k,
    size_t off)
{
	double *b = emalloc(k * k * sizeof *b), c;

	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < k; j++) {
			b[i * k + j] = R[i * k + j] * s[j];
			if (off && j > 0)
				b[i * k + j] += m[j] * (R[i * k] * s[0]);
		}
	c = small_cond(b, k);
	free(b);
	return c;
}

/* Residual statistics from the merged parts. */
static void
resid_stats(ols_result *r, const resid_part *t)
{
	double n = t->n, m2 = t->m2 / n, m3 = t->m3 / n, m4 = t->m4 / n;

	r->dw = t->d2 / r->ssr;
	r->skew = m3 / pow(m2, 1.5);
	r->kurtosis = m4 / (m2 * m2);
	r->jb = n / 6 * (r->skew * r->skew +
	    (r->kurtosis - 3) * (r->kurtosis - 3) / 4);
	/* chi-squared with 2 df: the survival function is exp(-x/2). */
	r->jb_pval = exp(-r->jb / 2);
}

int
ols_fit(const ols_input *in, ols_result **res, char *err, size_t errsize)
{
	size_t n = in->n, p = in->p, off = in->intercept != 0, k = p + off;
	double level = in->level == 0 ? 0.95 : in->level;
	char buf[32];

	*res = NULL;
	if (k == 0)
		return fail(err, errsize, "no coefficients to fit");
	if (n <= k)
		return fail(err, errsize, "%zu rows are too few for %zu "
		    "coefficients", n, k);
	if (!(level > 0 && level < 1))
		return fail(err, errsize, "confidence level %g is not "
		    "between 0 and 1", level);
	if (n > INT_MAX)
		return fail(err, errsize, "%zu rows are too many", n);
	for (size_t i = 0; in->w && i < n; i++)
		if (!(in->w[i] > 0))
			return fail(err, errsize, "weight %g of row %zu is not "
			    "positive", in->w[i], i + 1);
	for (size_t j = 0; j < p; j++) {
		const double *x = in->X + j * n;
		size_t i;
		for (i = 0; i < n && x[i] == (in->intercept ? x[0] : 0); i++)
			;
		if (i == n)
			return fail(err, errsize, "column %s is %s",
			    colname(in, j, buf, sizeof buf),
			    in->intercept ? "constant" : "zero");
	}

	double *sw = NULL, *a = NULL;
	double *m = ecalloc(k, sizeof *m), *s = emalloc(k * sizeof *s);
	double *tau = emalloc(k * sizeof *tau), *R0 = emalloc(k * k * sizeof *R0);
	double *rq = emalloc(k * k * sizeof *rq);
	double *qty = emalloc(k * sizeof *qty), *nrm = emalloc(k * sizeof *nrm);
	double *z = emalloc(k * sizeof *z), *U = emalloc(k * k * sizeof *U);
	double *va = emalloc(k * k * sizeof *va);
	/* The permutation on our own memory: GSL's allocators abort. */
	gsl_permutation perm_s = { k, emalloc(k * sizeof(size_t)) };
	gsl_permutation *perm = &perm_s;
	ols_result *r = NULL;
	size_t rank = 0;
	int signum;

	/* Centre each feature at its weighted mean when there is a constant
	 * (the centred columns are then orthogonal to it), and scale every
	 * column to unit norm: the QR then sees the design's conditioning,
	 * not its units.  The centred design is made block by block as the
	 * factor needs it, and stored whole only for Householder QR. */
	design_src dsrc = { in, m, k, off };
	gram_src src = { n, k + 1, design_fill, &dsrc };
	double *g0 = NULL;
	if (off) {
		g0 = emalloc((k + 1) * (k + 1) * sizeof *g0);
		if (shifted_gram(in, &dsrc, &src, m, g0, in->threads) < 0) {
			free(g0);
			g0 = NULL;
		}
	}
	if (!g0)
		prep(in, NULL, m, NULL, k, off);
	/* R0 of the n x k design and Q'sqrt(W)y, then the column-pivoted QR
	 * of the k x k R0, which pivots as that of the design would. */
	int by_qr = factor_src(&src, k, s, R0, qty, in->threads, g0) < 0;
	free(g0);
	if (by_qr) {
		sw = emalloc(n * sizeof *sw);
		a = emalloc(n * (k + 1) * sizeof *a);
		for (size_t i = 0; i < n; i++)
			sw[i] = in->w ? sqrt(in->w[i]) : 1;
		prep(in, sw, m, a, k, off);
		factor(a, n, k, 1, s, R0, qty, in->threads);
		free(a);
		a = NULL;
	}
	memcpy(rq, R0, k * k * sizeof *rq);
	gsl_matrix_view A = gsl_matrix_view_array(rq, k, k);
	gsl_vector_view T = gsl_vector_view_array(tau, k);
	gsl_vector_view N = gsl_vector_view_array(nrm, k);
	gsl_linalg_QRPT_decomp(&A.matrix, &T.vector, perm, &signum, &N.vector);
	for (rank = 0; rank < k; rank++)
		if (!(fabs(gsl_matrix_get(&A.matrix, rank, rank)) >
		    OLS_RANK_TOL))
			break;
	if (rank < k) {
		collinear(in, &A.matrix, perm, rank, err, errsize);
		goto out;
	}

	/* Coefficients in the scaled basis: R z = (Q'sqrt(W)y)[0..k). */
	gsl_vector_view Y = gsl_vector_view_array(qty, k);
	gsl_linalg_QR_QTvec(&A.matrix, &T.vector, &Y.vector);
	for (size_t i = k; i-- > 0;) {
		long double t = qty[i];
		for (size_t l = i + 1; l < k; l++)
			t -= (long double)gsl_matrix_get(&A.matrix, i, l) * z[l];
		z[i] = (double)(t / gsl_matrix_get(&A.matrix, i, i));
	}

	r = ecalloc(1, sizeof *r);
	r->n = n;
	r->p = p;
	r->k = k;
	r->intercept = in->intercept != 0;
	r->level = level;
	r->coef = emalloc(k * sizeof *r->coef);
	r->se = emalloc(k * sizeof *r->se);
	r->t = emalloc(k * sizeof *r->t);
	r->pval = emalloc(k * sizeof *r->pval);
	r->ci_lo = emalloc(k * sizeof *r->ci_lo);
	r->ci_hi = emalloc(k * sizeof *r->ci_hi);
	r->cov = emalloc(k * k * sizeof *r->cov);
	r->vif = emalloc((p ? p : 1) * sizeof *r->vif);

	/* Back to the centred basis: undo the permutation and the scale.
	 * (A'A)^-1 = P R^-1 R^-T P' in the unit-norm basis. */
	double *ac = emalloc(k * sizeof *ac);
	tri_upper_inverse(&A.matrix, k, U);
	for (size_t i = 0; i < k; i++) {
		size_t pi = gsl_permutation_get(perm, i);
		ac[pi] = z[i] / s[pi];
		for (size_t j = 0; j < k; j++) {
			size_t pj = gsl_permutation_get(perm, j);
			long double t = 0;
			for (size_t l = (i > j ? i : j); l < k; l++)
				t += (long double)U[i * k + l] * U[j * k + l];
			va[pi * k + pj] = (double)t / (s[pi] * s[pj]);
			/* Unweighted with a constant, the features' block of
			 * the unit-norm inverse is the inverse correlation. */
			if (i == j && off && !in->w && pi > 0)
				r->vif[pi - 1] = (double)t;
		}
	}

	/* Residuals from the centred form, which cancels less than y - Xb:
	 * sqrt(W) y - A ac with the centred design by blocks. */
	size_t rows, nb = gram_nblocks(n, &rows);
	resid_part *part = ecalloc(nb, sizeof *part), tot = { 0 };
	metrics_acc *mpart = NULL, macc;
	if (in->train) {
		mpart = emalloc(nb * sizeof *mpart);
		for (size_t b = 0; b < nb; b++)
			metrics_acc_init(&mpart[b]);
	}
	if (!by_qr) {
		resid_job rj = { in, ac, k, part, mpart };
		gram_each_block(&src, in->threads, resid_block, &rj);
	} else {
		double *e = emalloc(n * sizeof *e);
		double *a0 = mpart ? emalloc(n * sizeof *a0) : NULL;
		for (size_t i = 0; i < n; i++) {
			long double f = off ? ac[0] : 0;
			for (size_t c = off; c < k; c++)
				f += (long double)ac[c] *
				    (in->X[(c - off) * n + i] - m[c]);
			e[i] = sw[i] * (double)(in->y[i] - f);
		}
		/* The parts of the blocked pass, one after the other. */
		for (size_t b = 0; b < nb; b++) {
			size_t r0 = b * rows, m1 = n - r0 < rows ? n - r0 : rows;
			part_add(&part[b], e + r0, in->y + r0, in->w ?
			    in->w + r0 : NULL, m1);
			if (mpart)
				metrics_add(&mpart[b], e + r0, in->y + r0,
				    in->w ? in->w + r0 : NULL, m1, a0 + r0);
		}
		free(e);
		free(a0);
	}
	for (size_t b = 0; b < nb; b++)
		part_merge(&tot, &part[b]);
	free(part);
	if (mpart) {
		metrics_acc_init(&macc);
		for (size_t b = 0; b < nb; b++)
			metrics_acc_merge(&macc, &mpart[b]);
		metrics_acc_finish(&macc, macc.y.mean, in->train);
		free(mpart);
	}
	r->ssr = tot.ssr;
	r->nobs = (double)n;
	r->df_model = (double)p;
	r->df_resid = (double)(n - k);
	double scale = r->ssr / r->df_resid;
	r->sigma = sqrt(scale);

	/* b = T a with T = [1 -m'; 0 I]: the intercept absorbs the means. */
	memcpy(r->coef, ac, k * sizeof *ac);
	if (off) {
		long double b0 = ac[0];
		for (size_t c = 1; c < k; c++)
			b0 -= (long double)m[c] * ac[c];
		r->coef[0] = (double)b0;
		/* Cov_b = T Va T', column by column. */
		double *tv = emalloc(k * k * sizeof *tv);
		for (size_t j = 0; j < k; j++) {
			long double t = va[j];
			for (size_t c = 1; c < k; c++)
				t -= (long double)m[c] * va[c * k + j];
			tv[j] = (double)t;
			for (size_t i = 1; i < k; i++)
				tv[i * k + j] = va[i * k + j];
		}
		for (size_t i = 0; i < k; i++) {
			long double t = tv[i * k];
			for (size_t c = 1; c < k; c++)
				t -= (long double)tv[i * k + c] * m[c];
			va[i * k] = (double)t;
			for (size_t j = 1; j < k; j++)
				va[i * k + j] = tv[i * k + j];
		}
		free(tv);
	}
	double q = gsl_cdf_tdist_Qinv((1 - level) / 2, r->df_resid);
	for (size_t i = 0; i < k; i++) {
		for (size_t j = 0; j < k; j++)
			r->cov[i * k + j] = va[i * k + j] * scale;
		r->se[i] = sqrt(r->cov[i * k + i]);
		r->t[i] = r->coef[i] / r->se[i];
		r->pval[i] = t_two_sided(r->t[i], r->df_resid);
		r->ci_lo[i] = r->coef[i] - q * r->se[i];
		r->ci_hi[i] = r->coef[i] + q * r->se[i];
	}
	free(ac);

	/* Total sum of squares about the weighted mean, or about zero
	 * without a constant (statsmodels' centered/uncentered_tss). */
	double tss = off ? tot.m2y : tot.syy;
	r->r2 = 1 - r->ssr / tss;
	r->r2_adj = 1 - (double)(n - off) / r->df_resid * (1 - r->r2);
	if (p > 0) {
		double ess = tss - r->ssr;
		r->fvalue = ess / r->df_model / scale;
		r->f_pval = f_upper(r->fvalue, r->df_model, r->df_resid);
	} else {
		r->fvalue = r->f_pval = NAN;
	}
	double n2 = (double)n / 2;
	r->llf = -log(r->ssr) * n2 - (1 + log(M_PI / n2)) * n2 +
	    0.5 * tot.slw;
	r->aic = -2 * r->llf + 2 * (double)k;
	r->bic = -2 * r->llf + log((double)n) * (double)k;
	resid_stats(r, &tot);
	r->cond = cond_number(R0, s, m, k, off);
	if (p > 0 && (in->w || !off))
		vif_compute(in, r->vif);
	*res = r;
out:
	free(perm_s.data);
	free(sw);
	free(m);
	free(s);
	free(a);
	free(tau);
	free(R0);
	free(rq);
	free(qty);
	free(nrm);
	free(z);
	free(U);
	free(va);
	return r ? 0 : -1;
}

void
ols_free(ols_result *r)
{
	if (!r)
		return;
	free(r->coef);
	free(r->se);
	free(r->t);
	free(r->pval);
	free(r->ci_lo);
	free(r->ci_hi);
	free(r->cov);
	free(r->vif);
	free(r);
}

void
ols_predict(const ols_result *r, const double *x, ols_pred *out)
{
	size_t k = r->k, off = r->intercept != 0;
	long double mean = 0, var = 0;

	for (size_t i = 0; i < k; i++) {
		double xi = off && i == 0 ? 1 : x[i - off];
		mean += (long double)xi * r->coef[i];
		for (size_t j = 0; j < k; j++) {
			double xj = off && j == 0 ? 1 : x[j - off];
			var += (long double)xi * r->cov[i * k + j] * xj;
		}
	}
	double q = gsl_cdf_tdist_Qinv((1 - r->level) / 2, r->df_resid);
	double se_obs = sqrt((double)var + r->sigma * r->sigma);

	out->mean = (double)mean;
	out->se_mean = sqrt((double)var);
	out->mean_lo = out->mean - q * out->se_mean;
	out->mean_hi = out->mean + q * out->se_mean;
	out->obs_lo = out->mean - q * se_obs;
	out->obs_hi = out->mean + q * se_obs;
}
