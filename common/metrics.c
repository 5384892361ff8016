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
