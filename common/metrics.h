/* metrics.h: goodness of fit of predictions yhat against y, as the model
 * file and mmm-predict report them. */
#ifndef MMM_METRICS_H
#define MMM_METRICS_H

#include <stddef.h>

#include "stats.h"

typedef struct metrics {
	size_t n;
	double r2;	/* 1 - SSE / SST (sklearn's r2_score; NaN for constant y) */
	double mape;	/* mean |y - yhat| / |y| over y != 0 (fraction; NaN
			 * when every y is 0) */
	double smape;	/* mean 2 |y - yhat| / (|y| + |yhat|), a 0/0 term as 0 */
	double rmse, mae;
	double nrmse;	/* rmse / (max y - min y), Robyn's; NaN for constant y */
	double lift;	/* 1 - MSE / MSE of predicting base (the training mean) */
} metrics;

/* Metrics of n >= 1 pairs; base is the baseline's constant prediction. */
void metrics_compute(const double *y, const double *yhat, size_t n,
    double base, metrics *m);

/* The same metrics over rows taken in blocks (on threads, merged in a
 * fixed order): add each block into its own accumulator, merge them in
 * row order, then finish.  y's mean and squared deviations are merged as
 * Chan et al. merge them, so SST keeps its digits whatever the offset. */
typedef struct metrics_acc {
	moments y;
	double sse, sae, ape, sape;
	size_t nape;
} metrics_acc;

void metrics_acc_init(metrics_acc *a);
void metrics_acc_add(metrics_acc *a, const double *y, const double *yhat,
    size_t n);
void metrics_acc_merge(metrics_acc *a, const metrics_acc *b);
/* Into m; a holds n >= 1 pairs. */
void metrics_acc_finish(const metrics_acc *a, double base, metrics *m);

/* Names of the fields, in the order metrics_values gives them. */
#define METRICS_N 7
extern const char *const metrics_names[METRICS_N];
void metrics_values(const metrics *m, double v[METRICS_N]);

#endif
