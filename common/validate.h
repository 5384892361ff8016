/* validate.h: the data-quality gate behind mmm-validate — row-level checks
 * (missing required fields, types, ranges, rules, duplicate keys) decided as
 * each row streams past, column-level checks (completeness, order and gaps,
 * timeliness, outliers, leakage, drift) at the end. */
#ifndef MMM_VALIDATE_H
#define MMM_VALIDATE_H

#include <stddef.h>

#include "csvio.h"
#include "out.h"

typedef struct vconf {
	const char *date_col;	/* default "date" */
	int date_given;		/* --date given: the column must exist */
	const char *by, *require, *numeric, *nonneg, *key, *target;
	const char *allow_missing;	/* columns exempt from --max-missing */
	const char *outlier_cols;	/* columns the outlier check covers */
	char **ranges;		/* "COL=MIN:MAX" */
	size_t nranges;
	char **rules;		/* "a<=b", "a>0" */
	size_t nrules;
	int freq;		/* 0, 1 (daily) or 7 (weekly) */
	double max_missing;
	long today;
	double max_age;		/* days; < 0: off */
	int unique;		/* key and duplicate-row checks on */
	long max_duplicates;
	double outlier_z, max_outliers;
	double leak_corr;
	double drift_sd, drift_missing;
	int drop_invalid;
	double max_rejected;	/* fraction; < 0: off */
} vconf;

/* Defaults of the man page. */
void vconf_defaults(vconf *c);

typedef struct validator validator;

/* Check the options against the header.  NULL with err and *status set
 * (EXIT_USAGE for a malformed option, EXIT_DATAERR for a column the input
 * lacks). */
validator *val_new(const vconf *c, const csv_reader *r, char *err,
    size_t errsz, int *status);

/*
 * Judge one record: 1 passes; 0 rejected, with the reasons in reason (only
 * with drop_invalid); -1 malformed input (a value that is not a number or a
 * date where one is declared), with err set.
 */
int val_row(validator *v, const csv_record *rec, char *reason, size_t rsz,
    char *err, size_t errsz);

/* Column-level checks, once every row is in. */
void val_finish(validator *v);

/* Compare with a saved profile (--against).  -1 with err and *status set when
 * it cannot be read (EXIT_NOINPUT) or is not a profile (EXIT_DATAERR). */
int val_against(validator *v, const char *path, char *err, size_t errsz,
    int *status);

int val_pass(const validator *v);
/* The i-th failed check as one line for stderr; 0 past the last. */
int val_failure(const validator *v, size_t i, char *buf, size_t bufsz);

void val_report(validator *v, out *o);
void val_profile(validator *v, out *o);
void val_free(validator *v);

#endif
