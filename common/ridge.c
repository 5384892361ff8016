/* ridge.c: ridge regression through one SVD of the centred weighted design
 * (sklearn's Ridge, RidgeCV's efficient LOO, Ridge(positive=True)). */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "err.h"
#include "gram.h"
#include "ridge.h"

/* Designs with n > p and n p at least GRAM_MIN_NP are decomposed through
 * the eigenvalues of the p x p Gram matrix Xc'W Xc (one blocked level-3
 * pass over the data) when its singular values are within GRAM_MAX_COND of
 * each other, so that squaring costs at most ~1e-10 relative; otherwise,
 * and for small designs, by the thin SVD of Xc itself. */
#define GRAM_MIN_NP	20000
#define GRAM_MAX_COND	1e3
/* The one-pass centring subtracts a shift (a mean of sampled rows) and
 * corrects by sw d d' for d = mean - shift: fall back when that
 * correction exceeds the centred diagonal by more than this. */
#define GRAM_MAX_SHIFT	1e2
#define GRAM_BLOCK	2048
/* Without U, designs beyond GRAM_MAX_COND and up to this (the condition
 * number of the column-scaled centred design) are decomposed by
 * CholeskyQR2 over row blocks, then the SVD of the small R: the
 * accuracy of the SVD of the stored design without storing it or U. */
#define CHOLQR2_MAX_COND 1e6

/* LAPACK from OpenBLAS; the trailing length is gfortran's hidden argument
 * for the character option. */
extern void dgesdd_(const char *jobz, const int *m, const int *n, double *a,
    const int *lda, double *s, double *u, const int *ldu, double *vt,
    const int *ldvt, double *work, const int *lwork, int *iwork, int *info,
    size_t jobz_len);

extern void dpotrf_(const char *uplo, const int *n, double *a,
    const int *lda, int *info, size_t uplo_len);

extern void dsyevd_(const char *jobz, const char *uplo, const int *n,
    double *a, const int *lda, double *w, double *work, const int *lwork,
    int *iwork, const int *liwork, int *info, size_t jobz_len,
    size_t uplo_len);

/* Thin SVD of the m x n column-major a (destroyed): s[k], u m x k, vt k x n,
 * k = min(m, n).  dgesdd is what numpy and scipy call, so our singular
 * values agree with sklearn's to rounding. */
static const char *
svd_thin(double *a, size_t m, size_t n, double *s, double *u, double *vt)
{
	int im = (int)m, in = (int)n, k = (int)(m < n ? m : n);
	int lwork = -1, info = 0, *iwork;
	double q, *work;

	if (m > INT_MAX || n > INT_MAX || m * n > INT_MAX)
		return "design too large for LAPACK";
	iwork = emalloc(8 * (size_t)k * sizeof *iwork);
	dgesdd_("S", &im, &in, a, &im, s, u, &im, vt, &k, &q, &lwork, iwork,
	    &info, 1);
	lwork = (int)q + 1;
	work = emalloc((size_t)lwork * sizeof *work);
	dgesdd_("S", &im, &in, a, &im, s, u, &im, vt, &k, work, &lwork, iwork,
	    &info, 1);
	free(work);
	free(iwork);
	if (info > 0)
		return "SVD did not converge";
	if (info < 0)
		return "SVD: invalid argument";
	return NULL;
}

static const char *
check_problem(const ridge_problem *pr)
{
	size_t n = pr->n, p = pr->p;

	if (n < 2)
		return "ridge needs at least 2 rows";
	if (p == 0)
		return "ridge needs at least 1 feature";
	if (pr->X == NULL || pr->y == NULL)
		return "ridge: no data";
	for (size_t i = 0; i < n * p; i++)
		if (!isfinite(pr->X[i]))
			return "ridge: a feature value is not finite";
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(pr->y[i]))
			return "ridge: a target value is not finite";
		if (pr->w != NULL && !(pr->w[i] > 0 && isfinite(pr->w[i])))
			return "ridge: sample weights must be positive and finite";
	}
	return NULL;
}

/* The centred, sqrt(w)-scaled design into xc (n x p), as sklearn's
 * _preprocess_data then _rescale_data; means into xmean, *ymean. */
static const char *ridge_svd_init_exact(ridge_svd *d,
    const ridge_problem *pr);

static void
centre(const ridge_problem *pr, double *xc, double *yc, double *xmean,
    double *ymean)
{
	size_t n = pr->n, p = pr->p;
	const double *w = pr->w;
	double sw = 0;

	for (size_t i = 0; i < n; i++)
		sw += w ? w[i] : 1;
	for (size_t j = 0; j < p; j++) {
		const double *x = pr->X + j * n;
		double m = 0;
		if (pr->fit_intercept) {
			for (size_t i = 0; i < n; i++)
				m += (w ? w[i] : 1) * x[i];
			m /= sw;
		}
		xmean[j] = m;
		for (size_t i = 0; i < n; i++)
			xc[j * n + i] = (x[i] - m) * (w ? sqrt(w[i]) : 1);
	}
	double m = 0;
	if (pr->fit_intercept) {
		for (size_t i = 0; i < n; i++)
			m += (w ? w[i] : 1) * pr->y[i];
		m /= sw;
	}
	*ymean = m;
	for (size_t i = 0; i < n; i++)
		yc[i] = (pr->y[i] - m) * (w ? sqrt(w[i]) : 1);
}

