/* mmmdraws.h: the posterior predictive interval of a Bayesian
 * marketing-mix model (mmm-train --method bayes) from the draws its model
 * file keeps: row by row, each draw's prediction with its own transforms
 * and its own adstock carried over, and the quantiles of the mixture of
 * Normal(prediction_i, sigma_i) over the draws i. */
#ifndef MMM_MMMDRAWS_H
#define MMM_MMMDRAWS_H

#include <stddef.h>

typedef struct mmm_draws mmm_draws;

/* The draws of the model file's document root for its p features (media
 * first, as the "mmm" block names them, then the baseline terms).  *d
 * NULL and 0 when the model keeps no draws (not bayes); -1 with err and
 * *status EXIT_DATAERR when they are malformed. */
int mmm_draws_new(mmm_draws **d, void *root, const char *const *features,
    size_t p, const char *path, char *err, size_t errsz, int *status);
void mmm_draws_free(mmm_draws *d);

/* One row, in order: raw (p) the inputs (spend for the media), x (p) the
 * features (the baseline terms' values); replay: the rows began at the
 * first training date (each draw's carryover starts from zero, else from
 * its saved end state).  Every row must be given, for the carryover; with
 * level in (0, 1) the interval's bounds go to *lo and *hi (NaN when a
 * baseline term is missing). */
void mmm_draws_row(mmm_draws *d, int replay, const double *raw,
    const double *x, double level, double *lo, double *hi);

#endif
