/* predict.h: apply a model file (model.h's model_read) to rows (CSV, or
 * JSON lines given as csvio.h records by jsonl.h), one
 * row at a time: predictions, intervals, contributions, and the running
 * sums behind the metrics, model drift and input drift of mmm-predict.
 * Memory is fixed when the predictor is made: it does not grow with rows.
 * Functions return 0 (or a count), or -1 with a one-line message in err;
 * none exits but through the e-wrappers.  The predictor is owned by its
 * caller (predict_free) and borrows the model and the reader. */
#ifndef MMM_PREDICT_H
#define MMM_PREDICT_H

#include <stddef.h>

#include "csvio.h"
#include "jsonw.h"
#include "metrics.h"
#include "model.h"
#include "out.h"

typedef struct predict_conf {
	double interval;	/* level of lower/upper in (0, 1); 0: none */
	int contributions;	/* coefficient x value per feature */
	int jsonl;		/* write JSON lines, else CSV */
	double drift_sd;	/* input drift: mean moved more than this many
				 * training sds (2) */
	const char *keep;	/* columns to copy (names, globs), or NULL:
				 * the model's date column, or "date", and
				 * the by columns */
	const char *by;		/* key columns (names, globs), or NULL */
	const char *model_name;	/* the model's path, for messages */
} predict_conf;

typedef struct predictor predictor;

/* The input's name (for messages) and columns, borrowed. */
typedef struct predict_input {
	const char *name;
	const char *const *names;
	size_t ncols;
} predict_input;

/*
 * Bind the model to the input's columns: every feature must be a column
 * (else EXIT_DATAERR, "FILE: column "x" the model needs is missing"); --by
 * columns must exist (EXIT_DATAERR); --keep
 * columns must exist and not clash with an output column (EXIT_USAGE).  The
 * target column, when present, feeds the metrics.  NULL with err and
 * *status on failure.
 */
predictor *predict_new(const model_file *m, const predict_input *in,
    const predict_conf *c, char *err, size_t errsz, int *status);
void predict_free(predictor *p);

/* The header line (CSV only; nothing for JSON lines). */
void predict_header(predictor *p, out *o);

/*
 * Predict one record and write its output line.  A missing value (csv.h's
 * csv_is_missing) in a feature leaves the row's computed fields empty (null
 * in JSON); the row is counted, not dropped.  A field that is neither a
 * number nor missing is an error (EXIT_DATAERR: "FILE:LINE: column "x":
 * "abc" is not a number").  0 or -1.
 */
int predict_row(predictor *p, const csv_record *rec, out *o, char *err,
    size_t errsz);

/*
 * predict_row in two halves, for a pipeline that reads on one thread and
 * predicts on another.  predict_parse reads what the record holds: the
 * features into x (p of them, NAN when missing), for an mmm model the
 * inputs they come from into raw (p; unused otherwise, may be x), and the
 * target into *y (NAN when missing or absent); 0, or -1 with err as
 * predict_row.  It touches only the reading state (an mmm model's
 * carryover), so it may run beside predict_emit on another thread.
 * predict_emit does the rest for that row, in input order: drift, metrics,
 * and the output line, with the --keep fields kf[a], kl[a] (a <
 * predict_keep's n) copied as they are.
 */
int predict_parse(predictor *p, const csv_record *rec, double *x,
    double *raw, double *y, char *err, size_t errsz);
void predict_emit(predictor *p, const double *x, const double *raw,
    double y, long line, const char *const *kf, const size_t *kl, out *o);
/* Features (x's length), whether it is an mmm model (raw is used), and the
 * input columns of the --keep fields (borrowed), n of them. */
size_t predict_nfeatures(const predictor *p);
int predict_is_mmm(const predictor *p);
const size_t *predict_keep(const predictor *p, size_t *n);

/* Does the model have intervals (OLS, Bayesian ridge; not ridge)? */
int predict_has_interval(const predictor *p);
/* Rows read; rows whose outputs are empty for a missing feature value, and
 * the line of the first. */
size_t predict_rows(const predictor *p);
size_t predict_missing(const predictor *p, long *first_line);

/* Is the target column in the input? */
int predict_has_target(const predictor *p);

/*
 * The metrics over rows with a target and a prediction (streamed: R² from a
 * running mean and sum of squares), and the reference the model file holds:
 * the first present of the validation set's metrics, the cross-validated
 * mean, the training metrics ("valid", "cv" or "train" in *ref_from).  The lift's baseline is the
 * training mean of the target, recovered as intercept + coef'(profile
 * means); NaN without an intercept or a profile.  -1 when no row counted.
 */
int predict_metrics(const predictor *p, metrics *now, double ref_r2[1],
    double ref_mape[1], const char **ref_from);

/* Model drift: R² fell by more than max_r2_drop relative to the reference
 * or MAPE rose by more than max_mape_rise (absolute).  The metrics report
 * (a JSON document) into w; 1 when drift was found, 0 when not, -1 with
 * err set when there are no metrics (no target, or no row with one). */
int predict_model_drift(const predictor *p, double max_r2_drop,
    double max_mape_rise, jsonw *w, char *err, size_t errsz);

/*
 * Input drift, once every row was read: the i-th message, 0 when there are
 * no more.  First the features whose mean moved more than drift_sd training
 * sds from the model's profile ("FILE: input drift: column "x": mean 5 is
 * 20.1 training sd from 0.3"), then those with a value not among the
 * profile's categories, once each at its first ("FILE:LINE: column "x":
 * value 2 was not seen in training").  Features without a profile are not
 * checked.
 */
int predict_input_drift(const predictor *p, size_t i, char *msg,
    size_t msgsz);

#endif