/* Eigen-decomposition of the symmetric k x k column-major a (upper triangle
 * used; eigenvectors on return), eigenvalues ascending into ev. */
static int
sym_eig(double *a, size_t k, double *ev)
{
	int ik = (int)k, lwork = -1, liwork = -1, info = 0, iq, *iwork;
	double q, *work;

	dsyevd_("V", "U", &ik, a, &ik, ev, &q, &lwork, &iq, &liwork, &info,
	    1, 1);
	if (info != 0)
		return -1;
	lwork = (int)q + 1;
	liwork = iq;
	work = emalloc((size_t)lwork * sizeof *work);
	iwork = emalloc((size_t)liwork * sizeof *iwork);
	dsyevd_("V", "U", &ik, a, &ik, ev, work, &lwork, iwork, &liwork,
	    &info, 1, 1);
	free(work);
	free(iwork);
	return info == 0 ? 0 : -1;
}

/* Rows sampled, evenly spread, for the shift of the one-pass centring. */
#define SHIFT_ROWS 1024

/* The shifted, sqrt(w)-scaled [X - c, y - c_y, 1] by row blocks: the last
 * column makes the weighted column sums part of the Gram matrix. */
typedef struct shifted_src {
	const ridge_problem *pr;
	const double *c;	/* p + 1 shifts */
} shifted_src;

static void
shifted_fill(const void *ctx, size_t r0, size_t m, double *a)
{
	const shifted_src *sh = ctx;
	const ridge_problem *pr = sh->pr;
	const double *w = pr->w ? pr->w + r0 : NULL;
	size_t n = pr->n, p = pr->p, q = p + 1;
	double *a1 = a + q * m;

	for (size_t i = 0; i < m; i++)
		a1[i] = w != NULL ? sqrt(w[i]) : 1;
	for (size_t j = 0; j < q; j++) {
		const double *x = (j < p ? pr->X + j * n : pr->y) + r0;
		double *aj = a + j * m, cj = sh->c[j];
		if (w == NULL)
			for (size_t i = 0; i < m; i++)
				aj[i] = x[i] - cj;
		else
			for (size_t i = 0; i < m; i++)
				aj[i] = (x[i] - cj) * a1[i];
	}
}

/* d->yc and d->hw (allocated, n each) from d->ymean and the weights'
 * sum sw, by row blocks on the problem's threads. */
typedef struct yc_job {
	ridge_svd *d;
	const ridge_problem *pr;
	double sw;
} yc_job;

static void
yc_block(void *ctx, size_t b, size_t r0, size_t m, double *a)
{
	const yc_job *j = ctx;
	const double *w = j->pr->w ? j->pr->w + r0 : NULL, *y = j->pr->y + r0;
	double *yc = j->d->yc + r0, *hw = j->d->hw + r0, ym = j->d->ymean;

	(void)b;
	(void)a;
	for (size_t i = 0; i < m; i++) {
		double wi = w ? w[i] : 1;
		yc[i] = (y[i] - ym) * (w ? sqrt(wi) : 1);
		hw[i] = j->pr->fit_intercept ? wi / j->sw : 0;
	}
}

static void
yc_hw_fill(ridge_svd *d, const ridge_problem *pr, double sw)
{
	yc_job j = { d, pr, sw };

	gram_each_rows(d->n, 0, pr->threads, yc_block, &j);
}

/* The centred Gram matrix of [Xc yc] and the means, for CholeskyQR2 when
 * the Gram matrix alone is too ill-conditioned: its first pass. */
typedef struct gram_pre {
	int have;
	double *g;		/* (p + 1)^2, upper, column-major */
	double *xmean, ymean;
} gram_pre;

/*
 * The decomposition from the Gram matrix of [Xc yc] (sqrt(w)-scaled), built
 * over row blocks (on pr->threads) from shifted data in one pass.  *ok = 1
 * when d is filled in; *ok = 0 (and NULL) to fall back to the SVD, with
 * the centred Gram matrix and the means in *pre (pre->have) when they are
 * good; a message on bad input.  With need_u, U = Xc V / s by a second
 * pass; else d->u is NULL.
 */
