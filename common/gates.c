/* gates.c: evaluating mmm-train's quality gates. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "gates.h"

const char *const gate_names[GATE_N] = { "min-r2", "max-mape", "min-lift",
	"max-cv-std", "max-p", "normal-residuals" };

void
gate_opts_init(gate_opts *g)
{
	for (int k = 0; k < GATE_N; k++)
		g->t[k] = NAN;
	g->pcols = NULL;
}

void
gate_opts_default(gate_opts *g, int cv, int kind)
{
	static const double def[GATE_N] = { 0.45, 0.15, 0.10, 0.1, 0.05,
		NAN };

	for (int k = 0; k < GATE_N; k++)
		if (isnan(g->t[k]))
			g->t[k] = def[k];
	if (!cv)
		g->t[GATE_CVSTD] = NAN;
	if (kind != MODEL_OLS)
		g->t[GATE_P] = NAN;
}

/* The largest p-value over the features pcols lists (all: NULL). */
static int
worst_p(model_gate *x, const gate_opts *o, const model_spec *s,
    const model_fit *f, const model_data *d, char *err, size_t errsz,
    int *status)
{
	size_t *idx = NULL, nidx = 0, worst = 0;
	char msg[512];

	if (o->pcols && cols_resolve(o->pcols, d->names, d->p, 0, &idx, &nidx,
	    msg, sizeof msg) < 0) {
		free(idx);
		snprintf(err, errsz, "--max-p-cols: %s", msg);
		*status = EXIT_USAGE;
		return -1;
	}
	x->value = -1;
	for (size_t q = 0; q < (o->pcols ? nidx : d->p); q++) {
		size_t j = o->pcols ? idx[q] : q;
		double pv = f->ols->pval[j + (s->intercept ? 1 : 0)];
		if (pv > x->value || isnan(pv)) {
			x->value = pv;
			worst = j;
		}
	}
	snprintf(x->what, sizeof x->what, "largest p-value (%.60s)",
	    d->names[worst]);
	free(idx);
	return 0;
}

int
gates_eval(model_gate *g, size_t *ng, const gate_opts *o,
    const model_spec *s, const model_fit *f, const metrics *tr,
    const model_cv *cv, const metrics *valid, const model_data *d,
    char *err, size_t errsz, int *status)
{
	const char *on = valid ? "valid" : cv ? "cv mean" : "train";
	double v[METRICS_N];

	*ng = 0;
	if (valid)
		metrics_values(valid, v);
	else if (cv)
		memcpy(v, cv->mean, sizeof v);
	else
		metrics_values(tr, v);
	for (int k = 0; k < GATE_N; k++) {
		model_gate *x = &g[*ng];
		if (isnan(o->t[k]))
			continue;
		x->name = gate_names[k];
		x->threshold = o->t[k];
		x->upper = k == GATE_MAPE || k == GATE_CVSTD || k == GATE_P;
		if (k == GATE_R2 || k == GATE_MAPE || k == GATE_LIFT) {
			int m = k == GATE_R2 ? 0 : k == GATE_MAPE ? 1 : 6;
			x->value = v[m];
			snprintf(x->what, sizeof x->what, "%s (%s)",
			    metrics_names[m], on);
		} else if (k == GATE_CVSTD) {
			x->value = cv->sd[0];
			snprintf(x->what, sizeof x->what, "sd of the "
			    "folds' r2");
		} else if (k == GATE_NORMAL) {
			x->value = f->ols->jb_pval;
			snprintf(x->what, sizeof x->what, "Jarque-Bera "
			    "p-value");
		} else if (worst_p(x, o, s, f, d, err, errsz, status) < 0) {
			return -1;
		}
		x->pass = x->upper ? (k == GATE_P ? x->value < x->threshold :
		    x->value <= x->threshold) : x->value >= x->threshold;
		(*ng)++;
	}
	return 0;
}
