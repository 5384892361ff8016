/* mcdiag.c: split R-hat and bulk ESS (see mcdiag.h).  The formulas follow
 * Vehtari et al. (2021) as ArviZ 0.x implements them (stats/diagnostics.py:
 * _split_chains, _z_scale, _rhat, _ess); tests/data/gen_mcdiag_ref.py
 * writes the same formulas in numpy and records their values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "err.h"
#include "mcdiag.h"

double
mc_rhat_plain(const double *x, size_t m, size_t n)
{
	if (m < 2 || n < 2)
		return NAN;
	double gm = 0, w = 0, b = 0;
	double mean[m];

	for (size_t c = 0; c < m; c++) {
		double s = 0;
		for (size_t i = 0; i < n; i++)
			s += x[c * n + i];
		mean[c] = s / (double)n;
		gm += mean[c];
		double v = 0;
		for (size_t i = 0; i < n; i++)
			v += (x[c * n + i] - mean[c]) * (x[c * n + i] - mean[c]);
		w += v / (double)(n - 1);
	}
	gm /= (double)m;
	w /= (double)m;
	for (size_t c = 0; c < m; c++)
		b += (mean[c] - gm) * (mean[c] - gm);
	b = (double)n * b / (double)(m - 1);
	if (!(w > 0))
		return NAN;
	return sqrt((b / w + (double)n - 1) / (double)n);
}

/* (1/n) sum_i (x_i - xbar)(x_{i+t} - xbar) for t = 0 .. n-1. */
static void
autocov(const double *x, size_t n, double *acov)
{
	double mean = 0;

	for (size_t i = 0; i < n; i++)
		mean += x[i];
	mean /= (double)n;
	for (size_t t = 0; t < n; t++) {
		double s = 0;
		for (size_t i = 0; i + t < n; i++)
			s += (x[i] - mean) * (x[i + t] - mean);
		acov[t] = s / (double)n;
	}
}

double
mc_ess_plain(const double *x, size_t m, size_t n)
{
	if (m < 1 || n < 4)
		return NAN;
	double lo = HUGE_VAL, hi = -HUGE_VAL;
	for (size_t i = 0; i < m * n; i++) {
		if (!isfinite(x[i]))
			return NAN;
		lo = fmin(lo, x[i]);
		hi = fmax(hi, x[i]);
	}
	if (hi - lo < 1e-15)
		return (double)(m * n);

	/* Mean autocovariance over chains, lag by lag. */
	double *acov = ecalloc(n, sizeof *acov), *one = emalloc(n *
	    sizeof *one), *rho = ecalloc(n, sizeof *rho);
	double cm[m], gm = 0;
	for (size_t c = 0; c < m; c++) {
		autocov(x + c * n, n, one);
		for (size_t t = 0; t < n; t++)
			acov[t] += one[t] / (double)m;
		double s = 0;
		for (size_t i = 0; i < n; i++)
			s += x[c * n + i];
		cm[c] = s / (double)n;
		gm += cm[c];
	}
	gm /= (double)m;
	double nd = (double)n;
	double mean_var = acov[0] * nd / (nd - 1);
	double var_plus = mean_var * (nd - 1) / nd;
	if (m > 1) {
		double v = 0;
		for (size_t c = 0; c < m; c++)
			v += (cm[c] - gm) * (cm[c] - gm);
		var_plus += v / (double)(m - 1);
	}
	double even = 1, odd = 1 - (mean_var - acov[1]) / var_plus;
	rho[0] = even;
	rho[1] = odd;
	/* Geyer's initial positive sequence... */
	long t = 1, nl = (long)n;
	while (t < nl - 3 && even + odd > 0) {
		even = 1 - (mean_var - acov[t + 1]) / var_plus;
		odd = 1 - (mean_var - acov[t + 2]) / var_plus;
		if (even + odd >= 0) {
			rho[t + 1] = even;
			rho[t + 2] = odd;
		}
		t += 2;
	}
	long max_t = t - 2;	/* -1 when the loop never ran */
	if (even > 0)
		rho[max_t + 1] = even;
	/* ... made monotone. */
	for (t = 1; t <= max_t - 2; t += 2)
		if (rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]) {
			rho[t + 1] = (rho[t - 1] + rho[t]) / 2;
			rho[t + 2] = rho[t + 1];
		}
	double ess = (double)(m * n), tau = -1;
	for (long i = 0; i <= max_t; i++)
		tau += 2 * rho[i];
	if (max_t + 1 < nl)
		tau += rho[max_t + 1];
	tau = fmax(tau, 1 / log10(ess));
	free(acov);
	free(one);
	free(rho);
	return ess / tau;
}