static const char *
gram_init(ridge_svd *d, const ridge_problem *pr, int need_u, int *ok,
    gram_pre *pre)
{
	size_t n = pr->n, p = pr->p, q = p + 1, q1 = p + 2, step, cnt = 0;
	const double *w = pr->w;
	double *c, *a, *g, *g1, *sx, *ev, *e, sw = 0;
	const char *err = NULL;

	*ok = 0;
	if (n < 2 || p == 0 || pr->X == NULL || pr->y == NULL)
		return check_problem(pr);
	if (n <= p || n * p < GRAM_MIN_NP || n > INT_MAX || q > 4096)
		return NULL;
	/* A y that is not finite makes the Gram matrix so (checked below);
	 * the weights are checked here. */
	for (size_t i = 0; w && i < n; i++) {
		if (!(w[i] > 0 && isfinite(w[i])))
			return check_problem(pr);
		sw += w[i];
	}
	if (!w)
		sw = (double)n;
	c = ecalloc(q, sizeof *c);
	sx = ecalloc(q, sizeof *sx);
	g = ecalloc(q * q, sizeof *g);
	g1 = ecalloc(q1 * q1, sizeof *g1);
	a = emalloc(q1 * GRAM_BLOCK * sizeof *a);
	ev = emalloc(p * sizeof *ev);
	e = emalloc(p * p * sizeof *e);
	if (pr->fit_intercept) {
		/* Sampled over every row, so that a trend does not put the
		 * shift far from the mean. */
		step = n > SHIFT_ROWS ? n / SHIFT_ROWS : 1;
		for (size_t i = 0; i < n; i += step)
			cnt++;
		for (size_t j = 0; j < q; j++) {
			const double *x = j < p ? pr->X + j * n : pr->y;
			double t = 0;
			for (size_t i = 0; i < n; i += step)
				t += x[i];
			/* A non-finite shift: the checks below catch it. */
			c[j] = t / (double)cnt;
		}
	}
	shifted_src sh = { pr, c };
	gram_src src = { n, q1, shifted_fill, &sh };
	gram_upper_src(&src, NULL, 0, pr->threads, g1);
	for (size_t j = 0; j < q; j++) {
		sx[j] = g1[q * q1 + j];
		for (size_t i = 0; i <= j; i++)
			g[j * q + i] = g1[j * q1 + i];
	}
	/* Centre: G - sw d d' with d the mean's offset from the shift. */
	for (size_t j = 0; j < q; j++)
		sx[j] = pr->fit_intercept ? sx[j] / sw : 0;
	for (size_t j = 0; j < q; j++) {
		double gjj = g[j * q + j];
		for (size_t i = 0; i <= j; i++)
			g[j * q + i] -= sw * sx[i] * sx[j];
		if (!isfinite(gjj)) {
			/* Bad input, or overflow: the SVD path scales. */
			err = check_problem(pr);
			goto out;
		}
		if (sw * sx[j] * sx[j] > GRAM_MAX_SHIFT * g[j * q + j])
			goto out;
	}
	for (size_t j = 0; j < q * q; j++)
		if (!isfinite(g[j]))
			goto out;
	for (size_t j = 0; j < p; j++)
		for (size_t i = 0; i <= j; i++)
			e[j * p + i] = g[j * q + i];
	if (sym_eig(e, p, ev) != 0 || !(ev[0] > 0) ||
	    !(ev[p - 1] <= GRAM_MAX_COND * GRAM_MAX_COND * ev[0])) {
		/* Too ill-conditioned to use alone: CholeskyQR2 starts from
		 * this Gram matrix. */
		pre->have = 1;
		pre->g = g;
		g = NULL;
		pre->xmean = emalloc(p * sizeof *pre->xmean);
		for (size_t j = 0; j < p; j++)
			pre->xmean[j] = c[j] + sx[j];
		pre->ymean = c[p] + sx[p];
		goto out;
	}

	d->n = n;
	d->p = p;
	d->k = p;
	d->xmean = emalloc(p * sizeof *d->xmean);
	d->s = emalloc(p * sizeof *d->s);
	d->v = emalloc(p * p * sizeof *d->v);
	d->uty = emalloc(p * sizeof *d->uty);
	d->yc = emalloc(n * sizeof *d->yc);
	d->hw = emalloc(n * sizeof *d->hw);
	for (size_t j = 0; j < p; j++)
		d->xmean[j] = c[j] + sx[j];
	d->ymean = c[p] + sx[p];
	for (size_t l = 0; l < p; l++) {
		size_t r = p - 1 - l;	/* descending */
		double t = 0;
		d->s[l] = sqrt(ev[r]);
		for (size_t j = 0; j < p; j++) {
			d->v[l * p + j] = e[r * p + j];
			t += e[r * p + j] * g[p * q + j];
		}
		d->uty[l] = t / d->s[l];
	}
	yc_hw_fill(d, pr, sw);
	if (need_u) {
		d->u = emalloc(n * p * sizeof *d->u);
		for (size_t i0 = 0; i0 < n; i0 += GRAM_BLOCK) {
			size_t m = n - i0 < GRAM_BLOCK ? n - i0 : GRAM_BLOCK;
			for (size_t j = 0; j < p; j++) {
				const double *x = pr->X + j * n + i0;
				double mj = d->xmean[j];
				for (size_t i = 0; i < m; i++)
					a[j * m + i] = (x[i] - mj) *
					    (w ? sqrt(w[i0 + i]) : 1);
			}
			cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans,
			    (int)m, (int)p, (int)p, 1.0, a, (int)m, d->v,
			    (int)p, 0.0, d->u + i0, (int)n);
		}
		for (size_t l = 0; l < p; l++) {
			double f = 1 / d->s[l];
			for (size_t i = 0; i < n; i++)
				d->u[l * n + i] *= f;
		}
	}
	*ok = 1;
out:
	free(c);
	free(sx);
	free(g);
	free(a);
	free(g1);
	free(ev);
	free(e);
	return err;
}

/* The centred, sqrt(w)-scaled [Xc yc] by row blocks, the values centre()
 * writes. */
typedef struct centred_src {
	const ridge_problem *pr;
	const double *xmean;
	double ymean;
} centred_src;

