/* sketch.c: exact values up to SKETCH_EXACT, then a bit-indexed histogram. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "sketch.h"
#include "stats.h"

void
sketch_init(sketch *s)
{
	memset(s, 0, sizeof *s);
	s->v = NULL;
	s->min = INFINITY;
	s->max = -INFINITY;
}

void
sketch_free(sketch *s)
{
	free(s->v);
	for (int i = 0; i < 4096; i++)
		free(s->blk[i]);
	sketch_init(s);
}

static uint64_t
bits_of(double x)
{
	uint64_t b;

	if (x == 0)
		x = 0;		/* -0 joins +0 */
	memcpy(&b, &x, sizeof b);
	return b;
}

/* Histogram position of x: ordered block and bin, so that iterating blocks
 * and bins in index order visits values in ascending order. */
static void
position(double x, int *blk, int *bin)
{
	uint64_t b = bits_of(x);
	int top = (int)(b >> 52), m = (int)((b >> 45) & (SKETCH_BINS - 1));

	if (top & 0x800) {
		*blk = 2047 - (top & 0x7ff);
		*bin = SKETCH_BINS - 1 - m;
	} else {
		*blk = 2048 + top;
		*bin = m;
	}
}

/* Midpoint of the values a histogram bin holds. */
static double
bin_mid(int blk, int bin)
{
	int neg = blk < 2048;
	uint64_t top = neg ? (uint64_t)(2047 - blk) : (uint64_t)(blk - 2048);
	uint64_t m = neg ? (uint64_t)(SKETCH_BINS - 1 - bin) : (uint64_t)bin;
	uint64_t lo = top << 52 | m << 45, hi = lo + ((uint64_t)1 << 45);
	double a, b;

	memcpy(&a, &lo, sizeof a);
	memcpy(&b, &hi, sizeof b);
	if (isinf(b))
		b = a;
	double mid = a + (b - a) / 2;
	return neg ? -mid : mid;
}

static void
hist_add(sketch *s, double x, uint64_t count)
{
	int blk, bin;

	position(x, &blk, &bin);
	if (!s->blk[blk])
		s->blk[blk] = ecalloc(SKETCH_BINS, sizeof(uint64_t));
	s->blk[blk][bin] += count;
}

static void
to_histogram(sketch *s)
{
	for (size_t i = 0; i < s->nv; i++)
		hist_add(s, s->v[i], 1);
	free(s->v);
	s->v = NULL;
	s->nv = 0;
}

void
sketch_add(sketch *s, double x)
{
	if (s->n < SKETCH_EXACT) {
		if (!s->v)
			s->v = emalloc(SKETCH_EXACT * sizeof *s->v);
		s->v[s->nv++] = x;
		s->sorted = 0;
	} else {
		if (s->v)
			to_histogram(s);
		hist_add(s, x, 1);
	}
	s->n++;
	if (x < s->min)
		s->min = x;
	if (x > s->max)
		s->max = x;
}

void
sketch_merge(sketch *a, const sketch *b)
{
	if (b->v && a->n + b->n <= SKETCH_EXACT) {
		for (size_t i = 0; i < b->nv; i++)
			sketch_add(a, b->v[i]);
		return;
	}
	if (a->v || a->n == 0) {
		if (!a->v)
			a->v = emalloc(SKETCH_EXACT * sizeof *a->v);
		to_histogram(a);
	}
	if (b->v)
		for (size_t i = 0; i < b->nv; i++)
			hist_add(a, b->v[i], 1);
	else
		for (int i = 0; i < 4096; i++)
			for (int j = 0; b->blk[i] && j < SKETCH_BINS; j++)
				if (b->blk[i][j])
					hist_add(a, bin_mid(i, j), b->blk[i][j]);
	a->n += b->n;
	if (b->min < a->min)
		a->min = b->min;
	if (b->max > a->max)
		a->max = b->max;
}

int
sketch_is_exact(const sketch *s)
{
	return s->n <= SKETCH_EXACT && (s->v || s->n == 0);
}

static void
ensure_sorted(sketch *s)
{
	if (s->v && !s->sorted) {
		sort_doubles(s->v, s->nv);
		s->sorted = 1;
	}
}

static double
clamp(const sketch *s, double x)
{
	return x < s->min ? s->min : x > s->max ? s->max : x;
}

/* The k-th smallest value (0-based), to the histogram's resolution. */
static double
order_stat(const sketch *s, uint64_t k)
{
	uint64_t seen = 0;

	for (int i = 0; i < 4096; i++)
		for (int j = 0; s->blk[i] && j < SKETCH_BINS; j++) {
			seen += s->blk[i][j];
			if (seen > k)
				return clamp(s, bin_mid(i, j));
		}
	return s->max;
}

double
sketch_quantile(sketch *s, double p)
{
	if (s->n == 0)
		return NAN;
	if (s->v) {
		ensure_sorted(s);
		return quantile_sorted(s->v, s->nv, p);
	}
	double h = (double)(s->n - 1) * p;
	uint64_t lo = (uint64_t)floor(h);
	double a = order_stat(s, lo);
	if (lo + 1 >= s->n)
		return a;
	return lerp(a, order_stat(s, lo + 1), h - (double)lo);
}

/* Values in [med - d, med + d]. */
static uint64_t
count_within(const sketch *s, double med, double d)
{
	uint64_t c = 0;

	for (int i = 0; i < 4096; i++)
		for (int j = 0; s->blk[i] && j < SKETCH_BINS; j++)
			if (s->blk[i][j] && fabs(bin_mid(i, j) - med) <= d)
				c += s->blk[i][j];
	return c;
}

double
sketch_mad(sketch *s, double med)
{
	if (s->n == 0)
		return NAN;
	if (s->v) {
		double *d = emalloc(s->nv * sizeof *d);
		for (size_t i = 0; i < s->nv; i++)
			d[i] = fabs(s->v[i] - med);
		sort_doubles(d, s->nv);
		double m = quantile_sorted(d, s->nv, 0.5);
		free(d);
		return m;
	}
	/* Smallest d holding half the values within med ± d, by bisection. */
	double lo = 0, hi = fmax(fabs(s->max - med), fabs(s->min - med));
	uint64_t half = (s->n + 1) / 2;
	if (count_within(s, med, 0) >= half)
		return 0;
	for (int it = 0; it < 200 && hi - lo > 1e-12 * hi; it++) {
		double mid = lo + (hi - lo) / 2;
		if (count_within(s, med, mid) >= half)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

double
sketch_meanad(sketch *s, double med)
{
	double sum = 0;

	if (s->n == 0)
		return NAN;
	if (s->v) {
		for (size_t i = 0; i < s->nv; i++)
			sum += fabs(s->v[i] - med);
		return sum / (double)s->nv;
	}
	for (int i = 0; i < 4096; i++)
		for (int j = 0; s->blk[i] && j < SKETCH_BINS; j++)
			sum += (double)s->blk[i][j] * fabs(bin_mid(i, j) - med);
	return sum / (double)s->n;
}

uint64_t
sketch_count_outside(sketch *s, double lo, double hi)
{
	uint64_t c = 0;

	if (s->v) {
		for (size_t i = 0; i < s->nv; i++)
			c += s->v[i] < lo || s->v[i] > hi;
		return c;
	}
	for (int i = 0; i < 4096; i++)
		for (int j = 0; s->blk[i] && j < SKETCH_BINS; j++) {
			double m = bin_mid(i, j);
			if (m < lo || m > hi)
				c += s->blk[i][j];
		}
	return c;
}