/* The split chains: 2m of h = n/2 draws each (the middle draw of an odd
 * n left out, as ArviZ). */
static void
split(const double *x, size_t m, size_t n, double *s)
{
	size_t h = n / 2;

	for (size_t c = 0; c < m; c++) {
		memcpy(s + 2 * c * h, x + c * n, h * sizeof *s);
		memcpy(s + (2 * c + 1) * h, x + c * n + (n - h), h * sizeof *s);
	}
}

/* A value and where it was: sorting these needs no shared key. */
typedef struct ranked {
	double v;
	size_t i;
} ranked;

static int
by_value(const void *a, const void *b)
{
	const ranked *x = a, *y = b;

	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static ranked *
sorted(const double *x, size_t N)
{
	ranked *s = emalloc(N * sizeof *s);

	for (size_t i = 0; i < N; i++)
		s[i] = (ranked){ x[i], i };
	qsort(s, N, sizeof *s, by_value);
	return s;
}

/* In place: x[i] = Phi^-1((rank_i - 3/8) / (N + 1/4)), average ranks for
 * ties (scipy's rankdata "average"). */
static void
z_scale(double *x, size_t N)
{
	ranked *s = sorted(x, N);

	for (size_t i = 0; i < N;) {
		size_t j = i;
		while (j + 1 < N && s[j + 1].v == s[i].v)
			j++;
		double avg = ((double)i + (double)j) / 2 + 1;
		for (size_t l = i; l <= j; l++)
			x[s[l].i] = gsl_cdf_ugaussian_Pinv((avg - 0.375) /
			    ((double)N + 0.25));
		i = j + 1;
	}
	free(s);
}

static double
median(const double *x, size_t N)
{
	ranked *s = sorted(x, N);
	double v = N % 2 ? s[N / 2].v : (s[N / 2 - 1].v + s[N / 2].v) / 2;

	free(s);
	return v;
}

static int
all_finite(const double *x, size_t N)
{
	for (size_t i = 0; i < N; i++)
		if (!isfinite(x[i]))
			return 0;
	return 1;
}

double
mc_rhat(const double *x, size_t m, size_t n)
{
	size_t h = n / 2, N = 2 * m * h;

	if (n < 4 || m < 1 || !all_finite(x, m * n))
		return NAN;
	double *s = emalloc(N * sizeof *s), *f = emalloc(N * sizeof *f);
	split(x, m, n, s);
	double med = median(s, N);
	for (size_t i = 0; i < N; i++)
		f[i] = fabs(s[i] - med);
	z_scale(s, N);
	z_scale(f, N);
	double bulk = mc_rhat_plain(s, 2 * m, h);
	double tail = mc_rhat_plain(f, 2 * m, h);
	free(s);
	free(f);
	if (isnan(bulk) || isnan(tail))
		return NAN;
	return fmax(bulk, tail);
}

double
mc_ess_bulk(const double *x, size_t m, size_t n)
{
	size_t h = n / 2, N = 2 * m * h;

	if (n < 8 || m < 1 || !all_finite(x, m * n))
		return NAN;
	double *s = emalloc(N * sizeof *s);
	split(x, m, n, s);
	z_scale(s, N);
	double e = mc_ess_plain(s, 2 * m, h);
	free(s);
	return e;
}