static void
centred_fill(const void *ctx, size_t r0, size_t m, double *a)
{
	const centred_src *c = ctx;
	const ridge_problem *pr = c->pr;
	const double *w = pr->w ? pr->w + r0 : NULL;
	size_t n = pr->n, p = pr->p;

	for (size_t j = 0; j <= p; j++) {
		const double *x = (j < p ? pr->X + j * n : pr->y) + r0;
		double mj = j < p ? c->xmean[j] : c->ymean, *aj = a + j * m;
		for (size_t i = 0; i < m; i++)
			aj[i] = (x[i] - mj) * (w ? sqrt(w[i]) : 1);
	}
}

/* The upper Cholesky factor of the leading k x k of the (k + 1) x (k + 1)
 * column-major g into c (column-major, lower part zero); 0, or -1 when
 * g is not positive definite. */
static int
chol_lead(const double *g, size_t k, double *c)
{
	int ik = (int)k, info = 0;

	memset(c, 0, k * k * sizeof *c);
	for (size_t j = 0; j < k; j++)
		for (size_t i = 0; i <= j; i++)
			c[j * k + i] = g[j * (k + 1) + i];
	dpotrf_("U", &ik, c, &ik, &info, 1);
	return info == 0 ? 0 : -1;
}

/*
 * The decomposition without U by CholeskyQR2 of the centred design over
 * row blocks: R1 from the Gram matrix of the column-scaled design, then
 * Q1 = A D^-1 R1^-1 = Q R2 from the Gram matrix of Q1 (near I), so that
 * Xc = Q R with R = R2 R1 D, and Q'yc = R2^-T Q1'yc; the SVD of R gives
 * s, V and U'yc.  *ok = 0 (nothing filled in) when the design is too
 * ill-conditioned for it.
 */
static const char *
cholqr_init(ridge_svd *d, const ridge_problem *pr, const gram_pre *pre,
    int *ok)
{
	size_t n = pr->n, p = pr->p, q = p + 1;
	const double *w = pr->w;
	double *xmean, *g, *c1, *c2, *sc, *ev, *r, *ur, *vt, *qy, sw = 0;
	double ymean = 0;
	const char *err = NULL;

	*ok = 0;
	/* A finite Gram matrix from gram_init: every value is finite. */
	if (n <= p || n * p < GRAM_MIN_NP || n > INT_MAX || q > 4096 ||
	    (!(pre && pre->have) && check_problem(pr) != NULL))
		return check_problem(pr);
	xmean = ecalloc(p, sizeof *xmean);
	g = emalloc(q * q * sizeof *g);
	c1 = emalloc(p * p * sizeof *c1);
	c2 = emalloc(p * p * sizeof *c2);
	sc = emalloc(p * sizeof *sc);
	ev = emalloc(p * sizeof *ev);
	r = ecalloc(p * p, sizeof *r);
	ur = emalloc(p * p * sizeof *ur);
	vt = emalloc(p * p * sizeof *vt);
	qy = emalloc(p * sizeof *qy);
	for (size_t i = 0; w && i < n; i++)
		sw += w[i];
	if (!w)
		sw = (double)n;
	if (pre && pre->have) {
		/* The first pass is gram_init's. */
		memcpy(xmean, pre->xmean, p * sizeof *xmean);
		ymean = pre->ymean;
		memcpy(g, pre->g, q * q * sizeof *g);
	}
	/* Else the means as centre() takes them. */
	for (size_t j = 0; !(pre && pre->have) && pr->fit_intercept && j <= p;
	    j++) {
		const double *x = j < p ? pr->X + j * n : pr->y;
		double m = 0;
		for (size_t i = 0; i < n; i++)
			m += (w ? w[i] : 1) * x[i];
		if (j < p)
			xmean[j] = m / sw;
		else
			ymean = m / sw;
	}
	centred_src cs = { pr, xmean, ymean };
	gram_src src = { n, q, centred_fill, &cs };
	if (!(pre && pre->have))
		gram_upper_src(&src, NULL, 0, pr->threads, g);
	for (size_t j = 0; j < p; j++) {
		sc[j] = sqrt(g[j * q + j]);
		if (!(sc[j] > 0) || !isfinite(sc[j]))
			goto out;
	}
	for (size_t j = 0; j < p; j++)
		for (size_t i = 0; i <= j; i++)
			c1[j * p + i] = g[j * q + i] / (sc[i] * sc[j]);
	if (sym_eig(c1, p, ev) != 0 || !(ev[0] > 0) || !(ev[p - 1] <=
	    CHOLQR2_MAX_COND * CHOLQR2_MAX_COND * ev[0]))
		goto out;
	for (size_t j = 0; j < q; j++)
		for (size_t i = 0; i <= j; i++)
			g[j * q + i] /= j < p ? sc[i] * sc[j] : 1;
	if (chol_lead(g, p, c1) < 0)
		goto out;
	/* A D^-1 R1^-1 = A (R1 D)^-1: one triangular solve, no division per
	 * value; r holds R1 D for it. */
	for (size_t j = 0; j < p; j++)
		for (size_t i = 0; i < p; i++)
			r[j * p + i] = c1[j * p + i] * sc[j];
	gram_upper_src(&src, r, p, pr->threads, g);
	memset(r, 0, p * p * sizeof *r);
	if (chol_lead(g, p, c2) < 0)
		goto out;
	/* qy = R2^-T Q1'yc; R = R2 R1 D, column-major. */
	for (size_t i = 0; i < p; i++) {
		long double t = g[p * q + i];
		for (size_t l = 0; l < i; l++)
			t -= (long double)c2[i * p + l] * qy[l];
		qy[i] = (double)(t / c2[i * p + i]);
	}
	for (size_t j = 0; j < p; j++)
		for (size_t i = 0; i <= j; i++) {
			long double t = 0;
			for (size_t l = i; l <= j; l++)
				t += (long double)c2[l * p + i] * c1[j * p + l];
			r[j * p + i] = (double)t * sc[j];
		}
	if ((err = svd_thin(r, p, p, ev, ur, vt)) != NULL)
		goto out;
	d->n = n;
	d->p = p;
	d->k = p;
	d->xmean = xmean;
	xmean = NULL;
	d->ymean = ymean;
	d->s = emalloc(p * sizeof *d->s);
	d->v = emalloc(p * p * sizeof *d->v);
	d->uty = emalloc(p * sizeof *d->uty);
	d->yc = emalloc(n * sizeof *d->yc);
	d->hw = emalloc(n * sizeof *d->hw);
	memcpy(d->s, ev, p * sizeof *d->s);
	for (size_t c = 0; c < p; c++) {
		double t = 0;
		for (size_t j = 0; j < p; j++) {
			d->v[c * p + j] = vt[j * p + c];
			t += ur[c * p + j] * qy[j];
		}
		d->uty[c] = t;
	}
	yc_hw_fill(d, pr, sw);
	*ok = 1;
out:
	free(xmean);
	free(g);
	free(c1);
	free(c2);
	free(sc);
	free(ev);
	free(r);
	free(ur);
	free(vt);
	free(qy);
	return err;
}

