/* split.h: leakage-free time splits over the distinct dates ("periods") of a
 * table — a chronological holdout with a gap, and the expanding-window folds
 * of scikit-learn's TimeSeriesSplit — with the checks that prove them, the
 * plan as JSON, and a compact store for the rows until the split is known.
 * The boundaries are pure functions of counts.  Nothing here opens a file or
 * exits but through the e-wrappers; errors come back as messages.  The caller
 * owns every struct it passes, and frees it with the matching _free. */
#ifndef MMM_SPLIT_H
#define MMM_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "csvio.h"
#include "hashset.h"
#include "jsonw.h"
#include "out.h"

/* The sets of one split, in time order.  SPLIT_TEST is the holdout's test
 * set and a fold's validation set; BEFORE (rows older than a --max-train
 * window) and AFTER (rows later than a fold's validation set) are unused. */
enum { SPLIT_BEFORE, SPLIT_TRAIN, SPLIT_GAP, SPLIT_TEST, SPLIT_AFTER,
	SPLIT_NSETS };

/* Set s holds periods [lo[s], hi[s]); the sets follow each other and cover
 * every period. */
typedef struct split_layout {
	size_t lo[SPLIT_NSETS], hi[SPLIT_NSETS];
} split_layout;

/* The distinct dates of the rows (day numbers), ascending, and the number
 * of rows of each. */
typedef struct split_periods {
	long *day;
	size_t *rows;
	size_t n;
} split_periods;

void split_periods_build(split_periods *p, const long *day, size_t nrows);
void split_periods_free(split_periods *p);
/* Index of the first period on or after day (p->n when there is none). */
size_t split_period_index(const split_periods *p, long day);

/* Test periods for a fraction, as scikit-learn's train_test_split: the
 * double product frac * n rounded up (so 0.07 of 100 is 8). */
size_t split_frac_count(double frac, size_t n);

/*
 * Holdout of n periods: test = [test_start, n), the gap periods before it
 * dropped, train = the rest.  0, or -1 with err set when the train or the
 * test set would be empty.
 */
int split_holdout(size_t n, size_t test_start, size_t gap, split_layout *l,
    char *err, size_t errsz);

/*
 * TimeSeriesSplit(n_splits=k, gap=gap, test_size=test_size, or None when 0)
 * over n periods: 0 and the validation size in *size, or -1 with err set
 * where scikit-learn refuses (k + 1 > n, or no train period left).  k >= 2.
 */
int split_folds_check(size_t n, size_t k, size_t gap, size_t test_size,
    size_t *size, char *err, size_t errsz);
/* Layout of fold i (0-based) once split_folds_check has passed;
 * max_train_size=max_train, or None when 0. */
void split_fold(size_t n, size_t k, size_t gap, size_t size,
    size_t max_train, size_t i, split_layout *l);

/* What a run asks for. */
enum { SPLIT_FRACTION = 1, SPLIT_COUNT, SPLIT_CUTOFF };
typedef struct split_conf {
	int test_kind;		/* 0: folds */
	double test_frac;
	size_t test_count;
	long cutoff;		/* day number */
	size_t gap, folds, valid_size, max_train;	/* 0: default, none */
} split_conf;

/* Parse a --test value into c: a date YYYY-MM-DD (a cutoff), digits (a
 * number of periods, at least 1), or a number in (0,1) (a fraction).  0, or
 * -1 when it is none of them. */
int split_parse_test(const char *s, split_conf *c);

/* What one split's rows hold, counted from the rows themselves. */
typedef struct split_tally {
	size_t rows[SPLIT_NSETS], groups[SPLIT_NSETS];
	long first[SPLIT_NSETS], last[SPLIT_NSETS];	/* when rows > 0 */
} split_tally;

enum { SPLIT_CHECK_ORDER, SPLIT_CHECK_DISJOINT, SPLIT_CHECK_COMPLETE,
	SPLIT_NCHECKS };

