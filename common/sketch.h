/* sketch.h: quantiles, median/MAD and tail counts of a numeric column in
 * bounded memory.  Up to SKETCH_EXACT values are kept and every answer is
 * exact; past that the values go into a histogram indexed by the double's
 * sign, exponent and top 7 mantissa bits, so an insert costs no log() and no
 * sort, and each answer is within a relative 2^-8 (0.4%) of a value adjacent
 * to the exact one.  Mergeable (for parallel parts). */
#ifndef MMM_SKETCH_H
#define MMM_SKETCH_H

#include <stddef.h>
#include <stdint.h>

#define SKETCH_EXACT 65536
#define SKETCH_BINS 128		/* per binary exponent: 7 mantissa bits */

typedef struct sketch {
	double *v;		/* exact mode: the values (NULL in histogram mode) */
	size_t nv;
	int sorted;
	uint64_t *blk[4096];	/* histogram mode: by ordered sign/exponent */
	uint64_t n;
	double min, max;
} sketch;

void sketch_init(sketch *s);
void sketch_free(sketch *s);
void sketch_add(sketch *s, double x);
void sketch_merge(sketch *a, const sketch *b);
int sketch_is_exact(const sketch *s);
/* p-quantile, interpolated as numpy's default; NaN when empty. */
double sketch_quantile(sketch *s, double p);
/* Median absolute deviation about med (unscaled). */
double sketch_mad(sketch *s, double med);
/* Mean absolute deviation about med. */
double sketch_meanad(sketch *s, double med);
/* How many values lie below lo or above hi. */
uint64_t sketch_count_outside(sketch *s, double lo, double hi);

#endif
