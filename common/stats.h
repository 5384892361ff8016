/* stats.h: column statistics that every tool reuses — running moments by
 * Welford's method (mergeable), co-moments for correlation, exact quantiles. */
#ifndef MMM_STATS_H
#define MMM_STATS_H

#include <stddef.h>

/* 1 / Phi^-1(3/4): scales the MAD to the sd of a normal distribution. */
#define MAD_TO_SD 1.482602218505602

typedef struct moments {
	double n, mean, m2, min, max;
} moments;

void mom_init(moments *m);
static inline void
mom_add(moments *m, double x)
{
	double d = x - m->mean;

	m->n += 1;
	m->mean += d / m->n;
	m->m2 += d * (x - m->mean);
	if (x < m->min)
		m->min = x;
	if (x > m->max)
		m->max = x;
}
/* Combine b into a (Chan et al.), as if a had seen b's values too. */
void mom_merge(moments *a, const moments *b);
/* Sample standard deviation (n - 1); NaN below two values. */
double mom_sd(const moments *m);

typedef struct comoments {
	double n, mx, my, cxx, cyy, cxy;
} comoments;

static inline void
com_add(comoments *c, double x, double y)
{
	double dx = x - c->mx, dy = y - c->my;

	c->n += 1;
	c->mx += dx / c->n;
	c->my += dy / c->n;
	c->cxx += dx * (x - c->mx);
	c->cyy += dy * (y - c->my);
	c->cxy += dx * (y - c->my);
}
/* Pearson correlation; NaN when either side is constant or n < 2. */
double com_corr(const comoments *c);

/* a + (b - a) t, computed as numpy does. */
double lerp(double a, double b, double t);
/* The p-quantile of sorted x[0..n) by linear interpolation between order
 * statistics (numpy's and pandas' default); NaN when n == 0. */
double quantile_sorted(const double *x, size_t n, double p);
/* Sort x in place (ascending). */
void sort_doubles(double *x, size_t n);

#endif
