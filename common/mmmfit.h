/* mmmfit.h: mmm-train --model mmm from a table to a fitted model — the
 * baseline terms (trend, Fourier pairs, controls), the channels' transforms
 * and bounds from the options, the search, the selection from the Pareto
 * front, and the decomposition of the chosen fit: contributions, shares,
 * ROI, marginal ROI, carryover, response curves and the adstock state at
 * the end of the data.  Functions return 0, or -1 with a one-line message
 * in err. */
#ifndef MMM_MMMFIT_H
#define MMM_MMMFIT_H

#include <stddef.h>
#include <stdio.h>

#include "jsonw.h"
#include "mmm.h"
#include "out.h"
#include "trainset.h"

typedef struct mmm_opts {
	adstock_kind adstock;		/* default for every channel */
	saturation_kind saturation;
	const char *adstock_by;		/* "CH=KIND,..." or NULL */
	const char *saturation_by;
	const char *bounds;		/* "CH.PARAM=LO:HI,..." or NULL */
	int trend;
	int fourier;			/* pairs; -1: 2 when the data span
					 * more than a year, else 0 */
	mmm_search_opts search;
	int select;			/* MMM_SELECT_* */
	size_t window;			/* periods of "recent" spend (13) */
} mmm_opts;

/* The data of the fit: n periods in date order. */
typedef struct mmm_data {
	size_t n, k, m;			/* periods, channels, controls */
	const double *y;
	const double *const *x;		/* k */
	const double *const *ctl;	/* m */
	const char *const *media, *const *controls;
	const long *day;		/* n: days since 1970-01-01 */
} mmm_data;

/* The media (spec: names or globs among the design's features) and the
 * controls (the other features) of a design whose rows are periods in
 * strictly increasing date order; else -1 naming the first line out of
 * order.  d borrows ds. */
int mmm_data_from_design(mmm_data *d, const train_design *ds,
    const trainset *t, const char *media, char *err, size_t errsz);
void mmm_data_free(mmm_data *d);

/* One channel of the fitted model. */
typedef struct mmm_chan_fit {
	adstock ad;
	saturation sat;
	double gamma_frac;		/* the searched fraction */
	double *state;			/* adstock_state_len(&ad) at the end */
	double coef;			/* beta on the original scale */
	double carry;			/* steady-state adstock multiplier */
	double spend, contribution, roi, spend_share, effect_share;
	double recent_spend, mroi, carryover_share;
} mmm_chan_fit;

typedef struct mmm_result {
	mmm_problem prob;
	mmm_search search;
	size_t chosen;			/* candidate index */
	mmm_score score;
	mmm_chan_fit *ch;		/* k */
	double *coef;			/* k + q + 1: media, baseline, intercept */
	double *design;			/* n x (k + q): transformed media then
					 * baseline terms, for metrics */
	char **names;			/* k + q */
	double *zbuf;			/* q x n: baseline terms */
	const double **zp;
	char **zname;
	int fourier;
	long day0, day1;		/* trend's first and last day */
	double baseline_total, media_total;
	double dw;			/* Durbin-Watson of the residuals */
	mmm_channel *chcfg;
} mmm_result;

/* Set up the problem: -1 with *status EXIT_USAGE for options that do not
 * fit the data (a channel that is not a media column, bad bounds), or
 * EXIT_DATAERR for data the model cannot take. */
int mmm_fit_setup(mmm_result *r, const mmm_data *d, const mmm_opts *o,
    char *err, size_t errsz, int *status);
/* Search, select, refit exactly and decompose. */
void mmm_fit_run(mmm_result *r, const mmm_data *d, const mmm_opts *o);
void mmm_result_free(mmm_result *r);
/* --dry-run: the hyperparameters and their ranges, the number of
 * candidates, and the time from 200 timed candidates, onto f. */
void mmm_fit_dry_run(mmm_result *r, const mmm_opts *o, FILE *f);

/* The fitted model as the generic pieces of model.h (a linear model on the
 * transformed media and the baseline terms), for metrics, gates, the
 * profile and the model file.  prof: k + q, the media's and controls' from
 * ds, the generated terms' computed; the caller frees it. */
void mmm_model_parts(const mmm_result *r, const train_design *ds,
    model_fit *f, model_data *md, model_profile **prof);

/* The "mmm" block of the model file: transforms, decomposition, curves,
 * search. */
void mmm_write_block(jsonw *w, const mmm_result *r, const mmm_data *d,
    const mmm_opts *o);
/* Spends per channel the model file keeps ("recent"). */
#define MMM_RECENT 104

/*
 * The covariance (k x k, row-major, original scale) of the media
 * coefficients of the final refit with the transforms held fixed: the
 * ridge sandwich sigma^2 P^-1 G P^-1 on the standardised design of the
 * media not held at 0 and the baseline terms (G = Z'Z, P = G + lambda I),
 * sigma^2 = RSS / (n - 1 - edf), edf = tr(P^-1 G).  Channels at the bound
 * 0 have zero variance.  0, or -1 when P cannot be inverted or no degrees
 * of freedom are left (cov then all 0).
 */
int mmm_coef_cov(const mmm_result *r, const double *y, double *cov);

/* The Pareto front as JSON lines, one candidate per line. */
void mmm_write_pareto(out *o, const mmm_result *r);

#endif
