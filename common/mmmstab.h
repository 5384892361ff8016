/* mmmstab.h: the stability report of mmm-train --model mmm --stability:
 * the same model refitted with other seeds and on rolling windows of the
 * rows, and the spread of what each fit says of the channels — ROI,
 * marginal ROI and the share of the budget each gets. */
#ifndef MMM_MMMSTAB_H
#define MMM_MMMSTAB_H

#include <stddef.h>
#include <stdint.h>

#include "jsonw.h"
#include "mmmfit.h"

/* One refit: its seed and rows, and per channel what it says. */
typedef struct mmm_stab_fit {
	uint64_t seed;
	size_t first, rows;		/* the rows [first, first + rows) */
	double nrmse, nrmse_val;	/* the fit's (NAN: no validation) */
	double *roi, *mroi, *share;	/* k each */
} mmm_stab_fit;

typedef struct mmm_stability {
	size_t k, nfit, seeds, windows;
	mmm_stab_fit *fit;		/* the seeds', then the windows' */
} mmm_stability;

/* Window j of w over n rows: the first row and the length.  Each window
 * holds n - floor(n / 5) rows; window j starts at floor(j (n - len) /
 * (w - 1)), so the first drops the last fifth and the last drops the
 * first; one window (w = 1) is the latest four fifths. */
void mmm_stab_window(size_t n, size_t w, size_t j, size_t *first,
    size_t *len);

/* Refit r's model (fitted on d with o) with seeds o->search.seed + 1 ..
 * + o->stability - 1 and on o->windows windows, each fit exactly what
 * mmm-train gives with that seed or on those rows; the first fit is r
 * itself.  0, or -1 with a message in err (a window the model cannot
 * take: a channel without spend in it). */
int mmm_stability_run(mmm_stability *st, const mmm_result *r,
    const mmm_data *d, const mmm_opts *o, char *err, size_t errsz);
void mmm_stability_free(mmm_stability *st);

/* The report: the fits (with their NRMSE), then per channel min, median,
 * max and coefficient of variation (sample sd over |mean|) of each
 * quantity. */
void mmm_stability_write(jsonw *w, const mmm_stability *st,
    const mmm_data *d);

/* The channels' shares of the budget that maximises the steady-state
 * response, the budget being their mean spend over the recent window
 * (k into share). */
void mmm_alloc_shares(const mmm_result *r, double *share);

#endif
