/* gates.h: the quality gates of mmm-train — thresholds on R^2, MAPE, lift,
 * the folds' spread, OLS p-values and residual normality — evaluated into
 * model_gate entries for messages and the model file. */
#ifndef MMM_GATES_H
#define MMM_GATES_H

#include <stddef.h>

#include "metrics.h"
#include "model.h"

enum { GATE_R2, GATE_MAPE, GATE_LIFT, GATE_CVSTD, GATE_P, GATE_NORMAL,
	GATE_N };
/* "min-r2", "max-mape", "min-lift", "max-cv-std", "max-p",
 * "normal-residuals". */
extern const char *const gate_names[GATE_N];

/* Thresholds; NAN: the gate is off. */
typedef struct gate_opts {
	double t[GATE_N];
	const char *pcols;	/* the features --max-p checks; NULL: all */
} gate_opts;

/* Every gate off. */
void gate_opts_init(gate_opts *g);
/* --gates default: each gate not set gets its default, but max-cv-std only
 * with cross-validation and max-p only for OLS. */
void gate_opts_default(gate_opts *g, int cv, int kind);

/*
 * Evaluate the gates that are on, in enum order, into g[0..*ng) (g holds
 * GATE_N).  min-r2, max-mape and min-lift check the held-out metrics valid
 * when not NULL (they win over cv: rows after the fit's data test what the
 * model will meet), else the folds' means when cv is not NULL, else the
 * train metrics; max-cv-std the folds' sd.  -1 with err and *status
 * (EXIT_USAGE) when pcols names no feature of d.
 */
int gates_eval(model_gate *g, size_t *ng, const gate_opts *o,
    const model_spec *s, const model_fit *f, const metrics *tr,
    const model_cv *cv, const metrics *valid, const model_data *d,
    char *err, size_t errsz, int *status);

#endif
