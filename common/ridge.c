/* ridge.c: ridge regression through one SVD of the centred weighted design
 * (sklearn's Ridge, RidgeCV's efficient LOO, Ridge(positive=True)). */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "ridge.h"

/* LAPACK from OpenBLAS; the trailing length is gfortran's hidden argument
 * for the character option. */
extern void dgesdd_(const char *jobz, const int *m, const int *n, double *a,
    const int *lda, double *s, double *u, const int *ldu, double *vt,
    const int *ldvt, double *work, const int *lwork, int *iwork, int *info,
    size_t jobz_len);

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

const char *
ridge_svd_init(ridge_svd *d, const ridge_problem *pr)
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
	if ((err = ridge_svd_init(&d, pr)) != NULL)
		return err;
	err = ridge_svd_coef(&d, lambda, coef, intercept);
	ridge_svd_free(&d);
	return err;
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
	if ((err = ridge_svd_init(&d, pr)) != NULL)
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
	for (size_t i = 0; i < ngrid; i++) {
		double e = ridge_svd_loo(&d, g[i]);
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
