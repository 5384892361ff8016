/* featurize.h: the feature pipeline behind mmm-features — steps applied in
 * order to each row, streaming, with per-group state (lags, windows,
 * carryover) and fitted state (scalers, categories, saturation scales) that a
 * spec saves so inference repeats training exactly. */
#ifndef MMM_FEATURIZE_H
#define MMM_FEATURIZE_H

#include <stddef.h>

#include "csvio.h"
#include "out.h"

typedef struct fpipe fpipe;

/* Kinds of step, as the options name them. */
enum fkind {
	F_JOIN, F_TIME, F_FOURIER, F_HOLIDAYS, F_LAG, F_DIFF, F_PCT, F_ROLLING,
	F_ADSTOCK, F_SATURATION, F_ONEHOT, F_LOG, F_SCALE, F_INTERACT
};

/* Options that are not steps. */
typedef struct fopts {
	const char *date_col;	/* default "date" */
	const char *by;		/* group columns, comma-separated */
	const char *country;	/* --country for --holidays */
	int hwin_lo, hwin_hi;	/* --holiday-window */
	int freq;		/* 0 (infer), 1 daily, 7 weekly */
} fopts;

fpipe *fp_new(const fopts *o);
/* Add a step from its option text ("tv_spend:1,7" for F_LAG); usage errors
 * (malformed text) return -1 with err set. */
int fp_add(fpipe *p, enum fkind kind, const char *arg, char *err,
    size_t errsz);
/* The options in force (from the command line, or from a loaded spec). */
const fopts *fp_opts(const fpipe *p);
/* Read the n-th join of a loaded spec from path instead (the new period's
 * file); -1 when the spec has fewer joins. */
int fp_set_join_path(fpipe *p, size_t n, const char *path);
/* The key columns of --join (--on). */
void fp_set_on(fpipe *p, const char *on);
/* Replace the steps and options with a saved spec; -1 with err and *status
 * (EXIT_NOINPUT, EXIT_DATAERR) on failure. */
int fp_load(fpipe *p, const char *path, char *err, size_t errsz, int *status);

/* Resolve columns against the input's header and load joined and holiday
 * files; -1 with err and *status.  Names the new columns. */
int fp_bind(fpipe *p, const csv_reader *r, char *err, size_t errsz,
    int *status);
/* Steps still to fit on the data (scalers, categories, saturation scales). */
int fp_unfitted(const fpipe *p);
/* Start a pass over the input: fitting, or producing rows. */
void fp_begin(fpipe *p, int fitting);
/* One row.  Returns 1 with the row's new values computed, 0 when a value a
 * step needs is missing because of too little history (for --dropna), -1 on
 * malformed input (err set: FILE:LINE: column, value).  */
int fp_row(fpipe *p, const csv_record *rec, char *err, size_t errsz);
/* End a fitting pass: fix what it fitted. */
void fp_end_fit(fpipe *p);

/* The header of the new columns, each preceded by a comma. */
void fp_write_header(const fpipe *p, out *o);
/* The last row's new values, each preceded by a comma. */
void fp_write_values(const fpipe *p, out *o);
/* Why the last row is incomplete (fp_row returned 0). */
const char *fp_incomplete(const fpipe *p);
/* Warnings gathered (unseen categories): one line each, or NULL. */
const char *fp_warning(const fpipe *p, size_t i);
/* Save the spec, with every group's state to continue from. */
void fp_save(const fpipe *p, out *o);
void fp_free(fpipe *p);

#endif
