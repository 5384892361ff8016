/* lift.h: lift tests (experiments) that calibrate a marketing-mix model —
 * the file of measured incremental effects, its windows as rows of the
 * training data, and the model's prediction of each (Robyn's MAPE.LIFT).
 *
 * The file is CSV with a header: channel,start,end,lift[,lift_sd]; start
 * and end are ISO dates, both inclusive; lift is the incremental KPI the
 * experiment measured over the window (summed over its periods), lift_sd
 * its standard error (optional, > 0; missing: NAN).  A window covers the
 * training rows whose date lies in start..end. */
#ifndef MMM_LIFT_H
#define MMM_LIFT_H

#include <stddef.h>

typedef struct lift_test {
	size_t chan;		/* index into the media */
	size_t start, end;	/* training rows, inclusive, start <= end */
	double lift, sd;	/* sd: NAN when not given */
	long line;		/* the file's line, for messages */
	long day0, day1;	/* the window's dates as written */
} lift_test;

typedef struct lift_set {
	lift_test *t;		/* n, in file order; owned */
	size_t n;
} lift_set;

/* Read path's tests against the k media names and the n training dates
 * (days since 1970-01-01, strictly increasing).  -1 with "FILE:LINE:
 * column "C": what is wrong" in err and *status EXIT_NOINPUT or
 * EXIT_DATAERR (unknown channel, bad date or number, end before start, a
 * window outside the training dates or holding none of its rows, lift 0,
 * lift_sd <= 0, no tests). */
int lift_read(const char *path, const char *const *media, size_t k,
    const long *day, size_t n, lift_set *out, char *err, size_t errsz,
    int *status);
void lift_free(lift_set *s);

/* The channel's predicted effect over the window: coef times the sum of
 * its transformed series s (sat(adstock(spend)), one value per training
 * row) over the window's rows. */
double lift_predicted(const lift_test *t, double coef, const double *s);

/* MAPE.LIFT: the mean over the tests of |predicted - lift| / |lift|, the
 * predictions from coef (k media coefficients) and the k transformed
 * series in media (k x n, channel-major); pred (s->n) may be NULL. */
double lift_mape(const lift_set *s, const double *coef, const double *media,
    size_t n, double *pred);

#endif
