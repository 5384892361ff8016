/* model.h: the linear models of mmm-train (OLS, ridge, Bayesian ridge) behind
 * one interface, their cross-validation over expanding-window folds, and the
 * model file of mmm-model(5): written with jsonw, read back with jansson.
 * Data are column-major n x p (X[j * n + i]) as in ols.h and ridge.h.
 * Functions return 0, or -1 with a one-line message in err; none exits but
 * through the e-wrappers.  Each struct is owned by its caller and freed with
 * the matching _free. */
#ifndef MMM_MODEL_H
#define MMM_MODEL_H

#include <stddef.h>

#include "bayesridge.h"
#include "jsonw.h"
#include "metrics.h"
#include "ols.h"

enum { MODEL_OLS, MODEL_RIDGE, MODEL_BAYES, MODEL_MMM, MODEL_NKINDS };
extern const char *const model_kinds[MODEL_NKINDS];
/* The kind named s, or -1. */
int model_kind(const char *s);

/* How to fit. */
typedef struct model_spec {
	int kind;
	int intercept;
	double level;		/* OLS intervals */
	double lambda;		/* ridge; NAN: chosen by leave-one-out */
	const unsigned char *positive;	/* ridge: p flags, or NULL */
	bayesridge_opts bayes;
	int threads;		/* for the fit; 0 means 1 */
} model_spec;

/* A fitted model. */
typedef struct model_fit {
	int kind;
	size_t p;
	double *coef;		/* p, original scale */
	double intercept;	/* 0 without one */
	ols_result *ols;	/* MODEL_OLS */
	bayesridge br;		/* MODEL_BAYES */
	double lambda;		/* MODEL_RIDGE: the lambda used */
	double *grid, *loo;	/* ridge auto: the LOO path, ngrid each */
	size_t ngrid;
	int threads;		/* of model_train_metrics' pass; 0: one */
	metrics train;		/* OLS: the training metrics of the fit, */
	const double *train_X;	/* of the data with this X (else NULL) */
} model_fit;

typedef struct model_data {
	const double *X, *y, *w;	/* w NULL: all 1 */
	size_t n, p;
	const char *const *names;	/* p feature names */
} model_data;

int model_fit_run(model_fit *f, const model_spec *s, const model_data *d,
    char *err, size_t errsz);
/* OpenBLAS on one thread: its threaded routines split sums by the thread
 * count, which would change a model's last bits with the machine; the
 * fits spread their own passes over spec.threads instead. */
void model_blas_single(void);
/* Predictions for nrow rows of the column-major X (nrow x p). */
void model_fit_predict(const model_fit *f, const double *X, size_t nrow,
    double *yhat);
void model_fit_free(model_fit *f);

/* Cross-validation: TimeSeriesSplit-equal folds over the distinct days
 * (as mmm-split --folds K), a fit on each train set, metrics on its
 * validation set against the train set's mean. */
typedef struct model_cv {
	size_t k;
	metrics *fold;			/* k */
	size_t *ntrain, *nvalid;	/* k */
	long (*range)[2];		/* k: first and last validation day */
	double mean[METRICS_N], sd[METRICS_N];	/* sd: population (ddof 0) */
} model_cv;

int model_cv_run(model_cv *cv, const model_spec *s, const model_data *d,
    const long *day, size_t k, char *err, size_t errsz);
void model_cv_free(model_cv *cv);

/* One quality gate: value against threshold, upper (value must be <= it)
 * or lower (>=). */
typedef struct model_gate {
	const char *name;		/* "min-r2" */
	char what[96];			/* "r2 (cv mean)" */
	double value, threshold;
	int upper, pass;
} model_gate;

/* Per feature, over the rows read (before --drop-missing).  A feature with
 * few values (integers, at most MODEL_MAXCATS distinct ones, each seen twice
 * on average: dummies, flags, day of week) also has its categories, the
 * sorted distinct values, for mmm-predict's new-category drift. */
#define MODEL_MAXCATS 32
typedef struct model_profile {
	double mean, sd, min, max, missing;	/* missing: fraction */
	size_t ncats;				/* 0: not a category */
	double cats[MODEL_MAXCATS];
} model_profile;

/* Everything a model file holds. */
typedef struct model_doc {
	const char *version, *created;	/* YYYY-MM-DD-HHMM, ISO 8601 */
	const char *target;
	const model_spec *spec;
	const model_data *data;
	const model_fit *fit;
	const metrics *train;
	const model_cv *cv;		/* or NULL */
	const model_gate *gates;
	size_t ngates;
	size_t rows_read;
	const char *sha256, *input;
	const char *date_col;		/* NULL: none */
	long first_day, last_day;	/* with date_col */
	const model_profile *profile;	/* p */
	const char *weights;		/* column, or NULL */
	int drop_missing;
	/* The kind's own block (MODEL_MMM: "mmm"), or NULL. */
	void (*extra)(jsonw *w, const void *ctx);
	const void *extra_ctx;
	/* --valid: metrics on held-out rows, or NULL */
	const metrics *valid;
	const char *valid_input, *valid_sha256;
	size_t valid_rows, valid_rows_read;
} model_doc;

/* The document of mmm-model(5), pretty-printed. */
void model_write(jsonw *w, const model_doc *m);
/* The document into path (atomically; NULL or "-": standard output).  A
 * file that cannot be created or written exits through out.h. */
void model_write_file(const char *path, const model_doc *m);

/*
 * The registry: write dir/NAME-VERSION.json (dir created when missing) and
 * point the symbolic link dir/NAME-current.json at it, moved atomically.
 * 0, or -1 with "DIR: cannot create: why" or "LINK: cannot link: why" in err
 * and *status EXIT_CANTCREAT.
 */
int model_register(const char *dir, const char *name, const model_doc *m,
    char *err, size_t errsz, int *status);

/* Is s a version stamp YYYY-MM-DD-HHMM? */
int model_version_ok(const char *s);
/* The version (YYYY-MM-DD-HHMM) and creation time (ISO 8601) of a model:
 * from now, a checked stamp, or (NULL) the current time in UTC. */
void model_stamps(const char *now, char version[32], char created[32]);

/* Train-set metrics: the fit's predictions of d against d's y and mean. */
void model_train_metrics(const model_fit *f, const model_data *d,
    metrics *tr);
/* Held-out metrics: the fit's predictions of v against v's y, the lift
 * against the training rows' (d's) mean. */
void model_valid_metrics(const model_fit *f, const model_data *d,
    const model_data *v, metrics *m);

#define MODEL_FORMAT "mmm-model"
#define MODEL_FORMAT_VERSION 1

/* A model file read back: what predicting needs. */
typedef struct model_file {
	void *root;		/* the jansson document, for other fields */
	int kind;
	const char *target, *version;
	size_t p;
	const char **features;	/* p */
	double *coef;		/* p */
	double intercept;
	int has_intercept;
} model_file;

/*
 * Read and validate path: format, format_version, kind, target, features,
 * coefficients (every feature, numbers).  0, or EXIT_NOINPUT (cannot open)
 * or EXIT_DATAERR (not JSON, truncated, an unknown format_version or kind, a
 * field missing or of the wrong type) with err set to "PATH: why".
 */
int model_read(const char *path, model_file *m, char *err, size_t errsz);
void model_file_free(model_file *m);

#endif
