/* transform_step.h: an adstock or saturation as a step of mmm-features —
 * parsed from option text, fitted on the data where a parameter depends on
 * it, applied one value at a time, saved in a spec. */
#ifndef MMM_TRANSFORM_STEP_H
#define MMM_TRANSFORM_STEP_H

#include <jansson.h>
#include <stddef.h>

#include "jsonw.h"
#include "transform.h"

typedef struct tstep {
	int is_adstock;
	adstock a;
	saturation s;
	double *w;		/* adstock weights */
	int fit_len;		/* Weibull window = the longest group */
	int fit_gamma;		/* hill GAMMA a fraction of the input's range */
	double frac;
	double lo, hi;		/* fitting: range of the input */
	size_t cur_len, max_len; /* fitting: group lengths */
	int have;
} tstep;

/* Parse "geometric:THETA", "geometric_trunc:THETA[:LMAX]",
 * "weibull_cdf:SHAPE:SCALE[:LEN]", "weibull_pdf:SHAPE:SCALE[:LEN]",
 * "delayed:THETA:PEAK[:LMAX]" (adstock) or "hill:ALPHA:GAMMA",
 * "hill:ALPHA:abs:GAMMA", "logistic:LAMBDA", "michaelis:VMAX:K". */
int tstep_parse(tstep *t, int is_adstock, const char *text, char *err,
    size_t errsz);
int tstep_needs_fit(const tstep *t);
void tstep_fit_add(tstep *t, double x);
void tstep_fit_group_end(tstep *t);
void tstep_fit_done(tstep *t);
const char *tstep_suffix(const tstep *t);
size_t tstep_state_len(const tstep *t);
void tstep_state_init(const tstep *t, double *state);
double tstep_apply(const tstep *t, double *state, double x);
/* The fitted parameters, as a JSON object. */
void tstep_save(const tstep *t, jsonw *w);
int tstep_load(tstep *t, json_t *j, char *err, size_t errsz);
void tstep_free(tstep *t);

#endif