static const char *
svd_init(ridge_svd *d, const ridge_problem *pr, int need_u)
{
	const char *err;
	int ok;

	gram_pre pre = { 0, NULL, NULL, 0 };

	memset(d, 0, sizeof *d);
	err = gram_init(d, pr, need_u, &ok, &pre);
	if (!err && !ok && !need_u)
		err = cholqr_init(d, pr, &pre, &ok);
	free(pre.g);
	free(pre.xmean);
	if (err != NULL || ok)
		return err;
	return ridge_svd_init_exact(d, pr);
}

const char *
ridge_svd_init(ridge_svd *d, const ridge_problem *pr)
{
	return svd_init(d, pr, 1);
}

const char *
ridge_svd_init_nou(ridge_svd *d, const ridge_problem *pr)
{
	return svd_init(d, pr, 0);
}

static const char *
ridge_svd_init_exact(ridge_svd *d, const ridge_problem *pr)
{
	const char *err;
	size_t n = pr->n, p = pr->p, k;
	double *xc, *vt, sw = 0;

	memset(d, 0, sizeof *d);
	if ((err = check_problem(pr)) != NULL)
		return err;
	k = n < p ? n : p;
	d->n = n;
	d->p = p;
	d->k = k;
	d->xmean = emalloc(p * sizeof *d->xmean);
	d->s = emalloc(k * sizeof *d->s);
	d->u = emalloc(n * k * sizeof *d->u);
	d->v = emalloc(p * k * sizeof *d->v);
	d->uty = emalloc(k * sizeof *d->uty);
	d->yc = emalloc(n * sizeof *d->yc);
	d->hw = emalloc(n * sizeof *d->hw);
	xc = emalloc(n * p * sizeof *xc);
	vt = emalloc(k * p * sizeof *vt);
	centre(pr, xc, d->yc, d->xmean, &d->ymean);
	err = svd_thin(xc, n, p, d->s, d->u, vt);
	free(xc);
	if (err != NULL) {
		free(vt);
		ridge_svd_free(d);
		return err;
	}
	for (size_t c = 0; c < k; c++)
		for (size_t j = 0; j < p; j++)
			d->v[c * p + j] = vt[j * k + c];
	free(vt);
	for (size_t c = 0; c < k; c++) {
		double t = 0;
		for (size_t i = 0; i < n; i++)
			t += d->u[c * n + i] * d->yc[i];
		d->uty[c] = t;
	}
	for (size_t i = 0; i < n; i++)
		sw += pr->w ? pr->w[i] : 1;
	for (size_t i = 0; i < n; i++)
		d->hw[i] = pr->fit_intercept ? (pr->w ? pr->w[i] : 1) / sw : 0;
	return NULL;
}

void
ridge_svd_free(ridge_svd *d)
{
	free(d->xmean);
	free(d->s);
	free(d->u);
	free(d->v);
	free(d->uty);
	free(d->yc);
	free(d->hw);
	memset(d, 0, sizeof *d);
}

double
ridge_svd_maxeig(const ridge_svd *d)
{
	return d->k > 0 ? d->s[0] * d->s[0] : 0;
}

static int
bad_lambda(double lambda)
{
	return !(lambda > 0) || !isfinite(lambda);
}

