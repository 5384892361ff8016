/* stats.c: running moments, correlation, exact quantiles. */
#include <math.h>
#include <stdlib.h>

#include "stats.h"

void
mom_init(moments *m)
{
	m->n = m->mean = m->m2 = 0;
	m->min = INFINITY;
	m->max = -INFINITY;
}

void
mom_merge(moments *a, const moments *b)
{
	double n = a->n + b->n;

	if (b->n == 0)
		return;
	if (a->n == 0) {
		*a = *b;
		return;
	}
	double d = b->mean - a->mean;
	a->mean += d * b->n / n;
	a->m2 += b->m2 + d * d * a->n * b->n / n;
	a->n = n;
	if (b->min < a->min)
		a->min = b->min;
	if (b->max > a->max)
		a->max = b->max;
}

double
mom_sd(const moments *m)
{
	return m->n < 2 ? NAN : sqrt(m->m2 / (m->n - 1));
}

double
com_corr(const comoments *c)
{
	if (c->n < 2 || c->cxx <= 0 || c->cyy <= 0)
		return NAN;
	return c->cxy / sqrt(c->cxx * c->cyy);
}

double
lerp(double a, double b, double t)
{
	/* numpy's form: from the nearer end, so results are monotone in t and
	 * equal numpy.quantile to the last bit. */
	double d = b - a;

	return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

double
quantile_sorted(const double *x, size_t n, double p)
{
	if (n == 0)
		return NAN;
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)floor(h);
	if (lo >= n - 1)
		return x[n - 1];
	return lerp(x[lo], x[lo + 1], h - (double)lo);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void
sort_doubles(double *x, size_t n)
{
	qsort(x, n, sizeof *x, cmp_double);
}