typedef struct split_plan {
	split_conf c;
	const split_periods *p;	/* the caller's, borrowed */
	size_t nrows, ngroups;
	size_t size;		/* test or validation periods */
	size_t nsplits;		/* 1 for a holdout, k for folds */
	split_layout *layout;	/* [nsplits] */
	split_tally *tally;	/* [nsplits], by split_plan_verify */
	unsigned char (*pass)[SPLIT_NCHECKS];
	char (*detail)[SPLIT_NCHECKS][160];	/* why a check failed */
} split_plan;

/* Compute the layouts: 0, or -1 with err set when the data cannot be split
 * so (too few periods, no date after a cutoff). */
int split_plan_make(split_plan *pl, const split_conf *c,
    const split_periods *p, size_t nrows, char *err, size_t errsz);
void split_plan_free(split_plan *pl);

/* Set of each row (day[i]'s period) in split s. */
void split_assign(const split_plan *pl, size_t s, const long *day,
    unsigned char *set);

/*
 * Count the rows' sets and check the invariants of every split: each set's
 * dates come after those of the sets before it, with exactly gap periods
 * between train and test (order); the rows of a date are all in one set
 * (disjoint); the sets' rows add up to the input rows and to the plan's
 * counts (complete).  group[i] in [0, ngroups) or group NULL.  Returns 1 when
 * every check passes.
 */
int split_plan_verify(split_plan *pl, const long *day, const uint32_t *group,
    size_t ngroups);

/* The first check that failed, as "check NAME failed[ in fold I]: why" in
 * buf: 1, or 0 when every check passed. */
int split_plan_failure(const split_plan *pl, char *buf, size_t n);

/* Names and files for the plan's JSON. */
typedef struct split_meta {
	const char *input, *date_col, *by;
	const char *file[SPLIT_NSETS];	/* holdout outputs, NULL: none */
	const char *fold_dir;		/* folds: the files' folder */
} split_meta;

/* The file of a set of split s, allocated, or NULL when it is not written:
 * m->file[set] for the holdout, DIR/fold-I.train.csv and DIR/fold-I.valid.csv
 * (I from 1) for the train and validation sets of folds. */
char *split_path(const split_meta *m, const split_plan *pl, size_t s,
    int set);

/* The plan as one JSON document (see mmm-split(1), THE PLAN). */
void split_plan_json(jsonw *w, const split_plan *pl, const split_meta *m);

/* Group numbers for --by: rows with the same fields in the columns. */
typedef struct split_groups {
	hashset hs;
	size_t *by, nby;
	uint32_t n;
} split_groups;

/* Resolve the comma-separated columns (names or globs): 0, or -1 with err
 * set when one matches no column. */
int split_groups_init(split_groups *g, const csv_reader *r, const char *by,
    char *err, size_t errsz);
/* The row's group number, from 0 in order of first appearance. */
uint32_t split_group(split_groups *g, const csv_record *rec);
void split_groups_free(split_groups *g);

/*
 * The rows, held in one growing buffer until the split is known: a record
 * with raw bytes is kept as they are, any other as its fields, written back
 * with csv_write_field, so each row is written as csv_write_record would;
 * beside them each row's day number and, when grouped is set before the
 * first row, its group.
 */
typedef struct split_rows {
	char *buf;
	size_t len, cap;
	size_t *off;		/* row i is buf[off[i], off[i + 1]) */
	long *day;
	uint32_t *group;
	size_t n, ocap;
	int grouped;
} split_rows;

void split_rows_add(split_rows *r, const csv_record *rec, long day,
    uint32_t group);
/*
 * Read every row of r into rows, with the day of its date_col field and,
 * when by is not NULL, its group in g.  0, or -1 with err and *status set:
 * the reader's errors, a column missing from the header, a field of date_col
 * that is not a date (EXIT_DATAERR).
 */
int split_rows_read(split_rows *rows, split_groups *g, csv_reader *r,
    const char *date_col, const char *by, char *err, size_t errsz,
    int *status);
void split_rows_write(out *o, const split_rows *r, size_t i);
/* The header line of r, as csv_write_record writes a record. */
void split_write_header(out *o, const csv_reader *r);
void split_rows_free(split_rows *r);

#endif