const char *
ridge_svd_coef(const ridge_svd *d, double lambda, double *coef,
    double *intercept)
{
	if (bad_lambda(lambda))
		return "ridge: lambda must be positive and finite";
	for (size_t j = 0; j < d->p; j++)
		coef[j] = 0;
	for (size_t c = 0; c < d->k; c++) {
		double f = d->s[c] / (d->s[c] * d->s[c] + lambda) * d->uty[c];
		for (size_t j = 0; j < d->p; j++)
			coef[j] += d->v[c * d->p + j] * f;
	}
	double b = d->ymean;
	for (size_t j = 0; j < d->p; j++)
		b -= d->xmean[j] * coef[j];
	*intercept = b;
	return NULL;
}

double
ridge_svd_loo(const ridge_svd *d, double lambda)
{
	size_t n = d->n, k = d->k;
	double *f = emalloc(k * sizeof *f), *g = emalloc(k * sizeof *g);
	double sum = 0;

	if (bad_lambda(lambda)) {
		free(f);
		free(g);
		return NAN;
	}
	for (size_t c = 0; c < k; c++) {
		double s2 = d->s[c] * d->s[c];
		g[c] = s2 / (s2 + lambda);	/* shrinkage: hat eigenvalue */
		f[c] = g[c] * d->uty[c];
	}
	/* e_i = (y - H y)_i / (1 - H_ii): the intercept column is orthogonal
	 * to the centred data, so it adds w_i / sum w to H_ii only. */
	for (size_t i = 0; i < n; i++) {
		double fit = 0, h = d->hw[i];
		for (size_t c = 0; c < k; c++) {
			double uic = d->u[c * n + i];
			fit += uic * f[c];
			h += uic * uic * g[c];
		}
		double e = (d->yc[i] - fit) / (1 - h);
		sum += e * e;
	}
	free(f);
	free(g);
	return sum / (double)n;
}

const char *
ridge_fit(const ridge_problem *pr, double lambda, double *coef,
    double *intercept)
{
	ridge_svd d;
	const char *err;

	if (bad_lambda(lambda))
		return "ridge: lambda must be positive and finite";
	if ((err = ridge_svd_init_nou(&d, pr)) != NULL)
		return err;
	err = ridge_svd_coef(&d, lambda, coef, intercept);
	ridge_svd_free(&d);
	return err;
}

/* The LOO errors of every lambda of a grid over row blocks, without U:
 * per part of the rows, U = Xc V S^-1, the fits U F and the hat values
 * (U o U) G for all lambdas at once (two products, F and G p x L), then
 * the squared LOO residuals summed per lambda into the block's sums. */
typedef struct loo_pass {
	const ridge_svd *d;
	size_t ng;
	const double *vs, *f, *g;	/* V S^-1 (p x p), F, G (p x ng) */
	double *part;			/* blocks x ng sums */
} loo_pass;

/* Rows of a part taken together by loo_block: the fits and hat values of
 * every lambda (2 x 50 x 256 doubles) stay in the core's cache. */
#define LOO_ROWS 256

static void
loo_block(void *ctx, size_t b, size_t r0, size_t m, double *a)
{
	const loo_pass *l = ctx;
	const ridge_svd *d = l->d;
	size_t p = d->p, ng = l->ng;
	size_t cap = m < LOO_ROWS ? m : LOO_ROWS;
	int ip = (int)p, ig = (int)ng, lda = (int)m;
	/* a has room for p + 1 + p + 2 ng columns of m rows. */
	double *yc = a + p * m, *u = yc + m, *fit = u + p * cap;
	double *h = fit + ng * cap, *sum = l->part + b * ng;

	for (size_t i0 = 0; i0 < m; i0 += LOO_ROWS) {
		size_t mm = m - i0 < LOO_ROWS ? m - i0 : LOO_ROWS;
		const double *hw = d->hw + r0 + i0, *yi = yc + i0;
		int im = (int)mm;
		cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, im, ip,
		    ip, 1.0, a + i0, lda, l->vs, ip, 0.0, u, im);
		cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, im, ig,
		    ip, 1.0, u, im, l->f, ip, 0.0, fit, im);
		for (size_t i = 0; i < p * mm; i++)
			u[i] *= u[i];
		cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, im, ig,
		    ip, 1.0, u, im, l->g, ip, 0.0, h, im);
		for (size_t k = 0; k < ng; k++) {
			const double *fk = fit + k * mm, *hk = h + k * mm;
			double t[4] = { 0 };
			size_t i;
			/* Four sums, so that the divisions overlap. */
			for (i = 0; i + 4 <= mm; i += 4)
				for (size_t c = 0; c < 4; c++) {
					double e = (yi[i + c] - fk[i + c]) /
					    (1 - (hw[i + c] + hk[i + c]));
					t[c] += e * e;
				}
			for (; i < mm; i++) {
				double e = (yi[i] - fk[i]) / (1 - (hw[i] + hk[i]));
				t[0] += e * e;
			}
			sum[k] += (t[0] + t[1]) + (t[2] + t[3]);
		}
	}
}

/* ridge_svd_loo at every lambda of grid[0..ng) into loo: with U stored,
 * one lambda at a time; else in one blocked pass over the data on the
 * problem's threads (the same sums whatever their number). */
