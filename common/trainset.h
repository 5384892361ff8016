/* trainset.h: the rows mmm-train fits on — the columns chosen from a CSV
 * header, every row read as numbers, and the design (X, y, weights, days)
 * over the rows kept.  Functions return 0, or -1 with a one-line message in
 * err and an exit status (EXIT_DATAERR, EXIT_USAGE for a --features list
 * naming the target, or the reader's) in *status.  The caller owns each
 * struct and frees it with the matching _free, also after a failure. */
#ifndef MMM_TRAINSET_H
#define MMM_TRAINSET_H

#include <stddef.h>

#include "csvio.h"
#include "model.h"
#include "stats.h"

/* What to read. */
typedef struct trainset_opts {
	const char *target;
	const char *features;	/* names or globs; NULL: every numeric column
				 * but the target, the date and the weights */
	const char *weights;	/* or NULL */
	const char *date_col;	/* used when the header has it */
	int date_given;		/* date_col must be in the header */
	int drop_missing;	/* else a missing used value is an error */
	int threads;		/* > 1: a regular file read in two parts
				 * on two threads */
} trainset_opts;

/* A column the fit may use: its values as doubles (NAN when missing). */
typedef struct trainset_col {
	size_t idx;
	int role;		/* 0 candidate feature, 1 chosen, 2 target/w */
	int numeric;		/* -1 unknown, 0 no, 1 yes */
	size_t nmiss;		/* rows where v is NAN */
	double *v;		/* NULL once train_design_build took it */
} trainset_col;

typedef struct trainset {
	const char *name;	/* the input, for messages (the reader's) */
	trainset_col *c;
	size_t nc, n, cap;
	double *block;		/* or NULL: every column's values in one
				 * allocation, column k at block + k * cap
				 * (the reading in parts), which the design
				 * can take over as X */
	long *line, *day;	/* day NULL without a date column */
	long date_idx;
} trainset;

/* Choose the columns from r's header and read every row of r. */
int trainset_read(trainset *t, csv_reader *r, const trainset_opts *o,
    char *err, size_t errsz, int *status);
void trainset_free(trainset *t);

/* The features, target and weights over the rows kept.  names point into
 * r's header: r outlives the design.  The values move from t to the
 * design (t's columns are freed as they are copied, or handed over), so
 * that the two never hold every value at once; t keeps its name, lines
 * and shape. */
typedef struct train_design {
	model_data d;
	char **names;
	model_profile *prof;	/* p, over every row read */
	long *day;		/* n, or NULL without dates */
	size_t *fcol;		/* table column of each feature */
	double *y, *w, *X;
} train_design;

int train_design_build(train_design *ds, trainset *t,
    const csv_reader *r, const trainset_opts *o, char *err, size_t errsz,
    int *status);
/* The first and last day of the design; 0 and 0 without dates. */
void train_design_days(const train_design *ds, long *first, long *last);
void train_design_free(train_design *ds);

/* Flags for the features that spec (names or globs) lists, p of them, into
 * *flags (the caller frees it); -1 with err when an item matches none. */
int train_design_flags(const train_design *ds, const char *spec,
    unsigned char **flags, char *err, size_t errsz);

/* Held-out rows (--valid): the design's features and target read by name
 * from another file, every used value a finite number; a row with a
 * missing one is an error naming FILE:LINE, or dropped with drop_missing.
 * No weights: the metrics are unweighted, as the training ones. */
typedef struct train_valid {
	model_data d;		/* names: the design's */
	double *X, *y;
	size_t rows_read;
} train_valid;

int train_valid_read(train_valid *v, const train_design *ds, csv_reader *r,
    const trainset_opts *o, char *err, size_t errsz, int *status);
void train_valid_free(train_valid *v);

#endif
