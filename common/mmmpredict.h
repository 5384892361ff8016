/* mmmpredict.h: the features of a marketing-mix model (mmm-train --model
 * mmm) for one input row at a time: each channel's spend through its
 * adstock, carried over from row to row, and its saturation; the trend and
 * the Fourier terms from the date; the controls as they are.
 *
 * The rows are periods in date order.  Rows that start at the first date
 * of the training data start the carryover from zero (the training data
 * again: its fitted values and decomposition); rows after its last date
 * continue from the adstock state the model saved, so that the carryover
 * across the boundary equals the adstock of the whole series.  Functions
 * return 0, or -1 with a one-line message in err and *status. */
#ifndef MMM_MMMPREDICT_H
#define MMM_MMMPREDICT_H

#include <stddef.h>

#include "csvio.h"

typedef struct mmm_rows mmm_rows;

/* Bind the model's features (p, in the model file's order) to the input's
 * columns.  root: the model file's jansson document.  *r NULL and 0 for a
 * model that is not of kind mmm. */
int mmm_rows_new(mmm_rows **r, void *root, const char *const *features,
    size_t p, const char *input, const char *const *names, size_t ncols,
    char *err, size_t errsz, int *status);
void mmm_rows_free(mmm_rows *r);

/* The input column feature j reads (its spend for a channel), or -1 for
 * a term made from the date. */
long mmm_rows_col(const mmm_rows *r, size_t j);

/* After the first row: 1 when the rows began at the first training date
 * (the carryover started from zero), 0 when they continue after its
 * last. */
int mmm_rows_replay(const mmm_rows *r);

/* x (p): the features of the record; raw (p): the input values (the spend
 * before its transforms; NAN for terms made from the date).  A missing or
 * non-numeric spend or date, or a date out of order, is an error
 * (EXIT_DATAERR); a missing control is NAN in x. */
int mmm_rows_next(mmm_rows *r, const csv_record *rec, double *x, double *raw,
    char *err, size_t errsz, int *status);

#endif