static void
loo_path(const ridge_svd *d, const ridge_problem *pr, const double *grid,
    size_t ng, double *loo)
{
	size_t p = d->p, k = d->k, rows, nb;

	if (d->u != NULL || k != p) {
		for (size_t i = 0; i < ng; i++)
			loo[i] = ridge_svd_loo(d, grid[i]);
		return;
	}
	nb = gram_nblocks(d->n, &rows);
	double *vs = emalloc(p * p * sizeof *vs);
	double *f = emalloc(p * ng * sizeof *f), *g = emalloc(p * ng * sizeof *g);
	loo_pass l = { d, ng, vs, f, g, ecalloc(nb * ng, sizeof *l.part) };
	for (size_t c = 0; c < p; c++)
		for (size_t j = 0; j < p; j++)
			vs[c * p + j] = d->v[c * p + j] / d->s[c];
	for (size_t i = 0; i < ng; i++)
		for (size_t c = 0; c < p; c++) {
			double s2 = d->s[c] * d->s[c];
			g[i * p + c] = s2 / (s2 + grid[i]);
			f[i * p + c] = g[i * p + c] * d->uty[c];
		}
	centred_src cs = { pr, d->xmean, d->ymean };
	gram_src src = { d->n, p + 1 + p + 2 * ng, centred_fill, &cs };
	gram_each_block(&src, pr->threads, loo_block, &l);
	for (size_t i = 0; i < ng; i++) {
		double t = 0;
		for (size_t b = 0; b < nb; b++)
			t += l.part[b * ng + i];
		loo[i] = t / (double)d->n;
	}
	free(vs);
	free(f);
	free(g);
	free(l.part);
}

const char *
ridge_cv(const ridge_problem *pr, const double *grid, size_t ngrid,
    double *best, double *lambdas, double *loo, double *coef,
    double *intercept)
{
	ridge_svd d;
	const char *err;
	double *g, bestloo = INFINITY;
	size_t ib = 0;

	if (grid != NULL) {
		if (ngrid == 0)
			return "ridge: empty lambda grid";
		for (size_t i = 0; i < ngrid; i++)
			if (bad_lambda(grid[i]))
				return "ridge: lambda must be positive and finite";
	}
	/* U only where the decomposition stores it anyway: large designs
	 * take their LOO errors over row blocks. */
	if ((err = ridge_svd_init_nou(&d, pr)) != NULL)
		return err;
	if (grid == NULL) {
		double top = ridge_svd_maxeig(&d);
		if (!(top > 0)) {
			ridge_svd_free(&d);
			return "ridge: every feature is constant, no lambda grid";
		}
		ngrid = RIDGE_GRID_N;
		g = emalloc(ngrid * sizeof *g);
		/* numpy.logspace(-4, 4, 50): exponents start + i * step, the
		 * last exactly 4. */
		for (size_t i = 0; i < ngrid; i++) {
			double e = i + 1 == ngrid ? 4 :
			    -4 + (double)i * (8.0 / (double)(ngrid - 1));
			g[i] = top * pow(10, e);
		}
	} else {
		g = emalloc(ngrid * sizeof *g);
		memcpy(g, grid, ngrid * sizeof *g);
	}
	double *path = emalloc(ngrid * sizeof *path);
	loo_path(&d, pr, g, ngrid, path);
	for (size_t i = 0; i < ngrid; i++) {
		double e = path[i];
		if (loo != NULL)
			loo[i] = e;
		if (lambdas != NULL)
			lambdas[i] = g[i];
		/* Strictly less: sklearn keeps the first of equal scores. */
		if (e < bestloo) {
			bestloo = e;
			ib = i;
		}
	}
	*best = g[ib];
	err = ridge_svd_coef(&d, g[ib], coef, intercept);
	free(path);
	free(g);
	ridge_svd_free(&d);
	return err;
}

/* Ridge on the columns listed in idx[0..m) of the n x p matrix xc: z[m]. */
static const char *
sub_solve(const double *xc, const double *yc, size_t n, const size_t *idx,
    size_t m, double lambda, double *z)
{
	size_t k = n < m ? n : m;
	double *a = emalloc(n * m * sizeof *a), *s = emalloc(k * sizeof *s);
	double *u = emalloc(n * k * sizeof *u), *vt = emalloc(k * m * sizeof *vt);
	const char *err;

	for (size_t c = 0; c < m; c++)
		memcpy(a + c * n, xc + idx[c] * n, n * sizeof *a);
	if ((err = svd_thin(a, n, m, s, u, vt)) == NULL) {
		for (size_t j = 0; j < m; j++)
			z[j] = 0;
		for (size_t c = 0; c < k; c++) {
			double t = 0;
			for (size_t i = 0; i < n; i++)
				t += u[c * n + i] * yc[i];
			t *= s[c] / (s[c] * s[c] + lambda);
			for (size_t j = 0; j < m; j++)
				z[j] += vt[j * k + c] * t;
		}
	}
	free(a);
	free(s);
	free(u);
	free(vt);
	return err;
}

