/* metrics.c: R², MAPE, sMAPE, RMSE, NRMSE, MAE and the lift over a constant. */
#include <math.h>

#include "metrics.h"

const char *const metrics_names[METRICS_N] = { "r2", "mape", "smape",
	"rmse", "nrmse", "mae", "lift" };

void
metrics_compute(const double *y, const double *yhat, size_t n, double base,
    metrics *m)
{
	double mean = 0, sse = 0, sst = 0, sae = 0, ape = 0, sape = 0, bse = 0;
	double lo = INFINITY, hi = -INFINITY;
	size_t nape = 0;

	for (size_t i = 0; i < n; i++)
		mean += y[i];
	mean /= (double)n;
	for (size_t i = 0; i < n; i++) {
		double e = y[i] - yhat[i], d = fabs(y[i]) + fabs(yhat[i]);
		sse += e * e;
		sst += (y[i] - mean) * (y[i] - mean);
		bse += (y[i] - base) * (y[i] - base);
		sae += fabs(e);
		if (y[i] != 0) {
			ape += fabs(e) / fabs(y[i]);
			nape++;
		}
		if (d > 0)
			sape += 2 * fabs(e) / d;
		if (y[i] < lo)
			lo = y[i];
		if (y[i] > hi)
			hi = y[i];
	}
	m->n = n;
	m->r2 = sst > 0 ? 1 - sse / sst : NAN;
	m->mape = nape ? ape / (double)nape : NAN;
	m->smape = sape / (double)n;
	m->rmse = sqrt(sse / (double)n);
	m->mae = sae / (double)n;
	m->nrmse = hi > lo ? m->rmse / (hi - lo) : NAN;
	m->lift = bse > 0 ? 1 - sse / bse : NAN;
}

void
metrics_acc_init(metrics_acc *a)
{
	*a = (metrics_acc){ { 0, 0, 0, INFINITY, -INFINITY }, 0, 0, 0, 0, 0 };
}

void
metrics_acc_add(metrics_acc *a, const double *y, const double *yhat,
    size_t n)
{
	metrics_acc b;
	double s = 0;

	if (n == 0)
		return;
	metrics_acc_init(&b);
	for (size_t i = 0; i < n; i++)
		s += y[i];
	b.y.n = (double)n;
	b.y.mean = s / b.y.n;
	for (size_t i = 0; i < n; i++) {
		double e = y[i] - yhat[i], d = fabs(y[i]) + fabs(yhat[i]);
		double ae = fabs(e), dy = y[i] - b.y.mean;
		b.y.m2 += dy * dy;
		b.sse += e * e;
		b.sae += ae;
		if (y[i] != 0) {
			b.ape += ae / fabs(y[i]);
			b.nape++;
		}
		if (d > 0)
			b.sape += 2 * ae / d;
		b.y.min = y[i] < b.y.min ? y[i] : b.y.min;
		b.y.max = y[i] > b.y.max ? y[i] : b.y.max;
	}
	metrics_acc_merge(a, &b);
}

void
metrics_acc_merge(metrics_acc *a, const metrics_acc *b)
{
	mom_merge(&a->y, &b->y);
	a->sse += b->sse;
	a->sae += b->sae;
	a->ape += b->ape;
	a->sape += b->sape;
	a->nape += b->nape;
}

void
metrics_acc_finish(const metrics_acc *a, double base, metrics *m)
{
	double n = a->y.n, bse = a->y.m2 + n * (a->y.mean - base) *
	    (a->y.mean - base);

	m->n = (size_t)n;
	m->r2 = a->y.m2 > 0 ? 1 - a->sse / a->y.m2 : NAN;
	m->mape = a->nape ? a->ape / (double)a->nape : NAN;
	m->smape = a->sape / n;
	m->rmse = sqrt(a->sse / n);
	m->mae = a->sae / n;
	m->nrmse = a->y.max > a->y.min ? m->rmse / (a->y.max - a->y.min) :
	    NAN;
	m->lift = bse > 0 ? 1 - a->sse / bse : NAN;
}

void
metrics_values(const metrics *m, double v[METRICS_N])
{
	v[0] = m->r2;
	v[1] = m->mape;
	v[2] = m->smape;
	v[3] = m->rmse;
	v[4] = m->nrmse;
	v[5] = m->mae;
	v[6] = m->lift;
}