/* g = Xc'(Xc b - yc) + lambda b, directly from the data for accuracy. */
static void
gradient(const double *xc, const double *yc, size_t n, size_t p,
    double lambda, const double *b, double *r, double *g)
{
	for (size_t i = 0; i < n; i++)
		r[i] = -yc[i];
	for (size_t j = 0; j < p; j++)
		if (b[j] != 0)
			for (size_t i = 0; i < n; i++)
				r[i] += xc[j * n + i] * b[j];
	for (size_t j = 0; j < p; j++) {
		double t = lambda * b[j];
		for (size_t i = 0; i < n; i++)
			t += xc[j * n + i] * r[i];
		g[j] = t;
	}
}

const char *
ridge_fit_nonneg(const ridge_problem *pr, double lambda,
    const unsigned char *positive, double *coef, double *intercept,
    double *kkt)
{
	size_t n = pr->n, p = pr->p, m, iter = 0, maxiter;
	const char *err;
	double *xc, *yc, *xmean, ymean, *z, *g, *r, *zs, cmax = 0, dmax = 0;
	unsigned char *con, *pas;
	size_t *idx;

	if ((err = check_problem(pr)) != NULL)
		return err;
	if (bad_lambda(lambda))
		return "ridge: lambda must be positive and finite";
	xc = emalloc(n * p * sizeof *xc);
	yc = emalloc(n * sizeof *yc);
	xmean = emalloc(p * sizeof *xmean);
	z = emalloc(p * sizeof *z);
	zs = emalloc(p * sizeof *zs);
	g = emalloc(p * sizeof *g);
	r = emalloc(n * sizeof *r);
	con = emalloc(p);
	pas = emalloc(p);
	idx = emalloc(p * sizeof *idx);
	centre(pr, xc, yc, xmean, &ymean);
	for (size_t j = 0; j < p; j++) {
		double t = 0, dj = lambda;
		con[j] = positive == NULL || positive[j];
		pas[j] = !con[j];
		coef[j] = 0;
		for (size_t i = 0; i < n; i++) {
			t += xc[j * n + i] * yc[i];
			dj += xc[j * n + i] * xc[j * n + i];
		}
		cmax = fmax(cmax, fabs(t));
		dmax = fmax(dmax, dj);
	}

	/* Lawson-Hanson with free variables: the passive set always holds the
	 * free ones, so the first solve is feasible. */
	maxiter = 10 * (p + 1);
	for (;;) {
		m = 0;
		for (size_t j = 0; j < p; j++)
			if (pas[j])
				idx[m++] = j;
		if (m > 0) {
			if ((err = sub_solve(xc, yc, n, idx, m, lambda, zs)) != NULL)
				goto out;
			for (size_t j = 0; j < p; j++)
				z[j] = 0;
			for (size_t c = 0; c < m; c++)
				z[idx[c]] = zs[c];
		} else {
			for (size_t j = 0; j < p; j++)
				z[j] = 0;
		}
		/* Step back to the boundary if a constrained z went negative;
		 * the blocking variable leaves the passive set. */
		double step = 1;
		size_t jb = p;
		for (size_t j = 0; j < p; j++)
			if (pas[j] && con[j] && z[j] <= 0) {
				double dz = coef[j] - z[j];
				double t = dz > 0 ? coef[j] / dz : 0;
				if (jb == p || t < step) {
					step = t;
					jb = j;
				}
			}
		int blocked = jb != p;
		if (blocked) {
			for (size_t j = 0; j < p; j++)
				if (pas[j])
					coef[j] += step * (z[j] - coef[j]);
			coef[jb] = 0;
			pas[jb] = 0;
			for (size_t j = 0; j < p; j++)
				if (pas[j] && con[j] && coef[j] <= 0) {
					coef[j] = 0;
					pas[j] = 0;
				}
		} else {
			memcpy(coef, z, p * sizeof *coef);
		}
		if (++iter > maxiter) {
			err = "ridge: active set did not converge";
			goto out;
		}
		if (blocked)
			continue;
		/* Optimal on the passive set: add the most violated bound. */
		double bmax = 0, tol, worst = 0;
		size_t jw = p;
		for (size_t j = 0; j < p; j++)
			bmax = fmax(bmax, fabs(coef[j]));
		tol = 256 * DBL_EPSILON * (cmax + dmax * bmax);
		gradient(xc, yc, n, p, lambda, coef, r, g);
		for (size_t j = 0; j < p; j++)
			if (con[j] && !pas[j] && -g[j] > tol && -g[j] > worst) {
				worst = -g[j];
				jw = j;
			}
		if (jw == p)
			break;
		pas[jw] = 1;
	}

	double b = ymean;
	for (size_t j = 0; j < p; j++)
		b -= xmean[j] * coef[j];
	*intercept = b;
	if (kkt != NULL) {
		double bmax = 0, v = 0;
		gradient(xc, yc, n, p, lambda, coef, r, g);
		for (size_t j = 0; j < p; j++) {
			bmax = fmax(bmax, fabs(coef[j]));
			if (!con[j] || coef[j] > 0)
				v = fmax(v, fabs(g[j]));
			else
				v = fmax(v, fmax(-g[j], -coef[j]));
		}
		*kkt = v / fmax(cmax + dmax * bmax, DBL_MIN);
	}
out:
	free(xc);
	free(yc);
	free(xmean);
	free(z);
	free(zs);
	free(g);
	free(r);
	free(con);
	free(pas);
	free(idx);
	return err;
}
